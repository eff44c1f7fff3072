/* HTML escaping, the page layout and QR codes. */
#include <string.h>

#include "arena.h"
#include "html.h"
#include "qr.h"
#include "testhelp.h"

static struct arena *A;

static const char *
esc(const char *s)
{
	struct buf b;

	buf_init(&b, A);
	html_escape(&b, s);
	return b.data;
}

static const char *
urlenc(const char *s)
{
	struct buf b;

	buf_init(&b, A);
	html_urlencode(&b, s);
	return b.data;
}

static void
test_escape(void)
{
	TEST("escape: markup becomes text");
	ASSERT_STR(esc("<script>alert(1)</script>"),
	    "&lt;script&gt;alert(1)&lt;/script&gt;");
	ASSERT_STR(esc("\"'&"), "&quot;&#39;&amp;");
	ASSERT_STR(esc("a\" onmouseover=\"x"), "a&quot; onmouseover=&quot;x");
	ASSERT_STR(esc("&amp;"), "&amp;amp;");
	ASSERT_STR(esc("plain text, Привет"), "plain text, Привет");
	ASSERT_STR(esc(""), "");
	ASSERT_STR(esc(NULL), "");

	TEST("urlencode: query values");
	ASSERT_STR(urlenc("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
	ASSERT_STR(urlenc("A-z_0.9~"), "A-z_0.9~");
	ASSERT_STR(urlenc("<\"'>"), "%3C%22%27%3E");
}

static void
test_printf(void)
{
	struct buf b;

	TEST("printf: every %s is escaped, numbers as printf");
	buf_init(&b, A);
	html_printf(&b, "<td title=\"%s\">%s</td>", "a\"b", "<b>x</b>");
	ASSERT_STR(b.data, "<td title=\"a&quot;b\">&lt;b&gt;x&lt;/b&gt;</td>");
	buf_init(&b, A);
	html_printf(&b, "%d|%ld|%lld|%u|%lu|%llu|%zu|%%|", -5, 123456789L,
	    9000000000000LL, 7u, 8ul, 18000000000000000000ull, (size_t)42);
	ASSERT_STR(b.data, "-5|123456789|9000000000000|7|8|"
	    "18000000000000000000|42|%|");
	buf_init(&b, A);
	html_printf(&b, "no conversions & more");
	ASSERT_STR(b.data, "no conversions & more");
}

static void
test_layout(void)
{
	struct html_page p;
	struct buf b;

	TEST("layout: signed in");
	memset(&p, 0, sizeof(p));
	p.title = "<Links>";
	p.nav = "links";
	p.provider = "Ab\"12Cd3";
	p.csrf = "tok<en>";
	buf_init(&b, A);
	html_begin(&b, &p);
	html_flash(&b, "ok", "<i>saved</i>");
	html_end(&b);
	ASSERT(strncmp(b.data, "<!doctype html>", 15) == 0);
	ASSERT(strstr(b.data, "<title>&lt;Links&gt; · limited-links</title>")
	    != NULL);
	ASSERT(strstr(b.data, "<Links>") == NULL);
	ASSERT(strstr(b.data, "Ab&quot;12Cd3") != NULL);
	ASSERT(strstr(b.data, "name=\"csrf\" value=\"tok&lt;en&gt;\"") != NULL);
	ASSERT(strstr(b.data, "action=\"/account/signout\"") != NULL);
	ASSERT(strstr(b.data, "href=\"/account/links\" class=on "
	    "aria-current=page>Links</a>") != NULL);
	ASSERT(strstr(b.data, "&lt;i&gt;saved&lt;/i&gt;") != NULL);
	ASSERT(strstr(b.data, "name=\"viewport\"") != NULL);
	ASSERT(strstr(b.data, "/static/style.css") != NULL);
	ASSERT(strstr(b.data, "</html>\n") != NULL);

	TEST("layout: signed out has no navigation");
	memset(&p, 0, sizeof(p));
	p.title = "Sign in";
	buf_init(&b, A);
	html_begin(&b, &p);
	html_end(&b);
	ASSERT(strstr(b.data, "signout") == NULL);
	ASSERT(strstr(b.data, "New link") == NULL);
}

static void
test_message(void)
{
	static const struct html_message m[] = {
		{ "saved", "ok", "Saved." },
		{ "gone", "info", "It was <gone>." },
	};
	struct buf b;

	TEST("message: the text of a known key, as a flash");
	buf_init(&b, A);
	ASSERT(html_message(&b, m, 2, "gone") == 1);
	ASSERT_STR(b.data, "<p class=\"flash info\" role=\"status\">It was "
	    "&lt;gone&gt;.</p>\n");

	TEST("message: an unknown key, a prefix or none says nothing");
	buf_init(&b, A);
	ASSERT(html_message(&b, m, 2, "save") == 0);
	ASSERT(html_message(&b, m, 2, "savedx") == 0);
	ASSERT(html_message(&b, m, 2, "<b>hi</b>") == 0);
	ASSERT(html_message(&b, m, 2, NULL) == 0);
	ASSERT(b.len == 0);
}

static void
test_qr(void)
{
	const char *svg;
	char big[8000];

	TEST("qr: an SVG of the text");
	svg = qr_svg(A, "happ://crypt4/AAAA");
	ASSERT(svg != NULL);
	ASSERT(svg != NULL && strncmp(svg, "<svg ", 5) == 0);
	ASSERT(svg != NULL && strstr(svg, "viewBox=\"0 0 ") != NULL);
	ASSERT(svg != NULL && strstr(svg, "<path fill=\"#000\" d=\"M") != NULL);
	ASSERT(svg != NULL && strcmp(svg + strlen(svg) - 6, "</svg>") == 0);

	TEST("qr: an encrypted link fits, too much text does not");
	memset(big, 'A', 700);
	big[700] = '\0';
	ASSERT(qr_svg(A, big) != NULL);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ASSERT(qr_svg(A, big) == NULL);
}

int
main(void)
{
	A = arena_new();
	test_escape();
	test_printf();
	test_layout();
	test_message();
	test_qr();
	arena_free(A);
	return TEST_REPORT("html");
}
