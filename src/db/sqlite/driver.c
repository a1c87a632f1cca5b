/* SQLite engine: WAL, one connection per worker thread for reads, prepared
 * statements kept for the life of the connection, and one shared writer
 * connection per database file that every unit of work of this process runs
 * on, in turn.
 *
 * Group commit: units of work that queue up behind each other share one
 * transaction. Each runs inside a savepoint of it (a failed one rolls back to
 * its savepoint and leaves the others' work alone); the last of the queue, or
 * the 32nd, commits them all, and each unit of work's store_end returns only
 * once that commit is done, with its result: nothing is reported committed
 * before it is. A lone unit of work commits at once, as before. The commit,
 * not the writes, is what costs (the WAL frames of every page touched), so
 * bookings that share pages share that cost.
 *
 * Checkpoints (copying the WAL back into the database file) are not run by
 * the commit that happens to cross SQLite's threshold, with every writer
 * waiting behind it: the writer's own checkpointer thread runs them beside
 * the writers. The writer owns that thread; it stops when the last
 * connection to the file closes. */
#include <glib.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "core/banned.h"


#include "core/log.h"
#include "core/thread.h"
#include "db/driver.h"

extern const char *const sqlite_sql[Q__COUNT];
extern const struct embedded_file sqlite_migrations[];

/* WAL pages after which the checkpointer runs (SQLite's own default). */
#define CHECKPOINT_PAGES 4000

/* The most units of work one commit takes: bounds how long the first of them
 * waits for the ones after it. */
#define GROUP_MAX 32

/* Free space under which a database whose writes failed is not ready again
 * (sq_write_check): room for a few groups' WAL frames. */
#define READY_MIN_FREE_BYTES (256 * 1024)

/* How the writer begins and ends transactions and their savepoints. */
enum control { C_BEGIN, C_COMMIT, C_ROLLBACK, C_SAVEPOINT, C_RELEASE, C_ROLLBACK_TO, C__COUNT };
static const char *const control_sql[C__COUNT] = {
    "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK", "SAVEPOINT u", "RELEASE u", "ROLLBACK TO u",
};

/* The writer of one database file, shared by the connections of this process
 * that opened it (refs). SQLite allows one writer anyway; a writer that finds
 * the file locked sleeps in its busy handler (1, 2, 5, 10 … 100 ms), so taking
 * turns here keeps the queue short and fair. Other processes on the same file
 * still meet through the busy handler. */
struct writer {
    struct writer *next; /* in `writers` */
    char *path;
    int refs;
    sqlite3 *db;
    sqlite3_stmt *stmts[Q__COUNT];
    sqlite3_stmt *control[C__COUNT]; /* prepared once: parsing them cost more than running */
    pthread_mutex_t mu;    /* guards what follows */
    pthread_cond_t turn;   /* busy went false */
    pthread_cond_t done;   /* a group was committed (or lost) */
    bool busy;             /* a unit of work (or a commit) runs on db */
    int waiting;           /* units of work waiting for their turn */
    bool open;             /* db has a transaction open: the current group */
    int members;           /* units of work in the current group */
    uint64_t group;        /* the current group's number */
    uint64_t ended;        /* the last group committed or rolled back */
    enum app_err result;   /* ...and how it ended */
    pthread_t checkpointer;
    sqlite3 *checkpoint_db; /* the checkpointer's connection */
    int wal_pages;          /* the WAL's size after the last commit; guarded by mu */
    bool checkpoint_wanted; /* the checkpointer waits for a turn: no new group; mu */
    bool stopping;          /* guarded by mu */
    pthread_cond_t wal_grew;
    /* A write failed for want of the file itself (full, read-only, I/O
     * error) and no commit has written anything since: readiness then probes
     * with a write of its own (sq_write_check). Guarded by mu. */
    bool write_failed;
    /* The current group's commit wrote to the WAL (wal_hook: SQLite calls it
     * only then). A group whose every unit failed commits nothing, which on
     * a read-only file succeeds: it must not clear write_failed. mu. */
    bool group_wrote;
};

