/* Unit tests of src/services/suggestions.c, the ranking of offered slots.
 * The first three tests are the worked examples of docs/SCHEDULING.md, with
 * the scores and reasons written there; the rest check one rule each.
 * Slots and windows come from the slot engine (slots_compute,
 * slots_windows) on hand-made days, as suggestions_for_service feeds them. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/tz.h"
#include "db/store.h"
#include "../test_db.h"
#include "services/schedule.h"
#include "services/slots.h"
#include "services/suggestions.h"

#define HM(h, m) ((h) * 60 + (m))
#define N(a) (sizeof(a) / sizeof((a)[0]))
#define MAXS 64

enum { MON, TUE, WED, THU, FRI, SAT, SUN };

/* Unix seconds of y-m-d hh:mm UTC. */
static int64_t at(int y, int m, int d, int hh, int mm)
{
    return days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60;
}

/* One hand-made case: the provider's week, busy time and time off, the
 * service's rules, the customer's asks and the range [from, to). */
struct day_case {
    const char *zone;
    const struct weekly_window *windows;
    size_t n_windows;
    const struct span *busy;
    size_t n_busy;
    const struct span *time_off;
    size_t n_time_off;
    struct slot_rules rules;
    struct suggestions_fit fit;
    struct suggestion_prefs prefs;
    int64_t from, to;
};

static const struct suggestion_prefs NO_ASK = {0, -1, -1};

struct result {
    struct suggestion items[MAXS];
    size_t n;
    struct slot_list slots; /* what the engine offered */
};

/* Runs the engine and then the ranking on c, as the use case does. */
static void run(const struct day_case *c, size_t limit, struct result *r)
{
    struct tz *tz = tz_open(c->zone);
    cr_assert_not_null(tz, "tz_open(%s)", c->zone);
    struct slot_input in = {
        .tz = tz,
        .windows = c->windows,
        .n_windows = c->n_windows,
        .time_off = c->time_off,
        .n_time_off = c->n_time_off,
        .busy = c->busy,
        .n_busy = c->n_busy,
        .rules = c->rules,
        .now = at(2026, 1, 1, 0, 0),
        .from = c->from,
        .to = c->to,
    };
    struct slot_list windows = {0};
    memset(r, 0, sizeof *r);
    cr_assert_eq(slots_compute(&in, 0, &r->slots), 0);
    cr_assert_eq(slots_windows(&in, &windows), 0);
    struct suggestions_input sin = {
        .tz = tz,
        .slots = r->slots.items,
        .n_slots = r->slots.n,
        .busy = c->busy,
        .n_busy = c->n_busy,
        .windows = windows.items,
        .n_windows = windows.n,
        .time_off = c->time_off,
        .n_time_off = c->n_time_off,
        .buffer_before_min = c->rules.buffer_before_min,
        .buffer_after_min = c->rules.buffer_after_min,
        .fit = c->fit,
        .prefs = c->prefs,
        .from = c->from,
        .to = c->to,
    };
    cr_assert_leq(limit, MAXS);
    cr_assert_eq(suggestions_rank(&sin, limit, r->items, &r->n), 0);
    slot_list_release(&windows);
    tz_free(tz);
}

static void result_release(struct result *r)
{
    slot_list_release(&r->slots);
}

/* One expected suggestion: its start, score and reasons (NULL-terminated). */
struct want {
    int64_t start;
    int score;
    const char *reasons[SUGGESTION_MAX_REASONS + 1];
};

static void expect(const struct result *r, const struct want *w, size_t n)
{
    cr_assert_eq(r->n, n, "%zu suggestions, want %zu", r->n, n);
    for (size_t i = 0; i < n; i++) {
        const struct suggestion *s = &r->items[i];
        cr_assert_eq(s->slot.start, w[i].start, "#%zu: start %lld, want %lld", i,
                     (long long)s->slot.start, (long long)w[i].start);
        cr_assert_eq(s->score, w[i].score, "#%zu: score %d, want %d", i, s->score, w[i].score);
        int k = 0;
        for (; w[i].reasons[k]; k++) {
            cr_assert_lt(k, s->n_reasons, "#%zu: missing reason \"%s\"", i, w[i].reasons[k]);
            cr_assert_str_eq(s->reasons[k], w[i].reasons[k], "#%zu reason %d", i, k);
        }
        cr_assert_eq(s->n_reasons, k, "#%zu: %d reasons, want %d (extra: \"%s\")", i, s->n_reasons, k,
                     s->n_reasons > k ? s->reasons[k] : "");
    }
}

