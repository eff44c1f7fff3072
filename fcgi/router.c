#include <string.h>

#include "account.h"
#include "api.h"
#include "check.h"
#include "reply.h"
#include "router.h"

#define ROUTE_GET	1
#define ROUTE_POST	2

struct route {
	const char	*path;
	int		 prefix;	/* path is a prefix, not the whole path */
	int		 methods;
	void		(*handler)(struct http *);
};

static const struct route router_table[] = {
	{ "/install",	0, ROUTE_GET,			check_install },
	{ "/provider",	0, ROUTE_GET,			check_provider },
	{ "/api/",	1, ROUTE_GET | ROUTE_POST,	api_dispatch },
	{ "/account/",	1, ROUTE_GET | ROUTE_POST,	account_dispatch },
};

static int
router_method(const char *m)
{
	if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0)
		return ROUTE_GET;
	if (strcmp(m, "POST") == 0)
		return ROUTE_POST;
	return 0;
}

void
router_dispatch(struct http *h)
{
	const struct route *r;
	size_t i, len;
	int m;

	m = router_method(h->method);
	for (i = 0; i < sizeof(router_table) / sizeof(router_table[0]); i++) {
		r = &router_table[i];
		len = strlen(r->path);
		if (r->prefix ? strncmp(h->path, r->path, len) != 0 :
		    strcmp(h->path, r->path) != 0)
			continue;
		if ((r->methods & m) == 0) {
			http_header(h, "Allow: %s",
			    r->methods == ROUTE_GET ? "GET, HEAD" :
			    r->methods == ROUTE_POST ? "POST" :
			    "GET, HEAD, POST");
			reply_text(h, 405, "method not allowed");
			return;
		}
		r->handler(h);
		return;
	}
	reply_text(h, 404, "not found");
}
