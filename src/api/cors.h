/* CORS (API.md "Conventions"): the origins of CORS_ORIGINS, matched
 * exactly, and the headers their requests get. server.c applies them to
 * every response in one place, not per handler. */
#ifndef API_CORS_H
#define API_CORS_H
#include <stdbool.h>
#include <stddef.h>

#define CORS_EXPOSE_HEADERS "Location, Retry-After, X-Request-ID"
#define CORS_ALLOW_HEADERS "Authorization, Content-Type, Idempotency-Key, Last-Event-ID, X-Request-ID"
#define CORS_MAX_AGE "600"

/* Zero-initialised is the empty list (no origin allowed). */
struct cors_origins {
    char **list; /* g_strv, lower-cased */
    size_t n;
};

/* Parses comma-separated origins ("https://app.example.com, http://localhost:3000";
 * blank: none). False, with a message naming the bad entry in err and the
 * list empty, for anything but scheme://host[:port] with scheme http or
 * https. Release with cors_release. */
bool cors_parse(const char *spec, struct cors_origins *o, char *err, size_t errlen);
void cors_release(struct cors_origins *o);
/* Whether the Origin header value is listed (ASCII case aside); false for NULL. */
bool cors_allowed(const struct cors_origins *o, const char *origin);
#endif
