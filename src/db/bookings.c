/* Bookings. The no-overlap rule lives in the schema (exclusion constraint on
 * PostgreSQL, triggers on SQLite); here a refusal becomes APP_ERR_CONFLICT. */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "db/store_impl.h"

static void booking_from_row(const struct db_rows *r, int i, void *item)
{
    struct booking *b = item;
    memset(b, 0, sizeof *b);
    b->id = db_cell_int(r, i, 0);
    b->service_id = db_cell_int(r, i, 1);
    b->provider_id = db_cell_int(r, i, 2);
    b->customer_id = db_cell_int(r, i, 3);
    b->start = db_cell_int(r, i, 4);
    b->end = db_cell_int(r, i, 5);
    b->buffer_before_min = (int)db_cell_int(r, i, 6);
    b->buffer_after_min = (int)db_cell_int(r, i, 7);
    if (!booking_status_parse(db_cell(r, i, 8), &b->status))
        b->status = BOOKING_CANCELLED;
    g_strlcpy(b->notes, db_cell(r, i, 9) ? db_cell(r, i, 9) : "", sizeof b->notes);
    b->has_cancel_reason = db_cell(r, i, 10) != NULL;
    g_strlcpy(b->cancel_reason, b->has_cancel_reason ? db_cell(r, i, 10) : "", sizeof b->cancel_reason);
    b->created_at = db_cell_int(r, i, 11);
    b->updated_at = db_cell_int(r, i, 12);
    b->cancelled_at = db_cell_int(r, i, 13);
}

static enum app_err booking_rows(struct store *s, enum query_id q, const struct db_value *p, int n,
                                 struct booking_list *out)
{
    return store_query_list(s, q, p, n, sizeof *out->items, booking_from_row, (void **)&out->items,
                            &out->n);
}

enum app_err store_booking_insert(struct store *s, struct booking *b)
{
    struct db_value p[] = {DB_I(b->service_id),
                           DB_I(b->provider_id),
                           DB_I(b->customer_id),
                           DB_I(b->start),
                           DB_I(b->end),
                           DB_I(b->buffer_before_min),
                           DB_I(b->buffer_after_min),
                           DB_I(booking_occupied_start(b)),
                           DB_I(booking_occupied_end(b)),
                           DB_S(booking_status_name(b->status)),
                           DB_S(b->notes),
                           DB_I(b->created_at),
                           DB_I(b->updated_at)};
    enum app_err err = store_query_int(s, Q_BOOKING_INSERT, p, 13, &b->id, NULL);
    return err ? err : b->id ? APP_OK : APP_ERR_INTERNAL;
}

static enum app_err one_booking(struct store *s, enum query_id q, int64_t id, struct booking *b)
{
    struct db_value p[] = {DB_I(id)};
    return store_query_one(s, q, p, 1, booking_from_row, b, APP_ERR_BOOKING_NOT_FOUND);
}

enum app_err store_booking_get(struct store *s, int64_t id, struct booking *b)
{
    return one_booking(s, Q_BOOKING_GET, id, b);
}

enum app_err store_booking_lock(struct store *s, int64_t id, struct booking *b)
{
    return one_booking(s, Q_BOOKING_LOCK, id, b);
}

enum app_err store_booking_update(struct store *s, const struct booking *b)
{
    struct db_value p[] = {DB_I(b->id),
                           DB_I(b->start),
                           DB_I(b->end),
                           DB_S(booking_status_name(b->status)),
                           b->has_cancel_reason ? DB_S(b->cancel_reason) : DB_NUL,
                           DB_I(b->updated_at),
                           b->cancelled_at ? DB_I(b->cancelled_at) : DB_NUL,
                           DB_I(booking_occupied_start(b)),
                           DB_I(booking_occupied_end(b))};
    int64_t done;
    bool found;
    enum app_err err = store_query_int(s, Q_BOOKING_UPDATE, p, 9, &done, &found);
    return err ? err : found ? APP_OK : APP_ERR_BOOKING_NOT_FOUND;
}

enum app_err store_booking_list(struct store *s, const struct booking_filter *f, int limit,
                                int offset, struct booking_list *out)
{
    struct db_value p[] = {DB_I(f->customer_id),
                           DB_I(f->provider_id),
                           f->status ? DB_S(f->status) : DB_NUL,
                           f->has_from ? DB_I(f->from) : DB_NUL,
                           f->has_to ? DB_I(f->to) : DB_NUL,
                           DB_I(limit),
                           DB_I(offset)};
    memset(out, 0, sizeof *out);
    enum app_err err = store_query_int(s, Q_BOOKING_COUNT, p, 5, &out->total, NULL);
    return err ? err : booking_rows(s, Q_BOOKING_LIST, p, 7, out);
}
