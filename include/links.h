#ifndef LL_LINKS_H
#define LL_LINKS_H

#include "arena.h"
#include "audit.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "valid.h"

/* A provider's limited links: their rules and one statement per action,
 * for the API and the web account alike. Every action is scoped to the
 * provider: another provider's link is not found; every change is done
 * by an actor, whom its statement writes into the audit trail. */

#define LINKS_LIMIT_MIN	1	/* devices a link may admit, at least */
#define LINKS_LIMIT_MAX	100	/* and at most */
#define LINKS_ACTIVE	10	/* a link's status: the app admits it */
#define LINKS_DISABLED	5	/* the app refuses it */
#define LINKS_NOTE_MAX	255	/* characters in a note */
#define LINKS_CODE_TRIES 8	/* fresh codes tried when one collides */
#define LINKS_EXPIRE_MAX 3650	/* days a link may let a silent device keep
				   its slot (0: for ever) */
#define LINKS_SELF_TOKEN_LEN 43	/* characters of a self-service token:
				   256 bits */
#define LINKS_SELF_PATH	"/my/"	/* where self-service pages live */

/* Whether s is a limit, a decimal integer from LINKS_LIMIT_MIN to
 * LINKS_LIMIT_MAX; stores it in *limit. */
int links_limit_ok(const char *s, int *limit);

/* Whether s is a status, LINKS_ACTIVE or LINKS_DISABLED in decimal;
 * stores it in *status. */
int links_status_ok(const char *s, int *status);

/* Whether note may be a link's note: printable text of at most
 * LINKS_NOTE_MAX characters ("" is one). */
int links_note_ok(const char *note);

/* Whether s is a number of days for expire_days, a decimal integer from 0
 * to LINKS_EXPIRE_MAX; stores it in *days. */
int links_expire_ok(const char *s, int *days);

/* What a link made in the web account leads to: the subscription URL
 * (normalized) and title its final link is built from, and the text the
 * app hashes as its domain, which is registered with it. */
struct links_target {
	const char	*url;
	const char	*title;
	const char	*domain;
};

/* Creates a link for provider_id with limit and expire_days (checked by
 * the caller) and note (may be NULL), and, when t is not NULL, its target: its domain
 * registered and its URL and title stored in the same statement, so that
 * nothing is left half made. code is the install code to use, or NULL to
 * draw one from the cryptographic random source (another is drawn when
 * one is taken). On DB_OK stores the link's id in *id and its code in
 * code_out. Returns DB_OK, DB_EXISTS (the code given is taken), DB_CAP
 * (the provider holds its cap of links: nothing is made, no domain
 * registered), or DB_FAILED: db_failure() says why, DB_FAIL_NONE when
 * the random source failed or no drawn code was free (logged). */
enum db_outcome links_create(struct arena *a, const struct config *cfg,
    long long provider_id, const char *code, int limit, int expire_days,
    const char *note, const struct links_target *t,
    const struct audit_actor *who, long long *id,
    char code_out[VALID_CODE_LEN + 1]);

/* Changes the provider's link id: limit and status when not 0, note when
 * not NULL, expire_days when not -1, all in one statement or none. Fills *u. Returns DB_OK,
 * DB_NOT_FOUND, DB_BELOW_COUNT (the limit is below the devices holding a
 * slot, u->install_count of them; nothing changes) or DB_FAILED. */
enum db_outcome links_update(struct arena *a, long long provider_id,
    long long id, int limit, const char *note, int status, int expire_days,
    const struct audit_actor *who, struct db_link_updated *u);

/* The provider's links, newest first: link id alone when id is not 0,
 * else those whose code or note holds search (NULL: all), at most limit
 * from offset on. Stores them (in arena a) in *rows. Returns their
 * number, or -1 when the statement failed. */
int links_list(struct arena *a, long long provider_id, long long id,
    const char *search, int limit, long offset, struct db_link **rows);

/* How many links links_list() pages through for search (NULL: all), or
 * -1 when the statement failed. */
long long links_count(struct arena *a, long long provider_id,
    const char *search);

/* The provider's link id into *link. Returns 1, 0 when it has no such
 * link, or -1 when the statement failed. */
int links_get(struct arena *a, long long provider_id, long long id,
    struct db_link *link);

/* The subscription URL and title of the provider's link id into *t (both
 * NULL for a link the API made). Returns 1, 0 when it has no such link,
 * or -1. */
int links_target(struct arena *a, long long provider_id, long long id,
    struct db_target *t);

/* Stores target t on the provider's link id and registers its domain, in
 * one statement. Returns DB_OK, DB_NOT_FOUND (nothing stored or
 * registered) or DB_FAILED. */
enum db_outcome links_set_target(struct arena *a, long long provider_id,
    long long id, const struct links_target *t,
    const struct audit_actor *who);

/* Frees every slot of the provider's link named by code and/or id (NULL
 * and 0 for none) in one statement, writing a device.released event for
 * each device and the audit row of who did it. Fills *r (the link's id,
 * the slots freed). Returns DB_OK, DB_NOT_FOUND or DB_FAILED. Not run
 * twice on a lost connection: a second run would free nothing. */
enum db_outcome links_reset(struct arena *a, long long provider_id,
    const char *code, long long id, const struct audit_actor *who,
    struct db_link_reset *r);

/* What links_self_service() does to a link's self-service page. */
enum links_self_action {
	LINKS_SELF_CREATE,	/* make one, unless there is one */
	LINKS_SELF_ROTATE,	/* make one, or give it a new URL */
	LINKS_SELF_DISABLE	/* remove it */
};

/* Acts on the self-service page of the provider's link named by code
 * and/or id, audited as who's (never the token). For CREATE and ROTATE,
 * draws a new token and writes it into token (shown only now: only its
 * SHA-256 is stored). Returns DB_OK,
 * DB_EXISTS (CREATE of a link that has one; token is then meaningless),
 * DB_NOT_FOUND, or DB_FAILED (DB_FAIL_NONE when the random source
 * failed, logged). */
enum db_outcome links_self_service(struct arena *a, long long provider_id,
    const char *code, long long id, enum links_self_action action,
    const struct audit_actor *who, char token[LINKS_SELF_TOKEN_LEN + 1]);

/* The self-service page of the provider's link id into *s. Returns 1, 0
 * when the link has none (or is not the provider's), or -1. */
int links_self_service_get(struct arena *a, long long provider_id,
    long long id, struct db_self_service *s);

/* The address of the self-service page with token: the configuration's
 * public_url, else the scheme and host h was asked on, then
 * LINKS_SELF_PATH and the token; in h's arena. Cannot fail. */
const char *links_self_url(struct http *h, const char *token);

#endif
