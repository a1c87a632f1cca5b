/* Unit tests of src/api/client_addr.c: TRUSTED_PROXIES and the client
 * address of API.md "Conventions" (the TCP peer, unless it is a trusted
 * proxy: then the right-most X-Forwarded-For address not itself trusted). */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <string.h>

#include "api/client_addr.h"

static struct client_addr_set parsed(const char *spec)
{
    struct client_addr_set set;
    char err[256] = "";
    cr_assert(client_addr_set_parse(spec, &set, err, sizeof err), "\"%s\": %s", spec, err);
    return set;
}

static void refused(const char *spec, const char *shown)
{
    struct client_addr_set set = {.n = 99};
    char err[256] = "";
    cr_assert_not(client_addr_set_parse(spec, &set, err, sizeof err), "\"%s\" was accepted", spec);
    cr_assert_eq(set.n, 0);
    cr_assert_null(set.nets);
    cr_assert(strstr(err, "TRUSTED_PROXIES") && strstr(err, shown), "\"%s\": message \"%s\"", spec, err);
}

/* The client of a request from peer (IPv4 or IPv6 text) with X-Forwarded-For. */
static const char *client(const struct client_addr_set *set, const char *peer, const char *xff)
{
    static char out[CLIENT_ADDR_LEN];
    struct sockaddr_storage ss = {0};
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, peer, &v4->sin_addr) == 1)
        v4->sin_family = AF_INET;
    else if (inet_pton(AF_INET6, peer, &v6->sin6_addr) == 1)
        v6->sin6_family = AF_INET6;
    else
        cr_assert_fail("bad peer %s in the test", peer);
    client_addr_resolve(set, (struct sockaddr *)&ss, xff, out, sizeof out);
    return out;
}

Test(client_addr, parses_addresses_and_blocks)
{
    struct client_addr_set set = parsed(" 10.0.0.1, 192.168.0.0/16 ,::1,fd00::/8,\t2001:db8::/32 ");
    cr_assert_eq(set.n, 5);
    cr_assert(client_addr_set_has(&set, "10.0.0.1"));
    cr_assert_not(client_addr_set_has(&set, "10.0.0.2"));
    cr_assert(client_addr_set_has(&set, "192.168.255.1"));
    cr_assert_not(client_addr_set_has(&set, "192.169.0.1"));
    cr_assert(client_addr_set_has(&set, "::1"));
    cr_assert(client_addr_set_has(&set, "fd12:3456::1"));
    cr_assert(client_addr_set_has(&set, "2001:DB8:ffff::1"));
    cr_assert_not(client_addr_set_has(&set, "2001:db9::1"));
    cr_assert_not(client_addr_set_has(&set, "not an address"));
    client_addr_set_release(&set);
}

Test(client_addr, blank_is_no_proxy)
{
    struct client_addr_set set = parsed("");
    cr_assert_eq(set.n, 0);
    cr_assert_not(client_addr_set_has(&set, "127.0.0.1"));
    client_addr_set_release(&set);
    set = parsed("   ");
    cr_assert_eq(set.n, 0);
    client_addr_set_release(&set);
}

Test(client_addr, prefix_edges)
{
    struct client_addr_set set = parsed("0.0.0.0/0");
    cr_assert(client_addr_set_has(&set, "203.0.113.9"));
    cr_assert_not(client_addr_set_has(&set, "::1"), "an IPv4 block holds no IPv6 address");
    client_addr_set_release(&set);
    set = parsed("10.0.0.0/9, 172.16.0.7/32, 2001:db8::/127");
    cr_assert(client_addr_set_has(&set, "10.127.255.255"));
    cr_assert_not(client_addr_set_has(&set, "10.128.0.0"));
    cr_assert(client_addr_set_has(&set, "172.16.0.7"));
    cr_assert_not(client_addr_set_has(&set, "172.16.0.6"));
    cr_assert(client_addr_set_has(&set, "2001:db8::1"));
    cr_assert_not(client_addr_set_has(&set, "2001:db8::2"));
    client_addr_set_release(&set);
    /* Host bits set are ignored, as a mask would. */
    set = parsed("10.1.2.3/8");
    cr_assert(client_addr_set_has(&set, "10.200.0.1"));
    client_addr_set_release(&set);
}

Test(client_addr, ipv4_mapped_ipv6_is_ipv4)
{
    struct client_addr_set set = parsed("127.0.0.0/8, ::ffff:10.0.0.0/104");
    cr_assert(client_addr_set_has(&set, "::ffff:127.0.0.2"));
    cr_assert(client_addr_set_has(&set, "10.1.1.1"));
    cr_assert_not(client_addr_set_has(&set, "11.1.1.1"));
    cr_assert_str_eq(client(&set, "::ffff:127.0.0.2", "::FFFF:198.51.100.4"), "198.51.100.4");
    client_addr_set_release(&set);
}

