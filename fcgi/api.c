#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "api.h"
#include "api_rules.h"
#include "audit.h"
#include "db.h"
#include "devices.h"
#include "domains.h"
#include "links.h"
#include "log.h"
#include "providers.h"
#include "reply.h"
#include "stats.h"
#include "valid.h"
#include "webhooks.h"

#define API_PREFIX	"/api/"
#define API_LIST_MAX	5000	/* links list-install answers without id */

#define API_MSG_DOWN	"Database unavailable, try again"
#define API_MSG_TIMEOUT	"Database timeout, try again"
#define API_MSG_BUSY	"Database busy, try again"
#define API_MSG_UNKNOWN	"Unknown error"

/* One request, once its parameters are valid and its provider known. */
struct api_req {
	struct http	*h;
	struct arena	*a;		/* the request's */
	enum api_call	 call;
	long long	 provider_id;	/* the authenticated provider */
	struct audit_actor who;		/* for the audit trail */
	char		 from[VALID_DATE_LEN + 1];	/* the period asked for, */
	char		 to[VALID_DATE_LEN + 1];	/* if the call takes one */
	const char	*const *v;	/* by enum api_arg, as api_rules_check()
					   left them */
};

/* The lists' objects as the contract has them: member, kind and where
 * each is in the row the service gives. */
static const struct reply_col api_link_cols[] = {
	{ "id", REPLY_BIGINT, offsetof(struct db_link, id) },
	{ "install_code", REPLY_TEXT, offsetof(struct db_link, install_code) },
	{ "install_limit", REPLY_INT,
	    offsetof(struct db_link, install_limit) },
	{ "install_count", REPLY_INT,
	    offsetof(struct db_link, install_count) },
	{ "status", REPLY_INT, offsetof(struct db_link, status) },
	{ "note", REPLY_TEXT, offsetof(struct db_link, note) },
	{ "created_at", REPLY_TEXT, offsetof(struct db_link, created_at) },
	{ "expire_days", REPLY_INT, offsetof(struct db_link, expire_days) },
};
static const struct reply_col api_device_cols[] = {
	{ "hwid", REPLY_TEXT, offsetof(struct db_device, hwid) },
	{ "date", REPLY_TEXT, offsetof(struct db_device, date) },
	{ "device_name", REPLY_TEXT, offsetof(struct db_device, device_name) },
};
static const struct reply_col api_refusal_cols[] = {
	{ "hwid", REPLY_TEXT, offsetof(struct db_refusal, hwid) },
	{ "date", REPLY_TEXT, offsetof(struct db_refusal, date) },
	{ "device_name", REPLY_TEXT, offsetof(struct db_refusal, device_name) },
};
static const struct reply_col api_audit_cols[] = {
	{ "date", REPLY_TEXT, offsetof(struct db_audit, date) },
	{ "actor", REPLY_TEXT, offsetof(struct db_audit, actor) },
	{ "action", REPLY_TEXT, offsetof(struct db_audit, action) },
	{ "target", REPLY_TEXT, offsetof(struct db_audit, target) },
	{ "before", REPLY_JSON, offsetof(struct db_audit, before) },
	{ "after", REPLY_JSON, offsetof(struct db_audit, after) },
	{ "address", REPLY_TEXT, offsetof(struct db_audit, address) },
};
static const struct reply_col api_domain_cols[] = {
	{ "id", REPLY_BIGINT, offsetof(struct db_domain, id) },
	{ "domain_name", REPLY_TEXT, offsetof(struct db_domain, domain_name) },
	{ "domain_hash", REPLY_TEXT, offsetof(struct db_domain, domain_hash) },
	{ "status", REPLY_INT, offsetof(struct db_domain, status) },
	{ "created_at", REPLY_TEXT, offsetof(struct db_domain, created_at) },
};

#define API_NCOLS(cols)	(sizeof(cols) / sizeof((cols)[0]))

/* A service call failed: says whether to try again or not. The failure
 * itself was logged where it was found. */
