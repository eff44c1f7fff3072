#ifndef LL_VALID_H
#define LL_VALID_H

#include <stddef.h>

#include "arena.h"

/* Format checks for the contract's words. Pure; each returns 1 when s
 * (NUL-terminated, may be NULL) has the format, else 0. */

#define VALID_PROVIDER_LEN	8	/* characters in a provider code */
#define VALID_KEY_LEN		32	/* characters in an auth key */
#define VALID_CODE_LEN		12	/* characters in an install code */
#define VALID_HWID_MAX	128	/* characters in a HWID */
#define VALID_META_MAX	128	/* bytes kept of a device header */
#define VALID_DATE_LEN	10	/* characters in a date, YYYY-MM-DD */

int valid_provider_code(const char *s);	/* [A-Za-z0-9]{8} */
int valid_auth_key(const char *s);	/* [-_A-Za-z0-9]{32} */
int valid_install_code(const char *s);	/* [A-Za-z0-9]{12} */
int valid_domain_hash(const char *s);	/* [a-f0-9]{64} */
int valid_hwid(const char *s);		/* [A-Za-z0-9._:=-]{1,128} */

/* Parses s as a decimal integer in lo..hi with nothing around it. Returns 1
 * and stores it in *out, or 0. */
int valid_int(const char *s, long lo, long hi, long *out);

/* A date YYYY-MM-DD of the Gregorian calendar, from 1970-01-01 to
 * 9999-12-31. valid_date_days() also stores its day number, the days
 * since 1970-01-01, in *days. */
int valid_date(const char *s);
int valid_date_days(const char *s, long *days);

/* Writes the date of day number days (0 to that of 9999-12-31) as
 * YYYY-MM-DD into out. Cannot fail. */
void valid_date_format(long days, char out[VALID_DATE_LEN + 1]);

/* Returns 1 when s is well-formed UTF-8 with no control characters. */
int valid_utf8_text(const char *s);

/* Returns a copy of s fit to store: invalid UTF-8 and control characters
 * become '?', and it is cut (on a character boundary) to at most max bytes.
 * NULL gives NULL. The copy lives in arena a. */
char *valid_clean_text(struct arena *a, const char *s, size_t max);

/* Returns 1 when s is well-formed UTF-8 of at most max characters (code
 * points, not bytes) with no control character (C0, DEL or C1), else 0.
 * NULL is 0; "" is 1. */
int valid_text(const char *s, size_t max);

#endif
