#include "api/server.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api/body.h"
#include "api/client_addr.h"
#include "api/cors.h"
#include "api/dispatch.h"
#include "api/drain.h"
#include "api/mhd_errors.h"
#include "api/ready.h"
#include "api/request_head.h"
#include "api/respond.h"
#include "api/router.h"
#include "api/streams.h"
#include "api/watchdog.h"
#include "api/workers.h"
#include "core/banned.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/notify.h"
#include "core/random.h"
#include "core/timeutil.h"

#define MAX_BODY (1024 * 1024)
/* A body refused before it is read is still read and dropped, up to these
 * bounds, so that a client which sends all of it before reading (Python's
 * urllib) gets the answer rather than a reset; past them the connection is
 * cut. */
#define DRAIN_MAX_BYTES (4 * 1024 * 1024)
#define DRAIN_MAX_US (5 * 1000000)

/* Requests between their first header and their last byte: shutdown waits for 0. */
static atomic_int in_flight;

/* One request, from its first header to its last byte sent. Owned by the
 * connection (libmicrohttpd's con_cls); freed in on_completed. */
struct req_ctx {
    struct MHD_Connection *conn;
    struct conn_watch *watch;
    int route;
    int path_route;  /* a 405: the first route of its path, for the metrics */
    bool ready;      /* res holds the answer */
    bool close;      /* answer with Connection: close */
    bool drain;      /* a refusal that waits for the end of the body it drops */
    size_t dropped;  /* body bytes read and dropped since the refusal */
    enum body_result upload; /* BODY_OK until the body broke a limit; then dropped */
    bool observed;   /* counted in the metrics */
    bool preflight;  /* a CORS preflight of a listed origin: answered 204 */
    bool stream;     /* an event stream: no longer counted as a request in flight */
    const char *cors_origin; /* the request's Origin when CORS_ORIGINS lists it */
    int64_t start_us;
    char *path_copy;
    char ip[CLIENT_ADDR_LEN]; /* "" until client_ip() */
    struct body body;
    struct request req;
    struct response res;
};

static const char *header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

const char *request_header(const struct request *req, const char *name)
{
    return req->transport ? header(req->transport, name) : NULL;
}

static void set_request_id(struct req_ctx *ctx)
{
    const char *given = header(ctx->conn, "X-Request-ID");
    size_t n = given ? strlen(given) : 0;
    bool ok = n > 0 && n < sizeof ctx->req.request_id;
    for (size_t i = 0; ok && i < n; i++)
        ok = g_ascii_isalnum(given[i]) || strchr("-_.:", given[i]);
    if (ok)
        g_strlcpy(ctx->req.request_id, given, sizeof ctx->req.request_id);
    else
        random_id(ctx->req.request_id);
}

struct framing {
    int content_length;
    int transfer_encoding;
    bool chunked_only;
};

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    struct framing *f = cls;
    (void)kind;
    if (g_ascii_strcasecmp(key, "Content-Length") == 0)
        f->content_length++;
    if (g_ascii_strcasecmp(key, "Transfer-Encoding") == 0) {
        f->transfer_encoding++;
        /* Exactly what libmicrohttpd takes for chunked: any other value it
         * ignores, and would read the body as one of unknown length. */
        f->chunked_only = f->transfer_encoding == 1 && value && g_ascii_strcasecmp(value, "chunked") == 0;
    }
    return MHD_YES;
}

/* The contract's strict framing: what libmicrohttpd would let through. */
static bool framing_ok(struct MHD_Connection *c)
{
    struct framing f = {0};
    MHD_get_connection_values(c, MHD_HEADER_KIND, count_framing, &f);
    if (f.content_length > 1 || (f.content_length && f.transfer_encoding))
        return false;
    return f.transfer_encoding == 0 || f.chunked_only;
}

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    struct request *req = cls;
    (void)kind;
    if (req->n_query < REQUEST_MAX_QUERY)
        req->query[req->n_query++] = (struct query_arg){key, value ? value : ""};
    return MHD_YES;
}

