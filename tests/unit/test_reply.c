/* The JSON writer and the answer's wire format: fcgi/reply.c, fcgi/http.c. */

#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "http.h"
#include "reply.h"
#include "testhelp.h"

static struct arena *arena;

static char *envp[] = {
	"REQUEST_METHOD=GET",
	"DOCUMENT_URI=/install",
	"QUERY_STRING=id=abc&installid=xyz",
	"HTTP_X_HWID=dev-1",
	"HTTP_X_HWIDX=other",
	"HTTP_COOKIE=a=1; sid=s3cr3t; b=2",
	"HTTP_HOST=links.example.com:8443",
	"HTTP_ORIGINX=https://evil.example",
	NULL
};

static void
start(struct http *h)
{
	arena_reset(arena);
	http_init(h, arena, envp);
}

static void
test_check(void)
{
	struct http h;

	TEST("admitted");
	start(&h);
	reply_check(&h, "Ab12Cd34", 10, 1);
	ASSERT_STR(h.body.data,
	    "{\"providerid\":\"Ab12Cd34\",\"status\":10,\"import\":true}");
	ASSERT(h.body.len == strlen(h.body.data));
	ASSERT(h.status == 200);
	ASSERT_STR(h.content_type, "application/json");

	TEST("refused, disabled link");
	start(&h);
	reply_check(&h, "Ab12Cd34", 5, 0);
	ASSERT_STR(h.body.data,
	    "{\"providerid\":\"Ab12Cd34\",\"status\":5,\"import\":false}");

	TEST("unknown link, NULL provider");
	start(&h);
	h.status = 404;
	reply_check(&h, NULL, 0, 0);
	ASSERT_STR(h.body.data,
	    "{\"providerid\":\"\",\"status\":0,\"import\":false}");
	ASSERT(h.status == 200);

	TEST("any non-zero admits");
	start(&h);
	reply_check(&h, "", 0, 7);
	ASSERT_STR(h.body.data, "{\"providerid\":\"\",\"status\":0,\"import\":true}");

	TEST("a second answer replaces the first");
	reply_check(&h, "Zz9Zz9Zz", 10, 0);
	ASSERT_STR(h.body.data,
	    "{\"providerid\":\"Zz9Zz9Zz\",\"status\":10,\"import\":false}");

	TEST("a provider code that would break the JSON is escaped");
	start(&h);
	reply_check(&h, "a\"b\\c\x01\nd\x1f\xc3\xa9/", -3, 1);
	ASSERT_STR(h.body.data, "{\"providerid\":\"a\\\"b\\\\c\\u0001\\u000ad"
	    "\\u001f\xc3\xa9/\",\"status\":-3,\"import\":true}");
	ASSERT(h.body.len == strlen(h.body.data));
	ASSERT_STR(h.content_type, "application/json");
}

static void
test_rc(void)
{
	struct http h;

	TEST("rc and msg");
	start(&h);
	reply_rc(&h, 0, "Auth error");
	ASSERT_STR(h.body.data, "{\"rc\":0,\"msg\":\"Auth error\"}");
	ASSERT(h.status == 200);
	reply_rc(&h, 2, "Install code exists");
	ASSERT_STR(h.body.data, "{\"rc\":2,\"msg\":\"Install code exists\"}");

	TEST("quotes and backslashes are escaped");
	reply_rc(&h, 0, "say \"hi\" \\ bye");
	ASSERT_STR(h.body.data, "{\"rc\":0,\"msg\":\"say \\\"hi\\\" \\\\ bye\"}");

	TEST("control characters are escaped");
	reply_rc(&h, 0, "a\nb\tc\rd\x01" "e\x1f");
	ASSERT_STR(h.body.data,
	    "{\"rc\":0,\"msg\":\"a\\nb\\tc\\rd\\u0001e\\u001f\"}");
	ASSERT(memchr(h.body.data, '\n', h.body.len) == NULL);

	TEST("'/' is not escaped");
	reply_rc(&h, 1, "https://sub.example.com/s/abc");
	ASSERT_STR(h.body.data,
	    "{\"rc\":1,\"msg\":\"https://sub.example.com/s/abc\"}");

	TEST("UTF-8 passes through");
	reply_rc(&h, 1, "caf\xc3\xa9");
	ASSERT_STR(h.body.data, "{\"rc\":1,\"msg\":\"caf\xc3\xa9\"}");

	TEST("reply_ok extended");
	start(&h);
	{
		struct json_object *o = reply_ok(&h);

		json_object_object_add(o, "install_code",
		    json_object_new_string("6P0hVao1fG5e"));
		json_object_object_add(o, "id", json_object_new_int(33));
		reply_json(&h, o);
	}
	ASSERT_STR(h.body.data, "{\"rc\":1,\"msg\":\"Ok\","
	    "\"install_code\":\"6P0hVao1fG5e\",\"id\":33}");

	TEST("an answer's object is the arena's: written, it may still change");
	start(&h);
	{
		struct json_object *o = reply_object(&h);

		reply_json(&h, o);
		ASSERT_STR(h.body.data, "{}");
		json_object_object_add(o, "status", json_object_new_int(1));
		reply_json(&h, o);
		ASSERT_STR(h.body.data, "{\"status\":1}");
	}
}

