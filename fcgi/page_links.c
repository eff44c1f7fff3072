#include "html.h"
#include "links.h"
#include "page.h"
#include "page_links.h"
#include "page_table.h"
#include "valid.h"

static const struct page_table page_links_table = {
	.cls = "links", .heads = { "Install code", "Note", "Devices",
	    "Status", "Created (UTC)" },
};

/* The n rows (n > 0) of the links table, in a card. */
static void
page_links_rows(struct page *p, const struct db_link *l, int n)
{
	int i;

	buf_puts(p->b, "<div class=\"card flush\">");
	page_table_begin(p, &page_links_table, n, NULL);
	for (i = 0; i < n; i++) {
		html_printf(p->b, "<tr><td data-label=\"Code\"><a class=\"code\" "
		    "href=\"/account/links/%lld\">%s</a></td>"
		    "<td data-label=\"Note\" class=\"note\">%s</td>"
		    "<td data-label=\"Devices\">", l[i].id, l[i].install_code,
		    l[i].note);
		page_usage(p->b, l[i].install_count, l[i].install_limit);
		buf_puts(p->b, "</td><td data-label=\"Status\">");
		page_status_badge(p->b, l[i].status);
		html_printf(p->b, "</td><td data-label=\"Created\" "
		    "class=\"date\">%s</td></tr>\n", l[i].created_at);
	}
	page_table_end(p, &page_links_table, n, NULL);
	buf_puts(p->b, "</div>\n");
}

/* Links to the pages beside page (of pages), keeping the search q. */
static void
page_links_pager(struct page *p, const char *q, long page, long pages)
{
	struct buf qs;

	buf_init(&qs, p->a);
	if (*q != '\0') {
		buf_puts(&qs, "q=");
		html_urlencode(&qs, q);
		buf_puts(&qs, "&");
	}
	buf_puts(p->b, "<nav class=\"pager\" aria-label=\"Pages\">");
	if (page > 1)
		html_printf(p->b, "<a class=\"button\" rel=\"prev\" "
		    "href=\"/account/links?%spage=%ld\">← Newer</a>",
		    qs.data, page - 1);
	html_printf(p->b, "<span>Page %ld of %ld</span>", page, pages);
	if (page < pages)
		html_printf(p->b, "<a class=\"button\" rel=\"next\" "
		    "href=\"/account/links?%spage=%ld\">Older →</a>",
		    qs.data, page + 1);
	buf_puts(p->b, "</nav>\n");
}

void
page_links_list(struct page *p)
{
	struct db_link *l;
	const char *q, *search;
	long page = 1, pages;
	long long total;
	int n;

	q = valid_clean_text(p->a, page_param(p, "q"), PAGE_LINKS_SEARCH_MAX);
	search = *q != '\0' ? q : NULL;
	if (!valid_int(http_param(p->h, "page"), 1, PAGE_LINKS_PAGE_MAX,
	    &page))
		page = 1;
	total = links_count(p->a, p->s.provider_id, search);
	n = total < 0 ? -1 : links_list(p->a, p->s.provider_id, 0, search,
	    PAGE_LINKS_SIZE, (page - 1) * PAGE_LINKS_SIZE, &l);
	if (n < 0) {
		page_failed(p);
		return;
	}
	pages = (long)((total + PAGE_LINKS_SIZE - 1) / PAGE_LINKS_SIZE);

	page_begin(p, 200, "Links", "links");
	html_printf(p->b, "<div class=\"head\"><div><h1>Links</h1>"
	    "<p class=\"sub\">%lld link%s%s%s%s</p></div>"
	    "<a class=\"button primary\" href=\"/account/links/new\">"
	    "New link</a></div>\n", total, total == 1 ? "" : "s",
	    *q != '\0' ? " matching “" : "", q, *q != '\0' ? "”" : "");
	page_flash_from_query(p);
	html_printf(p->b, "<form class=\"search\" method=\"get\" "
	    "action=\"/account/links\" role=\"search\">"
	    "<input type=\"search\" name=\"q\" value=\"%s\" "
	    "placeholder=\"Search code or note\" "
	    "aria-label=\"Search links\">"
	    "<button type=\"submit\">Search</button>", q);
	if (*q != '\0')
		buf_puts(p->b, "<a class=\"button quiet\" "
		    "href=\"/account/links\">Clear</a>");
	buf_puts(p->b, "</form>\n");

	if (total == 0 && *q == '\0')
		buf_puts(p->b, "<section class=\"card empty\"><h2>No links "
		    "yet</h2><p>A limited link lets only as many devices add "
		    "a subscription as you allow. Paste a subscription URL to "
		    "make the first one.</p><p><a class=\"button primary\" "
		    "href=\"/account/links/new\">Create a limited link</a>"
		    "</p></section>\n");
	else if (n == 0)
		html_printf(p->b, "<section class=\"card empty\"><p>%s</p>"
		    "</section>\n", *q != '\0' ? "No link matches this search." :
		    "This page is past the last link.");
	else
		page_links_rows(p, l, n);
	if (n > 0 && pages > 1)
		page_links_pager(p, q, page, pages);
	html_end(p->b);
}
