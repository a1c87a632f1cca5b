/* Unit tests of src/services/bookings.c, the booking rules of API.md
 * "Bookings" (and the slot rules of "Slots" they enforce), against a real
 * SQLite store in a temporary file. Each test gets its own database.
 *
 * Dates are relative to the real clock: `today` is the current UTC date and
 * every booked start lies at least 7 days ahead, on the hour grid of a UTC
 * provider open every day 09:00-17:00 (unless a test says otherwise), so the
 * expected slots are exact whatever the time of day the tests run. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "db/store.h"
#include "models/availability.h"
#include "models/booking.h"
#include "models/service.h"
#include "models/user.h"
#include "services/bookings.h"
#include "services/schedule.h"
#include "services/slots.h"
#include "../test_db.h"

#define DAY 86400
#define HOUR 3600
#define MIN 60

static char db_path[64];
static char db_url[80];
static struct store *S;
static int64_t today; /* UTC days since 1970-01-01 when the test started */

/* Who the tests act as. */
static struct user P;   /* provider of the default service */
static struct user P2;  /* another provider */
static struct user C1;  /* a customer */
static struct user C2;  /* another customer */
static struct user ADM; /* an admin */

/* ---- helpers ---- */



static const char *fmt(int64_t t, char *buf)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

/* The instant h:m UTC on today + day. */
static int64_t at(int day, int h, int m)
{
    return (today + day) * DAY + h * HOUR + m * MIN;
}

static const char *errname(enum app_err e)
{
    static const char *const names[] = {
        "APP_OK", "VALIDATION", "BAD_REQUEST", "BAD_PASSWORD", "NOT_AUTHENTICATED", "BAD_TOKEN",
        "BAD_LOGIN", "FORBIDDEN", "NOT_FOUND", "USER_NOT_FOUND", "PROVIDER_NOT_FOUND",
        "SERVICE_NOT_FOUND", "BOOKING_NOT_FOUND", "TIME_OFF_NOT_FOUND", "METHOD_NOT_ALLOWED",
        "EMAIL_TAKEN", "SLOT_UNAVAILABLE", "NOT_CHANGEABLE", "IDEM_IN_FLIGHT", "LAST_ADMIN", "TOO_LARGE",
        "CONFLICT", "INTERNAL", "UNAVAILABLE"};
    return (unsigned)e < sizeof names / sizeof names[0] ? names[e] : "?";
}

/* ASSERT_ERR(got, want) or ASSERT_ERR(got, want, "printf format", args...). */
static void check_err(enum app_err got, enum app_err want, const char *expr, int line,
                      const char *fmt_, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt_);
    vsnprintf(msg, sizeof msg, fmt_, ap);
    va_end(ap);
    cr_assert_eq(got, want, "line %d: %s gave %s, want %s%s%s", line, expr, errname(got),
                 errname(want), msg[0] ? ": " : "", msg);
}

#define ASSERT_ERR(got, ...) ASSERT_ERR_(got, __VA_ARGS__, "")
#define ASSERT_ERR_(got, want, ...) check_err((got), (want), #got, __LINE__, __VA_ARGS__)

static struct user make_user(enum role role, const char *name)
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
    ASSERT_ERR(UOW(S, store_user_insert(S, &u)), APP_OK, "store_user_insert(%s)", name);
    cr_assert_gt(u.id, 0);
    return u;
}

/* Replaces provider's schedule: the given windows in zone. */
static void set_schedule(struct store *s, int64_t provider_id, const char *zone,
                         const struct weekly_window *w, int n)
{
    struct availability *a = calloc(1, sizeof *a);
    cr_assert_not_null(a);
    snprintf(a->timezone, sizeof a->timezone, "%s", zone);
    for (int i = 0; i < n; i++)
        a->windows[i] = w[i];
    a->n = n;
    ASSERT_ERR(UOW(s, store_availability_replace(s, provider_id, a)), APP_OK);
    free(a);
}

/* Every day 09:00-17:00 in zone. */
static void open_every_day(int64_t provider_id, const char *zone)
{
    struct weekly_window w[7];
    for (int d = 0; d < 7; d++)
        w[d] = (struct weekly_window){d, 9 * 60, 17 * 60};
    set_schedule(S, provider_id, zone, w, 7);
}

struct svc_opts {
    int dur, interval, before, after, notice, advance, cancel;
};

static struct service make_service(int64_t provider_id, struct svc_opts o)
{
    struct service v;
    memset(&v, 0, sizeof v);
    v.provider_id = provider_id;
    snprintf(v.name, sizeof v.name, "service of %lld", (long long)provider_id);
    v.duration_minutes = o.dur;
    v.slot_interval_minutes = o.interval ? o.interval : o.dur;
    v.buffer_before_minutes = o.before;
    v.buffer_after_minutes = o.after;
    v.min_notice_minutes = o.notice;
    v.max_advance_days = o.advance ? o.advance : 90;
    v.cancel_notice_minutes = o.cancel;
    v.active = true;
    v.created_at = clock_now();
    ASSERT_ERR(UOW(S, store_service_insert(S, &v)), APP_OK, "store_service_insert");
    cr_assert_gt(v.id, 0);
    return v;
}

#define SVC(...) make_service(P.id, (struct svc_opts){__VA_ARGS__})

struct attempt {
    enum app_err err;
    struct booking b;
    struct slot_list next;
    struct field_errors fe;
};

/* bookings_create on store s; cid < 0: no customer_id in the request. */
static void try_book_on(struct store *s, const struct user *actor, int64_t svc_id, int64_t start,
                        int64_t cid, struct attempt *a)
{
    struct booking_request req;
    memset(&req, 0, sizeof req);
    memset(a, 0, sizeof *a);
    req.service_id = svc_id;
    req.start = start;
    snprintf(req.notes, sizeof req.notes, "note");
    if (cid >= 0) {
        req.has_customer_id = true;
        req.customer_id = cid;
    }
    a->err = bookings_create(s, actor, &req, &a->b, &a->next, &a->fe);
}

static void try_book(const struct user *actor, int64_t svc_id, int64_t start, int64_t cid,
                     struct attempt *a)
{
    try_book_on(S, actor, svc_id, start, cid, a);
}

