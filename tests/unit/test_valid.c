/* Format checks, integers and device-text cleaning: fcgi/valid.c. */

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "testhelp.h"
#include "valid.h"

static struct arena *arena;

/* n copies of c, in the arena. */
static char *
run(char c, size_t n)
{
	char *s;

	s = arena_alloc(arena, n + 1);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static void
test_codes(void)
{
	TEST("provider_code [A-Za-z0-9]{8}");
	ASSERT(valid_provider_code("Ab12Cd34"));
	ASSERT(valid_provider_code("00000000"));
	ASSERT(!valid_provider_code("Ab12Cd3"));
	ASSERT(!valid_provider_code("Ab12Cd345"));
	ASSERT(!valid_provider_code("Ab12-d34"));
	ASSERT(!valid_provider_code("Ab12 d34"));
	ASSERT(!valid_provider_code(""));
	ASSERT(!valid_provider_code(NULL));

	TEST("auth_key [-_A-Za-z0-9]{32}");
	ASSERT(valid_auth_key("abcdefghijklmnopqrstuvwxyz-_0123"));
	ASSERT(valid_auth_key(run('-', 32)));
	ASSERT(!valid_auth_key("abcdefghijklmnopqrstuvwxyz-_012"));
	ASSERT(!valid_auth_key("abcdefghijklmnopqrstuvwxyz-_01234"));
	ASSERT(!valid_auth_key("abcdefghijklmnopqrstuvwxyz-.0123"));
	ASSERT(!valid_auth_key(NULL));

	TEST("install_code [A-Za-z0-9]{12}");
	ASSERT(valid_install_code("6P0hVao1fG5e"));
	ASSERT(!valid_install_code("6P0hVao1fG5"));
	ASSERT(!valid_install_code("6P0hVao1fG5eX"));
	ASSERT(!valid_install_code("6P0hVao1fG5_"));
	ASSERT(!valid_install_code("6P0hVao1fG5\xc3\xa9"));
	ASSERT(!valid_install_code(NULL));

	TEST("domain_hash [a-f0-9]{64}");
	ASSERT(valid_domain_hash(
	    "8e1d3a6b2f4c5d7e9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f"));
	ASSERT(valid_domain_hash(run('0', 64)));
	ASSERT(!valid_domain_hash(
	    "8E1D3A6B2F4C5D7E9A0B1C2D3E4F5A6B7C8D9E0F1A2B3C4D5E6F7A8B9C0D1E2F"));
	ASSERT(!valid_domain_hash(run('a', 63)));
	ASSERT(!valid_domain_hash(run('a', 65)));
	ASSERT(!valid_domain_hash(run('g', 64)));
	ASSERT(!valid_domain_hash(NULL));
}

static void
test_hwid(void)
{
	static const char *const bad[] = { "", "a b", "a/b", "a+b", "a,b",
	    "a@b", "a\tb", "a;b", "a%20", "\xc3\xa9", "a\"b", "a\\b" };
	size_t i;

	TEST("HWID of 1 and 128 characters");
	ASSERT(valid_hwid("a"));
	ASSERT(valid_hwid(run('x', VALID_HWID_MAX)));
	ASSERT(VALID_HWID_MAX == 128);

	TEST("HWID of 129 characters");
	ASSERT(!valid_hwid(run('x', VALID_HWID_MAX + 1)));

	TEST("every allowed character");
	ASSERT(valid_hwid("ABCXYZabcxyz0189._:=-"));
	ASSERT(valid_hwid("."));
	ASSERT(valid_hwid(":"));
	ASSERT(valid_hwid("="));
	ASSERT(valid_hwid("-"));
	ASSERT(valid_hwid("_"));
	ASSERT(valid_hwid("3f2a9c1e-77b0-4c1d-9e0a-aa55bb66cc77"));

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		TEST(bad[i]);
		ASSERT(!valid_hwid(bad[i]));
	}
	TEST("NULL HWID");
	ASSERT(!valid_hwid(NULL));
}

