/* The webhook jobs of the runner (jobs/runner.c):
 * - webhook_fanout (one process, by lease): outbox events into deliveries;
 * - webhook_reminders (one process, by lease): booking.reminder when due;
 * - webhook_deliver (every process): claims due deliveries and sends them,
 *   many at once on one libcurl multi handle. That handle, its transfers
 *   and their claims are owned by the webhook_deliver thread; on stop it
 *   lets transfers in flight finish for up to 2 s and records them, and
 *   leaves the rest to their leases (due again once they lapse). */
#ifndef JOBS_WEBHOOKS_H
#define JOBS_WEBHOOKS_H
#include "core/config.h"
#include "core/error.h"
#include "db/store.h"

/* Reads the options and names this process (owner); call once before the
 * threads start. False when libcurl cannot start. */
bool webhook_jobs_init(const struct config *cfg, const char *owner);
/* Undoes webhook_jobs_init once every job thread has ended. */
void webhook_jobs_cleanup(void);
enum app_err webhook_jobs_fanout(struct store *s);
enum app_err webhook_jobs_remind(struct store *s);
enum app_err webhook_jobs_deliver(struct store *s);
/* The deliverer's end (its thread, after its last turn). */
void webhook_jobs_deliver_stop(struct store *s);
#endif
