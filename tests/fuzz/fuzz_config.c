/* The configuration parser: fcgi/config.c, through config_read().
 *
 * The input is the file. A plain reference reading of the format in
 * include/config.h (lines, '#' comments, "key = value" with spaces around,
 * known keys and their ranges, a listen address of either form, a
 * database string libpq takes) must agree with the parser: a file it
 * refuses is refused with the same message naming the same line, and a
 * file it takes leaves every setting as the reference does. */

#include <ctype.h>
#include <limits.h>
#include <sys/un.h>

#include <libpq-fe.h>

#include "config.h"
#include "fuzzhelp.h"
#include "netaddr.h"

#define NAME	"fuzz.conf"

static struct arena *A;

struct ref_key {
	const char	*name;
	size_t		 str;	/* bytes of the field for a string, else 0 */
	long		 lo, hi;
};

static const struct ref_key keys[] = {
	{ "listen",		256,	0, 0 },
	{ "pid_file",		512,	0, 0 },
	{ "workers",		0,	0, CONFIG_WORKERS_MAX },
	{ "backlog",		0,	1, 65535 },
	{ "database",		1024,	0, 0 },
	{ "secret_file",	512,	0, 0 },
	{ "crypt4_key",		512,	0, 0 },
	{ "link_cap",		0,	1, 100000000 },
	{ "session_ttl",	0,	60, 90 * 86400 },
	{ "max_requests",	0,	0, 1000000000 },
	{ "log_level",		0,	0, 3 },
	{ "stop_timeout",	0,	1, 3600 },
	{ "stats",		0,	0, 1 },
	{ "stats_flush",	0,	1, 3600 },
	{ "stats_summary_age",	0,	0, 86400 },
	{ "retention_months",	0,	1, 1200 },
	{ "public_url",		256,	0, 0 },
	{ "release_cooldown_hours", 0,	0, 8760 },
	{ "sweep_interval",	0,	1, 86400 },
	{ "webhook_timeout",	0,	1, 60 },
	{ "webhook_retry_min",	0,	1, 3600 },
	{ "webhook_retry_max",	0,	1, 86400 },
	{ "webhook_give_up",	0,	1, 30 * 86400 },
	{ "webhook_allow_http",	0,	0, 1 },
	{ "webhook_allow_private", 0,	0, 1 },
	{ "metrics_allow",	512,	0, 0 },
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

/* The setting of c that key i names. */
static void *
field(struct config *c, size_t i)
{
	void *f[NKEYS] = { c->listen, c->pid_file, &c->workers, &c->backlog,
	    c->database, c->secret_file, c->crypt4_key, &c->link_cap,
	    &c->session_ttl, &c->max_requests, &c->log_level,
	    &c->stop_timeout, &c->stats, &c->stats_flush,
	    &c->stats_summary_age, &c->retention_months, c->public_url, &c->release_cooldown_hours,
	    &c->sweep_interval, &c->webhook_timeout, &c->webhook_retry_min,
	    &c->webhook_retry_max, &c->webhook_give_up,
	    &c->webhook_allow_http, &c->webhook_allow_private,
	    c->metrics_allow };

	return f[i];
}

static char *
trim(char *s)
{
	char *e;

	while (*s != '\0' && strchr(" \t\n\v\f\r", *s) != NULL)
		s++;
	e = s + strlen(s);
	while (e > s && strchr(" \t\n\v\f\r", e[-1]) != NULL)
		*--e = '\0';
	return s;
}

/* [+-]?[0-9]+ in lo..hi. */
static int
ref_int(const char *v, long lo, long hi, int *out)
{
	long long n = 0;
	int neg = 0;

	if (*v == '+' || *v == '-')
		neg = *v++ == '-';
	if (*v == '\0')
		return -1;
	for (; *v != '\0'; v++) {
		if (*v < '0' || *v > '9')
			return -1;
		if (n < LLONG_MAX / 100)
			n = n * 10 + (*v - '0');
	}
	n = neg ? -n : n;
	if (n < lo || n > hi)
		return -1;
	*out = (int)n;
	return 0;
}

/* listen: "tcp:" then anything without a space, ':' and 1 to 5 digits
 * making 1..65535; else a non-empty path shorter than sun_path. */
static int
ref_listen(const char *v)
{
	const char *colon = NULL, *s;
	long port = 0;
	size_t digits = 0;

	if (strncmp(v, "tcp:", 4) != 0)
		return *v != '\0' &&
		    strlen(v) < sizeof(((struct sockaddr_un *)NULL)->sun_path) ? 0 : -1;
	for (s = v; *s != '\0'; s++) {
		if (strchr(" \t\n\v\f\r", *s) != NULL)
			return -1;
		if (*s == ':' && s >= v + 4)
			colon = s;
	}
	if (colon == NULL)
		return -1;
	for (s = colon + 1; *s != '\0'; s++, digits++) {
		if (*s < '0' || *s > '9' || digits == 5)
			return -1;
		port = port * 10 + (*s - '0');
	}
	return digits > 0 && port >= 1 && port <= 65535 ? 0 : -1;
}

/* A switch: "on" or "off", nothing else. */
static int
ref_bool(const char *v, int *out)
{
	if (strcmp(v, "on") != 0 && strcmp(v, "off") != 0)
		return -1;
	*out = v[1] == 'n';
	return 0;
}

/* public_url: empty, or the scheme, a host of [A-Za-z0-9.:[]-] and at
 * most one '/' to end it. */
static int
ref_url(const char *v)
{
	const char *h;
	size_t n = 0;

	if (*v == '\0')
		return 0;
	if (strncmp(v, "http://", 7) == 0)
		h = v + 7;
	else if (strncmp(v, "https://", 8) == 0)
		h = v + 8;
	else
		return -1;
	while (h[n] != '\0' && (isalnum((unsigned char)h[n]) ||
	    strchr(".-:[]", h[n]) != NULL))
		n++;
	return n > 0 && (h[n] == '\0' || strcmp(h + n, "/") == 0) ? 0 : -1;
}

/* database: what libpq itself would take. */
static int
ref_database(const char *v)
{
	PQconninfoOption *o;
	char *msg = NULL;

	o = PQconninfoParse(v, &msg);
	PQfreemem(msg);
	if (o == NULL)
		return -1;
	PQconninfoFree(o);
	return 0;
}

/* Applies the whole input to c as the format says; returns 0, or -1 with
 * the message in err. */
static int
ref_read(struct config *c, const char *data, size_t size, char *err,
    size_t errlen)
{
	const char *p = data, *end = data + size, *nl;
	char *line, *k, *v, *eq;
	size_t len, i;
	int lineno = 0;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		lineno++;
		/* the line, its newline and a NUL must fit */
		if (len + 2 > CONFIG_LINE_MAX) {
			snprintf(err, errlen, NAME ":%d: line too long", lineno);
			return -1;
		}
		if (memchr(p, '\0', len) != NULL) {
			snprintf(err, errlen, NAME ":%d: NUL byte", lineno);
			return -1;
		}
		line = arena_strndup(A, p, len);
		p += len + (nl != NULL ? 1 : 0);
		k = trim(line);
		if (*k == '\0' || *k == '#')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			snprintf(err, errlen, NAME ":%d: want key = value",
			    lineno);
			return -1;
		}
		*eq = '\0';
		k = trim(k);
		v = trim(eq + 1);
		for (i = 0; i < NKEYS; i++)
			if (strcmp(keys[i].name, k) == 0)
				break;
		if (i == NKEYS) {
			snprintf(err, errlen, NAME ":%d: unknown key '%s'",
			    lineno, k);
			return -1;
		}
		if (keys[i].str > 0 ? strlen(v) >= keys[i].str ||
		    (strcmp(k, "listen") == 0 && ref_listen(v) != 0) ||
		    (strcmp(k, "database") == 0 && ref_database(v) != 0) ||
		    (strcmp(k, "public_url") == 0 && ref_url(v) != 0) ||
		    /* the address list's own rules (test_metrics.c) */
		    (strcmp(k, "metrics_allow") == 0 &&
		    !netaddr_list_valid(v)) :
		    strncmp(k, "webhook_allow_", 14) == 0 ||
		    strcmp(k, "stats") == 0 ?
		    ref_bool(v, field(c, i)) != 0 :
		    ref_int(v, keys[i].lo, keys[i].hi, field(c, i)) != 0) {
			snprintf(err, errlen, NAME ":%d: bad value for '%s'",
			    lineno, k);
			return -1;
		}
		if (keys[i].str > 0)
			memcpy(field(c, i), v, strlen(v) + 1);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config got, want;
	char gerr[1024], werr[1024];
	int grc, wrc;
	FILE *f;

	if (A == NULL)
		A = arena_new();
	config_defaults(&got);
	config_defaults(&want);
	gerr[0] = werr[0] = '\0';
	f = fmemopen((void *)(uintptr_t)data, size, "r");
	FUZZ_CHECK(f != NULL);
	grc = config_read(&got, f, NAME, gerr, sizeof(gerr));
	fclose(f);
	wrc = ref_read(&want, (const char *)data, size, werr, sizeof(werr));
	if (grc != wrc || (grc != 0 && strcmp(gerr, werr) != 0)) {
		fprintf(stderr, "config_read: %d \"%s\"\nreference: %d \"%s\"\n",
		    grc, gerr, wrc, werr);
		FUZZ_CHECK(!"config_read and the reference disagree");
	}
	if (grc != 0) {
		/* the message names the file and a line that exists */
		FUZZ_CHECK(strncmp(gerr, NAME ":", strlen(NAME ":")) == 0);
		FUZZ_CHECK(isdigit((unsigned char)gerr[strlen(NAME ":")]));
		FUZZ_CHECK(atoi(gerr + strlen(NAME ":")) >= 1);
		FUZZ_CHECK((size_t)atoi(gerr + strlen(NAME ":")) <= size);
	} else {
		FUZZ_CHECK(memcmp(&got, &want, sizeof(got)) == 0);
	}
	arena_reset(A);
	return 0;
}
