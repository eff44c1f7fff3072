#ifndef LL_PARAMS_H
#define LL_PARAMS_H

#include <stddef.h>

#include "arena.h"

/* Strict, bounded parsing of query strings and urlencoded form bodies.
 * Pure: no I/O, nothing global. */

#define PARAMS_MAX		32	/* distinct names in one request */
#define PARAMS_NAME_MAX		64	/* bytes in a decoded name */
#define PARAMS_VALUE_MAX	8192	/* bytes in a decoded value */

/* Where a parameter came from: a name given in both has both bits. */
#define PARAMS_QUERY		1u	/* the query string */
#define PARAMS_BODY		2u	/* an urlencoded form body */

enum params_status {
	PARAMS_OK = 0,
	PARAMS_BAD_ENCODING,	/* a '%' not followed by two hex digits */
	PARAMS_NUL,		/* a decoded NUL byte */
	PARAMS_TOO_MANY,	/* more than PARAMS_MAX distinct names */
	PARAMS_TOO_LONG,	/* a name or value over its limit */
	PARAMS_EMPTY_NAME	/* "=x" */
};

struct param {
	const char	*name;	/* decoded, NUL-terminated */
	const char	*value;	/* decoded, NUL-terminated; "" for "a" or "a=" */
	size_t		 len;	/* bytes in value */
	int		 count;	/* how many times the name appeared */
	unsigned int	 from;	/* PARAMS_QUERY and/or PARAMS_BODY */
};

struct params {
	struct param		 items[PARAMS_MAX];
	int			 n;
	enum params_status	 status;
	const char		*bad_name;	/* the name at fault, when known */
};

/* Empties p. Cannot fail. */
void params_init(struct params *p);

/* Adds the pairs of s (len bytes, need not be NUL-terminated) into p,
 * decoding '%XX' and '+', and marks each as coming from "from"
 * (PARAMS_QUERY or PARAMS_BODY). Strings live in arena a. Parsing a query
 * string and then a form body into the same p merges them. A repeated
 * name keeps its first value, counts the repeats and gathers where they
 * came from (across calls too). Returns p->status; on error p holds what
 * was parsed before the fault, and p->bad_name names the parameter when
 * known. An error stays: once p->status is not PARAMS_OK, later calls add
 * nothing and return it. */
enum params_status params_parse_from(struct params *p, struct arena *a,
    const char *s, size_t len, unsigned int from);

/* params_parse_from() for a query string (PARAMS_QUERY). */
enum params_status params_parse(struct params *p, struct arena *a,
    const char *s, size_t len);

/* Returns the parameter called name, or NULL when absent. */
const struct param *params_find(const struct params *p, const char *name);

/* Returns the first parameter that appeared more than once, or NULL. */
const struct param *params_first_dup(const struct params *p);

/* Returns a short English text for a status ("bad percent-encoding"). */
const char *params_strerror(enum params_status st);

/* Percent-decodes len bytes of s into the arena ('+' becomes a space when
 * plus is non-zero). Returns the decoded string and its length in *out_len,
 * or NULL on a bad escape or a decoded NUL. */
char *params_decode(struct arena *a, const char *s, size_t len, int plus,
    size_t *out_len);

#endif