/* Books start for customer c (as c) and returns the booking. */
static struct booking book_ok(const struct user *c, const struct service *v, int64_t start)
{
    struct attempt *a = calloc(1, sizeof *a);
    cr_assert_not_null(a);
    char buf[32];
    try_book(c, v->id, start, -1, a);
    ASSERT_ERR(a->err, APP_OK, "booking %s", fmt(start, buf));
    cr_assert_eq(a->next.n, 0u);
    struct booking b = a->b;
    slot_list_release(&a->next);
    free(a);
    cr_assert_gt(b.id, 0);
    cr_assert_eq(b.start, start);
    cr_assert_eq(b.end, start + (int64_t)v->duration_minutes * MIN);
    return b;
}

/* Asserts that booking start as c is refused as SLOT_UNAVAILABLE. */
static void book_refused(const struct user *c, const struct service *v, int64_t start)
{
    struct attempt *a = calloc(1, sizeof *a);
    cr_assert_not_null(a);
    char buf[32];
    try_book(c, v->id, start, -1, a);
    ASSERT_ERR(a->err, APP_ERR_SLOT_UNAVAILABLE, "booking %s should be refused", fmt(start, buf));
    slot_list_release(&a->next);
    free(a);
}

static void expect_next(const struct slot_list *next, int64_t duration_s, const int64_t *want,
                        size_t n)
{
    char a[32], b[32];
    cr_assert_eq(next->n, n, "next slots: got %zu, want %zu", next->n, n);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(next->items[i].start, want[i], "next[%zu] starts %s, want %s", i,
                     fmt(next->items[i].start, a), fmt(want[i], b));
        cr_assert_eq(next->items[i].end, want[i] + duration_s, "next[%zu] ends %s", i,
                     fmt(next->items[i].end, a));
    }
}

#define EXPECT_NEXT(next, dur, ...)                                                               \
    expect_next((next), (dur), (const int64_t[]){__VA_ARGS__},                                    \
                sizeof((const int64_t[]){__VA_ARGS__}) / sizeof(int64_t))

static int64_t confirmed_count(int64_t provider_id)
{
    struct booking_filter f;
    memset(&f, 0, sizeof f);
    f.provider_id = provider_id;
    f.status = "confirmed";
    struct booking_list l;
    ASSERT_ERR(store_booking_list(S, &f, 100, 0, &l), APP_OK);
    int64_t n = l.total;
    cr_assert_eq((int64_t)l.n, n);
    booking_list_release(&l);
    return n;
}

/* ---- fixture ---- */

static void setup(void)
{
    S = test_db_open("bookings", db_path, db_url);
    today = clock_now() / DAY;
    P = make_user(ROLE_PROVIDER, "provider");
    P2 = make_user(ROLE_PROVIDER, "provider2");
    C1 = make_user(ROLE_CUSTOMER, "customer1");
    C2 = make_user(ROLE_CUSTOMER, "customer2");
    ADM = make_user(ROLE_ADMIN, "admin");
    open_every_day(P.id, "UTC");
    open_every_day(P2.id, "UTC");
}

static void teardown(void)
{
    test_db_close(S, db_path);
    S = NULL;
}

TestSuite(bookings, .init = setup, .fini = teardown, .timeout = 120);

/* ---- creating ---- */

Test(bookings, offered_slot_books_and_fills_the_booking)
{
    struct service v = SVC(.dur = 60, .before = 5, .after = 10);
    struct attempt a;
    int64_t t0 = clock_now();
    try_book(&C1, v.id, at(10, 10, 0), -1, &a);
    int64_t t1 = clock_now();
    ASSERT_ERR(a.err, APP_OK);
    cr_assert_gt(a.b.id, 0);
    cr_assert_eq(a.b.service_id, v.id);
    cr_assert_eq(a.b.provider_id, P.id);
    cr_assert_eq(a.b.customer_id, C1.id);
    cr_assert_eq(a.b.start, at(10, 10, 0));
    cr_assert_eq(a.b.end, at(10, 11, 0));
    cr_assert_eq(a.b.buffer_before_min, 5);
    cr_assert_eq(a.b.buffer_after_min, 10);
    cr_assert_eq(a.b.status, BOOKING_CONFIRMED);
    cr_assert_str_eq(a.b.notes, "note");
    cr_assert_eq(a.b.cancelled_at, 0);
    cr_assert(a.b.created_at >= t0 && a.b.created_at <= t1);
    cr_assert_eq(a.next.n, 0u);

    /* What was stored is what was returned. */
    struct booking g;
    ASSERT_ERR(bookings_get(S, &C1, a.b.id, &g), APP_OK);
    cr_assert_eq(g.id, a.b.id);
    cr_assert_eq(g.start, at(10, 10, 0));
    cr_assert_eq(g.end, at(10, 11, 0));
    cr_assert_eq(g.buffer_before_min, 5);
    cr_assert_eq(g.buffer_after_min, 10);
    cr_assert_eq(g.customer_id, C1.id);
    cr_assert_eq(g.status, BOOKING_CONFIRMED);
    cr_assert_eq(confirmed_count(P.id), 1);
}

Test(bookings, same_slot_twice_is_unavailable_with_next_slots)
{
    struct service v = SVC(.dur = 60);
    book_ok(&C1, &v, at(10, 10, 0));

    struct attempt a;
    try_book(&C2, v.id, at(10, 10, 0), -1, &a);
    ASSERT_ERR(a.err, APP_ERR_SLOT_UNAVAILABLE);
    /* Up to 3 offered slots after the asked start. */
    EXPECT_NEXT(&a.next, HOUR, at(10, 11, 0), at(10, 12, 0), at(10, 13, 0));
    slot_list_release(&a.next);
    cr_assert_eq(confirmed_count(P.id), 1);

    /* Next slots skip a taken slot and roll over to the next day. */
    book_ok(&C1, &v, at(10, 15, 0));
    try_book(&C2, v.id, at(10, 14, 0), -1, &a);
    ASSERT_ERR(a.err, APP_OK, "14:00 is still free");
    try_book(&C2, v.id, at(10, 14, 0), -1, &a);
    ASSERT_ERR(a.err, APP_ERR_SLOT_UNAVAILABLE);
    EXPECT_NEXT(&a.next, HOUR, at(10, 16, 0), at(11, 9, 0), at(11, 10, 0));
    slot_list_release(&a.next);
    cr_assert_eq(confirmed_count(P.id), 3);
}

