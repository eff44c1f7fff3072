#ifndef LL_FUZZHELP_H
#define LL_FUZZHELP_H

/* Shared by the libFuzzer targets (tests/fuzz/fuzz_*.c). A target checks
 * properties of what the code under test returns, not only that it does
 * not crash: FUZZ_CHECK aborts on a broken property, which libFuzzer
 * keeps as a crash like any sanitizer report. Inputs that hold several
 * fields cut them at a separator byte with fuzz_field(). */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "property failed at %s:%d: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/* Like FUZZ_CHECK, and shows two strings that should have been equal. */
#define FUZZ_CHECK_STR(got, want) do {					\
	const char *fuzz_g_ = (got), *fuzz_w_ = (want);			\
	if (fuzz_g_ == NULL || fuzz_w_ == NULL ||			\
	    strcmp(fuzz_g_, fuzz_w_) != 0) {				\
		fprintf(stderr, "property failed at %s:%d: %s == %s\n"	\
		    "  got:  %s\n  want: %s\n", __FILE__, __LINE__,	\
		    #got, #want, fuzz_g_ ? fuzz_g_ : "(null)",		\
		    fuzz_w_ ? fuzz_w_ : "(null)");			\
		abort();						\
	}								\
} while (0)

/* The rest of an input still to be cut into fields. */
struct fuzz_in {
	const uint8_t	*p;
	size_t		 left;
};

/* Returns the bytes of in up to the next sep (or to the end) as a
 * NUL-terminated copy in a, and moves in past the separator. A NUL byte in
 * the field ends the C string early, as it would for the code under test.
 * The length before any such cut is stored in *len when len is not NULL.
 * An exhausted input gives "". */
static inline char *
fuzz_field(struct arena *a, struct fuzz_in *in, int sep, size_t *len)
{
	const uint8_t *end;
	size_t n;
	char *s;

	end = memchr(in->p, sep, in->left);
	n = end != NULL ? (size_t)(end - in->p) : in->left;
	s = arena_strndup(a, (const char *)in->p, n);
	in->p += n + (end != NULL ? 1 : 0);
	in->left -= n + (end != NULL ? 1 : 0);
	if (len != NULL)
		*len = n;
	return s;
}

/* Returns the next byte of in, or 0 when it is exhausted. */
static inline unsigned int
fuzz_byte(struct fuzz_in *in)
{
	if (in->left == 0)
		return 0;
	in->left--;
	return *in->p++;
}

/* The length of the well-formed UTF-8 sequence at s (1 to 4 bytes), or 0.
 * Written from the table of well-formed byte sequences in the Unicode
 * standard (Table 3-7), as a reference independent of fcgi/valid.c. A NUL
 * byte is a sequence of length 1. */
static inline size_t
fuzz_utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] <= 0x7f)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	/* the second byte's range is narrower after E0, ED, F0 and F4 */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/* Whether the NUL-terminated s is well-formed UTF-8 (controls allowed). */
static inline int
fuzz_utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	while (*p != '\0') {
		if ((n = fuzz_utf8_len(p)) == 0)
			return 0;
		p += n;
	}
	return 1;
}

#endif
