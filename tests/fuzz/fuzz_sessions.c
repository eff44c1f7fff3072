/* Session cookies and CSRF tokens: fcgi/sessions.c, the parts that need no
 * database.
 *
 * The input is five lines: the Cookie header, the query string, the
 * urlencoded body, the CSRF token the session holds, and "on" for a
 * request over TLS. A cookie is taken only when it is a token this server
 * could have made, a CSRF check passes only for exactly the right token
 * given once and in the body, and the sign-in token handed out with a
 * fresh cookie validates. */

#include "config.h"
#include "crypt.h"
#include "fuzzhelp.h"
#include "http.h"
#include "sessions.h"

static struct arena *A;
static struct config cfg;

static int
token_ok(const char *s)
{
	return s != NULL && strlen(s) == SESSIONS_TOKEN_LEN &&
	    strspn(s, CRYPT_KEYCHARS) == SESSIONS_TOKEN_LEN;
}

/* The csrf parameter when it was given exactly once, in the body alone,
 * else NULL: a token in the query string would land in access logs. */
static const char *
csrf_param(const struct http *h)
{
	const struct param *p = params_find(&h->params, "csrf");

	return p != NULL && p->count == 1 && p->from == PARAMS_BODY ?
	    p->value : NULL;
}

static void
request(struct http *h, const char *cookie, const char *query,
    const char *body, size_t blen, int tls)
{
	char **envp;

	envp = arena_alloc(A, 5 * sizeof(*envp));
	envp[0] = arena_printf(A, "HTTP_COOKIE=%s", cookie);
	envp[1] = "REQUEST_METHOD=POST";
	envp[2] = arena_printf(A, "QUERY_STRING=%s", query);
	envp[3] = tls ? "HTTPS=on" : NULL;
	envp[4] = NULL;
	http_init(h, A, envp);
	h->cfg = &cfg;
	http_add_body(h, body, blen);
}

/* The sign-in token that goes with the sign-in cookie pre. */
static const char *
signin_hash(const char *pre)
{
	char *out = arena_alloc(A, CRYPT_SHA256_HEX);

	crypt_key_hash(cfg.secret, sizeof(cfg.secret),
	    arena_printf(A, "signin:%s", pre), out);
	return out;
}

static void
check_cookie_hash(struct http *h)
{
	char got[CRYPT_SHA256_HEX], want[CRYPT_SHA256_HEX];
	const char *token;

	token = http_cookie(h, SESSIONS_COOKIE);
	if (token_ok(token)) {
		FUZZ_CHECK(sessions_cookie_hash(h, got) == 1);
		crypt_sha256_hex(token, strlen(token), want);
		FUZZ_CHECK_STR(got, want);
	} else {
		FUZZ_CHECK(sessions_cookie_hash(h, got) == 0);
		FUZZ_CHECK(got[0] == '\0');
	}
}

static void
check_csrf(struct http *h, const char *stored)
{
	struct session s;
	const char *given;

	memset(&s, 0, sizeof(s));
	snprintf(s.csrf, sizeof(s.csrf), "%s", stored);
	given = csrf_param(h);
	FUZZ_CHECK(sessions_csrf_ok(h, &s) == (given != NULL &&
	    s.csrf[0] != '\0' && strcmp(given, s.csrf) == 0));
}

static void
check_signin(struct http *h, int tls)
{
	const char *pre, *given, *tok, *line, *fresh;
	struct http again;
	size_t before;
	int want;

	pre = http_cookie(h, SESSIONS_PRE_COOKIE);
	given = csrf_param(h);
	want = token_ok(pre) && given != NULL &&
	    strcmp(given, signin_hash(pre)) == 0;
	FUZZ_CHECK(sessions_signin_ok(h) == want);

	before = h->headers.len;
	tok = sessions_signin_token(h);
	FUZZ_CHECK(strlen(tok) == CRYPT_SHA256_HEX - 1);
	if (token_ok(pre)) {
		/* the cookie stays: the form gets its token */
		FUZZ_CHECK(h->headers.len == before);
		FUZZ_CHECK_STR(tok, signin_hash(pre));
		return;
	}
	/* a fresh cookie, with every attribute, whose token validates */
	line = h->headers.data + before;
	FUZZ_CHECK(strncmp(line, "Set-Cookie: " SESSIONS_PRE_COOKIE "=",
	    strlen("Set-Cookie: " SESSIONS_PRE_COOKIE "=")) == 0);
	fresh = arena_strndup(A, line + strlen("Set-Cookie: "
	    SESSIONS_PRE_COOKIE "="), SESSIONS_TOKEN_LEN);
	FUZZ_CHECK(token_ok(fresh));
	FUZZ_CHECK_STR(line + strlen("Set-Cookie: " SESSIONS_PRE_COOKIE "=") +
	    SESSIONS_TOKEN_LEN, tls ? "; Path=" SESSIONS_PATH "; HttpOnly; "
	    "SameSite=Strict; Secure\r\n" : "; Path=" SESSIONS_PATH
	    "; HttpOnly; SameSite=Strict\r\n");
	FUZZ_CHECK_STR(tok, signin_hash(fresh));
	request(&again, arena_printf(A, SESSIONS_PRE_COOKIE "=%s", fresh), "",
	    arena_printf(A, "csrf=%s", tok), strlen("csrf=") + strlen(tok),
	    tls);
	FUZZ_CHECK(sessions_signin_ok(&again));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	const char *cookie, *query, *body, *stored;
	struct http h;
	size_t blen;
	int tls;

	if (A == NULL) {
		A = arena_new();
		config_defaults(&cfg);
		memset(cfg.secret, 0x5a, sizeof(cfg.secret));
	}
	cookie = fuzz_field(A, &in, '\n', NULL);
	query = fuzz_field(A, &in, '\n', NULL);
	body = (const char *)in.p;
	fuzz_field(A, &in, '\n', &blen);
	stored = fuzz_field(A, &in, '\n', NULL);
	tls = strcmp(fuzz_field(A, &in, '\n', NULL), "on") == 0;

	request(&h, cookie, query, body, blen, tls);
	check_cookie_hash(&h);
	check_csrf(&h, stored);
	check_signin(&h, tls);

	/* signing out without a session only clears the cookie */
	request(&h, cookie, query, body, blen, tls);
	sessions_end(&h, NULL);
	FUZZ_CHECK_STR(h.headers.data, tls ? "Set-Cookie: " SESSIONS_COOKIE
	    "=; Path=" SESSIONS_PATH "; Max-Age=0; HttpOnly; SameSite=Strict; "
	    "Secure\r\n" : "Set-Cookie: " SESSIONS_COOKIE "=; Path="
	    SESSIONS_PATH "; Max-Age=0; HttpOnly; SameSite=Strict\r\n");
	arena_reset(A);
	return 0;
}
