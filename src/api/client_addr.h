/* The client address of API.md "Conventions": the TCP peer, unless the peer
 * is a trusted proxy (TRUSTED_PROXIES: addresses or CIDR blocks); then the
 * right-most address of X-Forwarded-For that is not itself trusted. Login
 * limits, signup limits and logs count this address. */
#ifndef API_CLIENT_ADDR_H
#define API_CLIENT_ADDR_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define CLIENT_ADDR_LEN 46 /* INET6_ADDRSTRLEN */

struct client_addr_net {
    int family; /* AF_INET or AF_INET6 */
    uint8_t bytes[16];
    int prefix; /* leading bits that must match */
};

/* Zero-initialised is the empty set (no proxy trusted). */
struct client_addr_set {
    struct client_addr_net *nets; /* malloc'd */
    size_t n;
};

/* Parses a comma-separated list of IPv4/IPv6 addresses and CIDR blocks
 * ("10.0.0.1, 10.1.0.0/16, fd00::/8"; blank: none) into set. False, with a
 * message naming the bad entry in err and set empty, on anything else.
 * Release with client_addr_set_release. */
bool client_addr_set_parse(const char *spec, struct client_addr_set *set, char *err, size_t errlen);
void client_addr_set_release(struct client_addr_set *set);
/* Whether addr (an address's text) lies in set; false for text that is no
 * address. An IPv4-mapped IPv6 address counts as its IPv4 address. */
bool client_addr_set_has(const struct client_addr_set *set, const char *addr);
/* Writes the client address of a request into out (at least
 * CLIENT_ADDR_LEN bytes), normalised ("::ffff:1.2.3.4" is "1.2.3.4", IPv6 in
 * lower case): peer is the TCP peer (NULL: "unknown"), forwarded its
 * X-Forwarded-For values joined by commas in the order received (NULL:
 * none). An entry that is no address, met before an untrusted one, ends the
 * walk: the client is then the trusted hop that passed it on. When every
 * entry is trusted, the client is the left-most. */
void client_addr_resolve(const struct client_addr_set *trusted, const struct sockaddr *peer,
                         const char *forwarded, char *out, size_t outlen);
#endif
