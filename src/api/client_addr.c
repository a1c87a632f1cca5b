#include "api/client_addr.h"

#include <arpa/inet.h>
#include <glib.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

struct ip {
    int family;
    uint8_t b[16];
};

static const uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* An IPv4-mapped IPv6 address is the IPv4 address: a dual-stack socket
 * shows IPv4 peers that way. */
static void unmap(struct ip *ip)
{
    if (ip->family == AF_INET6 && memcmp(ip->b, v4_mapped, 12) == 0) {
        memmove(ip->b, ip->b + 12, 4);
        memset(ip->b + 4, 0, 12);
        ip->family = AF_INET;
    }
}

/* A bare IPv4 or IPv6 address, nothing around it. */
static bool parse_plain(const char *text, struct ip *ip)
{
    memset(ip, 0, sizeof *ip);
    if (inet_pton(AF_INET, text, ip->b) == 1)
        ip->family = AF_INET;
    else if (inet_pton(AF_INET6, text, ip->b) == 1)
        ip->family = AF_INET6;
    else
        return false;
    unmap(ip);
    return true;
}

static bool all_digits(const char *s, size_t max)
{
    size_t n = strlen(s);
    return n > 0 && n <= max && strspn(s, "0123456789") == n;
}

/* An X-Forwarded-For entry: an address, "[v6]", "[v6]:port" or "v4:port"
 * (proxies differ), surrounded by blanks. */
static bool parse_entry(const char *entry, struct ip *ip)
{
    char buf[CLIENT_ADDR_LEN + 16];
    if (g_strlcpy(buf, entry, sizeof buf) >= sizeof buf)
        return false;
    char *t = g_strstrip(buf);
    if (t[0] == '[') {
        char *close = strchr(t, ']');
        if (!close || (close[1] && (close[1] != ':' || !all_digits(close + 2, 5))))
            return false;
        *close = '\0';
        t++;
    } else if (strchr(t, '.') && strchr(t, ':') && strchr(t, ':') == strrchr(t, ':')) {
        char *colon = strchr(t, ':');
        if (!all_digits(colon + 1, 5))
            return false;
        *colon = '\0';
    }
    return parse_plain(t, ip);
}

static bool net_has(const struct client_addr_net *net, const struct ip *ip)
{
    if (net->family != ip->family)
        return false;
    int full = net->prefix / 8, rest = net->prefix % 8;
    if (memcmp(net->bytes, ip->b, (size_t)full) != 0)
        return false;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return rest == 0 || (net->bytes[full] & mask) == (ip->b[full] & mask);
}

static bool set_has(const struct client_addr_set *set, const struct ip *ip)
{
    for (size_t i = 0; i < set->n; i++)
        if (net_has(&set->nets[i], ip))
            return true;
    return false;
}

bool client_addr_set_has(const struct client_addr_set *set, const char *addr)
{
    struct ip ip;
    return parse_entry(addr, &ip) && set_has(set, &ip);
}

/* "addr" or "addr/prefix", already trimmed. */
static bool parse_net(char *text, struct client_addr_net *net)
{
    struct ip ip;
    long prefix = -1;
    char *slash = strchr(text, '/');
    if (slash) {
        *slash = '\0';
        if (!all_digits(slash + 1, 3))
            return false;
        prefix = strtol(slash + 1, NULL, 10);
    }
    if (!parse_plain(text, &ip))
        return false;
    /* "::ffff:10.0.0.0/104" was read as 10.0.0.0: its prefix counts from bit 96. */
    if (ip.family == AF_INET && strchr(text, ':') && prefix >= 0)
        prefix = prefix >= 96 ? prefix - 96 : -2;
    int bits = ip.family == AF_INET ? 32 : 128;
    if (prefix < -1 || prefix > bits)
        return false;
    net->family = ip.family;
    net->prefix = prefix < 0 ? bits : (int)prefix;
    memcpy(net->bytes, ip.b, sizeof net->bytes);
    return true;
}

bool client_addr_set_parse(const char *spec, struct client_addr_set *set, char *err, size_t errlen)
{
    char **entries = g_strsplit(spec ? spec : "", ",", -1);
    guint n = g_strv_length(entries);
    bool blank = n == 1 && !*g_strstrip(entries[0]);
    bool ok = true;
    memset(set, 0, sizeof *set);
    set->nets = n && !blank ? calloc(n, sizeof *set->nets) : NULL;
    for (guint i = 0; ok && set->nets && i < n; i++) {
        char *e = g_strstrip(entries[i]);
        char shown[64];
        g_strlcpy(shown, e, sizeof shown);
        ok = parse_net(e, &set->nets[set->n]);
        if (ok)
            set->n++;
        else
            snprintf(err, errlen, "TRUSTED_PROXIES: \"%s\" is not an IPv4 or IPv6 address or CIDR block",
                     shown);
    }
    if (n && !blank && !set->nets) {
        ok = false;
        snprintf(err, errlen, "TRUSTED_PROXIES: out of memory");
    }
    g_strfreev(entries);
    if (!ok)
        client_addr_set_release(set);
    return ok;
}

void client_addr_set_release(struct client_addr_set *set)
{
    free(set->nets);
    set->nets = NULL;
    set->n = 0;
}

static bool from_sockaddr(const struct sockaddr *sa, struct ip *ip)
{
    memset(ip, 0, sizeof *ip);
    if (sa && sa->sa_family == AF_INET) {
        ip->family = AF_INET;
        memcpy(ip->b, &((const struct sockaddr_in *)sa)->sin_addr, 4);
    } else if (sa && sa->sa_family == AF_INET6) {
        ip->family = AF_INET6;
        memcpy(ip->b, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
    } else {
        return false;
    }
    unmap(ip);
    return true;
}

/* The walk of X-Forwarded-For from the right, from the trusted peer: each
 * trusted hop names the one before it, until one that is not trusted. */
static struct ip forwarded_client(const struct client_addr_set *trusted, struct ip hop,
                                  const char *forwarded)
{
    char *list = g_strdup(forwarded);
    char *end = list + strlen(list);
    while (end > list) {
        *end = '\0';
        char *comma = strrchr(list, ',');
        char *entry = g_strstrip(comma ? comma + 1 : list);
        struct ip ip;
        end = comma ? comma : list;
        if (!*entry)
            continue;
        if (!parse_entry(entry, &ip))
            break;
        hop = ip;
        if (!set_has(trusted, &ip))
            break;
    }
    g_free(list);
    return hop;
}

void client_addr_resolve(const struct client_addr_set *trusted, const struct sockaddr *peer,
                         const char *forwarded, char *out, size_t outlen)
{
    struct ip ip;
    if (!from_sockaddr(peer, &ip)) {
        g_strlcpy(out, "unknown", outlen);
        return;
    }
    if (forwarded && set_has(trusted, &ip))
        ip = forwarded_client(trusted, ip, forwarded);
    if (!inet_ntop(ip.family, ip.b, out, (socklen_t)outlen))
        g_strlcpy(out, "unknown", outlen);
}
