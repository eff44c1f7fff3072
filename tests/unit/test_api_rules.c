/* The provider API's parameter rules, driven alone: fcgi/api_rules.c
 * against query strings parsed by fcgi/params.c, no request, no
 * database. */

#include <string.h>

#include "api_rules.h"
#include "arena.h"
#include "params.h"
#include "testhelp.h"

#define AUTH	"provider_code=Ab12Cd34&auth_key=kwQe7RfjrFccABagQ49-Tj6rbBhj-Acl"

static struct arena *A;
static struct api_args args;

/* Checks query q for call; returns the message, or "ok". */
static const char *
check(enum api_call call, const char *q)
{
	struct params p;
	const char *err;

	params_init(&p);
	params_parse(&p, A, q, strlen(q));
	err = api_rules_check(A, &p, call, &args);
	return err != NULL ? err : "ok";
}

static void
test_calls(void)
{
	enum api_call c;
	int i;

	TEST("every call is found by its name, and names itself");
	for (i = 0; i < API_NCALLS; i++) {
		ASSERT(api_rules_call(api_rules_name((enum api_call)i), &c) == 0);
		ASSERT(c == (enum api_call)i);
	}
	ASSERT(api_rules_call("add-install", &c) == 0 && c == API_ADD_INSTALL);
	ASSERT(api_rules_call("delete-domain", &c) == 0 &&
	    c == API_DELETE_DOMAIN);

	TEST("no other name is a call");
	ASSERT(api_rules_call("", &c) != 0);
	ASSERT(api_rules_call("add-install/", &c) != 0);
	ASSERT(api_rules_call("Add-Install", &c) != 0);
	ASSERT(api_rules_call("delete", &c) != 0);

	TEST("parameters name themselves as requests spell them");
	ASSERT_STR(api_rules_arg(API_LIMIT), "install_limit");
	ASSERT_STR(api_rules_arg(API_CODE), "install_code");
	ASSERT_STR(api_rules_arg(API_NAME), "domain_name");
}

static void
test_auth(void)
{
	TEST("provider_code and auth_key come first, and must be well formed");
	ASSERT_STR(check(API_LIST_DOMAIN, ""), "Missing parameter: provider_code");
	ASSERT_STR(check(API_ADD_INSTALL, "install_limit=0"),
	    "Missing parameter: provider_code");
	ASSERT_STR(check(API_LIST_DOMAIN, "provider_code="),
	    "Missing parameter: provider_code");
	ASSERT_STR(check(API_LIST_DOMAIN, "provider_code=Ab12"),
	    "provider_code must be 8 letters or digits");
	ASSERT_STR(check(API_LIST_DOMAIN, "provider_code=Ab12Cd34"),
	    "Missing parameter: auth_key");
	ASSERT_STR(check(API_LIST_DOMAIN, "provider_code=Ab12Cd34&auth_key=x"),
	    "auth_key must be 32 characters from A-Z a-z 0-9 - _");
	ASSERT_STR(check(API_LIST_DOMAIN, AUTH), "ok");
	ASSERT_STR(args.provider_code, "Ab12Cd34");
	ASSERT_STR(args.auth_key, "kwQe7RfjrFccABagQ49-Tj6rbBhj-Acl");

	TEST("a query that does not parse, or repeats a name, is refused first");
	ASSERT_STR(check(API_LIST_DOMAIN, AUTH "&note=%zz"),
	    "Bad percent-encoding in parameter: note");
	ASSERT_STR(check(API_LIST_DOMAIN, "no%00te=1&" AUTH),
	    "NUL byte in a parameter name");
	ASSERT_STR(check(API_LIST_DOMAIN, "=1&" AUTH), "Empty parameter name");
	ASSERT_STR(check(API_LIST_DOMAIN, AUTH "&x=1&x=2"),
	    "Duplicate parameter: x");
	ASSERT_STR(check(API_LIST_DOMAIN, AUTH "&provider_code=Ab12Cd34"),
	    "Duplicate parameter: provider_code");
}

