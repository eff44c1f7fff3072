#include "html.h"
#include "log.h"
#include "page.h"
#include "page_signin.h"
#include "providers.h"
#include "sessions.h"

static void
page_signin_page(struct page *p, int status, const char *code,
    const char *error)
{
	const char *token;

	token = sessions_signin_token(p->h);
	page_begin(p, status, "Sign in", NULL);
	buf_puts(p->b, "<section class=\"card narrow signin\">\n"
	    "<h1>Sign in</h1>\n<p class=\"lead\">Create limited links for "
	    "your Happ subscriptions, see which devices hold them, free "
	    "their slots.</p>\n");
	if (error != NULL)
		html_flash(p->b, "error", error);
	else
		page_flash_from_query(p);
	buf_puts(p->b, "<form method=\"post\" action=\"/account/signin\" "
	    "class=\"stack\" novalidate>");
	html_csrf(p->b, token);
	html_printf(p->b, "\n<label for=\"code\">Provider code</label>\n"
	    "<input id=\"code\" name=\"provider_code\" value=\"%s\" "
	    "maxlength=\"8\" autocomplete=\"username\" autocapitalize=\"off\" "
	    "spellcheck=\"false\" required%s>\n"
	    "<label for=\"key\">Auth key</label>\n"
	    "<input id=\"key\" name=\"auth_key\" type=\"password\" "
	    "maxlength=\"32\" autocomplete=\"current-password\" required%s>\n"
	    "<button type=\"submit\" class=\"primary\">Sign in</button>\n"
	    "</form>\n<p class=\"hint\">The provider code and auth key are "
	    "the ones your tools use with the API. The server's operator "
	    "creates them with <code>scripts/provider add</code>.</p>\n"
	    "</section>\n", code != NULL ? code : "",
	    code == NULL || *code == '\0' ? " autofocus" : "",
	    code != NULL && *code != '\0' ? " autofocus" : "");
	html_end(p->b);
}

/* Answers a session that r says is there (on to the links) or could not
 * be looked at; returns 0, having answered nothing, when there is none. */
static int
page_signin_onward(struct page *p, enum sessions_result r)
{
	if (r == SESSIONS_OK)
		page_redirect(p, "/account/links");
	else if (r == SESSIONS_DOWN)
		page_failed(p);
	return r != SESSIONS_NONE;
}

void
page_signin_home(struct page *p)
{
	struct session s;

	if (!page_signin_onward(p, sessions_load(p->h, &s)))
		page_signin_page(p, 200, NULL, NULL);
}

void
page_signin_post(struct page *p)
{
	struct session old, s;
	enum sessions_result r;
	const char *code, *key;
	long long provider_id = 0;
	int wait;

	/* the key, and the code beside it, never from the URL */
	code = page_body_param(p, "provider_code");
	key = page_body_param(p, "auth_key");
	if (!sessions_signin_ok(p->h)) {
		log_warn("account: sign-in from %s without a valid form token",
		    p->h->remote_addr);
		page_signin_page(p, 403, code, "This sign-in form has expired "
		    "or did not come from this site. Please sign in again.");
		return;
	}
	wait = sessions_signin_wait(p->h);
	if (wait < 0) {
		page_failed(p);
		return;
	}
	if (wait > 0) {
		http_header(p->h, "Retry-After: %d", wait);
		page_signin_page(p, 429, code, arena_printf(p->a,
		    "Too many failed sign-ins from your address. Try again "
		    "in %d seconds.", wait));
		return;
	}
	switch (providers_auth(p->a, p->h->cfg, code, key, &provider_id)) {
	case PROVIDERS_AUTH_DOWN:
		page_failed(p);
		return;
	case PROVIDERS_AUTH_DENIED:
		wait = sessions_signin_failed(p->h);
		log_info("account: failed sign-in from %s", p->h->remote_addr);
		if (wait > 0) {
			http_header(p->h, "Retry-After: %d", wait);
			page_signin_page(p, 429, code, arena_printf(
			    p->a, "Wrong provider code or auth key. "
			    "After repeated failures this address must wait "
			    "%d seconds before trying again.", wait));
		} else {
			page_signin_page(p, 403, code,
			    "Wrong provider code or auth key.");
		}
		return;
	case PROVIDERS_AUTH_OK:
		break;
	}
	/* a fresh token at every sign-in: none chosen before it survives */
	if (sessions_load(p->h, &old) == SESSIONS_OK)
		sessions_end(p->h, &old);
	r = sessions_start(p->h, provider_id, &s);
	if (r == SESSIONS_OK)
		log_info("account: %s signed in from %s", code,
		    p->h->remote_addr);
	if (!page_signin_onward(p, r))
		page_message(p, 500, "Cannot sign in",
		    "The session could not be started; the error was logged.");
}

void
page_signin_out(struct page *p)
{
	sessions_end(p->h, &p->s);
	p->signed_in = 0;
	page_redirect(p, "/account/?m=signed-out");
}
