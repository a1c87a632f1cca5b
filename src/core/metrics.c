#include "core/metrics.h"

#include <glib.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include "core/banned.h"
#include "core/metrics_process.h"
#include "core/password.h"
#include "core/version.h"

static const int statuses[] = {200, 201, 202, 204, 400, 401, 403, 404, 405, 409, 413, 422, 429, 500, 503};
#define N_STATUS (G_N_ELEMENTS(statuses) + 1) /* last: any other */
static const char *const unmatched_methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "OTHER"};
#define N_UNMATCHED G_N_ELEMENTS(unmatched_methods)
static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
#define N_BUCKETS (G_N_ELEMENTS(bounds) + 1)
#define N_SLOTS (METRICS_MAX_ROUTES + N_UNMATCHED)

struct route_label {
    const char *method;
    const char *path;
};

static struct route_label routes[METRICS_MAX_ROUTES];
static size_t n_routes;
static atomic_uint_fast64_t requests[N_SLOTS][N_STATUS];
static atomic_uint_fast64_t buckets[N_SLOTS][N_BUCKETS];
static atomic_uint_fast64_t sum_us[N_SLOTS];
/* A known path asked with a method it has no route for (405), by the
 * first route of the path and the method asked. */
static atomic_uint_fast64_t other_method[METRICS_MAX_ROUTES][N_UNMATCHED][N_STATUS];
static uint32_t shown_statuses[METRICS_MAX_ROUTES]; /* bits of statuses[], set before serving */
static atomic_int in_flight;
static atomic_int db_open, db_in_use;
static atomic_int_fast64_t audit_unsealed = -1;
static atomic_int streams_open;
static atomic_uint_fast64_t fanned_out, streams_dropped;
static int64_t start_time;
static const char *const webhook_outcomes[] = {"delivered", "retry", "failed"};
static atomic_uint_fast64_t webhook_attempts[3][METRICS_WEBHOOK_ATTEMPTS];
static atomic_uint_fast64_t waitlist_booked, waitlist_notified;

void metrics_register_route(size_t idx, const char *method, const char *path)
{
    if (idx >= METRICS_MAX_ROUTES)
        return;
    routes[idx] = (struct route_label){method, path};
    if (idx + 1 > n_routes)
        n_routes = idx + 1;
}

static size_t status_index(int status)
{
    for (size_t i = 0; i < G_N_ELEMENTS(statuses); i++)
        if (statuses[i] == status)
            return i;
    return N_STATUS - 1;
}

void metrics_register_status(size_t idx, int status)
{
    size_t st = status_index(status);
    if (idx < METRICS_MAX_ROUTES && st + 1 < N_STATUS)
        shown_statuses[idx] |= 1u << st;
}

static size_t method_index(const char *method)
{
    for (size_t i = 0; i + 1 < N_UNMATCHED; i++)
        if (strcmp(method, unmatched_methods[i]) == 0)
            return i;
    return N_UNMATCHED - 1;
}

static size_t slot_of(int idx, const char *method)
{
    if (idx >= 0 && (size_t)idx < n_routes)
        return (size_t)idx;
    return METRICS_MAX_ROUTES + method_index(method);
}

