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

/* Whether an Accept-Encoding value takes gzip: a "gzip", "x-gzip" or "*"
 * entry whose q is not 0. */
static bool takes_gzip(const char *accept)
{
    bool yes = false;
    gchar **items = g_strsplit(accept ? accept : "", ",", -1);
    for (gchar **it = items; *it && !yes; it++) {
        gchar **parts = g_strsplit(*it, ";", -1);
        const char *coding = g_strstrip(parts[0]);
        bool named = g_ascii_strcasecmp(coding, "gzip") == 0 ||
                     g_ascii_strcasecmp(coding, "x-gzip") == 0 || strcmp(coding, "*") == 0;
        bool zero = false;
        for (gchar **p = parts + 1; *p; p++) {
            const char *param = g_strstrip(*p);
            if (g_ascii_strncasecmp(param, "q=", 2) == 0)
                zero = g_ascii_strtod(param + 2, NULL) <= 0.0;
        }
        yes = named && !zero;
        g_strfreev(parts);
    }
    g_strfreev(items);
    return yes;
}

/* Whether If-None-Match (a list of entity tags, or "*") names etag; W/ tags
 * count too (the comparison there is the weak one). */
static bool not_modified(const char *if_none_match, const char *etag)
{
    if (!if_none_match)
        return false;
    while (*if_none_match == ' ' || *if_none_match == '\t')
        if_none_match++;
    return strcmp(if_none_match, "*") == 0 || strstr(if_none_match, etag) != NULL;
}

/* An embedded file, gzip-compressed for a client that takes it when a
 * compressed twin was built; a 304 when the client has it already. Swagger
 * UI's files may be kept a day; the page and the document are checked each
 * time, so that a new version shows at once. */
static void send_asset(const struct request *req, struct response *res, const char *name,
                       bool revalidate)
{
    char gz_name[96];
    g_snprintf(gz_name, sizeof gz_name, "%s.gz", name);
    const struct embedded_file *f = *name ? asset(name) : NULL, *gz = f ? asset(gz_name) : NULL;
    if (!f) {
        respond_error(res, APP_ERR_NOT_FOUND);
        return;
    }
    res->vary_encoding = gz != NULL;
    res->gzip = gz && takes_gzip(request_header(req, "Accept-Encoding"));
    if (res->gzip)
        f = gz;
    res->etag = f->etag;
    res->cache_control = revalidate ? "no-cache" : "public, max-age=86400";
    if (not_modified(request_header(req, "If-None-Match"), f->etag)) {
        res->gzip = false;
        respond_static(res, 304, NULL, "", 0);
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
    send_asset(req, res, "openapi.json", true);
}

void docs_get(struct request *req, struct response *res)
{
    send_asset(req, res, "index.html", true);
}

void docs_asset_get(struct request *req, struct response *res)
{
    /* index.html and openapi.json have their own paths; the rest are Swagger
     * UI's, and the compressed twins are not files of their own. */
    const char *name = req->path_params[0];
    if (strcmp(name, "openapi.json") == 0 || strcmp(name, "index.html") == 0 ||
        g_str_has_suffix(name, ".gz"))
        name = "";
    send_asset(req, res, name, false);
}

void metrics_get(struct request *req, struct response *res)
{
    (void)req;
    char *text = metrics_render();
    respond_owned(res, 200, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text));
}
