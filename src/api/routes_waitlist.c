/* /api/v1/waitlist: a customer's entries; serving them is the waitlist
 * job's (jobs/waitlist.c). */
#include <glib.h>

#include "api/handlers.h"
#include "api/respond.h"
#include "core/banned.h"
#include "core/timeutil.h"
#include "schemas/common.h"
#include "schemas/waitlist.h"
#include "services/waitlist.h"

/* Idempotency-Key is the dispatcher's (the route table's flag). */
void waitlist_post(struct request *req, struct response *res)
{
    struct waitlist_request wr;
    struct waitlist_entry e;
    struct field_errors fe = {0};
    if (!schema_waitlist_request(req->body, req->body_len, req->content_type, &wr, &fe)) {
        respond_validation(res, &fe);
        return;
    }
    enum app_err err = waitlist_create(req->store, &req->user, &wr, &e, &fe);
    if (err == APP_ERR_VALIDATION) {
        respond_validation(res, &fe);
    } else if (err) {
        respond_error(res, err);
    } else {
        respond_json(res, 201, schema_waitlist_json(&e, clock_now()));
        g_snprintf(res->location, sizeof res->location, "/api/v1/waitlist/%" G_GINT64_FORMAT, e.id);
    }
}

void waitlist_list_get(struct request *req, struct response *res)
{
    int64_t limit, offset, now = clock_now();
    struct waitlist_list list;
    if (!handler_page(req, res, &limit, &offset))
        return;
    enum app_err err = waitlist_list(req->store, &req->user, (int)limit, (int)offset, &list);
    if (err) {
        respond_error(res, err);
        return;
    }
    json_t *items = json_array();
    for (int i = 0; i < list.n; i++)
        json_array_append_new(items, schema_waitlist_json(&list.items[i], now));
    respond_json(res, 200, schema_page_json(items, list.total, limit, offset));
    waitlist_list_release(&list);
}

void waitlist_get_one(struct request *req, struct response *res)
{
    int64_t id;
    struct waitlist_entry e;
    if (!handler_path_id(req, res, 0, "id", &id))
        return;
    enum app_err err = waitlist_get(req->store, &req->user, id, &e);
    if (err)
        respond_error(res, err);
    else
        respond_json(res, 200, schema_waitlist_json(&e, clock_now()));
}

void waitlist_delete_one(struct request *req, struct response *res)
{
    int64_t id;
    if (!handler_path_id(req, res, 0, "id", &id))
        return;
    enum app_err err = waitlist_delete(req->store, &req->user, id);
    if (err)
        respond_error(res, err);
    else
        respond_no_content(res);
}
