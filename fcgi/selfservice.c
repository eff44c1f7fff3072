#include <string.h>

#include "crypt.h"
#include "db.h"
#include "devices.h"
#include "html.h"
#include "links.h"
#include "log.h"
#include "selfservice.h"

/* No script at all, forms only to here, nothing framed; the URL is the
 * key, so a Referer never leaves for another origin (same-origin, not
 * no-referrer, which would make the form's own Origin "null"). */
#define SELFSERVICE_CSP \
	"default-src 'none'; style-src 'self'; img-src 'self'; " \
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
#define SELFSERVICE_REF_LEN	32	/* hex digits of a device's reference */

/* One request to a page. */
struct self {
	struct http	*h;
	struct buf	*b;
	const char	*token;		/* from the path */
	char		 token_hash[CRYPT_SHA256_HEX];
	const char	*cookie;	/* the form's random cookie, or NULL */
};

/* The messages a redirect asks the page for with ?m=KEY. */
static const struct html_message selfservice_flashes[] = {
	{ "released", "ok", "The device was removed and its slot is free. "
	    "Add the subscription on your new device now." },
	{ "gone", "info", "That device had already been removed." },
};

const char *
selfservice_mask(struct arena *a, const char *hwid)
{
	size_t n = strlen(hwid);

	if (n > 8)
		return arena_printf(a, "%.4s…%s", hwid, hwid + n - 2);
	if (n > 3)
		return arena_printf(a, "%.2s…", hwid);
	return "…";
}

/* A keyed hash of what, under the server's secret, in the request's
 * arena. */
static const char *
selfservice_mac(struct self *s, const char *what)
{
	char *out;

	out = arena_alloc(s->h->arena, CRYPT_SHA256_HEX);
	crypt_key_hash(s->h->cfg->secret, sizeof(s->h->cfg->secret), what,
	    out);
	return out;
}

/* What a form names a device by: the HWID never leaves in full. */
static const char *
selfservice_ref(struct self *s, const char *hwid)
{
	return arena_strndup(s->h->arena, selfservice_mac(s,
	    arena_printf(s->h->arena, "my-device:%s:%s", s->token_hash,
	    hwid)), SELFSERVICE_REF_LEN);
}

/* The form's token: bound to this page and to the browser's cookie. */
static const char *
selfservice_csrf(struct self *s, const char *cookie)
{
	return selfservice_mac(s, arena_printf(s->h->arena, "my-form:%s:%s",
	    s->token_hash, cookie));
}

static void
selfservice_cookie(struct self *s, const char *value)
{
	http_header(s->h, "Set-Cookie: %s=%s; Path=%s; HttpOnly; "
	    "SameSite=Strict%s", SELFSERVICE_COOKIE, value, LINKS_SELF_PATH,
	    s->h->https ? "; Secure" : "");
}

/* Whether v looks like a cookie value we made. */
static int
selfservice_cookie_ok(const char *v)
{
	return v != NULL && strlen(v) == LINKS_SELF_TOKEN_LEN &&
	    strspn(v, CRYPT_KEYCHARS) == LINKS_SELF_TOKEN_LEN;
}

/* Starts a page with status: the document head, and a header that names
 * nothing of the provider's. */
static void
selfservice_begin(struct self *s, int status, const char *title)
{
	s->h->status = status;
	s->h->content_type = "text/html; charset=utf-8";
	s->b->len = 0;
	html_printf(s->b, "<!doctype html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n"
	    "<meta name=\"robots\" content=\"noindex\">\n"
	    "<title>%s</title>\n<link rel=\"stylesheet\" href=\"%s\">\n"
	    "</head>\n<body class=\"out self-page\">\n<main class=\"wrap\">\n",
	    title, HTML_CSS);
}

static void
selfservice_end(struct self *s)
{
	buf_puts(s->b, "</main>\n</body>\n</html>\n");
}

static void
selfservice_message(struct self *s, int status, const char *title,
    const char *text)
{
	selfservice_begin(s, status, title);
	html_printf(s->b, "<section class=\"card narrow message\"><h1>%s</h1>"
	    "\n<p>%s</p></section>\n", title, text);
	selfservice_end(s);
}

/* Unknown tokens, rotated ones, pages turned off: all alike. */
static void
selfservice_nothing(struct self *s)
{
	selfservice_message(s, 404, "Nothing here", "This address does not "
	    "lead to a page. Ask your provider for the current one.");
}

static void
selfservice_failed(struct self *s)
{
	if (db_failure() == DB_FAIL_SQL || db_failure() == DB_FAIL_NONE) {
		selfservice_message(s, 500, "Something went wrong", "The page "
		    "could not be shown. Try again later.");
		return;
	}
	http_header(s->h, "Retry-After: 5");
	selfservice_message(s, 503, "Try again in a moment", "The server is "
	    "busy right now. Nothing was changed.");
}