static void
test_text(void)
{
	struct http h;

	TEST("plain-text error");
	start(&h);
	reply_text(&h, 404, "not found");
	ASSERT(h.status == 404);
	ASSERT_STR(h.content_type, "text/plain; charset=utf-8");
	ASSERT_STR(h.body.data, "not found\n");
}

static void
test_serialize(void)
{
	struct http h;
	struct buf out;

	TEST("the FastCGI answer, byte for byte");
	start(&h);
	reply_check(&h, "Ab12Cd34", 10, 1);
	buf_init(&out, arena);
	http_serialize(&h, &out);
	ASSERT_STR(out.data, "Status: 200 OK\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 51\r\n"
	    "\r\n"
	    "{\"providerid\":\"Ab12Cd34\",\"status\":10,\"import\":true}");

	TEST("extra headers and another status");
	start(&h);
	http_header(&h, "Allow: %s", "GET, HEAD");
	reply_text(&h, 405, "method not allowed");
	buf_init(&out, arena);
	http_serialize(&h, &out);
	ASSERT_STR(out.data, "Status: 405 Method Not Allowed\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: 19\r\n"
	    "Allow: GET, HEAD\r\n"
	    "\r\n"
	    "method not allowed\n");
}

static void
test_request(void)
{
	struct http h;

	TEST("the request side");
	start(&h);
	ASSERT_STR(h.method, "GET");
	ASSERT_STR(h.path, "/install");
	ASSERT(h.params.status == PARAMS_OK);
	ASSERT_STR(http_param(&h, "installid"), "xyz");
	ASSERT(http_param(&h, "hwid") == NULL);

	TEST("http_var matches whole names");
	ASSERT_STR(http_var(&h, HTTP_VAR_HWID), "dev-1");
	ASSERT(http_var(&h, HTTP_VAR_DEVICE_OS) == NULL);
	ASSERT_STR(http_var(&h, HTTP_VAR_HOST), "links.example.com:8443");
	ASSERT(http_var(&h, HTTP_VAR_ORIGIN) == NULL);
	ASSERT(http_var(&h, HTTP_VAR_SEC_FETCH_SITE) == NULL);
	ASSERT(http_var(&h, HTTP_VAR_SERVER_NAME) == NULL);

	TEST("cookies");
	ASSERT_STR(http_cookie(&h, "sid"), "s3cr3t");
	ASSERT_STR(http_cookie(&h, "b"), "2");
	ASSERT(http_cookie(&h, "si") == NULL);

	TEST("a name given twice: its first value, indexed or not");
	{
		static char *twice[] = { "HTTP_X_HWID=first", "X=1",
		    "HTTP_X_HWID=second", "X=2", "HTTP_ORIGIN",
		    "HTTP_USER_AGENT", "HTTP_USER_AGENT=ua",
		    "SERVER_NAME=a.example", "SERVER_NAME=b.example", NULL };

		arena_reset(arena);
		http_init(&h, arena, twice);
		ASSERT_STR(http_var(&h, HTTP_VAR_HWID), "first");
		ASSERT_STR(http_var(&h, HTTP_VAR_SERVER_NAME), "a.example");
		ASSERT_STR(http_var(&h, HTTP_VAR_USER_AGENT), "ua");
		ASSERT(http_var(&h, HTTP_VAR_ORIGIN) == NULL);
	}

	TEST("no environment at all");
	arena_reset(arena);
	http_init(&h, arena, NULL);
	ASSERT_STR(h.method, "GET");
	ASSERT_STR(h.path, "/");
	ASSERT(h.params.n == 0);
	ASSERT(http_var(&h, HTTP_VAR_QUERY) == NULL);
}

int
main(void)
{
	arena = arena_new();
	test_check();
	test_rc();
	test_text();
	test_serialize();
	test_request();
	arena_free(arena);
	return TEST_REPORT("reply");
}
