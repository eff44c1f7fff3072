#ifndef LL_API_H
#define LL_API_H

#include "http.h"

/* The provider API: /api/add-install, update-install, list-install,
 * list-hwid, delete-hwid, add-domain, list-domain and delete-domain, with
 * their parameters in the query string or an urlencoded POST body. */

/* Answers the /api/ request in h: always HTTP 200 with a JSON object whose
 * "rc" is 1 (done), 2 (already exists) or 0 (refused, "msg" says why); an
 * unknown method is {"rc":0,"msg":"Unknown method"}. Every parameter is
 * validated before the provider is authenticated and before any query, and
 * every query is scoped to the authenticated provider. Cannot fail. */
void api_dispatch(struct http *h);

#endif
