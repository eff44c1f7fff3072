#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "session.h"

/* Whether s looks like a token we made: SESSION_TOKEN_LEN characters of
 * CRYPT_KEYCHARS. */
static int
session_token_ok(const char *s)
{
	return s != NULL && strlen(s) == SESSION_TOKEN_LEN &&
	    strspn(s, CRYPT_KEYCHARS) == SESSION_TOKEN_LEN;
}

static void
session_cookie(struct http *h, const char *name, const char *value,
    int max_age)
{
	char age[32] = "";

	if (max_age >= 0)
		snprintf(age, sizeof(age), "; Max-Age=%d", max_age);
	http_header(h, "Set-Cookie: %s=%s; Path=%s%s; HttpOnly; "
	    "SameSite=Strict%s", name, value, SESSION_PATH, age,
	    h->https ? "; Secure" : "");
}

/* The address failed sign-ins are counted against. */
static const char *
session_addr(const struct http *h)
{
	if (h->remote_addr[0] == '\0')
		return "unknown";
	return arena_strndup(h->arena, h->remote_addr,
	    strnlen(h->remote_addr, 64));
}

int
session_cookie_hash(struct http *h, char out[CRYPT_SHA256_HEX])
{
	const char *token;

	out[0] = '\0';
	token = http_cookie(h, SESSION_COOKIE);
	if (!session_token_ok(token))
		return 0;
	crypt_sha256_hex(token, strlen(token), out);
	return 1;
}

enum session_result
session_load(struct http *h, struct session *s)
{
	struct db_res *r = NULL;
	const char *hash;
	enum session_result rc = SESSION_NONE;

	memset(s, 0, sizeof(*s));
	if (!session_cookie_hash(h, s->token_hash))
		goto out;
	hash = s->token_hash;
	r = db_exec(DB_SESSION_GET, 1, &hash);
	if (r == NULL) {
		if (db_failure() != DB_FAIL_SQL)
			rc = SESSION_DOWN;
		goto out;
	}
	if (db_rows(r) != 1)
		goto out;
	s->provider_id = strtoll(db_get(r, 0, 0), NULL, 10);
	snprintf(s->provider, sizeof(s->provider), "%s", db_get(r, 0, 1));
	snprintf(s->csrf, sizeof(s->csrf), "%s", db_get(r, 0, 2));
	rc = SESSION_OK;
out:
	db_free(r);
	return rc;
}

enum session_result
session_start(struct http *h, long long provider_id, struct session *s)
{
	struct db_res *r;
	const char *values[5];
	char token[SESSION_TOKEN_LEN + 1], provider[24], ttl[16];
	enum session_result rc = SESSION_NONE;

	memset(s, 0, sizeof(*s));
	if (crypt_random_string(token, SESSION_TOKEN_LEN, CRYPT_KEYCHARS) != 0
	    || crypt_random_string(s->csrf, SESSION_CSRF_LEN, CRYPT_ALNUM) != 0) {
		log_error("session: the random source failed");
		return SESSION_NONE;
	}
	crypt_sha256_hex(token, strlen(token), s->token_hash);
	snprintf(provider, sizeof(provider), "%lld", provider_id);
	snprintf(ttl, sizeof(ttl), "%d", h->cfg->session_ttl);
	values[0] = s->token_hash;
	values[1] = provider;
	values[2] = s->csrf;
	values[3] = ttl;
	values[4] = session_addr(h);
	r = db_exec(DB_SESSION_CREATE, 5, values);
	if (r == NULL)
		return db_failure() != DB_FAIL_SQL ? SESSION_DOWN :
		    SESSION_NONE;
	if (db_rows(r) == 1 && db_bool(r, 0, 0)) {
		s->provider_id = provider_id;
		session_cookie(h, SESSION_COOKIE, token, h->cfg->session_ttl);
		session_cookie(h, SESSION_PRE_COOKIE, "", 0);
		rc = SESSION_OK;
	}
	db_free(r);
	return rc;
}

void
session_end(struct http *h, const struct session *s)
{
	struct db_res *r;
	const char *hash;

	if (s != NULL && s->token_hash[0] != '\0') {
		hash = s->token_hash;
		r = db_exec(DB_SESSION_DELETE, 1, &hash);
		if (r == NULL)
			log_warn("session: cannot delete a session: %s",
			    db_strfail(db_failure()));
		db_free(r);
	}
	session_cookie(h, SESSION_COOKIE, "", 0);
}

int
session_csrf_ok(const struct http *h, const struct session *s)
{
	const struct param *p;

	p = http_body_param(h, "csrf");
	return p != NULL && p->count == 1 && s->csrf[0] != '\0' &&
	    crypt_equal(p->value, s->csrf);
}

/* The sign-in token for the random value pre. */
static const char *
session_signin_hash(struct http *h, const char *pre)
{
	char *out;

	out = arena_alloc(h->arena, CRYPT_SHA256_HEX);
	crypt_key_hash(h->cfg->secret, sizeof(h->cfg->secret),
	    arena_printf(h->arena, "signin:%s", pre), out);
	return out;
}

const char *
session_signin_token(struct http *h)
{
	const char *pre;
	char fresh[SESSION_TOKEN_LEN + 1];

	pre = http_cookie(h, SESSION_PRE_COOKIE);
	if (!session_token_ok(pre)) {
		if (crypt_random_string(fresh, SESSION_TOKEN_LEN,
		    CRYPT_KEYCHARS) != 0) {
			log_error("session: the random source failed");
			return "unavailable";
		}
		/* lives as long as the browser session */
		session_cookie(h, SESSION_PRE_COOKIE, fresh, -1);
		pre = arena_strdup(h->arena, fresh);
	}
	return session_signin_hash(h, pre);
}

int
session_signin_ok(struct http *h)
{
	const struct param *p;
	const char *pre;

	pre = http_cookie(h, SESSION_PRE_COOKIE);
	p = http_body_param(h, "csrf");
	return session_token_ok(pre) && p != NULL && p->count == 1 &&
	    crypt_equal(p->value, session_signin_hash(h, pre));
}

static int
session_signin_stmt(struct http *h, enum db_stmt st)
{
	struct db_res *r;
	const char *addr;
	int wait;

	addr = session_addr(h);
	r = db_exec(st, 1, &addr);
	wait = r != NULL && db_rows(r) == 1 ? db_int(r, 0, 0) : -1;
	db_free(r);
	return wait;
}

int
session_signin_wait(struct http *h)
{
	return session_signin_stmt(h, DB_SIGNIN_WAIT);
}

int
session_signin_failed(struct http *h)
{
	return session_signin_stmt(h, DB_SIGNIN_FAILED);
}
