#include "html.h"
#include "page.h"
#include "page_table.h"

void
page_table_heading(struct page *p, int minor, const char *title, int n,
    const char *csv)
{
	const char *h = minor ? "h3" : "h2";

	if (csv != NULL)
		buf_puts(p->b, "<div class=\"card-head\">");
	html_printf(p->b, "<%s>%s", h, title);
	if (n >= 0)
		html_printf(p->b, " <span class=\"count\">%d</span>", n);
	html_printf(p->b, "</%s>", h);
	if (csv != NULL)
		html_printf(p->b, "<a class=\"csv\" href=\"%s\" download>CSV</a>"
		    "</div>", csv);
	buf_puts(p->b, "\n");
}

int
page_table_begin(struct page *p, const struct page_table *t, int n,
    const char *csv)
{
	size_t i;

	if (t->card != NULL) {
		html_printf(p->b, "<section class=\"card flush%s%s\"",
		    *t->card != '\0' ? " " : "", t->card);
		if (t->id != NULL)
			html_printf(p->b, " id=\"%s\"", t->id);
		buf_puts(p->b, ">");
	}
	if (t->title != NULL)
		page_table_heading(p, t->minor, t->title, t->counted ? n : -1,
		    csv);
	if (n == 0) {
		html_printf(p->b, "<p class=\"empty\">%s</p>\n", t->empty);
		return 0;
	}
	html_printf(p->b, "<table class=\"%s\"><thead><tr>", t->cls);
	for (i = 0; i < PAGE_TABLE_COLS && t->heads[i] != NULL; i++) {
		/* heads are ours, some with markup ("<span class=sr>") */
		buf_puts(p->b, "<th>");
		buf_puts(p->b, t->heads[i]);
		buf_puts(p->b, "</th>");
	}
	buf_puts(p->b, "</tr></thead><tbody>\n");
	return 1;
}

void
page_table_end(struct page *p, const struct page_table *t, int n,
    const char *hint)
{
	if (n > 0) {
		buf_puts(p->b, "</tbody></table>\n");
		if (hint != NULL)
			html_printf(p->b, "<p class=\"hint pad\">%s</p>\n", hint);
	}
	if (t->card != NULL)
		buf_puts(p->b, "</section>\n");
}

int
page_table_period(struct page *p, char from[VALID_DATE_LEN + 1],
    char to[VALID_DATE_LEN + 1])
{
	if (page_period(p, from, to) == NULL)
		return 0;
	page_message(p, 400, "Bad request", "from and to must be dates "
	    "YYYY-MM-DD, from not after to, at most 366 days apart.");
	return -1;
}

void
page_table_csv(struct page *p, struct csv *c, const char *name,
    const char *const cols[], size_t n)
{
	p->h->status = 200;
	p->h->content_type = "text/csv; charset=utf-8";
	http_header(p->h, "Content-Disposition: attachment; filename=\"%s\"",
	    name);
	p->b->len = 0;
	csv_init(c, p->b);
	csv_row(c, cols, n);
}
