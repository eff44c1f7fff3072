#ifndef LL_API_H
#define LL_API_H

#include "http.h"

/* The provider API: /api/add-install, update-install, list-install,
 * list-hwid, delete-hwid, add-domain, list-domain and delete-domain, and
 * this server's stats, list-refused and list-audit, with their
 * parameters in the query string or an urlencoded POST body. */

/* Answers the /api/ request in h: always HTTP 200 with a JSON object whose
 * "rc" is 1 (done), 2 (already exists) or 0 (refused, "msg" says why); an
 * unknown method is {"rc":0,"msg":"Unknown method"}. Every parameter is
 * validated before the provider is authenticated and before any query, and
 * every query is scoped to the authenticated provider. Cannot fail. */
void api_dispatch(struct http *h);

/* Answers an /api/ request that never reaches api_dispatch() (a method
 * the API does not take, a body too large or cut short) with HTTP 200 and
 * {"rc":0,"msg":why}; a HEAD refused with status 405 keeps that status,
 * since its answer carries no body. Cannot fail. */
void api_refuse(struct http *h, int status, const char *why);

#endif
