/* Feeding the slot engine from the store: a provider's zone, weekly windows,
 * time off and confirmed bookings around a range, then slots_compute. The
 * slots endpoint and the booking rules both come through here. */
#ifndef SERVICES_SCHEDULE_H
#define SERVICES_SCHEDULE_H
#include <stdint.h>

#include "core/error.h"
#include "db/store.h"
#include "models/service.h"
#include "services/slots.h"

/* The rules a service offers slots by, with a booking's own duration and
 * buffers in place of the service's when it is one being moved. */
struct slot_rules schedule_rules(const struct service *svc, const struct booking *moving);

/* Appends to out the slots of svc with start in [from, to), at most max
 * (0: all), leaving booking exclude_id (0: none) out of the busy time. */
enum app_err schedule_slots(struct store *s, const struct service *svc,
                            const struct slot_rules *rules, int64_t from, int64_t to,
                            int64_t exclude_id, size_t max, struct slot_list *out);

/* Whether start is offered right now by rules 1 and 2 and the windows, as
 * schedule_slots would; rule 3 (other bookings) is left to the write, which
 * the database refuses on overlap (the caller turns that into a 409). */
enum app_err schedule_is_offered(struct store *s, const struct service *svc,
                                 const struct slot_rules *rules, int64_t start,
                                 int64_t exclude_id, bool *offered);
/* The active service service_id (else APP_ERR_SERVICE_NOT_FOUND) and, as
 * schedule_is_offered with its own rules, whether a new booking of it may
 * start at start: one read for both. */
enum app_err schedule_service_is_offered(struct store *s, int64_t service_id, int64_t start,
                                         struct service *svc, bool *offered);

/* Up to 3 offered slots after start, within the booking horizon, searched
 * from the later of start and now + min notice in at most 8 loads. */
enum app_err schedule_next_slots(struct store *s, const struct service *svc,
                                 const struct slot_rules *rules, int64_t start,
                                 int64_t exclude_id, struct slot_list *out);
/* The slots endpoint: every offered slot of active service id whose start
 * falls on the local dates [from_days, to_days] of zone (NULL: the
 * provider's), into out, which must be empty. Fills svc and the zone name
 * used (64 bytes). */
enum app_err schedule_service_slots(struct store *s, int64_t id, int64_t from_days,
                                    int64_t to_days, const char *zone, struct service *svc,
                                    char *zone_used, struct slot_list *out);

/* What schedule_service_slots computes, with what it was computed from, for
 * callers that rank or explain the slots (services/suggestions.c): one
 * schedule load serves both. Owns everything it points to. */
struct schedule_view {
    struct service svc;
    struct schedule sched;   /* the provider's schedule as loaded */
    struct tz *provider_tz;  /* sched's zone */
    struct tz *view_tz;      /* the zone the dates were read in */
    struct slot_input input; /* exactly what slots_compute ran on (points into the above) */
    struct slot_list slots;  /* its answer, ascending */
};

/* Loads and computes v for active service id on the local dates [from_days,
 * to_days] of zone (NULL: the provider's). On failure v holds nothing to
 * release; on success release it with schedule_view_release. */
enum app_err schedule_service_view(struct store *s, int64_t id, int64_t from_days,
                                   int64_t to_days, const char *zone, struct schedule_view *v);
void schedule_view_release(struct schedule_view *v);

/* How many times this thread has read a schedule from the store: what the
 * functions above cost in queries (the unit tests bound it). */
unsigned long schedule_loads(void);
#endif
