#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account_domains.h"
#include "account_links.h"
#include "account_page.h"
#include "crypt.h"
#include "db.h"
#include "devices.h"
#include "happlink.h"
#include "html.h"
#include "links.h"
#include "log.h"
#include "qr.h"
#include "valid.h"

#define ACCT_PAGE_SIZE	50	/* links in one page of the table */
#define ACCT_PAGE_MAX	1000000	/* highest page number asked for */
#define ACCT_SEARCH_MAX	100	/* bytes of a search kept */
#define ACCT_NOTE_MAX	255	/* characters in a note */

/* The fields of the link forms, by their place in acct_form.v: a new link
 * takes all four, a link's target the first two, its settings the last
 * two. */
enum { F_URL, F_TITLE, F_LIMIT, F_NOTE };

/* The path of the link a->id, then rest ("/edit", "?m=saved" or ""). */
static const char *
acct_link_path(struct acct *a, const char *rest)
{
	return arena_printf(a->h->arena, "/account/links/%lld%s", a->id, rest);
}

static void
acct_status_badge(struct buf *b, int status)
{
	if (status == 10)
		buf_puts(b, "<span class=\"badge active\">Active</span>");
	else
		buf_puts(b, "<span class=\"badge disabled\">Disabled</span>");
}

/* count of limit as a bar and as numbers. */
static void
acct_usage(struct buf *b, int count, int limit)
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

/* ---- the links table ---- */

/* The rows of the links table, from DB_LINK_LIST. */
static void
acct_link_rows(struct acct *a, const struct db_res *r)
{
	int i;

	buf_puts(a->b, "<div class=\"card flush\"><table class=\"links\">"
	    "<thead><tr><th>Install code</th><th>Note</th><th>Devices</th>"
	    "<th>Status</th><th>Created (UTC)</th></tr></thead><tbody>\n");
	for (i = 0; i < db_rows(r); i++) {
		html_printf(a->b, "<tr><td data-label=\"Code\"><a class=\"code\" "
		    "href=\"/account/links/%s\">%s</a></td>"
		    "<td data-label=\"Note\" class=\"note\">%s</td>"
		    "<td data-label=\"Devices\">", db_get(r, i, 0),
		    db_get(r, i, 1), db_get(r, i, 5));
		acct_usage(a->b, db_int(r, i, 3), db_int(r, i, 2));
		buf_puts(a->b, "</td><td data-label=\"Status\">");
		acct_status_badge(a->b, db_int(r, i, 4));
		html_printf(a->b, "</td><td data-label=\"Created\" "
		    "class=\"date\">%s</td></tr>\n", db_get(r, i, 6));
	}
	buf_puts(a->b, "</tbody></table></div>\n");
}

/* Links to the pages beside page (of pages), keeping the search q. */
static void
acct_pager(struct acct *a, const char *q, long page, long pages)
{
	struct buf qs;

	buf_init(&qs, a->h->arena);
	if (*q != '\0') {
		buf_puts(&qs, "q=");
		html_urlencode(&qs, q);
		buf_puts(&qs, "&");
	}
	buf_puts(a->b, "<nav class=\"pager\" aria-label=\"Pages\">");
	if (page > 1)
		html_printf(a->b, "<a class=\"button\" rel=\"prev\" "
		    "href=\"/account/links?%spage=%ld\">← Newer</a>",
		    qs.data, page - 1);
	html_printf(a->b, "<span>Page %ld of %ld</span>", page, pages);
	if (page < pages)
		html_printf(a->b, "<a class=\"button\" rel=\"next\" "
		    "href=\"/account/links?%spage=%ld\">Older →</a>",
		    qs.data, page + 1);
	buf_puts(a->b, "</nav>\n");
}

