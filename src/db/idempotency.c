/* Idempotency keys, kept in the database so they hold across processes and
 * restarts. A claim is owned: only its owner records the answer or lets it
 * go, and a claim whose lease has passed is taken over by its twin. */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "core/timeutil.h"
#include "db/store_impl.h"

static enum app_err claim_row(struct store *s, enum query_id q, const struct db_value *p, int n,
                              bool *claimed)
{
    int64_t unused;
    return store_query_int(s, q, p, n, &unused, claimed);
}

/* What the row of a key that could not be claimed says. */
static enum app_err read_row(struct store *s, int64_t user_id, const char *key, const char *hash,
                             struct idem_record *out)
{
    struct db_value p[] = {DB_I(user_id), DB_S(key)};
    struct db_rows r;
    enum app_err err = store_query(s, Q_IDEM_GET, p, 2, &r);
    if (err)
        return err;
    out->state = IDEM_BUSY; /* gone between the two steps: its twin must retry */
    if (r.nrows && strcmp(db_cell(&r, 0, 0), hash) != 0)
        out->state = IDEM_OTHER;
    else if (r.nrows && db_cell(&r, 0, 1)) {
        out->state = IDEM_DONE;
        out->status = (int)db_cell_int(&r, 0, 1);
        out->body = strdup(db_cell(&r, 0, 2) ? db_cell(&r, 0, 2) : "");
        err = out->body ? APP_OK : APP_ERR_INTERNAL;
    }
    db_rows_release(&r);
    return err;
}

enum app_err store_idem_claim(struct store *s, int64_t user_id, const char *key, const char *hash,
                              const char *owner, int64_t now, int lease, struct idem_record *out)
{
    struct db_value clear[] = {DB_I(user_id), DB_S(key), DB_I(now)};
    struct db_value p[] = {DB_I(user_id), DB_S(key), DB_S(hash),
                           DB_S(owner),   DB_I(now), DB_I(now + lease)};
    bool claimed = false;
    memset(out, 0, sizeof *out);
    /* A fresh key, the common case: one statement (on PostgreSQL alone, with
     * no BEGIN or COMMIT). A key seen before takes the long way below. */
    enum app_err err = store_begin(s);
    if (!err) {
        store_last_step(s);
        err = store_end(s, claim_row(s, Q_IDEM_INSERT, p, 6, &claimed));
    }
    if (err || claimed) {
        out->state = IDEM_CLAIMED;
        return err;
    }
    err = store_begin(s);
    if (!err)
        err = store_query(s, Q_IDEM_CLEAR, clear, 3, NULL);
    if (!err)
        err = claim_row(s, Q_IDEM_INSERT, p, 6, &claimed);
    if (!err && !claimed)
        err = claim_row(s, Q_IDEM_TAKEOVER, p, 6, &claimed);
    if (!err && !claimed)
        err = read_row(s, user_id, key, hash, out);
    else if (!err)
        out->state = IDEM_CLAIMED;
    err = store_end(s, err);
    if (err) {
        free(out->body);
        out->body = NULL;
    }
    return err;
}

enum app_err store_idem_record(struct store *s, int status, const char *body)
{
    struct store_context *c = s->ctx;
    if (!c || !c->idem_user_id)
        return APP_OK;
    struct db_value p[] = {DB_I(c->idem_user_id), DB_S(c->idem_key), DB_S(c->idem_owner),
                           DB_I(status),          DB_S(body),        DB_S(c->idem_hash),
                           DB_I(clock_now())};
    bool found;
    enum app_err err = c->idem_hash ? claim_row(s, Q_IDEM_INSERT_DONE, p, 7, &found)
                                    : claim_row(s, Q_IDEM_RECORD, p, 5, &found);
    if (!err && !found)
        err = APP_ERR_IDEM_IN_FLIGHT;
    if (!err)
        c->idem_recorded = true;
    return err;
}

enum app_err store_idem_release(struct store *s)
{
    struct store_context *c = s->ctx;
    if (!c || !c->idem_user_id)
        return APP_OK;
    struct db_value p[] = {DB_I(c->idem_user_id), DB_S(c->idem_key), DB_S(c->idem_owner)};
    return store_query(s, Q_IDEM_RELEASE, p, 3, NULL);
}