static void
api_failed(struct http *h)
{
	switch (db_failure()) {
	case DB_FAIL_DOWN:
		reply_rc(h, 0, API_MSG_DOWN);
		return;
	case DB_FAIL_TIMEOUT:
		reply_rc(h, 0, API_MSG_TIMEOUT);
		return;
	case DB_FAIL_LOCK:
		reply_rc(h, 0, API_MSG_BUSY);
		return;
	case DB_FAIL_NONE:
	case DB_FAIL_SQL:
		break;
	}
	reply_rc(h, 0, API_MSG_UNKNOWN);
}

/* What each call answers when its service says no. */
struct api_refusals {
	const char	*not_found;	/* DB_NOT_FOUND */
	const char	*exists;	/* DB_EXISTS, with rc 2 */
};

static const struct api_refusals api_refusals[API_NCALLS] = {
	[API_ADD_INSTALL] = { NULL, "Install code exists" },
	[API_UPDATE_INSTALL] = { "Install not found", NULL },
	[API_LIST_INSTALL] = { "Install not found", NULL },
	[API_LIST_HWID] = { "Install not found", NULL },
	[API_DELETE_HWID] = { "Install not found", NULL },
	[API_ADD_DOMAIN] = { NULL, "Domain hash exists" },
	[API_LIST_DOMAIN] = { NULL, NULL },
	[API_DELETE_DOMAIN] = { "Domain not found", NULL },
	[API_STATS] = { "Install not found", NULL },
	[API_LIST_REFUSED] = { "Install not found", NULL },
	[API_LIST_AUDIT] = { "Install not found", NULL },
	[API_RESET_INSTALL] = { "Install not found", NULL },
	[API_SELF_SERVICE] = { "Install not found", "Self-service page exists; "
	    "rotate=1 gives it a new URL" },
	[API_SET_WEBHOOK] = { NULL, NULL },
	[API_GET_WEBHOOK] = { "Webhook not found", NULL },
	[API_DELETE_WEBHOOK] = { "Webhook not found", NULL },
};

/* Answers outcome r of q's service, other than DB_OK, in the contract's
 * words. */
static void
api_refused(struct api_req *q, enum db_outcome r)
{
	const struct api_refusals *say = &api_refusals[q->call];

	if (r == DB_NOT_FOUND && say->not_found != NULL)
		reply_rc(q->h, 0, say->not_found);
	else if (r == DB_EXISTS && say->exists != NULL)
		reply_rc(q->h, 2, say->exists);
	else if (r == DB_CAP)
		reply_rc(q->h, 0, "Install code limit reached");
	else if (r == DB_NO_DEVICE)
		reply_rc(q->h, 0, "HWID not found");
	else
		api_failed(q->h);
}

/* Parameter arg as a number, 0 when absent. */
static long long
api_num(const struct api_req *q, enum api_arg arg)
{
	return q->v[arg] != NULL ? strtoll(q->v[arg], NULL, 10) : 0;
}

/* Parameter arg as a number, -1 when absent (where 0 means something). */
static int
api_num_or_none(const struct api_req *q, enum api_arg arg)
{
	return q->v[arg] != NULL ? (int)strtol(q->v[arg], NULL, 10) : -1;
}

static void
api_add_install(struct api_req *q)
{
	struct json_object *o;
	char code[VALID_CODE_LEN + 1];
	enum db_outcome r;
	long long id;

	r = links_create(q->a, q->h->cfg, q->provider_id, q->v[API_CODE],
	    (int)api_num(q, API_LIMIT), (int)api_num(q, API_EXPIRE),
	    q->v[API_NOTE], NULL, &q->who, &id, code);
	if (r != DB_OK) {
		api_refused(q, r);
		return;
	}
	log_info("api: provider %lld added link %lld", q->provider_id, id);
	o = reply_ok(q->h);
	json_object_object_add(o, "install_code", json_object_new_string(code));
	json_object_object_add(o, "id", json_object_new_int64(id));
	reply_json(q->h, o);
}

