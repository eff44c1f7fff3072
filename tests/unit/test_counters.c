/* A worker's counters (fcgi/counters.c) without a database: what a check
 * adds, what a flush would send (parsed back with json-c), texts cut on
 * a character boundary, a full table, the flush's timing, stats off. */

#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "config.h"
#include "counters.h"
#include "testhelp.h"

static struct arena *A;

/* A check of hwid on link (provider p), with decision d. */
static void
check(long long p, long long link, enum db_decision d, const char *hwid,
    const char *os, const char *app)
{
	struct devices_seen seen;
	struct db_check c;

	memset(&seen, 0, sizeof(seen));
	seen.hwid = hwid;
	seen.os = os;
	seen.os_version = "14";
	seen.model = "Pixel 8";
	seen.app_version = app;
	memset(&c, 0, sizeof(c));
	c.decision = d;
	c.provider_id = p;
	c.link_id = link;
	counters_check(&seen, &c);
}

/* What a flush would send now, parsed. */
static void
take(struct json_object **counts, struct json_object **events, int *rows)
{
	char *c, *e;

	*rows = counters_take(A, &c, &e);
	*counts = json_tokener_parse(c);
	*events = json_tokener_parse(e);
}

/* The row of counts for (provider, link, os, app), or NULL. */
static struct json_object *
row(struct json_object *counts, long long p, long long link, const char *os,
    const char *app)
{
	struct json_object *r;
	size_t i;

	for (i = 0; i < json_object_array_length(counts); i++) {
		r = json_object_array_get_idx(counts, i);
		if (json_object_get_int64(json_object_array_get_idx(r, 1)) == p &&
		    json_object_get_int64(json_object_array_get_idx(r, 2)) ==
		    link && strcmp(json_object_get_string(
		    json_object_array_get_idx(r, 3)), os) == 0 &&
		    strcmp(json_object_get_string(
		    json_object_array_get_idx(r, 4)), app) == 0)
			return r;
	}
	return NULL;
}

static long long
n(struct json_object *r, enum db_decision d)
{
	return json_object_get_int64(json_object_array_get_idx(r, 5 + (int)d));
}

static void
test_counts(void)
{
	struct json_object *counts, *events, *r, *e;
	int rows, d;
	long long today;

	TEST("nothing held: no flush is due, and a flush sends nothing");
	ASSERT(counters_wait_ms() == -1);
	take(&counts, &events, &rows);
	ASSERT(rows == 0);
	ASSERT(json_object_array_length(counts) == 0);
	ASSERT(json_object_array_length(events) == 0);
	json_object_put(counts);
	json_object_put(events);

	TEST("each decision is counted once, under its link, OS and app");
	for (d = 0; d < DB_NDECISION; d++)
		check(d == DB_REFUSED_UNKNOWN ? 0 : 7,
		    d == DB_REFUSED_UNKNOWN ? 0 : 70, (enum db_decision)d,
		    "hw-1", "Android", "4.0.1");
	check(7, 70, DB_ADMITTED_KNOWN, "hw-1", "Android", "4.0.1");
	check(7, 70, DB_ADMITTED_KNOWN, "hw-2", "iOS", "4.0.1");
	check(7, 71, DB_REFUSED_LIMIT, "hw-3", "Android", "4.0.2");
	ASSERT(counters_wait_ms() > 4000 && counters_wait_ms() <= 5000);
	take(&counts, &events, &rows);
	ASSERT(json_object_array_length(counts) == 4);
	r = row(counts, 7, 70, "Android", "4.0.1");
	ASSERT(r != NULL && json_object_array_length(r) == 12);
	today = (long long)(time(NULL) / 86400);
	ASSERT(r != NULL && json_object_get_int64(
	    json_object_array_get_idx(r, 0)) == today);
	ASSERT(r != NULL && n(r, DB_ADMITTED_NEW) == 1);
	ASSERT(r != NULL && n(r, DB_ADMITTED_KNOWN) == 2);
	ASSERT(r != NULL && n(r, DB_REFUSED_LIMIT) == 1);
	ASSERT(r != NULL && n(r, DB_REFUSED_DISABLED) == 1);
	ASSERT(r != NULL && n(r, DB_REFUSED_DOMAIN) == 1);
	ASSERT(r != NULL && n(r, DB_REFUSED_HWID) == 1);
	ASSERT(r != NULL && n(r, DB_REFUSED_UNKNOWN) == 0);
	r = row(counts, 0, 0, "Android", "4.0.1");
	ASSERT(r != NULL && n(r, DB_REFUSED_UNKNOWN) == 1 &&
	    n(r, DB_ADMITTED_NEW) == 0);
	r = row(counts, 7, 70, "iOS", "4.0.1");
	ASSERT(r != NULL && n(r, DB_ADMITTED_KNOWN) == 1);
	r = row(counts, 7, 71, "Android", "4.0.2");
	ASSERT(r != NULL && n(r, DB_REFUSED_LIMIT) == 1);

	TEST("admissions of new devices and refusals for the limit are kept "
	    "one by one");
	ASSERT(json_object_array_length(events) == 3);
	e = json_object_array_get_idx(events, 0);
	ASSERT(json_object_array_length(e) == 9);
	ASSERT(json_object_get_int(json_object_array_get_idx(e, 3)) == 1);
	ASSERT_STR(json_object_get_string(json_object_array_get_idx(e, 4)),
	    "hw-1");
	ASSERT_STR(json_object_get_string(json_object_array_get_idx(e, 7)),
	    "Pixel 8");
	ASSERT(json_object_get_int64(json_object_array_get_idx(e, 0)) / 1000 -
	    (long long)time(NULL) <= 1);
	e = json_object_array_get_idx(events, 2);
	ASSERT(json_object_get_int(json_object_array_get_idx(e, 3)) == 3);
	ASSERT(json_object_get_int64(json_object_array_get_idx(e, 2)) == 71);
	ASSERT(rows == 4 + 3);
	json_object_put(counts);
	json_object_put(events);

	TEST("a flush empties the tables");
	take(&counts, &events, &rows);
	ASSERT(rows == 0);
	json_object_put(counts);
	json_object_put(events);
}

