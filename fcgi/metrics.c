#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"

/* The statuses counted by their number; any other is "other". */
static const int metrics_statuses[] = { 200, 302, 303, 400, 401, 403, 404,
    405, 409, 413, 429, 500, 503 };
#define METRICS_NSTATUS	(sizeof(metrics_statuses) / sizeof(metrics_statuses[0]) + 1)

/* The histogram's upper bounds, in ns and as its le labels say them;
 * a last bucket holds what is above them all. */
static const long long metrics_bounds_ns[] = { 500000, 1000000, 2500000,
    5000000, 10000000, 25000000, 50000000, 100000000, 250000000,
    500000000, 1000000000, 2500000000LL, 5000000000LL, 10000000000LL };
static const char *const metrics_bounds_text[] = { "0.0005", "0.001",
    "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1",
    "2.5", "5", "10" };
#define METRICS_NBOUND	(sizeof(metrics_bounds_ns) / sizeof(metrics_bounds_ns[0]))

static const char *const metrics_routes[METRICS_NROUTE] = {
	[METRICS_ROUTE_OTHER] = "other",
	[METRICS_ROUTE_INSTALL] = "install",
	[METRICS_ROUTE_PROVIDER] = "provider",
	[METRICS_ROUTE_API] = "api",
	[METRICS_ROUTE_ACCOUNT] = "account",
	[METRICS_ROUTE_MY] = "my",
	[METRICS_ROUTE_HEALTHZ] = "healthz",
	[METRICS_ROUTE_METRICS] = "metrics",
};

/* One process's counts. Its process writes them, and a scrape in any
 * process reads them, each value with one relaxed atomic access: a sum
 * may be a request behind, never torn. Aligned so that two processes
 * never write one cache line. */
struct metrics_slot {
	uint64_t	requests[METRICS_NROUTE][METRICS_NSTATUS];
	uint64_t	buckets[METRICS_NROUTE][METRICS_NBOUND + 1];
	uint64_t	sum_ns[METRICS_NROUTE];
	uint64_t	decisions[DB_NDECISION];
	uint64_t	db_errors;
	uint64_t	db_reconnects;
	uint64_t	busy;		/* 1 while serving a request */
	int64_t		pid;		/* the master's: its process, 0 free */
} __attribute__((aligned(64)));

struct metrics_shared {
	uint64_t	restarts;	/* the master's */
	uint64_t	workers;	/* the master's */
	struct metrics_slot slots[METRICS_SLOTS];
} __attribute__((aligned(64)));

static struct metrics_shared	*metrics_region;
static int			 metrics_memfd = -1;
/* where this process counts until it has a slot of its own */
static struct metrics_slot	 metrics_scrap;
static struct metrics_slot	*metrics_mine = &metrics_scrap;

/* One writer per counter: a load and a store, no locked instruction. */
static inline void
metrics_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + n,
	    __ATOMIC_RELAXED);
}

