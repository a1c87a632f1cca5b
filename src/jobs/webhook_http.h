/* One webhook attempt as a libcurl easy handle: the Standard Webhooks body,
 * headers and signatures, and the address rule of core/ssrf.h applied
 * twice: the host is resolved once and every address checked, the transfer
 * is pinned to those addresses (CURLOPT_RESOLVE), and the socket callback
 * checks the address actually opened, so a DNS answer that changes between
 * the check and the connect cannot reach a private address. No redirect is
 * followed, no proxy from the environment is used, https is verified
 * against the system's CA store. The caller (jobs/webhooks.c, the
 * deliverer's thread) owns each send from prepare to release. */
#ifndef JOBS_WEBHOOK_HTTP_H
#define JOBS_WEBHOOK_HTTP_H
#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/ssrf.h"
#include "models/webhook.h"

struct webhook_send {
    CURL *easy;
    struct curl_slist *headers;
    struct curl_slist *pins; /* CURLOPT_RESOLVE: the addresses checked */
    char *body;
    bool allow_private;
    bool refused_at_connect; /* the socket callback found a non-public address */
    int connects_checked;    /* sockets the callback was asked to open */
    char connected[64];      /* the last address it was asked to open */
    char error[CURL_ERROR_SIZE];
};

/* Sets up ws for attempt a at timestamp now (Unix seconds) with a timeout
 * of timeout_s. The host is resolved through resolve (and its answer freed
 * with free_res) unless allow_private. False when there is nothing to send:
 * why then says so (a non-public address, a host that does not resolve,
 * the event no longer kept). Release ws either way. */
bool webhook_http_prepare(struct webhook_send *ws, const struct delivery_attempt *a, int64_t now,
                          bool allow_private, int timeout_s, ssrf_resolver_fn resolve,
                          void (*free_res)(struct addrinfo *), char *why, size_t whylen);
/* After the transfer: the HTTP status (0: none) and, without a 2xx, why. */
int webhook_http_result(struct webhook_send *ws, CURLcode rc, char *why, size_t whylen);
void webhook_http_release(struct webhook_send *ws);
#endif
