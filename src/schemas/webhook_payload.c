/* The body of a webhook delivery: {"id", "type", "created_at", "data"},
 * data being the event's own JSON text as the outbox holds it. */
#include <glib.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "schemas/common.h"
#include "schemas/text.h"

char *schema_webhook_payload_text(int64_t event_id, const char *type, int64_t created_at,
                                  const char *data)
{
    json_error_t jerr;
    json_t *d = json_loads(data, JSON_DECODE_ANY, &jerr);
    json_t *v = d ? json_pack("{s:I,s:s,s:o,s:o}", "id", (json_int_t)event_id, "type", type,
                              "created_at", schema_time_json(created_at, false), "data", d)
                  : NULL;
    char *text = v ? json_dumps(v, JSON_COMPACT) : NULL;
    json_decref(v);
    return text;
}
