/* Unit tests of src/db/tickets.c (the batched session check) and of the
 * stream's reads in src/db/events.c (range, head, pruned-through mark). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "db/store.h"
#include "../test_db.h"

#define OK(call) cr_assert_eq((call), APP_OK, "%s failed", #call)
#define NOW 1800000000

static char db_path[64], db_url[80];
static struct store *S;

static void setup(void)
{
    S = test_db_open("tickets", db_path, db_url);
}

static void teardown(void)
{
    test_db_close(S, db_path);
}

TestSuite(tickets, .init = setup, .fini = teardown, .timeout = 60);

static int64_t user(const char *email, enum role role, bool active)
{
    struct user u = {.role = role, .is_active = active};
    snprintf(u.name, sizeof u.name, "U");
    snprintf(u.email, sizeof u.email, "%s", email);
    snprintf(u.password_hash, sizeof u.password_hash, "$2b$04$x");
    snprintf(u.timezone, sizeof u.timezone, "UTC");
    OK(UOW(S, store_user_insert(S, &u)));
    return u.id;
}

static void session(const char *sid, int64_t user_id, int64_t expires_at)
{
    struct session s = {.user_id = user_id, .created_at = NOW - 10, .expires_at = expires_at};
    snprintf(s.id, sizeof s.id, "%s", sid);
    snprintf(s.refresh_hash, sizeof s.refresh_hash, "%064d", 0);
    OK(UOW(S, store_session_insert(S, &s)));
}

Test(tickets, sessions_live_in_one_batch)
{
    int64_t a = user("a@example.com", ROLE_ADMIN, true), b = user("b@example.com", ROLE_CUSTOMER, false);
    session("aaaa", a, NOW + 100);
    session("bbbb", b, NOW + 100); /* its user is inactive */
    session("cccc", a, NOW - 1);   /* expired */
    session("dddd", a, NOW + 100);
    OK(UOW(S, store_session_revoke(S, "dddd", NOW - 5)));
    const char *sids[] = {"aaaa", "bbbb", "cccc", "dddd", "eeee", "aaaa"};
    bool live[6];
    enum role roles[6];
    OK(store_sessions_live(S, sids, 6, NOW, live, roles));
    cr_assert(live[0] && live[5]);
    cr_assert_eq(roles[0], ROLE_ADMIN);
    cr_assert_not(live[1] || live[2] || live[3] || live[4]);
}

Test(tickets, take_is_single_use)
{
    int64_t a = user("a@example.com", ROLE_CUSTOMER, true), uid = 0, exp = 0;
    char sid[33];
    OK(UOW(S, store_ticket_add(S, "h1", a, "aaaa", NOW + 30, NOW)));
    OK(UOW(S, store_ticket_take(S, "h1", &uid, sid, sizeof sid, &exp)));
    cr_assert_eq(uid, a);
    cr_assert_str_eq(sid, "aaaa");
    cr_assert_eq(exp, NOW + 30);
    cr_assert_eq(UOW(S, store_ticket_take(S, "h1", &uid, sid, sizeof sid, &exp)), APP_ERR_NOT_FOUND);
}

Test(tickets, range_head_and_pruned_mark)
{
    int64_t head = -1, pruned = -1;
    int deleted = 0;
    struct event_list l;
    for (int i = 0; i < 5; i++)
        OK(UOW(S, store_event_add(S, "booking.created", "{}", i % 2 ? 7 : 8, 9)));
    OK(store_events_head(S, &head));
    cr_assert_eq(head, 5);
    OK(store_events_range(S, 1, 4, 7, 10, &l)); /* provider 7's: ids 2 and 4 */
    cr_assert_eq(l.n, 2);
    cr_assert_eq(l.items[0].id, 2);
    cr_assert_eq(l.items[1].id, 4);
    event_list_release(&l);
    OK(store_events_range(S, 0, 5, 0, 3, &l)); /* everyone's, a page of 3 */
    cr_assert_eq(l.n, 3);
    event_list_release(&l);
    OK(store_events_pruned_through(S, &pruned));
    cr_assert_eq(pruned, 0);
    OK(store_prune(S, PRUNE_EVENTS, INT64_MAX, 3, &deleted));
    cr_assert_eq(deleted, 3);
    OK(store_events_pruned_through(S, &pruned));
    cr_assert_eq(pruned, 3);
}
