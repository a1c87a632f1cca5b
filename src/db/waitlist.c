/* The waitlist's rows and the waitlist job's place in the outbox. */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "db/store_impl.h"

static void entry_from_row(const struct db_rows *r, int i, void *item)
{
    struct waitlist_entry *e = item;
    memset(e, 0, sizeof *e);
    e->id = db_cell_int(r, i, 0);
    e->service_id = db_cell_int(r, i, 1);
    e->provider_id = db_cell_int(r, i, 2);
    e->customer_id = db_cell_int(r, i, 3);
    e->from = db_cell_int(r, i, 4);
    e->to = db_cell_int(r, i, 5);
    e->auto_book = db_cell_int(r, i, 6) != 0;
    if (!waitlist_status_parse(db_cell(r, i, 7), &e->status))
        e->status = WAITLIST_EXPIRED;
    e->booking_id = db_cell_int(r, i, 8);
    e->slot_start = db_cell_int(r, i, 9);
    e->slot_end = db_cell_int(r, i, 10);
    e->created_at = db_cell_int(r, i, 11);
    e->updated_at = db_cell_int(r, i, 12);
}

static enum app_err entry_rows(struct store *s, enum query_id q, const struct db_value *p, int n,
                               struct waitlist_list *out)
{
    return store_query_list(s, q, p, n, sizeof *out->items, entry_from_row, (void **)&out->items,
                            &out->n);
}

enum app_err store_waitlist_insert(struct store *s, struct waitlist_entry *e)
{
    struct db_value p[] = {DB_I(e->service_id), DB_I(e->provider_id), DB_I(e->customer_id),
                           DB_I(e->from),       DB_I(e->to),          DB_I(e->auto_book ? 1 : 0),
                           DB_I(e->created_at), DB_I(e->updated_at)};
    enum app_err err = store_query_int(s, Q_WAITLIST_INSERT, p, 8, &e->id, NULL);
    return !err && !e->id ? APP_ERR_INTERNAL : err;
}

enum app_err store_waitlist_get(struct store *s, int64_t id, struct waitlist_entry *e)
{
    struct db_value p[] = {DB_I(id)};
    return store_query_one(s, Q_WAITLIST_GET, p, 1, entry_from_row, e, APP_ERR_WAITLIST_NOT_FOUND);
}

enum app_err store_waitlist_delete(struct store *s, int64_t id)
{
    struct db_value p[] = {DB_I(id)};
    int64_t done;
    bool found = false;
    enum app_err err = store_query_int(s, Q_WAITLIST_DELETE, p, 1, &done, &found);
    return !err && !found ? APP_ERR_WAITLIST_NOT_FOUND : err;
}

enum app_err store_waitlist_list(struct store *s, int64_t customer_id, int limit, int offset,
                                 struct waitlist_list *out)
{
    struct db_value p[] = {DB_I(customer_id), DB_I(limit), DB_I(offset)};
    memset(out, 0, sizeof *out);
    enum app_err err = store_query_int(s, Q_WAITLIST_COUNT, p, 1, &out->total, NULL);
    return err ? err : entry_rows(s, Q_WAITLIST_LIST, p, 3, out);
}

enum app_err store_waitlist_active_count(struct store *s, int64_t customer_id, int64_t now,
                                         int64_t *n)
{
    struct db_value p[] = {DB_I(customer_id), DB_I(now)};
    return store_query_int(s, Q_WAITLIST_ACTIVE_COUNT, p, 2, n, NULL);
}

/* PostgreSQL: the place, the entry, its event and audit entry in one
 * statement. */
static enum app_err serve_in_one(struct store *s, const struct waitlist_entry *e,
                                 const struct waitlist_record *rec, struct db_value *p, int n)
{
    struct db_rows r = {0};
    store_audit_params(s, NULL, rec->action, "waitlist_entry", e->id, rec->details, p + 10);
    enum app_err err = store_query(s, Q_WAITLIST_SERVE_RECORDED, p, n, &r);
    if (!err && (r.nrows != 1 || db_cell_int(&r, 0, 0) == 0))
        err = APP_ERR_CONFLICT;
    if (!err && db_cell_int(&r, 0, 1) == 0)
        err = APP_ERR_WAITLIST_NOT_FOUND;
    db_rows_release(&r);
    return err;
}

