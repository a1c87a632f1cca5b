#include "schemas/services.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/banned.h"
#include "schemas/common.h"

struct int_field {
    const char *name;
    int64_t min, max;
    size_t offset;
    bool wide; /* int64_t rather than int */
};

#define F(name, min, max) {#name, min, max, offsetof(struct service, name), false}
static const struct int_field int_fields[] = {
    F(duration_minutes, 5, 1440),
    F(buffer_before_minutes, 0, SERVICE_BUFFER_MAX_MINUTES),
    F(buffer_after_minutes, 0, SERVICE_BUFFER_MAX_MINUTES),
    F(slot_interval_minutes, 5, 1440),
    F(min_notice_minutes, 0, 525600),
    F(max_advance_days, 1, 730),
    F(cancel_notice_minutes, 0, 525600),
    {"price_cents", 0, INT64_MAX / 2, offsetof(struct service, price_cents), true},
};

/* Reads every field present in obj over svc; returns which ints came. */
static unsigned read_fields(json_t *obj, struct service *svc, bool create, struct field_errors *fe)
{
    unsigned present = 0;
    schema_string(obj, "name", create, 1, SERVICE_NAME_MAX_CHARS, true, svc->name, sizeof svc->name,
                  NULL, fe);
    schema_string(obj, "description", false, 0, SERVICE_DESCRIPTION_MAX_CHARS, false,
                  svc->description, sizeof svc->description, NULL, fe);
    for (size_t i = 0; i < sizeof int_fields / sizeof int_fields[0]; i++) {
        const struct int_field *f = &int_fields[i];
        int64_t v;
        bool has;
        bool required = create && strcmp(f->name, "duration_minutes") == 0;
        if (!schema_int(obj, f->name, required, f->min, f->max, &v, &has, fe) || !has)
            continue;
        present |= 1u << i;
        if (f->wide)
            *(int64_t *)((char *)svc + f->offset) = v;
        else
            *(int *)((char *)svc + f->offset) = (int)v;
    }
    return present;
}

bool schema_service_create(const char *body, size_t len, const char *ct, struct service *svc,
                           bool *has_provider_id, struct field_errors *fe)
{
    json_t *obj = schema_parse_object(body, len, ct, fe);
    if (!obj)
        return false;
    memset(svc, 0, sizeof *svc);
    svc->max_advance_days = 90;
    unsigned present = read_fields(obj, svc, true, fe);
    if (!(present & (1u << 3))) /* slot_interval_minutes defaults to the duration */
        svc->slot_interval_minutes = svc->duration_minutes;
    schema_int(obj, "provider_id", false, 1, INT64_MAX, &svc->provider_id, has_provider_id, fe);
    json_decref(obj);
    return fe->n == 0;
}

bool schema_service_patch(const char *body, size_t len, const char *ct, struct service *svc,
                          struct field_errors *fe)
{
    json_t *obj = schema_parse_object(body, len, ct, fe);
    if (!obj)
        return false;
    read_fields(obj, svc, false, fe);
    schema_bool(obj, "active", &svc->active, NULL, fe);
    json_decref(obj);
    return fe->n == 0;
}

json_t *schema_service_json(const struct service *v)
{
    return json_pack("{s:I,s:I,s:s,s:s,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:I,s:b,s:o}", "id",
                     (json_int_t)v->id, "provider_id", (json_int_t)v->provider_id, "name", v->name,
                     "description", v->description, "duration_minutes", v->duration_minutes,
                     "buffer_before_minutes", v->buffer_before_minutes, "buffer_after_minutes",
                     v->buffer_after_minutes, "slot_interval_minutes", v->slot_interval_minutes,
                     "min_notice_minutes", v->min_notice_minutes, "max_advance_days",
                     v->max_advance_days, "cancel_notice_minutes", v->cancel_notice_minutes,
                     "price_cents", (json_int_t)v->price_cents, "active", v->active, "created_at",
                     schema_time_json(v->created_at, false));
}
