/* Webhook deliveries as the job runner drives them (jobs/webhooks.c): the
 * fan-out of outbox events into deliveries, booking reminders, and the
 * rules that decide what an attempt's result means (retry schedule, 410,
 * the five days of failures that disable a webhook). The rules take the
 * time as an argument, so tests give them any clock. */
#ifndef SERVICES_DELIVERIES_H
#define SERVICES_DELIVERIES_H
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "db/store.h"

/* Seconds a webhook may go on failing every attempt before it is disabled. */
#define DELIVERIES_DISABLE_AFTER (5 * 86400)

/* The seconds after a failed attempt n (1-based) that attempt n + 1 comes
 * (at the next whole second past them);
 * after attempt n + 1 with n == count, the delivery has failed. */
struct retry_schedule {
    const int *seconds;
    int count;
};

/* What to do with the webhook after an attempt. */
struct webhook_verdict {
    bool failing; /* start (or keep) failing_since; false: clear it */
    bool disable;
};

/* Applies the result of attempt d->attempts (already counted) made at now
 * to d: HTTP status code (0: no answer) and error (the reason when there
 * was no 2xx; NULL: "HTTP <code>"). failing_since is the webhook's (0: its
 * last attempt succeeded). Returns what becomes of the webhook. */
struct webhook_verdict deliveries_apply(const struct retry_schedule *rs, struct delivery *d,
                                        int code, const char *error, int64_t now,
                                        int64_t failing_since);

/* Writes the deliveries of the events after c (up to limit of them) and
 * moves c and its persisted twin past them, in one unit of work. c->after
 * is read from the database first when it is 0 or another process moved
 * the persisted place. *n gets the events passed. */
enum app_err deliveries_fan_out(struct store *s, struct outbox_cursor *c, int limit, int *n);

/* Writes the booking.reminder that are due at now: for each, an event in
 * the outbox (with the booking's provider and customer; the event stream
 * skips this type), its mark and its one delivery, in one unit of work.
 * *n gets how many. */
enum app_err deliveries_remind(struct store *s, int64_t now, int minute_seconds, int *n);
#endif
