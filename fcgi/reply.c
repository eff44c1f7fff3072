#include "reply.h"

#define REPLY_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

void
reply_json(struct http *h, struct json_object *obj)
{
	size_t len;
	const char *s;

	s = json_object_to_json_string_length(obj, REPLY_FLAGS, &len);
	h->content_type = "application/json";
	h->body.len = 0;
	buf_append(&h->body, s, len);
	json_object_put(obj);
}

struct json_object *
reply_ok(void)
{
	struct json_object *o;

	o = json_object_new_object();
	json_object_object_add(o, "rc", json_object_new_int(1));
	json_object_object_add(o, "msg", json_object_new_string("Ok"));
	return o;
}

void
reply_rc(struct http *h, int rc, const char *msg)
{
	struct json_object *o;

	o = json_object_new_object();
	json_object_object_add(o, "rc", json_object_new_int(rc));
	json_object_object_add(o, "msg", json_object_new_string(msg));
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
