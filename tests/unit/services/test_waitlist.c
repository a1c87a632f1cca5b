/* Unit tests of src/services/waitlist.c: the rules of a new entry, which
 * slots a freed span serves and the range the job computes slots over (pure),
 * then serving against a real SQLite store: the oldest entry holding a slot,
 * once, whatever reads the outbox after it. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/timeutil.h"
#include "db/store.h"
#include "models/user.h"
#include "models/waitlist.h"
#include "services/bookings.h"
#include "services/waitlist.h"
#include "../test_db.h"

#define DAY 86400
#define HOUR 3600
#define MIN 60

/* --- pure: the rules of a new entry ------------------------------------------------ */

static bool valid(int64_t from, int64_t to, int64_t now, const char *field)
{
    struct waitlist_request r = {1, from, to, false};
    struct field_errors fe = {0};
    bool ok = waitlist_validate(&r, now, &fe);
    cr_assert_eq(ok, fe.n == 0);
    if (!ok && field)
        cr_assert_str_eq(fe.items[0].field, field);
    if (!ok)
        cr_assert_str_eq(fe.items[0].loc0, "body");
    return ok;
}

Test(waitlist_validate, from_before_to_in_the_future_at_most_62_days)
{
    int64_t now = 1000 * DAY;
    cr_assert(valid(now + DAY, now + 2 * DAY, now, NULL));
    cr_assert(!valid(now + DAY, now + DAY, now, "to"));
    cr_assert(!valid(now + 2 * DAY, now + DAY, now, "to"));
    cr_assert(valid(now + DAY, now + DAY + 62 * DAY, now, NULL));
    cr_assert(!valid(now + DAY, now + DAY + 62 * DAY + 1, now, "to"));
    /* to in the future, from may have passed */
    cr_assert(valid(now - DAY, now + 1, now, NULL));
    cr_assert(!valid(now - 2 * DAY, now, now, "to"));
    cr_assert(!valid(now - 2 * DAY, now - DAY, now, "to"));
}

/* --- pure: which slots a freed span serves ------------------------------------------ */

static const struct slot_rules HOUR_RULES = {60, 0, 0, 60, 0, 90};
static const struct slot_rules BUFFERED = {60, 15, 30, 15, 0, 90};

Test(waitlist_slot_frees, occupied_span_buffers_included_overlaps_the_freed_one)
{
    struct span freed = {10 * HOUR, 11 * HOUR};
    struct span s9 = {9 * HOUR, 10 * HOUR}, s10 = {10 * HOUR, 11 * HOUR}, s11 = {11 * HOUR, 12 * HOUR};
    struct span s1030 = {10 * HOUR + 30 * MIN, 11 * HOUR + 30 * MIN};
    cr_assert(!waitlist_slot_frees(&HOUR_RULES, &freed, &s9)); /* touching is not overlapping */
    cr_assert(waitlist_slot_frees(&HOUR_RULES, &freed, &s10));
    cr_assert(waitlist_slot_frees(&HOUR_RULES, &freed, &s1030));
    cr_assert(!waitlist_slot_frees(&HOUR_RULES, &freed, &s11));
    /* 30 minutes after: 9:00-10:00 occupies until 10:30; 15 before: 11:00 from 10:45 */
    cr_assert(waitlist_slot_frees(&BUFFERED, &freed, &s9));
    cr_assert(waitlist_slot_frees(&BUFFERED, &freed, &s11));
    struct span s1115 = {11 * HOUR + 15 * MIN, 12 * HOUR + 15 * MIN};
    cr_assert(!waitlist_slot_frees(&BUFFERED, &freed, &s1115));
}

Test(waitlist_holds, from_at_or_before_start_end_at_or_before_to)
{
    struct waitlist_entry e = {.from = 10 * HOUR, .to = 12 * HOUR};
    struct span a = {10 * HOUR, 11 * HOUR}, b = {11 * HOUR, 12 * HOUR}, c = {9 * HOUR + 59 * MIN, 11 * HOUR};
    struct span d = {11 * HOUR + 1, 12 * HOUR + 1};
    cr_assert(waitlist_holds(&e, &a));
    cr_assert(waitlist_holds(&e, &b));
    cr_assert(!waitlist_holds(&e, &c));
    cr_assert(!waitlist_holds(&e, &d));
}

