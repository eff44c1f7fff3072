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

const char *
http_env(const struct http *h, const char *name)
{
	size_t len;
	char **e;

	len = strlen(name);
	for (e = h->envp; e != NULL && *e != NULL; e++)
		if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
			return *e + len + 1;
	return NULL;
}

void
http_init(struct http *h, struct arena *a, char **envp)
{
	const char *v;

	memset(h, 0, sizeof(*h));
	h->arena = a;
	h->envp = envp;
	v = http_env(h, "REQUEST_METHOD");
	h->method = v != NULL ? v : "GET";
	v = http_env(h, "DOCUMENT_URI");
	h->path = v != NULL ? v : "/";
	v = http_env(h, "QUERY_STRING");
	h->query = v != NULL ? v : "";
	v = http_env(h, "REMOTE_ADDR");
	h->remote_addr = v != NULL ? v : "";
	v = http_env(h, "HTTPS");
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

	c = http_env(h, "HTTP_COOKIE");
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
http_serialize(const struct http *h, struct buf *out)
{
	buf_printf(out, "Status: %d %s\r\n", h->status, http_reason(h->status));
	buf_printf(out, "Content-Type: %s\r\n", h->content_type);
	buf_printf(out, "Content-Length: %zu\r\n", h->body.len);
	buf_append(out, h->headers.data, h->headers.len);
	buf_puts(out, "\r\n");
	buf_append(out, h->body.data, h->body.len);
}
