/* Unit tests of src/core/ssrf.c: the address rule of API.md "Webhooks" in
 * every spelling a URL can give an address, and a name's every answer
 * checked from one lookup. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "core/ssrf.h"

static bool public_text(const char *addr)
{
    struct sockaddr_in v4 = {.sin_family = AF_INET};
    struct sockaddr_in6 v6 = {.sin6_family = AF_INET6};
    if (inet_pton(AF_INET, addr, &v4.sin_addr) == 1)
        return ssrf_addr_public((struct sockaddr *)&v4, sizeof v4);
    cr_assert(inet_pton(AF_INET6, addr, &v6.sin6_addr) == 1, "bad test address %s", addr);
    return ssrf_addr_public((struct sockaddr *)&v6, sizeof v6);
}

Test(ssrf, refuses_every_non_public_range)
{
    const char *refused[] = {
        "127.0.0.1", "127.255.255.254", "10.0.0.1", "10.255.255.255", "172.16.0.1",
        "172.31.255.255", "192.168.0.1", "192.168.255.255", "169.254.169.254", "169.254.0.1",
        "0.0.0.0", "0.1.2.3", "100.64.0.1", "100.127.255.255", "224.0.0.1", "239.255.255.255",
        "240.0.0.1", "255.255.255.255", "192.0.2.1", "198.51.100.7", "203.0.113.9",
        "198.18.0.1", "::", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "febf::1", "ff02::1",
        "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
        "::127.0.0.1", "::10.0.0.1", "64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b:1::1",
        "2002:7f00:1::1", "2002:c0a8:101::1", "2001:db8::1", "2001::1", "100::1",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        cr_expect(!public_text(refused[i]), "%s was taken as public", refused[i]);
}

Test(ssrf, allows_public_addresses)
{
    const char *allowed[] = {"8.8.8.8", "1.1.1.1", "93.184.216.34", "172.15.255.255",
                             "172.32.0.1", "100.63.255.255", "100.128.0.1", "192.169.0.1",
                             "2606:4700:4700::1111", "2a00:1450:4001::200e",
                             "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"};
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        cr_expect(public_text(allowed[i]), "%s was refused", allowed[i]);
}

Test(ssrf, reads_every_inet_aton_form)
{
    unsigned char a[4];
    const struct {
        const char *text;
        unsigned char want[4];
    } forms[] = {
        {"2130706433", {127, 0, 0, 1}}, {"0177.0.0.1", {127, 0, 0, 1}},
        {"0x7f.1", {127, 0, 0, 1}},     {"0x7f000001", {127, 0, 0, 1}},
        {"127.1", {127, 0, 0, 1}},      {"0x7F.0.0.0x1", {127, 0, 0, 1}},
        {"10.0x10000", {10, 1, 0, 0}},  {"017700000001", {127, 0, 0, 1}},
        {"169.254.43518", {169, 254, 169, 254}}, {"8.8.8.8", {8, 8, 8, 8}},
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        cr_assert(ssrf_ipv4_parse(forms[i].text, a), "%s not read", forms[i].text);
        cr_expect(memcmp(a, forms[i].want, 4) == 0, "%s read wrong", forms[i].text);
    }
    const char *not_v4[] = {"example.com", "1.2.3.4.5", "256.0.0.1", "0x", "08.0.0.1",
                            "1..2", "", "4294967296", "1.2.3.256"};
    for (size_t i = 0; i < sizeof not_v4 / sizeof not_v4[0]; i++)
        cr_expect(!ssrf_ipv4_parse(not_v4[i], a), "%s taken as an address", not_v4[i]);
}

Test(ssrf, parses_webhook_urls)
{
    struct ssrf_url u;
    cr_assert(ssrf_url_parse("https://hooks.example.com/x?y=1", &u));
    cr_expect(u.https && u.port == 443 && strcmp(u.host, "hooks.example.com") == 0);
    cr_assert(ssrf_url_parse("http://[::1]:8080/", &u));
    cr_expect(!u.https && u.port == 8080 && strcmp(u.host, "::1") == 0);
    cr_assert(ssrf_url_parse("HTTP://0x7f.1", &u));
    cr_expect(u.port == 80 && strcmp(u.host, "0x7f.1") == 0);
    const char *bad[] = {"ftp://example.com/", "file:///etc/passwd", "http://", "http:///x",
                         "http://user@example.com/", "http://example.com:0/",
                         "http://example.com:65536/", "http://[::1/", "http://exa mple.com/",
                         "javascript:alert(1)", "http://example.com\\@evil/", "//example.com",
                         "http://[fe80::1%25eth0]/"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect(!ssrf_url_parse(bad[i], &u), "%s accepted", bad[i]);
}

/* A resolver that answers from a list, one answer per call. */
struct fake_dns {
    const char *answers[4];
    int calls;
};

static int fake_resolve(void *arg, const char *host, const char *port,
                        const struct addrinfo *hints, struct addrinfo **res)
{
    struct fake_dns *d = arg;
    (void)host;
    const char *a = d->answers[d->calls++];
    if (!a)
        return EAI_NONAME;
    struct addrinfo h = *hints;
    h.ai_flags |= AI_NUMERICHOST;
    return getaddrinfo(a, port, &h, res);
}

static enum ssrf_verdict check(const char *host, struct fake_dns *d)
{
    return ssrf_check_host(host, 443, fake_resolve, freeaddrinfo, d);
}

Test(ssrf, checks_names_once)
{
    struct fake_dns d = {{"93.184.216.34", "127.0.0.1"}, 0};
    cr_expect(check("hooks.example.com", &d) == SSRF_PUBLIC);
    cr_expect(d.calls == 1, "resolved %d times", d.calls);
    struct fake_dns priv = {{"10.1.2.3"}, 0};
    cr_expect(check("rebind.example", &priv) == SSRF_PRIVATE);
    struct fake_dns none = {{NULL}, 0};
    cr_expect(check("not-yet.example", &none) == SSRF_UNRESOLVED);
}

Test(ssrf, refuses_literals_without_asking_the_resolver)
{
    const char *hosts[] = {"2130706433", "0177.0.0.1", "0x7f.1", "::1", "::ffff:127.0.0.1",
                           "::ffff:7f00:1", "169.254.169.254", "0.0.0.0", "fc00::1"};
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        struct fake_dns d = {{"8.8.8.8"}, 0};
        cr_expect(check(hosts[i], &d) == SSRF_PRIVATE, "%s not refused", hosts[i]);
        cr_expect(d.calls == 0, "%s went to the resolver", hosts[i]);
    }
}
