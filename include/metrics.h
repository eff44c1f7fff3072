#ifndef LL_METRICS_H
#define LL_METRICS_H

#include "db.h"

#include <stddef.h>
#include <sys/types.h>

#include "arena.h"

/* What GET /metrics shows, summed over every process of the server. The
 * master maps one shared region before it forks; each child it starts
 * gets a slot of its own, by index, and writes only there, with plain
 * stores of relaxed atomics: no lock, no syscall on the request path. A
 * slot keeps its counts when its process dies, and the next process
 * given that slot counts on from them, so nothing counted ever vanishes
 * from the sums. */

#define METRICS_SLOTS	512	/* processes counted at once, at most */

/* The routes requests are counted by (the label route). */
enum metrics_route {
	METRICS_ROUTE_OTHER = 0,	/* no route: answered 404 */
	METRICS_ROUTE_INSTALL,
	METRICS_ROUTE_PROVIDER,
	METRICS_ROUTE_API,
	METRICS_ROUTE_ACCOUNT,
	METRICS_ROUTE_MY,
	METRICS_ROUTE_HEALTHZ,
	METRICS_ROUTE_METRICS,
	METRICS_NROUTE
};

/* Maps the shared region; the master calls it once, before it forks.
 * fd is the region a previous image handed over (fcgi/upgrade.c), whose
 * counts go on, or -1 for a new one. Returns 0, or -1 (logged): the
 * server then serves without metrics shared between its processes. */
int metrics_init(int fd);

/* The descriptor of the shared region, to hand over to a new image; -1
 * when there is none. It is close-on-exec. */
int metrics_fd(void);

/* A free slot for a child about to be started, or -1 when none is (the
 * child then counts nowhere). Master only. */
int metrics_slot_take(void);

/* Marks slot (from metrics_slot_take()) as pid's; pid -1 frees it, once
 * its process is reaped, and clears its busy flag, which a process killed
 * mid-request leaves set. Master only; nothing when slot < 0. */
void metrics_slot_owner(int slot, pid_t pid);

/* The slot of a process handed over by a previous image, by pid, or -1. */
int metrics_slot_of(pid_t pid);

/* In a child: counts into slot from now on. Until called (and in a
 * process the master did not start: the command line, unit tests) the
 * counting functions count into a private scrap. Cannot fail. */
void metrics_attach(int slot);

/* Master only: a worker ended without being told to (a crash, or its
 * max_requests), so another is started in its place. */
void metrics_worker_restart(void);

/* Master only: how many workers are running now. */
void metrics_workers(int n);

/* The counting, each a few stores in the caller's slot; cannot fail. */
void metrics_busy(int on);
void metrics_request(enum metrics_route route, int status, long long ns);
void metrics_decision(enum db_decision d);
void metrics_db_error(void);
void metrics_db_reconnect(void);

/* Appends the exposition of every metric in Prometheus' text format
 * (0.0.4), summed over the slots, to out; with no shared region
 * (metrics_init() failed or was never called), the sums are of this
 * process alone. Cannot fail. */
void metrics_text(struct buf *out);

#endif
