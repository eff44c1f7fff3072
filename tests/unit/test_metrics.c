/* Who may read /metrics (netaddr's address lists, metrics_allow in the
 * configuration), and the exposition: counts from several processes
 * summed, a dead process's counts kept, labels and histogram buckets as
 * Prometheus reads them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arena.h"
#include "config.h"
#include "metrics.h"
#include "netaddr.h"
#include "testhelp.h"

static void
test_lists(void)
{
	static const char *const dflt = "127.0.0.0/8, ::1";

	TEST("the default list: loopback, IPv4 and IPv6");
	ASSERT(netaddr_in_list(dflt, "127.0.0.1") == 1);
	ASSERT(netaddr_in_list(dflt, "127.255.3.4") == 1);
	ASSERT(netaddr_in_list(dflt, "::1") == 1);
	ASSERT(netaddr_in_list(dflt, "::ffff:127.0.0.1") == 1);
	ASSERT(netaddr_in_list(dflt, "128.0.0.1") == 0);
	ASSERT(netaddr_in_list(dflt, "10.0.0.1") == 0);
	ASSERT(netaddr_in_list(dflt, "::2") == 0);
	ASSERT(netaddr_in_list(dflt, "::ffff:10.0.0.1") == 0);

	TEST("prefixes that end inside a byte, and whole addresses");
	ASSERT(netaddr_in_list("10.0.0.0/9", "10.127.255.255") == 1);
	ASSERT(netaddr_in_list("10.0.0.0/9", "10.128.0.0") == 0);
	ASSERT(netaddr_in_list("192.0.2.7", "192.0.2.7") == 1);
	ASSERT(netaddr_in_list("192.0.2.7", "192.0.2.8") == 0);
	ASSERT(netaddr_in_list("2001:db8::/33", "2001:db8:7fff::1") == 1);
	ASSERT(netaddr_in_list("2001:db8::/33", "2001:db8:8000::1") == 0);
	ASSERT(netaddr_in_list("0.0.0.0/0", "203.0.113.9") == 1);
	ASSERT(netaddr_in_list("::/0", "2001:db8::1") == 1);
	ASSERT(netaddr_in_list("::ffff:10.0.0.0/104", "10.9.9.9") == 1);

	TEST("separators: commas, spaces, tabs, in any number");
	ASSERT(netaddr_in_list(" 10.0.0.1,,\t192.0.2.0/24 ,", "192.0.2.200") == 1);
	ASSERT(netaddr_list_valid(" 10.0.0.1,,\t192.0.2.0/24 ,") == 1);

	TEST("the empty list holds nobody and is valid");
	ASSERT(netaddr_list_valid("") == 1);
	ASSERT(netaddr_in_list("", "127.0.0.1") == 0);

	TEST("bad entries and bad addresses");
	ASSERT(netaddr_list_valid("127.0.0.0/33") == 0);
	ASSERT(netaddr_list_valid("::/129") == 0);
	ASSERT(netaddr_list_valid("127.0.0.0/") == 0);
	ASSERT(netaddr_list_valid("127.0.0.0/-1") == 0);
	ASSERT(netaddr_list_valid("127.0.0.0/8x") == 0);
	ASSERT(netaddr_list_valid("localhost") == 0);
	ASSERT(netaddr_list_valid("10.0.0.1; 10.0.0.2") == 0);
	ASSERT(netaddr_list_valid(NULL) == 0);
	ASSERT(netaddr_in_list(dflt, "") == 0);
	ASSERT(netaddr_in_list(dflt, NULL) == 0);
	ASSERT(netaddr_in_list(dflt, "127.0.0.1 ") == 0);
	ASSERT(netaddr_in_list("bogus, 127.0.0.1", "127.0.0.1") == 0);
}

static int
load(struct config *c, const char *text)
{
	char err[256], copy[256];
	FILE *f;
	int rc;

	snprintf(copy, sizeof(copy), "%s", text);
	f = fmemopen(copy, strlen(copy), "r");
	if (f == NULL) {
		perror("fmemopen");
		exit(1);
	}
	config_defaults(c);
	rc = config_read(c, f, "mem.conf", err, sizeof(err));
	fclose(f);
	return rc;
}

static void
test_config(void)
{
	struct config c;

	TEST("metrics_allow: loopback by default, a list taken, a bad one not");
	config_defaults(&c);
	ASSERT_STR(c.metrics_allow, "127.0.0.0/8, ::1");
	ASSERT(load(&c, "metrics_allow = 10.0.0.0/8, 192.0.2.1\n") == 0);
	ASSERT_STR(c.metrics_allow, "10.0.0.0/8, 192.0.2.1");
	ASSERT(load(&c, "metrics_allow =\n") == 0);
	ASSERT_STR(c.metrics_allow, "");
	ASSERT(load(&c, "metrics_allow = 10.0.0.0/40\n") != 0);
	ASSERT(load(&c, "metrics_allow = prometheus.local\n") != 0);
}

/* The value of the sample line that starts with head, or -1. */
static double
sample(const char *text, const char *head)
{
	const char *p = text;
	size_t n = strlen(head);

	while ((p = strstr(p, head)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return strtod(p + n + 1, NULL);
		p += n;
	}
	return -1;
}

static void
test_exposition(struct arena *a)
{
	struct buf out;
	pid_t pid;
	int status, slot;

	TEST("a child's counts show in the parent's sums, and stay after it");
	ASSERT(metrics_init(-1) == 0);
	slot = metrics_slot_take();
	ASSERT(slot >= 0);
	pid = fork();
	if (pid == 0) {
		metrics_attach(slot);
		metrics_request(METRICS_ROUTE_INSTALL, 200, 300000);
		metrics_request(METRICS_ROUTE_INSTALL, 200, 3000000);
		metrics_request(METRICS_ROUTE_API, 418, 20000000000LL);
		metrics_decision(DB_ADMITTED_NEW);
		metrics_db_error();
		metrics_busy(1);	/* killed mid-request */
		_exit(0);
	}
	metrics_slot_owner(slot, pid);
	ASSERT(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
	metrics_slot_owner(slot, -1);
	metrics_worker_restart();
	metrics_workers(3);
	/* the next process in that slot counts on from the dead one's */
	ASSERT(metrics_slot_take() == slot);
	metrics_attach(slot);
	metrics_request(METRICS_ROUTE_INSTALL, 200, 1000);
	metrics_decision(DB_REFUSED_LIMIT);
	metrics_db_reconnect();

	buf_init(&out, a);
	metrics_text(&out);
	buf_append(&out, "", 1);
	ASSERT(sample(out.data,
	    "ll_requests_total{route=\"install\",status=\"200\"}") == 3);
	ASSERT(sample(out.data,
	    "ll_requests_total{route=\"api\",status=\"other\"}") == 1);
	ASSERT(sample(out.data,
	    "ll_requests_total{route=\"api\",status=\"200\"}") == -1);
	ASSERT(sample(out.data,
	    "ll_check_decisions_total{decision=\"admitted_new\"}") == 1);
	ASSERT(sample(out.data,
	    "ll_check_decisions_total{decision=\"refused_limit\"}") == 1);
	ASSERT(sample(out.data,
	    "ll_check_decisions_total{decision=\"refused_hwid\"}") == 0);

	TEST("the histogram: cumulative buckets, +Inf, sum and count");
	ASSERT(sample(out.data, "ll_request_duration_seconds_bucket"
	    "{route=\"install\",le=\"0.0005\"}") == 2);
	ASSERT(sample(out.data, "ll_request_duration_seconds_bucket"
	    "{route=\"install\",le=\"0.0025\"}") == 2);
	ASSERT(sample(out.data, "ll_request_duration_seconds_bucket"
	    "{route=\"install\",le=\"0.005\"}") == 3);
	ASSERT(sample(out.data, "ll_request_duration_seconds_bucket"
	    "{route=\"install\",le=\"+Inf\"}") == 3);
	ASSERT(sample(out.data, "ll_request_duration_seconds_bucket"
	    "{route=\"api\",le=\"10\"}") == 0);
	ASSERT(sample(out.data, "ll_request_duration_seconds_bucket"
	    "{route=\"api\",le=\"+Inf\"}") == 1);
	ASSERT(sample(out.data,
	    "ll_request_duration_seconds_count{route=\"install\"}") == 3);
	ASSERT(sample(out.data,
	    "ll_request_duration_seconds_sum{route=\"install\"}") == 0.003301);
	ASSERT(sample(out.data,
	    "ll_request_duration_seconds_sum{route=\"api\"}") == 20);

	TEST("the process's gauges and counters; a dead one is not busy");
	ASSERT(sample(out.data, "ll_db_errors_total") == 1);
	ASSERT(sample(out.data, "ll_db_reconnects_total") == 1);
	ASSERT(sample(out.data, "ll_worker_restarts_total") == 1);
	ASSERT(sample(out.data, "ll_workers") == 3);
	ASSERT(sample(out.data, "ll_workers_busy") == 0);
	metrics_busy(1);
	out.len = 0;
	metrics_text(&out);
	buf_append(&out, "", 1);
	ASSERT(sample(out.data, "ll_workers_busy") == 1);
	ASSERT(strstr(out.data, "# TYPE ll_request_duration_seconds "
	    "histogram\n") != NULL);
	ASSERT(out.len > 1 && out.data[out.len - 2] == '\n');
}

int
main(void)
{
	struct arena *a = arena_new();

	test_lists();
	test_config();
	test_exposition(a);
	arena_free(a);
	return TEST_REPORT("metrics");
}