/* A suggestion by start, or NULL. */
static const struct suggestion *find(const struct result *r, int64_t start)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->items[i].slot.start == start)
            return &r->items[i];
    return NULL;
}

static bool has_reason(const struct suggestion *s, const char *text)
{
    for (int i = 0; s && i < s->n_reasons; i++)
        if (strcmp(s->reasons[i], text) == 0)
            return true;
    return false;
}

/* ---- the worked examples of docs/SCHEDULING.md ---- */

/* Example 1: one booking in a morning; a gap too short to sell. */
Test(suggestions, example_1_a_morning_with_one_booking)
{
    static const struct weekly_window w[] = {{MON, HM(9, 0), HM(13, 0)}};
    struct span busy[] = {{at(2026, 12, 7, 10, 0), at(2026, 12, 7, 11, 0)}};
    struct day_case c = {"UTC", w, N(w), busy, N(busy), NULL, 0,
                         {.duration_min = 60, .interval_min = 30, .max_advance_days = 730},
                         {60, 60, 60}, NO_ASK, at(2026, 12, 7, 0, 0), at(2026, 12, 8, 0, 0)};
    struct result r;
    run(&c, 50, &r);
    const struct want want[] = {
        {at(2026, 12, 7, 9, 0), 20462,
         {"at the start of the day's hours", "next to a booking starting at 10:00"}},
        {at(2026, 12, 7, 11, 0), 20354, {"next to a booking ending at 11:00"}},
        {at(2026, 12, 7, 12, 0), 20349, {"at the end of the day's hours"}},
        {at(2026, 12, 7, 11, 30), 20052,
         {"leaves a 30-minute gap (11:00 to 11:30) that no service fits",
          "leaves a 30-minute gap (12:30 to 13:00) that no service fits"}},
    };
    expect(&r, want, N(want));
    result_release(&r);
}

/* Example 2: buffers. The service takes 60 minutes and 30 after; the
 * booking at 09:00 occupies 09:00-10:30. */
Test(suggestions, example_2_buffers)
{
    static const struct weekly_window w[] = {{MON, HM(9, 0), HM(13, 0)}};
    struct span busy[] = {{at(2026, 12, 7, 9, 0), at(2026, 12, 7, 10, 30)}};
    struct day_case c = {"UTC", w, N(w), busy, N(busy), NULL, 0,
                         {.duration_min = 60, .buffer_after_min = 30, .interval_min = 30,
                          .max_advance_days = 730},
                         {90, 90, 60}, NO_ASK, at(2026, 12, 7, 0, 0), at(2026, 12, 8, 0, 0)};
    struct result r;
    run(&c, 50, &r);
    const struct want want[] = {
        {at(2026, 12, 7, 10, 30), 20356, {"next to a booking ending at 10:30"}},
        {at(2026, 12, 7, 12, 0), 20349, {"at the end of the day's hours"}},
        {at(2026, 12, 7, 11, 30), 20252,
         {"leaves a 60-minute gap (10:30 to 11:30) that no service fits",
          "at the end of the day's hours"}},
        {at(2026, 12, 7, 11, 0), 20054,
         {"leaves a 30-minute gap (10:30 to 11:00) that no service fits",
          "leaves a 30-minute gap (12:30 to 13:00) that no service fits"}},
    };
    expect(&r, want, N(want));
    result_release(&r);
}

