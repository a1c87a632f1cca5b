/* JSON of the audit log: details, entries, and the canonical text the chain
 * hashes. */
#include "schemas/audit.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "core/timeutil.h"
#include "schemas/common.h"
#include "schemas/text.h"

/* A details object under construction; NULL inside when memory ran out. */
struct audit_details {
    json_t *obj;
};

struct audit_details *schema_details_new(void)
{
    struct audit_details *d = malloc(sizeof *d);
    if (d)
        d->obj = json_object();
    return d;
}

static void put(struct audit_details *d, const char *key, json_t *v)
{
    if (d && d->obj)
        json_object_set_new(d->obj, key, v);
    else
        json_decref(v);
}

static void change(struct audit_details *d, const char *key, json_t *from, json_t *to)
{
    if (json_equal(from, to)) {
        json_decref(from);
        json_decref(to);
        return;
    }
    put(d, key, json_pack("{s:o,s:o}", "from", from, "to", to));
}

void schema_details_change_str(struct audit_details *d, const char *key, const char *from,
                               const char *to)
{
    change(d, key, from ? json_string(from) : json_null(), to ? json_string(to) : json_null());
}

void schema_details_change_int(struct audit_details *d, const char *key, int64_t from, int64_t to)
{
    change(d, key, json_integer(from), json_integer(to));
}

void schema_details_change_bool(struct audit_details *d, const char *key, bool from, bool to)
{
    change(d, key, json_boolean(from), json_boolean(to));
}

void schema_details_set_str(struct audit_details *d, const char *key, const char *value)
{
    put(d, key, value ? json_string(value) : json_null());
}

void schema_details_set_int(struct audit_details *d, const char *key, int64_t value)
{
    put(d, key, json_integer(value));
}

bool schema_details_empty(const struct audit_details *d)
{
    return !d || !d->obj || json_object_size(d->obj) == 0;
}

char *schema_details_text(struct audit_details *d)
{
    char *text = d && d->obj ? json_dumps(d->obj, JSON_COMPACT | JSON_SORT_KEYS)
                             : d ? NULL : strdup("{}");
    if (d)
        json_decref(d->obj);
    free(d);
    return text;
}

void schema_details_free(struct audit_details *d)
{
    if (d)
        json_decref(d->obj);
    free(d);
}

static json_t *id_or_null(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

static json_t *text_or_null(const char *v)
{
    return v && *v ? json_string(v) : json_null();
}

json_t *schema_audit_json(const struct audit_entry *e, bool with_hash)
{
    json_t *details = json_loads(e->details ? e->details : "{}", 0, NULL);
    json_t *v = json_pack("{s:I,s:o,s:o,s:o,s:o,s:s,s:s,s:o,s:o,s:o,s:o,s:o}", "id",
                          (json_int_t)e->id, "at", schema_time_json(e->at, false), "actor_id",
                          id_or_null(e->actor_id), "actor_email", text_or_null(e->actor_email),
                          "actor_role", text_or_null(e->actor_role), "action", e->action,
                          "target_type", e->target_type, "target_id", id_or_null(e->target_id),
                          "ip", text_or_null(e->ip), "user_agent", text_or_null(e->user_agent),
                          "request_id", text_or_null(e->request_id), "details",
                          details ? details : json_object());
    if (v && with_hash)
        json_object_set_new(v, "hash", text_or_null(e->hash));
    return v;
}

char *schema_audit_entry_text(const struct audit_entry *e)
{
    json_t *v = schema_audit_json(e, false);
    char *text = v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(v);
    /* \u001f, as most JSON writers (Python's among them) put it: jansson
     * writes \u001F, and verifiers recompute the text. */
    for (char *c = text; c && *c; c++)
        if (*c == '\\' && *++c == 'u')
            for (int i = 1; i <= 4; i++)
                c[i] = g_ascii_tolower(c[i]);
    return text;
}

static json_t *seal_at(const void *items, int i)
{
    const struct audit_entry *e = (const struct audit_entry *)items + i;
    return json_pack("{s:I,s:s}", "id", (json_int_t)e->id, "hash", e->hash);
}

char *schema_audit_seals_text(const struct audit_list *l)
{
    return schema_array_text(l->items, l->n, seal_at);
}

static const char *const target_types[] = {"user",    "provider",       "time_off", "service",
                                           "booking", "waitlist_entry", "webhook"};

static bool known_target(const char *t)
{
    for (size_t i = 0; i < G_N_ELEMENTS(target_types); i++)
        if (strcmp(t, target_types[i]) == 0)
            return true;
    return false;
}

bool schema_audit_filter(const char *action, const char *actor_id, const char *target_type,
                         const char *target_id, const char *from, const char *to,
                         struct audit_filter *f, struct field_errors *fe)
{
    memset(f, 0, sizeof *f);
    f->action = action;
    f->target_type = target_type;
    if (action && (!*action || strlen(action) > 40))
        field_errors_add(fe, "query", "action", "value_error", "An action such as booking.created");
    if (target_type && !known_target(target_type))
        field_errors_add(fe, "query", "target_type", "enum",
                         "Input should be 'user', 'provider', 'time_off', 'service', 'booking', "
                         "'waitlist_entry' or 'webhook'");
    if (target_id && !target_type)
        field_errors_add(fe, "query", "target_id", "value_error", "target_id needs target_type");
    schema_query_int(actor_id, "actor_id", 1, INT64_MAX, 0, &f->actor_id, fe);
    schema_query_int(target_id, "target_id", 1, INT64_MAX, 0, &f->target_id, fe);
    schema_query_time(from, "from", &f->has_from, &f->from, fe);
    schema_query_time(to, "to", &f->has_to, &f->to, fe);
    return fe->n == 0;
}
