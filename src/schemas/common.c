#include "schemas/common.h"

#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "core/timeutil.h"

static bool is_json_type(const char *ct)
{
    if (!ct)
        return false;
    size_t n = strcspn(ct, ";");
    while (n > 0 && ct[n - 1] == ' ')
        n--;
    return (n == 16 && g_ascii_strncasecmp(ct, "application/json", 16) == 0) ||
           (n > 5 && g_ascii_strncasecmp(ct + n - 5, "+json", 5) == 0);
}

json_t *schema_parse_object(const char *body, size_t len, const char *content_type,
                            struct field_errors *fe)
{
    if (!is_json_type(content_type)) {
        field_errors_add(fe, "body", "", "model_attributes_type",
                         "Body must be JSON sent as application/json");
        return NULL;
    }
    json_error_t jerr;
    json_t *v = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &jerr);
    if (!v) {
        field_errors_add(fe, "body", "", "json_invalid", jerr.text);
        return NULL;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        field_errors_add(fe, "body", "", "model_attributes_type", "Input should be an object");
        return NULL;
    }
    return v;
}

static json_t *field_value(json_t *obj, const char *field, bool required, bool *present,
                           struct field_errors *fe, bool *ok)
{
    json_t *v = json_object_get(obj, field);
    if (present)
        *present = v != NULL;
    *ok = true;
    if (!v && required) {
        field_errors_add(fe, "body", field, "missing", "Field required");
        *ok = false;
    }
    return v;
}

bool schema_string(json_t *obj, const char *field, bool required, int min_chars, int max_chars,
                   bool trim, char *out, size_t outlen, bool *present, struct field_errors *fe)
{
    bool ok;
    json_t *v = field_value(obj, field, required, present, fe, &ok);
    if (!v)
        return ok;
    if (!json_is_string(v)) {
        field_errors_add(fe, "body", field, "string_type", "Input should be a valid string");
        return false;
    }
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (strlen(s) != len) {
        field_errors_add(fe, "body", field, "string_type", "String must not contain NUL");
        return false;
    }
    char *copy = g_strndup(s, len);
    if (trim)
        g_strstrip(copy);
    glong chars = g_utf8_strlen(copy, -1);
    bool good = false;
    if (chars < min_chars)
        field_errors_add(fe, "body", field, "string_too_short",
                         min_chars == 1 ? "String should have at least 1 character"
                                        : "String is too short");
    else if (chars > max_chars || strlen(copy) >= outlen)
        field_errors_add(fe, "body", field, "string_too_long", "String is too long");
    else {
        memcpy(out, copy, strlen(copy) + 1);
        good = true;
    }
    g_free(copy);
    return good;
}

bool schema_int(json_t *obj, const char *field, bool required, int64_t min, int64_t max,
                int64_t *out, bool *present, struct field_errors *fe)
{
    bool ok;
    json_t *v = field_value(obj, field, required, present, fe, &ok);
    if (!v)
        return ok;
    if (!json_is_integer(v)) {
        field_errors_add(fe, "body", field, "int_type", "Input should be a valid integer");
        return false;
    }
    json_int_t n = json_integer_value(v);
    char msg[96];
    if (n < min || n > max) {
        g_snprintf(msg, sizeof msg, "Input should be between %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT,
                   min, max);
        field_errors_add(fe, "body", field, n < min ? "greater_than_equal" : "less_than_equal", msg);
        return false;
    }
    *out = n;
    return true;
}

bool schema_bool(json_t *obj, const char *field, bool *out, bool *present, struct field_errors *fe)
{
    bool ok;
    json_t *v = field_value(obj, field, false, present, fe, &ok);
    if (!v)
        return ok;
    if (!json_is_boolean(v)) {
        field_errors_add(fe, "body", field, "bool_type", "Input should be a valid boolean");
        return false;
    }
    *out = json_is_true(v);
    return true;
}

bool schema_time(json_t *obj, const char *field, bool required, int64_t *out, bool *present,
                 struct field_errors *fe)
{
    bool ok;
    json_t *v = field_value(obj, field, required, present, fe, &ok);
    if (!v)
        return ok;
    if (!json_is_string(v) || !rfc3339_parse(json_string_value(v), out)) {
        field_errors_add(fe, "body", field, "datetime_parsing",
                         "Input should be an RFC 3339 date-time with an offset");
        return false;
    }
    return true;
}

bool schema_query_int(const char *value, const char *name, int64_t min, int64_t max, int64_t def,
                      int64_t *out, struct field_errors *fe)
{
    if (!value) {
        *out = def;
        return true;
    }
    char *end;
    errno = 0;
    long long n = strtoll(value, &end, 10);
    if (errno || end == value || *end) {
        field_errors_add(fe, "query", name, "int_parsing", "Input should be a valid integer");
        return false;
    }
    if (n < min || n > max) {
        char msg[96];
        g_snprintf(msg, sizeof msg, "Input should be between %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT,
                   min, max);
        field_errors_add(fe, "query", name, n < min ? "greater_than_equal" : "less_than_equal", msg);
        return false;
    }
    *out = n;
    return true;
}

bool schema_path_id(const char *value, const char *name, int64_t *out, struct field_errors *fe)
{
    char *end;
    errno = 0;
    long long n = value ? strtoll(value, &end, 10) : 0;
    if (!value || errno || end == value || *end || n <= 0 || value[0] == '+' || value[0] == ' ') {
        field_errors_add(fe, "path", name, "int_parsing", "Input should be a positive integer");
        return false;
    }
    *out = n;
    return true;
}

json_t *schema_time_json(int64_t t, bool nullable)
{
    if (nullable && t == 0)
        return json_null();
    char buf[21];
    rfc3339_format(t, buf);
    return json_string(buf);
}

json_t *schema_page_json(json_t *items, int64_t total, int64_t limit, int64_t offset)
{
    return json_pack("{s:o,s:I,s:I,s:I}", "items", items, "total", (json_int_t)total, "limit",
                     (json_int_t)limit, "offset", (json_int_t)offset);
}

void schema_query_time(const char *value, const char *name, bool *has, int64_t *out,
                       struct field_errors *fe)
{
    *has = value != NULL;
    if (value && !rfc3339_parse(value, out))
        field_errors_add(fe, "query", name, "datetime_parsing",
                         "Input should be an RFC 3339 date-time with an offset");
}

char *schema_array_text(const void *items, int n, json_t *(*item)(const void *items, int i))
{
    json_t *a = json_array();
    for (int i = 0; a && i < n; i++)
        if (json_array_append_new(a, item(items, i)) != 0) {
            json_decref(a);
            a = NULL;
        }
    char *text = a ? json_dumps(a, JSON_COMPACT) : NULL;
    json_decref(a);
    return text;
}
