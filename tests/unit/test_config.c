/* The configuration file and the secret: fcgi/config.c. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "testhelp.h"

#define SECRET_HEX \
	"00ff102030405060708090a0b0c0d0e0f00112233445566778899aabbccddeff"

static char dir[64];
static char secret_path[128];
static char err[512];

static const char *
path_of(const char *name)
{
	static char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static void
write_file(const char *name, const char *text)
{
	FILE *f;

	f = fopen(path_of(name), "w");
	if (f == NULL) {
		perror(path_of(name));
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

/* Loads the text as a configuration, with a good secret unless the text
 * names another. Returns config_load's result; err holds its message. */
static int
load(struct config *c, const char *text)
{
	char full[8192];

	snprintf(full, sizeof(full), "secret_file = %s\n%s", secret_path, text);
	write_file("test.conf", full);
	config_defaults(c);
	err[0] = '\0';
	return config_load(c, path_of("test.conf"), err, sizeof(err));
}

static int
has(const char *s, const char *part)
{
	if (strstr(s, part) != NULL)
		return 1;
	fprintf(stderr, "  message: %s\n  lacks: %s\n", s, part);
	return 0;
}

static void
test_good(void)
{
	struct config c;

	TEST("every key, comments, blanks and spaces");
	ASSERT(load(&c,
	    "# a comment\n"
	    "\n"
	    "   listen   =   /run/ll/fcgi.sock   \n"
	    "pid_file = /run/ll/fcgi.pid\n"
	    "\tworkers\t=\t3\n"
	    "backlog = 64\n"
	    "database = host=/run/ll dbname=ll user=ll\n"
	    "crypt4_key = /etc/ll/key.pem\n"
	    "link_cap = 500\n"
	    "session_ttl = 3600\n"
	    "max_requests = 1000\n"
	    "log_level = 0\n"
	    "stop_timeout = 7\n") == 0);
	ASSERT_STR(err, "");
	ASSERT_STR(c.listen, "/run/ll/fcgi.sock");
	ASSERT_STR(c.pid_file, "/run/ll/fcgi.pid");
	ASSERT(c.workers == 3);
	ASSERT(c.backlog == 64);
	ASSERT_STR(c.database, "host=/run/ll dbname=ll user=ll");
	ASSERT_STR(c.crypt4_key, "/etc/ll/key.pem");
	ASSERT(c.link_cap == 500);
	ASSERT(c.session_ttl == 3600);
	ASSERT(c.max_requests == 1000);
	ASSERT(c.log_level == 0);
	ASSERT(c.stop_timeout == 7);

	TEST("the lifecycle's keys: switches, a public URL, seconds");
	ASSERT(load(&c, "webhook_allow_http = on\n"
	    "webhook_allow_private = on\n"
	    "public_url = https://ll.example.com:8443/\n"
	    "release_cooldown_hours = 0\n"
	    "sweep_interval = 2\n"
	    "webhook_retry_min = 1\n") == 0);
	ASSERT(c.webhook_allow_http == 1 && c.webhook_allow_private == 1);
	ASSERT_STR(c.public_url, "https://ll.example.com:8443/");
	ASSERT(c.release_cooldown_hours == 0 && c.sweep_interval == 2);
	ASSERT(c.webhook_retry_min == 1 && c.webhook_retry_max == 3600);
	ASSERT(load(&c, "webhook_allow_http = off\npublic_url =\n") == 0);
	ASSERT(c.webhook_allow_http == 0);
	ASSERT_STR(c.public_url, "");
	ASSERT(c.webhook_give_up == 86400 && c.release_cooldown_hours == 24);
	ASSERT_STR(c.path, path_of("test.conf"));

	TEST("the secret is read as bytes");
	ASSERT(c.secret[0] == 0x00 && c.secret[1] == 0xff &&
	    c.secret[2] == 0x10 && c.secret[31] == 0xff);

	TEST("defaults stay for absent keys");
	ASSERT(load(&c, "") == 0);
	ASSERT_STR(c.listen, "var/run/fcgi.sock");
	ASSERT(c.backlog == 1024);
	ASSERT(c.stop_timeout == 10);
	ASSERT(c.log_level == 1);

	TEST("workers = 0 means eight per core");
	ASSERT(load(&c, "workers = 0\n") == 0);
	ASSERT(c.workers == CONFIG_WORKERS_PER_CORE * (int)sysconf(_SC_NPROCESSORS_ONLN));
	ASSERT(CONFIG_WORKERS_PER_CORE == 8);

	TEST("a later line wins");
	ASSERT(load(&c, "workers = 2\nworkers = 5\n") == 0);
	ASSERT(c.workers == 5);

	TEST("no newline at the end of the file");
	ASSERT(load(&c, "workers = 6") == 0);
	ASSERT(c.workers == 6);
}

