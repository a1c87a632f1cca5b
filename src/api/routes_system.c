/* Health, metrics, the OpenAPI document and the embedded Swagger UI. */
#include <glib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/respond.h"
#include "core/banned.h"
#include "core/embedded.h"
#include "core/metrics.h"
#include "db/store.h"

extern const struct embedded_file docs_assets[];

static const struct embedded_file *asset(const char *name)
{
    for (const struct embedded_file *f = docs_assets; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

static const char *content_type_of(const char *name)
{
    if (g_str_has_suffix(name, ".js"))
        return "application/javascript; charset=utf-8";
    if (g_str_has_suffix(name, ".css"))
        return "text/css; charset=utf-8";
    if (g_str_has_suffix(name, ".html"))
        return "text/html; charset=utf-8";
    if (g_str_has_suffix(name, ".png"))
        return "image/png";
    return "application/json";
}

static void send_asset(struct response *res, const char *name)
{
    const struct embedded_file *f = asset(name);
    if (!f) {
        respond_error(res, APP_ERR_NOT_FOUND);
        return;
    }
    respond_static(res, 200, content_type_of(name), f->data, f->len);
}

void health_get(struct request *req, struct response *res)
{
    static const char body[] = "{\"status\":\"ok\"}";
    (void)req;
    respond_static(res, 200, "application/json", body, sizeof body - 1);
}

/* Runs on the readiness prober (api/ready.c) with its own connection; with
 * none (it could not connect, or the deadline came first) it answers 503 at
 * once. "status" is the process's own, as /health says it. */
void health_ready(struct request *req, struct response *res)
{
    static const char ok[] = "{\"status\":\"ok\",\"database\":\"ok\"}";
    static const char down[] = "{\"status\":\"ok\",\"database\":\"unavailable\"}";
    if (req->store && store_ping(req->store) == APP_OK)
        respond_static(res, 200, "application/json", ok, sizeof ok - 1);
    else
        respond_static(res, 503, "application/json", down, sizeof down - 1);
}

void openapi_get(struct request *req, struct response *res)
{
    (void)req;
    send_asset(res, "openapi.json");
}

void docs_get(struct request *req, struct response *res)
{
    (void)req;
    send_asset(res, "index.html");
}

void docs_asset_get(struct request *req, struct response *res)
{
    /* index.html and openapi.json have their own paths; the rest are Swagger UI's. */
    const char *name = req->path_params[0];
    if (strcmp(name, "openapi.json") == 0 || strcmp(name, "index.html") == 0)
        name = "";
    send_asset(res, name);
}

void metrics_get(struct request *req, struct response *res)
{
    (void)req;
    char *text = metrics_render();
    respond_owned(res, 200, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text));
}
