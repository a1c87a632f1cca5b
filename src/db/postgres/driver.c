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
    bool in_tx;         /* a unit of work is open */
    bool begin_pending; /* ...and its BEGIN goes out with its first statement */
    bool broken;        /* ...and its connection was lost: it can only fail */
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
    conn->broken = conn->in_tx;
    conn->in_tx = false;
    conn->begin_pending = false;
    return true;
}

static enum app_err map_result(struct pg_conn *conn, PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return APP_OK;
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (state && (strcmp(state, "23505") == 0 || strcmp(state, "23P01") == 0))
        return APP_ERR_CONFLICT;
    if (lost_connection(conn))
        return APP_ERR_UNAVAILABLE;
    /* Serialization, deadlock or a lock timeout: the caller may see it as a
     * conflict, and try again. */
    if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
                  strcmp(state, "55P03") == 0))
        return APP_ERR_CONFLICT;
    log_error("postgresql: %s", PQresultErrorMessage(res));
    return APP_ERR_INTERNAL;
}

static enum app_err pg_exec(void *c, const char *sql)
{
    struct pg_conn *conn = c;
    bool ends = strcmp(sql, "COMMIT") == 0 || strcmp(sql, "ROLLBACK") == 0;
    if (ends && (conn->broken || !conn->in_tx || conn->begin_pending)) {
        /* Nothing was sent, or the connection went with the transaction:
         * nothing to end here, but a lost one cannot commit. */
        bool lost = conn->broken && strcmp(sql, "COMMIT") == 0;
        conn->in_tx = conn->begin_pending = conn->broken = false;
        return lost ? APP_ERR_UNAVAILABLE : APP_OK;
    }
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

/* The first result of the query being read in pipeline mode, the rest
 * dropped up to its end. */
static PGresult *pipeline_result(PGconn *pg)
{
    PGresult *first = PQgetResult(pg), *r;
    while (first && (r = PQgetResult(pg)) != NULL)
        PQclear(r);
    return first;
}

/* Runs prepared statement name. A pending BEGIN goes out with it in one
 * round trip (pipeline mode); if BEGIN failed, its result is returned. */
static PGresult *exec_prepared(struct pg_conn *conn, const char *name, int n,
                               const char *const *values)
{
    if (!conn->begin_pending)
        return PQexecPrepared(conn->pg, name, n, values, NULL, NULL, 0);
    conn->begin_pending = false;
    PGconn *pg = conn->pg;
    if (PQenterPipelineMode(pg) != 1) {
        PGresult *begin = PQexec(pg, "BEGIN");
        if (PQresultStatus(begin) != PGRES_COMMAND_OK)
            return begin;
        PQclear(begin);
        return PQexecPrepared(pg, name, n, values, NULL, NULL, 0);
    }
    bool sent = PQsendQueryParams(pg, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) == 1 &&
                PQsendQueryPrepared(pg, name, n, values, NULL, NULL, 0) == 1 &&
                PQpipelineSync(pg) == 1;
    PGresult *begin = sent ? pipeline_result(pg) : NULL;
    PGresult *res = sent ? pipeline_result(pg) : NULL;
    PGresult *sync = sent ? PQgetResult(pg) : NULL;
    PQclear(sync);
    PQexitPipelineMode(pg);
    if (begin && PQresultStatus(begin) == PGRES_COMMAND_OK && res) {
        PQclear(begin);
        return res;
    }
    PQclear(res);
    return begin ? begin : PQmakeEmptyPGresult(pg, PGRES_FATAL_ERROR);
}

static enum app_err run_once(struct pg_conn *conn, enum query_id id, const struct db_value *params,
                             int n, struct db_rows *rows)
{
    char name[16], nums[DB_MAX_PARAMS][24];
    const char *values[DB_MAX_PARAMS];
    g_snprintf(name, sizeof name, "q%d", (int)id);
    if (!conn->prepared[id]) {
        PGresult *res = PQprepare(conn->pg, name, postgres_sql[id], 0, NULL);
        enum app_err err = map_result(conn, res);
        PQclear(res);
        if (err)
            return err;
        conn->prepared[id] = true;
    }
    for (int i = 0; i < n && i < DB_MAX_PARAMS; i++) {
        values[i] = params[i].type == DB_TEXT ? params[i].s : NULL;
        if (params[i].type == DB_INT) {
            g_snprintf(nums[i], sizeof nums[i], "%" G_GINT64_FORMAT, params[i].i);
            values[i] = nums[i];
        }
    }
    PGresult *res = exec_prepared(conn, name, n, values);
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
    enum app_err err = APP_OK;
    if (conn->broken)
        return APP_ERR_UNAVAILABLE;
    err = run_once(conn, id, params, n, rows);
    if (err == APP_ERR_UNAVAILABLE && !in_tx && PQstatus(conn->pg) == CONNECTION_OK) {
        if (rows)
            db_rows_release(rows);
        err = run_once(conn, id, params, n, rows);
    }
    if (err && rows)
        db_rows_release(rows);
    return err;
}

/* BEGIN waits for the first statement and goes out with it. */
static enum app_err pg_begin(void *c)
{
    struct pg_conn *conn = c;
    if (PQstatus(conn->pg) != CONNECTION_OK)
        lost_connection(conn);
    conn->in_tx = conn->begin_pending = true;
    return APP_OK;
}

const struct db_driver postgres_driver = {
    .engine = "postgresql",
    .connect = pg_connect,
    .close = pg_close,
    .exec = pg_exec,
    .query = pg_query,
    .begin = pg_begin,
    .migrations = postgres_migrations,
    .one_statement_changes = true,
};
