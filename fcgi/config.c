#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "config.h"
#include "netaddr.h"

/* Every key: its default and its bounds, in this one table. The README's
 * table of keys is checked against it (tests/unit/test_config.c). */
static const struct config_key config_keys[] = {
	{ "listen", CONFIG_LISTEN, offsetof(struct config, listen),
	    sizeof(((struct config *)0)->listen), "var/run/fcgi.sock", 0, 0 },
	{ "workers", CONFIG_INT, offsetof(struct config, workers), 0, "0", 0,
	    CONFIG_WORKERS_MAX },
	{ "backlog", CONFIG_INT, offsetof(struct config, backlog), 0, "1024",
	    1, 65535 },
	{ "database", CONFIG_CONNINFO, offsetof(struct config, database),
	    sizeof(((struct config *)0)->database), "dbname=limitedlinks", 0,
	    0 },
	{ "secret_file", CONFIG_STR, offsetof(struct config, secret_file),
	    sizeof(((struct config *)0)->secret_file), "var/secret.key", 0, 0 },
	{ "crypt4_key", CONFIG_STR, offsetof(struct config, crypt4_key),
	    sizeof(((struct config *)0)->crypt4_key),
	    "var/happ-crypt4-public.pem", 0, 0 },
	{ "link_cap", CONFIG_INT, offsetof(struct config, link_cap), 0,
	    "100000", 1, 100000000 },
	{ "session_ttl", CONFIG_INT, offsetof(struct config, session_ttl), 0,
	    "28800", 60, 90 * 86400 },
	{ "max_requests", CONFIG_INT, offsetof(struct config, max_requests),
	    0, "0", 0, 1000000000 },
	{ "log_level", CONFIG_INT, offsetof(struct config, log_level), 0, "1",
	    0, 3 },
	{ "stop_timeout", CONFIG_INT, offsetof(struct config, stop_timeout),
	    0, "10", 1, 3600 },
	{ "pid_file", CONFIG_STR, offsetof(struct config, pid_file),
	    sizeof(((struct config *)0)->pid_file), "", 0, 0 },
	{ "stats", CONFIG_BOOL, offsetof(struct config, stats), 0, "on", 0,
	    1 },
	{ "stats_flush", CONFIG_INT, offsetof(struct config, stats_flush), 0,
	    "5", 1, 3600 },
	{ "stats_summary_age", CONFIG_INT,
	    offsetof(struct config, stats_summary_age), 0, "60", 0, 86400 },
	{ "retention_months", CONFIG_INT,
	    offsetof(struct config, retention_months), 0, "13", 1, 1200 },
	{ "public_url", CONFIG_URL, offsetof(struct config, public_url),
	    sizeof(((struct config *)0)->public_url), "", 0, 0 },
	{ "release_cooldown_hours", CONFIG_INT,
	    offsetof(struct config, release_cooldown_hours), 0, "24", 0,
	    8760 },
	{ "sweep_interval", CONFIG_INT, offsetof(struct config, sweep_interval),
	    0, "300", 1, 86400 },
	{ "webhook_timeout", CONFIG_INT,
	    offsetof(struct config, webhook_timeout), 0, "10", 1, 60 },
	{ "webhook_retry_min", CONFIG_INT,
	    offsetof(struct config, webhook_retry_min), 0, "30", 1, 3600 },
	{ "webhook_retry_max", CONFIG_INT,
	    offsetof(struct config, webhook_retry_max), 0, "3600", 1, 86400 },
	{ "webhook_give_up", CONFIG_INT,
	    offsetof(struct config, webhook_give_up), 0, "86400", 1,
	    30 * 86400 },
	{ "webhook_allow_http", CONFIG_BOOL,
	    offsetof(struct config, webhook_allow_http), 0, "off", 0, 1 },
	{ "webhook_allow_private", CONFIG_BOOL,
	    offsetof(struct config, webhook_allow_private), 0, "off", 0, 1 },
	{ "metrics_allow", CONFIG_ADDRS, offsetof(struct config, metrics_allow),
	    sizeof(((struct config *)0)->metrics_allow), "127.0.0.0/8, ::1", 0,
	    0 },
};

