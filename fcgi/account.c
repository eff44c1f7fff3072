#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "account_domains.h"
#include "account_links.h"
#include "account_page.h"
#include "account_signin.h"
#include "log.h"
#include "sessions.h"

#define ACCT_PREFIX	"/account/"

#define ACCT_GET	1
#define ACCT_POST	2

/* What every account answer carries: no framing, no sniffing, no caching,
 * no inline script or style, forms only to us. */
#define ACCT_CSP \
	"default-src 'none'; style-src 'self'; script-src 'self'; " \
	"img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; " \
	"base-uri 'none'"

struct acct_page {
	int		 method;
	const char	*path;		/* after /account/; '#' is a number */
	int		 signed_in;	/* needs a session; a POST, its token */
	void		(*fn)(struct acct *);
};

static const struct acct_page acct_pages[] = {
	{ ACCT_GET,	"",			0, acct_home },
	{ ACCT_POST,	"signin",		0, acct_signin },
	{ ACCT_POST,	"signout",		1, acct_signout },
	{ ACCT_GET,	"links",		1, acct_links },
	{ ACCT_GET,	"links/new",		1, acct_new_form },
	{ ACCT_POST,	"links/new",		1, acct_new },
	{ ACCT_GET,	"links/#",		1, acct_link },
	{ ACCT_POST,	"links/#/edit",		1, acct_link_edit },
	{ ACCT_POST,	"links/#/status",	1, acct_link_status },
	{ ACCT_POST,	"links/#/devices/delete", 1, acct_device_delete },
	{ ACCT_POST,	"links/#/target",	1, acct_link_target },
	{ ACCT_GET,	"domains",		1, acct_domains },
	{ ACCT_POST,	"domains/add",		1, acct_domain_add },
	{ ACCT_POST,	"domains/delete",	1, acct_domain_delete },
};

/* Whether path fits pattern, where '#' stands for a positive number of
 * at most 18 digits, stored in *id. */
static int
acct_match(const char *pattern, const char *path, long long *id)
{
	size_t n;

	while (*pattern != '\0') {
		if (*pattern == '#') {
			n = strspn(path, "0123456789");
			if (n == 0 || n > 18 || *path == '0')
				return 0;
			*id = strtoll(path, NULL, 10);
			path += n;
			pattern++;
			continue;
		}
		if (*pattern++ != *path++)
			return 0;
	}
	return *path == '\0';
}

/* The page for method m at rest (the path after /account/), with the
 * number in the path stored in *id; NULL when there is none, and then
 * *other says whether rest takes another method. */
static const struct acct_page *
acct_find(int m, const char *rest, long long *id, int *other)
{
	size_t i;

	*other = 0;
	for (i = 0; i < sizeof(acct_pages) / sizeof(acct_pages[0]); i++) {
		if (!acct_match(acct_pages[i].path, rest, id))
			continue;
		if (acct_pages[i].method == m)
			return &acct_pages[i];
		*other = 1;
	}
	return NULL;
}

/* Lets a request to a page that needs a session through: loads the
 * session into a and, for a POST, checks its CSRF token. Returns 1 when
 * the page may run, 0 once it has answered. */
static int
acct_gate(struct acct *a, int post)
{
	struct http *h = a->h;

	switch (sessions_load(h, &a->s)) {
	case SESSIONS_DOWN:
		acct_db_error(a, "session");
		return 0;
	case SESSIONS_NONE:
		/* a cookie that opens nothing any more goes */
		if (http_cookie(h, SESSIONS_COOKIE) != NULL)
			sessions_end(h, NULL);
		acct_redirect(a, post ? "/account/?m=expired" : "/account/");
		return 0;
	case SESSIONS_OK:
		break;
	}
	a->signed_in = 1;
	snprintf(a->pid, sizeof(a->pid), "%lld", a->s.provider_id);
	if (post && !sessions_csrf_ok(h, &a->s)) {
		log_warn("account: %s: POST %s without a valid CSRF token "
		    "from %s", a->s.provider, h->path, h->remote_addr);
		acct_message(a, 403, "Form refused", "This form did not carry "
		    "a valid security token, so nothing was changed. Go back, "
		    "reload the page and try again.");
		return 0;
	}
	return 1;
}

void
account_dispatch(struct http *h)
{
	const struct acct_page *page;
	struct acct a;
	long long id = 0;
	int m, other;

	memset(&a, 0, sizeof(a));
	a.h = h;
	a.b = &h->body;
	http_header(h, "Content-Security-Policy: " ACCT_CSP);
	http_header(h, "X-Frame-Options: DENY");
	http_header(h, "X-Content-Type-Options: nosniff");
	http_header(h, "Referrer-Policy: same-origin");
	http_header(h, "Cache-Control: no-store");
	if (h->params.status != PARAMS_OK) {
		acct_message(&a, 400, "Bad request", "The request's "
		    "parameters are malformed or too long.");
		return;
	}
	m = strcmp(h->method, "POST") == 0 ? ACCT_POST : ACCT_GET;
	page = acct_find(m, h->path + strlen(ACCT_PREFIX), &id, &other);
	if (page == NULL && other) {
		http_header(h, "Allow: %s", m == ACCT_POST ? "GET, HEAD" :
		    "POST");
		acct_message(&a, 405, "Not here", "This address does not "
		    "take that kind of request.");
	} else if (page == NULL) {
		acct_not_found(&a);
	} else {
		acct_set_id(&a, id);
		if (!page->signed_in || acct_gate(&a, m == ACCT_POST))
			page->fn(&a);
	}
}
