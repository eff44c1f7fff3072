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
	    "max_requests = -5\n", "workers = 1.5\n" };
	struct config c;
	char text[2048];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		TEST(bad[i]);
		ASSERT(load(&c, bad[i]) != 0);
		ASSERT(has(err, ":2: bad value for '"));
	}
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
	memcpy(text, "database = ", 11);
	memset(text + 11, 'd', 1000);
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
	snprintf(err, sizeof(err), "rm -rf '%s'", dir);
	if (system(err) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return TEST_REPORT("config");
}
