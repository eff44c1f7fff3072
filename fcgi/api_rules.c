#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api_rules.h"
#include "domains.h"
#include "links.h"
#include "stats.h"
#include "valid.h"
#include "webhooks.h"

#define P(arg)	(1u << (arg))

struct api_param;

/* Checks value *v of parameter d; returns NULL, or what is wrong. May
 * replace *v by a canonical form (in the arena). */
typedef const char *api_check_fn(struct arena *, const struct api_param *,
    const char **);

struct api_param {
	const char	*name;
	int		 empty_ok;	/* "" is a value, not an absence */
	api_check_fn	*check;
	int		(*valid)(const char *);	/* api_rules_format's test */
	const char	*error;		/* and what it answers */
	size_t		 max;		/* api_rules_text's characters */
};

struct api_rule {
	const char	*name;		/* the path after /api/ */
	unsigned int	 takes;		/* parameters it reads */
	unsigned int	 needs;		/* parameters it cannot do without */
	unsigned int	 one_of;	/* at least one of these is needed */
	unsigned int	 at_most_one;	/* no two of these together */
};

static const char *
api_rules_id(struct arena *a, const struct api_param *d, const char **v)
{
	long n;

	if (!valid_int(*v, 1, LONG_MAX, &n))
		return arena_printf(a, "%s must be a positive integer",
		    d->name);
	*v = arena_printf(a, "%ld", n);
	return NULL;
}

static const char *
api_rules_limit(struct arena *a, const struct api_param *d, const char **v)
{
	int n;

	(void)d;
	if (!links_limit_ok(*v, &n))
		return arena_printf(a, "Install limit error: install_limit "
		    "must be an integer from %d to %d", LINKS_LIMIT_MIN,
		    LINKS_LIMIT_MAX);
	*v = arena_printf(a, "%d", n);
	return NULL;
}

static const char *
api_rules_status(struct arena *a, const struct api_param *d, const char **v)
{
	int n;

	(void)d;
	if (!links_status_ok(*v, &n))
		return arena_printf(a, "Install status error: status must be "
		    "%d or %d", LINKS_DISABLED, LINKS_ACTIVE);
	*v = arena_printf(a, "%d", n);
	return NULL;
}

static const char *
api_rules_rows(struct arena *a, const struct api_param *d, const char **v)
{
	long n;

	if (!valid_int(*v, 1, API_ROWS_MAX, &n))
		return arena_printf(a, "%s must be an integer from 1 to %d",
		    d->name, API_ROWS_MAX);
	*v = arena_printf(a, "%ld", n);
	return NULL;
}

static const char *
api_rules_expire(struct arena *a, const struct api_param *d, const char **v)
{
	int n;

	(void)d;
	if (!links_expire_ok(*v, &n))
		return arena_printf(a, "expire_days must be an integer from 0 "
		    "to %d", LINKS_EXPIRE_MAX);
	*v = arena_printf(a, "%d", n);
	return NULL;
}

/* A switch: "1" is on, "0" the same as absent. */
static const char *
api_rules_flag(struct arena *a, const struct api_param *d, const char **v)
{
	if (strcmp(*v, "1") != 0 && strcmp(*v, "0") != 0)
		return arena_printf(a, "%s must be 0 or 1", d->name);
	*v = strcmp(*v, "1") == 0 ? "1" : NULL;
	return NULL;
}

static const char *
api_rules_date(struct arena *a, const struct api_param *d, const char **v)
{
	if (!valid_date(*v))
		return arena_printf(a, "%s must be a date YYYY-MM-DD",
		    d->name);
	return NULL;
}

static const char *
api_rules_url(struct arena *a, const struct api_param *d, const char **v)
{
	(void)a;
	(void)d;
	return webhooks_url_ok(*v) ? NULL : "url must be an http:// or "
	    "https:// URL of at most 2048 characters, without spaces";
}

static const char *
api_rules_events(struct arena *a, const struct api_param *d, const char **v)
{
	const char *canon;

	(void)d;
	canon = webhooks_types_parse(a, *v);
	if (canon == NULL)
		return arena_printf(a, "events must be a comma list of: %s",
		    webhooks_types_all());
	*v = canon;
	return NULL;
}

/* A value of a fixed format, taken as it is. */
static const char *
api_rules_format(struct arena *a, const struct api_param *d, const char **v)
{
	(void)a;
	return d->valid(*v) ? NULL : d->error;
}

static const char *
api_rules_text(struct arena *a, const struct api_param *d, const char **v)
{
	if (!valid_text(*v, SIZE_MAX))
		return arena_printf(a, "%s must be UTF-8 text without "
		    "control characters", d->name);
	if (!valid_text(*v, d->max))
		return arena_printf(a, "%s must be at most %zu characters",
		    d->name, d->max);
	return NULL;
}

