#include "schemas/suggestions.h"

#include <glib.h>
#include <string.h>

#include "core/banned.h"
#include "core/timeutil.h"
#include "schemas/common.h"

static const char *const short_days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
static const char *const long_days[] = {"monday", "tuesday", "wednesday", "thursday",
                                        "friday", "saturday", "sunday"};

static int day_of(const char *name)
{
    for (int d = 0; d < 7; d++)
        if (g_ascii_strcasecmp(name, short_days[d]) == 0 ||
            g_ascii_strcasecmp(name, long_days[d]) == 0)
            return d;
    return -1;
}

/* "mon,tue" (spaces around names allowed) into a bitmask (bit 0: monday);
 * 0 when a name is not a day or is missing. */
static unsigned days_parse(const char *value)
{
    gchar **names = g_strsplit(value, ",", -1);
    unsigned mask = 0;
    bool ok = names[0] != NULL;
    for (int i = 0; ok && names[i]; i++) {
        int d = day_of(g_strstrip(names[i]));
        ok = d >= 0;
        mask |= ok ? 1u << d : 0;
    }
    g_strfreev(names);
    return ok ? mask : 0;
}

static void hours_parse(const char *after, const char *before, struct suggestion_prefs *prefs,
                        struct field_errors *fe)
{
    prefs->after_min = prefs->before_min = -1;
    if (after && !hhmm_parse(after, false, &prefs->after_min)) {
        prefs->after_min = -1;
        field_errors_add(fe, "query", "after", "value_error", "after must be a time HH:MM");
    }
    if (before && !hhmm_parse(before, true, &prefs->before_min)) {
        prefs->before_min = -1;
        field_errors_add(fe, "query", "before", "value_error",
                         "before must be a time HH:MM (24:00 allowed)");
    }
    if (prefs->after_min >= 0 && prefs->before_min >= 0 && prefs->after_min >= prefs->before_min)
        field_errors_add(fe, "query", "before", "value_error", "before must be later than after");
}

bool schema_suggestion_query(const char *days, const char *after, const char *before,
                             const char *limit, struct suggestion_prefs *prefs, int64_t *limit_out,
                             struct field_errors *fe)
{
    int before_n = fe->n;
    memset(prefs, 0, sizeof *prefs);
    if (days) {
        prefs->days = days_parse(days);
        if (!prefs->days)
            field_errors_add(fe, "query", "days", "value_error",
                             "days must be a comma-separated list of mon, tue, wed, thu, fri, sat, sun");
    }
    hours_parse(after, before, prefs, fe);
    schema_query_int(limit, "limit", 1, SUGGESTION_LIMIT_MAX, SUGGESTION_LIMIT_DEFAULT, limit_out, fe);
    return fe->n == before_n;
}

static json_t *suggestion_json(const struct suggestion *s)
{
    json_t *reasons = json_array();
    for (int i = 0; i < s->n_reasons; i++)
        json_array_append_new(reasons, json_string(s->reasons[i]));
    return json_pack("{s:o,s:o,s:i,s:o}", "start", schema_time_json(s->slot.start, false), "end",
                     schema_time_json(s->slot.end, false), "score", s->score, "reasons", reasons);
}

json_t *schema_suggestions_json(const struct suggestion_list *list)
{
    json_t *items = json_array();
    for (size_t i = 0; i < list->n; i++)
        json_array_append_new(items, suggestion_json(&list->items[i]));
    return json_pack("{s:I,s:I,s:s,s:o}", "service_id", (json_int_t)list->service_id,
                     "provider_id", (json_int_t)list->provider_id, "timezone", list->timezone,
                     "suggestions", items);
}