void metrics_observe(int idx, const char *method, int status, int64_t duration_us)
{
    size_t slot = slot_of(idx, method), st = status_index(status), b = 0;
    if (slot < METRICS_MAX_ROUTES && strcmp(routes[slot].method, method) != 0) {
        atomic_fetch_add_explicit(&other_method[slot][method_index(method)][st], 1,
                                  memory_order_relaxed);
        return;
    }
    double secs = (double)duration_us / 1e6;
    while (b < G_N_ELEMENTS(bounds) && secs > bounds[b])
        b++;
    atomic_fetch_add_explicit(&requests[slot][st], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&buckets[slot][b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&sum_us[slot], (uint_fast64_t)duration_us, memory_order_relaxed);
}

void metrics_in_flight_add(int delta)
{
    atomic_fetch_add_explicit(&in_flight, delta, memory_order_relaxed);
}

void metrics_set_start_time(int64_t unix_seconds)
{
    start_time = unix_seconds;
}

void metrics_db_connections_add(int delta)
{
    atomic_fetch_add_explicit(&db_open, delta, memory_order_relaxed);
}

void metrics_db_in_use_add(int delta)
{
    atomic_fetch_add_explicit(&db_in_use, delta, memory_order_relaxed);
}

void metrics_set_audit_unsealed(int64_t entries)
{
    atomic_store_explicit(&audit_unsealed, entries, memory_order_relaxed);
}

void metrics_webhook_attempt(enum metrics_webhook_outcome outcome, int attempt)
{
    int a = attempt < 1 ? 1 : attempt > METRICS_WEBHOOK_ATTEMPTS ? METRICS_WEBHOOK_ATTEMPTS : attempt;
    atomic_fetch_add_explicit(&webhook_attempts[outcome][a - 1], 1, memory_order_relaxed);
}

static void render_webhooks(GString *out)
{
    g_string_append(out, "# HELP appointd_webhook_deliveries_total Webhook delivery attempts made "
                         "by this process, by what came of them (retry: failed, another attempt "
                         "follows) and attempt number (the last counts every later one too).\n"
                         "# TYPE appointd_webhook_deliveries_total counter\n");
    for (int o = 0; o < 3; o++)
        for (int a = 0; a < METRICS_WEBHOOK_ATTEMPTS; a++)
            g_string_append_printf(out,
                                   "appointd_webhook_deliveries_total{status=\"%s\",attempt=\"%d\"} %" G_GUINT64_FORMAT "\n",
                                   webhook_outcomes[o], a + 1,
                                   (uint64_t)atomic_load_explicit(&webhook_attempts[o][a], memory_order_relaxed));
}

void metrics_waitlist_served(bool booked)
{
    atomic_fetch_add_explicit(booked ? &waitlist_booked : &waitlist_notified, 1, memory_order_relaxed);
}

static void render_waitlist(GString *out)
{
    g_string_append_printf(out,
                           "# HELP appointd_waitlist_served_total Waitlist entries served by this "
                           "process: booked (auto_book) or notified.\n"
                           "# TYPE appointd_waitlist_served_total counter\n"
                           "appointd_waitlist_served_total{outcome=\"booked\"} %" G_GUINT64_FORMAT "\n"
                           "appointd_waitlist_served_total{outcome=\"notified\"} %" G_GUINT64_FORMAT "\n",
                           (guint64)atomic_load(&waitlist_booked), (guint64)atomic_load(&waitlist_notified));
}

void metrics_event_streams_open_add(int delta)
{
    atomic_fetch_add_explicit(&streams_open, delta, memory_order_relaxed);
}

void metrics_events_fanned_out_add(uint64_t n)
{
    atomic_fetch_add_explicit(&fanned_out, n, memory_order_relaxed);
}

void metrics_event_streams_dropped_add(uint64_t n)
{
    atomic_fetch_add_explicit(&streams_dropped, n, memory_order_relaxed);
}

static void render_streams(GString *out)
{
    g_string_append_printf(out,
                           "# HELP appointd_event_streams_open Event streams (GET /api/v1/events) open now.\n"
                           "# TYPE appointd_event_streams_open gauge\n"
                           "appointd_event_streams_open %d\n"
                           "# HELP appointd_events_fanned_out_total Events written to event streams (one per stream).\n"
                           "# TYPE appointd_events_fanned_out_total counter\n"
                           "appointd_events_fanned_out_total %" G_GUINT64_FORMAT "\n"
                           "# HELP appointd_event_streams_dropped_total Event streams closed for a reader too slow.\n"
                           "# TYPE appointd_event_streams_dropped_total counter\n"
                           "appointd_event_streams_dropped_total %" G_GUINT64_FORMAT "\n",
                           atomic_load(&streams_open), (guint64)atomic_load(&fanned_out),
                           (guint64)atomic_load(&streams_dropped));
}

static void labels_of(size_t slot, const char **route, const char **method)
{
    if (slot < METRICS_MAX_ROUTES) {
        *route = routes[slot].path;
        *method = routes[slot].method;
    } else {
        *route = "unmatched";
        *method = unmatched_methods[slot - METRICS_MAX_ROUTES];
    }
}

static bool slot_used(size_t slot)
{
    return slot < METRICS_MAX_ROUTES ? slot < n_routes && routes[slot].path
                                      : slot - METRICS_MAX_ROUTES < N_UNMATCHED;
}

static void render_count(GString *out, const char *route, const char *method, size_t st,
                         uint64_t n)
{
    char code[8];
    g_snprintf(code, sizeof code, "%d", st + 1 < N_STATUS ? statuses[st] : 0);
    g_string_append_printf(out,
                           "appointd_http_requests_total{route=\"%s\",method=\"%s\",status=\"%s\"} %" G_GUINT64_FORMAT "\n",
                           route, method, st + 1 < N_STATUS ? code : "other", n);
}

/* 405s (and whatever else a known path answered to a method it has no route for). */
static void render_other_methods(GString *out, size_t s)
{
    for (size_t m = 0; m < N_UNMATCHED; m++)
        for (size_t i = 0; i < N_STATUS; i++) {
            uint64_t n = atomic_load_explicit(&other_method[s][m][i], memory_order_relaxed);
            if (n)
                render_count(out, routes[s].path, unmatched_methods[m], i, n);
        }
}

static void render_requests(GString *out)
{
    g_string_append(out, "# HELP appointd_http_requests_total HTTP requests by route, method and status.\n"
                         "# TYPE appointd_http_requests_total counter\n");
    for (size_t s = 0; s < N_SLOTS; s++) {
        if (!slot_used(s))
            continue;
        const char *route, *method;
        labels_of(s, &route, &method);
        /* Every route shows its statuses from the start; unknown paths their 404. */
        uint32_t shown = s < METRICS_MAX_ROUTES ? shown_statuses[s] : 1u << status_index(404);
        for (size_t i = 0; i < N_STATUS; i++) {
            uint64_t n = atomic_load_explicit(&requests[s][i], memory_order_relaxed);
            if (n || (i < 32 && (shown >> i) & 1u))
                render_count(out, route, method, i, n);
        }
        if (s < METRICS_MAX_ROUTES)
            render_other_methods(out, s);
    }
}

static void render_latency(GString *out)
{
    g_string_append(out, "# HELP appointd_http_request_duration_seconds Time from request to response, by route.\n"
                         "# TYPE appointd_http_request_duration_seconds histogram\n");
    for (size_t s = 0; s < N_SLOTS; s++) {
        if (!slot_used(s))
            continue;
        const char *route, *method;
        labels_of(s, &route, &method);
        uint64_t cum = 0;
        for (size_t b = 0; b < N_BUCKETS; b++) {
            cum += atomic_load_explicit(&buckets[s][b], memory_order_relaxed);
            char le[16];
            if (b < G_N_ELEMENTS(bounds))
                g_snprintf(le, sizeof le, "%g", bounds[b]);
            else
                g_strlcpy(le, "+Inf", sizeof le);
            g_string_append_printf(out,
                                   "appointd_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",le=\"%s\"} %" G_GUINT64_FORMAT "\n",
                                   route, method, le, cum);
        }
        g_string_append_printf(out,
                               "appointd_http_request_duration_seconds_sum{route=\"%s\",method=\"%s\"} %.6f\n"
                               "appointd_http_request_duration_seconds_count{route=\"%s\",method=\"%s\"} %" G_GUINT64_FORMAT "\n",
                               route, method, (double)atomic_load(&sum_us[s]) / 1e6, route, method, cum);
    }
}

static void render_gauges(GString *out)
{
    int64_t unsealed = atomic_load_explicit(&audit_unsealed, memory_order_relaxed);
    g_string_append_printf(out,
                           "# HELP appointd_http_requests_in_flight Requests being handled now.\n"
                           "# TYPE appointd_http_requests_in_flight gauge\n"
                           "appointd_http_requests_in_flight %d\n"
                           "# HELP appointd_bcrypt_total bcrypt computations (password hashes and checks).\n"
                           "# TYPE appointd_bcrypt_total counter\n"
                           "appointd_bcrypt_total %lu\n"
                           "# HELP appointd_db_connections Database connections open.\n"
                           "# TYPE appointd_db_connections gauge\n"
                           "appointd_db_connections %d\n"
                           "# HELP appointd_db_connections_in_use Database connections held by a request now.\n"
                           "# TYPE appointd_db_connections_in_use gauge\n"
                           "appointd_db_connections_in_use %d\n",
                           atomic_load(&in_flight), password_bcrypt_count(), atomic_load(&db_open),
                           atomic_load(&db_in_use));
    if (unsealed >= 0)
        g_string_append_printf(out,
                               "# HELP appointd_outbox_lag Entries of an outbox its job has not taken yet "
                               "(audit: newest entry id minus newest sealed id).\n"
                               "# TYPE appointd_outbox_lag gauge\n"
                               "appointd_outbox_lag{outbox=\"audit\",job=\"audit_seal\"} %" G_GINT64_FORMAT "\n",
                               unsealed);
}

char *metrics_render(void)
{
    GString *out = g_string_sized_new(65536);
    g_string_append_printf(out,
                           "# HELP appointd_build_info The version and git commit of this build.\n"
                           "# TYPE appointd_build_info gauge\n"
                           "appointd_build_info{version=\"%s\",commit=\"%s\"} 1\n",
                           version_number, version_commit);
    render_requests(out);
    render_latency(out);
    render_gauges(out);
    render_webhooks(out);
    render_streams(out);
    render_waitlist(out);
    metrics_process_render(out, start_time);
    return g_string_free(out, FALSE);
}