static void
test_install(void)
{
	TEST("add-install: install_limit is needed, 1 to 100, canonical");
	ASSERT_STR(check(API_ADD_INSTALL, AUTH), "Missing parameter: install_limit");
	ASSERT_STR(check(API_ADD_INSTALL, AUTH "&install_limit="),
	    "Missing parameter: install_limit");
	ASSERT_STR(check(API_ADD_INSTALL, AUTH "&install_limit=0"),
	    "Install limit error: install_limit must be an integer from 1 to 100");
	ASSERT_STR(check(API_ADD_INSTALL, AUTH "&install_limit=101"),
	    "Install limit error: install_limit must be an integer from 1 to 100");
	ASSERT_STR(check(API_ADD_INSTALL, AUTH "&install_limit=1.0"),
	    "Install limit error: install_limit must be an integer from 1 to 100");
	ASSERT_STR(check(API_ADD_INSTALL, AUTH "&install_limit=007"), "ok");
	ASSERT_STR(args.v[API_LIMIT], "7");
	ASSERT(args.v[API_CODE] == NULL && args.v[API_NOTE] == NULL);

	TEST("add-install: install_code and note");
	ASSERT_STR(check(API_ADD_INSTALL, AUTH "&install_limit=2&"
	    "install_code=abc"), "install_code must be 12 letters or digits");
	ASSERT_STR(check(API_ADD_INSTALL, AUTH "&install_limit=2&"
	    "install_code=&note="), "ok");
	ASSERT(args.v[API_CODE] == NULL);
	ASSERT_STR(args.v[API_NOTE], "");
	ASSERT_STR(check(API_ADD_INSTALL, AUTH "&install_limit=2&"
	    "install_code=6P0hVao1fG5e&note=Alice+%C3%A9"), "ok");
	ASSERT_STR(args.v[API_CODE], "6P0hVao1fG5e");
	ASSERT_STR(args.v[API_NOTE], "Alice \xc3\xa9");
	ASSERT_STR(check(API_ADD_INSTALL, AUTH "&install_limit=2&note=a%0Ab"),
	    "note must be UTF-8 text without control characters");
	ASSERT_STR(check(API_ADD_INSTALL, AUTH "&install_limit=2&note=%C2%85"),
	    "note must be UTF-8 text without control characters");

	TEST("the checks go in a fixed order: install_code before install_limit");
	ASSERT_STR(check(API_ADD_INSTALL, AUTH "&install_limit=0&install_code=x"),
	    "install_code must be 12 letters or digits");

	TEST("update-install: id, then limit, status and note");
	ASSERT_STR(check(API_UPDATE_INSTALL, AUTH "&status=5"),
	    "Missing parameter: id");
	ASSERT_STR(check(API_UPDATE_INSTALL, AUTH "&id=0"),
	    "id must be a positive integer");
	ASSERT_STR(check(API_UPDATE_INSTALL, AUTH "&id=3&status=7"),
	    "Install status error: status must be 5 or 10");
	ASSERT_STR(check(API_UPDATE_INSTALL, AUTH "&id=03&status=05"), "ok");
	ASSERT_STR(args.v[API_ID], "3");
	ASSERT_STR(args.v[API_STATUS], "5");
	ASSERT(args.v[API_LIMIT] == NULL && args.v[API_NOTE] == NULL);

	TEST("list-install: id is optional; what a call does not take is ignored");
	ASSERT_STR(check(API_LIST_INSTALL, AUTH), "ok");
	ASSERT(args.v[API_ID] == NULL);
	ASSERT_STR(check(API_LIST_INSTALL, AUTH "&install_limit=x&hwid=%20"),
	    "ok");
	ASSERT(args.v[API_LIMIT] == NULL && args.v[API_HWID] == NULL);
}

