#ifndef LL_DOMAINS_H
#define LL_DOMAINS_H

#include "arena.h"
#include "audit.h"
#include "crypt.h"
#include "db.h"

/* A provider's domains: the SHA-256 hashes of the subscription domains
 * the app may admit its links through, each with a label for the
 * provider's eyes. The rules of a domain, and one statement per action,
 * for the API and the web account alike. */

#define DOMAINS_LABEL_MAX	255	/* characters in a label */
#define DOMAINS_LABEL_HASH	10	/* hash characters of a default label */

/* Whether label may label a domain: printable text of at most
 * DOMAINS_LABEL_MAX characters ("" is one). */
int domains_label_ok(const char *label);

/* The label of a domain registered without one: the first
 * DOMAINS_LABEL_HASH characters of its hash, in arena a. Cannot fail. */
const char *domains_default_label(struct arena *a, const char *hash);

/* For domain, the text the app hashes (a host and any :port): writes its
 * hash into hash and returns the label it is registered with, the domain
 * itself made fit to store, in arena a. Cannot fail. */
const char *domains_hash(struct arena *a, const char *domain,
    char hash[CRYPT_SHA256_HEX]);

/* Registers hash, labelled label, for the provider; a registration that
 * changes something goes into the audit trail as who's. Returns DB_OK (new),
 * DB_REACTIVATED (it had been deleted; it takes the new label),
 * DB_EXISTS (active already; nothing changes) or DB_FAILED (db_failure()
 * says why). Not run twice on a lost connection: a second run would
 * answer DB_EXISTS. */
enum db_outcome domains_add(struct arena *a, long long provider_id,
    const char *hash, const char *label, const struct audit_actor *who);

/* The provider's active domains, newest first: stores them (in arena a)
 * in *rows. Returns their number, or -1 when the statement failed. */
int domains_list(struct arena *a, long long provider_id,
    struct db_domain **rows);

/* Deletes the provider's active domain id, audited as who's: the app
 * refuses its links through it from then on. Stores in *links how many of the provider's
 * active links hold devices admitted through it. Returns DB_OK,
 * DB_NOT_FOUND (no such active domain of the provider) or DB_FAILED. Not
 * run twice on a lost connection: a second run would answer
 * DB_NOT_FOUND. */
enum db_outcome domains_delete(struct arena *a, long long provider_id,
    long long id, const struct audit_actor *who, int *links);

#endif
