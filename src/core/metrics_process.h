/* The standard process_* metrics of Prometheus client libraries, read from
 * the kernel when /metrics is scraped (never on a request's path). */
#ifndef CORE_METRICS_PROCESS_H
#define CORE_METRICS_PROCESS_H
#include <glib.h>
#include <stdint.h>

/* Appends process_cpu_seconds_total, process_resident_memory_bytes,
 * process_open_fds, process_max_fds and process_start_time_seconds (given)
 * to out; a value the kernel does not give is left out. */
void metrics_process_render(GString *out, int64_t start_time);
#endif
