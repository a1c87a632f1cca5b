/* JSON <-> services. */
#ifndef SCHEMAS_SERVICES_H
#define SCHEMAS_SERVICES_H
#include <jansson.h>
#include <stdbool.h>

#include "core/error.h"
#include "models/service.h"

/* A create body into svc with the contract's defaults; *has_provider_id
 * tells whether provider_id came (only admins' counts). */
bool schema_service_create(const char *body, size_t len, const char *ct, struct service *svc,
                           bool *has_provider_id, struct field_errors *fe);
/* A PATCH body applied over svc (the stored service). */
bool schema_service_patch(const char *body, size_t len, const char *ct, struct service *svc,
                          struct field_errors *fe);
json_t *schema_service_json(const struct service *svc);
#endif