/* Example 3: what the customer asked for comes before compactness. */
Test(suggestions, example_3_asked_days_and_hours_first)
{
    static const struct weekly_window w[] = {{MON, HM(9, 0), HM(12, 0)}, {TUE, HM(9, 0), HM(12, 0)}};
    struct span busy[] = {{at(2026, 12, 7, 10, 0), at(2026, 12, 7, 11, 0)}};
    struct day_case c = {"UTC", w, N(w), busy, N(busy), NULL, 0,
                         {.duration_min = 60, .interval_min = 60, .max_advance_days = 730},
                         {60, 60, 60}, {1u << TUE, HM(10, 0), -1},
                         at(2026, 12, 7, 0, 0), at(2026, 12, 9, 0, 0)};
    struct result r;
    run(&c, 50, &r);
    const struct want want[] = {
        {at(2026, 12, 8, 11, 0), 20327,
         {"Tuesday, as asked", "within the asked hours, from 10:00", "at the end of the day's hours"}},
        {at(2026, 12, 8, 10, 0), 20229, {"Tuesday, as asked", "within the asked hours, from 10:00"}},
        {at(2026, 12, 7, 11, 0), 10477,
         {"Monday, not one of the asked days", "within the asked hours, from 10:00",
          "next to a booking ending at 11:00", "at the end of the day's hours"}},
        {at(2026, 12, 8, 9, 0), 10331,
         {"Tuesday, as asked", "outside the asked hours, from 10:00", "at the start of the day's hours"}},
        {at(2026, 12, 7, 9, 0), 481,
         {"Monday, not one of the asked days", "outside the asked hours, from 10:00",
          "at the start of the day's hours", "next to a booking starting at 10:00"}},
    };
    expect(&r, want, N(want));
    result_release(&r);
}

/* ---- one rule each ---- */

/* Whether a gap can be sold depends on the provider's shortest service. */
Test(suggestions, short_gap_depends_on_the_shortest_service)
{
    static const struct weekly_window w[] = {{MON, HM(9, 0), HM(13, 0)}};
    struct span busy[] = {{at(2026, 12, 7, 10, 0), at(2026, 12, 7, 11, 0)}};
    struct day_case c = {"UTC", w, N(w), busy, N(busy), NULL, 0,
                         {.duration_min = 60, .interval_min = 30, .max_advance_days = 730},
                         {30, 30, 30}, NO_ASK, at(2026, 12, 7, 0, 0), at(2026, 12, 8, 0, 0)};
    struct result r;
    run(&c, 50, &r);
    /* A 30-minute service fits either side of 11:30: no longer too short. */
    const struct suggestion *s = find(&r, at(2026, 12, 7, 11, 30));
    cr_assert_not_null(s);
    cr_assert_eq(s->score, 20252);
    cr_assert_eq(s->n_reasons, 1);
    cr_assert_str_eq(s->reasons[0], "the free time on both sides can still be booked");
    cr_assert_eq(r.items[3].slot.start, at(2026, 12, 7, 11, 30));
    result_release(&r);
    /* A 31-minute one does not. */
    c.fit = (struct suggestions_fit){31, 31, 31};
    run(&c, 50, &r);
    s = find(&r, at(2026, 12, 7, 11, 30));
    cr_assert_eq(s->score, 20052);
    cr_assert(has_reason(s, "leaves a 30-minute gap (11:00 to 11:30) that no service fits"));
    result_release(&r);
}

/* Buffers on both sides: the slot occupies [start - 15, end + 15), and a
 * booking's occupied span already holds its own. */
Test(suggestions, adjacency_counts_both_buffers)
{
    static const struct weekly_window w[] = {{MON, HM(8, 0), HM(18, 0)}};
    /* A booking 10:00-11:00 with 15 minutes either side: 09:45-11:15. */
    struct span busy[] = {{at(2026, 12, 7, 9, 45), at(2026, 12, 7, 11, 15)}};
    struct day_case c = {"UTC", w, N(w), busy, N(busy), NULL, 0,
                         {.duration_min = 60, .buffer_before_min = 15, .buffer_after_min = 15,
                          .interval_min = 30, .max_advance_days = 730},
                         {90, 75, 75}, NO_ASK, at(2026, 12, 7, 0, 0), at(2026, 12, 8, 0, 0)};
    struct result r;
    run(&c, 50, &r);
    /* 08:30 occupies 08:15-09:45: it touches the booking; 11:30 occupies
     * 11:15-12:45 and touches it on the other side. */
    const struct suggestion *before = find(&r, at(2026, 12, 7, 8, 30));
    const struct suggestion *after = find(&r, at(2026, 12, 7, 11, 30));
    cr_assert(has_reason(before, "next to a booking starting at 09:45"));
    cr_assert(has_reason(after, "next to a booking ending at 11:15"));
    /* 08:00 occupies 07:45-09:15 (its buffer hangs before the window): at the
     * start, leaving 30 minutes before the booking, too short for 90. */
    const struct suggestion *first = find(&r, at(2026, 12, 7, 8, 0));
    cr_assert(has_reason(first, "at the start of the day's hours"));
    cr_assert(has_reason(first, "leaves a 30-minute gap (09:15 to 09:45) that no service fits"));
    /* 17:00 ends with the window: its buffer hangs after it. */
    cr_assert(has_reason(find(&r, at(2026, 12, 7, 17, 0)), "at the end of the day's hours"));
    result_release(&r);
}