static void
test_text_max(void)
{
	char q[4096], note[1600];
	size_t i;

	TEST("a note or a label of 255 characters, not 256");
	for (i = 0; i < 255; i++)
		memcpy(note + 6 * i, "%C3%A9", 6);	/* U+00E9 */
	note[6 * 255] = '\0';
	snprintf(q, sizeof(q), AUTH "&install_limit=1&note=%s", note);
	ASSERT_STR(check(API_ADD_INSTALL, q), "ok");
	snprintf(q, sizeof(q), AUTH "&install_limit=1&note=%sx", note);
	ASSERT_STR(check(API_ADD_INSTALL, q),
	    "note must be at most 255 characters");
	snprintf(q, sizeof(q), AUTH "&domain_hash=005c4a974d8b94af421206f9ef34efeb"
	    "ab39a7a4d25a81723933892a1fdf2e31&domain_name=%sx", note);
	ASSERT_STR(check(API_ADD_DOMAIN, q),
	    "domain_name must be at most 255 characters");
}

static void
test_devices_domains(void)
{
	TEST("list-hwid and delete-hwid need the link by code or id");
	ASSERT_STR(check(API_LIST_HWID, AUTH),
	    "Missing parameter: install_code or install_id");
	ASSERT_STR(check(API_LIST_HWID, AUTH "&install_code=&install_id="),
	    "Missing parameter: install_code or install_id");
	ASSERT_STR(check(API_LIST_HWID, AUTH "&install_id=-1"),
	    "install_id must be a positive integer");
	ASSERT_STR(check(API_LIST_HWID, AUTH "&install_id=12"), "ok");
	ASSERT_STR(args.v[API_INSTALL_ID], "12");
	ASSERT(args.v[API_CODE] == NULL && args.v[API_HWID] == NULL);
	ASSERT_STR(check(API_DELETE_HWID, AUTH), "Missing parameter: hwid");
	ASSERT_STR(check(API_DELETE_HWID, AUTH "&hwid=a%20b&install_id=1"),
	    "hwid must be 1 to 128 characters from A-Z a-z 0-9 . _ : = -");
	ASSERT_STR(check(API_DELETE_HWID, AUTH "&hwid=dev-1"),
	    "Missing parameter: install_code or install_id");
	ASSERT_STR(check(API_DELETE_HWID, AUTH "&hwid=dev-1&"
	    "install_code=6P0hVao1fG5e"), "ok");

	TEST("add-domain: a lowercase hash; an empty label is no label");
	ASSERT_STR(check(API_ADD_DOMAIN, AUTH "&domain_name=x"),
	    "Missing parameter: domain_hash");
	ASSERT_STR(check(API_ADD_DOMAIN, AUTH "&domain_hash=005C4A974D8B94AF42"
	    "1206F9EF34EFEBAB39A7A4D25A81723933892A1FDF2E31"),
	    "domain_hash must be 64 lowercase hex digits (the SHA-256 of the "
	    "domain)");
	ASSERT_STR(check(API_ADD_DOMAIN, AUTH "&domain_hash=005c4a974d8b94af42"
	    "1206f9ef34efebab39a7a4d25a81723933892a1fdf2e31&domain_name="),
	    "ok");
	ASSERT(args.v[API_NAME] == NULL);

	TEST("delete-domain needs its id");
	ASSERT_STR(check(API_DELETE_DOMAIN, AUTH), "Missing parameter: id");
	ASSERT_STR(check(API_DELETE_DOMAIN, AUTH "&id=1e3"),
	    "id must be a positive integer");
	ASSERT_STR(check(API_DELETE_DOMAIN, AUTH "&id=999999999999999999"), "ok");
}

/* The period of a stats call with query q, on day today: "FROM TO", or
 * the message. */
static const char *
period(const char *q, long today)
{
	char from[VALID_DATE_LEN + 1], to[VALID_DATE_LEN + 1];
	const char *err;

	err = check(API_STATS, q);
	if (strcmp(err, "ok") != 0)
		return err;
	err = api_rules_period(A, &args, today, from, to);
	return err != NULL ? err : arena_printf(A, "%s %s", from, to);
}

