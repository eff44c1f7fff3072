/* Request memory and growable buffers: fcgi/arena.c. */

#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arena.h"
#include "testhelp.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#endif

static int
aligned(const void *p)
{
	return ((uintptr_t)p & 15) == 0;
}

static void
test_alloc(void)
{
	struct arena *a;
	unsigned char *p[64];
	size_t sizes[] = { 1, 3, 16, 17, 100, 0, 4095 };
	size_t i, j, ok = 1;

	TEST("a new arena holds one chunk");
	a = arena_new();
	ASSERT(arena_size(a) == ARENA_CHUNK);

	TEST("allocations are aligned and do not overlap");
	for (i = 0; i < 64; i++) {
		p[i] = arena_alloc(a, sizes[i % 7]);
		if (!aligned(p[i]))
			ok = 0;
		memset(p[i], (int)i, sizes[i % 7]);
	}
	ASSERT(ok);
	for (i = 0; i < 64; i++)
		for (j = 0; j < sizes[i % 7]; j++)
			if (p[i][j] != (unsigned char)i)
				ok = 0;
	ASSERT(ok);

	TEST("size 0 gives distinct pointers");
	ASSERT(arena_alloc(a, 0) != arena_alloc(a, 0));

	TEST("the arena grew past its first chunk");
	ASSERT(arena_size(a) > ARENA_CHUNK);

	TEST("reset keeps only the first chunk");
	arena_reset(a);
	ASSERT(arena_size(a) == ARENA_CHUNK);
	p[0] = arena_alloc(a, 10);
	ASSERT(p[0] != NULL && aligned(p[0]));
	arena_reset(a);
	arena_reset(a);
	ASSERT(arena_size(a) == ARENA_CHUNK);
	arena_free(a);
	arena_free(NULL);
}

static void
test_big(void)
{
	struct arena *a;
	unsigned char *p, *q;
	size_t big = ARENA_CHUNK * 10 + 5;

	TEST("an allocation larger than any chunk");
	a = arena_new();
	p = arena_alloc(a, big);
	memset(p, 0xab, big);
	ASSERT(p[0] == 0xab && p[big - 1] == 0xab);
	ASSERT(arena_size(a) >= ARENA_CHUNK + big);

	TEST("small allocations after a big one still work");
	q = arena_alloc(a, 32);
	memset(q, 1, 32);
	ASSERT(p[big - 1] == 0xab);
	arena_reset(a);
	ASSERT(arena_size(a) == ARENA_CHUNK);
	arena_free(a);
}

/* Runs arena_alloc(size) in a child; returns the signal it died of. */
static int
alloc_in_child(size_t size)
{
	struct arena *a;
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		/* the abort's log line is expected; keep the report clean */
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(3);
		dup2(fileno(stderr), STDERR_FILENO);
		a = arena_new();
		arena_alloc(a, size);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static void
test_overflow(void)
{
	TEST("a size that would wrap around aborts");
	ASSERT(alloc_in_child(SIZE_MAX) == SIGABRT);
	ASSERT(alloc_in_child(SIZE_MAX - 8) == SIGABRT);
}

static void
test_strings(void)
{
	struct arena *a;
	char *s;

	a = arena_new();
	TEST("strndup copies len bytes and ends them");
	s = arena_strndup(a, "abcdef", 3);
	ASSERT_STR(s, "abc");
	s = arena_strndup(a, "", 0);
	ASSERT_STR(s, "");

	TEST("strdup");
	ASSERT_STR(arena_strdup(a, "hello"), "hello");

	TEST("printf, short and long");
	ASSERT_STR(arena_printf(a, "%s-%d", "x", 42), "x-42");
	s = arena_printf(a, "%0500d|", 7);
	ASSERT(strlen(s) == 501 && s[499] == '7' && s[500] == '|' &&
	    s[0] == '0');
	arena_free(a);
}

static void
test_buf(void)
{
	struct arena *a;
	struct buf b;
	size_t i, ok = 1;

	a = arena_new();
	TEST("a new buffer is empty");
	buf_init(&b, a);
	ASSERT(b.len == 0 && b.data[0] == '\0');

	TEST("many appends grow it");
	for (i = 0; i < 100000; i++)
		buf_append(&b, "x", 1);
	ASSERT(b.len == 100000);
	ASSERT(b.cap > b.len);
	ASSERT(b.data[b.len] == '\0');
	for (i = 0; i < b.len; i++)
		if (b.data[i] != 'x')
			ok = 0;
	ASSERT(ok);

	TEST("bytes with NUL inside are counted");
	buf_init(&b, a);
	buf_append(&b, "a\0b", 3);
	ASSERT(b.len == 3 && memcmp(b.data, "a\0b", 4) == 0);

	TEST("puts and printf append");
	buf_init(&b, a);
	buf_puts(&b, "k=");
	buf_printf(&b, "%d;%s", 12, "v");
	ASSERT_STR(b.data, "k=12;v");
	ASSERT(b.len == 6);
	arena_free(a);
}

/* printf that lands exactly on, and one past, the buffer's capacity. */
static void
test_buf_edges(void)
{
	struct arena *a;
	struct buf b;
	char want[300];
	size_t room;

	a = arena_new();
	TEST("printf that fills the buffer exactly");
	buf_init(&b, a);
	room = b.cap - 1;
	memset(want, 'y', room);
	want[room] = '\0';
	buf_printf(&b, "%s", want);
	ASSERT(b.len == room);
	ASSERT_STR(b.data, want);

	TEST("printf one byte past the capacity");
	buf_init(&b, a);
	memset(want, 'z', room + 1);
	want[room + 1] = '\0';
	buf_printf(&b, "%s", want);
	ASSERT(b.len == room + 1);
	ASSERT_STR(b.data, want);

	TEST("printf after text keeps the text");
	buf_init(&b, a);
	buf_puts(&b, "head:");
	memset(want, 'w', 250);
	want[250] = '\0';
	buf_printf(&b, "%s", want);
	ASSERT(b.len == 255);
	ASSERT(strncmp(b.data, "head:www", 8) == 0);
	ASSERT(b.data[254] == 'w' && b.data[255] == '\0');
	arena_free(a);
}

static void
test_buf_putl(void)
{
	struct arena *a;
	struct buf b;
	char want[64];
	const long n[] = { 0, 7, -7, 10, 200, 1234567890, LONG_MAX, LONG_MIN };
	size_t i;

	a = arena_new();
	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		TEST("putl writes what printf's %ld writes");
		buf_init(&b, a);
		buf_puts(&b, "x=");
		buf_putl(&b, n[i]);
		snprintf(want, sizeof(want), "x=%ld", n[i]);
		ASSERT_STR(b.data, want);
		ASSERT(b.len == strlen(want));
	}
	arena_free(a);
}

