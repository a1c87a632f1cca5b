/* PostgreSQL engine through libpq: one connection per worker thread, every
 * query prepared once per connection. No call waits on the server longer
 * than the session's statement_timeout and a second: a server that stops
 * answering (stopped, hung, cut off) has its connection dropped and the call
 * fails with APP_ERR_UNAVAILABLE; the next call connects anew, within
 * connect_timeout. A connection lost outside a transaction is retried once,
 * since nothing was lost; inside one, the transaction fails to its end.
 * BEGIN goes out with a unit of work's first statement, in one round trip
 * (pipeline mode). Results come back in binary, read by postgres/cells.h. */
#include <errno.h>
#include <glib.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "core/config.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "db/driver.h"
#include "db/postgres/cells.h"
#include "db/postgres/conninfo.h"

extern const char *const postgres_sql[Q__COUNT];
extern const struct embedded_file postgres_migrations[];

/* How much longer than the server's own statement_timeout a call waits: the
 * server's cancel comes first and keeps the connection; silence beyond it
 * means the server is not running the statement at all. */
#define GRACE_MS 1000

struct pg_conn {
    PGconn *pg; /* NULL once dropped: the next call connects */
    char *conninfo;
    bool prepared[Q__COUNT];
    bool in_tx;         /* a unit of work is open */
    bool begin_pending; /* ...and its BEGIN goes out with its first statement */
    bool alone;         /* ...or its one statement goes out alone, needing none */
    bool tx_lost;    /* dropped inside a transaction: calls fail until it ends */
    bool raced;      /* the unit of work lost a deadlock, serialization or lock wait */
    bool lost;       /* the last call lost the connection (not a time-out) */
    bool untimed;    /* migrations: no statement timeout, no wait limit */
    bool listening;  /* LISTEN was sent on this connection (wait_notify) */
    int64_t wait_ms; /* the longest wait for one call's results; 0: none */
    char last_error[512];
};

static void pg_notice(void *arg, const char *msg)
{
    (void)arg;
    (void)msg; /* NOTICEs ("relation exists, skipping") are not errors. */
}

static void set_error(struct pg_conn *conn, const char *msg)
{
    g_strlcpy(conn->last_error, msg ? msg : "", sizeof conn->last_error);
    g_strchomp(conn->last_error);
}

/* Forgets the connection; a transaction open on it is lost. */
static void drop(struct pg_conn *conn)
{
    PQfinish(conn->pg);
    conn->pg = NULL;
    conn->listening = false;
    memset(conn->prepared, 0, sizeof conn->prepared);
    /* A unit of work whose BEGIN was not sent yet can start on the next one. */
    if (!conn->begin_pending) {
        conn->tx_lost = conn->tx_lost || conn->in_tx;
        conn->in_tx = false;
    }
}

/* Until pg's socket is ready for events or deadline_us (0: none) passes. */
static bool wait_socket(PGconn *pg, short events, int64_t deadline_us)
{
    struct pollfd p = {.fd = PQsocket(pg), .events = events};
    int rc = -1;
    while (p.fd >= 0 && rc < 0) {
        int64_t left_us = deadline_us ? deadline_us - clock_mono_us() : -1;
        if (deadline_us && left_us <= 0)
            return false;
        rc = poll(&p, 1, deadline_us ? (int)((left_us + 999) / 1000) : -1);
        if (rc < 0 && errno != EINTR)
            return false;
        if (rc == 0)
            rc = -1; /* woke early: the loop measures again */
    }
    return p.fd >= 0;
}

static PGresult *keep_result(PGresult *kept, PGresult *r)
{
    ExecStatusType st = kept ? PQresultStatus(kept) : PGRES_EMPTY_QUERY;
    if (st == PGRES_FATAL_ERROR || st == PGRES_NONFATAL_ERROR) {
        PQclear(r);
        return kept;
    }
    PQclear(kept);
    return r;
}