static const struct api_param api_params[API_NARGS] = {
	[API_ID] =	{ "id", 0, api_rules_id, NULL, NULL, 0 },
	[API_CODE] =	{ "install_code", 0, api_rules_format,
	    valid_install_code, "install_code must be 12 letters or digits",
	    0 },
	[API_INSTALL_ID] = { "install_id", 0, api_rules_id, NULL, NULL, 0 },
	[API_LIMIT] =	{ "install_limit", 0, api_rules_limit, NULL, NULL,
	    0 },
	[API_STATUS] =	{ "status", 0, api_rules_status, NULL, NULL, 0 },
	[API_NOTE] =	{ "note", 1, api_rules_text, NULL, NULL,
	    LINKS_NOTE_MAX },
	[API_HWID] =	{ "hwid", 0, api_rules_format, valid_hwid,
	    "hwid must be 1 to 128 characters from A-Z a-z 0-9 . _ : = -", 0 },
	[API_HASH] =	{ "domain_hash", 0, api_rules_format,
	    valid_domain_hash, "domain_hash must be 64 lowercase hex digits "
	    "(the SHA-256 of the domain)", 0 },
	[API_NAME] =	{ "domain_name", 0, api_rules_text, NULL, NULL,
	    DOMAINS_LABEL_MAX },
	[API_FROM] =	{ "from", 0, api_rules_date, NULL, NULL, 0 },
	[API_TO] =	{ "to", 0, api_rules_date, NULL, NULL, 0 },
	[API_ROWS] =	{ "limit", 0, api_rules_rows, NULL, NULL, 0 },
	[API_EXPIRE] =	{ "expire_days", 0, api_rules_expire, NULL, NULL, 0 },
	[API_ROTATE] =	{ "rotate", 0, api_rules_flag, NULL, NULL, 0 },
	[API_DISABLE] =	{ "disable", 0, api_rules_flag, NULL, NULL, 0 },
	[API_URL] =	{ "url", 0, api_rules_url, NULL, NULL, 0 },
	[API_EVENTS] =	{ "events", 0, api_rules_events, NULL, NULL, 0 },
};

static const struct api_rule api_rules[API_NCALLS] = {
	[API_ADD_INSTALL] = { "add-install",
	    P(API_LIMIT) | P(API_CODE) | P(API_NOTE) | P(API_EXPIRE),
	    P(API_LIMIT), 0, 0 },
	[API_UPDATE_INSTALL] = { "update-install",
	    P(API_ID) | P(API_LIMIT) | P(API_NOTE) | P(API_STATUS) |
	    P(API_EXPIRE), P(API_ID), 0, 0 },
	[API_LIST_INSTALL] = { "list-install", P(API_ID), 0, 0, 0 },
	[API_LIST_HWID] = { "list-hwid",
	    P(API_CODE) | P(API_INSTALL_ID) | P(API_HWID), 0,
	    P(API_CODE) | P(API_INSTALL_ID), 0 },
	[API_DELETE_HWID] = { "delete-hwid",
	    P(API_CODE) | P(API_INSTALL_ID) | P(API_HWID), P(API_HWID),
	    P(API_CODE) | P(API_INSTALL_ID), 0 },
	[API_ADD_DOMAIN] = { "add-domain", P(API_HASH) | P(API_NAME),
	    P(API_HASH), 0, 0 },
	[API_LIST_DOMAIN] = { "list-domain", 0, 0, 0, 0 },
	[API_DELETE_DOMAIN] = { "delete-domain", P(API_ID), P(API_ID), 0, 0 },
	[API_RESET_INSTALL] = { "reset-install", P(API_ID) | P(API_CODE), 0,
	    P(API_ID) | P(API_CODE), 0 },
	[API_SELF_SERVICE] = { "self-service",
	    P(API_ID) | P(API_CODE) | P(API_ROTATE) | P(API_DISABLE), 0,
	    P(API_ID) | P(API_CODE), P(API_ROTATE) | P(API_DISABLE) },
	[API_SET_WEBHOOK] = { "set-webhook", P(API_URL) | P(API_EVENTS),
	    P(API_URL), 0, 0 },
	[API_GET_WEBHOOK] = { "get-webhook", 0, 0, 0, 0 },
	[API_DELETE_WEBHOOK] = { "delete-webhook", 0, 0, 0, 0 },
	[API_STATS] = { "stats",
	    P(API_CODE) | P(API_INSTALL_ID) | P(API_FROM) | P(API_TO), 0, 0, 0 },
	[API_LIST_REFUSED] = { "list-refused",
	    P(API_CODE) | P(API_INSTALL_ID) | P(API_ROWS), 0,
	    P(API_CODE) | P(API_INSTALL_ID), 0 },
	[API_LIST_AUDIT] = { "list-audit",
	    P(API_INSTALL_ID) | P(API_FROM) | P(API_TO), 0, 0, 0 },
};

