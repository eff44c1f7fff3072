#ifndef LL_CHECK_H
#define LL_CHECK_H

#include "http.h"

/* GET /install?id=HASH&installid=CODE: may this device (X-HWID) add the
 * link? Always answers HTTP 200 with {"providerid","status","import"};
 * a refusal, bad input or an unreachable database is import:false. */
void check_install(struct http *h);

/* GET /provider?id=CODE: {"status":1} for an active provider, else 0. */
void check_provider(struct http *h);

#endif
