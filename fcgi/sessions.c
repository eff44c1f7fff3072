#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "sessions.h"

/* Whether s looks like a token we made: SESSIONS_TOKEN_LEN characters of
 * CRYPT_KEYCHARS. */
static int
sessions_token_ok(const char *s)
{
	return s != NULL && strlen(s) == SESSIONS_TOKEN_LEN &&
	    strspn(s, CRYPT_KEYCHARS) == SESSIONS_TOKEN_LEN;
}

static void
sessions_cookie(struct http *h, const char *name, const char *value,
    int max_age)
{
	char age[32] = "";

	if (max_age >= 0)
		snprintf(age, sizeof(age), "; Max-Age=%d", max_age);
	http_header(h, "Set-Cookie: %s=%s; Path=%s%s; HttpOnly; "
	    "SameSite=Strict%s", name, value, SESSIONS_PATH, age,
	    h->https ? "; Secure" : "");
}

/* The address failed sign-ins are counted against. */
static const char *
sessions_addr(const struct http *h)
{
	if (h->remote_addr[0] == '\0')
		return "unknown";
	return arena_strndup(h->arena, h->remote_addr,
	    strnlen(h->remote_addr, 64));
}

int
sessions_cookie_hash(struct http *h, char out[CRYPT_SHA256_HEX])
{
	const char *token;

	out[0] = '\0';
	token = http_cookie(h, SESSIONS_COOKIE);
	if (!sessions_token_ok(token))
		return 0;
	crypt_sha256_hex(token, strlen(token), out);
	return 1;
}

enum sessions_result
sessions_load(struct http *h, struct session *s)
{
	struct db_session row;
	const char *v[1];

	memset(s, 0, sizeof(*s));
	if (!sessions_cookie_hash(h, s->token_hash))
		return SESSIONS_NONE;
	v[0] = s->token_hash;
	switch (DB_ONE(h->arena, DB_SESSION_GET, v, &row)) {
	case 1:
		break;
	case 0:
		return SESSIONS_NONE;
	default:
		return db_failure() != DB_FAIL_SQL ? SESSIONS_DOWN :
		    SESSIONS_NONE;
	}
	s->provider_id = row.provider_id;
	snprintf(s->provider, sizeof(s->provider), "%s",
	    row.provider_code != NULL ? row.provider_code : "");
	snprintf(s->csrf, sizeof(s->csrf), "%s",
	    row.csrf != NULL ? row.csrf : "");
	return SESSIONS_OK;
}

enum sessions_result
sessions_start(struct http *h, long long provider_id, struct session *s)
{
	struct db_found made;
	char token[SESSIONS_TOKEN_LEN + 1];
	const char *v[5];

	memset(s, 0, sizeof(*s));
	if (crypt_random_string(token, SESSIONS_TOKEN_LEN,
	    CRYPT_KEYCHARS) != 0 || crypt_random_string(s->csrf,
	    SESSIONS_CSRF_LEN, CRYPT_ALNUM) != 0) {
		log_error("sessions: the random source failed");
		return SESSIONS_NONE;
	}
	crypt_sha256_hex(token, strlen(token), s->token_hash);
	v[0] = s->token_hash;
	v[1] = arena_printf(h->arena, "%lld", provider_id);
	v[2] = s->csrf;
	v[3] = arena_printf(h->arena, "%d", h->cfg->session_ttl);
	v[4] = sessions_addr(h);
	if (DB_ONE(h->arena, DB_SESSION_CREATE, v, &made) < 0)
		return db_failure() != DB_FAIL_SQL ? SESSIONS_DOWN :
		    SESSIONS_NONE;
	if (!made.found)
		return SESSIONS_NONE;
	s->provider_id = provider_id;
	sessions_cookie(h, SESSIONS_COOKIE, token, h->cfg->session_ttl);
	sessions_cookie(h, SESSIONS_PRE_COOKIE, "", 0);
	return SESSIONS_OK;
}

void
sessions_end(struct http *h, const struct session *s)
{
	struct db_found gone;
	const char *v[1];

	/* a failure is db.c's to log; the cookie goes all the same */
	if (s != NULL && s->token_hash[0] != '\0') {
		v[0] = s->token_hash;
		DB_ONE(h->arena, DB_SESSION_DELETE, v, &gone);
	}
	sessions_cookie(h, SESSIONS_COOKIE, "", 0);
}

int
sessions_csrf_ok(const struct http *h, const struct session *s)
{
	const struct param *p;

	p = http_body_param(h, "csrf");
	return p != NULL && p->count == 1 && s->csrf[0] != '\0' &&
	    crypt_equal(p->value, s->csrf);
}

/* The sign-in token for the random value pre. */
static const char *
sessions_signin_hash(struct http *h, const char *pre)
{
	char *out;

	out = arena_alloc(h->arena, CRYPT_SHA256_HEX);
	crypt_key_hash(h->cfg->secret, sizeof(h->cfg->secret),
	    arena_printf(h->arena, "signin:%s", pre), out);
	return out;
}

const char *
sessions_signin_token(struct http *h)
{
	const char *pre;
	char fresh[SESSIONS_TOKEN_LEN + 1];

	pre = http_cookie(h, SESSIONS_PRE_COOKIE);
	if (!sessions_token_ok(pre)) {
		if (crypt_random_string(fresh, SESSIONS_TOKEN_LEN,
		    CRYPT_KEYCHARS) != 0) {
			log_error("sessions: the random source failed");
			return "unavailable";
		}
		/* lives as long as the browser session */
		sessions_cookie(h, SESSIONS_PRE_COOKIE, fresh, -1);
		pre = arena_strdup(h->arena, fresh);
	}
	return sessions_signin_hash(h, pre);
}

int
sessions_signin_ok(struct http *h)
{
	const struct param *p;
	const char *pre;

	pre = http_cookie(h, SESSIONS_PRE_COOKIE);
	p = http_body_param(h, "csrf");
	return sessions_token_ok(pre) && p != NULL && p->count == 1 &&
	    crypt_equal(p->value, sessions_signin_hash(h, pre));
}

static int
sessions_signin_stmt(struct http *h, enum db_stmt st)
{
	struct db_number wait;
	const char *v[1];

	v[0] = sessions_addr(h);
	return DB_ONE(h->arena, st, v, &wait) == 1 ? wait.value : -1;
}

int
sessions_signin_wait(struct http *h)
{
	return sessions_signin_stmt(h, DB_SIGNIN_WAIT);
}

int
sessions_signin_failed(struct http *h)
{
	return sessions_signin_stmt(h, DB_SIGNIN_FAILED);
}
