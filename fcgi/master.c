#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "backoff.h"
#include "log.h"
#include "master.h"
#include "metrics.h"
#include "sender.h"
#include "upgrade.h"
#include "worker.h"

#define MASTER_MAX_WORKERS	256
#define MASTER_TICK_MS		100	/* how often the master looks around */
#define MASTER_CRASH_MS		2000	/* dying younger than this is a crash */
#define MASTER_BACKOFF_MIN_MS	100	/* first pause after a young death */
#define MASTER_BACKOFF_MAX_MS	5000	/* longest pause between respawns */

/* What a child of the master is. */
enum kid_role {
	KID_WORKER,	/* serves requests from the socket */
	KID_SENDER	/* delivers webhooks and sweeps (fcgi/sender.c) */
};

struct kid {
	pid_t		pid;
	enum kid_role	role;
	int		gen;		/* configuration generation */
	int		retiring;	/* told to stop */
	int		killed;		/* sent SIGKILL */
	long long	started;
	long long	retired_at;
	int		slot;		/* its metrics slot, or -1 */
};

static struct kid	master_kids[MASTER_MAX_WORKERS * 2];
static int		master_nkids;
static int		master_gen;
/* a pause after a young death, for each role */
static long long	master_spawn_after[2];
static int		master_backoff_ms[2];

static const char *
master_role(enum kid_role role)
{
	return role == KID_SENDER ? "sender" : "worker";
}

/* A unix socket that answers belongs to a running server. */
static int
master_socket_in_use(const char *path)
{
	struct sockaddr_un sa;
	int fd, used;

	if (strlen(path) >= sizeof(sa.sun_path))
		return 0;
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	used = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return used;
}

static int
master_listen(const struct config *cfg)
{
	struct stat st;
	const char *path = cfg->listen;
	int fd;

	if (strncmp(path, "tcp:", 4) == 0) {
		fd = FCGX_OpenSocket(path + 4, cfg->backlog);
	} else {
		if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
			if (master_socket_in_use(path)) {
				log_error("master: %s is in use by another "
				    "server", path);
				return -1;
			}
			unlink(path);
		}
		fd = FCGX_OpenSocket(path, cfg->backlog);
		if (fd >= 0 && chmod(path, 0660) != 0)
			log_warn("master: chmod %s: %s", path, strerror(errno));
	}
	if (fd < 0) {
		log_error("master: cannot listen on %s", cfg->listen);
		return -1;
	}
	/* workers wait in epoll_pwait() and then accept: the ones that lose the
	 * race for a connection must get EAGAIN, not sleep in accept(); and
	 * no program the master runs (an upgrade's check) may hold it */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
		log_error("master: %s: %s", cfg->listen, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void
master_spawn(int listen_fd, const struct config *cfg, int sigfd,
    enum kid_role role)
{
	sigset_t none;
	struct kid *k;
	pid_t pid, self = getpid();
	int slot;

	if (master_nkids == (int)(sizeof(master_kids) / sizeof(master_kids[0])))
		return;
	slot = metrics_slot_take();
	pid = fork();
	if (pid < 0) {
		log_error("master: fork: %s", strerror(errno));
		master_spawn_after[role] = backoff_now_ms() + 1000;
		return;
	}
	if (pid == 0) {
		/* die with the master rather than linger as an orphan */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != self)
			_exit(1);
		close(sigfd);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		metrics_attach(slot);
		if (role == KID_SENDER) {
			/* it serves no request */
			close(listen_fd);
			_exit(sender_run(cfg));
		}
		_exit(worker_run(listen_fd, cfg));
	}
	k = &master_kids[master_nkids++];
	k->pid = pid;
	k->role = role;
	k->gen = master_gen;
	k->retiring = 0;
	k->killed = 0;
	k->started = backoff_now_ms();
	k->retired_at = 0;
	k->slot = slot;
	metrics_slot_owner(slot, pid);
	log_info("master: started %s %ld", master_role(role), (long)pid);
}

