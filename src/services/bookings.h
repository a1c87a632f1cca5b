/* Bookings: create, read, cancel, reschedule, complete. Every write checks
 * the slot rules inside the transaction that writes, and the database refuses
 * overlaps on its own, so no double booking survives a race. Anyone who may
 * not see a booking gets APP_ERR_BOOKING_NOT_FOUND, as if it did not exist. */
#ifndef SERVICES_BOOKINGS_H
#define SERVICES_BOOKINGS_H
#include "core/error.h"
#include "db/store.h"
#include "models/booking.h"
#include "models/user.h"
#include "services/slots.h"

/* Books req for actor. APP_ERR_SLOT_UNAVAILABLE fills next (up to 3 offered
 * slots after the asked start); APP_ERR_VALIDATION fills fe. */
enum app_err bookings_create(struct store *s, const struct user *actor,
                             const struct booking_request *req, struct booking *out,
                             struct slot_list *next, struct field_errors *fe);
/* The waitlist's booking (services/waitlist.c) of customer_id at start,
 * inside the caller's unit of work. Under the same rules as bookings_create,
 * taken in the same order: start is a slot the waitlist has just computed
 * with schedule_slots (rules 1 to 3, before the unit of work, as
 * bookings_create checks rules 1 and 2), and rule 3 is the database's at
 * the write. The audit entry has no actor and says it was the waitlist's
 * (entry_id). APP_ERR_SLOT_UNAVAILABLE when another booking took the slot
 * meanwhile (the unit of work must then end). */
enum app_err bookings_create_for_waitlist(struct store *s, const struct service *svc,
                                          int64_t customer_id, int64_t start, int64_t entry_id,
                                          struct booking *out);
enum app_err bookings_get(struct store *s, const struct user *actor, int64_t id,
                          struct booking *out);
/* A page of what actor may see; f's customer and provider are set here. */
enum app_err bookings_list(struct store *s, const struct user *actor, struct booking_filter *f,
                           int limit, int offset, struct booking_list *out);
/* reason may be NULL. */
enum app_err bookings_cancel(struct store *s, const struct user *actor, int64_t id,
                             const char *reason, struct booking *out);
enum app_err bookings_reschedule(struct store *s, const struct user *actor, int64_t id,
                                 int64_t start, struct booking *out, struct slot_list *next);
enum app_err bookings_complete(struct store *s, const struct user *actor, int64_t id,
                               struct booking *out);
#endif
