/* The dispatcher: what every request goes through between the server and
 * its handler — authentication, the request's context on its database
 * connection (actor, address, user agent, request id: what the audit log
 * records), and Idempotency-Key on the routes that honour it. */
#ifndef API_DISPATCH_H
#define API_DISPATCH_H
#include "api/http.h"
#include "api/router.h"

/* Runs route's handler for req on the calling thread with store (NULL for
 * routes that need none), filling res. */
void dispatch_run(const struct route *route, struct request *req, struct response *res,
                  struct store *store);
#endif
