#include "schemas/webhooks.h"

#include <glib.h>
#include <string.h>

#include "core/banned.h"
#include "core/signature.h"
#include "core/ssrf.h"
#include "schemas/common.h"

#define REMINDER_MAX 10080

static void read_url(json_t *obj, bool required, struct webhook *w, struct field_errors *fe)
{
    char url[WEBHOOK_URL_MAX + 1];
    bool present = false;
    struct ssrf_url u;
    if (!schema_string(obj, "url", required, 1, WEBHOOK_URL_MAX, true, url, sizeof url, &present,
                       fe) ||
        !present)
        return;
    if (!ssrf_url_parse(url, &u))
        field_errors_add(fe, "body", "url", "url_parsing",
                         "Input should be an absolute http or https URL with a host");
    else
        memcpy(w->url, url, strlen(url) + 1);
}

/* One or more of the contract's event types. */
static void read_events(json_t *obj, bool required, struct webhook *w, struct field_errors *fe)
{
    json_t *v = json_object_get(obj, "events"), *item;
    size_t i;
    unsigned mask = 0;
    if (!v) {
        if (required)
            field_errors_add(fe, "body", "events", "missing", "Field required");
        return;
    }
    if (!json_is_array(v) || json_array_size(v) == 0) {
        field_errors_add(fe, "body", "events", json_is_array(v) ? "too_short" : "list_type",
                         "Input should be a list of one or more event types");
        return;
    }
    json_array_foreach(v, i, item) {
        unsigned bit = json_is_string(item) ? webhook_event_bit(json_string_value(item)) : 0;
        if (!bit) {
            field_errors_add(fe, "body", "events", "enum",
                             "Each event should be one of booking.created, booking.cancelled, "
                             "booking.rescheduled, booking.completed, waitlist.slot_available, "
                             "waitlist.booked, booking.reminder");
            return;
        }
        mask |= bit;
    }
    w->events = mask;
}

static void read_reminder(json_t *obj, struct webhook *w, struct field_errors *fe)
{
    int64_t v;
    bool present = false;
    if (schema_int(obj, "reminder_minutes", false, 1, REMINDER_MAX, &v, &present, fe) && present)
        w->reminder_minutes = (int)v;
}

/* An optional whsec_ secret into secret ("" when absent). */
static void read_secret(json_t *obj, char *secret, struct field_errors *fe)
{
    json_t *v = json_object_get(obj, "secret");
    secret[0] = '\0';
    if (!v)
        return;
    if (!json_is_string(v) || !signature_secret_parse(json_string_value(v), NULL, NULL))
        field_errors_add(fe, "body", "secret", "value_error",
                         "Input should be whsec_ followed by the base64 of 24 to 64 bytes");
    else
        g_strlcpy(secret, json_string_value(v), SIGNATURE_SECRET_MAX_LEN);
}

bool schema_webhook_create(const char *body, size_t len, const char *ct, struct webhook *w,
                           char *secret, struct field_errors *fe)
{
    json_t *obj = schema_parse_object(body, len, ct, fe);
    secret[0] = '\0';
    if (!obj)
        return false;
    memset(w, 0, sizeof *w);
    w->reminder_minutes = 1440;
    w->active = true;
    read_url(obj, true, w, fe);
    read_events(obj, true, w, fe);
    read_reminder(obj, w, fe);
    read_secret(obj, secret, fe);
    json_decref(obj);
    return fe->n == 0;
}

bool schema_webhook_patch(const char *body, size_t len, const char *ct, struct webhook *w,
                          struct field_errors *fe)
{
    json_t *obj = schema_parse_object(body, len, ct, fe);
    if (!obj)
        return false;
    read_url(obj, false, w, fe);
    read_events(obj, false, w, fe);
    read_reminder(obj, w, fe);
    schema_bool(obj, "active", &w->active, NULL, fe);
    json_decref(obj);
    return fe->n == 0;
}

bool schema_webhook_rotate(const char *body, size_t len, const char *ct, char *secret,
                           struct field_errors *fe)
{
    secret[0] = '\0';
    if (len == 0)
        return true;
    json_t *obj = schema_parse_object(body, len, ct, fe);
    if (!obj)
        return false;
    read_secret(obj, secret, fe);
    json_decref(obj);
    return fe->n == 0;
}

json_t *schema_webhook_json(const struct webhook *w, const char *secret)
{
    json_t *events = json_array();
    for (int i = 0; i < WEBHOOK_EVENT_TYPES; i++)
        if (w->events & (1u << i))
            json_array_append_new(events, json_string(webhook_event_name(i)));
    json_t *v = json_pack("{s:I,s:s,s:o,s:b,s:i,s:o}", "id", (json_int_t)w->id, "url", w->url,
                          "events", events, "active", w->active, "reminder_minutes",
                          w->reminder_minutes, "created_at", schema_time_json(w->created_at, false));
    if (v && secret)
        json_object_set_new(v, "secret", json_string(secret));
    return v;
}

json_t *schema_delivery_json(const struct delivery *d)
{
    return json_pack("{s:I,s:s,s:s,s:i,s:o,s:o,s:o,s:o}", "event_id", (json_int_t)d->event_id,
                     "type", d->type, "status", delivery_status_name(d->status), "attempts",
                     d->attempts, "last_status_code",
                     d->last_status_code ? json_integer(d->last_status_code) : json_null(),
                     "last_error", d->last_error[0] ? json_string(d->last_error) : json_null(),
                     "next_attempt_at", schema_time_json(d->next_attempt_at, true),
                     "delivered_at", schema_time_json(d->delivered_at, true));
}

static json_t *int_or_null(int64_t v)
{
    return v ? json_integer((json_int_t)v) : json_null();
}

/* One result; bytes of the error that are not UTF-8 become U+FFFD, so the
 * batch is always valid JSON. */
static json_t *outcome_json(const struct delivery_outcome *o)
{
    const struct delivery *d = o->d;
    char *error = d->last_error[0] ? g_utf8_make_valid(d->last_error, -1) : NULL;
    json_t *v = json_pack("{s:I,s:s,s:i,s:s,s:o,s:o,s:o,s:o}", "id", (json_int_t)d->id, "owner",
                          o->owner, "attempts", d->attempts, "status",
                          delivery_status_name(d->status), "code", int_or_null(d->last_status_code),
                          "error", error ? json_string(error) : json_null(), "next",
                          int_or_null(d->next_attempt_at), "delivered", int_or_null(d->delivered_at));
    g_free(error);
    return v;
}

static json_t *outcome_at(const void *o, int i)
{
    return outcome_json((const struct delivery_outcome *)o + i);
}

char *schema_delivery_outcomes_text(const struct delivery_outcome *o, int n)
{
    return schema_array_text(o, n, outcome_at);
}

json_t *schema_secret_json(const char *secret)
{
    return json_pack("{s:s}", "secret", secret);
}