/* The results of what was just sent, as PQexec gives them: the first error,
 * else the last. NULL, with the connection dropped, when the server stayed
 * silent for wait_ms (0: no limit). */
static PGresult *await(struct pg_conn *conn, int64_t wait_ms)
{
    int64_t deadline = wait_ms > 0 ? clock_mono_us() + wait_ms * 1000 : 0;
    PGresult *kept = NULL, *r = NULL;
    while (PQflush(conn->pg) == 1) {
        if (!wait_socket(conn->pg, POLLIN | POLLOUT, deadline))
            goto silent;
        if (!PQconsumeInput(conn->pg))
            break;
    }
    do {
        /* A broken connection ends the wait: PQgetResult then reports it. */
        while (PQisBusy(conn->pg) && PQstatus(conn->pg) == CONNECTION_OK)
            if (!wait_socket(conn->pg, POLLIN, deadline) || !PQconsumeInput(conn->pg))
                break;
        if (PQisBusy(conn->pg) && PQstatus(conn->pg) == CONNECTION_OK)
            goto silent;
        r = PQgetResult(conn->pg);
        if (r)
            kept = keep_result(kept, r);
    } while (r);
    return kept;
silent:
    PQclear(kept);
    log_warn("postgresql: no answer within %" G_GINT64_FORMAT " ms; connection dropped", wait_ms);
    set_error(conn, "no answer from the server within the statement timeout");
    drop(conn);
    return NULL;
}

static int64_t call_wait_ms(const struct pg_conn *conn)
{
    return conn->untimed ? 0 : conn->wait_ms;
}

/* The session's own statement_timeout (the URL's, the role's or ours) sets
 * how long a call may wait. */
static bool read_wait(struct pg_conn *conn)
{
    int64_t bound = g_config.db_connect_timeout > 0 ? g_config.db_connect_timeout * 1000LL : 0;
    if (!PQsendQueryParams(conn->pg, postgres_sql[Q_STATEMENT_TIMEOUT], 0, NULL, NULL, NULL, NULL, 0)) {
        set_error(conn, PQerrorMessage(conn->pg));
        return false;
    }
    PGresult *res = await(conn, bound);
    bool ok = res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
    if (ok) {
        int64_t ms = g_ascii_strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        conn->wait_ms = ms > 0 ? ms + GRACE_MS : 0;
    } else if (res) {
        set_error(conn, PQresultErrorMessage(res));
    }
    PQclear(res);
    return ok;
}

static bool open_now(struct pg_conn *conn)
{
    conn->pg = PQconnectdb(conn->conninfo);
    bool ok = PQstatus(conn->pg) == CONNECTION_OK;
    if (!ok)
        set_error(conn, PQerrorMessage(conn->pg));
    if (ok) {
        PQsetNoticeProcessor(conn->pg, pg_notice, NULL);
        ok = PQsetnonblocking(conn->pg, 1) == 0 && read_wait(conn);
    }
    if (!ok && conn->pg) {
        PQfinish(conn->pg);
        conn->pg = NULL;
    }
    return ok;
}

/* A connection to run on: the open one, or a new one. */
static enum app_err ensure(struct pg_conn *conn)
{
    if (conn->tx_lost) {
        set_error(conn, "the connection was lost inside this transaction");
        return APP_ERR_UNAVAILABLE;
    }
    if (!conn->pg && !open_now(conn)) {
        log_warn("postgresql: cannot connect: %s", conn->last_error);
        return APP_ERR_UNAVAILABLE;
    }
    return APP_OK;
}

static void *pg_connect(const char *url, char *err, size_t errlen)
{
    struct pg_conn *conn = calloc(1, sizeof *conn);
    if (!conn)
        return NULL;
    conn->conninfo = pg_conninfo_build(url, g_config.db_connect_timeout,
                                       g_config.db_statement_timeout, err, errlen);
    if (conn->conninfo && open_now(conn))
        return conn;
    if (conn->conninfo)
        g_snprintf(err, errlen, "postgresql: %s", conn->last_error);
    g_free(conn->conninfo);
    free(conn);
    return NULL;
}

