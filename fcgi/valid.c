#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "valid.h"

static int
valid_alnum(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9');
}

static int
valid_run(const char *s, size_t lo, size_t hi, const char *extra, int hex)
{
	size_t n;

	if (s == NULL)
		return 0;
	for (n = 0; s[n] != '\0'; n++) {
		int c = (unsigned char)s[n];
		if (n >= hi)
			return 0;
		if (hex) {
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
				return 0;
		} else if (!valid_alnum(c) &&
		    (extra == NULL || strchr(extra, c) == NULL)) {
			return 0;
		}
	}
	return n >= lo;
}

int
valid_provider_code(const char *s)
{
	return valid_run(s, VALID_PROVIDER_LEN, VALID_PROVIDER_LEN, NULL, 0);
}

int
valid_auth_key(const char *s)
{
	return valid_run(s, VALID_KEY_LEN, VALID_KEY_LEN, "-_", 0);
}

int
valid_install_code(const char *s)
{
	return valid_run(s, VALID_CODE_LEN, VALID_CODE_LEN, NULL, 0);
}

int
valid_domain_hash(const char *s)
{
	return valid_run(s, 64, 64, NULL, 1);
}

int
valid_hwid(const char *s)
{
	return valid_run(s, 1, VALID_HWID_MAX, "._:=-", 0);
}

int
valid_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long n;

	if (s == NULL || *s == '\0' || strlen(s) > 18)
		return 0;
	if (!(*s == '-' || (*s >= '0' && *s <= '9')))
		return 0;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || n < lo || n > hi)
		return 0;
	*out = n;
	return 1;
}

/* Days from 1970-01-01 to year y, month m, day d of the proleptic
 * Gregorian calendar (Howard Hinnant's days_from_civil). */
static long
valid_civil_days(long y, long m, long d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
valid_date_days(const char *s, long *days)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	long y, m, d, leap;
	int i;

	if (s == NULL || strlen(s) != VALID_DATE_LEN || s[4] != '-' ||
	    s[7] != '-')
		return 0;
	for (i = 0; i < VALID_DATE_LEN; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1970 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1] + (m == 2 && leap))
		return 0;
	if (days != NULL)
		*days = valid_civil_days(y, m, d);
	return 1;
}

int
valid_date(const char *s)
{
	return valid_date_days(s, NULL);
}

void
valid_date_format(long days, char out[VALID_DATE_LEN + 1])
{
	long z, era, doe, yoe, y, doy, mp, d, m;

	/* Howard Hinnant's civil_from_days */
	z = days + 719468;
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp + (mp < 10 ? 3 : -9);
	y += m <= 2;
	y = y < 0 ? 0 : y % 10000;
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

/* Length of the UTF-8 sequence at s (1..4), or 0 when it is not valid. */
static size_t
valid_utf8_seq(const unsigned char *s)
{
	size_t len, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Length of the character at s, or 0 when it is no valid UTF-8 or a C0
 * control or DEL. */
static size_t
valid_char(const unsigned char *s)
{
	size_t n;

	n = valid_utf8_seq(s);
	if (n == 1 && (s[0] < 0x20 || s[0] == 0x7f))
		return 0;
	return n;
}

/* Whether s is well-formed UTF-8 of at most max characters without C0
 * controls or DEL, and without C1 controls either when c1 is set. */
static int
valid_walk(const char *s, size_t max, int c1)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, chars = 0;

	if (s == NULL)
		return 0;
	while (*p != '\0') {
		n = valid_char(p);
		if (n == 0)
			return 0;
		/* U+0080..U+009F, the C1 controls, are 0xc2 0x80..0x9f */
		if (c1 && n == 2 && p[0] == 0xc2 && p[1] <= 0x9f)
			return 0;
		if (++chars > max)
			return 0;
		p += n;
	}
	return 1;
}

int
valid_utf8_text(const char *s)
{
	return valid_walk(s, SIZE_MAX, 0);
}

char *
valid_clean_text(struct arena *a, const char *s, size_t max)
{
	const unsigned char *p;
	char *out;
	size_t n, o = 0;

	if (s == NULL)
		return NULL;
	out = arena_alloc(a, max + 1);
	p = (const unsigned char *)s;
	while (*p != '\0') {
		n = valid_char(p);
		if (n == 0) {
			if (o + 1 > max)
				break;
			out[o++] = '?';
			p++;
			continue;
		}
		if (o + n > max)
			break;
		memcpy(out + o, p, n);
		o += n;
		p += n;
	}
	out[o] = '\0';
	return out;
}

int
valid_text(const char *s, size_t max)
{
	return valid_walk(s, max, 1);
}