enum app_err store_waitlist_serve(struct store *s, const struct waitlist_entry *e,
                                  const struct waitlist_record *rec,
                                  const struct waitlist_place *from, const struct waitlist_place *to)
{
    struct db_value p[6 + 4 + AUDIT_PARAMS + 8] = {DB_I(e->id),
                                                   DB_S(waitlist_status_name(e->status)),
                                                   e->booking_id ? DB_I(e->booking_id) : DB_NUL,
                                                   DB_I(e->slot_start),
                                                   DB_I(e->slot_end),
                                                   DB_I(e->updated_at),
                                                   DB_S(rec->type),
                                                   DB_S(rec->data),
                                                   DB_I(e->provider_id),
                                                   DB_I(e->customer_id)};
    struct db_value *place = p + 10 + AUDIT_PARAMS;
    place[0] = DB_I(from->event_id), place[1] = DB_I(from->service_id);
    place[2] = DB_I(from->slot_start), place[3] = DB_I(from->done ? 1 : 0);
    place[4] = DB_I(to->event_id), place[5] = DB_I(to->service_id);
    place[6] = DB_I(to->slot_start), place[7] = DB_I(to->done ? 1 : 0);
    if (s->drv->one_statement_changes)
        return serve_in_one(s, e, rec, p, (int)G_N_ELEMENTS(p));
    int64_t id;
    bool found = false;
    enum app_err err = store_waitlist_place_move(s, from, to);
    if (!err)
        err = store_query_int(s, Q_WAITLIST_SERVE, p, 6, &id, &found);
    if (!err && !found)
        err = APP_ERR_WAITLIST_NOT_FOUND;
    if (!err)
        err = store_event_add(s, rec->type, rec->data, e->provider_id, e->customer_id);
    if (!err)
        err = store_audit_add(s, NULL, rec->action, "waitlist_entry", e->id, rec->details);
    return err;
}

enum app_err store_waitlist_expire(struct store *s, int64_t now, int *n)
{
    struct db_value p[] = {DB_I(now)};
    struct db_rows r;
    *n = 0;
    enum app_err err = store_query(s, Q_WAITLIST_EXPIRE, p, 1, &r);
    if (!err) {
        *n = r.nrows;
        db_rows_release(&r);
    }
    return err;
}

static void candidate_from_row(const struct db_rows *r, int i, void *item)
{
    struct waitlist_candidate *c = item;
    c->service_id = db_cell_int(r, i, 0);
    c->min_from = db_cell_int(r, i, 1);
    c->max_to = db_cell_int(r, i, 2);
}

enum app_err store_waitlist_candidates(struct store *s, int64_t provider_id, int64_t service_id,
                                       int64_t from, int64_t to, int64_t now,
                                       struct waitlist_candidate **out, int *n)
{
    struct db_value p[] = {DB_I(provider_id), DB_I(service_id), DB_I(from), DB_I(to), DB_I(now)};
    *out = NULL;
    *n = 0;
    return store_query_list(s, Q_WAITLIST_CANDIDATES, p, 5, sizeof **out, candidate_from_row,
                            (void **)out, n);
}

enum app_err store_waitlist_waiting(struct store *s, int64_t service_id, const struct span *slot,
                                    int64_t after_id, int64_t now, int limit,
                                    struct waitlist_list *out)
{
    struct db_value p[] = {DB_I(service_id), DB_I(slot->start), DB_I(slot->end),
                           DB_I(now),        DB_I(limit),       DB_I(after_id)};
    memset(out, 0, sizeof *out);
    return entry_rows(s, Q_WAITLIST_WAITING, p, 6, out);
}

static void place_from_row(const struct db_rows *r, int i, void *item)
{
    struct waitlist_place *pl = item;
    pl->event_id = db_cell_int(r, i, 0);
    pl->service_id = db_cell_int(r, i, 1);
    pl->slot_start = db_cell_int(r, i, 2);
    pl->done = db_cell_int(r, i, 3) != 0;
}

enum app_err store_waitlist_place(struct store *s, struct waitlist_place *out)
{
    enum app_err err = store_query_one(s, Q_WAITLIST_PLACE, NULL, 0, place_from_row, out,
                                       APP_ERR_NOT_FOUND);
    if (err != APP_ERR_NOT_FOUND)
        return err;
    /* The first turn on this database: start at the newest event. */
    err = store_begin(s);
    if (!err)
        err = store_query(s, Q_WAITLIST_PLACE_INIT, NULL, 0, NULL);
    err = store_end(s, err);
    return err ? err
               : store_query_one(s, Q_WAITLIST_PLACE, NULL, 0, place_from_row, out,
                                 APP_ERR_INTERNAL);
}

enum app_err store_waitlist_place_move(struct store *s, const struct waitlist_place *from,
                                       const struct waitlist_place *to)
{
    struct db_value p[] = {DB_I(from->event_id), DB_I(from->service_id), DB_I(from->slot_start),
                           DB_I(from->done ? 1 : 0), DB_I(to->event_id), DB_I(to->service_id),
                           DB_I(to->slot_start), DB_I(to->done ? 1 : 0)};
    int64_t one;
    bool moved = false;
    enum app_err err = store_query_int(s, Q_WAITLIST_PLACE_MOVE, p, 8, &one, &moved);
    return !err && !moved ? APP_ERR_CONFLICT : err;
}
