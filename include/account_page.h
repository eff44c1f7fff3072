#ifndef LL_ACCOUNT_PAGE_H
#define LL_ACCOUNT_PAGE_H

#include "db.h"
#include "http.h"
#include "sessions.h"

/* What the pages of the web account share: account.c finds the page and
 * the session, account_signin.c, account_links.c and account_domains.c
 * draw the pages. Here are the request as a page sees it, the page frame,
 * the answers to failures and the parts of forms. Pages write HTML only
 * through html.h, which escapes every value they did not write. */

/* One request to the account. */
struct acct {
	struct http	*h;
	struct buf	*b;		/* the answer's body */
	struct session	 s;		/* when signed in */
	int		 signed_in;
	long long	 id;		/* the number in the path, if any */
	char		 ids[24];	/* id as text */
	char		 pid[24];	/* the provider's id as text */
};

/* A form shown again with what was typed and what is wrong. */
struct acct_form {
	const char	*v[4];		/* the values, by the form's own order */
	const char	*error;		/* the message; NULL: no error */
	const char	*bad;		/* the field at fault, by name */
};

/* Returns parameter name without the white space around it, in the
 * request's arena; "" when it is absent. Cannot fail. */
const char *acct_param(struct acct *a, const char *name);

/* As acct_param(), for a parameter that must come in the form body alone
 * (a key, a token): "" when it is absent or the query string carries it
 * too. Cannot fail. */
const char *acct_body_param(struct acct *a, const char *name);

/* Makes id the link the request is about, as a number and as text. */
void acct_set_id(struct acct *a, long long id);

/* Answers 303 See Other to location, which must be a path of ours. */
void acct_redirect(struct acct *a, const char *location);

/* Starts an HTML answer with status: the document head, then the page
 * header as signed in or out, with nav ("links", "new", "domains" or
 * NULL) the active item. The page ends with html_end(). */
void acct_begin(struct acct *a, int status, const char *title,
    const char *nav);

/* Answers a whole page that only says text under title. */
void acct_message(struct acct *a, int status, const char *title,
    const char *text);

/* Answers the failure of the last database call: 503 and Retry-After
 * when the database is down or busy (a timeout, a lock wait), else 500
 * with the error logged under what. */
void acct_db_error(struct acct *a, const char *what);

/* Runs st with n values; when one is set, exactly one row must come back.
 * Returns the rows, which the caller frees with db_free(), or NULL once
 * the failure is answered with acct_db_error(a, what). */
struct db_res *acct_exec(struct acct *a, const char *what, enum db_stmt st,
    int n, const char *const *values, int one);

/* Answers 404: no such page, or no such link of this provider. */
void acct_not_found(struct acct *a);

/* Appends the message a redirect asked for with ?m=KEY; an unknown key
 * appends nothing. */
void acct_flash_from_query(struct acct *a);

/* Appends the opening of a POST form to path with class cls, and the
 * session's CSRF field. */
void acct_form_open(struct acct *a, const char *path, const char *cls);

/* Returns the attributes that mark an input invalid when field is the
 * one at fault in f, else "". f may be NULL. */
const char *acct_bad(const struct acct_form *f, const char *field);

/* Returns field i of f as typed, or fallback when f is NULL. */
const char *acct_value(const struct acct_form *f, int i,
    const char *fallback);

#endif
