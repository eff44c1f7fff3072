#include <string.h>

#include "db.h"
#include "html.h"
#include "log.h"
#include "page.h"
#include "page_table.h"
#include "page_webhook.h"
#include "webhooks.h"

/* The form as typed: the URL and, by type, whether it is ticked. */
struct page_webhook_form {
	const char	*url;
	const char	*types;		/* canonical list; NULL: none ticked */
	const char	*error;
};

/* Whether type is in the comma list. */
static int
page_webhook_has(const char *list, const char *type)
{
	const char *p = list;
	size_t n = strlen(type);

	while (p != NULL && *p != '\0') {
		if (strncmp(p, type, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p = strchr(p, ',');
		p = p != NULL ? p + 1 : NULL;
	}
	return 0;
}

static const struct page_table page_webhook_table = {
	.card = "events", .title = "Recent deliveries", .counted = 1,
	.cls = "events", .heads = { "Event", "Link", "Made (UTC)", "State",
	    "Tries", "Last answer", "<span class=\"sr\">Resend</span>" },
	.empty = "No event yet. Resetting a link or deleting a device makes "
	    "one.",
};

/* The events table: the newest events, their state and a resend button. */
static void
page_webhook_events(struct page *p, const struct db_webhook_event *e, int n)
{
	int i;

	page_table_begin(p, &page_webhook_table, n, NULL);
	for (i = 0; i < n; i++) {
		html_printf(p->b, "<tr><td data-label=\"Event\"><code>%s</code>"
		    "<br><span class=\"hint\">%s</span></td>"
		    "<td data-label=\"Link\"><code>%s</code><br><span "
		    "class=\"hint\">%s</span></td>"
		    "<td data-label=\"Made\" class=\"date\">%s</td>"
		    "<td data-label=\"State\"><span class=\"badge %s\">%s</span>",
		    e[i].type, e[i].event_id, e[i].install_code, e[i].hwid,
		    e[i].created_at, e[i].state, e[i].state);
		if (e[i].next_at != NULL)
			html_printf(p->b, "<br><span class=\"hint\">next try "
			    "%s</span>", e[i].next_at);
		html_printf(p->b, "</td><td data-label=\"Tries\">%d</td>"
		    "<td data-label=\"Last answer\">", e[i].attempts);
		if (e[i].last_status != 0)
			html_printf(p->b, "HTTP %d", e[i].last_status);
		else if (e[i].last_error != NULL)
			html_printf(p->b, "%s", e[i].last_error);
		else
			buf_puts(p->b, "—");
		buf_puts(p->b, "</td><td>");
		page_button(p, &(struct page_button){
		    .path = "/account/webhook/resend", .form = "inline",
		    .name = "id", .value = e[i].event_id, .cls = "small",
		    .label = "Resend", .aria = arena_printf(p->a,
		    "Send %s again", e[i].event_id) });
		buf_puts(p->b, "</td></tr>\n");
	}
	page_table_end(p, &page_webhook_table, n, NULL);
}

/* The page; f (may be NULL) is the form shown again, secret the one just
 * drawn (NULL otherwise). */
static void
page_webhook_page(struct page *p, int status,
    const struct page_webhook_form *f, const char *secret)
{
	struct db_webhook w;
	struct db_webhook_event *e = NULL;
	const char *url, *types, *t;
	size_t i;
	int found, n;

	found = webhooks_get(p->a, p->s.provider_id, &w);
	n = found >= 0 ? webhooks_events(p->a, p->s.provider_id,
	    WEBHOOKS_LIST_MAX, &e) : -1;
	if (n < 0) {
		page_failed(p);
		return;
	}
	page_begin(p, status, "Webhook", "webhook");
	page_head(p, "Webhook", "The server sends each event to one URL of "
	    "yours as a signed POST, until it answers with a 2xx status.");
	if (status == 200)
		page_flash_from_query(p);
	if (f != NULL && f->error != NULL)
		html_flash(p->b, "error", f->error);
	if (secret != NULL)
		html_printf(p->b, "<section class=\"card\"><div "
		    "class=\"field-head\"><label for=\"secret\">Signing secret"
		    "</label><button type=\"button\" class=\"copy small\" "
		    "data-copy=\"secret\" hidden>Copy</button></div>\n"
		    "<input id=\"secret\" class=\"mono\" value=\"%s\" readonly "
		    "spellcheck=\"false\">\n<p class=\"hint\">Copy it now: it "
		    "is shown only this once. Each request carries "
		    "<code>X-LL-Signature: t=TIME,v1=HEX</code>, HEX being the "
		    "HMAC-SHA256 of TIME, a dot and the body under this "
		    "secret.</p></section>\n", secret);
	url = f != NULL ? f->url : found == 1 ? w.url : "";
	types = f != NULL ? f->types : found == 1 ? w.events : NULL;
	page_form_open(p, "/account/webhook", "card stack");
	if (found == 1)
		html_printf(p->b, "<p class=\"hint\">Set %s UTC. Saving draws a "
		    "new secret.</p>\n", w.created_at);
	html_printf(p->b, "<label for=\"url\">URL</label>\n<input id=\"url\" "
	    "name=\"url\" value=\"%s\" inputmode=\"url\" placeholder=\"https:"
	    "//hooks.example.com/limited-links\" autocomplete=\"off\" "
	    "autocapitalize=\"off\" spellcheck=\"false\"%s>\n<fieldset><legend>"
	    "Events</legend>\n", url, f != NULL && f->error != NULL ?
	    " aria-invalid=true class=bad" : "");
	for (i = 0; (t = webhooks_type(i)) != NULL; i++)
		html_printf(p->b, "<label class=\"check\"><input type=\"checkbox\" "
		    "name=\"e-%zu\" value=\"1\"%s> <code>%s</code></label>\n", i,
		    types == NULL || page_webhook_has(types, t) ? " checked" : "",
		    t);
	html_printf(p->b, "</fieldset>\n<div class=\"actions\"><button "
	    "type=\"submit\" class=\"primary\">%s</button></div></form>\n",
	    found == 1 ? "Save and draw a new secret" : "Set the webhook");
	if (found == 1) {
		page_button(p, &(struct page_button){
		    .path = "/account/webhook/delete", .form = "inline",
		    .cls = "danger", .label = "Delete the webhook",
		    .confirm = "Delete the webhook? Events waiting for it will "
		    "not be sent." });
		buf_puts(p->b, "\n");
	}
	page_webhook_events(p, e, n);
	html_end(p->b);
}

void
page_webhook_show(struct page *p)
{
	page_webhook_page(p, 200, NULL, NULL);
}

void
page_webhook_save(struct page *p)
{
	struct page_webhook_form f;
	struct buf list;
	char secret[WEBHOOKS_SECRET_LEN + 1];
	const char *t;
	size_t i;

	memset(&f, 0, sizeof(f));
	f.url = page_param(p, "url");
	buf_init(&list, p->a);
	for (i = 0; (t = webhooks_type(i)) != NULL; i++)
		if (strcmp(page_param(p, arena_printf(p->a, "e-%zu", i)),
		    "1") == 0)
			buf_printf(&list, "%s%s", list.len > 0 ? "," : "", t);
	f.types = list.len > 0 ? list.data : "";
	if (list.len == 0)
		f.error = "Tick at least one event.";
	else if (!webhooks_url_ok(f.url))
		f.error = "The URL must be an http:// or https:// URL of at "
		    "most 2048 characters, without spaces.";
	else
		f.error = webhooks_url_refused(p->a, p->h->cfg, f.url);
	if (f.error != NULL) {
		page_webhook_page(p, 400, &f, NULL);
		return;
	}
	if (webhooks_set(p->a, p->s.provider_id, f.url, f.types,
	    page_actor(p), secret) != DB_OK) {
		page_failed(p);
		return;
	}
	log_info("account: %s set its webhook", p->s.provider);
	/* no redirect: the secret must not ride in a URL, and this is the
	 * one time it can be shown */
	page_webhook_page(p, 200, NULL, secret);
}

void
page_webhook_delete(struct page *p)
{
	enum db_outcome r;

	r = webhooks_delete(p->a, p->s.provider_id, page_actor(p));
	if (r == DB_FAILED) {
		page_failed(p);
		return;
	}
	if (r == DB_OK)
		log_info("account: %s deleted its webhook", p->s.provider);
	page_redirect(p, r == DB_OK ? "/account/webhook?m=webhook-deleted" :
	    "/account/webhook?m=webhook-gone");
}

void
page_webhook_resend(struct page *p)
{
	enum db_outcome r;
	const char *id;

	id = page_param(p, "id");
	if (strlen(id) != 36 || strncmp(id, "evt_", 4) != 0 ||
	    strspn(id + 4, "0123456789abcdef") != 32) {
		page_message(p, 400, "Bad request", "That is not an event id.");
		return;
	}
	r = webhooks_resend(p->a, p->s.provider_id, id, page_actor(p));
	if (r == DB_FAILED) {
		page_failed(p);
		return;
	}
	page_redirect(p, r == DB_OK ? "/account/webhook?m=resent" :
	    "/account/webhook?m=resend-gone");
}
