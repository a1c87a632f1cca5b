#include "api/dispatch.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "api/respond.h"
#include "core/banned.h"
#include "core/log.h"
#include "core/random.h"
#include "db/store.h"
#include "services/auth.h"
#include "services/idempotency.h"

static enum app_err authenticate(const struct route *route, struct request *req,
                                 struct store *store)
{
    if (route->auth == AUTH_NONE)
        return APP_OK;
    enum app_err err = store ? auth_authenticate(store, req->authorization, &req->user, &req->claims)
                             : APP_ERR_UNAVAILABLE;
    if (!err && route->auth == AUTH_ADMIN && req->user.role != ROLE_ADMIN)
        err = APP_ERR_FORBIDDEN;
    return err;
}

/* The first response again; a 201 keeps its Location. */
static void replay(const struct route *route, struct response *res, int status, char *body)
{
    respond_owned(res, status, "application/json", body, strlen(body));
    json_t *v = status == 201 ? json_loads(body, 0, NULL) : NULL;
    json_t *id = v ? json_object_get(v, "id") : NULL;
    if (json_is_integer(id))
        g_snprintf(res->location, sizeof res->location, "%s/%" JSON_INTEGER_FORMAT, route->path,
                   json_integer_value(id));
    json_decref(v);
}

/* The long way for a key: claim it, then the handler, whose unit of work
 * records its answer when it wrote something; any other answer is recorded
 * after it. */
static void claimed(const struct route *route, struct request *req, struct response *res,
                    struct store_context *ctx)
{
    struct idem_record rec;
    enum app_err err = idempotency_claim(req->store, ctx->idem_user_id, ctx->idem_key,
                                         ctx->idem_hash, ctx->idem_owner, &rec);
    ctx->idem_hash = NULL;
    if (err)
        respond_error(res, err);
    else if (rec.state == IDEM_DONE)
        replay(route, res, rec.status, rec.body);
    else if (rec.state == IDEM_OTHER)
        respond_invalid(res, "header", "Idempotency-Key", "value_error",
                        "This key was used with a different request");
    else if (rec.state == IDEM_BUSY)
        respond_error(res, APP_ERR_IDEM_IN_FLIGHT);
    if (err || rec.state != IDEM_CLAIMED)
        return;
    route->handler(req, res);
    if (!ctx->idem_recorded)
        (void)idempotency_finish(req->store, res->status, res->body ? res->body : "");
}

/* Idempotency-Key (services/idempotency.h): first as if the key were fresh,
 * its row written with the change that answers; else the long way, from a
 * clean response. */
static void keyed(const struct route *route, struct request *req, struct response *res,
                  struct store_context *ctx)
{
    const char *key = req->idempotency_key;
    char what[160], owner[33], hash[65];
    size_t n = strlen(key);
    if (n < 1 || n > 255) {
        respond_invalid(res, "header", "Idempotency-Key", "string_too_long", "1 to 255 characters");
        return;
    }
    if (!random_hex(owner, 16)) {
        respond_error(res, APP_ERR_INTERNAL);
        return;
    }
    g_snprintf(what, sizeof what, "%s %s", route->method, route->path);
    idempotency_hash(what, req->body, req->body_len, hash);
    ctx->idem_user_id = req->user.id;
    ctx->idem_key = key;
    ctx->idem_owner = owner;
    ctx->idem_status = route->idempotent;
    ctx->idem_hash = hash;
    route->handler(req, res);
    if (ctx->idem_recorded)
        return;
    response_release(res);
    memset(res, 0, sizeof *res);
    ctx->idem_hash = hash;
    claimed(route, req, res, ctx);
}

void dispatch_run(const struct route *route, struct request *req, struct response *res,
                  struct store *store)
{
    char agent[256], what[96];
    struct store_context ctx = {.ip = req->client_ip, .request_id = req->request_id};
    g_snprintf(what, sizeof what, "request %s", req->request_id);
    log_set_context(what);
    req->store = store;
    enum app_err err = authenticate(route, req, store);
    if (err) {
        respond_error(res, err);
        log_set_context(NULL);
        return;
    }
    if (req->user_agent) {
        /* Into the audit log as valid UTF-8, cut at a character; only a
         * client that sent invalid bytes costs a copy. */
        const gchar *end;
        gchar *valid = g_utf8_validate(req->user_agent, -1, NULL)
                           ? NULL
                           : g_utf8_make_valid(req->user_agent, -1);
        g_strlcpy(agent, valid ? valid : req->user_agent, sizeof agent);
        g_free(valid);
        if (!g_utf8_validate(agent, -1, &end))
            agent[end - agent] = '\0';
        ctx.user_agent = agent;
    }
    ctx.actor = route->auth != AUTH_NONE ? &req->user : NULL;
    if (store)
        store_set_context(store, &ctx);
    if (store && route->idempotent && req->idempotency_key)
        keyed(route, req, res, &ctx);
    else
        route->handler(req, res);
    if (store)
        store_set_context(store, NULL);
    log_set_context(NULL);
}