#define CONFIG_NKEYS	(sizeof(config_keys) / sizeof(config_keys[0]))

const struct config_key *
config_key(size_t i)
{
	return i < CONFIG_NKEYS ? &config_keys[i] : NULL;
}

static int
config_int(const char *v, int lo, int hi, int *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < lo || n > hi)
		return -1;
	*out = (int)n;
	return 0;
}

static int
config_str(const char *v, char *dst, size_t size)
{
	if (strlen(v) >= size)
		return -1;
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

/* A unix socket path that fits a socket address, or tcp:[HOST]:PORT
 * with no space anywhere and PORT only digits, 1 to 65535. */
static int
config_listen(const char *v, char *dst, size_t size)
{
	const char *port, *s;
	int n;

	if (strncmp(v, "tcp:", 4) == 0) {
		port = strrchr(v + 4, ':');
		if (port == NULL || port[1] == '\0' ||
		    strspn(port + 1, "0123456789") != strlen(port + 1) ||
		    strlen(port + 1) > 5 ||
		    config_int(port + 1, 1, 65535, &n) != 0)
			return -1;
		for (s = v; *s != '\0'; s++)
			if (isspace((unsigned char)*s))
				return -1;
	} else if (*v == '\0' ||
	    strlen(v) >= sizeof(((struct sockaddr_un *)NULL)->sun_path)) {
		return -1;
	}
	return config_str(v, dst, size);
}

/* "on" or "off". */
static int
config_bool(const char *v, int *out)
{
	if (strcmp(v, "on") == 0)
		*out = 1;
	else if (strcmp(v, "off") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

/* "", or http:// or https:// then a host (and port) of letters, digits
 * and ".-:[]", and at most a '/' after it: the start of the URLs built on
 * it. */
static int
config_url(const char *v, char *dst, size_t size)
{
	const char *host;
	size_t n;

	if (*v != '\0') {
		if (strncmp(v, "https://", 8) == 0)
			host = v + 8;
		else if (strncmp(v, "http://", 7) == 0)
			host = v + 7;
		else
			return -1;
		n = strspn(host, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789.-:[]");
		if (n == 0 || !(host[n] == '\0' ||
		    (host[n] == '/' && host[n + 1] == '\0')))
			return -1;
	}
	return config_str(v, dst, size);
}

/* What libpq would refuse on every connection is refused here, with the
 * line; libpq's own message is not repeated, since it may quote the
 * string, password and all. */
static int
config_conninfo(const char *v, char *dst, size_t size)
{
	PQconninfoOption *opts;
	char *msg = NULL;

	opts = PQconninfoParse(v, &msg);
	if (msg != NULL)
		PQfreemem(msg);
	if (opts == NULL)
		return -1;
	PQconninfoFree(opts);
	return config_str(v, dst, size);
}

/* Sets key k to v. Returns 0, -1 for a bad value, -2 for no such key. */
static int
config_set(struct config *c, const char *k, const char *v)
{
	const struct config_key *key;
	char *at;
	size_t i;

	for (i = 0; i < CONFIG_NKEYS; i++) {
		key = &config_keys[i];
		if (strcmp(k, key->name) != 0)
			continue;
		at = (char *)c + key->offset;
		switch (key->type) {
		case CONFIG_STR:
			return config_str(v, at, key->size);
		case CONFIG_LISTEN:
			return config_listen(v, at, key->size);
		case CONFIG_CONNINFO:
			return config_conninfo(v, at, key->size);
		case CONFIG_BOOL:
			return config_bool(v, (int *)(void *)at);
		case CONFIG_URL:
			return config_url(v, at, key->size);
		case CONFIG_ADDRS:
			if (!netaddr_list_valid(v))
				return -1;
			return config_str(v, at, key->size);
		case CONFIG_INT:
			break;
		}
		return config_int(v, key->lo, key->hi, (int *)(void *)at);
	}
	return -2;
}

void
config_defaults(struct config *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < CONFIG_NKEYS; i++)
		config_set(c, config_keys[i].name, config_keys[i].def);
}

static char *
config_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int
config_secret(struct config *c, char *err, size_t errlen)
{
	char hex[CONFIG_SECRET_LEN * 2 + 2];
	unsigned int byte;
	FILE *f;
	size_t i, n;
	int rc = -1;

	f = fopen(c->secret_file, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", c->secret_file, strerror(errno));
		goto out;
	}
	n = fread(hex, 1, sizeof(hex) - 1, f);
	hex[n] = '\0';
	config_trim(hex);
	if (strlen(hex) != CONFIG_SECRET_LEN * 2) {
		snprintf(err, errlen, "%s: want %d hex digits", c->secret_file,
		    CONFIG_SECRET_LEN * 2);
		goto out;
	}
	for (i = 0; i < CONFIG_SECRET_LEN; i++) {
		if (!isxdigit((unsigned char)hex[2 * i]) ||
		    !isxdigit((unsigned char)hex[2 * i + 1]) ||
		    sscanf(hex + 2 * i, "%2x", &byte) != 1) {
			snprintf(err, errlen, "%s: not hex", c->secret_file);
			goto out;
		}
		c->secret[i] = (unsigned char)byte;
	}
	rc = 0;
out:
	if (f != NULL)
		fclose(f);
	return rc;
}

/* Applies one line of the file (without its newline). Returns 0, or -1
 * with a message naming where. */
static int
config_line(struct config *c, char *line, const char *where, char *err,
    size_t errlen)
{
	char *k, *v, *eq;
	int st;

	k = config_trim(line);
	if (*k == '\0' || *k == '#')
		return 0;
	eq = strchr(k, '=');
	if (eq == NULL) {
		snprintf(err, errlen, "%s: want key = value", where);
		return -1;
	}
	*eq = '\0';
	k = config_trim(k);
	v = config_trim(eq + 1);
	st = config_set(c, k, v);
	if (st == -2)
		snprintf(err, errlen, "%s: unknown key '%s'", where, k);
	else if (st != 0)
		snprintf(err, errlen, "%s: bad value for '%s'", where, k);
	return st == 0 ? 0 : -1;
}

/* Reads the next line of f into line (size bytes) without its newline,
 * and its length into *len. Returns 1, 0 at the end of f, or -1 when the
 * line and its newline do not fit with a NUL (the rest is left unread). */
static int
config_getline(FILE *f, char *line, size_t size, size_t *len)
{
	size_t n = 0;
	int ch;

	while ((ch = getc(f)) != EOF && ch != '\n') {
		if (n + 2 >= size)
			return -1;
		line[n++] = (char)ch;
	}
	line[n] = '\0';
	*len = n;
	return ch == EOF && n == 0 ? 0 : 1;
}

int
config_read(struct config *c, FILE *f, const char *name, char *err,
    size_t errlen)
{
	char line[CONFIG_LINE_MAX], where[600];
	size_t len;
	int lineno = 0, st;

	while ((st = config_getline(f, line, sizeof(line), &len)) != 0) {
		snprintf(where, sizeof(where), "%s:%d", name, ++lineno);
		/* the rest of a longer line would read as a line of its own */
		if (st < 0) {
			snprintf(err, errlen, "%s: line too long", where);
			return -1;
		}
		/* the value would silently end there */
		if (strlen(line) != len) {
			snprintf(err, errlen, "%s: NUL byte", where);
			return -1;
		}
		if (config_line(c, line, where, err, errlen) != 0)
			return -1;
	}
	return 0;
}

int
config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	FILE *f;
	int rc = -1;

	if (config_str(path, c->path, sizeof(c->path)) != 0) {
		snprintf(err, errlen, "config path too long");
		return -1;
	}
	f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (config_read(c, f, path, err, errlen) != 0)
		goto out;
	if (c->workers == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		c->workers = (int)(n > 0 ? n * CONFIG_WORKERS_PER_CORE :
		    CONFIG_WORKERS_PER_CORE);
		if (c->workers > CONFIG_WORKERS_MAX)
			c->workers = CONFIG_WORKERS_MAX;
	}
	if (config_secret(c, err, errlen) != 0)
		goto out;
	rc = 0;
out:
	if (f != NULL)
		fclose(f);
	return rc;
}
