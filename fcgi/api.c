#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "api.h"
#include "db.h"
#include "devices.h"
#include "domains.h"
#include "links.h"
#include "log.h"
#include "params.h"
#include "providers.h"
#include "reply.h"
#include "valid.h"

#define API_PREFIX	"/api/"
#define API_LIST_MAX	"5000"	/* links list-install answers without id */
#define API_TEXT_MAX	255	/* characters in a note or a domain label */

#define API_MSG_DOWN	"Database unavailable, try again"
#define API_MSG_TIMEOUT	"Database timeout, try again"
#define API_MSG_BUSY	"Database busy, try again"
#define API_MSG_UNKNOWN	"Unknown error"

/* The parameters a method may take, in the order they are validated. */
enum api_arg {
	A_ID,
	A_CODE,
	A_INSTALL_ID,
	A_LIMIT,
	A_STATUS,
	A_NOTE,
	A_HWID,
	A_HASH,
	A_NAME,
	A_NARGS
};

#define P(arg)	(1u << (arg))

struct api_method;

/* One request, once its parameters are valid: each value is NULL when the
 * parameter is absent, and numbers are in canonical decimal. */
struct api_req {
	struct http	*h;
	const struct api_method *m;	/* the call, named in the log */
	char		 provider[24];	/* the authenticated provider's id */
	long long	 provider_id;
	const char	*v[A_NARGS];
};

struct api_param;

/* Checks value *v of parameter d; returns NULL, or what is wrong. May
 * replace *v by a canonical form (in the arena). */
typedef const char *api_check_fn(struct arena *, const struct api_param *,
    const char **);

struct api_param {
	const char	*name;
	int		 empty_ok;	/* "" is a value, not an absence */
	api_check_fn	*check;
	int		(*valid)(const char *);	/* api_check_format's test */
	const char	*error;		/* and what it answers */
};

struct api_method {
	const char	*name;
	void		(*handler)(struct api_req *);
	unsigned int	 takes;		/* parameters it reads */
	unsigned int	 needs;		/* parameters it cannot do without */
	unsigned int	 one_of;	/* at least one of these is needed */
};

/* A member of a listed object: column i of a row becomes member i. */
struct api_col {
	const char	*name;
	int		 number;	/* a JSON number, else a string */
};

static const char *
api_check_id(struct arena *a, const struct api_param *d, const char **v)
{
	long n;

	if (!valid_int(*v, 1, LONG_MAX, &n))
		return arena_printf(a, "%s must be a positive integer",
		    d->name);
	*v = arena_printf(a, "%ld", n);
	return NULL;
}

static const char *
api_check_limit(struct arena *a, const struct api_param *d, const char **v)
{
	long n;

	(void)d;
	if (!valid_int(*v, 1, 100, &n))
		return "Install limit error: install_limit must be an "
		    "integer from 1 to 100";
	*v = arena_printf(a, "%ld", n);
	return NULL;
}

static const char *
api_check_status(struct arena *a, const struct api_param *d, const char **v)
{
	long n;

	(void)d;
	if (!valid_int(*v, 5, 10, &n) || (n != 5 && n != 10))
		return "Install status error: status must be 5 or 10";
	*v = arena_printf(a, "%ld", n);
	return NULL;
}

/* A value of a fixed format, taken as it is. */
static const char *
api_check_format(struct arena *a, const struct api_param *d, const char **v)
{
	(void)a;
	return d->valid(*v) ? NULL : d->error;
}

static const char *
api_check_text(struct arena *a, const struct api_param *d, const char **v)
{
	if (!valid_text(*v, SIZE_MAX))
		return arena_printf(a, "%s must be UTF-8 text without "
		    "control characters", d->name);
	if (!valid_text(*v, API_TEXT_MAX))
		return arena_printf(a, "%s must be at most %d characters",
		    d->name, API_TEXT_MAX);
	return NULL;
}

