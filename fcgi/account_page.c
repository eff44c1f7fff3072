#include <stdio.h>
#include <string.h>

#include "account_page.h"
#include "html.h"
#include "log.h"
#include "valid.h"

#define ACCT_SPACE	" \t\r\n"	/* trimmed around what a form sends */

/* Messages a redirect asks for with ?m=KEY: fixed texts only, so a link
 * cannot make the page say anything else. */
static const struct {
	const char	*key;
	const char	*kind;
	const char	*text;
} acct_flashes[] = {
	{ "created", "ok", "Your link is ready. Hand out the encrypted link "
	    "or its QR code: the user cannot strip the install code from it." },
	{ "saved", "ok", "Saved." },
	{ "disabled", "ok", "The link is disabled: the app refuses it on "
	    "every device, including those that hold a slot." },
	{ "enabled", "ok", "The link is active again." },
	{ "device-deleted", "ok", "The device was removed; its slot is free." },
	{ "device-gone", "info", "That device had already been removed." },
	{ "target", "ok", "The final and the encrypted link are ready." },
	{ "domain-added", "ok", "The domain is registered." },
	{ "domain-exists", "info", "That domain was already registered." },
	{ "domain-deleted", "ok", "The domain is deleted: the app now "
	    "refuses links that hash to it." },
	{ "domain-gone", "info", "That domain had already been deleted." },
	{ "signed-out", "ok", "You are signed out." },
	{ "expired", "info", "Your session has ended. Sign in again." },
};

/* s without leading and trailing ASCII whitespace, copied; NULL gives "". */
static const char *
acct_trim(struct acct *a, const char *s)
{
	size_t len;

	if (s == NULL)
		return "";
	s += strspn(s, ACCT_SPACE);
	len = strlen(s);
	while (len > 0 && strchr(ACCT_SPACE, s[len - 1]) != NULL)
		len--;
	return arena_strndup(a->h->arena, s, len);
}

const char *
acct_param(struct acct *a, const char *name)
{
	return acct_trim(a, http_param(a->h, name));
}

const char *
acct_body_param(struct acct *a, const char *name)
{
	const struct param *p;

	p = http_body_param(a->h, name);
	return acct_trim(a, p != NULL ? p->value : NULL);
}

void
acct_set_id(struct acct *a, long long id)
{
	a->id = id;
	snprintf(a->ids, sizeof(a->ids), "%lld", id);
}

void
acct_redirect(struct acct *a, const char *location)
{
	a->h->status = 303;
	a->h->content_type = "text/plain; charset=utf-8";
	a->b->len = 0;
	http_header(a->h, "Location: %s", location);
	buf_puts(a->b, "See Other\n");
}

void
acct_begin(struct acct *a, int status, const char *title, const char *nav)
{
	struct html_page p;

	a->h->status = status;
	a->h->content_type = "text/html; charset=utf-8";
	a->b->len = 0;
	p.title = title;
	p.nav = nav;
	p.provider = a->signed_in ? a->s.provider : NULL;
	p.csrf = a->signed_in ? a->s.csrf : NULL;
	html_begin(a->b, &p);
}

void
acct_message(struct acct *a, int status, const char *title,
    const char *text)
{
	acct_begin(a, status, title, NULL);
	html_printf(a->b, "<section class=\"card narrow message\">"
	    "<h1>%s</h1>\n<p>%s</p>\n<p><a class=\"button\" href=\"%s\">%s"
	    "</a></p></section>\n", title, text,
	    a->signed_in ? "/account/links" : "/account/",
	    a->signed_in ? "Back to your links" : "Go to sign-in");
	html_end(a->b);
}

void
acct_db_error(struct acct *a, const char *what)
{
	switch (db_failure()) {
	case DB_FAIL_DOWN:
		http_header(a->h, "Retry-After: 5");
		acct_message(a, 503, "Try again in a moment",
		    "The database is not answering right now. Nothing was "
		    "changed.");
		return;
	case DB_FAIL_TIMEOUT:
	case DB_FAIL_LOCK:
		log_warn("account: %s: %s", what, db_strfail(db_failure()));
		http_header(a->h, "Retry-After: 5");
		acct_message(a, 503, "Try again in a moment",
		    "The database is busy right now. Nothing was changed.");
		return;
	case DB_FAIL_NONE:
	case DB_FAIL_SQL:
		break;
	}
	log_error("account: %s: %s %s", what, db_sqlstate(), db_message());
	acct_message(a, 500, "Something went wrong",
	    "The server could not do this; the error was logged.");
}

struct db_res *
acct_exec(struct acct *a, const char *what, enum db_stmt st, int n,
    const char *const *values, int one)
{
	struct db_res *r;

	r = db_exec(st, n, values);
	if (r != NULL && (!one || db_rows(r) == 1))
		return r;
	db_free(r);
	acct_db_error(a, what);
	return NULL;
}

void
acct_not_found(struct acct *a)
{
	acct_message(a, 404, "Not found",
	    "There is no such page or link in your account.");
}

void
acct_flash_from_query(struct acct *a)
{
	const char *m;
	long n;
	size_t i;

	m = http_param(a->h, "m");
	if (m == NULL)
		return;
	for (i = 0; i < sizeof(acct_flashes) / sizeof(acct_flashes[0]); i++) {
		if (strcmp(m, acct_flashes[i].key) != 0)
			continue;
		html_flash(a->b, acct_flashes[i].kind, acct_flashes[i].text);
		if (strcmp(m, "domain-deleted") == 0 &&
		    valid_int(http_param(a->h, "n"), 1, 100000000, &n))
			html_printf(a->b, "<p class=\"flash info\" role=\"status\">"
			    "%ld active link%s had devices admitted through "
			    "it: the app now refuses them on their next "
			    "check.</p>\n", n, n == 1 ? "" : "s");
		return;
	}
}

void
acct_form_open(struct acct *a, const char *path, const char *cls)
{
	html_printf(a->b, "<form method=\"post\" action=\"%s\" class=\"%s\" "
	    "novalidate>", path, cls);
	html_csrf(a->b, a->s.csrf);
}

const char *
acct_bad(const struct acct_form *f, const char *field)
{
	return f != NULL && f->bad != NULL && strcmp(f->bad, field) == 0 ?
	    " aria-invalid=true class=bad" : "";
}

const char *
acct_value(const struct acct_form *f, int i, const char *fallback)
{
	return f != NULL ? f->v[i] : fallback;
}
