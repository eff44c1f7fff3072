#ifndef LL_PAGE_H
#define LL_PAGE_H

#include "audit.h"
#include "http.h"
#include "sessions.h"
#include "valid.h"

/* The toolkit the web account's pages share: account.c finds the page and
 * the session, the page_*.c files draw the pages with what is here: the
 * request as a page sees it, the page frame, the answers to failures,
 * the parts of forms, and the small pieces two pages show alike. Pages
 * write HTML only through html.h, which escapes every value they did not
 * write, and reach the database only through the services. */

/* One request to the account. */
struct page {
	struct http	*h;
	struct arena	*a;		/* the request's */
	struct buf	*b;		/* the answer's body */
	struct session	 s;		/* when signed in */
	int		 signed_in;
	long long	 id;		/* the number in the path, if any */
};

/* A form shown again with what was typed and what is wrong. */
struct page_form {
	const char	*v[5];		/* the values, by the form's own order */
	const char	*error;		/* the message; NULL: no error */
	const char	*bad;		/* the field at fault, by name */
};

/* Who the signed-in session is, for the audit trail of what the page
 * changes; lives as long as p. Cannot fail. */
const struct audit_actor *page_actor(struct page *p);

/* Returns parameter name without the white space around it, in the
 * request's arena; "" when it is absent. Cannot fail. */
const char *page_param(struct page *p, const char *name);

/* As page_param(), for a parameter that must come in the form body alone
 * (a key, a token): "" when it is absent or the query string carries it
 * too. Cannot fail. */
const char *page_body_param(struct page *p, const char *name);

/* The path of the link the request is about, then rest ("/edit",
 * "?m=saved" or ""), in the request's arena. Cannot fail. */
const char *page_link_path(struct page *p, const char *rest);

/* Answers 303 See Other to location, which must be a path of ours. */
void page_redirect(struct page *p, const char *location);

/* Starts an HTML answer with status: the document head, then the page
 * header as signed in or out, with nav ("links", "new", "domains" or
 * NULL) the active item. The page ends with html_end(). */
void page_begin(struct page *p, int status, const char *title,
    const char *nav);

/* Appends the head of a page: title as its heading, and the text sub
 * under it. Cannot fail. */
void page_head(struct page *p, const char *title, const char *sub);

/* Answers a whole page that only says text under title. */
void page_message(struct page *p, int status, const char *title,
    const char *text);

/* Answers the failure of a service call: 503 and Retry-After when the
 * database is down or busy (a timeout, a lock wait), else 500. The
 * failure itself was logged where it was found. */
void page_failed(struct page *p);

/* Answers 404: no such page, or no such link of this provider. */
void page_not_found(struct page *p);

/* Appends the message a redirect asked for with ?m=KEY; an unknown key
 * appends nothing. */
void page_flash_from_query(struct page *p);

/* Appends the opening of a POST form to path with class cls, and the
 * session's CSRF field. */
void page_form_open(struct page *p, const char *path, const char *cls);

/* A form of one button that posts one field. */
struct page_button {
	const char	*path;		/* where it posts, a path of ours */
	const char	*form;		/* the form's class */
	const char	*name;		/* the field's name; NULL: no field */
	const char	*value;		/* and its value */
	const char	*cls;		/* the button's class, or NULL */
	const char	*label;		/* its text */
	const char	*confirm;	/* what it asks before it posts, or NULL */
	const char	*aria;		/* its accessible name, or NULL: label */
};

/* Appends the form bt describes, with the session's CSRF field. Cannot
 * fail. */
void page_button(struct page *p, const struct page_button *bt);

/* Returns the attributes that mark an input invalid when field is the
 * one at fault in f, else "". f may be NULL. */
const char *page_bad(const struct page_form *f, const char *field);

/* Returns field i of f as typed, or fallback when f is NULL. */
const char *page_value(const struct page_form *f, int i,
    const char *fallback);

/* Appends a link's status as a badge. */
void page_status_badge(struct buf *b, int status);

/* Appends count devices of limit as a bar and as numbers. */
void page_usage(struct buf *b, int count, int limit);

/* The period the request asks for with ?from= and ?to= (YYYY-MM-DD),
 * by the rule of stats_period(), into from and to. Returns NULL, or what
 * is wrong with what was asked, and then from and to hold the default
 * period. Cannot fail. */
const char *page_period(struct page *p, char from[VALID_DATE_LEN + 1],
    char to[VALID_DATE_LEN + 1]);

/* Appends the GET form that picks a period for action (a path of ours),
 * with from and to filled in, and quick links to the last 7, 30, 90 and
 * 365 days; extra (may be NULL) is a hidden field "name=value" kept.
 * Cannot fail. */
void page_period_form(struct page *p, const char *action, const char *from,
    const char *to, const char *extra_name, const char *extra_value);

#endif
