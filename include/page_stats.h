#ifndef LL_PAGE_STATS_H
#define LL_PAGE_STATS_H

#include "page.h"
#include "stats.h"

/* The dashboard of the web account: what the checks of the provider's
 * links decided over a period (?from=, ?to=; the last 30 days by
 * default), its totals as numbers, admissions and refusals per day, the
 * devices by OS and by app version, how full the links are and the links
 * that need attention, as SVG charts drawn here (fcgi/chart.c), each
 * table also as a CSV download. Needs a session; answers its page
 * itself, failures included. */

void page_stats_show(struct page *p);	/* GET stats */
void page_stats_csv(struct page *p);	/* GET stats.csv?table=... */

/* Appends the chart of f's days: new devices admitted, re-checks
 * admitted and refusals, per day, with its key; for the dashboard and a
 * link's history. Cannot fail. */
void page_stats_daily(struct page *p, const struct stats_figures *f,
    const char *title);

/* Answers f's days as the CSV download name: per day, how many checks
 * ended in each decision; for the dashboard and a link's history.
 * Cannot fail. */
void page_stats_days_csv(struct page *p, const char *name,
    const struct stats_figures *f);

#endif
