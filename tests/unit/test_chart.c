/* The account's SVG charts (fcgi/chart.c) and CSV writer (fcgi/csv.c),
 * alone: every label escaped, no style attribute for the CSP to refuse,
 * each mark's value in its title; CSV quoted as RFC 4180 has it, and no
 * field a spreadsheet would run as a formula. */

#include <string.h>

#include "chart.h"
#include "csv.h"
#include "testhelp.h"

static struct arena *A;

static int
has(const char *s, const char *part)
{
	return s != NULL && strstr(s, part) != NULL;
}

/* How many times part is in s. */
static int
count(const char *s, const char *part)
{
	int n = 0;

	while ((s = strstr(s, part)) != NULL) {
		n++;
		s += strlen(part);
	}
	return n;
}

static void
test_step(void)
{
	TEST("an axis steps by 1, 2 or 5 times a power of ten, 4 or 5 ticks");
	ASSERT(chart_step(0) == 1);
	ASSERT(chart_step(4) == 1);
	ASSERT(chart_step(5) == 2);
	ASSERT(chart_step(8) == 2);
	ASSERT(chart_step(9) == 5);
	ASSERT(chart_step(20) == 5);
	ASSERT(chart_step(21) == 10);
	ASSERT(chart_step(1000) == 500);
	ASSERT(chart_step(2001) == 1000);
	ASSERT(chart_step(123456789) == 50000000);
}

static void
test_columns(void)
{
	static const char *const labels[] = { "2026-12-01", "<b>&\"'",
	    "2026-12-03" };
	static const long long a[] = { 3, 0, 12 }, r[] = { 1, 5, 0 };
	struct chart_series s[2] = {
		{ "admitted", "s-new", a },
		{ "refused", "s-refused", r },
	};
	struct buf b;

	TEST("columns: a mark per value above zero, its value in its title");
	buf_init(&b, A);
	chart_columns(&b, "Per <day>", labels, 3, s, 2);
	ASSERT(has(b.data, "<svg class=\"chart columns\""));
	ASSERT(has(b.data, "aria-label=\"Per &lt;day&gt;\""));
	ASSERT(count(b.data, "<rect ") == 4);
	ASSERT(has(b.data, "<title>2026-12-03: 12 admitted</title>"));
	ASSERT(has(b.data, "class=\"s-refused\""));
	ASSERT(has(b.data, "&lt;b&gt;&amp;&quot;&#39;: 5 refused"));
	ASSERT(!has(b.data, "<b>"));
	ASSERT(!has(b.data, "style="));
	/* the axis reaches past the highest value, in steps of 5 */
	ASSERT(has(b.data, ">15</text>"));
	ASSERT(has(b.data, "</svg>"));

	TEST("columns: nothing to draw is an axis alone");
	buf_init(&b, A);
	chart_columns(&b, "empty", labels, 0, s, 2);
	ASSERT(count(b.data, "<rect ") == 0);
	ASSERT(has(b.data, "</svg>"));
}

static void
test_bars(void)
{
	static const char *const labels[] = { "Android",
	    "a label much longer than twenty-four characters", "\xc3\xa9t\xc3\xa9" };
	static const long long v[] = { 7, 2, 0 };
	struct buf b;

	TEST("bars: a row per label, long labels cut with an ellipsis");
	buf_init(&b, A);
	chart_bars(&b, "Devices by OS", labels, v, 3, "s-devices");
	ASSERT(count(b.data, "<rect ") == 3);
	ASSERT(has(b.data, ">a label much longer than…</text>"));
	ASSERT(has(b.data, ">\xc3\xa9t\xc3\xa9</text>"));
	ASSERT(has(b.data, "<title>Android: 7</title>"));
	ASSERT(has(b.data, "width=\"0\""));
	ASSERT(!has(b.data, "style="));

	TEST("a legend names each series beside its colour");
	buf_init(&b, A);
	{
		struct chart_series s = { "new <devices>", "s-new", v };

		chart_legend(&b, &s, 1);
	}
	ASSERT(has(b.data, "class=\"swatch s-new\""));
	ASSERT(has(b.data, "new &lt;devices&gt;"));
}

static void
test_csv(void)
{
	struct buf b;
	struct csv c;

	TEST("csv: plain fields as they are, rows ended by CRLF");
	buf_init(&b, A);
	csv_init(&c, &b);
	csv_text(&c, "date");
	csv_text(&c, NULL);
	csv_num(&c, -3);
	csv_end(&c);
	csv_num(&c, 42);
	csv_end(&c);
	ASSERT_STR(b.data, "date,,-3\r\n42\r\n");

	TEST("csv: commas, quotes and line breaks quoted, quotes doubled");
	buf_init(&b, A);
	csv_init(&c, &b);
	csv_text(&c, "a,b");
	csv_text(&c, "say \"hi\"");
	csv_text(&c, "two\nlines");
	csv_end(&c);
	ASSERT_STR(b.data, "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n");

	TEST("csv: what a spreadsheet would run is text");
	buf_init(&b, A);
	csv_init(&c, &b);
	csv_text(&c, "=HYPERLINK(\"x\")");
	csv_text(&c, "+1");
	csv_text(&c, "-hw");
	csv_text(&c, "@SUM(A1)");
	csv_text(&c, "a=b");
	csv_end(&c);
	ASSERT_STR(b.data, "\"'=HYPERLINK(\"\"x\"\")\",\"'+1\",\"'-hw\","
	    "\"'@SUM(A1)\",a=b\r\n");

	TEST("csv: a row of texts at once, NULL as an empty field");
	buf_init(&b, A);
	csv_init(&c, &b);
	csv_num(&c, 7);
	CSV_ROW(&c, "a,b", NULL, "=1", "");
	CSV_ROW(&c, NULL);
	CSV_ROW(&c, "x", "y");
	ASSERT_STR(b.data, "7,\"a,b\",,\"'=1\",\r\n\r\nx,y\r\n");
}

int
main(void)
{
	A = arena_new();
	test_step();
	test_columns();
	test_bars();
	test_csv();
	arena_free(A);
	return TEST_REPORT("chart");
}
