#include "db/store.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/timeutil.h"
#include "db/driver.h"
#include "db/store_impl.h"

static const struct db_driver *driver_of(const char *url)
{
    if (g_str_has_prefix(url, "sqlite:"))
        return &sqlite_driver;
    if (g_str_has_prefix(url, "postgresql://") || g_str_has_prefix(url, "postgres://"))
        return &postgres_driver;
    return NULL;
}

struct store *store_open(const char *url, char *err, size_t errlen)
{
    const struct db_driver *drv = driver_of(url);
    if (!drv) {
        g_strlcpy(err, "DATABASE_URL must start with sqlite: or postgresql://", errlen);
        return NULL;
    }
    void *conn = drv->connect(url, err, errlen);
    if (!conn)
        return NULL;
    struct store *s = calloc(1, sizeof *s);
    if (!s) {
        drv->close(conn);
        g_strlcpy(err, "out of memory", errlen);
        return NULL;
    }
    s->drv = drv;
    s->conn = conn;
    metrics_db_connections_add(1);
    return s;
}

struct store *store_open_wait(const char *url, int wait_seconds, char *err, size_t errlen)
{
    int64_t deadline = clock_mono_us() + (int64_t)wait_seconds * 1000000;
    int64_t delay_us = 250000;
    struct store *s = NULL;
    for (int attempt = 1; !(s = store_open(url, err, errlen)); attempt++) {
        int64_t left = deadline - clock_mono_us();
        /* A URL of no known engine will not start working. */
        if (left <= 0 || !driver_of(url))
            break;
        log_warn("database not reachable (try %d, %.1f s left of APPOINTD_DB_WAIT_SECONDS): %s",
                 attempt, (double)left / 1e6, err);
        g_usleep((gulong)(delay_us < left ? delay_us : left));
        delay_us = delay_us * 2 > 5000000 ? 5000000 : delay_us * 2;
    }
    return s;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    s->drv->close(s->conn);
    free(s);
    metrics_db_connections_add(-1);
}

const char *store_engine(const struct store *s)
{
    return s->drv->engine;
}

enum app_err store_query(struct store *s, enum query_id id, const struct db_value *params, int n,
                         struct db_rows *rows)
{
    if (rows)
        memset(rows, 0, sizeof *rows);
    return s->drv->query(s->conn, id, params, n, rows);
}

enum app_err store_query_int(struct store *s, enum query_id q, const struct db_value *p, int n,
                             int64_t *out, bool *found)
{
    struct db_rows rows;
    enum app_err err = store_query(s, q, p, n, &rows);
    if (err)
        return err;
    *out = rows.nrows ? db_cell_int(&rows, 0, 0) : 0;
    if (found)
        *found = rows.nrows > 0;
    db_rows_release(&rows);
    return APP_OK;
}

enum app_err store_query_one(struct store *s, enum query_id q, const struct db_value *p, int n,
                             store_row_fn from_row, void *item, enum app_err not_found)
{
    struct db_rows rows;
    enum app_err err = store_query(s, q, p, n, &rows);
    if (err)
        return err;
    if (rows.nrows == 0)
        err = not_found;
    else
        from_row(&rows, 0, item);
    db_rows_release(&rows);
    return err;
}

enum app_err store_query_list(struct store *s, enum query_id q, const struct db_value *p, int n,
                              size_t elem_size, store_row_fn from_row, void **items, int *count)
{
    struct db_rows rows;
    *items = NULL;
    *count = 0;
    enum app_err err = store_query(s, q, p, n, &rows);
    if (err)
        return err;
    char *arr = calloc((size_t)rows.nrows + 1, elem_size);
    if (!arr)
        err = APP_ERR_INTERNAL;
    for (int i = 0; !err && i < rows.nrows; i++)
        from_row(&rows, i, arr + (size_t)i * elem_size);
    if (!err) {
        *items = arr;
        *count = rows.nrows;
    }
    db_rows_release(&rows);
    return err;
}

enum app_err store_begin(struct store *s)
{
    if (s->in_uow) {
        log_error("store: a unit of work inside another");
        return APP_ERR_INTERNAL;
    }
    enum app_err err = s->drv->begin(s->conn);
    s->in_uow = err == APP_OK;
    return err;
}

enum app_err store_end(struct store *s, enum app_err err)
{
    if (!s->in_uow)
        return err ? err : APP_ERR_INTERNAL;
    s->in_uow = false;
    if (!err)
        err = s->drv->exec(s->conn, "COMMIT");
    if (err) {
        /* After a failed COMMIT the transaction may still be open: end it. */
        (void)s->drv->exec(s->conn, "ROLLBACK");
        if (s->ctx)
            s->ctx->idem_recorded = false;
    }
    return err;
}

bool store_end_raced(struct store *s)
{
    return s->drv->raced && s->drv->raced(s->conn);
}

void store_last_step(struct store *s)
{
    if (s->in_uow && s->drv->last_step)
        s->drv->last_step(s->conn);
}

void store_set_context(struct store *s, struct store_context *ctx)
{
    s->ctx = ctx;
}

struct store_context *store_context(struct store *s)
{
    return s->ctx;
}

enum app_err store_ping(struct store *s)
{
    enum app_err err = store_query(s, Q_PING, NULL, 0, NULL);
    if (!err && s->drv->write_check)
        err = s->drv->write_check(s->conn);
    return err;
}

