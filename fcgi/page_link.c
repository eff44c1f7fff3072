#include <string.h>
#include <time.h>

#include "crypt.h"
#include "db.h"
#include "devices.h"
#include "happlink.h"
#include "html.h"
#include "links.h"
#include "log.h"
#include "page.h"
#include "page_link.h"
#include "page_linkform.h"
#include "page_stats.h"
#include "page_table.h"
#include "qr.h"
#include "valid.h"

/* For a link the API created: the form that asks for its subscription URL
 * and title; tf (may be NULL) is that form shown again. */
static void
page_link_target_form(struct page *p, const char *code,
    const struct page_form *tf)
{
	html_printf(p->b, "<p>This link was created through the API, so the "
	    "server does not know its subscription URL. Its install code is "
	    "<code>%s</code>. Give the URL to build the final and the "
	    "encrypted link.</p>\n", code);
	if (tf != NULL && tf->error != NULL)
		html_flash(p->b, "error", tf->error);
	page_form_open(p, page_link_path(p, "/target"), "stack");
	page_linkform_target_inputs(p, tf, 0);
	buf_puts(p->b, "<div class=\"actions\"><button type=\"submit\" "
	    "class=\"primary\">Build the link</button></div></form>\n");
}

/* The final link, the encrypted link and its QR code. */
static void
page_link_share_links(struct page *p, const char *final)
{
	const char *qr = NULL;
	char enc[CRYPT4_MAX];
	enum crypt4_result cr;

	cr = crypt_crypt4(p->h->cfg->crypt4_key, final, strlen(final), enc);
	if (cr == CRYPT4_OK) {
		qr = qr_svg(p->a, enc);
		html_printf(p->b, "<div class=\"share-grid\"><div>"
		    "<div class=\"field-head\"><label for=\"crypt4\">Encrypted "
		    "link</label><button type=\"button\" class=\"copy small\" "
		    "data-copy=\"crypt4\" hidden>Copy</button></div>\n"
		    "<textarea id=\"crypt4\" class=\"mono\" rows=\"5\" readonly "
		    "spellcheck=\"false\">%s</textarea>\n<p class=\"hint\">Hand "
		    "this out: only the Happ app can open it, so the install "
		    "code cannot be removed. It differs each time the page is "
		    "shown; every version opens the same link.</p>\n", enc);
	} else {
		html_flash(p->b, "error", cr == CRYPT4_TOO_LONG ?
		    arena_printf(p->a, "This link is too long to encrypt (at "
		    "most %d bytes).", CRYPT4_BLOCK) :
		    "The server's crypt4 key cannot be read, so no encrypted "
		    "link can be made. The operator should check crypt4_key "
		    "in the configuration.");
		buf_puts(p->b, "<div class=\"share-grid\"><div>");
	}
	html_printf(p->b, "<div class=\"field-head\"><label for=\"final\">"
	    "Final link</label><button type=\"button\" class=\"copy small\" "
	    "data-copy=\"final\" hidden>Copy</button></div>\n"
	    "<textarea id=\"final\" class=\"mono\" rows=\"3\" readonly "
	    "spellcheck=\"false\">%s</textarea>\n<p class=\"hint\">The "
	    "subscription URL with the title and the install code in its "
	    "fragment.</p></div>\n", final);
	if (qr != NULL) {
		buf_puts(p->b, "<figure class=\"qrbox\">");
		buf_puts(p->b, qr);
		buf_puts(p->b, "<figcaption>Scan with the Happ app</figcaption>"
		    "</figure>\n");
	}
	buf_puts(p->b, "</div>");
}

/* The share card: what to hand out, or the form that makes it for a link
 * the API created (no URL) or whose target form is shown again (tf). */
static void
page_link_share(struct page *p, const char *code, const struct db_target *t,
    const struct page_form *tf)
{
	const char *final;

	buf_puts(p->b, "<section class=\"card share\"><h2>Share</h2>\n");
	if (t->sub_url == NULL || tf != NULL)
		page_link_target_form(p, code, tf);
	else if ((final = happlink_final(p->a, t->sub_url,
	    t->title != NULL ? t->title : "", code)) == NULL)
		html_flash(p->b, "error", "The stored URL has no title.");
	else
		page_link_share_links(p, final);
	buf_puts(p->b, "</section>\n");
}

