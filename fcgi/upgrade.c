#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "upgrade.h"

#define UPGRADE_ENV_FD		"LL_INHERIT_FD"
#define UPGRADE_ENV_WORKERS	"LL_INHERIT_WORKERS"
#define UPGRADE_ENV_KEEP	"LL_INHERIT_METRICS"
#define UPGRADE_CHECK_MS	15000	/* the new binary's check-config, at most */
#define UPGRADE_POLL_MS		10	/* how often its end is looked for */

static char	**upgrade_argv;
static char	  upgrade_exe[PATH_MAX];

void
upgrade_init(char **argv)
{
	ssize_t n;

	upgrade_argv = argv;
	upgrade_exe[0] = '\0';
	/* the path it was started by, not what that path led to then: a new
	 * build installed there (or a link moved to one) is what to run */
	if (argv[0] != NULL && strchr(argv[0], '/') != NULL &&
	    strlen(argv[0]) < sizeof(upgrade_exe)) {
		memcpy(upgrade_exe, argv[0], strlen(argv[0]) + 1);
		return;
	}
	n = readlink("/proc/self/exe", upgrade_exe, sizeof(upgrade_exe) - 1);
	upgrade_exe[n > 0 ? n : 0] = '\0';
}

int
upgrade_binary_changed(void)
{
	struct stat on_disk, running;

	if (upgrade_exe[0] == '\0' || stat(upgrade_exe, &on_disk) != 0 ||
	    stat("/proc/self/exe", &running) != 0)
		return 0;
	return on_disk.st_dev != running.st_dev ||
	    on_disk.st_ino != running.st_ino;
}

/* A whole decimal number from 0 to INT_MAX; -1 for anything else. */
static int
upgrade_number(const char *s, const char **end)
{
	long n;
	char *e;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtol(s, &e, 10);
	if (errno != 0 || n > INT_MAX)
		return -1;
	*end = e;
	return (int)n;
}

int
upgrade_inherited(pid_t *pids, int max, int *npids)
{
	const char *fdtext, *list, *end;
	struct stat st;
	socklen_t len = sizeof(int);
	int fd = -1, listening = 0, pid, status;

	*npids = 0;
	fdtext = getenv(UPGRADE_ENV_FD);
	list = getenv(UPGRADE_ENV_WORKERS);
	if (fdtext == NULL)
		goto out;
	fd = upgrade_number(fdtext, &end);
	if (fd < 0 || *end != '\0' || fstat(fd, &st) != 0 ||
	    !S_ISSOCK(st.st_mode) ||
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 ||
	    !listening) {
		log_error("upgrade: %s=%s is not a listening socket",
		    UPGRADE_ENV_FD, fdtext);
		fd = -1;
		goto out;
	}
	/* nothing this image starts by exec must hold it */
	fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
	while (list != NULL && *list != '\0' && *npids < max) {
		pid = upgrade_number(list, &end);
		if (pid <= 0 || (*end != ',' && *end != '\0'))
			break;
		list = *end == ',' ? end + 1 : end;
		/* only a live child of ours is a worker to take over; one
		 * that ended during the exec is reaped here */
		if (waitpid(pid, &status, WNOHANG) == 0)
			pids[(*npids)++] = pid;
	}
out:
	unsetenv(UPGRADE_ENV_FD);
	unsetenv(UPGRADE_ENV_WORKERS);
	return fd;
}

/* Reads what is waiting on fd (which does not block) onto the end of buf
 * (size bytes, kept NUL-terminated); what does not fit is dropped. */
static void
upgrade_drain(int fd, char *buf, size_t size)
{
	char scrap[256];
	size_t used = strlen(buf);
	ssize_t n;

	for (;;) {
		if (used + 1 < size)
			n = read(fd, buf + used, size - used - 1);
		else
			n = read(fd, scrap, sizeof(scrap));
		if (n <= 0)
			break;
		if (used + 1 < size) {
			used += (size_t)n;
			buf[used] = '\0';
		}
	}
}

/* Runs "EXE -c CONFIG check-config" with its output (the "ok" line) thrown
 * away; what it says on stderr is logged as one line of ours, so that the
 * log stays one stamped event per line. Returns 0 when it passed. */
