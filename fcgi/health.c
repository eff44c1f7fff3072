#include "db.h"
#include "health.h"
#include "metrics.h"
#include "netaddr.h"
#include "reply.h"

void
health_healthz(struct http *h)
{
	static const char *const none[1] = { NULL };
	struct db_number one;
	int up;

	/* no parameter: none[] only gives DB_ONE its count, 0 */
	up = db_one(h->arena, DB_PING, 0, none, &one, sizeof(one)) == 1 &&
	    one.value == 1;
	h->status = up ? 200 : 503;
	h->content_type = "application/json";
	http_header(h, "Cache-Control: no-store");
	h->body.len = 0;
	buf_puts(&h->body, up ? "{\"status\":\"ok\"}" :
	    "{\"status\":\"db_unavailable\"}");
}

void
health_metrics(struct http *h)
{
	if (h->cfg == NULL ||
	    !netaddr_in_list(h->cfg->metrics_allow, h->remote_addr)) {
		reply_text(h, 403, "forbidden");
		return;
	}
	h->status = 200;
	h->content_type = "text/plain; version=0.0.4; charset=utf-8";
	http_header(h, "Cache-Control: no-store");
	h->body.len = 0;
	metrics_text(&h->body);
}
