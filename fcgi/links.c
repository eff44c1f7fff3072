#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypt.h"
#include "db.h"
#include "links.h"
#include "log.h"

enum links_result
links_create(const struct config *cfg, long long provider_id,
    const char *code, int limit, const char *note, long long *id,
    char code_out[VALID_CODE_LEN + 1])
{
	struct db_res *r = NULL;
	const char *values[5];
	char provider[24], lim[12], cap[12];
	enum links_result rc = LINKS_FAIL;
	int tries;

	snprintf(provider, sizeof(provider), "%lld", provider_id);
	snprintf(lim, sizeof(lim), "%d", limit);
	snprintf(cap, sizeof(cap), "%d", cfg->link_cap);
	values[0] = provider;
	values[1] = code_out;
	values[2] = lim;
	values[3] = note;
	values[4] = cap;
	for (tries = 0; tries < LINKS_CODE_TRIES; tries++) {
		if (code != NULL)
			snprintf(code_out, VALID_CODE_LEN + 1, "%s", code);
		else if (crypt_random_string(code_out, VALID_CODE_LEN,
		    CRYPT_ALNUM) != 0)
			goto out;
		db_free(r);
		r = db_exec(DB_LINK_ADD, 5, values);
		if (r == NULL) {
			rc = db_failure() == DB_FAIL_SQL ? LINKS_FAIL :
			    LINKS_DOWN;
			goto out;
		}
		if (strcmp(db_get(r, 0, 0), "ok") == 0) {
			*id = strtoll(db_get(r, 0, 1), NULL, 10);
			rc = LINKS_OK;
			goto out;
		}
		if (strcmp(db_get(r, 0, 0), "cap") == 0) {
			rc = LINKS_CAP;
			goto out;
		}
		if (code != NULL) {
			rc = LINKS_EXISTS;
			goto out;
		}
	}
	log_error("links: no free install code after %d tries", tries);
out:
	db_free(r);
	return rc;
}
