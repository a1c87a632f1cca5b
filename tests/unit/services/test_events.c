/* Unit tests of src/services/events.c: tickets (single use, expiry, their
 * session) with the clock passed in, who sees which event, and when a
 * resume starts with a reset; on a real SQLite file. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"
#include "db/store.h"
#include "services/events.h"
#include "../test_db.h"

#define OK(call) cr_assert_eq((call), APP_OK, "%s failed", #call)
#define NOW 1800000000

static char db_path[64], db_url[80];
static struct store *S;
static struct user U;
static const char *SID = "0123456789abcdef0123456789abcdef";

static void setup(void)
{
    S = test_db_open("events", db_path, db_url);
    memset(&U, 0, sizeof U);
    snprintf(U.name, sizeof U.name, "Ursula");
    snprintf(U.email, sizeof U.email, "ursula@example.com");
    snprintf(U.password_hash, sizeof U.password_hash, "$2b$04$x");
    snprintf(U.timezone, sizeof U.timezone, "UTC");
    U.role = ROLE_PROVIDER;
    U.is_active = true;
    OK(UOW(S, store_user_insert(S, &U)));
    struct session sess = {.user_id = U.id, .created_at = NOW - 10, .expires_at = NOW + 86400};
    snprintf(sess.id, sizeof sess.id, "%s", SID);
    snprintf(sess.refresh_hash, sizeof sess.refresh_hash, "%064d", 0);
    OK(UOW(S, store_session_insert(S, &sess)));
}

static void teardown(void)
{
    test_db_close(S, db_path);
}

TestSuite(events_tickets, .init = setup, .fini = teardown, .timeout = 60);

Test(events_tickets, opens_once_for_its_user_and_session)
{
    char t[EVENTS_TICKET_LEN + 1];
    struct event_viewer v = {0};
    OK(events_ticket_issue(S, U.id, SID, NOW, t));
    cr_assert_eq(strlen(t), EVENTS_TICKET_LEN);
    OK(events_ticket_redeem(S, t, NOW + 1, &v));
    cr_assert_eq(v.user_id, U.id);
    cr_assert_eq(v.role, ROLE_PROVIDER);
    cr_assert_str_eq(v.sid, SID);
    cr_assert_eq(events_ticket_redeem(S, t, NOW + 2, &v), APP_ERR_BAD_TOKEN);
}

Test(events_tickets, expires_after_30_seconds)
{
    char a[EVENTS_TICKET_LEN + 1], b[EVENTS_TICKET_LEN + 1];
    struct event_viewer v = {0};
    OK(events_ticket_issue(S, U.id, SID, NOW, a));
    OK(events_ticket_issue(S, U.id, SID, NOW, b));
    OK(events_ticket_redeem(S, a, NOW + EVENTS_TICKET_SECONDS - 1, &v));
    cr_assert_eq(events_ticket_redeem(S, b, NOW + EVENTS_TICKET_SECONDS, &v), APP_ERR_BAD_TOKEN);
}

Test(events_tickets, unknown_or_malformed_is_refused)
{
    struct event_viewer v = {0};
    char t[EVENTS_TICKET_LEN + 1];
    memset(t, 'a', EVENTS_TICKET_LEN);
    t[EVENTS_TICKET_LEN] = '\0';
    cr_assert_eq(events_ticket_redeem(S, t, NOW, &v), APP_ERR_BAD_TOKEN);
    cr_assert_eq(events_ticket_redeem(S, "short", NOW, &v), APP_ERR_BAD_TOKEN);
}

Test(events_tickets, a_revoked_session_or_inactive_user_is_refused)
{
    char a[EVENTS_TICKET_LEN + 1], b[EVENTS_TICKET_LEN + 1];
    struct event_viewer v = {0};
    OK(events_ticket_issue(S, U.id, SID, NOW, a));
    OK(events_ticket_issue(S, U.id, SID, NOW, b));
    U.is_active = false;
    OK(UOW(S, store_user_update(S, &U)));
    cr_assert_eq(events_ticket_redeem(S, a, NOW + 1, &v), APP_ERR_BAD_TOKEN);
    U.is_active = true;
    OK(UOW(S, store_user_update(S, &U)));
    OK(UOW(S, store_session_revoke(S, SID, NOW + 1)));
    cr_assert_eq(events_ticket_redeem(S, b, NOW + 2, &v), APP_ERR_BAD_TOKEN);
}

Test(events_tickets, expired_ones_are_dropped_when_a_new_one_is_made)
{
    char a[EVENTS_TICKET_LEN + 1], b[EVENTS_TICKET_LEN + 1];
    struct event_viewer v = {0};
    OK(events_ticket_issue(S, U.id, SID, NOW, a));
    OK(events_ticket_issue(S, U.id, SID, NOW + 100, b));
    /* a's row is gone: even a clock turned back does not find it. */
    cr_assert_eq(events_ticket_redeem(S, a, NOW, &v), APP_ERR_BAD_TOKEN);
    OK(events_ticket_redeem(S, b, NOW + 101, &v));
}

