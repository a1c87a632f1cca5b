/* THE route table: the only place a route exists. tools/check_routes.py holds
 * it against openapi.json. */
#include "api/handlers.h"
#include "api/router.h"

const struct route routes[] = {
    {"GET", "/health", health_get, AUTH_NONE, true},
    {"GET", "/health/ready", health_ready, AUTH_NONE, false},
    {"GET", "/openapi.json", openapi_get, AUTH_NONE, true},
    {"GET", "/docs", docs_get, AUTH_NONE, true},
    {"GET", "/docs/{asset}", docs_asset_get, AUTH_NONE, true},
    {"GET", "/metrics", metrics_get, AUTH_NONE, true},
    {"POST", "/api/v1/auth/signup", auth_signup_post, AUTH_NONE, false},
    {"POST", "/api/v1/auth/login", auth_login_post, AUTH_NONE, false},
    {"POST", "/api/v1/auth/token", auth_token_post, AUTH_NONE, false},
    {"POST", "/api/v1/auth/refresh", auth_refresh_post, AUTH_NONE, false},
    {"POST", "/api/v1/auth/logout", auth_logout_post, AUTH_USER, false},
    {"GET", "/api/v1/users/me", users_me_get, AUTH_USER, false},
    {"PATCH", "/api/v1/users/me", users_me_patch, AUTH_USER, false},
    {"POST", "/api/v1/users/me/password", users_me_password_post, AUTH_USER, false},
    {"GET", "/api/v1/users", users_list_get, AUTH_ADMIN, false},
    {"GET", "/api/v1/users/{id}", users_get_one, AUTH_ADMIN, false},
    {"PATCH", "/api/v1/users/{id}", users_patch, AUTH_ADMIN, false},
};

const size_t n_routes = sizeof routes / sizeof routes[0];
