/* Reading a request from its FastCGI parameters: fcgi/http.c.
 *
 * The input is the request as the worker gets it: FastCGI parameters
 * ("NAME=value"), one a line, then an empty line and the body. Everything
 * http_init() takes from the parameters, every parameter and every cookie
 * must be what a plain reading of the same lines finds, and the body must
 * merge into the query string's parameters as params_parse() would. */

#include "fuzzhelp.h"
#include "http.h"
#include "params.h"

#define ENV_MAX	64	/* parameters read from one input */

static struct arena *A;

/* The names of enum http_var, in its order, as the worker gets them. */
static const char *const var_names[] = {
	"REQUEST_METHOD", "DOCUMENT_URI", "QUERY_STRING", "REMOTE_ADDR",
	"HTTPS", "CONTENT_LENGTH", "CONTENT_TYPE", "HTTP_COOKIE",
	"HTTP_X_HWID", "HTTP_X_DEVICE_OS", "HTTP_X_VER_OS",
	"HTTP_X_DEVICE_MODEL", "HTTP_X_APP_VERSION", "HTTP_USER_AGENT",
	"HTTP_HOST", "SERVER_NAME", "HTTP_ORIGIN", "HTTP_SEC_FETCH_SITE",
};
_Static_assert(sizeof(var_names) / sizeof(var_names[0]) == HTTP_NVARS,
    "a name for each enum http_var");

/* The value of the first parameter called name, or NULL. */
static const char *
ref_env(char **envp, const char *name)
{
	size_t n = strlen(name);

	for (; *envp != NULL; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/* The value of the first cookie called name in the header: the header is
 * cut at each ';', spaces before a name are skipped. */
static const char *
ref_cookie(const char *header, const char *name)
{
	const char *piece, *end;
	size_t n = strlen(name);

	for (piece = header; piece != NULL && *piece != '\0'; ) {
		end = strchr(piece, ';');
		piece += strspn(piece, " ");
		if (end == NULL)
			end = piece + strlen(piece);
		if (piece < end && strncmp(piece, name, n) == 0 &&
		    piece + n < end && piece[n] == '=')
			return arena_strndup(A, piece + n + 1,
			    (size_t)(end - piece - n - 1));
		piece = *end == ';' ? end + 1 : end;
	}
	return NULL;
}

static int
same_params(const struct params *a, const struct params *b)
{
	int i;

	if (a->status != b->status || a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->items[i].name, b->items[i].name) != 0 ||
		    strcmp(a->items[i].value, b->items[i].value) != 0 ||
		    a->items[i].count != b->items[i].count)
			return 0;
	return 1;
}

static void
check_cookies(struct http *h, char **envp)
{
	const char *header, *got, *want, *p, *q, *end;
	char *name;

	header = ref_env(envp, "HTTP_COOKIE");
	if (header == NULL) {
		FUZZ_CHECK(http_cookie(h, "ll_session") == NULL);
		return;
	}
	/* the name of every piece of the header, and one we use */
	for (p = header; ; p = end + 1) {
		end = p + strcspn(p, ";");
		q = p + strspn(p, " ");
		name = arena_strndup(A, q, q < end ? strcspn(q, "=;") : 0);
		got = http_cookie(h, name);
		want = ref_cookie(header, name);
		if (want == NULL)
			FUZZ_CHECK(got == NULL);
		else
			FUZZ_CHECK_STR(got, want);
		if (got != NULL) {
			FUZZ_CHECK(strchr(got, ';') == NULL);
			FUZZ_CHECK(strstr(header, arena_printf(A, "%s=%s",
			    name, got)) != NULL);
		}
		if (*end == '\0')
			break;
	}
	want = ref_cookie(header, "ll_session");
	got = http_cookie(h, "ll_session");
	FUZZ_CHECK((got == NULL) == (want == NULL));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	char *envp[ENV_MAX + 1], *line;
	const char *v, *body;
	size_t blen, len;
	struct params ref;
	struct http h;
	struct buf out;
	int n = 0, i;

	if (A == NULL)
		A = arena_new();
	while (in.left > 0 && n < ENV_MAX) {
		line = fuzz_field(A, &in, '\n', &len);
		if (len == 0)
			break;
		envp[n++] = line;
	}
	envp[n] = NULL;
	body = (const char *)in.p;
	blen = in.left;

	http_init(&h, A, envp);
	v = ref_env(envp, "REQUEST_METHOD");
	FUZZ_CHECK_STR(h.method, v != NULL ? v : "GET");
	v = ref_env(envp, "DOCUMENT_URI");
	FUZZ_CHECK_STR(h.path, v != NULL ? v : "/");
	v = ref_env(envp, "QUERY_STRING");
	FUZZ_CHECK_STR(h.query, v != NULL ? v : "");
	v = ref_env(envp, "REMOTE_ADDR");
	FUZZ_CHECK_STR(h.remote_addr, v != NULL ? v : "");
	v = ref_env(envp, "HTTPS");
	FUZZ_CHECK(h.https == (v != NULL && strcmp(v, "on") == 0));
	FUZZ_CHECK(h.status == 200 && h.headers.len == 0 && h.body.len == 0);
	/* each parameter the server reads: the very value a scan finds */
	for (i = 0; i < HTTP_NVARS; i++)
		FUZZ_CHECK(http_var(&h, (enum http_var)i) ==
		    ref_env(envp, var_names[i]));

	/* the query string, then the body, as params_parse() reads them */
	params_init(&ref);
	params_parse(&ref, A, h.query, strlen(h.query));
	FUZZ_CHECK(same_params(&h.params, &ref));
	http_add_body(&h, body, blen);
	params_parse(&ref, A, body, blen);
	FUZZ_CHECK(same_params(&h.params, &ref));
	for (i = 0; i < h.params.n; i++)
		FUZZ_CHECK(http_param(&h, h.params.items[i].name) ==
		    h.params.items[i].value);

	check_cookies(&h, envp);

	/* the answer: what is set is what is written */
	h.status = 400 + (int)(blen % 5);
	http_header(&h, "X-Length: %zu", blen);
	buf_append(&h.body, body, blen);
	buf_init(&out, A);
	http_serialize(&h, &out);
	FUZZ_CHECK(out.len > blen);
	FUZZ_CHECK(memcmp(out.data + out.len - blen, body, blen) == 0);
	FUZZ_CHECK(strncmp(out.data, arena_printf(A, "Status: %d ",
	    h.status), 12) == 0);
	FUZZ_CHECK(strstr(out.data, arena_printf(A, "\r\nContent-Length: "
	    "%zu\r\nX-Length: %zu\r\n\r\n", blen, blen)) != NULL);
	arena_reset(A);
	return 0;
}
