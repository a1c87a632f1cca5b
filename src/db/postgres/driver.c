/* PostgreSQL engine through libpq: one connection per worker thread, every
 * query prepared once per connection, and a reconnect when the server went
 * away (retried once when no transaction was open, since nothing was lost). */
#include <glib.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "core/log.h"
#include "db/driver.h"

extern const char *const postgres_sql[Q__COUNT];
extern const struct embedded_file postgres_migrations[];

struct pg_conn {
    PGconn *pg;
    bool prepared[Q__COUNT];
    bool in_tx;
    char last_error[512]; /* the server's message of the last failure */
};

static void pg_notice(void *arg, const char *msg)
{
    (void)arg;
    (void)msg; /* NOTICEs ("relation exists, skipping") are not errors. */
}

static void *pg_connect(const char *url, char *err, size_t errlen)
{
    struct pg_conn *conn = calloc(1, sizeof *conn);
    if (!conn)
        return NULL;
    conn->pg = PQconnectdb(url);
    if (PQstatus(conn->pg) != CONNECTION_OK) {
        g_snprintf(err, errlen, "postgresql: %s", PQerrorMessage(conn->pg));
        PQfinish(conn->pg);
        free(conn);
        return NULL;
    }
    PQsetNoticeProcessor(conn->pg, pg_notice, NULL);
    return conn;
}

static void pg_close(void *c)
{
    struct pg_conn *conn = c;
    PQfinish(conn->pg);
    free(conn);
}

/* After a failure: was it the connection? Then reset it for the next call. */
static bool lost_connection(struct pg_conn *conn)
{
    if (PQstatus(conn->pg) == CONNECTION_OK)
        return false;
    PQreset(conn->pg);
    memset(conn->prepared, 0, sizeof conn->prepared);
    conn->in_tx = false;
    return true;
}

static enum app_err map_result(struct pg_conn *conn, PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return APP_OK;
    g_strlcpy(conn->last_error, res ? PQresultErrorMessage(res) : PQerrorMessage(conn->pg),
              sizeof conn->last_error);
    g_strchomp(conn->last_error);
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (state && (strcmp(state, "23505") == 0 || strcmp(state, "23P01") == 0))
        return APP_ERR_CONFLICT;
    if (lost_connection(conn))
        return APP_ERR_UNAVAILABLE;
    /* Serialization or deadlock: the caller may see it as a conflict. */
    if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0))
        return APP_ERR_CONFLICT;
    log_error("postgresql: %s", PQresultErrorMessage(res));
    return APP_ERR_INTERNAL;
}

static enum app_err pg_exec(void *c, const char *sql)
{
    struct pg_conn *conn = c;
    bool ends = strcmp(sql, "COMMIT") == 0 || strcmp(sql, "ROLLBACK") == 0;
    if (ends && !conn->in_tx)
        return APP_OK; /* a guarded check-then-insert: nothing to end */
    PGresult *res = PQexec(conn->pg, sql);
    enum app_err err = map_result(conn, res);
    PQclear(res);
    if (ends)
        conn->in_tx = false;
    return err;
}

static enum app_err copy_rows(PGresult *res, struct db_rows *rows)
{
    int nr = PQntuples(res), nc = PQnfields(res);
    rows->ncols = nc;
    for (int r = 0; r < nr; r++) {
        for (int col = 0; col < nc; col++) {
            bool null = PQgetisnull(res, r, col);
            if (db_rows_add(rows, null ? NULL : PQgetvalue(res, r, col),
                            null ? 0 : (size_t)PQgetlength(res, r, col)) < 0)
                return APP_ERR_INTERNAL;
        }
        rows->nrows++;
    }
    return db_rows_seal(rows) < 0 ? APP_ERR_INTERNAL : APP_OK;
}

static enum app_err run_once(struct pg_conn *conn, enum query_id id, const struct db_value *params,
                             int n, struct db_rows *rows)
{
    char name[16], nums[16][24];
    const char *values[16];
    g_snprintf(name, sizeof name, "q%d", (int)id);
    if (!conn->prepared[id]) {
        PGresult *res = PQprepare(conn->pg, name, postgres_sql[id], 0, NULL);
        enum app_err err = map_result(conn, res);
        PQclear(res);
        if (err)
            return err;
        conn->prepared[id] = true;
    }
    for (int i = 0; i < n && i < 16; i++) {
        values[i] = params[i].type == DB_TEXT ? params[i].s : NULL;
        if (params[i].type == DB_INT) {
            g_snprintf(nums[i], sizeof nums[i], "%" G_GINT64_FORMAT, params[i].i);
            values[i] = nums[i];
        }
    }
    PGresult *res = PQexecPrepared(conn->pg, name, n, values, NULL, NULL, 0);
    enum app_err err = map_result(conn, res);
    if (!err && rows)
        err = copy_rows(res, rows);
    PQclear(res);
    return err;
}

static enum app_err pg_query(void *c, enum query_id id, const struct db_value *params, int n,
                             struct db_rows *rows)
{
    struct pg_conn *conn = c;
    bool in_tx = conn->in_tx;
    enum app_err err = run_once(conn, id, params, n, rows);
    if (err == APP_ERR_UNAVAILABLE && !in_tx && PQstatus(conn->pg) == CONNECTION_OK) {
        if (rows)
            db_rows_release(rows);
        err = run_once(conn, id, params, n, rows);
    }
    if (err && rows)
        db_rows_release(rows);
    return err;
}

static enum app_err pg_begin(void *c, bool write)
{
    struct pg_conn *conn = c;
    (void)write;
    if (PQstatus(conn->pg) != CONNECTION_OK)
        lost_connection(conn);
    enum app_err err = pg_exec(conn, "BEGIN");
    conn->in_tx = err == APP_OK;
    return err;
}

/* The exclusion constraint guards the insert: no transaction (see store.h). */
static enum app_err pg_begin_guarded(void *c)
{
    (void)c;
    return APP_OK;
}

static const char *pg_last_error(void *c)
{
    struct pg_conn *conn = c;
    return conn->last_error;
}

const struct db_driver postgres_driver = {
    .engine = "postgresql",
    .connect = pg_connect,
    .close = pg_close,
    .exec = pg_exec,
    .query = pg_query,
    .begin = pg_begin,
    .begin_guarded = pg_begin_guarded,
    .last_error = pg_last_error,
    .migrations = postgres_migrations,
};
