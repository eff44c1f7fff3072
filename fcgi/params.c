#include <string.h>

#include "params.h"

static int
params_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes len bytes of s into the arena; *out is NULL unless PARAMS_OK. */
static enum params_status
params_unescape(struct arena *a, const char *s, size_t len, int plus,
    char **out, size_t *out_len)
{
	char *d;
	size_t i, o;
	int hi, lo;

	*out = NULL;
	d = arena_alloc(a, len + 1);
	for (i = 0, o = 0; i < len; i++, o++) {
		if (s[i] == '%') {
			if (i + 2 >= len)
				return PARAMS_BAD_ENCODING;
			hi = params_hex((unsigned char)s[i + 1]);
			lo = params_hex((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return PARAMS_BAD_ENCODING;
			d[o] = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '+' && plus) {
			d[o] = ' ';
		} else {
			d[o] = s[i];
		}
		/* %00, or a raw NUL in a body, would cut the C string */
		if (d[o] == '\0')
			return PARAMS_NUL;
	}
	d[o] = '\0';
	*out = d;
	*out_len = o;
	return PARAMS_OK;
}

char *
params_decode(struct arena *a, const char *s, size_t len, int plus,
    size_t *out_len)
{
	char *out;

	params_unescape(a, s, len, plus, &out, out_len);
	return out;
}

static enum params_status
params_add(struct params *p, struct arena *a, const char *s, size_t len,
    unsigned int from)
{
	enum params_status st;
	const char *eq;
	char *name, *value;
	size_t nlen, vlen, dlen;
	int i;

	eq = memchr(s, '=', len);
	nlen = eq != NULL ? (size_t)(eq - s) : len;
	if (nlen == 0)
		return PARAMS_EMPTY_NAME;
	if (nlen > PARAMS_NAME_MAX * 3)
		return PARAMS_TOO_LONG;
	st = params_unescape(a, s, nlen, 1, &name, &dlen);
	if (st != PARAMS_OK)
		return st;
	if (dlen > PARAMS_NAME_MAX)
		return PARAMS_TOO_LONG;
	p->bad_name = name;
	vlen = eq != NULL ? len - nlen - 1 : 0;
	if (vlen > PARAMS_VALUE_MAX * 3)
		return PARAMS_TOO_LONG;
	st = params_unescape(a, eq != NULL ? eq + 1 : "", vlen, 1, &value,
	    &dlen);
	if (st != PARAMS_OK)
		return st;
	if (dlen > PARAMS_VALUE_MAX)
		return PARAMS_TOO_LONG;
	for (i = 0; i < p->n; i++) {
		if (strcmp(p->items[i].name, name) == 0) {
			p->items[i].count++;
			p->items[i].from |= from;
			p->bad_name = NULL;
			return PARAMS_OK;
		}
	}
	if (p->n == PARAMS_MAX)
		return PARAMS_TOO_MANY;
	p->items[p->n].name = name;
	p->items[p->n].value = value;
	p->items[p->n].len = dlen;
	p->items[p->n].count = 1;
	p->items[p->n].from = from;
	p->n++;
	p->bad_name = NULL;
	return PARAMS_OK;
}

void
params_init(struct params *p)
{
	p->n = 0;
	p->status = PARAMS_OK;
	p->bad_name = NULL;
}

enum params_status
params_parse_from(struct params *p, struct arena *a, const char *s,
    size_t len, unsigned int from)
{
	const char *end, *amp;
	size_t plen;

	/* a fault stays: a good body must not hide a bad query string */
	if (p->status != PARAMS_OK)
		return p->status;
	end = s + len;
	while (s < end) {
		amp = memchr(s, '&', (size_t)(end - s));
		plen = amp != NULL ? (size_t)(amp - s) : (size_t)(end - s);
		if (plen > 0) {
			p->status = params_add(p, a, s, plen, from);
			if (p->status != PARAMS_OK)
				break;
		}
		s += plen + (amp != NULL ? 1 : 0);
	}
	return p->status;
}

enum params_status
params_parse(struct params *p, struct arena *a, const char *s, size_t len)
{
	return params_parse_from(p, a, s, len, PARAMS_QUERY);
}

const struct param *
params_find(const struct params *p, const char *name)
{
	int i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->items[i].name, name) == 0)
			return &p->items[i];
	return NULL;
}

const struct param *
params_first_dup(const struct params *p)
{
	int i;

	for (i = 0; i < p->n; i++)
		if (p->items[i].count > 1)
			return &p->items[i];
	return NULL;
}

const char *
params_strerror(enum params_status st)
{
	switch (st) {
	case PARAMS_OK:
		return "ok";
	case PARAMS_BAD_ENCODING:
		return "bad percent-encoding";
	case PARAMS_NUL:
		return "NUL byte";
	case PARAMS_TOO_MANY:
		return "too many parameters";
	case PARAMS_TOO_LONG:
		return "too long";
	case PARAMS_EMPTY_NAME:
		return "empty parameter name";
	}
	return "bad parameters";
}