static void
test_syntax(void)
{
	struct config c;

	TEST("missing file");
	config_defaults(&c);
	ASSERT(config_load(&c, path_of("nothere.conf"), err, sizeof(err)) != 0);
	ASSERT(has(err, "nothere.conf"));
	ASSERT(has(err, "No such file"));

	TEST("a line without '='");
	ASSERT(load(&c, "workers = 2\njust words\n") != 0);
	ASSERT(has(err, "test.conf:3: want key = value"));

	TEST("an unknown key");
	ASSERT(load(&c, "\n\nworker = 2\n") != 0);
	ASSERT(has(err, ":4: unknown key 'worker'"));

	TEST("an empty key");
	ASSERT(load(&c, " = 2\n") != 0);
	ASSERT(has(err, ":2: unknown key ''"));

	TEST("a path too long for the buffer");
	{
		char longpath[1024];

		memset(longpath, 'p', sizeof(longpath) - 1);
		longpath[sizeof(longpath) - 1] = '\0';
		config_defaults(&c);
		ASSERT(config_load(&c, longpath, err, sizeof(err)) != 0);
		ASSERT(has(err, "config path too long"));
	}
}

static void
test_values(void)
{
	static const char *const bad[] = { "workers = abc\n",
	    "workers = 257\n", "workers = -1\n", "workers = 4x\n",
	    "workers =\n", "workers = 99999999999999999999\n",
	    "backlog = 0\n", "backlog = 65536\n", "log_level = 4\n",
	    "session_ttl = 59\n", "stop_timeout = 0\n", "link_cap = 0\n",
	    "max_requests = -5\n", "workers = 1.5\n", "listen =\n",
	    "listen = tcp:\n", "listen = tcp:127.0.0.1\n",
	    "listen = tcp:127.0.0.1:0\n", "listen = tcp:127.0.0.1:65536\n",
	    "listen = tcp:127.0.0.1:90x\n", "listen = tcp:a b:9000\n",
	    "listen = tcp:a\tb:9000\n", "listen = tcp:a:+900\n",
	    "database = dbname\n", "database = usr=ll_app\n",
	    "database = dbname='open\n", "stats = yes\n", "stats = ON\n",
	    "stats = 1\n", "stats =\n", "stats_flush = 0\n",
	    "stats_flush = 3601\n", "retention_months = 0\n",
	    "stats_summary_age = -1\n", "stats_summary_age = 86401\n",
	    "webhook_allow_http = yes\n",
	    "webhook_allow_private = 1\n", "webhook_allow_http = On\n",
	    "public_url = example.com\n", "public_url = ftp://example.com\n",
	    "public_url = https://\n", "public_url = https://a.com/x\n",
	    "public_url = https://a b.com\n", "public_url = https://a.com?x\n",
	    "sweep_interval = 0\n", "release_cooldown_hours = -1\n",
	    "release_cooldown_hours = 8761\n", "webhook_timeout = 61\n",
	    "webhook_retry_min = 0\n", "webhook_give_up = 0\n" };
	struct config c;
	char text[2048];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		TEST(bad[i]);
		ASSERT(load(&c, bad[i]) != 0);
		ASSERT(has(err, ":2: bad value for '"));
	}
	TEST("a socket path longer than a socket address holds");
	memset(text, 's', sizeof(text));
	memcpy(text, "listen = /", 10);
	text[10 + 107] = '\n';
	text[10 + 108] = '\0';
	ASSERT(load(&c, text) != 0);
	ASSERT(has(err, ":2: bad value for 'listen'"));
	text[10 + 106] = '\n';
	text[10 + 107] = '\0';
	ASSERT(load(&c, text) == 0);

	TEST("stats is on or off; its flush and retention within bounds");
	ASSERT(load(&c, "stats = off\nstats_flush = 1\n"
	    "retention_months = 1200\n") == 0);
	ASSERT(c.stats == 0 && c.stats_flush == 1 &&
	    c.retention_months == 1200);
	ASSERT(load(&c, "stats = on\n") == 0);
	ASSERT(c.stats == 1 && c.stats_flush == 5 && c.retention_months == 13);
	ASSERT(c.stats_summary_age == 60);
	ASSERT(load(&c, "stats_summary_age = 0\n") == 0);
	ASSERT(c.stats_summary_age == 0);

	TEST("tcp:HOST:PORT and tcp::PORT");
	ASSERT(load(&c, "listen = tcp:127.0.0.1:9000\n") == 0);
	ASSERT_STR(c.listen, "tcp:127.0.0.1:9000");
	ASSERT(load(&c, "listen = tcp::65535\n") == 0);

	TEST("a bad connection string is refused without quoting it");
	ASSERT(load(&c, "database = dbname=ll password=hunter2 usr=x\n") != 0);
	ASSERT(has(err, ":2: bad value for 'database'"));
	ASSERT(strstr(err, "hunter2") == NULL);

	TEST("a value too long for its field");
	memset(text, 'L', sizeof(text));
	memcpy(text, "listen = ", 9);
	text[9 + 300] = '\n';
	text[9 + 301] = '\0';
	ASSERT(load(&c, text) != 0);
	ASSERT(has(err, "bad value for 'listen'"));
}

