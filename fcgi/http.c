#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "http.h"

static const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	}
	return "Unknown";
}

/* The names of enum http_var, in its order. */
static const struct {
	const char	*name;
	size_t		 len;
} http_vars[HTTP_NVARS] = {
#define HTTP_NAME(s)	{ s, sizeof(s) - 1 }
	[HTTP_VAR_METHOD] = HTTP_NAME("REQUEST_METHOD"),
	[HTTP_VAR_URI] = HTTP_NAME("DOCUMENT_URI"),
	[HTTP_VAR_QUERY] = HTTP_NAME("QUERY_STRING"),
	[HTTP_VAR_REMOTE_ADDR] = HTTP_NAME("REMOTE_ADDR"),
	[HTTP_VAR_HTTPS] = HTTP_NAME("HTTPS"),
	[HTTP_VAR_CONTENT_LENGTH] = HTTP_NAME("CONTENT_LENGTH"),
	[HTTP_VAR_CONTENT_TYPE] = HTTP_NAME("CONTENT_TYPE"),
	[HTTP_VAR_COOKIE] = HTTP_NAME("HTTP_COOKIE"),
	[HTTP_VAR_HWID] = HTTP_NAME("HTTP_X_HWID"),
	[HTTP_VAR_DEVICE_OS] = HTTP_NAME("HTTP_X_DEVICE_OS"),
	[HTTP_VAR_VER_OS] = HTTP_NAME("HTTP_X_VER_OS"),
	[HTTP_VAR_DEVICE_MODEL] = HTTP_NAME("HTTP_X_DEVICE_MODEL"),
	[HTTP_VAR_APP_VERSION] = HTTP_NAME("HTTP_X_APP_VERSION"),
	[HTTP_VAR_USER_AGENT] = HTTP_NAME("HTTP_USER_AGENT"),
	[HTTP_VAR_HOST] = HTTP_NAME("HTTP_HOST"),
	[HTTP_VAR_SERVER_NAME] = HTTP_NAME("SERVER_NAME"),
	[HTTP_VAR_ORIGIN] = HTTP_NAME("HTTP_ORIGIN"),
	[HTTP_VAR_SEC_FETCH_SITE] = HTTP_NAME("HTTP_SEC_FETCH_SITE"),
#undef HTTP_NAME
};

/* The enum http_var of the name's first len bytes, or HTTP_NVARS. */
static enum http_var
http_var_of(const char *name, size_t len)
{
	int i;

	for (i = 0; i < HTTP_NVARS; i++)
		if (http_vars[i].len == len &&
		    memcmp(http_vars[i].name, name, len) == 0)
			return (enum http_var)i;
	return HTTP_NVARS;
}

const char *
http_var(const struct http *h, enum http_var v)
{
	return h->vars[v];
}

/* Fills h->vars in one pass over envp, keeping the first value of a
 * name given twice. */
static void
http_index(struct http *h, char **envp)
{
	const char *eq;
	enum http_var v;
	char **e;

	for (e = envp; e != NULL && *e != NULL; e++) {
		eq = strchr(*e, '=');
		if (eq == NULL)
			continue;
		v = http_var_of(*e, (size_t)(eq - *e));
		if (v != HTTP_NVARS && h->vars[v] == NULL)
			h->vars[v] = eq + 1;
	}
}

void
http_init(struct http *h, struct arena *a, char **envp)
{
	const char *v;

	memset(h, 0, sizeof(*h));
	h->arena = a;
	http_index(h, envp);
	v = h->vars[HTTP_VAR_METHOD];
	h->method = v != NULL ? v : "GET";
	v = h->vars[HTTP_VAR_URI];
	h->path = v != NULL ? v : "/";
	v = h->vars[HTTP_VAR_QUERY];
	h->query = v != NULL ? v : "";
	v = h->vars[HTTP_VAR_REMOTE_ADDR];
	h->remote_addr = v != NULL ? v : "";
	v = h->vars[HTTP_VAR_HTTPS];
	h->https = v != NULL && strcmp(v, "on") == 0;
	params_init(&h->params);
	params_parse(&h->params, a, h->query, strlen(h->query));
	h->status = 200;
	h->content_type = "application/json";
	buf_init(&h->headers, a);
	buf_init(&h->body, a);
}

void
http_add_body(struct http *h, const char *body, size_t len)
{
	if (h->params.status == PARAMS_OK)
		params_parse_from(&h->params, h->arena, body, len,
		    PARAMS_BODY);
}

const char *
http_param(const struct http *h, const char *name)
{
	const struct param *p;

	p = params_find(&h->params, name);
	return p != NULL ? p->value : NULL;
}

const struct param *
http_body_param(const struct http *h, const char *name)
{
	const struct param *p;

	p = params_find(&h->params, name);
	return p != NULL && p->from == PARAMS_BODY ? p : NULL;
}

const char *
http_cookie(struct http *h, const char *name)
{
	const char *c, *end, *eq;
	size_t nlen;

	c = h->vars[HTTP_VAR_COOKIE];
	nlen = strlen(name);
	while (c != NULL && *c != '\0') {
		while (*c == ' ' || *c == ';')
			c++;
		end = strchr(c, ';');
		if (end == NULL)
			end = c + strlen(c);
		eq = memchr(c, '=', (size_t)(end - c));
		if (eq != NULL && (size_t)(eq - c) == nlen &&
		    strncmp(c, name, nlen) == 0)
			return arena_strndup(h->arena, eq + 1,
			    (size_t)(end - eq - 1));
		c = end;
	}
	return NULL;
}

void
http_header(struct http *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&h->headers, fmt, ap);
	va_end(ap);
	buf_puts(&h->headers, "\r\n");
}

void
http_page_headers(struct http *h, const char *csp)
{
	http_header(h, "Content-Security-Policy: %s", csp);
	http_header(h, "X-Frame-Options: DENY");
	http_header(h, "X-Content-Type-Options: nosniff");
	http_header(h, "Referrer-Policy: same-origin");
	http_header(h, "Cache-Control: no-store");
}

void
http_serialize(const struct http *h, struct buf *out)
{
	buf_puts(out, "Status: ");
	buf_putl(out, h->status);
	buf_puts(out, " ");
	buf_puts(out, http_reason(h->status));
	buf_puts(out, "\r\nContent-Type: ");
	buf_puts(out, h->content_type);
	buf_puts(out, "\r\nContent-Length: ");
	buf_putl(out, (long)h->body.len);
	buf_puts(out, "\r\n");
	buf_append(out, h->headers.data, h->headers.len);
	buf_puts(out, "\r\n");
	buf_append(out, h->body.data, h->body.len);
}