/* TRUSTED_PROXIES, parsed once before serving; read-only afterwards. */
static struct client_addr_set trusted_proxies;

static enum MHD_Result join_forwarded(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    GString *list = cls;
    (void)kind;
    if (g_ascii_strcasecmp(key, "X-Forwarded-For") == 0 && value) {
        if (list->len)
            g_string_append_c(list, ',');
        g_string_append(list, value);
    }
    return MHD_YES;
}

/* The client address (API.md "Conventions"), worked out once a request. */
static const char *client_ip(struct req_ctx *ctx)
{
    if (ctx->ip[0])
        return ctx->ip;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(ctx->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *peer = ci ? ci->client_addr : NULL;
    GString *forwarded = NULL;
    if (trusted_proxies.n) {
        forwarded = g_string_new(NULL);
        MHD_get_connection_values(ctx->conn, MHD_HEADER_KIND, join_forwarded, forwarded);
    }
    client_addr_resolve(&trusted_proxies, peer, forwarded && forwarded->len ? forwarded->str : NULL,
                        ctx->ip, sizeof ctx->ip);
    if (forwarded)
        g_string_free(forwarded, TRUE);
    return ctx->ip;
}

/* What handlers on a worker may read; the I/O-thread routes need none of it,
 * and /health at 60 000 requests/s notices every header lookup. */
static void fill_request(struct req_ctx *ctx)
{
    struct request *req = &ctx->req;
    req->client_ip = client_ip(ctx);
    req->content_type = header(ctx->conn, "Content-Type");
    req->authorization = header(ctx->conn, "Authorization");
    req->idempotency_key = header(ctx->conn, "Idempotency-Key");
    req->user_agent = header(ctx->conn, "User-Agent");
    MHD_get_connection_values(ctx->conn, MHD_GET_ARGUMENT_KIND, collect_query, req);
}

static void answer_now(struct req_ctx *ctx, enum app_err err, bool close)
{
    respond_error(&ctx->res, err);
    ctx->ready = true;
    ctx->close = close;
}

/* Counted when the answer is queued, so a client that has read it also sees
 * it in /metrics; one that left before any answer counts as 499 at the end. */
static void observe(struct req_ctx *ctx, int status)
{
    const char *method = ctx->req.method ? ctx->req.method : "?";
    ctx->observed = true;
    metrics_observe(ctx->route >= 0 ? ctx->route : ctx->path_route, method, status,
                    clock_mono_us() - ctx->start_us);
}

/* CORS_ORIGINS, parsed once before serving; read-only afterwards. */
static struct cors_origins cors;

/* Every answer to a listed origin, errors too; a preflight's also names
 * the path's methods (the router's Allow) and the headers it may send. */
static void add_cors_headers(struct req_ctx *ctx, struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "Access-Control-Allow-Origin", ctx->cors_origin);
    MHD_add_response_header(resp, "Vary", "Origin");
    MHD_add_response_header(resp, "Access-Control-Expose-Headers", CORS_EXPOSE_HEADERS);
    if (ctx->preflight) {
        MHD_add_response_header(resp, "Access-Control-Allow-Methods", ctx->res.allow);
        MHD_add_response_header(resp, "Access-Control-Allow-Headers", CORS_ALLOW_HEADERS);
        MHD_add_response_header(resp, "Access-Control-Max-Age", CORS_MAX_AGE);
    }
}

static enum MHD_Result queue(struct req_ctx *ctx);

/* An event stream (api/streams.h) instead of a body: not a request in
 * flight any more (the drain does not wait for it, the latency histogram
 * does not see it), and no request time-out: only a stall of its reader
 * closes it. */