static const struct api_param api_params[A_NARGS] = {
	[A_ID] =	{ "id", 0, api_check_id, NULL, NULL },
	[A_CODE] =	{ "install_code", 0, api_check_format,
	    valid_install_code, "install_code must be 12 letters or digits" },
	[A_INSTALL_ID] = { "install_id", 0, api_check_id, NULL, NULL },
	[A_LIMIT] =	{ "install_limit", 0, api_check_limit, NULL, NULL },
	[A_STATUS] =	{ "status", 0, api_check_status, NULL, NULL },
	[A_NOTE] =	{ "note", 1, api_check_text, NULL, NULL },
	[A_HWID] =	{ "hwid", 0, api_check_format, valid_hwid,
	    "hwid must be 1 to 128 characters from A-Z a-z 0-9 . _ : = -" },
	[A_HASH] =	{ "domain_hash", 0, api_check_format, valid_domain_hash,
	    "domain_hash must be 64 lowercase hex digits (the SHA-256 of the "
	    "domain)" },
	[A_NAME] =	{ "domain_name", 0, api_check_text, NULL, NULL },
};

/* The rows of DB_LINK_LIST, DB_DEVICE_LIST and DB_DOMAIN_LIST as the
 * contract lists them: the statements' first columns, in their order. */
static const struct api_col api_link_cols[] = {
	{ "id", 1 }, { "install_code", 0 }, { "install_limit", 1 },
	{ "install_count", 1 }, { "status", 1 }, { "note", 0 },
	{ "created_at", 0 },
};

#define API_NCOLS(cols)	(sizeof(cols) / sizeof((cols)[0]))

/* A database call failed: says whether to try again or not. */
static void
api_db_fail(struct api_req *q)
{
	switch (db_failure()) {
	case DB_FAIL_DOWN:
		log_warn("api: %s: database unavailable", q->m->name);
		reply_rc(q->h, 0, API_MSG_DOWN);
		return;
	case DB_FAIL_TIMEOUT:
		log_warn("api: %s: statement timeout", q->m->name);
		reply_rc(q->h, 0, API_MSG_TIMEOUT);
		return;
	case DB_FAIL_LOCK:
		log_warn("api: %s: lock timeout", q->m->name);
		reply_rc(q->h, 0, API_MSG_BUSY);
		return;
	case DB_FAIL_NONE:
	case DB_FAIL_SQL:
		break;
	}
	log_error("api: %s failed (sqlstate %s)", q->m->name,
	    db_sqlstate()[0] != '\0' ? db_sqlstate() : "none");
	reply_rc(q->h, 0, API_MSG_UNKNOWN);
}

/* Runs st with n values; when one is set, exactly one row must come back.
 * Returns the rows (the caller frees them), or NULL once the failure is
 * answered. */
static struct db_res *
api_exec(struct api_req *q, enum db_stmt st, int n,
    const char *const *values, int one)
{
	struct db_res *r;

	r = db_exec(st, n, values);
	if (r != NULL && (!one || db_rows(r) == 1))
		return r;
	db_free(r);
	api_db_fail(q);
	return NULL;
}

/* Answers {"rc":1,"msg":"Ok","data":[...]} with an object per row of r. */
static void
api_reply_rows(struct api_req *q, const struct db_res *r,
    const struct api_col *cols, size_t ncols)
{
	struct json_object *o, *data, *item, *v;
	const char *s;
	size_t c;
	int i;

	data = json_object_new_array_ext(db_rows(r));
	for (i = 0; i < db_rows(r); i++) {
		item = json_object_new_object();
		for (c = 0; c < ncols; c++) {
			s = db_get(r, i, (int)c);
			v = cols[c].number ? json_object_new_int64(strtoll(s,
			    NULL, 10)) : json_object_new_string(s);
			json_object_object_add(item, cols[c].name, v);
		}
		json_object_array_add(data, item);
	}
	o = reply_ok(q->h);
	json_object_object_add(o, "data", data);
	reply_json(q->h, o);
}

static void
api_add_install(struct api_req *q)
{
	struct json_object *o;
	char code[VALID_CODE_LEN + 1];
	long long id;

	switch (links_create(q->h->cfg, q->provider_id, q->v[A_CODE],
	    atoi(q->v[A_LIMIT]), q->v[A_NOTE], &id, code)) {
	case LINKS_OK:
		break;
	case LINKS_EXISTS:
		reply_rc(q->h, 2, "Install code exists");
		return;
	case LINKS_CAP:
		reply_rc(q->h, 0, "Install code limit reached");
		return;
	case LINKS_DOWN:
		api_db_fail(q);
		return;
	case LINKS_FAIL:
	default:
		reply_rc(q->h, 0, API_MSG_UNKNOWN);
		return;
	}
	log_info("api: provider %s added link %lld", q->provider, id);
	o = reply_ok(q->h);
	json_object_object_add(o, "install_code", json_object_new_string(code));
	json_object_object_add(o, "id", json_object_new_int64(id));
	reply_json(q->h, o);
}

