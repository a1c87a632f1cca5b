#include "services/services.h"

#include <stdlib.h>

#include "core/banned.h"
#include "core/timeutil.h"
#include "services/audit.h"
#include "services/providers.h"
#include "services/waitlist.h"

enum app_err services_create(struct store *s, const struct user *actor, struct service *svc)
{
    if (actor->role == ROLE_CUSTOMER)
        return APP_ERR_FORBIDDEN;
    if (actor->role == ROLE_PROVIDER)
        svc->provider_id = actor->id;
    struct user p;
    svc->active = true;
    svc->created_at = clock_now();
    struct audit_details *d = schema_details_new();
    schema_details_set_str(d, "name", svc->name);
    schema_details_set_int(d, "provider_id", svc->provider_id);
    enum app_err err = store_begin(s);
    if (!err)
        err = providers_get(s, svc->provider_id, &p);
    if (!err)
        err = store_service_insert(s, svc);
    if (!err)
        err = audit_write(s, NULL, "service.created", "service", svc->id, d);
    else
        schema_details_free(d);
    return store_end(s, err);
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

/* Inside a unit of work: locks service id for an edit by its provider or an
 * admin. */
static enum app_err lock_for_edit(struct store *s, const struct user *actor, int64_t id,
                                  struct service *out)
{
    enum app_err err = store_service_lock(s, id, out);
    if (err)
        return err;
    bool own = actor->role == ROLE_PROVIDER && actor->id == out->provider_id;
    return actor->role == ROLE_ADMIN || own ? APP_OK : APP_ERR_FORBIDDEN;
}

/* Each changed field, from and to. */
static struct audit_details *service_changes(const struct service *a, const struct service *b)
{
    struct audit_details *d = schema_details_new();
    schema_details_change_str(d, "name", a->name, b->name);
    schema_details_change_str(d, "description", a->description, b->description);
    schema_details_change_int(d, "duration_minutes", a->duration_minutes, b->duration_minutes);
    schema_details_change_int(d, "buffer_before_minutes", a->buffer_before_minutes,
                              b->buffer_before_minutes);
    schema_details_change_int(d, "buffer_after_minutes", a->buffer_after_minutes,
                              b->buffer_after_minutes);
    schema_details_change_int(d, "slot_interval_minutes", a->slot_interval_minutes,
                              b->slot_interval_minutes);
    schema_details_change_int(d, "min_notice_minutes", a->min_notice_minutes, b->min_notice_minutes);
    schema_details_change_int(d, "max_advance_days", a->max_advance_days, b->max_advance_days);
    schema_details_change_int(d, "cancel_notice_minutes", a->cancel_notice_minutes,
                              b->cancel_notice_minutes);
    schema_details_change_int(d, "price_cents", a->price_cents, b->price_cents);
    schema_details_change_bool(d, "active", a->active, b->active);
    return d;
}

/* Writes svc, changed from old, with its audit entry (none when nothing
 * changed). */
static enum app_err save(struct store *s, const char *action, const struct service *old,
                         const struct service *svc)
{
    struct audit_details *d = service_changes(old, svc);
    if (schema_details_empty(d)) {
        schema_details_free(d);
        return APP_OK;
    }
    enum app_err err = store_service_update(s, svc);
    if (!err)
        err = audit_write(s, NULL, action, "service", svc->id, d);
    else
        schema_details_free(d);
    return err;
}

/* Whether the slots svc offers may differ from old's. */
static bool rules_changed(const struct service *old, const struct service *svc)
{
    return old->duration_minutes != svc->duration_minutes ||
           old->buffer_before_minutes != svc->buffer_before_minutes ||
           old->buffer_after_minutes != svc->buffer_after_minutes ||
           old->slot_interval_minutes != svc->slot_interval_minutes ||
           old->min_notice_minutes != svc->min_notice_minutes ||
           old->max_advance_days != svc->max_advance_days;
}

/* New rules may offer slots anywhere in the service's horizon. */
static enum app_err rules_freed(struct store *s, const struct service *old,
                                const struct service *svc)
{
    int days = old->max_advance_days > svc->max_advance_days ? old->max_advance_days
                                                             : svc->max_advance_days;
    int64_t now = clock_now();
    return waitlist_slots_freed(s, svc->provider_id, svc->id, now, now + (int64_t)days * 86400);
}

enum app_err services_update(struct store *s, const struct user *actor, int64_t id,
                             services_patch_fn patch, void *arg, struct service *out,
                             struct field_errors *fe)
{
    struct service old;
    enum app_err err = store_begin(s);
    if (!err)
        err = lock_for_edit(s, actor, id, &old);
    if (!err) {
        *out = old;
        err = patch(arg, out, fe) ? APP_OK : APP_ERR_VALIDATION;
    }
    if (!err)
        err = save(s, "service.updated", &old, out);
    if (!err && out->active && rules_changed(&old, out))
        err = rules_freed(s, &old, out);
    return store_end(s, err);
}

enum app_err services_deactivate(struct store *s, const struct user *actor, int64_t id)
{
    struct service old, svc;
    enum app_err err = store_begin(s);
    if (!err)
        err = lock_for_edit(s, actor, id, &old);
    if (!err) {
        svc = old;
        svc.active = false;
        err = save(s, "service.deactivated", &old, &svc);
    }
    return store_end(s, err);
}

enum app_err services_list(struct store *s, int64_t provider_id, int limit, int offset,
                           struct service_list *out)
{
    return store_service_list(s, provider_id, limit, offset, out);
}
