/* Process-wide request metrics with lock-free counters, rendered in the
 * Prometheus text format. Routes are registered once before serving. */
#ifndef CORE_METRICS_H
#define CORE_METRICS_H
#include <stddef.h>
#include <stdint.h>

#define METRICS_MAX_ROUTES 64

/* Names route index idx (method and path template); call before serving. */
void metrics_register_route(size_t idx, const char *method, const char *path);
/* Counts one finished request. idx is a registered route, or -1 for a request
 * that matched none (then method names it). */
void metrics_observe(int idx, const char *method, int status, int64_t duration_us);
void metrics_in_flight_add(int delta);
void metrics_set_start_time(int64_t unix_seconds);

/* Renders every metric; returns a malloc'd NUL-terminated text the caller frees. */
char *metrics_render(void);
#endif