static pthread_mutex_t writers_mu = PTHREAD_MUTEX_INITIALIZER;
static struct writer *writers;

struct sqlite_conn {
    sqlite3 *db;
    sqlite3_stmt *stmts[Q__COUNT];
    struct writer *w;
    bool writing; /* has its turn on w for an open unit of work */
};

/* Failures of the file, not of the statement: the disk is full, the file or
 * its file system went read-only, or the kernel reported an I/O error. */
static bool file_failure(int rc)
{
    int base = rc & 0xff;
    return base == SQLITE_FULL || base == SQLITE_READONLY || base == SQLITE_IOERR ||
           base == SQLITE_CANTOPEN;
}

/* A 503 names no cause to the client, so the log must: SQLite's own text,
 * once per failure, where it happened. */
static enum app_err map_error(sqlite3 *db, int rc)
{
    int base = rc & 0xff;
    if (base == SQLITE_CONSTRAINT)
        return APP_ERR_CONFLICT;
    if (base == SQLITE_BUSY || base == SQLITE_LOCKED || file_failure(rc)) {
        log_warn("sqlite: %s (code %d)", sqlite3_errmsg(db), rc);
        return APP_ERR_UNAVAILABLE;
    }
    log_error("sqlite: %s", sqlite3_errmsg(db));
    return APP_ERR_INTERNAL;
}

/* Remembers a write on w that failed for want of the file (rc: SQLite's). */
static void note_write(struct writer *w, int rc)
{
    if (!file_failure(rc))
        return;
    pthread_mutex_lock(&w->mu);
    w->write_failed = true;
    pthread_mutex_unlock(&w->mu);
}

static enum app_err run_script(sqlite3 *db, const char *sql)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? APP_OK : map_error(db, rc);
}

static enum app_err control(struct writer *w, enum control c)
{
    sqlite3_stmt **st = &w->control[c];
    int rc = *st ? SQLITE_OK : sqlite3_prepare_v2(w->db, control_sql[c], -1, st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(*st);
        sqlite3_reset(*st);
    }
    if (rc == SQLITE_DONE || rc == SQLITE_OK)
        return APP_OK;
    note_write(w, rc);
    return map_error(w->db, rc);
}

/* Rolls back the savepoint of the unit of work and ends it. A statement
 * that failed for want of space (or an I/O error) may already have rolled
 * the whole transaction back, savepoints and all: then there is nothing to
 * undo, and ROLLBACK TO would only log a misleading "no such savepoint". */
static enum app_err undo_unit(struct writer *w)
{
    if (sqlite3_get_autocommit(w->db))
        return APP_OK;
    enum app_err err = control(w, C_ROLLBACK_TO);
    return err ? err : control(w, C_RELEASE);
}

/* Ends w's group, with w->busy held: commits it (or rolls it back when it was
 * lost), wakes its members and returns how it ended. */
static enum app_err group_end(struct writer *w, bool lost)
{
    enum app_err err = lost ? APP_ERR_UNAVAILABLE : control(w, C_COMMIT);
    if (err && !sqlite3_get_autocommit(w->db))
        (void)control(w, C_ROLLBACK);
    pthread_mutex_lock(&w->mu);
    if (!err && w->group_wrote)
        w->write_failed = false;
    w->group_wrote = false;
    w->open = false;
    w->ended = w->group;
    w->result = err;
    w->busy = false;
    pthread_cond_broadcast(&w->done);
    pthread_cond_broadcast(&w->turn);
    pthread_mutex_unlock(&w->mu);
    return err;
}

/* Gives up w's turn at the end of a unit of work: to the next one waiting,
 * which joins the group, then waits for the group's end; or, when none waits
 * (or the group is full, or lost: its transaction went), ends the group.
 * Returns how the group ended. */