Test(waitlist_slot_range, clipped_to_the_span_widened_by_the_rules_and_to_the_entries)
{
    struct span freed = {10 * HOUR, 11 * HOUR}, r;
    /* starts in (9:00, 11:00) can overlap [10, 11) for a 60-minute slot */
    cr_assert(waitlist_slot_range(&HOUR_RULES, &freed, 0, 100 * HOUR, &r));
    cr_assert_eq(r.start, 9 * HOUR + 1);
    cr_assert_eq(r.end, 11 * HOUR);
    /* buffers widen it: start + 60 + 30 > 10:00, start - 15 < 11:00 */
    cr_assert(waitlist_slot_range(&BUFFERED, &freed, 0, 100 * HOUR, &r));
    cr_assert_eq(r.start, 8 * HOUR + 30 * MIN + 1);
    cr_assert_eq(r.end, 11 * HOUR + 15 * MIN);
    /* the entries' ranges clip it: a slot must end by max_to */
    cr_assert(waitlist_slot_range(&HOUR_RULES, &freed, 10 * HOUR, 11 * HOUR + 30 * MIN, &r));
    cr_assert_eq(r.start, 10 * HOUR);
    cr_assert_eq(r.end, 10 * HOUR + 30 * MIN + 1);
    /* nothing left */
    cr_assert(!waitlist_slot_range(&HOUR_RULES, &freed, 11 * HOUR, 20 * HOUR, &r));
    /* a slot ending by 10:00 starts by 9:00: it cannot overlap [10, 11) */
    cr_assert(!waitlist_slot_range(&HOUR_RULES, &freed, 0, 10 * HOUR, &r));
    cr_assert(waitlist_slot_range(&HOUR_RULES, &freed, 0, 10 * HOUR + 1, &r));
    cr_assert_eq(r.start, r.end - 1);
}

Test(waitlist_status, an_active_entry_past_its_to_shows_expired)
{
    struct waitlist_entry e = {.to = 100, .status = WAITLIST_ACTIVE};
    cr_assert_eq(waitlist_shown_status(&e, 99), WAITLIST_ACTIVE);
    cr_assert_eq(waitlist_shown_status(&e, 100), WAITLIST_EXPIRED);
    e.status = WAITLIST_BOOKED;
    cr_assert_eq(waitlist_shown_status(&e, 100), WAITLIST_BOOKED);
    enum waitlist_status st;
    cr_assert(waitlist_status_parse("notified", &st) && st == WAITLIST_NOTIFIED);
    cr_assert(!waitlist_status_parse("waiting", &st));
}

/* --- serving against a store ------------------------------------------------------- */

static char db_path[64], db_url[80];
static struct store *S;
static struct user P, C1, C2, C3;
static struct service V;
static int64_t day0; /* 09:00 UTC at least 7 days ahead */

static struct user new_user(enum role role, const char *name)
{
    struct user u;
    memset(&u, 0, sizeof u);
    snprintf(u.name, sizeof u.name, "%s", name);
    snprintf(u.email, sizeof u.email, "%s@example.com", name);
    snprintf(u.password_hash, sizeof u.password_hash, "$2b$04$not-a-real-hash");
    u.role = role;
    u.is_active = true;
    snprintf(u.timezone, sizeof u.timezone, "UTC");
    u.created_at = clock_now();
    cr_assert_eq(UOW(S, store_user_insert(S, &u)), APP_OK);
    return u;
}

static void setup(void)
{
    S = test_db_open("waitlist", db_path, db_url);
    P = new_user(ROLE_PROVIDER, "p");
    C1 = new_user(ROLE_CUSTOMER, "c1");
    C2 = new_user(ROLE_CUSTOMER, "c2");
    C3 = new_user(ROLE_CUSTOMER, "c3");
    struct availability *a = calloc(1, sizeof *a);
    cr_assert_not_null(a);
    snprintf(a->timezone, sizeof a->timezone, "UTC");
    for (int d = 0; d < 7; d++)
        a->windows[a->n++] = (struct weekly_window){d, 9 * 60, 17 * 60};
    cr_assert_eq(UOW(S, store_availability_replace(S, P.id, a)), APP_OK);
    free(a);
    memset(&V, 0, sizeof V);
    V.provider_id = P.id;
    snprintf(V.name, sizeof V.name, "hour");
    V.duration_minutes = V.slot_interval_minutes = 60;
    V.max_advance_days = 90;
    V.active = true;
    V.created_at = clock_now();
    cr_assert_eq(UOW(S, store_service_insert(S, &V)), APP_OK);
    day0 = (clock_now() / DAY + 8) * DAY + 9 * HOUR;
}

static void teardown(void)
{
    test_db_close(S, db_path);
}

static struct waitlist_entry wait_for(const struct user *c, int64_t from, int64_t to, bool auto_book)
{
    struct waitlist_request r = {V.id, from, to, auto_book};
    struct waitlist_entry e;
    struct field_errors fe = {0};
    cr_assert_eq(waitlist_create(S, c, &r, &e, &fe), APP_OK);
    return e;
}

static struct booking book(const struct user *c, int64_t start)
{
    struct booking_request r = {.service_id = V.id, .start = start};
    struct booking b;
    struct slot_list next = {0};
    struct field_errors fe = {0};
    cr_assert_eq(bookings_create(S, c, &r, &b, &next, &fe), APP_OK);
    slot_list_release(&next);
    return b;
}

static enum waitlist_status status_of(int64_t id, struct waitlist_entry *out)
{
    cr_assert_eq(store_waitlist_get(S, id, out), APP_OK);
    return out->status;
}