static void
api_update_install(struct api_req *q)
{
	struct json_object *o;
	struct db_link_updated u;
	enum db_outcome r;

	r = links_update(q->a, q->provider_id, api_num(q, API_ID),
	    (int)api_num(q, API_LIMIT), q->v[API_NOTE],
	    (int)api_num(q, API_STATUS), api_num_or_none(q, API_EXPIRE),
	    &q->who, &u);
	if (r == DB_BELOW_COUNT) {
		reply_rc(q->h, 0, arena_printf(q->a, "Install limit error: "
		    "install_limit cannot go below install_count (%d)",
		    u.install_count));
		return;
	}
	if (r != DB_OK) {
		api_refused(q, r);
		return;
	}
	log_info("api: provider %lld updated link %s", q->provider_id,
	    q->v[API_ID]);
	o = reply_ok(q->h);
	json_object_object_add(o, "install_code",
	    json_object_new_string(u.install_code != NULL ?
	    u.install_code : ""));
	reply_json(q->h, o);
}

static void
api_list_install(struct api_req *q)
{
	struct db_link *l;
	int n;

	n = links_list(q->a, q->provider_id, api_num(q, API_ID), NULL,
	    API_LIST_MAX, 0, &l);
	if (n < 0)
		api_failed(q->h);
	/* asking for one link that is not the provider's is an error, as
	 * everywhere else */
	else if (n == 0 && q->v[API_ID] != NULL)
		api_refused(q, DB_NOT_FOUND);
	else
		reply_rows(q->h, l, n, sizeof(*l), api_link_cols,
		    API_NCOLS(api_link_cols));
}

static void
api_list_hwid(struct api_req *q)
{
	struct db_device *d;
	enum db_outcome r;
	int n;

	r = devices_list(q->a, q->provider_id, q->v[API_CODE],
	    api_num(q, API_INSTALL_ID), q->v[API_HWID], &d, &n);
	if (r != DB_OK)
		api_refused(q, r);
	else
		reply_rows(q->h, d, n, sizeof(*d), api_device_cols,
		    API_NCOLS(api_device_cols));
}

static void
api_delete_hwid(struct api_req *q)
{
	struct json_object *o;
	struct db_device_deleted gone;
	enum db_outcome r;

	r = devices_delete(q->a, q->provider_id, q->v[API_CODE],
	    api_num(q, API_INSTALL_ID), q->v[API_HWID], &q->who, &gone);
	if (r != DB_OK) {
		api_refused(q, r);
		return;
	}
	log_info("api: provider %lld freed a slot on link %lld",
	    q->provider_id, gone.link_id);
	o = reply_ok(q->h);
	json_object_object_add(o, "install_count",
	    json_object_new_int(gone.install_count));
	reply_json(q->h, o);
}

static void
api_add_domain(struct api_req *q)
{
	enum db_outcome r;

	r = domains_add(q->a, q->provider_id, q->v[API_HASH],
	    q->v[API_NAME] != NULL ? q->v[API_NAME] :
	    domains_default_label(q->a, q->v[API_HASH]), &q->who);
	if (r != DB_OK && r != DB_REACTIVATED) {
		api_refused(q, r);
		return;
	}
	log_info("api: provider %lld %s domain %.16s", q->provider_id,
	    r == DB_OK ? "added" : "re-activated", q->v[API_HASH]);
	reply_json(q->h, reply_ok(q->h));
}

static void
api_list_domain(struct api_req *q)
{
	struct db_domain *d;
	int n;

	n = domains_list(q->a, q->provider_id, &d);
	if (n < 0)
		api_failed(q->h);
	else
		reply_rows(q->h, d, n, sizeof(*d), api_domain_cols,
		    API_NCOLS(api_domain_cols));
}

static void
api_delete_domain(struct api_req *q)
{
	enum db_outcome r;
	int links;

	r = domains_delete(q->a, q->provider_id, api_num(q, API_ID), &q->who,
	    &links);
	if (r != DB_OK) {
		api_refused(q, r);
		return;
	}
	log_info("api: provider %lld deleted domain %s", q->provider_id,
	    q->v[API_ID]);
	/* allowed, but the provider should know what it just refused */
	if (links == 1)
		reply_rc(q->h, 1, "Ok; 1 active link has devices added through "
		    "this domain, its checks are now refused");
	else if (links > 1)
		reply_rc(q->h, 1, arena_printf(q->a, "Ok; %d active links have "
		    "devices added through this domain, their checks are now "
		    "refused", links));
	else
		reply_json(q->h, reply_ok(q->h));
}