Test(bookings, not_offered_starts_are_unavailable)
{
    struct service v = SVC(.dur = 60);
    struct attempt a;
    /* Off the grid. */
    try_book(&C1, v.id, at(10, 10, 30), -1, &a);
    ASSERT_ERR(a.err, APP_ERR_SLOT_UNAVAILABLE);
    EXPECT_NEXT(&a.next, HOUR, at(10, 11, 0), at(10, 12, 0), at(10, 13, 0));
    slot_list_release(&a.next);
    /* Outside the window, and one that would end after it. */
    try_book(&C1, v.id, at(10, 8, 0), -1, &a);
    ASSERT_ERR(a.err, APP_ERR_SLOT_UNAVAILABLE);
    EXPECT_NEXT(&a.next, HOUR, at(10, 9, 0), at(10, 10, 0), at(10, 11, 0));
    slot_list_release(&a.next);
    try_book(&C1, v.id, at(10, 16, 30), -1, &a);
    ASSERT_ERR(a.err, APP_ERR_SLOT_UNAVAILABLE);
    EXPECT_NEXT(&a.next, HOUR, at(11, 9, 0), at(11, 10, 0), at(11, 11, 0));
    slot_list_release(&a.next);
    /* In the past. */
    try_book(&C1, v.id, at(-2, 10, 0), -1, &a);
    ASSERT_ERR(a.err, APP_ERR_SLOT_UNAVAILABLE);
    slot_list_release(&a.next);
    cr_assert_eq(confirmed_count(P.id), 0);
}

Test(bookings, beyond_max_advance_is_unavailable_with_no_next_slots)
{
    /* now + 8 days < today + 9 days: nothing on today + 9 is offered, and
     * nothing after it lies within the horizon; today + 7 always is. */
    struct service v = SVC(.dur = 60, .advance = 8);
    struct attempt a;
    try_book(&C1, v.id, at(9, 10, 0), -1, &a);
    ASSERT_ERR(a.err, APP_ERR_SLOT_UNAVAILABLE);
    cr_assert_eq(a.next.n, 0u, "no slot after the horizon may be suggested");
    slot_list_release(&a.next);
    /* Inside the horizon it books. */
    book_ok(&C1, &v, at(7, 10, 0));
}

Test(bookings, inactive_or_unknown_service_not_found)
{
    struct service v = SVC(.dur = 60);
    struct attempt a;
    try_book(&C1, v.id + 1000, at(10, 10, 0), -1, &a);
    ASSERT_ERR(a.err, APP_ERR_SERVICE_NOT_FOUND);
    v.active = false;
    ASSERT_ERR(UOW(S, store_service_update(S, &v)), APP_OK);
    try_book(&C1, v.id, at(10, 10, 0), -1, &a);
    ASSERT_ERR(a.err, APP_ERR_SERVICE_NOT_FOUND);
    cr_assert_eq(confirmed_count(P.id), 0);
}

Test(bookings, buffers_of_another_service_of_the_provider_block)
{
    /* A: 60 min with 30 min after; C: 60 min with 30 min before; B: 30 min, no buffers. */
    struct service A = SVC(.dur = 60, .after = 30);
    struct service C = SVC(.dur = 60, .before = 30);
    struct service B = SVC(.dur = 30);

    book_ok(&C1, &A, at(10, 10, 0)); /* occupies [10:00, 11:30) */
    struct attempt a;
    try_book(&C2, B.id, at(10, 11, 0), -1, &a); /* [11:00, 11:30) hits A's buffer */
    ASSERT_ERR(a.err, APP_ERR_SLOT_UNAVAILABLE);
    EXPECT_NEXT(&a.next, 30 * MIN, at(10, 11, 30), at(10, 12, 0), at(10, 12, 30));
    slot_list_release(&a.next);
    book_refused(&C2, &B, at(10, 10, 30));
    book_ok(&C2, &B, at(10, 9, 30));  /* [09:30, 10:00) touches, does not overlap */
    book_ok(&C2, &B, at(10, 11, 30)); /* right after the buffer */

    book_ok(&C1, &C, at(10, 14, 0)); /* occupies [13:30, 15:00) */
    book_refused(&C2, &B, at(10, 13, 30));
    book_refused(&C2, &B, at(10, 14, 30));
    book_ok(&C2, &B, at(10, 13, 0)); /* [13:00, 13:30) ends where C's buffer starts */
    book_ok(&C2, &B, at(10, 15, 0));

    /* The new booking's own buffers count too: C at 12:00 would occupy
     * [11:30, 13:00), which overlaps B at 11:30. */
    book_refused(&C1, &C, at(10, 12, 0));
    cr_assert_eq(confirmed_count(P.id), 6);
}

Test(bookings, bookings_of_another_provider_do_not_block)
{
    struct service v = SVC(.dur = 60, .after = 30);
    struct service w = make_service(P2.id, (struct svc_opts){.dur = 60, .after = 30});
    book_ok(&C1, &v, at(10, 10, 0));
    book_ok(&C2, &w, at(10, 10, 0));
    cr_assert_eq(confirmed_count(P.id), 1);
    cr_assert_eq(confirmed_count(P2.id), 1);
}

Test(bookings, min_notice_refuses_a_start_inside_it)
{
    /* 9 days' notice. at(8, 10, 0) - now <= 8 d 10 h: inside the notice;
     * at(10, 10, 0) - now > 9 d 10 h: outside it. */
    const int notice_min = 9 * 24 * 60;
    struct service v = SVC(.dur = 60, .notice = notice_min);
    struct attempt a;
    int64_t t0 = clock_now();
    try_book(&C1, v.id, at(8, 10, 0), -1, &a);
    int64_t t1 = clock_now();
    ASSERT_ERR(a.err, APP_ERR_SLOT_UNAVAILABLE);

    /* The next slots are the first 3 grid slots at or after now + notice. */
    int64_t want0[3], want1[3];
    size_t n0 = 0, n1 = 0;
    for (int d = 8; d <= 12; d++)
        for (int h = 9; h < 17; h++) {
            int64_t s = at(d, h, 0);
            if (n0 < 3 && s > at(8, 10, 0) && s >= t0 + (int64_t)notice_min * MIN)
                want0[n0++] = s;
            if (n1 < 3 && s > at(8, 10, 0) && s >= t1 + (int64_t)notice_min * MIN)
                want1[n1++] = s;
        }
    cr_assert_eq(n0, 3u);
    if (n1 == 3 && memcmp(want0, want1, sizeof want0) == 0)
        expect_next(&a.next, HOUR, want0, 3);
    else
        for (size_t i = 0; i < a.next.n; i++)
            cr_assert_geq(a.next.items[i].start, t0 + (int64_t)notice_min * MIN);
    for (size_t i = 0; i < a.next.n; i++)
        cr_assert_geq(a.next.items[i].start, t0 + (int64_t)notice_min * MIN,
                      "a suggested slot lies inside the notice");
    slot_list_release(&a.next);

    book_ok(&C1, &v, at(10, 10, 0));
    cr_assert_eq(confirmed_count(P.id), 1);
}

