/* The front end's floor, for `make bench` only: prefork libfcgi workers
 * that answer every request with the check's admission, as a fixed
 * reply, and touch no database. They accept and answer as the server's
 * workers do (fcgi/worker.c: one idle worker woken per connection, the
 * connection closed as soon as the request is read), so nginx in front
 * of them costs what it costs in front of the server, and the rate they
 * reach together is the most the front end could give the check.
 *
 *   floor [-k] [-p PIDFILE] SOCKET WORKERS
 *
 * Listens on the unix socket SOCKET (mode 0660), writes its pid to
 * PIDFILE, forks WORKERS workers and runs until SIGTERM or SIGINT, then
 * stops them and removes the socket and the pid file. With -k, each
 * worker serves the connections nginx keeps open as the server's do,
 * waiting on all of them at once. */

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

#define FLOOR_SLOTS	16	/* kept connections one worker serves, as the server */

static void
floor_answer(FCGX_Request *req, int keep)
{
	FCGX_PutStr(floor_reply, (int)sizeof(floor_reply) - 1, req->out);
	if (!keep && FCGX_GetChar(req->in) == EOF)
		FCGX_Detach(req);
	FCGX_Finish_r(req);
}

/* One worker of the kept-connection mode: waits on the listening socket
 * and on the connections nginx keeps at once, and answers whichever has a
 * request, one at a time, as fcgi/worker.c does. */
static int
floor_worker_keep(int listen_fd, const sigset_t *open)
{
	struct epoll_event ev, evs[FLOOR_SLOTS + 1];
	FCGX_Request req[FLOOR_SLOTS];
	int epfd, rc, i, n, k, fresh, listening = 1;

	epfd = epoll_create1(EPOLL_CLOEXEC);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.u32 = FLOOR_SLOTS;
	if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &ev) != 0) {
		perror("floor: epoll");
		return 1;
	}
	for (i = 0; i < FLOOR_SLOTS; i++)
		FCGX_InitRequest(&req[i], -1, 0);
	while (!floor_stop) {
		n = epoll_pwait(epfd, evs, FLOOR_SLOTS + 1, -1, open);
		for (k = 0; k < n && !floor_stop; k++) {
			i = (int)evs[k].data.u32;
			fresh = i == FLOOR_SLOTS;
			if (fresh) {
				for (i = 0; i < FLOOR_SLOTS; i++)
					if (req[i].ipcFd < 0)
						break;
				if (i == FLOOR_SLOTS)
					continue;
			} else if (evs[k].events & (EPOLLRDHUP | EPOLLHUP |
			    EPOLLERR)) {
				FCGX_Detach(&req[i]);
				FCGX_Free(&req[i], 1);
				continue;
			}
			req[i].listen_sock = fresh ? listen_fd : -1;
			rc = FCGX_Accept_r(&req[i]);
			req[i].listen_sock = -1;
			if (rc < 0)
				continue;
			floor_answer(&req[i], 1);
			if (!fresh || req[i].ipcFd < 0)
				continue;
			memset(&ev, 0, sizeof(ev));
			ev.events = EPOLLIN | EPOLLRDHUP;
			ev.data.u32 = (unsigned)i;
			epoll_ctl(epfd, EPOLL_CTL_ADD, req[i].ipcFd, &ev);
		}
		/* all slots taken: leave new connections to the others */
		for (i = 0; i < FLOOR_SLOTS && req[i].ipcFd >= 0; i++)
			;
		if ((i < FLOOR_SLOTS) != listening) {
			listening = i < FLOOR_SLOTS;
			memset(&ev, 0, sizeof(ev));
			ev.events = EPOLLIN | EPOLLEXCLUSIVE;
			ev.data.u32 = FLOOR_SLOTS;
			epoll_ctl(epfd, listening ? EPOLL_CTL_ADD :
			    EPOLL_CTL_DEL, listen_fd, &ev);
		}
	}
	for (i = 0; i < FLOOR_SLOTS; i++)
		if (req[i].ipcFd >= 0) {
			FCGX_Detach(&req[i]);
			FCGX_Free(&req[i], 1);
		}
	close(epfd);
	return 0;
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
		floor_answer(&req, 0);
	}
	FCGX_Free(&req, 1);
	close(epfd);
	return 0;
}

int
main(int argc, char **argv)
{
	pid_t kids[FLOOR_WORKERS_MAX];
	const char *pidfile = NULL;
	sigset_t open;
	FILE *f;
	int fd, n, i, ch, keep = 0, nkids = 0;

	while ((ch = getopt(argc, argv, "kp:")) != -1) {
		switch (ch) {
		case 'k':
			keep = 1;
			break;
		case 'p':
			pidfile = optarg;
			break;
		default:
			argc = 0;
		}
	}
	if (argc - optind != 2 || (n = atoi(argv[optind + 1])) < 1 ||
	    n > FLOOR_WORKERS_MAX) {
		fprintf(stderr, "usage: floor [-k] [-p PIDFILE] SOCKET WORKERS "
		    "(WORKERS 1..%d)\n", FLOOR_WORKERS_MAX);
		return 2;
	}
	argv += optind;
	floor_signals(&open);
	if (FCGX_Init() != 0) {
		fprintf(stderr, "floor: FCGX_Init failed\n");
		return 1;
	}
	unlink(argv[0]);
	fd = FCGX_OpenSocket(argv[0], FLOOR_BACKLOG);
	if (fd < 0 || chmod(argv[0], 0660) != 0 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
		fprintf(stderr, "floor: cannot listen on %s\n", argv[0]);
		return 1;
	}
	if (pidfile != NULL) {
		f = fopen(pidfile, "w");
		if (f == NULL) {
			perror(pidfile);
			return 1;
		}
		fprintf(f, "%ld\n", (long)getpid());
		fclose(f);
	}
	for (i = 0; i < n; i++) {
		kids[nkids] = fork();
		if (kids[nkids] == 0)
			_exit(keep ? floor_worker_keep(fd, &open) :
			    floor_worker(fd, &open));
		if (kids[nkids] > 0)
			nkids++;
	}
	while (!floor_stop)
		sigsuspend(&open);
	for (i = 0; i < nkids; i++)
		kill(kids[i], SIGTERM);
	for (i = 0; i < nkids; i++)
		waitpid(kids[i], NULL, 0);
	unlink(argv[0]);
	if (pidfile != NULL)
		unlink(pidfile);
	return 0;
}