/* The usage card with the settings form and the status button, for link
 * l; ef (may be NULL) is the settings form shown again. */
static void
page_link_settings(struct page *p, const struct db_link *l,
    const struct page_form *ef)
{
	int active = l->status == LINKS_ACTIVE;

	buf_puts(p->b, "<section class=\"card settings\"><h2>Usage</h2>\n"
	    "<div class=\"big-usage\">");
	page_usage(p->b, l->install_count, l->install_limit);
	html_printf(p->b, "<p class=\"hint\">%s</p></div>\n", !active ?
	    "Disabled: the app refuses this link on every device." :
	    l->install_count >= l->install_limit ? "Full: a new device is "
	    "refused until you free a slot or raise the limit." : "Active: "
	    "new devices are admitted while slots are free.");
	html_printf(p->b, "<dl class=\"facts\"><dt>Created</dt><dd>%s UTC"
	    "</dd></dl>\n", l->created_at);
	page_form_open(p, page_link_path(p, "/edit"), "stack");
	html_printf(p->b, "\n<div class=\"row\"><div>"
	    "<label for=\"limit\">Install limit</label>\n"
	    "<input id=\"limit\" name=\"limit\" type=\"number\" min=\"%d\" "
	    "max=\"%d\" inputmode=\"numeric\" value=\"%s\"%s></div>\n"
	    "<div class=\"grow\"><label for=\"note\">Note</label>\n"
	    "<input id=\"note\" name=\"note\" value=\"%s\" maxlength=\"%d\"%s>"
	    "</div></div>\n<div class=\"row\">", LINKS_LIMIT_MIN,
	    LINKS_LIMIT_MAX, page_value(ef, PAGE_F_LIMIT, arena_printf(p->a,
	    "%d", l->install_limit)), page_bad(ef, "limit"),
	    page_value(ef, PAGE_F_NOTE, l->note), LINKS_NOTE_MAX,
	    page_bad(ef, "note"));
	page_linkform_expire_input(p, ef, arena_printf(p->a, "%d",
	    l->expire_days));
	buf_puts(p->b, "</div>\n<div class=\"actions\"><button "
	    "type=\"submit\">Save</button></div></form>\n");
	page_button(p, &(struct page_button){
	    .path = page_link_path(p, "/status"), .form = "status-form",
	    .name = "status", .value = arena_printf(p->a, "%d", active ?
	    LINKS_DISABLED : LINKS_ACTIVE), .cls = active ? "danger" :
	    "primary", .label = active ? "Disable link" : "Enable link",
	    .confirm = active ? "Disable this link? The app will refuse it "
	    "on every device." : NULL });
	/* a page of its own asks first: it works without the script */
	if (l->install_count > 0)
		html_printf(p->b, " <a class=\"button danger\" href=\"%s\">"
		    "Free all slots</a>", page_link_path(p, "/reset"));
	buf_puts(p->b, "</section>\n");
}

/* A button of the self-service card that asks for action. */
static void
page_link_self_button(struct page *p, const char *action, const char *cls,
    const char *label, const char *confirm)
{
	page_button(p, &(struct page_button){
	    .path = page_link_path(p, "/self-service"), .form = "inline",
	    .name = "action", .value = action, .cls = cls, .label = label,
	    .confirm = confirm });
}

/* The self-service card: whether the link's user has a page, its last
 * release, the buttons that make, renew or remove it; url is the page's
 * address when it was just made (the one time it can be shown). */
