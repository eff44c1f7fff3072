/* The provider API's parameter rules: fcgi/api_rules.c.
 *
 * The first byte picks the call, the rest is its query string. Whatever
 * the input, the rules either name a fault in a short message of valid
 * UTF-8, or hand back values each of which has its parameter's form:
 * numbers in canonical decimal within their range, codes, HWIDs and
 * hashes of their formats, texts of at most their characters. */

#include "api_rules.h"
#include "domains.h"
#include "fuzzhelp.h"
#include "links.h"
#include "params.h"
#include "stats.h"
#include "valid.h"
#include "webhooks.h"

static struct arena *A;

/* Whether s is a canonical decimal in lo..hi. */
static int
canonical(const char *s, long lo, long hi)
{
	long n;

	return valid_int(s, lo, hi, &n) &&
	    strcmp(s, arena_printf(A, "%ld", n)) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_args out;
	struct params p;
	enum api_call call;
	const char *err, *const *v;

	if (A == NULL)
		A = arena_new();
	if (size < 1)
		return 0;
	call = (enum api_call)(data[0] % API_NCALLS);
	FUZZ_CHECK(api_rules_call(api_rules_name(call), &call) == 0);
	params_init(&p);
	params_parse(&p, A, (const char *)data + 1, size - 1);
	err = api_rules_check(A, &p, call, &out);
	v = out.v;
	if (err != NULL) {
		FUZZ_CHECK(err[0] != '\0' && strlen(err) < 300);
		FUZZ_CHECK(fuzz_utf8_ok(err));
		arena_reset(A);
		return 0;
	}
	FUZZ_CHECK(p.status == PARAMS_OK && params_first_dup(&p) == NULL);
	FUZZ_CHECK(valid_provider_code(out.provider_code));
	FUZZ_CHECK(valid_auth_key(out.auth_key));
	FUZZ_CHECK(v[API_ID] == NULL || canonical(v[API_ID], 1, 0x7fffffffffffffffL));
	FUZZ_CHECK(v[API_INSTALL_ID] == NULL ||
	    canonical(v[API_INSTALL_ID], 1, 0x7fffffffffffffffL));
	FUZZ_CHECK(v[API_LIMIT] == NULL ||
	    canonical(v[API_LIMIT], LINKS_LIMIT_MIN, LINKS_LIMIT_MAX));
	FUZZ_CHECK(v[API_STATUS] == NULL ||
	    strcmp(v[API_STATUS], "5") == 0 || strcmp(v[API_STATUS], "10") == 0);
	FUZZ_CHECK(v[API_CODE] == NULL || valid_install_code(v[API_CODE]));
	FUZZ_CHECK(v[API_HWID] == NULL || valid_hwid(v[API_HWID]));
	FUZZ_CHECK(v[API_HASH] == NULL || valid_domain_hash(v[API_HASH]));
	FUZZ_CHECK(v[API_NOTE] == NULL || valid_text(v[API_NOTE], LINKS_NOTE_MAX));
	FUZZ_CHECK(v[API_NAME] == NULL ||
	    (v[API_NAME][0] != '\0' && valid_text(v[API_NAME], DOMAINS_LABEL_MAX)));
	FUZZ_CHECK(v[API_FROM] == NULL || valid_date(v[API_FROM]));
	FUZZ_CHECK(v[API_TO] == NULL || valid_date(v[API_TO]));
	FUZZ_CHECK(v[API_ROWS] == NULL || canonical(v[API_ROWS], 1, API_ROWS_MAX));
	/* a period, on a day the input picks: refused in words, or whole
	 * days in order, at most STATS_PERIOD_MAX of them, that end on to */
	if (call == API_STATS || call == API_LIST_AUDIT) {
		char from[VALID_DATE_LEN + 1], to[VALID_DATE_LEN + 1];
		long today = (long)data[0] * 97 + 20000, first, last;

		err = api_rules_period(A, &out, today, from, to);
		if (err != NULL) {
			FUZZ_CHECK(err[0] != '\0' && fuzz_utf8_ok(err));
		} else {
			FUZZ_CHECK(valid_date_days(from, &first));
			FUZZ_CHECK(valid_date_days(to, &last));
			FUZZ_CHECK(first <= last &&
			    last - first < STATS_PERIOD_MAX);
			FUZZ_CHECK(v[API_TO] != NULL ?
			    strcmp(to, v[API_TO]) == 0 : last == today);
			FUZZ_CHECK(v[API_FROM] == NULL ||
			    strcmp(from, v[API_FROM]) == 0);
		}
	}
	FUZZ_CHECK(v[API_EXPIRE] == NULL ||
	    canonical(v[API_EXPIRE], 0, LINKS_EXPIRE_MAX));
	FUZZ_CHECK(v[API_ROTATE] == NULL || strcmp(v[API_ROTATE], "1") == 0);
	FUZZ_CHECK(v[API_DISABLE] == NULL || strcmp(v[API_DISABLE], "1") == 0);
	FUZZ_CHECK(v[API_ROTATE] == NULL || v[API_DISABLE] == NULL);
	FUZZ_CHECK(v[API_URL] == NULL || webhooks_url_ok(v[API_URL]));
	/* the events, canonical: parsing them again gives them back */
	FUZZ_CHECK(v[API_EVENTS] == NULL || strcmp(webhooks_types_parse(A,
	    v[API_EVENTS]), v[API_EVENTS]) == 0);
	/* what a call needs is there */
	if (call == API_ADD_INSTALL)
		FUZZ_CHECK(v[API_LIMIT] != NULL);
	if (call == API_UPDATE_INSTALL || call == API_DELETE_DOMAIN)
		FUZZ_CHECK(v[API_ID] != NULL);
	if (call == API_LIST_HWID || call == API_DELETE_HWID ||
	    call == API_LIST_REFUSED)
		FUZZ_CHECK(v[API_CODE] != NULL || v[API_INSTALL_ID] != NULL);
	if (call == API_DELETE_HWID)
		FUZZ_CHECK(v[API_HWID] != NULL);
	if (call == API_ADD_DOMAIN)
		FUZZ_CHECK(v[API_HASH] != NULL);
	if (call == API_RESET_INSTALL || call == API_SELF_SERVICE)
		FUZZ_CHECK(v[API_CODE] != NULL || v[API_ID] != NULL);
	if (call == API_SET_WEBHOOK)
		FUZZ_CHECK(v[API_URL] != NULL);
	arena_reset(A);
	return 0;
}
