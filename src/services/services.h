/* Services: what providers offer. A provider manages its own, an admin any. */
#ifndef SERVICES_SERVICES_H
#define SERVICES_SERVICES_H
#include "core/error.h"
#include "db/store.h"
#include "models/service.h"
#include "models/user.h"

/* Creates svc (validated; provider_id set by the caller for admins). A
 * provider always creates for itself; customers get APP_ERR_FORBIDDEN; an
 * admin's provider_id must name a provider (APP_ERR_PROVIDER_NOT_FOUND). */
enum app_err services_create(struct store *s, const struct user *actor, struct service *svc);
/* Any service by id, active or not. */
enum app_err services_get(struct store *s, int64_t id, struct service *out);
/* An active service, else APP_ERR_SERVICE_NOT_FOUND: what slots and bookings use. */
enum app_err services_get_active(struct store *s, int64_t id, struct service *out);
/* Applies a client's changes to svc, or says why not in fe. */
typedef bool (*services_patch_fn)(void *arg, struct service *svc, struct field_errors *fe);
/* Edits service id by its provider or an admin: patch runs on the service
 * as it is now, its row locked, so concurrent edits of other fields all
 * survive. out gets the result; APP_ERR_VALIDATION when patch refused. */
enum app_err services_update(struct store *s, const struct user *actor, int64_t id,
                             services_patch_fn patch, void *arg, struct service *out,
                             struct field_errors *fe);
enum app_err services_deactivate(struct store *s, const struct user *actor, int64_t id);
enum app_err services_list(struct store *s, int64_t provider_id, int limit, int offset,
                           struct service_list *out);
#endif
