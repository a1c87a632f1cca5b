/* The JSON text of what the services write into the outbox and the audit
 * log. Services call these and see only text: no JSON type crosses into them.
 * Every char * returned is malloc'd for the caller to free (NULL when memory
 * ran out). */
#ifndef SCHEMAS_TEXT_H
#define SCHEMAS_TEXT_H
#include <stdbool.h>
#include <stdint.h>

#include "models/audit.h"
#include "models/booking.h"
#include "models/waitlist.h"

/* A Booking as the API shows it. */
char *schema_booking_text(const struct booking *b);

/* A waitlist entry as the API shows it at now (schemas/waitlist.c). */
char *schema_waitlist_text(const struct waitlist_entry *e, int64_t now);
/* slots.freed's data: {"service_id": N}, or {} (service_id 0) for every
 * service of the provider; and the service id back from it (0: all). */
char *schema_slots_freed_text(int64_t service_id);
int64_t schema_slots_freed_service(const char *data);

/* The body of a webhook delivery of event id (schemas/webhook_payload.c):
 * {"id", "type", "created_at", "data"} with data the event's JSON text. */
char *schema_webhook_payload_text(int64_t event_id, const char *type, int64_t created_at,
                                  const char *data);

/* An audit entry's details, built field by field. A change_* call records
 * {"from": …, "to": …} under key only when the two differ; a set_* call
 * records a plain value. */
struct audit_details;
struct audit_details *schema_details_new(void);
void schema_details_change_str(struct audit_details *d, const char *key, const char *from,
                               const char *to);
void schema_details_change_int(struct audit_details *d, const char *key, int64_t from, int64_t to);
void schema_details_change_bool(struct audit_details *d, const char *key, bool from, bool to);
void schema_details_set_str(struct audit_details *d, const char *key, const char *value);
void schema_details_set_int(struct audit_details *d, const char *key, int64_t value);
/* Whether no change or value was recorded. */
bool schema_details_empty(const struct audit_details *d);
/* The text of d, which it frees (d may be NULL: "{}"). */
char *schema_details_text(struct audit_details *d);
/* Frees d unused (NULL: nothing). */
void schema_details_free(struct audit_details *d);

/* An entry as GET /api/v1/audit shows it, without hash, keys sorted and no
 * spaces: what the chain hashes. */
char *schema_audit_entry_text(const struct audit_entry *e);
/* [{"id", "hash"}] of each entry of l: what store_audit_seal writes. */
char *schema_audit_seals_text(const struct audit_list *l);
#endif
