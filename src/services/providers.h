/* Providers: their weekly availability and their time off. Reads are open to
 * any signed-in user; writes to that provider and to admins. */
#ifndef SERVICES_PROVIDERS_H
#define SERVICES_PROVIDERS_H
#include "core/error.h"
#include "db/store.h"
#include "models/availability.h"
#include "models/user.h"

enum app_err providers_list(struct store *s, int limit, int offset, struct user_list *out);
/* APP_ERR_PROVIDER_NOT_FOUND unless id is a user with role provider. */
enum app_err providers_get(struct store *s, int64_t id, struct user *out);
enum app_err providers_availability(struct store *s, int64_t id, struct availability *out);
/* Replaces the whole schedule (already validated) in one transaction. */
enum app_err providers_set_availability(struct store *s, const struct user *actor, int64_t id,
                                        const struct availability *a);
enum app_err providers_add_time_off(struct store *s, const struct user *actor, struct time_off *t);
enum app_err providers_time_off(struct store *s, int64_t id, int limit, int offset,
                                struct time_off_list *out);
enum app_err providers_delete_time_off(struct store *s, const struct user *actor, int64_t id,
                                       int64_t time_off_id);
#endif