/* Time off edges count as edges; windows that touch are one stretch. */
Test(suggestions, time_off_edges_and_touching_windows)
{
    static const struct weekly_window w[] = {{MON, HM(9, 0), HM(12, 0)}, {MON, HM(12, 0), HM(15, 0)}};
    struct span off[] = {{at(2026, 12, 7, 13, 0), at(2026, 12, 7, 13, 30)}};
    struct day_case c = {"UTC", w, N(w), NULL, 0, off, N(off),
                         {.duration_min = 30, .interval_min = 30, .max_advance_days = 730},
                         {30, 30, 30}, NO_ASK, at(2026, 12, 7, 0, 0), at(2026, 12, 8, 0, 0)};
    struct result r;
    run(&c, 50, &r);
    cr_assert_eq(r.n, 11);
    const struct suggestion *noon = find(&r, at(2026, 12, 7, 11, 30));
    cr_assert_eq(noon->n_reasons, 1);
    cr_assert_str_eq(noon->reasons[0], "the free time on both sides can still be booked");
    cr_assert(has_reason(find(&r, at(2026, 12, 7, 12, 30)), "right before time off"));
    cr_assert(has_reason(find(&r, at(2026, 12, 7, 13, 30)), "right after time off"));
    cr_assert(has_reason(find(&r, at(2026, 12, 7, 14, 30)), "at the end of the day's hours"));
    result_release(&r);
}

/* Spring forward, Europe/Berlin 2026-03-29 (a sunday): 02:00 CET becomes
 * 03:00 CEST. The window 01:00-05:00 is 00:00Z-03:00Z; its slots start at
 * 01:00 CET, 03:00 CEST and 04:00 CEST. The first one ends at 03:00 on the
 * wall although it lasts an hour. */
Test(suggestions, dst_spring_forward_berlin)
{
    static const struct weekly_window w[] = {{SUN, HM(1, 0), HM(5, 0)}};
    struct day_case c = {"Europe/Berlin", w, N(w), NULL, 0, NULL, 0,
                         {.duration_min = 60, .interval_min = 60, .max_advance_days = 730},
                         {60, 60, 60}, {1u << SUN, -1, HM(3, 0)},
                         at(2026, 3, 28, 23, 0), at(2026, 3, 29, 22, 0)};
    struct result r;
    run(&c, 50, &r);
    cr_assert_eq(r.n, 3);
    const struct suggestion *s1 = find(&r, at(2026, 3, 29, 0, 0));
    const struct suggestion *s3 = find(&r, at(2026, 3, 29, 1, 0));
    const struct suggestion *s4 = find(&r, at(2026, 3, 29, 2, 0));
    cr_assert(s1 && s3 && s4);
    cr_assert_eq(r.items[0].slot.start, at(2026, 3, 29, 0, 0));
    cr_assert_str_eq(s1->reasons[0], "Sunday, as asked");
    cr_assert_str_eq(s1->reasons[1], "within the asked hours, until 03:00");
    cr_assert(has_reason(s1, "at the start of the day's hours"));
    cr_assert_str_eq(s3->reasons[1], "outside the asked hours, until 03:00");
    cr_assert(has_reason(s4, "at the end of the day's hours"));
    result_release(&r);
    /* Asked from 03:00: the CEST slots (04:00 first: it ends the window);
     * 01:00 CET is not. */
    c.prefs = (struct suggestion_prefs){1u << SUN, HM(3, 0), -1};
    run(&c, 50, &r);
    cr_assert_eq(r.items[0].slot.start, at(2026, 3, 29, 2, 0));
    cr_assert_eq(r.items[1].slot.start, at(2026, 3, 29, 1, 0));
    cr_assert_str_eq(r.items[1].reasons[1], "within the asked hours, from 03:00");
    cr_assert_lt(r.items[2].score, 20000);
    result_release(&r);
}

