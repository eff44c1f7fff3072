#ifndef LL_REPLY_H
#define LL_REPLY_H

#include <json-c/json.h>

#include "http.h"

/* JSON answers. The objects answers are built from belong to the
 * request's arena (arena_cleanup()), so that no path can leak one: an
 * object added to one of them belongs to it, as json-c has it. */

/* Returns a new empty object, owned by h's arena. Cannot fail. */
struct json_object *reply_object(struct http *h);

/* Writes obj as compact JSON into the answer body (status stays as set).
 * obj stays its owner's. Cannot fail. */
void reply_json(struct http *h, struct json_object *obj);

/* Answers {"rc":rc,"msg":msg} with HTTP 200. Cannot fail. */
void reply_rc(struct http *h, int rc, const char *msg);

/* Returns a new {"rc":1,"msg":"Ok"} object, owned by h's arena, for the
 * caller to extend and hand to reply_json(). Cannot fail. */
struct json_object *reply_ok(struct http *h);

/* Answers the check endpoint's object, exactly
 * {"providerid":"…","status":N,"import":true|false}. Cannot fail. */
void reply_check(struct http *h, const char *providerid, int status,
    int admitted);

/* Answers a plain-text error page with the given HTTP status. Cannot
 * fail. */
void reply_text(struct http *h, int status, const char *text);

#endif
