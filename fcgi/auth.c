#include <stdlib.h>

#include "auth.h"
#include "crypt.h"
#include "db.h"
#include "valid.h"

enum auth_result
auth_provider(const struct config *cfg, const char *code, const char *key,
    long long *provider_id)
{
	struct db_res *r = NULL;
	char hash[CRYPT_SHA256_HEX];
	enum auth_result rc = AUTH_DENIED;

	if (!valid_provider_code(code) || !valid_auth_key(key))
		goto out;
	r = db_exec(DB_AUTH, 1, &code);
	if (r == NULL) {
		rc = AUTH_DOWN;
		goto out;
	}
	/* hash even when the code is unknown, so timing tells nothing */
	crypt_key_hash(cfg->secret, sizeof(cfg->secret), key, hash);
	if (db_rows(r) != 1 || !crypt_equal(hash, db_get(r, 0, 1)) ||
	    db_int(r, 0, 2) != 1)
		goto out;
	*provider_id = strtoll(db_get(r, 0, 0), NULL, 10);
	rc = AUTH_OK;
out:
	db_free(r);
	return rc;
}
