/* The baseline for POST /api/v1/bookings on SQLite, as bench/pgbench_booking.sql
 * is on PostgreSQL: one single-row INSERT transaction into the bookings table,
 * each at a distinct 5-minute slot, run by THREADS threads for SECONDS.
 *
 *   sqlite_insert FILE THREADS SECONDS
 *
 * FILE is a database that `appointd migrate` made, so the bookings table and
 * its no-overlap triggers are appointd's own. The program adds a provider, 32
 * customers and a 5-minute service (fresh ones at every run), then each thread
 * opens its own connection set up as appointd's SQLite driver sets up its
 * own (WAL, synchronous=NORMAL, foreign_keys=ON, a 10 s busy timeout, the
 * INSERT prepared once) and loops: BEGIN IMMEDIATE; INSERT; COMMIT. The
 * threads take turns on one mutex around each transaction, as appointd's
 * writers do (SQLite has one writer at a time; waiting on the mutex instead of
 * in SQLite's busy handler keeps the queue short). Slot n (a counter taken
 * under the mutex) starts at tomorrow 00:00 UTC + 300 n s; transaction n books
 * customer n % 32. Prints "transactions", "failed", "seconds" and "tps" lines.
 * Built by bench/run.sh. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CUSTOMERS 32

static const char *path;
static int64_t provider_id, service_id, customer_ids[CUSTOMERS], base;
static pthread_mutex_t writer = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t ready;
static atomic_bool stop;
static int64_t next_slot; /* under writer */

struct worker {
    pthread_t thread;
    long committed, failed;
    int ok; /* connected and prepared */
};