void
acct_links(struct acct *a)
{
	struct db_res *r = NULL, *c = NULL;
	const char *values[5], *q;
	char lim[16], off[24];
	long page = 1, pages;
	long long total;

	q = valid_clean_text(a->h->arena, acct_param(a, "q"), ACCT_SEARCH_MAX);
	if (!valid_int(http_param(a->h, "page"), 1, ACCT_PAGE_MAX, &page))
		page = 1;
	values[0] = a->pid;
	values[1] = *q != '\0' ? q : NULL;
	c = acct_exec(a, "link count", DB_LINK_COUNT, 2, values, 1);
	if (c == NULL)
		goto out;
	total = strtoll(db_get(c, 0, 0), NULL, 10);
	pages = (long)((total + ACCT_PAGE_SIZE - 1) / ACCT_PAGE_SIZE);
	snprintf(lim, sizeof(lim), "%d", ACCT_PAGE_SIZE);
	snprintf(off, sizeof(off), "%ld", (page - 1) * ACCT_PAGE_SIZE);
	values[0] = a->pid;
	values[1] = NULL;
	values[2] = *q != '\0' ? q : NULL;
	values[3] = lim;
	values[4] = off;
	r = acct_exec(a, "link list", DB_LINK_LIST, 5, values, 0);
	if (r == NULL)
		goto out;

	acct_begin(a, 200, "Links", "links");
	html_printf(a->b, "<div class=\"head\"><div><h1>Links</h1>"
	    "<p class=\"sub\">%lld link%s%s%s%s</p></div>"
	    "<a class=\"button primary\" href=\"/account/links/new\">"
	    "New link</a></div>\n", total, total == 1 ? "" : "s",
	    *q != '\0' ? " matching “" : "", q, *q != '\0' ? "”" : "");
	acct_flash_from_query(a);
	html_printf(a->b, "<form class=\"search\" method=\"get\" "
	    "action=\"/account/links\" role=\"search\">"
	    "<input type=\"search\" name=\"q\" value=\"%s\" "
	    "placeholder=\"Search code or note\" "
	    "aria-label=\"Search links\">"
	    "<button type=\"submit\">Search</button>", q);
	if (*q != '\0')
		buf_puts(a->b, "<a class=\"button quiet\" "
		    "href=\"/account/links\">Clear</a>");
	buf_puts(a->b, "</form>\n");

	if (total == 0 && *q == '\0')
		buf_puts(a->b, "<section class=\"card empty\"><h2>No links "
		    "yet</h2><p>A limited link lets only as many devices add "
		    "a subscription as you allow. Paste a subscription URL to "
		    "make the first one.</p><p><a class=\"button primary\" "
		    "href=\"/account/links/new\">Create a limited link</a>"
		    "</p></section>\n");
	else if (db_rows(r) == 0)
		html_printf(a->b, "<section class=\"card empty\"><p>%s</p>"
		    "</section>\n", *q != '\0' ? "No link matches this search." :
		    "This page is past the last link.");
	else
		acct_link_rows(a, r);
	if (db_rows(r) > 0 && pages > 1)
		acct_pager(a, q, page, pages);
	html_end(a->b);
out:
	db_free(c);
	db_free(r);
}

/* ---- a new link ---- */

/* Checks a subscription URL and title as the final link will use them.
 * Returns NULL and fills *url_out (the URL to store) and *domain, or the
 * message to show and the field at fault in *bad. */
static const char *
acct_target_check(struct acct *a, const char *url, const char *title,
    const char **url_out, const char **domain, const char **bad)
{
	enum happlink_err err;
	const char *norm, *final;

	*bad = "url";
	norm = happlink_normalize(a->h->arena, url, &err);
	if (norm == NULL)
		return happlink_strerror(err);
	*bad = "title";
	if (strlen(title) > HAPPLINK_TITLE_MAX || !valid_utf8_text(title))
		return "The title must be printable text of at most 128 bytes.";
	/* a stand-in code of the real length measures the final link */
	final = happlink_final(a->h->arena, norm, title, "000000000000");
	if (final == NULL)
		return "Give the link a title: the app shows it as the "
		    "subscription's name.";
	*bad = "url";
	if (strlen(final) > CRYPT4_BLOCK)
		return arena_printf(a->h->arena, "With its title and install "
		    "code this link would be %zu bytes long, but an encrypted "
		    "link holds at most %d. Shorten the URL or the title.",
		    strlen(final), CRYPT4_BLOCK);
	*domain = happlink_domain(a->h->arena, final);
	if (*domain == NULL)
		return "The URL has no domain the app could hash.";
	*bad = NULL;
	*url_out = norm;
	return NULL;
}

/* Checks the limit and the note of f, storing the limit in *limit; on a
 * fault sets f->error and f->bad. */
