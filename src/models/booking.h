/* A booking. It keeps its own end and buffers, so service edits never move it. */
#ifndef MODELS_BOOKING_H
#define MODELS_BOOKING_H
#include <stdbool.h>
#include <stdint.h>

enum booking_status { BOOKING_CONFIRMED, BOOKING_CANCELLED, BOOKING_COMPLETED };

#define BOOKING_NOTES_MAX_CHARS 1000
#define BOOKING_REASON_MAX_CHARS 1000

struct booking {
    int64_t id;
    int64_t service_id;
    int64_t provider_id;
    int64_t customer_id;
    int64_t start;
    int64_t end;
    int buffer_before_min;
    int buffer_after_min;
    enum booking_status status;
    char notes[BOOKING_NOTES_MAX_CHARS * 4 + 1];
    char cancel_reason[BOOKING_REASON_MAX_CHARS * 4 + 1];
    bool has_cancel_reason;
    int64_t created_at;
    int64_t updated_at;
    int64_t cancelled_at; /* 0: not cancelled */
};

struct booking_list {
    struct booking *items;
    int n;
    int64_t total;
};

/* What a client asks for when it books. */
struct booking_request {
    int64_t service_id;
    int64_t start;
    char notes[BOOKING_NOTES_MAX_CHARS * 4 + 1];
    bool has_customer_id;
    int64_t customer_id;
};

/* Which bookings a list shows. */
struct booking_filter {
    int64_t customer_id; /* 0: any */
    int64_t provider_id; /* 0: any */
    const char *status;  /* NULL: any */
    bool has_from, has_to;
    int64_t from, to; /* on start: from inclusive, to exclusive */
};

/* "confirmed", "cancelled", "completed". */
const char *booking_status_name(enum booking_status status);
bool booking_status_parse(const char *name, enum booking_status *status);
/* [start - buffer_before, end + buffer_after): what the booking keeps busy. */
int64_t booking_occupied_start(const struct booking *b);
int64_t booking_occupied_end(const struct booking *b);
void booking_list_release(struct booking_list *list);
#endif
