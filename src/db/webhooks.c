/* Webhooks, their deliveries, the fan-out's place and reminder marks. */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "db/store_impl.h"

static void webhook_from_row(const struct db_rows *r, int i, void *item)
{
    struct webhook *w = item;
    memset(w, 0, sizeof *w);
    w->id = db_cell_int(r, i, 0);
    w->user_id = db_cell_int(r, i, 1);
    g_strlcpy(w->url, db_cell(r, i, 2), sizeof w->url);
    w->events = (unsigned)db_cell_int(r, i, 3);
    w->active = db_cell_int(r, i, 4) != 0;
    w->reminder_minutes = (int)db_cell_int(r, i, 5);
    w->created_at = db_cell_int(r, i, 6);
}

/* The delivery columns (DELIVERY_COLS) from column 0 of row i. */
static void delivery_from_row(const struct db_rows *r, int i, void *item)
{
    struct delivery *d = item;
    memset(d, 0, sizeof *d);
    d->id = db_cell_int(r, i, 0);
    d->webhook_id = db_cell_int(r, i, 1);
    d->event_id = db_cell_int(r, i, 2);
    g_strlcpy(d->type, db_cell(r, i, 3), sizeof d->type);
    if (!delivery_status_parse(db_cell(r, i, 4), &d->status))
        d->status = DELIVERY_FAILED;
    d->attempts = (int)db_cell_int(r, i, 5);
    d->last_status_code = (int)db_cell_int(r, i, 6);
    g_strlcpy(d->last_error, db_cell(r, i, 7) ? db_cell(r, i, 7) : "", sizeof d->last_error);
    d->next_attempt_at = db_cell_int(r, i, 8);
    d->delivered_at = db_cell_int(r, i, 9);
}

enum app_err store_webhook_insert(struct store *s, struct webhook *w, const char *secret)
{
    struct db_value p[] = {DB_I(w->user_id), DB_S(w->url), DB_I(w->events),
                           DB_I(w->reminder_minutes), DB_S(secret), DB_I(w->created_at)};
    return store_query_int(s, Q_WEBHOOK_INSERT, p, 6, &w->id, NULL);
}

enum app_err store_webhook_get(struct store *s, int64_t id, struct webhook *w)
{
    struct db_value p[] = {DB_I(id)};
    return store_query_one(s, Q_WEBHOOK_GET, p, 1, webhook_from_row, w, APP_ERR_WEBHOOK_NOT_FOUND);
}

enum app_err store_webhook_lock(struct store *s, int64_t id, struct webhook *w)
{
    struct db_value p[] = {DB_I(id)};
    return store_query_one(s, Q_WEBHOOK_LOCK, p, 1, webhook_from_row, w, APP_ERR_WEBHOOK_NOT_FOUND);
}

/* Runs q, which returns a row when it changed one; not_found otherwise. */
static enum app_err change_one(struct store *s, enum query_id q, const struct db_value *p, int n,
                               enum app_err not_found)
{
    int64_t id;
    bool found = false;
    enum app_err err = store_query_int(s, q, p, n, &id, &found);
    return !err && !found ? not_found : err;
}

enum app_err store_webhook_update(struct store *s, const struct webhook *w)
{
    struct db_value p[] = {DB_I(w->id), DB_S(w->url), DB_I(w->events), DB_I(w->active ? 1 : 0),
                           DB_I(w->reminder_minutes)};
    return change_one(s, Q_WEBHOOK_UPDATE, p, 5, APP_ERR_WEBHOOK_NOT_FOUND);
}

enum app_err store_webhook_delete(struct store *s, int64_t id)
{
    struct db_value p[] = {DB_I(id)};
    return change_one(s, Q_WEBHOOK_DELETE, p, 1, APP_ERR_WEBHOOK_NOT_FOUND);
}

enum app_err store_webhook_list(struct store *s, int64_t user_id, int limit, int offset,
                                struct webhook_list *out)
{
    struct db_value p[] = {DB_I(user_id), DB_I(limit), DB_I(offset)};
    memset(out, 0, sizeof *out);
    enum app_err err = store_query_list(s, Q_WEBHOOK_LIST, p, 3, sizeof *out->items,
                                        webhook_from_row, (void **)&out->items, &out->n);
    if (!err)
        err = store_query_int(s, Q_WEBHOOK_COUNT, p, 1, &out->total, NULL);
    if (err)
        webhook_list_release(out);
    return err;
}

enum app_err store_webhook_rotate(struct store *s, int64_t id, const char *secret,
                                  int64_t old_until)
{
    struct db_value p[] = {DB_I(id), DB_S(secret), DB_I(old_until)};
    return change_one(s, Q_WEBHOOK_ROTATE, p, 3, APP_ERR_WEBHOOK_NOT_FOUND);
}

enum app_err store_webhook_health(struct store *s, int64_t id, bool failing, int64_t now,
                                  bool disable)
{
    struct db_value p[] = {DB_I(id), DB_I(failing ? 1 : 0), DB_I(now), DB_I(disable ? 1 : 0)};
    /* A webhook deleted meanwhile has nothing left to mark. */
    enum app_err err = change_one(s, Q_WEBHOOK_HEALTH, p, 4, APP_ERR_WEBHOOK_NOT_FOUND);
    return err == APP_ERR_WEBHOOK_NOT_FOUND ? APP_OK : err;
}

enum app_err store_delivery_list(struct store *s, int64_t webhook_id, int limit, int offset,
                                 struct delivery_list *out)
{
    struct db_value p[] = {DB_I(webhook_id), DB_I(limit), DB_I(offset)};
    memset(out, 0, sizeof *out);
    enum app_err err = store_query_list(s, Q_DELIVERY_LIST, p, 3, sizeof *out->items,
                                        delivery_from_row, (void **)&out->items, &out->n);
    if (!err)
        err = store_query_int(s, Q_DELIVERY_COUNT, p, 1, &out->total, NULL);
    if (err)
        delivery_list_release(out);
    return err;
}