/* Adds the counts n of the decisions a provider sees to o, by name. */
static void
api_counts(struct json_object *o, const long long *n)
{
	int d;

	for (d = 0; d < DB_NPROVIDER_DECISION; d++)
		json_object_object_add(o, db_decision_name((enum db_decision)d),
		    json_object_new_int64(n[d]));
}

/* Adds the array name of the devices by kind ("os", "app_version"). */
static void
api_shares(struct json_object *data, const struct stats_figures *f,
    const char *kind, const char *name)
{
	struct json_object *arr, *item;
	int i;

	arr = json_object_new_array();
	json_object_object_add(data, name, arr);
	for (i = 0; i < f->nshares; i++) {
		if (strcmp(f->shares[i].kind, kind) != 0)
			continue;
		item = json_object_new_object();
		json_object_object_add(item, kind,
		    json_object_new_string(f->shares[i].name));
		json_object_object_add(item, "devices",
		    json_object_new_int64(f->shares[i].devices));
		json_object_array_add(arr, item);
	}
}

static void
api_stats(struct api_req *q)
{
	struct json_object *o, *data, *sub, *arr, *item;
	struct stats_figures f;
	struct db_attention *at;
	enum db_outcome r;
	int i;

	r = stats_figures(q->a, q->provider_id, q->v[API_CODE],
	    api_num(q, API_INSTALL_ID), q->from, q->to,
	    q->h->cfg->stats_summary_age, &f);
	if (r != DB_OK) {
		api_refused(q, r);
		return;
	}
	o = reply_ok(q->h);
	data = json_object_new_object();
	json_object_object_add(o, "data", data);
	json_object_object_add(data, "from", json_object_new_string(q->from));
	json_object_object_add(data, "to", json_object_new_string(q->to));
	sub = json_object_new_object();
	json_object_object_add(data, "totals", sub);
	api_counts(sub, f.totals);
	arr = json_object_new_array_ext(f.ndays);
	json_object_object_add(data, "days", arr);
	for (i = 0; i < f.ndays; i++) {
		item = json_object_new_object();
		json_object_object_add(item, "date",
		    json_object_new_string(f.days[i].day));
		api_counts(item, f.days[i].n);
		json_object_array_add(arr, item);
	}
	api_shares(data, &f, "os", "os");
	api_shares(data, &f, "app_version", "app_versions");
	sub = json_object_new_object();
	json_object_object_add(data, "links", sub);
	json_object_object_add(sub, "total", json_object_new_int64(f.links));
	json_object_object_add(sub, "full", json_object_new_int64(f.full));
	json_object_object_add(sub, "near_full",
	    json_object_new_int64(f.near_full));
	arr = json_object_new_array_ext(f.nattention);
	json_object_object_add(data, "attention", arr);
	for (i = 0; i < f.nattention; i++) {
		at = &f.attention[i];
		item = json_object_new_object();
		json_object_object_add(item, "id", json_object_new_int64(at->id));
		json_object_object_add(item, "install_code",
		    json_object_new_string(at->install_code));
		json_object_object_add(item, "install_limit",
		    json_object_new_int(at->install_limit));
		json_object_object_add(item, "install_count",
		    json_object_new_int(at->install_count));
		json_object_object_add(item, "refused_limit",
		    json_object_new_int64(at->refused_limit));
		json_object_array_add(arr, item);
	}
	reply_json(q->h, o);
}

static void
api_reset_install(struct api_req *q)
{
	struct json_object *o;
	struct db_link_reset r;
	enum db_outcome out;

	out = links_reset(q->a, q->provider_id, q->v[API_CODE],
	    api_num(q, API_ID), &q->who, &r);
	if (out != DB_OK) {
		api_refused(q, out);
		return;
	}
	log_info("api: provider %lld reset link %lld, %d slots freed",
	    q->provider_id, r.link_id, r.released);
	o = reply_ok(q->h);
	json_object_object_add(o, "install_count", json_object_new_int(0));
	json_object_object_add(o, "released", json_object_new_int(r.released));
	reply_json(q->h, o);
}

