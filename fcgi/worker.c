#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "arena.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "router.h"
#include "worker.h"

static volatile sig_atomic_t worker_stop;

static void
worker_on_term(int sig)
{
	(void)sig;
	worker_stop = 1;
}

/* Installs the stop handlers and blocks the stop signals; *open gets the
 * mask to wait with, in which they are deliverable. */
static void
worker_signals(sigset_t *open)
{
	struct sigaction sa;
	sigset_t term;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: the signal must end the wait in epoll_pwait() */
	sa.sa_handler = worker_on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGINT);
	sigprocmask(SIG_BLOCK, &term, open);
	sigdelset(open, SIGTERM);
	sigdelset(open, SIGINT);
}

/* Waits for a connection on the listening socket. The stop signals are
 * let in only here, atomically with the wait: everywhere else they stay
 * pending, so libfcgi's accept and reads, which treat EINTR as a broken
 * connection, are never interrupted. Returns 1 when a connection may be
 * waiting, 0 when woken by a signal, -1 when the socket is unusable. */
static int
worker_wait(int epfd, const sigset_t *open)
{
	struct epoll_event ev;
	int n;

	n = epoll_pwait(epfd, &ev, 1, -1, open);
	if ((n < 0 && errno != EINTR) ||
	    (n > 0 && (ev.events & (EPOLLERR | EPOLLHUP)) != 0)) {
		log_error("worker: cannot wait for connections: %s",
		    n < 0 ? strerror(errno) : "socket error");
		return -1;
	}
	return n > 0 && !worker_stop;
}

/* An epoll set on the shared listening socket. EPOLLEXCLUSIVE wakes one
 * idle worker per connection instead of all of them. Returns the epoll
 * descriptor, or -1 (logged). */
static int
worker_epoll(int listen_fd)
{
	struct epoll_event ev;
	int epfd;

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0) {
		log_error("worker: epoll_create1: %s", strerror(errno));
		return -1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.fd = listen_fd;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &ev) != 0) {
		log_error("worker: epoll_ctl: %s", strerror(errno));
		close(epfd);
		return -1;
	}
	return epfd;
}

/* Reads an urlencoded body into the request's parameters. Returns 0, or
 * an HTTP status to answer with. */
static int
worker_body(FCGX_Request *req, struct http *h)
{
	const char *type, *len_s;
	char *body;
	long len;
	int got;

	if (strcmp(h->method, "POST") != 0)
		return 0;
	len_s = http_var(h, HTTP_VAR_CONTENT_LENGTH);
	len = len_s != NULL ? strtol(len_s, NULL, 10) : 0;
	if (len < 0 || len > HTTP_BODY_MAX)
		return 413;
	type = http_var(h, HTTP_VAR_CONTENT_TYPE);
	if (len == 0 || type == NULL || strncasecmp(type,
	    "application/x-www-form-urlencoded", 33) != 0)
		return 0;
	body = arena_alloc(h->arena, (size_t)len + 1);
	got = FCGX_GetStr(body, (int)len, req->in);
	if (got != len)
		return 400;
	body[len] = '\0';
	http_add_body(h, body, (size_t)len);
	return 0;
}

/* Once the request's input has been read to its end, nginx sends nothing
 * more on the connection (connections are not kept), so it can be closed
 * at once instead of libfcgi's shutdown and wait for nginx to close
 * first. A body left unread keeps that careful close. */
static void
worker_detach_if_read(FCGX_Request *req)
{
	if (FCGX_GetChar(req->in) == EOF)
		FCGX_Detach(req);
}

static void
worker_serve(FCGX_Request *req, struct arena *a, const struct config *cfg)
{
	struct http h;
	struct buf out;
	int st;

	http_init(&h, a, req->envp);
	h.cfg = cfg;
	st = worker_body(req, &h);
	if (st != 0)
		router_refuse(&h, st, st == 413 ? "Request too large" :
		    "Request body incomplete");
	else
		router_dispatch(&h);
	buf_init(&out, a);
	http_serialize(&h, &out);
	if (FCGX_PutStr(out.data, (int)out.len, req->out) < 0)
		log_warn("worker: client went away");
}

int
worker_run(int listen_fd, const struct config *cfg)
{
	FCGX_Request req;
	struct arena *a;
	sigset_t open;
	long served = 0;
	int rc, epfd, status = 1;

	worker_signals(&open);
	log_set_level((enum log_level)cfg->log_level);
	epfd = worker_epoll(listen_fd);
	if (epfd < 0)
		return status;
	status = 0;
	db_open(cfg->database);
	a = arena_new();
	FCGX_InitRequest(&req, listen_fd, 0);
	while (!worker_stop) {
		rc = worker_wait(epfd, &open);
		if (rc < 0) {
			status = 1;
			break;
		}
		if (rc == 0)
			continue;
		/* the socket does not block: another worker may have won */
		rc = FCGX_Accept_r(&req);
		if (rc == -EAGAIN)
			continue;
		if (rc < 0) {
			log_warn("worker: accept failed: %s", strerror(-rc));
			usleep(10000);
			continue;
		}
		worker_serve(&req, a, cfg);
		worker_detach_if_read(&req);
		FCGX_Finish_r(&req);
		arena_reset(a);
		if (cfg->max_requests > 0 && ++served >= cfg->max_requests)
			break;
	}
	FCGX_Free(&req, 1);
	arena_free(a);
	db_close();
	close(epfd);
	return status;
}