static void
acct_limit_note_check(struct acct_form *f, long *limit)
{
	if (!valid_int(f->v[F_LIMIT], 1, 100, limit)) {
		f->error = "The install limit must be a whole number from 1 "
		    "to 100.";
		f->bad = "limit";
	} else if (!valid_text(f->v[F_NOTE], ACCT_NOTE_MAX)) {
		f->error = "The note must be printable text of at most 255 "
		    "characters.";
		f->bad = "note";
	}
}

/* Stores url and title on the link a->id. Returns 1, 0 when the link is
 * not the provider's, or -1 once the failure is answered. */
static int
acct_set_target(struct acct *a, const char *url, const char *title)
{
	struct db_res *r;
	const char *values[4];
	int found;

	values[0] = a->pid;
	values[1] = a->ids;
	values[2] = url;
	values[3] = title;
	r = acct_exec(a, "link set target", DB_LINK_SET_TARGET, 4, values, 1);
	found = r != NULL ? db_bool(r, 0, 0) : -1;
	db_free(r);
	return found;
}

/* The subscription URL and title inputs of the new-link and the target
 * forms, holding what f holds; hints adds a line under each. */
static void
acct_target_inputs(struct acct *a, const struct acct_form *f, int hints)
{
	html_printf(a->b, "\n<label for=\"url\">Subscription URL</label>\n"
	    "<input id=\"url\" name=\"url\" value=\"%s\" inputmode=\"url\" "
	    "placeholder=\"https://sub.example.com/s/abc\" autocomplete=\"off\" "
	    "autocapitalize=\"off\" spellcheck=\"false\" required%s>\n",
	    acct_value(f, F_URL, ""), acct_bad(f, "url"));
	if (hints)
		buf_puts(a->b, "<p class=\"hint\">The app checks the link "
		    "against the hash of its domain; it is registered for you "
		    "if it is new.</p>\n");
	html_printf(a->b, "<label for=\"title\">Title</label>\n"
	    "<input id=\"title\" name=\"title\" value=\"%s\" maxlength=\"128\" "
	    "placeholder=\"My VPN\"%s>\n", acct_value(f, F_TITLE, ""),
	    acct_bad(f, "title"));
	if (hints)
		buf_puts(a->b, "<p class=\"hint\">The name the app shows for "
		    "the subscription.</p>\n");
}

static void
acct_new_page(struct acct *a, int status, const struct acct_form *f)
{
	acct_begin(a, status, "New link", "new");
	buf_puts(a->b, "<div class=\"col\"><div class=\"head\"><div>"
	    "<h1>New limited link</h1>"
	    "<p class=\"sub\">Paste a subscription URL and choose how many "
	    "devices may add it. You get the link to hand out, encrypted so "
	    "that its install code stays in it.</p></div></div>\n");
	if (f != NULL && f->error != NULL)
		html_flash(a->b, "error", f->error);
	acct_form_open(a, "/account/links/new", "card stack");
	acct_target_inputs(a, f, 1);
	html_printf(a->b, "<div class=\"row\"><div>"
	    "<label for=\"limit\">Install limit</label>\n"
	    "<input id=\"limit\" name=\"limit\" type=\"number\" min=\"1\" "
	    "max=\"100\" inputmode=\"numeric\" value=\"%s\" required%s>\n"
	    "<p class=\"hint\">Devices that may add it: 1 to 100.</p></div>\n"
	    "<div class=\"grow\"><label for=\"note\">Note</label>\n"
	    "<input id=\"note\" name=\"note\" value=\"%s\" maxlength=\"255\" "
	    "placeholder=\"Who it is for; only you see it\"%s>\n"
	    "<p class=\"hint\">Up to 255 characters, searchable.</p></div>"
	    "</div>\n<div class=\"actions\"><button type=\"submit\" "
	    "class=\"primary\">Create link</button>"
	    "<a class=\"button quiet\" href=\"/account/links\">Cancel</a>"
	    "</div></form></div>\n",
	    acct_value(f, F_LIMIT, "1"), acct_bad(f, "limit"),
	    acct_value(f, F_NOTE, ""), acct_bad(f, "note"));
	html_end(a->b);
}

void
acct_new_form(struct acct *a)
{
	acct_new_page(a, 200, NULL);
}

