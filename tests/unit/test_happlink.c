/* The text the app hashes, the URL checks and the final link. */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "crypt.h"
#include "happlink.h"
#include "testhelp.h"

static struct arena *A;

static const char *
domain(const char *url)
{
	return happlink_domain(A, url);
}

/* the hex SHA-256 of the domain of url, as the app would send it */
static const char *
hash_of(const char *url)
{
	static char out[CRYPT_SHA256_HEX];
	const char *d = happlink_domain(A, url);

	if (d == NULL)
		return NULL;
	crypt_sha256_hex(d, strlen(d), out);
	return out;
}

static enum happlink_err
norm_err(const char *url)
{
	enum happlink_err err = HAPPLINK_OK;

	happlink_normalize(A, url, &err);
	return err;
}

static const char *
norm(const char *url)
{
	enum happlink_err err;

	return happlink_normalize(A, url, &err);
}

static void
test_domain(void)
{
	TEST("domain: the contract's cases");
	ASSERT_STR(domain("https://sub.example.com/s/abc"), "sub.example.com");
	ASSERT_STR(domain("https://sub.example.com:8443/p"),
	    "sub.example.com:8443");
	ASSERT_STR(domain("https://sub.example.com/s/abc#My_VPN?installid="
	    "6P0hVao1fG5e"), "sub.example.com");
	ASSERT_STR(hash_of("https://sub.example.com/s/abc"),
	    "005c4a974d8b94af421206f9ef34efebab39a7a4d25a81723933892a1fdf2e31");
	ASSERT_STR(hash_of("https://sub.example.com:8443/p"),
	    "95cda05a897a6914f5bbeaf2a25b6a2c41df0f710ce8547953836d94f1c553e5");

	TEST("domain: no case folding, port and user kept");
	ASSERT_STR(domain("https://Sub.Example.COM/p"), "Sub.Example.COM");
	ASSERT_STR(domain("HTTP://a.example:80/"), "a.example:80");
	ASSERT_STR(domain("https://user@a.example/x"), "user@a.example");
	ASSERT_STR(domain("https://a.example"), "a.example");
	ASSERT_STR(hash_of("https://пример.рф/x"),
	    "e38b92a83a4045f3ca9ca876e2336627b08e8f597742d945cddc0b6eae6a0015");

	TEST("domain: host= in the fragment is hashed instead");
	ASSERT_STR(domain("https://sub.example.com/s#T?host=front.example.net"),
	    "front.example.net");
	ASSERT_STR(hash_of("https://sub.example.com/s#T?host=front.example.net"),
	    "3f73a9f9a0ee25346dfd7f9e654abd5fe01907df26e4230eba2b0d49b77ee810");
	ASSERT_STR(domain("https://a.example/s#T?installid=abcdefabcdef&"
	    "host=f.example:443&x=1"), "f.example:443");
	ASSERT_STR(domain("https://a.example/s#T?a=1&host=f.example"),
	    "f.example");

	TEST("domain: host= elsewhere is not fronting");
	ASSERT_STR(domain("https://a.example/s?host=evil.example#T"),
	    "a.example");
	ASSERT_STR(domain("https://a.example/s#host=x"), "a.example");
	ASSERT_STR(domain("https://a.example/s#T?hostname=x"), "a.example");
	ASSERT_STR(domain("https://a.example/s#T?xhost=x"), "a.example");

	TEST("domain: nothing to hash");
	ASSERT(domain("sub.example.com/x") == NULL);
	ASSERT(domain("https:///x") == NULL);
	ASSERT(domain("https://") == NULL);
	ASSERT(domain("https://a.example/x#T?host=") == NULL);
}

static void
test_normalize(void)
{
	char *big;

	TEST("normalize: a '/' after a host with no path");
	ASSERT_STR(norm("https://h.example?x=1"), "https://h.example/?x=1");
	ASSERT_STR(norm("https://h.example#T"), "https://h.example/#T");
	ASSERT_STR(norm("https://h.example:8443"), "https://h.example:8443/");
	ASSERT_STR(norm("https://h.example/s/abc"), "https://h.example/s/abc");
	ASSERT_STR(norm("HTTPS://h.example/x"), "HTTPS://h.example/x");
	ASSERT_STR(domain(norm("https://h.example?x=1")), "h.example");

	TEST("normalize: refusals");
	ASSERT(norm_err("") == HAPPLINK_EMPTY);
	ASSERT(norm_err(NULL) == HAPPLINK_EMPTY);
	ASSERT(norm_err("sub.example.com/x") == HAPPLINK_NO_SCHEME);
	ASSERT(norm_err("://h.example/x") == HAPPLINK_NO_SCHEME);
	ASSERT(norm_err("ftp://h.example/x") == HAPPLINK_NOT_HTTP);
	ASSERT(norm_err("javascript://h.example/x") == HAPPLINK_NOT_HTTP);
	ASSERT(norm_err("httpss://h.example/x") == HAPPLINK_NOT_HTTP);
	ASSERT(norm_err("https://") == HAPPLINK_NO_HOST);
	ASSERT(norm_err("https:///x") == HAPPLINK_NO_HOST);
	ASSERT(norm_err("https://?x") == HAPPLINK_NO_HOST);
	ASSERT(norm_err("https://h.example/x y") == HAPPLINK_BAD_CHARS);
	ASSERT(norm_err("https://h.example/\x01") == HAPPLINK_BAD_CHARS);
	ASSERT(norm_err("https://h.example/\xff") == HAPPLINK_BAD_CHARS);
	ASSERT(norm_err("https://h.example/x#T?host=") == HAPPLINK_EMPTY_FRONT);
	ASSERT(norm_err("https://h.example/x#T?a=1&host") ==
	    HAPPLINK_EMPTY_FRONT);
	ASSERT(norm_err("https://h.example/x#T?host=f.example") == HAPPLINK_OK);

	TEST("normalize: length");
	big = malloc(HAPPLINK_URL_MAX + 2);
	memset(big, 'a', HAPPLINK_URL_MAX + 1);
	memcpy(big, "https://h.example/", 18);
	big[HAPPLINK_URL_MAX + 1] = '\0';
	ASSERT(norm_err(big) == HAPPLINK_TOO_LONG);
	big[HAPPLINK_URL_MAX] = '\0';
	ASSERT(norm_err(big) == HAPPLINK_OK);
	TEST("normalize: the '/' it adds must fit too");
	memcpy(big, "https://h.example?", 18);
	ASSERT(norm_err(big) == HAPPLINK_TOO_LONG);
	big[HAPPLINK_URL_MAX - 1] = '\0';
	ASSERT(strlen(norm(big)) == HAPPLINK_URL_MAX);
	free(big);
	ASSERT(strlen(happlink_strerror(HAPPLINK_NO_SCHEME)) > 0);
}

