#ifndef LL_CHECK_H
#define LL_CHECK_H

#include "http.h"

/* GET /install?id=HASH&installid=CODE: may this device (X-HWID) add the
 * link? Always answers HTTP 200 with {"providerid","status","import"};
 * a refusal, bad input or an unreachable database is import:false. */
void check_install(struct http *h);

/* GET /provider?id=CODE: {"status":1} for an active provider, else 0. */
void check_provider(struct http *h);

/* Answers a request to /install or /provider that never reaches the
 * handler (another method, a body too large or cut short), in the shape
 * the app parses: HTTP 200 with the check's refusal
 * {"providerid":"","status":0,"import":false}, or {"status":0}. The app
 * takes any other status for "not restricted", so status and why are
 * not sent. Cannot fail. */
void check_refuse(struct http *h, int status, const char *why);
void check_provider_refuse(struct http *h, int status, const char *why);

#endif
