#ifndef LL_ROUTER_H
#define LL_ROUTER_H

#include "http.h"

/* What a request with a method its path does not take is told. */
#define ROUTER_MSG_METHOD	"Method not allowed: use GET or POST"

/* Sends h to the handler of its method and path, from one table; answers
 * 404 itself when no path fits, and a method the path does not take as
 * router_refuse() would, with an Allow header. Cannot fail. */
void router_dispatch(struct http *h);

/* Answers a request that no handler will see (a method its path does not
 * take, a body too large or cut short) in the shape its path's callers
 * parse: the check's refusal and the provider check's {"status":0} with
 * HTTP 200, the API's {"rc":0,"msg":why}, elsewhere a plain-text why with
 * status. Cannot fail. */
void router_refuse(struct http *h, int status, const char *why);

#endif
