#include "services/suggestions.h"

#include <glib.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "core/timeutil.h"
#include "services/schedule.h"
#include "services/slots.h"

/* The tiers of docs/SCHEDULING.md: each weight is larger than everything
 * below it can add up to (compactness 0–4 × 100 + earliness 0–99 < 10 000;
 * earliness < 100), so a higher tier always wins. */
#define W_ASKED 10000
#define W_COMPACT 100
#define EARLY_MAX 99

enum edge_kind { EDGE_NONE, EDGE_BOOKING, EDGE_WINDOW, EDGE_TIME_OFF };

/* What lies next to one side of a slot's occupied span. */
struct side {
    enum edge_kind kind;
    int64_t at;  /* the obstacle's own edge (a booking's occupied end or start, …) */
    int64_t gap; /* free seconds between it and the slot's occupied span, ≥ 0 */
};

struct verdict {
    int day_met, hours_met; /* -1: not asked; 0: no; 1: yes */
    int weekday;
    struct side left, right;
    int score;
};

/* Open time (windows merged, less time off) and busy time, each sorted by
 * start, built once for all the slots of a request. */
#define OPEN_START_OFF 1u /* the open span starts where time off ends */
#define OPEN_END_OFF 2u   /* …ends where time off starts */

/* An offset known to hold over [lo, hi]. */
struct offset_memo {
    int64_t lo, hi;
    int32_t off;
};

struct ranker {
    const struct suggestions_input *in;
    struct offset_memo memo;
    struct slots_busy busy;
    struct span *open;
    unsigned char *open_flags;
    size_t n_open, open_at; /* open_at: slots_count_from's cursor */
};

/* A sorted malloc'd copy of n spans (room for at least one). */
static struct span *sorted_copy(const struct span *a, size_t n)
{
    struct span *c = malloc((n + 1) * sizeof *c);
    if (c && n) {
        memcpy(c, a, n * sizeof *a);
        slots_sort(c, n);
    }
    return c;
}

/* Joins sorted spans that overlap or touch; returns the new count. Windows
 * 09:00-12:00 and 12:00-17:00 are one stretch of open time, not two edges. */
static size_t merge(struct span *a, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && a[i].start <= a[m - 1].end) {
            if (a[i].end > a[m - 1].end)
                a[m - 1].end = a[i].end;
        } else {
            a[m++] = a[i];
        }
    }
    return m;
}

static void push_open(struct ranker *r, int64_t a, int64_t b, unsigned flags)
{
    r->open[r->n_open] = (struct span){a, b};
    r->open_flags[r->n_open++] = (unsigned char)flags;
}

/* Each merged window less the time off inside it; time off is sorted and
 * merged, so its ends ascend too. */
static void subtract(struct ranker *r, const struct span *win, size_t n_win,
                     const struct span *off, size_t n_off)
{
    size_t j = 0;
    for (size_t i = 0; i < n_win; i++) {
        int64_t cur = win[i].start;
        unsigned flags = 0;
        while (j < n_off && off[j].end <= win[i].start)
            j++;
        for (size_t k = j; k < n_off && off[k].start < win[i].end; k++) {
            if (off[k].start > cur)
                push_open(r, cur, off[k].start, flags | OPEN_END_OFF);
            if (off[k].end > cur)
                cur = off[k].end;
            flags = OPEN_START_OFF;
        }
        if (cur < win[i].end)
            push_open(r, cur, win[i].end, flags);
    }
}

static int open_time(struct ranker *r)
{
    const struct suggestions_input *in = r->in;
    struct span *win = sorted_copy(in->windows, in->n_windows);
    struct span *off = sorted_copy(in->time_off, in->n_time_off);
    size_t cap = in->n_windows + in->n_time_off + 1;
    int rc = -1;
    r->open = malloc(cap * sizeof *r->open);
    r->open_flags = malloc(cap);
    if (win && off && r->open && r->open_flags) {
        subtract(r, win, merge(win, in->n_windows), off, merge(off, in->n_time_off));
        rc = 0;
    }
    free(win);
    free(off);
    return rc;
}

static void ranker_release(struct ranker *r)
{
    slots_busy_release(&r->busy);
    free(r->open);
    free(r->open_flags);
}

static int ranker_init(struct ranker *r, const struct suggestions_input *in)
{
    memset(r, 0, sizeof *r);
    r->in = in;
    r->memo = (struct offset_memo){1, 0, 0}; /* empty */
    if (slots_busy_init(&r->busy, in->busy, in->n_busy) != 0 || open_time(r) != 0)
        return -1;
    return 0;
}