static enum MHD_Result queue_stream(struct req_ctx *ctx)
{
    struct MHD_Response *resp = streams_response(ctx->conn, ctx->res.stream);
    ctx->res.stream = NULL;
    if (!resp) {
        answer_now(ctx, APP_ERR_UNAVAILABLE, true);
        return queue(ctx);
    }
    ctx->stream = true;
    ctx->observed = true;
    metrics_in_flight_add(-1);
    atomic_fetch_sub(&in_flight, 1);
    MHD_add_response_header(resp, "Content-Type", "text/event-stream");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Accel-Buffering", "no");
    MHD_add_response_header(resp, "X-Request-ID", ctx->req.request_id);
    if (ctx->cors_origin)
        add_cors_headers(ctx, resp);
    MHD_set_connection_option(ctx->conn, MHD_CONNECTION_OPTION_TIMEOUT, streams_stall_seconds());
    enum MHD_Result ret = mhd_errors_queue(ctx->conn, 200, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result queue(struct req_ctx *ctx)
{
    if (ctx->res.stream)
        return queue_stream(ctx);
    struct response *r = &ctx->res;
    observe(ctx, r->status);
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        r->body_len, r->body, r->body_static ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_FREE);
    if (!resp)
        return MHD_NO;
    r->body = NULL; /* libmicrohttpd owns it now */
    r->body_static = true;
    if (r->content_type && r->status != 204)
        MHD_add_response_header(resp, "Content-Type", r->content_type);
    MHD_add_response_header(resp, "X-Request-ID", ctx->req.request_id);
    if (r->location[0])
        MHD_add_response_header(resp, "Location", r->location);
    if (r->allow[0])
        MHD_add_response_header(resp, "Allow", r->allow);
    if (r->retry_after[0])
        MHD_add_response_header(resp, "Retry-After", r->retry_after);
    if (r->www_authenticate)
        MHD_add_response_header(resp, "WWW-Authenticate", "Bearer");
    if (r->cache_control)
        MHD_add_response_header(resp, "Cache-Control", r->cache_control);
    if (r->etag)
        MHD_add_response_header(resp, "ETag", r->etag);
    if (r->gzip)
        MHD_add_response_header(resp, "Content-Encoding", "gzip");
    if (r->vary_encoding)
        MHD_add_response_header(resp, "Vary", "Accept-Encoding");
    if (ctx->cors_origin)
        add_cors_headers(ctx, resp);
    if (ctx->close || drain_active())
        MHD_add_response_header(resp, "Connection", "close");
    enum MHD_Result ret = mhd_errors_queue(ctx->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Refused for lack of memory or of a worker: try again after retry_after s. */
static void answer_busy(struct req_ctx *ctx, int retry_after, bool close)
{
    answer_now(ctx, APP_ERR_BUSY, close);
    g_snprintf(ctx->res.retry_after, sizeof ctx->res.retry_after, "%d", retry_after);
}

static size_t body_limit(int route)
{
    return routes[route].max_body ? routes[route].max_body : MAX_BODY;
}

/* A CORS preflight of a known path (an unknown one stays a 404): 204 for a
 * listed origin, 403 for any other. */
static void answer_preflight(struct req_ctx *ctx)
{
    if (ctx->cors_origin) {
        respond_no_content(&ctx->res);
        ctx->preflight = true;
        ctx->ready = true;
    } else {
        ctx->res.allow[0] = '\0';
        answer_now(ctx, APP_ERR_CORS_ORIGIN, false);
    }
}

/* APPOINTD_MAX_HEADER_BYTES, set once before serving. */
static size_t max_header_bytes;

/* A malformed head, or framing that could be read two ways, ends the
 * connection: where its body ends is not known. */
static bool head_ok(struct req_ctx *ctx, const char *method, const char *url, const char *version)
{
    enum request_head_result r =
        request_head_check(ctx->conn, method, url, version, max_header_bytes);
    if (r == REQUEST_HEAD_OK && framing_ok(ctx->conn))
        return true;
    answer_now(ctx, r == REQUEST_HEAD_TOO_LARGE ? APP_ERR_HEADERS_TOO_LARGE : APP_ERR_BAD_REQUEST,
               true);
    return false;
}

/* A 413 for a body of known length closes the connection after the body
 * has been read and dropped (see DRAIN_MAX_BYTES), unless the client waits
 * for 100 Continue and so sends none of it. (A 503 for want of memory goes
 * out at once: its client is to retry soon, not to finish this upload.) */
static void refuse_too_large(struct req_ctx *ctx, unsigned long long cl)
{
    answer_now(ctx, APP_ERR_TOO_LARGE, true);
    ctx->drain = cl <= DRAIN_MAX_BYTES && !header(ctx->conn, "Expect");
}

/* Routes, and refuses what the contract refuses, before any body is read. */
static void screen(struct req_ctx *ctx, const char *method, const char *version)
{
    if (!head_ok(ctx, method, ctx->req.path, version))
        return;
    const char *cl_text = header(ctx->conn, "Content-Length");
    unsigned long long cl = cl_text ? strtoull(cl_text, NULL, 10) : 0;
    /* Matched first so that a 413 is counted under its route. */
    ctx->route = router_match(method, ctx->path_copy, ctx->req.path_params, ctx->res.allow,
                              sizeof ctx->res.allow);
    if (ctx->route < 0 && ctx->res.allow[0])
        ctx->path_route = router_path_route(ctx->req.path);
    if (cl > MAX_BODY) {
        refuse_too_large(ctx, cl);
        return;
    }
    if (ctx->route < 0 && ctx->res.allow[0] && strcmp(method, "OPTIONS") == 0 &&
        header(ctx->conn, "Access-Control-Request-Method"))
        answer_preflight(ctx);
    else if (ctx->route < 0)
        answer_now(ctx, ctx->res.allow[0] ? APP_ERR_METHOD_NOT_ALLOWED : APP_ERR_NOT_FOUND, false);
    else if (cl > body_limit(ctx->route))
        refuse_too_large(ctx, cl);
    else if (cl && !body_reserve(&ctx->body, (size_t)cl + 1))
        answer_busy(ctx, 1, true);
}

/* First call: headers are in. */
static struct req_ctx *start_request(struct MHD_Connection *c, const char *url, const char *method,
                                     const char *version)
{
    struct req_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    ctx->conn = c;
    ctx->start_us = clock_mono_us();
    ctx->route = -1;
    ctx->path_route = -1;
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    ctx->watch = ci ? ci->socket_context : NULL;
    watchdog_request_started(ctx->watch);
    metrics_in_flight_add(1);
    atomic_fetch_add(&in_flight, 1);
    set_request_id(ctx);
    ctx->req.method = method;
    ctx->req.transport = c;
    ctx->path_copy = strdup(url);
    ctx->req.path = url;
    if (cors.n && cors_allowed(&cors, header(c, "Origin")))
        ctx->cors_origin = header(c, "Origin");
    if (ctx->path_copy)
        screen(ctx, method, version);
    else
        answer_now(ctx, APP_ERR_INTERNAL, true);
    return ctx;
}

/* A body past its limit or the memory budget is dropped at once (its
 * memory goes back) and the rest of the upload read and dropped too, as is
 * the body of a request already answered; false when what is dropped has
 * passed the drain bounds and the connection is to be cut. */
static bool take_upload(struct req_ctx *ctx, const char *data, size_t size)
{
    if (!ctx->ready && ctx->upload == BODY_OK) {
        ctx->upload = body_append(&ctx->body, data, size, body_limit(ctx->route));
        if (ctx->upload != BODY_OK)
            body_release(&ctx->body);
        return true;
    }
    ctx->dropped += size;
    return ctx->dropped <= DRAIN_MAX_BYTES && clock_mono_us() - ctx->start_us <= DRAIN_MAX_US;
}

static void worker_done(void *arg)
{
    struct req_ctx *ctx = arg;
    ctx->ready = true;
    MHD_resume_connection(ctx->conn);
    /* ctx may be gone already: the I/O thread can finish the request first. */
    drain_leave();
}

/* Suspends the connection and queues the route on a worker; done() resumes
 * it, and libmicrohttpd calls on_request again to queue the answer. False,
 * with the answer in ctx, when the connection could not be suspended: the
 * caller queues it now. */
static bool hand_over(struct req_ctx *ctx)
{
    int retry_after = 0;
    fill_request(ctx);
    if (!drain_enter()) {
        answer_now(ctx, APP_ERR_UNAVAILABLE, true);
        return false;
    }
    MHD_suspend_connection(ctx->conn);
    const struct route *route = &routes[ctx->route];
    enum workers_result r =
        route->run != RUN_READY ? workers_submit(route, &ctx->req, &ctx->res, worker_done, ctx,
                                                 &retry_after)
        : ready_submit(route, &ctx->res, worker_done, ctx) ? WORKERS_QUEUED
                                                           : WORKERS_STOPPING;
    if (r != WORKERS_QUEUED) {
        if (r == WORKERS_FULL)
            answer_busy(ctx, retry_after, false);
        else
            answer_now(ctx, APP_ERR_UNAVAILABLE, false);
        MHD_resume_connection(ctx->conn);
        drain_leave();
    }
    return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    struct req_ctx *ctx = *con_cls;
    (void)cls;
    if (!ctx) {
        ctx = start_request(c, url, method, version);
        *con_cls = ctx;
        if (!ctx)
            return MHD_NO;
        /* Refusals that end the connection go out now, before any body is
         * read, unless they wait for the end of the body they drop. */
        return ctx->ready && ctx->close && !ctx->drain ? queue(ctx) : MHD_YES;
    }
    if (*upload_size) {
        bool keep = take_upload(ctx, upload, *upload_size);
        *upload_size = 0;
        return keep ? MHD_YES : MHD_NO;
    }
    watchdog_request_received(ctx->watch);
    if (ctx->ready)
        return queue(ctx);
    if (ctx->upload == BODY_TOO_LARGE)
        answer_now(ctx, APP_ERR_TOO_LARGE, true);
    if (ctx->upload == BODY_NO_MEMORY)
        answer_busy(ctx, 1, true);
    if (ctx->ready)
        return queue(ctx);
    ctx->req.body = ctx->body.data;
    ctx->req.body_len = ctx->body.len;
    if (routes[ctx->route].run == RUN_IO) {
        dispatch_run(&routes[ctx->route], &ctx->req, &ctx->res, NULL);
        ctx->ready = true;
        return queue(ctx);
    }
    return hand_over(ctx) ? MHD_YES : queue(ctx);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct req_ctx *ctx = *con_cls;
    (void)cls;
    (void)c;
    if (!ctx)
        return;
    int64_t us = clock_mono_us() - ctx->start_us;
    int status = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? ctx->res.status : 499;
    const char *method = ctx->req.method ? ctx->req.method : "?";
    int labelled = ctx->route >= 0 ? ctx->route : ctx->path_route;
    const char *route = labelled >= 0 ? routes[labelled].path : "unmatched";
    if (!ctx->observed)
        observe(ctx, 499);
    if (!ctx->stream) {
        metrics_in_flight_add(-1);
        atomic_fetch_sub(&in_flight, 1);
    }
    if (log_enabled(LOG_INFO))
        log_access(&(struct log_access){method, route, status, us, ctx->req.request_id,
                                        client_ip(ctx), ctx->req.user.id, ctx->req.path});
    watchdog_request_done(ctx->watch);
    response_release(&ctx->res);
    body_release(&ctx->body);
    free(ctx->path_copy);
    free(ctx);
    *con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = watchdog_add(ci ? ci->connect_fd : -1);
    } else {
        watchdog_remove(*socket_context);
        *socket_context = NULL;
    }
}

/* libmicrohttpd's own messages, in the log's format, with time and level. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[1024];
    (void)cls;
    g_vsnprintf(msg, sizeof msg, fmt, ap);
    g_strchomp(msg);
    /* How an event stream ends when its client leaves: every stream ends so
     * sooner or later, and a warning for each would bury the real ones. */
    if (g_str_has_prefix(msg, "Failed to send the chunked response body") &&
        strstr(msg, "`/api/v1/events'") && strstr(msg, "no longer available")) {
        log_debug("libmicrohttpd: %s", msg);
        return;
    }
    log_warn("libmicrohttpd: %s", msg);
}

static int max_connections;

/* At APPOINTD_MAX_CONNECTIONS a new client is accepted and closed at once.
 * libmicrohttpd's own limit, set above ours, would stop accepting instead,
 * and clients would wait in the kernel's backlog until one left. */
static enum MHD_Result accept_policy(void *cls, const struct sockaddr *addr, socklen_t len)
{
    (void)cls;
    (void)addr;
    (void)len;
    return watchdog_count() < max_connections ? MHD_YES : MHD_NO;
}

static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

/* An IPv4 or IPv6 literal, or "localhost", and a port. */
static bool parse_addr(const char *host, int port, struct sockaddr_storage *addr,
                         socklen_t *len)
{
    memset(addr, 0, sizeof *addr);
    struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
    if (strcmp(host, "localhost") == 0)
        host = "127.0.0.1";
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        *len = sizeof *v4;
        return true;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        *len = sizeof *v6;
        return true;
    }
    return false;
}

