#ifndef LL_LINKS_H
#define LL_LINKS_H

#include "config.h"
#include "valid.h"

/* Creating limited links, shared by the API and the web account. */

#define LINKS_CODE_TRIES 8	/* fresh codes tried when one collides */

enum links_result {
	LINKS_OK = 0,
	LINKS_EXISTS,	/* the given install code is taken */
	LINKS_CAP,	/* the provider's cap on links is reached */
	LINKS_DOWN,	/* the database is unreachable or busy: db_failure()
			   says which */
	LINKS_FAIL	/* anything else (logged) */
};

/* Creates a link for provider_id with the given limit (1..100, checked by
 * the caller) and note (may be NULL). code is the install code to use, or
 * NULL to draw one from the cryptographic random source (retrying on a
 * collision). On LINKS_OK stores the link's id in *id and its code in
 * code_out. */
enum links_result links_create(const struct config *cfg,
    long long provider_id, const char *code, int limit, const char *note,
    long long *id, char code_out[VALID_CODE_LEN + 1]);

#endif
