#ifndef LL_API_RULES_H
#define LL_API_RULES_H

#include "arena.h"
#include "params.h"
#include "valid.h"

/* The provider API's parameter rules: which calls there are, which
 * parameters each takes and needs, and what each parameter must be, as
 * tables; and the one engine that checks a request's parameters against
 * them, in a fixed order, before anything is authenticated or read. Pure:
 * no I/O, nothing global; the limits come from the services that own
 * them (links.h, domains.h). */

/* The calls, by the path after /api/. */
enum api_call {
	API_ADD_INSTALL,
	API_UPDATE_INSTALL,
	API_LIST_INSTALL,
	API_LIST_HWID,
	API_DELETE_HWID,
	API_ADD_DOMAIN,
	API_LIST_DOMAIN,
	API_DELETE_DOMAIN,
	API_STATS,
	API_LIST_REFUSED,
	API_LIST_AUDIT,
	API_RESET_INSTALL,
	API_SELF_SERVICE,
	API_SET_WEBHOOK,
	API_GET_WEBHOOK,
	API_DELETE_WEBHOOK,
	API_NCALLS
};

/* The parameters a call may take besides provider_code and auth_key, in
 * the order they are checked. */
enum api_arg {
	API_ID,
	API_CODE,		/* install_code */
	API_INSTALL_ID,
	API_LIMIT,		/* install_limit */
	API_STATUS,
	API_NOTE,
	API_HWID,
	API_HASH,		/* domain_hash */
	API_NAME,		/* domain_name */
	API_FROM,		/* a period's first day, YYYY-MM-DD */
	API_TO,			/* and its last */
	API_ROWS,		/* limit: rows at most */
	API_EXPIRE,		/* expire_days */
	API_ROTATE,		/* "1" or absent */
	API_DISABLE,		/* "1" or absent */
	API_URL,		/* a webhook's */
	API_EVENTS,		/* a webhook's types, canonical: known,
				   once each, comma-separated, in
				   webhooks_types' order */
	API_NARGS
};

#define API_ROWS_MAX		1000	/* rows list-refused answers at most */

/* A request's parameters once they are valid. */
struct api_args {
	const char	*provider_code;
	const char	*auth_key;
	/* by enum api_arg: NULL when absent (or not taken by the call);
	 * numbers in canonical decimal */
	const char	*v[API_NARGS];
};

/* The call named name (the path after /api/, "add-install"); returns 0
 * and stores it in *call, or -1 for no such call. */
int api_rules_call(const char *name, enum api_call *call);

/* The name of call, as in its path. */
const char *api_rules_name(enum api_call call);

/* The name of parameter arg, as requests spell it. */
const char *api_rules_arg(enum api_arg arg);

/* The period of days of a call that takes from and to, as checked by
 * api_rules_check() into args, by the rule of stats_period() (stats.h):
 * today is the number of the current UTC day. Writes the first and last
 * day into from and to and returns NULL, or returns the message naming
 * what is wrong (in arena a, or static). */
const char *api_rules_period(struct arena *a, const struct api_args *args,
    long today, char from[VALID_DATE_LEN + 1], char to[VALID_DATE_LEN + 1]);

/* Checks the parsed parameters p of a request to call: first that they
 * parsed and none is repeated, then provider_code and auth_key, then the
 * call's own in enum api_arg order; an empty value counts as absent,
 * except a note's. Returns NULL with out filled, or the message naming
 * the first fault (in arena a, or static). */
const char *api_rules_check(struct arena *a, const struct params *p,
    enum api_call call, struct api_args *out);

#endif
