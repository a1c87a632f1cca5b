#include "services/webhooks.h"

#include <glib.h>
#include <string.h>

#include "core/banned.h"
#include "core/signature.h"
#include "core/timeutil.h"
#include "services/audit.h"

/* How long the replaced secret still signs after a rotation. */
#define ROTATION_OVERLAP 86400

/* Read-only once serving. */
static bool allow_private;
static ssrf_resolver_fn resolver = ssrf_resolve_system;

void webhooks_init(bool allow, ssrf_resolver_fn resolve)
{
    allow_private = allow;
    resolver = resolve ? resolve : ssrf_resolve_system;
}

/* A host that does not resolve yet is accepted: its deliveries retry. */
static bool url_allowed(const char *url, struct field_errors *fe)
{
    struct ssrf_url u;
    if (allow_private || !ssrf_url_parse(url, &u))
        return true;
    if (ssrf_check_host(u.host, u.port, resolver, freeaddrinfo, NULL) != SSRF_PRIVATE)
        return true;
    field_errors_add(fe, "body", "url", "url_not_public",
                     "The URL's host resolves to a loopback, private, link-local or otherwise "
                     "non-public address");
    return false;
}

static bool may_see(const struct user *actor, const struct webhook *w)
{
    return actor->role == ROLE_ADMIN || w->user_id == actor->id;
}

enum app_err webhooks_create(struct store *s, const struct user *actor, struct webhook *w,
                             char *secret, struct field_errors *fe)
{
    if (actor->role == ROLE_CUSTOMER)
        return APP_ERR_FORBIDDEN;
    if (!url_allowed(w->url, fe))
        return APP_ERR_VALIDATION;
    if (!secret[0] && !signature_secret_generate(secret))
        return APP_ERR_INTERNAL;
    w->user_id = actor->id;
    w->active = true;
    w->created_at = clock_now();
    struct audit_details *d = schema_details_new();
    schema_details_set_str(d, "url", w->url);
    schema_details_set_int(d, "reminder_minutes", w->reminder_minutes);
    enum app_err err = store_begin(s);
    if (!err)
        err = store_webhook_insert(s, w, secret);
    if (!err)
        err = audit_write(s, NULL, "webhook.created", "webhook", w->id, d);
    else
        schema_details_free(d);
    return store_end(s, err);
}

enum app_err webhooks_get(struct store *s, const struct user *actor, int64_t id,
                          struct webhook *out)
{
    enum app_err err = store_webhook_get(s, id, out);
    return !err && !may_see(actor, out) ? APP_ERR_WEBHOOK_NOT_FOUND : err;
}

enum app_err webhooks_list(struct store *s, const struct user *actor, int limit, int offset,
                           struct webhook_list *out)
{
    return store_webhook_list(s, actor->role == ROLE_ADMIN ? 0 : actor->id, limit, offset, out);
}

/* Inside a unit of work: webhook id, locked, when actor may change it. */
static enum app_err lock_own(struct store *s, const struct user *actor, int64_t id,
                             struct webhook *out)
{
    enum app_err err = store_webhook_lock(s, id, out);
    return !err && !may_see(actor, out) ? APP_ERR_WEBHOOK_NOT_FOUND : err;
}

static struct audit_details *webhook_changes(const struct webhook *a, const struct webhook *b)
{
    struct audit_details *d = schema_details_new();
    schema_details_change_str(d, "url", a->url, b->url);
    schema_details_change_int(d, "events", a->events, b->events);
    schema_details_change_bool(d, "active", a->active, b->active);
    schema_details_change_int(d, "reminder_minutes", a->reminder_minutes, b->reminder_minutes);
    return d;
}

static enum app_err save(struct store *s, const struct webhook *old, const struct webhook *w)
{
    struct audit_details *d = webhook_changes(old, w);
    if (schema_details_empty(d)) {
        schema_details_free(d);
        return APP_OK;
    }
    enum app_err err = store_webhook_update(s, w);
    if (!err)
        err = audit_write(s, NULL, "webhook.updated", "webhook", w->id, d);
    else
        schema_details_free(d);
    return err;
}

/* The URL a patch would write is the body's own, whatever the row holds
 * by then: it is checked before the unit of work, so no DNS answer is
 * awaited under the row lock (on SQLite, the write lock). */
static enum app_err check_patch_url(struct store *s, const struct user *actor, int64_t id,
                                    webhooks_patch_fn patch, void *arg, struct field_errors *fe)
{
    struct webhook now, want;
    enum app_err err = webhooks_get(s, actor, id, &now);
    if (err)
        return err;
    want = now;
    if (!patch(arg, &want, fe))
        return APP_ERR_VALIDATION;
    return strcmp(now.url, want.url) != 0 && !url_allowed(want.url, fe) ? APP_ERR_VALIDATION
                                                                       : APP_OK;
}

enum app_err webhooks_update(struct store *s, const struct user *actor, int64_t id,
                             webhooks_patch_fn patch, void *arg, struct webhook *out,
                             struct field_errors *fe)
{
    struct webhook old;
    enum app_err err = check_patch_url(s, actor, id, patch, arg, fe);
    if (err)
        return err;
    err = store_begin(s);
    if (!err)
        err = lock_own(s, actor, id, &old);
    if (!err) {
        *out = old;
        err = patch(arg, out, fe) ? APP_OK : APP_ERR_VALIDATION;
    }
    if (!err)
        err = save(s, &old, out);
    return store_end(s, err);
}

enum app_err webhooks_delete(struct store *s, const struct user *actor, int64_t id)
{
    struct webhook w;
    enum app_err err = store_begin(s);
    if (!err)
        err = lock_own(s, actor, id, &w);
    if (!err)
        err = store_webhook_delete(s, id);
    if (!err) {
        struct audit_details *d = schema_details_new();
        schema_details_set_str(d, "url", w.url);
        err = audit_write(s, NULL, "webhook.deleted", "webhook", id, d);
    }
    return store_end(s, err);
}

enum app_err webhooks_rotate_secret(struct store *s, const struct user *actor, int64_t id,
                                    char *secret)
{
    struct webhook w;
    if (!secret[0] && !signature_secret_generate(secret))
        return APP_ERR_INTERNAL;
    enum app_err err = store_begin(s);
    if (!err)
        err = lock_own(s, actor, id, &w);
    if (!err)
        err = store_webhook_rotate(s, id, secret, clock_now() + ROTATION_OVERLAP);
    if (!err) /* no details: what changed is a secret */
        err = audit_write(s, NULL, "webhook.secret_rotated", "webhook", id, NULL);
    return store_end(s, err);
}

enum app_err webhooks_deliveries(struct store *s, const struct user *actor, int64_t id, int limit,
                                 int offset, struct delivery_list *out)
{
    struct webhook w;
    enum app_err err = webhooks_get(s, actor, id, &w);
    memset(out, 0, sizeof *out);
    return err ? err : store_delivery_list(s, id, limit, offset, out);
}

enum app_err webhooks_retry(struct store *s, const struct user *actor, int64_t id,
                            int64_t event_id, struct delivery *out)
{
    struct webhook w;
    enum app_err err = store_begin(s);
    if (!err)
        err = lock_own(s, actor, id, &w);
    if (!err)
        err = store_delivery_retry(s, id, event_id, clock_now(), out);
    return store_end(s, err);
}
