#include "services/providers.h"

#include <glib.h>

#include <stdlib.h>

#include "core/banned.h"
#include "core/timeutil.h"
#include "services/audit.h"
#include "services/waitlist.h"

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

/* The zone and the number of windows, before and after. */
static struct audit_details *availability_details(const struct availability *old,
                                                  const struct availability *a)
{
    struct audit_details *d = schema_details_new();
    schema_details_change_str(d, "timezone", old->timezone, a->timezone);
    schema_details_change_int(d, "windows", old->n, a->n);
    return d;
}

enum app_err providers_set_availability(struct store *s, const struct user *actor, int64_t id,
                                        const struct availability *a)
{
    struct availability *old = calloc(1, sizeof *old);
    enum app_err err = old ? store_begin(s) : APP_ERR_INTERNAL;
    if (!err)
        err = may_write(s, actor, id);
    if (!err)
        err = providers_availability(s, id, old);
    if (!err)
        err = store_availability_replace(s, id, a);
    if (!err)
        err = audit_write(s, NULL, "availability.updated", "provider", id,
                          availability_details(old, a));
    if (!err) /* wider hours may offer slots anywhere in the horizon */
        err = waitlist_horizon_freed(s, id);
    free(old);
    return store_end(s, err);
}

static struct audit_details *time_off_details(const struct time_off *t)
{
    struct audit_details *d = schema_details_new();
    char start[21], end[21];
    rfc3339_format(t->start, start);
    rfc3339_format(t->end, end);
    schema_details_set_int(d, "provider_id", t->provider_id);
    schema_details_set_str(d, "start", start);
    schema_details_set_str(d, "end", end);
    return d;
}

enum app_err providers_add_time_off(struct store *s, const struct user *actor, struct time_off *t)
{
    enum app_err err = store_begin(s);
    if (!err)
        err = may_write(s, actor, t->provider_id);
    if (!err)
        err = store_time_off_insert(s, t);
    if (!err)
        err = audit_write(s, NULL, "time_off.created", "time_off", t->id, time_off_details(t));
    return store_end(s, err);
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
    struct time_off t;
    enum app_err err = store_begin(s);
    if (!err)
        err = may_write(s, actor, id);
    if (!err)
        err = store_time_off_delete(s, id, time_off_id, &t);
    if (!err)
        err = audit_write(s, NULL, "time_off.deleted", "time_off", t.id, time_off_details(&t));
    if (!err)
        err = waitlist_slots_freed(s, id, 0, t.start, t.end);
    return store_end(s, err);
}
