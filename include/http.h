#ifndef LL_HTTP_H
#define LL_HTTP_H

#include "arena.h"
#include "config.h"
#include "params.h"

/* One request and its answer, as handlers see them. The worker fills the
 * request side from FastCGI and sends the answer side when the handler
 * returns; handlers know nothing of FastCGI. */

#define HTTP_BODY_MAX	65536	/* bytes of request body read at most */

/* The FastCGI parameters the server reads: found in one pass over the
 * environment by http_init(), instead of one scan of it per name. A
 * handler that needs another adds it here. */
enum http_var {
	HTTP_VAR_METHOD,		/* REQUEST_METHOD */
	HTTP_VAR_URI,			/* DOCUMENT_URI */
	HTTP_VAR_QUERY,			/* QUERY_STRING */
	HTTP_VAR_REMOTE_ADDR,		/* REMOTE_ADDR */
	HTTP_VAR_HTTPS,			/* HTTPS */
	HTTP_VAR_CONTENT_LENGTH,	/* CONTENT_LENGTH */
	HTTP_VAR_CONTENT_TYPE,		/* CONTENT_TYPE */
	HTTP_VAR_COOKIE,		/* HTTP_COOKIE */
	HTTP_VAR_HWID,			/* HTTP_X_HWID */
	HTTP_VAR_DEVICE_OS,		/* HTTP_X_DEVICE_OS */
	HTTP_VAR_VER_OS,		/* HTTP_X_VER_OS */
	HTTP_VAR_DEVICE_MODEL,		/* HTTP_X_DEVICE_MODEL */
	HTTP_VAR_APP_VERSION,		/* HTTP_X_APP_VERSION */
	HTTP_VAR_USER_AGENT,		/* HTTP_USER_AGENT */
	HTTP_VAR_HOST,			/* HTTP_HOST */
	HTTP_VAR_SERVER_NAME,		/* SERVER_NAME */
	HTTP_VAR_ORIGIN,		/* HTTP_ORIGIN */
	HTTP_VAR_SEC_FETCH_SITE,	/* HTTP_SEC_FETCH_SITE */
	HTTP_NVARS
};

struct http {
	struct arena	*arena;		/* dies with the request */
	const struct config *cfg;	/* the worker's configuration */
	const char	*vars[HTTP_NVARS];	/* the first value of each */
	const char	*method;
	const char	*path;		/* decoded path, no query */
	const char	*query;		/* raw query string */
	const char	*remote_addr;
	int		 https;		/* served over TLS */
	struct params	 params;	/* query string, then urlencoded body */
	int		 route;		/* enum metrics_route: set by the
					   router, counted by the worker */

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

/* Returns FastCGI parameter v ("REQUEST_METHOD", "HTTP_X_HWID"), or NULL
 * when the request has none; the value is FastCGI's, valid for the
 * request. A name given twice gives its first value. Cannot fail. */
const char *http_var(const struct http *h, enum http_var v);

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

/* Adds the headers every HTML page of ours carries: csp as its
 * Content-Security-Policy, and no framing, no sniffing, no referrer to
 * another origin, no caching. Cannot fail. */
void http_page_headers(struct http *h, const char *csp);

/* Writes the status line, headers and body into out, as FastCGI wants it.
 * Cannot fail. */
void http_serialize(const struct http *h, struct buf *out);

#endif
