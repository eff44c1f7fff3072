#include <string.h>

#include "crypt.h"
#include "happlink.h"
#include "html.h"
#include "page_linkform.h"
#include "valid.h"

/* A stand-in install code of the real length, to measure a final link. */
#define PAGE_LINKFORM_CODE	"000000000000"

int
page_linkform_target(struct page *p, struct page_form *f,
    struct links_target *t)
{
	enum happlink_err err;
	const char *norm, *final, *title = f->v[PAGE_F_TITLE];

	f->bad = "url";
	norm = happlink_normalize(p->a, f->v[PAGE_F_URL], &err);
	if (norm == NULL) {
		f->error = happlink_strerror(err);
		return -1;
	}
	f->bad = "title";
	if (strlen(title) > HAPPLINK_TITLE_MAX || !valid_utf8_text(title)) {
		f->error = arena_printf(p->a, "The title must be printable "
		    "text of at most %d bytes.", HAPPLINK_TITLE_MAX);
		return -1;
	}
	final = happlink_final(p->a, norm, title, PAGE_LINKFORM_CODE);
	if (final == NULL) {
		f->error = "Give the link a title: the app shows it as the "
		    "subscription's name.";
		return -1;
	}
	f->bad = "url";
	if (strlen(final) > CRYPT4_BLOCK) {
		f->error = arena_printf(p->a, "With its title and install "
		    "code this link would be %zu bytes long, but an encrypted "
		    "link holds at most %d. Shorten the URL or the title.",
		    strlen(final), CRYPT4_BLOCK);
		return -1;
	}
	t->domain = happlink_domain(p->a, final);
	if (t->domain == NULL) {
		f->error = "The URL has no domain the app could hash.";
		return -1;
	}
	f->bad = NULL;
	t->url = norm;
	t->title = title;
	return 0;
}

int
page_linkform_limit_note(struct page *p, struct page_form *f, int *limit,
    int *expire)
{
	if (!links_limit_ok(f->v[PAGE_F_LIMIT], limit)) {
		f->error = arena_printf(p->a, "The install limit must be a "
		    "whole number from %d to %d.", LINKS_LIMIT_MIN,
		    LINKS_LIMIT_MAX);
		f->bad = "limit";
		return -1;
	}
	if (!links_note_ok(f->v[PAGE_F_NOTE])) {
		f->error = arena_printf(p->a, "The note must be printable text "
		    "of at most %d characters.", LINKS_NOTE_MAX);
		f->bad = "note";
		return -1;
	}
	*expire = 0;
	if (f->v[PAGE_F_EXPIRE] != NULL && *f->v[PAGE_F_EXPIRE] != '\0' &&
	    !links_expire_ok(f->v[PAGE_F_EXPIRE], expire)) {
		f->error = arena_printf(p->a, "The days without a check must "
		    "be a whole number from 0 (never) to %d.",
		    LINKS_EXPIRE_MAX);
		f->bad = "expire";
		return -1;
	}
	return 0;
}

void
page_linkform_expire_input(struct page *p, const struct page_form *f,
    const char *value)
{
	html_printf(p->b, "<div><label for=\"expire\">Free a slot after</label>"
	    "\n<input id=\"expire\" name=\"expire\" type=\"number\" "
	    "min=\"0\" max=\"%d\" inputmode=\"numeric\" value=\"%s\"%s>\n"
	    "<p class=\"hint\">Days without a check (0: never).</p></div>\n",
	    LINKS_EXPIRE_MAX, page_value(f, PAGE_F_EXPIRE, value),
	    page_bad(f, "expire"));
}

void
page_linkform_target_inputs(struct page *p, const struct page_form *f,
    int hints)
{
	html_printf(p->b, "\n<label for=\"url\">Subscription URL</label>\n"
	    "<input id=\"url\" name=\"url\" value=\"%s\" inputmode=\"url\" "
	    "placeholder=\"https://sub.example.com/s/abc\" autocomplete=\"off\" "
	    "autocapitalize=\"off\" spellcheck=\"false\" required%s>\n",
	    page_value(f, PAGE_F_URL, ""), page_bad(f, "url"));
	if (hints)
		buf_puts(p->b, "<p class=\"hint\">The app checks the link "
		    "against the hash of its domain; it is registered for you "
		    "if it is new.</p>\n");
	html_printf(p->b, "<label for=\"title\">Title</label>\n"
	    "<input id=\"title\" name=\"title\" value=\"%s\" maxlength=\"%d\" "
	    "placeholder=\"My VPN\"%s>\n", page_value(f, PAGE_F_TITLE, ""),
	    HAPPLINK_TITLE_MAX, page_bad(f, "title"));
	if (hints)
		buf_puts(p->b, "<p class=\"hint\">The name the app shows for "
		    "the subscription.</p>\n");
}
