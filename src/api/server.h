/* The HTTP server: libmicrohttpd with epoll and a thread pool for I/O, and a
 * pool of workers (each with its own database connection) for every route
 * that touches bcrypt or the database. */
#ifndef API_SERVER_H
#define API_SERVER_H
#include "core/config.h"

/* Serves until SIGTERM or SIGINT, then stops accepting, finishes the requests
 * in flight and returns 0 (1 when it could not start). */
int server_run(const struct config *cfg);
/* Blocks SIGTERM, SIGINT and SIGPIPE in the calling thread and so in every
 * thread it starts afterwards: only server_run's sigwait takes them. */
void server_block_signals(void);
#endif
