/* Every route handler, one file per resource (routes_<resource>.c). */
#ifndef API_HANDLERS_H
#define API_HANDLERS_H
#include "api/http.h"

/* routes_system.c */
void health_get(struct request *req, struct response *res);
void health_ready(struct request *req, struct response *res);
void openapi_get(struct request *req, struct response *res);
void docs_get(struct request *req, struct response *res);
void docs_asset_get(struct request *req, struct response *res);
void metrics_get(struct request *req, struct response *res);

/* routes_auth.c */
void auth_signup_post(struct request *req, struct response *res);
void auth_login_post(struct request *req, struct response *res);
void auth_token_post(struct request *req, struct response *res);
void auth_refresh_post(struct request *req, struct response *res);
void auth_logout_post(struct request *req, struct response *res);

/* routes_users.c */
void users_me_get(struct request *req, struct response *res);
void users_me_patch(struct request *req, struct response *res);
void users_me_password_post(struct request *req, struct response *res);
void users_list_get(struct request *req, struct response *res);
void users_get_one(struct request *req, struct response *res);
void users_patch(struct request *req, struct response *res);
#endif
