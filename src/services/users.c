#include "services/users.h"

#include <glib.h>
#include <string.h>

#include "core/banned.h"
#include "core/timeutil.h"
#include "services/auth.h"

enum app_err users_rename(struct store *s, struct user *u, const char *name)
{
    g_strlcpy(u->name, name, sizeof u->name);
    return store_user_update(s, u);
}

enum app_err users_admin_update(struct store *s, int64_t id, const char *name, const enum role *role,
                                const bool *is_active, struct user *out)
{
    enum app_err err = store_begin(s, true);
    if (err)
        return err;
    err = store_user_by_id(s, id, out);
    if (!err) {
        if (name)
            g_strlcpy(out->name, name, sizeof out->name);
        if (role)
            out->role = *role;
        if (is_active)
            out->is_active = *is_active;
        err = store_user_update(s, out);
    }
    if (!err && is_active && !*is_active)
        err = store_sessions_revoke_user(s, id, NULL, clock_now());
    if (err) {
        store_rollback(s);
        return err;
    }
    return store_commit(s);
}

enum app_err users_create_admin(struct store *s, const char *email, const char *name,
                                const char *password, struct user *out)
{
    memset(out, 0, sizeof *out);
    char *lower = g_ascii_strdown(email, -1);
    g_strlcpy(out->email, g_strstrip(lower), sizeof out->email);
    g_free(lower);
    g_strlcpy(out->name, name, sizeof out->name);
    out->role = ROLE_ADMIN;
    return auth_signup(s, out, password);
}

enum app_err users_list(struct store *s, const enum role *role, int limit, int offset,
                        struct user_list *out)
{
    return store_user_list(s, role, limit, offset, out);
}

enum app_err users_get(struct store *s, int64_t id, struct user *out)
{
    return store_user_by_id(s, id, out);
}