static void pg_close(void *c)
{
    struct pg_conn *conn = c;
    PQfinish(conn->pg);
    g_free(conn->conninfo);
    free(conn);
}

static enum app_err map_result(struct pg_conn *conn, PGresult *res)
{
    if (!res)
        return APP_ERR_UNAVAILABLE; /* await dropped a silent connection */
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return APP_OK;
    set_error(conn, PQresultErrorMessage(res));
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (state && (strcmp(state, "23505") == 0 || strcmp(state, "23P01") == 0))
        return APP_ERR_CONFLICT;
    /* The server going away (pg_ctl stop or restart -m fast: 57P01, or
     * 57P02, 57P03) or a broken connection (class 08) is reported before
     * libpq reads the end of the socket, while PQstatus still says OK: it
     * was a 500 one booking in a few thousand under a restart. The
     * connection is as good as lost either way. */
    bool going = state && (strncmp(state, "57P", 3) == 0 || strncmp(state, "08", 2) == 0);
    if (going || PQstatus(conn->pg) != CONNECTION_OK) {
        if (going)
            log_warn("postgresql: %s", conn->last_error);
        conn->lost = true;
        drop(conn);
        return APP_ERR_UNAVAILABLE;
    }
    /* The statement ran out of statement_timeout: the database is too slow
     * to answer now, which is what 503 says. */
    if (state && strcmp(state, "57014") == 0) {
        log_warn("postgresql: %s", conn->last_error);
        return APP_ERR_UNAVAILABLE;
    }
    /* Serialization, deadlock or a lock time-out: a conflict to the caller,
     * who may ask (store_end_raced) whether running again could succeed. */
    if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
                  strcmp(state, "55P03") == 0)) {
        conn->raced = true;
        return APP_ERR_CONFLICT;
    }
    log_error("postgresql: %s", conn->last_error);
    return APP_ERR_INTERNAL;
}

/* A PQsend* that returned 0: the connection broke, or libpq refused. */
static enum app_err send_failed(struct pg_conn *conn)
{
    set_error(conn, PQerrorMessage(conn->pg));
    if (PQstatus(conn->pg) == CONNECTION_OK) {
        log_error("postgresql: %s", conn->last_error);
        return APP_ERR_INTERNAL;
    }
    conn->lost = true;
    drop(conn);
    return APP_ERR_UNAVAILABLE;
}

static enum app_err pg_exec(void *c, const char *sql)
{
    struct pg_conn *conn = c;
    bool ends = strcmp(sql, "COMMIT") == 0 || strcmp(sql, "ROLLBACK") == 0;
    if (ends && (!conn->in_tx || conn->begin_pending)) {
        /* Nothing was sent, so nothing to end; a transaction whose
         * connection was dropped is over, and committing it a failure. */
        bool commit_lost = conn->tx_lost && strcmp(sql, "COMMIT") == 0;
        conn->tx_lost = conn->in_tx = conn->begin_pending = false;
        return commit_lost ? APP_ERR_UNAVAILABLE : APP_OK;
    }
    enum app_err err = ensure(conn);
    /* A script in a unit of work not begun on the server yet begins it. */
    char *script = conn->begin_pending ? g_strconcat("BEGIN; ", sql, NULL) : NULL;
    conn->begin_pending = false;
    if (!err && !PQsendQuery(conn->pg, script ? script : sql))
        err = send_failed(conn);
    else if (!err) {
        PGresult *res = await(conn, call_wait_ms(conn));
        err = map_result(conn, res);
        PQclear(res);
    }
    if (ends)
        conn->in_tx = false;
    g_free(script);
    return err;
}

/* Results come in binary (send_prepared), which costs the server least;
 * postgres/cells.h writes each cell as the text the rest of db/ reads. On
 * failure (out of memory, a type cells.h does not read) rows is released:
 * nothing half-built is kept. */
