#include <netdb.h>
#include <string.h>

#include "crypt.h"
#include "log.h"
#include "netaddr.h"
#include "webhooks.h"

/* As sql/functions/webhooks.sql's ll_webhook_types(), in its order. */
static const char *const webhooks_types[] = {
	"device.admitted",
	"device.refused",
	"link.full",
	"device.released",
	"device.expired",
};
#define WEBHOOKS_NTYPES	(sizeof(webhooks_types) / sizeof(webhooks_types[0]))

const char *
webhooks_type(size_t i)
{
	return i < WEBHOOKS_NTYPES ? webhooks_types[i] : NULL;
}

const char *
webhooks_types_all(void)
{
	return "device.admitted, device.refused, link.full, device.released, "
	    "device.expired";
}

const char *
webhooks_types_parse(struct arena *a, const char *list)
{
	struct buf out;
	const char *p = list, *end;
	int seen[WEBHOOKS_NTYPES] = { 0 }, any = 0;
	size_t i, n;

	while (*p != '\0') {
		p += strspn(p, " ");
		end = strchr(p, ',');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		while (n > 0 && p[n - 1] == ' ')
			n--;
		for (i = 0; i < WEBHOOKS_NTYPES; i++)
			if (strlen(webhooks_types[i]) == n &&
			    strncmp(webhooks_types[i], p, n) == 0)
				break;
		if (i == WEBHOOKS_NTYPES)
			return NULL;
		seen[i] = any = 1;
		if (end == NULL)
			break;
		p = end + 1;
		/* "a," names nothing after its comma */
		if (*p == '\0')
			return NULL;
	}
	if (!any)
		return NULL;
	buf_init(&out, a);
	for (i = 0; i < WEBHOOKS_NTYPES; i++)
		if (seen[i])
			buf_printf(&out, "%s%s", out.len > 0 ? "," : "",
			    webhooks_types[i]);
	return out.data;
}

int
webhooks_url_ok(const char *url)
{
	struct netaddr_url u;

	return netaddr_url(url, &u) == 0;
}

const char *
webhooks_url_refused(struct arena *a, const struct config *cfg,
    const char *url)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct netaddr_url u;
	const char *why = NULL;
	char text[64];
	int rc;

	if (netaddr_url(url, &u) != 0)
		return "url must be an http:// or https:// URL of at most 2048 "
		    "characters, without spaces";
	if (!u.https && !cfg->webhook_allow_http)
		return "url must start with https://";
	if (cfg->webhook_allow_private)
		return NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(u.host, NULL, &hints, &res);
	if (rc != 0)
		return arena_printf(a, "url's host %s does not resolve", u.host);
	/* the sender checks again on every connection: a name that
	 * resolves otherwise later gains nothing */
	for (ai = res; ai != NULL && why == NULL; ai = ai->ai_next)
		if (!netaddr_public(ai->ai_addr))
			why = arena_printf(a, "url must lead to a public address "
			    "(%s is %s)", u.host, netaddr_text(ai->ai_addr,
			    text, sizeof(text)));
	freeaddrinfo(res);
	return why;
}

/* n as a statement's parameter, in a. */
static const char *
webhooks_num(struct arena *a, long long n)
{
	return arena_printf(a, "%lld", n);
}

enum db_outcome
webhooks_set(struct arena *a, long long provider_id, const char *url,
    const char *events, const struct audit_actor *who,
    char secret[WEBHOOKS_SECRET_LEN + 1])
{
	struct db_outcome_row r;
	const size_t pre = strlen(WEBHOOKS_SECRET_PREFIX);
	const char *v[4 + AUDIT_PARAMS];

	memcpy(secret, WEBHOOKS_SECRET_PREFIX, pre);
	if (crypt_random_string(secret + pre, WEBHOOKS_SECRET_LEN - pre,
	    CRYPT_ALNUM) != 0) {
		secret[0] = '\0';
		log_error("webhooks: the random source failed");
		return DB_FAILED;
	}
	v[0] = webhooks_num(a, provider_id);
	v[1] = url;
	v[2] = events != NULL ? events : webhooks_types_parse(a,
	    "device.admitted,device.refused,link.full,device.released,"
	    "device.expired");
	v[3] = secret;
	audit_values(who, v + 4);
	if (DB_ONE(a, DB_WEBHOOK_SET, v, &r) != 1)
		return DB_FAILED;
	return r.outcome;
}

int
webhooks_get(struct arena *a, long long provider_id, struct db_webhook *w)
{
	const char *v[] = { webhooks_num(a, provider_id) };

	return DB_ONE(a, DB_WEBHOOK_GET, v, w);
}

enum db_outcome
webhooks_delete(struct arena *a, long long provider_id,
    const struct audit_actor *who)
{
	struct db_found f;
	const char *v[1 + AUDIT_PARAMS] = { webhooks_num(a, provider_id) };

	audit_values(who, v + 1);

	if (DB_ONE(a, DB_WEBHOOK_DELETE, v, &f) != 1)
		return DB_FAILED;
	return f.found ? DB_OK : DB_NOT_FOUND;
}

int
webhooks_events(struct arena *a, long long provider_id, int limit,
    struct db_webhook_event **rows)
{
	const char *v[] = { webhooks_num(a, provider_id),
	    arena_printf(a, "%d", limit) };

	return DB_ALL(a, DB_WEBHOOK_EVENTS, v, rows);
}

enum db_outcome
webhooks_resend(struct arena *a, long long provider_id,
    const char *event_id, const struct audit_actor *who)
{
	struct db_found f;
	const char *v[2 + AUDIT_PARAMS] = { webhooks_num(a, provider_id),
	    event_id };

	audit_values(who, v + 2);

	if (DB_ONE(a, DB_WEBHOOK_RESEND, v, &f) != 1)
		return DB_FAILED;
	return f.found ? DB_OK : DB_NOT_FOUND;
}

int
webhooks_claim(struct arena *a, int max, int lease,
    struct db_webhook_claim **rows)
{
	const char *v[] = { arena_printf(a, "%d", max),
	    arena_printf(a, "%d", lease) };

	return DB_ALL(a, DB_WEBHOOK_CLAIM, v, rows);
}

int
webhooks_result(struct arena *a, const struct config *cfg, long long id,
    int attempt, int status, const char *error, long long ms)
{
	struct db_found f;
	const char *v[] = { webhooks_num(a, id), arena_printf(a, "%d", attempt),
	    arena_printf(a, "%d", status), error, webhooks_num(a, ms),
	    arena_printf(a, "%d", cfg->webhook_retry_min),
	    arena_printf(a, "%d", cfg->webhook_retry_max),
	    arena_printf(a, "%d", cfg->webhook_give_up) };

	return DB_ONE(a, DB_WEBHOOK_RESULT, v, &f) == 1 ? 0 : -1;
}

int
webhooks_prune(struct arena *a, int days, int max)
{
	struct db_number n;
	const char *v[] = { arena_printf(a, "%d", days),
	    arena_printf(a, "%d", max) };

	return DB_ONE(a, DB_WEBHOOK_PRUNE, v, &n) == 1 ? n.value : -1;
}