static void
test_int(void)
{
	static const char *const bad[] = { "", " 1", "1 ", "+1", "1x", "0x10",
	    "1.0", "1e3", "-", "--1", "- 1", "\t1" };
	long n;
	size_t i;

	TEST("in range");
	n = -1;
	ASSERT(valid_int("0", 0, 10, &n) && n == 0);
	ASSERT(valid_int("10", 0, 10, &n) && n == 10);
	ASSERT(valid_int("-5", -5, 5, &n) && n == -5);
	ASSERT(valid_int("007", 0, 10, &n) && n == 7);
	ASSERT(valid_int("100", 1, 100, &n) && n == 100);

	TEST("out of range leaves *out alone");
	n = 42;
	ASSERT(!valid_int("11", 0, 10, &n));
	ASSERT(!valid_int("-1", 0, 10, &n));
	ASSERT(!valid_int("0", 1, 100, &n));
	ASSERT(!valid_int("101", 1, 100, &n));
	ASSERT(n == 42);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		TEST(bad[i]);
		ASSERT(!valid_int(bad[i], LONG_MIN, LONG_MAX, &n));
	}
	TEST("NULL");
	ASSERT(!valid_int(NULL, 0, 10, &n));

	TEST("long numbers");
	ASSERT(valid_int("123456789012345678", 0, LONG_MAX, &n) &&
	    n == 123456789012345678L);
	ASSERT(!valid_int("1234567890123456789", 0, LONG_MAX, &n));
	ASSERT(!valid_int("99999999999999999999999", 0, LONG_MAX, &n));
	ASSERT(!valid_int("000000000000000000001", 0, 10, &n));
	ASSERT(n == 123456789012345678L);
}

static void
test_utf8(void)
{
	static const char *const good[] = { "", "plain", "caf\xc3\xa9",
	    "\xe6\x97\xa5\xe6\x9c\xac", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf",
	    "\xc2\x80", "\xef\xbf\xbf" };
	static const char *const bad[] = { "\xff", "a\xfe", "\x80",
	    "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf",
	    "\xed\xa0\x80", "\xed\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
	    "\xe6\x97", "\xe6", "\xc3", "\xc3\x28", "a\tb", "a\nb", "\x1f",
	    "\x7f" };
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		TEST(good[i]);
		ASSERT(valid_utf8_text(good[i]));
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		TEST("invalid UTF-8 or a control character");
		ASSERT(!valid_utf8_text(bad[i]));
	}
	TEST("NULL text");
	ASSERT(!valid_utf8_text(NULL));
}

static void
test_clean(void)
{
	char *s;

	TEST("NULL stays NULL");
	ASSERT(valid_clean_text(arena, NULL, 10) == NULL);

	TEST("clean text is copied");
	s = valid_clean_text(arena, "Pixel 8", VALID_META_MAX);
	ASSERT_STR(s, "Pixel 8");
	ASSERT_STR(valid_clean_text(arena, "caf\xc3\xa9", 10), "caf\xc3\xa9");
	ASSERT_STR(valid_clean_text(arena, "", 10), "");

	TEST("invalid bytes and controls become '?'");
	ASSERT_STR(valid_clean_text(arena, "Pix\xff" "el", 10), "Pix?el");
	ASSERT_STR(valid_clean_text(arena, "a\tb\x7f", 10), "a?b?");
	ASSERT_STR(valid_clean_text(arena, "\xc0\xaf", 10), "??");
	ASSERT_STR(valid_clean_text(arena, "\xe6\x97!", 10), "?" "?!");
	ASSERT_STR(valid_clean_text(arena, "\xed\xa0\x80", 10), "???");
	ASSERT(valid_utf8_text(valid_clean_text(arena, "\xf8\x88\x80\x80\x80\x01",
	    10)));

	TEST("cut at max bytes");
	ASSERT_STR(valid_clean_text(arena, "abcdef", 3), "abc");
	ASSERT_STR(valid_clean_text(arena, "abc", 3), "abc");
	ASSERT_STR(valid_clean_text(arena, "abc", 0), "");

	TEST("cut on a character boundary");
	ASSERT_STR(valid_clean_text(arena, "a\xc3\xa9", 2), "a");
	ASSERT_STR(valid_clean_text(arena, "a\xc3\xa9", 3), "a\xc3\xa9");
	ASSERT_STR(valid_clean_text(arena, "\xe6\x97\xa5\xe6\x9c\xac", 5),
	    "\xe6\x97\xa5");
	ASSERT_STR(valid_clean_text(arena, "\xf0\x9f\x98\x80", 3), "");
	ASSERT_STR(valid_clean_text(arena, "\xff\xff\xff", 2), "??");

	TEST("a long header is cut to VALID_META_MAX");
	s = arena_printf(arena, "a%s", run('x', 300));
	ASSERT(strlen(valid_clean_text(arena, s, VALID_META_MAX)) ==
	    VALID_META_MAX);
}

