/* Unit tests of src/jobs/webhook_http.c: a host whose DNS answer changes
 * between the check and the connect (public first, then 127.0.0.1) never
 * gets a connection to the private address. The resolver is the test's;
 * the "changed answer" reaches libcurl through CURLOPT_RESOLVE, as a
 * rebinding DNS server's would reach its resolver. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <fcntl.h>
#include <glib.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "jobs/webhook_http.h"

struct fake_dns {
    const char *answers[4];
    int calls;
};

/* Each call gives the next answer of dns. */
static struct fake_dns *dns;
static int resolve_via_dns(void *arg, const char *host, const char *port,
                           const struct addrinfo *hints, struct addrinfo **res)
{
    (void)arg;
    (void)host;
    const char *a = dns->answers[dns->calls++];
    struct addrinfo h = *hints;
    h.ai_flags |= AI_NUMERICHOST;
    return a ? getaddrinfo(a, port, &h, res) : EAI_NONAME;
}

/* A listener on 127.0.0.1 that counts who connected (non-blocking accept). */
static int listener(int *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(fd >= 0);
    cr_assert(bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(fd, 8) == 0);
    getsockname(fd, (struct sockaddr *)&a, &len);
    *port = ntohs(a.sin_port);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

static struct delivery_attempt attempt(int port)
{
    struct delivery_attempt a;
    memset(&a, 0, sizeof a);
    a.d.event_id = 7;
    g_strlcpy(a.d.type, "booking.created", sizeof a.d.type);
    g_snprintf(a.url, sizeof a.url, "http://rebind.test:%d/hook", port);
    g_strlcpy(a.secret, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", sizeof a.secret);
    a.has_event = true;
    a.event_created_at = 1800000000;
    a.event_data = (char *)"{\"id\":1}";
    return a;
}

Test(webhook_http, pins_the_checked_answer_and_resolves_once)
{
    int port, fd = listener(&port);
    struct fake_dns d = {{"93.184.216.34", "127.0.0.1"}, 0};
    struct delivery_attempt a = attempt(port);
    struct webhook_send ws;
    char why[256] = "", want[64];
    dns = &d;
    cr_assert(webhook_http_prepare(&ws, &a, 1800000001, false, 2, resolve_via_dns, freeaddrinfo,
                                   why, sizeof why), "%s", why);
    cr_expect(d.calls == 1, "the host was resolved %d times", d.calls);
    g_snprintf(want, sizeof want, "rebind.test:%d:93.184.216.34", port);
    cr_assert(ws.pins != NULL);
    cr_expect_str_eq(ws.pins->data, want);
    webhook_http_release(&ws);
    close(fd);
}

Test(webhook_http, a_private_answer_at_connect_gets_no_connection)
{
    int port, fd = listener(&port);
    struct fake_dns d = {{"93.184.216.34", "127.0.0.1"}, 0};
    struct delivery_attempt a = attempt(port);
    struct webhook_send ws;
    char why[256] = "", entry[64];
    dns = &d;
    cr_assert(webhook_http_prepare(&ws, &a, 1800000001, false, 2, resolve_via_dns, freeaddrinfo,
                                   why, sizeof why), "%s", why);
    /* The name now answers 127.0.0.1 when libcurl looks it up. */
    g_snprintf(entry, sizeof entry, "rebind.test:%d:127.0.0.1", port);
    struct curl_slist *changed = curl_slist_append(NULL, entry);
    curl_easy_setopt(ws.easy, CURLOPT_RESOLVE, changed);
    CURLcode rc = curl_easy_perform(ws.easy);
    int code = webhook_http_result(&ws, rc, why, sizeof why);
    cr_expect(rc != CURLE_OK && code == 0);
    cr_expect(ws.refused_at_connect && ws.connects_checked >= 1);
    cr_expect_str_eq(ws.connected, "127.0.0.1");
    cr_expect_str_eq(why, "the host resolves to a non-public address");
    cr_expect(accept(fd, NULL, NULL) < 0, "the private listener got a connection");
    webhook_http_release(&ws);
    curl_slist_free_all(changed);
    close(fd);
}

Test(webhook_http, signs_with_both_secrets_while_a_rotation_lasts)
{
    struct fake_dns d = {{"93.184.216.34"}, 0};
    struct delivery_attempt a = attempt(80);
    struct webhook_send ws;
    char why[256] = "";
    dns = &d;
    g_strlcpy(a.old_secret, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", sizeof a.old_secret);
    g_strlcpy(a.secret, "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", sizeof a.secret);
    cr_assert(webhook_http_prepare(&ws, &a, 1800000001, true, 2, resolve_via_dns, freeaddrinfo,
                                   why, sizeof why));
    cr_expect(d.calls == 0, "WEBHOOK_ALLOW_PRIVATE resolves nothing itself");
    const char *sig = NULL;
    for (struct curl_slist *h = ws.headers; h; h = h->next)
        if (strncmp(h->data, "webhook-signature: ", 19) == 0)
            sig = h->data + 19;
    cr_assert(sig != NULL);
    gchar **parts = g_strsplit(sig, " ", -1);
    cr_expect(g_strv_length(parts) == 2 && strncmp(parts[0], "v1,", 3) == 0 &&
              strncmp(parts[1], "v1,", 3) == 0 && strcmp(parts[0], parts[1]) != 0);
    g_strfreev(parts);
    webhook_http_release(&ws);
}
