/* A waitlist entry: a customer waiting for a slot of one service within
 * [from, to). Plain data. */
#ifndef MODELS_WAITLIST_H
#define MODELS_WAITLIST_H
#include <stdbool.h>
#include <stdint.h>

enum waitlist_status { WAITLIST_ACTIVE, WAITLIST_NOTIFIED, WAITLIST_BOOKED, WAITLIST_EXPIRED };

/* At most this many active entries per customer. */
#define WAITLIST_MAX_ACTIVE 20
/* The longest range an entry may wait over. */
#define WAITLIST_MAX_RANGE (62 * 86400)

struct waitlist_entry {
    int64_t id;
    int64_t service_id;
    int64_t provider_id; /* the service's */
    int64_t customer_id;
    int64_t from, to; /* [from, to): the slot must lie inside */
    bool auto_book;
    enum waitlist_status status; /* as stored; see waitlist_shown_status */
    int64_t booking_id;          /* 0: none */
    int64_t slot_start, slot_end; /* the slot it was served with; 0: none */
    int64_t created_at;
    int64_t updated_at;
};

struct waitlist_list {
    struct waitlist_entry *items;
    int n;
    int64_t total;
};

/* What a customer asks for. */
struct waitlist_request {
    int64_t service_id;
    int64_t from, to;
    bool auto_book;
};

/* "active", "notified", "booked", "expired". */
const char *waitlist_status_name(enum waitlist_status status);
bool waitlist_status_parse(const char *name, enum waitlist_status *status);
/* The status a reader sees at now: an active entry whose to has passed is
 * expired at once, before the job writes it. */
enum waitlist_status waitlist_shown_status(const struct waitlist_entry *e, int64_t now);
void waitlist_list_release(struct waitlist_list *list);
#endif
