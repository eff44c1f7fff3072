#ifndef LL_CONFIG_H
#define LL_CONFIG_H

#include <stddef.h>
#include <stdio.h>

/* The configuration file: "key = value" lines, '#' comments. */

#define CONFIG_SECRET_LEN 32	/* bytes of the key-hashing secret */
#define CONFIG_LINE_MAX	2048	/* bytes in a line, newline and NUL included */
/* Workers when the configuration says 0. Each worker has one request and
 * one PostgreSQL connection in hand at a time, and an admission spends
 * much of its time waiting for its commit to reach the disk: only as many
 * commits as workers can share one flush. With two per core new
 * admissions left the cores idle; eight per core let PostgreSQL batch
 * enough commits (README.md, "Benchmark"). A worker is about 6 MB
 * resident, most of it shared. */
#define CONFIG_WORKERS_PER_CORE	8
#define CONFIG_WORKERS_MAX	256	/* highest 'workers' accepted */

struct config {
	char	path[512];		/* where it was read from */
	char	listen[256];		/* unix socket path or tcp:HOST:PORT */
	char	pid_file[512];		/* the master's pid; "" for none */
	int	workers;		/* worker processes; 0: eight per core */
	int	backlog;		/* listen queue length */
	char	database[1024];		/* libpq connection string */
	char	secret_file[512];	/* 64 hex digits */
	unsigned char secret[CONFIG_SECRET_LEN];
	char	crypt4_key[512];	/* PEM public key for happ://crypt4/ */
	int	link_cap;		/* links per provider at most */
	int	session_ttl;		/* seconds a web session lives */
	int	max_requests;		/* a worker retires after this many; 0: never */
	int	log_level;		/* 0 debug .. 3 error */
	int	stop_timeout;		/* seconds a stopping worker may take */
	int	stats;			/* count what the check decides: 1 on */
	int	stats_flush;		/* seconds between a worker's flushes */
	int	stats_summary_age;	/* seconds a provider's devices and
					   links counted may be old; 0: live */
	int	retention_months;	/* months of check events kept */
	char	public_url[256];	/* "https://HOST" of self-service pages;
					   "": the host each call was sent to */
	int	release_cooldown_hours;	/* between self-service releases of a
					   link; 0: releasing is off */
	int	sweep_interval;		/* seconds between expiry sweeps */
	int	webhook_timeout;	/* seconds a delivery may take */
	int	webhook_retry_min;	/* seconds before the first retry */
	int	webhook_retry_max;	/* seconds between retries, at most */
	int	webhook_give_up;	/* seconds of retries before an event
					   is marked failed */
	int	webhook_allow_http;	/* 1: http:// URLs too */
	int	webhook_allow_private;	/* 1: private addresses too */
	char	metrics_allow[512];	/* who may read /metrics: CIDRs */
};

/* One key of the file: its default (as the file would write it; "" for
 * none) and, for a number, its bounds. */
enum config_type {
	CONFIG_STR,		/* a char array of size bytes */
	CONFIG_LISTEN,		/* a string: a socket path or tcp:HOST:PORT */
	CONFIG_CONNINFO,	/* a string libpq can parse */
	CONFIG_INT,		/* an int from lo to hi */
	CONFIG_BOOL,		/* an int, 1 for "on", 0 for "off" */
	CONFIG_URL,		/* a string: "" or http(s)://HOST[:PORT][/] */
	CONFIG_ADDRS		/* a string: addresses and CIDRs, as
				   netaddr_in_list() reads them */
};

struct config_key {
	const char	*name;
	enum config_type type;
	size_t		 offset;	/* in struct config */
	size_t		 size;
	const char	*def;
	int		 lo;
	int		 hi;
};

/* The i-th key the file may set, from the one table of keys, defaults and
 * bounds; NULL past the last. Cannot fail. */
const struct config_key *config_key(size_t i);

/* Fills c with the defaults of every key. Cannot fail. */
void config_defaults(struct config *c);

/* Reads path over the defaults already in c, then loads the secret.
 * Returns 0, or -1 with a message in err (errlen bytes); a line longer
 * than CONFIG_LINE_MAX, or one holding a NUL byte, is an error. */
int config_load(struct config *c, const char *path, char *err, size_t errlen);

/* Applies the "key = value" lines of f over c, as config_load() does with
 * its file, and stops at the end of f; name is what messages call the file
 * ("name:LINE: ..."). Neither loads the secret nor works out the default
 * number of workers. Returns 0, or -1 with a message in err (errlen
 * bytes); c may then hold the lines before the fault. f stays open. */
int config_read(struct config *c, FILE *f, const char *name, char *err,
    size_t errlen);

#endif
