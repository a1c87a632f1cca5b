/* What the unit tests that need a database share: a migrated SQLite store in
 * a temporary file, and the unit of work around a single store write. */
#ifndef TESTS_UNIT_TEST_DB_H
#define TESTS_UNIT_TEST_DB_H
#include <criterion/criterion.h>
#include <stdio.h>
#include <unistd.h>

#include "core/log.h"
#include "db/store.h"

/* One store write in a unit of work of its own, as the services write. */
#define UOW(s, call) (store_begin(s) ? APP_ERR_INTERNAL : store_end((s), (call)))

/* A new migrated database file named after name; path (64 bytes) and url
 * (80 bytes) get where it is. */
static inline struct store *test_db_open(const char *name, char *path, char *url)
{
    char err[256] = "";
    log_set_level("error");
    snprintf(path, 64, "/tmp/appointd_test_%s_XXXXXX", name);
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0, "mkstemp failed");
    close(fd);
    snprintf(url, 80, "sqlite:%s", path);
    struct store *s = store_open(url, err, sizeof err);
    cr_assert_not_null(s, "store_open(%s): %s", url, err);
    cr_assert_eq(store_migrate(s), APP_OK, "store_migrate");
    return s;
}

/* Another connection to the database at url. */
static inline struct store *test_db_connect(const char *url)
{
    char err[256] = "";
    struct store *s = store_open(url, err, sizeof err);
    cr_assert_not_null(s, "store_open(%s): %s", url, err);
    return s;
}

/* Closes s and removes the file at path, with its WAL and shared memory. */
static inline void test_db_close(struct store *s, const char *path)
{
    char p[96];
    store_close(s);
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

/* How many events the outbox of s holds (up to 1 000). */
static inline int test_db_count_events(struct store *s)
{
    struct outbox_cursor c = {.past_gaps = true};
    struct event_list l;
    cr_assert_eq(store_events_after(s, &c, 1000, &l), APP_OK, "store_events_after");
    int n = l.n;
    event_list_release(&l);
    return n;
}
#endif
