#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "log.h"
#include "page.h"
#include "page_domains.h"
#include "page_link.h"
#include "page_links.h"
#include "page_newlink.h"
#include "page_activity.h"
#include "page_signin.h"
#include "page_stats.h"
#include "page_webhook.h"
#include "sessions.h"

#define ACCOUNT_PREFIX	"/account/"

#define ACCOUNT_GET	1
#define ACCOUNT_POST	2

/* What every account answer carries: no framing, no sniffing, no caching,
 * no inline script or style, forms only to us. */
#define ACCOUNT_CSP \
	"default-src 'none'; style-src 'self'; script-src 'self'; " \
	"img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; " \
	"base-uri 'none'"

struct account_page {
	int		 method;
	const char	*path;		/* after /account/; '#' is a number */
	int		 signed_in;	/* needs a session; a POST, its token */
	void		(*fn)(struct page *);
};

static const struct account_page account_pages[] = {
	{ ACCOUNT_GET,	"",			0, page_signin_home },
	{ ACCOUNT_POST,	"signin",		0, page_signin_post },
	{ ACCOUNT_POST,	"signout",		1, page_signin_out },
	{ ACCOUNT_GET,	"links",		1, page_links_list },
	{ ACCOUNT_GET,	"links/new",		1, page_newlink_form },
	{ ACCOUNT_POST,	"links/new",		1, page_newlink_create },
	{ ACCOUNT_GET,	"links/#",		1, page_link_show },
	{ ACCOUNT_POST,	"links/#/edit",		1, page_link_edit },
	{ ACCOUNT_POST,	"links/#/status",	1, page_link_status },
	{ ACCOUNT_POST,	"links/#/devices/delete", 1, page_link_device_delete },
	{ ACCOUNT_POST,	"links/#/target",	1, page_link_target },
	{ ACCOUNT_GET,	"links/#/history.csv",	1, page_link_history_csv },
	{ ACCOUNT_GET,	"stats",		1, page_stats_show },
	{ ACCOUNT_GET,	"stats.csv",		1, page_stats_csv },
	{ ACCOUNT_GET,	"activity",		1, page_activity_show },
	{ ACCOUNT_GET,	"activity.csv",		1, page_activity_csv },
	{ ACCOUNT_GET,	"links/#/reset",	1, page_link_reset_form },
	{ ACCOUNT_POST,	"links/#/reset",	1, page_link_reset },
	{ ACCOUNT_POST,	"links/#/self-service",	1, page_link_self_service },
	{ ACCOUNT_GET,	"webhook",		1, page_webhook_show },
	{ ACCOUNT_POST,	"webhook",		1, page_webhook_save },
	{ ACCOUNT_POST,	"webhook/delete",	1, page_webhook_delete },
	{ ACCOUNT_POST,	"webhook/resend",	1, page_webhook_resend },
	{ ACCOUNT_GET,	"domains",		1, page_domains_show },
	{ ACCOUNT_POST,	"domains/add",		1, page_domains_add },
	{ ACCOUNT_POST,	"domains/delete",	1, page_domains_delete },
};

/* Whether path fits pattern, where '#' stands for a positive number of
 * at most 18 digits, stored in *id. */
static int
account_match(const char *pattern, const char *path, long long *id)
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
static const struct account_page *
account_find(int m, const char *rest, long long *id, int *other)
{
	size_t i;

	*other = 0;
	for (i = 0; i < sizeof(account_pages) / sizeof(account_pages[0]); i++) {
		if (!account_match(account_pages[i].path, rest, id))
			continue;
		if (account_pages[i].method == m)
			return &account_pages[i];
		*other = 1;
	}
	return NULL;
}

/* Lets a request to a page that needs a session through: loads the
 * session into a and, for a POST, checks its CSRF token. Returns 1 when
 * the page may run, 0 once it has answered. */
static int
account_gate(struct page *p, int post)
{
	struct http *h = p->h;

	switch (sessions_load(h, &p->s)) {
	case SESSIONS_DOWN:
		page_failed(p);
		return 0;
	case SESSIONS_NONE:
		/* a cookie that opens nothing any more goes */
		if (http_cookie(h, SESSIONS_COOKIE) != NULL)
			sessions_end(h, NULL);
		page_redirect(p, post ? "/account/?m=expired" : "/account/");
		return 0;
	case SESSIONS_OK:
		break;
	}
	p->signed_in = 1;
	if (post && !sessions_csrf_ok(h, &p->s)) {
		log_warn("account: %s: POST %s without a valid CSRF token "
		    "from %s", p->s.provider, h->path, h->remote_addr);
		page_message(p, 403, "Form refused", "This form did not carry "
		    "a valid security token, so nothing was changed. Go back, "
		    "reload the page and try again.");
		return 0;
	}
	return 1;
}

void
account_dispatch(struct http *h)
{
	const struct account_page *page;
	struct page p;
	long long id = 0;
	int m, other;

	memset(&p, 0, sizeof(p));
	p.h = h;
	p.a = h->arena;
	p.b = &h->body;
	http_page_headers(h, ACCOUNT_CSP);
	if (h->params.status != PARAMS_OK) {
		page_message(&p, 400, "Bad request", "The request's "
		    "parameters are malformed or too long.");
		return;
	}
	m = strcmp(h->method, "POST") == 0 ? ACCOUNT_POST : ACCOUNT_GET;
	page = account_find(m, h->path + strlen(ACCOUNT_PREFIX), &id, &other);
	if (page == NULL && other) {
		http_header(h, "Allow: %s", m == ACCOUNT_POST ? "GET, HEAD" :
		    "POST");
		page_message(&p, 405, "Not here", "This address does not "
		    "take that kind of request.");
	} else if (page == NULL) {
		page_not_found(&p);
	} else {
		p.id = id;
		if (!page->signed_in || account_gate(&p, m == ACCOUNT_POST))
			page->fn(&p);
	}
}
