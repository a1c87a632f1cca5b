/* Users: the own profile, and the admin's view of everyone. */
#ifndef SERVICES_USERS_H
#define SERVICES_USERS_H
#include <stdbool.h>

#include "core/error.h"
#include "db/store.h"
#include "models/user.h"

/* What a PATCH changes: the non-NULL fields. */
struct user_change {
    const char *name;
    const enum role *role;
    const bool *is_active;
};
/* Changes user id (its row locked, so concurrent edits of other fields all
 * survive); out gets the result. Deactivating a user ends every session of
 * theirs at once; a provider made something else has its services closed;
 * APP_ERR_LAST_ADMIN when no active admin would be left. */
enum app_err users_update(struct store *s, int64_t id, const struct user_change *c,
                          struct user *out);
/* The first admin, from the command line. */
enum app_err users_create_admin(struct store *s, const char *email, const char *name,
                                const char *password, struct user *out);
/* A page of users, all or of one role (role NULL: all). */
enum app_err users_list(struct store *s, const enum role *role, int limit, int offset,
                        struct user_list *out);
enum app_err users_get(struct store *s, int64_t id, struct user *out);
#endif
