#include <string.h>

#include "account.h"
#include "api.h"
#include "check.h"
#include "health.h"
#include "metrics.h"
#include "reply.h"
#include "router.h"
#include "selfservice.h"

#define ROUTE_GET	1
#define ROUTE_HEAD	2
#define ROUTE_POST	4

struct route {
	const char	*path;
	int		 prefix;	/* path is a prefix, not the whole path */
	int		 methods;
	void		(*handler)(struct http *);
	/* answers what the handler never sees, in its callers' shape */
	void		(*refuse)(struct http *, int, const char *);
	enum metrics_route metric;	/* what its requests count as */
};

/* HEAD runs a handler only where GET changes nothing: a HEAD of the check
 * would take a slot, and of the API create a link nobody sees. */
static const struct route router_table[] = {
	{ "/install",	0, ROUTE_GET,		check_install, check_refuse,
	    METRICS_ROUTE_INSTALL },
	{ "/provider",	0, ROUTE_GET,		check_provider,
	    check_provider_refuse, METRICS_ROUTE_PROVIDER },
	{ "/api/",	1, ROUTE_GET | ROUTE_POST, api_dispatch, api_refuse,
	    METRICS_ROUTE_API },
	{ "/account/",	1, ROUTE_GET | ROUTE_HEAD | ROUTE_POST,
	    account_dispatch, reply_text, METRICS_ROUTE_ACCOUNT },
	{ "/my/",	1, ROUTE_GET | ROUTE_HEAD | ROUTE_POST,
	    selfservice_dispatch, reply_text, METRICS_ROUTE_MY },
	{ "/healthz",	0, ROUTE_GET | ROUTE_HEAD, health_healthz, reply_text,
	    METRICS_ROUTE_HEALTHZ },
	{ "/metrics",	0, ROUTE_GET | ROUTE_HEAD, health_metrics, reply_text,
	    METRICS_ROUTE_METRICS },
};

static int
router_method(const char *m)
{
	if (strcmp(m, "GET") == 0)
		return ROUTE_GET;
	if (strcmp(m, "HEAD") == 0)
		return ROUTE_HEAD;
	if (strcmp(m, "POST") == 0)
		return ROUTE_POST;
	return 0;
}

static const struct route *
router_find(const char *path)
{
	const struct route *r;
	size_t i, len;

	for (i = 0; i < sizeof(router_table) / sizeof(router_table[0]); i++) {
		r = &router_table[i];
		len = strlen(r->path);
		if (r->prefix ? strncmp(path, r->path, len) == 0 :
		    strcmp(path, r->path) == 0)
			return r;
	}
	return NULL;
}

void
router_refuse(struct http *h, int status, const char *why)
{
	const struct route *r;

	r = router_find(h->path);
	if (r != NULL) {
		h->route = (int)r->metric;
		r->refuse(h, status, why);
	} else {
		reply_text(h, status, why);
	}
}

void
router_dispatch(struct http *h)
{
	const struct route *r;

	r = router_find(h->path);
	if (r == NULL) {
		reply_text(h, 404, "not found");
		return;
	}
	h->route = (int)r->metric;
	if ((r->methods & router_method(h->method)) == 0) {
		http_header(h, "Allow: %s%s%s",
		    r->methods & ROUTE_GET ? "GET" : "",
		    r->methods & ROUTE_HEAD ? ", HEAD" : "",
		    r->methods & ROUTE_POST ? ", POST" : "");
		r->refuse(h, 405, ROUTER_MSG_METHOD);
		return;
	}
	r->handler(h);
}
