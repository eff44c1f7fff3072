#ifndef LL_SESSIONS_H
#define LL_SESSIONS_H

#include "crypt.h"
#include "http.h"
#include "valid.h"

/* Web account sessions: a random token in an HttpOnly cookie, of which
 * PostgreSQL keeps only the SHA-256; a CSRF token per session that every
 * form carries; and the slowing down of failed sign-ins per address. */

#define SESSIONS_COOKIE		"ll_session"
#define SESSIONS_PRE_COOKIE	"ll_signin"	/* binds the sign-in form */
#define SESSIONS_TOKEN_LEN	43	/* characters of a token: 256 bits */
#define SESSIONS_CSRF_LEN	32	/* characters of a CSRF token */
#define SESSIONS_PATH		"/account/"	/* where the cookies go */

struct session {
	long long	 provider_id;
	char		 provider[VALID_PROVIDER_LEN + 1];	/* its code */
	char		 csrf[SESSIONS_CSRF_LEN + 1];
	char		 token_hash[CRYPT_SHA256_HEX];
};

enum sessions_result {
	SESSIONS_OK = 0,
	SESSIONS_NONE,	/* no cookie, or an unknown or expired session */
	SESSIONS_DOWN	/* the database is unreachable or busy */
};

/* Writes into out the SHA-256 (hex) of the session token in h's cookie,
 * the key PostgreSQL knows the session by. Returns 1; 0 with out empty
 * when there is no session cookie or its value is not a token this server
 * could have made. Pure: reads only the request. */
int sessions_cookie_hash(struct http *h, char out[CRYPT_SHA256_HEX]);

/* Finds the live session of h's cookie and fills s. Returns SESSIONS_OK;
 * SESSIONS_NONE for no cookie, an unknown or expired session, or a failed
 * statement (logged by db.c); SESSIONS_DOWN when the database is
 * unreachable or busy. */
enum sessions_result sessions_load(struct http *h, struct session *s);

/* Starts a session for provider_id: stores it, forgets the failed
 * sign-ins of h's address in the same statement, sets the cookie on h's
 * answer and fills s. Returns SESSIONS_OK, SESSIONS_DOWN (the database is
 * unreachable or busy), or SESSIONS_NONE when the provider is no longer
 * active, the statement failed (logged by db.c) or the random source
 * fails. */
enum sessions_result sessions_start(struct http *h, long long provider_id,
    struct session *s);

/* Ends the session (s may be NULL: then only the cookie) and clears the
 * cookie on h's answer. On a database failure (logged by db.c) the
 * cookie is cleared all the same. */
void sessions_end(struct http *h, const struct session *s);

/* Whether h carries s's CSRF token once in its form body's "csrf"
 * parameter (compared in constant time); a token in the query string does
 * not count. */
int sessions_csrf_ok(const struct http *h, const struct session *s);

/* The CSRF token of the sign-in form: a keyed hash of a random token kept
 * in a cookie of its own, which this sets on h's answer when missing.
 * Returns a string in h's arena. Cannot fail: without randomness the form
 * gets a token that never validates. */
const char *sessions_signin_token(struct http *h);

/* Whether h's form body carries, once, the sign-in token for its cookie
 * in "csrf"; a token in the query string does not count. */
int sessions_signin_ok(struct http *h);

/* Seconds the address of h must wait before it may try to sign in: 0 now,
 * -1 when the database is unreachable. */
int sessions_signin_wait(struct http *h);

/* Counts a failed sign-in from h's address; returns the seconds it must
 * now wait (0 while under the threshold), or -1 on a database failure. */
int sessions_signin_failed(struct http *h);

#endif
