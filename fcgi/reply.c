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

void
reply_check(struct http *h, const char *providerid, int status, int admitted)
{
	struct json_object *o;

	o = reply_object(h);
	json_object_object_add(o, "providerid",
	    json_object_new_string(providerid != NULL ? providerid : ""));
	json_object_object_add(o, "status", json_object_new_int(status));
	json_object_object_add(o, "import",
	    json_object_new_boolean(admitted ? 1 : 0));
	h->status = 200;
	reply_json(h, o);
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
