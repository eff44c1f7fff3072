#ifndef LL_NETADDR_H
#define LL_NETADDR_H

#include <sys/socket.h>

/* Where a webhook may lead: its URL taken apart, and whether an address
 * is a public one; and whether an address is in a list of ranges (who
 * may read /metrics). Pure: no I/O, no name resolution. */

#define NETADDR_URL_MAX		2048	/* bytes of a URL */
#define NETADDR_HOST_MAX	253	/* bytes of a host name */

struct netaddr_url {
	int	 https;			/* 1 https://, 0 http:// */
	char	 host[NETADDR_HOST_MAX + 1]; /* a name, an IPv4 address or
					   an IPv6 one (without its []) */
	int	 port;			/* as given, or the scheme's */
};

/* Takes url apart: http:// or https://, a host (a name of letters,
 * digits, '-' and '.', or an IPv4 address, or an IPv6 address in []),
 * an optional :PORT (1 to 65535), then nothing or a path, query or
 * fragment beginning with '/', '?' or '#'. At most NETADDR_URL_MAX bytes,
 * all printable ASCII but the space; no user name or password. Returns 0
 * and fills *u, or -1. */
int netaddr_url(const char *url, struct netaddr_url *u);

/* Whether sa (AF_INET or AF_INET6; anything else is not) is a public
 * unicast address: none of the unspecified, loopback, private (RFC
 * 1918), shared (RFC 6598), link-local, multicast, documentation,
 * benchmarking, reserved or broadcast ranges of IPv4, nor the IPv6
 * addresses outside global unicast (2000::/3: so no loopback,
 * unique-local, link-local, multicast, IPv4-mapped or NAT64 address)
 * and within it the documentation, IETF protocol and 6to4 ranges. */
int netaddr_public(const struct sockaddr *sa);

/* The text form of sa's address into out (len bytes, 46 is enough);
 * "?" for one that has none. Returns out. */
const char *netaddr_text(const struct sockaddr *sa, char *out,
    size_t len);

/* Whether addr, a textual IPv4 or IPv6 address (REMOTE_ADDR), falls in
 * one of the ranges of list: CIDRs ("127.0.0.0/8", "::1/128") or single
 * addresses, separated by commas and/or spaces. An IPv4-mapped IPv6
 * address ("::ffff:127.0.0.1") is taken as its IPv4 one. Returns 1 or 0;
 * 0 when addr, or the list, does not parse. */
int netaddr_in_list(const char *list, const char *addr);

/* Whether every entry of list reads as netaddr_in_list() takes it (the
 * empty list does: it holds no address). Returns 1 or 0. */
int netaddr_list_valid(const char *list);

#endif
