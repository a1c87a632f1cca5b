/* The SQLite driver's group commit and checkpointer (src/db/sqlite/driver.c),
 * through the store: units of work from many threads at once share commits,
 * and still each commits or fails on its own; store_end returns only once its
 * work is committed; the WAL stays bounded while writers never pause. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "db/store.h"
#include "../../test_db.h"

#define THREADS 12
#define UNITS 40

static char db_path[64], db_url[80];
static struct store *S;

static struct store *open_store(void)
{
    return test_db_connect(db_url);
}

static void setup(void)
{
    S = test_db_open("sqlite_driver", db_path, db_url);
}

static void teardown(void)
{
    test_db_close(S, db_path);
}

TestSuite(sqlite_driver, .init = setup, .fini = teardown, .timeout = 120);

static struct user person(int thread, int unit)
{
    struct user u = {.role = ROLE_CUSTOMER, .is_active = true};
    snprintf(u.name, sizeof u.name, "T%d U%d", thread, unit);
    snprintf(u.email, sizeof u.email, "t%d-u%d@example.com", thread, unit);
    snprintf(u.password_hash, sizeof u.password_hash, "$2b$04$x");
    snprintf(u.timezone, sizeof u.timezone, "UTC");
    return u;
}

/* Unit `unit` of a thread fails when fail_every divides unit + 1: by its own
 * choice (odd units) or by a real conflict (an e-mail already taken). */
struct worker {
    pthread_t t;
    int n, fail_every;
    int committed, failed, missing_after_end, wrong_result;
};

static bool meant_to_fail(const struct worker *w, int unit)
{
    return w->fail_every && (unit + 1) % w->fail_every == 0;
}

static void *run_units(void *arg)
{
    struct worker *w = arg;
    struct store *s = open_store(), *reader = open_store();
    for (int i = 0; i < UNITS; i++) {
        struct user u = person(w->n, i), got;
        bool fail = meant_to_fail(w, i);
        if (fail && i % 2 == 0)
            u = person(w->n, i - 1); /* taken by the unit before, which committed */
        enum app_err err = store_begin(s);
        if (!err)
            err = store_user_insert(s, &u);
        if (fail && !err)
            err = APP_ERR_SLOT_UNAVAILABLE;
        err = store_end(s, err);
        if (fail != (err != APP_OK))
            w->wrong_result++;
        if (err) {
            w->failed++;
            continue;
        }
        w->committed++;
        /* Committed when store_end said so: another connection sees it. */
        if (store_user_by_email(reader, u.email, &got) != APP_OK)
            w->missing_after_end++;
    }
    store_close(reader);
    store_close(s);
    return NULL;
}

static int count_users(void)
{
    struct user_list l;
    cr_assert_eq(store_user_list(S, NULL, 1, 0, &l), APP_OK);
    int total = (int)l.total;
    user_list_release(&l);
    return total;
}

static void run_workers(struct worker *w, int fail_every)
{
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){.n = i, .fail_every = fail_every};
        cr_assert_eq(pthread_create(&w[i].t, NULL, run_units, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(w[i].t, NULL);
}

Test(sqlite_driver, units_of_work_at_once_each_commit_before_their_end_returns)
{
    struct worker w[THREADS];
    run_workers(w, 0);
    for (int i = 0; i < THREADS; i++) {
        cr_expect_eq(w[i].committed, UNITS, "thread %d committed %d", i, w[i].committed);
        cr_expect_eq(w[i].missing_after_end, 0, "thread %d", i);
        cr_expect_eq(w[i].wrong_result, 0, "thread %d", i);
    }
    cr_assert_eq(count_users(), THREADS * UNITS);
}

Test(sqlite_driver, a_failed_unit_of_work_leaves_the_others_of_its_commit_alone)
{
    struct worker w[THREADS];
    run_workers(w, 3);
    int committed = 0;
    for (int i = 0; i < THREADS; i++) {
        cr_expect_eq(w[i].wrong_result, 0, "thread %d", i);
        cr_expect_eq(w[i].missing_after_end, 0, "thread %d", i);
        committed += w[i].committed;
    }
    cr_assert_eq(committed, THREADS * (UNITS - UNITS / 3));
    cr_assert_eq(count_users(), committed);
    /* None of the failed ones left a row (unit 5 of each thread chose to fail). */
    struct user got;
    for (int i = 0; i < THREADS; i++) {
        struct user u = person(i, 5);
        cr_assert_eq(store_user_by_email(S, u.email, &got), APP_ERR_USER_NOT_FOUND, "%s", u.email);
        u = person(i, 4);
        cr_assert_eq(store_user_by_email(S, u.email, &got), APP_OK, "%s", u.email);
    }
}

static long wal_bytes(void)
{
    char p[96];
    struct stat st;
    snprintf(p, sizeof p, "%s-wal", db_path);
    return stat(p, &st) == 0 ? (long)st.st_size : 0;
}

/* Each commit here writes a few pages (4 KiB each): 6 000 of them would make a
 * WAL of about 100 MB; the checkpointer starts it over from about 16 MB. */
Test(sqlite_driver, the_wal_stays_bounded_under_writes_that_never_pause)
{
    long largest = 0;
    for (int i = 0; i < 6000; i++) {
        struct user u = person(99, i);
        cr_assert_eq(UOW(S, store_user_insert(S, &u)), APP_OK);
        long now = wal_bytes();
        largest = now > largest ? now : largest;
    }
    cr_assert_eq(count_users(), 6000);
    cr_assert_lt(largest, 40L * 1024 * 1024, "the WAL grew to %ld bytes", largest);
}
