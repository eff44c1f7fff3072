#ifndef LL_WORKER_H
#define LL_WORKER_H

#include "config.h"

/* One worker process: opens its database connection, then accepts and
 * serves FastCGI requests on listen_fd (which must not block) one at a
 * time until SIGTERM or SIGINT, taken only between requests so that a
 * request in hand, even half-read, is always answered; or until it has
 * served cfg->max_requests. Between requests, and when idle, it writes
 * the checks' counts when they are due (fcgi/counters.c), and all of
 * them before it exits. Returns the process exit status: 1 when
 * listen_fd fails. */
int worker_run(int listen_fd, const struct config *cfg);

/* Sets the stop signals of a process the master starts (a worker, the
 * sender): SIGTERM and SIGINT call on_term and end the wait they
 * interrupt (no SA_RESTART), SIGHUP (the master's own) and SIGPIPE are
 * ignored. Cannot fail. */
void worker_stop_signals(void (*on_term)(int));

#endif
