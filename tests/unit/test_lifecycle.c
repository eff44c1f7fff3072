/* The pure parts of the lifecycle: where a webhook may lead (its URL
 * taken apart, public addresses told from the rest), its types, the
 * X-LL-Signature value, and the HWID as a self-service page masks it. */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "arena.h"
#include "netaddr.h"
#include "selfservice.h"
#include "sender.h"
#include "testhelp.h"
#include "webhooks.h"

static int
public(const char *text)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, text, &s4->sin_addr) == 1)
		s4->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, text, &s6->sin6_addr) == 1)
		s6->sin6_family = AF_INET6;
	else
		return -1;
	return netaddr_public((struct sockaddr *)&ss);
}

static void
test_addresses(void)
{
	static const char *const no[] = { "0.0.0.0", "10.0.0.1",
	    "10.255.255.255", "100.64.0.1", "127.0.0.1", "127.255.0.9",
	    "169.254.169.254", "172.16.0.1", "172.31.255.255", "192.0.0.8",
	    "192.0.2.1", "192.168.1.1", "198.18.0.1", "198.19.255.1",
	    "198.51.100.7", "203.0.113.9", "224.0.0.1", "239.1.1.1",
	    "240.0.0.1", "255.255.255.255", "::", "::1", "::ffff:8.8.8.8",
	    "::ffff:127.0.0.1", "64:ff9b::808:808", "fc00::1", "fd12:3456::1",
	    "fe80::1", "fec0::1", "ff02::1", "2001:db8::1", "2001::1",
	    "2002:c0a8:101::1", "3fff::1", "100::1" };
	static const char *const yes[] = { "8.8.8.8", "1.1.1.1",
	    "100.63.255.255", "100.128.0.1", "172.15.255.255", "172.32.0.1",
	    "192.0.1.1", "192.169.0.1", "198.17.255.255", "198.20.0.1",
	    "223.255.255.254", "9.255.255.255", "11.0.0.0",
	    "2606:4700::1111", "2a00:1450:4001::200e", "2001:4860::8888",
	    "2c0f::1" };
	size_t i;

	TEST("loopback, private, link-local, multicast and reserved addresses "
	    "are not public, IPv4 and IPv6");
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		if (public(no[i]) != 0)
			fprintf(stderr, "  %s taken for public\n", no[i]);
		ASSERT(public(no[i]) == 0);
	}
	TEST("addresses on the internet are");
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (public(yes[i]) != 1)
			fprintf(stderr, "  %s taken for private\n", yes[i]);
		ASSERT(public(yes[i]) == 1);
	}
	TEST("anything but IPv4 and IPv6 is not");
	ASSERT(netaddr_public(NULL) == 0);
}

static void
test_urls(void)
{
	static const char *const bad[] = { "", "ftp://h.example/",
	    "https://", "https:///x", "https://h.example:0/",
	    "https://h.example:65536/", "https://h.example:/",
	    "https://h.example:12a/", "https://user@h.example/",
	    "https://user:pw@h.example/", "https://h .example/",
	    "https://h.example/a b", "https://[::1/", "https://[zz]/",
	    "https://[]/", "https://.h.example/", "https://-h/",
	    "https://h..example/", "HTTPS://h.example/", "https://h\xc3\xa9.example/",
	    "https://h.example\\@evil/", "//h.example/" };
	struct netaddr_url u;
	char longer[NETADDR_URL_MAX + 2];
	size_t i;

	TEST("a URL is taken apart: scheme, host, port");
	ASSERT(netaddr_url("https://hooks.example.com/x?y=1#z", &u) == 0);
	ASSERT(u.https == 1 && u.port == 443);
	ASSERT_STR(u.host, "hooks.example.com");
	ASSERT(netaddr_url("http://127.0.0.1:19300", &u) == 0);
	ASSERT(u.https == 0 && u.port == 19300);
	ASSERT_STR(u.host, "127.0.0.1");
	ASSERT(netaddr_url("https://[2001:db8::1]:8443/h", &u) == 0);
	ASSERT(u.port == 8443);
	ASSERT_STR(u.host, "2001:db8::1");
	ASSERT(netaddr_url("https://h.example/a..b/@x", &u) == 0);
	ASSERT_STR(u.host, "h.example");

	TEST("what is no URL of a host, or hides one, is refused");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (netaddr_url(bad[i], &u) == 0)
			fprintf(stderr, "  took %s\n", bad[i]);
		ASSERT(netaddr_url(bad[i], &u) != 0);
	}
	memset(longer, 'a', sizeof(longer));
	memcpy(longer, "https://h.example/", 18);
	longer[NETADDR_URL_MAX] = '\0';
	ASSERT(netaddr_url(longer, &u) == 0);
	longer[NETADDR_URL_MAX] = 'a';
	longer[NETADDR_URL_MAX + 1] = '\0';
	ASSERT(netaddr_url(longer, &u) != 0);
}

static void
test_types(struct arena *a)
{
	TEST("event types: known ones once each, in their order");
	ASSERT_STR(webhooks_types_parse(a, "device.expired,device.admitted"),
	    "device.admitted,device.expired");
	ASSERT_STR(webhooks_types_parse(a, " link.full , link.full"),
	    "link.full");
	ASSERT(webhooks_types_parse(a, "") == NULL);
	ASSERT(webhooks_types_parse(a, "link.full,") == NULL);
	ASSERT(webhooks_types_parse(a, ",link.full") == NULL);
	ASSERT(webhooks_types_parse(a, "link.ful") == NULL);
	ASSERT(webhooks_types_parse(a, "link.full,device.deleted") == NULL);
	ASSERT(webhooks_type(4) != NULL && webhooks_type(5) == NULL);
}

static void
test_signature(struct arena *a)
{
	char out[SENDER_SIG_MAX];

	TEST("X-LL-Signature: t=TIME,v1=HMAC-SHA256(secret, TIME.BODY)");
	/* printf %s 1700000000.{"a":1} | openssl dgst -sha256 -hmac
	 * whsec_test */
	ASSERT_STR(sender_signature("whsec_test", 1700000000LL, "{\"a\":1}",
	    out, sizeof(out)), "t=1700000000,v1="
	    "38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789");
	ASSERT(sender_signature("whsec_test", 1, "{}", out, 20) == NULL);

	TEST("a self-service page shows part of each HWID");
	ASSERT_STR(selfservice_mask(a, "7f3c9a1e2b4d"), "7f3c…4d");
	ASSERT_STR(selfservice_mask(a, "abcdefgh"), "ab…");
	ASSERT_STR(selfservice_mask(a, "abc"), "…");
}

int
main(void)
{
	struct arena *a = arena_new();

	test_addresses();
	test_urls();
	test_types(a);
	test_signature(a);
	arena_free(a);
	return TEST_REPORT("lifecycle");
}
