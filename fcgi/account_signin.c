#include "account_page.h"
#include "account_signin.h"
#include "html.h"
#include "log.h"
#include "providers.h"
#include "sessions.h"

static void
acct_signin_page(struct acct *a, int status, const char *code,
    const char *error)
{
	const char *token;

	token = sessions_signin_token(a->h);
	acct_begin(a, status, "Sign in", NULL);
	buf_puts(a->b, "<section class=\"card narrow signin\">\n"
	    "<h1>Sign in</h1>\n<p class=\"lead\">Create limited links for "
	    "your Happ subscriptions, see which devices hold them, free "
	    "their slots.</p>\n");
	if (error != NULL)
		html_flash(a->b, "error", error);
	else
		acct_flash_from_query(a);
	buf_puts(a->b, "<form method=\"post\" action=\"/account/signin\" "
	    "class=\"stack\" novalidate>");
	html_csrf(a->b, token);
	html_printf(a->b, "\n<label for=\"code\">Provider code</label>\n"
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
	html_end(a->b);
}

void
acct_home(struct acct *a)
{
	struct session s;

	switch (sessions_load(a->h, &s)) {
	case SESSIONS_OK:
		acct_redirect(a, "/account/links");
		return;
	case SESSIONS_DOWN:
		acct_db_error(a, "session");
		return;
	case SESSIONS_NONE:
		break;
	}
	acct_signin_page(a, 200, NULL, NULL);
}

void
acct_signin(struct acct *a)
{
	struct session old, s;
	const char *code, *key;
	long long provider_id = 0;
	int wait;

	/* the key, and the code beside it, never from the URL */
	code = acct_body_param(a, "provider_code");
	key = acct_body_param(a, "auth_key");
	if (!sessions_signin_ok(a->h)) {
		log_warn("account: sign-in from %s without a valid form token",
		    a->h->remote_addr);
		acct_signin_page(a, 403, code, "This sign-in form has expired "
		    "or did not come from this site. Please sign in again.");
		return;
	}
	wait = sessions_signin_wait(a->h);
	if (wait < 0) {
		acct_db_error(a, "signin wait");
		return;
	}
	if (wait > 0) {
		http_header(a->h, "Retry-After: %d", wait);
		acct_signin_page(a, 429, code, arena_printf(a->h->arena,
		    "Too many failed sign-ins from your address. Try again "
		    "in %d seconds.", wait));
		return;
	}
	switch (providers_auth(a->h->arena, a->h->cfg, code, key,
	    &provider_id)) {
	case PROVIDERS_AUTH_DOWN:
		acct_db_error(a, "signin");
		return;
	case PROVIDERS_AUTH_DENIED:
		wait = sessions_signin_failed(a->h);
		log_info("account: failed sign-in from %s", a->h->remote_addr);
		if (wait > 0) {
			http_header(a->h, "Retry-After: %d", wait);
			acct_signin_page(a, 429, code, arena_printf(
			    a->h->arena, "Wrong provider code or auth key. "
			    "After repeated failures this address must wait "
			    "%d seconds before trying again.", wait));
		} else {
			acct_signin_page(a, 403, code,
			    "Wrong provider code or auth key.");
		}
		return;
	case PROVIDERS_AUTH_OK:
		break;
	}
	/* a fresh token at every sign-in: none chosen before it survives */
	if (sessions_load(a->h, &old) == SESSIONS_OK)
		sessions_end(a->h, &old);
	switch (sessions_start(a->h, provider_id, &s)) {
	case SESSIONS_OK:
		log_info("account: %s signed in from %s", code,
		    a->h->remote_addr);
		acct_redirect(a, "/account/links");
		return;
	case SESSIONS_DOWN:
		acct_db_error(a, "session start");
		return;
	case SESSIONS_NONE:
		break;
	}
	acct_message(a, 500, "Cannot sign in",
	    "The session could not be started; the error was logged.");
}

void
acct_signout(struct acct *a)
{
	sessions_end(a->h, &a->s);
	a->signed_in = 0;
	acct_redirect(a, "/account/?m=signed-out");
}
