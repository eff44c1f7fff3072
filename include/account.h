#ifndef LL_ACCOUNT_H
#define LL_ACCOUNT_H

#include "http.h"

/* The provider's web account under /account/: sign-in, links, a link's
 * devices and settings, domains. HTML pages rendered here, forms posted
 * back here with a CSRF token, POST-redirect-GET after each change. */

/* Serves GET, HEAD and POST under /account/ from the account's own table
 * of pages; answers 404, 405, 403 (CSRF) or 503 pages itself. Cannot
 * fail. */
void account_dispatch(struct http *h);

#endif
