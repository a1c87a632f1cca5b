/* Ranked slots: what GET /api/v1/services/{id}/suggestions answers and what
 * the customer asked for. Plain data. */
#ifndef MODELS_SUGGESTION_H
#define MODELS_SUGGESTION_H
#include <stddef.h>
#include <stdint.h>

#include "models/availability.h"

/* ?limit= of the endpoint. */
#define SUGGESTION_LIMIT_DEFAULT 5
#define SUGGESTION_LIMIT_MAX 50

/* At most one reason each for the day, the hours, and each side of a slot. */
#define SUGGESTION_MAX_REASONS 4
#define SUGGESTION_REASON_SIZE 96

/* The customer's asked days and hours, read in the request's zone. */
struct suggestion_prefs {
    unsigned days;  /* bit d set: weekday d (0 = monday … 6 = sunday) asked; 0: not asked */
    int after_min;  /* the slot starts at or after this minute of its day; -1: not asked */
    int before_min; /* …and ends at or before this one (1440: midnight); -1: not asked */
};

struct suggestion {
    struct span slot;
    int score;
    int n_reasons;
    char reasons[SUGGESTION_MAX_REASONS][SUGGESTION_REASON_SIZE];
};

struct suggestion_list {
    int64_t service_id;
    int64_t provider_id;
    char timezone[64];
    struct suggestion *items; /* best first */
    size_t n;
};

void suggestion_list_release(struct suggestion_list *list);
#endif
