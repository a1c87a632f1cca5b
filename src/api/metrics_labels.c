#include "api/metrics_labels.h"

#include <glib.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "api/router.h"
#include "core/banned.h"
#include "core/embedded.h"
#include "core/log.h"
#include "core/metrics.h"

extern const struct embedded_file docs_assets[];

static json_t *load_openapi(void)
{
    for (const struct embedded_file *f = docs_assets; f->name; f++)
        if (strcmp(f->name, "openapi.json") == 0)
            return json_loadb(f->data, f->len, 0, NULL);
    return NULL;
}

static void register_statuses(size_t idx, json_t *doc)
{
    char *method = g_ascii_strdown(routes[idx].method, -1);
    json_t *responses = json_object_get(
        json_object_get(json_object_get(json_object_get(doc, "paths"), routes[idx].path), method),
        "responses");
    const char *code;
    json_t *value;
    json_object_foreach(responses, code, value)
    {
        long status = strtol(code, NULL, 10);
        if (status >= 100 && status <= 599)
            metrics_register_status(idx, (int)status);
    }
    g_free(method);
}

void metrics_labels_register(void)
{
    json_t *doc = load_openapi();
    if (!doc)
        log_warn("openapi.json unreadable: status counters appear at their first request");
    for (size_t i = 0; i < n_routes; i++) {
        metrics_register_route(i, routes[i].method, routes[i].path);
        if (doc)
            register_statuses(i, doc);
    }
    json_decref(doc);
}
