#include "schemas/waitlist.h"
#include "schemas/text.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "schemas/common.h"

bool schema_waitlist_request(const char *body, size_t len, const char *ct,
                             struct waitlist_request *req, struct field_errors *fe)
{
    json_t *obj = schema_parse_object(body, len, ct, fe);
    if (!obj)
        return false;
    memset(req, 0, sizeof *req);
    schema_int(obj, "service_id", true, 1, INT64_MAX, &req->service_id, NULL, fe);
    schema_time(obj, "from", true, &req->from, NULL, fe);
    schema_time(obj, "to", true, &req->to, NULL, fe);
    schema_bool(obj, "auto_book", &req->auto_book, NULL, fe);
    json_decref(obj);
    return fe->n == 0;
}

static json_t *slot_json(const struct waitlist_entry *e)
{
    if (!e->slot_start)
        return json_null();
    return json_pack("{s:o,s:o}", "start", schema_time_json(e->slot_start, false), "end",
                     schema_time_json(e->slot_end, false));
}

json_t *schema_waitlist_json(const struct waitlist_entry *e, int64_t now)
{
    return json_pack("{s:I,s:I,s:I,s:o,s:o,s:b,s:s,s:o,s:o,s:o}", "id", (json_int_t)e->id,
                     "service_id", (json_int_t)e->service_id, "customer_id",
                     (json_int_t)e->customer_id, "from", schema_time_json(e->from, false), "to",
                     schema_time_json(e->to, false), "auto_book", e->auto_book, "status",
                     waitlist_status_name(waitlist_shown_status(e, now)), "booking_id",
                     e->booking_id ? json_integer(e->booking_id) : json_null(), "slot",
                     slot_json(e), "created_at", schema_time_json(e->created_at, false));
}

char *schema_waitlist_text(const struct waitlist_entry *e, int64_t now)
{
    json_t *v = schema_waitlist_json(e, now);
    char *text = v ? json_dumps(v, JSON_COMPACT) : NULL;
    json_decref(v);
    return text;
}

char *schema_slots_freed_text(int64_t service_id)
{
    json_t *v = service_id ? json_pack("{s:I}", "service_id", (json_int_t)service_id)
                           : json_object();
    char *text = v ? json_dumps(v, JSON_COMPACT) : NULL;
    json_decref(v);
    return text;
}

int64_t schema_slots_freed_service(const char *data)
{
    json_t *v = data ? json_loads(data, 0, NULL) : NULL;
    json_t *id = v ? json_object_get(v, "service_id") : NULL;
    int64_t out = json_is_integer(id) && json_integer_value(id) > 0 ? json_integer_value(id) : 0;
    json_decref(v);
    return out;
}
