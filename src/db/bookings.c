/* Bookings. The no-overlap rule lives in the schema (exclusion constraint on
 * PostgreSQL, triggers on SQLite); here a refusal becomes APP_ERR_CONFLICT. */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "db/store_impl.h"

#define BOOKING_INSERT_PARAMS 13
#define BOOKING_UPDATE_PARAMS 9

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

static void insert_params(const struct booking *b, struct db_value *p)
{
    const struct db_value v[BOOKING_INSERT_PARAMS] = {
        DB_I(b->service_id),  DB_I(b->provider_id),       DB_I(b->customer_id),
        DB_I(b->start),       DB_I(b->end),               DB_I(b->buffer_before_min),
        DB_I(b->buffer_after_min), DB_I(booking_occupied_start(b)), DB_I(booking_occupied_end(b)),
        DB_S(booking_status_name(b->status)), DB_S(b->notes), DB_I(b->created_at),
        DB_I(b->updated_at)};
    memcpy(p, v, sizeof v);
}

static void update_params(const struct booking *b, struct db_value *p)
{
    const struct db_value v[BOOKING_UPDATE_PARAMS] = {
        DB_I(b->id),
        DB_I(b->start),
        DB_I(b->end),
        DB_S(booking_status_name(b->status)),
        b->has_cancel_reason ? DB_S(b->cancel_reason) : DB_NUL,
        DB_I(b->updated_at),
        b->cancelled_at ? DB_I(b->cancelled_at) : DB_NUL,
        DB_I(booking_occupied_start(b)),
        DB_I(booking_occupied_end(b))};
    memcpy(p, v, sizeof v);
}

/* The Idempotency-Key parameters of the context's key (NULLs without one). */
static void key_params(struct store *s, int status, struct db_value *p)
{
    const struct store_context *c = s->ctx;
    bool keyed = c && c->idem_user_id && status;
    p[0] = keyed ? DB_I(c->idem_user_id) : DB_NUL;
    p[1] = keyed ? DB_S(c->idem_key) : DB_NUL;
    p[2] = keyed ? DB_S(c->idem_owner) : DB_NUL;
    p[3] = keyed ? DB_I(status) : DB_NUL;
    p[4] = keyed && c->idem_hash ? DB_S(c->idem_hash) : DB_NUL;
}

/* PostgreSQL: the booking and its records in one statement. */
static enum app_err insert_recorded(struct store *s, struct booking *b,
                                    const struct booking_record *rec)
{
    struct db_value p[BOOKING_INSERT_PARAMS + 2 + AUDIT_PARAMS + 5];
    struct db_rows r;
    insert_params(b, p);
    p[13] = DB_S(rec->data);
    p[14] = DB_S(rec->type);
    store_audit_params(s, NULL, rec->type, "booking", 0, rec->details, p + 15);
    key_params(s, rec->idem_status, p + 15 + AUDIT_PARAMS);
    enum app_err err = store_query(s, Q_BOOKING_INSERT_RECORDED, p, G_N_ELEMENTS(p), &r);
    if (err)
        return err;
    b->id = r.nrows ? db_cell_int(&r, 0, 0) : 0;
    bool answered = r.nrows && db_cell_int(&r, 0, 1) == 1;
    db_rows_release(&r);
    if (!b->id)
        return APP_ERR_INTERNAL;
    if (p[15 + AUDIT_PARAMS].type == DB_INT && !answered)
        return APP_ERR_IDEM_IN_FLIGHT; /* the claim was taken over meanwhile */
    if (p[15 + AUDIT_PARAMS].type == DB_INT)
        s->ctx->idem_recorded = true;
    return APP_OK;
}

/* The records of a change of b, one statement each. */
static enum app_err add_records(struct store *s, const struct booking *b,
                                const struct booking_record *rec, const char *data)
{
    enum app_err err = store_event_add_freed(s, rec->type, data, b->provider_id, b->customer_id,
                                             rec->freed_start, rec->freed_end);
    if (!err)
        err = store_audit_add(s, NULL, rec->type, "booking", b->id, rec->details);
    if (!err && rec->idem_status)
        err = store_idem_record(s, rec->idem_status, data);
    return err;
}

enum app_err store_booking_insert(struct store *s, struct booking *b,
                                  const struct booking_record *rec)
{
    struct db_value p[BOOKING_INSERT_PARAMS];
    /* The id goes in where the template has 0 (see struct booking_record). */
    if (rec && !g_str_has_prefix(rec->data, "{\"id\":0,"))
        return APP_ERR_INTERNAL;
    if (rec && s->drv->one_statement_changes)
        return insert_recorded(s, b, rec);
    insert_params(b, p);
    enum app_err err = store_query_int(s, Q_BOOKING_INSERT, p, BOOKING_INSERT_PARAMS, &b->id, NULL);
    if (!err && !b->id)
        err = APP_ERR_INTERNAL;
    if (err || !rec)
        return err;
    /* {"id":0,… with the id it got */
    char *data = g_strdup_printf("{\"id\":%" G_GINT64_FORMAT "%s", b->id, rec->data + 7);
    err = add_records(s, b, rec, data);
    g_free(data);
    return err;
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

enum app_err store_booking_update(struct store *s, const struct booking *b,
                                  const struct booking_record *rec)
{
    struct db_value p[BOOKING_UPDATE_PARAMS + 4 + AUDIT_PARAMS + 2];
    bool one = rec && s->drv->one_statement_changes;
    update_params(b, p);
    if (one) {
        p[9] = DB_S(rec->type);
        p[10] = DB_S(rec->data);
        p[11] = DB_I(b->provider_id);
        p[12] = DB_I(b->customer_id);
        store_audit_params(s, NULL, rec->type, "booking", b->id, rec->details, p + 13);
        bool freed = rec->freed_end > rec->freed_start;
        p[13 + AUDIT_PARAMS] = freed ? DB_I(rec->freed_start) : DB_NUL;
        p[14 + AUDIT_PARAMS] = freed ? DB_I(rec->freed_end) : DB_NUL;
    }
    int64_t done;
    bool found;
    enum app_err err = store_query_int(s, one ? Q_BOOKING_UPDATE_RECORDED : Q_BOOKING_UPDATE, p,
                                       one ? (int)G_N_ELEMENTS(p) : BOOKING_UPDATE_PARAMS, &done,
                                       &found);
    if (!err && !found)
        err = APP_ERR_BOOKING_NOT_FOUND;
    return err || one || !rec ? err : add_records(s, b, rec, rec->data);
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