void
acct_new(struct acct *a)
{
	struct acct_form f;
	const char *url, *domain = NULL;
	char code[VALID_CODE_LEN + 1];
	long limit = 0;
	long long id = 0;

	memset(&f, 0, sizeof(f));
	f.v[F_URL] = acct_param(a, "url");
	f.v[F_TITLE] = acct_param(a, "title");
	f.v[F_LIMIT] = acct_param(a, "limit");
	f.v[F_NOTE] = acct_param(a, "note");
	f.error = acct_target_check(a, f.v[F_URL], f.v[F_TITLE], &url,
	    &domain, &f.bad);
	if (f.error == NULL)
		acct_limit_note_check(&f, &limit);
	if (f.error != NULL) {
		acct_new_page(a, 400, &f);
		return;
	}
	if (acct_domain_put_text(a, domain) < 0)
		return;
	switch (links_create(a->h->cfg, a->s.provider_id, NULL, (int)limit,
	    f.v[F_NOTE], &id, code)) {
	case LINKS_OK:
		break;
	case LINKS_CAP:
		f.error = "Your account holds as many links as it may. Reuse "
		    "one of them (free its devices, change its note), or ask "
		    "the server's operator for more.";
		acct_new_page(a, 400, &f);
		return;
	case LINKS_DOWN:
		acct_db_error(a, "link add");
		return;
	case LINKS_EXISTS:
	case LINKS_FAIL:
		acct_message(a, 500, "Something went wrong",
		    "The link could not be created; the error was logged.");
		return;
	}
	acct_set_id(a, id);
	if (acct_set_target(a, url, f.v[F_TITLE]) < 0)
		return;
	log_info("account: %s created link %s (limit %ld)", a->s.provider,
	    code, limit);
	acct_redirect(a, acct_link_path(a, "?m=created"));
}

/* ---- one link ---- */

/* For a link the API created: the form that asks for its subscription URL
 * and title; tf (may be NULL) is that form shown again. */
static void
acct_target_form(struct acct *a, const char *code,
    const struct acct_form *tf)
{
	html_printf(a->b, "<p>This link was created through the API, so the "
	    "server does not know its subscription URL. Its install code is "
	    "<code>%s</code>. Give the URL to build the final and the "
	    "encrypted link.</p>\n", code);
	if (tf != NULL && tf->error != NULL)
		html_flash(a->b, "error", tf->error);
	acct_form_open(a, acct_link_path(a, "/target"), "stack");
	acct_target_inputs(a, tf, 0);
	buf_puts(a->b, "<div class=\"actions\"><button type=\"submit\" "
	    "class=\"primary\">Build the link</button></div></form>\n");
}

/* The final link, the encrypted link and its QR code. */
static void
acct_share_links(struct acct *a, const char *final)
{
	const char *qr = NULL;
	char enc[CRYPT4_MAX];
	enum crypt4_result cr;

	cr = crypt_crypt4(a->h->cfg->crypt4_key, final, strlen(final), enc);
	if (cr == CRYPT4_OK) {
		qr = qr_svg(a->h->arena, enc);
		html_printf(a->b, "<div class=\"share-grid\"><div>"
		    "<div class=\"field-head\"><label for=\"crypt4\">Encrypted "
		    "link</label><button type=\"button\" class=\"copy small\" "
		    "data-copy=\"crypt4\" hidden>Copy</button></div>\n"
		    "<textarea id=\"crypt4\" class=\"mono\" rows=\"5\" readonly "
		    "spellcheck=\"false\">%s</textarea>\n<p class=\"hint\">Hand "
		    "this out: only the Happ app can open it, so the install "
		    "code cannot be removed. It differs each time the page is "
		    "shown; every version opens the same link.</p>\n", enc);
	} else {
		html_flash(a->b, "error", cr == CRYPT4_TOO_LONG ?
		    "This link is too long to encrypt (at most 501 bytes)." :
		    "The server's crypt4 key cannot be read, so no encrypted "
		    "link can be made. The operator should check crypt4_key "
		    "in the configuration.");
		buf_puts(a->b, "<div class=\"share-grid\"><div>");
	}
	html_printf(a->b, "<div class=\"field-head\"><label for=\"final\">"
	    "Final link</label><button type=\"button\" class=\"copy small\" "
	    "data-copy=\"final\" hidden>Copy</button></div>\n"
	    "<textarea id=\"final\" class=\"mono\" rows=\"3\" readonly "
	    "spellcheck=\"false\">%s</textarea>\n<p class=\"hint\">The "
	    "subscription URL with the title and the install code in its "
	    "fragment.</p></div>\n", final);
	if (qr != NULL) {
		buf_puts(a->b, "<figure class=\"qrbox\">");
		buf_puts(a->b, qr);
		buf_puts(a->b, "<figcaption>Scan with the Happ app</figcaption>"
		    "</figure>\n");
	}
	buf_puts(a->b, "</div>");
}

