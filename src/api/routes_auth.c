/* /api/v1/auth: signup, login, the OAuth2 token form, refresh, logout. */
#include <glib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/respond.h"
#include "core/banned.h"
#include "schemas/users.h"
#include "services/auth.h"

void auth_signup_post(struct request *req, struct response *res)
{
    struct user u = {0};
    char password[PASSWORD_BUF];
    struct field_errors fe = {0};
    if (!schema_signup(req->body, req->body_len, req->content_type, &u, password, &fe)) {
        respond_validation(res, &fe);
        return;
    }
    int64_t retry_after = 0;
    enum app_err err = auth_signup_from(req->store, &u, password, req->client_ip, &retry_after);
    if (err == APP_ERR_TOO_MANY_SIGNUPS)
        g_snprintf(res->retry_after, sizeof res->retry_after, "%" G_GINT64_FORMAT, retry_after);
    if (err)
        respond_error(res, err);
    else
        respond_json(res, 201, schema_user_json(&u));
}

static void login(struct request *req, struct response *res, const char *email,
                  const char *password)
{
    struct token_pair tp = {0};
    int64_t retry_after = 0;
    enum app_err err = auth_login(req->store, email, password, req->client_ip, &tp, &retry_after);
    if (err == APP_ERR_TOO_MANY_LOGINS)
        g_snprintf(res->retry_after, sizeof res->retry_after, "%" G_GINT64_FORMAT, retry_after);
    if (err)
        respond_error(res, err);
    else
        respond_json(res, 200, schema_token_json(tp.access_token, tp.refresh_token, tp.expires_in));
    token_pair_release(&tp);
}

void auth_login_post(struct request *req, struct response *res)
{
    char email[USER_EMAIL_MAX + 1], password[PASSWORD_BUF];
    struct field_errors fe = {0};
    if (schema_login(req->body, req->body_len, req->content_type, email, password, &fe))
        login(req, res, email, password);
    else
        respond_validation(res, &fe);
}

void auth_token_post(struct request *req, struct response *res)
{
    char email[USER_EMAIL_MAX + 1], password[PASSWORD_BUF];
    struct field_errors fe = {0};
    if (schema_token_form(req->body, req->body_len, req->content_type, email, password, &fe))
        login(req, res, email, password);
    else
        respond_validation(res, &fe);
}

void auth_refresh_post(struct request *req, struct response *res)
{
    char token[REFRESH_TOKEN_MAX];
    struct field_errors fe = {0};
    struct token_pair tp = {0};
    if (!schema_refresh(req->body, req->body_len, req->content_type, token, sizeof token, &fe)) {
        respond_validation(res, &fe);
        return;
    }
    enum app_err err = auth_refresh(req->store, token, &tp);
    if (err)
        respond_error(res, err);
    else
        respond_json(res, 200, schema_token_json(tp.access_token, tp.refresh_token, tp.expires_in));
    token_pair_release(&tp);
}

void auth_logout_post(struct request *req, struct response *res)
{
    enum app_err err = auth_logout(req->store, &req->claims);
    if (err)
        respond_error(res, err);
    else
        respond_no_content(res);
}