static void
test_long_line(void)
{
	struct config c;
	char text[4096];

	TEST("an over-long comment line is refused, not split");
	text[0] = '#';
	memset(text + 1, 'c', 2046);
	memcpy(text + 2047, "workers = 9\n", 13);
	ASSERT(load(&c, text) != 0);
	ASSERT(has(err, ":2: line too long"));

	TEST("an over-long value is refused, not cut");
	memcpy(text, "database = ", 11);
	memset(text + 11, 'd', 2500);
	memcpy(text + 2511, "\n", 2);
	ASSERT(load(&c, text) != 0);
	ASSERT(has(err, ":2: line too long"));

	TEST("the longest line that fits");
	memcpy(text, "database = dbname=", 18);
	memset(text + 18, 'd', 993);
	memcpy(text + 1011, "\n", 2);
	ASSERT(load(&c, text) == 0);
	ASSERT(strlen(c.database) == 1000);
}

/* Reads size bytes of text with config_read(); err holds its message. */
static int
read_bytes(struct config *c, const char *text, size_t size)
{
	char copy[256];
	FILE *f;
	int rc;

	memcpy(copy, text, size);
	f = fmemopen(copy, size, "r");
	if (f == NULL) {
		perror("fmemopen");
		exit(1);
	}
	config_defaults(c);
	err[0] = '\0';
	rc = config_read(c, f, "mem.conf", err, sizeof(err));
	fclose(f);
	return rc;
}

static void
test_stream(void)
{
	static const char nul_mid[] = "workers = 3\nlisten = /a\0/b\nx = 1\n";
	static const char nul_end[] = "workers = 3\ndatabase = dbname=a\0 x";
	struct config c;

	TEST("config_read: lines of a stream, named as the caller says");
	ASSERT(read_bytes(&c, "# c\nworkers = 3\nbacklog = 9", 27) == 0);
	ASSERT(c.workers == 3 && c.backlog == 9);
	ASSERT(read_bytes(&c, "workers = 3\nno\n", 16) != 0);
	ASSERT_STR(err, "mem.conf:2: want key = value");
	ASSERT(read_bytes(&c, "", 0) == 0);

	TEST("a NUL byte is refused on its line, not read as a long line");
	ASSERT(read_bytes(&c, nul_mid, sizeof(nul_mid) - 1) != 0);
	ASSERT_STR(err, "mem.conf:2: NUL byte");

	TEST("a NUL byte in the last line does not cut its value");
	ASSERT(read_bytes(&c, nul_end, sizeof(nul_end) - 1) != 0);
	ASSERT_STR(err, "mem.conf:2: NUL byte");
	ASSERT_STR(c.database, "dbname=limitedlinks");
}

static void
test_secret(void)
{
	struct config c;
	char text[512];

	TEST("missing secret file");
	snprintf(text, sizeof(text), "secret_file = %s\n", path_of("none.key"));
	ASSERT(load(&c, text) != 0);
	ASSERT(has(err, "none.key"));

	TEST("short secret");
	write_file("short.key", "abcdef\n");
	snprintf(text, sizeof(text), "secret_file = %s\n", path_of("short.key"));
	ASSERT(load(&c, text) != 0);
	ASSERT(has(err, "want 64 hex digits"));

	TEST("long secret");
	write_file("long.key", SECRET_HEX "00\n");
	snprintf(text, sizeof(text), "secret_file = %s\n", path_of("long.key"));
	ASSERT(load(&c, text) != 0);
	ASSERT(has(err, "want 64 hex digits"));

	TEST("not hex");
	write_file("nothex.key",
	    "zzff102030405060708090a0b0c0d0e0f00112233445566778899aabbccddeff\n");
	snprintf(text, sizeof(text), "secret_file = %s\n", path_of("nothex.key"));
	ASSERT(load(&c, text) != 0);
	ASSERT(has(err, "not hex"));

	TEST("a secret with CRLF and no newline");
	write_file("crlf.key", SECRET_HEX "\r\n");
	snprintf(text, sizeof(text), "secret_file = %s\n", path_of("crlf.key"));
	ASSERT(load(&c, text) == 0);
	ASSERT(c.secret[1] == 0xff);
	write_file("bare.key", SECRET_HEX);
	snprintf(text, sizeof(text), "secret_file = %s\n", path_of("bare.key"));
	ASSERT(load(&c, text) == 0);
}

