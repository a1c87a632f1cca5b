/* The waitlist (API.md, "Intelligent scheduling"): a customer's entries, and
 * serving them when a change frees slots. A change that can free slots
 * writes the occupied span it freed on its own event, in its own unit of
 * work (a cancellation, a reschedule, or a slots.freed event); the waitlist
 * job reads the outbox and serves each slot then offered in that span to the
 * oldest active entry holding it, once (docs/WAITLIST.md). Anyone who may
 * not see an entry gets APP_ERR_WAITLIST_NOT_FOUND. */
#ifndef SERVICES_WAITLIST_H
#define SERVICES_WAITLIST_H
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "db/store.h"
#include "models/user.h"
#include "models/waitlist.h"
#include "services/slots.h"

/* The rules of a new entry at now: from < to, to after now, to - from at
 * most 62 days. False with fe filled (loc body.from / body.to). */
bool waitlist_validate(const struct waitlist_request *req, int64_t now, struct field_errors *fe);
/* Whether the occupied span of slot (rules' buffers around it) overlaps freed. */
bool waitlist_slot_frees(const struct slot_rules *rules, const struct span *freed,
                         const struct span *slot);
/* Whether e's range holds slot: from <= start and end <= to. */
bool waitlist_holds(const struct waitlist_entry *e, const struct span *slot);
/* The starts [out->start, out->end) of slots that can free-overlap freed
 * and lie inside [min_from, max_to) (the entries' ranges). False when none. */
bool waitlist_slot_range(const struct slot_rules *rules, const struct span *freed,
                         int64_t min_from, int64_t max_to, struct span *out);

/* A customer's new entry (others: APP_ERR_FORBIDDEN); the 21st active one is
 * APP_ERR_WAITLIST_LIMIT, counted and written in one unit of work. */
enum app_err waitlist_create(struct store *s, const struct user *actor,
                             const struct waitlist_request *req, struct waitlist_entry *out,
                             struct field_errors *fe);
enum app_err waitlist_get(struct store *s, const struct user *actor, int64_t id,
                          struct waitlist_entry *out);
/* Actor's own entries (an admin: everyone's), by id. */
enum app_err waitlist_list(struct store *s, const struct user *actor, int limit, int offset,
                           struct waitlist_list *out);
enum app_err waitlist_delete(struct store *s, const struct user *actor, int64_t id);

/* In the current unit of work: a slots.freed event saying that [start, end)
 * of provider_id's time may offer new slots of service_id (0: every one). */
enum app_err waitlist_slots_freed(struct store *s, int64_t provider_id, int64_t service_id,
                                  int64_t start, int64_t end);
/* The same for the whole horizon of every service of provider_id: from now
 * to now + the longest max_advance_days of its active services. */
enum app_err waitlist_horizon_freed(struct store *s, int64_t provider_id);

/* What a serving turn did. */
struct waitlist_served {
    int events;  /* outbox events read */
    int booked, notified;
};
/* One serving step: up to limit events after the job's place, each with a
 * freed span served slot by slot, each serve one unit of work that also
 * moves the persisted place (compare-and-set). c and place are the job's
 * own, kept between calls (zeroed at first). Another process moving the
 * place ends the step without error (the next one reads it again). */
enum app_err waitlist_serve(struct store *s, struct outbox_cursor *c, struct waitlist_place *place,
                            int limit, struct waitlist_served *out);
/* Marks the active entries whose to has passed expired; *n: how many. */
enum app_err waitlist_expire(struct store *s, int64_t now, int *n);
#endif
