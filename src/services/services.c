#include "services/services.h"

#include "core/banned.h"
#include "core/timeutil.h"
#include "services/providers.h"

enum app_err services_create(struct store *s, const struct user *actor, struct service *svc)
{
    if (actor->role == ROLE_CUSTOMER)
        return APP_ERR_FORBIDDEN;
    if (actor->role == ROLE_PROVIDER)
        svc->provider_id = actor->id;
    struct user p;
    enum app_err err = providers_get(s, svc->provider_id, &p);
    if (err)
        return err;
    svc->active = true;
    svc->created_at = clock_now();
    return store_service_insert(s, svc);
}

enum app_err services_get(struct store *s, int64_t id, struct service *out)
{
    return store_service_get(s, id, out);
}

enum app_err services_get_active(struct store *s, int64_t id, struct service *out)
{
    enum app_err err = store_service_get(s, id, out);
    return !err && !out->active ? APP_ERR_SERVICE_NOT_FOUND : err;
}

enum app_err services_get_for_edit(struct store *s, const struct user *actor, int64_t id,
                                   struct service *out)
{
    enum app_err err = store_service_get(s, id, out);
    if (err)
        return err;
    return actor->role == ROLE_ADMIN || actor->id == out->provider_id ? APP_OK : APP_ERR_FORBIDDEN;
}

enum app_err services_update(struct store *s, const struct service *svc)
{
    return store_service_update(s, svc);
}

enum app_err services_deactivate(struct store *s, const struct user *actor, int64_t id)
{
    struct service svc;
    enum app_err err = services_get_for_edit(s, actor, id, &svc);
    if (err)
        return err;
    svc.active = false;
    return store_service_update(s, &svc);
}

enum app_err services_list(struct store *s, int64_t provider_id, int limit, int offset,
                           struct service_list *out)
{
    return store_service_list(s, provider_id, limit, offset, out);
}
