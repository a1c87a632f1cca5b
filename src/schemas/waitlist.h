/* JSON <-> waitlist entries. The text forms the services write (the entry
 * as event data, slots.freed's data) are in schemas/text.h. */
#ifndef SCHEMAS_WAITLIST_H
#define SCHEMAS_WAITLIST_H
#include <jansson.h>
#include <stdbool.h>

#include "core/error.h"
#include "models/waitlist.h"

/* {"service_id", "from", "to", "auto_book"?}: the types only; the rules
 * (order, bounds) are services/waitlist.c's. */
bool schema_waitlist_request(const char *body, size_t len, const char *ct,
                             struct waitlist_request *req, struct field_errors *fe);
/* The entry as the API shows it at now (status expired once to has passed). */
json_t *schema_waitlist_json(const struct waitlist_entry *e, int64_t now);
#endif
