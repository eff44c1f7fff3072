/* One line per event: fcgi/log.c. */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "testhelp.h"

static char logged[4096];

/* Runs the log call with stderr sent to a file; leaves what was written
 * in logged. */
#define CAPTURE(call) do {						\
	char path_[] = "/tmp/ll-log-test.XXXXXX";			\
	int fd_, saved_;						\
	ssize_t n_;							\
									\
	fd_ = mkstemp(path_);						\
	saved_ = dup(STDERR_FILENO);					\
	dup2(fd_, STDERR_FILENO);					\
	call;								\
	dup2(saved_, STDERR_FILENO);					\
	close(saved_);							\
	n_ = pread(fd_, logged, sizeof(logged) - 1, 0);			\
	logged[n_ > 0 ? n_ : 0] = '\0';					\
	close(fd_);							\
	unlink(path_);							\
} while (0)

static int
lines(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static void
test_format(void)
{
	char want[64];

	TEST("stamp, pid, level and message");
	log_set_level(LOG_DEBUG);
	CAPTURE(log_warn("worker %d stopped", 7));
	ASSERT(strlen(logged) > 21);
	ASSERT(logged[4] == '-' && logged[7] == '-' && logged[10] == 'T' &&
	    logged[13] == ':' && logged[16] == ':' && logged[19] == 'Z');
	snprintf(want, sizeof(want), " [%ld] warn: worker 7 stopped\n",
	    (long)getpid());
	ASSERT_STR(logged + 20, want);

	TEST("every level's name");
	CAPTURE(log_debug("d"));
	ASSERT(strstr(logged, "] debug: d\n") != NULL);
	CAPTURE(log_info("i"));
	ASSERT(strstr(logged, "] info: i\n") != NULL);
	CAPTURE(log_error("e"));
	ASSERT(strstr(logged, "] error: e\n") != NULL);
}

static void
test_level(void)
{
	TEST("below the level nothing is written");
	log_set_level(LOG_WARN);
	CAPTURE(log_info("quiet"));
	ASSERT_STR(logged, "");
	CAPTURE(log_debug("quiet"));
	ASSERT_STR(logged, "");
	CAPTURE(log_error("loud"));
	ASSERT(lines(logged) == 1);
	log_set_level(LOG_INFO);
}

static void
test_one_line(void)
{
	char big[3000];

	TEST("newlines in a message stay on one line");
	CAPTURE(log_warn("db: cannot connect: %s",
	    "connection failed: No such file\n\tIs the server running?\n"));
	ASSERT(lines(logged) == 1);
	ASSERT(strstr(logged, "No such file  Is the server running?\n") != NULL);

	TEST("carriage returns and other controls too");
	CAPTURE(log_warn("a\rb\x1b[2Jc\x7f"));
	ASSERT(lines(logged) == 1);
	ASSERT(strstr(logged, "warn: a b [2Jc\n") != NULL);

	TEST("a long message is cut, still one line");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CAPTURE(log_info("%s", big));
	ASSERT(lines(logged) == 1);
	ASSERT(strlen(logged) < 1024);
	ASSERT(logged[strlen(logged) - 1] == '\n');
}

int
main(void)
{
	test_format();
	test_level();
	test_one_line();
	return TEST_REPORT("log");
}