static void
api_update_install(struct api_req *q)
{
	struct json_object *o;
	struct db_res *r;
	const char *values[5], *res;

	values[0] = q->provider;
	values[1] = q->v[A_ID];
	values[2] = q->v[A_LIMIT];
	values[3] = q->v[A_NOTE];
	values[4] = q->v[A_STATUS];
	r = api_exec(q, DB_LINK_UPDATE, 5, values, 1);
	if (r == NULL)
		goto out;
	res = db_get(r, 0, 0);
	if (strcmp(res, "not_found") == 0) {
		reply_rc(q->h, 0, "Install not found");
		goto out;
	}
	if (strcmp(res, "below_count") == 0) {
		reply_rc(q->h, 0, arena_printf(q->h->arena, "Install limit "
		    "error: install_limit cannot go below install_count (%d)",
		    db_int(r, 0, 2)));
		goto out;
	}
	log_info("api: provider %s updated link %s", q->provider, q->v[A_ID]);
	o = reply_ok(q->h);
	json_object_object_add(o, "install_code",
	    json_object_new_string(db_get(r, 0, 1)));
	reply_json(q->h, o);
out:
	db_free(r);
}

static void
api_list_install(struct api_req *q)
{
	struct db_res *r;
	const char *values[5];

	values[0] = q->provider;
	values[1] = q->v[A_ID];
	values[2] = NULL;
	values[3] = API_LIST_MAX;
	values[4] = "0";
	r = api_exec(q, DB_LINK_LIST, 5, values, 0);
	if (r == NULL)
		goto out;
	/* asking for one link that is not the provider's is an error, as
	 * everywhere else */
	if (q->v[A_ID] != NULL && db_rows(r) == 0) {
		reply_rc(q->h, 0, "Install not found");
		goto out;
	}
	api_reply_rows(q, r, api_link_cols, API_NCOLS(api_link_cols));
out:
	db_free(r);
}

/* The link list-hwid and delete-hwid act on, as devices_*() take it. */
static long long
api_link_id(const struct api_req *q)
{
	return q->v[A_INSTALL_ID] != NULL ?
	    strtoll(q->v[A_INSTALL_ID], NULL, 10) : 0;
}

static void
api_list_hwid(struct api_req *q)
{
	struct json_object *o, *data, *item;
	struct db_device *d;
	int i, n;

	switch (devices_list(q->h->arena, q->provider_id, q->v[A_CODE],
	    api_link_id(q), q->v[A_HWID], &d, &n)) {
	case DB_OK:
		break;
	case DB_NOT_FOUND:
		reply_rc(q->h, 0, "Install not found");
		return;
	default:
		api_db_fail(q);
		return;
	}
	data = json_object_new_array_ext(n);
	for (i = 0; i < n; i++) {
		item = json_object_new_object();
		json_object_object_add(item, "hwid",
		    json_object_new_string(d[i].hwid));
		json_object_object_add(item, "date",
		    json_object_new_string(d[i].date));
		json_object_object_add(item, "device_name",
		    json_object_new_string(d[i].device_name));
		json_object_array_add(data, item);
	}
	o = reply_ok(q->h);
	json_object_object_add(o, "data", data);
	reply_json(q->h, o);
}

static void
api_delete_hwid(struct api_req *q)
{
	struct json_object *o;
	struct db_device_deleted gone;

	switch (devices_delete(q->h->arena, q->provider_id, q->v[A_CODE],
	    api_link_id(q), q->v[A_HWID], &gone)) {
	case DB_OK:
		break;
	case DB_NOT_FOUND:
		reply_rc(q->h, 0, "Install not found");
		return;
	case DB_NO_DEVICE:
		reply_rc(q->h, 0, "HWID not found");
		return;
	default:
		api_db_fail(q);
		return;
	}
	log_info("api: provider %s freed a slot on link %lld", q->provider,
	    gone.link_id);
	o = reply_ok(q->h);
	json_object_object_add(o, "install_count",
	    json_object_new_int(gone.install_count));
	reply_json(q->h, o);
}