/* ---- who may book ---- */

Test(bookings, customer_books_only_for_themself)
{
    struct service v = SVC(.dur = 60);
    struct attempt a;
    try_book(&C1, v.id, at(10, 10, 0), C2.id, &a);
    ASSERT_ERR(a.err, APP_ERR_FORBIDDEN);
    cr_assert_eq(confirmed_count(P.id), 0);
    /* Their own id, given explicitly, is fine. */
    try_book(&C1, v.id, at(10, 10, 0), C1.id, &a);
    ASSERT_ERR(a.err, APP_OK);
    cr_assert_eq(a.b.customer_id, C1.id);
    cr_assert_eq(confirmed_count(P.id), 1);
}

Test(bookings, another_provider_is_forbidden)
{
    struct service v = SVC(.dur = 60);
    struct attempt a;
    try_book(&P2, v.id, at(10, 10, 0), C1.id, &a);
    ASSERT_ERR(a.err, APP_ERR_FORBIDDEN);
    try_book(&P2, v.id, at(10, 10, 0), -1, &a);
    ASSERT_ERR(a.err, APP_ERR_FORBIDDEN);
    cr_assert_eq(confirmed_count(P.id), 0);
}

Test(bookings, provider_or_admin_must_give_customer_id)
{
    struct service v = SVC(.dur = 60);
    struct attempt a;
    try_book(&P, v.id, at(10, 10, 0), -1, &a);
    ASSERT_ERR(a.err, APP_ERR_VALIDATION);
    cr_assert_eq(a.fe.n, 1);
    cr_assert_str_eq(a.fe.items[0].loc0, "body");
    cr_assert_str_eq(a.fe.items[0].field, "customer_id");
    cr_assert_neq(a.fe.items[0].type[0], '\0');
    cr_assert_neq(a.fe.items[0].msg[0], '\0');

    try_book(&ADM, v.id, at(10, 10, 0), -1, &a);
    ASSERT_ERR(a.err, APP_ERR_VALIDATION);
    cr_assert_eq(a.fe.n, 1);
    cr_assert_str_eq(a.fe.items[0].loc0, "body");
    cr_assert_str_eq(a.fe.items[0].field, "customer_id");
    cr_assert_eq(confirmed_count(P.id), 0);

    /* With it, they book on the customer's behalf. */
    try_book(&P, v.id, at(10, 10, 0), C1.id, &a);
    ASSERT_ERR(a.err, APP_OK);
    cr_assert_eq(a.b.customer_id, C1.id);
    cr_assert_eq(a.b.provider_id, P.id);
    try_book(&ADM, v.id, at(10, 11, 0), C2.id, &a);
    ASSERT_ERR(a.err, APP_OK);
    cr_assert_eq(a.b.customer_id, C2.id);
    cr_assert_eq(confirmed_count(P.id), 2);
}

/* ---- visibility ---- */

Test(bookings, hidden_from_others_as_if_missing)
{
    struct service v = SVC(.dur = 60);
    struct booking b = book_ok(&C1, &v, at(10, 10, 0));
    struct booking out;
    struct slot_list next = {0};

    ASSERT_ERR(bookings_get(S, &C2, b.id, &out), APP_ERR_BOOKING_NOT_FOUND);
    ASSERT_ERR(bookings_cancel(S, &C2, b.id, NULL, &out), APP_ERR_BOOKING_NOT_FOUND);
    ASSERT_ERR(bookings_reschedule(S, &C2, b.id, at(10, 12, 0), &out, &next),
               APP_ERR_BOOKING_NOT_FOUND);
    cr_assert_eq(next.n, 0u);
    ASSERT_ERR(bookings_get(S, &P2, b.id, &out), APP_ERR_BOOKING_NOT_FOUND);
    ASSERT_ERR(bookings_cancel(S, &P2, b.id, NULL, &out), APP_ERR_BOOKING_NOT_FOUND);
    ASSERT_ERR(bookings_reschedule(S, &P2, b.id, at(10, 12, 0), &out, &next),
               APP_ERR_BOOKING_NOT_FOUND);
    /* The same as an id that does not exist. */
    ASSERT_ERR(bookings_get(S, &C2, b.id + 1000, &out), APP_ERR_BOOKING_NOT_FOUND);
    ASSERT_ERR(bookings_cancel(S, &C2, b.id + 1000, NULL, &out), APP_ERR_BOOKING_NOT_FOUND);

    /* Nothing changed. Its customer, its provider and an admin see it. */
    ASSERT_ERR(bookings_get(S, &C1, b.id, &out), APP_OK);
    cr_assert_eq(out.status, BOOKING_CONFIRMED);
    cr_assert_eq(out.start, at(10, 10, 0));
    ASSERT_ERR(bookings_get(S, &P, b.id, &out), APP_OK);
    cr_assert_eq(out.id, b.id);
    ASSERT_ERR(bookings_get(S, &ADM, b.id, &out), APP_OK);
    cr_assert_eq(out.id, b.id);
}

Test(bookings, lists_show_what_each_actor_may_see)
{
    struct service v = SVC(.dur = 60);
    struct service w = make_service(P2.id, (struct svc_opts){.dur = 60});
    struct booking b1 = book_ok(&C1, &v, at(10, 10, 0));
    struct booking b2 = book_ok(&C2, &v, at(10, 9, 0));
    struct booking b3 = book_ok(&C1, &w, at(11, 9, 0));
    struct booking_filter f;
    struct booking_list l;

    memset(&f, 0, sizeof f);
    ASSERT_ERR(bookings_list(S, &C1, &f, 50, 0, &l), APP_OK);
    cr_assert_eq(l.total, 2);
    cr_assert_eq(l.n, 2);
    cr_assert_eq(l.items[0].id, b1.id);
    cr_assert_eq(l.items[1].id, b3.id);
    booking_list_release(&l);

    memset(&f, 0, sizeof f);
    ASSERT_ERR(bookings_list(S, &P, &f, 50, 0, &l), APP_OK);
    cr_assert_eq(l.total, 2);
    cr_assert_eq(l.items[0].id, b2.id); /* ordered by start */
    cr_assert_eq(l.items[1].id, b1.id);
    booking_list_release(&l);

    memset(&f, 0, sizeof f);
    f.customer_id = C2.id; /* a customer cannot widen or redirect their list */
    ASSERT_ERR(bookings_list(S, &C1, &f, 50, 0, &l), APP_OK);
    cr_assert_eq(l.total, 2);
    cr_assert_eq(l.items[0].customer_id, C1.id);
    cr_assert_eq(l.items[1].customer_id, C1.id);
    booking_list_release(&l);

    memset(&f, 0, sizeof f);
    ASSERT_ERR(bookings_list(S, &ADM, &f, 50, 0, &l), APP_OK);
    cr_assert_eq(l.total, 3);
    booking_list_release(&l);
}