static enum app_err group_leave(struct writer *w, bool lost)
{
    pthread_mutex_lock(&w->mu);
    if (lost || w->waiting == 0 || w->members >= GROUP_MAX) {
        pthread_mutex_unlock(&w->mu);
        return group_end(w, lost);
    }
    uint64_t mine = w->group;
    w->busy = false;
    pthread_cond_broadcast(&w->turn);
    while (w->ended < mine)
        pthread_cond_wait(&w->done, &w->mu);
    enum app_err result = w->result;
    pthread_mutex_unlock(&w->mu);
    return result;
}

/* Ends conn's unit of work: its savepoint released (ok) or rolled back, then
 * its turn. A unit of work that wrote gets its group's result. */
static enum app_err unit_end(struct sqlite_conn *conn, bool ok)
{
    struct writer *w = conn->w;
    enum app_err err = ok ? control(w, C_RELEASE) : undo_unit(w);
    if (ok && err) /* not released: not to be committed with the others */
        (void)undo_unit(w);
    conn->writing = false;
    enum app_err result = group_leave(w, sqlite3_get_autocommit(w->db) != 0);
    return err ? err : ok ? result : APP_OK;
}

static enum app_err sq_exec(void *c, const char *sql)
{
    struct sqlite_conn *conn = c;
    bool commit = strcmp(sql, "COMMIT") == 0, rollback = strcmp(sql, "ROLLBACK") == 0;
    if (commit || rollback)
        return conn->writing ? unit_end(conn, commit) : APP_OK;
    return run_script(conn->writing ? conn->w->db : conn->db, sql);
}

/* SQLite's memory statistics take a global mutex around every allocation,
 * which the workers then queue on; nothing here reads them. */
static void sqlite_setup(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static sqlite3 *open_db(const char *path, char *err, size_t errlen)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sqlite_setup);
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        g_snprintf(err, errlen, "sqlite: cannot open %s: %s", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return NULL;
    }
    /* A writer waits for another process's lock instead of failing. */
    sqlite3_busy_timeout(db, 10000);
    if (run_script(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                       "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;") != APP_OK) {
        g_snprintf(err, errlen, "sqlite: cannot set up %s", path);
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

static void finalize_all(sqlite3_stmt **stmts)
{
    for (int i = 0; i < Q__COUNT; i++)
        sqlite3_finalize(stmts[i]);
}

/* After each commit on the writer (sqlite3_wal_hook). */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
    struct writer *w = arg;
    (void)db;
    (void)name;
    pthread_mutex_lock(&w->mu);
    w->wal_pages = pages;
    w->group_wrote = true;
    if (pages >= CHECKPOINT_PAGES)
        pthread_cond_signal(&w->wal_grew);
    pthread_mutex_unlock(&w->mu);
    return SQLITE_OK;
}

/* A checkpoint beside the writers copies most of the WAL back; copying the
 * rest needs a moment with no group open, which this takes as a turn of its
 * own: then the next group starts the WAL over from its beginning, and the
 * file stays small. Returns with w->mu held. */
