/* Filling a response: JSON bodies, the contract's error shapes, raw bytes. */
#ifndef API_RESPOND_H
#define API_RESPOND_H
#include <jansson.h>

#include "api/http.h"
#include "core/error.h"

/* Sets status and body to the JSON value, taking the caller's reference. */
void respond_json(struct response *res, int status, json_t *body);
/* The error's status and {"detail": …} (plus "code" for a 409). */
void respond_error(struct response *res, enum app_err err);
/* 422 {"detail": [{"loc": [...], "msg", "type"}, ...]}. */
void respond_validation(struct response *res, const struct field_errors *fe);
/* A 422 for one field. */
void respond_invalid(struct response *res, const char *loc0, const char *field, const char *type,
                     const char *msg);
/* A body of static bytes (embedded files). */
void respond_static(struct response *res, int status, const char *content_type, const char *data,
                    size_t len);
/* A body the response takes ownership of (malloc'd). */
void respond_owned(struct response *res, int status, const char *content_type, char *data,
                   size_t len);
/* 204, no body. */
void respond_no_content(struct response *res);
#endif