static void
api_add_domain(struct api_req *q)
{
	enum db_outcome r;

	r = domains_add(q->h->arena, q->provider_id, q->v[A_HASH],
	    q->v[A_NAME] != NULL ? q->v[A_NAME] :
	    domains_default_label(q->h->arena, q->v[A_HASH]));
	switch (r) {
	case DB_OK:
	case DB_REACTIVATED:
		log_info("api: provider %s %s domain %.16s", q->provider,
		    r == DB_OK ? "added" : "re-activated", q->v[A_HASH]);
		reply_json(q->h, reply_ok(q->h));
		return;
	case DB_EXISTS:
		reply_rc(q->h, 2, "Domain hash exists");
		return;
	default:
		api_db_fail(q);
		return;
	}
}

static void
api_list_domain(struct api_req *q)
{
	static const struct reply_col cols[] = {
		{ "id", REPLY_BIGINT, offsetof(struct db_domain, id) },
		{ "domain_name", REPLY_TEXT,
		    offsetof(struct db_domain, domain_name) },
		{ "domain_hash", REPLY_TEXT,
		    offsetof(struct db_domain, domain_hash) },
		{ "status", REPLY_INT, offsetof(struct db_domain, status) },
		{ "created_at", REPLY_TEXT,
		    offsetof(struct db_domain, created_at) },
	};
	struct db_domain *d;
	int n;

	n = domains_list(q->h->arena, q->provider_id, &d);
	if (n < 0)
		api_db_fail(q);
	else
		reply_rows(q->h, d, n, sizeof(*d), cols,
		    sizeof(cols) / sizeof(cols[0]));
}

static void
api_delete_domain(struct api_req *q)
{
	int links;

	switch (domains_delete(q->h->arena, q->provider_id,
	    strtoll(q->v[A_ID], NULL, 10), &links)) {
	case DB_OK:
		break;
	case DB_NOT_FOUND:
		reply_rc(q->h, 0, "Domain not found");
		return;
	default:
		api_db_fail(q);
		return;
	}
	log_info("api: provider %s deleted domain %s", q->provider, q->v[A_ID]);
	/* allowed, but the provider should know what it just refused */
	if (links == 1)
		reply_rc(q->h, 1, "Ok; 1 active link has devices added through "
		    "this domain, its checks are now refused");
	else if (links > 1)
		reply_rc(q->h, 1, arena_printf(q->h->arena, "Ok; %d active "
		    "links have devices added through this domain, their "
		    "checks are now refused", links));
	else
		reply_json(q->h, reply_ok(q->h));
}

static const struct api_method api_methods[] = {
	{ "add-install", api_add_install,
	    P(A_LIMIT) | P(A_CODE) | P(A_NOTE), P(A_LIMIT), 0 },
	{ "update-install", api_update_install,
	    P(A_ID) | P(A_LIMIT) | P(A_NOTE) | P(A_STATUS), P(A_ID), 0 },
	{ "list-install", api_list_install, P(A_ID), 0, 0 },
	{ "list-hwid", api_list_hwid,
	    P(A_CODE) | P(A_INSTALL_ID) | P(A_HWID), 0, P(A_CODE) | P(A_INSTALL_ID) },
	{ "delete-hwid", api_delete_hwid,
	    P(A_CODE) | P(A_INSTALL_ID) | P(A_HWID), P(A_HWID), P(A_CODE) | P(A_INSTALL_ID) },
	{ "add-domain", api_add_domain, P(A_HASH) | P(A_NAME), P(A_HASH), 0 },
	{ "list-domain", api_list_domain, 0, 0, 0 },
	{ "delete-domain", api_delete_domain, P(A_ID), P(A_ID), 0 },
};

/* A parameter name fit to echo in a message. */
static const char *
api_name(struct http *h, const char *name)
{
	return valid_clean_text(h->arena, name, PARAMS_NAME_MAX);
}

