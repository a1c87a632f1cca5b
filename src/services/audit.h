/* The audit log as the services write and read it: one entry in the unit of
 * work of each change, the sealer that chains them (API.md, "Audit"), the
 * check of that chain, and retention. */
#ifndef SERVICES_AUDIT_H
#define SERVICES_AUDIT_H
#include <stdint.h>

#include "core/error.h"
#include "db/store.h"
#include "schemas/text.h"

/* Writes the entry of a change in the current unit of work, as actor (NULL:
 * the request's), taking d (NULL: no details). */
enum app_err audit_write(struct store *s, const struct user *actor, const char *action,
                         const char *target_type, int64_t target_id, struct audit_details *d);
enum app_err audit_list(struct store *s, const struct audit_filter *f, int limit, int offset,
                        struct audit_list *out);
/* Chains up to max entries not yet sealed, in id order, and says how many.
 * c is the sealer's own place, kept from one call to the next (zeroed at
 * first): it waits at a gap that may still fill. */
enum app_err audit_seal(struct store *s, struct outbox_cursor *c, int max, int *sealed);
/* What audit_verify found: the id of the first entry whose hash does not
 * match, or that is not sealed while a later one is (0: none); how many
 * matched before it; and how many at the end are not sealed yet. */
struct audit_check {
    int64_t bad;
    int64_t matched;
    int64_t unsealed;
};
/* Checks the whole chain, from the anchor to the newest entry. */
enum app_err audit_verify(struct store *s, struct audit_check *out);
/* hash of entry e after prev (64 hex digits each). */
bool audit_hash(const char *prev, const struct audit_entry *e, char out[65]);
#endif