static void
api_list_refused(struct api_req *q)
{
	struct db_refusal *rows;
	enum db_outcome r;
	int n;

	r = stats_refused(q->a, q->provider_id, q->v[API_CODE],
	    api_num(q, API_INSTALL_ID), q->v[API_ROWS] != NULL ?
	    (int)api_num(q, API_ROWS) : STATS_REFUSED_DEFAULT, &rows, &n);
	if (r != DB_OK)
		api_refused(q, r);
	else
		reply_rows(q->h, rows, n, sizeof(*rows), api_refusal_cols,
		    API_NCOLS(api_refusal_cols));
}

static void
api_list_audit(struct api_req *q)
{
	struct db_audit *rows;
	enum db_outcome r;
	int n;

	r = audit_list(q->a, q->provider_id, api_num(q, API_INSTALL_ID),
	    q->from, q->to, API_LIST_MAX, &rows, &n);
	if (r != DB_OK)
		api_refused(q, r);
	else
		reply_rows(q->h, rows, n, sizeof(*rows), api_audit_cols,
		    API_NCOLS(api_audit_cols));
}

static void
api_self_service(struct api_req *q)
{
	struct json_object *o;
	char token[LINKS_SELF_TOKEN_LEN + 1];
	enum links_self_action act;
	enum db_outcome r;

	act = q->v[API_DISABLE] != NULL ? LINKS_SELF_DISABLE :
	    q->v[API_ROTATE] != NULL ? LINKS_SELF_ROTATE : LINKS_SELF_CREATE;
	r = links_self_service(q->a, q->provider_id, q->v[API_CODE],
	    api_num(q, API_ID), act, &q->who, token);
	if (r != DB_OK) {
		api_refused(q, r);
		return;
	}
	log_info("api: provider %lld %s the self-service page of link %s",
	    q->provider_id, act == LINKS_SELF_DISABLE ? "turned off" :
	    act == LINKS_SELF_ROTATE ? "gave a new URL to" : "made",
	    q->v[API_ID] != NULL ? q->v[API_ID] : q->v[API_CODE]);
	o = reply_ok(q->h);
	/* the token is stored hashed: this is the one time it is seen */
	if (act != LINKS_SELF_DISABLE)
		json_object_object_add(o, "url", json_object_new_string(
		    links_self_url(q->h, token)));
	reply_json(q->h, o);
}

/* The types of a webhook, "a,b" as stored, as a JSON array. */
static struct json_object *
api_types(const char *list)
{
	struct json_object *arr;
	const char *p = list, *end;

	arr = json_object_new_array();
	while (p != NULL && *p != '\0') {
		end = strchr(p, ',');
		json_object_array_add(arr, json_object_new_string_len(p,
		    end != NULL ? (int)(end - p) : (int)strlen(p)));
		p = end != NULL ? end + 1 : NULL;
	}
	return arr;
}

static void
api_set_webhook(struct api_req *q)
{
	struct json_object *o;
	struct db_webhook w;
	char secret[WEBHOOKS_SECRET_LEN + 1];
	const char *why;
	enum db_outcome r;

	why = webhooks_url_refused(q->a, q->h->cfg, q->v[API_URL]);
	if (why != NULL) {
		reply_rc(q->h, 0, why);
		return;
	}
	r = webhooks_set(q->a, q->provider_id, q->v[API_URL],
	    q->v[API_EVENTS], &q->who, secret);
	if (r != DB_OK || webhooks_get(q->a, q->provider_id, &w) != 1) {
		api_failed(q->h);
		return;
	}
	/* never the secret, nor the URL (it may carry a token of the
	 * receiver's) */
	log_info("api: provider %lld set its webhook", q->provider_id);
	o = reply_ok(q->h);
	json_object_object_add(o, "url", json_object_new_string(w.url));
	json_object_object_add(o, "events", api_types(w.events));
	/* drawn anew by every set-webhook; only its signatures show it
	 * after this answer */
	json_object_object_add(o, "secret", json_object_new_string(secret));
	reply_json(q->h, o);
}

