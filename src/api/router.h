/* Matching a method and path against the route table of routes.c. */
#ifndef API_ROUTER_H
#define API_ROUTER_H
#include <stdbool.h>
#include <stddef.h>

#include "api/http.h"

enum route_auth { AUTH_NONE, AUTH_USER, AUTH_ADMIN };

/* Where a route runs. */
enum route_run {
    RUN_IO,     /* cheap and touches no database: answered on the I/O thread */
    RUN_DB,     /* on a worker, with its database connection (503 without one) */
    RUN_READY,  /* on the readiness prober (api/ready.c), with its own connection and
                 * a deadline; with no store the handler must answer at once */
    RUN_BCRYPT, /* as RUN_DB, on the bcrypt pool: its own threads, a bounded queue (503 when full) */
};

struct route {
    const char *method;
    const char *path; /* "/api/v1/users/{id}": {…} matches one non-empty segment */
    handler_fn handler;
    enum route_auth auth;
    enum route_run run;
    size_t max_body; /* bytes a body may have; 0: the contract's 1 MiB */
    /* Idempotency-Key is honoured (api/dispatch.c), and a success answers
     * with this status; 0: the header is ignored. */
    int idempotent;
};

extern const struct route routes[];
extern const size_t n_routes;

/* Finds the route of method and path, writing path parameters (pointers into
 * path_copy, which the caller provides as a writable copy of path).
 * Returns its index, or -1 with *allow listing the methods the path has
 * ("" when the path is unknown; HEAD beside every GET). HEAD finds the path's
 * GET route. */
int router_match(const char *method, char *path_copy, const char **params, char *allow,
                 size_t allow_len);
/* The index of the first route whose template matches path, whatever its
 * method (path is not changed); -1 when none does. */
int router_path_route(const char *path);
#endif
