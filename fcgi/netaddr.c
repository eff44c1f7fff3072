#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netaddr.h"

#define NETADDR_NAMECHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
	"0123456789-."

int
netaddr_url(const char *url, struct netaddr_url *u)
{
	struct in6_addr a6;
	const char *p, *host, *end;
	size_t n, i;
	long port;

	memset(u, 0, sizeof(*u));
	n = strlen(url);
	if (n == 0 || n > NETADDR_URL_MAX)
		return -1;
	for (i = 0; i < n; i++)
		if (url[i] <= ' ' || url[i] > '~')
			return -1;
	if (strncmp(url, "https://", 8) == 0) {
		u->https = 1;
		p = url + 8;
	} else if (strncmp(url, "http://", 7) == 0) {
		p = url + 7;
	} else {
		return -1;
	}
	host = p;
	if (*p == '[') {
		end = strchr(p, ']');
		if (end == NULL || (size_t)(end - p - 1) >= sizeof(u->host) ||
		    end == p + 1)
			return -1;
		memcpy(u->host, p + 1, (size_t)(end - p - 1));
		u->host[end - p - 1] = '\0';
		if (inet_pton(AF_INET6, u->host, &a6) != 1)
			return -1;
		p = end + 1;
	} else {
		n = strspn(p, NETADDR_NAMECHARS);
		if (n == 0 || n > NETADDR_HOST_MAX)
			return -1;
		memcpy(u->host, host, n);
		u->host[n] = '\0';
		if (u->host[0] == '.' || u->host[0] == '-' ||
		    strstr(u->host, "..") != NULL)
			return -1;
		p += n;
	}
	u->port = u->https ? 443 : 80;
	if (*p == ':') {
		p++;
		n = strspn(p, "0123456789");
		if (n == 0 || n > 5)
			return -1;
		for (port = 0, i = 0; i < n; i++)
			port = port * 10 + (p[i] - '0');
		if (port < 1 || port > 65535)
			return -1;
		u->port = (int)port;
		p += n;
	}
	/* '@' here would be a user name before the host: refused above,
	 * since the host ends at it and nothing but these may follow */
	if (*p != '\0' && *p != '/' && *p != '?' && *p != '#')
		return -1;
	return 0;
}

/* Whether a (host order) lies in net/bits. */
static int
netaddr_in4(uint32_t a, uint32_t net, int bits)
{
	uint32_t mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);

	return (a & mask) == (net & mask);
}

static int
netaddr_public4(uint32_t a)
{
	static const struct {
		uint32_t	net;
		int		bits;
	} no[] = {
		{ 0x00000000, 8 },	/* "this network" */
		{ 0x0a000000, 8 },	/* private */
		{ 0x64400000, 10 },	/* shared, carrier-grade NAT */
		{ 0x7f000000, 8 },	/* loopback */
		{ 0xa9fe0000, 16 },	/* link-local */
		{ 0xac100000, 12 },	/* private */
		{ 0xc0000000, 24 },	/* IETF protocol assignments */
		{ 0xc0000200, 24 },	/* documentation */
		{ 0xc0586300, 24 },	/* 6to4 relay anycast */
		{ 0xc0a80000, 16 },	/* private */
		{ 0xc6120000, 15 },	/* benchmarking */
		{ 0xc6336400, 24 },	/* documentation */
		{ 0xcb007100, 24 },	/* documentation */
		{ 0xe0000000, 4 },	/* multicast */
		{ 0xf0000000, 4 },	/* reserved, and broadcast */
	};
	size_t i;

	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (netaddr_in4(a, no[i].net, no[i].bits))
			return 0;
	return 1;
}

/* Whether the first bits of a are those of prefix p. */
static int
netaddr_in6(const unsigned char *a, const unsigned char *p, int bits)
{
	int whole = bits / 8, rest = bits % 8;

	if (memcmp(a, p, (size_t)whole) != 0)
		return 0;
	return rest == 0 ||
	    ((a[whole] ^ p[whole]) & (0xff << (8 - rest)) & 0xff) == 0;
}