static void
test_texts(void)
{
	struct json_object *counts, *events, *r;
	char long_os[200];
	int rows;

	TEST("quotes and backslashes are JSON's; no header is NULL but ''");
	check(1, 2, DB_ADMITTED_NEW, "hw", "And\"ro\\id", NULL);
	take(&counts, &events, &rows);
	ASSERT(counts != NULL && events != NULL);
	ASSERT(row(counts, 1, 2, "And\"ro\\id", "") != NULL);
	json_object_put(counts);
	json_object_put(events);

	TEST("a long OS is cut to its limit, never inside a character");
	/* "é" is two bytes: the cut falls in the middle of one */
	memset(long_os, 0, sizeof(long_os));
	for (rows = 0; rows < 60; rows++)
		memcpy(long_os + 2 * rows, "\xc3\xa9", 2);
	check(1, 2, DB_ADMITTED_KNOWN, "hw", long_os, "1");
	take(&counts, &events, &rows);
	ASSERT(counts != NULL);
	r = counts != NULL ? json_object_array_get_idx(counts, 0) : NULL;
	ASSERT(r != NULL && strlen(json_object_get_string(
	    json_object_array_get_idx(r, 3))) == COUNTERS_TEXT_MAX);
	ASSERT(r != NULL && strncmp(json_object_get_string(
	    json_object_array_get_idx(r, 3)), long_os,
	    COUNTERS_TEXT_MAX) == 0);
	json_object_put(counts);
	json_object_put(events);
}

static void
test_full(void)
{
	struct json_object *counts, *events;
	int i, rows;

	TEST("a full table drops what does not fit, and says how much");
	ASSERT(counters_dropped() == 0);
	for (i = 0; i < COUNTERS_SLOTS + 10; i++)
		check(1, 1000 + i, DB_ADMITTED_KNOWN, "hw", "Android", "1");
	ASSERT(counters_dropped() == 11);
	take(&counts, &events, &rows);
	ASSERT(rows == COUNTERS_SLOTS - 1);
	json_object_put(counts);
	json_object_put(events);
	for (i = 0; i < COUNTERS_EVENTS + 3; i++)
		check(1, 1, DB_ADMITTED_NEW, "hw", "Android", "1");
	ASSERT(counters_dropped() == 11 + 3);
	take(&counts, &events, &rows);
	ASSERT(json_object_array_length(events) == COUNTERS_EVENTS);
	ASSERT(rows == 1 + COUNTERS_EVENTS);
	json_object_put(counts);
	json_object_put(events);
}

static void
test_off(void)
{
	struct config cfg;
	struct json_object *counts, *events;
	int rows;

	TEST("stats = off counts nothing");
	config_defaults(&cfg);
	cfg.stats = 0;
	counters_init(&cfg);
	check(1, 2, DB_ADMITTED_NEW, "hw", "Android", "1");
	take(&counts, &events, &rows);
	ASSERT(rows == 0);
	json_object_put(counts);
	json_object_put(events);
}

int
main(void)
{
	struct config cfg;

	A = arena_new();
	config_defaults(&cfg);
	counters_init(&cfg);
	test_counts();
	test_texts();
	test_full();
	test_off();
	arena_free(A);
	return TEST_REPORT("counters");
}
