#include <string.h>

#include "domains.h"
#include "valid.h"

int
domains_label_ok(const char *label)
{
	return valid_text(label, DOMAINS_LABEL_MAX);
}

const char *
domains_default_label(struct arena *a, const char *hash)
{
	return arena_strndup(a, hash, strnlen(hash, DOMAINS_LABEL_HASH));
}

const char *
domains_hash(struct arena *a, const char *domain,
    char hash[CRYPT_SHA256_HEX])
{
	crypt_sha256_hex(domain, strlen(domain), hash);
	return valid_clean_text(a, domain, DOMAINS_LABEL_MAX);
}

enum db_outcome
domains_add(struct arena *a, long long provider_id, const char *hash,
    const char *label, const struct audit_actor *who)
{
	struct db_outcome_row r;
	const char *v[3 + AUDIT_PARAMS] = { arena_printf(a, "%lld",
	    provider_id), hash, label };

	audit_values(who, v + 3);

	if (DB_ONE(a, DB_DOMAIN_ADD, v, &r) != 1)
		return DB_FAILED;
	return r.outcome;
}

int
domains_list(struct arena *a, long long provider_id, struct db_domain **rows)
{
	const char *v[] = { arena_printf(a, "%lld", provider_id) };

	return DB_ALL(a, DB_DOMAIN_LIST, v, rows);
}

enum db_outcome
domains_delete(struct arena *a, long long provider_id, long long id,
    const struct audit_actor *who, int *links)
{
	struct db_domain_deleted r;
	const char *v[2 + AUDIT_PARAMS] = { arena_printf(a, "%lld",
	    provider_id), arena_printf(a, "%lld", id) };

	audit_values(who, v + 2);

	*links = 0;
	if (DB_ONE(a, DB_DOMAIN_DELETE, v, &r) != 1)
		return DB_FAILED;
	*links = r.links;
	return r.found ? DB_OK : DB_NOT_FOUND;
}