/* 'a' then 100 two-byte characters: cut to max keeps whole characters. */
static void
test_clean_boundary(void)
{
	struct buf b;
	char *s;
	size_t len;
	int i;

	TEST("two-byte characters at the VALID_META_MAX boundary");
	buf_init(&b, arena);
	buf_puts(&b, "a");
	for (i = 0; i < 100; i++)
		buf_puts(&b, "\xc3\xa9");
	s = valid_clean_text(arena, b.data, VALID_META_MAX);
	len = strlen(s);
	ASSERT(len == VALID_META_MAX - 1);
	ASSERT(valid_utf8_text(s));
	ASSERT(memcmp(s, b.data, len) == 0);
}

static void
test_date(void)
{
	char out[VALID_DATE_LEN + 1];
	long d, last = -1;
	int ok = 1;

	TEST("a date is YYYY-MM-DD of the calendar, from 1970 on");
	ASSERT(valid_date_days("1970-01-01", &d) && d == 0);
	ASSERT(valid_date_days("2000-03-01", &d) && d == 11017);
	ASSERT(valid_date_days("2026-12-03", &d) && d == 20790);
	ASSERT(valid_date("2024-02-29"));
	ASSERT(valid_date("2000-02-29"));
	ASSERT(!valid_date("1900-02-29"));
	ASSERT(!valid_date("2026-02-29"));
	ASSERT(!valid_date("2026-04-31"));
	ASSERT(!valid_date("2026-00-10"));
	ASSERT(!valid_date("2026-12-00"));
	ASSERT(!valid_date("1969-12-31"));
	ASSERT(!valid_date("2026-12-3"));
	ASSERT(!valid_date("2026/12/03"));
	ASSERT(!valid_date("2026-12-03 "));
	ASSERT(!valid_date("+026-12-03"));
	ASSERT(!valid_date(""));
	ASSERT(!valid_date(NULL));

	TEST("a day's number and its date go both ways, each day once");
	valid_date_format(0, out);
	ASSERT_STR(out, "1970-01-01");
	valid_date_format(20790, out);
	ASSERT_STR(out, "2026-12-03");
	for (d = 0; d <= 2932896 && ok; d += 7) {
		long back;

		valid_date_format(d, out);
		ok = valid_date_days(out, &back) && back == d && back > last;
		last = back;
	}
	ASSERT(ok);
	valid_date_days("9999-12-31", &d);
	valid_date_format(d, out);
	ASSERT_STR(out, "9999-12-31");
}

int
main(void)
{
	arena = arena_new();
	test_date();
	test_codes();
	test_hwid();
	test_int();
	test_utf8();
	test_clean();
	test_clean_boundary();
	arena_free(arena);
	return TEST_REPORT("valid");
}
