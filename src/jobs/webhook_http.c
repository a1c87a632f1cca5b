#include "jobs/webhook_http.h"

#include <arpa/inet.h>
#include <glib.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/banned.h"
#include "core/signature.h"
#include "core/ssrf.h"
#include "core/version.h"
#include "schemas/text.h"

static size_t discard(char *data, size_t size, size_t n, void *arg)
{
    (void)data;
    (void)arg;
    return size * n;
}

/* Called for every socket the transfer opens: the last word on where it
 * connects, whatever resolved the name. */
static curl_socket_t open_checked(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
    struct webhook_send *ws = arg;
    (void)purpose;
    ws->connects_checked++;
    const void *in = addr->family == AF_INET6
                         ? (const void *)&((struct sockaddr_in6 *)&addr->addr)->sin6_addr
                         : (const void *)&((struct sockaddr_in *)&addr->addr)->sin_addr;
    if (!inet_ntop(addr->family, in, ws->connected, sizeof ws->connected))
        ws->connected[0] = '\0';
    if (!ws->allow_private && !ssrf_addr_public(&addr->addr, addr->addrlen)) {
        ws->refused_at_connect = true;
        return CURL_SOCKET_BAD;
    }
    return socket(addr->family, addr->socktype, addr->protocol);
}

/* webhook-signature: the new secret's first, then the old one's while a
 * rotation lasts. */
static bool sign(const struct delivery_attempt *a, const char *id, int64_t now, const char *body,
                 char *out, size_t outlen)
{
    char sig[SIGNATURE_LEN], old[SIGNATURE_LEN];
    size_t n = strlen(body);
    if (!signature_sign(a->secret, id, now, body, n, sig))
        return false;
    if (a->old_secret[0] && signature_sign(a->old_secret, id, now, body, n, old))
        g_snprintf(out, outlen, "webhook-signature: %s %s", sig, old);
    else
        g_snprintf(out, outlen, "webhook-signature: %s", sig);
    return true;
}

static bool add_headers(struct webhook_send *ws, const struct delivery_attempt *a, int64_t now)
{
    char id[32], line[64], sig[32 + 2 * SIGNATURE_LEN];
    g_snprintf(id, sizeof id, "%" G_GINT64_FORMAT, a->d.event_id);
    if (!sign(a, id, now, ws->body, sig, sizeof sig))
        return false;
    const char *fixed[] = {"Content-Type: application/json", "Expect:", sig};
    for (size_t i = 0; i < G_N_ELEMENTS(fixed); i++)
        ws->headers = curl_slist_append(ws->headers, fixed[i]);
    g_snprintf(line, sizeof line, "webhook-id: %s", id);
    ws->headers = curl_slist_append(ws->headers, line);
    g_snprintf(line, sizeof line, "webhook-timestamp: %" G_GINT64_FORMAT, now);
    ws->headers = curl_slist_append(ws->headers, line);
    return ws->headers != NULL;
}

static void set_options(struct webhook_send *ws, const char *url, int timeout_s)
{
    char agent[64];
    g_snprintf(agent, sizeof agent, "appointd-webhooks/%s", version_number);
    curl_easy_setopt(ws->easy, CURLOPT_URL, url);
    curl_easy_setopt(ws->easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(ws->easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(ws->easy, CURLOPT_PROXY, "");
    curl_easy_setopt(ws->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(ws->easy, CURLOPT_TIMEOUT, (long)timeout_s);
    curl_easy_setopt(ws->easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(ws->easy, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(ws->easy, CURLOPT_USERAGENT, agent);
    curl_easy_setopt(ws->easy, CURLOPT_POSTFIELDS, ws->body);
    curl_easy_setopt(ws->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(ws->body));
    curl_easy_setopt(ws->easy, CURLOPT_HTTPHEADER, ws->headers);
    curl_easy_setopt(ws->easy, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(ws->easy, CURLOPT_OPENSOCKETFUNCTION, open_checked);
    curl_easy_setopt(ws->easy, CURLOPT_OPENSOCKETDATA, ws);
    curl_easy_setopt(ws->easy, CURLOPT_ERRORBUFFER, ws->error);
    curl_easy_setopt(ws->easy, CURLOPT_PRIVATE, ws);
}

bool webhook_http_prepare(struct webhook_send *ws, const struct delivery_attempt *a, int64_t now,
                          bool allow_private, int timeout_s, char *why, size_t whylen)
{
    struct ssrf_url u;
    memset(ws, 0, sizeof *ws);
    ws->allow_private = allow_private;
    if (!a->has_event) {
        g_strlcpy(why, "the event is no longer kept", whylen);
        return false;
    }
    if (!ssrf_url_parse(a->url, &u)) {
        g_strlcpy(why, "the URL is not an http or https URL", whylen);
        return false;
    }
    ws->body = schema_webhook_payload_text(a->d.event_id, a->d.type, a->event_created_at,
                                           a->event_data);
    ws->easy = ws->body ? curl_easy_init() : NULL;
    if (!ws->easy || !add_headers(ws, a, now)) {
        g_strlcpy(why, "internal error preparing the request", whylen);
        return false;
    }
    set_options(ws, a->url, timeout_s);
    return true;
}

int webhook_http_result(struct webhook_send *ws, CURLcode rc, char *why, size_t whylen)
{
    long code = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo(ws->easy, CURLINFO_RESPONSE_CODE, &code);
    /* A refused address with another that answered is a delivery. */
    if (rc != CURLE_OK && ws->refused_at_connect)
        g_strlcpy(why, "the host resolves to a non-public address", whylen);
    else if (rc == CURLE_COULDNT_RESOLVE_HOST)
        g_strlcpy(why, "the host does not resolve", whylen);
    else if (rc != CURLE_OK)
        g_snprintf(why, whylen, "%s", ws->error[0] ? ws->error : curl_easy_strerror(rc));
    else if (code >= 300 && code <= 399)
        g_snprintf(why, whylen, "HTTP %ld: redirects are not followed", code);
    else
        why[0] = '\0';
    return (int)code;
}

void webhook_http_release(struct webhook_send *ws)
{
    if (ws->easy)
        curl_easy_cleanup(ws->easy);
    curl_slist_free_all(ws->headers);
    free(ws->body);
    memset(ws, 0, sizeof *ws);
}
