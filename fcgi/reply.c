#include <string.h>

#include "reply.h"

#define REPLY_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static void
reply_put(void *obj)
{
	json_object_put(obj);
}

struct json_object *
reply_object(struct http *h)
{
	struct json_object *o;

	o = json_object_new_object();
	arena_cleanup(h->arena, reply_put, o);
	return o;
}

void
reply_json(struct http *h, struct json_object *obj)
{
	size_t len;
	const char *s;

	s = json_object_to_json_string_length(obj, REPLY_FLAGS, &len);
	h->content_type = "application/json";
	h->body.len = 0;
	buf_append(&h->body, s, len);
}

struct json_object *
reply_ok(struct http *h)
{
	struct json_object *o;

	o = reply_object(h);
	json_object_object_add(o, "rc", json_object_new_int(1));
	json_object_object_add(o, "msg", json_object_new_string("Ok"));
	return o;
}

void
reply_rc(struct http *h, int rc, const char *msg)
{
	struct json_object *o;

	o = reply_object(h);
	json_object_object_add(o, "rc", json_object_new_int(rc));
	json_object_object_add(o, "msg", json_object_new_string(msg));
	h->status = 200;
	reply_json(h, o);
}

/* Member c of row as a new json-c value. */
static struct json_object *
reply_value(const unsigned char *row, const struct reply_col *c)
{
	const char *s;
	long long ll;
	int i;

	switch (c->kind) {
	case REPLY_INT:
		memcpy(&i, row + c->offset, sizeof(i));
		return json_object_new_int(i);
	case REPLY_BIGINT:
		memcpy(&ll, row + c->offset, sizeof(ll));
		return json_object_new_int64(ll);
	case REPLY_JSON:
		memcpy(&s, row + c->offset, sizeof(s));
		return s != NULL ? json_tokener_parse(s) : NULL;
	case REPLY_TEXT:
		break;
	}
	memcpy(&s, row + c->offset, sizeof(s));
	return json_object_new_string(s != NULL ? s : "");
}

void
reply_rows(struct http *h, const void *rows, int n, size_t size,
    const struct reply_col *cols, size_t ncols)
{
	struct json_object *o, *data, *item;
	const unsigned char *row;
	size_t c;
	int i;

	o = reply_ok(h);
	data = json_object_new_array_ext(n > 0 ? n : 0);
	json_object_object_add(o, "data", data);
	for (i = 0; i < n; i++) {
		row = (const unsigned char *)rows + (size_t)i * size;
		item = json_object_new_object();
		for (c = 0; c < ncols; c++)
			json_object_object_add(item, cols[c].name,
			    reply_value(row, &cols[c]));
		json_object_array_add(data, item);
	}
	h->status = 200;
	reply_json(h, o);
}

/* Appends s as the inside of a JSON string, escaped as json-c does:
 * quote, backslash and control characters; other bytes as they are. */
static void
reply_escape(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;
	char u[6] = { '\\', 'u', '0', '0' };

	for (; *s != '\0'; s++) {
		if ((unsigned char)*s >= 0x20 && *s != '"' && *s != '\\')
			continue;
		buf_append(b, run, (size_t)(s - run));
		run = s + 1;
		if (*s == '"' || *s == '\\') {
			buf_append(b, u, 1);
			buf_append(b, s, 1);
			continue;
		}
		u[4] = hex[(unsigned char)*s >> 4];
		u[5] = hex[*s & 0xf];
		buf_append(b, u, sizeof(u));
	}
	buf_append(b, run, (size_t)(s - run));
}

/* Written directly rather than through json-c: the check's three members
 * are answered on every request, and building them as objects cost the
 * worker more than the rest of its own work on a re-check. */
void
reply_check(struct http *h, const char *providerid, int status, int admitted)
{
	h->status = 200;
	h->content_type = "application/json";
	h->body.len = 0;
	buf_puts(&h->body, "{\"providerid\":\"");
	reply_escape(&h->body, providerid != NULL ? providerid : "");
	buf_puts(&h->body, "\",\"status\":");
	buf_putl(&h->body, status);
	buf_puts(&h->body, admitted ? ",\"import\":true}" : ",\"import\":false}");
}

void
reply_text(struct http *h, int status, const char *text)
{
	h->status = status;
	h->content_type = "text/plain; charset=utf-8";
	h->body.len = 0;
	buf_puts(&h->body, text);
	buf_puts(&h->body, "\n");
}
