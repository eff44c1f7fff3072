#ifndef LL_REPLY_H
#define LL_REPLY_H

#include <stddef.h>

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

/* How a member of a listed object is read from its row: a text (a
 * const char *, NULL written as ""), an int or a long long, at offset in
 * the row; or a text of JSON the database made (jsonb written out),
 * written as the value it holds (NULL, or what does not parse: null). */
enum reply_kind {
	REPLY_TEXT,
	REPLY_INT,
	REPLY_BIGINT,
	REPLY_JSON
};

struct reply_col {
	const char	*name;		/* the member's name */
	enum reply_kind	 kind;
	size_t		 offset;	/* of the value in the row struct */
};

/* Answers {"rc":1,"msg":"Ok","data":[...]} with HTTP 200 and one object
 * per row, in order: n rows of size bytes from rows, each member read as
 * cols (ncols of them) say, in their order. Cannot fail. */
void reply_rows(struct http *h, const void *rows, int n, size_t size,
    const struct reply_col *cols, size_t ncols);

/* Answers the check endpoint's object, exactly
 * {"providerid":"…","status":N,"import":true|false}. Cannot fail. */
void reply_check(struct http *h, const char *providerid, int status,
    int admitted);

/* Answers a plain-text error page with the given HTTP status. Cannot
 * fail. */
void reply_text(struct http *h, int status, const char *text);

#endif
