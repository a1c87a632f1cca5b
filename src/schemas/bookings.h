/* JSON <-> bookings and slots, and the query strings of their lists. */
#ifndef SCHEMAS_BOOKINGS_H
#define SCHEMAS_BOOKINGS_H
#include <jansson.h>
#include <stdbool.h>

#include "core/error.h"
#include "models/booking.h"
#include "models/availability.h"

bool schema_booking_request(const char *body, size_t len, const char *ct,
                            struct booking_request *req, struct field_errors *fe);
/* {"reason"?}; an empty body counts as {}. reason is NULL when absent. */
bool schema_cancel(const char *body, size_t len, const char *ct, char *reason, size_t reason_len,
                   bool *has_reason, struct field_errors *fe);
bool schema_reschedule(const char *body, size_t len, const char *ct, int64_t *start,
                       struct field_errors *fe);

/* ?status=&from=&to= of the bookings list into f (values kept as given). */
bool schema_booking_filter(const char *status, const char *from, const char *to,
                           struct booking_filter *f, struct field_errors *fe);
/* ?from=&to= dates (at most 62, to not before from) and ?timezone=. */
bool schema_slot_range(const char *from, const char *to, const char *tz, int64_t *from_days,
                       int64_t *to_days, struct field_errors *fe);

json_t *schema_booking_json(const struct booking *b);
json_t *schema_spans_json(const struct slot_list *list);
/* The slots response as text, written directly: a week of slots is thousands
 * of objects, and building them as json_t costs more than computing them.
 * zone must be an IANA name (no characters to escape). Returns malloc'd text. */
char *schema_slots_text(int64_t service_id, int64_t provider_id, const char *zone,
                        const struct slot_list *list, size_t *len);
#endif
