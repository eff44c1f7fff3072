#include <string.h>

#include "chart.h"
#include "html.h"

/* The drawing, in user units of the viewBox: ten to a pixel of the
 * widest page, so that integer positions stay smooth. */
#define CHART_W		8000	/* width of every chart */
#define CHART_COLS_H	2700	/* height of a column chart */
#define CHART_LEFT	700	/* room for the values of the axis */
#define CHART_RIGHT	100
#define CHART_TOP	120
#define CHART_BOTTOM	380	/* room for the labels */
#define CHART_XLABELS	8	/* labels drawn along the bottom, at most */
#define CHART_BARS_W	4000	/* width of a bar chart: half a page */
#define CHART_ROW_H	300	/* a row of it */
#define CHART_BAR_H	200	/* a bar in it */
#define CHART_LABEL_W	1300	/* where a bar starts */
#define CHART_VALUE_W	600	/* room for the value after the longest */
#define CHART_SERIES_MAX 4

long long
chart_step(long long max)
{
	long long p = 1;

	if (max <= 4)
		return 1;
	/* the first 1, 2 or 5 times a power of ten that makes 4 steps or
	 * fewer reach max */
	for (;;) {
		if (p * 4 >= max)
			return p;
		if (p * 2 * 4 >= max)
			return p * 2;
		if (p * 5 * 4 >= max)
			return p * 5;
		p *= 10;
	}
}

/* Appends s cut to CHART_LABEL_MAX characters (with an ellipsis when
 * cut), never inside a UTF-8 sequence, escaped. */
static void
chart_label(struct buf *b, const char *s)
{
	size_t i = 0, chars = 0;

	if (s == NULL)
		s = "";
	while (s[i] != '\0' && chars < CHART_LABEL_MAX) {
		i++;
		while (((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		chars++;
	}
	if (s[i] == '\0') {
		html_escape(b, s);
		return;
	}
	html_escape(b, arena_strndup(b->arena, s, i));
	buf_puts(b, "…");
}

void
chart_columns(struct buf *b, const char *title, const char *const *labels,
    int n, const struct chart_series *series, int nseries)
{
	long long max = 0, step, top, v, t;
	int i, s, gw, pad, bw, x, y, h, every;
	const int plot_w = CHART_W - CHART_LEFT - CHART_RIGHT;
	const int plot_h = CHART_COLS_H - CHART_TOP - CHART_BOTTOM;

	if (nseries > CHART_SERIES_MAX)
		nseries = CHART_SERIES_MAX;
	for (i = 0; i < n; i++)
		for (s = 0; s < nseries; s++)
			if (series[s].values[i] > max)
				max = series[s].values[i];
	step = chart_step(max);
	top = max > 0 ? (max + step - 1) / step * step : step * 4;
	html_printf(b, "<svg class=\"chart columns\" viewBox=\"0 0 %d %d\" "
	    "role=\"img\" aria-label=\"%s\"><title>%s</title>\n", CHART_W,
	    CHART_COLS_H, title, title);
	for (t = 0; t <= top; t += step) {
		y = CHART_TOP + plot_h - (int)(t * plot_h / top);
		html_printf(b, "<line class=\"grid%s\" x1=\"%d\" y1=\"%d\" "
		    "x2=\"%d\" y2=\"%d\"/><text class=\"tick\" x=\"%d\" "
		    "y=\"%d\" text-anchor=\"end\">%lld</text>\n",
		    t == 0 ? " base" : "", CHART_LEFT, y, CHART_W - CHART_RIGHT,
		    y, CHART_LEFT - 60, y + 40, t);
	}
	if (n <= 0) {
		buf_puts(b, "</svg>\n");
		return;
	}
	gw = plot_w / n;
	if (gw < 1)
		gw = 1;
	pad = gw / 6;
	bw = nseries > 0 ? (gw - 2 * pad) / nseries : 0;
	if (bw < 1)
		bw = 1;
	for (i = 0; i < n; i++) {
		for (s = 0; s < nseries; s++) {
			v = series[s].values[i];
			if (v <= 0)
				continue;
			h = (int)(v * plot_h / top);
			if (h < 1)
				h = 1;
			x = CHART_LEFT + i * gw + pad + s * bw;
			html_printf(b, "<rect class=\"%s\" x=\"%d\" y=\"%d\" "
			    "width=\"%d\" height=\"%d\"><title>%s: %lld %s"
			    "</title></rect>\n", series[s].cls, x,
			    CHART_TOP + plot_h - h, bw, h, labels[i], v,
			    series[s].name);
		}
	}
	every = (n + CHART_XLABELS - 1) / CHART_XLABELS;
	for (i = 0; i < n; i++) {
		if (i % every != 0 && i != n - 1)
			continue;
		/* the last label only when it does not run into the one
		 * before */
		if (i == n - 1 && i % every != 0 && i % every < every / 2 + 1)
			continue;
		html_printf(b, "<text class=\"label\" x=\"%d\" y=\"%d\" "
		    "text-anchor=\"middle\">", CHART_LEFT + i * gw + gw / 2,
		    CHART_COLS_H - CHART_BOTTOM + 170);
		chart_label(b, labels[i]);
		buf_puts(b, "</text>\n");
	}
	buf_puts(b, "</svg>\n");
}

void
chart_bars(struct buf *b, const char *title, const char *const *labels,
    const long long *values, int n, const char *cls)
{
	const int bar_max = CHART_BARS_W - CHART_LABEL_W - CHART_VALUE_W;
	long long max = 0;
	int i, w, y, h;

	for (i = 0; i < n; i++)
		if (values[i] > max)
			max = values[i];
	h = (n > 0 ? n : 1) * CHART_ROW_H + 60;
	html_printf(b, "<svg class=\"chart bars\" viewBox=\"0 0 %d %d\" "
	    "role=\"img\" aria-label=\"%s\"><title>%s</title>\n",
	    CHART_BARS_W, h, title, title);
	for (i = 0; i < n; i++) {
		y = 30 + i * CHART_ROW_H;
		w = max > 0 ? (int)(values[i] * bar_max / max) : 0;
		if (values[i] > 0 && w < 8)
			w = 8;
		html_printf(b, "<text class=\"label\" x=\"%d\" y=\"%d\" "
		    "text-anchor=\"end\">", CHART_LABEL_W - 60,
		    y + CHART_BAR_H - 55);
		chart_label(b, labels[i]);
		html_printf(b, "</text><rect class=\"%s\" x=\"%d\" y=\"%d\" "
		    "width=\"%d\" height=\"%d\"><title>%s: %lld</title></rect>"
		    "<text class=\"value\" x=\"%d\" y=\"%d\">%lld</text>\n",
		    cls, CHART_LABEL_W, y, w, CHART_BAR_H, labels[i], values[i],
		    CHART_LABEL_W + w + 60, y + CHART_BAR_H - 55, values[i]);
	}
	buf_puts(b, "</svg>\n");
}

void
chart_legend(struct buf *b, const struct chart_series *series, int nseries)
{
	int s;

	buf_puts(b, "<ul class=\"legend\">");
	for (s = 0; s < nseries; s++)
		html_printf(b, "<li><span class=\"swatch %s\" aria-hidden="
		    "\"true\"></span>%s</li>", series[s].cls, series[s].name);
	buf_puts(b, "</ul>\n");
}
