/* Subscription URLs, their domain and the final link: fcgi/happlink.c.
 *
 * The input is three lines: a URL, a title and an install code (a code
 * of the wrong format is replaced by a good one). The domain must be the
 * text the contract says the app hashes; a URL that normalize() accepts
 * must keep its domain, and give a final link with the same domain, the
 * fragment's parameters kept in order and the installid last. */

#include <strings.h>

#include "fuzzhelp.h"
#include "happlink.h"
#include "params.h"
#include "valid.h"

static struct arena *A;

/* The fragment's parameters: after the first '#', after the first '?'
 * that follows it; NULL when there are none. */
static const char *
ref_frag_params(const char *url)
{
	const char *frag = strchr(url, '#');

	if (frag == NULL || strchr(frag, '?') == NULL)
		return NULL;
	return strchr(frag, '?') + 1;
}

/* The name of the parameter at p (up to '=', '&' or the end). */
static char *
ref_name(const char *p)
{
	return arena_strndup(A, p, strcspn(p, "=&"));
}

/* The value of the first host=VALUE among the fragment's parameters; ""
 * for an empty one; NULL when there is none. */
static const char *
ref_front(const char *url)
{
	const char *p = ref_frag_params(url);
	size_t n;

	for (; p != NULL; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
		n = strcspn(p, "&");
		if (strcmp(ref_name(p), "host") == 0 && p[4] == '=')
			return arena_strndup(A, p + 5, n - 5);
	}
	return NULL;
}

/* "Which text is hashed": the host= value, else what follows the first
 * "://" up to the first '/'. NULL when that is empty. */
static const char *
ref_domain(const char *url)
{
	const char *front, *s;

	front = ref_front(url);
	if (front != NULL)
		return *front != '\0' ? front : NULL;
	if ((s = strstr(url, "://")) == NULL)
		return NULL;
	s += 3;
	if (strcspn(s, "/") == 0)
		return NULL;
	return arena_strndup(A, s, strcspn(s, "/"));
}

/* Why normalize() must refuse url, or HAPPLINK_OK. */
static enum happlink_err
ref_error(const char *url)
{
	const char *sep, *p;
	size_t scheme;

	if (*url == '\0')
		return HAPPLINK_EMPTY;
	if (strlen(url) > HAPPLINK_URL_MAX)
		return HAPPLINK_TOO_LONG;
	for (p = url; *p != '\0'; p += fuzz_utf8_len((const unsigned char *)p))
		if (fuzz_utf8_len((const unsigned char *)p) == 0 ||
		    (unsigned char)*p <= 0x20 || *p == 0x7f)
			return HAPPLINK_BAD_CHARS;
	if ((sep = strstr(url, "://")) == NULL || sep == url)
		return HAPPLINK_NO_SCHEME;
	scheme = (size_t)(sep - url);
	if (!(scheme == 4 && strncasecmp(url, "http", 4) == 0) &&
	    !(scheme == 5 && strncasecmp(url, "https", 5) == 0))
		return HAPPLINK_NOT_HTTP;
	if (strcspn(sep + 3, "/?#") == 0)
		return HAPPLINK_NO_HOST;
	for (p = ref_frag_params(url); p != NULL;
	    p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL)
		if (strcmp(ref_name(p), "host") == 0 &&
		    (p[4] != '=' || p[5] == '&' || p[5] == '\0'))
			return HAPPLINK_EMPTY_FRONT;
	/* the '/' put after a host with no path must fit as well */
	if (sep[3 + strcspn(sep + 3, "/?#")] != '/' &&
	    strlen(url) + 1 > HAPPLINK_URL_MAX)
		return HAPPLINK_TOO_LONG;
	return HAPPLINK_OK;
}

/* The fragment's parameters of url but any installid, each followed by
 * '&'; what final() must keep. */
static const char *
ref_kept(const char *url)
{
	const char *p = ref_frag_params(url);
	struct buf b;
	size_t n;

	buf_init(&b, A);
	for (; p != NULL; p = p[n] == '&' ? p + n + 1 : NULL) {
		n = strcspn(p, "&");
		if (n > 0 && strcasecmp(ref_name(p), "installid") != 0) {
			buf_append(&b, p, n);
			buf_puts(&b, "&");
		}
	}
	return b.data;
}