static void
api_get_webhook(struct api_req *q)
{
	struct json_object *o;
	struct db_webhook w;
	int found;

	found = webhooks_get(q->a, q->provider_id, &w);
	if (found != 1) {
		api_refused(q, found == 0 ? DB_NOT_FOUND : DB_FAILED);
		return;
	}
	o = reply_ok(q->h);
	json_object_object_add(o, "url", json_object_new_string(w.url));
	json_object_object_add(o, "events", api_types(w.events));
	json_object_object_add(o, "created_at",
	    json_object_new_string(w.created_at));
	reply_json(q->h, o);
}

static void
api_delete_webhook(struct api_req *q)
{
	enum db_outcome r;

	r = webhooks_delete(q->a, q->provider_id, &q->who);
	if (r != DB_OK) {
		api_refused(q, r);
		return;
	}
	log_info("api: provider %lld deleted its webhook", q->provider_id);
	reply_json(q->h, reply_ok(q->h));
}

static void (*const api_handlers[API_NCALLS])(struct api_req *) = {
	[API_ADD_INSTALL] = api_add_install,
	[API_UPDATE_INSTALL] = api_update_install,
	[API_LIST_INSTALL] = api_list_install,
	[API_LIST_HWID] = api_list_hwid,
	[API_DELETE_HWID] = api_delete_hwid,
	[API_ADD_DOMAIN] = api_add_domain,
	[API_LIST_DOMAIN] = api_list_domain,
	[API_DELETE_DOMAIN] = api_delete_domain,
	[API_STATS] = api_stats,
	[API_LIST_REFUSED] = api_list_refused,
	[API_LIST_AUDIT] = api_list_audit,
	[API_RESET_INSTALL] = api_reset_install,
	[API_SELF_SERVICE] = api_self_service,
	[API_SET_WEBHOOK] = api_set_webhook,
	[API_GET_WEBHOOK] = api_get_webhook,
	[API_DELETE_WEBHOOK] = api_delete_webhook,
};

void
api_dispatch(struct http *h)
{
	struct api_args args;
	struct api_req q;
	const char *err, *name;

	/* answers carry a provider's data, and the key rides in the URL */
	http_header(h, "Cache-Control: no-store");
	memset(&q, 0, sizeof(q));
	q.h = h;
	q.a = h->arena;
	name = strncmp(h->path, API_PREFIX, strlen(API_PREFIX)) == 0 ?
	    h->path + strlen(API_PREFIX) : "";
	if (api_rules_call(name, &q.call) != 0) {
		reply_rc(h, 0, "Unknown method");
		return;
	}
	err = api_rules_check(h->arena, &h->params, q.call, &args);
	if (err == NULL && (q.call == API_STATS || q.call == API_LIST_AUDIT))
		err = api_rules_period(h->arena, &args,
		    (long)(time(NULL) / 86400), q.from, q.to);
	if (err != NULL) {
		reply_rc(h, 0, err);
		return;
	}
	switch (providers_auth(h->arena, h->cfg, args.provider_code,
	    args.auth_key, &q.provider_id)) {
	case PROVIDERS_AUTH_OK:
		break;
	case PROVIDERS_AUTH_DOWN:
		api_failed(h);
		return;
	case PROVIDERS_AUTH_DENIED:
	default:
		reply_rc(h, 0, "Auth error");
		return;
	}
	q.v = args.v;
	q.who.kind = AUDIT_API;
	q.who.address = h->remote_addr;
	api_handlers[q.call](&q);
}

void
api_refuse(struct http *h, int status, const char *why)
{
	http_header(h, "Cache-Control: no-store");
	reply_rc(h, 0, why);
	/* a HEAD answer loses its body on the way: only the status can say
	 * that nothing was done */
	if (status == 405 && strcmp(h->method, "HEAD") == 0)
		h->status = 405;
}
