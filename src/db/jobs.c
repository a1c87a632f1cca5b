/* Background jobs' leases, and retention. */
#include <string.h>

#include "core/banned.h"
#include "db/store_impl.h"

enum app_err store_job_lease(struct store *s, const char *name, const char *owner, int64_t now,
                             int64_t until, bool *held)
{
    struct db_value p[] = {DB_S(name), DB_S(owner), DB_I(now), DB_I(until)};
    struct db_rows r = {0};
    *held = false;
    enum app_err err = store_begin(s);
    if (!err)
        err = store_query(s, Q_JOB_LEASE, p, 4, &r);
    if (!err)
        *held = r.nrows == 1 && strcmp(db_cell(&r, 0, 0), owner) == 0;
    db_rows_release(&r);
    return store_end(s, err);
}

enum app_err store_prune(struct store *s, enum store_prune_kind kind, int64_t before, int limit,
                         int *deleted)
{
    static const enum query_id q[] = {
        [PRUNE_IDEMPOTENCY] = Q_PRUNE_IDEM,
        [PRUNE_LOGIN_FAILURES] = Q_PRUNE_LOGIN,
        [PRUNE_SESSIONS] = Q_PRUNE_SESSIONS,
        [PRUNE_EVENTS] = Q_PRUNE_EVENTS,
        [PRUNE_DELIVERIES] = Q_PRUNE_DELIVERIES,
        [PRUNE_REMINDERS] = Q_PRUNE_REMINDERS,
    };
    struct db_value p[] = {DB_I(before), DB_I(limit)};
    struct db_rows r = {0};
    if (kind == PRUNE_AUDIT)
        return store_audit_prune(s, before, limit, deleted);
    enum app_err err = store_begin(s);
    if (!err)
        err = store_query(s, q[kind], p, 2, &r);
    *deleted = err ? 0 : r.nrows;
    db_rows_release(&r);
    return store_end(s, err);
}
