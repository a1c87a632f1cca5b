/* Process-wide request metrics with lock-free counters, rendered in the
 * Prometheus text format. Routes are registered once before serving. */
#ifndef CORE_METRICS_H
#define CORE_METRICS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define METRICS_MAX_ROUTES 64

/* Names route index idx (method and path template); call before serving. */
void metrics_register_route(size_t idx, const char *method, const char *path);
/* Names a status route idx can answer: its counter is shown from the start,
 * at 0, so that rates and alerts work before the first such answer. */
void metrics_register_status(size_t idx, int status);
/* Counts one finished request. idx is a registered route, or -1 for a request
 * that matched none (then method names it). A route whose method is not
 * method (a 405 on a known path) is counted under its path and method. */
void metrics_observe(int idx, const char *method, int status, int64_t duration_us);
void metrics_in_flight_add(int delta);
void metrics_set_start_time(int64_t unix_seconds);
/* Database connections open (store_open .. store_close) and held by a
 * request now (on a worker, between its start and its answer). */
void metrics_db_connections_add(int delta);
void metrics_db_in_use_add(int delta);
/* Audit entries written but not yet sealed, as the job runner last measured
 * them; negative: not measured (no job runner in this process). */
void metrics_set_audit_unsealed(int64_t entries);

/* One webhook attempt and what came of it; attempts past the last label
 * count under it (METRICS_WEBHOOK_ATTEMPTS: the first and seven retries). */
#define METRICS_WEBHOOK_ATTEMPTS 8
/* A waitlist entry served: booked (auto_book) or notified. */
void metrics_waitlist_served(bool booked);
enum metrics_webhook_outcome { METRICS_WEBHOOK_DELIVERED, METRICS_WEBHOOK_RETRY, METRICS_WEBHOOK_FAILED };
void metrics_webhook_attempt(enum metrics_webhook_outcome outcome, int attempt);

/* Event streams open now; events written to streams; streams closed for a
 * reader too slow (their pending text past EVENT_STREAM_MAX_PENDING). */
void metrics_event_streams_open_add(int delta);
void metrics_events_fanned_out_add(uint64_t n);
void metrics_event_streams_dropped_add(uint64_t n);

/* Renders every metric; returns a malloc'd NUL-terminated text the caller frees. */
char *metrics_render(void);
#endif
