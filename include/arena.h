#ifndef LL_ARENA_H
#define LL_ARENA_H

#include <stdarg.h>
#include <stddef.h>

/* Memory for one request: allocations come from chunks that all die at
 * arena_reset(), so nothing is freed piece by piece. What the arena cannot
 * hold itself (a PGresult, a json-c object) is registered with
 * arena_cleanup() and released at the same moment, so an early return
 * leaks nothing. */

#define ARENA_CHUNK 16384	/* bytes in the first chunk */

struct arena;

/* Returns a new arena. Aborts the process when memory is exhausted. */
struct arena *arena_new(void);

/* Runs the arena's cleanups, then frees the arena and everything
 * allocated from it; NULL is a no-op. */
void arena_free(struct arena *a);

/* Runs the arena's cleanups, then frees every allocation but keeps the
 * first chunk for the next request. */
void arena_reset(struct arena *a);

/* Registers fn(data) to run at the next arena_reset() or arena_free(),
 * once, before any memory goes: the cleanups registered later run first
 * (as nginx's pool cleanups), so one may still use what an earlier one
 * releases. fn must not register cleanups itself. Cannot fail (aborts on
 * exhausted memory). */
void arena_cleanup(struct arena *a, void (*fn)(void *), void *data);

/* Returns size bytes aligned for any type, owned by the arena.
 * Never returns NULL: aborts when memory is exhausted. */
void *arena_alloc(struct arena *a, size_t size);

/* Copies len bytes of s and a terminating NUL into the arena; the copy
 * is the arena's. Never returns NULL: aborts when memory is exhausted. */
char *arena_strndup(struct arena *a, const char *s, size_t len);

/* Copies the string s into the arena, as arena_strndup(). */
char *arena_strdup(struct arena *a, const char *s);

/* printf into the arena; returns the new string, the arena's. Never
 * returns NULL: aborts when memory is exhausted. */
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Bytes currently held by the arena's chunks (for tests and metrics). */
size_t arena_size(const struct arena *a);

/* A growable byte buffer whose storage lives in an arena. */
struct buf {
	struct arena	*arena;
	char		*data;	/* NUL-terminated after every append */
	size_t		 len;
	size_t		 cap;
};

/* Starts an empty buffer. Cannot fail. */
void buf_init(struct buf *b, struct arena *a);

/* Appends len bytes. Cannot fail (aborts on exhausted memory). */
void buf_append(struct buf *b, const void *data, size_t len);

/* Appends a NUL-terminated string. Cannot fail, as buf_append(). */
void buf_puts(struct buf *b, const char *s);

/* Appends n in decimal, without printf's cost. Cannot fail, as
 * buf_append(). */
void buf_putl(struct buf *b, long n);

/* Appends formatted text. Cannot fail, as buf_append(). */
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends formatted text from a va_list. Cannot fail, as buf_append(). */
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#endif
