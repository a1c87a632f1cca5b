/* The inputs of the slot engine, read in one query. */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "db/store_impl.h"

static int push(struct span_list *list, int64_t start, int64_t end, int cap)
{
    if (!list->items)
        list->items = calloc((size_t)cap + 1, sizeof *list->items);
    if (!list->items)
        return -1;
    list->items[list->n++] = (struct span){start, end};
    return 0;
}

/* out from r, whose schedule columns start at column c; r is released.
 * APP_ERR_PROVIDER_NOT_FOUND without the provider's z row. */
static enum app_err schedule_from_rows(struct db_rows *r, int c, struct schedule *out)
{
    enum app_err err = APP_OK;
    bool found = false;
    for (int i = 0; !err && i < r->nrows; i++) {
        char kind = db_cell(r, i, c)[0];
        int64_t start = db_cell_int(r, i, c + 5), end = db_cell_int(r, i, c + 6);
        if (kind == 'z') {
            found = true;
            g_strlcpy(out->avail.timezone, db_cell(r, i, c + 4), sizeof out->avail.timezone);
        } else if (kind == 'w' && out->avail.n < AVAILABILITY_MAX_WINDOWS) {
            out->avail.windows[out->avail.n++] = (struct weekly_window){
                (int)db_cell_int(r, i, c + 1), (int)db_cell_int(r, i, c + 2),
                (int)db_cell_int(r, i, c + 3)};
        } else if (kind == 't' && push(&out->time_off, start, end, r->nrows) < 0) {
            err = APP_ERR_INTERNAL;
        } else if (kind == 'b' && push(&out->busy, start, end, r->nrows) < 0) {
            err = APP_ERR_INTERNAL;
        }
    }
    db_rows_release(r);
    if (!err && !found)
        err = APP_ERR_PROVIDER_NOT_FOUND;
    if (err)
        schedule_release(out);
    return err;
}

enum app_err store_schedule(struct store *s, int64_t provider_id, int64_t from, int64_t to,
                            int64_t exclude_id, bool with_busy, struct schedule *out)
{
    struct db_value p[] = {DB_I(provider_id), DB_I(from), DB_I(to), DB_I(exclude_id)};
    struct db_rows r;
    memset(out, 0, sizeof *out);
    enum app_err err = with_busy ? store_query(s, Q_SCHEDULE, p, 4, &r)
                                 : store_query(s, Q_SCHEDULE_RULES, p, 3, &r);
    return err ? err : schedule_from_rows(&r, 0, out);
}

enum app_err store_service_schedule(struct store *s, int64_t service_id, int64_t from, int64_t to,
                                    struct service *svc, struct schedule *out)
{
    struct db_value p[] = {DB_I(service_id), DB_I(from), DB_I(to)};
    struct db_rows r;
    memset(out, 0, sizeof *out);
    enum app_err err = store_query(s, Q_SERVICE_SCHEDULE_RULES, p, 3, &r);
    if (err)
        return err;
    if (r.nrows == 0) {
        db_rows_release(&r);
        return APP_ERR_SERVICE_NOT_FOUND;
    }
    store_service_from_row(&r, 0, svc);
    return schedule_from_rows(&r, STORE_SERVICE_COLS, out);
}
