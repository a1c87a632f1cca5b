#include "core/ssrf.h"

#include <arpa/inet.h>
#include <glib.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static bool host_char(char c)
{
    return g_ascii_isalnum(c) || c == '.' || c == '-' || c == '_';
}

/* The authority after "scheme://": [v6]:port or name:port, nothing else. */
static bool parse_authority(const char *a, size_t n, struct ssrf_url *out)
{
    size_t h = 0, end;
    const char *port = NULL;
    if (n && a[0] == '[') {
        const char *close = memchr(a, ']', n);
        if (!close)
            return false;
        h = 1;
        end = (size_t)(close - a);
        if (end + 1 < n && a[end + 1] != ':')
            return false;
        port = end + 1 < n ? a + end + 2 : NULL;
    } else {
        const char *colon = memchr(a, ':', n);
        end = colon ? (size_t)(colon - a) : n;
        port = colon ? colon + 1 : NULL;
        for (size_t i = 0; i < end; i++)
            if (!host_char(a[i]))
                return false;
    }
    if (end <= h || end - h >= sizeof out->host)
        return false;
    memcpy(out->host, a + h, end - h);
    out->host[end - h] = '\0';
    if (h) {
        struct in6_addr v6;
        if (inet_pton(AF_INET6, out->host, &v6) != 1)
            return false;
    }
    if (port) {
        size_t plen = (size_t)(a + n - port);
        long v = 0;
        if (plen == 0 || plen > 5)
            return false;
        for (size_t i = 0; i < plen; i++) {
            if (!g_ascii_isdigit(port[i]))
                return false;
            v = v * 10 + (port[i] - '0');
        }
        if (v < 1 || v > 65535)
            return false;
        out->port = (int)v;
    }
    return true;
}

bool ssrf_url_parse(const char *url, struct ssrf_url *out)
{
    memset(out, 0, sizeof *out);
    const char *rest;
    if (g_ascii_strncasecmp(url, "https://", 8) == 0) {
        out->https = true;
        rest = url + 8;
    } else if (g_ascii_strncasecmp(url, "http://", 7) == 0) {
        rest = url + 7;
    } else {
        return false;
    }
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '\\')
            return false;
    size_t n = strcspn(rest, "/?#");
    out->port = out->https ? 443 : 80;
    return parse_authority(rest, n, out);
}

static bool v4_public(const unsigned char a[4])
{
    uint32_t x = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
    static const struct {
        uint32_t net;
        int bits;
    } refused[] = {
        {0x00000000, 8},  {0x0a000000, 8},  {0x64400000, 10}, {0x7f000000, 8},
        {0xa9fe0000, 16}, {0xac100000, 12}, {0xc0000000, 24}, {0xc0000200, 24},
        {0xc0586300, 24}, {0xc0a80000, 16}, {0xc6120000, 15}, {0xc6336400, 24},
        {0xcb007100, 24}, {0xe0000000, 4},  {0xf0000000, 4},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(refused); i++) {
        uint32_t mask = refused[i].bits ? 0xffffffffu << (32 - refused[i].bits) : 0;
        if ((x & mask) == refused[i].net)
            return false;
    }
    return true;
}

static bool v6_prefix(const unsigned char *a, const unsigned char *p, int bits)
{
    int bytes = bits / 8, rest = bits % 8;
    if (memcmp(a, p, (size_t)bytes) != 0)
        return false;
    return rest == 0 || ((a[bytes] ^ p[bytes]) & (0xff << (8 - rest))) == 0;
}

