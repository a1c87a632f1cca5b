/* Suggestions: the offered slots of a service, ranked for the customer and
 * for the provider's day. docs/SCHEDULING.md states the rule and its weights.
 * The slots themselves come from the slot engine (services/slots.c); this
 * file only orders and explains them. */
#ifndef SERVICES_SUGGESTIONS_H
#define SERVICES_SUGGESTIONS_H
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/tz.h"
#include "db/store.h"
#include "models/availability.h"
#include "models/suggestion.h"

/* The shortest free stretches, in minutes, that some active service of the
 * provider still fits in (store_service_shortest): free time shorter than
 * the one for its place cannot be sold. */
struct suggestions_fit {
    int between;     /* between two bookings: duration + both buffers */
    int after_edge;  /* after a window's start or time off's end: duration + buffer after */
    int before_edge; /* before a window's end or time off's start: duration + buffer before */
};

/* Everything the ranking looks at; all of it is read only. */
struct suggestions_input {
    const struct tz *tz; /* the zone days, hours and the times in reasons are read in */
    const struct span *slots; /* the offered slots (slots_compute), ascending */
    size_t n_slots;
    const struct span *busy; /* confirmed bookings' occupied spans, buffers included */
    size_t n_busy;
    const struct span *windows; /* the provider's windows in UTC (slots_windows) */
    size_t n_windows;
    const struct span *time_off; /* edges count as window edges */
    size_t n_time_off;
    int buffer_before_min; /* the service's: a slot occupies */
    int buffer_after_min;  /* [start - before, end + after) */
    struct suggestions_fit fit;
    struct suggestion_prefs prefs;
    int64_t from, to; /* the asked range in UTC: earliness runs across it */
};

/* Scores every slot of in and writes the best min(limit, in->n_slots) into
 * out (room for limit items), best first: score descending, then start
 * ascending; *n gets how many. Reasons are written for those only. Pure: the
 * same input gives the same output. Returns 0, or -1 when memory ran out
 * (*n is then 0). */
int suggestions_rank(const struct suggestions_input *in, size_t limit, struct suggestion *out,
                     size_t *n);

/* The suggestions endpoint: the slots schedule_service_slots offers for
 * active service id on the local dates [from_days, to_days] of zone (NULL:
 * the provider's), ranked by suggestions_rank, the best limit (1–50) of
 * them, from one schedule load. out is filled on APP_OK (release it with
 * suggestion_list_release) and empty otherwise; unknown or inactive service:
 * APP_ERR_SERVICE_NOT_FOUND. */
enum app_err suggestions_for_service(struct store *s, int64_t id, int64_t from_days,
                                     int64_t to_days, const char *zone,
                                     const struct suggestion_prefs *prefs, size_t limit,
                                     struct suggestion_list *out);
#endif
