/* Plans of SQLite queries (src/db/sqlite/queries.c) that run on every poll of
 * a job, whatever the traffic: read through an index bounded on both sides,
 * never a walk that grows with the bookings table. */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <string.h>

#include "db/queries.h"
#include "../../test_db.h"

extern const char *const sqlite_sql[Q__COUNT];

static char db_path[64], db_url[80];
static struct store *S;

static void setup(void)
{
    S = test_db_open("sqlite_queries", db_path, db_url);
}

static void teardown(void)
{
    test_db_close(S, db_path);
}

TestSuite(sqlite_queries, .init = setup, .fini = teardown);

/* The EXPLAIN QUERY PLAN rows of query, one a line, in plan order. */
static void plan_of(enum query_id query, char *out, size_t size)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char sql[4096];
    size_t used = 0;
    cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", sqlite_sql[query]);
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    out[0] = '\0';
    while (sqlite3_step(st) == SQLITE_ROW && used < size)
        used += (size_t)snprintf(out + used, size - used, "%s\n",
                                 (const char *)sqlite3_column_text(st, 3));
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* Joined from bookings, the reminder poll (every second) read every future
 * booking in start order: 100 ms at 150 000 of them, with no webhook at all.
 * Read by start for a provider's webhook too, it read every provider's
 * bookings of the window: 220 ms at 20 000 with 50 provider webhooks. */
Test(sqlite_queries, reminders_due_reads_bookings_inside_each_webhooks_window)
{
    char plan[4096];
    plan_of(Q_REMINDERS_DUE, plan, sizeof plan);
    const char *admins = strstr(plan, "LEFT\n"), *providers = strstr(plan, "RIGHT\n");
    cr_assert(admins && providers && admins < providers, "not two branches:\n%s", plan);
    cr_assert(strncmp(admins, "LEFT\nSCAN w\n", 12) == 0 && strstr(providers, "RIGHT\nSCAN w\n") == providers,
              "the webhooks are not the outer loop:\n%s", plan);
    const char *by_start = strstr(plan, "SEARCH b USING INDEX bookings_start (start_at>? AND start_at<?)");
    cr_assert(by_start && by_start < providers, "admins' bookings are not read by start:\n%s", plan);
    const char *own = strstr(providers, "SEARCH b USING INDEX bookings_provider_time "
                                        "(provider_id=? AND occupied_start>? AND occupied_start<?)");
    cr_assert_not_null(own, "a provider's bookings are not read by provider and time:\n%s", plan);
}

/* The deliverer records its whole batch in one statement: each result finds
 * its row by primary key, not by a scan of every delivery kept. */
Test(sqlite_queries, delivery_record_finds_each_row_by_its_key)
{
    char plan[2048];
    plan_of(Q_DELIVERY_RECORD, plan, sizeof plan);
    cr_assert_not_null(strstr(plan, "SEARCH webhook_deliveries USING INTEGER PRIMARY KEY (rowid=?)"),
                       "the rows are not read by their key:\n%s", plan);
}

/* The sealer sets a batch's hashes in one statement: each finds its row by key. */
Test(sqlite_queries, audit_seal_finds_each_row_by_its_key)
{
    char plan[2048];
    plan_of(Q_AUDIT_SEAL, plan, sizeof plan);
    cr_assert_not_null(strstr(plan, "SEARCH audit_log USING INTEGER PRIMARY KEY (rowid=?)"),
                       "the rows are not read by their key:\n%s", plan);
}
