#ifndef LL_UPGRADE_H
#define LL_UPGRADE_H

#include <sys/types.h>

/* A new binary without a moment's outage: the master execs the binary it
 * was started from in its own process (same pid, so nginx, systemd and
 * the pid file see nothing change), and hands the new image the
 * listening socket and the pids of its workers through the environment.
 * The old workers keep serving meanwhile; the new master replaces them
 * one by one, as after a reload. */

#define UPGRADE_MAX_WORKERS	512	/* pids handed over at most */

/* Remembers argv (kept, not copied: main's argv lives as long as the
 * process) and which file to exec: argv[0] when it names a path (the
 * master never changes its working folder), else the running binary.
 * Cannot fail; upgrade_exec() refuses when no file could be found. */
void upgrade_init(char **argv);

/* 1 when the file upgrade_init() found is no longer the running binary
 * (a new build was installed over it), 0 when it is or cannot be told. */
int upgrade_binary_changed(void);

/* What a previous image handed over: returns the listening socket, or -1
 * when there was none (a fresh start), and stores in pids (max entries)
 * the handed-over workers that are still this process's children, their
 * number in *npids. A handed-over descriptor that is not a listening
 * socket is refused (-1, logged). Clears the environment variables
 * either way, so that nothing started later sees them. */
int upgrade_inherited(pid_t *pids, int max, int *npids);

/* The other descriptor a previous image handed over (the metrics' shared
 * region), close-on-exec again; -1 when none was. Clears its environment
 * variable either way. */
int upgrade_inherited_keep(void);

/* Runs the new binary's "check-config" on config_path, and only when it
 * passes, execs the new binary with the original argv, listen_fd, keep_fd
 * (one more descriptor to hand over, or -1) and the npids pids in its
 * environment. Returns only when the upgrade did not happen: -1, with the
 * reason logged and nothing changed (the caller keeps running its old
 * image). */
int upgrade_exec(const char *config_path, int listen_fd, int keep_fd,
    const pid_t *pids, int npids);

#endif