static void
page_link_self(struct page *p, int on, const struct db_self_service *s,
    const char *url)
{
	int hours = p->h->cfg->release_cooldown_hours;

	buf_puts(p->b, "<section class=\"card self\"><h2>Self-service page"
	    "</h2>\n");
	if (url != NULL)
		html_printf(p->b, "<div class=\"field-head\"><label "
		    "for=\"selfurl\">The page's address</label><button "
		    "type=\"button\" class=\"copy small\" data-copy=\"selfurl\" "
		    "hidden>Copy</button></div>\n<textarea id=\"selfurl\" "
		    "class=\"mono\" rows=\"2\" readonly spellcheck=\"false\">%s"
		    "</textarea>\n<p class=\"hint\">Copy it now: it is shown "
		    "only this once (the server keeps only its hash). Hand it "
		    "to the link's user.</p>\n", url);
	if (!on) {
		buf_puts(p->b, "<p>The link's user can have a page of their "
		    "own, at an address nobody can guess, that shows the "
		    "devices holding a slot on it");
		if (hours > 0)
			html_printf(p->b, " and lets them free one, at most "
			    "once every %d hours", hours);
		buf_puts(p->b, ".</p>\n");
		page_link_self_button(p, "create", "primary", "Make the page",
		    NULL);
		buf_puts(p->b, "\n</section>\n");
		return;
	}
	html_printf(p->b, "<dl class=\"facts\"><dt>Address made</dt><dd>%s "
	    "UTC</dd><dt>Last release</dt><dd>%s</dd></dl>\n", s->created_at,
	    s->released_at != NULL ? arena_printf(p->a, "%s UTC",
	    s->released_at) : "none yet");
	page_link_self_button(p, "rotate", NULL, "New address", "Give the "
	    "page a new address? The old one stops working.");
	buf_puts(p->b, " ");
	page_link_self_button(p, "disable", "danger", "Turn off", "Turn the "
	    "page off? Its address stops working.");
	buf_puts(p->b, "\n</section>\n");
}

/* A device's text, or a dash when the app sent none. */
static const char *
page_link_or_dash(const char *s)
{
	return s != NULL && *s != '\0' ? s : "—";
}

static const struct page_table page_link_devices_table = {
	.card = "devices", .title = "Devices", .counted = 1,
	.cls = "devices", .heads = { "HWID", "Device", "OS", "App",
	    "First seen (UTC)", "Last seen (UTC)",
	    "<span class=\"sr\">Delete</span>" },
	.empty = "No device holds a slot on this link yet. When the app adds "
	    "the link, its device appears here.",
};

/* The devices card, from the n rows of devices_list(). */
static void
page_link_devices(struct page *p, const struct db_device *d, int n)
{
	int i;

	page_table_begin(p, &page_link_devices_table, n, NULL);
	for (i = 0; i < n; i++) {
		html_printf(p->b, "<tr><td data-label=\"HWID\" class=\"hwid\">"
		    "<code>%s</code></td><td data-label=\"Device\">%s</td>"
		    "<td data-label=\"OS\">%s %s</td>"
		    "<td data-label=\"App\">%s</td>"
		    "<td data-label=\"First seen\" class=\"date\">%s</td>"
		    "<td data-label=\"Last seen\" class=\"date\">%s</td><td>",
		    d[i].hwid, page_link_or_dash(d[i].model), d[i].device_os,
		    d[i].os_version, page_link_or_dash(d[i].app_version),
		    d[i].first_seen, d[i].last_seen);
		page_button(p, &(struct page_button){
		    .path = page_link_path(p, "/devices/delete"),
		    .form = "inline", .name = "hwid", .value = d[i].hwid,
		    .cls = "danger small", .label = "Delete",
		    .aria = arena_printf(p->a, "Delete device %s", d[i].hwid) });
		buf_puts(p->b, "</td></tr>\n");
	}
	page_table_end(p, &page_link_devices_table, n, "Deleting a device "
	    "frees its slot. If it adds the link again, it takes a slot again "
	    "while one is free.");
}

static const struct page_table page_link_refused_table = {
	.title = "Latest refusals for the limit", .counted = 1, .minor = 1,
	.cls = "refused", .heads = { "HWID", "Device", "Refused (UTC)" },
	.empty = "No device was refused for the limit.",
};

/* The link's history: its checks of the last days and its latest
 * refusals for the limit (f and the n rows of r). */
