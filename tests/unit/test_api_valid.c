/* The pure checks the provider API leans on: valid_text() for notes and
 * domain labels, and the edges of valid_int() and the format checks that
 * the API's parameters go through. */

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "testhelp.h"
#include "valid.h"

static void
test_text(void)
{
	char s[1024];
	size_t i;

	TEST("valid_text accepts");
	ASSERT(valid_text("", 0));
	ASSERT(valid_text("", 255));
	ASSERT(valid_text("a", 1));
	ASSERT(valid_text("hello world", 255));
	ASSERT(valid_text("w\xc3\xb6rld \xe2\x82\xac \xf0\x9f\x98\x80", 255));
	ASSERT(valid_text("\xc2\xa0", 1));		/* U+00A0, not a control */
	ASSERT(valid_text("\xef\xbf\xbd", 1));		/* U+FFFD */
	ASSERT(valid_text("\xf4\x8f\xbf\xbf", 1));	/* U+10FFFF */

	TEST("valid_text counts characters, not bytes");
	for (i = 0; i < 255; i++)
		memcpy(s + 2 * i, "\xc3\xa9", 2);	/* 255 x U+00E9 */
	s[510] = '\0';
	ASSERT(valid_text(s, 255));
	ASSERT(!valid_text(s, 254));
	memcpy(s + 510, "x", 2);
	ASSERT(!valid_text(s, 255));
	ASSERT(valid_text(s, 256));
	memset(s, 'x', 255);
	s[255] = '\0';
	ASSERT(valid_text(s, 255));
	s[255] = 'x';
	s[256] = '\0';
	ASSERT(!valid_text(s, 255));
	ASSERT(valid_text(s, SIZE_MAX));
	ASSERT(!valid_text("ab", 1));
	ASSERT(!valid_text("a", 0));
	ASSERT(valid_text("\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 2));
	ASSERT(!valid_text("\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 1));

	TEST("valid_text refuses control characters");
	ASSERT(!valid_text("a\nb", 255));
	ASSERT(!valid_text("a\rb", 255));
	ASSERT(!valid_text("\t", 255));
	ASSERT(!valid_text("\x01", 255));
	ASSERT(!valid_text("\x1f", 255));
	ASSERT(!valid_text("a\x7f", 255));
	ASSERT(!valid_text("\xc2\x80", 255));		/* U+0080 */
	ASSERT(!valid_text("x\xc2\x85y", 255));		/* U+0085, NEL */
	ASSERT(!valid_text("\xc2\x9f", 255));		/* U+009F */

	TEST("valid_text refuses what is not UTF-8");
	ASSERT(!valid_text(NULL, 255));
	ASSERT(!valid_text("\xff", 255));
	ASSERT(!valid_text("\xc3", 255));		/* cut short */
	ASSERT(!valid_text("\xc3(", 255));
	ASSERT(!valid_text("\xc0\xaf", 255));		/* overlong '/' */
	ASSERT(!valid_text("\xe0\x80\xaf", 255));	/* overlong '/' */
	ASSERT(!valid_text("\xed\xa0\x80", 255));	/* a surrogate */
	ASSERT(!valid_text("\xf4\x90\x80\x80", 255));	/* past U+10FFFF */
	ASSERT(!valid_text("\x80", 255));		/* a lone continuation */
}

static void
test_numbers(void)
{
	long n = 0;

	TEST("valid_int as the API uses it");
	ASSERT(valid_int("1", 1, 100, &n) && n == 1);
	ASSERT(valid_int("100", 1, 100, &n) && n == 100);
	ASSERT(valid_int("007", 1, 100, &n) && n == 7);
	ASSERT(!valid_int("0", 1, 100, &n));
	ASSERT(!valid_int("101", 1, 100, &n));
	ASSERT(!valid_int("-1", 1, 100, &n));
	ASSERT(!valid_int("+1", 1, 100, &n));
	ASSERT(!valid_int(" 1", 1, 100, &n));
	ASSERT(!valid_int("1 ", 1, 100, &n));
	ASSERT(!valid_int("1.0", 1, 100, &n));
	ASSERT(!valid_int("1e2", 1, 100, &n));
	ASSERT(!valid_int("0x10", 1, 100, &n));
	ASSERT(!valid_int("", 1, 100, &n));
	ASSERT(!valid_int(NULL, 1, 100, &n));
	ASSERT(valid_int("999999999999999999", 1, LONG_MAX, &n) &&
	    n == 999999999999999999L);
	ASSERT(!valid_int("9999999999999999999", 1, LONG_MAX, &n));
	ASSERT(!valid_int("99999999999999999999", 1, LONG_MAX, &n));
	ASSERT(valid_int("5", 5, 10, &n) && n == 5);
	ASSERT(valid_int("10", 5, 10, &n) && n == 10);
}

static void
test_formats(void)
{
	TEST("install codes, hashes and HWIDs");
	ASSERT(valid_install_code("abcdefABCD09"));
	ASSERT(!valid_install_code("abcdefABCD0"));
	ASSERT(!valid_install_code("abcdefABCD090"));
	ASSERT(!valid_install_code("abcdefABCD-9"));
	ASSERT(!valid_install_code(""));
	ASSERT(valid_domain_hash("005c4a974d8b94af421206f9ef34efeb"
	    "ab39a7a4d25a81723933892a1fdf2e31"));
	ASSERT(!valid_domain_hash("005C4A974D8B94AF421206F9EF34EFEB"
	    "AB39A7A4D25A81723933892A1FDF2E31"));
	ASSERT(!valid_domain_hash("005c4a974d8b94af421206f9ef34efeb"
	    "ab39a7a4d25a81723933892a1fdf2e3"));
	ASSERT(valid_hwid("a.b_c:d=e-f"));
	ASSERT(!valid_hwid("a b"));
	ASSERT(!valid_hwid(""));
	ASSERT(valid_provider_code("Ab12Cd34"));
	ASSERT(!valid_provider_code("Ab12Cd3"));
	ASSERT(valid_auth_key("kwQe7RfjrFccABagQ49-Tj6rbBhj-Acl"));
	ASSERT(!valid_auth_key("kwQe7RfjrFccABagQ49-Tj6rbBhj-Ac"));
	ASSERT(!valid_auth_key("kwQe7RfjrFccABagQ49-Tj6rbBhj-Ac!"));
}

int
main(void)
{
	test_text();
	test_numbers();
	test_formats();
	return TEST_REPORT("api_valid");
}
