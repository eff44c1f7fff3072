#include <string.h>

#include "chart.h"
#include "csv.h"
#include "db.h"
#include "html.h"
#include "page.h"
#include "page_stats.h"
#include "page_table.h"
#include "stats.h"

/* The totals shown as numbers, in the order of enum db_decision. */
static const char *const page_stats_names[DB_NPROVIDER_DECISION] = {
	"Devices admitted", "Re-checks admitted", "Refused: link full",
	"Refused: disabled", "Refused: wrong domain", "Refused: no HWID",
};

/* The fill buckets' labels, 0 to 10. */
static const char *const page_stats_fill[STATS_BUCKETS] = {
	"0–9%", "10–19%", "20–29%", "30–39%", "40–49%", "50–59%", "60–69%",
	"70–79%", "80–89%", "90–99%", "full",
};

/* The CSV tables of the dashboard, by their ?table= name. */
enum page_stats_table {
	PAGE_STATS_DAYS,
	PAGE_STATS_OS,
	PAGE_STATS_APPS,
	PAGE_STATS_FILL,
	PAGE_STATS_ATTENTION,
	PAGE_STATS_NTABLES
};
static const char *const page_stats_tables[PAGE_STATS_NTABLES] = {
	"days", "os", "app_versions", "fill", "attention",
};

void
page_stats_daily(struct page *p, const struct stats_figures *f,
    const char *title)
{
	const char **labels;
	long long *n, *known, *refused;
	struct chart_series s[3];
	int i, d;

	labels = arena_alloc(p->a, sizeof(*labels) * (size_t)(f->ndays + 1));
	n = arena_alloc(p->a, sizeof(*n) * (size_t)(f->ndays + 1));
	known = arena_alloc(p->a, sizeof(*known) * (size_t)(f->ndays + 1));
	refused = arena_alloc(p->a, sizeof(*refused) * (size_t)(f->ndays + 1));
	for (i = 0; i < f->ndays; i++) {
		labels[i] = f->days[i].day;
		n[i] = f->days[i].n[DB_ADMITTED_NEW];
		known[i] = f->days[i].n[DB_ADMITTED_KNOWN];
		refused[i] = 0;
		for (d = DB_REFUSED_LIMIT; d < DB_NPROVIDER_DECISION; d++)
			refused[i] += f->days[i].n[d];
	}
	s[0].name = "new devices admitted";
	s[0].cls = "s-new";
	s[0].values = n;
	s[1].name = "re-checks admitted";
	s[1].cls = "s-known";
	s[1].values = known;
	s[2].name = "refused";
	s[2].cls = "s-refused";
	s[2].values = refused;
	chart_columns(p->b, title, labels, f->ndays, s, 3);
	chart_legend(p->b, s, 3);
}

/* The path of the CSV of table t for the period. */
static const char *
page_stats_csv_path(struct page *p, enum page_stats_table t,
    const char *from, const char *to)
{
	return arena_printf(p->a, "/account/stats.csv?table=%s&from=%s&to=%s",
	    page_stats_tables[t], from, to);
}

/* Opens the chart card id headed by title, with the link to the CSV of
 * table t for the period. */
static void
page_stats_card(struct page *p, const char *id, const char *title,
    enum page_stats_table t, const char *from, const char *to)
{
	html_printf(p->b, "<section class=\"card chart-card\" id=\"%s\">",
	    id);
	page_table_heading(p, 0, title, -1, page_stats_csv_path(p, t, from,
	    to));
}

/* A card with the devices by kind ("os" or "app_version") as bars. */
static void
page_stats_shares(struct page *p, const struct stats_figures *f,
    const char *kind, const char *title, enum page_stats_table t,
    const char *from, const char *to)
{
	const char **labels;
	long long *v;
	int i, n = 0;

	labels = arena_alloc(p->a, sizeof(*labels) * (size_t)(f->nshares + 1));
	v = arena_alloc(p->a, sizeof(*v) * (size_t)(f->nshares + 1));
	for (i = 0; i < f->nshares; i++) {
		if (strcmp(f->shares[i].kind, kind) != 0)
			continue;
		labels[n] = *f->shares[i].name != '\0' ? f->shares[i].name :
		    "(not sent)";
		v[n++] = f->shares[i].devices;
	}
	page_stats_card(p, kind, title, t, from, to);
	if (n == 0)
		buf_puts(p->b, "<p class=\"empty\">No device holds a slot.</p>");
	else
		chart_bars(p->b, title, labels, v, n, "s-devices");
	buf_puts(p->b, "</section>\n");
}

