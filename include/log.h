#ifndef LL_LOG_H
#define LL_LOG_H

/* One line per event that matters, to stderr:
 * "2026-11-26T09:40:00Z [pid] level: message". */

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sets the lowest level that is written. Cannot fail. */
void log_set_level(enum log_level level);

/* Writes one line at the given level: control characters in the message
 * (the newlines in libpq's errors) become spaces, and a message too long
 * for a line is cut. Cannot fail (a failed write is dropped). */
void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
