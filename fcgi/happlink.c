#include <string.h>
#include <strings.h>

#include "happlink.h"
#include "html.h"
#include "valid.h"

/* Where the fragment's parameters begin (after the '?' that ends its
 * title), or NULL when url has no fragment or the fragment no '?'. */
static const char *
happlink_frag_params(const char *url)
{
	const char *frag, *q;

	frag = strchr(url, '#');
	if (frag == NULL)
		return NULL;
	q = strchr(frag + 1, '?');
	return q != NULL ? q + 1 : NULL;
}

/* Whether the parameter at p (ending at '&' or NUL) is called name. */
static int
happlink_param_is(const char *p, const char *name, int nocase)
{
	size_t n = strlen(name);

	if ((nocase ? strncasecmp(p, name, n) : strncmp(p, name, n)) != 0)
		return 0;
	return p[n] == '=' || p[n] == '&' || p[n] == '\0';
}

const char *
happlink_domain(struct arena *a, const char *url)
{
	const char *start, *end, *p;

	p = happlink_frag_params(url);
	while (p != NULL && *p != '\0') {
		if (happlink_param_is(p, "host", 0) && p[4] == '=') {
			end = strchr(p + 5, '&');
			if (end == NULL)
				end = p + strlen(p);
			if (end == p + 5)
				return NULL;
			return arena_strndup(a, p + 5, (size_t)(end - p - 5));
		}
		p = strchr(p, '&');
		if (p != NULL)
			p++;
	}
	start = strstr(url, "://");
	if (start == NULL)
		return NULL;
	start += 3;
	end = strchr(start, '/');
	if (end == NULL)
		end = start + strlen(start);
	if (end == start)
		return NULL;
	return arena_strndup(a, start, (size_t)(end - start));
}

const char *
happlink_normalize(struct arena *a, const char *url, enum happlink_err *err)
{
	const char *sep, *host, *end, *p;
	size_t len, hlen;
	char *out;

	*err = HAPPLINK_EMPTY;
	if (url == NULL || *url == '\0')
		return NULL;
	len = strlen(url);
	*err = HAPPLINK_TOO_LONG;
	if (len > HAPPLINK_URL_MAX)
		return NULL;
	*err = HAPPLINK_BAD_CHARS;
	if (!valid_utf8_text(url) || strchr(url, ' ') != NULL)
		return NULL;
	*err = HAPPLINK_NO_SCHEME;
	sep = strstr(url, "://");
	if (sep == NULL || sep == url)
		return NULL;
	*err = HAPPLINK_NOT_HTTP;
	if (!((sep - url == 4 && strncasecmp(url, "http", 4) == 0) ||
	    (sep - url == 5 && strncasecmp(url, "https", 5) == 0)))
		return NULL;
	host = sep + 3;
	hlen = strcspn(host, "/?#");
	*err = HAPPLINK_NO_HOST;
	if (hlen == 0)
		return NULL;
	end = host + hlen;
	*err = HAPPLINK_EMPTY_FRONT;
	for (p = happlink_frag_params(url); p != NULL && *p != '\0'; ) {
		if (happlink_param_is(p, "host", 0) &&
		    (p[4] != '=' || p[5] == '&' || p[5] == '\0'))
			return NULL;
		p = strchr(p, '&');
		if (p != NULL)
			p++;
	}
	*err = HAPPLINK_OK;
	/* with nothing after the host, the fragment added later would
	 * become part of the domain the app hashes */
	if (*end == '/')
		return arena_strdup(a, url);
	/* what is stored and handed on is the URL with its '/' */
	if (len + 1 > HAPPLINK_URL_MAX) {
		*err = HAPPLINK_TOO_LONG;
		return NULL;
	}
	out = arena_alloc(a, len + 2);
	memcpy(out, url, (size_t)(end - url));
	out[end - url] = '/';
	memcpy(out + (end - url) + 1, end, len - (size_t)(end - url) + 1);
	return out;
}

const char *
happlink_title(struct arena *a, const char *title)
{
	struct buf b;

	/* the same bytes stay as in a query value */
	buf_init(&b, a);
	html_urlencode(&b, title);
	return b.data;
}

const char *
happlink_old_title(struct arena *a, const char *url)
{
	const char *frag;

	frag = strchr(url, '#');
	if (frag == NULL)
		return arena_strdup(a, "");
	frag++;
	return arena_strndup(a, frag, strcspn(frag, "?"));
}

const char *
happlink_final(struct arena *a, const char *url, const char *title,
    const char *code)
{
	const char *frag, *p, *end, *old;
	struct buf b;

	old = happlink_old_title(a, url);
	if ((title == NULL || *title == '\0') && *old == '\0')
		return NULL;
	frag = strchr(url, '#');
	buf_init(&b, a);
	buf_append(&b, url, frag != NULL ? (size_t)(frag - url) : strlen(url));
	buf_puts(&b, "#");
	buf_puts(&b, title != NULL && *title != '\0' ?
	    happlink_title(a, title) : old);
	buf_puts(&b, "?");
	for (p = happlink_frag_params(url); p != NULL && *p != '\0'; ) {
		end = strchr(p, '&');
		if (end == NULL)
			end = p + strlen(p);
		if (end > p && !happlink_param_is(p, "installid", 1)) {
			buf_append(&b, p, (size_t)(end - p));
			buf_puts(&b, "&");
		}
		p = *end == '&' ? end + 1 : end;
	}
	buf_puts(&b, "installid=");
	buf_puts(&b, code);
	return b.data;
}

const char *
happlink_strerror(enum happlink_err e)
{
	switch (e) {
	case HAPPLINK_OK:
		return "ok";
	case HAPPLINK_EMPTY:
		return "Paste the subscription URL.";
	case HAPPLINK_TOO_LONG:
		return "The URL is too long (at most 2048 bytes).";
	case HAPPLINK_BAD_CHARS:
		return "The URL contains spaces or control characters.";
	case HAPPLINK_NO_SCHEME:
		return "The URL has no scheme: it should start with https://.";
	case HAPPLINK_NOT_HTTP:
		return "Only http:// and https:// subscription URLs can be "
		    "limited.";
	case HAPPLINK_NO_HOST:
		return "The URL has no host after ://.";
	case HAPPLINK_EMPTY_FRONT:
		return "The host= parameter in the URL's fragment is empty.";
	}
	return "The URL is not valid.";
}