static sqlite3 *open_db(void)
{
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite_insert: cannot open %s: %s\n", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 10000);
    if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                     NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite_insert: cannot set up %s: %s\n", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

/* Runs sql (one statement) with integer and text parameters ("i"/"t" in
 * types), and returns the first column of its first row in *out if out. */
static int run(sqlite3 *db, const char *sql, const char *types, const void *const *args,
               int64_t *out)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite_insert: %s: %s\n", sql, sqlite3_errmsg(db));
        return -1;
    }
    for (int i = 0; types[i]; i++) {
        if (types[i] == 'i')
            sqlite3_bind_int64(st, i + 1, *(const int64_t *)args[i]);
        else
            sqlite3_bind_text(st, i + 1, args[i], -1, SQLITE_TRANSIENT);
    }
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && out)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        fprintf(stderr, "sqlite_insert: %s: %s\n", sql, sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

/* A provider, CUSTOMERS customers and one 5-minute service of this run. */
static int set_up(void)
{
    sqlite3 *db = open_db();
    if (!db)
        return -1;
    int64_t now = (int64_t)time(NULL);
    char email[128];
    const char *user_sql = "INSERT INTO users (name, email, password_hash, role, created_at) "
                           "VALUES (?1, ?2, '!', ?3, ?4) RETURNING id";
    int err = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK;
    snprintf(email, sizeof email, "sqlite-insert-provider-%lld-%ld@example.com", (long long)now,
             (long)getpid());
    err = err || run(db, user_sql, "ttti",
                     (const void *[]){"sqlite_insert provider", email, "provider", &now},
                     &provider_id);
    for (int i = 0; !err && i < CUSTOMERS; i++) {
        snprintf(email, sizeof email, "sqlite-insert-customer-%d-%lld-%ld@example.com", i,
                 (long long)now, (long)getpid());
        err = run(db, user_sql, "ttti",
                  (const void *[]){"sqlite_insert customer", email, "customer", &now},
                  &customer_ids[i]);
    }
    err = err || run(db,
                     "INSERT INTO services (provider_id, name, description, duration_minutes, "
                     "buffer_before_minutes, buffer_after_minutes, slot_interval_minutes, "
                     "min_notice_minutes, max_advance_days, cancel_notice_minutes, price_cents, "
                     "active, created_at) VALUES (?1, 'sqlite_insert', '', 5, 0, 0, 5, 0, 730, 0, "
                     "0, 1, ?2) RETURNING id",
                     "ii", (const void *[]){&provider_id, &now}, &service_id);
    err = err || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK;
    if (err)
        fprintf(stderr, "sqlite_insert: set-up failed: %s\n", sqlite3_errmsg(db));
    sqlite3_close(db);
    base = (now / 86400 + 1) * 86400;
    return err ? -1 : 0;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    sqlite3 *db = open_db();
    sqlite3_stmt *ins = NULL;
    if (db && sqlite3_prepare_v3(db,
                                 "INSERT INTO bookings (service_id, provider_id, customer_id, "
                                 "start_at, end_at, buffer_before_min, buffer_after_min, "
                                 "occupied_start, occupied_end, status, notes, created_at, "
                                 "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 0, 0, ?4, ?5, "
                                 "'confirmed', '', ?6, ?6)",
                                 -1, SQLITE_PREPARE_PERSISTENT, &ins, NULL) == SQLITE_OK)
        w->ok = 1;
    else if (db)
        fprintf(stderr, "sqlite_insert: prepare: %s\n", sqlite3_errmsg(db));
    pthread_barrier_wait(&ready);
    while (w->ok && !atomic_load(&stop)) {
        pthread_mutex_lock(&writer);
        int64_t n = next_slot++, start = base + 300 * n, now = (int64_t)time(NULL);
        int ok = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
        if (ok) {
            sqlite3_bind_int64(ins, 1, service_id);
            sqlite3_bind_int64(ins, 2, provider_id);
            sqlite3_bind_int64(ins, 3, customer_ids[n % CUSTOMERS]);
            sqlite3_bind_int64(ins, 4, start);
            sqlite3_bind_int64(ins, 5, start + 300);
            sqlite3_bind_int64(ins, 6, now);
            ok = sqlite3_step(ins) == SQLITE_DONE;
            sqlite3_reset(ins);
            ok = ok && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
            if (!ok) {
                if (w->failed == 0)
                    fprintf(stderr, "sqlite_insert: %s\n", sqlite3_errmsg(db));
                sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            }
        }
        pthread_mutex_unlock(&writer);
        if (ok)
            w->committed++;
        else
            w->failed++;
    }
    sqlite3_finalize(ins);
    sqlite3_close(db);
    return NULL;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s FILE THREADS SECONDS\n", argv[0]);
        return 2;
    }
    path = argv[1];
    int threads = atoi(argv[2]);
    double seconds = atof(argv[3]);
    if (threads < 1 || threads > 1024 || seconds <= 0) {
        fprintf(stderr, "sqlite_insert: bad thread count or duration\n");
        return 2;
    }
    if (set_up() != 0)
        return 1;
    struct worker *w = calloc((size_t)threads, sizeof *w);
    if (!w)
        return 1;
    pthread_barrier_init(&ready, NULL, (unsigned)threads + 1);
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&w[i].thread, NULL, work, &w[i]) != 0) {
            fprintf(stderr, "sqlite_insert: cannot start thread %d\n", i);
            return 1;
        }
    }
    pthread_barrier_wait(&ready);
    double t0 = now_s();
    struct timespec d = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    while (nanosleep(&d, &d) != 0)
        ;
    atomic_store(&stop, 1);
    long committed = 0, failed = 0;
    int ok = 1;
    for (int i = 0; i < threads; i++) {
        pthread_join(w[i].thread, NULL);
        committed += w[i].committed;
        failed += w[i].failed;
        ok = ok && w[i].ok;
    }
    double elapsed = now_s() - t0;
    printf("transactions %ld\nfailed %ld\nseconds %.3f\ntps %.1f\n", committed, failed, elapsed,
           (double)committed / elapsed);
    free(w);
    return ok ? 0 : 1;
}
