/* Readiness probes (GET /health/ready) off the worker pool and with a
 * deadline: every probe is answered within APPOINTD_READY_TIMEOUT_MS
 * whatever the database does, so a hung database cannot hang the load
 * balancer's check, nor the workers' queue delay it. One prober thread with
 * a connection of its own runs the route's handler once for all the probes
 * waiting; a timer thread answers each probe still waiting at its deadline
 * by running the handler with no store (which answers 503 at once). */
#ifndef API_READY_H
#define API_READY_H
#include <stdbool.h>

#include "api/http.h"
#include "api/router.h"

/* Starts both threads; the prober connects to database_url on its first
 * probe. False when a thread could not start. */
bool ready_start(const char *database_url, int timeout_ms);
/* Answers what still waits (503), then joins the threads (the prober after
 * its current ping) and closes its connection. */
void ready_stop(void);
/* Queues a probe of route into res; done(arg) runs, on the prober or the
 * timer thread, once res holds the answer. False when not running. */
bool ready_submit(const struct route *route, struct response *res, void (*done)(void *),
                  void *arg);
#endif
