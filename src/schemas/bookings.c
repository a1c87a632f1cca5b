#include "schemas/bookings.h"
#include "schemas/text.h"

#include <glib.h>
#include <string.h>

#include "core/banned.h"
#include "core/timeutil.h"
#include "core/tz.h"
#include "schemas/common.h"

bool schema_booking_request(const char *body, size_t len, const char *ct,
                            struct booking_request *req, struct field_errors *fe)
{
    json_t *obj = schema_parse_object(body, len, ct, fe);
    if (!obj)
        return false;
    memset(req, 0, sizeof *req);
    schema_int(obj, "service_id", true, 1, INT64_MAX, &req->service_id, NULL, fe);
    schema_time(obj, "start", true, &req->start, NULL, fe);
    schema_string(obj, "notes", false, 0, BOOKING_NOTES_MAX_CHARS, false, req->notes,
                  sizeof req->notes, NULL, fe);
    schema_int(obj, "customer_id", false, 1, INT64_MAX, &req->customer_id, &req->has_customer_id, fe);
    json_decref(obj);
    return fe->n == 0;
}

bool schema_cancel(const char *body, size_t len, const char *ct, char *reason, size_t reason_len,
                   bool *has_reason, struct field_errors *fe)
{
    *has_reason = false;
    if (len == 0)
        return true;
    json_t *obj = schema_parse_object(body, len, ct, fe);
    if (!obj)
        return false;
    json_t *r = json_object_get(obj, "reason");
    if (r && !json_is_null(r))
        schema_string(obj, "reason", false, 0, BOOKING_REASON_MAX_CHARS, true, reason, reason_len,
                      has_reason, fe);
    json_decref(obj);
    return fe->n == 0;
}

bool schema_reschedule(const char *body, size_t len, const char *ct, int64_t *start,
                       struct field_errors *fe)
{
    json_t *obj = schema_parse_object(body, len, ct, fe);
    if (!obj)
        return false;
    schema_time(obj, "start", true, start, NULL, fe);
    json_decref(obj);
    return fe->n == 0;
}

bool schema_booking_filter(const char *status, const char *from, const char *to,
                           struct booking_filter *f, struct field_errors *fe)
{
    enum booking_status st;
    memset(f, 0, sizeof *f);
    if (status && !booking_status_parse(status, &st))
        field_errors_add(fe, "query", "status", "enum",
                         "Input should be 'confirmed', 'cancelled' or 'completed'");
    f->status = status;
    schema_query_time(from, "from", &f->has_from, &f->from, fe);
    schema_query_time(to, "to", &f->has_to, &f->to, fe);
    return fe->n == 0;
}

bool schema_slot_range(const char *from, const char *to, const char *tz, int64_t *from_days,
                       int64_t *to_days, struct field_errors *fe)
{
    bool ok_from = date_parse(from, from_days), ok_to = date_parse(to, to_days);
    if (!ok_from)
        field_errors_add(fe, "query", "from", from ? "date_parsing" : "missing",
                         "from must be a date YYYY-MM-DD");
    if (!ok_to)
        field_errors_add(fe, "query", "to", to ? "date_parsing" : "missing",
                         "to must be a date YYYY-MM-DD");
    if (ok_from && ok_to && *to_days < *from_days)
        field_errors_add(fe, "query", "to", "value_error", "to must not be before from");
    else if (ok_from && ok_to && *to_days - *from_days > 61)
        field_errors_add(fe, "query", "to", "value_error", "At most 62 dates at once");
    if (tz) {
        struct tz *z = tz_open(tz);
        if (!z)
            field_errors_add(fe, "query", "timezone", "value_error", "Not an IANA time zone name");
        tz_free(z);
    }
    return fe->n == 0;
}

json_t *schema_booking_json(const struct booking *b)
{
    return json_pack("{s:I,s:I,s:I,s:I,s:o,s:o,s:s,s:s,s:o,s:o,s:o,s:o}", "id", (json_int_t)b->id,
                     "service_id", (json_int_t)b->service_id, "provider_id",
                     (json_int_t)b->provider_id, "customer_id", (json_int_t)b->customer_id, "start",
                     schema_time_json(b->start, false), "end", schema_time_json(b->end, false),
                     "status", booking_status_name(b->status), "notes", b->notes, "cancel_reason",
                     b->has_cancel_reason ? json_string(b->cancel_reason) : json_null(),
                     "created_at", schema_time_json(b->created_at, false), "updated_at",
                     schema_time_json(b->updated_at, false), "cancelled_at",
                     schema_time_json(b->cancelled_at, true));
}

json_t *schema_spans_json(const struct slot_list *list)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < list->n; i++)
        json_array_append_new(arr, json_pack("{s:o,s:o}", "start",
                                             schema_time_json(list->items[i].start, false), "end",
                                             schema_time_json(list->items[i].end, false)));
    return arr;
}

char *schema_slots_text(int64_t service_id, int64_t provider_id, const char *zone,
                        const struct slot_list *list, size_t *len)
{
    static const char item[] = "{\"start\":\"YYYY-MM-DDTHH:MM:SSZ\",\"end\":\"YYYY-MM-DDTHH:MM:SSZ\"}";
    GString *out = g_string_sized_new(96 + list->n * sizeof item);
    g_string_append_printf(out,
                           "{\"service_id\":%" G_GINT64_FORMAT ",\"provider_id\":%" G_GINT64_FORMAT
                           ",\"timezone\":\"%s\",\"slots\":[",
                           service_id, provider_id, zone);
    char buf[sizeof item + 1];
    for (size_t i = 0; i < list->n; i++) {
        /* Fixed-width times: fill the template in place, no formatting per slot. */
        memcpy(buf, item, sizeof item);
        rfc3339_format(list->items[i].start, buf + 10);
        buf[30] = '"';
        rfc3339_format(list->items[i].end, buf + 39);
        buf[59] = '"';
        if (i)
            g_string_append_c(out, ',');
        g_string_append_len(out, buf, (gssize)sizeof item - 1);
    }
    g_string_append(out, "]}");
    *len = out->len;
    return g_string_free(out, FALSE);
}

char *schema_booking_text(const struct booking *b)
{
    json_t *v = schema_booking_json(b);
    char *text = v ? json_dumps(v, JSON_COMPACT) : NULL;
    json_decref(v);
    return text;
}