/* ---- cancel ---- */

Test(bookings, cancel_then_cancel_again_not_changeable)
{
    struct service v = SVC(.dur = 60);
    struct booking b = book_ok(&C1, &v, at(10, 10, 0));
    struct booking out;
    int64_t t0 = clock_now();
    ASSERT_ERR(bookings_cancel(S, &C1, b.id, "changed my mind", &out), APP_OK);
    int64_t t1 = clock_now();
    cr_assert_eq(out.id, b.id);
    cr_assert_eq(out.status, BOOKING_CANCELLED);
    cr_assert(out.cancelled_at >= t0 && out.cancelled_at <= t1);
    cr_assert(out.has_cancel_reason);
    cr_assert_str_eq(out.cancel_reason, "changed my mind");

    struct booking g;
    ASSERT_ERR(bookings_get(S, &C1, b.id, &g), APP_OK);
    cr_assert_eq(g.status, BOOKING_CANCELLED);
    cr_assert_eq(g.cancelled_at, out.cancelled_at);
    cr_assert_str_eq(g.cancel_reason, "changed my mind");

    ASSERT_ERR(bookings_cancel(S, &C1, b.id, NULL, &out), APP_ERR_NOT_CHANGEABLE);
    ASSERT_ERR(bookings_cancel(S, &P, b.id, NULL, &out), APP_ERR_NOT_CHANGEABLE);
    ASSERT_ERR(bookings_cancel(S, &ADM, b.id, NULL, &out), APP_ERR_NOT_CHANGEABLE);
    ASSERT_ERR(bookings_get(S, &C1, b.id, &g), APP_OK);
    cr_assert_str_eq(g.cancel_reason, "changed my mind", "a refused cancel must change nothing");

    /* Its slot is offered again at once. */
    book_ok(&C2, &v, at(10, 10, 0));
    cr_assert_eq(confirmed_count(P.id), 1);
}

Test(bookings, cancel_without_reason)
{
    struct service v = SVC(.dur = 60);
    struct booking b = book_ok(&C1, &v, at(10, 10, 0));
    struct booking out;
    ASSERT_ERR(bookings_cancel(S, &P, b.id, NULL, &out), APP_OK);
    cr_assert_eq(out.status, BOOKING_CANCELLED);
    cr_assert_not(out.has_cancel_reason);
    struct booking g;
    ASSERT_ERR(bookings_get(S, &C1, b.id, &g), APP_OK);
    cr_assert_not(g.has_cancel_reason);
    cr_assert_gt(g.cancelled_at, 0);
}

Test(bookings, customer_cannot_cancel_inside_cancel_notice_but_provider_can)
{
    /* 20 days' cancel notice; the booking is about 10 days ahead. */
    struct service v = SVC(.dur = 60, .cancel = 20 * 24 * 60);
    struct booking b = book_ok(&C1, &v, at(10, 10, 0));
    struct booking out;
    struct slot_list next = {0};
    ASSERT_ERR(bookings_cancel(S, &C1, b.id, NULL, &out), APP_ERR_NOT_CHANGEABLE);
    ASSERT_ERR(bookings_reschedule(S, &C1, b.id, at(10, 12, 0), &out, &next),
               APP_ERR_NOT_CHANGEABLE);
    cr_assert_eq(next.n, 0u);
    struct booking g;
    ASSERT_ERR(bookings_get(S, &C1, b.id, &g), APP_OK);
    cr_assert_eq(g.status, BOOKING_CONFIRMED);
    cr_assert_eq(g.start, at(10, 10, 0));

    ASSERT_ERR(bookings_cancel(S, &P, b.id, "provider", &out), APP_OK);
    cr_assert_eq(out.status, BOOKING_CANCELLED);

    /* An admin may too. */
    struct booking b2 = book_ok(&C1, &v, at(10, 11, 0));
    ASSERT_ERR(bookings_cancel(S, &ADM, b2.id, NULL, &out), APP_OK);
    cr_assert_eq(out.status, BOOKING_CANCELLED);
}

Test(bookings, customer_may_cancel_before_cancel_notice)
{
    /* 8 days' notice; the booking is more than 9 days ahead. */
    struct service v = SVC(.dur = 60, .cancel = 8 * 24 * 60);
    struct booking b = book_ok(&C1, &v, at(10, 10, 0));
    struct booking out;
    ASSERT_ERR(bookings_cancel(S, &C1, b.id, NULL, &out), APP_OK);
    cr_assert_eq(out.status, BOOKING_CANCELLED);
}

Test(bookings, past_booking_cannot_be_cancelled_even_by_staff)
{
    struct service v = SVC(.dur = 60);
    struct booking b;
    memset(&b, 0, sizeof b);
    b.service_id = v.id;
    b.provider_id = P.id;
    b.customer_id = C1.id;
    b.start = at(-2, 10, 0);
    b.end = at(-2, 11, 0);
    b.status = BOOKING_CONFIRMED;
    b.created_at = b.updated_at = clock_now();
    ASSERT_ERR(UOW(S, store_booking_insert(S, &b, NULL)), APP_OK);
    struct booking out;
    ASSERT_ERR(bookings_cancel(S, &C1, b.id, NULL, &out), APP_ERR_NOT_CHANGEABLE);
    ASSERT_ERR(bookings_cancel(S, &P, b.id, NULL, &out), APP_ERR_NOT_CHANGEABLE);
    ASSERT_ERR(bookings_cancel(S, &ADM, b.id, NULL, &out), APP_ERR_NOT_CHANGEABLE);
}

/* ---- reschedule ---- */

