/* /api/v1/audit: the audit log, for admins. */
#include "api/handlers.h"
#include "api/respond.h"
#include "core/banned.h"
#include "schemas/audit.h"
#include "schemas/common.h"
#include "services/audit.h"

void audit_list_get(struct request *req, struct response *res)
{
    int64_t limit, offset;
    struct audit_filter f;
    struct field_errors fe = {0};
    struct audit_list list;
    if (!handler_page(req, res, &limit, &offset))
        return;
    if (!schema_audit_filter(request_query(req, "action"), request_query(req, "actor_id"),
                             request_query(req, "target_type"), request_query(req, "target_id"),
                             request_query(req, "from"), request_query(req, "to"), &f, &fe)) {
        respond_validation(res, &fe);
        return;
    }
    enum app_err err = audit_list(req->store, &f, (int)limit, (int)offset, &list);
    if (err) {
        respond_error(res, err);
        return;
    }
    json_t *items = json_array();
    for (int i = 0; i < list.n; i++)
        json_array_append_new(items, schema_audit_json(&list.items[i], true));
    respond_json(res, 200, schema_page_json(items, list.total, limit, offset));
    audit_list_release(&list);
}
