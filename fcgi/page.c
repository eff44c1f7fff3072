#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "html.h"
#include "links.h"
#include "page.h"
#include "stats.h"
#include "valid.h"

#define PAGE_SPACE	" \t\r\n"	/* trimmed around what a form sends */

/* The messages a redirect asks an account page for with ?m=KEY. */
static const struct html_message page_flashes[] = {
	{ "created", "ok", "Your link is ready. Hand out the encrypted link "
	    "or its QR code: the user cannot strip the install code from it." },
	{ "saved", "ok", "Saved." },
	{ "disabled", "ok", "The link is disabled: the app refuses it on "
	    "every device, including those that hold a slot." },
	{ "enabled", "ok", "The link is active again." },
	{ "device-deleted", "ok", "The device was removed; its slot is free." },
	{ "device-gone", "info", "That device had already been removed." },
	{ "target", "ok", "The final and the encrypted link are ready." },
	{ "reset", "ok", "Every slot of the link is free." },
	{ "self-off", "ok", "The self-service page is off: its address leads "
	    "nowhere now." },
	{ "self-exists", "info", "The link already has a self-service page. "
	    "Its address was shown when it was made; give it a new address "
	    "to see one again." },
	{ "webhook-deleted", "ok", "The webhook is deleted; the events that "
	    "were waiting for it will not be sent." },
	{ "webhook-gone", "info", "There was no webhook to delete." },
	{ "resent", "ok", "The event is on its way again." },
	{ "resend-gone", "info", "There is no such event, or no webhook to "
	    "send it to." },
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
page_trim(struct page *p, const char *s)
{
	size_t len;

	if (s == NULL)
		return "";
	s += strspn(s, PAGE_SPACE);
	len = strlen(s);
	while (len > 0 && strchr(PAGE_SPACE, s[len - 1]) != NULL)
		len--;
	return arena_strndup(p->a, s, len);
}

const struct audit_actor *
page_actor(struct page *p)
{
	struct audit_actor *who;

	who = arena_alloc(p->a, sizeof(*who));
	who->kind = AUDIT_WEB;
	who->session = p->s.token_hash;
	who->address = p->h->remote_addr;
	return who;
}

const char *
page_param(struct page *p, const char *name)
{
	return page_trim(p, http_param(p->h, name));
}

const char *
page_body_param(struct page *p, const char *name)
{
	const struct param *v;

	v = http_body_param(p->h, name);
	return page_trim(p, v != NULL ? v->value : NULL);
}

const char *
page_link_path(struct page *p, const char *rest)
{
	return arena_printf(p->a, "/account/links/%lld%s", p->id, rest);
}

void
page_redirect(struct page *p, const char *location)
{
	p->h->status = 303;
	p->h->content_type = "text/plain; charset=utf-8";
	p->b->len = 0;
	http_header(p->h, "Location: %s", location);
	buf_puts(p->b, "See Other\n");
}

void
page_begin(struct page *p, int status, const char *title, const char *nav)
{
	struct html_page hp;

	p->h->status = status;
	p->h->content_type = "text/html; charset=utf-8";
	p->b->len = 0;
	hp.title = title;
	hp.nav = nav;
	hp.provider = p->signed_in ? p->s.provider : NULL;
	hp.csrf = p->signed_in ? p->s.csrf : NULL;
	html_begin(p->b, &hp);
}

void
page_head(struct page *p, const char *title, const char *sub)
{
	html_printf(p->b, "<div class=\"head\"><div><h1>%s</h1>"
	    "<p class=\"sub\">%s</p></div></div>\n", title, sub);
}

void
page_message(struct page *p, int status, const char *title,
    const char *text)
{
	page_begin(p, status, title, NULL);
	html_printf(p->b, "<section class=\"card narrow message\">"
	    "<h1>%s</h1>\n<p>%s</p>\n<p><a class=\"button\" href=\"%s\">%s"
	    "</a></p></section>\n", title, text,
	    p->signed_in ? "/account/links" : "/account/",
	    p->signed_in ? "Back to your links" : "Go to sign-in");
	html_end(p->b);
}

void
page_failed(struct page *p)
{
	switch (db_failure()) {
	case DB_FAIL_DOWN:
		http_header(p->h, "Retry-After: 5");
		page_message(p, 503, "Try again in a moment",
		    "The database is not answering right now. Nothing was "
		    "changed.");
		return;
	case DB_FAIL_TIMEOUT:
	case DB_FAIL_LOCK:
		http_header(p->h, "Retry-After: 5");
		page_message(p, 503, "Try again in a moment",
		    "The database is busy right now. Nothing was changed.");
		return;
	case DB_FAIL_NONE:
	case DB_FAIL_SQL:
		break;
	}
	page_message(p, 500, "Something went wrong",
	    "The server could not do this; the error was logged.");
}

void
page_not_found(struct page *p)
{
	page_message(p, 404, "Not found",
	    "There is no such page or link in your account.");
}

void
page_flash_from_query(struct page *p)
{
	const char *m;
	long n;

	m = http_param(p->h, "m");
	if (!html_message(p->b, page_flashes, sizeof(page_flashes) /
	    sizeof(page_flashes[0]), m))
		return;
	if (strcmp(m, "domain-deleted") == 0 &&
	    valid_int(http_param(p->h, "n"), 1, 100000000, &n))
		html_printf(p->b, "<p class=\"flash info\" role=\"status\">"
		    "%ld active link%s had devices admitted through it: the "
		    "app now refuses them on their next check.</p>\n", n,
		    n == 1 ? "" : "s");
}

void
page_form_open(struct page *p, const char *path, const char *cls)
{
	html_printf(p->b, "<form method=\"post\" action=\"%s\" class=\"%s\" "
	    "novalidate>", path, cls);
	html_csrf(p->b, p->s.csrf);
}

void
page_button(struct page *p, const struct page_button *bt)
{
	page_form_open(p, bt->path, bt->form);
	if (bt->name != NULL)
		html_printf(p->b, "<input type=\"hidden\" name=\"%s\" "
		    "value=\"%s\">", bt->name, bt->value);
	buf_puts(p->b, "<button type=\"submit\"");
	if (bt->cls != NULL)
		html_printf(p->b, " class=\"%s\"", bt->cls);
	if (bt->confirm != NULL)
		html_printf(p->b, " data-confirm=\"%s\"", bt->confirm);
	if (bt->aria != NULL)
		html_printf(p->b, " aria-label=\"%s\"", bt->aria);
	html_printf(p->b, ">%s</button></form>", bt->label);
}

const char *
page_bad(const struct page_form *f, const char *field)
{
	return f != NULL && f->bad != NULL && strcmp(f->bad, field) == 0 ?
	    " aria-invalid=true class=bad" : "";
}

const char *
page_value(const struct page_form *f, int i, const char *fallback)
{
	return f != NULL ? f->v[i] : fallback;
}

void
page_status_badge(struct buf *b, int status)
{
	if (status == LINKS_ACTIVE)
		buf_puts(b, "<span class=\"badge active\">Active</span>");
	else
		buf_puts(b, "<span class=\"badge disabled\">Disabled</span>");
}

void
page_usage(struct buf *b, int count, int limit)
{
	int pct, step;
	const char *state;

	if (limit <= 0)
		limit = 1;
	pct = count * 100 / limit;
	step = (pct + 2) / 5 * 5;
	if (count > 0 && step == 0)
		step = 5;
	if (count < limit && step == 100)
		step = 95;
	if (step > 100)
		step = 100;
	state = count >= limit ? "full" : pct >= 75 ? "busy" : "free";
	html_printf(b, "<span class=\"usage\"><span class=\"bar\" "
	    "aria-hidden=\"true\"><i class=\"w%d %s\"></i></span>"
	    "<span class=\"num\">%d&thinsp;/&thinsp;%d</span></span>", step,
	    state, count, limit);
}

const char *
page_period(struct page *p, char from[VALID_DATE_LEN + 1],
    char to[VALID_DATE_LEN + 1])
{
	const char *f, *t, *err = NULL;
	long today = (long)(time(NULL) / 86400);

	f = page_param(p, "from");
	t = page_param(p, "to");
	if (*f != '\0' && !valid_date(f))
		err = "from must be a date YYYY-MM-DD";
	else if (*t != '\0' && !valid_date(t))
		err = "to must be a date YYYY-MM-DD";
	else
		err = stats_period(p->a, *f != '\0' ? f : NULL,
		    *t != '\0' ? t : NULL, today, from, to);
	if (err != NULL)
		stats_period(p->a, NULL, NULL, today, from, to);
	return err;
}

void
page_period_form(struct page *p, const char *action, const char *from,
    const char *to, const char *extra_name, const char *extra_value)
{
	static const int spans[] = { 7, 30, 90, 365 };
	char first[VALID_DATE_LEN + 1], last[VALID_DATE_LEN + 1];
	long today = (long)(time(NULL) / 86400);
	size_t i;

	html_printf(p->b, "<form class=\"period\" method=\"get\" "
	    "action=\"%s\"><label for=\"from\">From</label>"
	    "<input id=\"from\" name=\"from\" type=\"date\" value=\"%s\">"
	    "<label for=\"to\">to</label><input id=\"to\" name=\"to\" "
	    "type=\"date\" value=\"%s\">", action, from, to);
	if (extra_name != NULL)
		html_printf(p->b, "<input type=\"hidden\" name=\"%s\" "
		    "value=\"%s\">", extra_name, extra_value);
	buf_puts(p->b, "<button type=\"submit\">Show</button>"
	    "<span class=\"spans\">");
	valid_date_format(today, last);
	for (i = 0; i < sizeof(spans) / sizeof(spans[0]); i++) {
		valid_date_format(today - spans[i] + 1, first);
		html_printf(p->b, "<a href=\"%s?from=%s&amp;to=%s", action,
		    first, last);
		if (extra_name != NULL) {
			html_printf(p->b, "&amp;%s=", extra_name);
			html_urlencode(p->b, extra_value);
		}
		html_printf(p->b, "\">%d days</a>", spans[i]);
	}
	buf_puts(p->b, "</span></form>\n");
}