Test(bookings, reschedule_keeps_id_duration_and_buffers)
{
    struct service v = SVC(.dur = 60, .after = 30);
    struct booking b = book_ok(&C1, &v, at(10, 10, 0));
    cr_assert_eq(b.buffer_after_min, 30);

    /* The service changes: shorter, no buffer, a 30-minute grid. */
    v.duration_minutes = 30;
    v.buffer_after_minutes = 0;
    v.slot_interval_minutes = 30;
    ASSERT_ERR(UOW(S, store_service_update(S, &v)), APP_OK);

    struct booking out;
    struct slot_list next = {0};
    ASSERT_ERR(bookings_reschedule(S, &C1, b.id, at(10, 14, 0), &out, &next), APP_OK);
    cr_assert_eq(next.n, 0u);
    cr_assert_eq(out.id, b.id);
    cr_assert_eq(out.start, at(10, 14, 0));
    cr_assert_eq(out.end, at(10, 15, 0), "the booking must keep its 60 minutes");
    cr_assert_eq(out.buffer_before_min, 0);
    cr_assert_eq(out.buffer_after_min, 30, "the booking must keep its 30-minute buffer");
    cr_assert_eq(out.status, BOOKING_CONFIRMED);
    cr_assert_eq(out.customer_id, C1.id);

    struct booking g;
    ASSERT_ERR(bookings_get(S, &C1, b.id, &g), APP_OK);
    cr_assert_eq(g.start, at(10, 14, 0));
    cr_assert_eq(g.end, at(10, 15, 0));
    cr_assert_eq(g.buffer_after_min, 30);
    cr_assert_eq(confirmed_count(P.id), 1);

    /* The offer is checked with the booking's own 60 minutes: 16:30 is on the
     * new 30-minute grid but 16:30 + 60 min runs past the 17:00 close. */
    ASSERT_ERR(bookings_reschedule(S, &C1, b.id, at(10, 16, 30), &out, &next),
               APP_ERR_SLOT_UNAVAILABLE);
    EXPECT_NEXT(&next, HOUR, at(11, 9, 0), at(11, 9, 30), at(11, 10, 0));
    slot_list_release(&next);
    cr_assert_eq(out.start, at(10, 14, 0));
    ASSERT_ERR(bookings_get(S, &C1, b.id, &g), APP_OK);
    cr_assert_eq(g.start, at(10, 14, 0));
    cr_assert_eq(g.end, at(10, 15, 0));

    /* The stored occupation is [14:00, 15:30): the new 30-min service cannot
     * start at 15:00 but can at 15:30; the old time is free again. */
    book_refused(&C2, &v, at(10, 15, 0));
    book_ok(&C2, &v, at(10, 15, 30));
    book_ok(&C2, &v, at(10, 10, 0));
    cr_assert_eq(confirmed_count(P.id), 3);
}

Test(bookings, reschedule_onto_a_taken_slot_changes_nothing)
{
    struct service v = SVC(.dur = 60);
    struct booking x = book_ok(&C1, &v, at(10, 10, 0));
    book_ok(&C2, &v, at(10, 12, 0));

    struct booking out;
    struct slot_list next = {0};
    ASSERT_ERR(bookings_reschedule(S, &C1, x.id, at(10, 12, 0), &out, &next),
               APP_ERR_SLOT_UNAVAILABLE);
    /* After 12:00: 13:00, 14:00, 15:00 (the booking's own 10:00 is before). */
    EXPECT_NEXT(&next, HOUR, at(10, 13, 0), at(10, 14, 0), at(10, 15, 0));
    slot_list_release(&next);
    cr_assert_eq(out.id, x.id);
    cr_assert_eq(out.start, at(10, 10, 0), "out must hold the unchanged booking");

    struct booking g;
    ASSERT_ERR(bookings_get(S, &C1, x.id, &g), APP_OK);
    cr_assert_eq(g.start, at(10, 10, 0));
    cr_assert_eq(g.end, at(10, 11, 0));
    cr_assert_eq(g.status, BOOKING_CONFIRMED);
    cr_assert_eq(g.updated_at, x.updated_at);

    /* Off the grid: refused too, unchanged. */
    ASSERT_ERR(bookings_reschedule(S, &C1, x.id, at(10, 13, 15), &out, &next),
               APP_ERR_SLOT_UNAVAILABLE);
    slot_list_release(&next);
    ASSERT_ERR(bookings_get(S, &C1, x.id, &g), APP_OK);
    cr_assert_eq(g.start, at(10, 10, 0));
    cr_assert_eq(confirmed_count(P.id), 2);
}

Test(bookings, reschedule_next_slots_leave_the_booking_itself_out)
{
    struct service v = SVC(.dur = 60);
    struct booking x = book_ok(&C1, &v, at(10, 11, 0));
    book_ok(&C2, &v, at(10, 10, 0));
    struct booking out;
    struct slot_list next = {0};
    ASSERT_ERR(bookings_reschedule(S, &C1, x.id, at(10, 10, 0), &out, &next),
               APP_ERR_SLOT_UNAVAILABLE);
    /* 11:00 is the booking's own slot: it does not count against it. */
    EXPECT_NEXT(&next, HOUR, at(10, 11, 0), at(10, 12, 0), at(10, 13, 0));
    slot_list_release(&next);
}

Test(bookings, reschedule_may_overlap_its_own_old_time)
{
    struct service v = SVC(.dur = 60, .interval = 30, .after = 15);
    struct booking x = book_ok(&C1, &v, at(10, 10, 0));
    struct booking out;
    struct slot_list next = {0};
    ASSERT_ERR(bookings_reschedule(S, &C1, x.id, at(10, 10, 30), &out, &next), APP_OK);
    cr_assert_eq(out.id, x.id);
    cr_assert_eq(out.start, at(10, 10, 30));
    cr_assert_eq(out.end, at(10, 11, 30));
    cr_assert_eq(confirmed_count(P.id), 1);
    /* The provider may move it as well. */
    ASSERT_ERR(bookings_reschedule(S, &P, x.id, at(10, 9, 0), &out, &next), APP_OK);
    cr_assert_eq(out.start, at(10, 9, 0));
}

Test(bookings, cancelled_booking_cannot_be_rescheduled)
{
    struct service v = SVC(.dur = 60);
    struct booking x = book_ok(&C1, &v, at(10, 10, 0));
    struct booking out;
    struct slot_list next = {0};
    ASSERT_ERR(bookings_cancel(S, &C1, x.id, NULL, &out), APP_OK);
    ASSERT_ERR(bookings_reschedule(S, &C1, x.id, at(10, 12, 0), &out, &next),
               APP_ERR_NOT_CHANGEABLE);
    ASSERT_ERR(bookings_reschedule(S, &P, x.id, at(10, 12, 0), &out, &next),
               APP_ERR_NOT_CHANGEABLE);
    cr_assert_eq(confirmed_count(P.id), 0);
}

/* ---- complete ---- */

