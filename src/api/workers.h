/* The worker pools: threads that each own a database connection and run the
 * handlers that may block, off the I/O threads. Routes marked RUN_BCRYPT
 * (signup, login, token, password change) have a pool of their own with a
 * bounded queue; every other worker route shares the database pool. */
#ifndef API_WORKERS_H
#define API_WORKERS_H
#include <stdbool.h>

#include "api/http.h"
#include "api/router.h"

enum workers_result {
    WORKERS_QUEUED,
    WORKERS_FULL,     /* the route's pool has its queue full: try again later */
    WORKERS_STOPPING, /* the pools are stopping (or out of memory) */
};

/* Starts db_threads database workers and bcrypt_threads bcrypt workers
 * whose queue holds at most bcrypt_queue waiting jobs; each connects to
 * database_url on its first job. False if a pool has no thread. */
bool workers_start(int db_threads, int bcrypt_threads, int bcrypt_queue, const char *database_url);
/* Queues route's handler for req/res on its pool; done(arg) runs on the
 * worker after it. WORKERS_FULL sets *retry_after_s, the seconds until the
 * queue has room again by the average job so far. */
enum workers_result workers_submit(const struct route *route, struct request *req,
                                   struct response *res, void (*done)(void *), void *arg,
                                   int *retry_after_s);
/* Finishes queued jobs, joins the threads and closes their connections. */
void workers_stop(void);
#endif
