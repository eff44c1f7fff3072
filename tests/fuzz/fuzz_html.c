/* The HTML writers: fcgi/html.c.
 *
 * The input is three lines of text put into pages, then bytes for the
 * numbers. Escaped text must hold no raw < > " ' and no '&' that starts
 * no entity, and must read back as the text; percent-encoded text must
 * decode back; html_printf() must give what printf would with every %s
 * escaped; and no value may change the markup of a page around it. */

#include "fuzzhelp.h"
#include "html.h"
#include "params.h"

static struct arena *A;

static const char *
ref_escape(const char *s)
{
	struct buf b;

	buf_init(&b, A);
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': buf_puts(&b, "&amp;"); break;
		case '<': buf_puts(&b, "&lt;"); break;
		case '>': buf_puts(&b, "&gt;"); break;
		case '"': buf_puts(&b, "&quot;"); break;
		case '\'': buf_puts(&b, "&#39;"); break;
		default: buf_append(&b, s, 1); break;
		}
	}
	return b.data;
}

static const char *
escaped(const char *s)
{
	struct buf b;

	buf_init(&b, A);
	html_escape(&b, s);
	return b.data;
}

/* Checks that e is fit for text and attributes and reads back as s. */
static void
check_escaped(const char *e, const char *s)
{
	static const char *const ents[] = { "&amp;", "&lt;", "&gt;",
	    "&quot;", "&#39;" };
	static const char raw[] = "&<>\"'";
	struct buf back;
	size_t i;

	FUZZ_CHECK(strpbrk(e, "<>\"'") == NULL);
	buf_init(&back, A);
	while (*e != '\0') {
		if (*e != '&') {
			buf_append(&back, e++, 1);
			continue;
		}
		for (i = 0; i < 5; i++)
			if (strncmp(e, ents[i], strlen(ents[i])) == 0)
				break;
		FUZZ_CHECK(i < 5);
		buf_append(&back, &raw[i], 1);
		e += strlen(ents[i]);
	}
	FUZZ_CHECK_STR(back.data, s);
}

static void
check_urlencode(const char *s)
{
	struct buf b;
	const char *p;
	size_t len;

	buf_init(&b, A);
	html_urlencode(&b, s);
	for (p = b.data; *p != '\0'; p++)
		FUZZ_CHECK(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrst"
		    "uvwxyz0123456789-._~%", *p) != NULL);
	FUZZ_CHECK_STR(params_decode(A, b.data, b.len, 0, &len), s);
	FUZZ_CHECK(len == strlen(s));
}

/* How many of the characters that make markup s holds. */
static size_t
markup(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += strchr("<>\"'", *s) != NULL;
	return n;
}

static void
check_printf(const char *s1, const char *s2, const char *s3,
    struct fuzz_in *in)
{
	long long ll = 0;
	struct buf b;
	unsigned int i;

	for (i = 0; i < 8; i++)
		ll = (long long)((unsigned long long)ll << 8 | fuzz_byte(in));

	buf_init(&b, A);
	html_printf(&b, "%s", s1);
	FUZZ_CHECK_STR(b.data, ref_escape(s1));

	buf_init(&b, A);
	html_printf(&b, "<a href=\"/x?q=%s\" title='%s'>%s</a>", s1, s2, s3);
	FUZZ_CHECK_STR(b.data, arena_printf(A, "<a href=\"/x?q=%s\" "
	    "title='%s'>%s</a>", ref_escape(s1), ref_escape(s2),
	    ref_escape(s3)));

	buf_init(&b, A);
	html_printf(&b, "%d|%ld|%lld|%u|%lu|%llu|%zu|%%|%s|%s.", (int)ll,
	    (long)ll, ll, (unsigned int)ll, (unsigned long)ll,
	    (unsigned long long)ll, (size_t)ll, s2, (const char *)NULL);
	FUZZ_CHECK_STR(b.data, arena_printf(A, "%d|%ld|%lld|%u|%lu|%llu|%zu|"
	    "%%|%s|.", (int)ll, (long)ll, ll, (unsigned int)ll,
	    (unsigned long)ll, (unsigned long long)ll, (size_t)ll,
	    ref_escape(s2)));
}

static void
check_page(const char *s1, const char *s2, const char *s3, unsigned int k)
{
	static const char *const navs[] = { NULL, "links", "new", "domains" };
	struct html_page p, plain;
	struct buf b, ref;

	/* the same page with tame values has the same markup */
	p.title = s1;
	p.provider = k & 4 ? s2 : NULL;
	p.csrf = s3;
	p.nav = navs[k & 3];
	plain = p;
	plain.title = "t";
	plain.provider = p.provider != NULL ? "p" : NULL;
	plain.csrf = "c";
	buf_init(&b, A);
	buf_init(&ref, A);
	html_begin(&b, &p);
	html_begin(&ref, &plain);
	FUZZ_CHECK(markup(b.data) == markup(ref.data));
	FUZZ_CHECK(strstr(b.data, arena_printf(A, "<title>%s ",
	    ref_escape(s1))) != NULL);
	if (p.provider != NULL)
		FUZZ_CHECK(strstr(b.data, arena_printf(A, "value=\"%s\">",
		    ref_escape(s3))) != NULL);
	html_end(&b);
	html_end(&ref);
	FUZZ_CHECK(markup(b.data) == markup(ref.data));

	buf_init(&b, A);
	html_flash(&b, k & 8 ? "error" : "ok", s2);
	FUZZ_CHECK_STR(b.data, arena_printf(A, "<p class=\"flash %s\" "
	    "role=\"%s\">%s</p>\n", k & 8 ? "error" : "ok",
	    k & 8 ? "alert" : "status", ref_escape(s2)));
	buf_init(&b, A);
	html_csrf(&b, s3);
	FUZZ_CHECK_STR(b.data, arena_printf(A, "<input type=\"hidden\" "
	    "name=\"csrf\" value=\"%s\">", ref_escape(s3)));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	const char *s1, *s2, *s3, *e;
	struct buf b;

	if (A == NULL)
		A = arena_new();
	s1 = fuzz_field(A, &in, '\n', NULL);
	s2 = fuzz_field(A, &in, '\n', NULL);
	s3 = fuzz_field(A, &in, '\n', NULL);

	e = escaped(s1);
	FUZZ_CHECK_STR(e, ref_escape(s1));
	check_escaped(e, s1);
	check_escaped(escaped(s2), s2);
	buf_init(&b, A);
	html_escape(&b, NULL);
	html_urlencode(&b, NULL);
	FUZZ_CHECK(b.len == 0);
	check_urlencode(s1);
	check_urlencode(s3);
	check_printf(s1, s2, s3, &in);
	check_page(s1, s2, s3, fuzz_byte(&in));
	arena_reset(A);
	return 0;
}
