/* JSON <-> providers, availability and time off. */
#ifndef SCHEMAS_PROVIDERS_H
#define SCHEMAS_PROVIDERS_H
#include <jansson.h>
#include <stdbool.h>

#include "core/error.h"
#include "models/availability.h"
#include "models/user.h"

/* The PUT body: an IANA zone and non-overlapping windows (start < end,
 * "HH:MM", end may be "24:00"), sorted monday first then by start. */
bool schema_availability(const char *body, size_t len, const char *ct, struct availability *a,
                         struct field_errors *fe);
bool schema_time_off(const char *body, size_t len, const char *ct, struct time_off *t,
                     struct field_errors *fe);

json_t *schema_provider_json(const struct user *u);
json_t *schema_availability_json(const struct availability *a);
json_t *schema_time_off_json(const struct time_off *t);
#endif
