/* /api/v1/services: the catalogue and each service's slots. */
#include <glib.h>

#include "api/handlers.h"
#include "api/respond.h"
#include "core/banned.h"
#include "schemas/bookings.h"
#include "schemas/common.h"
#include "schemas/services.h"
#include "schemas/suggestions.h"
#include "services/schedule.h"
#include "services/services.h"
#include "services/suggestions.h"

void services_post(struct request *req, struct response *res)
{
    struct service svc;
    struct field_errors fe = {0};
    bool has_provider_id = false;
    if (req->user.role == ROLE_CUSTOMER) {
        respond_error(res, APP_ERR_FORBIDDEN);
        return;
    }
    schema_service_create(req->body, req->body_len, req->content_type, &svc, &has_provider_id, &fe);
    if (fe.n == 0 && req->user.role == ROLE_ADMIN && !has_provider_id)
        field_errors_add(&fe, "body", "provider_id", "missing", "Field required for admins");
    if (fe.n) {
        respond_validation(res, &fe);
        return;
    }
    enum app_err err = services_create(req->store, &req->user, &svc);
    if (err == APP_ERR_PROVIDER_NOT_FOUND)
        respond_invalid(res, "body", "provider_id", "value_error", "No such provider");
    else if (err)
        respond_error(res, err);
    else
        respond_json(res, 201, schema_service_json(&svc));
}

void services_list_get(struct request *req, struct response *res)
{
    int64_t limit, offset, provider_id;
    struct field_errors fe = {0};
    struct service_list list;
    if (!handler_page(req, res, &limit, &offset))
        return;
    if (!schema_query_int(request_query(req, "provider_id"), "provider_id", 1, INT64_MAX, 0,
                          &provider_id, &fe)) {
        respond_validation(res, &fe);
        return;
    }
    enum app_err err = services_list(req->store, provider_id, (int)limit, (int)offset, &list);
    if (err) {
        respond_error(res, err);
        return;
    }
    json_t *items = json_array();
    for (int i = 0; i < list.n; i++)
        json_array_append_new(items, schema_service_json(&list.items[i]));
    respond_json(res, 200, schema_page_json(items, list.total, limit, offset));
    service_list_release(&list);
}

void services_get_one(struct request *req, struct response *res)
{
    int64_t id;
    struct service svc;
    if (!handler_path_id(req, res, 0, "id", &id))
        return;
    enum app_err err = services_get(req->store, id, &svc);
    if (err)
        respond_error(res, err);
    else
        respond_json(res, 200, schema_service_json(&svc));
}

static bool apply_patch(void *arg, struct service *svc, struct field_errors *fe)
{
    const struct request *req = arg;
    return schema_service_patch(req->body, req->body_len, req->content_type, svc, fe);
}

void services_patch(struct request *req, struct response *res)
{
    int64_t id;
    struct service svc;
    struct field_errors fe = {0};
    if (!handler_path_id(req, res, 0, "id", &id))
        return;
    enum app_err err = services_update(req->store, &req->user, id, apply_patch, req, &svc, &fe);
    if (err == APP_ERR_VALIDATION)
        respond_validation(res, &fe);
    else if (err)
        respond_error(res, err);
    else
        respond_json(res, 200, schema_service_json(&svc));
}

void services_delete(struct request *req, struct response *res)
{
    int64_t id;
    if (!handler_path_id(req, res, 0, "id", &id))
        return;
    enum app_err err = services_deactivate(req->store, &req->user, id);
    if (err)
        respond_error(res, err);
    else
        respond_no_content(res);
}

void services_slots_get(struct request *req, struct response *res)
{
    int64_t id, from_days, to_days;
    struct field_errors fe = {0};
    struct service svc;
    struct slot_list list = {0};
    char zone[64];
    const char *tz = request_query(req, "timezone");
    if (!handler_path_id(req, res, 0, "id", &id))
        return;
    if (!schema_slot_range(request_query(req, "from"), request_query(req, "to"), tz, &from_days,
                           &to_days, &fe)) {
        respond_validation(res, &fe);
        return;
    }
    enum app_err err = schedule_service_slots(req->store, id, from_days, to_days, tz, &svc, zone, &list);
    size_t len = 0;
    char *text = err ? NULL : schema_slots_text(svc.id, svc.provider_id, zone, &list, &len);
    if (err)
        respond_error(res, err);
    else
        respond_owned(res, 200, "application/json", text, len);
    slot_list_release(&list);
}

void services_suggestions_get(struct request *req, struct response *res)
{
    int64_t id, from_days, to_days, limit;
    struct field_errors fe = {0};
    struct suggestion_prefs prefs;
    struct suggestion_list list;
    const char *tz = request_query(req, "timezone");
    if (!handler_path_id(req, res, 0, "id", &id))
        return;
    /* Both readers run, so one 422 lists every bad parameter. */
    bool ok = schema_slot_range(request_query(req, "from"), request_query(req, "to"), tz,
                                &from_days, &to_days, &fe);
    ok = schema_suggestion_query(request_query(req, "days"), request_query(req, "after"),
                                 request_query(req, "before"), request_query(req, "limit"), &prefs,
                                 &limit, &fe) && ok;
    if (!ok) {
        respond_validation(res, &fe);
        return;
    }
    enum app_err err = suggestions_for_service(req->store, id, from_days, to_days, tz, &prefs,
                                               (size_t)limit, &list);
    if (err) {
        respond_error(res, err);
        return;
    }
    respond_json(res, 200, schema_suggestions_json(&list));
    suggestion_list_release(&list);
}
