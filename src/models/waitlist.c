#include "models/waitlist.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static const char *const names[] = {"active", "notified", "booked", "expired"};

const char *waitlist_status_name(enum waitlist_status status)
{
    return (unsigned)status < sizeof names / sizeof names[0] ? names[status] : "active";
}

bool waitlist_status_parse(const char *name, enum waitlist_status *status)
{
    for (size_t i = 0; name && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0) {
            *status = (enum waitlist_status)i;
            return true;
        }
    return false;
}

enum waitlist_status waitlist_shown_status(const struct waitlist_entry *e, int64_t now)
{
    return e->status == WAITLIST_ACTIVE && e->to <= now ? WAITLIST_EXPIRED : e->status;
}

void waitlist_list_release(struct waitlist_list *list)
{
    free(list->items);
    memset(list, 0, sizeof *list);
}
