#ifndef LL_WORKER_H
#define LL_WORKER_H

#include "config.h"

/* One worker process: opens its database connection, then accepts and
 * serves FastCGI requests on listen_fd one at a time until SIGTERM (after
 * finishing the request in hand) or until it has served cfg->max_requests.
 * Returns the process exit status. */
int worker_run(int listen_fd, const struct config *cfg);

#endif
