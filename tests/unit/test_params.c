/* The query-string and form parser: fcgi/params.c. */

#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "params.h"
#include "testhelp.h"

static struct arena *arena;

/* Parses s into a fresh p; returns the status. */
static enum params_status
parse(struct params *p, const char *s)
{
	params_init(p);
	return params_parse(p, arena, s, strlen(s));
}

static const char *
value(const struct params *p, const char *name)
{
	const struct param *q = params_find(p, name);

	return q != NULL ? q->value : NULL;
}

/* A string of n copies of unit, in the arena. */
static char *
repeat(const char *unit, size_t n)
{
	size_t ulen = strlen(unit), i;
	char *s;

	s = arena_alloc(arena, ulen * n + 1);
	for (i = 0; i < n; i++)
		memcpy(s + i * ulen, unit, ulen);
	s[ulen * n] = '\0';
	return s;
}

static void
test_basic(void)
{
	struct params p;

	TEST("two pairs");
	ASSERT(parse(&p, "id=abc&installid=xyz") == PARAMS_OK);
	ASSERT(p.n == 2);
	ASSERT_STR(value(&p, "id"), "abc");
	ASSERT_STR(value(&p, "installid"), "xyz");
	ASSERT(params_find(&p, "id")->len == 3);
	ASSERT(params_find(&p, "id")->count == 1);

	TEST("missing parameter");
	ASSERT(params_find(&p, "hwid") == NULL);
	ASSERT(params_find(&p, "i") == NULL);
	ASSERT(params_find(&p, "idx") == NULL);

	TEST("empty input");
	ASSERT(parse(&p, "") == PARAMS_OK);
	ASSERT(p.n == 0);

	TEST("name without value");
	ASSERT(parse(&p, "a&b=") == PARAMS_OK);
	ASSERT(p.n == 2);
	ASSERT_STR(value(&p, "a"), "");
	ASSERT_STR(value(&p, "b"), "");
	ASSERT(params_find(&p, "a")->len == 0);

	TEST("empty pairs are skipped");
	ASSERT(parse(&p, "&&a=1&&&b=2&") == PARAMS_OK);
	ASSERT(p.n == 2);
	ASSERT_STR(value(&p, "a"), "1");
	ASSERT_STR(value(&p, "b"), "2");

	TEST("'=' inside a value");
	ASSERT(parse(&p, "a=b=c") == PARAMS_OK);
	ASSERT_STR(value(&p, "a"), "b=c");

	TEST("input need not be NUL-terminated");
	params_init(&p);
	ASSERT(params_parse(&p, arena, "a=1&b=2%zz", 7) == PARAMS_OK);
	ASSERT_STR(value(&p, "b"), "2");
}

static void
test_decoding(void)
{
	struct params p;
	size_t len = 99;
	char *s;

	TEST("percent escapes, both cases");
	ASSERT(parse(&p, "q=%41%62%2b%2B%7e%C3%A9") == PARAMS_OK);
	ASSERT_STR(value(&p, "q"), "Ab++~\xc3\xa9");
	ASSERT(params_find(&p, "q")->len == 7);

	TEST("'+' is a space in names and values");
	ASSERT(parse(&p, "a+b=c+d++") == PARAMS_OK);
	ASSERT_STR(value(&p, "a b"), "c d  ");

	TEST("an encoded name");
	ASSERT(parse(&p, "%69%64=1") == PARAMS_OK);
	ASSERT_STR(value(&p, "id"), "1");

	TEST("params_decode keeps '+' when asked");
	s = params_decode(arena, "a+b%20c", 7, 0, &len);
	ASSERT_STR(s, "a+b c");
	ASSERT(len == 5);
	s = params_decode(arena, "a+b", 3, 1, &len);
	ASSERT_STR(s, "a b");

	TEST("params_decode refuses bad escapes and NUL");
	len = 99;
	ASSERT(params_decode(arena, "%4", 2, 1, &len) == NULL);
	ASSERT(params_decode(arena, "%", 1, 1, &len) == NULL);
	ASSERT(params_decode(arena, "%g1", 3, 1, &len) == NULL);
	ASSERT(params_decode(arena, "a%00b", 5, 1, &len) == NULL);
	ASSERT(len == 99);
	s = params_decode(arena, "", 0, 1, &len);
	ASSERT_STR(s, "");
	ASSERT(len == 0);
}

static void
test_bad_encoding(void)
{
	static const char *const bad[] = { "q=%", "q=%4", "q=%zz", "q=%4g",
	    "q=%%41", "q=abc%", "q=%-1", "q=% 1", "%zz=1", "a%=1" };
	struct params p;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		TEST(bad[i]);
		ASSERT(parse(&p, bad[i]) == PARAMS_BAD_ENCODING);
		ASSERT(p.status == PARAMS_BAD_ENCODING);
		ASSERT(p.n == 0);
	}
	TEST("the parameter at fault is named");
	ASSERT(parse(&p, "a=1&q=%zz&b=2") == PARAMS_BAD_ENCODING);
	ASSERT_STR(p.bad_name, "q");
	TEST("what came before the fault is kept");
	ASSERT(p.n == 1);
	ASSERT_STR(value(&p, "a"), "1");
	ASSERT(params_find(&p, "b") == NULL);
}