static struct MHD_Daemon *start_daemon(const struct config *cfg)
{
    struct sockaddr_storage addr;
    socklen_t addr_len;
    if (!parse_addr(cfg->host, cfg->port, &addr, &addr_len))
        return NULL;
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG;
    if (addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    max_connections = cfg->max_connections;
    max_header_bytes = (size_t)cfg->max_header_bytes;
    /* The pool splits libmicrohttpd's limit among its threads: twice ours
     * plus one a thread keeps every thread below its share. */
    unsigned mhd_limit = 2u * (unsigned)cfg->max_connections + (unsigned)cfg->threads;
    return MHD_start_daemon(
        flags, (uint16_t)cfg->port, accept_policy, NULL, on_request, NULL,
        /* First, or libmicrohttpd logs the options before it on its own. */
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
        MHD_OPTION_CONNECTION_LIMIT, mhd_limit,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->per_ip_connections,
        /* Silence; the watchdog bounds the total time of each request. */
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->request_timeout + 1,
        /* The pool holds the request line and headers, plus room to read a body. */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->max_header_bytes + 8192,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
        MHD_OPTION_END);
}

void server_block_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static int wait_for_signal(void)
{
    sigset_t set;
    int sig = 0;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigwait(&set, &sig);
    return sig;
}

/* Waits until every request has ended and no worker holds a connection, or
 * until the deadline; true when the daemon may be stopped. */
static bool wait_drained(int timeout_s)
{
    int64_t deadline = clock_mono_us() + (int64_t)timeout_s * 1000000;
    bool closed = false;
    while (!closed && clock_mono_us() < deadline) {
        closed = atomic_load(&in_flight) == 0 && drain_close();
        if (!closed)
            usleep(10000);
    }
    if (closed)
        return true;
    log_warn("shutdown: %d requests still in flight after %d s", atomic_load(&in_flight), timeout_s);
    /* Requests no worker holds (slow uploads, slow readers) can be cut. */
    return drain_close();
}

/* Stops listening at once, behind libmicrohttpd's back: the listening
 * socket's number is made to name the read end of an empty pipe (dup2).
 * That closes the socket, so the kernel refuses new connections and resets
 * those in the backlog, and takes it out of every I/O thread's epoll set;
 * the number stays taken until MHD_stop_daemon closes it, so no new socket
 * reuses it while the I/O threads run. Not MHD_quiesce_daemon: in 0.9.75
 * it races its own I/O threads (a thread that sees the quiesce first takes
 * the socket out of its epoll set itself, quiesce's own removal then fails,
 * and libmicrohttpd aborts the process: "Failed to remove listen FD from
 * epoll set", seen in CI on a SIGTERM right after start). *pipe_out gets
 * the pipe's write end, held open so the read end never signals. */
static void stop_listening(struct MHD_Daemon *d, int *pipe_out)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_LISTEN_FD);
    int p[2];
    *pipe_out = -1;
    if (!info || info->listen_fd == MHD_INVALID_SOCKET || pipe2(p, O_CLOEXEC) != 0) {
        log_warn("shutdown: cannot stop listening before the drain");
        return;
    }
    if (dup2(p[0], info->listen_fd) < 0)
        log_warn("shutdown: cannot stop listening before the drain (dup2)");
    close(p[0]);
    *pipe_out = p[1];
}

