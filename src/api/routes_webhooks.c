/* /api/v1/webhooks: webhooks, their secrets and their deliveries. */
#include <glib.h>

#include "api/handlers.h"
#include "api/respond.h"
#include "core/banned.h"
#include "schemas/common.h"
#include "schemas/webhooks.h"
#include "services/webhooks.h"

void webhooks_post(struct request *req, struct response *res)
{
    struct webhook w;
    char secret[SIGNATURE_SECRET_MAX_LEN];
    struct field_errors fe = {0};
    if (req->user.role == ROLE_CUSTOMER) {
        respond_error(res, APP_ERR_FORBIDDEN);
        return;
    }
    if (!schema_webhook_create(req->body, req->body_len, req->content_type, &w, secret, &fe)) {
        respond_validation(res, &fe);
        return;
    }
    enum app_err err = webhooks_create(req->store, &req->user, &w, secret, &fe);
    if (err == APP_ERR_VALIDATION)
        respond_validation(res, &fe);
    else if (err)
        respond_error(res, err);
    else
        respond_json(res, 201, schema_webhook_json(&w, secret));
}

void webhooks_list_get(struct request *req, struct response *res)
{
    int64_t limit, offset;
    struct webhook_list list;
    if (!handler_page(req, res, &limit, &offset))
        return;
    enum app_err err = webhooks_list(req->store, &req->user, (int)limit, (int)offset, &list);
    if (err) {
        respond_error(res, err);
        return;
    }
    json_t *items = json_array();
    for (int i = 0; i < list.n; i++)
        json_array_append_new(items, schema_webhook_json(&list.items[i], NULL));
    respond_json(res, 200, schema_page_json(items, list.total, limit, offset));
    webhook_list_release(&list);
}

void webhooks_get_one(struct request *req, struct response *res)
{
    int64_t id;
    struct webhook w;
    if (!handler_path_id(req, res, 0, "id", &id))
        return;
    enum app_err err = webhooks_get(req->store, &req->user, id, &w);
    if (err)
        respond_error(res, err);
    else
        respond_json(res, 200, schema_webhook_json(&w, NULL));
}

static bool apply_patch(void *arg, struct webhook *w, struct field_errors *fe)
{
    const struct request *req = arg;
    return schema_webhook_patch(req->body, req->body_len, req->content_type, w, fe);
}

void webhooks_patch(struct request *req, struct response *res)
{
    int64_t id;
    struct webhook w;
    struct field_errors fe = {0};
    if (!handler_path_id(req, res, 0, "id", &id))
        return;
    enum app_err err = webhooks_update(req->store, &req->user, id, apply_patch, req, &w, &fe);
    if (err == APP_ERR_VALIDATION)
        respond_validation(res, &fe);
    else if (err)
        respond_error(res, err);
    else
        respond_json(res, 200, schema_webhook_json(&w, NULL));
}

void webhooks_delete_one(struct request *req, struct response *res)
{
    int64_t id;
    if (!handler_path_id(req, res, 0, "id", &id))
        return;
    enum app_err err = webhooks_delete(req->store, &req->user, id);
    if (err)
        respond_error(res, err);
    else
        respond_no_content(res);
}

void webhooks_rotate_post(struct request *req, struct response *res)
{
    int64_t id;
    char secret[SIGNATURE_SECRET_MAX_LEN];
    struct field_errors fe = {0};
    if (!handler_path_id(req, res, 0, "id", &id))
        return;
    if (!schema_webhook_rotate(req->body, req->body_len, req->content_type, secret, &fe)) {
        respond_validation(res, &fe);
        return;
    }
    enum app_err err = webhooks_rotate_secret(req->store, &req->user, id, secret);
    if (err)
        respond_error(res, err);
    else
        respond_json(res, 200, schema_secret_json(secret));
}

void webhooks_deliveries_get(struct request *req, struct response *res)
{
    int64_t id, limit, offset;
    struct delivery_list list;
    if (!handler_path_id(req, res, 0, "id", &id) || !handler_page(req, res, &limit, &offset))
        return;
    enum app_err err =
        webhooks_deliveries(req->store, &req->user, id, (int)limit, (int)offset, &list);
    if (err) {
        respond_error(res, err);
        return;
    }
    json_t *items = json_array();
    for (int i = 0; i < list.n; i++)
        json_array_append_new(items, schema_delivery_json(&list.items[i]));
    respond_json(res, 200, schema_page_json(items, list.total, limit, offset));
    delivery_list_release(&list);
}

void webhooks_retry_post(struct request *req, struct response *res)
{
    int64_t id, event_id;
    struct delivery d;
    if (!handler_path_id(req, res, 0, "id", &id) ||
        !handler_path_id(req, res, 1, "event_id", &event_id))
        return;
    enum app_err err = webhooks_retry(req->store, &req->user, id, event_id, &d);
    if (err)
        respond_error(res, err);
    else
        respond_json(res, 202, schema_delivery_json(&d));
}
