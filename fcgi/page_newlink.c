#include <string.h>

#include "db.h"
#include "html.h"
#include "links.h"
#include "log.h"
#include "page.h"
#include "page_linkform.h"
#include "page_newlink.h"

static void
page_newlink_page(struct page *p, int status, const struct page_form *f)
{
	page_begin(p, status, "New link", "new");
	buf_puts(p->b, "<div class=\"col\">");
	page_head(p, "New limited link", "Paste a subscription URL and choose "
	    "how many devices may add it. You get the link to hand out, "
	    "encrypted so that its install code stays in it.");
	if (f != NULL && f->error != NULL)
		html_flash(p->b, "error", f->error);
	page_form_open(p, "/account/links/new", "card stack");
	page_linkform_target_inputs(p, f, 1);
	html_printf(p->b, "<div class=\"row\"><div>"
	    "<label for=\"limit\">Install limit</label>\n"
	    "<input id=\"limit\" name=\"limit\" type=\"number\" min=\"%d\" "
	    "max=\"%d\" inputmode=\"numeric\" value=\"%s\" required%s>\n"
	    "<p class=\"hint\">Devices that may add it: %d to %d.</p></div>\n"
	    "<div class=\"grow\"><label for=\"note\">Note</label>\n"
	    "<input id=\"note\" name=\"note\" value=\"%s\" maxlength=\"%d\" "
	    "placeholder=\"Who it is for; only you see it\"%s>\n"
	    "<p class=\"hint\">Up to %d characters, searchable.</p></div>"
	    "</div>\n<div class=\"row\">",
	    LINKS_LIMIT_MIN, LINKS_LIMIT_MAX,
	    page_value(f, PAGE_F_LIMIT, "1"), page_bad(f, "limit"),
	    LINKS_LIMIT_MIN, LINKS_LIMIT_MAX,
	    page_value(f, PAGE_F_NOTE, ""), LINKS_NOTE_MAX,
	    page_bad(f, "note"), LINKS_NOTE_MAX);
	page_linkform_expire_input(p, f, "0");
	buf_puts(p->b, "</div>\n<div class=\"actions\"><button "
	    "type=\"submit\" class=\"primary\">Create link</button>"
	    "<a class=\"button quiet\" href=\"/account/links\">Cancel</a>"
	    "</div></form></div>\n");
	html_end(p->b);
}

void
page_newlink_form(struct page *p)
{
	page_newlink_page(p, 200, NULL);
}

void
page_newlink_create(struct page *p)
{
	struct page_form f;
	struct links_target t;
	char code[VALID_CODE_LEN + 1];
	int limit = 0, expire = 0;

	memset(&f, 0, sizeof(f));
	f.v[PAGE_F_URL] = page_param(p, "url");
	f.v[PAGE_F_TITLE] = page_param(p, "title");
	f.v[PAGE_F_LIMIT] = page_param(p, "limit");
	f.v[PAGE_F_NOTE] = page_param(p, "note");
	f.v[PAGE_F_EXPIRE] = page_param(p, "expire");
	if (page_linkform_target(p, &f, &t) != 0 ||
	    page_linkform_limit_note(p, &f, &limit, &expire) != 0) {
		page_newlink_page(p, 400, &f);
		return;
	}
	/* the link, its domain and its target: all of it or nothing */
	switch (links_create(p->a, p->h->cfg, p->s.provider_id, NULL, limit,
	    expire, f.v[PAGE_F_NOTE], &t, page_actor(p), &p->id, code)) {
	case DB_OK:
		break;
	case DB_CAP:
		f.error = "Your account holds as many links as it may. Reuse "
		    "one of them (free its devices, change its note), or ask "
		    "the server's operator for more.";
		page_newlink_page(p, 400, &f);
		return;
	default:
		if (db_failure() == DB_FAIL_DOWN ||
		    db_failure() == DB_FAIL_TIMEOUT ||
		    db_failure() == DB_FAIL_LOCK)
			page_failed(p);
		else
			page_message(p, 500, "Something went wrong", "The link "
			    "could not be created; the error was logged.");
		return;
	}
	log_info("account: %s created link %s (limit %d)", p->s.provider,
	    code, limit);
	page_redirect(p, page_link_path(p, "?m=created"));
}