/* The nearer of two obstacles; a booking wins a tie, as the likelier reason. */
static void nearest(struct side *sd, enum edge_kind kind, int64_t at, int64_t gap)
{
    if (gap < 0)
        gap = 0;
    if (sd->kind == EDGE_NONE || gap < sd->gap)
        *sd = (struct side){kind, at, gap};
}

/* The bookings and the open time's edges on each side of occupied span
 * [os, oe) of slot [s, e). An offered slot overlaps no busy span, so those
 * starting before oe all end by os. */
static void sides(struct ranker *r, const struct span *slot, int64_t os, int64_t oe,
                  struct side *left, struct side *right)
{
    struct slots_busy *b = &r->busy;
    size_t k = slots_count_from(b->spans, b->n, oe, &b->at);
    *left = *right = (struct side){EDGE_NONE, 0, 0};
    if (k > 0)
        nearest(left, EDGE_BOOKING, b->max_end[k - 1], os - b->max_end[k - 1]);
    if (k < b->n)
        nearest(right, EDGE_BOOKING, b->spans[k].start, b->spans[k].start - oe);
    /* The open span holding [s, e); buffers may hang over its edges. */
    size_t w = slots_count_from(r->open, r->n_open, slot->start + 1, &r->open_at);
    if (w == 0 || r->open[w - 1].end < slot->end)
        return;
    const struct span *o = &r->open[w - 1];
    unsigned f = r->open_flags[w - 1];
    nearest(left, f & OPEN_START_OFF ? EDGE_TIME_OFF : EDGE_WINDOW, o->start, os - o->start);
    nearest(right, f & OPEN_END_OFF ? EDGE_TIME_OFF : EDGE_WINDOW, o->end, o->end - oe);
}

/* The least free time, in seconds, a service fits in on that side: the
 * buffer that faces an edge of open time may hang over it (the slot rules
 * hold buffers against bookings only). */
static int64_t fit_of(const struct suggestions_input *in, const struct side *sd, bool left)
{
    int m = sd->kind == EDGE_BOOKING ? in->fit.between
            : left                   ? in->fit.after_edge
                                     : in->fit.before_edge;
    return (int64_t)m * 60;
}

/* +1 when the side touches, -1 when it leaves free time no service fits. */
static int side_points(const struct suggestions_input *in, const struct side *sd, bool left)
{
    if (sd->kind == EDGE_NONE)
        return 0;
    if (sd->gap == 0)
        return 1;
    return sd->gap < fit_of(in, sd, left) ? -1 : 0;
}

/* GLib finds an offset by walking the zone's transitions (over a hundred
 * for Europe/Berlin), which for thousands of slots cost more than the rest
 * of the ranking. So each look-up also probes MEMO_SPAN ahead and, when the
 * offset is the same there, keeps it for that stretch: right unless a zone
 * changes its offset twice within 6 hours, which none has done since 1970
 * (zdump over tzdata 2025b: the closest two changes are days apart). */
#define MEMO_SPAN (6 * 3600)

static int32_t offset_at(struct ranker *r, int64_t t)
{
    struct offset_memo *m = &r->memo;
    if (t >= m->lo && t <= m->hi)
        return m->off;
    int32_t off = tz_offset_at(r->in->tz, t);
    bool same = tz_offset_at(r->in->tz, t + MEMO_SPAN) == off;
    *m = (struct offset_memo){t, same ? t + MEMO_SPAN : t, off};
    return off;
}

/* The local date of t, and t's seconds since that date's midnight. */
static int64_t local_day(struct ranker *r, int64_t t, int64_t *secs)
{
    int64_t wall = t + offset_at(r, t);
    int64_t day = wall >= 0 ? wall / 86400 : -((-wall + 86399) / 86400);
    *secs = wall - day * 86400;
    return day;
}

/* Whether [s, e) meets the asked day and hours: the hours are wall-clock
 * minutes of the start's date, so an end on the next date counts past 24:00. */
static void asked(struct ranker *r, const struct span *slot, struct verdict *v)
{
    const struct suggestion_prefs *p = &r->in->prefs;
    bool hours = p->after_min >= 0 || p->before_min >= 0;
    int64_t s_secs, e_secs;
    v->day_met = v->hours_met = -1;
    if (!p->days && !hours)
        return; /* nothing asked: no zone look-ups */
    int64_t day = local_day(r, slot->start, &s_secs);
    v->weekday = weekday_from_days(day);
    if (p->days)
        v->day_met = (p->days >> v->weekday & 1u) != 0;
    if (!hours)
        return;
    int64_t e_day = local_day(r, slot->end, &e_secs);
    int64_t start_min = s_secs / 60, end_min = ((e_day - day) * 86400 + e_secs + 59) / 60;
    int after = p->after_min < 0 ? 0 : p->after_min;
    int before = p->before_min < 0 ? 1440 : p->before_min;
    v->hours_met = start_min >= after && end_min <= before;
}