/* The page: the devices of rows (got rows, n devices); note (may be
 * NULL) a message of kind to show above them. */
static void
selfservice_page(struct self *s, int status, const struct db_self_device *d,
    int got, int n, const char *kind, const char *note)
{
	const char *csrf;
	int hours = s->h->cfg->release_cooldown_hours, i;

	selfservice_begin(s, status, "Your devices");
	html_printf(s->b, "<div class=\"head\"><div><h1>Your devices</h1>"
	    "<p class=\"sub\">%d of the %d place%s of this subscription "
	    "%s taken.</p></div></div>\n", d[0].install_count,
	    d[0].install_limit, d[0].install_limit == 1 ? "" : "s",
	    d[0].install_count == 1 ? "is" : "are");
	html_message(s->b, selfservice_flashes, sizeof(selfservice_flashes) /
	    sizeof(selfservice_flashes[0]), status == 200 ?
	    http_param(s->h, "m") : NULL);
	if (note != NULL)
		html_flash(s->b, kind, note);
	if (hours == 0)
		buf_puts(s->b, "<p class=\"hint\">Devices cannot be removed "
		    "here. Ask your provider.</p>\n");
	else if (d[0].next_release != NULL)
		html_printf(s->b, "<p class=\"hint\">You can remove one device "
		    "every %d hours. The next removal is possible from <strong>"
		    "%s UTC</strong>.</p>\n", hours, d[0].next_release);
	else
		html_printf(s->b, "<p class=\"hint\">Changed phones? Remove the "
		    "old device to free its place; you can remove one device "
		    "every %d hours.</p>\n", hours);
	if (n == 0)
		buf_puts(s->b, "<section class=\"card\"><p class=\"empty\">No "
		    "device holds a place yet.</p></section>\n");
	if (!selfservice_cookie_ok(s->cookie))
		s->cookie = NULL;
	csrf = s->cookie != NULL ? selfservice_csrf(s, s->cookie) : NULL;
	for (i = 0; i < got; i++) {
		if (d[i].hwid == NULL)
			continue;
		html_printf(s->b, "<section class=\"card device\"><h2>%s</h2>\n"
		    "<dl class=\"facts\"><dt>System</dt><dd>%s %s</dd>"
		    "<dt>Device id</dt><dd><code>%s</code></dd>"
		    "<dt>First seen</dt><dd>%s UTC</dd>"
		    "<dt>Last seen</dt><dd>%s UTC</dd></dl>\n",
		    d[i].model != NULL && *d[i].model != '\0' ? d[i].model :
		    "Unknown device", d[i].device_os != NULL ? d[i].device_os :
		    "", d[i].os_version != NULL ? d[i].os_version : "",
		    selfservice_mask(s->h->arena, d[i].hwid), d[i].first_seen,
		    d[i].last_seen);
		if (hours > 0 && d[0].next_release == NULL && csrf != NULL)
			html_printf(s->b, "<form method=\"post\" action=\"%s%s\" "
			    "class=\"actions\"><input type=\"hidden\" "
			    "name=\"csrf\" value=\"%s\"><input type=\"hidden\" "
			    "name=\"device\" value=\"%s\"><button type=\"submit\" "
			    "class=\"danger\">Remove this device</button></form>"
			    "\n", LINKS_SELF_PATH, s->token, csrf,
			    selfservice_ref(s, d[i].hwid));
		buf_puts(s->b, "</section>\n");
	}
	selfservice_end(s);
}

/* The page's link and its devices, into *d and *n as devices_self_list()
 * gives them. Returns 0, or -1 once it has answered that there is no such
 * page, or the failure. */
static int
selfservice_devices(struct self *s, struct db_self_device **d, int *n)
{
	switch (devices_self_list(s->h->arena, s->token_hash,
	    s->h->cfg->release_cooldown_hours, d, n)) {
	case DB_OK:
		return 0;
	case DB_NOT_FOUND:
		selfservice_nothing(s);
		return -1;
	default:
		selfservice_failed(s);
		return -1;
	}
}

/* Shows the page, with note (may be NULL). */
static void
selfservice_show(struct self *s, int status, const char *kind,
    const char *note)
{
	struct db_self_device *d;
	char fresh[LINKS_SELF_TOKEN_LEN + 1];
	int n;

	if (selfservice_devices(s, &d, &n) != 0)
		return;
	if (!selfservice_cookie_ok(s->cookie)) {
		if (crypt_random_string(fresh, LINKS_SELF_TOKEN_LEN,
		    CRYPT_KEYCHARS) == 0) {
			selfservice_cookie(s, fresh);
			s->cookie = arena_strdup(s->h->arena, fresh);
		} else {
			log_error("selfservice: the random source failed");
		}
	}
	/* rows: at least the one of the link, devices or not */
	selfservice_page(s, status, d, n > 0 ? n : 1, n, kind, note);
}

