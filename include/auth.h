#ifndef LL_AUTH_H
#define LL_AUTH_H

#include "config.h"

/* Provider authentication, shared by the API and the web account. */

enum auth_result {
	AUTH_OK = 0,
	AUTH_DENIED,	/* unknown code, wrong key, or disabled provider */
	AUTH_DOWN	/* the lookup failed: db_failure() says why */
};

/* Checks code and key against the stored keyed hash, in constant time.
 * On AUTH_OK stores the provider's id in *provider_id. Malformed input is
 * AUTH_DENIED without a query; AUTH_DOWN leaves the reason to
 * db_failure(). */
enum auth_result auth_provider(const struct config *cfg, const char *code,
    const char *key, long long *provider_id);

#endif