static bool v6_public(const unsigned char a[16])
{
    static const unsigned char zero[16], mapped[12] = {[10] = 0xff, [11] = 0xff},
                                          nat64[12] = {0x00, 0x64, 0xff, 0x9b};
    static const struct {
        unsigned char p[16];
        int bits;
    } refused[] = {
        {{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48}, /* local-use NAT64 */
        {{0x01, 0x00}, 64},                         /* discard */
        {{0x20, 0x01, 0x00, 0x00}, 32},             /* Teredo: carries any v4 */
        {{0x20, 0x01, 0x0d, 0xb8}, 32},             /* documentation */
        {{0xfc}, 7},                                /* unique local */
        {{0xfe, 0x80}, 10},                         /* link-local */
        {{0xfe, 0xc0}, 10},                         /* site-local (deprecated) */
        {{0xff}, 8},                                /* multicast */
    };
    /* ::/96 (IPv4-compatible, :: and ::1 among them), ::ffff:0:0/96 and
     * 64:ff9b::/96 reach the IPv4 address in their last four bytes. */
    if (memcmp(a, zero, 12) == 0 || memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0)
        return v4_public(a + 12);
    if (a[0] == 0x20 && a[1] == 0x02) /* 6to4: the v4 address follows */
        return v4_public(a + 2);
    for (size_t i = 0; i < G_N_ELEMENTS(refused); i++)
        if (v6_prefix(a, refused[i].p, refused[i].bits))
            return false;
    return true;
}

bool ssrf_addr_public(const struct sockaddr *sa, socklen_t len)
{
    if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in))
        return v4_public((const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr);
    if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6))
        return v6_public(((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr);
    return false;
}

/* One part of an inet_aton literal: decimal, 0-octal or 0x-hex. */
static bool aton_part(const char *s, size_t n, uint64_t *out)
{
    int base = 10;
    size_t i = 0;
    uint64_t v = 0;
    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
        if (n == 2)
            return false;
    } else if (n >= 2 && s[0] == '0') {
        base = 8;
        i = 1;
    }
    if (n == 0 || n > 32)
        return false;
    for (; i < n; i++) {
        int d = g_ascii_xdigit_value(s[i]);
        if (d < 0 || d >= base || (base == 10 && !g_ascii_isdigit(s[i])))
            return false;
        v = v * (uint64_t)base + (uint64_t)d;
        if (v > 0xffffffffu)
            return false;
    }
    *out = v;
    return true;
}

bool ssrf_ipv4_parse(const char *host, unsigned char out[4])
{
    uint64_t parts[4];
    int n = 0;
    for (const char *p = host;; n++) {
        size_t len = strcspn(p, ".");
        if (n == 4 || !aton_part(p, len, &parts[n]))
            return false;
        if (!p[len]) {
            n++;
            break;
        }
        p += len + 1;
    }
    /* a.b.c.d; a.b.c (c: 16 bits); a.b (b: 24 bits); a (32 bits). */
    uint64_t limit = n == 1 ? 0xffffffffu : n == 2 ? 0xffffff : n == 3 ? 0xffff : 0xff;
    for (int i = 0; i < n - 1; i++)
        if (parts[i] > 0xff)
            return false;
    if (parts[n - 1] > limit)
        return false;
    uint32_t x = (uint32_t)parts[n - 1];
    for (int i = 0; i < n - 1; i++)
        x |= (uint32_t)parts[i] << (24 - 8 * i);
    out[0] = (unsigned char)(x >> 24);
    out[1] = (unsigned char)(x >> 16);
    out[2] = (unsigned char)(x >> 8);
    out[3] = (unsigned char)x;
    return true;
}

int ssrf_resolve_system(void *arg, const char *host, const char *port,
                        const struct addrinfo *hints, struct addrinfo **res)
{
    (void)arg;
    return getaddrinfo(host, port, hints, res);
}

/* A literal needs no resolver, and inet_aton's forms are read here rather
 * than left to whichever resolver runs. */
static enum ssrf_verdict check_literal(const char *host, int port, bool *literal)
{
    struct sockaddr_in v4 = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    struct sockaddr_in6 v6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
    const struct sockaddr *sa = NULL;
    socklen_t sl = 0;
    if (ssrf_ipv4_parse(host, (unsigned char *)&v4.sin_addr)) {
        sa = (const struct sockaddr *)&v4;
        sl = sizeof v4;
    } else if (inet_pton(AF_INET6, host, &v6.sin6_addr) == 1) {
        sa = (const struct sockaddr *)&v6;
        sl = sizeof v6;
    }
    *literal = sa != NULL;
    if (!sa)
        return SSRF_UNRESOLVED;
    return ssrf_addr_public(sa, sl) ? SSRF_PUBLIC : SSRF_PRIVATE;
}

enum ssrf_verdict ssrf_check_host(const char *host, int port, ssrf_resolver_fn resolve,
                                  void (*free_res)(struct addrinfo *), void *arg)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    char port_text[8];
    bool literal;
    enum ssrf_verdict v = check_literal(host, port, &literal);
    if (literal)
        return v;
    g_snprintf(port_text, sizeof port_text, "%d", port);
    if (resolve(arg, host, port_text, &hints, &res) != 0 || !res)
        return SSRF_UNRESOLVED;
    v = SSRF_PUBLIC;
    for (const struct addrinfo *ai = res; ai && v == SSRF_PUBLIC; ai = ai->ai_next)
        if (!ssrf_addr_public(ai->ai_addr, ai->ai_addrlen))
            v = SSRF_PRIVATE;
    free_res(res);
    return v;
}
