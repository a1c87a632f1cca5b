#include "services/retention.h"

#include "core/banned.h"

#define BATCH 1000
#define MAX_BATCHES 100 /* a run stays short; the next one goes on */

static enum app_err prune_kind(struct store *s, enum store_prune_kind kind, int64_t before,
                               int64_t *deleted)
{
    enum app_err err = APP_OK;
    int n = BATCH;
    for (int i = 0; !err && n == BATCH && i < MAX_BATCHES; i++) {
        err = store_prune(s, kind, before, BATCH, &n);
        *deleted += n;
    }
    return err;
}

enum app_err retention_run(struct store *s, const struct retention_policy *p, int64_t now,
                           int64_t *deleted)
{
    const struct {
        enum store_prune_kind kind;
        int64_t before;
    } kinds[] = {
        {PRUNE_IDEMPOTENCY, now - 86400},
        {PRUNE_LOGIN_FAILURES, now - p->login_window},
        {PRUNE_SESSIONS, now},
        {PRUNE_EVENTS, now - p->event_seconds},
        {PRUNE_AUDIT, now - p->audit_seconds},
        {PRUNE_DELIVERIES, now - p->delivery_seconds},
        {PRUNE_REMINDERS, now - p->delivery_seconds},
    };
    enum app_err err = APP_OK;
    *deleted = 0;
    for (size_t i = 0; !err && i < sizeof kinds / sizeof kinds[0]; i++)
        err = prune_kind(s, kinds[i].kind, kinds[i].before, deleted);
    return err;
}