Test(client_addr, bad_entries_are_refused_by_name)
{
    refused("10.0.0.1, nonsense", "nonsense");
    refused("10.0.0.0/33", "10.0.0.0/33");
    refused("::/129", "::/129");
    refused("10.0.0.0/", "10.0.0.0/");
    refused("10.0.0.0/-1", "10.0.0.0/-1");
    refused("10.0.0.0/8x", "10.0.0.0/8x");
    refused("10.0.0.1,,10.0.0.2", "\"\"");
    refused("10.0.0.1,", "\"\"");
    refused("256.0.0.1", "256.0.0.1");
    refused("10.0.0.1:80", "10.0.0.1:80");
    refused("localhost", "localhost");
    refused("*", "*");
}

Test(client_addr, untrusted_peer_ignores_the_header)
{
    struct client_addr_set set = parsed("127.0.0.2");
    cr_assert_str_eq(client(&set, "127.0.0.1", "203.0.113.7"), "127.0.0.1");
    cr_assert_str_eq(client(&set, "127.0.0.1", NULL), "127.0.0.1");
    client_addr_set_release(&set);
    set = parsed("");
    cr_assert_str_eq(client(&set, "127.0.0.2", "203.0.113.7"), "127.0.0.2");
    client_addr_set_release(&set);
}

Test(client_addr, trusted_peer_takes_the_right_most_untrusted)
{
    struct client_addr_set set = parsed("127.0.0.2, 10.0.0.0/8");
    cr_assert_str_eq(client(&set, "127.0.0.2", "203.0.113.7"), "203.0.113.7");
    /* Whatever a client wrote itself stands left of what the proxies added. */
    cr_assert_str_eq(client(&set, "127.0.0.2", "6.6.6.6, 203.0.113.7"), "203.0.113.7");
    cr_assert_str_eq(client(&set, "127.0.0.2", "6.6.6.6, 203.0.113.7, 10.1.2.3"), "203.0.113.7");
    cr_assert_str_eq(client(&set, "127.0.0.2", "6.6.6.6,203.0.113.7,10.1.2.3,127.0.0.2"),
                     "203.0.113.7");
    client_addr_set_release(&set);
}

Test(client_addr, several_headers_read_as_one_list)
{
    struct client_addr_set set = parsed("127.0.0.2, 10.0.0.0/8");
    /* server.c joins repeated X-Forwarded-For headers with commas, in order. */
    cr_assert_str_eq(client(&set, "127.0.0.2", "6.6.6.6, 198.51.100.1,10.0.0.9"), "198.51.100.1");
    client_addr_set_release(&set);
}

Test(client_addr, all_trusted_or_empty)
{
    struct client_addr_set set = parsed("127.0.0.2, 10.0.0.0/8");
    cr_assert_str_eq(client(&set, "127.0.0.2", "10.0.0.5, 10.0.0.6"), "10.0.0.5");
    cr_assert_str_eq(client(&set, "127.0.0.2", ""), "127.0.0.2");
    cr_assert_str_eq(client(&set, "127.0.0.2", " , ,"), "127.0.0.2");
    cr_assert_str_eq(client(&set, "127.0.0.2", NULL), "127.0.0.2");
    client_addr_set_release(&set);
}

Test(client_addr, garbage_stops_at_the_hop_that_passed_it)
{
    struct client_addr_set set = parsed("127.0.0.2, 10.0.0.0/8");
    cr_assert_str_eq(client(&set, "127.0.0.2", "not-an-ip"), "127.0.0.2");
    cr_assert_str_eq(client(&set, "127.0.0.2", "203.0.113.7, unknown, 10.0.0.3"), "10.0.0.3");
    cr_assert_str_eq(client(&set, "127.0.0.2", "203.0.113.7, 10.0.0.3, 999.1.1.1"), "127.0.0.2");
    client_addr_set_release(&set);
}

Test(client_addr, entry_forms_and_normal_text)
{
    struct client_addr_set set = parsed("127.0.0.2");
    cr_assert_str_eq(client(&set, "127.0.0.2", "  203.0.113.7  "), "203.0.113.7");
    cr_assert_str_eq(client(&set, "127.0.0.2", "203.0.113.7:4711"), "203.0.113.7");
    cr_assert_str_eq(client(&set, "127.0.0.2", "[2001:DB8::1]:443"), "2001:db8::1");
    cr_assert_str_eq(client(&set, "127.0.0.2", "[2001:db8::1]"), "2001:db8::1");
    cr_assert_str_eq(client(&set, "127.0.0.2", "2001:0db8:0000::0001"), "2001:db8::1");
    cr_assert_str_eq(client(&set, "127.0.0.2", "[2001:db8::1]:x"), "127.0.0.2");
    cr_assert_str_eq(client(&set, "127.0.0.2", "203.0.113.7:"), "127.0.0.2");
    client_addr_set_release(&set);
}

Test(client_addr, ipv6_peer)
{
    struct client_addr_set set = parsed("::1");
    cr_assert_str_eq(client(&set, "::1", "203.0.113.7"), "203.0.113.7");
    cr_assert_str_eq(client(&set, "::2", "203.0.113.7"), "::2");
    client_addr_set_release(&set);
}

Test(client_addr, no_peer_is_unknown)
{
    char out[CLIENT_ADDR_LEN];
    struct client_addr_set set = {0};
    client_addr_resolve(&set, NULL, "203.0.113.7", out, sizeof out);
    cr_assert_str_eq(out, "unknown");
}
