/* Users: the own profile, and the admin's view of everyone. */
#ifndef SERVICES_USERS_H
#define SERVICES_USERS_H
#include <stdbool.h>

#include "core/error.h"
#include "db/store.h"
#include "models/user.h"

/* Renames u (the caller) to name. */
enum app_err users_rename(struct store *s, struct user *u, const char *name);
/* Admin edit of user id: the non-NULL fields change; out gets the result.
 * Deactivating a user ends every session of theirs at once. */
enum app_err users_admin_update(struct store *s, int64_t id, const char *name, const enum role *role,
                                const bool *is_active, struct user *out);
/* The first admin, from the command line. */
enum app_err users_create_admin(struct store *s, const char *email, const char *name,
                                const char *password, struct user *out);
/* A page of users, all or of one role (role NULL: all). */
enum app_err users_list(struct store *s, const enum role *role, int limit, int offset,
                        struct user_list *out);
enum app_err users_get(struct store *s, int64_t id, struct user *out);
#endif
