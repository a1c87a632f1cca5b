#include "schemas/events.h"

#include "core/banned.h"

json_t *schema_event_ticket_json(const char *ticket, int expires_in)
{
    return json_pack("{s:s, s:i}", "ticket", ticket, "expires_in", expires_in);
}
