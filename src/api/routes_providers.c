/* /api/v1/providers: listing, weekly availability, time off. */
#include "api/handlers.h"
#include "api/respond.h"
#include "core/banned.h"
#include "schemas/common.h"
#include "schemas/providers.h"
#include "services/providers.h"

/* ?limit=&offset= into limit and offset; false with a 422 already sent. */
bool handler_page(struct request *req, struct response *res, int64_t *limit, int64_t *offset)
{
    struct field_errors fe = {0};
    schema_query_int(request_query(req, "limit"), "limit", 1, 100, 50, limit, &fe);
    schema_query_int(request_query(req, "offset"), "offset", 0, INT32_MAX, 0, offset, &fe);
    if (fe.n)
        respond_validation(res, &fe);
    return fe.n == 0;
}

/* Path parameter i as an id; false with a 422 already sent. */
bool handler_path_id(struct request *req, struct response *res, int i, const char *name,
                     int64_t *id)
{
    struct field_errors fe = {0};
    if (schema_path_id(req->path_params[i], name, id, &fe))
        return true;
    respond_validation(res, &fe);
    return false;
}

void providers_list_get(struct request *req, struct response *res)
{
    int64_t limit, offset;
    struct user_list list;
    if (!handler_page(req, res, &limit, &offset))
        return;
    enum app_err err = providers_list(req->store, (int)limit, (int)offset, &list);
    if (err) {
        respond_error(res, err);
        return;
    }
    json_t *items = json_array();
    for (int i = 0; i < list.n; i++)
        json_array_append_new(items, schema_provider_json(&list.items[i]));
    respond_json(res, 200, schema_page_json(items, list.total, limit, offset));
    user_list_release(&list);
}

void providers_get_one(struct request *req, struct response *res)
{
    int64_t id;
    struct user u;
    if (!handler_path_id(req, res, 0, "id", &id))
        return;
    enum app_err err = providers_get(req->store, id, &u);
    if (err)
        respond_error(res, err);
    else
        respond_json(res, 200, schema_provider_json(&u));
}

void providers_availability_get(struct request *req, struct response *res)
{
    int64_t id;
    struct availability a;
    if (!handler_path_id(req, res, 0, "id", &id))
        return;
    enum app_err err = providers_availability(req->store, id, &a);
    if (err)
        respond_error(res, err);
    else
        respond_json(res, 200, schema_availability_json(&a));
}

void providers_availability_put(struct request *req, struct response *res)
{
    int64_t id;
    struct availability a;
    struct field_errors fe = {0};
    if (!handler_path_id(req, res, 0, "id", &id))
        return;
    if (!schema_availability(req->body, req->body_len, req->content_type, &a, &fe)) {
        respond_validation(res, &fe);
        return;
    }
    enum app_err err = providers_set_availability(req->store, &req->user, id, &a);
    if (err)
        respond_error(res, err);
    else
        respond_json(res, 200, schema_availability_json(&a));
}

void providers_time_off_post(struct request *req, struct response *res)
{
    struct time_off t = {0};
    struct field_errors fe = {0};
    if (!handler_path_id(req, res, 0, "id", &t.provider_id))
        return;
    if (!schema_time_off(req->body, req->body_len, req->content_type, &t, &fe)) {
        respond_validation(res, &fe);
        return;
    }
    enum app_err err = providers_add_time_off(req->store, &req->user, &t);
    if (err)
        respond_error(res, err);
    else
        respond_json(res, 201, schema_time_off_json(&t));
}

void providers_time_off_get(struct request *req, struct response *res)
{
    int64_t id, limit, offset;
    struct time_off_list list;
    if (!handler_path_id(req, res, 0, "id", &id) || !handler_page(req, res, &limit, &offset))
        return;
    enum app_err err = providers_time_off(req->store, id, (int)limit, (int)offset, &list);
    if (err) {
        respond_error(res, err);
        return;
    }
    json_t *items = json_array();
    for (int i = 0; i < list.n; i++)
        json_array_append_new(items, schema_time_off_json(&list.items[i]));
    respond_json(res, 200, schema_page_json(items, list.total, limit, offset));
    time_off_list_release(&list);
}

void providers_time_off_delete(struct request *req, struct response *res)
{
    int64_t id, time_off_id;
    if (!handler_path_id(req, res, 0, "id", &id) ||
        !handler_path_id(req, res, 1, "time_off_id", &time_off_id))
        return;
    enum app_err err = providers_delete_time_off(req->store, &req->user, id, time_off_id);
    if (err)
        respond_error(res, err);
    else
        respond_no_content(res);
}