/* One job turn on s with its own cache of the place. */
static struct waitlist_served turn(struct store *s, struct outbox_cursor *c, struct waitlist_place *p)
{
    struct waitlist_served out = {0};
    cr_assert_eq(waitlist_serve(s, c, p, 100, &out), APP_OK);
    return out;
}

Test(waitlist_serve, the_oldest_entry_holding_a_freed_slot_once, .init = setup, .fini = teardown)
{
    struct outbox_cursor c = {0};
    struct waitlist_place p = {0};
    struct waitlist_entry got;
    turn(S, &c, &p); /* the place starts at the newest event: history is not served */
    struct booking b = book(&C3, day0 + HOUR);
    struct waitlist_entry e1 = wait_for(&C1, day0, day0 + 3 * HOUR, true);
    struct waitlist_entry e2 = wait_for(&C2, day0, day0 + 3 * HOUR, true);
    struct waitlist_entry far = wait_for(&C2, day0 + 5 * HOUR, day0 + 7 * HOUR, false);
    cr_assert_eq(turn(S, &c, &p).booked, 0);
    struct booking cancelled;
    cr_assert_eq(bookings_cancel(S, &C3, b.id, NULL, &cancelled), APP_OK);
    struct waitlist_served done = turn(S, &c, &p);
    cr_assert_eq(done.booked, 1);
    cr_assert_eq(done.notified, 0);
    cr_assert_eq(status_of(e1.id, &got), WAITLIST_BOOKED);
    cr_assert_eq(got.slot_start, day0 + HOUR);
    struct booking nb;
    cr_assert_eq(store_booking_get(S, got.booking_id, &nb), APP_OK);
    cr_assert_eq(nb.customer_id, C1.id);
    cr_assert_eq(nb.start, day0 + HOUR);
    cr_assert_eq(status_of(e2.id, &got), WAITLIST_ACTIVE);
    cr_assert_eq(status_of(far.id, &got), WAITLIST_ACTIVE);
    /* Another reader of the outbox (a second process, a restart) serves nothing again. */
    struct store *other = test_db_connect(db_url);
    struct outbox_cursor c2 = {0};
    struct waitlist_place p2 = {0};
    cr_assert_eq(turn(other, &c2, &p2).booked, 0);
    cr_assert_eq(turn(S, &c, &p).booked, 0);
    store_close(other);
    cr_assert_eq(status_of(e2.id, &got), WAITLIST_ACTIVE);
}

Test(waitlist_serve, a_stale_place_serves_no_slot_twice, .init = setup, .fini = teardown)
{
    struct outbox_cursor c = {0};
    struct waitlist_place p = {0};
    struct waitlist_entry got;
    turn(S, &c, &p);
    struct booking b = book(&C3, day0 + HOUR);
    struct waitlist_entry e1 = wait_for(&C1, day0, day0 + 3 * HOUR, false);
    struct waitlist_entry e2 = wait_for(&C2, day0, day0 + 3 * HOUR, false);
    /* A second process read the place before the first served the slot. */
    struct store *other = test_db_connect(db_url);
    struct outbox_cursor c2 = {0};
    struct waitlist_place p2 = {0};
    turn(other, &c2, &p2);
    struct booking cancelled;
    cr_assert_eq(bookings_cancel(S, &C3, b.id, NULL, &cancelled), APP_OK);
    cr_assert_eq(turn(S, &c, &p).notified, 1);
    /* Its cached place is stale: its turn reads the persisted place first
     * and finds the event served (a serve racing past that read is refused
     * by the place's compare-and-set in its own unit of work). */
    cr_assert_eq(turn(other, &c2, &p2).notified, 0);
    cr_assert_eq(turn(other, &c2, &p2).notified, 0);
    store_close(other);
    cr_assert_eq(status_of(e1.id, &got), WAITLIST_NOTIFIED);
    cr_assert_eq(got.slot_start, day0 + HOUR);
    cr_assert_eq(status_of(e2.id, &got), WAITLIST_ACTIVE);
}

Test(waitlist_create, the_21st_active_entry_is_refused, .init = setup, .fini = teardown)
{
    struct waitlist_request r = {V.id, day0, day0 + HOUR, false};
    struct waitlist_entry e;
    struct field_errors fe = {0};
    for (int i = 0; i < WAITLIST_MAX_ACTIVE; i++)
        cr_assert_eq(waitlist_create(S, &C1, &r, &e, &fe), APP_OK);
    cr_assert_eq(waitlist_create(S, &C1, &r, &e, &fe), APP_ERR_WAITLIST_LIMIT);
    cr_assert_eq(waitlist_create(S, &C2, &r, &e, &fe), APP_OK);
    cr_assert_eq(waitlist_create(S, &P, &r, &e, &fe), APP_ERR_FORBIDDEN);
    cr_assert_eq(waitlist_delete(S, &C2, e.id - 1), APP_ERR_WAITLIST_NOT_FOUND);
    cr_assert_eq(waitlist_delete(S, &C1, e.id - 1), APP_OK);
    cr_assert_eq(waitlist_create(S, &C1, &r, &e, &fe), APP_OK);
}
