#include <limits.h>
#include <string.h>

#include "crypt.h"
#include "db.h"
#include "domains.h"
#include "happlink.h"
#include "html.h"
#include "log.h"
#include "page.h"
#include "page_domains.h"
#include "page_table.h"
#include "valid.h"

#define PAGE_DOMAIN_MAX	255	/* bytes of a domain typed in */

/* The fields of the add forms, by their place in page_form.v. */
enum { DOM_DOMAIN, DOM_HASH, DOM_NAME };

/* The two add forms of the domains page: by domain, by hash. */
static const struct {
	const char	*by;		/* the form's "by" and its field's name */
	int		 field;		/* that field's place in page_form.v */
	const char	*title;
	const char	*hint;
	const char	*label;
	const char	*attrs;		/* of the field's input */
} page_domains_forms[2] = {
	{ "domain", DOM_DOMAIN, "Add by domain", "Hashed here exactly as the "
	    "app does: no case folding, any :port kept. A whole URL works "
	    "too.", "Domain", "placeholder=\"sub.example.com\" "
	    "autocomplete=\"off\" autocapitalize=\"off\" spellcheck=\"false\"" },
	{ "hash", DOM_HASH, "Add by hash", "The SHA-256 of the domain, as the "
	    "API takes it.", "Domain hash", "class=\"mono\" maxlength=\"64\" "
	    "placeholder=\"64 hexadecimal digits\" autocomplete=\"off\" "
	    "spellcheck=\"false\"" },
};

/* One of the two add forms of the domains page; f (may be NULL) holds
 * what was typed and what is wrong. */
static void
page_domains_form(struct page *p, int by_hash, const struct page_form *f)
{
	const char *by = page_domains_forms[by_hash].by;

	page_form_open(p, "/account/domains/add", "card stack");
	html_printf(p->b, "<input type=\"hidden\" name=\"by\" value=\"%s\">"
	    "<h2>%s</h2>\n<p class=\"hint\">%s</p>\n<label for=\"%s\">%s"
	    "</label>\n<input id=\"%s\" name=\"%s\" value=\"%s\" ", by,
	    page_domains_forms[by_hash].title, page_domains_forms[by_hash].hint,
	    by, page_domains_forms[by_hash].label, by, by,
	    page_value(f, page_domains_forms[by_hash].field, ""));
	/* the attributes are ours, written as they stand */
	buf_puts(p->b, page_domains_forms[by_hash].attrs);
	html_printf(p->b, "%s>\n<label for=\"name-%s\">Label <span "
	    "class=\"opt\">optional</span></label>\n<input id=\"name-%s\" "
	    "name=\"name\" value=\"%s\" maxlength=\"%d\"%s>\n", page_bad(f,
	    by), by_hash ? "h" : "d", by_hash ? "h" : "d",
	    page_value(f, DOM_NAME, ""), DOMAINS_LABEL_MAX,
	    page_bad(f, "name"));
	if (f != NULL && f->error != NULL)
		html_flash(p->b, "error", f->error);
	buf_puts(p->b, "<div class=\"actions\"><button type=\"submit\" "
	    "class=\"primary\">Add domain</button></div></form>\n");
}

static const struct page_table page_domains_table = {
	.card = "", .title = "Registered", .counted = 1, .cls = "domains",
	.heads = { "Label", "SHA-256", "Added (UTC)",
	    "<span class=\"sr\">Delete</span>" },
	.empty = "No domains yet.",
};

/* The domains page; f (may be NULL) is the add form shown again, the one
 * by hash when by_hash. */
static void
page_domains_page(struct page *p, int status, const struct page_form *f,
    int by_hash)
{
	struct db_domain *d;
	int i, n;

	n = domains_list(p->a, p->s.provider_id, &d);
	if (n < 0) {
		page_failed(p);
		return;
	}
	page_begin(p, status, "Domains", "domains");
	page_head(p, "Domains", "The app admits a link only through a domain "
	    "registered here. It sends the SHA-256 of the subscription's "
	    "domain; creating a link registers its domain for you.");
	if (status == 200)
		page_flash_from_query(p);
	buf_puts(p->b, "<div class=\"cols\">\n");
	page_domains_form(p, 0, by_hash ? NULL : f);
	page_domains_form(p, 1, by_hash ? f : NULL);
	buf_puts(p->b, "</div>\n");
	page_table_begin(p, &page_domains_table, n, NULL);
	for (i = 0; i < n; i++) {
		html_printf(p->b, "<tr><td data-label=\"Label\">%s</td>"
		    "<td data-label=\"SHA-256\" class=\"hash\"><code>%s</code>"
		    "</td><td data-label=\"Added\" class=\"date\">%s</td><td>",
		    d[i].domain_name, d[i].domain_hash, d[i].created_at);
		page_button(p, &(struct page_button){
		    .path = "/account/domains/delete", .form = "inline",
		    .name = "id", .value = arena_printf(p->a, "%lld", d[i].id),
		    .cls = "danger small", .label = "Delete",
		    .confirm = "Delete this domain? The app will refuse links "
		    "that hash to it.", .aria = arena_printf(p->a,
		    "Delete domain %s", d[i].domain_name) });
		buf_puts(p->b, "</td></tr>\n");
	}
	page_table_end(p, &page_domains_table, n, NULL);
	html_end(p->b);
}

