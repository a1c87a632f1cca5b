/* Which addresses a webhook may be sent to (API.md, "Webhooks": no loopback,
 * private, link-local or otherwise non-public address). Pure but for the
 * resolver, which the caller passes (getaddrinfo in the server, a fake in
 * the unit tests). A URL is checked here when it is saved; each delivery
 * checks the address its socket opens (ssrf_addr_public, in
 * jobs/webhook_http.c), so a DNS answer that changes after the check
 * changes nothing. */
#ifndef CORE_SSRF_H
#define CORE_SSRF_H
#include <netdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* A webhook URL's parts that matter for the rule. */
struct ssrf_url {
    bool https;
    char host[256]; /* as in the URL, without the brackets of an IPv6 literal */
    int port;
};

/* Parses an absolute http or https URL (no userinfo; a host is required).
 * False for anything else. */
bool ssrf_url_parse(const char *url, struct ssrf_url *out);

/* Whether the address may be connected to: false for loopback, private,
 * link-local, shared, multicast, reserved and documentation ranges, and for
 * IPv6 forms that carry such an IPv4 address (mapped, compatible, NAT64,
 * 6to4). len is the sockaddr's length. */
bool ssrf_addr_public(const struct sockaddr *sa, socklen_t len);

/* Parses an IPv4 literal in any form inet_aton takes (1 to 4 parts, each
 * decimal, 0-octal or 0x-hex: "2130706433", "0177.0.0.1", "0x7f.1") into
 * network order. False when host is not one. */
bool ssrf_ipv4_parse(const char *host, unsigned char out[4]);

/* getaddrinfo's shape; returns 0 or an EAI_* code. */
typedef int (*ssrf_resolver_fn)(void *arg, const char *host, const char *port,
                                const struct addrinfo *hints, struct addrinfo **res);
/* The resolver the server uses (getaddrinfo; freeaddrinfo frees). */
int ssrf_resolve_system(void *arg, const char *host, const char *port,
                        const struct addrinfo *hints, struct addrinfo **res);

enum ssrf_verdict {
    SSRF_PUBLIC,     /* every address is public */
    SSRF_PRIVATE,    /* at least one is not */
    SSRF_UNRESOLVED, /* no answer (yet): retried later */
};
/* Resolves host once through resolve (and frees the answer with free_res)
 * and checks every address; a literal is checked without the resolver. */
enum ssrf_verdict ssrf_check_host(const char *host, int port, ssrf_resolver_fn resolve,
                                  void (*free_res)(struct addrinfo *), void *arg);
#endif