static enum app_err copy_rows(struct pg_conn *conn, PGresult *res, struct db_rows *rows)
{
    int nr = PQntuples(res), nc = PQnfields(res);
    size_t text = 0;
    rows->ncols = nc;
    for (int col = 0; col < nc; col++)
        if (!pg_cell_is_text(PQftype(res, col)))
            text += (size_t)nr * PG_CELL_MAX;
        else
            for (int r = 0; r < nr; r++)
                text += (size_t)PQgetlength(res, r, col) + 1;
    bool ok = db_rows_reserve(rows, (size_t)nr * (size_t)nc, text) == 0, bad = false;
    for (int r = 0; ok && r < nr; r++) {
        for (int col = 0; ok && col < nc; col++) {
            char buf[PG_CELL_MAX];
            const char *v = PQgetisnull(res, r, col) ? NULL : PQgetvalue(res, r, col);
            size_t len = v ? (size_t)PQgetlength(res, r, col) : 0;
            bad = v && pg_cell_text(PQftype(res, col), buf, &v, &len) != 0;
            ok = !bad && db_rows_add(rows, v, len) == 0;
        }
        if (ok)
            rows->nrows++;
    }
    if (ok && db_rows_seal(rows) == 0)
        return APP_OK;
    if (bad)
        set_error(conn, "a result column of a type the driver does not read");
    db_rows_release(rows);
    return APP_ERR_INTERNAL;
}

static enum app_err prepare(struct pg_conn *conn, enum query_id id, const char *name)
{
    if (conn->prepared[id])
        return APP_OK;
    if (!PQsendPrepare(conn->pg, name, postgres_sql[id], 0, NULL))
        return send_failed(conn);
    PGresult *res = await(conn, call_wait_ms(conn));
    enum app_err err = map_result(conn, res);
    PQclear(res);
    conn->prepared[id] = err == APP_OK;
    return err;
}

/* Sends prepared statement name and waits for its result. A pending BEGIN
 * goes first in the same round trip; if it failed, its result is returned. */
static PGresult *send_prepared(struct pg_conn *conn, const char *name, int n,
                               const char *const *values, enum app_err *err)
{
    PGconn *pg = conn->pg;
    bool begin = conn->begin_pending && !conn->alone;
    if (conn->begin_pending && conn->alone)
        conn->in_tx = false; /* one statement is atomic: nothing to commit after it */
    conn->begin_pending = conn->alone = false;
    bool sent = begin ? PQenterPipelineMode(pg) == 1 &&
                            PQsendQueryParams(pg, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) == 1 &&
                            PQsendQueryPrepared(pg, name, n, values, NULL, NULL, 1) == 1 &&
                            PQpipelineSync(pg) == 1
                      : PQsendQueryPrepared(pg, name, n, values, NULL, NULL, 1) == 1;
    if (!sent) {
        *err = send_failed(conn);
        return NULL;
    }
    PGresult *first = await(conn, call_wait_ms(conn));
    if (!begin)
        return first;
    PGresult *res = conn->pg ? await(conn, call_wait_ms(conn)) : NULL;
    PQclear(conn->pg ? await(conn, call_wait_ms(conn)) : NULL); /* the sync */
    if (conn->pg)
        PQexitPipelineMode(conn->pg);
    if (first && PQresultStatus(first) == PGRES_COMMAND_OK) {
        PQclear(first);
        return res;
    }
    PQclear(res);
    return first;
}

static enum app_err run_once(struct pg_conn *conn, enum query_id id, const struct db_value *params,
                             int n, struct db_rows *rows)
{
    char name[16], nums[DB_MAX_PARAMS][24];
    const char *values[DB_MAX_PARAMS];
    g_snprintf(name, sizeof name, "q%d", (int)id);
    conn->lost = false;
    enum app_err err = ensure(conn);
    if (!err)
        err = prepare(conn, id, name);
    if (err)
        return err;
    for (int i = 0; i < n && i < DB_MAX_PARAMS; i++) {
        values[i] = params[i].type == DB_TEXT ? params[i].s : NULL;
        if (params[i].type == DB_INT) {
            g_snprintf(nums[i], sizeof nums[i], "%" G_GINT64_FORMAT, params[i].i);
            values[i] = nums[i];
        }
    }
    PGresult *res = send_prepared(conn, name, n, values, &err);
    if (err)
        return err;
    err = map_result(conn, res);
    if (!err && rows)
        err = copy_rows(conn, res, rows);
    PQclear(res);
    return err;
}

