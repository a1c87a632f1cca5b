/* /api/v1/bookings: create, list, get, cancel,
 * reschedule, complete. */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/respond.h"
#include "core/banned.h"
#include "schemas/bookings.h"
#include "schemas/common.h"
#include "services/bookings.h"

static void set_location(struct response *res, int64_t id)
{
    g_snprintf(res->location, sizeof res->location, "/api/v1/bookings/%" G_GINT64_FORMAT, id);
}

/* A 409 slot_unavailable with the next offered slots. */
static void respond_unavailable(struct response *res, const struct slot_list *next)
{
    const struct app_error_info *info = app_error_info(APP_ERR_SLOT_UNAVAILABLE);
    respond_json(res, 409, json_pack("{s:s,s:s,s:o}", "detail", info->detail, "code", info->code,
                                     "next_slots", schema_spans_json(next)));
}

static void respond_booking(struct response *res, enum app_err err, const struct booking *b,
                            const struct slot_list *next)
{
    if (err == APP_ERR_SLOT_UNAVAILABLE)
        respond_unavailable(res, next);
    else if (err)
        respond_error(res, err);
    else
        respond_json(res, 200, schema_booking_json(b));
}

/* Idempotency-Key is the dispatcher's (the route table's flag). */
void bookings_post(struct request *req, struct response *res)
{
    struct booking_request br;
    struct booking b;
    struct slot_list next = {0};
    struct field_errors fe = {0};
    if (!schema_booking_request(req->body, req->body_len, req->content_type, &br, &fe)) {
        respond_validation(res, &fe);
        return;
    }
    enum app_err err = bookings_create(req->store, &req->user, &br, &b, &next, &fe);
    if (err == APP_ERR_VALIDATION)
        respond_validation(res, &fe);
    else if (err)
        respond_booking(res, err, &b, &next);
    else {
        respond_json(res, 201, schema_booking_json(&b));
        set_location(res, b.id);
    }
    slot_list_release(&next);
}

void bookings_list_get(struct request *req, struct response *res)
{
    int64_t limit, offset;
    struct booking_filter f;
    struct field_errors fe = {0};
    struct booking_list list;
    if (!handler_page(req, res, &limit, &offset))
        return;
    if (!schema_booking_filter(request_query(req, "status"), request_query(req, "from"),
                               request_query(req, "to"), &f, &fe)) {
        respond_validation(res, &fe);
        return;
    }
    enum app_err err = bookings_list(req->store, &req->user, &f, (int)limit, (int)offset, &list);
    if (err) {
        respond_error(res, err);
        return;
    }
    json_t *items = json_array();
    for (int i = 0; i < list.n; i++)
        json_array_append_new(items, schema_booking_json(&list.items[i]));
    respond_json(res, 200, schema_page_json(items, list.total, limit, offset));
    booking_list_release(&list);
}

void bookings_get_one(struct request *req, struct response *res)
{
    int64_t id;
    struct booking b;
    if (!handler_path_id(req, res, 0, "id", &id))
        return;
    respond_booking(res, bookings_get(req->store, &req->user, id, &b), &b, NULL);
}

void bookings_cancel_post(struct request *req, struct response *res)
{
    int64_t id;
    struct booking b;
    char reason[BOOKING_REASON_MAX_CHARS * 4 + 1];
    bool has_reason;
    struct field_errors fe = {0};
    if (!handler_path_id(req, res, 0, "id", &id))
        return;
    if (!schema_cancel(req->body, req->body_len, req->content_type, reason, sizeof reason,
                       &has_reason, &fe)) {
        respond_validation(res, &fe);
        return;
    }
    enum app_err err = bookings_cancel(req->store, &req->user, id, has_reason ? reason : NULL, &b);
    respond_booking(res, err, &b, NULL);
}

void bookings_reschedule_post(struct request *req, struct response *res)
{
    int64_t id, start;
    struct booking b;
    struct slot_list next = {0};
    struct field_errors fe = {0};
    if (!handler_path_id(req, res, 0, "id", &id))
        return;
    if (!schema_reschedule(req->body, req->body_len, req->content_type, &start, &fe)) {
        respond_validation(res, &fe);
        return;
    }
    enum app_err err = bookings_reschedule(req->store, &req->user, id, start, &b, &next);
    respond_booking(res, err, &b, &next);
    slot_list_release(&next);
}

void bookings_complete_post(struct request *req, struct response *res)
{
    int64_t id;
    struct booking b;
    if (!handler_path_id(req, res, 0, "id", &id))
        return;
    respond_booking(res, bookings_complete(req->store, &req->user, id, &b), &b, NULL);
}
