#ifndef LL_ADMIN_H
#define LL_ADMIN_H

#include "config.h"

/* The operator's "provider" command: add NAME, list, disable CODE,
 * enable CODE, rotate-key CODE. argv[0] is the sub-command. Prints JSON on
 * stdout, errors on stderr. Returns the process exit status. */
int admin_provider(const struct config *cfg, int argc, char **argv);

/* The operator's "report [--csv] [--from DAY] [--to DAY]": what the checks
 * decided from day to day (the 30 days to today by default), per provider
 * and for unknown links, as an aligned table or CSV on stdout. Returns
 * the process exit status. */
int admin_report(const struct config *cfg, int argc, char **argv);

/* The operator's "maintain": makes the check events' partitions ahead and
 * drops those older than retention_months (daily, from a timer). Prints
 * what it did. Returns the process exit status. */
int admin_maintain(const struct config *cfg);

#endif
