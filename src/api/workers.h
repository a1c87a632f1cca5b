/* The worker pool: threads that each own a database connection and run the
 * handlers that may block (bcrypt, the database), off the I/O threads. */
#ifndef API_WORKERS_H
#define API_WORKERS_H
#include <stdbool.h>

#include "api/http.h"
#include "api/router.h"

/* Starts n workers, each connecting to database_url. False if none could. */
bool workers_start(int n, const char *database_url);
/* Queues route's handler for req/res; done(arg) runs on the worker after it.
 * False when the pool is stopping. */
bool workers_submit(const struct route *route, struct request *req, struct response *res,
                    void (*done)(void *), void *arg);
/* Finishes queued jobs, joins the threads and closes their connections. */
void workers_stop(void);
#endif
