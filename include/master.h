#ifndef LL_MASTER_H
#define LL_MASTER_H

#include "config.h"

/* The prefork master: binds cfg->listen, keeps cfg->workers workers and
 * one sender (fcgi/sender.c) running (replacing any that die, with a
 * growing pause when they die young), re-reads the configuration and replaces the workers one by one
 * on SIGHUP, and on SIGTERM or SIGINT stops them gracefully and returns.
 * A worker told to stop that is still running after cfg->stop_timeout
 * seconds is killed. Returns the process exit status. */
int master_run(struct config *cfg);

#endif
