#ifndef LL_SELFSERVICE_H
#define LL_SELFSERVICE_H

#include "http.h"

/* The end user's self-service page, /my/TOKEN: the devices holding a slot
 * on one link (model, OS, first and last seen, HWIDs partly masked), and
 * a button to free one of them, at most once per release_cooldown_hours
 * per link. Nothing of the provider's is shown. No session exists here:
 * the URL's token, unguessable and stored hashed, is the key, and a POST
 * must carry a token bound to a SameSite=Strict cookie of the page's and
 * come from no other site (Origin, Sec-Fetch-Site). Plain HTML, no
 * script. */

#define SELFSERVICE_COOKIE	"ll_my"	/* binds the page's form */

/* Serves GET, HEAD and POST under /my/; answers every page, 404, 403 and
 * 503 included, itself. Cannot fail. */
void selfservice_dispatch(struct http *h);

/* The part of hwid a page shows: its first four and last two characters
 * around an ellipsis ("7f3c…4d"); a short one keeps less. In arena a.
 * Cannot fail. */
const char *selfservice_mask(struct arena *a, const char *hwid);

#endif
