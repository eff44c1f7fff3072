#ifndef LL_HTTP_H
#define LL_HTTP_H

#include "arena.h"
#include "config.h"
#include "params.h"

/* One request and its answer, as handlers see them. The worker fills the
 * request side from FastCGI and sends the answer side when the handler
 * returns; handlers know nothing of FastCGI. */

#define HTTP_BODY_MAX	65536	/* bytes of request body read at most */

struct http {
	struct arena	*arena;		/* dies with the request */
	const struct config *cfg;	/* the worker's configuration */
	char	       **envp;		/* FastCGI parameters */
	const char	*method;
	const char	*path;		/* decoded path, no query */
	const char	*query;		/* raw query string */
	const char	*remote_addr;
	int		 https;		/* served over TLS */
	struct params	 params;	/* query string, then urlencoded body */

	int		 status;	/* answer: HTTP status, 200 by default */
	const char	*content_type;
	struct buf	 headers;	/* extra "Name: value\r\n" lines */
	struct buf	 body;
};

/* Sets up h for one request over envp, with everything in arena a.
 * Cannot fail; parameter errors are left in h->params.status. */
void http_init(struct http *h, struct arena *a, char **envp);

/* Parses an urlencoded body of len bytes into h->params; as for the
 * query string, an error is left in h->params.status. Cannot fail. */
void http_add_body(struct http *h, const char *body, size_t len);

/* Returns a FastCGI parameter ("REQUEST_METHOD", "HTTP_X_HWID"), or NULL;
 * the value is FastCGI's, valid for the request. */
const char *http_env(const struct http *h, const char *name);

/* Returns the value of a request parameter, or NULL when absent. A repeated
 * parameter returns its first value; see params_first_dup(). */
const char *http_param(const struct http *h, const char *name);

/* Returns the parameter called name when it came in the request's form
 * body and nowhere else, or NULL. Tokens and keys are read this way: a
 * copy in the query string (which access logs and browser histories keep)
 * is not taken, and makes even the body's copy count as absent. */
const struct param *http_body_param(const struct http *h, const char *name);

/* Returns the value of cookie name (copied into the arena), or NULL. */
const char *http_cookie(struct http *h, const char *name);

/* Adds an answer header line; neither fmt nor what it formats may hold
 * CR or LF. Cannot fail. */
void http_header(struct http *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Writes the status line, headers and body into out, as FastCGI wants it.
 * Cannot fail. */
void http_serialize(const struct http *h, struct buf *out);

#endif
