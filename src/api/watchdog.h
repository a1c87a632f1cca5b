/* Cuts off clients that deliver a request too slowly: libmicrohttpd's own
 * timeout only notices silence, so one byte a second would hold a connection
 * forever. A connection must deliver each whole request (headers and body)
 * within the request timeout of becoming ready for it (connected, or its last
 * answer sent), so an idle kept-alive connection also ends after that time.
 * A connection whose client has gone before its request was in is cut at
 * once (within two sweeps, about half a second), so it frees its slot. */
#ifndef API_WATCHDOG_H
#define API_WATCHDOG_H

struct conn_watch;

void watchdog_start(int request_timeout_seconds);
void watchdog_stop(void);
/* Shutdown: closes every connection that is between requests, now and
 * whenever another one gets there. */
void watchdog_drain(void);
/* Connections open now (those with a watch). */
int watchdog_count(void);
/* A new connection on fd; returns its watch (NULL if out of memory). */
struct conn_watch *watchdog_add(int fd);
void watchdog_remove(struct conn_watch *w);
/* Its headers are in: the connection holds a request until it is answered. */
void watchdog_request_started(struct conn_watch *w);
/* The request is in: the clock stops while it is handled and answered. */
void watchdog_request_received(struct conn_watch *w);
/* The answer is out: the clock starts for the next request. */
void watchdog_request_done(struct conn_watch *w);
#endif
