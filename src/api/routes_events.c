/* /api/v1/events: the event stream (Server-Sent Events) and its tickets.
 * The handler only decides who the stream is for and where it resumes;
 * api/streams.c runs it. */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/respond.h"
#include "api/streams.h"
#include "core/banned.h"
#include "core/timeutil.h"
#include "schemas/events.h"
#include "services/auth.h"
#include "services/events.h"

void events_ticket_post(struct request *req, struct response *res)
{
    char ticket[EVENTS_TICKET_LEN + 1];
    enum app_err err =
        events_ticket_issue(req->store, req->user.id, req->claims.sid, clock_now(), ticket);
    if (err)
        respond_error(res, err);
    else
        respond_json(res, 201, schema_event_ticket_json(ticket, EVENTS_TICKET_SECONDS));
}

/* The Bearer header, or else a ticket. A token in the URL (access_token,
 * token) is no credential: URLs end up in logs. */
static enum app_err stream_viewer(struct request *req, struct event_viewer *v)
{
    const char *ticket = request_query(req, "ticket");
    enum app_err err;
    if ((req->authorization && *req->authorization) || !ticket) {
        err = auth_authenticate(req->store, req->authorization, &req->user, &req->claims);
        if (!err) {
            v->user_id = req->user.id;
            v->role = req->user.role;
            g_strlcpy(v->sid, req->claims.sid, sizeof v->sid);
        }
        return err;
    }
    err = events_ticket_redeem(req->store, ticket, clock_now(), v);
    if (!err)
        req->user.id = v->user_id; /* for the access log */
    return err;
}

/* Last-Event-ID (the header EventSource sends on reconnecting, else the
 * query): a whole number ≥ 0. */
static bool stream_resume(struct request *req, struct response *res, struct stream_open *o)
{
    const char *header = request_header(req, "Last-Event-ID");
    const char *text = header ? header : request_query(req, "last_event_id");
    char *end = NULL;
    if (!text)
        return true;
    gint64 id = g_ascii_strtoll(text, &end, 10);
    if (!*text || *end || id < 0 || !g_ascii_isdigit(text[0])) {
        respond_invalid(res, header ? "header" : "query", header ? "Last-Event-ID" : "last_event_id",
                        "int_parsing", "Input should be a whole number, 0 or more");
        return false;
    }
    o->resume = true;
    o->last_id = id;
    return true;
}

void events_stream_get(struct request *req, struct response *res)
{
    struct stream_open *o = calloc(1, sizeof *o);
    enum app_err err = o ? stream_viewer(req, &o->viewer) : APP_ERR_INTERNAL;
    if (err) {
        respond_error(res, err);
        free(o);
        return;
    }
    if (!stream_resume(req, res, o)) {
        free(o);
        return;
    }
    res->status = 200;
    res->stream = o;
}
