#ifndef LL_ROUTER_H
#define LL_ROUTER_H

#include "http.h"

/* Sends h to the handler of its method and path, from one table; answers
 * 404 or 405 itself when none fits. Cannot fail. */
void router_dispatch(struct http *h);

#endif
