/* Webhooks (API.md, "Webhooks"): a provider's for its own bookings, an
 * admin's for all. Each change writes its audit entry in its unit of work;
 * no secret ever reaches a log line, an audit entry or a response but the
 * 201 of a create and the 200 of a rotation. */
#ifndef SERVICES_WEBHOOKS_H
#define SERVICES_WEBHOOKS_H
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "core/ssrf.h"
#include "db/store.h"

/* Whether URLs may point at non-public addresses (WEBHOOK_ALLOW_PRIVATE),
 * and who resolves their hosts (NULL: the system). Call once before
 * serving. */
void webhooks_init(bool allow_private, ssrf_resolver_fn resolve);

/* Creates w for actor (a provider or an admin: APP_ERR_FORBIDDEN for
 * customers) with secret, or a new one when secret is "" (written back
 * into secret). APP_ERR_VALIDATION with fe when the URL's host resolves to
 * an address that is not public. */
enum app_err webhooks_create(struct store *s, const struct user *actor, struct webhook *w,
                             char *secret, struct field_errors *fe);
/* Webhook id when actor may see it (its owner, or an admin); otherwise
 * APP_ERR_WEBHOOK_NOT_FOUND. */
enum app_err webhooks_get(struct store *s, const struct user *actor, int64_t id,
                          struct webhook *out);
/* actor's own webhooks; an admin's: all. */
enum app_err webhooks_list(struct store *s, const struct user *actor, int limit, int offset,
                           struct webhook_list *out);
/* Applies patch (false: invalid, fe filled) to webhook id as it is now. */
typedef bool (*webhooks_patch_fn)(void *arg, struct webhook *w, struct field_errors *fe);
enum app_err webhooks_update(struct store *s, const struct user *actor, int64_t id,
                             webhooks_patch_fn patch, void *arg, struct webhook *out,
                             struct field_errors *fe);
enum app_err webhooks_delete(struct store *s, const struct user *actor, int64_t id);
/* Replaces the secret with secret, or a new one when it is "" (written
 * back); the old one still signs for 24 h. */
enum app_err webhooks_rotate_secret(struct store *s, const struct user *actor, int64_t id,
                                    char *secret);
enum app_err webhooks_deliveries(struct store *s, const struct user *actor, int64_t id, int limit,
                                 int offset, struct delivery_list *out);
/* Makes the delivery of event_id pending and due now. */
enum app_err webhooks_retry(struct store *s, const struct user *actor, int64_t id,
                            int64_t event_id, struct delivery *out);
#endif
