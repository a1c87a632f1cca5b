#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "models/audit.h"
#include "models/availability.h"
#include "models/event.h"
#include "models/booking.h"
#include "models/service.h"

void time_off_list_release(struct time_off_list *list)
{
    free(list->items);
    memset(list, 0, sizeof *list);
}

void slot_list_release(struct slot_list *list)
{
    free(list->items);
    memset(list, 0, sizeof *list);
}

void schedule_release(struct schedule *s)
{
    free(s->time_off.items);
    free(s->busy.items);
    s->time_off = (struct span_list){0};
    s->busy = (struct span_list){0};
}

void service_list_release(struct service_list *list)
{
    free(list->items);
    memset(list, 0, sizeof *list);
}

void booking_list_release(struct booking_list *list)
{
    free(list->items);
    memset(list, 0, sizeof *list);
}

static const char *const status_names[] = {"confirmed", "cancelled", "completed"};

const char *booking_status_name(enum booking_status status)
{
    return status_names[status];
}

bool booking_status_parse(const char *name, enum booking_status *status)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(name, status_names[i]) == 0) {
            *status = (enum booking_status)i;
            return true;
        }
    return false;
}

int64_t booking_occupied_start(const struct booking *b)
{
    return b->start - (int64_t)b->buffer_before_min * 60;
}

int64_t booking_occupied_end(const struct booking *b)
{
    return b->end + (int64_t)b->buffer_after_min * 60;
}

void event_list_release(struct event_list *list)
{
    for (int i = 0; i < list->n; i++)
        free(list->items[i].data);
    free(list->items);
    memset(list, 0, sizeof *list);
}

void audit_list_release(struct audit_list *list)
{
    for (int i = 0; i < list->n; i++)
        free(list->items[i].details);
    free(list->items);
    memset(list, 0, sizeof *list);
}
