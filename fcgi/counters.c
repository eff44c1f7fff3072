#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backoff.h"
#include "counters.h"
#include "crypt.h"
#include "log.h"

#define COUNTERS_NAME_RANDOM	12	/* random characters in a name */
#define COUNTERS_DAY_S		86400	/* seconds in a UTC day */
#define COUNTERS_CODE_NEW	1	/* decisions.code of admitted_new */
#define COUNTERS_CODE_LIMIT	3	/* ... and of refused_limit */

/* One key's counts: a link's checks on a day, by OS and app version. */
struct counters_slot {
	int		 used;
	int		 day;		/* days since 1970-01-01, UTC */
	long long	 provider_id;	/* 0 for an unknown link */
	long long	 link_id;
	char		 os[COUNTERS_TEXT_MAX + 1];
	char		 app[COUNTERS_TEXT_MAX + 1];
	long long	 n[DB_NDECISION];
};

/* One admission of a new device, or one refusal for the limit. */
struct counters_event {
	long long	 ms;		/* since the epoch */
	long long	 provider_id;
	long long	 link_id;
	int		 code;		/* COUNTERS_CODE_NEW or _LIMIT */
	char		 hwid[COUNTERS_LONG_MAX + 1];
	char		 os[COUNTERS_TEXT_MAX + 1];
	char		 os_version[COUNTERS_TEXT_MAX + 1];
	char		 model[COUNTERS_LONG_MAX + 1];
	char		 app[COUNTERS_TEXT_MAX + 1];
};

static struct counters_slot	counters_slots[COUNTERS_SLOTS];
static struct counters_event	counters_events[COUNTERS_EVENTS];
static int		 counters_nslots;
static int		 counters_nevents;
static long long	 counters_lost;		/* checks not counted */
static long long	 counters_lost_events;	/* events not kept */
static int		 counters_on;
static long long	 counters_every_ms;
static long long	 counters_due;		/* flush by (monotonic ms); 0:
						   nothing held */
static char		 counters_name[64];	/* this worker's, for the flushes */
static long long	 counters_seq;		/* the last flush's number */
static char		*counters_pend_counts;	/* the flush not yet applied */
static char		*counters_pend_events;
static struct arena	*counters_arena;

void
counters_init(const struct config *cfg)
{
	char rnd[COUNTERS_NAME_RANDOM + 1];

	counters_on = cfg->stats;
	counters_every_ms = (long long)cfg->stats_flush * 1000;
	if (counters_arena == NULL)
		counters_arena = arena_new();
	if (counters_name[0] != '\0')
		return;
	/* a name no other worker, now or later, takes: the pid alone
	 * comes back */
	if (crypt_random_string(rnd, COUNTERS_NAME_RANDOM, CRYPT_ALNUM) != 0)
		snprintf(rnd, sizeof(rnd), "%lld", backoff_now_ms());
	snprintf(counters_name, sizeof(counters_name), "%ld-%s",
	    (long)getpid(), rnd);
}

/* Copies s (NULL: "") into dst of size bytes, cut on a character
 * boundary: s is well-formed UTF-8 (valid_clean_text()). */
