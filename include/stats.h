#ifndef LL_STATS_H
#define LL_STATS_H

#include "arena.h"
#include "db.h"
#include "valid.h"

/* What the checks decided, as a provider's dashboard, the API and the
 * operator's report see it: read from the daily rollups and the events
 * that the workers' counters write (fcgi/counters.c), and from the links
 * and devices as they are now. Every figure of a provider is scoped to
 * it; a link is named by its install code, its id, or both (then both
 * must fit), and another provider's is not found. Periods are whole UTC
 * days, given as YYYY-MM-DD. */

#define STATS_ATTENTION		20	/* links that need attention shown */
#define STATS_NEAR_FULL		8	/* tenths of its limit a link holds
					   when near full */
#define STATS_BUCKETS		11	/* fill buckets: tenths, then full */
#define STATS_REFUSED_DEFAULT	100	/* refusals listed when not told */
#define STATS_PERIOD_DEFAULT	30	/* days of a period not given */
#define STATS_PERIOD_MAX	366	/* days a period may span */

/* A period of whole days from from to to (YYYY-MM-DD, each NULL when not
 * given): both given, or the STATS_PERIOD_DEFAULT days up to to (from
 * absent) or up to today (today, the number of the current UTC day, for
 * to absent), at most STATS_PERIOD_MAX days. Writes the first and last
 * day into first and last and returns NULL, or returns a message that
 * names "from" or "to" (in arena a, or static). from and to must be
 * valid dates when given. Pure. */
const char *stats_period(struct arena *a, const char *from, const char *to,
    long today, char first[VALID_DATE_LEN + 1],
    char last[VALID_DATE_LEN + 1]);

/* The figures of one account or link over a period. */
struct stats_figures {
	struct db_day	*days;		/* one per day of the period */
	int		 ndays;
	long long	 totals[DB_NPROVIDER_DECISION];	/* of the days */
	struct db_share	*shares;	/* devices by OS, then by app */
	int		 nshares;
	long long	 buckets[STATS_BUCKETS];	/* links by fill */
	long long	 links;		/* all of them */
	long long	 full;
	long long	 near_full;	/* not full, STATS_NEAR_FULL tenths */
	struct db_attention *attention;	/* at most STATS_ATTENTION */
	int		 nattention;
	const char	*as_of;		/* when shares and buckets were
					   counted (UTC); NULL: now */
};

/* The figures of the provider's account (code NULL and link_id 0) or of
 * its link, from day from to day to, into *f (in arena a). An account's
 * devices and links are as counted at most max_age seconds ago (0: now),
 * counted again first when older (f->as_of says when); a link's are
 * counted now. Returns DB_OK, DB_NOT_FOUND (no such link) or DB_FAILED
 * (db_failure() says why). */
enum db_outcome stats_figures(struct arena *a, long long provider_id,
    const char *code, long long link_id, const char *from, const char *to,
    int max_age, struct stats_figures *f);

/* For the sender: counts again at most max of the account figures that
 * dashboards asked for within a day and that are older than older
 * seconds, oldest first. Returns how many it counted, or -1
 * (db_failure()). */
int stats_refresh(struct arena *a, int older, int max);

/* The checks of each day of the period alone, as stats_figures() has
 * them in days and totals. Returns the same. */
enum db_outcome stats_days(struct arena *a, long long provider_id,
    const char *code, long long link_id, const char *from, const char *to,
    struct stats_figures *f);

/* The latest refusals for the limit on the provider's link, newest first,
 * at most limit: the rows (in arena a) into *rows, their number into
 * *n. Returns DB_OK, DB_NOT_FOUND (no such link) or DB_FAILED. */
enum db_outcome stats_refused(struct arena *a, long long provider_id,
    const char *code, long long link_id, int limit,
    struct db_refusal **rows, int *n);

/* The operator's report across providers, from day from to day to: one
 * row per provider, then one for unknown links. Stores the rows (in
 * arena a) in *rows; returns their number, or -1 (db_failure()). */
int stats_report(struct arena *a, const char *from, const char *to,
    struct db_report **rows);

/* The upkeep of the events' partitions: makes those of this month and
 * the ahead next, drops those older than keep_months months. Stores what
 * it did (in arena a) in *rows; returns their number, or -1. */
int stats_maintain(struct arena *a, int keep_months, int ahead,
    struct db_maintained **rows);

#endif