static inline uint64_t
metrics_get(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

int
metrics_init(int fd)
{
	struct stat st;
	void *p;
	int rc = -1;

	if (fd < 0) {
		fd = memfd_create("ll-metrics", MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, sizeof(struct metrics_shared)) != 0) {
			log_error("metrics: shared region: %s", strerror(errno));
			goto out;
		}
	} else if (fstat(fd, &st) != 0 ||
	    st.st_size != (off_t)sizeof(struct metrics_shared)) {
		/* another build's layout: start again rather than misread */
		log_warn("metrics: the handed-over counts do not fit this "
		    "build; counting from zero");
		close(fd);
		return metrics_init(-1);
	}
	p = mmap(NULL, sizeof(struct metrics_shared), PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		log_error("metrics: mmap: %s", strerror(errno));
		goto out;
	}
	metrics_region = p;
	metrics_memfd = fd;
	fd = -1;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

int
metrics_fd(void)
{
	return metrics_memfd;
}

int
metrics_slot_take(void)
{
	int i;

	for (i = 0; metrics_region != NULL && i < METRICS_SLOTS; i++)
		if (metrics_region->slots[i].pid == 0)
			return i;
	return -1;
}

void
metrics_slot_owner(int slot, pid_t pid)
{
	struct metrics_slot *s;

	if (metrics_region == NULL || slot < 0 || slot >= METRICS_SLOTS)
		return;
	s = &metrics_region->slots[slot];
	if (pid < 0)
		__atomic_store_n(&s->busy, 0, __ATOMIC_RELAXED);
	s->pid = pid < 0 ? 0 : pid;
}

int
metrics_slot_of(pid_t pid)
{
	int i;

	for (i = 0; metrics_region != NULL && i < METRICS_SLOTS; i++)
		if (metrics_region->slots[i].pid == pid)
			return i;
	return -1;
}

void
metrics_attach(int slot)
{
	if (metrics_region != NULL && slot >= 0 && slot < METRICS_SLOTS)
		metrics_mine = &metrics_region->slots[slot];
	else
		metrics_mine = &metrics_scrap;
	__atomic_store_n(&metrics_mine->busy, 0, __ATOMIC_RELAXED);
}

void
metrics_worker_restart(void)
{
	if (metrics_region != NULL)
		metrics_add(&metrics_region->restarts, 1);
}

void
metrics_workers(int n)
{
	if (metrics_region != NULL)
		__atomic_store_n(&metrics_region->workers, (uint64_t)n,
		    __ATOMIC_RELAXED);
}

void
metrics_busy(int on)
{
	__atomic_store_n(&metrics_mine->busy, on ? 1 : 0, __ATOMIC_RELAXED);
}

static size_t
metrics_status_index(int status)
{
	size_t i;

	for (i = 0; i < METRICS_NSTATUS - 1; i++)
		if (metrics_statuses[i] == status)
			return i;
	return METRICS_NSTATUS - 1;
}

void
metrics_request(enum metrics_route route, int status, long long ns)
{
	size_t b;

	if ((unsigned)route >= METRICS_NROUTE)
		route = METRICS_ROUTE_OTHER;
	if (ns < 0)
		ns = 0;
	for (b = 0; b < METRICS_NBOUND && ns > metrics_bounds_ns[b]; b++)
		;
	metrics_add(&metrics_mine->requests[route][metrics_status_index(status)],
	    1);
	metrics_add(&metrics_mine->buckets[route][b], 1);
	metrics_add(&metrics_mine->sum_ns[route], (uint64_t)ns);
}

void
metrics_decision(enum db_decision d)
{
	if ((unsigned)d < DB_NDECISION)
		metrics_add(&metrics_mine->decisions[d], 1);
}

void
metrics_db_error(void)
{
	metrics_add(&metrics_mine->db_errors, 1);
}

void
metrics_db_reconnect(void)
{
	metrics_add(&metrics_mine->db_reconnects, 1);
}

/* Adds every counter of slot s into sum. */
static void
metrics_sum(struct metrics_slot *sum, const struct metrics_slot *s)
{
	size_t r, i;

	for (r = 0; r < METRICS_NROUTE; r++) {
		for (i = 0; i < METRICS_NSTATUS; i++)
			sum->requests[r][i] += metrics_get(&s->requests[r][i]);
		for (i = 0; i <= METRICS_NBOUND; i++)
			sum->buckets[r][i] += metrics_get(&s->buckets[r][i]);
		sum->sum_ns[r] += metrics_get(&s->sum_ns[r]);
	}
	for (i = 0; i < DB_NDECISION; i++)
		sum->decisions[i] += metrics_get(&s->decisions[i]);
	sum->db_errors += metrics_get(&s->db_errors);
	sum->db_reconnects += metrics_get(&s->db_reconnects);
	sum->busy += metrics_get(&s->busy);
}

static void
metrics_head(struct buf *out, const char *name, const char *type,
    const char *help)
{
	buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
metrics_histogram(struct buf *out, const struct metrics_slot *sum)
{
	uint64_t below;
	size_t r, b;

	metrics_head(out, "ll_request_duration_seconds", "histogram",
	    "Time from a request's parameters to its answer in the worker, "
	    "by route.");
	for (r = 0; r < METRICS_NROUTE; r++) {
		below = 0;
		for (b = 0; b < METRICS_NBOUND; b++) {
			below += sum->buckets[r][b];
			buf_printf(out, "ll_request_duration_seconds_bucket"
			    "{route=\"%s\",le=\"%s\"} %llu\n", metrics_routes[r],
			    metrics_bounds_text[b], (unsigned long long)below);
		}
		below += sum->buckets[r][METRICS_NBOUND];
		buf_printf(out, "ll_request_duration_seconds_bucket"
		    "{route=\"%s\",le=\"+Inf\"} %llu\n", metrics_routes[r],
		    (unsigned long long)below);
		buf_printf(out, "ll_request_duration_seconds_sum{route=\"%s\"} "
		    "%llu.%09llu\n", metrics_routes[r],
		    (unsigned long long)(sum->sum_ns[r] / 1000000000),
		    (unsigned long long)(sum->sum_ns[r] % 1000000000));
		buf_printf(out, "ll_request_duration_seconds_count"
		    "{route=\"%s\"} %llu\n", metrics_routes[r],
		    (unsigned long long)below);
	}
}

void
metrics_text(struct buf *out)
{
	struct metrics_slot sum;
	uint64_t restarts = 0, workers = 0;
	size_t r, i;
	char status[16];

	memset(&sum, 0, sizeof(sum));
	if (metrics_region != NULL) {
		for (i = 0; i < METRICS_SLOTS; i++)
			metrics_sum(&sum, &metrics_region->slots[i]);
		restarts = metrics_get(&metrics_region->restarts);
		workers = metrics_get(&metrics_region->workers);
	} else {
		metrics_sum(&sum, &metrics_scrap);
	}

	metrics_head(out, "ll_requests_total", "counter",
	    "Requests answered by the workers, by route and HTTP status.");
	for (r = 0; r < METRICS_NROUTE; r++) {
		for (i = 0; i < METRICS_NSTATUS; i++) {
			if (sum.requests[r][i] == 0)
				continue;
			if (i < METRICS_NSTATUS - 1)
				snprintf(status, sizeof(status), "%d",
				    metrics_statuses[i]);
			else
				snprintf(status, sizeof(status), "other");
			buf_printf(out, "ll_requests_total{route=\"%s\","
			    "status=\"%s\"} %llu\n", metrics_routes[r], status,
			    (unsigned long long)sum.requests[r][i]);
		}
	}
	metrics_head(out, "ll_check_decisions_total", "counter",
	    "What the check decided, from the database's answer.");
	for (i = 0; i < DB_NDECISION; i++)
		buf_printf(out, "ll_check_decisions_total{decision=\"%s\"} "
		    "%llu\n", db_decision_name((enum db_decision)i),
		    (unsigned long long)sum.decisions[i]);
	metrics_histogram(out, &sum);
	metrics_head(out, "ll_db_errors_total", "counter",
	    "Database calls that failed: unreachable, timed out, or refused.");
	buf_printf(out, "ll_db_errors_total %llu\n",
	    (unsigned long long)sum.db_errors);
	metrics_head(out, "ll_db_reconnects_total", "counter",
	    "Database connections made again after a process's first.");
	buf_printf(out, "ll_db_reconnects_total %llu\n",
	    (unsigned long long)sum.db_reconnects);
	metrics_head(out, "ll_worker_restarts_total", "counter",
	    "Workers started in place of one that ended unasked (a crash, "
	    "or max_requests).");
	buf_printf(out, "ll_worker_restarts_total %llu\n",
	    (unsigned long long)restarts);
	metrics_head(out, "ll_workers", "gauge", "Worker processes running.");
	buf_printf(out, "ll_workers %llu\n", (unsigned long long)workers);
	metrics_head(out, "ll_workers_busy", "gauge",
	    "Workers serving a request (this scrape's own included).");
	buf_printf(out, "ll_workers_busy %llu\n", (unsigned long long)sum.busy);
}