static void
counters_copy(char *dst, size_t size, const char *s)
{
	size_t n;

	if (s == NULL)
		s = "";
	n = strnlen(s, size);
	if (n == size) {
		n = size - 1;
		/* never end inside a character */
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* FNV-1a over the key. */
static uint32_t
counters_hash(const struct counters_slot *k)
{
	const unsigned char *p;
	uint32_t h = 2166136261u;
	size_t i;

#define COUNTERS_MIX(ptr, len) \
	for (p = (const unsigned char *)(ptr), i = 0; i < (len); i++) \
		h = (h ^ p[i]) * 16777619u
	COUNTERS_MIX(&k->day, sizeof(k->day));
	COUNTERS_MIX(&k->provider_id, sizeof(k->provider_id));
	COUNTERS_MIX(&k->link_id, sizeof(k->link_id));
	COUNTERS_MIX(k->os, strlen(k->os) + 1);
	COUNTERS_MIX(k->app, strlen(k->app) + 1);
#undef COUNTERS_MIX
	return h;
}

/* The slot of key k, taken when new; NULL when the table has no room
 * for a new key (one slot always stays free, so a search ends). */
static struct counters_slot *
counters_slot(const struct counters_slot *k)
{
	struct counters_slot *s;
	uint32_t i;

	i = counters_hash(k) & (COUNTERS_SLOTS - 1);
	for (;; i = (i + 1) & (COUNTERS_SLOTS - 1)) {
		s = &counters_slots[i];
		if (!s->used)
			break;
		if (s->day == k->day && s->link_id == k->link_id &&
		    s->provider_id == k->provider_id &&
		    strcmp(s->os, k->os) == 0 && strcmp(s->app, k->app) == 0)
			return s;
	}
	if (counters_nslots >= COUNTERS_SLOTS - 1)
		return NULL;
	*s = *k;
	s->used = 1;
	memset(s->n, 0, sizeof(s->n));
	counters_nslots++;
	return s;
}

void
counters_check(const struct devices_seen *seen, const struct db_check *c)
{
	struct counters_slot k, *s;
	struct counters_event *e;
	struct timespec now;

	if (!counters_on || (unsigned int)c->decision >= DB_NDECISION)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	memset(&k, 0, sizeof(k));
	k.day = (int)(now.tv_sec / COUNTERS_DAY_S);
	k.provider_id = c->provider_id;
	k.link_id = c->link_id;
	counters_copy(k.os, sizeof(k.os), seen->os);
	counters_copy(k.app, sizeof(k.app), seen->app_version);
	s = counters_slot(&k);
	if (s != NULL)
		s->n[c->decision]++;
	else
		counters_lost++;
	if (c->decision == DB_ADMITTED_NEW || c->decision == DB_REFUSED_LIMIT) {
		if (counters_nevents < COUNTERS_EVENTS) {
			e = &counters_events[counters_nevents++];
			e->ms = (long long)now.tv_sec * 1000 +
			    now.tv_nsec / 1000000;
			e->provider_id = c->provider_id;
			e->link_id = c->link_id;
			e->code = c->decision == DB_ADMITTED_NEW ?
			    COUNTERS_CODE_NEW : COUNTERS_CODE_LIMIT;
			counters_copy(e->hwid, sizeof(e->hwid), seen->hwid);
			memcpy(e->os, k.os, sizeof(e->os));
			counters_copy(e->os_version, sizeof(e->os_version),
			    seen->os_version);
			counters_copy(e->model, sizeof(e->model), seen->model);
			memcpy(e->app, k.app, sizeof(e->app));
		} else {
			counters_lost_events++;
		}
	}
	if (counters_due == 0)
		counters_due = backoff_now_ms() + counters_every_ms;
}

/* Appends s as a JSON string. */
static void
counters_string(struct buf *b, const char *s)
{
	const char *start;

	buf_puts(b, "\"");
	for (start = s; *s != '\0'; s++) {
		if (*s != '"' && *s != '\\' && (unsigned char)*s >= 0x20)
			continue;
		buf_append(b, start, (size_t)(s - start));
		if (*s == '"' || *s == '\\')
			buf_printf(b, "\\%c", *s);
		else
			buf_printf(b, "\\u%04x", (unsigned char)*s);
		start = s + 1;
	}
	buf_append(b, start, (size_t)(s - start));
	buf_puts(b, "\"");
}

int
counters_take(struct arena *a, char **counts, char **events)
{
	struct counters_slot *s;
	struct counters_event *e;
	struct buf b;
	int i, d, rows = 0;

	buf_init(&b, a);
	buf_puts(&b, "[");
	for (i = 0; i < COUNTERS_SLOTS; i++) {
		s = &counters_slots[i];
		if (!s->used)
			continue;
		buf_printf(&b, "%s[%d,%lld,%lld,", rows > 0 ? "," : "", s->day,
		    s->provider_id, s->link_id);
		counters_string(&b, s->os);
		buf_puts(&b, ",");
		counters_string(&b, s->app);
		for (d = 0; d < DB_NDECISION; d++)
			buf_printf(&b, ",%lld", s->n[d]);
		buf_puts(&b, "]");
		s->used = 0;
		rows++;
	}
	buf_puts(&b, "]");
	*counts = b.data;
	counters_nslots = 0;

	buf_init(&b, a);
	buf_puts(&b, "[");
	for (i = 0; i < counters_nevents; i++) {
		e = &counters_events[i];
		buf_printf(&b, "%s[%lld,%lld,%lld,%d,", i > 0 ? "," : "", e->ms,
		    e->provider_id, e->link_id, e->code);
		counters_string(&b, e->hwid);
		buf_puts(&b, ",");
		counters_string(&b, e->os);
		buf_puts(&b, ",");
		counters_string(&b, e->os_version);
		buf_puts(&b, ",");
		counters_string(&b, e->model);
		buf_puts(&b, ",");
		counters_string(&b, e->app);
		buf_puts(&b, "]");
	}
	buf_puts(&b, "]");
	*events = b.data;
	rows += counters_nevents;
	counters_nevents = 0;
	return rows;
}

long long
counters_dropped(void)
{
	return counters_lost + counters_lost_events;
}

static void
counters_forget(void)
{
	free(counters_pend_counts);
	free(counters_pend_events);
	counters_pend_counts = counters_pend_events = NULL;
}

/* A flush runs on the side connection (db_side_send()): the worker goes
 * on answering checks on its main one while PostgreSQL adds the counts
 * up, and collects the answer from its loop (counters_tick()). Waiting
 * for it instead held every request sent to the worker meanwhile, the
 * longest waits of the check (README.md, "Benchmark"). */
#define COUNTERS_POLL_MS	2	/* the loop's wait while a flush runs */
#define COUNTERS_RETRY_MS	200	/* a flush that met a lock, sent again */

static int		 counters_sending;	/* the flush in hand is sent */
static long long	 counters_sent_at;	/* when, monotonic ms */

/* Sends the flush in hand. Returns 0 when sent, -1 when it must be sent
 * again later. */
static int
counters_start(void)
{
	const char *v[4];
	int rc;

	v[0] = counters_name;
	v[1] = arena_printf(counters_arena, "%lld", counters_seq);
	v[2] = counters_pend_counts;
	v[3] = counters_pend_events;
	rc = db_side_send(DB_STATS_FLUSH, 4, v);
	arena_reset(counters_arena);
	if (rc == 0) {
		counters_sending = 1;
		counters_sent_at = backoff_now_ms();
	}
	return rc;
}

/* Collects the answer to the flush sent, waiting up to wait_ms for it.
 * Returns 0 when the flush is done with (applied now or before, or
 * refused for good: then logged and dropped), 1 while it runs, -1 when
 * it must be sent again. */
static int
counters_collect(int wait_ms)
{
	struct db_number applied;
	int got;

	got = db_side_result(counters_arena, DB_STATS_FLUSH, &applied,
	    sizeof(applied), wait_ms);
	arena_reset(counters_arena);
	if (got == 0 && backoff_now_ms() - counters_sent_at < DB_REPLY_MS)
		return 1;
	counters_sending = 0;
	if (got == 0) {
		/* no answer in time: given up on, sent again as it was */
		log_warn("counters: no answer to flush %lld in %d ms",
		    counters_seq, DB_REPLY_MS);
		db_side_drop();
		return -1;
	}
	if (got < 0 && db_failure() != DB_FAIL_SQL)
		return -1;
	if (got < 0)
		/* sent again it would fail again, and hold every later one
		 * back; db.c has logged why */
		log_error("counters: flush %lld refused, its counts are lost",
		    counters_seq);
	counters_forget();
	return 0;
}

/* Takes the tables into the flush in hand when there is none. Returns
 * whether there is a flush to send. */
static int
counters_take_all(void)
{
	char *counts, *events;

	if (counters_pend_counts != NULL)
		return 1;
	if (counters_lost + counters_lost_events > 0) {
		log_warn("counters: %lld checks not counted and %lld events "
		    "not kept: the worker's tables were full",
		    counters_lost, counters_lost_events);
		counters_lost = counters_lost_events = 0;
	}
	if (counters_nslots == 0 && counters_nevents == 0)
		return 0;
	counters_take(counters_arena, &counts, &events);
	counters_pend_counts = strdup(counts);
	counters_pend_events = strdup(events);
	arena_reset(counters_arena);
	counters_seq++;
	if (counters_pend_counts == NULL || counters_pend_events == NULL) {
		log_error("counters: out of memory, a flush is lost");
		counters_forget();
		return 0;
	}
	return 1;
}

int
counters_wait_ms(void)
{
	long long left;

	if (counters_sending)
		return COUNTERS_POLL_MS;
	if (counters_due == 0)
		return -1;
	left = counters_due - backoff_now_ms();
	if (left <= 0)
		return 0;
	return left > INT_MAX ? INT_MAX : (int)left;
}

/* Whether the tables are so full that more checks could find no room
 * before the flush that runs is done. */
static int
counters_nearly_full(void)
{
	return counters_nslots * 8 >= COUNTERS_SLOTS * 7 ||
	    counters_nevents * 8 >= COUNTERS_EVENTS * 7;
}

/* Schedules the flush in hand to be sent again after a failure: soon
 * when it only met another flush's row locks (lock_timeout), else
 * stats_flush seconds later. */
static void
counters_retry(long long now)
{
	long long wait = db_failure() == DB_FAIL_LOCK ? COUNTERS_RETRY_MS :
	    counters_every_ms;

	log_warn("counters: cannot write the counts now (%s), trying again "
	    "in %lld ms", db_strfail(db_failure()), wait);
	counters_due = now + wait;
}

void
counters_tick(void)
{
	long long now;
	int full, rc = 0;

	/* tables about to overflow wait for the flush that runs, as every
	 * flush once did, rather than lose checks */
	if (counters_sending && (rc = counters_collect(counters_nearly_full() ?
	    DB_REPLY_MS : 0)) == 1)
		return;
	now = backoff_now_ms();
	if (rc < 0) {
		counters_retry(now);
		return;
	}
	if (counters_due == 0)
		return;
	full = counters_nslots * 4 >= COUNTERS_SLOTS * 3 ||
	    counters_nevents * 4 >= COUNTERS_EVENTS * 3;
	/* full, a flush that failed still waits its turn */
	if (now < counters_due && (!full || counters_pend_counts != NULL))
		return;
	if (!counters_take_all()) {
		counters_due = 0;
		return;
	}
	if (counters_start() != 0) {
		counters_retry(now);
		return;
	}
	/* what the tables hold was not taken when a failed flush was sent
	 * again: it goes next; empty tables wait for the next check */
	counters_due = counters_nslots > 0 || counters_nevents > 0 ?
	    now + counters_every_ms : 0;
}

void
counters_flush(void)
{
	int rc = 0;

	if (counters_sending)
		rc = counters_collect(DB_REPLY_MS);
	/* what failed before, then what the tables hold */
	while (rc == 0 && counters_take_all()) {
		rc = counters_start();
		if (rc == 0)
			rc = counters_collect(DB_REPLY_MS);
	}
	if (rc != 0)
		log_error("counters: the worker stops with counts it could not "
		    "write (%s): they are lost", db_strfail(db_failure()));
	db_side_drop();
	counters_forget();
	counters_due = 0;
}