/* The share card: what to hand out, or the form that makes it for a link
 * the API created (url NULL) or whose target form is shown again (tf). */
static void
acct_share(struct acct *a, const char *code, const char *url,
    const char *title, const struct acct_form *tf)
{
	const char *final;

	buf_puts(a->b, "<section class=\"card share\"><h2>Share</h2>\n");
	if (url == NULL || tf != NULL)
		acct_target_form(a, code, tf);
	else if ((final = happlink_final(a->h->arena, url, title, code)) ==
	    NULL)
		html_flash(a->b, "error", "The stored URL has no title.");
	else
		acct_share_links(a, final);
	buf_puts(a->b, "</section>\n");
}

/* The usage card with the settings form and the status button, for the
 * link in row 0 of l (DB_LINK_LIST); ef (may be NULL) is the settings
 * form shown again. */
static void
acct_settings(struct acct *a, const struct db_res *l,
    const struct acct_form *ef)
{
	int count, limit, st;

	limit = db_int(l, 0, 2);
	count = db_int(l, 0, 3);
	st = db_int(l, 0, 4);
	buf_puts(a->b, "<section class=\"card settings\"><h2>Usage</h2>\n"
	    "<div class=\"big-usage\">");
	acct_usage(a->b, count, limit);
	html_printf(a->b, "<p class=\"hint\">%s</p></div>\n", st != 10 ?
	    "Disabled: the app refuses this link on every device." :
	    count >= limit ? "Full: a new device is refused until you free "
	    "a slot or raise the limit." : "Active: new devices are admitted "
	    "while slots are free.");
	html_printf(a->b, "<dl class=\"facts\"><dt>Created</dt><dd>%s UTC"
	    "</dd></dl>\n", db_get(l, 0, 6));
	acct_form_open(a, acct_link_path(a, "/edit"), "stack");
	html_printf(a->b, "\n<div class=\"row\"><div>"
	    "<label for=\"limit\">Install limit</label>\n"
	    "<input id=\"limit\" name=\"limit\" type=\"number\" min=\"1\" "
	    "max=\"100\" inputmode=\"numeric\" value=\"%s\"%s></div>\n"
	    "<div class=\"grow\"><label for=\"note\">Note</label>\n"
	    "<input id=\"note\" name=\"note\" value=\"%s\" maxlength=\"255\"%s>"
	    "</div></div>\n<div class=\"actions\"><button type=\"submit\">"
	    "Save</button></div></form>\n",
	    acct_value(ef, F_LIMIT, db_get(l, 0, 2)), acct_bad(ef, "limit"),
	    acct_value(ef, F_NOTE, db_get(l, 0, 5)), acct_bad(ef, "note"));
	acct_form_open(a, acct_link_path(a, "/status"), "status-form");
	if (st == 10)
		buf_puts(a->b, "<input type=\"hidden\" name=\"status\" "
		    "value=\"5\"><button type=\"submit\" class=\"danger\" "
		    "data-confirm=\"Disable this link? The app will refuse it "
		    "on every device.\">Disable link</button>");
	else
		buf_puts(a->b, "<input type=\"hidden\" name=\"status\" "
		    "value=\"10\"><button type=\"submit\" class=\"primary\">"
		    "Enable link</button>");
	buf_puts(a->b, "</form></section>\n");
}

/* A device's text, or a dash when the app sent none. */
static const char *
acct_or_dash(const char *s)
{
	return s != NULL && *s != '\0' ? s : "—";
}

