/* The database layer without a database: fcgi/db.c's statements against
 * the functions they call in sql/functions/ (by parameters, columns and
 * types, read from the SQL text), its decoding of rows and outcomes from
 * results built by libpq itself, and which statements may run twice.
 * Run from the top of the tree, as tests/run does. */

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "arena.h"
#include "db.h"
#include "testhelp.h"

#define FUNCTIONS_DIR	"sql/functions"

static struct arena *A;
static char *sql_text;		/* every file of FUNCTIONS_DIR, one after another */

static void
load_functions(void)
{
	struct buf b;
	struct dirent *e;
	DIR *d;
	FILE *f;
	char path[512], chunk[4096];
	size_t n;

	buf_init(&b, A);
	d = opendir(FUNCTIONS_DIR);
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strstr(e->d_name, ".sql") == NULL)
			continue;
		snprintf(path, sizeof(path), "%s/%s", FUNCTIONS_DIR, e->d_name);
		f = fopen(path, "r");
		while (f != NULL && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			buf_append(&b, chunk, n);
		if (f != NULL)
			fclose(f);
		buf_puts(&b, "\n");
	}
	if (d != NULL)
		closedir(d);
	sql_text = b.data;
}

/* PostgreSQL's OID for an SQL type name, 0 for one we do not read. */
static Oid
type_oid(const char *t)
{
	if (strcmp(t, "text") == 0)
		return 25;
	if (strcmp(t, "integer") == 0)
		return 23;
	if (strcmp(t, "smallint") == 0)
		return 21;
	if (strcmp(t, "bigint") == 0)
		return 20;
	if (strcmp(t, "boolean") == 0)
		return 16;
	return 0;
}

/* What a function's definition says of it. */
struct signature {
	int	 found;
	int	 nin;			/* input parameters */
	int	 nout;			/* OUT parameters */
	char	 out[16][64];		/* their names */
	Oid	 outtype[16];
	Oid	 returns;		/* with no OUT parameter: the type */
};

/* Reads the definition of function name from sql_text. */
static void
signature(const char *name, struct signature *s)
{
	char want[128], word[64], type[64];
	const char *p, *q, *end;
	int depth;

	memset(s, 0, sizeof(*s));
	snprintf(want, sizeof(want), "FUNCTION %s(", name);
	p = strstr(sql_text, want);
	if (p == NULL)
		return;
	s->found = 1;
	p += strlen(want);
	for (end = p, depth = 1; *end != '\0' && depth > 0; end++)
		depth += *end == '(' ? 1 : *end == ')' ? -1 : 0;
	/* each parameter: [OUT] name type, separated by commas */
	while (p < end - 1) {
		while (isspace((unsigned char)*p) || *p == ',')
			p++;
		q = p;
		while (q < end - 1 && *q != ',')
			q++;
		if (sscanf(p, "OUT %63s %63[a-z]", word, type) == 2 &&
		    s->nout < 16) {
			snprintf(s->out[s->nout], sizeof(s->out[0]), "%s", word);
			s->outtype[s->nout++] = type_oid(type);
		} else if (q > p) {
			s->nin++;
		}
		p = q;
	}
	if (s->nout == 0 && sscanf(end, " RETURNS %63[a-z]", type) == 1)
		s->returns = type_oid(type);
}

/* A result with the columns of s, as describing its statement gives,
 * named alias when the function returns one plain value. */
static PGresult *
described(const struct signature *s, const char *alias)
{
	PGresAttDesc att[16];
	PGresult *r;
	int i, n;

	memset(att, 0, sizeof(att));
	n = s->nout > 0 ? s->nout : 1;
	for (i = 0; i < n; i++) {
		att[i].name = arena_strdup(A, s->nout > 0 ? s->out[i] : alias);
		att[i].typid = s->nout > 0 ? s->outtype[i] : s->returns;
		att[i].typlen = -1;
		att[i].atttypmod = -1;
	}
	r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	PQsetResultAttrs(r, n, att);
	return r;
}

