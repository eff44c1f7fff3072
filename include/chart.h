#ifndef LL_CHART_H
#define LL_CHART_H

#include "arena.h"

/* Charts for the web account, as inline SVG the pages embed: no script,
 * no style attribute (the account's Content-Security-Policy allows
 * neither), colours from classes of static/style.css. Pure: writes into
 * a struct buf; every label is escaped, every value is a number. Each
 * chart carries its title for screen readers, and each mark a <title>
 * with its label and value, which browsers show on hover. */

#define CHART_LABEL_MAX	24	/* characters of a label drawn */

/* One series of n values, drawn with class cls ("s-admitted" ...). */
struct chart_series {
	const char	*name;
	const char	*cls;
	const long long	*values;
};

/* Columns: n labels along the bottom, each with one column per series,
 * side by side (at most 4 series). The labels drawn are thinned out to
 * fit; every column keeps its own in its <title>. Cannot fail. */
void chart_columns(struct buf *b, const char *title,
    const char *const *labels, int n, const struct chart_series *series,
    int nseries);

/* Horizontal bars: one row per label, its value beside its bar. Cannot
 * fail. */
void chart_bars(struct buf *b, const char *title, const char *const *labels,
    const long long *values, int n, const char *cls);

/* The key of the series, as HTML: a swatch of each class and its name.
 * Cannot fail. */
void chart_legend(struct buf *b, const struct chart_series *series,
    int nseries);

/* The smallest "nice" number (1, 2 or 5 times a power of ten) at least
 * max / 4, for the step of an axis of 4 or 5 ticks; 1 for max <= 4.
 * Cannot fail. */
long long chart_step(long long max);

#endif
