#include <stdarg.h>
#include <string.h>

#include "html.h"

/* The navigation, in order. */
static const struct {
	const char	*id;
	const char	*href;
	const char	*label;
} html_nav[] = {
	{ "links",	"/account/links",	"Links" },
	{ "new",	"/account/links/new",	"New link" },
	{ "stats",	"/account/stats",	"Dashboard" },
	{ "domains",	"/account/domains",	"Domains" },
	{ "webhook",	"/account/webhook",	"Webhook" },
	{ "activity",	"/account/activity",	"Activity" },
};

/* A chain link, drawn in the header beside the name. */
#define HTML_LOGO \
	"<svg class=\"logo\" viewBox=\"0 0 24 24\" aria-hidden=\"true\">" \
	"<path d=\"M10 14a5 5 0 0 0 7 0l3-3a5 5 0 0 0-7-7l-1 1\"/>" \
	"<path d=\"M14 10a5 5 0 0 0-7 0l-3 3a5 5 0 0 0 7 7l1-1\"/></svg>"

void
html_escape(struct buf *b, const char *s)
{
	const char *start, *rep;

	if (s == NULL)
		return;
	for (start = s; *s != '\0'; s++) {
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		buf_append(b, start, (size_t)(s - start));
		buf_puts(b, rep);
		start = s + 1;
	}
	buf_append(b, start, (size_t)(s - start));
}

void
html_urlencode(struct buf *b, const char *s)
{
	static const char digits[] = "0123456789ABCDEF";
	const unsigned char *p;
	char esc[3];

	if (s == NULL)
		return;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL) {
			buf_append(b, p, 1);
			continue;
		}
		esc[0] = '%';
		esc[1] = digits[*p >> 4];
		esc[2] = digits[*p & 15];
		buf_append(b, esc, 3);
	}
}

void
html_printf(struct buf *b, const char *fmt, ...)
{
	const char *start, *p;
	va_list ap;
	int lng;

	va_start(ap, fmt);
	for (start = p = fmt; *p != '\0'; p++) {
		if (*p != '%')
			continue;
		buf_append(b, start, (size_t)(p - start));
		p++;
		lng = 0;
		while (*p == 'l') {
			lng++;
			p++;
		}
		if (*p == 'z') {
			lng = 'z';
			p++;
		}
		switch (*p) {
		case 's':
			html_escape(b, va_arg(ap, const char *));
			break;
		case 'd':
			if (lng == 2)
				buf_printf(b, "%lld", va_arg(ap, long long));
			else if (lng == 1)
				buf_printf(b, "%ld", va_arg(ap, long));
			else
				buf_printf(b, "%d", va_arg(ap, int));
			break;
		case 'u':
			if (lng == 'z')
				buf_printf(b, "%zu", va_arg(ap, size_t));
			else if (lng == 2)
				buf_printf(b, "%llu",
				    va_arg(ap, unsigned long long));
			else if (lng == 1)
				buf_printf(b, "%lu", va_arg(ap, unsigned long));
			else
				buf_printf(b, "%u", va_arg(ap, unsigned int));
			break;
		case '%':
			buf_puts(b, "%");
			break;
		case '\0':
			p--;
			break;
		default:
			/* not understood: written as it stands */
			buf_append(b, p, 1);
			break;
		}
		start = p + 1;
	}
	buf_append(b, start, (size_t)(p - start));
	va_end(ap);
}

void
html_begin(struct buf *b, const struct html_page *p)
{
	size_t i;

	html_printf(b, "<!doctype html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<meta name=\"color-scheme\" content=\"light\">\n"
	    "<title>%s · %s</title>\n"
	    "<link rel=\"icon\" href=\"/static/icon.svg\" "
	    "type=\"image/svg+xml\">\n"
	    "<link rel=\"stylesheet\" href=\"%s\">\n"
	    "<script src=\"%s\" defer></script>\n"
	    "</head>\n<body%s>\n<header class=\"top\"><div class=\"topbar\">\n"
	    "<a class=\"brand\" href=\"/account/\">", p->title, HTML_SITE,
	    HTML_CSS, HTML_JS, p->provider == NULL ? " class=out" : "");
	buf_puts(b, HTML_LOGO);
	html_printf(b, "<span>%s</span></a>\n", HTML_SITE);
	if (p->provider != NULL) {
		buf_puts(b, "<nav class=\"nav\" aria-label=\"Account\">\n");
		for (i = 0; i < sizeof(html_nav) / sizeof(html_nav[0]); i++) {
			int on = p->nav != NULL &&
			    strcmp(p->nav, html_nav[i].id) == 0;
			html_printf(b, "<a href=\"%s\"%s>%s</a>\n",
			    html_nav[i].href,
			    on ? " class=on aria-current=page" : "",
			    html_nav[i].label);
		}
		buf_puts(b, "</nav>\n");
		html_printf(b, "<div class=\"who\"><span class=\"provider\" "
		    "title=\"Your provider code\">%s</span>\n"
		    "<form method=\"post\" action=\"/account/signout\">",
		    p->provider);
		html_csrf(b, p->csrf);
		buf_puts(b, "<button type=\"submit\" class=\"quiet\">"
		    "Sign out</button></form></div>\n");
	}
	buf_puts(b, "</div></header>\n<main class=\"wrap\">\n");
}

void
html_end(struct buf *b)
{
	html_printf(b, "</main>\n<footer class=\"foot wrap\">%s · "
	    "self-hosted Happ limited links</footer>\n</body>\n</html>\n",
	    HTML_SITE);
}

void
html_flash(struct buf *b, const char *kind, const char *text)
{
	html_printf(b, "<p class=\"flash %s\" role=\"%s\">%s</p>\n", kind,
	    strcmp(kind, "error") == 0 ? "alert" : "status", text);
}

int
html_message(struct buf *b, const struct html_message *m, size_t n,
    const char *key)
{
	size_t i;

	for (i = 0; key != NULL && i < n; i++) {
		if (strcmp(key, m[i].key) == 0) {
			html_flash(b, m[i].kind, m[i].text);
			return 1;
		}
	}
	return 0;
}

void
html_csrf(struct buf *b, const char *token)
{
	html_printf(b, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">",
	    token);
}
