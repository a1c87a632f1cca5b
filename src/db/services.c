/* Services (the bookable kind, not this layer). */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "db/store_impl.h"

void store_service_from_row(const struct db_rows *r, int i, void *item)
{
    struct service *v = item;
    memset(v, 0, sizeof *v);
    v->id = db_cell_int(r, i, 0);
    v->provider_id = db_cell_int(r, i, 1);
    g_strlcpy(v->name, db_cell(r, i, 2), sizeof v->name);
    g_strlcpy(v->description, db_cell(r, i, 3) ? db_cell(r, i, 3) : "", sizeof v->description);
    v->duration_minutes = (int)db_cell_int(r, i, 4);
    v->buffer_before_minutes = (int)db_cell_int(r, i, 5);
    v->buffer_after_minutes = (int)db_cell_int(r, i, 6);
    v->slot_interval_minutes = (int)db_cell_int(r, i, 7);
    v->min_notice_minutes = (int)db_cell_int(r, i, 8);
    v->max_advance_days = (int)db_cell_int(r, i, 9);
    v->cancel_notice_minutes = (int)db_cell_int(r, i, 10);
    v->price_cents = db_cell_int(r, i, 11);
    v->active = db_cell_int(r, i, 12) != 0;
    v->created_at = db_cell_int(r, i, 13);
}

/* Parameters 2–11 are the same in insert and update. */
static void service_params(const struct service *v, struct db_value *p)
{
    p[1] = DB_S(v->name);
    p[2] = DB_S(v->description);
    p[3] = DB_I(v->duration_minutes);
    p[4] = DB_I(v->buffer_before_minutes);
    p[5] = DB_I(v->buffer_after_minutes);
    p[6] = DB_I(v->slot_interval_minutes);
    p[7] = DB_I(v->min_notice_minutes);
    p[8] = DB_I(v->max_advance_days);
    p[9] = DB_I(v->cancel_notice_minutes);
    p[10] = DB_I(v->price_cents);
}

/* Runs a write that returns the row's id; APP_ERR_SERVICE_NOT_FOUND for none. */
static enum app_err returning_id(struct store *s, enum query_id q, const struct db_value *p, int n,
                                 int64_t *id)
{
    bool found;
    enum app_err err = store_query_int(s, q, p, n, id, &found);
    return err ? err : found ? APP_OK : APP_ERR_SERVICE_NOT_FOUND;
}

enum app_err store_service_insert(struct store *s, struct service *v)
{
    struct db_value p[12];
    service_params(v, p);
    p[0] = DB_I(v->provider_id);
    p[11] = DB_I(v->created_at);
    return returning_id(s, Q_SERVICE_INSERT, p, 12, &v->id);
}

enum app_err store_service_get(struct store *s, int64_t id, struct service *v)
{
    struct db_value p[] = {DB_I(id)};
    return store_query_one(s, Q_SERVICE_GET, p, 1, store_service_from_row, v, APP_ERR_SERVICE_NOT_FOUND);
}

enum app_err store_service_lock(struct store *s, int64_t id, struct service *v)
{
    struct db_value p[] = {DB_I(id)};
    return store_query_one(s, Q_SERVICE_LOCK, p, 1, store_service_from_row, v, APP_ERR_SERVICE_NOT_FOUND);
}

enum app_err store_services_deactivate(struct store *s, int64_t provider_id)
{
    struct db_value p[] = {DB_I(provider_id)};
    return store_query(s, Q_SERVICES_DEACTIVATE, p, 1, NULL);
}

enum app_err store_service_update(struct store *s, const struct service *v)
{
    struct db_value p[12];
    service_params(v, p);
    p[0] = DB_I(v->id);
    p[11] = DB_I(v->active);
    int64_t id;
    return returning_id(s, Q_SERVICE_UPDATE, p, 12, &id);
}

enum app_err store_service_shortest(struct store *s, int64_t provider_id, int *between,
                                    int *after_edge, int *before_edge)
{
    struct db_value p[] = {DB_I(provider_id)};
    struct db_rows r;
    *between = *after_edge = *before_edge = 0;
    enum app_err err = store_query(s, Q_SERVICE_SHORTEST, p, 1, &r);
    if (err)
        return err;
    if (r.nrows == 1) {
        *between = (int)db_cell_int(&r, 0, 0);
        *after_edge = (int)db_cell_int(&r, 0, 1);
        *before_edge = (int)db_cell_int(&r, 0, 2);
    }
    db_rows_release(&r);
    return APP_OK;
}

enum app_err store_service_list(struct store *s, int64_t provider_id, int limit, int offset,
                                struct service_list *out)
{
    struct db_value p[] = {DB_I(provider_id), DB_I(limit), DB_I(offset)};
    memset(out, 0, sizeof *out);
    enum app_err err = store_query_int(s, Q_SERVICE_COUNT, p, 1, &out->total, NULL);
    return err ? err : store_query_list(s, Q_SERVICE_LIST, p, 3, sizeof *out->items, store_service_from_row,
                                        (void **)&out->items, &out->n);
}
