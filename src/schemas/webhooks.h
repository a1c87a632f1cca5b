/* Webhooks and their deliveries as JSON (API.md, "Webhooks"), and the body
 * of one delivery. */
#ifndef SCHEMAS_WEBHOOKS_H
#define SCHEMAS_WEBHOOKS_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "models/webhook.h"

/* A create body into w (events, url, reminder_minutes, default 1440) and
 * secret ("" when none was given). False with fe filled. The URL's scheme
 * and form are checked here; where it points is the service's check. */
bool schema_webhook_create(const char *body, size_t len, const char *ct, struct webhook *w,
                           char *secret, struct field_errors *fe);
/* A PATCH body over w: the fields it holds. */
bool schema_webhook_patch(const char *body, size_t len, const char *ct, struct webhook *w,
                          struct field_errors *fe);
/* A rotate-secret body: an optional secret ("" when none; an empty body is
 * no secret too). */
bool schema_webhook_rotate(const char *body, size_t len, const char *ct, char *secret,
                           struct field_errors *fe);
/* The Webhook object, with secret when not NULL (the 201 only). */
json_t *schema_webhook_json(const struct webhook *w, const char *secret);
json_t *schema_delivery_json(const struct delivery *d);
/* The attempts' results as store_delivery_record takes them: a JSON array of
 * {id, owner, attempts, status, code, error, next, delivered}, null where
 * there is none; an error that is not UTF-8 has its bad bytes replaced
 * (U+FFFD). NULL when out of memory; free() it. */
char *schema_delivery_outcomes_text(const struct delivery_outcome *o, int n);
/* {"secret": secret} */
json_t *schema_secret_json(const char *secret);
#endif
