/* The slot engine: one pure function from a provider's schedule, time off,
 * confirmed bookings and a service's rules to the slots it offers. Listing
 * slots and accepting a booking both go through slots_compute, so the two can
 * never disagree. No I/O, no locks, no global state. */
#ifndef SERVICES_SLOTS_H
#define SERVICES_SLOTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/tz.h"
#include "models/availability.h"

struct slot_rules {
    int duration_min;
    int buffer_before_min;
    int buffer_after_min;
    int interval_min;
    int min_notice_min;
    int max_advance_days;
};

struct slot_input {
    const struct tz *tz; /* the provider's zone */
    const struct weekly_window *windows;
    size_t n_windows;
    const struct span *time_off;
    size_t n_time_off;
    /* Occupied intervals of confirmed bookings of the provider, each already
     * widened by that booking's own buffers. */
    const struct span *busy;
    size_t n_busy;
    struct slot_rules rules;
    int64_t now;
    int64_t from; /* offered slots with from ≤ start < to */
    int64_t to;
};

/* Appends to out, ascending and without repeats, every slot offered by in
 * whose start lies in [in->from, in->to), stopping after `max` slots (0: no
 * limit). Returns 0, or -1 when memory ran out (out then holds what was found). */
int slots_compute(const struct slot_input *in, size_t max, struct slot_list *out);

/* Busy time sorted by start, with the running maximum of ends: whether any
 * span overlaps [a, b), or which lie next to a slot, is then one binary
 * search (spans may overlap each other, so ends alone are not sorted). */
struct slots_busy {
    struct span *spans;
    int64_t *max_end; /* max_end[i]: the latest end among spans[0..i] */
    size_t n;
    size_t at; /* where the last search ended: see slots_count_from */
};
/* A sorted copy of n busy spans. 0, or -1 when memory ran out (release it
 * either way). */
int slots_busy_init(struct slots_busy *bi, const struct span *busy, size_t n);
void slots_busy_release(struct slots_busy *bi);
/* Sorts spans by start (cheaply when they are in order already). */
void slots_sort(struct span *spans, size_t n);
/* How many of the n spans of a, sorted by start, start before t. */
size_t slots_count_before(const struct span *a, size_t n, int64_t t);
/* The same, for callers whose t mostly grows (the engine walks candidates in
 * order): searches forward from *at, the previous answer, and updates it. */
size_t slots_count_from(const struct span *a, size_t n, int64_t t, size_t *at);

/* True when a slot starting exactly at `start` is offered by in (in->from and
 * in->to are ignored). */
bool slots_is_offered(const struct slot_input *in, int64_t start);

/* Appends to out, sorted by start, the provider's windows as UTC spans
 * [ws, we) on every local date whose candidates slots_compute looks at for
 * [in->from, in->to): the same conversion, so each offered slot lies inside
 * one of them. Windows that touch are not merged. Returns 0, or -1 when
 * memory ran out. */
int slots_windows(const struct slot_input *in, struct slot_list *out);

#endif
