/* SQLite engine: WAL, one connection per worker thread, prepared statements
 * kept for the life of the connection. */
#include <glib.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "core/log.h"
#include "db/driver.h"

extern const char *const sqlite_sql[Q__COUNT];
extern const struct embedded_file sqlite_migrations[];

struct sqlite_conn {
    sqlite3 *db;
    sqlite3_stmt *stmts[Q__COUNT];
    bool writing; /* holds `writer` for an open write transaction */
};

/* One writer at a time in this process. SQLite allows one anyway, but a
 * writer that finds the file locked sleeps in its busy handler (1, 2, 5, 10 …
 * 100 ms): taking turns on a mutex instead keeps the queue short and fair.
 * Other processes on the same file still meet through the busy handler. */
static pthread_mutex_t writer = PTHREAD_MUTEX_INITIALIZER;

static enum app_err map_error(sqlite3 *db, int rc)
{
    int base = rc & 0xff;
    if (base == SQLITE_CONSTRAINT)
        return APP_ERR_CONFLICT;
    if (base == SQLITE_BUSY || base == SQLITE_LOCKED || base == SQLITE_IOERR ||
        base == SQLITE_CANTOPEN || base == SQLITE_FULL)
        return APP_ERR_UNAVAILABLE;
    log_error("sqlite: %s", sqlite3_errmsg(db));
    return APP_ERR_INTERNAL;
}

static enum app_err sq_exec(void *c, const char *sql)
{
    struct sqlite_conn *conn = c;
    int rc = sqlite3_exec(conn->db, sql, NULL, NULL, NULL);
    bool ended = (rc == SQLITE_OK && strcmp(sql, "COMMIT") == 0) || strcmp(sql, "ROLLBACK") == 0;
    if (conn->writing && ended) {
        conn->writing = false;
        pthread_mutex_unlock(&writer);
    }
    return rc == SQLITE_OK ? APP_OK : map_error(conn->db, rc);
}

static void *sq_connect(const char *url, char *err, size_t errlen)
{
    const char *path = url + strlen("sqlite:");
    struct sqlite_conn *conn = calloc(1, sizeof *conn);
    if (!conn)
        return NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &conn->db, flags, NULL) != SQLITE_OK) {
        g_snprintf(err, errlen, "sqlite: cannot open %s: %s", path, sqlite3_errmsg(conn->db));
        sqlite3_close(conn->db);
        free(conn);
        return NULL;
    }
    /* A writer waits for another's lock instead of failing: BEGIN IMMEDIATE
     * transactions across workers and processes queue up here. */
    sqlite3_busy_timeout(conn->db, 10000);
    if (sq_exec(conn, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                      "PRAGMA foreign_keys=ON;") != APP_OK) {
        g_snprintf(err, errlen, "sqlite: cannot set up %s", path);
        sqlite3_close(conn->db);
        free(conn);
        return NULL;
    }
    return conn;
}

static void sq_close(void *c)
{
    struct sqlite_conn *conn = c;
    for (int i = 0; i < Q__COUNT; i++)
        sqlite3_finalize(conn->stmts[i]);
    sqlite3_close(conn->db);
    free(conn);
}

static enum app_err bind_all(sqlite3_stmt *st, const struct db_value *p, int n)
{
    for (int i = 0; i < n; i++) {
        int rc = p[i].type == DB_INT    ? sqlite3_bind_int64(st, i + 1, p[i].i)
                 : p[i].type == DB_TEXT ? sqlite3_bind_text(st, i + 1, p[i].s, -1, SQLITE_STATIC)
                                        : sqlite3_bind_null(st, i + 1);
        if (rc != SQLITE_OK)
            return APP_ERR_INTERNAL;
    }
    return APP_OK;
}

static enum app_err add_row(sqlite3_stmt *st, struct db_rows *rows)
{
    rows->ncols = sqlite3_column_count(st);
    for (int c = 0; c < rows->ncols; c++) {
        const unsigned char *v = sqlite3_column_text(st, c);
        if (db_rows_add(rows, (const char *)v, v ? (size_t)sqlite3_column_bytes(st, c) : 0) < 0)
            return APP_ERR_INTERNAL;
    }
    rows->nrows++;
    return APP_OK;
}

static enum app_err sq_query(void *c, enum query_id id, const struct db_value *params, int n,
                             struct db_rows *rows)
{
    struct sqlite_conn *conn = c;
    sqlite3_stmt *st = conn->stmts[id];
    if (!st) {
        int rc = sqlite3_prepare_v3(conn->db, sqlite_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &st,
                                    NULL);
        if (rc != SQLITE_OK)
            return map_error(conn->db, rc);
        conn->stmts[id] = st;
    }
    enum app_err err = bind_all(st, params, n);
    int rc = SQLITE_DONE;
    if (!conn->writing && !sqlite3_stmt_readonly(st)) {
        log_error("sqlite: query %d writes outside a unit of work", (int)id);
        err = APP_ERR_INTERNAL;
    }
    while (!err) {
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
            break;
        if (rows)
            err = add_row(st, rows);
    }
    if (!err && rc != SQLITE_DONE)
        err = map_error(conn->db, rc);
    if (!err && rows && db_rows_seal(rows) < 0)
        err = APP_ERR_INTERNAL;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (err && rows)
        db_rows_release(rows);
    return err;
}

static enum app_err sq_begin(void *c)
{
    struct sqlite_conn *conn = c;
    pthread_mutex_lock(&writer);
    enum app_err err = sq_exec(c, "BEGIN IMMEDIATE");
    if (err)
        pthread_mutex_unlock(&writer);
    else
        conn->writing = true;
    return err;
}

static const char *sq_last_error(void *c)
{
    struct sqlite_conn *conn = c;
    return sqlite3_errmsg(conn->db);
}

static enum app_err sq_set_untimed(void *c, bool untimed)
{
    (void)c;
    (void)untimed; /* no statement timeout to lift */
    return APP_OK;
}

const struct db_driver sqlite_driver = {
    .engine = "sqlite",
    .connect = sq_connect,
    .close = sq_close,
    .exec = sq_exec,
    .query = sq_query,
    .begin = sq_begin,
    .last_error = sq_last_error,
    .set_untimed = sq_set_untimed,
    .migrations = sqlite_migrations,
    .serial_writes = true,
};