/* Fall back, Europe/Berlin 2026-10-25 (a sunday): 03:00 CEST becomes 02:00
 * CET. The window 01:00-04:00 is 23:00Z (saturday in UTC) to 03:00Z; its
 * slots start at 01:00 CEST, 02:00 CEST, 02:00 CET and 03:00 CET, all on the
 * sunday. A booking holds 01:00Z-02:00Z (02:00-03:00 CET). */
Test(suggestions, dst_fall_back_berlin)
{
    static const struct weekly_window w[] = {{SUN, HM(1, 0), HM(4, 0)}};
    struct span busy[] = {{at(2026, 10, 25, 1, 0), at(2026, 10, 25, 2, 0)}};
    struct day_case c = {"Europe/Berlin", w, N(w), NULL, 0, NULL, 0,
                         {.duration_min = 60, .interval_min = 60, .max_advance_days = 730},
                         {60, 60, 60}, {1u << SUN, HM(2, 0), HM(3, 0)},
                         at(2026, 10, 24, 22, 0), at(2026, 10, 25, 23, 0)};
    struct result r;
    run(&c, 50, &r);
    cr_assert_eq(r.n, 4);
    for (size_t i = 0; i < r.n; i++)
        cr_assert_str_eq(r.items[i].reasons[0], "Sunday, as asked", "#%zu", i);
    /* 02:00 CEST-02:00 CET and 02:00 CET-03:00 CET are in 02:00-03:00. */
    cr_assert_eq(r.items[0].slot.start, at(2026, 10, 25, 0, 0));
    cr_assert_eq(r.items[1].slot.start, at(2026, 10, 25, 1, 0));
    cr_assert_str_eq(r.items[0].reasons[1], "within the asked hours, 02:00 to 03:00");
    cr_assert_lt(r.items[2].score, 20000);
    result_release(&r);
    /* With the booking: the reasons name its wall times, the second 02:00 and 03:00. */
    c.busy = busy;
    c.n_busy = N(busy);
    run(&c, 50, &r);
    cr_assert_eq(r.n, 3);
    cr_assert(has_reason(find(&r, at(2026, 10, 25, 0, 0)), "next to a booking starting at 02:00"));
    cr_assert(has_reason(find(&r, at(2026, 10, 25, 2, 0)), "next to a booking ending at 03:00"));
    result_release(&r);
    /* Saturday, the UTC date of the first slot, is not its local day. */
    c.prefs = (struct suggestion_prefs){1u << SAT, -1, -1};
    run(&c, 50, &r);
    for (size_t i = 0; i < r.n; i++)
        cr_assert_str_eq(r.items[i].reasons[0], "Sunday, not one of the asked days");
    result_release(&r);
}

