/* The query-string and form parser: fcgi/params.c.
 *
 * The input is parsed as a query string, whole and cut in two at an '&'
 * (as a query string and then a body), and the results must agree with
 * each other and with each pair decoded alone. Then the input, read as
 * names and values separated by 0x01 bytes, is percent-encoded the way a
 * client would and must parse back to exactly those names and values. */

#include "fuzzhelp.h"
#include "html.h"
#include "params.h"

static struct arena *A;

/* What a parsed set must always hold, whatever its status. */
static void
check_shape(const struct params *p)
{
	int i, j;

	FUZZ_CHECK(p->n >= 0 && p->n <= PARAMS_MAX);
	for (i = 0; i < p->n; i++) {
		const struct param *it = &p->items[i];

		FUZZ_CHECK(it->name[0] != '\0');
		FUZZ_CHECK(strlen(it->name) <= PARAMS_NAME_MAX);
		FUZZ_CHECK(strlen(it->value) == it->len);
		FUZZ_CHECK(it->len <= PARAMS_VALUE_MAX);
		FUZZ_CHECK(it->count >= 1);
		FUZZ_CHECK(params_find(p, it->name) == it);
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(p->items[j].name, it->name) != 0);
		if (it->count > 1 && params_first_dup(p) != NULL)
			FUZZ_CHECK(params_first_dup(p) <= it);
	}
	if (params_first_dup(p) != NULL)
		FUZZ_CHECK(params_first_dup(p)->count > 1);
	/* a name is blamed only for a fault, and it is a name we could keep */
	if (p->status == PARAMS_OK)
		FUZZ_CHECK(p->bad_name == NULL);
	if (p->bad_name != NULL)
		FUZZ_CHECK(p->bad_name[0] != '\0' &&
		    strlen(p->bad_name) <= PARAMS_NAME_MAX);
	FUZZ_CHECK(params_strerror(p->status) != NULL);
}

static int
same(const struct params *a, const struct params *b)
{
	int i;

	if (a->status != b->status || a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->items[i].name, b->items[i].name) != 0 ||
		    strcmp(a->items[i].value, b->items[i].value) != 0 ||
		    a->items[i].count != b->items[i].count)
			return 0;
	return 1;
}

/* Each pair decoded alone must give what the parser kept: the first value
 * of each name, and as many repeats as the input has. */
static void
check_pairs(const struct params *p, const char *s, size_t len)
{
	const char *end = s + len, *amp, *eq;
	const struct param *it;
	size_t plen, nlen, dlen;
	char *name, *value;
	int seen[PARAMS_MAX] = { 0 };
	int i;

	while (s < end) {
		amp = memchr(s, '&', (size_t)(end - s));
		plen = amp != NULL ? (size_t)(amp - s) : (size_t)(end - s);
		if (plen > 0) {
			eq = memchr(s, '=', plen);
			nlen = eq != NULL ? (size_t)(eq - s) : plen;
			name = params_decode(A, s, nlen, 1, &dlen);
			FUZZ_CHECK(name != NULL);
			value = params_decode(A, eq != NULL ? eq + 1 : "",
			    eq != NULL ? plen - nlen - 1 : 0, 1, &dlen);
			FUZZ_CHECK(value != NULL);
			it = params_find(p, name);
			FUZZ_CHECK(it != NULL);
			i = (int)(it - p->items);
			if (seen[i]++ == 0)
				FUZZ_CHECK(strcmp(it->value, value) == 0);
		}
		s += plen + (amp != NULL ? 1 : 0);
	}
	for (i = 0; i < p->n; i++)
		FUZZ_CHECK(seen[i] == p->items[i].count);
}

/* Parses the input as a query string, whole and in two parts. */
static void
parse_raw(const char *s, size_t len)
{
	struct params whole, split, again;
	const char *amp;
	size_t cut;

	params_init(&whole);
	params_parse(&whole, A, s, len);
	check_shape(&whole);
	if (whole.status == PARAMS_OK)
		check_pairs(&whole, s, len);
	else if (whole.status == PARAMS_TOO_MANY ||
	    whole.status == PARAMS_TOO_LONG)
		FUZZ_CHECK(len > 0);

	/* a fault stays, and adds nothing */
	again = whole;
	params_parse(&again, A, "x=1", 3);
	if (whole.status != PARAMS_OK)
		FUZZ_CHECK(same(&again, &whole));

	/* a query string and a body cut at an '&' merge into the whole */
	if (len == 0)
		return;
	amp = memchr(s + len / 2, '&', len - len / 2);
	if (amp == NULL)
		amp = memchr(s, '&', len / 2);
	if (amp == NULL)
		return;
	cut = (size_t)(amp - s);
	params_init(&split);
	params_parse(&split, A, s, cut);
	params_parse(&split, A, s + cut + 1, len - cut - 1);
	check_shape(&split);
	FUZZ_CHECK(same(&split, &whole));
}

/* Reads the input as name, value, name, value... cut at 0x01, encodes
 * them as a client would, and parses them back. */
static void
round_trip(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	const char *names[PARAMS_MAX + 1], *values[PARAMS_MAX + 1];
	size_t nlens[PARAMS_MAX + 1], vlens[PARAMS_MAX + 1];
	struct params p;
	struct buf q;
	int n = 0, i, j, bad = 0, expect_dups = 0;

	while (in.left > 0 && n <= PARAMS_MAX) {
		names[n] = fuzz_field(A, &in, 1, &nlens[n]);
		values[n] = fuzz_field(A, &in, 1, &vlens[n]);
		n++;
	}
	buf_init(&q, A);
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(&q, "&");
		html_urlencode(&q, names[i]);
		buf_puts(&q, "=");
		html_urlencode(&q, values[i]);
		/* a NUL in the field cut it: the encoded text lacks the rest */
		if (names[i][0] == '\0' || strlen(names[i]) > PARAMS_NAME_MAX ||
		    strlen(values[i]) > PARAMS_VALUE_MAX)
			bad = 1;
		for (j = 0; j < i; j++)
			if (strcmp(names[j], names[i]) == 0)
				expect_dups = 1;
	}
	params_init(&p);
	params_parse(&p, A, q.data, q.len);
	check_shape(&p);
	if (bad || n == 0)
		return;
	/* distinct names over the limit are the only other fault */
	if (p.status == PARAMS_TOO_MANY) {
		FUZZ_CHECK(n > PARAMS_MAX);
		return;
	}
	FUZZ_CHECK(p.status == PARAMS_OK);
	for (i = 0; i < n; i++) {
		const struct param *it = params_find(&p, names[i]);

		FUZZ_CHECK(it != NULL);
		for (j = 0; j < i; j++)
			if (strcmp(names[j], names[i]) == 0)
				break;
		if (j == i)
			FUZZ_CHECK_STR(it->value, values[i]);
	}
	FUZZ_CHECK((params_first_dup(&p) != NULL) == expect_dups);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (A == NULL)
		A = arena_new();
	parse_raw((const char *)data, size);
	round_trip(data, size);
	arena_reset(A);
	return 0;
}
