#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static enum log_level log_min = LOG_INFO;

static const char *const log_names[] = { "debug", "info", "warn", "error" };

void
log_set_level(enum log_level level)
{
	log_min = level;
}

/* Control characters, newlines above all, would split or garble the
 * line: they become spaces, and trailing spaces go. Returns the length. */
static size_t
log_flatten(char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			s[i] = ' ';
	while (len > 0 && s[len - 1] == ' ')
		len--;
	return len;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char line[1024];
	char stamp[32];
	struct tm tm;
	time_t now;
	va_list ap;
	int n;

	if (level < log_min)
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof(line), "%s [%ld] %s: ", stamp,
	    (long)getpid(), log_names[level]);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	/* one write per line so that lines from many workers never interleave */
	n = (int)log_flatten(line, strnlen(line, sizeof(line) - 2));
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, (size_t)n);
}
