/* JSON of the event stream's routes. */
#ifndef SCHEMAS_EVENTS_H
#define SCHEMAS_EVENTS_H
#include <jansson.h>

/* {"ticket", "expires_in"}: a new reference. */
json_t *schema_event_ticket_json(const char *ticket, int expires_in);
#endif
