/* Unit tests of src/db/waitlist.c on a real SQLite file: serving an entry
 * moves the waitlist's place in the same write, and neither happens without
 * the other. PostgreSQL's one-statement form runs in the HTTP suite. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"
#include "db/store.h"
#include "../test_db.h"

static char db_path[64], db_url[80];
static struct store *S;
static struct waitlist_entry E;
static int64_t now;

#define OK(call) cr_assert_eq((call), APP_OK, "%s failed", #call)

static void add_user(struct user *u, const char *email, enum role role)
{
    memset(u, 0, sizeof *u);
    u->role = role;
    u->is_active = true;
    snprintf(u->name, sizeof u->name, "%s", email);
    snprintf(u->email, sizeof u->email, "%s", email);
    snprintf(u->password_hash, sizeof u->password_hash, "$2b$04$x");
    snprintf(u->timezone, sizeof u->timezone, "UTC");
    OK(UOW(S, store_user_insert(S, u)));
}

/* A provider's service and a customer's active entry for the next day. */
static void setup(void)
{
    struct user provider, customer;
    S = test_db_open("waitlist", db_path, db_url);
    now = clock_now();
    add_user(&provider, "provider@example.com", ROLE_PROVIDER);
    add_user(&customer, "customer@example.com", ROLE_CUSTOMER);
    struct service svc = {.provider_id = provider.id, .duration_minutes = 30,
                          .slot_interval_minutes = 30, .max_advance_days = 30, .active = true,
                          .created_at = now};
    snprintf(svc.name, sizeof svc.name, "Haircut");
    OK(UOW(S, store_service_insert(S, &svc)));
    E = (struct waitlist_entry){.service_id = svc.id, .provider_id = provider.id,
                                .customer_id = customer.id, .from = now + 3600,
                                .to = now + 86400, .status = WAITLIST_ACTIVE,
                                .created_at = now, .updated_at = now};
    OK(UOW(S, store_waitlist_insert(S, &E)));
}

static void teardown(void)
{
    test_db_close(S, db_path);
}

TestSuite(db_waitlist, .init = setup, .fini = teardown, .timeout = 60);

static enum app_err serve(const struct waitlist_entry *e, const struct waitlist_place *from,
                          const struct waitlist_place *to)
{
    struct waitlist_record rec = {"waitlist.slot_available", "{}", "waitlist.notified",
                                  "{\"by\":\"waitlist\"}"};
    OK(store_begin(S));
    return store_end(S, store_waitlist_serve(S, e, &rec, from, to));
}

Test(db_waitlist, a_serve_moves_the_place_with_the_entry_or_writes_nothing)
{
    struct waitlist_place at, got;
    struct waitlist_entry e = E, read;
    OK(store_waitlist_place(S, &at));
    struct waitlist_place stale = at, to = {at.event_id + 1, E.service_id, now + 7200, false};
    stale.event_id = at.event_id + 5;
    e.status = WAITLIST_NOTIFIED;
    e.slot_start = now + 7200;
    e.slot_end = now + 9000;
    int events = test_db_count_events(S);

    /* Another process moved the place: the entry stays active, no event. */
    cr_assert_eq(serve(&e, &stale, &to), APP_ERR_CONFLICT);
    OK(store_waitlist_get(S, E.id, &read));
    cr_assert_eq(read.status, WAITLIST_ACTIVE);
    OK(store_waitlist_place(S, &got));
    cr_assert_eq(got.event_id, at.event_id);
    cr_assert_eq(test_db_count_events(S), events);

    OK(serve(&e, &at, &to));
    OK(store_waitlist_get(S, E.id, &read));
    cr_assert_eq(read.status, WAITLIST_NOTIFIED);
    cr_assert_eq(read.slot_start, now + 7200);
    OK(store_waitlist_place(S, &got));
    cr_assert_eq(got.event_id, to.event_id);
    cr_assert_eq(got.slot_start, to.slot_start);
    cr_assert_eq(test_db_count_events(S), events + 1);

    /* Served already: not waiting any more, and the place does not move. */
    struct waitlist_place next = to;
    next.slot_start += 1800;
    cr_assert_eq(serve(&e, &to, &next), APP_ERR_WAITLIST_NOT_FOUND);
    OK(store_waitlist_place(S, &got));
    cr_assert_eq(got.slot_start, to.slot_start);
    cr_assert_eq(test_db_count_events(S), events + 1);
}