static int
netaddr_public6(const unsigned char *a)
{
	static const unsigned char global[16] = { 0x20 };
	static const unsigned char ietf[16] = { 0x20, 0x01 };
	static const unsigned char doc[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	static const unsigned char six4[16] = { 0x20, 0x02 };
	static const unsigned char doc2[16] = { 0x3f, 0xff };

	return netaddr_in6(a, global, 3) && !netaddr_in6(a, ietf, 23) &&
	    !netaddr_in6(a, doc, 32) && !netaddr_in6(a, six4, 16) &&
	    !netaddr_in6(a, doc2, 20);
}

int
netaddr_public(const struct sockaddr *sa)
{
	const struct sockaddr_in *s4;
	const struct sockaddr_in6 *s6;

	if (sa == NULL)
		return 0;
	if (sa->sa_family == AF_INET) {
		s4 = (const struct sockaddr_in *)(const void *)sa;
		return netaddr_public4(ntohl(s4->sin_addr.s_addr));
	}
	if (sa->sa_family == AF_INET6) {
		s6 = (const struct sockaddr_in6 *)(const void *)sa;
		return netaddr_public6(s6->sin6_addr.s6_addr);
	}
	return 0;
}

const char *
netaddr_text(const struct sockaddr *sa, char *out, size_t len)
{
	const void *a = NULL;

	if (sa != NULL && sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa != NULL && sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (a == NULL || inet_ntop(sa->sa_family, a, out,
	    (socklen_t)len) == NULL)
		snprintf(out, len, "?");
	return out;
}

#define NETADDR_LIST_SEP	", \t"
#define NETADDR_ENTRY_MAX	64	/* bytes of one entry of a list */

/* One address, as 16 bytes: an IPv4 one as its IPv4-mapped IPv6 form, so
 * that one comparison serves both (and a mapped address matches the IPv4
 * ranges). *v4 says it was written as IPv4. Returns 0, or -1. */
static int
netaddr_parse(const char *s, unsigned char out[16], int *v4)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };
	struct in_addr a4;

	if (inet_pton(AF_INET, s, &a4) == 1) {
		memcpy(out, mapped, sizeof(mapped));
		memcpy(out + 12, &a4, 4);
		*v4 = 1;
		return 0;
	}
	*v4 = 0;
	return inet_pton(AF_INET6, s, out) == 1 ? 0 : -1;
}

/* One entry of a list ("ADDR" or "ADDR/BITS", len bytes) read into its
 * network and prefix length over the 16-byte form. Returns 0, or -1. */
static int
netaddr_range(const char *entry, size_t len, unsigned char net[16],
    int *bits)
{
	char buf[NETADDR_ENTRY_MAX];
	char *slash, *end;
	long n;
	int v4;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, entry, len);
	buf[len] = '\0';
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	if (netaddr_parse(buf, net, &v4) != 0)
		return -1;
	*bits = 128;
	if (slash != NULL) {
		if (slash[1] < '0' || slash[1] > '9')
			return -1;
		n = strtol(slash + 1, &end, 10);
		if (*end != '\0' || n > (v4 ? 32 : 128))
			return -1;
		*bits = (int)n + (v4 ? 96 : 0);
	}
	return 0;
}

/* Whether the first bits bits of a and b agree. */
static int
netaddr_match(const unsigned char a[16], const unsigned char b[16], int bits)
{
	int full = bits / 8, rest = bits % 8;
	unsigned char mask;

	if (memcmp(a, b, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (a[full] & mask) == (b[full] & mask);
}

/* Reads list's entries in order. Returns 1 at the first that holds addr
 * (with addr NULL, none does), -1 at the first bad one, else 0. */
static int
netaddr_walk(const char *list, const unsigned char *addr)
{
	unsigned char net[16];
	const char *p = list;
	size_t n;
	int bits;

	for (;;) {
		p += strspn(p, NETADDR_LIST_SEP);
		if (*p == '\0')
			return 0;
		n = strcspn(p, NETADDR_LIST_SEP);
		if (netaddr_range(p, n, net, &bits) != 0)
			return -1;
		if (addr != NULL && netaddr_match(net, addr, bits))
			return 1;
		p += n;
	}
}

int
netaddr_in_list(const char *list, const char *addr)
{
	unsigned char a[16];
	int v4;

	if (list == NULL || addr == NULL || netaddr_parse(addr, a, &v4) != 0)
		return 0;
	return netaddr_walk(list, a) == 1;
}

int
netaddr_list_valid(const char *list)
{
	return list != NULL && netaddr_walk(list, NULL) == 0;
}
