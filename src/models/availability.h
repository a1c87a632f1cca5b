/* A provider's weekly schedule and time off. Plain data. */
#ifndef MODELS_AVAILABILITY_H
#define MODELS_AVAILABILITY_H
#include <stdint.h>

/* A weekly opening window in the provider's wall time. */
struct weekly_window {
    int day;       /* 0 = monday … 6 = sunday */
    int start_min; /* minutes after local midnight, 0–1439 */
    int end_min;   /* start_min < end_min ≤ 1440 (1440 is "24:00") */
};

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

void time_off_list_release(struct time_off_list *list);
#endif