static struct event ev(const char *type, int64_t provider, int64_t customer)
{
    struct event e = {.id = 1, .provider_id = provider, .customer_id = customer};
    snprintf(e.type, sizeof e.type, "%s", type);
    return e;
}

Test(events_filter, a_booking_event_goes_to_its_customer_provider_and_admins)
{
    struct event e = ev("booking.created", 10, 20);
    struct event_viewer provider = {.user_id = 10, .role = ROLE_PROVIDER};
    struct event_viewer customer = {.user_id = 20, .role = ROLE_CUSTOMER};
    struct event_viewer admin = {.user_id = 99, .role = ROLE_ADMIN};
    struct event_viewer other_p = {.user_id = 11, .role = ROLE_PROVIDER};
    struct event_viewer other_c = {.user_id = 21, .role = ROLE_CUSTOMER};
    cr_assert(events_visible(&provider, &e));
    cr_assert(events_visible(&customer, &e));
    cr_assert(events_visible(&admin, &e));
    cr_assert_not(events_visible(&other_p, &e));
    cr_assert_not(events_visible(&other_c, &e));
    const char *types[] = {"booking.cancelled", "booking.rescheduled", "booking.completed"};
    for (size_t i = 0; i < 3; i++) {
        e = ev(types[i], 10, 20);
        cr_assert(events_visible(&provider, &e), "%s", types[i]);
        cr_assert_not(events_visible(&other_c, &e), "%s", types[i]);
    }
}

Test(events_filter, a_waitlist_event_goes_to_its_customer_and_admins_only)
{
    struct event_viewer provider = {.user_id = 10, .role = ROLE_PROVIDER};
    struct event_viewer customer = {.user_id = 20, .role = ROLE_CUSTOMER};
    struct event_viewer admin = {.user_id = 99, .role = ROLE_ADMIN};
    const char *types[] = {"waitlist.slot_available", "waitlist.booked"};
    for (size_t i = 0; i < 2; i++) {
        struct event e = ev(types[i], 10, 20);
        cr_assert(events_visible(&customer, &e));
        cr_assert(events_visible(&admin, &e));
        cr_assert_not(events_visible(&provider, &e), "the service's provider is not told");
    }
}

Test(events_filter, reminders_and_unknown_types_go_to_nobody)
{
    struct event_viewer admin = {.user_id = 99, .role = ROLE_ADMIN};
    struct event_viewer customer = {.user_id = 20, .role = ROLE_CUSTOMER};
    struct event r = ev("booking.reminder", 10, 20), u = ev("user.updated", 0, 20);
    cr_assert_not(events_streamed("booking.reminder"));
    cr_assert_not(events_visible(&admin, &r));
    cr_assert_not(events_visible(&customer, &r));
    cr_assert_not(events_visible(&admin, &u));
    cr_assert(events_streamed("waitlist.booked"));
}

Test(events_filter, no_id_matches_nobody)
{
    /* A row without a customer (0) is not every user 0's. */
    struct event e = ev("booking.created", 0, 0);
    struct event_viewer nobody = {.user_id = 0, .role = ROLE_CUSTOMER};
    cr_assert_not(events_visible(&nobody, &e));
}

Test(events_resume, reset_only_when_retention_deleted_an_event_after_the_id)
{
    cr_assert_not(events_resume_resets(10, 0), "nothing pruned");
    cr_assert_not(events_resume_resets(10, 10), "the newest deleted is the one resumed from");
    cr_assert_not(events_resume_resets(50, 10));
    cr_assert(events_resume_resets(9, 10));
    cr_assert(events_resume_resets(0, 1), "from the start, after anything was pruned");
}