/* 99 at the range's start down to 0 at its end: the percentage still ahead. */
static int earliness(const struct suggestions_input *in, int64_t start)
{
    int64_t len = in->to - in->from, x = start - in->from;
    if (len <= 0 || x <= 0)
        return EARLY_MAX;
    if (x >= len)
        return 0;
    return EARLY_MAX - (int)(x * 100 / len);
}

static void judge(struct ranker *r, const struct span *slot, struct verdict *v)
{
    const struct suggestions_input *in = r->in;
    int64_t os = slot->start - (int64_t)in->buffer_before_min * 60;
    int64_t oe = slot->end + (int64_t)in->buffer_after_min * 60;
    asked(r, slot, v);
    sides(r, slot, os, oe, &v->left, &v->right);
    int met = (v->day_met != 0) + (v->hours_met != 0);
    int compact = side_points(in, &v->left, true) + side_points(in, &v->right, false);
    v->score = W_ASKED * met + W_COMPACT * (compact + 2) + earliness(in, slot->start);
}

/* ---- reasons, written only for the slots returned ---- */

static const char *const day_names[] = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                        "Friday", "Saturday", "Sunday"};

static G_GNUC_PRINTF(2, 3) void add_reason(struct suggestion *o, const char *fmt, ...)
{
    va_list ap;
    if (o->n_reasons >= SUGGESTION_MAX_REASONS)
        return;
    va_start(ap, fmt);
    vsnprintf(o->reasons[o->n_reasons++], SUGGESTION_REASON_SIZE, fmt, ap);
    va_end(ap);
}

/* "HH:MM" of instant t into buf (6 bytes). */
static const char *clock_at(struct ranker *r, int64_t t, char *buf)
{
    int64_t secs;
    local_day(r, t, &secs);
    hhmm_format((int)(secs / 60), buf);
    return buf;
}

static void explain_asked(const struct suggestions_input *in, const struct verdict *v,
                          struct suggestion *o)
{
    const struct suggestion_prefs *p = &in->prefs;
    const char *where = v->hours_met ? "within" : "outside";
    char a[6], b[6];
    if (v->day_met == 1)
        add_reason(o, "%s, as asked", day_names[v->weekday]);
    else if (v->day_met == 0)
        add_reason(o, "%s, not one of the asked days", day_names[v->weekday]);
    if (v->hours_met < 0)
        return;
    hhmm_format(p->after_min < 0 ? 0 : p->after_min, a);
    hhmm_format(p->before_min < 0 ? 1440 : p->before_min, b);
    if (p->after_min >= 0 && p->before_min >= 0)
        add_reason(o, "%s the asked hours, %s to %s", where, a, b);
    else if (p->after_min >= 0)
        add_reason(o, "%s the asked hours, from %s", where, a);
    else
        add_reason(o, "%s the asked hours, until %s", where, b);
}

/* [gap_from, gap_to) is the free time a side leaves. */
static void explain_side(struct ranker *r, const struct side *sd, bool left, int64_t gap_from,
                         int64_t gap_to, struct suggestion *o)
{
    const struct suggestions_input *in = r->in;
    char a[6], b[6];
    if (sd->kind == EDGE_NONE || sd->gap >= fit_of(in, sd, left))
        return;
    if (sd->gap > 0)
        add_reason(o, "leaves a %d-minute gap (%s to %s) that no service fits",
                   (int)(sd->gap / 60), clock_at(r, gap_from, a), clock_at(r, gap_to, b));
    else if (sd->kind == EDGE_BOOKING)
        add_reason(o, "next to a booking %s at %s", left ? "ending" : "starting",
                   clock_at(r, sd->at, a));
    else if (sd->kind == EDGE_TIME_OFF)
        add_reason(o, left ? "right after time off" : "right before time off");
    else
        add_reason(o, left ? "at the start of the day's hours" : "at the end of the day's hours");
}

static void explain(struct ranker *r, const struct span *slot, struct suggestion *o)
{
    const struct suggestions_input *in = r->in;
    struct verdict v;
    int64_t os = slot->start - (int64_t)in->buffer_before_min * 60;
    int64_t oe = slot->end + (int64_t)in->buffer_after_min * 60;
    judge(r, slot, &v);
    memset(o, 0, sizeof *o);
    o->slot = *slot;
    o->score = v.score;
    explain_asked(in, &v, o);
    explain_side(r, &v.left, true, os - v.left.gap, os, o);
    explain_side(r, &v.right, false, oe, oe + v.right.gap, o);
    if (o->n_reasons == 0)
        add_reason(o, "the free time on both sides can still be booked");
}

