/* Unit tests of src/services/slots.c, the slot engine, against the rules of
 * API.md "Slots". Every expected list is computed by hand from those rules:
 * for each local date D and each window of D's weekday, ws/we are the window's
 * wall times converted to UTC (gap: forward by the gap length; ambiguous: the
 * earlier instant), candidates are s = ws + k*interval while s + duration <= we.
 * Transition dates were read from `zdump -v -c 2026,2028 ZONE` (tzdata 2025b).
 * Expected instants are RFC 3339 UTC strings converted by this file's own
 * calendar code, not by the code under test. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/tz.h"
#include "services/slots.h"

/* ---- this file's own calendar helpers (independent of timeutil.c) ---- */

static int64_t civ(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void uncivil(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* "YYYY-MM-DDTHH:MM:SSZ" -> Unix seconds. */
static int64_t Z(const char *s)
{
    int y, mo, d, h, mi, se;
    char z;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &z) != 7 || z != 'Z') {
        fprintf(stderr, "bad test literal %s\n", s);
        abort();
    }
    return civ(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
}

static const char *fmt(int64_t t, char *buf)
{
    int64_t days = (t >= 0 ? t : t - 86399) / 86400;
    int64_t sec = t - days * 86400;
    int y, m, d;
    uncivil(days, &y, &m, &d);
    snprintf(buf, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(sec / 3600), (int)(sec / 60 % 60),
             (int)(sec % 60));
    return buf;
}

#define HM(h, m) ((h) * 60 + (m))
#define N(a) (sizeof(a) / sizeof((a)[0]))

enum { MON, TUE, WED, THU, FRI, SAT, SUN };

/* now far before every tested date, with a horizon of 730 days (to 2028-01-01). */
#define FAR_NOW "2026-01-01T00:00:00Z"

static struct tz *open_ok(const char *name)
{
    struct tz *tz = tz_open(name);
    cr_assert_not_null(tz, "tz_open(\"%s\") failed", name);
    return tz;
}

static struct slot_input input(const struct tz *tz, const struct weekly_window *w, size_t n_w, int duration,
                               int interval, const char *from, const char *to)
{
    struct slot_input in;
    memset(&in, 0, sizeof in);
    in.tz = tz;
    in.windows = w;
    in.n_windows = n_w;
    in.rules.duration_min = duration;
    in.rules.interval_min = interval;
    in.rules.buffer_before_min = 0;
    in.rules.buffer_after_min = 0;
    in.rules.min_notice_min = 0;
    in.rules.max_advance_days = 730;
    in.now = Z(FAR_NOW);
    in.from = Z(from);
    in.to = Z(to);
    return in;
}

static void describe(const struct slot_list *l, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < l->n && used + 48 < size; i++) {
        char a[32], b[32];
        int w = snprintf(buf + used, size - used, "\n    [%s, %s)", fmt(l->items[i].start, a),
                         fmt(l->items[i].end, b));
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* Runs slots_compute(in, max) on a fresh list and asserts that it returns
 * exactly the slots starting at want[0..n) (ascending), each lasting the
 * service's duration, and that slots_is_offered agrees for each of them. */
static void expect_slots(const struct slot_input *in, size_t max, const char *const *want, size_t n)
{
    struct slot_list out = {0};
    int rc = slots_compute(in, max, &out);
    char got[8192];
    describe(&out, got, sizeof got);
    cr_assert_eq(rc, 0, "slots_compute returned %d", rc);
    cr_assert_eq(out.n, n, "got %zu slots, want %zu; got:%s", out.n, n, got);
    for (size_t i = 0; i < n; i++) {
        char b[32];
        cr_assert_eq(out.items[i].start, Z(want[i]), "slot %zu starts %s, want %s; got:%s", i,
                     fmt(out.items[i].start, b), want[i], got);
        cr_assert_eq(out.items[i].end, Z(want[i]) + (int64_t)in->rules.duration_min * 60,
                     "slot %zu [%s] ends %s; got:%s", i, want[i], fmt(out.items[i].end, b), got);
        cr_assert(slots_is_offered(in, Z(want[i])), "slots_is_offered(%s) is false but slots_compute lists it",
                  want[i]);
    }
    slot_list_release(&out);
}

#define EXPECT(in, max, ...)                                                                                   \
    expect_slots((in), (max), (const char *const[]){__VA_ARGS__},                                            \
                 sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

static void expect_none(const struct slot_input *in)
{
    struct slot_list out = {0};
    int rc = slots_compute(in, 0, &out);
    char got[8192];
    describe(&out, got, sizeof got);
    cr_assert_eq(rc, 0);
    cr_assert_eq(out.n, 0u, "want no slots; got:%s", got);
    slot_list_release(&out);
}

static void offered(const struct slot_input *in, const char *start, bool want)
{
    cr_assert_eq(slots_is_offered(in, Z(start)), want, "slots_is_offered(%s) should be %s", start,
                 want ? "true" : "false");
}

static const struct weekly_window WEEKDAYS_9_12[] = {
    {MON, HM(9, 0), HM(12, 0)}, {TUE, HM(9, 0), HM(12, 0)}, {WED, HM(9, 0), HM(12, 0)},
    {THU, HM(9, 0), HM(12, 0)}, {FRI, HM(9, 0), HM(12, 0)},
};

/* ---- the basic grid ---- */

Test(slots, simple_week_utc)
{
    struct tz *tz = open_ok("UTC");
    /* 2026-11-23 is a monday. */
    struct slot_input in =
        input(tz, WEEKDAYS_9_12, N(WEEKDAYS_9_12), 60, 60, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z");
    EXPECT(&in, 0, "2026-11-23T09:00:00Z", "2026-11-23T10:00:00Z", "2026-11-23T11:00:00Z",
           "2026-11-24T09:00:00Z", "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z", "2026-11-25T09:00:00Z",
           "2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z", "2026-11-26T09:00:00Z", "2026-11-26T10:00:00Z",
           "2026-11-26T11:00:00Z", "2026-11-27T09:00:00Z", "2026-11-27T10:00:00Z", "2026-11-27T11:00:00Z");
    offered(&in, "2026-11-28T09:00:00Z", false); /* saturday */
    offered(&in, "2026-11-29T09:00:00Z", false); /* sunday */
    offered(&in, "2026-11-25T09:30:00Z", false); /* not on the grid */
    offered(&in, "2026-11-25T09:00:01Z", false);
    offered(&in, "2026-11-25T12:00:00Z", false); /* would end after the window */
    offered(&in, "2026-11-25T08:00:00Z", false);
    tz_free(tz);
}

Test(slots, simple_week_berlin_winter)
{
    struct tz *tz = open_ok("Europe/Berlin");
    /* CET (+1): 09:00 local = 08:00Z. */
    struct slot_input in =
        input(tz, WEEKDAYS_9_12, N(WEEKDAYS_9_12), 60, 60, "2026-11-23T00:00:00Z", "2026-11-25T00:00:00Z");
    EXPECT(&in, 0, "2026-11-23T08:00:00Z", "2026-11-23T09:00:00Z", "2026-11-23T10:00:00Z",
           "2026-11-24T08:00:00Z", "2026-11-24T09:00:00Z", "2026-11-24T10:00:00Z");
    tz_free(tz);
}

Test(slots, interval_shorter_than_duration)
{
    struct tz *tz = open_ok("UTC");
    const struct weekly_window w[] = {{WED, HM(9, 0), HM(12, 0)}};
    struct slot_input in = input(tz, w, N(w), 60, 30, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z");
    EXPECT(&in, 0, "2026-11-25T09:00:00Z", "2026-11-25T09:30:00Z", "2026-11-25T10:00:00Z",
           "2026-11-25T10:30:00Z", "2026-11-25T11:00:00Z");
    offered(&in, "2026-11-25T11:30:00Z", false);
    tz_free(tz);
}

Test(slots, interval_longer_than_duration)
{
    struct tz *tz = open_ok("UTC");
    const struct weekly_window w[] = {{WED, HM(9, 0), HM(12, 0)}};
    struct slot_input in = input(tz, w, N(w), 30, 90, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z");
    EXPECT(&in, 0, "2026-11-25T09:00:00Z", "2026-11-25T10:30:00Z");
    offered(&in, "2026-11-25T09:30:00Z", false);
    offered(&in, "2026-11-25T10:00:00Z", false);
    offered(&in, "2026-11-25T11:30:00Z", false);
    offered(&in, "2026-11-25T12:00:00Z", false);
    tz_free(tz);
}

Test(slots, candidates_step_from_window_start)
{
    struct tz *tz = open_ok("UTC");
    const struct weekly_window w1[] = {{WED, HM(9, 15), HM(12, 0)}};
    struct slot_input in = input(tz, w1, N(w1), 60, 60, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z");
    EXPECT(&in, 0, "2026-11-25T09:15:00Z", "2026-11-25T10:15:00Z");
    offered(&in, "2026-11-25T10:00:00Z", false);

    const struct weekly_window w2[] = {{WED, HM(9, 0), HM(11, 50)}};
    in = input(tz, w2, N(w2), 60, 60, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z");
    EXPECT(&in, 0, "2026-11-25T09:00:00Z", "2026-11-25T10:00:00Z");

    /* A window shorter than the duration offers nothing. */
    const struct weekly_window w3[] = {{WED, HM(9, 0), HM(9, 45)}};
    in = input(tz, w3, N(w3), 60, 60, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z");
    expect_none(&in);

    /* A window exactly one duration long offers one slot. */
    const struct weekly_window w4[] = {{WED, HM(9, 0), HM(10, 0)}};
    in = input(tz, w4, N(w4), 60, 15, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z");
    EXPECT(&in, 0, "2026-11-25T09:00:00Z");
    tz_free(tz);
}

Test(slots, no_windows_no_slots)
{
    struct tz *tz = open_ok("UTC");
    struct slot_input in = input(tz, NULL, 0, 60, 60, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z");
    expect_none(&in);
    offered(&in, "2026-11-25T09:00:00Z", false);
    tz_free(tz);
}

/* ---- busy spans (other bookings) and buffers ---- */

static const struct weekly_window WED_9_17[] = {{WED, HM(9, 0), HM(17, 0)}};

static struct slot_input wed_9_17(const struct tz *tz)
{
    return input(tz, WED_9_17, N(WED_9_17), 60, 60, "2026-11-25T00:00:00Z", "2026-11-26T00:00:00Z");
}

Test(slots, busy_half_open_no_buffers)
{
    struct tz *tz = open_ok("UTC");
    const struct span busy[] = {{Z("2026-11-25T12:00:00Z"), Z("2026-11-25T13:00:00Z")}};
    struct slot_input in = wed_9_17(tz);
    in.busy = busy;
    in.n_busy = N(busy);
    /* 11:00-12:00 and 13:00-14:00 only touch the busy span. */
    EXPECT(&in, 0, "2026-11-25T09:00:00Z", "2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z",
           "2026-11-25T13:00:00Z", "2026-11-25T14:00:00Z", "2026-11-25T15:00:00Z", "2026-11-25T16:00:00Z");
    offered(&in, "2026-11-25T12:00:00Z", false);
    tz_free(tz);
}

Test(slots, busy_span_is_taken_as_given)
{
    /* A booking 12:00-13:00 with its own buffers of 30 min before and after:
     * its busy span is [11:30, 13:30). The candidate has no buffers. */
    struct tz *tz = open_ok("UTC");
    const struct span busy[] = {{Z("2026-11-25T11:30:00Z"), Z("2026-11-25T13:30:00Z")}};
    struct slot_input in = wed_9_17(tz);
    in.busy = busy;
    in.n_busy = N(busy);
    EXPECT(&in, 0, "2026-11-25T09:00:00Z", "2026-11-25T10:00:00Z", "2026-11-25T14:00:00Z",
           "2026-11-25T15:00:00Z", "2026-11-25T16:00:00Z");
    tz_free(tz);
}

Test(slots, candidate_buffer_after)
{
    /* [s, e + 60 min) against busy [12:00, 13:00). */
    struct tz *tz = open_ok("UTC");
    const struct span busy[] = {{Z("2026-11-25T12:00:00Z"), Z("2026-11-25T13:00:00Z")}};
    struct slot_input in = wed_9_17(tz);
    in.busy = busy;
    in.n_busy = N(busy);
    in.rules.buffer_after_min = 60;
    /* 10:00 -> [10:00, 12:00) touches; 11:00 -> [11:00, 13:00) overlaps. */
    EXPECT(&in, 0, "2026-11-25T09:00:00Z", "2026-11-25T10:00:00Z", "2026-11-25T13:00:00Z",
           "2026-11-25T14:00:00Z", "2026-11-25T15:00:00Z", "2026-11-25T16:00:00Z");
    offered(&in, "2026-11-25T11:00:00Z", false);
    tz_free(tz);
}

Test(slots, candidate_buffer_before)
{
    /* [s - 60 min, e) against busy [12:00, 13:00). */
    struct tz *tz = open_ok("UTC");
    const struct span busy[] = {{Z("2026-11-25T12:00:00Z"), Z("2026-11-25T13:00:00Z")}};
    struct slot_input in = wed_9_17(tz);
    in.busy = busy;
    in.n_busy = N(busy);
    in.rules.buffer_before_min = 60;
    /* 13:00 -> [12:00, 14:00) overlaps; 14:00 -> [13:00, 15:00) touches. */
    EXPECT(&in, 0, "2026-11-25T09:00:00Z", "2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z",
           "2026-11-25T14:00:00Z", "2026-11-25T15:00:00Z", "2026-11-25T16:00:00Z");
    offered(&in, "2026-11-25T13:00:00Z", false);
    tz_free(tz);
}

Test(slots, candidate_buffers_both_sides)
{
    struct tz *tz = open_ok("UTC");
    const struct span busy[] = {{Z("2026-11-25T12:00:00Z"), Z("2026-11-25T13:00:00Z")}};
    struct slot_input in = wed_9_17(tz);
    in.busy = busy;
    in.n_busy = N(busy);
    in.rules.buffer_before_min = 60;
    in.rules.buffer_after_min = 60;
    EXPECT(&in, 0, "2026-11-25T09:00:00Z", "2026-11-25T10:00:00Z", "2026-11-25T14:00:00Z",
           "2026-11-25T15:00:00Z", "2026-11-25T16:00:00Z");

    /* 15 before, 30 after: [s - 15, s + 90) overlaps [12:00, 13:00) iff 10:30 < s < 13:15. */
    in.rules.buffer_before_min = 15;
    in.rules.buffer_after_min = 30;
    EXPECT(&in, 0, "2026-11-25T09:00:00Z", "2026-11-25T10:00:00Z", "2026-11-25T14:00:00Z",
           "2026-11-25T15:00:00Z", "2026-11-25T16:00:00Z");

    /* Same buffers, 30-minute grid: 10:30 -> [10:15, 12:00) touches; 13:30 -> [13:15, 15:00) free. */
    in.rules.interval_min = 30;
    const struct weekly_window w[] = {{WED, HM(10, 0), HM(15, 0)}};
    in.windows = w;
    in.n_windows = N(w);
    EXPECT(&in, 0, "2026-11-25T10:00:00Z", "2026-11-25T10:30:00Z", "2026-11-25T13:30:00Z",
           "2026-11-25T14:00:00Z");
    tz_free(tz);
}

Test(slots, several_busy_spans_unsorted)
{
    struct tz *tz = open_ok("UTC");
    const struct span busy[] = {
        {Z("2026-11-25T15:00:00Z"), Z("2026-11-25T15:30:00Z")},
        {Z("2026-11-25T09:30:00Z"), Z("2026-11-25T09:45:00Z")},
        {Z("2026-11-24T09:00:00Z"), Z("2026-11-24T17:00:00Z")}, /* another day */
    };
    struct slot_input in = wed_9_17(tz);
    in.busy = busy;
    in.n_busy = N(busy);
    EXPECT(&in, 0, "2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z", "2026-11-25T12:00:00Z",
           "2026-11-25T13:00:00Z", "2026-11-25T14:00:00Z", "2026-11-25T16:00:00Z");
    tz_free(tz);
}

/* ---- time off ---- */

static const struct weekly_window WED_9_12[] = {{WED, HM(9, 0), HM(12, 0)}};

static struct slot_input wed_9_12(const struct tz *tz)
{
    return input(tz, WED_9_12, N(WED_9_12), 60, 60, "2026-11-25T00:00:00Z", "2026-11-26T00:00:00Z");
}

Test(slots, time_off_half_open)
{
    struct tz *tz = open_ok("UTC");
    struct slot_input in = wed_9_12(tz);

    /* Ends exactly at 10:00: the 10:00 slot is free. */
    const struct span off1[] = {{Z("2026-11-25T08:00:00Z"), Z("2026-11-25T10:00:00Z")}};
    in.time_off = off1;
    in.n_time_off = N(off1);
    EXPECT(&in, 0, "2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z");
    offered(&in, "2026-11-25T09:00:00Z", false);

    /* One second less than that still blocks only 09:00. */
    const struct span off2[] = {{Z("2026-11-25T08:00:00Z"), Z("2026-11-25T09:59:59Z")}};
    in.time_off = off2;
    EXPECT(&in, 0, "2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z");

    /* One second more blocks 10:00 too. */
    const struct span off3[] = {{Z("2026-11-25T08:00:00Z"), Z("2026-11-25T10:00:01Z")}};
    in.time_off = off3;
    EXPECT(&in, 0, "2026-11-25T11:00:00Z");

    /* Starts exactly at 11:00 (the end of the 10:00 slot). */
    const struct span off4[] = {{Z("2026-11-25T11:00:00Z"), Z("2026-11-25T12:00:00Z")}};
    in.time_off = off4;
    EXPECT(&in, 0, "2026-11-25T09:00:00Z", "2026-11-25T10:00:00Z");

    /* A one-second time off blocks the slot it falls into. */
    const struct span off5[] = {{Z("2026-11-25T10:59:59Z"), Z("2026-11-25T11:00:00Z")}};
    in.time_off = off5;
    EXPECT(&in, 0, "2026-11-25T09:00:00Z", "2026-11-25T11:00:00Z");
    tz_free(tz);
}

Test(slots, time_off_ignores_buffers)
{
    /* Rule 2 uses [s, e) only: the service's buffers do not widen it. */
    struct tz *tz = open_ok("UTC");
    struct slot_input in = wed_9_12(tz);
    in.rules.buffer_before_min = 60;
    in.rules.buffer_after_min = 60;
    const struct span off[] = {{Z("2026-11-25T10:00:00Z"), Z("2026-11-25T11:00:00Z")}};
    in.time_off = off;
    in.n_time_off = N(off);
    EXPECT(&in, 0, "2026-11-25T09:00:00Z", "2026-11-25T11:00:00Z");
    tz_free(tz);
}

Test(slots, time_off_over_several_days)
{
    struct tz *tz = open_ok("UTC");
    struct slot_input in =
        input(tz, WEEKDAYS_9_12, N(WEEKDAYS_9_12), 60, 60, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z");
    const struct span off[] = {{Z("2026-11-23T10:30:00Z"), Z("2026-11-25T09:30:00Z")}};
    in.time_off = off;
    in.n_time_off = N(off);
    EXPECT(&in, 0, "2026-11-23T09:00:00Z", "2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z",
           "2026-11-26T09:00:00Z", "2026-11-26T10:00:00Z", "2026-11-26T11:00:00Z", "2026-11-27T09:00:00Z",
           "2026-11-27T10:00:00Z", "2026-11-27T11:00:00Z");
    tz_free(tz);
}

/* ---- notice and horizon ---- */

Test(slots, min_notice_edge)
{
    struct tz *tz = open_ok("UTC");
    struct slot_input in = wed_9_12(tz);
    in.rules.min_notice_min = 60;

    /* now + notice = 09:00 exactly: 09:00 is offered. */
    in.now = Z("2026-11-25T08:00:00Z");
    EXPECT(&in, 0, "2026-11-25T09:00:00Z", "2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z");
    offered(&in, "2026-11-25T09:00:00Z", true);

    /* now + notice = 09:00:01: 09:00 is one second too soon. */
    in.now = Z("2026-11-25T08:00:01Z");
    EXPECT(&in, 0, "2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z");
    offered(&in, "2026-11-25T09:00:00Z", false);

    /* Without notice, a slot starting exactly now is offered; one already started is not. */
    in.rules.min_notice_min = 0;
    in.now = Z("2026-11-25T10:00:00Z");
    EXPECT(&in, 0, "2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z");
    in.now = Z("2026-11-25T09:59:59Z");
    EXPECT(&in, 0, "2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z");
    in.now = Z("2026-11-25T10:00:01Z");
    EXPECT(&in, 0, "2026-11-25T11:00:00Z");
    offered(&in, "2026-11-25T10:00:00Z", false);
    tz_free(tz);
}

Test(slots, max_advance_edge)
{
    struct tz *tz = open_ok("UTC");
    const struct weekly_window w[] = {{WED, HM(9, 0), HM(12, 0)}, {THU, HM(9, 0), HM(12, 0)}};
    struct slot_input in = input(tz, w, N(w), 60, 60, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z");
    in.rules.max_advance_days = 1;

    /* now + 1 day = thursday 10:00 exactly: offered; 11:00 is beyond. */
    in.now = Z("2026-11-25T10:00:00Z");
    EXPECT(&in, 0, "2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z", "2026-11-26T09:00:00Z",
           "2026-11-26T10:00:00Z");
    offered(&in, "2026-11-26T10:00:00Z", true);
    offered(&in, "2026-11-26T11:00:00Z", false);

    /* now + 1 day = thursday 09:59:59: 10:00 is one second beyond. */
    in.now = Z("2026-11-25T09:59:59Z");
    EXPECT(&in, 0, "2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z", "2026-11-26T09:00:00Z");
    offered(&in, "2026-11-26T10:00:00Z", false);

    /* Notice and horizon together. */
    in.now = Z("2026-11-25T08:30:00Z");
    in.rules.min_notice_min = 90; /* >= 10:00 */
    in.rules.max_advance_days = 1; /* <= thursday 08:30 */
    EXPECT(&in, 0, "2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z");
    tz_free(tz);
}

Test(slots, horizon_730_days)
{
    struct tz *tz = open_ok("UTC");
    const struct weekly_window w[] = {{FRI, HM(0, 0), HM(1, 0)}};
    /* now = 2026-01-02T00:00Z (a friday); now + 730 days = 2028-01-02T00:00Z (a sunday). */
    struct slot_input in = input(tz, w, N(w), 60, 60, "2027-12-20T00:00:00Z", "2028-01-20T00:00:00Z");
    in.now = Z("2026-01-02T00:00:00Z");
    EXPECT(&in, 0, "2027-12-24T00:00:00Z", "2027-12-31T00:00:00Z");
    in.now = Z("2026-01-02T00:00:00Z") - 1; /* horizon 2028-01-01T23:59:59Z: unchanged */
    EXPECT(&in, 0, "2027-12-24T00:00:00Z", "2027-12-31T00:00:00Z");
    in.now = Z("2025-12-31T00:00:00Z") + 1; /* horizon 2027-12-31T00:00:01Z... */
    in.rules.max_advance_days = 730;
    EXPECT(&in, 0, "2027-12-24T00:00:00Z", "2027-12-31T00:00:00Z");
    in.now = Z("2025-12-31T00:00:00Z") - 1; /* horizon 2027-12-30T23:59:59Z */
    EXPECT(&in, 0, "2027-12-24T00:00:00Z");
    tz_free(tz);
}

/* ---- windows ending at 24:00 ---- */

Test(slots, window_ending_at_midnight_utc)
{
    struct tz *tz = open_ok("UTC");
    const struct weekly_window w[] = {{WED, HM(22, 0), 1440}, {THU, HM(0, 0), HM(1, 0)}};
    struct slot_input in = input(tz, w, N(w), 60, 60, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z");
    EXPECT(&in, 0, "2026-11-25T22:00:00Z", "2026-11-25T23:00:00Z", "2026-11-26T00:00:00Z");
    tz_free(tz);
}

Test(slots, window_ending_at_midnight_berlin)
{
    struct tz *tz = open_ok("Europe/Berlin");
    const struct weekly_window w[] = {{WED, HM(22, 0), 1440}};
    struct slot_input in = input(tz, w, N(w), 60, 30, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z");
    /* CET: 22:00 = 21:00Z, 24:00 = 23:00Z. */
    EXPECT(&in, 0, "2026-11-25T21:00:00Z", "2026-11-25T21:30:00Z", "2026-11-25T22:00:00Z");
    tz_free(tz);
}

Test(slots, window_24h)
{
    struct tz *tz = open_ok("Asia/Kolkata");
    const struct weekly_window w[] = {{WED, 0, 1440}};
    struct slot_input in = input(tz, w, N(w), 240, 240, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z");
    /* 2026-11-25 00:00 IST = 2026-11-24T18:30Z; six 4-hour slots. */
    EXPECT(&in, 0, "2026-11-24T18:30:00Z", "2026-11-24T22:30:00Z", "2026-11-25T02:30:00Z",
           "2026-11-25T06:30:00Z", "2026-11-25T10:30:00Z", "2026-11-25T14:30:00Z");
    tz_free(tz);
}

/* ---- America/New_York ---- */

static const struct weekly_window SUN_0_4[] = {{SUN, HM(0, 0), HM(4, 0)}};

Test(slots, new_york_normal_sunday)
{
    struct tz *tz = open_ok("America/New_York");
    /* 2027-03-07: EST all day, 00:00-04:00 = 05:00Z-09:00Z. */
    struct slot_input in = input(tz, SUN_0_4, N(SUN_0_4), 60, 60, "2027-03-07T00:00:00Z", "2027-03-08T00:00:00Z");
    EXPECT(&in, 0, "2027-03-07T05:00:00Z", "2027-03-07T06:00:00Z", "2027-03-07T07:00:00Z",
           "2027-03-07T08:00:00Z");
    /* 2027-11-14: EST. */
    in.from = Z("2027-11-14T00:00:00Z");
    in.to = Z("2027-11-15T00:00:00Z");
    EXPECT(&in, 0, "2027-11-14T05:00:00Z", "2027-11-14T06:00:00Z", "2027-11-14T07:00:00Z",
           "2027-11-14T08:00:00Z");
    tz_free(tz);
}

Test(slots, new_york_spring_forward)
{
    struct tz *tz = open_ok("America/New_York");
    /* 2027-03-14: ws = 00:00 EST = 05:00Z, we = 04:00 EDT = 08:00Z: three real hours. */
    struct slot_input in = input(tz, SUN_0_4, N(SUN_0_4), 60, 60, "2027-03-13T00:00:00Z", "2027-03-16T00:00:00Z");
    EXPECT(&in, 0, "2027-03-14T05:00:00Z", "2027-03-14T06:00:00Z", "2027-03-14T07:00:00Z");
    offered(&in, "2027-03-14T08:00:00Z", false);

    in.rules.interval_min = 30;
    EXPECT(&in, 0, "2027-03-14T05:00:00Z", "2027-03-14T05:30:00Z", "2027-03-14T06:00:00Z",
           "2027-03-14T06:30:00Z", "2027-03-14T07:00:00Z");
    tz_free(tz);
}

Test(slots, new_york_fall_back)
{
    struct tz *tz = open_ok("America/New_York");
    /* 2027-11-07: ws = 00:00 EDT = 04:00Z, we = 04:00 EST = 09:00Z: five real hours. */
    struct slot_input in = input(tz, SUN_0_4, N(SUN_0_4), 60, 60, "2027-11-06T00:00:00Z", "2027-11-09T00:00:00Z");
    EXPECT(&in, 0, "2027-11-07T04:00:00Z", "2027-11-07T05:00:00Z", "2027-11-07T06:00:00Z",
           "2027-11-07T07:00:00Z", "2027-11-07T08:00:00Z");

    in.rules.duration_min = 90;
    in.rules.interval_min = 90;
    EXPECT(&in, 0, "2027-11-07T04:00:00Z", "2027-11-07T05:30:00Z", "2027-11-07T07:00:00Z");
    tz_free(tz);
}

Test(slots, new_york_window_starting_or_ending_in_gap)
{
    struct tz *tz = open_ok("America/New_York");
    /* 02:30 does not exist on 2027-03-14: it becomes 03:30 EDT = 07:30Z. */
    const struct weekly_window w1[] = {{SUN, HM(2, 30), HM(5, 0)}};
    struct slot_input in = input(tz, w1, N(w1), 30, 30, "2027-03-14T00:00:00Z", "2027-03-15T00:00:00Z");
    /* ws = 07:30Z, we = 05:00 EDT = 09:00Z. */
    EXPECT(&in, 0, "2027-03-14T07:30:00Z", "2027-03-14T08:00:00Z", "2027-03-14T08:30:00Z");
    in.rules.duration_min = 60;
    in.rules.interval_min = 60;
    EXPECT(&in, 0, "2027-03-14T07:30:00Z");

    /* ws = 00:00 EST = 05:00Z, we = 02:30 -> 03:30 EDT = 07:30Z. */
    const struct weekly_window w2[] = {{SUN, HM(0, 0), HM(2, 30)}};
    in = input(tz, w2, N(w2), 30, 30, "2027-03-14T00:00:00Z", "2027-03-15T00:00:00Z");
    EXPECT(&in, 0, "2027-03-14T05:00:00Z", "2027-03-14T05:30:00Z", "2027-03-14T06:00:00Z",
           "2027-03-14T06:30:00Z", "2027-03-14T07:00:00Z");
    in.rules.duration_min = 60;
    in.rules.interval_min = 60;
    EXPECT(&in, 0, "2027-03-14T05:00:00Z", "2027-03-14T06:00:00Z");
    tz_free(tz);
}

Test(slots, new_york_gap_windows_overlap_in_real_time_no_duplicates)
{
    /* On 2027-03-14, [01:00, 02:30) is [06:00Z, 07:30Z) and [03:00, 04:00) is
     * [07:00Z, 08:00Z): both produce 07:00Z, which must be listed once. */
    struct tz *tz = open_ok("America/New_York");
    const struct weekly_window w[] = {{SUN, HM(1, 0), HM(2, 30)}, {SUN, HM(3, 0), HM(4, 0)}};
    struct slot_input in = input(tz, w, N(w), 30, 30, "2027-03-14T00:00:00Z", "2027-03-15T00:00:00Z");
    EXPECT(&in, 0, "2027-03-14T06:00:00Z", "2027-03-14T06:30:00Z", "2027-03-14T07:00:00Z",
           "2027-03-14T07:30:00Z");
    tz_free(tz);
}

Test(slots, new_york_window_in_repeated_hour)
{
    struct tz *tz = open_ok("America/New_York");
    /* 2027-11-07: 01:00 -> 01:00 EDT = 05:00Z (earlier); 02:00 EST = 07:00Z. */
    const struct weekly_window w1[] = {{SUN, HM(1, 0), HM(2, 0)}};
    struct slot_input in = input(tz, w1, N(w1), 60, 60, "2027-11-07T00:00:00Z", "2027-11-08T00:00:00Z");
    EXPECT(&in, 0, "2027-11-07T05:00:00Z", "2027-11-07T06:00:00Z");

    /* 01:30 -> 05:30Z (EDT); 03:00 EST = 08:00Z. */
    const struct weekly_window w2[] = {{SUN, HM(1, 30), HM(3, 0)}};
    in = input(tz, w2, N(w2), 30, 30, "2027-11-07T00:00:00Z", "2027-11-08T00:00:00Z");
    EXPECT(&in, 0, "2027-11-07T05:30:00Z", "2027-11-07T06:00:00Z", "2027-11-07T06:30:00Z",
           "2027-11-07T07:00:00Z", "2027-11-07T07:30:00Z");
    tz_free(tz);
}

Test(slots, new_york_local_day_differs_from_utc_day)
{
    /* Saturday 2027-01-09 22:00-24:00 EST = 2027-01-10T03:00Z-05:00Z (a sunday in UTC). */
    struct tz *tz = open_ok("America/New_York");
    const struct weekly_window w[] = {{SAT, HM(22, 0), 1440}};
    struct slot_input in = input(tz, w, N(w), 60, 60, "2027-01-10T00:00:00Z", "2027-01-11T00:00:00Z");
    EXPECT(&in, 0, "2027-01-10T03:00:00Z", "2027-01-10T04:00:00Z");
    /* The UTC saturday holds none of them. */
    in.from = Z("2027-01-09T00:00:00Z");
    in.to = Z("2027-01-10T00:00:00Z");
    expect_none(&in);
    tz_free(tz);
}

/* ---- Europe/Berlin ---- */

Test(slots, berlin_winter_summer_and_transitions)
{
    struct tz *tz = open_ok("Europe/Berlin");
    const struct weekly_window w[] = {{MON, HM(9, 0), HM(12, 0)}, {SUN, HM(1, 0), HM(4, 0)}};
    /* Monday 2027-01-04 (CET). */
    struct slot_input in = input(tz, w, N(w), 60, 60, "2027-01-04T00:00:00Z", "2027-01-05T00:00:00Z");
    EXPECT(&in, 0, "2027-01-04T08:00:00Z", "2027-01-04T09:00:00Z", "2027-01-04T10:00:00Z");
    /* Monday 2027-07-05 (CEST). */
    in.from = Z("2027-07-05T00:00:00Z");
    in.to = Z("2027-07-06T00:00:00Z");
    EXPECT(&in, 0, "2027-07-05T07:00:00Z", "2027-07-05T08:00:00Z", "2027-07-05T09:00:00Z");
    /* Sunday 2027-03-28: 01:00 CET = 00:00Z, 04:00 CEST = 02:00Z. */
    in.from = Z("2027-03-27T00:00:00Z");
    in.to = Z("2027-03-29T00:00:00Z");
    EXPECT(&in, 0, "2027-03-28T00:00:00Z", "2027-03-28T01:00:00Z");
    /* Sunday 2027-10-31: 01:00 CEST = 2027-10-30T23:00Z, 04:00 CET = 03:00Z. */
    in.from = Z("2027-10-30T00:00:00Z");
    in.to = Z("2027-11-01T00:00:00Z");
    EXPECT(&in, 0, "2027-10-30T23:00:00Z", "2027-10-31T00:00:00Z", "2027-10-31T01:00:00Z",
           "2027-10-31T02:00:00Z");
    tz_free(tz);
}

/* ---- Europe/Dublin (negative DST in tzdata) ---- */

Test(slots, dublin)
{
    struct tz *tz = open_ok("Europe/Dublin");
    const struct weekly_window w[] = {{MON, HM(9, 0), HM(12, 0)}, {SUN, HM(0, 0), HM(3, 0)}};
    /* Winter is +0. */
    struct slot_input in = input(tz, w, N(w), 60, 60, "2027-01-04T00:00:00Z", "2027-01-05T00:00:00Z");
    EXPECT(&in, 0, "2027-01-04T09:00:00Z", "2027-01-04T10:00:00Z", "2027-01-04T11:00:00Z");
    /* Summer is +1. */
    in.from = Z("2027-07-05T00:00:00Z");
    in.to = Z("2027-07-06T00:00:00Z");
    EXPECT(&in, 0, "2027-07-05T08:00:00Z", "2027-07-05T09:00:00Z", "2027-07-05T10:00:00Z");
    /* Sunday 2027-03-28: 00:00 GMT = 00:00Z, 03:00 IST = 02:00Z. */
    in.from = Z("2027-03-27T00:00:00Z");
    in.to = Z("2027-03-29T00:00:00Z");
    EXPECT(&in, 0, "2027-03-28T00:00:00Z", "2027-03-28T01:00:00Z");
    /* Sunday 2027-10-31: 00:00 IST = 2027-10-30T23:00Z, 03:00 GMT = 03:00Z. */
    in.from = Z("2027-10-30T00:00:00Z");
    in.to = Z("2027-11-01T00:00:00Z");
    EXPECT(&in, 0, "2027-10-30T23:00:00Z", "2027-10-31T00:00:00Z", "2027-10-31T01:00:00Z",
           "2027-10-31T02:00:00Z");
    tz_free(tz);
}

/* ---- America/Havana (the gap and the overlap are at midnight) ---- */

Test(slots, havana_midnight_gap)
{
    struct tz *tz = open_ok("America/Havana");
    const struct weekly_window w[] = {{SAT, HM(22, 0), 1440}, {SUN, HM(0, 0), HM(3, 0)}};
    /* Saturday 2027-03-13: 22:00 CST = 03:00Z, 24:00 = 00:00 of 03-14 -> 01:00 CDT = 05:00Z.
     * Sunday 2027-03-14: 00:00 -> 01:00 CDT = 05:00Z, 03:00 CDT = 07:00Z. */
    struct slot_input in = input(tz, w, N(w), 60, 60, "2027-03-13T00:00:00Z", "2027-03-15T12:00:00Z");
    EXPECT(&in, 0, "2027-03-14T03:00:00Z", "2027-03-14T04:00:00Z", "2027-03-14T05:00:00Z",
           "2027-03-14T06:00:00Z");
    tz_free(tz);
}

Test(slots, havana_midnight_overlap)
{
    struct tz *tz = open_ok("America/Havana");
    const struct weekly_window w[] = {{SAT, HM(22, 0), 1440}, {SUN, HM(0, 0), HM(3, 0)}};
    /* Saturday 2027-11-06: 22:00 CDT = 02:00Z, 24:00 -> 00:00 CDT (earlier) = 04:00Z.
     * Sunday 2027-11-07: 00:00 CDT = 04:00Z, 03:00 CST = 08:00Z. */
    struct slot_input in = input(tz, w, N(w), 60, 60, "2027-11-06T00:00:00Z", "2027-11-08T12:00:00Z");
    EXPECT(&in, 0, "2027-11-07T02:00:00Z", "2027-11-07T03:00:00Z", "2027-11-07T04:00:00Z",
           "2027-11-07T05:00:00Z", "2027-11-07T06:00:00Z", "2027-11-07T07:00:00Z");
    tz_free(tz);
}

/* ---- Asia/Kolkata (+05:30) ---- */

Test(slots, kolkata)
{
    struct tz *tz = open_ok("Asia/Kolkata");
    const struct weekly_window w[] = {{MON, HM(0, 0), HM(1, 0)}, {MON, HM(9, 0), HM(12, 0)}};
    /* Monday 2027-01-04: 00:00 IST = 2027-01-03T18:30Z; 09:00 IST = 03:30Z. */
    struct slot_input in = input(tz, w, N(w), 60, 60, "2027-01-03T00:00:00Z", "2027-01-05T00:00:00Z");
    EXPECT(&in, 0, "2027-01-03T18:30:00Z", "2027-01-04T03:30:00Z", "2027-01-04T04:30:00Z",
           "2027-01-04T05:30:00Z");
    in.from = Z("2027-01-04T00:00:00Z");
    EXPECT(&in, 0, "2027-01-04T03:30:00Z", "2027-01-04T04:30:00Z", "2027-01-04T05:30:00Z");
    offered(&in, "2027-01-03T18:30:00Z", true); /* from/to do not matter here */
    tz_free(tz);
}

/* ---- Australia/Lord_Howe (30-minute DST) ---- */

Test(slots, lord_howe_spring_forward)
{
    struct tz *tz = open_ok("Australia/Lord_Howe");
    const struct weekly_window w[] = {{SUN, HM(1, 0), HM(4, 0)}};
    /* Sunday 2027-10-03: 01:00 +10:30 = 2027-10-02T14:30Z, 04:00 +11 = 17:00Z (2.5 h). */
    struct slot_input in = input(tz, w, N(w), 60, 60, "2027-10-02T00:00:00Z", "2027-10-04T00:00:00Z");
    EXPECT(&in, 0, "2027-10-02T14:30:00Z", "2027-10-02T15:30:00Z");
    in.rules.duration_min = 30;
    in.rules.interval_min = 30;
    EXPECT(&in, 0, "2027-10-02T14:30:00Z", "2027-10-02T15:00:00Z", "2027-10-02T15:30:00Z",
           "2027-10-02T16:00:00Z", "2027-10-02T16:30:00Z");

    /* A window starting in the gap: 02:15 -> 02:45 +11 = 15:45Z; 03:00 +11 = 16:00Z. */
    const struct weekly_window w2[] = {{SUN, HM(2, 15), HM(3, 0)}};
    in = input(tz, w2, N(w2), 15, 15, "2027-10-02T00:00:00Z", "2027-10-04T00:00:00Z");
    EXPECT(&in, 0, "2027-10-02T15:45:00Z");
    tz_free(tz);
}

Test(slots, lord_howe_fall_back)
{
    struct tz *tz = open_ok("Australia/Lord_Howe");
    const struct weekly_window w[] = {{SUN, HM(1, 0), HM(4, 0)}};
    /* Sunday 2027-04-04: 01:00 +11 = 2027-04-03T14:00Z, 04:00 +10:30 = 17:30Z (3.5 h). */
    struct slot_input in = input(tz, w, N(w), 60, 60, "2027-04-03T00:00:00Z", "2027-04-05T00:00:00Z");
    EXPECT(&in, 0, "2027-04-03T14:00:00Z", "2027-04-03T15:00:00Z", "2027-04-03T16:00:00Z");
    in.rules.duration_min = 30;
    in.rules.interval_min = 30;
    EXPECT(&in, 0, "2027-04-03T14:00:00Z", "2027-04-03T14:30:00Z", "2027-04-03T15:00:00Z",
           "2027-04-03T15:30:00Z", "2027-04-03T16:00:00Z", "2027-04-03T16:30:00Z", "2027-04-03T17:00:00Z");

    /* A window starting in the repeated half hour: 01:45 -> 01:45 +11 (earlier) = 14:45Z. */
    const struct weekly_window w2[] = {{SUN, HM(1, 45), HM(2, 30)}};
    /* we = 02:30 +10:30 = 16:00Z. */
    in = input(tz, w2, N(w2), 30, 30, "2027-04-03T00:00:00Z", "2027-04-05T00:00:00Z");
    EXPECT(&in, 0, "2027-04-03T14:45:00Z", "2027-04-03T15:15:00Z");
    tz_free(tz);
}

/* ---- America/Mexico_City (no DST since 2022: UTC-6 all of 2027) ---- */

Test(slots, mexico_city_2027)
{
    struct tz *tz = open_ok("America/Mexico_City");
    const struct weekly_window w[] = {{MON, HM(9, 0), HM(12, 0)}, {SUN, HM(1, 0), HM(4, 0)}};
    /* Sunday 2027-04-04 (the old DST start day): 01:00-04:00 = 07:00Z-10:00Z. */
    struct slot_input in = input(tz, w, N(w), 60, 60, "2027-04-04T00:00:00Z", "2027-04-06T00:00:00Z");
    EXPECT(&in, 0, "2027-04-04T07:00:00Z", "2027-04-04T08:00:00Z", "2027-04-04T09:00:00Z",
           "2027-04-05T15:00:00Z", "2027-04-05T16:00:00Z", "2027-04-05T17:00:00Z");
    /* Monday 2027-07-05: still UTC-6. */
    in.from = Z("2027-07-05T00:00:00Z");
    in.to = Z("2027-07-06T00:00:00Z");
    EXPECT(&in, 0, "2027-07-05T15:00:00Z", "2027-07-05T16:00:00Z", "2027-07-05T17:00:00Z");
    /* Sunday 2027-10-31 (the old DST end day): 01:00-04:00 = 07:00Z-10:00Z. */
    in.from = Z("2027-10-31T00:00:00Z");
    in.to = Z("2027-11-01T00:00:00Z");
    EXPECT(&in, 0, "2027-10-31T07:00:00Z", "2027-10-31T08:00:00Z", "2027-10-31T09:00:00Z");
    tz_free(tz);
}

/* ---- max, from/to, order, appending ---- */

Test(slots, max_limit)
{
    struct tz *tz = open_ok("UTC");
    struct slot_input in =
        input(tz, WEEKDAYS_9_12, N(WEEKDAYS_9_12), 60, 60, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z");
    EXPECT(&in, 1, "2026-11-23T09:00:00Z");
    EXPECT(&in, 4, "2026-11-23T09:00:00Z", "2026-11-23T10:00:00Z", "2026-11-23T11:00:00Z",
           "2026-11-24T09:00:00Z");
    /* Three slots after a given instant, as next_slots does. */
    in.from = Z("2026-11-25T10:00:01Z");
    EXPECT(&in, 3, "2026-11-25T11:00:00Z", "2026-11-26T09:00:00Z", "2026-11-26T10:00:00Z");

    in.from = Z("2026-11-23T00:00:00Z");
    struct slot_list out = {0};
    cr_assert_eq(slots_compute(&in, 15, &out), 0);
    cr_assert_eq(out.n, 15u);
    slot_list_release(&out);
    cr_assert_eq(slots_compute(&in, 100, &out), 0);
    cr_assert_eq(out.n, 15u);
    slot_list_release(&out);
    tz_free(tz);
}

Test(slots, from_to_filtering)
{
    struct tz *tz = open_ok("UTC");
    struct slot_input in = wed_9_12(tz);
    /* from is inclusive. */
    in.from = Z("2026-11-25T10:00:00Z");
    in.to = Z("2026-11-25T11:00:00Z");
    EXPECT(&in, 0, "2026-11-25T10:00:00Z"); /* to is exclusive */
    in.from = Z("2026-11-25T10:00:01Z");
    in.to = Z("2026-11-25T11:00:01Z");
    EXPECT(&in, 0, "2026-11-25T11:00:00Z");
    /* A slot that started before from is not listed, even though it is still running. */
    in.from = Z("2026-11-25T09:30:00Z");
    in.to = Z("2026-11-26T00:00:00Z");
    EXPECT(&in, 0, "2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z");
    /* Empty and inverted ranges. */
    in.from = Z("2026-11-25T10:00:00Z");
    in.to = Z("2026-11-25T10:00:00Z");
    expect_none(&in);
    in.from = Z("2026-11-26T00:00:00Z");
    in.to = Z("2026-11-25T00:00:00Z");
    expect_none(&in);
    /* slots_is_offered ignores from and to. */
    offered(&in, "2026-11-25T09:00:00Z", true);
    offered(&in, "2026-12-02T11:00:00Z", true);
    tz_free(tz);
}

Test(slots, ascending_without_repeats_from_unsorted_windows)
{
    struct tz *tz = open_ok("UTC");
    const struct weekly_window w[] = {
        {FRI, HM(14, 0), HM(16, 0)},
        {MON, HM(9, 0), HM(10, 0)},
        {WED, HM(13, 0), HM(14, 0)},
        {WED, HM(9, 0), HM(11, 0)},
    };
    struct slot_input in = input(tz, w, N(w), 60, 60, "2026-11-23T00:00:00Z", "2026-12-07T00:00:00Z");
    EXPECT(&in, 0, "2026-11-23T09:00:00Z", "2026-11-25T09:00:00Z", "2026-11-25T10:00:00Z",
           "2026-11-25T13:00:00Z", "2026-11-27T14:00:00Z", "2026-11-27T15:00:00Z", "2026-11-30T09:00:00Z",
           "2026-12-02T09:00:00Z", "2026-12-02T10:00:00Z", "2026-12-02T13:00:00Z", "2026-12-04T14:00:00Z",
           "2026-12-04T15:00:00Z");
    tz_free(tz);
}

Test(slots, ascending_over_many_weeks)
{
    struct tz *tz = open_ok("America/New_York");
    const struct weekly_window w[] = {
        {SUN, HM(0, 0), HM(4, 0)}, {SAT, HM(22, 0), 1440}, {MON, HM(9, 0), HM(17, 0)}, {FRI, HM(1, 0), HM(3, 0)}};
    struct slot_input in = input(tz, w, N(w), 45, 15, "2027-01-01T00:00:00Z", "2027-12-31T00:00:00Z");
    struct slot_list out = {0};
    cr_assert_eq(slots_compute(&in, 0, &out), 0);
    cr_assert_gt(out.n, 1000u);
    for (size_t i = 1; i < out.n; i++) {
        char a[32], b[32];
        cr_assert_lt(out.items[i - 1].start, out.items[i].start, "slot %zu %s is not after %s", i,
                     fmt(out.items[i].start, a), fmt(out.items[i - 1].start, b));
    }
    for (size_t i = 0; i < out.n; i++) {
        cr_assert_eq(out.items[i].end - out.items[i].start, 45 * 60);
        cr_assert_geq(out.items[i].start, in.from);
        cr_assert_lt(out.items[i].start, in.to);
    }
    slot_list_release(&out);
    tz_free(tz);
}

Test(slots, compute_appends)
{
    struct tz *tz = open_ok("UTC");
    struct slot_input in =
        input(tz, WEEKDAYS_9_12, N(WEEKDAYS_9_12), 60, 60, "2026-11-23T00:00:00Z", "2026-11-24T00:00:00Z");
    struct slot_list out = {0};
    cr_assert_eq(slots_compute(&in, 0, &out), 0);
    cr_assert_eq(out.n, 3u);
    in.from = Z("2026-11-24T00:00:00Z");
    in.to = Z("2026-11-25T00:00:00Z");
    cr_assert_eq(slots_compute(&in, 0, &out), 0);
    cr_assert_eq(out.n, 6u);
    const char *want[] = {"2026-11-23T09:00:00Z", "2026-11-23T10:00:00Z", "2026-11-23T11:00:00Z",
                          "2026-11-24T09:00:00Z", "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z"};
    for (size_t i = 0; i < N(want); i++)
        cr_assert_eq(out.items[i].start, Z(want[i]), "item %zu", i);
    slot_list_release(&out);
    cr_assert_eq(out.n, 0u);
    tz_free(tz);
}

/* ---- slots_is_offered agrees with slots_compute, minute by minute ---- */

static void agree_minute_by_minute(const struct slot_input *in)
{
    struct slot_list out = {0};
    cr_assert_eq(slots_compute(in, 0, &out), 0);
    size_t j = 0;
    for (int64_t t = in->from; t < in->to; t += 60) {
        bool listed = j < out.n && out.items[j].start == t;
        if (listed)
            j++;
        char b[32];
        if (slots_is_offered(in, t) != listed)
            cr_assert_fail("at %s: slots_is_offered = %d, listed by slots_compute = %d", fmt(t, b), !listed,
                           listed);
        if (slots_is_offered(in, t + 1))
            cr_assert_fail("at %s + 1 s: slots_is_offered is true", fmt(t, b));
    }
    cr_assert_eq(j, out.n, "slots_compute listed starts off the minute grid");
    slot_list_release(&out);
}

Test(slots, is_offered_agrees_new_york_fall_back)
{
    struct tz *tz = open_ok("America/New_York");
    const struct weekly_window w[] = {{SAT, HM(20, 0), 1440}, {SUN, HM(0, 0), HM(4, 0)}, {SUN, HM(9, 0), HM(12, 0)}};
    const struct span busy[] = {{Z("2027-11-07T06:10:00Z"), Z("2027-11-07T06:40:00Z")}};
    const struct span off[] = {{Z("2027-11-07T14:00:00Z"), Z("2027-11-07T15:00:00Z")}};
    struct slot_input in = input(tz, w, N(w), 40, 20, "2027-11-06T12:00:00Z", "2027-11-08T12:00:00Z");
    in.busy = busy;
    in.n_busy = N(busy);
    in.time_off = off;
    in.n_time_off = N(off);
    in.rules.buffer_before_min = 10;
    in.rules.buffer_after_min = 5;
    agree_minute_by_minute(&in);
    /* Spot checks by hand: the sunday window runs 04:00Z-09:00Z. 06:00Z
     * -> [05:50, 06:45) overlaps busy; 05:20Z -> [05:10, 06:05) is free;
     * 06:40Z -> [06:30, 07:25) overlaps; 07:00Z -> [06:50, 07:45) is free. */
    offered(&in, "2027-11-07T05:20:00Z", true);
    offered(&in, "2027-11-07T05:40:00Z", false);
    offered(&in, "2027-11-07T06:00:00Z", false);
    offered(&in, "2027-11-07T06:40:00Z", false);
    offered(&in, "2027-11-07T07:00:00Z", true);
    offered(&in, "2027-11-07T08:20:00Z", true);  /* ends 09:00Z */
    offered(&in, "2027-11-07T08:40:00Z", false); /* would end 09:20Z */
    /* 09:00-12:00 EST = 14:00Z-17:00Z, time off 14:00Z-15:00Z. */
    offered(&in, "2027-11-07T14:20:00Z", false);
    offered(&in, "2027-11-07T15:00:00Z", true);
    offered(&in, "2027-11-07T16:20:00Z", true);
    /* Saturday 20:00 EDT = 2027-11-07T00:00Z. */
    offered(&in, "2027-11-07T00:00:00Z", true);
    offered(&in, "2027-11-07T03:20:00Z", true);
    tz_free(tz);
}

Test(slots, is_offered_agrees_new_york_spring_forward)
{
    struct tz *tz = open_ok("America/New_York");
    const struct weekly_window w[] = {{SUN, HM(1, 0), HM(2, 30)}, {SUN, HM(3, 0), HM(4, 0)}, {SAT, HM(23, 0), 1440}};
    struct slot_input in = input(tz, w, N(w), 30, 15, "2027-03-13T12:00:00Z", "2027-03-15T12:00:00Z");
    agree_minute_by_minute(&in);
    offered(&in, "2027-03-14T07:00:00Z", true);
    offered(&in, "2027-03-14T07:30:00Z", true);
    offered(&in, "2027-03-14T07:45:00Z", false); /* ends 08:15Z, after 04:00 EDT */
    tz_free(tz);
}

Test(slots, is_offered_agrees_lord_howe_and_havana)
{
    struct tz *lh = open_ok("Australia/Lord_Howe");
    const struct weekly_window w[] = {{SUN, HM(0, 0), HM(5, 0)}, {SAT, HM(23, 0), 1440}};
    struct slot_input in = input(lh, w, N(w), 25, 10, "2027-10-01T12:00:00Z", "2027-10-03T12:00:00Z");
    agree_minute_by_minute(&in);
    in.from = Z("2027-04-02T12:00:00Z");
    in.to = Z("2027-04-04T12:00:00Z");
    agree_minute_by_minute(&in);
    tz_free(lh);

    struct tz *hav = open_ok("America/Havana");
    in = input(hav, w, N(w), 25, 10, "2027-03-12T12:00:00Z", "2027-03-15T12:00:00Z");
    agree_minute_by_minute(&in);
    in.from = Z("2027-11-05T12:00:00Z");
    in.to = Z("2027-11-08T12:00:00Z");
    agree_minute_by_minute(&in);
    tz_free(hav);
}

Test(slots, is_offered_with_notice_and_horizon)
{
    struct tz *tz = open_ok("Europe/Berlin");
    struct slot_input in =
        input(tz, WEEKDAYS_9_12, N(WEEKDAYS_9_12), 30, 30, "2026-11-23T00:00:00Z", "2026-12-01T00:00:00Z");
    in.now = Z("2026-11-23T09:10:00Z");
    in.rules.min_notice_min = 50;   /* >= 10:00Z = 11:00 CET */
    in.rules.max_advance_days = 3; /* <= 2026-11-26T09:10Z = 10:10 CET */
    EXPECT(&in, 0, "2026-11-23T10:00:00Z", "2026-11-23T10:30:00Z", "2026-11-24T08:00:00Z",
           "2026-11-24T08:30:00Z", "2026-11-24T09:00:00Z", "2026-11-24T09:30:00Z", "2026-11-24T10:00:00Z",
           "2026-11-24T10:30:00Z", "2026-11-25T08:00:00Z", "2026-11-25T08:30:00Z", "2026-11-25T09:00:00Z",
           "2026-11-25T09:30:00Z", "2026-11-25T10:00:00Z", "2026-11-25T10:30:00Z", "2026-11-26T08:00:00Z",
           "2026-11-26T08:30:00Z", "2026-11-26T09:00:00Z");
    agree_minute_by_minute(&in);
    tz_free(tz);
}

/* The galloping search must give the plain search's answer whatever order
 * the times come in: forward, backward, repeated, beyond either end. */
Test(slots, count_from_agrees_with_count_before)
{
    enum { N = 300 };
    struct span a[N];
    unsigned seed = 7;
    int64_t t = 0;
    for (int i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        t += (int64_t)(seed >> 16) % 3; /* repeats as well as gaps */
        a[i] = (struct span){t, t + 5};
    }
    for (size_t n = 0; n <= N; n += 37) {
        size_t at = 0;
        for (int k = 0; k < 2000; k++) {
            seed = seed * 1103515245u + 12345u;
            int64_t q = k % 5 == 4 ? (int64_t)(seed >> 16) % (t + 20) - 10 : k / 5;
            size_t want = slots_count_before(a, n, q);
            cr_assert_eq(slots_count_from(a, n, q, &at), want, "n %zu t %lld", n, (long long)q);
            cr_assert_eq(at, want);
        }
    }
}