/* What is wrong with the request's parameters as parsed, or NULL. */
static const char *
api_check_parse(struct http *h)
{
	const struct params *p = &h->params;
	const char *name;

	name = p->bad_name != NULL ? api_name(h, p->bad_name) : NULL;
	switch (p->status) {
	case PARAMS_OK:
		return NULL;
	case PARAMS_BAD_ENCODING:
		return name != NULL ? arena_printf(h->arena, "Bad "
		    "percent-encoding in parameter: %s", name) :
		    "Bad percent-encoding in a parameter name";
	case PARAMS_NUL:
		return name != NULL ? arena_printf(h->arena, "NUL byte in "
		    "parameter: %s", name) : "NUL byte in a parameter name";
	case PARAMS_TOO_LONG:
		return name != NULL ? arena_printf(h->arena, "Parameter too "
		    "long: %s", name) : "Parameter name too long";
	case PARAMS_TOO_MANY:
		return "Too many parameters";
	case PARAMS_EMPTY_NAME:
		return "Empty parameter name";
	}
	return "Bad parameters";
}

/* Validates every parameter of method m into q, in a fixed order.
 * Returns NULL, or the message naming the first fault. Touches nothing
 * outside the request. */
static const char *
api_validate(struct api_req *q, const struct api_method *m,
    const char **code, const char **key)
{
	struct http *h = q->h;
	const struct api_param *d;
	const struct param *p;
	const char *err, *v, *which = NULL;
	unsigned int i;

	if ((err = api_check_parse(h)) != NULL)
		return err;
	if ((p = params_first_dup(&h->params)) != NULL)
		return arena_printf(h->arena, "Duplicate parameter: %s",
		    api_name(h, p->name));
	*code = http_param(h, "provider_code");
	*key = http_param(h, "auth_key");
	if (*code == NULL || **code == '\0')
		return "Missing parameter: provider_code";
	if (!valid_provider_code(*code))
		return "provider_code must be 8 letters or digits";
	if (*key == NULL || **key == '\0')
		return "Missing parameter: auth_key";
	if (!valid_auth_key(*key))
		return "auth_key must be 32 characters from A-Z a-z 0-9 - _";
	for (i = 0; i < A_NARGS; i++) {
		d = &api_params[i];
		if ((m->takes & P(i)) == 0)
			continue;
		v = http_param(h, d->name);
		/* tools send "x=" for "no x"; only a note can be empty */
		if (v != NULL && *v == '\0' && !d->empty_ok)
			v = NULL;
		if (v == NULL) {
			if (m->needs & P(i))
				return arena_printf(h->arena, "Missing "
				    "parameter: %s", d->name);
			continue;
		}
		if ((err = d->check(h->arena, d, &v)) != NULL)
			return err;
		q->v[i] = v;
	}
	for (i = 0; i < A_NARGS; i++) {
		if ((m->one_of & P(i)) == 0)
			continue;
		if (q->v[i] != NULL)
			return NULL;
		which = which == NULL ? api_params[i].name :
		    arena_printf(h->arena, "%s or %s", which,
		    api_params[i].name);
	}
	if (which != NULL)
		return arena_printf(h->arena, "Missing parameter: %s", which);
	return NULL;
}

void
api_dispatch(struct http *h)
{
	const struct api_method *m = NULL;
	struct api_req q;
	const char *err, *code = NULL, *key = NULL, *name;
	size_t i;

	/* answers carry a provider's data, and the key rides in the URL */
	http_header(h, "Cache-Control: no-store");
	name = strncmp(h->path, API_PREFIX, strlen(API_PREFIX)) == 0 ?
	    h->path + strlen(API_PREFIX) : "";
	for (i = 0; i < sizeof(api_methods) / sizeof(api_methods[0]); i++)
		if (strcmp(api_methods[i].name, name) == 0)
			m = &api_methods[i];
	if (m == NULL) {
		reply_rc(h, 0, "Unknown method");
		return;
	}
	memset(&q, 0, sizeof(q));
	q.h = h;
	q.m = m;
	if ((err = api_validate(&q, m, &code, &key)) != NULL) {
		reply_rc(h, 0, err);
		return;
	}
	switch (providers_auth(h->arena, h->cfg, code, key, &q.provider_id)) {
	case PROVIDERS_AUTH_OK:
		break;
	case PROVIDERS_AUTH_DOWN:
		api_db_fail(&q);
		return;
	case PROVIDERS_AUTH_DENIED:
	default:
		reply_rc(h, 0, "Auth error");
		return;
	}
	snprintf(q.provider, sizeof(q.provider), "%lld", q.provider_id);
	m->handler(&q);
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