/* ---- ranking ---- */

struct ranked {
    int score;
    int64_t start;
    size_t i; /* into in->slots */
};

/* The order of the answer: score descending, then start ascending (then
 * input order, so that even a hand-made list with repeats has one order). */
static bool better(const struct ranked *x, const struct ranked *y)
{
    if (x->score != y->score)
        return x->score > y->score;
    if (x->start != y->start)
        return x->start < y->start;
    return x->i < y->i;
}

/* Keeps best[0..*n) the best `limit` seen so far, in order. limit is at most
 * 50 and most slots lose to the worst kept one at once (earliness falls as
 * the slots go on), so this is close to one pass, with no sort of them all. */
static void keep(struct ranked *best, size_t *n, size_t limit, const struct ranked *c)
{
    size_t k = *n < limit ? (*n)++ : limit;
    if (k == limit && !better(c, &best[limit - 1]))
        return;
    if (k == limit)
        k = limit - 1;
    while (k > 0 && better(c, &best[k - 1])) {
        best[k] = best[k - 1];
        k--;
    }
    best[k] = *c;
}

int suggestions_rank(const struct suggestions_input *in, size_t limit, struct suggestion *out,
                     size_t *n)
{
    struct ranker r;
    struct ranked *best = malloc((limit + 1) * sizeof *best);
    size_t kept = 0;
    int rc = best && ranker_init(&r, in) == 0 ? 0 : -1;
    *n = 0;
    for (size_t i = 0; rc == 0 && limit && i < in->n_slots; i++) {
        struct verdict v;
        judge(&r, &in->slots[i], &v);
        keep(best, &kept, limit, &(struct ranked){v.score, in->slots[i].start, i});
    }
    for (size_t k = 0; rc == 0 && k < kept; k++)
        explain(&r, &in->slots[best[k].i], &out[(*n)++]);
    if (best)
        ranker_release(&r);
    free(best);
    return rc;
}

/* ---- the use case ---- */

static int rank_view(const struct schedule_view *v, const struct slot_list *windows,
                     const struct suggestions_fit *fit, const struct suggestion_prefs *prefs,
                     size_t limit, struct suggestion_list *out)
{
    struct suggestions_input in = {
        .tz = v->view_tz,
        .slots = v->slots.items,
        .n_slots = v->slots.n,
        .busy = v->input.busy,
        .n_busy = v->input.n_busy,
        .windows = windows->items,
        .n_windows = windows->n,
        .time_off = v->input.time_off,
        .n_time_off = v->input.n_time_off,
        .buffer_before_min = v->input.rules.buffer_before_min,
        .buffer_after_min = v->input.rules.buffer_after_min,
        .fit = *fit,
        .prefs = *prefs,
        .from = v->input.from,
        .to = v->input.to,
    };
    out->service_id = v->svc.id;
    out->provider_id = v->svc.provider_id;
    g_strlcpy(out->timezone, tz_name(v->view_tz), sizeof out->timezone);
    out->items = calloc(limit ? limit : 1, sizeof *out->items);
    if (!out->items)
        return -1;
    return suggestions_rank(&in, limit, out->items, &out->n);
}

enum app_err suggestions_for_service(struct store *s, int64_t id, int64_t from_days,
                                     int64_t to_days, const char *zone,
                                     const struct suggestion_prefs *prefs, size_t limit,
                                     struct suggestion_list *out)
{
    struct schedule_view *v = malloc(sizeof *v);
    struct slot_list windows = {0};
    struct suggestions_fit fit;
    memset(out, 0, sizeof *out);
    if (!v)
        return APP_ERR_INTERNAL;
    enum app_err err = schedule_service_view(s, id, from_days, to_days, zone, v);
    if (err) {
        free(v);
        return err;
    }
    err = store_service_shortest(s, v->svc.provider_id, &fit.between, &fit.after_edge,
                                 &fit.before_edge);
    if (!err && slots_windows(&v->input, &windows) != 0)
        err = APP_ERR_INTERNAL;
    if (!err && rank_view(v, &windows, &fit, prefs, limit, out) != 0)
        err = APP_ERR_INTERNAL;
    if (err)
        suggestion_list_release(out);
    slot_list_release(&windows);
    schedule_view_release(v);
    free(v);
    return err;
}