static enum app_err pg_query(void *c, enum query_id id, const struct db_value *params, int n,
                             struct db_rows *rows)
{
    struct pg_conn *conn = c;
    bool in_tx = conn->in_tx;
    enum app_err err = run_once(conn, id, params, n, rows);
    /* Lost outside a transaction (the server restarted, a proxy cut idle
     * connections): nothing was lost, so once more on a new connection. Not
     * after a time-out: that would only wait as long again. */
    if (err == APP_ERR_UNAVAILABLE && conn->lost && !in_tx) {
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
    conn->tx_lost = conn->raced = false;
    conn->in_tx = conn->begin_pending = true;
    conn->alone = false;
    return APP_OK;
}

static bool pg_raced(void *c)
{
    struct pg_conn *conn = c;
    return conn->raced;
}

static void pg_last_step(void *c)
{
    struct pg_conn *conn = c;
    conn->alone = conn->begin_pending;
}

static const char *pg_last_error(void *c)
{
    struct pg_conn *conn = c;
    return conn->last_error;
}

/* Migrations may rebuild big tables and wait for each other's lock. */
static enum app_err pg_set_untimed(void *c, bool untimed)
{
    struct pg_conn *conn = c;
    conn->untimed = false;
    enum app_err err = pg_exec(conn, untimed ? "SET statement_timeout = 0" : "RESET statement_timeout");
    conn->untimed = untimed && err == APP_OK;
    return err;
}

/* Takes every notification libpq has read; true when there was one. */
static bool take_notifies(PGconn *pg)
{
    bool any = false;
    PGnotify *n;
    while ((n = PQnotifies(pg)) != NULL) {
        PQfreemem(n);
        any = true;
    }
    return any;
}

/* A NOTIFY is only a wake-up: the caller reads the outbox either way, so a
 * lost connection merely means LISTEN again on the next one. */
static enum app_err pg_wait_notify(void *c, const char *channel, int timeout_ms, bool *woken)
{
    struct pg_conn *conn = c;
    char sql[96];
    enum app_err err = APP_OK;
    *woken = false;
    if (!conn->listening) {
        g_snprintf(sql, sizeof sql, "LISTEN %s", channel);
        err = pg_exec(conn, sql);
        conn->listening = err == APP_OK;
        *woken = conn->listening;
        if (conn->listening)
            log_info("postgresql: %s", sql); /* at start and after each reconnect */
    }
    if (err || *woken || take_notifies(conn->pg)) {
        *woken = !err;
        return err;
    }
    (void)wait_socket(conn->pg, POLLIN, clock_mono_us() + (int64_t)timeout_ms * 1000);
    if (!PQconsumeInput(conn->pg)) {
        set_error(conn, PQerrorMessage(conn->pg));
        log_warn("postgresql: LISTEN connection lost: %s", conn->last_error);
        conn->lost = true;
        drop(conn);
        return APP_ERR_UNAVAILABLE;
    }
    *woken = take_notifies(conn->pg);
    return APP_OK;
}

const struct db_driver postgres_driver = {
    .engine = "postgresql",
    .connect = pg_connect,
    .close = pg_close,
    .exec = pg_exec,
    .query = pg_query,
    .begin = pg_begin,
    .last_step = pg_last_step,
    .raced = pg_raced,
    .last_error = pg_last_error,
    .set_untimed = pg_set_untimed,
    .wait_notify = pg_wait_notify,
    .migrations = postgres_migrations,
    .one_statement_changes = true,
};