static void
page_link_history(struct page *p, const struct stats_figures *f,
    const struct db_refusal *r, int n)
{
	int i;

	html_printf(p->b, "<section class=\"card chart-card history\" "
	    "id=\"history\"><div class=\"card-head\"><h2>History</h2>"
	    "<span><a class=\"csv\" href=\"%s\" download>CSV</a> "
	    "<a href=\"/account/activity?link=%lld\">Activity</a></span></div>\n"
	    "<p class=\"hint\">The app's checks of this link from %s to %s "
	    "(UTC).</p>\n", page_link_path(p, "/history.csv?table=days"),
	    p->id, f->days[0].day, f->days[f->ndays - 1].day);
	page_stats_daily(p, f, "This link's admissions and refusals per day");
	page_table_begin(p, &page_link_refused_table, n,
	    page_link_path(p, "/history.csv?table=refused"));
	for (i = 0; i < n; i++)
		html_printf(p->b, "<tr><td data-label=\"HWID\" class=\"hwid\">"
		    "<code>%s</code></td><td data-label=\"Device\">%s</td>"
		    "<td data-label=\"Refused\" class=\"date\">%s</td></tr>\n",
		    r[i].hwid, page_link_or_dash(r[i].device_name), r[i].date);
	page_table_end(p, &page_link_refused_table, n, NULL);
	buf_puts(p->b, "</section>\n");
}

/* Answers outcome r of a change to the link: on to the link's page with
 * the message m asks for when r is DB_OK, else 404 or the failure. */
static void
page_link_done(struct page *p, enum db_outcome r, const char *m)
{
	if (r == DB_OK)
		page_redirect(p, page_link_path(p, m));
	else if (r == DB_NOT_FOUND)
		page_not_found(p);
	else
		page_failed(p);
}

/* The link's page; ef and tf (may be NULL) are the settings and the
 * target form shown again with an error; self_url the self-service
 * page's address when it was just made (NULL otherwise). */
static void
page_link_page(struct page *p, int status, const struct page_form *ef,
    const struct page_form *tf, const char *self_url)
{
	struct db_link l;
	struct db_target t;
	struct db_device *d;
	struct db_refusal *refused;
	struct stats_figures f;
	struct db_self_service s;
	char from[VALID_DATE_LEN + 1], to[VALID_DATE_LEN + 1];
	const char *code;
	int found, n, nrefused, self;

	found = links_get(p->a, p->s.provider_id, p->id, &l);
	if (found == 0) {
		page_not_found(p);
		return;
	}
	stats_period(p->a, NULL, NULL, (long)(time(NULL) / 86400), from, to);
	if (found < 0 || links_target(p->a, p->s.provider_id, p->id, &t) < 0 ||
	    devices_list(p->a, p->s.provider_id, NULL, p->id, NULL, &d,
	    &n) == DB_FAILED || stats_days(p->a, p->s.provider_id, NULL,
	    p->id, from, to, &f) != DB_OK || stats_refused(p->a,
	    p->s.provider_id, NULL, p->id, PAGE_LINK_REFUSED, &refused,
	    &nrefused) != DB_OK || (self = links_self_service_get(p->a,
	    p->s.provider_id, p->id, &s)) < 0) {
		page_failed(p);
		return;
	}
	code = l.install_code;
	page_begin(p, status, code, "links");
	html_printf(p->b, "<p class=\"crumbs\"><a href=\"/account/links\">"
	    "Links</a> <span aria-hidden=\"true\">›</span> %s</p>\n"
	    "<div class=\"head\"><div><h1><span class=\"code\">%s</span> ",
	    code, code);
	page_status_badge(p->b, l.status);
	html_printf(p->b, "</h1><p class=\"sub note\">%s</p></div></div>\n",
	    l.note != NULL && *l.note != '\0' ? l.note : "No note");
	if (status == 200)
		page_flash_from_query(p);
	if (ef != NULL && ef->error != NULL)
		html_flash(p->b, "error", ef->error);
	buf_puts(p->b, "<div class=\"cols\">\n");
	page_link_share(p, code, &t, tf);
	page_link_settings(p, &l, ef);
	buf_puts(p->b, "</div>\n");
	page_link_self(p, self == 1, &s, self_url);
	page_link_devices(p, d, n);
	page_link_history(p, &f, refused, nrefused);
	html_end(p->b);
}

