/* A provider's weekly schedule and time off. Plain data. */
#ifndef MODELS_AVAILABILITY_H
#define MODELS_AVAILABILITY_H
#include <stddef.h>
#include <stdint.h>

/* A weekly opening window in the provider's wall time. */
struct weekly_window {
    int day;       /* 0 = monday … 6 = sunday */
    int start_min; /* minutes after local midnight, 0–1439 */
    int end_min;   /* start_min < end_min ≤ 1440 (1440 is "24:00") */
};

/* A half-open interval [start, end) of Unix seconds. */
struct span {
    int64_t start;
    int64_t end;
};

struct span_list {
    struct span *items;
    int n;
};

/* The slot engine's output: a growing array of slots. */
struct slot_list {
    struct span *items;
    size_t n;
    size_t cap;
};

void slot_list_release(struct slot_list *list);

#define AVAILABILITY_MAX_WINDOWS 168

struct availability {
    char timezone[64];
    struct weekly_window windows[AVAILABILITY_MAX_WINDOWS];
    int n;
};

#define TIME_OFF_REASON_MAX_CHARS 500

struct time_off {
    int64_t id;
    int64_t provider_id;
    int64_t start;
    int64_t end;
    char reason[TIME_OFF_REASON_MAX_CHARS * 4 + 1];
};

struct time_off_list {
    struct time_off *items;
    int n;
    int64_t total;
};

/* What the slot engine needs of a provider around a range: its zone and
 * weekly windows, its time off, and the occupied intervals (buffers included)
 * of its confirmed bookings. */
struct schedule {
    struct availability avail;
    struct span_list time_off;
    struct span_list busy;
};

void time_off_list_release(struct time_off_list *list);
void schedule_release(struct schedule *s);
#endif