/* A worker blocks SIGTERM while it serves a request and takes it between
 * requests, so one signal is enough. */
static void
master_retire(struct kid *k)
{
	if (k->retiring)
		return;
	k->retiring = 1;
	k->retired_at = backoff_now_ms();
	kill(k->pid, SIGTERM);
}

/* Kills the workers told to stop more than stop_timeout ago: stuck in a
 * request, they would hold up a reload or a shutdown for ever. */
static void
master_chase(const struct config *cfg)
{
	struct kid *k;
	int i;

	for (i = 0; i < master_nkids; i++) {
		k = &master_kids[i];
		if (!k->retiring || k->killed || backoff_now_ms() -
		    k->retired_at <= cfg->stop_timeout * 1000LL)
			continue;
		log_warn("master: %s %ld did not stop in %d s, killing it",
		    master_role(k->role), (long)k->pid, cfg->stop_timeout);
		kill(k->pid, SIGKILL);
		k->killed = 1;
	}
}

/* How many children of role there are. */
static int
master_count(enum kid_role role)
{
	int i, n = 0;

	for (i = 0; i < master_nkids; i++)
		n += master_kids[i].role == role;
	return n;
}

static void
master_reap(int stopping)
{
	struct kid *k;
	pid_t pid;
	int status, i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < master_nkids; i++)
			if (master_kids[i].pid == pid)
				break;
		if (i == master_nkids)
			continue;
		k = &master_kids[i];
		if (!k->retiring && !stopping &&
		    !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
			if (WIFSIGNALED(status))
				log_warn("master: %s %ld killed by signal %d",
				    master_role(k->role), (long)pid,
				    WTERMSIG(status));
			else
				log_warn("master: %s %ld exited with %d",
				    master_role(k->role), (long)pid,
				    WEXITSTATUS(status));
			if (k->role == KID_WORKER)
				metrics_worker_restart();
			if (backoff_now_ms() - k->started < MASTER_CRASH_MS) {
				master_backoff_ms[k->role] = backoff_next(
				    master_backoff_ms[k->role],
				    MASTER_BACKOFF_MIN_MS, MASTER_BACKOFF_MAX_MS);
				master_spawn_after[k->role] = backoff_now_ms() +
				    master_backoff_ms[k->role];
			} else {
				master_backoff_ms[k->role] = 0;
			}
		} else {
			log_info("master: %s %ld stopped",
			    master_role(k->role), (long)pid);
		}
		/* its counts stay in the slot for the next one to go on from */
		metrics_slot_owner(k->slot, -1);
		master_kids[i] = master_kids[--master_nkids];
	}
}

/* Keeps one sender of the current generation: starts one when there is
 * none (after the pause of a young death), and after a reload starts the
 * new one, then stops the old (two at once is harmless: they never claim
 * the same event). */
static void
master_balance_sender(int listen_fd, const struct config *cfg, int sigfd)
{
	struct kid *old = NULL;
	int current = 0, i;

	for (i = 0; i < master_nkids; i++) {
		if (master_kids[i].role != KID_SENDER ||
		    master_kids[i].retiring)
			continue;
		if (master_kids[i].gen == master_gen)
			current = 1;
		else
			old = &master_kids[i];
	}
	if (!current && backoff_now_ms() >= master_spawn_after[KID_SENDER])
		master_spawn(listen_fd, cfg, sigfd, KID_SENDER);
	else if (current && old != NULL)
		master_retire(old);
}

/* Keeps cfg->workers workers of the current generation; replaces older
 * ones one at a time, starting the new one before stopping the old; and
 * the sender. A stopping worker takes no new connection but answers what
 * comes on the ones it holds for a moment (fcgi/worker.c), so the next
 * replacement does not wait for it to exit. */