/* SIGTERM: refuse new connections at once, answer what is in flight with
 * Connection: close, close idle connections, then stop the daemon, never
 * while a worker holds a connection. */
static void shut_down(struct MHD_Daemon *d, int timeout_s)
{
    int pipe_end;
    drain_begin();
    stop_listening(d, &pipe_end);
    watchdog_drain();
    /* Streams end now, cleanly; they are not requests to wait for. The
     * dispatcher ends them between two database calls, each bounded. */
    bool streams_done = streams_close_all(10000);
    if (!streams_done || !wait_drained(timeout_s)) {
        /* libmicrohttpd would abort on a suspended connection: leave without
         * stopping it. The database rolls back what the workers left open. */
        log_warn("shutdown: %d requests still held by workers; exiting without them", drain_held());
        _exit(0);
    }
    MHD_stop_daemon(d);
    if (pipe_end >= 0)
        close(pipe_end);
}

/* What the server reads from the configuration once, before serving. */
static bool configure(const struct config *cfg)
{
    char err[256];
    bool ok = client_addr_set_parse(cfg->trusted_proxies, &trusted_proxies, err, sizeof err) &&
              cors_parse(cfg->cors_origins, &cors, err, sizeof err);
    if (!ok)
        log_error("%s", err);
    body_budget_init((size_t)cfg->max_body_memory);
    return ok;
}