static void
test_statements(void)
{
	struct signature s;
	PGresult *r;
	char sql[1024], fn[64], alias[64], why[160];
	const char *from, *as, *d;
	int st, top, ok_sql = 1, ok_params = 1, ok_cols = 1;

	TEST("every statement calls a function of sql/functions with as many "
	    "parameters, and reads the columns it answers");
	ASSERT(sql_text != NULL && strstr(sql_text, "ll_check") != NULL);
	for (st = 0; st < DB_NSTMT; st++) {
		/* SELECT columns FROM ll_f(...), or SELECT ll_f(...) for a
		 * record statement */
		if (db_sql((enum db_stmt)st, sql, sizeof(sql)) == NULL ||
		    strncmp(sql, "SELECT ", 7) != 0 ||
		    ((from = strstr(sql, " FROM ll_")) == NULL &&
		    strncmp(from = sql + 6, " ll_", 4) != 0) ||
		    sscanf(from, "%*[ FROM]%63[a-z_]", fn) != 1) {
			fprintf(stderr, "statement %d: %s\n", st, sql);
			ok_sql = 0;
			continue;
		}
		/* the highest $N is the number of parameters it sends */
		for (top = 0, d = sql; (d = strchr(d, '$')) != NULL; d++)
			if (atoi(d + 1) > top)
				top = atoi(d + 1);
		signature(fn, &s);
		if (!s.found || s.nin != top) {
			fprintf(stderr, "%s: %s, %d parameters sent, %d taken\n",
			    fn, s.found ? "found" : "not found", top, s.nin);
			ok_params = 0;
			continue;
		}
		as = strstr(from, " AS ");
		alias[0] = '\0';
		if (as != NULL)
			sscanf(as, " AS %63[a-z_]", alias);
		r = described(&s, alias);
		if (db_check_columns((enum db_stmt)st, r, why,
		    sizeof(why)) != 0) {
			fprintf(stderr, "%s: %s\n", fn, why);
			ok_cols = 0;
		}
		PQclear(r);
	}
	ASSERT(ok_sql);
	ASSERT(ok_params);
	ASSERT(ok_cols);

	TEST("a changed OUT list is caught: a column gone, renamed, retyped");
	signature("ll_link_update", &s);
	ASSERT(s.found && s.nout == 3);
	r = described(&s, "");
	ASSERT(db_check_columns(DB_LINK_UPDATE, r, why, sizeof(why)) == 0);
	PQclear(r);
	s.nout = 2;
	r = described(&s, "");
	ASSERT(db_check_columns(DB_LINK_UPDATE, r, why, sizeof(why)) != 0);
	ASSERT_STR(why, "2 columns, want 3");
	PQclear(r);
	s.nout = 3;
	snprintf(s.out[1], sizeof(s.out[1]), "o_install_code");
	r = described(&s, "");
	ASSERT(db_check_columns(DB_LINK_UPDATE, r, why, sizeof(why)) != 0);
	ASSERT_STR(why, "column 2 is o_install_code, want o_code");
	PQclear(r);
	snprintf(s.out[1], sizeof(s.out[1]), "o_code");
	s.outtype[2] = 20;
	r = described(&s, "");
	ASSERT(db_check_columns(DB_LINK_UPDATE, r, why, sizeof(why)) != 0);
	PQclear(r);

	TEST("the signature reader sees what it should");
	signature("ll_check", &s);
	ASSERT(s.found && s.nin == 8 && s.nout == 6);
	ASSERT_STR(s.out[2], "o_import");
	ASSERT_STR(s.out[3], "o_decision");
	signature("ll_provider_status", &s);
	ASSERT(s.found && s.nin == 1 && s.nout == 0 && s.returns == 23);
	signature("ll_no_such_function", &s);
	ASSERT(!s.found);
}

/* Sets column col of row 0 of r to v (NULL: SQL NULL). */
static void
set(PGresult *r, int col, const char *v)
{
	PQsetvalue(r, 0, col, v != NULL ? arena_strdup(A, v) : NULL,
	    v != NULL ? (int)strlen(v) : -1);
}

/* A result of DB_LINK_UPDATE with one row of three texts (NULL: SQL
 * NULL). */
static PGresult *
link_updated(const char *result, const char *code, const char *count)
{
	struct signature s;
	PGresult *r;

	signature("ll_link_update", &s);
	r = described(&s, "");
	set(r, 0, result);
	set(r, 1, code);
	set(r, 2, count);
	return r;
}

/* A result of one record column (type record), one row of text v (NULL:
 * SQL NULL), as a record statement's call answers. */
static PGresult *
record(const char *v)
{
	PGresAttDesc att;
	PGresult *r;

