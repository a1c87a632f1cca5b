/* The event outbox, and the order its readers see it in. */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "core/timeutil.h"
#include "db/store_impl.h"

static struct db_value id_or_null(int64_t id)
{
    return id ? DB_I(id) : DB_NUL;
}

enum app_err store_event_add(struct store *s, const char *type, const char *data,
                             int64_t provider_id, int64_t customer_id)
{
    struct db_value p[] = {DB_S(type), DB_S(data), id_or_null(provider_id),
                           id_or_null(customer_id), DB_I(clock_now())};
    return store_query(s, Q_EVENT_INSERT, p, 5, NULL);
}

enum app_err store_event_add_freed(struct store *s, const char *type, const char *data,
                                   int64_t provider_id, int64_t customer_id, int64_t freed_start,
                                   int64_t freed_end)
{
    bool freed = freed_end > freed_start;
    struct db_value p[] = {DB_S(type), DB_S(data), id_or_null(provider_id),
                           id_or_null(customer_id), DB_I(clock_now()),
                           freed ? DB_I(freed_start) : DB_NUL, freed ? DB_I(freed_end) : DB_NUL};
    return store_query(s, Q_EVENT_INSERT_FREED, p, 7, NULL);
}

enum app_err store_event_add_id(struct store *s, const char *type, const char *data,
                                int64_t provider_id, int64_t customer_id, int64_t *id)
{
    struct db_value p[] = {DB_S(type), DB_S(data), id_or_null(provider_id),
                           id_or_null(customer_id), DB_I(clock_now())};
    return store_query_int(s, Q_EVENT_INSERT_ID, p, 5, id, NULL);
}

/* Most gaps are a transaction that commits a moment later. */
#define GAP_PATIENCE_US 500000

/* How many rows of r, from the first, follow c->after in line: each the next
 * id, or past a gap below `resolved` (one known to be for good). */
static int in_line(const struct db_rows *r, int64_t after, int64_t resolved)
{
    int n = 0;
    for (int64_t next = after; n < r->nrows; n++) {
        int64_t id = db_cell_int(r, n, 0);
        if (id != next + 1 && id > resolved)
            break;
        next = id;
    }
    return n;
}

/* Waits, briefly, until every writer that drew an id of the outbox before
 * now has ended. False when one is still open (or the database failed). */
static bool barrier(struct store *s, int64_t key)
{
    struct db_value p[] = {DB_I(key)};
    enum app_err err = store_begin(s);
    if (!err)
        err = store_query(s, Q_OUTBOX_LOCK_TIMEOUT, NULL, 0, NULL);
    if (!err)
        err = store_query(s, Q_OUTBOX_BARRIER, p, 1, NULL);
    return store_end(s, err) == APP_OK;
}

enum app_err store_outbox_read(struct store *s, enum query_id q, int64_t barrier_key,
                               struct outbox_cursor *c, int limit, struct db_rows *r, int *take)
{
    struct db_value p[] = {DB_I(c->after), DB_I(limit)};
    enum app_err err = store_query(s, q, p, 2, r);
    int n = err ? 0 : in_line(r, c->after, c->past_gaps ? INT64_MAX : 0);
    if (!err && n < r->nrows) {
        int64_t gap_at = db_cell_int(r, n, 0), now = clock_mono_us();
        bool waited = c->gap_at == gap_at && now - c->gap_since_us >= GAP_PATIENCE_US;
        if (c->gap_at != gap_at) {
            c->gap_at = gap_at;
            c->gap_since_us = now;
        }
        if (s->drv->serial_writes) {
            n = in_line(r, c->after, gap_at);
        } else if (waited && barrier(s, barrier_key)) {
            /* Whatever drew an id below gap_at has ended: read again, since
             * some of it may have committed meanwhile. */
            db_rows_release(r);
            err = store_query(s, q, p, 2, r);
            n = err ? 0 : in_line(r, c->after, gap_at);
        }
    }
    if (n > 0 && db_cell_int(r, n - 1, 0) >= c->gap_at)
        c->gap_at = 0;
    if (n > 0)
        c->after = db_cell_int(r, n - 1, 0);
    *take = n;
    return err;
}

static void event_from_row(const struct db_rows *r, int i, struct event *e)
{
    e->id = db_cell_int(r, i, 0);
    g_strlcpy(e->type, db_cell(r, i, 1), sizeof e->type);
    e->data = strdup(db_cell(r, i, 2));
    e->provider_id = db_cell_int(r, i, 3);
    e->customer_id = db_cell_int(r, i, 4);
    e->created_at = db_cell_int(r, i, 5);
    e->freed_start = db_cell_int(r, i, 6);
    e->freed_end = db_cell_int(r, i, 7);
}

/* The first n rows of r (released here) as out's events, unless err. */
static enum app_err events_from_rows(enum app_err err, struct db_rows *r, int n,
                                     struct event_list *out)
{
    out->items = err ? NULL : calloc((size_t)n + 1, sizeof *out->items);
    if (!err && !out->items)
        err = APP_ERR_INTERNAL;
    for (int i = 0; !err && i < n; i++) {
        event_from_row(r, i, &out->items[i]);
        out->n++;
        if (!out->items[i].data)
            err = APP_ERR_INTERNAL;
    }
    if (err)
        event_list_release(out);
    db_rows_release(r);
    return err;
}

enum app_err store_events_after(struct store *s, struct outbox_cursor *c, int limit,
                                struct event_list *out)
{
    struct db_rows r = {0};
    int n = 0;
    memset(out, 0, sizeof *out);
    enum app_err err = store_outbox_read(s, Q_EVENTS_AFTER, OUTBOX_EVENTS_KEY, c, limit, &r, &n);
    return events_from_rows(err, &r, n, out);
}

enum app_err store_events_head(struct store *s, int64_t *head)
{
    enum app_err err = store_query_int(s, Q_EVENTS_NEWEST, NULL, 0, head, NULL);
    /* Read first, barrier after: every id up to the one read was drawn
     * before the barrier, so its writer has ended once the barrier passes. */
    if (!err && !s->drv->serial_writes && !barrier(s, OUTBOX_EVENTS_KEY))
        err = APP_ERR_CONFLICT;
    return err;
}

enum app_err store_events_range(struct store *s, int64_t after, int64_t upto, int64_t viewer,
                                int limit, struct event_list *out)
{
    struct db_rows r = {0};
    struct db_value p[] = {DB_I(after), DB_I(upto), DB_I(viewer), DB_I(limit)};
    memset(out, 0, sizeof *out);
    enum app_err err = store_query(s, Q_EVENTS_RANGE, p, 4, &r);
    return events_from_rows(err, &r, err ? 0 : r.nrows, out);
}

enum app_err store_events_pruned_through(struct store *s, int64_t *id)
{
    struct db_value p[] = {DB_S("events_pruned_through")};
    bool found = false;
    *id = 0;
    enum app_err err = store_query_int(s, Q_SETTING_GET, p, 1, id, &found);
    if (!found)
        *id = 0;
    return err;
}

enum app_err store_wait_events(struct store *s, int timeout_ms, bool *woken)
{
    *woken = false;
    if (s->drv->wait_notify)
        return s->drv->wait_notify(s->conn, "appointd_events", timeout_ms, woken);
    g_usleep((gulong)timeout_ms * 1000);
    return APP_OK;
}
