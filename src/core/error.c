#include "core/error.h"

#include <glib.h>

#include "core/banned.h"

static const struct app_error_info table[APP_ERR__COUNT] = {
    [APP_OK] = {200, "OK", NULL},
    [APP_ERR_VALIDATION] = {422, "Validation error", NULL},
    [APP_ERR_BAD_REQUEST] = {400, "Bad Request", NULL},
    [APP_ERR_BAD_PASSWORD] = {400, "Incorrect password", NULL},
    [APP_ERR_NOT_AUTHENTICATED] = {401, "Not authenticated", NULL},
    [APP_ERR_BAD_TOKEN] = {401, "Could not validate credentials", NULL},
    [APP_ERR_BAD_LOGIN] = {401, "Incorrect email or password", NULL},
    [APP_ERR_FORBIDDEN] = {403, "Not enough permissions", NULL},
    [APP_ERR_NOT_FOUND] = {404, "Not Found", NULL},
    [APP_ERR_USER_NOT_FOUND] = {404, "User not found", NULL},
    [APP_ERR_PROVIDER_NOT_FOUND] = {404, "Provider not found", NULL},
    [APP_ERR_SERVICE_NOT_FOUND] = {404, "Service not found", NULL},
    [APP_ERR_BOOKING_NOT_FOUND] = {404, "Booking not found", NULL},
    [APP_ERR_TIME_OFF_NOT_FOUND] = {404, "Time off not found", NULL},
    [APP_ERR_WEBHOOK_NOT_FOUND] = {404, "Webhook not found", NULL},
    [APP_ERR_DELIVERY_NOT_FOUND] = {404, "Delivery not found", NULL},
    [APP_ERR_WAITLIST_NOT_FOUND] = {404, "Waitlist entry not found", NULL},
    [APP_ERR_METHOD_NOT_ALLOWED] = {405, "Method Not Allowed", NULL},
    [APP_ERR_EMAIL_TAKEN] = {409, "Email already registered", "email_taken"},
    [APP_ERR_SLOT_UNAVAILABLE] = {409, "Slot not available", "slot_unavailable"},
    [APP_ERR_NOT_CHANGEABLE] = {409, "Booking cannot be changed", "booking_not_changeable"},
    [APP_ERR_IDEM_IN_FLIGHT] = {409, "A request with this Idempotency-Key is in progress",
                                "idempotency_in_flight"},
    [APP_ERR_WAITLIST_LIMIT] = {409, "Too many active waitlist entries", "waitlist_limit"},
    [APP_ERR_LAST_ADMIN] = {409, "The last active admin cannot be removed", "last_admin"},
    [APP_ERR_TOO_LARGE] = {413, "Request body too large", NULL},
    [APP_ERR_TOO_MANY_LOGINS] = {429, "Too many login attempts", NULL},
    [APP_ERR_CONFLICT] = {409, "Conflict", NULL},
    [APP_ERR_INTERNAL] = {500, "Internal Server Error", NULL},
    [APP_ERR_UNAVAILABLE] = {503, "Service Unavailable", NULL},
    [APP_ERR_BUSY] = {503, "Server busy, try again later", NULL},
    [APP_ERR_TOO_MANY_SIGNUPS] = {429, "Too many signups", NULL},
    [APP_ERR_CORS_ORIGIN] = {403, "Disallowed CORS origin", NULL},
    [APP_ERR_URI_TOO_LONG] = {414, "URI Too Long", NULL},
    [APP_ERR_HEADERS_TOO_LARGE] = {431, "Request Header Fields Too Large", NULL},
    [APP_ERR_HTTP_VERSION] = {505, "HTTP Version Not Supported", NULL},
};

const struct app_error_info *app_error_info(enum app_err err)
{
    if ((int)err < 0 || err >= APP_ERR__COUNT)
        err = APP_ERR_INTERNAL;
    return &table[err];
}

void field_errors_add(struct field_errors *fe, const char *loc0, const char *field,
                      const char *type, const char *msg)
{
    if (fe->n >= FIELD_ERRORS_MAX)
        return;
    struct field_error *e = &fe->items[fe->n++];
    g_strlcpy(e->loc0, loc0, sizeof e->loc0);
    g_strlcpy(e->field, field, sizeof e->field);
    g_strlcpy(e->type, type, sizeof e->type);
    g_strlcpy(e->msg, msg, sizeof e->msg);
}
