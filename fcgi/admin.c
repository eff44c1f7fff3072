#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "admin.h"
#include "api_rules.h"
#include "arena.h"
#include "audit.h"
#include "db.h"
#include "providers.h"
#include "stats.h"
#include "valid.h"

#define ADMIN_AHEAD	2	/* months of partitions maintain makes ahead */

/* Whom the audit trail names for what these commands do. */
static const struct audit_actor admin_operator = { AUDIT_OPERATOR, NULL,
    AUDIT_LOCAL };

/* Prints o as one line of JSON and frees it. */
static void
admin_print(struct json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* Says on stderr why "provider what" failed; 1, the exit status. */
static int
admin_failed(const char *what, enum db_outcome r, const char *code)
{
	if (r == DB_NOT_FOUND && code != NULL)
		fprintf(stderr, "provider %s: no provider %s\n", what, code);
	else if (r == DB_EXISTS)
		fprintf(stderr, "provider %s: no free provider code\n", what);
	else if (db_failure() == DB_FAIL_NONE)
		fprintf(stderr, "provider %s: the random source failed\n",
		    what);
	else
		fprintf(stderr, "provider %s: %s\n", what,
		    db_failure() == DB_FAIL_DOWN ? "database unreachable" :
		    db_message());
	return 1;
}

static int
admin_add(struct arena *a, const struct config *cfg, const char *name)
{
	struct json_object *o;
	char code[VALID_PROVIDER_LEN + 1], key[VALID_KEY_LEN + 1];
	enum db_outcome r;

	if (!providers_name_ok(name)) {
		fprintf(stderr, "provider add: NAME must be 1 to %d "
		    "printable characters\n", PROVIDERS_NAME_MAX);
		return 1;
	}
	r = providers_add(a, cfg, name, &admin_operator, code, key);
	if (r != DB_OK)
		return admin_failed("add", r, NULL);
	o = json_object_new_object();
	json_object_object_add(o, "provider_code", json_object_new_string(code));
	json_object_object_add(o, "auth_key", json_object_new_string(key));
	admin_print(o);
	return 0;
}

static int
admin_list(struct arena *a)
{
	struct json_object *o;
	struct db_provider *p;
	int i, n;

	n = providers_list(a, &p);
	if (n < 0)
		return admin_failed("list", DB_FAILED, NULL);
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "provider_code",
		    json_object_new_string(p[i].code));
		json_object_object_add(o, "name",
		    json_object_new_string(p[i].name));
		json_object_object_add(o, "status", json_object_new_string(
		    p[i].status == 1 ? "active" : "disabled"));
		json_object_object_add(o, "links",
		    json_object_new_int((int)p[i].links));
		json_object_object_add(o, "created_at",
		    json_object_new_string(p[i].created_at));
		admin_print(o);
	}
	return 0;
}

static int
admin_change(struct arena *a, const struct config *cfg, const char *verb,
    const char *code)
{
	struct json_object *o;
	char key[VALID_KEY_LEN + 1];
	enum db_outcome r;
	int rotate, enable;

	if (!valid_provider_code(code)) {
		fprintf(stderr, "provider %s: CODE must be 8 letters or "
		    "digits\n", verb);
		return 1;
	}
	rotate = strcmp(verb, "rotate-key") == 0;
	enable = strcmp(verb, "enable") == 0;
	r = rotate ? providers_rotate_key(a, cfg, code, &admin_operator, key) :
	    providers_set_active(a, code, enable, &admin_operator);
	if (r != DB_OK)
		return admin_failed(verb, r, code);
	o = json_object_new_object();
	json_object_object_add(o, "provider_code", json_object_new_string(code));
	if (rotate)
		json_object_object_add(o, "auth_key",
		    json_object_new_string(key));
	else
		json_object_object_add(o, "status", json_object_new_string(
		    enable ? "active" : "disabled"));
	admin_print(o);
	return 0;
}

int
admin_provider(const struct config *cfg, int argc, char **argv)
{
	struct arena *a;
	int rc = 2;

	if (argc < 1)
		goto usage;
	if (db_open(cfg->database) != 0) {
		fprintf(stderr, "provider: cannot connect to the database\n");
		return 1;
	}
	a = arena_new();
	if (strcmp(argv[0], "add") == 0 && argc == 2)
		rc = admin_add(a, cfg, argv[1]);
	else if (strcmp(argv[0], "list") == 0 && argc == 1)
		rc = admin_list(a);
	else if ((strcmp(argv[0], "disable") == 0 ||
	    strcmp(argv[0], "enable") == 0 ||
	    strcmp(argv[0], "rotate-key") == 0) && argc == 2)
		rc = admin_change(a, cfg, argv[0], argv[1]);
	arena_free(a);
	db_close();
	if (rc != 2)
		return rc;
usage:
	fprintf(stderr, "usage: provider add NAME | list | disable CODE | "
	    "enable CODE | rotate-key CODE\n");
	return 2;
}

/* The report's columns after the provider's code and status, as the
 * header names them. */
static const char *const admin_report_cols[] = { "links", "full",
    "near_full", "devices", "admitted_new", "admitted_known",
    "refused_limit", "refused_disabled", "refused_domain", "refused_hwid",
    "refused_unknown" };
#define ADMIN_NCOLS	(sizeof(admin_report_cols) / sizeof(admin_report_cols[0]))

