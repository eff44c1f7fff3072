#ifndef LL_PROVIDERS_H
#define LL_PROVIDERS_H

#include "arena.h"
#include "audit.h"
#include "config.h"
#include "crypt.h"
#include "db.h"
#include "valid.h"

/* Providers: their authentication, shared by the API and the web
 * account; the app's provider check; and what the operator does with
 * them (limited-links provider ...). Only the keyed hash of an auth key
 * is ever stored. */

#define PROVIDERS_CODE_TRIES	8	/* fresh codes tried on a collision */
#define PROVIDERS_NAME_MAX	255	/* bytes in a provider's name */

enum providers_auth {
	PROVIDERS_AUTH_OK = 0,
	PROVIDERS_AUTH_DENIED,	/* unknown code, wrong key, or disabled */
	PROVIDERS_AUTH_DOWN	/* the lookup failed: db_failure() says why */
};

/* Checks code and key against the stored keyed hash, in constant time.
 * On PROVIDERS_AUTH_OK stores the provider's id in *provider_id.
 * Malformed input is PROVIDERS_AUTH_DENIED without a query. */
enum providers_auth providers_auth(struct arena *a, const struct config *cfg,
    const char *code, const char *key, long long *provider_id);

/* Whether the provider with this code is active: 1, else 0 (unknown
 * providers and malformed codes too); -1 when the statement failed. */
int providers_active(struct arena *a, const char *code);

/* Whether name may name a provider: 1 to PROVIDERS_NAME_MAX bytes of
 * printable UTF-8. */
int providers_name_ok(const char *name);

/* Creates a provider called name with a fresh code and auth key, written
 * into code and key; the audit trail says who did (never the key). Returns DB_OK, DB_FAILED (db_failure() says why,
 * DB_FAIL_NONE when the random source failed), or DB_EXISTS when every
 * code drawn was taken. name must be providers_name_ok(). */
enum db_outcome providers_add(struct arena *a, const struct config *cfg,
    const char *name, const struct audit_actor *who,
    char code[VALID_PROVIDER_LEN + 1], char key[VALID_KEY_LEN + 1]);

/* Every provider, in the order they were made: stores them in *rows (in
 * arena a). Returns their number, or -1 when the statement failed. */
int providers_list(struct arena *a, struct db_provider **rows);

/* Enables or disables the provider with code, audited as who's;
 * disabling ends its web sessions. Returns DB_OK, DB_NOT_FOUND or
 * DB_FAILED. */
enum db_outcome providers_set_active(struct arena *a, const char *code,
    int active, const struct audit_actor *who);

/* Gives the provider with code a fresh auth key, written into key; the
 * old one stops working, and so do its sessions. The audit trail says
 * who did, and nothing of either key. Returns DB_OK,
 * DB_NOT_FOUND or DB_FAILED (DB_FAIL_NONE: the random source). */
enum db_outcome providers_rotate_key(struct arena *a,
    const struct config *cfg, const char *code,
    const struct audit_actor *who, char key[VALID_KEY_LEN + 1]);

#endif
