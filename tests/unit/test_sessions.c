/* The parts of sessions that need no database: cookie attributes, the
 * CSRF checks and the session cookie's hash. */
#include <string.h>

#include "arena.h"
#include "config.h"
#include "http.h"
#include "sessions.h"
#include "testhelp.h"

static struct arena *A;
static struct config cfg;

static void
request(struct http *h, char **envp, const char *body)
{
	http_init(h, A, envp);
	h->cfg = &cfg;
	if (body != NULL)
		http_add_body(h, body, strlen(body));
}

static void
test_signin_cookie(void)
{
	char *plain[] = { "REQUEST_METHOD=GET", "DOCUMENT_URI=/account/", NULL };
	char *tls[] = { "REQUEST_METHOD=GET", "DOCUMENT_URI=/account/",
	    "HTTPS=on", NULL };
	struct http h;
	const char *tok;

	TEST("signin token: sets its cookie with the right attributes");
	request(&h, plain, NULL);
	tok = sessions_signin_token(&h);
	ASSERT(strlen(tok) == 64);
	ASSERT(strncmp(h.headers.data, "Set-Cookie: ll_signin=", 22) == 0);
	ASSERT(strstr(h.headers.data, "; Path=/account/; HttpOnly; "
	    "SameSite=Strict\r\n") != NULL);
	ASSERT(strstr(h.headers.data, "Secure") == NULL);

	TEST("signin token: Secure over TLS");
	request(&h, tls, NULL);
	sessions_signin_token(&h);
	ASSERT(strstr(h.headers.data, "HttpOnly; SameSite=Strict; Secure\r\n")
	    != NULL);
}

static void
test_signin_check(void)
{
	char *first[] = { "REQUEST_METHOD=GET", NULL };
	char cookie[128], *envp[3];
	struct http h;
	const char *tok, *set, *end;
	char *body, *other;

	request(&h, first, NULL);
	tok = sessions_signin_token(&h);
	set = h.headers.data + strlen("Set-Cookie: ");
	end = strchr(set, ';');
	snprintf(cookie, sizeof(cookie), "HTTP_COOKIE=a=b; %.*s",
	    (int)(end - set), set);
	envp[0] = "REQUEST_METHOD=POST";
	envp[1] = cookie;
	envp[2] = NULL;

	TEST("signin check: the token of this cookie passes");
	body = arena_printf(A, "csrf=%s&provider_code=x", tok);
	request(&h, envp, body);
	ASSERT(sessions_signin_ok(&h));
	ASSERT(h.headers.len == 0);

	TEST("signin check: no token, another token, two tokens fail");
	request(&h, envp, "provider_code=x");
	ASSERT(!sessions_signin_ok(&h));
	other = arena_strdup(A, tok);
	other[63] = other[63] == '0' ? '1' : '0';
	request(&h, envp, arena_printf(A, "csrf=%s", other));
	ASSERT(!sessions_signin_ok(&h));
	request(&h, envp, arena_printf(A, "csrf=%s&csrf=%s", tok, tok));
	ASSERT(!sessions_signin_ok(&h));

	TEST("signin check: the token without its cookie fails");
	request(&h, first, arena_printf(A, "csrf=%s", tok));
	ASSERT(!sessions_signin_ok(&h));
}

static void
test_csrf(void)
{
	char *envp[] = { "REQUEST_METHOD=POST", NULL };
	struct session s;
	struct http h;

	memset(&s, 0, sizeof(s));
	snprintf(s.csrf, sizeof(s.csrf), "%s",
	    "abcdefghijklmnopqrstuvwxyz012345");

	TEST("csrf: the session's token passes, anything else fails");
	request(&h, envp, "csrf=abcdefghijklmnopqrstuvwxyz012345");
	ASSERT(sessions_csrf_ok(&h, &s));
	request(&h, envp, "csrf=abcdefghijklmnopqrstuvwxyz01234");
	ASSERT(!sessions_csrf_ok(&h, &s));
	request(&h, envp, "note=x");
	ASSERT(!sessions_csrf_ok(&h, &s));
	request(&h, envp, "csrf=");
	ASSERT(!sessions_csrf_ok(&h, &s));
	memset(&s, 0, sizeof(s));
	ASSERT(!sessions_csrf_ok(&h, &s));
}

static void
test_cookie_hash(void)
{
	char *good[] = { "HTTP_COOKIE=a=b; ll_session="
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN-_0; c=d", NULL };
	char *short_[] = { "HTTP_COOKIE=ll_session="
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN-_", NULL };
	char *bad[] = { "HTTP_COOKIE=ll_session="
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN-_.", NULL };
	char *none[] = { "HTTP_COOKIE=ll_signin="
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN-_0", NULL };
	char hash[CRYPT_SHA256_HEX], want[CRYPT_SHA256_HEX];
	struct http h;

	TEST("cookie hash: the SHA-256 of a well-formed session token");
	request(&h, good, NULL);
	crypt_sha256_hex("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN-_0", 43,
	    want);
	ASSERT(sessions_cookie_hash(&h, hash) == 1);
	ASSERT_STR(hash, want);

	TEST("cookie hash: none for a short, odd or missing token");
	request(&h, short_, NULL);
	ASSERT(sessions_cookie_hash(&h, hash) == 0 && hash[0] == '\0');
	request(&h, bad, NULL);
	ASSERT(sessions_cookie_hash(&h, hash) == 0 && hash[0] == '\0');
	request(&h, none, NULL);
	ASSERT(sessions_cookie_hash(&h, hash) == 0 && hash[0] == '\0');
}

int
main(void)
{
	A = arena_new();
	config_defaults(&cfg);
	memset(cfg.secret, 7, sizeof(cfg.secret));
	test_signin_cookie();
	test_signin_check();
	test_csrf();
	test_cookie_hash();
	arena_free(A);
	return TEST_REPORT("sessions");
}