/* The tiles of totals and of links. */
static void
page_stats_tiles(struct page *p, const struct stats_figures *f)
{
	int d;

	buf_puts(p->b, "<dl class=\"tiles\" id=\"totals\">");
	for (d = 0; d < DB_NPROVIDER_DECISION; d++)
		html_printf(p->b, "<div class=\"tile%s\"><dt>%s</dt>"
		    "<dd data-total=\"%s\">%lld</dd></div>",
		    d >= DB_REFUSED_LIMIT ? " bad" : "", page_stats_names[d],
		    db_decision_name((enum db_decision)d), f->totals[d]);
	html_printf(p->b, "<div class=\"tile links\"><dt>Links</dt>"
	    "<dd data-total=\"links\">%lld</dd></div>"
	    "<div class=\"tile links\"><dt>Full</dt>"
	    "<dd data-total=\"full\">%lld</dd></div>"
	    "<div class=\"tile links\"><dt>Near full (80%% or more)</dt>"
	    "<dd data-total=\"near_full\">%lld</dd></div></dl>\n",
	    f->links, f->full, f->near_full);
}

static const struct page_table page_stats_attention_table = {
	.card = "", .id = "attention", .title = "Links that need attention",
	.cls = "attention", .heads = { "Install code", "Devices",
	    "Refused for the limit" },
	.empty = "None: no device was refused for a limit in this period, "
	    "and no link is near full.",
};

/* The links that need attention. */
static void
page_stats_attention(struct page *p, const struct stats_figures *f,
    const char *from, const char *to)
{
	int i;

	page_table_begin(p, &page_stats_attention_table, f->nattention,
	    page_stats_csv_path(p, PAGE_STATS_ATTENTION, from, to));
	for (i = 0; i < f->nattention; i++) {
		html_printf(p->b, "<tr><td data-label=\"Code\"><a class=\"code\" "
		    "href=\"/account/links/%lld\">%s</a></td>"
		    "<td data-label=\"Devices\">", f->attention[i].id,
		    f->attention[i].install_code);
		page_usage(p->b, f->attention[i].install_count,
		    f->attention[i].install_limit);
		html_printf(p->b, "</td><td data-label=\"Refused\" "
		    "class=\"num\">%lld</td></tr>\n",
		    f->attention[i].refused_limit);
	}
	page_table_end(p, &page_stats_attention_table, f->nattention, NULL);
}

void
page_stats_show(struct page *p)
{
	struct stats_figures f;
	char from[VALID_DATE_LEN + 1], to[VALID_DATE_LEN + 1];
	const char *err;

	err = page_period(p, from, to);
	if (stats_figures(p->a, p->s.provider_id, NULL, 0, from, to,
	    p->h->cfg->stats_summary_age, &f) != DB_OK) {
		page_failed(p);
		return;
	}
	page_begin(p, err != NULL ? 400 : 200, "Dashboard", "stats");
	/* not page_head(): the time the figures were counted is marked */
	html_printf(p->b, "<div class=\"head\"><div><h1>Dashboard</h1>"
	    "<p class=\"sub\">What the app's checks of your links decided "
	    "from %s to %s (UTC), and your links and devices as counted "
	    "<time id=\"as-of\">%s</time> (UTC).</p></div></div>\n",
	    from, to, f.as_of != NULL ? f.as_of : "now");
	if (err != NULL)
		html_flash(p->b, "error", err);
	page_period_form(p, "/account/stats", from, to, NULL, NULL);
	page_stats_tiles(p, &f);
	page_stats_card(p, "daily", "Admissions and refusals per day",
	    PAGE_STATS_DAYS, from, to);
	page_stats_daily(p, &f, "Admissions and refusals per day");
	buf_puts(p->b, "</section>\n<div class=\"cols\">\n");
	page_stats_shares(p, &f, "os", "Devices by OS", PAGE_STATS_OS, from,
	    to);
	page_stats_shares(p, &f, "app_version", "Devices by app version",
	    PAGE_STATS_APPS, from, to);
	buf_puts(p->b, "</div>\n");
	page_stats_card(p, "fill", "How full your links are", PAGE_STATS_FILL,
	    from, to);
	{
		struct chart_series s = { "links", "s-links", f.buckets };

		chart_columns(p->b, "Links by how full they are",
		    page_stats_fill, STATS_BUCKETS, &s, 1);
	}
	buf_puts(p->b, "<p class=\"hint\">Each column counts the links "
	    "holding that share of their install limit now.</p></section>\n");
	page_stats_attention(p, &f, from, to);
	html_end(p->b);
}

