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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "log.h"
#include "master.h"
#include "worker.h"

#define MASTER_MAX_WORKERS	256
#define MASTER_TICK_MS		100	/* how often the master looks around */
#define MASTER_CRASH_MS		2000	/* dying younger than this is a crash */
#define MASTER_BACKOFF_MAX_MS	5000	/* longest pause between respawns */

struct kid {
	pid_t		pid;
	int		gen;		/* configuration generation */
	int		retiring;	/* told to stop */
	int		killed;		/* sent SIGKILL */
	long long	started;
	long long	retired_at;
};

static struct kid	master_kids[MASTER_MAX_WORKERS * 2];
static int		master_nkids;
static int		master_gen;
static long long	master_spawn_after;
static int		master_backoff_ms;

static long long
master_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
	 * race for a connection must get EAGAIN, not sleep in accept() */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
		log_error("master: %s: %s", cfg->listen, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void
master_spawn(int listen_fd, const struct config *cfg, int sigfd)
{
	sigset_t none;
	struct kid *k;
	pid_t pid, self = getpid();

	if (master_nkids == (int)(sizeof(master_kids) / sizeof(master_kids[0])))
		return;
	pid = fork();
	if (pid < 0) {
		log_error("master: fork: %s", strerror(errno));
		master_spawn_after = master_now() + 1000;
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
		_exit(worker_run(listen_fd, cfg));
	}
	k = &master_kids[master_nkids++];
	k->pid = pid;
	k->gen = master_gen;
	k->retiring = 0;
	k->killed = 0;
	k->started = master_now();
	k->retired_at = 0;
	log_info("master: started worker %ld", (long)pid);
}

/* A worker blocks SIGTERM while it serves a request and takes it between
 * requests, so one signal is enough. */
static void
master_retire(struct kid *k)
{
	if (k->retiring)
		return;
	k->retiring = 1;
	k->retired_at = master_now();
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
		if (!k->retiring || k->killed ||
		    master_now() - k->retired_at <= cfg->stop_timeout * 1000LL)
			continue;
		log_warn("master: worker %ld did not stop in %d s, killing it",
		    (long)k->pid, cfg->stop_timeout);
		kill(k->pid, SIGKILL);
		k->killed = 1;
	}
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
				log_warn("master: worker %ld killed by signal %d",
				    (long)pid, WTERMSIG(status));
			else
				log_warn("master: worker %ld exited with %d",
				    (long)pid, WEXITSTATUS(status));
			if (master_now() - k->started < MASTER_CRASH_MS) {
				master_backoff_ms = master_backoff_ms == 0 ?
				    100 : master_backoff_ms * 2;
				if (master_backoff_ms > MASTER_BACKOFF_MAX_MS)
					master_backoff_ms = MASTER_BACKOFF_MAX_MS;
				master_spawn_after = master_now() +
				    master_backoff_ms;
			} else {
				master_backoff_ms = 0;
			}
		} else {
			log_info("master: worker %ld stopped", (long)pid);
		}
		master_kids[i] = master_kids[--master_nkids];
	}
}

/* Keeps cfg->workers workers of the current generation; replaces older
 * ones one at a time, starting the new one before stopping the old. A
 * stopping worker takes no new connection but answers what comes on the
 * ones it holds for a moment (fcgi/worker.c), so the next replacement
 * does not wait for it to exit. */
static void
master_balance(int listen_fd, const struct config *cfg, int sigfd)
{
	struct kid *old = NULL, *any = NULL;
	int alive = 0, i;

	for (i = 0; i < master_nkids; i++) {
		if (master_kids[i].retiring)
			continue;
		alive++;
		any = &master_kids[i];
		if (master_kids[i].gen != master_gen && old == NULL)
			old = &master_kids[i];
	}
	if (alive < cfg->workers) {
		if (master_now() >= master_spawn_after)
			master_spawn(listen_fd, cfg, sigfd);
		return;
	}
	if (alive > cfg->workers)
		master_retire(old != NULL ? old : any);
	else if (old != NULL)
		master_spawn(listen_fd, cfg, sigfd);
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

/* Acts on one signal from the signalfd; sets *stopping on a stop. */
static void
master_signal(struct config *cfg, int signo, int *stopping)
{
	int i;

	if (*stopping || signo == SIGCHLD)
		return;
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
	struct signalfd_siginfo si;
	struct pollfd pfd;
	sigset_t set;
	int listen_fd, sigfd = -1, stopping = 0, rc = 1;

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
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	listen_fd = master_listen(cfg);
	if (sigfd < 0 || listen_fd < 0)
		goto out;
	master_pidfile(cfg, 1);
	log_info("master: listening on %s with %d workers", cfg->listen,
	    cfg->workers);
	for (;;) {
		master_reap(stopping);
		if (stopping && master_nkids == 0)
			break;
		master_chase(cfg);
		if (!stopping)
			master_balance(listen_fd, cfg, sigfd);
		pfd.fd = sigfd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, MASTER_TICK_MS) <= 0)
			continue;
		while (read(sigfd, &si, sizeof(si)) == sizeof(si))
			master_signal(cfg, (int)si.ssi_signo, &stopping);
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
