/* The JSON answers: fcgi/reply.c.
 *
 * The input is three lines of text (a message, a provider code, a key)
 * and then bytes for the numbers. The texts and numbers also fill rows
 * for the list writer, whose answer must hold them, each under its
 * member's name, row after row. Every answer must parse back with
 * json-c in strict mode to exactly the members and values given, in the
 * contract's order, and be well-formed UTF-8 whenever the text given is. */

#include <stddef.h>

#include <json-c/json.h>

#include "fuzzhelp.h"
#include "http.h"
#include "reply.h"

static struct arena *A;

/* Parses the answer's body strictly (checking UTF-8 too when utf8 is
 * set); the body must be one JSON object and nothing more. */
static struct json_object *
parse(const struct http *h, int utf8)
{
	struct json_tokener *tok;
	struct json_object *o;

	FUZZ_CHECK(strcmp(h->content_type, "application/json") == 0);
	FUZZ_CHECK(strlen(h->body.data) == h->body.len);
	FUZZ_CHECK(fuzz_utf8_ok(h->body.data) == utf8);
	tok = json_tokener_new();
	FUZZ_CHECK(tok != NULL);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    (utf8 ? JSON_TOKENER_VALIDATE_UTF8 : 0));
	o = json_tokener_parse_ex(tok, h->body.data, (int)h->body.len);
	FUZZ_CHECK(o != NULL);
	FUZZ_CHECK(json_tokener_get_error(tok) == json_tokener_success);
	FUZZ_CHECK(json_tokener_get_parse_end(tok) == h->body.len);
	FUZZ_CHECK(json_object_is_type(o, json_type_object));
	json_tokener_free(tok);
	return o;
}

/* The member at index i of o, which must be called name. */
static struct json_object *
member(struct json_object *o, int i, const char *name)
{
	struct json_object_iterator it, end;

	it = json_object_iter_begin(o);
	end = json_object_iter_end(o);
	while (i-- > 0 && !json_object_iter_equal(&it, &end))
		json_object_iter_next(&it);
	FUZZ_CHECK(!json_object_iter_equal(&it, &end));
	FUZZ_CHECK_STR(json_object_iter_peek_name(&it), name);
	return json_object_iter_peek_value(&it);
}

static void
check_string(struct json_object *v, const char *want)
{
	FUZZ_CHECK(json_object_is_type(v, json_type_string));
	FUZZ_CHECK((size_t)json_object_get_string_len(v) == strlen(want));
	FUZZ_CHECK_STR(json_object_get_string(v), want);
}

/* A row as the services hand them to the list writer. */
struct row {
	long long	 id;
	const char	*text;
	int		 n;
};

static const struct reply_col row_cols[] = {
	{ "id", REPLY_BIGINT, offsetof(struct row, id) },
	{ "text", REPLY_TEXT, offsetof(struct row, text) },
	{ "n", REPLY_INT, offsetof(struct row, n) },
};

static void
new_request(struct http *h)
{
	static char *envp[] = { "REQUEST_METHOD=GET", NULL };

	http_init(h, A, envp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct json_object *o, *ok;
	const char *msg, *pid, *key;
	struct http h;
	int rc, st, extra, i;
	unsigned int k, u = 0;

	if (A == NULL)
		A = arena_new();
	msg = fuzz_field(A, &in, '\n', NULL);
	pid = fuzz_field(A, &in, '\n', NULL);
	key = fuzz_field(A, &in, '\n', NULL);
	k = fuzz_byte(&in);
	for (i = 0; i < 4; i++)
		u = u << 8 | fuzz_byte(&in);
	rc = (int)u;
	st = (int)fuzz_byte(&in) - 128;

	new_request(&h);
	h.status = 500;
	reply_rc(&h, rc, msg);
	FUZZ_CHECK(h.status == 200);
	o = parse(&h, fuzz_utf8_ok(msg));
	FUZZ_CHECK(json_object_object_length(o) == 2);
	FUZZ_CHECK(json_object_is_type(member(o, 0, "rc"), json_type_int));
	FUZZ_CHECK(json_object_get_int(member(o, 0, "rc")) == rc);
	check_string(member(o, 1, "msg"), msg);
	json_object_put(o);

	new_request(&h);
	reply_check(&h, k & 1 ? NULL : pid, st, (int)(k & 2));
	FUZZ_CHECK(h.status == 200);
	o = parse(&h, k & 1 ? 1 : fuzz_utf8_ok(pid));
	FUZZ_CHECK(json_object_object_length(o) == 3);
	check_string(member(o, 0, "providerid"), k & 1 ? "" : pid);
	FUZZ_CHECK(json_object_get_int(member(o, 1, "status")) == st);
	FUZZ_CHECK(json_object_is_type(member(o, 2, "import"),
	    json_type_boolean));
	FUZZ_CHECK(json_object_get_boolean(member(o, 2, "import")) ==
	    ((k & 2) != 0));
	json_object_put(o);

	/* an answer extended with a member of any name and value */
	new_request(&h);
	ok = reply_ok(&h);
	extra = strcmp(key, "rc") != 0 && strcmp(key, "msg") != 0;
	if (extra)
		json_object_object_add(ok, key, json_object_new_string(msg));
	reply_json(&h, ok);
	o = parse(&h, !extra || (fuzz_utf8_ok(key) && fuzz_utf8_ok(msg)));
	FUZZ_CHECK(json_object_object_length(o) == 2 + extra);
	FUZZ_CHECK(json_object_get_int(member(o, 0, "rc")) == 1);
	check_string(member(o, 1, "msg"), "Ok");
	if (extra)
		check_string(member(o, 2, key), msg);
	json_object_put(o);

	/* a list: the texts, then a NULL text, which is written as "" */
	{
		struct row rows[3] = { { (long long)u << 20, msg, rc },
		    { -1, key, st }, { 0, NULL, 0 } };
		struct json_object *list, *item;
		size_t r;

		new_request(&h);
		reply_rows(&h, rows, 3, sizeof(rows[0]), row_cols, 3);
		FUZZ_CHECK(h.status == 200);
		o = parse(&h, fuzz_utf8_ok(msg) && fuzz_utf8_ok(key));
		FUZZ_CHECK(json_object_object_length(o) == 3);
		FUZZ_CHECK(json_object_get_int(member(o, 0, "rc")) == 1);
		list = member(o, 2, "data");
		FUZZ_CHECK(json_object_is_type(list, json_type_array));
		FUZZ_CHECK(json_object_array_length(list) == 3);
		for (r = 0; r < 3; r++) {
			item = json_object_array_get_idx(list, r);
			FUZZ_CHECK(json_object_object_length(item) == 3);
			FUZZ_CHECK(json_object_get_int64(member(item, 0, "id")) ==
			    rows[r].id);
			check_string(member(item, 1, "text"),
			    rows[r].text != NULL ? rows[r].text : "");
			FUZZ_CHECK(json_object_get_int(member(item, 2, "n")) ==
			    rows[r].n);
		}
		json_object_put(o);
	}

	new_request(&h);
	reply_text(&h, 400 + (int)(k % 100), msg);
	FUZZ_CHECK(h.status == 400 + (int)(k % 100));
	FUZZ_CHECK_STR(h.body.data, arena_printf(A, "%s\n", msg));
	arena_reset(A);
	return 0;
}
