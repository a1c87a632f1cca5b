/* THE route table: the only place a route exists. tools/check_routes.py holds
 * it against openapi.json. */
#include "api/handlers.h"
#include "api/router.h"

/* Sign-in bodies are a few hundred bytes; a small limit keeps unauthenticated
 * clients from holding much memory while their requests wait for bcrypt. */
#define AUTH_BODY (16 * 1024)
#define ANY_BODY 0 /* the contract's 1 MiB */

const struct route routes[] = {
    {"GET", "/health", health_get, AUTH_NONE, RUN_IO, ANY_BODY, 0},
    {"GET", "/health/ready", health_ready, AUTH_NONE, RUN_READY, ANY_BODY, 0},
    {"GET", "/openapi.json", openapi_get, AUTH_NONE, RUN_IO, ANY_BODY, 0},
    {"GET", "/docs", docs_get, AUTH_NONE, RUN_IO, ANY_BODY, 0},
    {"GET", "/docs/{asset}", docs_asset_get, AUTH_NONE, RUN_IO, ANY_BODY, 0},
    {"GET", "/metrics", metrics_get, AUTH_NONE, RUN_IO, ANY_BODY, 0},
    {"POST", "/api/v1/auth/signup", auth_signup_post, AUTH_NONE, RUN_BCRYPT, AUTH_BODY, 0},
    {"POST", "/api/v1/auth/login", auth_login_post, AUTH_NONE, RUN_BCRYPT, AUTH_BODY, 0},
    {"POST", "/api/v1/auth/token", auth_token_post, AUTH_NONE, RUN_BCRYPT, AUTH_BODY, 0},
    {"POST", "/api/v1/auth/refresh", auth_refresh_post, AUTH_NONE, RUN_DB, AUTH_BODY, 0},
    {"POST", "/api/v1/auth/logout", auth_logout_post, AUTH_USER, RUN_DB, AUTH_BODY, 0},
    {"GET", "/api/v1/users/me", users_me_get, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"PATCH", "/api/v1/users/me", users_me_patch, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"POST", "/api/v1/users/me/password", users_me_password_post, AUTH_USER, RUN_BCRYPT, AUTH_BODY, 0},
    {"GET", "/api/v1/users", users_list_get, AUTH_ADMIN, RUN_DB, ANY_BODY, 0},
    {"GET", "/api/v1/users/{id}", users_get_one, AUTH_ADMIN, RUN_DB, ANY_BODY, 0},
    {"PATCH", "/api/v1/users/{id}", users_patch, AUTH_ADMIN, RUN_DB, ANY_BODY, 0},
    {"GET", "/api/v1/providers", providers_list_get, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"GET", "/api/v1/providers/{id}", providers_get_one, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"GET", "/api/v1/providers/{id}/availability", providers_availability_get, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"PUT", "/api/v1/providers/{id}/availability", providers_availability_put, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"POST", "/api/v1/providers/{id}/time-off", providers_time_off_post, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"GET", "/api/v1/providers/{id}/time-off", providers_time_off_get, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"DELETE", "/api/v1/providers/{id}/time-off/{time_off_id}", providers_time_off_delete, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"POST", "/api/v1/services", services_post, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"GET", "/api/v1/services", services_list_get, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"GET", "/api/v1/services/{id}", services_get_one, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"PATCH", "/api/v1/services/{id}", services_patch, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"DELETE", "/api/v1/services/{id}", services_delete, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"GET", "/api/v1/services/{id}/slots", services_slots_get, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"GET", "/api/v1/services/{id}/suggestions", services_suggestions_get, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"POST", "/api/v1/bookings", bookings_post, AUTH_USER, RUN_DB, ANY_BODY, 201},
    {"GET", "/api/v1/bookings", bookings_list_get, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"GET", "/api/v1/bookings/{id}", bookings_get_one, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"POST", "/api/v1/bookings/{id}/cancel", bookings_cancel_post, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"POST", "/api/v1/bookings/{id}/reschedule", bookings_reschedule_post, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"POST", "/api/v1/bookings/{id}/complete", bookings_complete_post, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"GET", "/api/v1/audit", audit_list_get, AUTH_ADMIN, RUN_DB, ANY_BODY, 0},
    {"POST", "/api/v1/webhooks", webhooks_post, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"GET", "/api/v1/webhooks", webhooks_list_get, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"GET", "/api/v1/webhooks/{id}", webhooks_get_one, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"PATCH", "/api/v1/webhooks/{id}", webhooks_patch, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"DELETE", "/api/v1/webhooks/{id}", webhooks_delete_one, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"POST", "/api/v1/webhooks/{id}/rotate-secret", webhooks_rotate_post, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"GET", "/api/v1/webhooks/{id}/deliveries", webhooks_deliveries_get, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"POST", "/api/v1/webhooks/{id}/deliveries/{event_id}/retry", webhooks_retry_post, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"POST", "/api/v1/waitlist", waitlist_post, AUTH_USER, RUN_DB, ANY_BODY, 201},
    {"GET", "/api/v1/waitlist", waitlist_list_get, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"GET", "/api/v1/waitlist/{id}", waitlist_get_one, AUTH_USER, RUN_DB, ANY_BODY, 0},
    {"DELETE", "/api/v1/waitlist/{id}", waitlist_delete_one, AUTH_USER, RUN_DB, ANY_BODY, 0},
    /* Authenticated by its handler: a Bearer header or a ticket. */
    {"GET", "/api/v1/events", events_stream_get, AUTH_NONE, RUN_DB, ANY_BODY, 0},
    {"POST", "/api/v1/events/ticket", events_ticket_post, AUTH_USER, RUN_DB, AUTH_BODY, 0},
};

const size_t n_routes = sizeof routes / sizeof routes[0];