Test(bookings, complete_before_start_not_changeable)
{
    struct service v = SVC(.dur = 60);
    struct booking b = book_ok(&C1, &v, at(10, 10, 0));
    struct booking out;
    ASSERT_ERR(bookings_complete(S, &P, b.id, &out), APP_ERR_NOT_CHANGEABLE);
    ASSERT_ERR(bookings_complete(S, &ADM, b.id, &out), APP_ERR_NOT_CHANGEABLE);
    struct booking g;
    ASSERT_ERR(bookings_get(S, &P, b.id, &g), APP_OK);
    cr_assert_eq(g.status, BOOKING_CONFIRMED);
}

Test(bookings, complete_past_booking)
{
    struct service v = SVC(.dur = 60);
    struct booking b;
    memset(&b, 0, sizeof b);
    b.service_id = v.id;
    b.provider_id = P.id;
    b.customer_id = C1.id;
    b.start = at(-1, 10, 0);
    b.end = at(-1, 11, 0);
    b.status = BOOKING_CONFIRMED;
    b.created_at = b.updated_at = clock_now() - 3 * DAY;
    ASSERT_ERR(UOW(S, store_booking_insert(S, &b, NULL)), APP_OK);

    struct booking out;
    /* Not its customer's to complete, not visible to others. */
    ASSERT_ERR(bookings_complete(S, &C1, b.id, &out), APP_ERR_FORBIDDEN);
    ASSERT_ERR(bookings_complete(S, &C2, b.id, &out), APP_ERR_BOOKING_NOT_FOUND);
    ASSERT_ERR(bookings_complete(S, &P2, b.id, &out), APP_ERR_BOOKING_NOT_FOUND);

    ASSERT_ERR(bookings_complete(S, &P, b.id, &out), APP_OK);
    cr_assert_eq(out.id, b.id);
    cr_assert_eq(out.status, BOOKING_COMPLETED);
    cr_assert_eq(out.start, at(-1, 10, 0));
    struct booking g;
    ASSERT_ERR(bookings_get(S, &C1, b.id, &g), APP_OK);
    cr_assert_eq(g.status, BOOKING_COMPLETED);
    cr_assert_eq(g.cancelled_at, 0);

    /* Once only. */
    ASSERT_ERR(bookings_complete(S, &P, b.id, &out), APP_ERR_NOT_CHANGEABLE);
    ASSERT_ERR(bookings_complete(S, &ADM, b.id, &out), APP_ERR_NOT_CHANGEABLE);
    /* A completed booking cannot be cancelled. */
    ASSERT_ERR(bookings_cancel(S, &P, b.id, NULL, &out), APP_ERR_NOT_CHANGEABLE);

    /* An admin completes another past booking. */
    struct booking c = b;
    c.id = 0;
    c.start = at(-1, 12, 0);
    c.end = at(-1, 13, 0);
    ASSERT_ERR(UOW(S, store_booking_insert(S, &c, NULL)), APP_OK);
    ASSERT_ERR(bookings_complete(S, &ADM, c.id, &out), APP_OK);
    cr_assert_eq(out.status, BOOKING_COMPLETED);
}

/* ---- daylight saving time ---- */

Test(bookings, dst_spring_forward_new_york)
{
    /* 2027-03-14 is a sunday; New York springs forward at 02:00 EST (07:00Z)
     * to 03:00 EDT. The window 00:00-04:00 local is [05:00Z, 08:00Z): three
     * hours, so three 60-minute slots, 00:00 and 01:00 EST and 03:00 EDT.
     * 2027-03-21, a week later, is all EDT: [04:00Z, 08:00Z). */
    int64_t d14 = days_from_civil(2027, 3, 14);
    if (clock_now() > (d14 - 7) * DAY)
        cr_skip_test("2027-03-14 is less than 7 days ahead");
    const struct weekly_window w[] = {{6, 0, 4 * 60}};
    set_schedule(S, P.id, "America/New_York", w, 1);
    struct service v = SVC(.dur = 60, .advance = 730);
    const int64_t z5 = d14 * DAY + 5 * HOUR, z6 = d14 * DAY + 6 * HOUR, z7 = d14 * DAY + 7 * HOUR;
    const int64_t d21 = (d14 + 7) * DAY;

    /* What the slots endpoint lists for that local date. */
    struct service sv;
    char zone[64];
    struct slot_list list = {0};
    ASSERT_ERR(schedule_service_slots(S, v.id, d14, d14, NULL, &sv, zone, &list), APP_OK);
    cr_assert_str_eq(zone, "America/New_York");
    expect_next(&list, HOUR, (const int64_t[]){z5, z6, z7}, 3);
    slot_list_release(&list);

    /* 02:30 local does not exist: neither 06:30Z (02:30 at EST's offset) nor
     * 07:30Z (the contract's 03:30 EDT) is a slot on this grid. */
    struct attempt a;
    try_book(&C1, v.id, d14 * DAY + 6 * HOUR + 30 * MIN, -1, &a);
    ASSERT_ERR(a.err, APP_ERR_SLOT_UNAVAILABLE);
    EXPECT_NEXT(&a.next, HOUR, z7, d21 + 4 * HOUR, d21 + 5 * HOUR);
    slot_list_release(&a.next);
    book_refused(&C1, &v, d14 * DAY + 7 * HOUR + 30 * MIN);
    book_refused(&C1, &v, d14 * DAY + 8 * HOUR); /* 04:00 EDT: the window's end */
    book_refused(&C1, &v, d14 * DAY + 4 * HOUR); /* 23:00 EST the day before */

    /* 03:00 EDT = 07:00Z books. */
    struct booking b = book_ok(&C1, &v, z7);
    cr_assert_eq(b.end, d14 * DAY + 8 * HOUR);
    book_ok(&C2, &v, z5);
    cr_assert_eq(confirmed_count(P.id), 2);
}

/* ---- the database as the last line ---- */

Test(bookings, store_refuses_overlapping_confirmed_bookings)
{
    struct service v = SVC(.dur = 60, .after = 30);
    struct booking a = book_ok(&C1, &v, at(10, 10, 0)); /* occupies [10:00, 11:30) */
    struct booking b = a;
    b.id = 0;
    b.start = at(10, 11, 0);
    b.end = at(10, 12, 0);
    ASSERT_ERR(UOW(S, store_booking_insert(S, &b, NULL)), APP_ERR_CONFLICT);
    b.start = at(10, 11, 30);
    b.end = at(10, 12, 30);
    ASSERT_ERR(UOW(S, store_booking_insert(S, &b, NULL)), APP_OK);
    /* Moving one onto the other is refused too. */
    struct booking moved = b;
    moved.start = at(10, 11, 0);
    moved.end = at(10, 12, 0);
    ASSERT_ERR(UOW(S, store_booking_update(S, &moved, NULL)), APP_ERR_CONFLICT);
    cr_assert_eq(confirmed_count(P.id), 2);
}