static void
check_title(const char *title)
{
	const char *enc, *p;
	size_t len;

	enc = happlink_title(A, title);
	for (p = enc; *p != '\0'; p++) {
		if (*p == '%') {
			FUZZ_CHECK(strchr("0123456789ABCDEF", p[1]) != NULL &&
			    p[1] != '\0');
			FUZZ_CHECK(strchr("0123456789ABCDEF", p[2]) != NULL &&
			    p[2] != '\0');
			continue;
		}
		FUZZ_CHECK(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
		    "qrstuvwxyz0123456789-._~", *p) != NULL);
	}
	FUZZ_CHECK_STR(params_decode(A, enc, strlen(enc), 0, &len), title);
}

static void
check_final(const char *url, const char *title, const char *code)
{
	const char *f, *old, *hash, *want_title;
	size_t pre;

	old = happlink_old_title(A, url);
	f = happlink_final(A, url, title, code);
	if (*title == '\0' && *old == '\0') {
		FUZZ_CHECK(f == NULL);
		return;
	}
	FUZZ_CHECK(f != NULL);
	pre = strcspn(url, "#");
	FUZZ_CHECK(strncmp(f, url, pre) == 0 && f[pre] == '#');
	want_title = *title != '\0' ? happlink_title(A, title) : old;
	FUZZ_CHECK_STR(happlink_old_title(A, f), want_title);
	FUZZ_CHECK_STR(f + pre + 1 + strlen(want_title), arena_printf(A,
	    "?%sinstallid=%s", ref_kept(url), code));
	/* the app hashes the same domain in the final link */
	hash = happlink_domain(A, url);
	if (hash == NULL)
		FUZZ_CHECK(happlink_domain(A, f) == NULL);
	else
		FUZZ_CHECK_STR(happlink_domain(A, f), hash);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	const char *url, *title, *code, *norm, *dom, *want, *host, *final;
	const char *frag;
	enum happlink_err err;
	size_t hlen;

	if (A == NULL)
		A = arena_new();
	url = fuzz_field(A, &in, '\n', NULL);
	title = fuzz_field(A, &in, '\n', NULL);
	code = fuzz_field(A, &in, '\n', NULL);
	if (!valid_install_code(code))
		code = "6P0hVao1fG5e";

	/* any text: the domain is what the contract says */
	dom = happlink_domain(A, url);
	want = ref_domain(url);
	if (want == NULL)
		FUZZ_CHECK(dom == NULL);
	else
		FUZZ_CHECK_STR(dom, want);
	if (dom != NULL && ref_front(url) == NULL)
		FUZZ_CHECK(strchr(dom, '/') == NULL);
	frag = strchr(url, '#') != NULL ? strchr(url, '#') + 1 : "";
	FUZZ_CHECK_STR(happlink_old_title(A, url),
	    arena_strndup(A, frag, strcspn(frag, "?")));
	check_title(title);
	FUZZ_CHECK(happlink_strerror(HAPPLINK_OK) != NULL);

	norm = happlink_normalize(A, url, &err);
	FUZZ_CHECK(err == ref_error(url));
	FUZZ_CHECK(happlink_strerror(err) != NULL);
	if (norm == NULL) {
		FUZZ_CHECK(err != HAPPLINK_OK);
		goto out;
	}
	FUZZ_CHECK(err == HAPPLINK_OK);
	FUZZ_CHECK(strlen(norm) <= HAPPLINK_URL_MAX);
	/* the host now ends at a '/', so that a fragment added to the link
	 * stays out of the domain; nothing else moved */
	host = strstr(norm, "://") + 3;
	hlen = strcspn(host, "/?#");
	FUZZ_CHECK(host[hlen] == '/');
	FUZZ_CHECK(strlen(norm) == strlen(url) ||
	    (strlen(norm) == strlen(url) + 1 &&
	    strncmp(norm, url, (size_t)(host - norm) + hlen) == 0 &&
	    strcmp(norm + (host - norm) + hlen + 1, url + (host - norm) +
	    hlen) == 0));
	if (strlen(norm) == strlen(url))
		FUZZ_CHECK_STR(norm, url);
	FUZZ_CHECK_STR(happlink_normalize(A, norm, &err), norm);
	dom = happlink_domain(A, norm);
	FUZZ_CHECK(dom != NULL);
	if (ref_front(norm) == NULL)
		FUZZ_CHECK_STR(dom, arena_strndup(A, host, hlen));
	check_final(norm, title, code);
	/* the final link is itself a subscription URL that needs no change */
	final = happlink_final(A, norm, title, code);
	if (final != NULL && strlen(final) <= HAPPLINK_URL_MAX)
		FUZZ_CHECK_STR(happlink_normalize(A, final, &err), final);
out:
	/* a link that normalize() refused is still handled safely */
	if (url[0] != '\0')
		happlink_final(A, url, title, code);
	arena_reset(A);
	return 0;
}