/* The devices card, from the n rows of devices_list(). */
static void
acct_devices(struct acct *a, const struct db_device *d, int n)
{
	int i;

	html_printf(a->b, "<section class=\"card flush devices\">"
	    "<h2>Devices <span class=\"count\">%d</span></h2>\n", n);
	if (n == 0) {
		buf_puts(a->b, "<p class=\"empty\">No device holds a slot on "
		    "this link yet. When the app adds the link, its device "
		    "appears here.</p>\n</section>\n");
		return;
	}
	buf_puts(a->b, "<table class=\"devices\"><thead><tr><th>HWID</th>"
	    "<th>Device</th><th>OS</th><th>App</th><th>First seen (UTC)</th>"
	    "<th>Last seen (UTC)</th><th><span class=\"sr\">Delete</span>"
	    "</th></tr></thead><tbody>\n");
	for (i = 0; i < n; i++) {
		html_printf(a->b, "<tr><td data-label=\"HWID\" class=\"hwid\">"
		    "<code>%s</code></td><td data-label=\"Device\">%s</td>"
		    "<td data-label=\"OS\">%s %s</td>"
		    "<td data-label=\"App\">%s</td>"
		    "<td data-label=\"First seen\" class=\"date\">%s</td>"
		    "<td data-label=\"Last seen\" class=\"date\">%s</td><td>",
		    d[i].hwid, acct_or_dash(d[i].model), d[i].device_os,
		    d[i].os_version, acct_or_dash(d[i].app_version),
		    d[i].first_seen, d[i].last_seen);
		acct_form_open(a, acct_link_path(a, "/devices/delete"),
		    "inline");
		html_printf(a->b, "<input type=\"hidden\" name=\"hwid\" "
		    "value=\"%s\"><button type=\"submit\" class=\"danger small\" "
		    "aria-label=\"Delete device %s\">Delete</button></form>"
		    "</td></tr>\n", d[i].hwid, d[i].hwid);
	}
	buf_puts(a->b, "</tbody></table>\n<p class=\"hint pad\">Deleting a "
	    "device frees its slot. If it adds the link again, it takes a "
	    "slot again while one is free.</p></section>\n");
}

/* The link's page; ef and tf (may be NULL) are the settings and the
 * target form shown again with an error. */
static void
acct_link_page(struct acct *a, int status, const struct acct_form *ef,
    const struct acct_form *tf)
{
	struct db_res *l = NULL, *t = NULL;
	struct db_device *d;
	const char *values[5], *code, *note, *url = NULL, *title = "";
	int nd;

	values[0] = a->pid;
	values[1] = a->ids;
	values[2] = NULL;
	values[3] = "1";
	values[4] = "0";
	l = acct_exec(a, "link", DB_LINK_LIST, 5, values, 0);
	if (l == NULL)
		goto out;
	if (db_rows(l) != 1) {
		acct_not_found(a);
		goto out;
	}
	t = acct_exec(a, "link target", DB_LINK_TARGET, 2, values, 0);
	if (t == NULL)
		goto out;
	if (devices_list(a->h->arena, a->s.provider_id, NULL, a->id, NULL,
	    &d, &nd) == DB_FAILED) {
		acct_db_error(a, "device list");
		goto out;
	}
	if (db_rows(t) == 1 && !db_isnull(t, 0, 0)) {
		url = db_get(t, 0, 0);
		title = db_get(t, 0, 1);
	}
	code = db_get(l, 0, 1);
	note = db_get(l, 0, 5);

	acct_begin(a, status, code, "links");
	html_printf(a->b, "<p class=\"crumbs\"><a href=\"/account/links\">"
	    "Links</a> <span aria-hidden=\"true\">›</span> %s</p>\n"
	    "<div class=\"head\"><div><h1><span class=\"code\">%s</span> ",
	    code, code);
	acct_status_badge(a->b, db_int(l, 0, 4));
	html_printf(a->b, "</h1><p class=\"sub note\">%s</p></div></div>\n",
	    *note != '\0' ? note : "No note");
	if (status == 200)
		acct_flash_from_query(a);
	if (ef != NULL && ef->error != NULL)
		html_flash(a->b, "error", ef->error);
	buf_puts(a->b, "<div class=\"cols\">\n");
	acct_share(a, code, url, title, tf);
	acct_settings(a, l, ef);
	buf_puts(a->b, "</div>\n");
	acct_devices(a, d, nd);
	html_end(a->b);
out:
	db_free(l);
	db_free(t);
}

void
acct_link(struct acct *a)
{
	acct_link_page(a, 200, NULL, NULL);
}