/* The width of column c in the table: its header's, 6 at least. */
static int
admin_width(size_t c)
{
	size_t w = strlen(admin_report_cols[c]);

	return w < 6 ? 6 : (int)w;
}

/* Row r's figures, in the order of admin_report_cols. */
static void
admin_figures(const struct db_report *r, long long out[ADMIN_NCOLS])
{
	int d;

	out[0] = r->links;
	out[1] = r->links_full;
	out[2] = r->links_near_full;
	out[3] = r->devices;
	for (d = 0; d < DB_NDECISION; d++)
		out[4 + d] = r->n[d];
}

/* s as a CSV field: quoted when it holds a comma, a quote or a line
 * break, quotes doubled. */
static void
admin_csv(const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

int
admin_report(const struct config *cfg, int argc, char **argv)
{
	struct api_args args;
	struct db_report *rows;
	struct arena *a = NULL;
	char from[VALID_DATE_LEN + 1], to[VALID_DATE_LEN + 1];
	long long f[ADMIN_NCOLS], sum[ADMIN_NCOLS];
	const char *err;
	size_t c;
	int i, n, csv = 0, rc = 1;

	memset(&args, 0, sizeof(args));
	memset(sum, 0, sizeof(sum));
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--csv") == 0)
			csv = 1;
		else if (strcmp(argv[i], "--from") == 0 && i + 1 < argc)
			args.v[API_FROM] = argv[++i];
		else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc)
			args.v[API_TO] = argv[++i];
		else
			goto usage;
	}
	if ((args.v[API_FROM] != NULL && !valid_date(args.v[API_FROM])) ||
	    (args.v[API_TO] != NULL && !valid_date(args.v[API_TO]))) {
		fprintf(stderr, "report: a date is YYYY-MM-DD\n");
		return 1;
	}
	a = arena_new();
	err = api_rules_period(a, &args, (long)(time(NULL) / 86400), from, to);
	if (err != NULL) {
		fprintf(stderr, "report: %s\n", err);
		goto out;
	}
	if (db_open(cfg->database) != 0) {
		fprintf(stderr, "report: cannot connect to the database\n");
		goto out;
	}
	n = stats_report(a, from, to, &rows);
	if (n < 0) {
		fprintf(stderr, "report: %s\n", db_failure() == DB_FAIL_DOWN ?
		    "database unreachable" : db_message());
		goto out;
	}
	if (csv)
		printf("provider_code,status,from,to");
	else
		printf("checks from %s to %s (UTC)\n%-9s %-8s", from, to,
		    "provider", "status");
	for (c = 0; c < ADMIN_NCOLS; c++) {
		if (csv)
			printf(",%s", admin_report_cols[c]);
		else
			printf(" %*s", admin_width(c), admin_report_cols[c]);
	}
	printf(csv ? ",name\n" : "  name\n");
	for (i = 0; i < n; i++) {
		admin_figures(&rows[i], f);
		if (csv) {
			printf("%s,%s,%s,%s", rows[i].provider_code,
			    rows[i].provider_code[0] == '\0' ? "" :
			    rows[i].status == 1 ? "active" : "disabled", from, to);
		} else {
			printf("%-9s %-8s", rows[i].provider_code[0] != '\0' ?
			    rows[i].provider_code : "-", rows[i].provider_code[0]
			    == '\0' ? "-" : rows[i].status == 1 ? "active" :
			    "disabled");
		}
		for (c = 0; c < ADMIN_NCOLS; c++) {
			sum[c] += f[c];
			if (csv)
				printf(",%lld", f[c]);
			else
				printf(" %*lld", admin_width(c), f[c]);
		}
		if (csv) {
			putchar(',');
			admin_csv(rows[i].provider_code[0] != '\0' ?
			    rows[i].name : "unknown links");
			putchar('\n');
		} else {
			printf("  %s\n", rows[i].provider_code[0] != '\0' ?
			    rows[i].name : "(checks of unknown links)");
		}
	}
	if (!csv) {
		printf("%-9s %-8s", "total", "");
		for (c = 0; c < ADMIN_NCOLS; c++)
			printf(" %*lld", admin_width(c), sum[c]);
		printf("\n");
	}
	rc = 0;
out:
	if (a != NULL)
		arena_free(a);
	db_close();
	return rc;
usage:
	fprintf(stderr, "usage: report [--csv] [--from YYYY-MM-DD] "
	    "[--to YYYY-MM-DD]\n");
	return 2;
}

int
admin_maintain(const struct config *cfg)
{
	struct db_maintained *rows;
	struct arena *a;
	int i, n, rc = 1;

	if (db_open(cfg->database) != 0) {
		fprintf(stderr, "maintain: cannot connect to the database\n");
		return 1;
	}
	a = arena_new();
	n = stats_maintain(a, cfg->retention_months, ADMIN_AHEAD, &rows);
	if (n < 0) {
		fprintf(stderr, "maintain: %s\n", db_failure() == DB_FAIL_DOWN ?
		    "database unreachable" : db_message());
		goto out;
	}
	for (i = 0; i < n; i++)
		printf("maintain: %s %s\n", rows[i].action, rows[i].name);
	printf("maintain: check events kept for %d months; partitions made "
	    "%d months ahead\n", cfg->retention_months, ADMIN_AHEAD);
	rc = 0;
out:
	arena_free(a);
	db_close();
	return rc;
}
