#include "services/users.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "core/timeutil.h"
#include "services/audit.h"
#include "services/auth.h"

/* Each changed field of a user, from and to. */
static struct audit_details *user_changes(const struct user *from, const struct user *to)
{
    struct audit_details *d = schema_details_new();
    schema_details_change_str(d, "name", from->name, to->name);
    schema_details_change_str(d, "role", role_name(from->role), role_name(to->role));
    schema_details_change_bool(d, "is_active", from->is_active, to->is_active);
    return d;
}

/* Writes u (locked, changed from old) with what the change implies: a
 * deactivated user's sessions end, a former provider's services close, and
 * no change leaves the system without an active admin. */
static enum app_err save_user(struct store *s, const struct user *old, const struct user *u)
{
    struct audit_details *d = user_changes(old, u);
    if (schema_details_empty(d)) {
        schema_details_free(d);
        return APP_OK; /* nothing changed: nothing to write */
    }
    int64_t admins = 1;
    bool removes_admin = old->role == ROLE_ADMIN && old->is_active &&
                         (u->role != ROLE_ADMIN || !u->is_active);
    enum app_err err = removes_admin ? store_admins_other(s, u->id, &admins) : APP_OK;
    /* A deadlock with another admin's removal: refuse this one. */
    if (err == APP_ERR_CONFLICT || (!err && admins == 0))
        err = APP_ERR_LAST_ADMIN;
    if (!err)
        err = store_user_update(s, u);
    if (!err && old->is_active && !u->is_active)
        err = store_sessions_revoke_user(s, u->id, NULL, clock_now());
    if (!err && old->role == ROLE_PROVIDER && u->role != ROLE_PROVIDER)
        err = store_services_deactivate(s, u->id);
    if (!err)
        err = audit_write(s, NULL, "user.updated", "user", u->id, d);
    else
        schema_details_free(d);
    return err;
}

enum app_err users_update(struct store *s, int64_t id, const struct user_change *c,
                          struct user *out)
{
    struct user old;
    enum app_err err = store_begin(s);
    if (!err)
        err = store_user_lock(s, id, &old);
    if (!err) {
        *out = old;
        if (c->name)
            g_strlcpy(out->name, c->name, sizeof out->name);
        if (c->role)
            out->role = *c->role;
        if (c->is_active)
            out->is_active = *c->is_active;
        err = save_user(s, &old, out);
    }
    return store_end(s, err);
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
