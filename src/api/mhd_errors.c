#include "api/mhd_errors.h"

#include <dlfcn.h>
#include <glib.h>
#include <string.h>
#include <sys/socket.h>

#include "api/respond.h"
#include "core/banned.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/random.h"

typedef enum MHD_Result (*queue_fn)(struct MHD_Connection *, unsigned, struct MHD_Response *);

/* libmicrohttpd's MHD_queue_response, found once before serving. */
static queue_fn real_queue;

bool mhd_errors_init(void)
{
    void *sym = dlsym(RTLD_NEXT, "MHD_queue_response");
    if (!sym) {
        log_error("libmicrohttpd's MHD_queue_response not found: %s", dlerror());
        return false;
    }
    /* POSIX's way from a data pointer to a function pointer. */
    memcpy(&real_queue, &sym, sizeof real_queue);
    return true;
}

enum MHD_Result mhd_errors_queue(struct MHD_Connection *c, unsigned status,
                                 struct MHD_Response *resp)
{
    return real_queue(c, status, resp);
}

static enum app_err error_of(unsigned status)
{
    switch (status) {
    case MHD_HTTP_BAD_REQUEST:
        return APP_ERR_BAD_REQUEST;
    case MHD_HTTP_CONTENT_TOO_LARGE:
        return APP_ERR_TOO_LARGE;
    case MHD_HTTP_URI_TOO_LONG:
        return APP_ERR_URI_TOO_LONG;
    case MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE:
        return APP_ERR_HEADERS_TOO_LARGE;
    case MHD_HTTP_HTTP_VERSION_NOT_SUPPORTED:
        return APP_ERR_HTTP_VERSION;
    default:
        return APP_ERR_INTERNAL;
    }
}

/* The whole answer in one send: a few hundred bytes into the socket buffer
 * of a connection that has sent nothing yet. Not blocking the I/O thread
 * matters more than the rare short write, which the client sees cut. */
static void send_error(struct MHD_Connection *c, enum app_err err)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    struct response res = {0};
    char id[40];
    char head[512];
    respond_error(&res, err);
    random_id(id);
    int n = g_snprintf(head, sizeof head,
                       "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nX-Request-ID: %s\r\n"
                       "Connection: close\r\nContent-Length: %zu\r\n\r\n%.*s",
                       res.status, MHD_get_reason_phrase_for((unsigned)res.status), id,
                       res.body_len, (int)res.body_len, res.body ? res.body : "");
    if (ci && n > 0 && (size_t)n < sizeof head)
        (void)!send(ci->connect_fd, head, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
    metrics_observe(-1, "?", res.status, 0);
    log_info("? unmatched %d (refused by libmicrohttpd) %s", res.status, id);
    response_release(&res);
}

/* Only libmicrohttpd calls this by name (see mhd_errors.h): its own error. */
enum MHD_Result MHD_queue_response(struct MHD_Connection *c, unsigned int status,
                                   struct MHD_Response *resp)
{
    (void)resp;
    send_error(c, error_of(status));
    return MHD_NO;
}