static void
master_balance(int listen_fd, const struct config *cfg, int sigfd)
{
	struct kid *old = NULL, *any = NULL;
	int alive = 0, i;

	master_balance_sender(listen_fd, cfg, sigfd);
	for (i = 0; i < master_nkids; i++) {
		if (master_kids[i].role != KID_WORKER ||
		    master_kids[i].retiring)
			continue;
		alive++;
		any = &master_kids[i];
		if (master_kids[i].gen != master_gen && old == NULL)
			old = &master_kids[i];
	}
	if (alive < cfg->workers) {
		if (backoff_now_ms() >= master_spawn_after[KID_WORKER])
			master_spawn(listen_fd, cfg, sigfd, KID_WORKER);
		return;
	}
	if (alive > cfg->workers)
		master_retire(old != NULL ? old : any);
	else if (old != NULL)
		master_spawn(listen_fd, cfg, sigfd, KID_WORKER);
}

static void
master_reload(struct config *cfg)
{
	struct config next;
	char err[512];

	config_defaults(&next);
	if (config_load(&next, cfg->path, err, sizeof(err)) != 0) {
		log_error("master: reload failed, keeping the old "
		    "configuration: %s", err);
		return;
	}
	if (strcmp(next.listen, cfg->listen) != 0) {
		log_warn("master: 'listen' changes only on restart");
		memcpy(next.listen, cfg->listen, sizeof(next.listen));
	}
	*cfg = next;
	log_set_level((enum log_level)cfg->log_level);
	master_gen++;
	log_info("master: configuration reloaded, replacing workers");
}

/* Execs the new binary in this process (fcgi/upgrade.c), handing it the
 * socket and every worker; returns only when that did not happen, and
 * then the old image goes on as if nothing was asked. */
static void
master_upgrade(const struct config *cfg, int listen_fd)
{
	pid_t pids[MASTER_MAX_WORKERS * 2];
	int i;

	for (i = 0; i < master_nkids; i++)
		pids[i] = master_kids[i].pid;
	if (upgrade_exec(cfg->path, listen_fd, metrics_fd(), pids,
	    master_nkids) != 0)
		log_error("master: upgrade refused, the running binary "
		    "keeps serving");
}

/* What a handed-over child is: the sender names itself (SENDER_NAME). */
static enum kid_role
master_adopted_role(pid_t pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/comm", (long)pid);
	f = fopen(path, "r");
	if (f != NULL) {
		if (fgets(comm, sizeof(comm), f) == NULL)
			comm[0] = '\0';
		fclose(f);
	}
	comm[strcspn(comm, "\n")] = '\0';
	return strcmp(comm, SENDER_NAME) == 0 ? KID_SENDER : KID_WORKER;
}

/* Takes over the workers a previous image handed over: they are of an
 * older generation, so master_balance() replaces them one by one. The
 * socket stays what it was: when the configuration now names another,
 * cfg->listen is set back to the socket's own address, so that a stop
 * unlinks the path this socket is bound to, never another. */
static void
master_adopt(struct config *cfg, int listen_fd, const pid_t *pids,
    int npids)
{
	struct sockaddr_storage ss;
	struct sockaddr_un *sun = (struct sockaddr_un *)&ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	socklen_t len = sizeof(ss);
	char name[sizeof(cfg->listen)], host[INET_ADDRSTRLEN];
	struct kid *k;
	int i;

	memset(&ss, 0, sizeof(ss));
	name[0] = '\0';
	if (getsockname(listen_fd, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_UNIX)
			snprintf(name, sizeof(name), "%.*s",
			    (int)sizeof(sun->sun_path), sun->sun_path);
		else if (ss.ss_family == AF_INET &&
		    inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host)))
			snprintf(name, sizeof(name), "tcp:%s:%u", host,
			    (unsigned)ntohs(sin->sin_port));
	}
	if (name[0] != '\0' && (ss.ss_family == AF_UNIX ?
	    strcmp(name, cfg->listen) != 0 :
	    strncmp(cfg->listen, "tcp:", 4) != 0)) {
		log_warn("master: 'listen' changes only on restart; keeping %s",
		    name);
		memcpy(cfg->listen, name, sizeof(cfg->listen));
	}
	for (i = 0; i < npids && master_nkids < MASTER_MAX_WORKERS * 2; i++) {
		k = &master_kids[master_nkids++];
		memset(k, 0, sizeof(*k));
		k->pid = pids[i];
		k->role = master_adopted_role(pids[i]);
		k->gen = master_gen - 1;
		k->started = backoff_now_ms();
		k->slot = metrics_slot_of(pids[i]);
	}
}

