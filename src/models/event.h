/* An event of the outbox: a change that streams, webhooks and the waitlist
 * hear about. */
#ifndef MODELS_EVENT_H
#define MODELS_EVENT_H
#include <stdint.h>

struct event {
    int64_t id;
    char type[32];       /* "booking.created", … */
    char *data;          /* JSON text of the object; owned by the list */
    int64_t provider_id; /* 0: none */
    int64_t customer_id; /* 0: none */
    int64_t created_at;
    /* The occupied span the change freed, [freed_start, freed_end) (0, 0:
     * none): what the waitlist job serves. */
    int64_t freed_start, freed_end;
};

struct event_list {
    struct event *items;
    int n;
};

void event_list_release(struct event_list *list);
#endif
