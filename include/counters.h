#ifndef LL_COUNTERS_H
#define LL_COUNTERS_H

#include "arena.h"
#include "config.h"
#include "db.h"
#include "devices.h"

/* A worker's counts of what the check decides. Counting must not make a
 * re-check a write: each worker adds every decision to a table in its
 * own memory, keyed by (UTC day, provider, link, OS, app version), and
 * keeps admissions of new devices and refusals for the limit one by one
 * beside it; every stats_flush seconds (or sooner, when either is three
 * quarters full) it writes all of it in one statement, ll_stats_flush()
 * (sql/functions/stats.sql), which adds it to the daily rollups and the
 * monthly partitions of the events. The statement goes on the worker's
 * side connection (db_side_send()), and its answer is collected by a
 * later counters_tick(): the worker answers checks meanwhile. The
 * worker's loop calls
 * counters_tick() after each request and when its wait for one times out
 * (counters_wait_ms()), and counters_flush() before it exits: a clean
 * stop, a retirement after max_requests and the replacement of a reload
 * lose nothing; a worker that dies loses at most one flush interval of
 * counts (never an admission: the device's row is the check's own, and
 * committed by it). Each flush carries the worker's name and a number,
 * so one whose answer was lost is sent again as it was and applied once;
 * while the database cannot be reached the worker keeps what it holds
 * and drops (and logs) what no longer fits. */

/* Sized for a worker's memory (together about 600 kB, touched as they
 * fill) rather than for long intervals: a busy worker that meets more
 * keys flushes early, a smaller statement each time. */
#define COUNTERS_SLOTS		2048	/* distinct keys held between flushes */
#define COUNTERS_EVENTS		512	/* events held between flushes */
#define COUNTERS_TEXT_MAX	48	/* bytes kept of an OS, OS version or
					   app version */
#define COUNTERS_LONG_MAX	128	/* bytes kept of a HWID or a model */

/* Sets the module up for a worker with cfg (stats on or off, the flush
 * interval), its name drawn at random. Safe to call again; the counts
 * held are kept. Cannot fail. */
void counters_init(const struct config *cfg);

/* Counts decision c of the check of the device seen, and keeps it one by
 * one when it admitted a new device or refused one for the limit. Does
 * nothing while stats is off. Cannot fail: what does not fit is counted
 * as dropped and logged at the next flush. */
void counters_check(const struct devices_seen *seen, const struct db_check *c);

/* Milliseconds until the next flush is due, 0 when it is due now, a
 * few while a flush runs (its answer is looked for then); -1 when
 * nothing is held (the worker may wait for ever). */
int counters_wait_ms(void);

/* Collects the answer of a flush that runs, then sends a flush when one
 * is due, or the tables are three quarters full. A flush that fails is
 * kept and sent again stats_flush seconds later. Cannot fail. */
void counters_tick(void);

/* Waits for a flush that runs, then flushes whatever is held, waiting
 * for each: the worker is about to exit, and what this cannot write is
 * lost (logged). Cannot fail. */
void counters_flush(void);

/* For tests: empties the tables into the two JSON texts ll_stats_flush()
 * takes, in arena a: *counts and *events. Returns the number of rows in
 * both; 0 leaves both "[]". Cannot fail. */
int counters_take(struct arena *a, char **counts, char **events);

/* For tests: the number of checks counted but dropped since the last
 * flush, because the tables were full. */
long long counters_dropped(void);

#endif
