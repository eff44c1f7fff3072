#ifndef LL_HTML_H
#define LL_HTML_H

#include "arena.h"

/* HTML for the web account: escaping writers and the page layout. Pure:
 * writes into a struct buf and knows nothing of requests. Every value that
 * we did not write ourselves goes through html_escape(), directly or as a
 * %s of html_printf(). */

#define HTML_SITE	"limited-links"	/* the product name in titles */
#define HTML_CSS	"/static/style.css?v=3"
#define HTML_JS		"/static/account.js?v=1"

struct html_page {
	const char	*title;		/* of the page, in <title> */
	const char	*nav;		/* active item: "links", "new", "stats",
					   "domains", "activity",
					   "webhook" or NULL */
	const char	*provider;	/* signed-in provider code; NULL: signed out */
	const char	*csrf;		/* the session's token, for sign-out */
};

/* Appends s with &, <, >, " and ' escaped, fit for text and for quoted
 * attribute values. NULL appends nothing. Cannot fail. */
void html_escape(struct buf *b, const char *s);

/* Appends s percent-encoded for a query-string value (everything but
 * A-Z a-z 0-9 and "-._~"). NULL appends nothing. Cannot fail. */
void html_urlencode(struct buf *b, const char *s);

/* Appends fmt with its conversions filled in, where every %s is escaped as
 * by html_escape() (NULL gives nothing); %d, %ld, %lld, %u, %lu, %llu, %zu
 * and %% are as printf's, and no flags or widths are understood. The
 * format itself is written as it stands, so it must be ours. Cannot
 * fail. */
void html_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends the document head and the page header (brand, navigation and,
 * when signed in, the provider and a sign-out form), then opens <main>.
 * The title and the provider are escaped. Cannot fail. */
void html_begin(struct buf *b, const struct html_page *p);

/* Closes <main> and the document. Cannot fail. */
void html_end(struct buf *b);

/* Appends a message box with text escaped; kind is "ok", "error" or
 * "info". Cannot fail. */
void html_flash(struct buf *b, const char *kind, const char *text);

/* A message a redirect asks a page for with ?m=KEY: a fixed text, so that
 * a link cannot make a page say anything else. */
struct html_message {
	const char	*key;
	const char	*kind;		/* as html_flash() takes it */
	const char	*text;
};

/* Appends, as html_flash() does, the one of the n messages of m whose key
 * is key (NULL: none). Returns whether there was one. Cannot fail. */
int html_message(struct buf *b, const struct html_message *m, size_t n,
    const char *key);

/* Appends the hidden form field that carries the CSRF token, escaped.
 * Cannot fail. */
void html_csrf(struct buf *b, const char *token);

#endif