static enum app_err apply_migration(struct store *s, const struct embedded_file *m)
{
    struct db_rows rows;
    struct db_value name = DB_S(m->name);
    bool applied = true;
    enum app_err err = store_begin(s);
    if (!err)
        err = store_query(s, Q_MIGRATION_LOCK, NULL, 0, NULL);
    if (!err)
        err = store_query(s, Q_MIGRATION_APPLIED, &name, 1, &rows);
    if (!err) {
        applied = rows.nrows > 0;
        db_rows_release(&rows);
    }
    if (!err && !applied) {
        struct db_value rec[] = {name, DB_I(clock_now())};
        err = s->drv->exec(s->conn, m->data);
        if (!err)
            err = store_query(s, Q_MIGRATION_RECORD, rec, 2, NULL);
    }
    /* The database's own words: "migrations failed" alone says nothing. */
    if (err)
        log_error("migration %s failed: %s", m->name, s->drv->last_error(s->conn));
    err = store_end(s, err);
    if (!err && !applied)
        log_info("applied migration %s", m->name);
    return err;
}

/* Under the migration lock: processes starting together on an empty
 * PostgreSQL would otherwise create schema_migrations at once, and CREATE
 * TABLE IF NOT EXISTS is not safe against a concurrent twin (the loser
 * fails on a unique index of the catalog). */
static enum app_err create_migrations_table(struct store *s)
{
    enum app_err err = store_begin(s);
    if (!err)
        err = store_query(s, Q_MIGRATION_LOCK, NULL, 0, NULL);
    if (!err)
        err = store_query(s, Q_MIGRATIONS_TABLE, NULL, 0, NULL);
    if (err)
        log_error("creating schema_migrations failed: %s", s->drv->last_error(s->conn));
    return store_end(s, err);
}

enum app_err store_migrate(struct store *s)
{
    enum app_err err = s->drv->set_untimed(s->conn, true);
    if (!err)
        err = create_migrations_table(s);
    for (size_t i = 0; !err && s->drv->migrations[i].name; i++)
        err = apply_migration(s, &s->drv->migrations[i]);
    enum app_err restored = s->drv->set_untimed(s->conn, false);
    return err ? err : restored;
}

enum app_err store_setting_ensure(struct store *s, const char *key, const char *value, char *out,
                                  size_t outlen)
{
    struct db_value p[] = {DB_S(key), DB_S(value)};
    struct db_rows rows;
    enum app_err err = store_begin(s);
    if (!err)
        err = store_query(s, Q_SETTING_INSERT, p, 2, NULL);
    err = store_end(s, err);
    if (!err)
        err = store_query(s, Q_SETTING_GET, p, 1, &rows);
    if (err)
        return err;
    if (rows.nrows == 1)
        g_strlcpy(out, db_cell(&rows, 0, 0), outlen);
    else
        err = APP_ERR_INTERNAL;
    db_rows_release(&rows);
    return err;
}

void db_rows_release(struct db_rows *rows)
{
    free(rows->cells);
    free(rows->text);
    free(rows->offsets);
    memset(rows, 0, sizeof *rows);
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t cap2 = *cap ? *cap : 256;
    while (cap2 < need)
        cap2 *= 2;
    void *q = realloc(*p, cap2 * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = cap2;
    return 0;
}

int db_rows_reserve(struct db_rows *rows, size_t cells, size_t text_bytes)
{
    return grow((void **)&rows->offsets, &rows->cap_cells, rows->n_cells + cells, sizeof *rows->offsets) ||
                   grow((void **)&rows->text, &rows->text_cap, rows->text_len + text_bytes, 1)
               ? -1
               : 0;
}

int db_rows_add(struct db_rows *rows, const char *value, size_t len)
{
    if (grow((void **)&rows->offsets, &rows->cap_cells, rows->n_cells + 1, sizeof *rows->offsets) ||
        (value && grow((void **)&rows->text, &rows->text_cap, rows->text_len + len + 1, 1)))
        return -1;
    rows->offsets[rows->n_cells++] = value ? rows->text_len : SIZE_MAX;
    if (value) {
        memcpy(rows->text + rows->text_len, value, len);
        rows->text[rows->text_len + len] = '\0';
        rows->text_len += len + 1;
    }
    return 0;
}

int db_rows_seal(struct db_rows *rows)
{
    rows->cells = calloc(rows->n_cells + 1, sizeof *rows->cells);
    if (!rows->cells)
        return -1;
    for (size_t i = 0; i < rows->n_cells; i++)
        rows->cells[i] = rows->offsets[i] == SIZE_MAX ? NULL : rows->text + rows->offsets[i];
    free(rows->offsets);
    rows->offsets = NULL;
    return 0;
}

const char *db_cell(const struct db_rows *rows, int row, int col)
{
    return rows->cells[row * rows->ncols + col];
}

/* Cells of integers are the drivers' own decimal text, so no locale, space
 * or overflow to mind: strtoll was a tenth of a 62-day read's client time. */
int64_t db_cell_int(const struct db_rows *rows, int row, int col)
{
    const char *v = db_cell(rows, row, col);
    if (!v)
        return 0;
    bool negative = *v == '-';
    uint64_t n = 0;
    for (v += negative; *v >= '0' && *v <= '9'; v++)
        n = n * 10 + (uint64_t)(*v - '0');
    return negative ? (int64_t)(0 - n) : (int64_t)n;
}
