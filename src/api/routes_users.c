/* /api/v1/users: the own profile, and the admin's user management. */
#include <string.h>

#include "api/handlers.h"
#include "api/respond.h"
#include "core/banned.h"
#include "schemas/common.h"
#include "schemas/users.h"
#include "services/auth.h"
#include "services/users.h"

void users_me_get(struct request *req, struct response *res)
{
    respond_json(res, 200, schema_user_json(&req->user));
}

void users_me_patch(struct request *req, struct response *res)
{
    struct user_patch p;
    struct field_errors fe = {0};
    if (!schema_user_patch(req->body, req->body_len, req->content_type, false, &p, &fe)) {
        respond_validation(res, &fe);
        return;
    }
    struct user_change c = {.name = p.has_name ? p.name : NULL};
    struct user u = req->user;
    enum app_err err = p.has_name ? users_update(req->store, req->user.id, &c, &u) : APP_OK;
    if (err)
        respond_error(res, err);
    else
        respond_json(res, 200, schema_user_json(&u));
}

void users_me_password_post(struct request *req, struct response *res)
{
    char current[PASSWORD_BUF], next[PASSWORD_BUF];
    struct field_errors fe = {0};
    if (!schema_password_change(req->body, req->body_len, req->content_type, current, next, &fe)) {
        respond_validation(res, &fe);
        return;
    }
    enum app_err err = auth_change_password(req->store, &req->user, req->claims.sid, current, next);
    if (err)
        respond_error(res, err);
    else
        respond_no_content(res);
}

void users_list_get(struct request *req, struct response *res)
{
    int64_t limit, offset;
    enum role role;
    const char *role_arg = request_query(req, "role");
    if (!handler_page(req, res, &limit, &offset))
        return;
    if (role_arg && !role_parse(role_arg, &role)) {
        respond_invalid(res, "query", "role", "enum",
                        "Input should be 'customer', 'provider' or 'admin'");
        return;
    }
    struct user_list list;
    enum app_err err = users_list(req->store, role_arg ? &role : NULL, (int)limit, (int)offset, &list);
    if (err) {
        respond_error(res, err);
        return;
    }
    json_t *items = json_array();
    for (int i = 0; i < list.n; i++)
        json_array_append_new(items, schema_user_json(&list.items[i]));
    respond_json(res, 200, schema_page_json(items, list.total, limit, offset));
    user_list_release(&list);
}

void users_get_one(struct request *req, struct response *res)
{
    int64_t id;
    struct user u;
    if (!handler_path_id(req, res, 0, "id", &id))
        return;
    enum app_err err = users_get(req->store, id, &u);
    if (err)
        respond_error(res, err);
    else
        respond_json(res, 200, schema_user_json(&u));
}

void users_patch(struct request *req, struct response *res)
{
    struct field_errors fe = {0};
    struct user_patch p;
    struct user u;
    int64_t id;
    if (!handler_path_id(req, res, 0, "id", &id))
        return;
    if (!schema_user_patch(req->body, req->body_len, req->content_type, true, &p, &fe)) {
        respond_validation(res, &fe);
        return;
    }
    struct user_change c = {p.has_name ? p.name : NULL, p.has_role ? &p.role : NULL,
                            p.has_active ? &p.is_active : NULL};
    enum app_err err = users_update(req->store, id, &c, &u);
    if (err)
        respond_error(res, err);
    else
        respond_json(res, 200, schema_user_json(&u));
}
