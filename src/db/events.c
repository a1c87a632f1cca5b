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

int store_settled_prefix(const struct db_rows *r, int id_col, int settled_col, int64_t after,
                         int64_t *next)
{
    int n = 0;
    *next = after;
    for (; n < r->nrows; n++) {
        int64_t id = db_cell_int(r, n, id_col);
        /* Next in line, or past a gap that no open transaction can fill. */
        if (id != *next + 1 && db_cell_int(r, n, settled_col) == 0)
            break;
        *next = id;
    }
    return n;
}

static void event_from_row(const struct db_rows *r, int i, struct event *e)
{
    e->id = db_cell_int(r, i, 0);
    g_strlcpy(e->type, db_cell(r, i, 1), sizeof e->type);
    e->data = strdup(db_cell(r, i, 2));
    e->provider_id = db_cell_int(r, i, 3);
    e->customer_id = db_cell_int(r, i, 4);
    e->created_at = db_cell_int(r, i, 5);
}

enum app_err store_events_after(struct store *s, int64_t after, int limit, struct event_list *out)
{
    struct db_value p[] = {DB_I(after), DB_I(limit)};
    struct db_rows r;
    memset(out, 0, sizeof *out);
    out->next = after;
    enum app_err err = store_query(s, Q_EVENTS_AFTER, p, 2, &r);
    if (err)
        return err;
    int n = store_settled_prefix(&r, 0, 6, after, &out->next);
    out->items = calloc((size_t)n + 1, sizeof *out->items);
    for (int i = 0; out->items && i < n; i++, out->n++) {
        event_from_row(&r, i, &out->items[i]);
        if (!out->items[i].data)
            break;
    }
    if (!out->items || out->n < n) {
        event_list_release(out);
        err = APP_ERR_INTERNAL;
    }
    db_rows_release(&r);
    return err;
}
