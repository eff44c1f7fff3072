/* The validators: fcgi/valid.c.
 *
 * The input is a first line "LO HI MAX" (the range given to valid_int()
 * and the limit given to the text checks; any of them may be missing) and
 * then the string to check. Every validator must agree with a plain
 * reference written here from the formats in include/valid.h. */

#include <errno.h>
#include <limits.h>

#include "fuzzhelp.h"
#include "valid.h"

static struct arena *A;

static int
is_alnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

/* Whether s is lo..hi characters, each alphanumeric or in extra (or, for
 * hex, each in 0-9a-f). */
static int
ref_word(const char *s, size_t lo, size_t hi, const char *extra, int hex)
{
	size_t n = strlen(s), i;
	int c;

	if (n < lo || n > hi)
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (hex) {
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
				return 0;
		} else if (!is_alnum(c) && (c == 0 || strchr(extra, c) == NULL)) {
			return 0;
		}
	}
	return 1;
}

/* -?[0-9]+ of at most 18 characters, in lo..hi. */
static int
ref_int(const char *s, long lo, long hi, long *out)
{
	size_t n = strlen(s), i = 0;
	long long v = 0;
	int neg = 0;

	if (n == 0 || n > 18)
		return 0;
	if (s[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == n)
		return 0;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	if (neg)
		v = -v;
	if (v < lo || v > hi)
		return 0;
	*out = (long)v;
	return 1;
}

/* Whether the character of n bytes at p is a control: C0, DEL, or with c1
 * set C1 (U+0080..U+009F). */
static int
ref_control(const unsigned char *p, size_t n, int c1)
{
	if (n == 1)
		return p[0] < 0x20 || p[0] == 0x7f;
	return c1 && n == 2 && p[0] == 0xc2 && p[1] <= 0x9f;
}

/* Well-formed UTF-8 of at most max characters, no control. */
static int
ref_text(const char *s, size_t max, int c1)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, chars = 0;

	while (*p != '\0') {
		n = fuzz_utf8_len(p);
		if (n == 0 || ref_control(p, n, c1) || ++chars > max)
			return 0;
		p += n;
	}
	return 1;
}

/* s with each byte that starts no good character (or a control) as '?',
 * cut before the first character that would take it past max bytes. */
static char *
ref_clean(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out;
	size_t n, o = 0;

	out = arena_alloc(A, strlen(s) + 1);
	while (*p != '\0') {
		n = fuzz_utf8_len(p);
		if (n == 0 || ref_control(p, n, 0)) {
			n = 1;
			if (o + 1 > max)
				break;
			out[o++] = '?';
		} else {
			if (o + n > max)
				break;
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
	}
	out[o] = '\0';
	return out;
}

/* Reads "LO HI MAX" from the first line; what is missing keeps its
 * default. */
static void
read_limits(const char *line, long *lo, long *hi, size_t *max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(line, &end, 10);
	if (end == line || errno != 0)
		return;
	*lo = (long)v;
	line = end;
	v = strtoll(line, &end, 10);
	if (end == line || errno != 0)
		return;
	*hi = (long)v;
	line = end;
	v = strtoll(line, &end, 10);
	if (end == line || errno != 0 || v < 0)
		return;
	*max = (size_t)v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	const char *s, *line;
	long lo = 0, hi = 100, got = 0, want = 0;
	size_t max = 16;
	int ok;
	char *clean;

	if (A == NULL)
		A = arena_new();
	line = fuzz_field(A, &in, '\n', NULL);
	read_limits(line, &lo, &hi, &max);
	if (max > 4096)
		max = 4096;
	s = fuzz_field(A, &in, '\0', NULL);

	FUZZ_CHECK(valid_provider_code(s) ==
	    ref_word(s, VALID_PROVIDER_LEN, VALID_PROVIDER_LEN, "", 0));
	FUZZ_CHECK(valid_auth_key(s) ==
	    ref_word(s, VALID_KEY_LEN, VALID_KEY_LEN, "-_", 0));
	FUZZ_CHECK(valid_install_code(s) ==
	    ref_word(s, VALID_CODE_LEN, VALID_CODE_LEN, "", 0));
	FUZZ_CHECK(valid_domain_hash(s) == ref_word(s, 64, 64, "", 1));
	FUZZ_CHECK(valid_hwid(s) == ref_word(s, 1, VALID_HWID_MAX, "._:=-", 0));
	FUZZ_CHECK(!valid_provider_code(NULL) && !valid_hwid(NULL));

	ok = valid_int(s, lo, hi, &got);
	FUZZ_CHECK(ok == ref_int(s, lo, hi, &want));
	if (ok)
		FUZZ_CHECK(got == want);
	FUZZ_CHECK(!valid_int(line, lo, hi, &got) ||
	    ref_int(line, lo, hi, &want));

	FUZZ_CHECK(valid_utf8_text(s) == ref_text(s, SIZE_MAX, 0));
	FUZZ_CHECK(valid_text(s, max) == ref_text(s, max, 1));
	FUZZ_CHECK(!valid_text(NULL, max) && !valid_utf8_text(NULL));

	clean = valid_clean_text(A, s, max);
	FUZZ_CHECK_STR(clean, ref_clean(s, max));
	FUZZ_CHECK(strlen(clean) <= max);
	FUZZ_CHECK(valid_utf8_text(clean));
	if (valid_utf8_text(s) && strlen(s) <= max)
		FUZZ_CHECK_STR(clean, s);
	FUZZ_CHECK(valid_clean_text(A, NULL, max) == NULL);
	arena_reset(A);
	return 0;
}