static void
master_pidfile(const struct config *cfg, int create)
{
	FILE *f;

	if (cfg->pid_file[0] == '\0')
		return;
	if (!create) {
		unlink(cfg->pid_file);
		return;
	}
	f = fopen(cfg->pid_file, "w");
	if (f == NULL) {
		log_warn("master: %s: %s", cfg->pid_file, strerror(errno));
		return;
	}
	fprintf(f, "%ld\n", (long)getpid());
	fclose(f);
}

/* Acts on one signal from the signalfd; sets *stopping on a stop. A
 * SIGHUP that finds another binary installed where this one was started
 * from upgrades, since what was installed is what is meant to run. */
static void
master_signal(struct config *cfg, int signo, int *stopping, int listen_fd)
{
	int i;

	if (*stopping || signo == SIGCHLD)
		return;
	if (signo == SIGUSR2 || (signo == SIGHUP && upgrade_binary_changed())) {
		master_upgrade(cfg, listen_fd);
		return;
	}
	if (signo == SIGHUP) {
		master_reload(cfg);
		return;
	}
	log_info("master: stopping");
	*stopping = 1;
	for (i = 0; i < master_nkids; i++)
		master_retire(&master_kids[i]);
}

int
master_run(struct config *cfg)
{
	static pid_t inherited[MASTER_MAX_WORKERS * 2];
	struct signalfd_siginfo si;
	struct pollfd pfd;
	sigset_t set;
	int listen_fd, sigfd = -1, stopping = 0, rc = 1, ninherited;

	if (FCGX_Init() != 0) {
		log_error("master: FCGX_Init failed");
		goto out;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	/* counts go on across an upgrade: the workers handed over still
	 * write into the region the previous image made */
	metrics_init(upgrade_inherited_keep());
	/* after an upgrade, the socket is the previous image's: binding
	 * anew would unlink the path under the workers still serving */
	listen_fd = upgrade_inherited(inherited, MASTER_MAX_WORKERS * 2,
	    &ninherited);
	if (listen_fd >= 0) {
		master_adopt(cfg, listen_fd, inherited, ninherited);
		log_info("master: upgraded; took over the socket on %s and "
		    "%d workers", cfg->listen, ninherited);
	} else {
		listen_fd = master_listen(cfg);
	}
	if (sigfd < 0 || listen_fd < 0)
		goto out;
	master_pidfile(cfg, 1);
	log_info("master: listening on %s with %d workers", cfg->listen,
	    cfg->workers);
	for (;;) {
		master_reap(stopping);
		if (stopping && master_nkids == 0)
			break;
		metrics_workers(master_count(KID_WORKER));
		master_chase(cfg);
		if (!stopping)
			master_balance(listen_fd, cfg, sigfd);
		pfd.fd = sigfd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, MASTER_TICK_MS) <= 0)
			continue;
		while (read(sigfd, &si, sizeof(si)) == sizeof(si))
			master_signal(cfg, (int)si.ssi_signo, &stopping,
			    listen_fd);
	}
	if (strncmp(cfg->listen, "tcp:", 4) != 0)
		unlink(cfg->listen);
	master_pidfile(cfg, 0);
	log_info("master: stopped");
	rc = 0;
out:
	if (sigfd >= 0)
		close(sigfd);
	return rc;
}