void
page_link_show(struct page *p)
{
	page_link_page(p, 200, NULL, NULL, NULL);
}

void
page_link_edit(struct page *p)
{
	struct page_form f;
	struct db_link_updated u;
	enum db_outcome r;
	int limit, expire;

	memset(&f, 0, sizeof(f));
	f.v[PAGE_F_LIMIT] = page_param(p, "limit");
	f.v[PAGE_F_NOTE] = page_param(p, "note");
	f.v[PAGE_F_EXPIRE] = page_param(p, "expire");
	if (page_linkform_limit_note(p, &f, &limit, &expire) != 0) {
		page_link_page(p, 400, &f, NULL, NULL);
		return;
	}
	r = links_update(p->a, p->s.provider_id, p->id, limit,
	    f.v[PAGE_F_NOTE], 0, expire, page_actor(p), &u);
	if (r != DB_BELOW_COUNT) {
		page_link_done(p, r, "?m=saved");
		return;
	}
	f.error = arena_printf(p->a, "The limit cannot go below the %d "
	    "devices that hold a slot. Delete devices first.",
	    u.install_count);
	f.bad = "limit";
	page_link_page(p, 400, &f, NULL, NULL);
}

void
page_link_status(struct page *p)
{
	struct db_link_updated u;
	enum db_outcome r;
	int status, off;

	if (!links_status_ok(http_param(p->h, "status"), &status)) {
		page_message(p, 400, "Bad request", arena_printf(p->a, "The "
		    "status must be %d (disabled) or %d (active).",
		    LINKS_DISABLED, LINKS_ACTIVE));
		return;
	}
	r = links_update(p->a, p->s.provider_id, p->id, 0, NULL, status, -1,
	    page_actor(p), &u);
	off = status == LINKS_DISABLED;
	if (r == DB_OK)
		log_info("account: %s %s link %lld", p->s.provider,
		    off ? "disabled" : "enabled", p->id);
	page_link_done(p, r, off ? "?m=disabled" : "?m=enabled");
}

void
page_link_device_delete(struct page *p)
{
	struct db_device_deleted gone;
	enum db_outcome r;
	const char *hwid;

	hwid = http_param(p->h, "hwid");
	if (!valid_hwid(hwid)) {
		page_message(p, 400, "Bad request", "That is not a device id.");
		return;
	}
	r = devices_delete(p->a, p->s.provider_id, NULL, p->id, hwid,
	    page_actor(p), &gone);
	if (r == DB_OK)
		log_info("account: %s deleted device %s from link %lld",
		    p->s.provider, hwid, p->id);
	/* gone already is no fault: the page says so */
	if (r == DB_NO_DEVICE)
		page_link_done(p, DB_OK, "?m=device-gone");
	else
		page_link_done(p, r, "?m=device-deleted");
}

void
page_link_target(struct page *p)
{
	struct page_form f;
	struct links_target t;

	memset(&f, 0, sizeof(f));
	f.v[PAGE_F_URL] = page_param(p, "url");
	f.v[PAGE_F_TITLE] = page_param(p, "title");
	if (page_linkform_target(p, &f, &t) != 0) {
		page_link_page(p, 400, NULL, &f, NULL);
		return;
	}
	/* the target and its domain: both or neither */
	page_link_done(p, links_set_target(p->a, p->s.provider_id, p->id, &t,
	    page_actor(p)), "?m=target");
}

