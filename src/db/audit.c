/* The audit log: entries written in their change's transaction, chained by
 * the sealer, pruned from the oldest end with the chain's anchor kept. */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "core/timeutil.h"
#include "db/store_impl.h"

#define ANCHOR_KEY "audit_anchor"
#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

static struct db_value text_or_null(const char *v)
{
    return v && *v ? DB_S(v) : DB_NUL;
}

void store_audit_params(struct store *s, const struct user *actor, const char *action,
                        const char *target_type, int64_t target_id, const char *details,
                        struct db_value p[AUDIT_PARAMS])
{
    const struct store_context *c = s->ctx;
    if (!actor && c)
        actor = c->actor;
    p[0] = DB_I(clock_now());
    p[1] = actor ? DB_I(actor->id) : DB_NUL;
    p[2] = actor ? DB_S(actor->email) : DB_NUL;
    p[3] = actor ? DB_S(role_name(actor->role)) : DB_NUL;
    p[4] = DB_S(action);
    p[5] = DB_S(target_type);
    p[6] = target_id ? DB_I(target_id) : DB_NUL;
    p[7] = text_or_null(c ? c->ip : NULL);
    p[8] = text_or_null(c ? c->user_agent : NULL);
    p[9] = text_or_null(c ? c->request_id : NULL);
    p[10] = DB_S(details ? details : "{}");
}

enum app_err store_audit_add(struct store *s, const struct user *actor, const char *action,
                             const char *target_type, int64_t target_id, const char *details)
{
    struct db_value p[AUDIT_PARAMS];
    store_audit_params(s, actor, action, target_type, target_id, details, p);
    return store_query(s, Q_AUDIT_INSERT, p, AUDIT_PARAMS, NULL);
}

static void copy_cell(const struct db_rows *r, int i, int col, char *out, size_t len)
{
    g_strlcpy(out, db_cell(r, i, col) ? db_cell(r, i, col) : "", len);
}

static void entry_from_row(const struct db_rows *r, int i, void *item)
{
    struct audit_entry *e = item;
    memset(e, 0, sizeof *e);
    e->id = db_cell_int(r, i, 0);
    e->at = db_cell_int(r, i, 1);
    e->actor_id = db_cell_int(r, i, 2);
    copy_cell(r, i, 3, e->actor_email, sizeof e->actor_email);
    copy_cell(r, i, 4, e->actor_role, sizeof e->actor_role);
    copy_cell(r, i, 5, e->action, sizeof e->action);
    copy_cell(r, i, 6, e->target_type, sizeof e->target_type);
    e->target_id = db_cell_int(r, i, 7);
    copy_cell(r, i, 8, e->ip, sizeof e->ip);
    copy_cell(r, i, 9, e->user_agent, sizeof e->user_agent);
    copy_cell(r, i, 10, e->request_id, sizeof e->request_id);
    e->details = strdup(db_cell(r, i, 11) ? db_cell(r, i, 11) : "{}");
    copy_cell(r, i, 12, e->hash, sizeof e->hash);
}

/* Maps the first n rows of r; APP_ERR_INTERNAL when memory ran out. */
static enum app_err entries(const struct db_rows *r, int n, struct audit_list *out)
{
    out->items = calloc((size_t)n + 1, sizeof *out->items);
    if (!out->items)
        return APP_ERR_INTERNAL;
    for (int i = 0; i < n; i++) {
        entry_from_row(r, i, &out->items[i]);
        out->n++;
        if (!out->items[i].details) {
            audit_list_release(out);
            return APP_ERR_INTERNAL;
        }
    }
    return APP_OK;
}

enum app_err store_audit_list(struct store *s, const struct audit_filter *f, int limit, int offset,
                              struct audit_list *out)
{
    struct db_value p[] = {text_or_null(f->action),      DB_I(f->actor_id),
                           text_or_null(f->target_type), DB_I(f->target_id),
                           f->has_from ? DB_I(f->from) : DB_NUL,
                           f->has_to ? DB_I(f->to) : DB_NUL,
                           DB_I(limit),                  DB_I(offset)};
    struct db_rows r;
    memset(out, 0, sizeof *out);
    enum app_err err = store_query_int(s, Q_AUDIT_COUNT, p, 6, &out->total, NULL);
    if (!err)
        err = store_query(s, Q_AUDIT_LIST, p, 8, &r);
    if (err)
        return err;
    err = entries(&r, r.nrows, out);
    db_rows_release(&r);
    return err;
}