void
page_stats_days_csv(struct page *p, const char *name,
    const struct stats_figures *f)
{
	const char *cols[DB_NPROVIDER_DECISION + 1];
	struct csv c;
	int i, d;

	cols[0] = "date";
	for (d = 0; d < DB_NPROVIDER_DECISION; d++)
		cols[d + 1] = db_decision_name((enum db_decision)d);
	page_table_csv(p, &c, name, cols, DB_NPROVIDER_DECISION + 1);
	for (i = 0; i < f->ndays; i++) {
		csv_text(&c, f->days[i].day);
		for (d = 0; d < DB_NPROVIDER_DECISION; d++)
			csv_num(&c, f->days[i].n[d]);
		csv_end(&c);
	}
}

void
page_stats_csv(struct page *p)
{
	static const char *const fill[] = { "fill", "links" };
	static const char *const attention[] = { "id", "install_code",
	    "install_limit", "install_count", "refused_limit" };
	struct stats_figures f;
	struct csv c;
	char from[VALID_DATE_LEN + 1], to[VALID_DATE_LEN + 1];
	const char *table, *name, *kind;
	int t, i;

	table = page_param(p, "table");
	for (t = 0; t < PAGE_STATS_NTABLES; t++)
		if (strcmp(table, page_stats_tables[t]) == 0)
			break;
	if (t == PAGE_STATS_NTABLES) {
		page_not_found(p);
		return;
	}
	if (page_table_period(p, from, to) != 0)
		return;
	if (stats_figures(p->a, p->s.provider_id, NULL, 0, from, to,
	    p->h->cfg->stats_summary_age, &f) != DB_OK) {
		page_failed(p);
		return;
	}
	name = arena_printf(p->a, "limited-links-%s-%s-%s.csv",
	    page_stats_tables[t], from, to);
	switch (t) {
	case PAGE_STATS_DAYS:
		page_stats_days_csv(p, name, &f);
		break;
	case PAGE_STATS_OS:
	case PAGE_STATS_APPS:
		kind = t == PAGE_STATS_OS ? "os" : "app_version";
		page_table_csv(p, &c, name, (const char *const []){ kind,
		    "devices" }, 2);
		for (i = 0; i < f.nshares; i++) {
			if (strcmp(f.shares[i].kind, kind) != 0)
				continue;
			csv_text(&c, f.shares[i].name);
			csv_num(&c, f.shares[i].devices);
			csv_end(&c);
		}
		break;
	case PAGE_STATS_FILL:
		page_table_csv(p, &c, name, fill, sizeof(fill) / sizeof(fill[0]));
		for (i = 0; i < STATS_BUCKETS; i++) {
			csv_text(&c, page_stats_fill[i]);
			csv_num(&c, f.buckets[i]);
			csv_end(&c);
		}
		break;
	default:
		page_table_csv(p, &c, name, attention,
		    sizeof(attention) / sizeof(attention[0]));
		for (i = 0; i < f.nattention; i++) {
			csv_num(&c, f.attention[i].id);
			csv_text(&c, f.attention[i].install_code);
			csv_num(&c, f.attention[i].install_limit);
			csv_num(&c, f.attention[i].install_count);
			csv_num(&c, f.attention[i].refused_limit);
			csv_end(&c);
		}
		break;
	}
}