/* ---- concurrency ---- */

#define RACERS 8

struct racer {
    pthread_barrier_t *barrier;
    struct user actor;
    int64_t service_id;
    int64_t start;
    enum app_err err;
    int64_t id;
    bool open_failed;
};

static void *race(void *p)
{
    struct racer *r = p;
    char err[256];
    struct store *s = store_open(db_url, err, sizeof err);
    r->open_failed = s == NULL;
    pthread_barrier_wait(r->barrier);
    if (!s)
        return NULL;
    struct attempt *a = calloc(1, sizeof *a);
    if (a) {
        try_book_on(s, &r->actor, r->service_id, r->start, -1, a);
        r->err = a->err;
        r->id = a->b.id;
        slot_list_release(&a->next);
        free(a);
    } else {
        r->open_failed = true;
    }
    store_close(s);
    return NULL;
}

static void run_race(struct racer *r, int n)
{
    pthread_t th[RACERS];
    pthread_barrier_t barrier;
    cr_assert_eq(pthread_barrier_init(&barrier, NULL, (unsigned)n), 0);
    for (int i = 0; i < n; i++) {
        r[i].barrier = &barrier;
        cr_assert_eq(pthread_create(&th[i], NULL, race, &r[i]), 0);
    }
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&barrier);
    for (int i = 0; i < n; i++)
        cr_assert_not(r[i].open_failed, "racer %d could not open the store", i);
}

static struct user customers[RACERS];

static void make_customers(void)
{
    for (int i = 0; i < RACERS; i++) {
        char name[32];
        snprintf(name, sizeof name, "racer%d", i);
        customers[i] = make_user(ROLE_CUSTOMER, name);
    }
}

Test(bookings, concurrent_same_slot_exactly_one_wins)
{
    struct service v = SVC(.dur = 60, .before = 10, .after = 10);
    make_customers();
    for (int round = 0; round < 3; round++) {
        struct racer r[RACERS];
        memset(r, 0, sizeof r);
        int64_t start = at(8 + round, 10, 0);
        for (int i = 0; i < RACERS; i++) {
            r[i].actor = customers[i];
            r[i].service_id = v.id;
            r[i].start = start;
        }
        run_race(r, RACERS);
        int ok = 0, refused = 0, winner = -1;
        for (int i = 0; i < RACERS; i++) {
            if (r[i].err == APP_OK) {
                ok++;
                winner = i;
            } else if (r[i].err == APP_ERR_SLOT_UNAVAILABLE) {
                refused++;
            } else {
                cr_assert_fail("round %d racer %d got %s", round, i, errname(r[i].err));
            }
        }
        cr_assert_eq(ok, 1, "round %d: %d bookings succeeded", round, ok);
        cr_assert_eq(refused, RACERS - 1);
        struct booking g;
        ASSERT_ERR(store_booking_get(S, r[winner].id, &g), APP_OK);
        cr_assert_eq(g.start, start);
        cr_assert_eq(g.customer_id, customers[winner].id);
    }
    cr_assert_eq(confirmed_count(P.id), 3);
}

Test(bookings, concurrent_overlapping_starts_never_overlap)
{
    /* 60 minutes with 15 minutes either side on a 15-minute grid: racer i
     * asks for 10:00 + 15 i, occupying [09:45 + 15 i, 11:15 + 15 i). Any two
     * starts less than 90 minutes apart collide, so 1 or 2 of 8 win a round. */
    struct service v = SVC(.dur = 60, .interval = 15, .before = 15, .after = 15);
    make_customers();
    int total_ok = 0;
    for (int round = 0; round < 4; round++) {
        struct racer r[RACERS];
        memset(r, 0, sizeof r);
        for (int i = 0; i < RACERS; i++) {
            r[i].actor = customers[i];
            r[i].service_id = v.id;
            r[i].start = at(8 + round, 10, 15 * i);
        }
        run_race(r, RACERS);
        int ok = 0;
        for (int i = 0; i < RACERS; i++) {
            if (r[i].err == APP_OK)
                ok++;
            else
                ASSERT_ERR(r[i].err, APP_ERR_SLOT_UNAVAILABLE, "round %d racer %d", round, i);
        }
        cr_assert(ok >= 1 && ok <= 2, "round %d: %d bookings succeeded", round, ok);
        total_ok += ok;
    }

    struct booking_filter f;
    memset(&f, 0, sizeof f);
    f.provider_id = P.id;
    f.status = "confirmed";
    struct booking_list l;
    ASSERT_ERR(store_booking_list(S, &f, 100, 0, &l), APP_OK);
    cr_assert_eq(l.total, total_ok);
    cr_assert_eq(l.n, total_ok);
    for (int i = 0; i < l.n; i++) {
        cr_assert_eq(l.items[i].buffer_before_min, 15);
        cr_assert_eq(l.items[i].buffer_after_min, 15);
        for (int j = i + 1; j < l.n; j++) {
            int64_t a1 = booking_occupied_start(&l.items[i]), a2 = booking_occupied_end(&l.items[i]);
            int64_t b1 = booking_occupied_start(&l.items[j]), b2 = booking_occupied_end(&l.items[j]);
            char x[32], y[32];
            cr_assert_not(a1 < b2 && b1 < a2, "bookings %lld (%s) and %lld (%s) overlap",
                          (long long)l.items[i].id, fmt(l.items[i].start, x),
                          (long long)l.items[j].id, fmt(l.items[j].start, y));
        }
    }
    booking_list_release(&l);

    /* The busy time the slot engine reads agrees: each winning booking is the
     * only busy interval around its own occupied time, and it is that one. */
    ASSERT_ERR(store_booking_list(S, &f, 100, 0, &l), APP_OK);
    for (int i = 0; i < l.n; i++) {
        struct schedule sched;
        int64_t os = booking_occupied_start(&l.items[i]), oe = booking_occupied_end(&l.items[i]);
        ASSERT_ERR(store_schedule(S, P.id, os, oe, 0, true, &sched), APP_OK);
        cr_assert_eq(sched.busy.n, 1);
        cr_assert_eq(sched.busy.items[0].start, os);
        cr_assert_eq(sched.busy.items[0].end, oe);
        schedule_release(&sched);
    }
    booking_list_release(&l);
}
