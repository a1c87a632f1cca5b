/* JSON of the audit log for GET /api/v1/audit. */
#ifndef SCHEMAS_AUDIT_H
#define SCHEMAS_AUDIT_H
#include <jansson.h>
#include <stdbool.h>

#include "core/error.h"
#include "models/audit.h"

/* An entry as the endpoint shows it; with_hash adds "hash" (null until sealed). */
json_t *schema_audit_json(const struct audit_entry *e, bool with_hash);
/* ?action=&actor_id=&target_type=&target_id=&from=&to= into f (strings kept as
 * given); target_id needs target_type. */
bool schema_audit_filter(const char *action, const char *actor_id, const char *target_type,
                         const char *target_id, const char *from, const char *to,
                         struct audit_filter *f, struct field_errors *fe);
#endif
