/* Retention: what the database keeps, and for how long. */
#ifndef SERVICES_RETENTION_H
#define SERVICES_RETENTION_H
#include <stdint.h>

#include "core/error.h"
#include "db/store.h"

struct retention_policy {
    int64_t login_window;    /* seconds failed logins count */
    int64_t event_seconds;   /* EVENT_RETENTION_HOURS */
    int64_t audit_seconds;   /* AUDIT_RETENTION_DAYS */
    int64_t delivery_seconds; /* WEBHOOK_DELIVERY_RETENTION_DAYS: finished deliveries */
};

/* Deletes, in batches, what is older than policy keeps at now: idempotency
 * keys past 24 h, failed logins past their window, expired sessions, events
 * and (sealed) audit entries past their retention, finished webhook
 * deliveries past theirs, and reminder marks of starts older than that. *deleted gets how many rows. */
enum app_err retention_run(struct store *s, const struct retention_policy *p, int64_t now,
                           int64_t *deleted);
#endif
