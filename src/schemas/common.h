/* Shared JSON parsing and validation: each reader records a 422 entry in fe
 * when the field is wrong, so one pass reports every invalid field. */
#ifndef SCHEMAS_COMMON_H
#define SCHEMAS_COMMON_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* Parses a request body that must be a JSON object sent as application/json,
 * refusing duplicated keys. Returns a new reference, or NULL with fe filled. */
json_t *schema_parse_object(const char *body, size_t len, const char *content_type,
                            struct field_errors *fe);

/* Each reader returns true when the field is absent (and not required) or
 * valid; *present (may be NULL) tells which. */
bool schema_string(json_t *obj, const char *field, bool required, int min_chars, int max_chars,
                   bool trim, char *out, size_t outlen, bool *present, struct field_errors *fe);
bool schema_int(json_t *obj, const char *field, bool required, int64_t min, int64_t max,
                int64_t *out, bool *present, struct field_errors *fe);
bool schema_bool(json_t *obj, const char *field, bool *out, bool *present,
                 struct field_errors *fe);
/* An RFC 3339 date-time with an offset, as Unix seconds. */
bool schema_time(json_t *obj, const char *field, bool required, int64_t *out, bool *present,
                 struct field_errors *fe);

/* A whole number from a query string value (NULL: def). */
bool schema_query_int(const char *value, const char *name, int64_t min, int64_t max, int64_t def,
                      int64_t *out, struct field_errors *fe);
/* An optional RFC 3339 date-time from a query string value. */
void schema_query_time(const char *value, const char *name, bool *has, int64_t *out,
                       struct field_errors *fe);
/* A positive id from a path segment. */
bool schema_path_id(const char *value, const char *name, int64_t *out, struct field_errors *fe);

/* The compact text of the array [item(items, 0), …, item(items, n - 1)];
 * NULL when out of memory. */
char *schema_array_text(const void *items, int n, json_t *(*item)(const void *items, int i));

/* "2026-12-01T09:00:00Z", or JSON null for 0 when nullable. */
json_t *schema_time_json(int64_t t, bool nullable);
/* {"items": items, "total", "limit", "offset"}; takes the items reference. */
json_t *schema_page_json(json_t *items, int64_t total, int64_t limit, int64_t offset);
#endif