/* Runs DB_LINK_UPDATE with limit, note and status (NULL: unchanged).
 * Returns the row for the caller to free, or NULL once it has answered
 * the failure or that the provider has no such link. */
static struct db_res *
acct_link_update(struct acct *a, const char *limit, const char *note,
    const char *status)
{
	struct db_res *r;
	const char *values[5];

	values[0] = a->pid;
	values[1] = a->ids;
	values[2] = limit;
	values[3] = note;
	values[4] = status;
	r = acct_exec(a, "link update", DB_LINK_UPDATE, 5, values, 1);
	if (r != NULL && strcmp(db_get(r, 0, 0), "not_found") == 0) {
		db_free(r);
		r = NULL;
		acct_not_found(a);
	}
	return r;
}

void
acct_link_edit(struct acct *a)
{
	struct acct_form f;
	struct db_res *r = NULL;
	long limit;

	memset(&f, 0, sizeof(f));
	f.v[F_LIMIT] = acct_param(a, "limit");
	f.v[F_NOTE] = acct_param(a, "note");
	acct_limit_note_check(&f, &limit);
	if (f.error != NULL) {
		acct_link_page(a, 400, &f, NULL);
		goto out;
	}
	r = acct_link_update(a, f.v[F_LIMIT], f.v[F_NOTE], NULL);
	if (r == NULL)
		goto out;
	if (strcmp(db_get(r, 0, 0), "below_count") == 0) {
		f.error = arena_printf(a->h->arena, "The limit cannot go below "
		    "the %d devices that hold a slot. Delete devices first.",
		    db_int(r, 0, 2));
		f.bad = "limit";
		acct_link_page(a, 400, &f, NULL);
		goto out;
	}
	acct_redirect(a, acct_link_path(a, "?m=saved"));
out:
	db_free(r);
}

void
acct_link_status(struct acct *a)
{
	struct db_res *r = NULL;
	const char *st;
	int off;

	st = http_param(a->h, "status");
	if (st == NULL || (strcmp(st, "5") != 0 && strcmp(st, "10") != 0)) {
		acct_message(a, 400, "Bad request", "The status must be 5 "
		    "(disabled) or 10 (active).");
		goto out;
	}
	r = acct_link_update(a, NULL, NULL, st);
	if (r == NULL)
		goto out;
	off = strcmp(st, "5") == 0;
	log_info("account: %s %s link %lld", a->s.provider,
	    off ? "disabled" : "enabled", a->id);
	acct_redirect(a, acct_link_path(a, off ? "?m=disabled" :
	    "?m=enabled"));
out:
	db_free(r);
}

void
acct_device_delete(struct acct *a)
{
	struct db_device_deleted gone;
	const char *hwid;

	hwid = http_param(a->h, "hwid");
	if (!valid_hwid(hwid)) {
		acct_message(a, 400, "Bad request", "That is not a device id.");
		return;
	}
	switch (devices_delete(a->h->arena, a->s.provider_id, NULL, a->id,
	    hwid, &gone)) {
	case DB_OK:
		log_info("account: %s deleted device %s from link %lld",
		    a->s.provider, hwid, a->id);
		acct_redirect(a, acct_link_path(a, "?m=device-deleted"));
		return;
	case DB_NO_DEVICE:
		acct_redirect(a, acct_link_path(a, "?m=device-gone"));
		return;
	case DB_NOT_FOUND:
		acct_not_found(a);
		return;
	default:
		acct_db_error(a, "device delete");
		return;
	}
}

void
acct_link_target(struct acct *a)
{
	struct acct_form f;
	const char *url = NULL, *domain = NULL;
	int found;

	memset(&f, 0, sizeof(f));
	f.v[F_URL] = acct_param(a, "url");
	f.v[F_TITLE] = acct_param(a, "title");
	f.error = acct_target_check(a, f.v[F_URL], f.v[F_TITLE], &url,
	    &domain, &f.bad);
	if (f.error != NULL) {
		acct_link_page(a, 400, NULL, &f);
		return;
	}
	found = acct_set_target(a, url, f.v[F_TITLE]);
	if (found < 0)
		return;
	if (found == 0) {
		acct_not_found(a);
		return;
	}
	if (acct_domain_put_text(a, domain) < 0)
		return;
	acct_redirect(a, acct_link_path(a, "?m=target"));
}