void
page_link_history_csv(struct page *p)
{
	static const char *const cols[] = { "hwid", "date", "device_name" };
	struct stats_figures f;
	struct db_refusal *r;
	struct csv c;
	char from[VALID_DATE_LEN + 1], to[VALID_DATE_LEN + 1];
	const char *table, *name;
	enum db_outcome got;
	int i, n = 0;

	table = page_param(p, "table");
	if (strcmp(table, "days") != 0 && strcmp(table, "refused") != 0) {
		page_not_found(p);
		return;
	}
	if (page_table_period(p, from, to) != 0)
		return;
	if (strcmp(table, "days") == 0)
		got = stats_days(p->a, p->s.provider_id, NULL, p->id, from, to,
		    &f);
	else
		got = stats_refused(p->a, p->s.provider_id, NULL, p->id,
		    PAGE_LINK_REFUSED_CSV, &r, &n);
	if (got == DB_NOT_FOUND) {
		page_not_found(p);
		return;
	}
	if (got != DB_OK) {
		page_failed(p);
		return;
	}
	name = arena_printf(p->a, "limited-links-link-%lld-%s.csv", p->id,
	    table);
	if (strcmp(table, "days") == 0) {
		page_stats_days_csv(p, name, &f);
		return;
	}
	page_table_csv(p, &c, name, cols, sizeof(cols) / sizeof(cols[0]));
	for (i = 0; i < n; i++)
		CSV_ROW(&c, r[i].hwid, r[i].date, r[i].device_name);
}

void
page_link_reset_form(struct page *p)
{
	struct db_link l;
	int found;

	found = links_get(p->a, p->s.provider_id, p->id, &l);
	if (found <= 0) {
		if (found == 0)
			page_not_found(p);
		else
			page_failed(p);
		return;
	}
	page_begin(p, 200, "Free all slots", "links");
	html_printf(p->b, "<section class=\"card narrow message\"><h1>Free "
	    "all slots of %s?</h1>\n<p>Its %d device%s will be removed, and "
	    "the next devices that add the link take their slots, up to its "
	    "limit of %d. A removed device that adds the link again takes a "
	    "slot again while one is free.</p>\n", l.install_code,
	    l.install_count, l.install_count == 1 ? "" : "s",
	    l.install_limit);
	page_form_open(p, page_link_path(p, "/reset"), "actions");
	html_printf(p->b, "<button type=\"submit\" class=\"danger\">Free "
	    "all slots</button> <a class=\"button quiet\" href=\"%s\">"
	    "Cancel</a></form></section>\n", page_link_path(p, ""));
	html_end(p->b);
}

void
page_link_reset(struct page *p)
{
	struct db_link_reset r;
	enum db_outcome out;

	out = links_reset(p->a, p->s.provider_id, NULL, p->id, page_actor(p),
	    &r);
	if (out == DB_OK)
		log_info("account: %s reset link %lld, %d slots freed",
		    p->s.provider, p->id, r.released);
	page_link_done(p, out, "?m=reset");
}

void
page_link_self_service(struct page *p)
{
	char token[LINKS_SELF_TOKEN_LEN + 1];
	const char *action;
	enum links_self_action act;
	enum db_outcome r;

	action = page_param(p, "action");
	if (strcmp(action, "create") == 0)
		act = LINKS_SELF_CREATE;
	else if (strcmp(action, "rotate") == 0)
		act = LINKS_SELF_ROTATE;
	else if (strcmp(action, "disable") == 0)
		act = LINKS_SELF_DISABLE;
	else {
		page_message(p, 400, "Bad request", "That is not something "
		    "to do to a self-service page.");
		return;
	}
	r = links_self_service(p->a, p->s.provider_id, NULL, p->id, act,
	    page_actor(p), token);
	/* made twice (a form sent again): the page is there, its address
	 * can only be renewed */
	if (r == DB_EXISTS) {
		page_link_done(p, DB_OK, "?m=self-exists");
		return;
	}
	if (r != DB_OK) {
		page_link_done(p, r, "");
		return;
	}
	log_info("account: %s %s the self-service page of link %lld",
	    p->s.provider, act == LINKS_SELF_DISABLE ? "turned off" :
	    act == LINKS_SELF_ROTATE ? "gave a new address to" : "made",
	    p->id);
	if (act == LINKS_SELF_DISABLE) {
		page_link_done(p, DB_OK, "?m=self-off");
		return;
	}
	/* no redirect: the address must not ride in a URL, and this is
	 * the one time it can be shown */
	page_link_page(p, 200, NULL, NULL, links_self_url(p->h, token));
}
