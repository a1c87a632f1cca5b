/* The request and response every handler sees: plain C, no libmicrohttpd.
 * server.c fills a request, a handler fills the response, server.c sends it. */
#ifndef API_HTTP_H
#define API_HTTP_H
#include <stdbool.h>
#include <stddef.h>

#include "core/token.h"
#include "models/user.h"

struct store;
struct stream_open;

#define REQUEST_MAX_QUERY 32
#define REQUEST_MAX_PARAMS 3

struct query_arg {
    const char *key;
    const char *value; /* "" for a bare key */
};

struct request {
    const char *method;
    const char *path;
    const char *path_params[REQUEST_MAX_PARAMS]; /* the {…} segments in order */
    struct query_arg query[REQUEST_MAX_QUERY];
    int n_query;
    const char *body;
    size_t body_len;
    const char *content_type;
    const char *authorization;
    const char *idempotency_key;
    const char *user_agent;
    const char *client_ip;
    char request_id[72];
    struct store *store;       /* the worker's connection; NULL on I/O-thread routes */
    void *transport;           /* server.c's, for request_header */
    struct user user;          /* set when the route needs a login */
    struct token_claims claims;
};

struct response {
    int status;
    char *body; /* malloc'd, owned by the response; or static when body_static */
    size_t body_len;
    bool body_static;
    const char *content_type;
    char location[80];
    char allow[64];
    char retry_after[16];
    bool www_authenticate;
    const char *cache_control; /* static text, or NULL */
    const char *etag;          /* static text, or NULL */
    bool gzip;                 /* the body is gzip-compressed (Content-Encoding) */
    bool vary_encoding;        /* another encoding exists (Vary: Accept-Encoding) */
    struct stream_open *stream; /* malloc'd: answer with this event stream (api/streams.h) */
};

typedef void (*handler_fn)(struct request *req, struct response *res);

/* The value of header name (any case), or NULL: for the routes that need
 * one the server does not read for every request. */
const char *request_header(const struct request *req, const char *name);
/* The value of query key, or NULL. */
const char *request_query(const struct request *req, const char *key);
/* Frees what the response owns. */
void response_release(struct response *res);
#endif
