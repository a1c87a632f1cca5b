#include "services/slots.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "core/timeutil.h"

static int cmp_span(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

static bool sorted(const struct span *spans, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (spans[i - 1].start > spans[i].start)
            return false;
    return true;
}

/* Stores and the engine mostly hand over spans in order already. */
void slots_sort(struct span *spans, size_t n)
{
    if (!sorted(spans, n))
        qsort(spans, n, sizeof *spans, cmp_span);
}

int slots_busy_init(struct slots_busy *bi, const struct span *busy, size_t n)
{
    bi->n = n;
    bi->at = 0;
    bi->spans = malloc((n + 1) * sizeof *bi->spans);
    bi->max_end = malloc((n + 1) * sizeof *bi->max_end);
    if (!bi->spans || !bi->max_end)
        return -1;
    if (n)
        memcpy(bi->spans, busy, n * sizeof *busy);
    slots_sort(bi->spans, n);
    for (size_t i = 0; i < n; i++)
        bi->max_end[i] = i && bi->max_end[i - 1] > bi->spans[i].end ? bi->max_end[i - 1]
                                                                     : bi->spans[i].end;
    return 0;
}

void slots_busy_release(struct slots_busy *bi)
{
    free(bi->spans);
    free(bi->max_end);
    bi->spans = NULL;
    bi->max_end = NULL;
    bi->n = 0;
}

size_t slots_count_before(const struct span *a, size_t n, int64_t t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid].start < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Gallops forward from the previous answer, so a walk over candidates in
 * order costs about one step each instead of a search of the whole list. */
size_t slots_count_from(const struct span *a, size_t n, int64_t t, size_t *at)
{
    size_t lo = *at <= n ? *at : n, hi, step = 1;
    if (lo > 0 && a[lo - 1].start >= t)
        lo = 0; /* t went back: the answer lies before the cursor */
    for (hi = lo; hi < n && a[hi].start < t; step *= 2) {
        lo = hi + 1;
        hi = lo + step - 1 < n ? lo + step - 1 : n;
    }
    *at = lo + slots_count_before(a + lo, hi - lo, t);
    return *at;
}

/* Any span with start < b and end > a? */
static bool busy_overlaps(struct slots_busy *bi, int64_t a, int64_t b)
{
    size_t k = slots_count_from(bi->spans, bi->n, b, &bi->at);
    return k > 0 && bi->max_end[k - 1] > a;
}

/* Rules 1–3 of the contract for a candidate that already lies on a window grid. */
static bool candidate_free(const struct slot_input *in, struct slots_busy *bi, int64_t s)
{
    const struct slot_rules *r = &in->rules;
    int64_t e = s + (int64_t)r->duration_min * 60;
    if (s < in->now + (int64_t)r->min_notice_min * 60 ||
        s > in->now + (int64_t)r->max_advance_days * 86400)
        return false;
    for (size_t i = 0; i < in->n_time_off; i++)
        if (in->time_off[i].start < e && s < in->time_off[i].end)
            return false;
    return !busy_overlaps(bi, s - (int64_t)r->buffer_before_min * 60,
                          e + (int64_t)r->buffer_after_min * 60);
}

static int push(struct slot_list *out, int64_t s, int64_t e)
{
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 64;
        struct span *items = realloc(out->items, cap * sizeof *items);
        if (!items)
            return -1;
        out->items = items;
        out->cap = cap;
    }
    out->items[out->n++] = (struct span){s, e};
    return 0;
}

/* Window w on local date day as UTC instants [ws, we): the contract's wall
 * time rule, in one place for the slots and for slots_windows. */
static struct span window_span(const struct slot_input *in, int64_t day,
                               const struct weekly_window *w)
{
    return (struct span){tz_wall_to_utc(in->tz, day, w->start_min),
                         tz_wall_to_utc(in->tz, day, w->end_min)};
}

/* The local dates whose windows can hold a start in [from, to): one more on
 * each side, since the zone's dates and the range's need not line up. */
static void date_range(const struct slot_input *in, int64_t *d_from, int64_t *d_to)
{
    *d_from = tz_local_days(in->tz, in->from) - 1;
    *d_to = tz_local_days(in->tz, in->to) + 1;
}

/* Candidates of one window on one local date: ws + k × interval while the
 * slot still ends inside the window. */
static int window_slots(const struct slot_input *in, struct slots_busy *bi, int64_t day,
                        const struct weekly_window *w, struct slot_list *out)
{
    struct span win = window_span(in, day, w);
    int64_t ws = win.start, we = win.end;
    int64_t step = (int64_t)in->rules.interval_min * 60;
    int64_t dur = (int64_t)in->rules.duration_min * 60;
    int64_t s = ws;
    if (s < in->from)
        s = ws + (in->from - ws + step - 1) / step * step;
    for (; s + dur <= we && s < in->to; s += step)
        if (candidate_free(in, bi, s) && push(out, s, s + dur) < 0)
            return -1;
    return 0;
}

int slots_compute(const struct slot_input *in, size_t max, struct slot_list *out)
{
    if (in->rules.duration_min <= 0 || in->rules.interval_min <= 0 || in->from >= in->to)
        return 0;
    size_t first = out->n;
    struct slots_busy bi;
    int rc = slots_busy_init(&bi, in->busy, in->n_busy);
    int64_t d_from, d_to;
    date_range(in, &d_from, &d_to);
    for (int64_t day = d_from; day <= d_to && rc == 0; day++) {
        int wd = weekday_from_days(day);
        for (size_t i = 0; i < in->n_windows && rc == 0; i++)
            if (in->windows[i].day == wd)
                rc = window_slots(in, &bi, day, &in->windows[i], out);
    }
    slots_busy_release(&bi);
    if (out->n == first)
        return rc;
    slots_sort(out->items + first, out->n - first);
    size_t n = first;
    for (size_t i = first; i < out->n; i++)
        if (n == first || out->items[i].start != out->items[n - 1].start)
            out->items[n++] = out->items[i];
    if (max && n - first > max)
        n = first + max;
    out->n = n;
    return rc;
}

bool slots_is_offered(const struct slot_input *in, int64_t start)
{
    struct slot_input one = *in;
    struct slot_list list = {0};
    one.from = start;
    one.to = start + 1;
    bool offered = slots_compute(&one, 1, &list) == 0 && list.n == 1 && list.items[0].start == start;
    slot_list_release(&list);
    return offered;
}

int slots_windows(const struct slot_input *in, struct slot_list *out)
{
    int64_t d_from, d_to;
    size_t first = out->n;
    if (in->from >= in->to)
        return 0;
    date_range(in, &d_from, &d_to);
    for (int64_t day = d_from; day <= d_to; day++) {
        int wd = weekday_from_days(day);
        for (size_t i = 0; i < in->n_windows; i++) {
            if (in->windows[i].day != wd)
                continue;
            struct span win = window_span(in, day, &in->windows[i]);
            if (push(out, win.start, win.end) < 0)
                return -1;
        }
    }
    if (out->n > first)
        slots_sort(out->items + first, out->n - first);
    return 0;
}