/* Equal scores go by start, whatever order the slots came in. */
Test(suggestions, ties_by_start)
{
    /* Two lone slots 2 hours apart over 62 days: the same earliness bucket. */
    struct span slots[] = {{at(2026, 12, 7, 14, 0), at(2026, 12, 7, 15, 0)},
                           {at(2026, 12, 7, 12, 0), at(2026, 12, 7, 13, 0)}};
    struct span windows[] = {{at(2026, 12, 7, 8, 0), at(2026, 12, 7, 20, 0)}};
    struct tz *tz = tz_open("UTC");
    struct suggestions_input in = {.tz = tz, .slots = slots, .n_slots = 2, .windows = windows,
                                   .n_windows = 1, .fit = {60, 60, 60}, .prefs = NO_ASK,
                                   .from = at(2026, 12, 1, 0, 0), .to = at(2027, 2, 1, 0, 0)};
    struct suggestion out[2];
    size_t n;
    cr_assert_eq(suggestions_rank(&in, 2, out, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_eq(out[0].score, out[1].score);
    cr_assert_eq(out[0].slot.start, at(2026, 12, 7, 12, 0));
    cr_assert_eq(out[1].slot.start, at(2026, 12, 7, 14, 0));
    tz_free(tz);
}

/* The same inputs, in any order, give the same answer, byte for byte. */
Test(suggestions, deterministic)
{
    static const struct weekly_window w[] = {{MON, HM(8, 0), HM(18, 0)}, {WED, HM(8, 0), HM(18, 0)},
                                             {FRI, HM(8, 0), HM(12, 0)}};
    struct span busy[] = {{at(2026, 12, 9, 15, 0), at(2026, 12, 9, 16, 0)},
                          {at(2026, 12, 7, 10, 15), at(2026, 12, 7, 11, 0)},
                          {at(2026, 12, 11, 9, 0), at(2026, 12, 11, 9, 45)}};
    struct day_case c = {"Europe/Berlin", w, N(w), busy, N(busy), NULL, 0,
                         {.duration_min = 45, .interval_min = 15, .max_advance_days = 730},
                         {30, 30, 30}, {(1u << MON) | (1u << FRI), HM(9, 0), HM(17, 0)},
                         at(2026, 12, 6, 23, 0), at(2026, 12, 13, 23, 0)};
    struct result a, b;
    run(&c, 50, &a);
    struct span reversed[] = {busy[2], busy[1], busy[0]};
    c.busy = reversed;
    run(&c, 50, &b);
    cr_assert_eq(a.n, 50);
    cr_assert_eq(b.n, 50);
    cr_assert_eq(memcmp(a.items, b.items, sizeof a.items), 0);
    for (size_t i = 1; i < a.n; i++)
        cr_assert(a.items[i - 1].score > a.items[i].score ||
                      (a.items[i - 1].score == a.items[i].score &&
                       a.items[i - 1].slot.start < a.items[i].slot.start),
                  "#%zu out of order", i);
    result_release(&a);
    result_release(&b);
}

/* One asked criterion outweighs any compactness and earliness. */
Test(suggestions, asked_dominates_compactness)
{
    static const struct weekly_window w[] = {{MON, HM(9, 0), HM(10, 0)}, {TUE, HM(9, 0), HM(17, 0)}};
    struct day_case c = {"UTC", w, N(w), NULL, 0, NULL, 0,
                         {.duration_min = 60, .interval_min = 60, .max_advance_days = 730},
                         {60, 60, 60}, {1u << TUE, -1, -1}, at(2026, 12, 7, 0, 0),
                         at(2026, 12, 9, 0, 0)};
    struct result r;
    run(&c, 50, &r);
    /* Monday 09:00 fills its window exactly (+2) and is earliest; a lone
     * Tuesday slot (0) still wins. */
    cr_assert_eq(r.n, 9);
    cr_assert_eq(r.items[8].slot.start, at(2026, 12, 7, 9, 0));
    cr_assert_eq(r.items[8].score, 10000 + 400 + 81);
    const struct suggestion *lone = find(&r, at(2026, 12, 8, 12, 0));
    cr_assert_eq(lone->score, 10000 + 10000 + 200 + 24);
    result_release(&r);
}

/* limit cuts the list; no slots, no suggestions. */
Test(suggestions, limit_and_empty)
{
    static const struct weekly_window w[] = {{MON, HM(9, 0), HM(17, 0)}};
    struct day_case c = {"UTC", w, N(w), NULL, 0, NULL, 0,
                         {.duration_min = 60, .interval_min = 60, .max_advance_days = 730},
                         {60, 60, 60}, NO_ASK, at(2026, 12, 7, 0, 0), at(2026, 12, 8, 0, 0)};
    struct result r;
    run(&c, 1, &r);
    cr_assert_eq(r.n, 1);
    cr_assert_eq(r.items[0].slot.start, at(2026, 12, 7, 9, 0));
    result_release(&r);
    c.from = at(2026, 12, 8, 0, 0);
    c.to = at(2026, 12, 9, 0, 0);
    run(&c, 5, &r);
    cr_assert_eq(r.n, 0);
    result_release(&r);
}

/* ---- the use case, on a real SQLite store ---- */

static struct user new_user(struct store *s, enum role role, const char *email)
{
    struct user u = {.role = role, .is_active = true, .created_at = clock_now()};
    snprintf(u.name, sizeof u.name, "%s", email);
    snprintf(u.email, sizeof u.email, "%s", email);
    snprintf(u.password_hash, sizeof u.password_hash, "$2b$04$not-a-real-hash");
    snprintf(u.timezone, sizeof u.timezone, "UTC");
    cr_assert_eq(UOW(s, store_user_insert(s, &u)), APP_OK);
    return u;
}

static struct service new_service(struct store *s, int64_t provider_id, int minutes)
{
    struct service v = {.provider_id = provider_id, .duration_minutes = minutes,
                        .slot_interval_minutes = minutes, .max_advance_days = 730,
                        .active = true, .created_at = clock_now()};
    snprintf(v.name, sizeof v.name, "%d minutes", minutes);
    cr_assert_eq(UOW(s, store_service_insert(s, &v)), APP_OK);
    return v;
}

/* One schedule load; exactly the slots schedule_service_slots offers. */
Test(suggestions, for_service_one_load_same_slots, .timeout = 60)
{
    char path[64], url[80];
    struct store *s = test_db_open("suggestions", path, url);
    struct user p = new_user(s, ROLE_PROVIDER, "p@example.com");
    struct user c = new_user(s, ROLE_CUSTOMER, "c@example.com");
    struct availability *a = calloc(1, sizeof *a);
    cr_assert_not_null(a);
    snprintf(a->timezone, sizeof a->timezone, "UTC");
    for (int d = 0; d < 7; d++)
        a->windows[a->n++] = (struct weekly_window){d, HM(9, 0), HM(13, 0)};
    cr_assert_eq(store_begin(s), APP_OK);
    cr_assert_eq(store_availability_replace(s, p.id, a), APP_OK);
    cr_assert_eq(store_end(s, APP_OK), APP_OK);
    free(a);
    struct service v = new_service(s, p.id, 60);
    int64_t day = clock_now() / 86400 + 10;
    struct booking b = {.service_id = v.id, .provider_id = p.id, .customer_id = c.id,
                        .start = day * 86400 + 10 * 3600, .end = day * 86400 + 11 * 3600,
                        .status = BOOKING_CONFIRMED, .created_at = clock_now(),
                        .updated_at = clock_now()};
    cr_assert_eq(UOW(s, store_booking_insert(s, &b, NULL)), APP_OK);

    struct suggestion_list list;
    unsigned long loads = schedule_loads();
    cr_assert_eq(suggestions_for_service(s, v.id, day, day, NULL, &NO_ASK, 50, &list), APP_OK);
    cr_assert_eq(schedule_loads() - loads, 1);
    cr_assert_eq(list.service_id, v.id);
    cr_assert_eq(list.provider_id, p.id);
    cr_assert_str_eq(list.timezone, "UTC");
    struct service got;
    struct slot_list slots = {0};
    char zone[64];
    cr_assert_eq(schedule_service_slots(s, v.id, day, day, NULL, &got, zone, &slots), APP_OK);
    cr_assert_eq(list.n, slots.n);
    cr_assert_eq(list.n, 3); /* 09:00, 11:00, 12:00 */
    for (size_t i = 0; i < list.n; i++) {
        size_t same = 0;
        for (size_t j = 0; j < slots.n; j++)
            same += slots.items[j].start == list.items[i].slot.start &&
                    slots.items[j].end == list.items[i].slot.end;
        cr_assert_eq(same, 1, "suggestion %zu is not one offered slot", i);
    }
    cr_assert_eq(list.items[0].slot.start, day * 86400 + 9 * 3600);
    cr_assert_str_eq(list.items[0].reasons[1], "next to a booking starting at 10:00");
    slot_list_release(&slots);
    suggestion_list_release(&list);

    /* Unknown or inactive: the slots' 404. */
    cr_assert_eq(suggestions_for_service(s, v.id + 100, day, day, NULL, &NO_ASK, 5, &list),
                 APP_ERR_SERVICE_NOT_FOUND);
    cr_assert_eq(list.n, 0);
    v.active = false;
    cr_assert_eq(UOW(s, store_service_update(s, &v)), APP_OK);
    cr_assert_eq(suggestions_for_service(s, v.id, day, day, NULL, &NO_ASK, 5, &list),
                 APP_ERR_SERVICE_NOT_FOUND);
    test_db_close(s, path);
}

/* The shortest stretches come from the provider's active services only. */
Test(suggestions, store_shortest_of_active_services, .timeout = 60)
{
    char path[64], url[80];
    struct store *s = test_db_open("shortest", path, url);
    struct user p = new_user(s, ROLE_PROVIDER, "p@example.com");
    struct user q = new_user(s, ROLE_PROVIDER, "q@example.com");
    int between, after, before;
    cr_assert_eq(store_service_shortest(s, p.id, &between, &after, &before), APP_OK);
    cr_assert(between == 0 && after == 0 && before == 0);
    struct service v = new_service(s, p.id, 60);
    v.buffer_before_minutes = 10;
    v.buffer_after_minutes = 20;
    cr_assert_eq(UOW(s, store_service_update(s, &v)), APP_OK);
    struct service w = new_service(s, p.id, 45);
    w.buffer_before_minutes = 40;
    cr_assert_eq(UOW(s, store_service_update(s, &w)), APP_OK);
    new_service(s, q.id, 5);
    cr_assert_eq(store_service_shortest(s, p.id, &between, &after, &before), APP_OK);
    /* 60+10+20 = 90 and 45+40 = 85; 60+20 = 80 and 45; 60+10 = 70 and 85. */
    cr_assert_eq(between, 85);
    cr_assert_eq(after, 45);
    cr_assert_eq(before, 70);
    w.active = false;
    cr_assert_eq(UOW(s, store_service_update(s, &w)), APP_OK);
    cr_assert_eq(store_service_shortest(s, p.id, &between, &after, &before), APP_OK);
    cr_assert(between == 90 && after == 80 && before == 70);
    test_db_close(s, path);
}

/* Every 5 minutes around both Berlin transitions of 2026, the asked day and
 * hours of each slot agree with the zone read directly, slot by slot;
 * `inside` slots meet both (02:00-03:00 is missing on one day, twice on the
 * other). */
static void every_slot_read_right(int y, int m, int d, size_t inside)
{
    static const struct weekly_window w[] = {{MON, 0, 1440}, {TUE, 0, 1440}, {WED, 0, 1440},
                                             {THU, 0, 1440}, {FRI, 0, 1440}, {SAT, 0, 1440},
                                             {SUN, 0, 1440}};
    struct tz *tz = tz_open("Europe/Berlin");
    struct slot_input in = {.tz = tz, .windows = w, .n_windows = N(w),
                            .rules = {.duration_min = 5, .interval_min = 5, .max_advance_days = 730},
                            .now = at(2026, 1, 1, 0, 0), .from = at(y, m, d - 1, 0, 0),
                            .to = at(y, m, d + 2, 0, 0)};
    struct slot_list slots = {0}, windows = {0};
    cr_assert_eq(slots_compute(&in, 0, &slots), 0);
    cr_assert_eq(slots_windows(&in, &windows), 0);
    struct suggestions_input sin = {.tz = tz, .slots = slots.items, .n_slots = slots.n,
                                    .windows = windows.items, .n_windows = windows.n,
                                    .fit = {5, 5, 5}, .prefs = {1u << SUN, HM(2, 0), HM(3, 0)},
                                    .from = in.from, .to = in.to};
    struct suggestion *out = calloc(slots.n, sizeof *out);
    size_t n;
    cr_assert_not_null(out);
    cr_assert_eq(suggestions_rank(&sin, slots.n, out, &n), 0);
    cr_assert_eq(n, slots.n);
    size_t both = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t s = out[i].slot.start, e = out[i].slot.end;
        int64_t ws = s + tz_offset_at(tz, s), we = e + tz_offset_at(tz, e);
        int64_t day = ws / 86400;
        int64_t s_min = (ws - day * 86400) / 60, e_min = (we - day * 86400) / 60;
        int met = (weekday_from_days(day) == SUN) + (s_min >= HM(2, 0) && e_min <= HM(3, 0));
        cr_assert_eq(out[i].score / 10000, met, "slot at %lld", (long long)s);
        both += met == 2;
    }
    cr_assert_eq(both, inside);
    free(out);
    slot_list_release(&slots);
    slot_list_release(&windows);
    tz_free(tz);
}

Test(suggestions, dst_every_five_minutes_spring_forward)
{
    every_slot_read_right(2026, 3, 29, 0);
}

Test(suggestions, dst_every_five_minutes_fall_back)
{
    every_slot_read_right(2026, 10, 25, 24);
}
