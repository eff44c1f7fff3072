#include <string.h>

#include "stats.h"

/* n as a statement's parameter in arena a; 0 is NULL. */
static const char *
stats_num(struct arena *a, long long n)
{
	return n != 0 ? arena_printf(a, "%lld", n) : NULL;
}

const char *
stats_period(struct arena *a, const char *from, const char *to, long today,
    char first[VALID_DATE_LEN + 1], char last[VALID_DATE_LEN + 1])
{
	long f, l;

	if (to == NULL || !valid_date_days(to, &l))
		l = today;
	if (from == NULL || !valid_date_days(from, &f))
		f = l - (STATS_PERIOD_DEFAULT - 1);
	if (f > l)
		return to != NULL ? "from must not be after to" :
		    "from must not be after today (the default of to)";
	if (l - f >= STATS_PERIOD_MAX)
		return to != NULL ?
		    arena_printf(a, "to must be at most %d days after from",
		    STATS_PERIOD_MAX - 1) :
		    arena_printf(a, "from must be at most %d days before today "
		    "(the default of to)", STATS_PERIOD_MAX - 1);
	if (f < 0)
		f = 0;
	valid_date_format(f, first);
	valid_date_format(l, last);
	return NULL;
}

enum db_outcome
stats_days(struct arena *a, long long provider_id, const char *code,
    long long link_id, const char *from, const char *to,
    struct stats_figures *f)
{
	const char *v[] = { stats_num(a, provider_id), code,
	    stats_num(a, link_id), from, to };
	int i, d;

	memset(f, 0, sizeof(*f));
	f->ndays = DB_ALL(a, DB_STATS_DAYS, v, &f->days);
	if (f->ndays < 0)
		return DB_FAILED;
	/* a period has a day at least: none is no such link */
	if (f->ndays == 0)
		return DB_NOT_FOUND;
	for (i = 0; i < f->ndays; i++)
		for (d = 0; d < DB_NPROVIDER_DECISION; d++)
			f->totals[d] += f->days[i].n[d];
	return DB_OK;
}

enum db_outcome
stats_figures(struct arena *a, long long provider_id, const char *code,
    long long link_id, const char *from, const char *to, int max_age,
    struct stats_figures *f)
{
	struct db_bucket *b;
	struct db_as_of now;
	const char *vn[] = { stats_num(a, provider_id),
	    arena_printf(a, "%d", max_age) };
	const char *v[] = { stats_num(a, provider_id), code,
	    stats_num(a, link_id), from, to,
	    arena_printf(a, "%d", STATS_ATTENTION) };
	enum db_outcome r;
	int i, n;

	r = stats_days(a, provider_id, code, link_id, from, to, f);
	if (r != DB_OK)
		return r;
	/* an account's devices and links: counted at most max_age ago */
	if (code == NULL && link_id == 0) {
		if (DB_ONE(a, DB_STATS_NOW, vn, &now) != 1)
			return DB_FAILED;
		f->as_of = now.as_of;
	}
	f->nshares = db_all(a, DB_STATS_DEVICES, 3, v, &f->shares,
	    sizeof(*f->shares));
	n = db_all(a, DB_STATS_FILL, 3, v, &b, sizeof(*b));
	f->nattention = DB_ALL(a, DB_STATS_ATTENTION, v, &f->attention);
	if (f->nshares < 0 || n < 0 || f->nattention < 0)
		return DB_FAILED;
	for (i = 0; i < n; i++) {
		if (b[i].bucket < 0 || b[i].bucket >= STATS_BUCKETS)
			continue;
		f->buckets[b[i].bucket] = b[i].links;
		f->links += b[i].links;
		if (b[i].bucket == STATS_BUCKETS - 1)
			f->full = b[i].links;
		else if (b[i].bucket >= STATS_NEAR_FULL)
			f->near_full += b[i].links;
	}
	return DB_OK;
}

enum db_outcome
stats_refused(struct arena *a, long long provider_id, const char *code,
    long long link_id, int limit, struct db_refusal **rows, int *n)
{
	struct db_refusal *all;
	const char *v[] = { stats_num(a, provider_id), code,
	    stats_num(a, link_id), arena_printf(a, "%d", limit) };
	enum db_outcome r;
	int got;

	got = DB_ALL(a, DB_REFUSED_LIST, v, &all);
	/* a link without refusals is one row without one */
	r = db_named(got, got > 0 ? all[0].hwid : NULL, n);
	*rows = *n > 0 ? all : NULL;
	return r;
}

int
stats_refresh(struct arena *a, int older, int max)
{
	struct db_number n;
	const char *v[] = { arena_printf(a, "%d", older),
	    arena_printf(a, "%d", max) };

	if (DB_ONE(a, DB_STATS_REFRESH, v, &n) != 1)
		return -1;
	return n.value;
}

int
stats_report(struct arena *a, const char *from, const char *to,
    struct db_report **rows)
{
	const char *v[] = { from, to };

	return DB_ALL(a, DB_REPORT, v, rows);
}

int
stats_maintain(struct arena *a, int keep_months, int ahead,
    struct db_maintained **rows)
{
	const char *v[] = { arena_printf(a, "%d", keep_months),
	    arena_printf(a, "%d", ahead) };

	return DB_ALL(a, DB_MAINTAIN, v, rows);
}