static void checkpoint_once(struct writer *w)
{
    pthread_mutex_unlock(&w->mu);
    (void)sqlite3_wal_checkpoint_v2(w->checkpoint_db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    pthread_mutex_lock(&w->mu);
    w->checkpoint_wanted = true;
    while ((w->busy || w->open) && !w->stopping)
        pthread_cond_wait(&w->turn, &w->mu);
    w->checkpoint_wanted = false;
    if (w->stopping) {
        pthread_cond_broadcast(&w->turn);
        return;
    }
    w->busy = true;
    pthread_mutex_unlock(&w->mu);
    int rc = sqlite3_wal_checkpoint_v2(w->checkpoint_db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        log_warn("sqlite: checkpoint of %s: %s", w->path, sqlite3_errmsg(w->checkpoint_db));
    pthread_mutex_lock(&w->mu);
    w->busy = false;
    pthread_cond_broadcast(&w->turn);
}

static void *checkpoint_main(void *arg)
{
    struct writer *w = arg;
    pthread_mutex_lock(&w->mu);
    while (!w->stopping) {
        if (w->wal_pages < CHECKPOINT_PAGES) {
            pthread_cond_wait(&w->wal_grew, &w->mu);
            continue;
        }
        w->wal_pages = 0;
        checkpoint_once(w);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* The checkpointer's connection and thread; false when either failed. */
static bool checkpointer_start(struct writer *w, char *err, size_t errlen)
{
    w->checkpoint_db = open_db(w->path, err, errlen);
    if (!w->checkpoint_db ||
        run_script(w->db, "PRAGMA wal_autocheckpoint=0") != APP_OK ||
        thread_start_quiet(&w->checkpointer, checkpoint_main, w) != 0) {
        sqlite3_close(w->checkpoint_db);
        g_snprintf(err, errlen, "sqlite: cannot start the checkpointer of %s", w->path);
        return false;
    }
    sqlite3_wal_hook(w->db, wal_hook, w);
    return true;
}

static void writer_free(struct writer *w)
{
    finalize_all(w->stmts);
    for (int i = 0; i < C__COUNT; i++)
        sqlite3_finalize(w->control[i]);
    sqlite3_close(w->db);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->turn);
    pthread_cond_destroy(&w->done);
    pthread_cond_destroy(&w->wal_grew);
    g_free(w->path);
    free(w);
}

/* The writer of path, opened by its first connection. */
static struct writer *writer_get(const char *path, char *err, size_t errlen)
{
    pthread_mutex_lock(&writers_mu);
    struct writer *w = writers;
    while (w && strcmp(w->path, path) != 0)
        w = w->next;
    if (!w && (w = calloc(1, sizeof *w)) != NULL) {
        w->path = g_strdup(path);
        pthread_mutex_init(&w->mu, NULL);
        pthread_cond_init(&w->turn, NULL);
        pthread_cond_init(&w->done, NULL);
        pthread_cond_init(&w->wal_grew, NULL);
        w->db = open_db(path, err, errlen);
        if (w->db && checkpointer_start(w, err, errlen)) {
            w->next = writers;
            writers = w;
        } else {
            writer_free(w);
            w = NULL;
        }
    }
    if (w)
        w->refs++;
    pthread_mutex_unlock(&writers_mu);
    return w;
}

static void writer_put(struct writer *w)
{
    pthread_mutex_lock(&writers_mu);
    bool last = --w->refs == 0;
    if (last) {
        struct writer **at = &writers;
        while (*at != w)
            at = &(*at)->next;
        *at = w->next;
    }
    pthread_mutex_unlock(&writers_mu);
    if (!last)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = true;
    pthread_cond_signal(&w->wal_grew);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->checkpointer, NULL);
    sqlite3_close(w->checkpoint_db);
    writer_free(w);
}

static void *sq_connect(const char *url, char *err, size_t errlen)
{
    const char *path = url + strlen("sqlite:");
    struct sqlite_conn *conn = calloc(1, sizeof *conn);
    if (!conn)
        return NULL;
    conn->db = open_db(path, err, errlen);
    conn->w = conn->db ? writer_get(path, err, errlen) : NULL;
    if (!conn->w) {
        sqlite3_close(conn->db);
        free(conn);
        return NULL;
    }
    return conn;
}

static void sq_close(void *c)
{
    struct sqlite_conn *conn = c;
    if (conn->writing)
        (void)unit_end(conn, false);
    finalize_all(conn->stmts);
    sqlite3_close(conn->db);
    writer_put(conn->w);
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
    /* Inside a unit of work everything runs on the writer, which sees it. */
    sqlite3 *db = conn->writing ? conn->w->db : conn->db;
    sqlite3_stmt **stmts = conn->writing ? conn->w->stmts : conn->stmts;
    sqlite3_stmt *st = stmts[id];
    if (!st) {
        int rc = sqlite3_prepare_v3(db, sqlite_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
        if (rc != SQLITE_OK)
            return map_error(db, rc);
        stmts[id] = st;
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
    if (!err && rc != SQLITE_DONE) {
        if (conn->writing)
            note_write(conn->w, rc);
        err = map_error(db, rc);
    }
    if (!err && rows && db_rows_seal(rows) < 0)
        err = APP_ERR_INTERNAL;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (err && rows)
        db_rows_release(rows);
    return err;
}

/* Waits for the writer's turn, then joins its open group or opens one. */
static enum app_err sq_begin(void *c)
{
    struct sqlite_conn *conn = c;
    struct writer *w = conn->w;
    pthread_mutex_lock(&w->mu);
    w->waiting++;
    while (w->busy || (w->checkpoint_wanted && !w->open))
        pthread_cond_wait(&w->turn, &w->mu);
    w->waiting--;
    w->busy = true;
    bool join = w->open;
    if (!join) {
        w->open = true;
        w->members = 0;
        w->group++;
    }
    pthread_mutex_unlock(&w->mu);
    enum app_err err = join ? APP_OK : control(w, C_BEGIN);
    if (!err)
        err = control(w, C_SAVEPOINT);
    if (!err) {
        w->members++;
        conn->writing = true;
        return APP_OK;
    }
    /* Nothing of this unit of work was written: the group goes on without
     * it, unless its transaction is gone (or could not be begun). */
    (void)group_leave(w, sqlite3_get_autocommit(w->db) != 0);
    return err;
}

/* Readiness on SQLite must notice a database that can be read but not
 * written (a full disk, a read-only file): SELECT 1 still works there. A
 * write probe on every readiness check would take the writer's turn from the
 * bookings every few seconds for nothing, and a probe that is rolled back
 * proves nothing (its pages never leave the cache). So a failed write is
 * remembered (note_write) until a commit succeeds, and only while it is
 * remembered does readiness look: the file system must have room for more
 * than one page (a one-page probe fits in the WAL space a failed group
 * commit left allocated while a booking's pages do not: measured on a full
 * tmpfs), and a write of its own must commit: it sets user_version to what
 * it is, which dirties page 1 and must reach the WAL, in a unit of work that
 * joins the group commit like any other. Its commit clears the mark. */
static bool room_to_write(const char *path)
{
    struct statvfs st;
    if (statvfs(path, &st) != 0)
        return true; /* cannot tell: the probe write decides */
    return (st.f_flag & ST_RDONLY) == 0 &&
           (unsigned long long)st.f_bavail * st.f_frsize >= READY_MIN_FREE_BYTES;
}

static enum app_err sq_write_check(void *c)
{
    struct sqlite_conn *conn = c;
    struct writer *w = conn->w;
    pthread_mutex_lock(&w->mu);
    bool failed = w->write_failed;
    pthread_mutex_unlock(&w->mu);
    if (!failed)
        return APP_OK;
    if (!room_to_write(w->path))
        return APP_ERR_UNAVAILABLE;
    enum app_err err = sq_begin(conn);
    if (err)
        return err;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(w->db, "PRAGMA user_version", -1, &st, NULL);
    int version = 0;
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    char sql[48];
    g_snprintf(sql, sizeof sql, "PRAGMA user_version = %d", version);
    err = rc == SQLITE_ROW ? run_script(w->db, sql) : map_error(w->db, rc);
    if (err)
        note_write(w, sqlite3_extended_errcode(w->db));
    enum app_err ended = unit_end(conn, err == APP_OK);
    return err ? err : ended;
}

static const char *sq_last_error(void *c)
{
    struct sqlite_conn *conn = c;
    return sqlite3_errmsg(conn->writing ? conn->w->db : conn->db);
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
    .write_check = sq_write_check,
    .set_untimed = sq_set_untimed,
    .migrations = sqlite_migrations,
    .serial_writes = true,
};
