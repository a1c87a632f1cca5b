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
/* Loads service id for an edit by its provider or an admin. */
enum app_err services_get_for_edit(struct store *s, const struct user *actor, int64_t id,
                                   struct service *out);
enum app_err services_update(struct store *s, const struct service *svc);
enum app_err services_deactivate(struct store *s, const struct user *actor, int64_t id);
enum app_err services_list(struct store *s, int64_t provider_id, int limit, int offset,
                           struct service_list *out);
#endif
