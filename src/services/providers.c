#include "services/providers.h"

#include <glib.h>

#include "core/banned.h"

enum app_err providers_list(struct store *s, int limit, int offset, struct user_list *out)
{
    enum role role = ROLE_PROVIDER;
    return store_user_list(s, &role, limit, offset, out);
}

enum app_err providers_get(struct store *s, int64_t id, struct user *out)
{
    enum app_err err = store_user_by_id(s, id, out);
    if (err == APP_ERR_USER_NOT_FOUND || (!err && out->role != ROLE_PROVIDER))
        return APP_ERR_PROVIDER_NOT_FOUND;
    return err;
}

/* The provider must exist (404 first), then the actor must be it or an admin. */
static enum app_err may_write(struct store *s, const struct user *actor, int64_t id)
{
    struct user p;
    enum app_err err = providers_get(s, id, &p);
    if (err)
        return err;
    return actor->role == ROLE_ADMIN || actor->id == id ? APP_OK : APP_ERR_FORBIDDEN;
}

enum app_err providers_availability(struct store *s, int64_t id, struct availability *out)
{
    struct user p;
    enum app_err err = providers_get(s, id, &p);
    if (err)
        return err;
    g_strlcpy(out->timezone, p.timezone, sizeof out->timezone);
    return store_availability_get(s, id, out);
}

enum app_err providers_set_availability(struct store *s, const struct user *actor, int64_t id,
                                        const struct availability *a)
{
    enum app_err err = may_write(s, actor, id);
    if (!err)
        err = store_begin(s, true);
    if (err)
        return err;
    err = store_availability_replace(s, id, a);
    if (err) {
        store_rollback(s);
        return err;
    }
    return store_commit(s);
}

enum app_err providers_add_time_off(struct store *s, const struct user *actor, struct time_off *t)
{
    enum app_err err = may_write(s, actor, t->provider_id);
    return err ? err : store_time_off_insert(s, t);
}

enum app_err providers_time_off(struct store *s, int64_t id, int limit, int offset,
                                struct time_off_list *out)
{
    struct user p;
    enum app_err err = providers_get(s, id, &p);
    return err ? err : store_time_off_list(s, id, limit, offset, out);
}

enum app_err providers_delete_time_off(struct store *s, const struct user *actor, int64_t id,
                                       int64_t time_off_id)
{
    enum app_err err = may_write(s, actor, id);
    return err ? err : store_time_off_delete(s, id, time_off_id);
}
