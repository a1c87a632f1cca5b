#include "models/webhook.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static const char *const event_names[WEBHOOK_EVENT_TYPES] = {
    "booking.created", "booking.cancelled",     "booking.rescheduled", "booking.completed",
    "waitlist.slot_available", "waitlist.booked", "booking.reminder",
};

const char *webhook_event_name(int i)
{
    return i >= 0 && i < WEBHOOK_EVENT_TYPES ? event_names[i] : NULL;
}

unsigned webhook_event_bit(const char *name)
{
    for (int i = 0; i < WEBHOOK_EVENT_TYPES; i++)
        if (strcmp(event_names[i], name) == 0)
            return 1u << i;
    return 0;
}

static const char *const status_names[] = {"pending", "delivered", "failed"};

const char *delivery_status_name(enum delivery_status s)
{
    return status_names[s];
}

bool delivery_status_parse(const char *name, enum delivery_status *out)
{
    for (int i = 0; i < 3; i++)
        if (name && strcmp(status_names[i], name) == 0) {
            *out = (enum delivery_status)i;
            return true;
        }
    return false;
}

void webhook_list_release(struct webhook_list *list)
{
    free(list->items);
    memset(list, 0, sizeof *list);
}

void delivery_list_release(struct delivery_list *list)
{
    free(list->items);
    memset(list, 0, sizeof *list);
}

void delivery_attempt_list_release(struct delivery_attempt_list *list)
{
    for (int i = 0; i < list->n; i++)
        free(list->items[i].event_data);
    free(list->items);
    memset(list, 0, sizeof *list);
}