/* Under ASan, what the arena has not handed out reads as poisoned. */
static void
test_poison(void)
{
#ifdef __SANITIZE_ADDRESS__
	struct arena *a;
	struct buf b;
	char *p, *old;

	a = arena_new();
	TEST("asan: the byte after an allocation is poisoned");
	p = arena_alloc(a, 5);
	ASSERT(!__asan_address_is_poisoned(p + 4));
	ASSERT(__asan_address_is_poisoned(p + 5));
	ASSERT(__asan_address_is_poisoned(p + 16));

	TEST("asan: a buffer's old storage is poisoned once it grows");
	buf_init(&b, a);
	old = b.data;
	buf_append(&b, "x", 1);
	ASSERT(!__asan_address_is_poisoned(old));
	buf_printf(&b, "%0200d", 7);
	ASSERT(__asan_address_is_poisoned(old));
	ASSERT(!__asan_address_is_poisoned(b.data + b.len));

	TEST("asan: everything is poisoned after a reset");
	arena_reset(a);
	ASSERT(__asan_address_is_poisoned(p));
	p = arena_alloc(a, 1);
	ASSERT(!__asan_address_is_poisoned(p));
	arena_free(a);
#endif
}

/* What the cleanups saw: each appends its tag, and may check that the
 * arena's memory is still there when it runs. */
static char cleanup_seen[64];
static size_t cleanup_n;

static void
cleanup_tag(void *data)
{
	const char *tag = data;

	if (cleanup_n + 1 < sizeof(cleanup_seen))
		cleanup_seen[cleanup_n++] = tag[0];
	cleanup_seen[cleanup_n] = '\0';
}

static void
test_cleanup(void)
{
	struct arena *a;
	char *kept;

	TEST("cleanups run at reset, last registered first, once each");
	a = arena_new();
	cleanup_n = 0;
	cleanup_seen[0] = '\0';
	arena_cleanup(a, cleanup_tag, "a");
	arena_cleanup(a, cleanup_tag, "b");
	arena_cleanup(a, cleanup_tag, "c");
	ASSERT_STR(cleanup_seen, "");
	arena_reset(a);
	ASSERT_STR(cleanup_seen, "cba");
	arena_reset(a);
	ASSERT_STR(cleanup_seen, "cba");

	TEST("the arena's memory is still there while they run");
	/* the tag lives in the arena, in a chunk the reset frees after */
	arena_alloc(a, ARENA_CHUNK * 5);
	kept = arena_strdup(a, "k");
	arena_cleanup(a, cleanup_tag, kept);
	arena_reset(a);
	ASSERT_STR(cleanup_seen, "cbak");

	TEST("arena_free runs them too");
	arena_cleanup(a, cleanup_tag, "z");
	arena_free(a);
	ASSERT_STR(cleanup_seen, "cbakz");
}

int
main(void)
{
	test_alloc();
	test_big();
	test_overflow();
	test_strings();
	test_buf();
	test_buf_edges();
	test_buf_putl();
	test_poison();
	test_cleanup();
	return TEST_REPORT("arena");
}
