#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "log.h"

#define ARENA_ALIGN 16

/* Under ASan the bytes of a chunk that are not handed out are poisoned, so
 * that an overrun of one allocation into the next, or a use after
 * arena_reset(), is reported as if each allocation had been malloc'd. */
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif
#ifdef ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define ARENA_POISON(p, n)	ASAN_POISON_MEMORY_REGION((p), (n))
#define ARENA_UNPOISON(p, n)	ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define ARENA_POISON(p, n)	((void)(p), (void)(n))
#define ARENA_UNPOISON(p, n)	((void)(p), (void)(n))
#endif

struct chunk {
	struct chunk	*next;
	size_t		 size;
	size_t		 used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

/* A release registered with arena_cleanup(); kept in the arena itself. */
struct cleanup {
	struct cleanup	*next;	/* registered before this one */
	void		(*fn)(void *);
	void		*data;
};

struct arena {
	struct chunk	*head;	/* newest chunk; the first chunk is last */
	size_t		 total;
	struct cleanup	*cleanups;	/* newest first */
};

static struct chunk *
arena_chunk(size_t size)
{
	struct chunk *c;

	/* a size near SIZE_MAX would wrap the sum below into a tiny chunk */
	c = size <= SIZE_MAX - sizeof(*c) ? malloc(sizeof(*c) + size) : NULL;
	if (c == NULL) {
		log_error("arena: out of memory (%zu bytes)", size);
		abort();
	}
	c->next = NULL;
	c->size = size;
	c->used = 0;
	ARENA_POISON(c->data, size);
	return c;
}

struct arena *
arena_new(void)
{
	struct arena *a;

	a = malloc(sizeof(*a));
	if (a == NULL) {
		log_error("arena: out of memory");
		abort();
	}
	a->head = arena_chunk(ARENA_CHUNK);
	a->total = ARENA_CHUNK;
	a->cleanups = NULL;
	return a;
}

void
arena_cleanup(struct arena *a, void (*fn)(void *), void *data)
{
	struct cleanup *c;

	c = arena_alloc(a, sizeof(*c));
	c->fn = fn;
	c->data = data;
	c->next = a->cleanups;
	a->cleanups = c;
}

void
arena_reset(struct arena *a)
{
	struct chunk *c;
	struct cleanup *k;

	/* unlinked before it runs, so each runs once whatever it does */
	while ((k = a->cleanups) != NULL) {
		a->cleanups = k->next;
		k->fn(k->data);
	}
	while (a->head->next != NULL) {
		c = a->head;
		a->head = c->next;
		free(c);
	}
	a->head->used = 0;
	a->total = a->head->size;
	ARENA_POISON(a->head->data, a->head->size);
}

void
arena_free(struct arena *a)
{
	if (a == NULL)
		return;
	arena_reset(a);
	free(a->head);
	free(a);
}

void *
arena_alloc(struct arena *a, size_t size)
{
	struct chunk *c;
	size_t want, off;

	size = size == 0 ? 1 : size;
	off = (a->head->used + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (size > a->head->size || off > a->head->size - size) {
		want = size > ARENA_CHUNK * 4 ? size : ARENA_CHUNK * 4;
		c = arena_chunk(want);
		c->next = a->head;
		a->head = c;
		a->total += want;
		off = 0;
	}
	a->head->used = off + size;
	ARENA_UNPOISON(a->head->data + off, size);
	return a->head->data + off;
}

char *
arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p;

	p = arena_alloc(a, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	struct buf b;
	va_list ap;

	buf_init(&b, a);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return b.data;
}

size_t
arena_size(const struct arena *a)
{
	return a->total;
}

void
buf_init(struct buf *b, struct arena *a)
{
	b->arena = a;
	b->len = 0;
	b->cap = 64;
	b->data = arena_alloc(a, b->cap);
	b->data[0] = '\0';
}

static void
buf_reserve(struct buf *b, size_t extra)
{
	size_t cap;
	char *p;

	if (b->len + extra + 1 <= b->cap)
		return;
	cap = b->cap * 2;
	while (cap < b->len + extra + 1)
		cap *= 2;
	p = arena_alloc(b->arena, cap);
	memcpy(p, b->data, b->len + 1);
	/* a pointer kept into the old storage is stale from now on */
	ARENA_POISON(b->data, b->cap);
	b->data = p;
	b->cap = cap;
}

void
buf_append(struct buf *b, const void *data, size_t len)
{
	buf_reserve(b, len);
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_putl(struct buf *b, long n)
{
	char d[24], *p = d + sizeof(d);
	unsigned long u;

	/* the magnitude of LONG_MIN does not fit in a long */
	u = n < 0 ? 0UL - (unsigned long)n : (unsigned long)n;
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (n < 0)
		*--p = '-';
	buf_append(b, p, (size_t)(d + sizeof(d) - p));
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		buf_reserve(b, (size_t)n);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}