void
page_domains_show(struct page *p)
{
	page_domains_page(p, 200, NULL, 0);
}

/* The domain text typed in the form (a domain or a whole URL); NULL and a
 * message in *error when it is not one. */
static const char *
page_domains_text(struct page *p, const char *in, const char **error)
{
	enum happlink_err err;
	const char *norm, *domain;

	*error = NULL;
	if (*in == '\0') {
		*error = "Type the domain as it is in the subscription URL.";
		return NULL;
	}
	if (strstr(in, "://") != NULL) {
		norm = happlink_normalize(p->a, in, &err);
		if (norm == NULL) {
			*error = happlink_strerror(err);
			return NULL;
		}
		domain = happlink_domain(p->a, norm);
		if (domain == NULL)
			*error = "The URL has no domain the app could hash.";
		return domain;
	}
	if (strlen(in) > PAGE_DOMAIN_MAX || !valid_utf8_text(in) ||
	    strpbrk(in, " /?#") != NULL) {
		*error = "Type only the domain (with its :port, if any), or "
		    "paste a whole URL.";
		return NULL;
	}
	return in;
}

/* Copies the SHA-256 typed in as in into hash, in lower case. Returns 0,
 * or -1 when it is not 64 hexadecimal digits. */
static int
page_domains_hash_text(const char *in, char hash[CRYPT_SHA256_HEX])
{
	size_t i;

	if (strlen(in) != CRYPT_SHA256_HEX - 1)
		return -1;
	for (i = 0; in[i] != '\0'; i++)
		hash[i] = in[i] >= 'A' && in[i] <= 'F' ?
		    (char)(in[i] - 'A' + 'a') : in[i];
	hash[i] = '\0';
	return valid_domain_hash(hash) ? 0 : -1;
}

void
page_domains_add(struct page *p)
{
	struct page_form f;
	const char *domain, *label = NULL, *by;
	char hash[CRYPT_SHA256_HEX];
	int by_hash;

	memset(&f, 0, sizeof(f));
	by = http_param(p->h, "by");
	by_hash = by != NULL && strcmp(by, "hash") == 0;
	f.v[DOM_DOMAIN] = page_param(p, "domain");
	f.v[DOM_HASH] = page_param(p, "hash");
	f.v[DOM_NAME] = page_param(p, "name");
	if (by_hash) {
		if (page_domains_hash_text(f.v[DOM_HASH], hash) != 0) {
			f.error = "A domain hash is 64 hexadecimal digits "
			    "(a SHA-256).";
			f.bad = "hash";
		} else {
			label = domains_default_label(p->a, hash);
		}
	} else if ((domain = page_domains_text(p, f.v[DOM_DOMAIN],
	    &f.error)) != NULL) {
		label = domains_hash(p->a, domain, hash);
	} else {
		f.bad = "domain";
	}
	if (f.error == NULL && !domains_label_ok(f.v[DOM_NAME])) {
		f.error = arena_printf(p->a, "The label must be "
		    "printable text of at most %d characters.",
		    DOMAINS_LABEL_MAX);
		f.bad = "name";
	}
	if (f.error != NULL) {
		page_domains_page(p, 400, &f, by_hash);
		return;
	}
	if (*f.v[DOM_NAME] != '\0')
		label = f.v[DOM_NAME];
	switch (domains_add(p->a, p->s.provider_id, hash, label,
	    page_actor(p))) {
	case DB_OK:
	case DB_REACTIVATED:
		page_redirect(p, "/account/domains?m=domain-added");
		return;
	case DB_EXISTS:
		page_redirect(p, "/account/domains?m=domain-exists");
		return;
	default:
		page_failed(p);
		return;
	}
}

void
page_domains_delete(struct page *p)
{
	long id;
	int links;

	if (!valid_int(http_param(p->h, "id"), 1, LONG_MAX, &id)) {
		page_message(p, 400, "Bad request", "That is not a domain.");
		return;
	}
	switch (domains_delete(p->a, p->s.provider_id, id, page_actor(p),
	    &links)) {
	case DB_OK:
		log_info("account: %s deleted domain %ld", p->s.provider, id);
		page_redirect(p, arena_printf(p->a,
		    "/account/domains?m=domain-deleted&n=%d", links));
		return;
	case DB_NOT_FOUND:
		page_redirect(p, "/account/domains?m=domain-gone");
		return;
	default:
		page_failed(p);
		return;
	}
}
