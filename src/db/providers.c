/* Availability and time off of providers. */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "db/store_impl.h"

enum app_err store_availability_get(struct store *s, int64_t provider_id, struct availability *out)
{
    struct db_value p[] = {DB_I(provider_id)};
    struct db_rows r;
    out->n = 0;
    enum app_err err = store_query(s, Q_AVAIL_GET, p, 1, &r);
    if (err)
        return err;
    for (int i = 0; i < r.nrows && out->n < AVAILABILITY_MAX_WINDOWS; i++)
        out->windows[out->n++] = (struct weekly_window){(int)db_cell_int(&r, i, 0),
                                                        (int)db_cell_int(&r, i, 1),
                                                        (int)db_cell_int(&r, i, 2)};
    db_rows_release(&r);
    return APP_OK;
}

enum app_err store_availability_replace(struct store *s, int64_t provider_id,
                                        const struct availability *a)
{
    struct db_value id[] = {DB_I(provider_id), DB_S(a->timezone)};
    enum app_err err = store_query(s, Q_AVAIL_DELETE, id, 1, NULL);
    if (!err)
        err = store_query(s, Q_USER_SET_TIMEZONE, id, 2, NULL);
    for (int i = 0; !err && i < a->n; i++) {
        const struct weekly_window *w = &a->windows[i];
        struct db_value p[] = {DB_I(provider_id), DB_I(w->day), DB_I(w->start_min), DB_I(w->end_min)};
        err = store_query(s, Q_AVAIL_INSERT, p, 4, NULL);
    }
    return err;
}

static void time_off_from_row(const struct db_rows *r, int i, void *item)
{
    struct time_off *t = item;
    t->id = db_cell_int(r, i, 0);
    t->provider_id = db_cell_int(r, i, 1);
    t->start = db_cell_int(r, i, 2);
    t->end = db_cell_int(r, i, 3);
    g_strlcpy(t->reason, db_cell(r, i, 4) ? db_cell(r, i, 4) : "", sizeof t->reason);
}

static enum app_err time_off_rows(struct store *s, enum query_id q, const struct db_value *p, int n,
                                  struct time_off_list *out)
{
    return store_query_list(s, q, p, n, sizeof *out->items, time_off_from_row, (void **)&out->items,
                            &out->n);
}

enum app_err store_time_off_insert(struct store *s, struct time_off *t)
{
    struct db_value p[] = {DB_I(t->provider_id), DB_I(t->start), DB_I(t->end), DB_S(t->reason)};
    enum app_err err = store_query_int(s, Q_TIME_OFF_INSERT, p, 4, &t->id, NULL);
    return err ? err : t->id ? APP_OK : APP_ERR_INTERNAL;
}

enum app_err store_time_off_list(struct store *s, int64_t provider_id, int limit, int offset,
                                 struct time_off_list *out)
{
    struct db_value p[] = {DB_I(provider_id), DB_I(limit), DB_I(offset)};
    memset(out, 0, sizeof *out);
    enum app_err err = store_query_int(s, Q_TIME_OFF_COUNT, p, 1, &out->total, NULL);
    return err ? err : time_off_rows(s, Q_TIME_OFF_LIST, p, 3, out);
}

enum app_err store_time_off_delete(struct store *s, int64_t provider_id, int64_t id,
                                   struct time_off *out)
{
    struct db_value p[] = {DB_I(provider_id), DB_I(id)};
    return store_query_one(s, Q_TIME_OFF_DELETE, p, 2, time_off_from_row, out,
                           APP_ERR_TIME_OFF_NOT_FOUND);
}
