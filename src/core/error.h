/* One error enum for the whole program. Services return it; api/respond.c is
 * the one place that turns it into a status and a body (error.c's table). */
#ifndef CORE_ERROR_H
#define CORE_ERROR_H

enum app_err {
    APP_OK = 0,
    APP_ERR_VALIDATION,        /* 422, details in a struct field_errors */
    APP_ERR_BAD_REQUEST,       /* 400 */
    APP_ERR_BAD_PASSWORD,      /* 400 Incorrect password */
    APP_ERR_NOT_AUTHENTICATED, /* 401 no token */
    APP_ERR_BAD_TOKEN,         /* 401 token not ours, not current, or its user gone */
    APP_ERR_BAD_LOGIN,         /* 401 */
    APP_ERR_FORBIDDEN,         /* 403 */
    APP_ERR_NOT_FOUND,         /* 404 unknown path */
    APP_ERR_USER_NOT_FOUND,
    APP_ERR_PROVIDER_NOT_FOUND,
    APP_ERR_SERVICE_NOT_FOUND,
    APP_ERR_BOOKING_NOT_FOUND,
    APP_ERR_TIME_OFF_NOT_FOUND,
    APP_ERR_METHOD_NOT_ALLOWED, /* 405 */
    APP_ERR_EMAIL_TAKEN,        /* 409 */
    APP_ERR_SLOT_UNAVAILABLE,   /* 409 */
    APP_ERR_NOT_CHANGEABLE,     /* 409 */
    APP_ERR_IDEM_IN_FLIGHT,     /* 409 */
    APP_ERR_LAST_ADMIN,         /* 409 */
    APP_ERR_TOO_LARGE,          /* 413 */
    APP_ERR_TOO_MANY_LOGINS,    /* 429 */
    APP_ERR_CONFLICT,           /* a store-level unique or exclusion violation */
    APP_ERR_INTERNAL,           /* 500 */
    APP_ERR_UNAVAILABLE,        /* 503: the database cannot be reached */
    APP_ERR_BUSY,               /* 503 with Retry-After: no memory or worker free for it now */
    APP_ERR_TOO_MANY_SIGNUPS,   /* 429 */
    APP_ERR_CORS_ORIGIN,        /* 403: a preflight from an origin not in CORS_ORIGINS */
    APP_ERR_URI_TOO_LONG,       /* 414 */
    APP_ERR_HEADERS_TOO_LARGE,  /* 431: request line and headers past APPOINTD_MAX_HEADER_BYTES */
    APP_ERR_HTTP_VERSION,       /* 505 */
    APP_ERR_WEBHOOK_NOT_FOUND,  /* 404 */
    APP_ERR_DELIVERY_NOT_FOUND, /* 404 */
    APP_ERR_WAITLIST_NOT_FOUND, /* 404 */
    APP_ERR_WAITLIST_LIMIT,     /* 409 */
    APP_ERR__COUNT
};

struct app_error_info {
    int status;
    const char *detail;
    const char *code; /* stable API code of a 409, else NULL */
};

/* The status, detail and code of err; never NULL. */
const struct app_error_info *app_error_info(enum app_err err);

/* The entries of a 422 body: where, what kind, and a message for a person. */
struct field_error {
    char loc0[8]; /* body, query, path, header */
    char field[48];
    char type[40];
    char msg[160];
};

#define FIELD_ERRORS_MAX 16
struct field_errors {
    int n;
    struct field_error items[FIELD_ERRORS_MAX];
};

/* Records one invalid field; further ones past FIELD_ERRORS_MAX are dropped. */
void field_errors_add(struct field_errors *fe, const char *loc0, const char *field,
                      const char *type, const char *msg);
#endif
