/* Fuzzes TRUSTED_PROXIES and X-Forwarded-For (src/api/client_addr.h):
 * client_addr_set_parse on the first line, then client_addr_resolve with
 * the second line as the TCP peer (an IPv4 or IPv6 literal; anything else
 * is taken as 127.0.0.2) and the rest as the joined X-Forwarded-For values.
 * Invariants: a refused spec leaves an empty set and a message; the client
 * is a normalised address (it parses back and prints the same); an
 * untrusted peer is its own client; otherwise the client is the peer or one
 * of the forwarded entries. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "api/client_addr.h"

#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void make_peer(const char *text, struct sockaddr_storage *ss, char *shown)
{
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    memset(ss, 0, sizeof *ss);
    if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
    } else {
        if (inet_pton(AF_INET, text, &v4->sin_addr) != 1)
            inet_pton(AF_INET, "127.0.0.2", &v4->sin_addr);
        v4->sin_family = AF_INET;
    }
    /* The peer as resolve prints it when it is the client. */
    struct client_addr_set none = {0};
    client_addr_resolve(&none, (struct sockaddr *)ss, NULL, shown, CLIENT_ADDR_LEN);
}

/* Is out one of the entries of forwarded, normalised? */
static bool among_entries(const char *forwarded, const char *out)
{
    char **entries = g_strsplit(forwarded, ",", -1);
    bool found = false;
    for (char **e = entries; *e && !found; e++) {
        char alone[CLIENT_ADDR_LEN];
        struct sockaddr_in6 trusted_peer = {.sin6_family = AF_INET6};
        /* The entry read on its own, as the first hop after a trusted peer. */
        inet_pton(AF_INET6, "::ffff:127.0.0.2", &trusted_peer.sin6_addr);
        struct client_addr_set just = {0};
        char err[128];
        if (!client_addr_set_parse("127.0.0.2", &just, err, sizeof err))
            abort();
        client_addr_resolve(&just, (struct sockaddr *)&trusted_peer, *e, alone, sizeof alone);
        client_addr_set_release(&just);
        found = strcmp(alone, out) == 0;
    }
    g_strfreev(entries);
    return found;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = g_strndup((const char *)data, size);
    char **lines = g_strsplit(text, "\n", 3);
    const char *spec = lines[0] ? lines[0] : "";
    const char *peer_text = lines[0] && lines[1] ? lines[1] : "";
    const char *forwarded = lines[0] && lines[1] ? lines[2] : NULL;
    struct client_addr_set set = {.n = 7};
    char err[256] = "", out[CLIENT_ADDR_LEN], peer[CLIENT_ADDR_LEN];
    struct sockaddr_storage ss;

    if (!client_addr_set_parse(spec, &set, err, sizeof err) && (set.n || set.nets || !err[0]))
        abort();
    make_peer(peer_text, &ss, peer);
    client_addr_resolve(&set, (struct sockaddr *)&ss, forwarded, out, sizeof out);

    unsigned char bin[16];
    char again[CLIENT_ADDR_LEN];
    int family = strchr(out, ':') ? AF_INET6 : AF_INET;
    if (inet_pton(family, out, bin) != 1 || !inet_ntop(family, bin, again, sizeof again) ||
        strcmp(again, out) != 0)
        abort();
    if (!client_addr_set_has(&set, peer) && strcmp(out, peer) != 0)
        abort();
    if (strcmp(out, peer) != 0 && !(forwarded && among_entries(forwarded, out)))
        abort();
    client_addr_set_release(&set);
    g_strfreev(lines);
    g_free(text);
    return 0;
}