int
api_rules_call(const char *name, enum api_call *call)
{
	int i;

	for (i = 0; i < API_NCALLS; i++) {
		if (strcmp(api_rules[i].name, name) == 0) {
			*call = (enum api_call)i;
			return 0;
		}
	}
	return -1;
}

const char *
api_rules_name(enum api_call call)
{
	return api_rules[call].name;
}

const char *
api_rules_arg(enum api_arg arg)
{
	return api_params[arg].name;
}

/* A parameter name fit to echo in a message. */
static const char *
api_rules_echo(struct arena *a, const char *name)
{
	return valid_clean_text(a, name, PARAMS_NAME_MAX);
}

/* What is wrong with the parameters as parsed, or NULL. */
static const char *
api_rules_parsed(struct arena *a, const struct params *p)
{
	const char *name;

	name = p->bad_name != NULL ? api_rules_echo(a, p->bad_name) : NULL;
	switch (p->status) {
	case PARAMS_OK:
		return NULL;
	case PARAMS_BAD_ENCODING:
		return name != NULL ? arena_printf(a, "Bad percent-encoding "
		    "in parameter: %s", name) :
		    "Bad percent-encoding in a parameter name";
	case PARAMS_NUL:
		return name != NULL ? arena_printf(a, "NUL byte in "
		    "parameter: %s", name) : "NUL byte in a parameter name";
	case PARAMS_TOO_LONG:
		return name != NULL ? arena_printf(a, "Parameter too long: "
		    "%s", name) : "Parameter name too long";
	case PARAMS_TOO_MANY:
		return "Too many parameters";
	case PARAMS_EMPTY_NAME:
		return "Empty parameter name";
	}
	return "Bad parameters";
}

/* The value of parameter name, or NULL. */
static const char *
api_rules_value(const struct params *p, const char *name)
{
	const struct param *v;

	v = params_find(p, name);
	return v != NULL ? v->value : NULL;
}

const char *
api_rules_period(struct arena *a, const struct api_args *args, long today,
    char from[VALID_DATE_LEN + 1], char to[VALID_DATE_LEN + 1])
{
	return stats_period(a, args->v[API_FROM], args->v[API_TO], today, from,
	    to);
}

const char *
api_rules_check(struct arena *a, const struct params *p, enum api_call call,
    struct api_args *out)
{
	const struct api_rule *r = &api_rules[call];
	const struct api_param *d;
	const struct param *dup;
	const char *err, *v, *which = NULL;
	unsigned int i;

	memset(out, 0, sizeof(*out));
	if ((err = api_rules_parsed(a, p)) != NULL)
		return err;
	if ((dup = params_first_dup(p)) != NULL)
		return arena_printf(a, "Duplicate parameter: %s",
		    api_rules_echo(a, dup->name));
	out->provider_code = api_rules_value(p, "provider_code");
	out->auth_key = api_rules_value(p, "auth_key");
	if (out->provider_code == NULL || *out->provider_code == '\0')
		return "Missing parameter: provider_code";
	if (!valid_provider_code(out->provider_code))
		return "provider_code must be 8 letters or digits";
	if (out->auth_key == NULL || *out->auth_key == '\0')
		return "Missing parameter: auth_key";
	if (!valid_auth_key(out->auth_key))
		return "auth_key must be 32 characters from A-Z a-z 0-9 - _";
	for (i = 0; i < API_NARGS; i++) {
		d = &api_params[i];
		if ((r->takes & P(i)) == 0)
			continue;
		v = api_rules_value(p, d->name);
		/* tools send "x=" for "no x"; only a note can be empty */
		if (v != NULL && *v == '\0' && !d->empty_ok)
			v = NULL;
		if (v == NULL) {
			if (r->needs & P(i))
				return arena_printf(a, "Missing parameter: %s",
				    d->name);
			continue;
		}
		if ((err = d->check(a, d, &v)) != NULL)
			return err;
		out->v[i] = v;
	}
	for (i = 0; i < API_NARGS; i++) {
		if ((r->at_most_one & P(i)) == 0 || out->v[i] == NULL)
			continue;
		if (which != NULL)
			return arena_printf(a, "%s and %s cannot be given "
			    "together", which, api_params[i].name);
		which = api_params[i].name;
	}
	which = NULL;
	for (i = 0; i < API_NARGS; i++) {
		if ((r->one_of & P(i)) == 0)
			continue;
		if (out->v[i] != NULL)
			return NULL;
		which = which == NULL ? api_params[i].name :
		    arena_printf(a, "%s or %s", which, api_params[i].name);
	}
	if (which != NULL)
		return arena_printf(a, "Missing parameter: %s", which);
	return NULL;
}