	memset(&att, 0, sizeof(att));
	att.name = arena_strdup(A, "ll_check");
	att.typid = 2249;
	att.typlen = -1;
	att.atttypmod = -1;
	r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	PQsetResultAttrs(r, 1, &att);
	set(r, 0, v);
	return r;
}

static void
test_decode(void)
{
	struct db_link_updated *u;
	struct db_link *wrong;
	struct db_domain *none;
	struct signature s;
	PGresult *r;

	TEST("a row is decoded into its struct, its outcome into the enum");
	r = link_updated("below_count", "6P0hVao1fG5e", "3");
	ASSERT(db_decode(A, DB_LINK_UPDATE, r, &u, sizeof(*u)) == 1);
	ASSERT(u[0].outcome == DB_BELOW_COUNT);
	ASSERT_STR(u[0].install_code, "6P0hVao1fG5e");
	ASSERT(u[0].install_count == 3);
	PQclear(r);
	r = link_updated("ok", NULL, NULL);
	ASSERT(db_decode(A, DB_LINK_UPDATE, r, &u, sizeof(*u)) == 1);
	ASSERT(u[0].outcome == DB_OK);
	ASSERT(u[0].install_code == NULL);
	ASSERT(u[0].install_count == 0);
	PQclear(r);

	TEST("an outcome this server does not know is a failure, not a guess");
	r = link_updated("maybe", "6P0hVao1fG5e", "3");
	ASSERT(db_decode(A, DB_LINK_UPDATE, r, &u, sizeof(*u)) == -1);
	PQclear(r);
	r = link_updated(NULL, "6P0hVao1fG5e", "3");
	ASSERT(db_decode(A, DB_LINK_UPDATE, r, &u, sizeof(*u)) == -1);
	PQclear(r);

	TEST("the check, called in the select list, is read from its record, "
	    "its decision by name, an unknown one refused");
	{
		struct db_check *c;
		static const char *const names[] = { "admitted_new",
		    "admitted_known", "refused_limit", "refused_disabled",
		    "refused_domain", "refused_hwid", "refused_unknown" };
		char text[128];
		int i;

		ASSERT_STR(db_sql(DB_CHECK, text, sizeof(text)),
		    "SELECT ll_check($1, $2, $3, $4, $5, $6, $7, $8)");
		for (i = 0; i < DB_NDECISION; i++) {
			snprintf(text, sizeof(text), "(Ab12Cd34,10,f,%s,7,%s)",
			    names[i], i == DB_REFUSED_UNKNOWN ? "" : "42");
			r = record(text);
			ASSERT(db_decode(A, DB_CHECK, r, &c, sizeof(*c)) == 1);
			ASSERT_STR(c[0].providerid, "Ab12Cd34");
			ASSERT(c[0].status == 10 && !c[0].admitted);
			ASSERT(c[0].decision == (enum db_decision)i);
			ASSERT_STR(db_decision_name(c[0].decision), names[i]);
			ASSERT(c[0].provider_id == 7);
			ASSERT(c[0].link_id == (i == DB_REFUSED_UNKNOWN ? 0 : 42));
			PQclear(r);
		}
		r = record("(Ab12Cd34,10,f,refused_maybe,7,42)");
		ASSERT(db_decode(A, DB_CHECK, r, &c, sizeof(*c)) == -1);
		PQclear(r);

		TEST("a record's quoted, escaped, empty and NULL fields");
		r = record("(\"\",0,t,admitted_new,,)");
		ASSERT(db_decode(A, DB_CHECK, r, &c, sizeof(*c)) == 1);
		ASSERT_STR(c[0].providerid, "");
		ASSERT(c[0].admitted && c[0].link_id == 0);
		PQclear(r);
		r = record("(,0,f,refused_unknown,,)");
		ASSERT(db_decode(A, DB_CHECK, r, &c, sizeof(*c)) == 1);
		ASSERT(c[0].providerid == NULL);
		PQclear(r);
		r = record("(\"a \"\"b\"\",c\\\\d)\",1,t,admitted_known,2,3)");
		ASSERT(db_decode(A, DB_CHECK, r, &c, sizeof(*c)) == 1);
		ASSERT_STR(c[0].providerid, "a \"b\",c\\d)");
		ASSERT(c[0].status == 1 && c[0].link_id == 3);
		PQclear(r);

		TEST("a record of more or fewer fields, or none, is refused");
		r = record("(Ab12Cd34,10,f,refused_limit,7,42,1)");
		ASSERT(db_decode(A, DB_CHECK, r, &c, sizeof(*c)) == -1);
		PQclear(r);
		r = record("(Ab12Cd34,10,f,refused_limit,7)");
		ASSERT(db_decode(A, DB_CHECK, r, &c, sizeof(*c)) == -1);
		PQclear(r);
		r = record("Ab12Cd34,10,f,refused_limit,7,42");
		ASSERT(db_decode(A, DB_CHECK, r, &c, sizeof(*c)) == -1);
		PQclear(r);
		r = record(NULL);
		ASSERT(db_decode(A, DB_CHECK, r, &c, sizeof(*c)) == -1);
		PQclear(r);

		TEST("the check's columns, rather than its record, are refused");
		signature("ll_check", &s);
		r = described(&s, "");
		ASSERT(db_decode(A, DB_CHECK, r, &c, sizeof(*c)) == -1);
		PQclear(r);
	}

	TEST("rows of another struct are refused");
	r = link_updated("ok", "6P0hVao1fG5e", "3");
	ASSERT(db_decode(A, DB_LINK_UPDATE, r, &wrong, sizeof(*wrong)) == -1);
	ASSERT(wrong == NULL);
	PQclear(r);

	TEST("no row is no rows");
	signature("ll_domain_list", &s);
	r = described(&s, "");
	ASSERT(db_decode(A, DB_DOMAIN_LIST, r, &none, sizeof(*none)) == 0);
	ASSERT(none == NULL);
	PQclear(r);
}