/* Column col (0 the first) of a Markdown table row, trimmed, into out. */
static void
readme_cell(const char *row, int col, char *out, size_t len)
{
	const char *p = row, *end;
	size_t n;

	out[0] = '\0';
	for (; col >= 0; col--) {
		p = strchr(p, '|');
		if (p == NULL)
			return;
		p++;
	}
	while (*p == ' ')
		p++;
	end = strchr(p, '|');
	if (end == NULL)
		return;
	while (end > p && end[-1] == ' ')
		end--;
	n = (size_t)(end - p) < len - 1 ? (size_t)(end - p) : len - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* The first `quoted` word of cell into out; the cell itself when it has
 * none ("none"). */
static void
readme_code(const char *cell, char *out, size_t len)
{
	const char *a, *b;

	a = strchr(cell, '`');
	b = a != NULL ? strchr(a + 1, '`') : NULL;
	if (b == NULL) {
		snprintf(out, len, "%s", cell);
		return;
	}
	snprintf(out, len, "%.*s", (int)(b - a - 1), a + 1);
}

static void
test_readme(void)
{
	const struct config_key *k;
	FILE *f;
	char line[1024], key[128], def[512], cell[512];
	int in = 0, rows = 0, listed[64] = { 0 };
	size_t i;

	TEST("the README's table of keys is the one in config.c");
	f = fopen("README.md", "r");
	ASSERT(f != NULL);
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "## ", 3) == 0)
			in = strncmp(line, "## Configuration", 16) == 0;
		if (!in || strncmp(line, "| `", 3) != 0)
			continue;
		readme_cell(line, 0, cell, sizeof(cell));
		readme_code(cell, key, sizeof(key));
		readme_cell(line, 1, cell, sizeof(cell));
		readme_code(cell, def, sizeof(def));
		rows++;
		for (i = 0; (k = config_key(i)) != NULL; i++)
			if (strcmp(k->name, key) == 0)
				break;
		if (k == NULL) {
			fprintf(stderr, "  README lists '%s', config.c does "
			    "not\n", key);
			ASSERT(k != NULL);
			continue;
		}
		listed[i < 64 ? i : 63] = 1;
		if (strcmp(def, k->def[0] != '\0' ? k->def : "none") != 0) {
			fprintf(stderr, "  %s: README says %s, config.c %s\n",
			    key, def, k->def);
			ASSERT(0);
		}
	}
	if (f != NULL)
		fclose(f);
	ASSERT(rows > 0);
	for (i = 0; (k = config_key(i)) != NULL; i++) {
		if (!listed[i < 64 ? i : 63])
			fprintf(stderr, "  README lacks '%s'\n", k->name);
		ASSERT(listed[i < 64 ? i : 63]);
	}

	TEST("the defaults are the table's, and within its bounds");
	{
		struct config c;
		const int *v;

		config_defaults(&c);
		for (i = 0; (k = config_key(i)) != NULL; i++) {
			v = (const int *)(const void *)((const char *)&c +
			    k->offset);
			if (k->type == CONFIG_BOOL) {
				ASSERT(*v == (strcmp(k->def, "on") == 0));
				continue;
			}
			if (k->type != CONFIG_INT) {
				ASSERT_STR((const char *)&c + k->offset, k->def);
				continue;
			}
			ASSERT(*v == atoi(k->def));
			ASSERT(*v >= k->lo && *v <= k->hi);
		}
	}
}

int
main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/ll-config-test.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(secret_path, sizeof(secret_path), "%s/secret.key", dir);
	write_file("secret.key", SECRET_HEX "\n");
	TEST("the test's own secret");
	ASSERT(strlen(SECRET_HEX) == 64);
	test_good();
	test_syntax();
	test_values();
	test_long_line();
	test_stream();
	test_secret();
	test_readme();
	snprintf(err, sizeof(err), "rm -rf '%s'", dir);
	if (system(err) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return TEST_REPORT("config");
}