static void
test_title(void)
{
	TEST("title: percent-encoded but for unreserved characters");
	ASSERT_STR(happlink_title(A, "My VPN"), "My%20VPN");
	ASSERT_STR(happlink_title(A, "My_VPN"), "My_VPN");
	ASSERT_STR(happlink_title(A, "A-z_0.9~"), "A-z_0.9~");
	ASSERT_STR(happlink_title(A, "a?b#c&d%e=f/g+h"),
	    "a%3Fb%23c%26d%25e%3Df%2Fg%2Bh");
	ASSERT_STR(happlink_title(A, "Привет"),
	    "%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82");
	ASSERT_STR(happlink_title(A, "<script>"), "%3Cscript%3E");
	ASSERT_STR(happlink_title(A, ""), "");

	TEST("title: the one already in the fragment");
	ASSERT_STR(happlink_old_title(A, "https://a.example/x#Old?a=1"), "Old");
	ASSERT_STR(happlink_old_title(A, "https://a.example/x#Old"), "Old");
	ASSERT_STR(happlink_old_title(A, "https://a.example/x#?a=1"), "");
	ASSERT_STR(happlink_old_title(A, "https://a.example/x"), "");
}

static void
test_final(void)
{
	const char *f;

	TEST("final: the contract's example");
	ASSERT_STR(happlink_final(A, "https://sub.example.com/s/abc", "My_VPN",
	    "6P0hVao1fG5e"),
	    "https://sub.example.com/s/abc#My_VPN?installid=6P0hVao1fG5e");
	ASSERT_STR(happlink_final(A, "https://sub.example.com/s/abc", "My VPN",
	    "6P0hVao1fG5e"),
	    "https://sub.example.com/s/abc#My%20VPN?installid=6P0hVao1fG5e");
	ASSERT_STR(happlink_final(A, "https://a.example/s?token=1&b=2", "T",
	    "CODEcode1234"),
	    "https://a.example/s?token=1&b=2#T?installid=CODEcode1234");

	TEST("final: fragment parameters kept, an old installid dropped");
	ASSERT_STR(happlink_final(A, "https://s.example/p#Old?host=f.example&x=1",
	    "New", "CODEcode1234"),
	    "https://s.example/p#New?host=f.example&x=1&installid=CODEcode1234");
	ASSERT_STR(happlink_final(A, "https://s.example/p#Old?host=f.example",
	    "", "CODEcode1234"),
	    "https://s.example/p#Old?host=f.example&installid=CODEcode1234");
	ASSERT_STR(happlink_final(A, "https://s.example/p#Old?installid=ZZZ&a=1"
	    "&&InstallID=Y", "T", "CODEcode1234"),
	    "https://s.example/p#T?a=1&installid=CODEcode1234");
	ASSERT_STR(happlink_final(A, "https://s.example/p#Old", NULL,
	    "CODEcode1234"), "https://s.example/p#Old?installid=CODEcode1234");

	TEST("final: a title is needed");
	ASSERT(happlink_final(A, "https://s.example/p", "", "CODEcode1234") ==
	    NULL);
	ASSERT(happlink_final(A, "https://s.example/p#?a=1", NULL,
	    "CODEcode1234") == NULL);

	TEST("final: the app hashes what the account registered");
	f = happlink_final(A, norm("https://s.example:8443?k=v"), "a/b?c",
	    "CODEcode1234");
	ASSERT_STR(f, "https://s.example:8443/?k=v#a%2Fb%3Fc?installid="
	    "CODEcode1234");
	ASSERT_STR(domain(f), "s.example:8443");
	/* nothing after the host: the fragment must not join the domain */
	f = happlink_final(A, norm("https://s.example:8443"), "T",
	    "CODEcode1234");
	ASSERT_STR(f, "https://s.example:8443/#T?installid=CODEcode1234");
	ASSERT_STR(domain(f), "s.example:8443");
	f = happlink_final(A, "https://s.example/p#T?host=front.example.net",
	    "host=evil", "CODEcode1234");
	ASSERT_STR(domain(f), "front.example.net");
}

int
main(void)
{
	A = arena_new();
	test_domain();
	test_normalize();
	test_title();
	test_final();
	arena_free(A);
	return TEST_REPORT("happlink");
}
