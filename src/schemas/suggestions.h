/* The query string and the JSON of GET /api/v1/services/{id}/suggestions.
 * from, to and timezone are read by schema_slot_range (schemas/bookings.h),
 * as for the slots. */
#ifndef SCHEMAS_SUGGESTIONS_H
#define SCHEMAS_SUGGESTIONS_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "models/suggestion.h"

/* ?days=mon,tue (case-insensitive; full names too; spaces around names
 * allowed), ?after=HH:MM, ?before=HH:MM (24:00 allowed; later than after)
 * and ?limit= (1–50, default 5), each NULL when absent. Records a 422 entry
 * in fe for each bad one; returns whether all were good. */
bool schema_suggestion_query(const char *days, const char *after, const char *before,
                             const char *limit, struct suggestion_prefs *prefs, int64_t *limit_out,
                             struct field_errors *fe);

/* {"service_id", "provider_id", "timezone", "suggestions": [{"start", "end",
 * "score", "reasons"}]}: a new reference. */
json_t *schema_suggestions_json(const struct suggestion_list *list);
#endif
