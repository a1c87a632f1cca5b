/* Webhooks, their deliveries, and what one attempt needs. Plain data. */
#ifndef MODELS_WEBHOOK_H
#define MODELS_WEBHOOK_H
#include <stdbool.h>
#include <stdint.h>

#include "core/signature.h"

#define WEBHOOK_URL_MAX 2048

/* The event types a webhook may ask for, as bits of webhook.events; the
 * order is the contract's. */
enum webhook_event {
    WEBHOOK_BOOKING_CREATED = 1 << 0,
    WEBHOOK_BOOKING_CANCELLED = 1 << 1,
    WEBHOOK_BOOKING_RESCHEDULED = 1 << 2,
    WEBHOOK_BOOKING_COMPLETED = 1 << 3,
    WEBHOOK_WAITLIST_SLOT_AVAILABLE = 1 << 4,
    WEBHOOK_WAITLIST_BOOKED = 1 << 5,
    WEBHOOK_BOOKING_REMINDER = 1 << 6,
};
#define WEBHOOK_EVENT_TYPES 7
/* The name of bit i (0 … WEBHOOK_EVENT_TYPES - 1). */
const char *webhook_event_name(int i);
/* The bit of name; 0 when it is none. */
unsigned webhook_event_bit(const char *name);

struct webhook {
    int64_t id;
    int64_t user_id; /* its owner: a provider (its own bookings) or an admin (all) */
    char url[WEBHOOK_URL_MAX + 1];
    unsigned events;
    bool active;
    int reminder_minutes;
    int64_t created_at;
};

struct webhook_list {
    struct webhook *items;
    int n;
    int64_t total;
};
void webhook_list_release(struct webhook_list *list);

enum delivery_status { DELIVERY_PENDING, DELIVERY_DELIVERED, DELIVERY_FAILED };
const char *delivery_status_name(enum delivery_status s);
bool delivery_status_parse(const char *name, enum delivery_status *out);

struct delivery {
    int64_t id;
    int64_t webhook_id;
    int64_t event_id;
    char type[32];
    enum delivery_status status;
    int attempts;
    int last_status_code; /* 0: none yet */
    char last_error[256]; /* "": none */
    int64_t next_attempt_at; /* 0: none (delivered or failed) */
    int64_t delivered_at;    /* 0: not delivered */
};

struct delivery_list {
    struct delivery *items;
    int n;
    int64_t total;
};
void delivery_list_release(struct delivery_list *list);

/* One claimed attempt: the delivery, where it goes, how it is signed and
 * what it carries. */
struct delivery_attempt {
    struct delivery d;
    char url[WEBHOOK_URL_MAX + 1];
    char secret[SIGNATURE_SECRET_MAX_LEN];
    char old_secret[SIGNATURE_SECRET_MAX_LEN]; /* "": no rotation in force */
    int64_t failing_since; /* of the webhook: 0 when its last attempt succeeded */
    bool has_event;        /* false: the event is no longer kept */
    int64_t event_created_at;
    char *event_data; /* malloc'd JSON text of the event's data */
};

/* One finished attempt, as the deliverer records it. */
struct delivery_outcome {
    const struct delivery *d; /* status, last_*, next_attempt_at, delivered_at */
    const char *owner;        /* the claim it was made under */
    bool kept;                /* the claim was still owner's at d->attempts */
};

struct delivery_attempt_list {
    struct delivery_attempt *items;
    int n;
};
void delivery_attempt_list_release(struct delivery_attempt_list *list);
#endif