static void
test_nul(void)
{
	struct params p;

	TEST("%00 in a value");
	ASSERT(parse(&p, "id=abc%00def") == PARAMS_NUL);
	ASSERT_STR(p.bad_name, "id");
	ASSERT(p.n == 0);
	TEST("%00 in a name");
	ASSERT(parse(&p, "i%00d=1") == PARAMS_NUL);
	ASSERT(p.n == 0);
	TEST("%00 alone");
	ASSERT(parse(&p, "a=1&b=%00") == PARAMS_NUL);
	ASSERT(p.n == 1);
	TEST("a raw NUL in a body");
	params_init(&p);
	ASSERT(params_parse(&p, arena, "a=x\0y", 5) == PARAMS_NUL);
	ASSERT(p.n == 0);
}

static void
test_repeats(void)
{
	struct params p;
	const struct param *d;

	TEST("a repeated name keeps its first value and counts");
	ASSERT(parse(&p, "id=1&x=0&id=2&id=3") == PARAMS_OK);
	ASSERT(p.n == 2);
	ASSERT_STR(value(&p, "id"), "1");
	ASSERT(params_find(&p, "id")->count == 3);
	ASSERT(params_find(&p, "x")->count == 1);
	d = params_first_dup(&p);
	ASSERT(d != NULL && strcmp(d->name, "id") == 0);

	TEST("no repeat, no dup");
	ASSERT(parse(&p, "a=1&b=1") == PARAMS_OK);
	ASSERT(params_first_dup(&p) == NULL);

	TEST("the same value twice is still a repeat");
	ASSERT(parse(&p, "a=1&a=1") == PARAMS_OK);
	ASSERT(params_first_dup(&p) != NULL);

	TEST("a repeat's value is still checked");
	ASSERT(parse(&p, "a=1&a=%zz") == PARAMS_BAD_ENCODING);
}

static void
test_lengths(void)
{
	struct params p;
	char *s;

	TEST("name of PARAMS_NAME_MAX bytes");
	s = arena_printf(arena, "%s=1", repeat("n", PARAMS_NAME_MAX));
	ASSERT(parse(&p, s) == PARAMS_OK);
	ASSERT(p.n == 1 && strlen(p.items[0].name) == PARAMS_NAME_MAX);

	TEST("name one byte over");
	s = arena_printf(arena, "%s=1", repeat("n", PARAMS_NAME_MAX + 1));
	ASSERT(parse(&p, s) == PARAMS_TOO_LONG);
	ASSERT(p.n == 0);

	TEST("an encoded name is measured decoded");
	s = arena_printf(arena, "%s=1", repeat("%41", PARAMS_NAME_MAX));
	ASSERT(parse(&p, s) == PARAMS_OK);
	s = arena_printf(arena, "%s=1", repeat("%41", PARAMS_NAME_MAX + 1));
	ASSERT(parse(&p, s) == PARAMS_TOO_LONG);

	TEST("value of PARAMS_VALUE_MAX bytes");
	s = arena_printf(arena, "v=%s", repeat("x", PARAMS_VALUE_MAX));
	ASSERT(parse(&p, s) == PARAMS_OK);
	ASSERT(params_find(&p, "v")->len == PARAMS_VALUE_MAX);

	TEST("value one byte over");
	s = arena_printf(arena, "a=1&v=%s", repeat("x", PARAMS_VALUE_MAX + 1));
	ASSERT(parse(&p, s) == PARAMS_TOO_LONG);
	ASSERT_STR(p.bad_name, "v");
	ASSERT(p.n == 1);

	TEST("an encoded value is measured decoded");
	s = arena_printf(arena, "v=%s", repeat("%7e", PARAMS_VALUE_MAX));
	ASSERT(parse(&p, s) == PARAMS_OK);
	s = arena_printf(arena, "v=%s", repeat("%7e", PARAMS_VALUE_MAX + 1));
	ASSERT(parse(&p, s) == PARAMS_TOO_LONG);

	TEST("a huge value is refused before decoding");
	s = arena_printf(arena, "v=%s", repeat("x", PARAMS_VALUE_MAX * 8));
	ASSERT(parse(&p, s) == PARAMS_TOO_LONG);
}

