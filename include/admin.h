#ifndef LL_ADMIN_H
#define LL_ADMIN_H

#include "config.h"

/* The operator's "provider" command: add NAME, list, disable CODE,
 * enable CODE, rotate-key CODE. argv[0] is the sub-command. Prints JSON on
 * stdout, errors on stderr. Returns the process exit status. */
int admin_provider(const struct config *cfg, int argc, char **argv);

#endif