static void
test_stats(void)
{
	long day;

	TEST("stats: every parameter is optional; dates are real ones");
	ASSERT_STR(check(API_STATS, AUTH), "ok");
	ASSERT_STR(check(API_STATS, AUTH "&from=2026-11-04&to=2026-12-03"),
	    "ok");
	ASSERT_STR(check(API_STATS, AUTH "&from=2026-02-29"),
	    "from must be a date YYYY-MM-DD");
	ASSERT_STR(check(API_STATS, AUTH "&from=2028-02-29&to=2026-13-01"),
	    "to must be a date YYYY-MM-DD");
	ASSERT_STR(check(API_STATS, AUTH "&to=2026-1-01"),
	    "to must be a date YYYY-MM-DD");
	ASSERT_STR(check(API_STATS, AUTH "&from=1969-12-31"),
	    "from must be a date YYYY-MM-DD");
	ASSERT_STR(check(API_STATS, AUTH "&install_id=0"),
	    "install_id must be a positive integer");
	ASSERT_STR(check(API_STATS, AUTH "&install_code=short"),
	    "install_code must be 12 letters or digits");

	TEST("stats: the period defaults to the 30 days ending today");
	ASSERT(valid_date_days("2026-12-03", &day));
	ASSERT_STR(period(AUTH, day), "2026-11-04 2026-12-03");
	ASSERT_STR(period(AUTH "&to=2026-03-01", day),
	    "2026-01-31 2026-03-01");
	ASSERT_STR(period(AUTH "&from=2026-12-01", day),
	    "2026-12-01 2026-12-03");
	ASSERT_STR(period(AUTH "&from=2024-02-28&to=2024-03-01", day),
	    "2024-02-28 2024-03-01");

	TEST("stats: at most 366 days, from never after to");
	ASSERT_STR(period(AUTH "&from=2025-12-03&to=2026-12-03", day),
	    "2025-12-03 2026-12-03");
	ASSERT_STR(period(AUTH "&from=2025-12-02&to=2026-12-03", day),
	    "to must be at most 365 days after from");
	ASSERT_STR(period(AUTH "&from=2025-12-02", day),
	    "from must be at most 365 days before today (the default of to)");
	ASSERT_STR(period(AUTH "&from=2026-12-04&to=2026-12-03", day),
	    "from must not be after to");
	ASSERT_STR(period(AUTH "&from=2026-12-04", day),
	    "from must not be after today (the default of to)");

	TEST("list-refused needs its link; limit is 1 to 1000");
	ASSERT_STR(check(API_LIST_REFUSED, AUTH),
	    "Missing parameter: install_code or install_id");
	ASSERT_STR(check(API_LIST_REFUSED, AUTH "&install_id=3&limit=1000"),
	    "ok");
	ASSERT_STR(check(API_LIST_REFUSED, AUTH "&install_id=3&limit=1001"),
	    "limit must be an integer from 1 to 1000");
	ASSERT_STR(check(API_LIST_REFUSED, AUTH "&install_id=3&limit=0"),
	    "limit must be an integer from 1 to 1000");

	TEST("list-audit: from, to and install_id, all optional");
	ASSERT_STR(check(API_LIST_AUDIT, AUTH), "ok");
	ASSERT_STR(check(API_LIST_AUDIT, AUTH "&install_id=x"),
	    "install_id must be a positive integer");
	ASSERT_STR(check(API_LIST_AUDIT, AUTH "&to=yesterday"),
	    "to must be a date YYYY-MM-DD");
}

int
main(void)
{
	A = arena_new();
	test_calls();
	test_auth();
	test_install();
	test_text_max();
	test_devices_domains();
	test_stats();
	arena_free(A);
	return TEST_REPORT("api_rules");
}