enum app_err store_audit_after(struct store *s, struct outbox_cursor *c, int limit,
                               struct audit_list *out)
{
    struct db_rows r = {0};
    int n = 0;
    memset(out, 0, sizeof *out);
    enum app_err err = store_outbox_read(s, Q_AUDIT_AFTER, OUTBOX_AUDIT_KEY, c, limit, &r, &n);
    if (!err)
        err = entries(&r, n, out);
    db_rows_release(&r);
    return err;
}

enum app_err store_audit_seal(struct store *s, const char *seals)
{
    struct db_value p[] = {DB_S(seals)};
    return store_query(s, Q_AUDIT_SEAL, p, 1, NULL);
}

enum app_err store_audit_anchor(struct store *s, int64_t *id, char hash[65])
{
    struct db_value p[] = {DB_S(ANCHOR_KEY)};
    struct db_rows r;
    *id = 0;
    g_strlcpy(hash, ZERO_HASH, 65);
    enum app_err err = store_query(s, Q_SETTING_GET, p, 1, &r);
    if (err)
        return err;
    /* "<id>:<hash>" */
    const char *v = r.nrows ? db_cell(&r, 0, 0) : NULL;
    const char *colon = v ? strchr(v, ':') : NULL;
    if (colon && strlen(colon + 1) == 64) {
        *id = g_ascii_strtoll(v, NULL, 10);
        g_strlcpy(hash, colon + 1, 65);
    }
    db_rows_release(&r);
    return err;
}

enum app_err store_audit_chain_end(struct store *s, int64_t *id, char hash[65])
{
    struct db_rows r;
    enum app_err err = store_query(s, Q_AUDIT_LAST_SEALED, NULL, 0, &r);
    if (err)
        return err;
    bool found = r.nrows > 0;
    if (found) {
        *id = db_cell_int(&r, 0, 0);
        g_strlcpy(hash, db_cell(&r, 0, 1), 65);
    }
    db_rows_release(&r);
    return found ? APP_OK : store_audit_anchor(s, id, hash);
}

enum app_err store_audit_unsealed(struct store *s, int64_t *n)
{
    int64_t newest = 0, sealed = 0;
    char hash[65];
    enum app_err err = store_query_int(s, Q_AUDIT_NEWEST, NULL, 0, &newest, NULL);
    if (!err)
        err = store_audit_chain_end(s, &sealed, hash);
    *n = !err && newest > sealed ? newest - sealed : 0;
    return err;
}

/* The newest of the oldest rows of r that are all sealed and older than
 * before: how far the chain may be cut. */
static int prunable(const struct db_rows *r, int64_t before)
{
    int n = 0;
    while (n < r->nrows && db_cell(r, n, 1) && db_cell_int(r, n, 2) < before)
        n++;
    return n;
}

enum app_err store_audit_prune(struct store *s, int64_t before, int limit, int *deleted)
{
    struct db_value p[] = {DB_I(limit)};
    struct db_rows r = {0};
    *deleted = 0;
    enum app_err err = store_begin(s);
    if (!err)
        err = store_query(s, Q_AUDIT_HEAD, p, 1, &r);
    int n = err ? 0 : prunable(&r, before);
    if (n > 0) {
        char anchor[96];
        int64_t last = db_cell_int(&r, n - 1, 0);
        g_snprintf(anchor, sizeof anchor, "%" G_GINT64_FORMAT ":%s", last, db_cell(&r, n - 1, 1));
        struct db_value put[] = {DB_S(ANCHOR_KEY), DB_S(anchor)};
        struct db_value upto[] = {DB_I(last)};
        err = store_query(s, Q_SETTING_PUT, put, 2, NULL);
        if (!err)
            err = store_query(s, Q_AUDIT_DELETE_UPTO, upto, 1, NULL);
        *deleted = err ? 0 : n;
    }
    db_rows_release(&r);
    return store_end(s, err);
}
