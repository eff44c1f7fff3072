/* The front end's floor, for `make bench` only: prefork libfcgi workers
 * that answer every request with the check's admission, as a fixed
 * reply, and touch no database. They accept and answer as the server's
 * workers do (fcgi/worker.c: one idle worker woken per connection, the
 * connection closed as soon as the request is read), so nginx in front
 * of them costs what it costs in front of the server, and the rate they
 * reach together is the most the front end could give the check.
 *
 *   floor SOCKET WORKERS
 *
 * Listens on the unix socket SOCKET (mode 0660), forks WORKERS workers
 * and runs until SIGTERM or SIGINT, then stops them and removes the
 * socket. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>

#define FLOOR_WORKERS_MAX	256
#define FLOOR_BACKLOG		1024

static const char floor_reply[] =
    "Status: 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 51\r\n"
    "\r\n"
    "{\"providerid\":\"Bench001\",\"status\":10,\"import\":true}";

static volatile sig_atomic_t floor_stop;

static void
floor_on_term(int sig)
{
	(void)sig;
	floor_stop = 1;
}

/* The stop signals stay blocked but while waiting (sigsuspend() and
 * epoll_pwait() with *open), so that none slips in between a test of
 * floor_stop and the wait. */
static void
floor_signals(sigset_t *open)
{
	struct sigaction sa;
	sigset_t term;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = floor_on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGINT);
	sigprocmask(SIG_BLOCK, &term, open);
	sigdelset(open, SIGTERM);
	sigdelset(open, SIGINT);
}

/* One worker: waits for a connection, answers its request, closes it. */
static int
floor_worker(int listen_fd, const sigset_t *open)
{
	struct epoll_event ev;
	FCGX_Request req;
	int epfd, rc;

	epfd = epoll_create1(EPOLL_CLOEXEC);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.fd = listen_fd;
	if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &ev) != 0) {
		perror("floor: epoll");
		return 1;
	}
	FCGX_InitRequest(&req, listen_fd, 0);
	while (!floor_stop) {
		if (epoll_pwait(epfd, &ev, 1, -1, open) <= 0)
			continue;
		rc = FCGX_Accept_r(&req);
		if (rc == -EAGAIN)
			continue;
		if (rc < 0)
			break;
		FCGX_PutStr(floor_reply, (int)sizeof(floor_reply) - 1,
		    req.out);
		if (FCGX_GetChar(req.in) == EOF)
			FCGX_Detach(&req);
		FCGX_Finish_r(&req);
	}
	FCGX_Free(&req, 1);
	close(epfd);
	return 0;
}

int
main(int argc, char **argv)
{
	pid_t kids[FLOOR_WORKERS_MAX];
	sigset_t open;
	int fd, n, i, nkids = 0;

	if (argc != 3 || (n = atoi(argv[2])) < 1 || n > FLOOR_WORKERS_MAX) {
		fprintf(stderr, "usage: floor SOCKET WORKERS (1..%d)\n",
		    FLOOR_WORKERS_MAX);
		return 2;
	}
	floor_signals(&open);
	if (FCGX_Init() != 0) {
		fprintf(stderr, "floor: FCGX_Init failed\n");
		return 1;
	}
	unlink(argv[1]);
	fd = FCGX_OpenSocket(argv[1], FLOOR_BACKLOG);
	if (fd < 0 || chmod(argv[1], 0660) != 0 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
		fprintf(stderr, "floor: cannot listen on %s\n", argv[1]);
		return 1;
	}
	for (i = 0; i < n; i++) {
		kids[nkids] = fork();
		if (kids[nkids] == 0)
			_exit(floor_worker(fd, &open));
		if (kids[nkids] > 0)
			nkids++;
	}
	while (!floor_stop)
		sigsuspend(&open);
	for (i = 0; i < nkids; i++)
		kill(kids[i], SIGTERM);
	for (i = 0; i < nkids; i++)
		waitpid(kids[i], NULL, 0);
	unlink(argv[1]);
	return 0;
}
