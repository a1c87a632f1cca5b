/* Every route handler, one file per resource (routes_<resource>.c). */
#ifndef API_HANDLERS_H
#define API_HANDLERS_H
#include <stdbool.h>
#include <stdint.h>

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
/* routes_providers.c, and the helpers every handler file shares */
bool handler_page(struct request *req, struct response *res, int64_t *limit, int64_t *offset);
bool handler_path_id(struct request *req, struct response *res, int i, const char *name,
                     int64_t *id);
void providers_list_get(struct request *req, struct response *res);
void providers_get_one(struct request *req, struct response *res);
void providers_availability_get(struct request *req, struct response *res);
void providers_availability_put(struct request *req, struct response *res);
void providers_time_off_post(struct request *req, struct response *res);
void providers_time_off_get(struct request *req, struct response *res);
void providers_time_off_delete(struct request *req, struct response *res);

/* routes_services.c */
void services_post(struct request *req, struct response *res);
void services_list_get(struct request *req, struct response *res);
void services_get_one(struct request *req, struct response *res);
void services_patch(struct request *req, struct response *res);
void services_delete(struct request *req, struct response *res);
void services_slots_get(struct request *req, struct response *res);
void services_suggestions_get(struct request *req, struct response *res);

/* routes_bookings.c */
void bookings_post(struct request *req, struct response *res);
void bookings_list_get(struct request *req, struct response *res);
void bookings_get_one(struct request *req, struct response *res);
void bookings_cancel_post(struct request *req, struct response *res);
void bookings_reschedule_post(struct request *req, struct response *res);
void bookings_complete_post(struct request *req, struct response *res);
void audit_list_get(struct request *req, struct response *res);

/* routes_webhooks.c */
void webhooks_post(struct request *req, struct response *res);
void webhooks_list_get(struct request *req, struct response *res);
void webhooks_get_one(struct request *req, struct response *res);
void webhooks_patch(struct request *req, struct response *res);
void webhooks_delete_one(struct request *req, struct response *res);
void webhooks_rotate_post(struct request *req, struct response *res);
void webhooks_deliveries_get(struct request *req, struct response *res);
void webhooks_retry_post(struct request *req, struct response *res);

/* routes_waitlist.c */
void waitlist_post(struct request *req, struct response *res);
void waitlist_list_get(struct request *req, struct response *res);
void waitlist_get_one(struct request *req, struct response *res);
void waitlist_delete_one(struct request *req, struct response *res);

/* routes_events.c */
void events_ticket_post(struct request *req, struct response *res);
void events_stream_get(struct request *req, struct response *res);
#endif