static int
upgrade_check(const char *config_path)
{
	struct timespec tick = { 0, UPGRADE_POLL_MS * 1000000L };
	char said[512] = "";
	sigset_t none;
	pid_t pid;
	int status, waited, fd, pipefd[2] = { -1, -1 }, rc = -1;

	if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) != 0) {
		log_error("upgrade: pipe: %s", strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		log_error("upgrade: fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		execl(upgrade_exe, upgrade_exe, "-c", config_path,
		    "check-config", (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	pipefd[1] = -1;
	for (waited = 0; waited < UPGRADE_CHECK_MS; waited += UPGRADE_POLL_MS) {
		upgrade_drain(pipefd[0], said, sizeof(said));
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		nanosleep(&tick, NULL);
	}
	upgrade_drain(pipefd[0], said, sizeof(said));
	if (waited >= UPGRADE_CHECK_MS) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		log_error("upgrade: %s check-config did not end in %d ms",
		    upgrade_exe, UPGRADE_CHECK_MS);
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		log_error("upgrade: %s refuses %s (check-config %s %d): %s",
		    upgrade_exe, config_path,
		    WIFEXITED(status) ? "exited with" : "killed by signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
		    said[0] != '\0' ? said : "(it said nothing)");
		goto out;
	}
	rc = 0;
out:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	return rc;
}

int
upgrade_inherited_keep(void)
{
	const char *text, *end;
	int fd = -1;

	text = getenv(UPGRADE_ENV_KEEP);
	if (text != NULL) {
		fd = upgrade_number(text, &end);
		if (fd < 0 || *end != '\0' || fcntl(fd, F_GETFD) < 0)
			fd = -1;
		else
			fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
	}
	unsetenv(UPGRADE_ENV_KEEP);
	return fd;
}

int
upgrade_exec(const char *config_path, int listen_fd, int keep_fd,
    const pid_t *pids, int npids)
{
	char fdtext[16], keeptext[16], list[UPGRADE_MAX_WORKERS * 12 + 1];
	size_t used = 0;
	int i, flags, keep_flags = -1, n;

	if (upgrade_exe[0] == '\0' || upgrade_argv == NULL) {
		log_error("upgrade: the binary to run is unknown");
		return -1;
	}
	/* the new binary and the configuration must both be good: once the
	 * exec has happened there is no going back to the old image */
	if (upgrade_check(config_path) != 0)
		return -1;
	snprintf(fdtext, sizeof(fdtext), "%d", listen_fd);
	list[0] = '\0';
	for (i = 0; i < npids && i < UPGRADE_MAX_WORKERS; i++) {
		n = snprintf(list + used, sizeof(list) - used, "%s%ld",
		    i > 0 ? "," : "", (long)pids[i]);
		if (n < 0 || (size_t)n >= sizeof(list) - used)
			break;
		used += (size_t)n;
	}
	flags = fcntl(listen_fd, F_GETFD);
	if (flags < 0 || setenv(UPGRADE_ENV_FD, fdtext, 1) != 0 ||
	    setenv(UPGRADE_ENV_WORKERS, list, 1) != 0 ||
	    fcntl(listen_fd, F_SETFD, flags & ~FD_CLOEXEC) != 0) {
		log_error("upgrade: cannot hand the socket over: %s",
		    strerror(errno));
		goto fail;
	}
	/* a descriptor that cannot be handed over is only left behind: the
	 * new image makes its own */
	if (keep_fd >= 0) {
		snprintf(keeptext, sizeof(keeptext), "%d", keep_fd);
		keep_flags = fcntl(keep_fd, F_GETFD);
		if (keep_flags < 0 || fcntl(keep_fd, F_SETFD,
		    keep_flags & ~FD_CLOEXEC) != 0 ||
		    setenv(UPGRADE_ENV_KEEP, keeptext, 1) != 0)
			log_warn("upgrade: cannot hand the metrics over: %s",
			    strerror(errno));
	}
	log_info("upgrade: running %s, handing over %d workers", upgrade_exe,
	    npids);
	execv(upgrade_exe, upgrade_argv);
	log_error("upgrade: exec %s: %s", upgrade_exe, strerror(errno));
fail:
	if (flags >= 0)
		fcntl(listen_fd, F_SETFD, flags);
	if (keep_flags >= 0)
		fcntl(keep_fd, F_SETFD, keep_flags);
	unsetenv(UPGRADE_ENV_FD);
	unsetenv(UPGRADE_ENV_WORKERS);
	unsetenv(UPGRADE_ENV_KEEP);
	return -1;
}