static void
test_too_many(void)
{
	struct params p;
	struct buf b;
	int i;

	TEST("PARAMS_MAX distinct names");
	buf_init(&b, arena);
	for (i = 0; i < PARAMS_MAX; i++)
		buf_printf(&b, "%sp%d=%d", i > 0 ? "&" : "", i, i);
	ASSERT(parse(&p, b.data) == PARAMS_OK);
	ASSERT(p.n == PARAMS_MAX);
	ASSERT_STR(value(&p, "p31"), "31");

	TEST("repeats do not count as new names");
	buf_puts(&b, "&p0=x&p5=y");
	ASSERT(parse(&p, b.data) == PARAMS_OK);
	ASSERT(p.n == PARAMS_MAX);

	TEST("one name more");
	buf_puts(&b, "&extra=1");
	ASSERT(parse(&p, b.data) == PARAMS_TOO_MANY);
	ASSERT(p.n == PARAMS_MAX);
	ASSERT(params_find(&p, "extra") == NULL);
}

static void
test_empty_name(void)
{
	struct params p;

	TEST("=x");
	ASSERT(parse(&p, "=x") == PARAMS_EMPTY_NAME);
	TEST("= alone");
	ASSERT(parse(&p, "=") == PARAMS_EMPTY_NAME);
	TEST("empty name after a good pair");
	ASSERT(parse(&p, "a=1&=2&b=3") == PARAMS_EMPTY_NAME);
	ASSERT(p.n == 1);
	ASSERT(params_find(&p, "b") == NULL);
}

static void
test_merge(void)
{
	struct params p;
	struct buf b;
	int i;

	TEST("query then body merge");
	params_init(&p);
	ASSERT(params_parse(&p, arena, "a=1&b=2", 7) == PARAMS_OK);
	ASSERT(params_parse(&p, arena, "b=3&c=4", 7) == PARAMS_OK);
	ASSERT(p.n == 3);
	ASSERT_STR(value(&p, "b"), "2");
	ASSERT(params_find(&p, "b")->count == 2);
	ASSERT_STR(value(&p, "c"), "4");

	TEST("the limit on names spans both");
	params_init(&p);
	buf_init(&b, arena);
	for (i = 0; i < PARAMS_MAX - 1; i++)
		buf_printf(&b, "%sq%d=1", i > 0 ? "&" : "", i);
	ASSERT(params_parse(&p, arena, b.data, b.len) == PARAMS_OK);
	ASSERT(params_parse(&p, arena, "y=1&z=1", 7) == PARAMS_TOO_MANY);
	ASSERT(p.n == PARAMS_MAX);
	ASSERT(params_find(&p, "y") != NULL && params_find(&p, "z") == NULL);

	TEST("an error in the query is not cleared by a good body");
	params_init(&p);
	ASSERT(params_parse(&p, arena, "a=%zz", 5) == PARAMS_BAD_ENCODING);
	ASSERT(params_parse(&p, arena, "b=1", 3) == PARAMS_BAD_ENCODING);
	ASSERT(p.status == PARAMS_BAD_ENCODING);
	ASSERT(params_find(&p, "b") == NULL);

	TEST("params_init empties");
	params_init(&p);
	ASSERT(p.n == 0 && p.status == PARAMS_OK && p.bad_name == NULL);
}

static void
test_origin(void)
{
	struct params p;

	TEST("each parameter knows where it came from");
	params_init(&p);
	ASSERT(params_parse(&p, arena, "q=1&both=2", 10) == PARAMS_OK);
	ASSERT(params_parse_from(&p, arena, "b=3&both=4&b=5", 14,
	    PARAMS_BODY) == PARAMS_OK);
	ASSERT(params_find(&p, "q")->from == PARAMS_QUERY);
	ASSERT(params_find(&p, "b")->from == PARAMS_BODY);
	ASSERT(params_find(&p, "b")->count == 2);
	ASSERT(params_find(&p, "both")->from == (PARAMS_QUERY | PARAMS_BODY));
	ASSERT_STR(value(&p, "both"), "2");

	TEST("a body alone, before any query string");
	params_init(&p);
	ASSERT(params_parse_from(&p, arena, "csrf=x", 6, PARAMS_BODY) ==
	    PARAMS_OK);
	ASSERT(params_find(&p, "csrf")->from == PARAMS_BODY);
}

static void
test_strerror(void)
{
	enum params_status st;
	const char *seen[PARAMS_EMPTY_NAME + 1];
	int i, j, distinct = 1;

	TEST("every status has its own text");
	for (st = PARAMS_OK; st <= PARAMS_EMPTY_NAME; st++) {
		seen[st] = params_strerror(st);
		ASSERT(seen[st] != NULL && seen[st][0] != '\0');
	}
	for (i = 0; i <= PARAMS_EMPTY_NAME; i++)
		for (j = i + 1; j <= PARAMS_EMPTY_NAME; j++)
			if (strcmp(seen[i], seen[j]) == 0)
				distinct = 0;
	ASSERT(distinct);
	ASSERT_STR(params_strerror(PARAMS_BAD_ENCODING), "bad percent-encoding");
}

int
main(void)
{
	arena = arena_new();
	test_basic();
	test_decoding();
	test_bad_encoding();
	test_nul();
	test_repeats();
	test_lengths();
	test_too_many();
	test_empty_name();
	test_merge();
	test_origin();
	test_strerror();
	arena_free(arena);
	return TEST_REPORT("params");
}