int server_run(const struct config *cfg)
{
    int ret = 1;
    struct MHD_Daemon *d = NULL;
    server_block_signals();
    if (!configure(cfg)) {
        ret = 2;
        goto out;
    }
    raise_fd_limit();
    if (!mhd_errors_init())
        goto out;
    if (!workers_start(cfg->workers, cfg->bcrypt_threads, cfg->bcrypt_queue, cfg->database_url))
        goto out;
    if (!ready_start(cfg->database_url, cfg->ready_timeout_ms))
        goto stop;
    if (!streams_start(cfg))
        goto stop;
    watchdog_start(cfg->request_timeout);
    d = start_daemon(cfg);
    if (!d) {
        log_error("cannot listen on %s:%d", cfg->host, cfg->port);
        goto stop;
    }
    notify_ready(cfg->host, cfg->port);
    log_info("appointd listening on http://%s:%d (%d I/O threads, %d database and %d bcrypt workers)",
             cfg->host, cfg->port, cfg->threads, cfg->workers, cfg->bcrypt_threads);
    int sig = wait_for_signal();
    log_info("signal %d: stopping", sig);
    shut_down(d, cfg->shutdown_timeout);
    ret = 0;
stop:
    watchdog_stop();
    streams_stop();
    ready_stop();
    workers_stop();
    if (!ret)
        log_info("stopped");
out:
    client_addr_set_release(&trusted_proxies);
    cors_release(&cors);
    return ret;
}
