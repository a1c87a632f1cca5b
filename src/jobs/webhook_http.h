/* One webhook attempt as a libcurl easy handle: the Standard Webhooks body,
 * headers and signatures, and the address rule of core/ssrf.h applied where
 * it cannot be dodged: the socket callback checks every address libcurl is
 * about to connect to, whatever resolved the name and whenever, so a DNS
 * answer that changes between a check and the connect cannot reach a
 * private address. The name is resolved by libcurl's own resolver thread,
 * never on the caller's: one receiver's slow DNS holds up no other
 * transfer. No redirect is followed, no proxy from the environment is used,
 * https is verified against the system's CA store. The caller
 * (jobs/webhooks.c, the deliverer's thread) owns each send from prepare to
 * release. */
#ifndef JOBS_WEBHOOK_HTTP_H
#define JOBS_WEBHOOK_HTTP_H
#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>

#include "models/webhook.h"

struct webhook_send {
    CURL *easy;
    struct curl_slist *headers;
    char *body;
    bool allow_private;
    bool refused_at_connect; /* the socket callback found a non-public address */
    int connects_checked;    /* sockets the callback was asked to open */
    char connected[64];      /* the last address it was asked to open */
    char error[CURL_ERROR_SIZE];
};

/* Sets up ws for attempt a at timestamp now (Unix seconds) with a timeout
 * of timeout_s; looks nothing up. False when there is nothing to send: why
 * then says so (not an http(s) URL, the event no longer kept). Release ws
 * either way. */
bool webhook_http_prepare(struct webhook_send *ws, const struct delivery_attempt *a, int64_t now,
                          bool allow_private, int timeout_s, char *why, size_t whylen);
/* After the transfer: the HTTP status (0: none) and, without a 2xx, why
 * (among them a host that does not resolve, or only to non-public
 * addresses). */
int webhook_http_result(struct webhook_send *ws, CURLcode rc, char *why, size_t whylen);
void webhook_http_release(struct webhook_send *ws);
#endif
