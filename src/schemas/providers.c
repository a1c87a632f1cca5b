#include "schemas/providers.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "core/timeutil.h"
#include "core/tz.h"
#include "schemas/common.h"

static const char *const day_names[] = {"monday", "tuesday", "wednesday", "thursday",
                                        "friday", "saturday", "sunday"};

static int day_parse(const char *s)
{
    for (int i = 0; i < 7; i++)
        if (s && strcmp(s, day_names[i]) == 0)
            return i;
    return -1;
}

static int cmp_window(const void *a, const void *b)
{
    const struct weekly_window *x = a, *y = b;
    return x->day != y->day ? x->day - y->day : x->start_min - y->start_min;
}

/* One window of "weekly"; index i names it in errors ("weekly.3"). */
static bool read_window(json_t *w, int i, struct weekly_window *out, struct field_errors *fe)
{
    char loc[48];
    g_snprintf(loc, sizeof loc, "weekly.%d", i);
    json_t *day = json_object_get(w, "day"), *start = json_object_get(w, "start"),
           *end = json_object_get(w, "end");
    if (!json_is_object(w)) {
        field_errors_add(fe, "body", loc, "model_type", "Each window must be an object");
        return false;
    }
    out->day = day_parse(json_string_value(day));
    if (out->day < 0) {
        field_errors_add(fe, "body", loc, "enum", "day must be monday … sunday");
        return false;
    }
    if (!hhmm_parse(json_string_value(start), false, &out->start_min) ||
        !hhmm_parse(json_string_value(end), true, &out->end_min)) {
        field_errors_add(fe, "body", loc, "time_parsing", "start and end must be HH:MM (end may be 24:00)");
        return false;
    }
    if (out->start_min >= out->end_min) {
        field_errors_add(fe, "body", loc, "value_error", "start must be before end");
        return false;
    }
    return true;
}

static bool read_weekly(json_t *weekly, struct availability *a, struct field_errors *fe)
{
    if (!json_is_array(weekly)) {
        field_errors_add(fe, "body", "weekly", weekly ? "list_type" : "missing",
                         "weekly must be a list of windows");
        return false;
    }
    if (json_array_size(weekly) > AVAILABILITY_MAX_WINDOWS) {
        field_errors_add(fe, "body", "weekly", "too_long", "At most 168 windows");
        return false;
    }
    size_t i;
    json_t *w;
    bool ok = true;
    json_array_foreach(weekly, i, w)
        ok = read_window(w, (int)i, &a->windows[a->n++], fe) && ok;
    if (!ok)
        return false;
    qsort(a->windows, (size_t)a->n, sizeof *a->windows, cmp_window);
    for (int k = 1; k < a->n; k++)
        if (a->windows[k].day == a->windows[k - 1].day &&
            a->windows[k].start_min < a->windows[k - 1].end_min) {
            field_errors_add(fe, "body", "weekly", "value_error",
                             "Two windows of one day overlap");
            return false;
        }
    return true;
}

bool schema_availability(const char *body, size_t len, const char *ct, struct availability *a,
                         struct field_errors *fe)
{
    json_t *obj = schema_parse_object(body, len, ct, fe);
    if (!obj)
        return false;
    memset(a, 0, sizeof *a);
    if (schema_string(obj, "timezone", true, 1, 63, false, a->timezone, sizeof a->timezone, NULL, fe)) {
        struct tz *tz = tz_open(a->timezone);
        if (!tz)
            field_errors_add(fe, "body", "timezone", "value_error", "Not an IANA time zone name");
        tz_free(tz);
    }
    read_weekly(json_object_get(obj, "weekly"), a, fe);
    json_decref(obj);
    return fe->n == 0;
}

bool schema_time_off(const char *body, size_t len, const char *ct, struct time_off *t,
                     struct field_errors *fe)
{
    json_t *obj = schema_parse_object(body, len, ct, fe);
    if (!obj)
        return false;
    bool has_start = schema_time(obj, "start", true, &t->start, NULL, fe);
    bool has_end = schema_time(obj, "end", true, &t->end, NULL, fe);
    schema_string(obj, "reason", false, 0, TIME_OFF_REASON_MAX_CHARS, true, t->reason,
                  sizeof t->reason, NULL, fe);
    if (has_start && has_end && fe->n == 0 && t->start >= t->end)
        field_errors_add(fe, "body", "end", "value_error", "end must be after start");
    json_decref(obj);
    return fe->n == 0;
}

json_t *schema_provider_json(const struct user *u)
{
    return json_pack("{s:I,s:s,s:s}", "id", (json_int_t)u->id, "name", u->name, "timezone",
                     u->timezone);
}

json_t *schema_availability_json(const struct availability *a)
{
    json_t *weekly = json_array();
    for (int i = 0; i < a->n; i++) {
        char start[6], end[6];
        hhmm_format(a->windows[i].start_min, start);
        hhmm_format(a->windows[i].end_min, end);
        json_array_append_new(weekly, json_pack("{s:s,s:s,s:s}", "day", day_names[a->windows[i].day],
                                                "start", start, "end", end));
    }
    return json_pack("{s:s,s:o}", "timezone", a->timezone, "weekly", weekly);
}

json_t *schema_time_off_json(const struct time_off *t)
{
    return json_pack("{s:I,s:I,s:o,s:o,s:s}", "id", (json_int_t)t->id, "provider_id",
                     (json_int_t)t->provider_id, "start", schema_time_json(t->start, false), "end",
                     schema_time_json(t->end, false), "reason", t->reason);
}
