#include "api/respond.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

const char *request_query(const struct request *req, const char *key)
{
    for (int i = 0; i < req->n_query; i++)
        if (strcmp(req->query[i].key, key) == 0)
            return req->query[i].value;
    return NULL;
}

void response_release(struct response *res)
{
    if (!res->body_static)
        free(res->body);
    res->body = NULL;
    free(res->stream);
    res->stream = NULL;
}

void respond_owned(struct response *res, int status, const char *content_type, char *data,
                   size_t len)
{
    response_release(res);
    res->status = status;
    res->content_type = content_type;
    res->body = data;
    res->body_len = len;
    res->body_static = false;
}

void respond_static(struct response *res, int status, const char *content_type, const char *data,
                    size_t len)
{
    response_release(res);
    res->status = status;
    res->content_type = content_type;
    res->body = (char *)data;
    res->body_len = len;
    res->body_static = true;
}

void respond_json(struct response *res, int status, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text) {
        static const char oom[] = "{\"detail\":\"Internal Server Error\"}";
        respond_static(res, 500, "application/json", oom, sizeof oom - 1);
        return;
    }
    respond_owned(res, status, "application/json", text, strlen(text));
}

void respond_no_content(struct response *res)
{
    respond_static(res, 204, "application/json", "", 0);
}

void respond_error(struct response *res, enum app_err err)
{
    const struct app_error_info *info = app_error_info(err);
    json_t *body = json_pack("{s:s}", "detail", info->detail);
    if (info->code)
        json_object_set_new(body, "code", json_string(info->code));
    if (info->status == 401)
        res->www_authenticate = true;
    respond_json(res, info->status, body);
}

void respond_validation(struct response *res, const struct field_errors *fe)
{
    json_t *detail = json_array();
    for (int i = 0; i < fe->n; i++) {
        const struct field_error *e = &fe->items[i];
        json_t *loc = json_pack("[s]", e->loc0);
        /* "weekly.3.day" is the path ["weekly", 3, "day"], as FastAPI gives it. */
        char **parts = e->field[0] ? g_strsplit(e->field, ".", 8) : NULL;
        for (char **p = parts; p && *p; p++)
            json_array_append_new(loc, g_ascii_isdigit(**p) ? json_integer(g_ascii_strtoll(*p, NULL, 10))
                                                            : json_string(*p));
        g_strfreev(parts);
        json_array_append_new(detail, json_pack("{s:o,s:s,s:s}", "loc", loc, "msg", e->msg,
                                                "type", e->type));
    }
    respond_json(res, 422, json_pack("{s:o}", "detail", detail));
}

void respond_invalid(struct response *res, const char *loc0, const char *field, const char *type,
                     const char *msg)
{
    struct field_errors fe = {0};
    field_errors_add(&fe, loc0, field, type, msg);
    respond_validation(res, &fe);
}
