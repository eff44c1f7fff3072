#include <string.h>

#include "providers.h"

/* The provider_add statement's SQLSTATE for a code taken already. */
#define PROVIDERS_TAKEN	"23505"

enum providers_auth
providers_auth(struct arena *a, const struct config *cfg, const char *code,
    const char *key, long long *provider_id)
{
	struct db_auth p;
	const char *v[] = { code };
	char hash[CRYPT_SHA256_HEX];
	int found;

	if (!valid_provider_code(code) || !valid_auth_key(key))
		return PROVIDERS_AUTH_DENIED;
	found = DB_ONE(a, DB_AUTH, v, &p);
	if (found < 0)
		return PROVIDERS_AUTH_DOWN;
	/* hash even when the code is unknown, so timing tells nothing */
	crypt_key_hash(cfg->secret, sizeof(cfg->secret), key, hash);
	if (found == 0 || p.key_hash == NULL ||
	    !crypt_equal(hash, p.key_hash) || p.status != 1)
		return PROVIDERS_AUTH_DENIED;
	*provider_id = p.id;
	return PROVIDERS_AUTH_OK;
}

int
providers_active(struct arena *a, const char *code)
{
	struct db_number st;
	const char *v[] = { code };

	if (!valid_provider_code(code))
		return 0;
	if (DB_ONE(a, DB_PROVIDER_STATUS, v, &st) < 0)
		return -1;
	return st.value == 1;
}

/* A fresh auth key and its keyed hash. Returns 0, or -1 when the random
 * source fails. */
static int
providers_new_key(const struct config *cfg, char key[VALID_KEY_LEN + 1],
    char hash[CRYPT_SHA256_HEX])
{
	if (crypt_random_string(key, VALID_KEY_LEN, CRYPT_KEYCHARS) != 0)
		return -1;
	crypt_key_hash(cfg->secret, sizeof(cfg->secret), key, hash);
	return 0;
}

int
providers_name_ok(const char *name)
{
	return valid_utf8_text(name) && strlen(name) > 0 &&
	    strlen(name) <= PROVIDERS_NAME_MAX;
}

enum db_outcome
providers_add(struct arena *a, const struct config *cfg, const char *name,
    const struct audit_actor *who, char code[VALID_PROVIDER_LEN + 1],
    char key[VALID_KEY_LEN + 1])
{
	struct db_id made;
	char hash[CRYPT_SHA256_HEX];
	const char *v[4 + AUDIT_PARAMS] = { code, name, hash, NULL };
	int i;

	audit_values(who, v + 4);

	if (providers_new_key(cfg, key, hash) != 0)
		return DB_FAILED;
	for (i = 0; i < PROVIDERS_CODE_TRIES; i++) {
		if (crypt_random_string(code, VALID_PROVIDER_LEN,
		    CRYPT_ALNUM) != 0)
			return DB_FAILED;
		if (DB_ONE(a, DB_PROVIDER_ADD, v, &made) == 1)
			return DB_OK;
		if (strcmp(db_sqlstate(), PROVIDERS_TAKEN) != 0)
			return DB_FAILED;
	}
	return DB_EXISTS;
}

int
providers_list(struct arena *a, struct db_provider **rows)
{
	return db_all(a, DB_PROVIDER_LIST, 0, NULL, rows, sizeof(**rows));
}

enum db_outcome
providers_set_active(struct arena *a, const char *code, int active,
    const struct audit_actor *who)
{
	struct db_found f;
	const char *v[2 + AUDIT_PARAMS] = { code, active ? "1" : "0" };

	audit_values(who, v + 2);

	if (DB_ONE(a, DB_PROVIDER_SET_STATUS, v, &f) != 1)
		return DB_FAILED;
	return f.found ? DB_OK : DB_NOT_FOUND;
}

enum db_outcome
providers_rotate_key(struct arena *a, const struct config *cfg,
    const char *code, const struct audit_actor *who,
    char key[VALID_KEY_LEN + 1])
{
	struct db_found f;
	char hash[CRYPT_SHA256_HEX];
	const char *v[2 + AUDIT_PARAMS] = { code, hash };

	audit_values(who, v + 2);

	if (providers_new_key(cfg, key, hash) != 0)
		return DB_FAILED;
	if (DB_ONE(a, DB_PROVIDER_SET_KEY, v, &f) != 1)
		return DB_FAILED;
	return f.found ? DB_OK : DB_NOT_FOUND;
}