static void
test_retries(void)
{
	TEST("what a lost answer would make answer otherwise runs only once");
	ASSERT(!db_retried(DB_LINK_ADD));	/* "exists" */
	ASSERT(!db_retried(DB_DEVICE_DELETE));	/* "HWID not found" */
	ASSERT(!db_retried(DB_DOMAIN_ADD));	/* "Domain hash exists" */
	ASSERT(!db_retried(DB_DOMAIN_DELETE));	/* "Domain not found" */
	ASSERT(!db_retried(DB_PROVIDER_ADD));
	ASSERT(!db_retried(DB_SESSION_CREATE));
	ASSERT(!db_retried(DB_SIGNIN_FAILED));	/* counted twice */
	ASSERT(!db_retried(DB_LINK_RESET));	/* "released":0 */
	ASSERT(!db_retried(DB_SELF_SERVICE_SET));	/* exists */
	ASSERT(!db_retried(DB_SELF_RELEASE));	/* its own cooldown */
	ASSERT(!db_retried(DB_WEBHOOK_DELETE));	/* "Webhook not found" */
	ASSERT(!db_retried(DB_WEBHOOK_CLAIM));	/* a try counted twice */
	ASSERT(!db_retried(DB_WEBHOOK_RESULT));

	TEST("what answers alike the second time is retried");
	ASSERT(db_retried(DB_CHECK));		/* a slot taken is held */
	ASSERT(db_retried(DB_AUTH));
	ASSERT(db_retried(DB_LINK_UPDATE));
	ASSERT(db_retried(DB_LINK_LIST));
	ASSERT(db_retried(DB_DEVICE_LIST));
	ASSERT(db_retried(DB_LINK_SET_TARGET));
	ASSERT(db_retried(DB_SESSION_GET));
	/* a flush names itself, and a second run applies nothing */
	ASSERT(db_retried(DB_STATS_FLUSH));
	ASSERT(db_retried(DB_STATS_DAYS));
	ASSERT(db_retried(DB_AUDIT_LIST));
}

static void
test_named(void)
{
	int n = -1;

	TEST("a list about a named link: no such link, none listed, some");
	ASSERT(db_named(-1, NULL, &n) == DB_FAILED && n == 0);
	n = -1;
	ASSERT(db_named(0, NULL, &n) == DB_NOT_FOUND && n == 0);
	n = -1;
	ASSERT(db_named(1, NULL, &n) == DB_OK && n == 0);
	ASSERT(db_named(1, "hw-1", &n) == DB_OK && n == 1);
	ASSERT(db_named(3, "hw-1", &n) == DB_OK && n == 3);
}

int
main(void)
{
	A = arena_new();
	load_functions();
	test_statements();
	test_decode();
	test_retries();
	test_named();
	arena_free(A);
	return TEST_REPORT("db");
}