/* Why a POST does not come from this very page, or NULL when it does:
 * its form token, bound to the cookie (which a browser sends only from a
 * page of this site), and no Origin or Sec-Fetch-Site saying another
 * site sent it. */
static const char *
selfservice_not_ours(struct self *s)
{
	const struct param *p;
	const char *origin, *site, *host;

	site = http_var(s->h, HTTP_VAR_SEC_FETCH_SITE);
	if (site != NULL && strcmp(site, "same-origin") != 0 &&
	    strcmp(site, "none") != 0)
		return "sent from another site";
	origin = http_var(s->h, HTTP_VAR_ORIGIN);
	host = http_var(s->h, HTTP_VAR_HOST);
	if (origin != NULL && (host == NULL || strcmp(origin, arena_printf(
	    s->h->arena, "%s://%s", s->h->https ? "https" : "http",
	    host)) != 0))
		return "sent from another origin";
	p = http_body_param(s->h, "csrf");
	if (!selfservice_cookie_ok(s->cookie) || p == NULL || p->count != 1 ||
	    !crypt_equal(p->value, selfservice_csrf(s, s->cookie)))
		return "without the page's token";
	return NULL;
}

/* Back to the page, with the message key asks for. */
static void
selfservice_back(struct self *s, const char *key)
{
	s->h->status = 303;
	s->h->content_type = "text/plain; charset=utf-8";
	s->b->len = 0;
	http_header(s->h, "Location: %s%s?m=%s", LINKS_SELF_PATH, s->token,
	    key);
	buf_puts(s->b, "See Other\n");
}

/* POST /my/TOKEN: frees the slot of the device the form names. */
static void
selfservice_release(struct self *s)
{
	struct db_self_device *d;
	struct db_self_released r;
	struct audit_actor who = { AUDIT_SELF, NULL, s->h->remote_addr };
	const char *ref, *why, *hwid = NULL;
	int n, i;

	if ((why = selfservice_not_ours(s)) != NULL) {
		log_warn("selfservice: a POST from %s %s, refused",
		    s->h->remote_addr, why);
		selfservice_message(s, 403, "Form refused", "This form did not "
		    "come from this page, so nothing was changed. Open the "
		    "page again and use its button.");
		return;
	}
	if (selfservice_devices(s, &d, &n) != 0)
		return;
	ref = http_param(s->h, "device");
	for (i = 0; ref != NULL && i < n; i++)
		if (crypt_equal(ref, selfservice_ref(s, d[i].hwid)))
			hwid = d[i].hwid;
	if (hwid == NULL) {
		selfservice_back(s, "gone");
		return;
	}
	/* the end user, whom only the page's address names: no session */
	switch (devices_self_release(s->h->arena, s->token_hash, hwid,
	    s->h->cfg->release_cooldown_hours, &who, &r)) {
	case DB_OK:
		log_info("selfservice: link %lld freed a slot through its page",
		    d[0].link_id);
		selfservice_back(s, "released");
		return;
	case DB_NO_DEVICE:
		selfservice_back(s, "gone");
		return;
	case DB_COOLDOWN:
		selfservice_show(s, 429, "error", arena_printf(s->h->arena,
		    "A device was removed here less than %d hours ago. The next "
		    "removal is possible from %s UTC.",
		    s->h->cfg->release_cooldown_hours, r.next));
		return;
	case DB_OFF:
		selfservice_show(s, 403, "error", "Devices cannot be removed "
		    "here. Ask your provider.");
		return;
	case DB_NOT_FOUND:
		selfservice_nothing(s);
		return;
	default:
		selfservice_failed(s);
		return;
	}
}

void
selfservice_dispatch(struct http *h)
{
	struct self s;
	const char *rest;

	memset(&s, 0, sizeof(s));
	s.h = h;
	s.b = &h->body;
	http_page_headers(h, SELFSERVICE_CSP);
	http_header(h, "X-Robots-Tag: noindex");
	rest = h->path + strlen(LINKS_SELF_PATH);
	if (h->params.status != PARAMS_OK || !selfservice_cookie_ok(rest)) {
		selfservice_nothing(&s);
		return;
	}
	s.token = rest;
	crypt_sha256_hex(rest, strlen(rest), s.token_hash);
	s.cookie = http_cookie(h, SELFSERVICE_COOKIE);
	if (strcmp(h->method, "POST") == 0)
		selfservice_release(&s);
	else
		selfservice_show(&s, 200, NULL, NULL);
}