enum app_err store_delivery_retry(struct store *s, int64_t webhook_id, int64_t event_id,
                                  int64_t now, struct delivery *out)
{
    struct db_value p[] = {DB_I(webhook_id), DB_I(event_id), DB_I(now)};
    return store_query_one(s, Q_DELIVERY_RETRY, p, 3, delivery_from_row, out,
                           APP_ERR_DELIVERY_NOT_FOUND);
}

enum app_err store_delivery_insert(struct store *s, int64_t webhook_id, int64_t event_id,
                                   const char *type, int64_t now)
{
    struct db_value p[] = {DB_I(webhook_id), DB_I(event_id), DB_S(type), DB_I(now)};
    return store_query(s, Q_DELIVERY_INSERT, p, 4, NULL);
}

static void attempt_from_row(const struct db_rows *r, int i, void *item)
{
    struct delivery_attempt *a = item;
    memset(a, 0, sizeof *a);
    delivery_from_row(r, i, &a->d);
    g_strlcpy(a->url, db_cell(r, i, 10) ? db_cell(r, i, 10) : "", sizeof a->url);
    g_strlcpy(a->secret, db_cell(r, i, 11) ? db_cell(r, i, 11) : "", sizeof a->secret);
    g_strlcpy(a->old_secret, db_cell(r, i, 12) ? db_cell(r, i, 12) : "", sizeof a->old_secret);
    a->failing_since = db_cell_int(r, i, 13);
    a->has_event = db_cell_int(r, i, 14) > 0;
    a->event_created_at = db_cell_int(r, i, 15);
    a->event_data = db_cell(r, i, 16) ? strdup(db_cell(r, i, 16)) : NULL;
}

enum app_err store_delivery_claim(struct store *s, const char *owner, int64_t now, int limit,
                                  int64_t lease_until, struct delivery_attempt_list *out)
{
    struct db_value p[] = {DB_I(now), DB_S(owner), DB_I(limit), DB_I(lease_until)};
    memset(out, 0, sizeof *out);
    enum app_err err = store_begin(s);
    if (!err)
        err = store_query_list(s, Q_DELIVERY_CLAIM, p, 4, sizeof *out->items, attempt_from_row,
                               (void **)&out->items, &out->n);
    for (int i = 0; !err && i < out->n; i++)
        if (out->items[i].has_event && !out->items[i].event_data)
            err = APP_ERR_INTERNAL;
    err = store_end(s, err);
    if (err)
        delivery_attempt_list_release(out);
    return err;
}

enum app_err store_delivery_next_due(struct store *s, int64_t *at)
{
    return store_query_int(s, Q_DELIVERY_NEXT_DUE, NULL, 0, at, NULL);
}

enum app_err store_delivery_record(struct store *s, const char *outcomes, int64_t now,
                                   struct delivery_outcome *o, int n)
{
    struct db_rows r = {0};
    struct db_value p[] = {DB_S(outcomes), DB_I(now)};
    enum app_err err = n > 0 ? store_query(s, Q_DELIVERY_RECORD, p, 2, &r) : APP_OK;
    for (int i = 0; i < n; i++)
        o[i].kept = false;
    for (int row = 0; !err && row < r.nrows; row++) {
        int64_t id = db_cell_int(&r, row, 0), attempts = db_cell_int(&r, row, 1);
        for (int i = 0; i < n; i++)
            if (o[i].d->id == id && o[i].d->attempts == attempts)
                o[i].kept = true;
    }
    db_rows_release(&r);
    return err;
}

enum app_err store_fanout_after(struct store *s, int64_t *after)
{
    return store_query_int(s, Q_FANOUT_AFTER, NULL, 0, after, NULL);
}

enum app_err store_fanout_step(struct store *s, int64_t after, int64_t upto, int64_t now)
{
    struct db_value move[] = {DB_I(after), DB_I(upto)}, ins[] = {DB_I(after), DB_I(upto), DB_I(now)};
    int64_t one;
    bool moved = false;
    enum app_err err = store_begin(s);
    if (!err)
        err = store_query_int(s, Q_FANOUT_MOVE, move, 2, &one, &moved);
    if (!err && !moved)
        err = APP_ERR_CONFLICT;
    if (!err)
        err = store_query(s, Q_FANOUT_INSERT, ins, 3, NULL);
    return store_end(s, err);
}

enum app_err store_reminders_due(struct store *s, int64_t now, int minute_seconds, int limit,
                                 struct reminder_due **out, int *n)
{
    struct db_value p[] = {DB_I(now), DB_I(minute_seconds), DB_I(limit)};
    struct db_rows r;
    *out = NULL;
    *n = 0;
    enum app_err err = store_query(s, Q_REMINDERS_DUE, p, 3, &r);
    if (err)
        return err;
    *out = calloc((size_t)r.nrows + 1, sizeof **out);
    if (!*out)
        err = APP_ERR_INTERNAL;
    for (int i = 0; !err && i < r.nrows; i++)
        (*out)[(*n)++] = (struct reminder_due){db_cell_int(&r, i, 0), db_cell_int(&r, i, 1),
                                               db_cell_int(&r, i, 2)};
    db_rows_release(&r);
    return err;
}

enum app_err store_reminder_mark(struct store *s, const struct reminder_due *r, int64_t event_id)
{
    struct db_value p[] = {DB_I(r->webhook_id), DB_I(r->booking_id), DB_I(r->start),
                           DB_I(event_id)};
    return change_one(s, Q_REMINDER_INSERT, p, 4, APP_ERR_CONFLICT);
}
