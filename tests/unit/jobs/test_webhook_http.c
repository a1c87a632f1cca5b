/* Unit tests of src/jobs/webhook_http.c: preparing an attempt looks no name
 * up (libcurl's resolver thread does, so one receiver's slow DNS holds up no
 * other transfer); whatever a name answers when libcurl looks it up, a
 * private address gets no connection; a name that does not resolve says
 * so. The answers reach libcurl through CURLOPT_RESOLVE, as a rebinding
 * DNS server's would reach its resolver. */
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

/* Runs ws with rebind.test answering `answer` when libcurl looks it up. */
static CURLcode perform_with(struct webhook_send *ws, int port, const char *answer)
{
    char entry[64];
    g_snprintf(entry, sizeof entry, "rebind.test:%d:%s", port, answer);
    struct curl_slist *dns = curl_slist_append(NULL, entry);
    curl_easy_setopt(ws->easy, CURLOPT_RESOLVE, dns);
    CURLcode rc = curl_easy_perform(ws->easy);
    curl_slist_free_all(dns);
    return rc;
}

Test(webhook_http, prepares_without_looking_the_name_up)
{
    struct delivery_attempt a = attempt(9);
    struct webhook_send ws;
    char why[256] = "";
    /* rebind.test has no answer anywhere: a lookup here would refuse it. */
    cr_assert(webhook_http_prepare(&ws, &a, 1800000001, false, 2, why, sizeof why), "%s", why);
    cr_expect(ws.easy != NULL && ws.connects_checked == 0);
    webhook_http_release(&ws);
    g_strlcpy(a.url, "ftp://rebind.test/hook", sizeof a.url);
    cr_expect(!webhook_http_prepare(&ws, &a, 1800000001, false, 2, why, sizeof why));
    cr_expect_str_eq(why, "the URL is not an http or https URL");
    webhook_http_release(&ws);
}

Test(webhook_http, a_private_answer_at_connect_gets_no_connection)
{
    int port, fd = listener(&port);
    struct delivery_attempt a = attempt(port);
    struct webhook_send ws;
    char why[256] = "";
    cr_assert(webhook_http_prepare(&ws, &a, 1800000001, false, 2, why, sizeof why), "%s", why);
    /* The name answers 127.0.0.1 when libcurl looks it up. */
    CURLcode rc = perform_with(&ws, port, "127.0.0.1");
    int code = webhook_http_result(&ws, rc, why, sizeof why);
    cr_expect(rc != CURLE_OK && code == 0);
    cr_expect(ws.refused_at_connect && ws.connects_checked >= 1);
    cr_expect_str_eq(ws.connected, "127.0.0.1");
    cr_expect_str_eq(why, "the host resolves to a non-public address");
    cr_expect(accept(fd, NULL, NULL) < 0, "the private listener got a connection");
    webhook_http_release(&ws);
    close(fd);
}

Test(webhook_http, allowed_private_addresses_are_connected_to)
{
    int port, fd = listener(&port);
    struct delivery_attempt a = attempt(port);
    struct webhook_send ws;
    char why[256] = "";
    cr_assert(webhook_http_prepare(&ws, &a, 1800000001, true, 1, why, sizeof why), "%s", why);
    CURLcode rc = perform_with(&ws, port, "127.0.0.1");
    webhook_http_result(&ws, rc, why, sizeof why);
    /* Nobody answers on the listener: the transfer times out, after the
     * connection was made. */
    cr_expect(!ws.refused_at_connect && ws.connects_checked >= 1);
    cr_expect(rc == CURLE_OPERATION_TIMEDOUT, "%s", why);
    int got = accept(fd, NULL, NULL);
    cr_expect(got >= 0, "the listener got no connection");
    if (got >= 0)
        close(got);
    webhook_http_release(&ws);
    close(fd);
}

Test(webhook_http, a_name_that_does_not_resolve_says_so)
{
    struct delivery_attempt a = attempt(9);
    struct webhook_send ws;
    char why[256] = "";
    g_strlcpy(a.url, "http://appointd-not-yet.invalid:9/hook", sizeof a.url);
    cr_assert(webhook_http_prepare(&ws, &a, 1800000001, false, 2, why, sizeof why), "%s", why);
    CURLcode rc = curl_easy_perform(ws.easy);
    cr_expect(webhook_http_result(&ws, rc, why, sizeof why) == 0);
    cr_expect(rc == CURLE_COULDNT_RESOLVE_HOST, "%s", curl_easy_strerror(rc));
    cr_expect_str_eq(why, "the host does not resolve");
    cr_expect(ws.connects_checked == 0);
    webhook_http_release(&ws);
}

Test(webhook_http, signs_with_both_secrets_while_a_rotation_lasts)
{
    struct delivery_attempt a = attempt(80);
    struct webhook_send ws;
    char why[256] = "";
    g_strlcpy(a.old_secret, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", sizeof a.old_secret);
    g_strlcpy(a.secret, "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", sizeof a.secret);
    cr_assert(webhook_http_prepare(&ws, &a, 1800000001, true, 2, why, sizeof why));
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
