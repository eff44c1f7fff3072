#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "arena.h"
#include "counters.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "router.h"
#include "worker.h"

static volatile sig_atomic_t worker_stop;

static void
worker_on_term(int sig)
{
	(void)sig;
	worker_stop = 1;
}

void
worker_stop_signals(void (*on_term)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: the signal must end the wait in epoll_pwait() (a
	 * worker's) or poll() (the sender's) */
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
}

/* Installs the stop handlers and blocks the stop signals; *open gets the
 * mask to wait with, in which they are deliverable. */
static void
worker_signals(sigset_t *open)
{
	sigset_t term;

	worker_stop_signals(worker_on_term);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGINT);
	sigprocmask(SIG_BLOCK, &term, open);
	sigdelset(open, SIGTERM);
	sigdelset(open, SIGINT);
}

/* nginx keeps its FastCGI connections open (fastcgi_keep_conn, an
 * upstream keepalive pool), which spares both sides a connect, an accept
 * and a close per request. A libfcgi request blocks on its connection
 * between requests, so one worker per kept connection would leave workers
 * pinned to idle connections while requests wait behind them; instead
 * each worker waits on the listening socket and on every connection it
 * has accepted at once, and serves whichever has a request, one at a
 * time. A worker that holds WORKER_CONNS connections stops accepting
 * until one closes, leaving new ones to the others. */
#define WORKER_CONNS	16	/* connections one worker keeps */
#define WORKER_LISTEN	WORKER_CONNS	/* the epoll tag of the socket */
/* A stopping worker answers what still comes on its connections for
 * this long (ms) and leaves closing them to nginx, which closes each kept
 * connection itself after its upstream keepalive_timeout (idle) or
 * keepalive_time (in use), both shorter: a connection the worker closed
 * could be the one nginx is sending its next request on, and a call that
 * must not run twice would fail. What is still open at the end is
 * closed. */
#define WORKER_DRAIN_MS	2000

struct worker {
	int		 epfd;
	int		 listen_fd;
	int		 listening;	/* the socket is in the epoll set */
	int		 stopping;
	long long	 drain_end;	/* ms, CLOCK_MONOTONIC */
	FCGX_Request	 conns[WORKER_CONNS];
};

static long long
worker_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Puts the listening socket in the epoll set or takes it out. EPOLLEXCLUSIVE
 * wakes one idle worker per connection instead of all of them. Returns 0,
 * or -1 (logged). */
static int
worker_listen(struct worker *w, int on)
{
	struct epoll_event ev;

	if (w->listening == on)
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.u32 = WORKER_LISTEN;
	if (epoll_ctl(w->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL,
	    w->listen_fd, &ev) != 0) {
		log_error("worker: epoll_ctl: %s", strerror(errno));
		return -1;
	}
	w->listening = on;
	return 0;
}

/* Waits for connection i's next request along with the others. */
static void
worker_watch(struct worker *w, int i)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLRDHUP;
	ev.data.u32 = (uint32_t)i;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->conns[i].ipcFd, &ev) != 0) {
		log_warn("worker: epoll_ctl: %s", strerror(errno));
		FCGX_Free(&w->conns[i], 1);
	}
}

/* Closes connection i at once: nginx has closed it, or sends nothing
 * more on it. */
static void
worker_drop(struct worker *w, int i)
{
	FCGX_Detach(&w->conns[i]);
	FCGX_Free(&w->conns[i], 1);
}

/* The slot of a connection not yet accepted, or -1. */
static int
worker_free_slot(const struct worker *w)
{
	int i;

	for (i = 0; i < WORKER_CONNS; i++)
		if (w->conns[i].ipcFd < 0)
			return i;
	return -1;
}

static int
worker_open_conns(const struct worker *w)
{
	int i, n = 0;

	for (i = 0; i < WORKER_CONNS; i++)
		n += w->conns[i].ipcFd >= 0;
	return n;
}

/* Stops accepting; the connections in hand are served until the drain
 * ends. */
static void
worker_begin_stop(struct worker *w)
{
	w->stopping = 1;
	w->drain_end = worker_now_ms() + WORKER_DRAIN_MS;
	worker_listen(w, 0);
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

/* Keeps the connection for another request once this one is
 * answered: nginx asked to keep it and its input was read to the end
 * (what a request leaves unread would be taken for the next one's). A
 * connection kept by neither side is closed at once when fully read
 * (nginx sends nothing more), else with libfcgi's careful shutdown that
 * waits for nginx to close first. */
static void
worker_keep(FCGX_Request *req)
{
	int read = FCGX_GetChar(req->in) == EOF;

	if (req->keepConnection && read)
		return;
	req->keepConnection = 0;
	if (read)
		FCGX_Detach(req);
}

/* The monotonic clock in ns: read from the vDSO, no syscall. */
static long long
worker_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
worker_serve(FCGX_Request *req, struct arena *a, const struct config *cfg)
{
	struct http h;
	struct buf out;
	long long start;
	int st;

	start = worker_now_ns();
	metrics_busy(1);
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
	metrics_request((enum metrics_route)h.route, h.status,
	    worker_now_ns() - start);
	metrics_busy(0);
}

/* Takes one request from connection i (WORKER_LISTEN: a new connection)
 * and answers it. Returns 1 when a request was served, else 0. A
 * connection stays in the epoll set from its accept to its close (which
 * takes it out), so libfcgi is given the listening socket only to accept
 * into a free slot: on a kept connection that breaks it would otherwise
 * accept another behind our back, which the set would not know of. */
static int
worker_take(struct worker *w, int i, uint32_t events, struct arena *a,
    const struct config *cfg)
{
	FCGX_Request *req;
	int rc, fresh = i == WORKER_LISTEN;

	if (fresh) {
		if (w->stopping || (i = worker_free_slot(w)) < 0)
			return 0;
	} else if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
		/* nginx closed it (it never half-closes a request) */
		worker_drop(w, i);
		return 0;
	}
	req = &w->conns[i];
	req->listen_sock = fresh ? w->listen_fd : -1;
	/* the socket does not block: another worker may have won */
	rc = FCGX_Accept_r(req);
	req->listen_sock = -1;
	if (rc == -EAGAIN || (rc < 0 && !fresh))
		return 0;
	if (rc < 0) {
		log_warn("worker: accept failed: %s", strerror(-rc));
		usleep(10000);
		return 0;
	}
	worker_serve(req, a, cfg);
	worker_keep(req);
	FCGX_Finish_r(req);
	if (fresh && req->ipcFd >= 0)
		worker_watch(w, i);
	arena_reset(a);
	return 1;
}

int
worker_run(int listen_fd, const struct config *cfg)
{
	struct epoll_event evs[WORKER_CONNS + 1];
	struct worker w;
	struct arena *a;
	sigset_t open;
	long served = 0;
	long long left, drain;
	int i, n, status = 1;

	worker_signals(&open);
	log_set_level((enum log_level)cfg->log_level);
	memset(&w, 0, sizeof(w));
	w.listen_fd = listen_fd;
	w.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w.epfd < 0) {
		log_error("worker: epoll_create1: %s", strerror(errno));
		return status;
	}
	for (i = 0; i < WORKER_CONNS; i++)
		FCGX_InitRequest(&w.conns[i], -1, 0);
	if (worker_listen(&w, 1) != 0)
		goto out;
	status = 0;
	db_open(cfg->database);
	counters_init(cfg);
	a = arena_new();
	for (;;) {
		if (worker_stop && !w.stopping)
			worker_begin_stop(&w);
		/* an idle worker wakes to flush its counts in time */
		left = counters_wait_ms();
		if (w.stopping) {
			drain = w.drain_end - worker_now_ms();
			if (drain <= 0 || worker_open_conns(&w) == 0)
				break;
			if (left < 0 || drain < left)
				left = drain;
		}
		/* the stop signals are let in only here, atomically with the
		 * wait: everywhere else they stay pending, so libfcgi's reads,
		 * which take EINTR for a broken connection, are never
		 * interrupted */
		n = epoll_pwait(w.epfd, evs, WORKER_CONNS + 1, (int)left,
		    &open);
		if (n < 0 && errno != EINTR) {
			log_error("worker: cannot wait for connections: %s",
			    strerror(errno));
			status = 1;
			break;
		}
		for (i = 0; i < n; i++) {
			if (evs[i].data.u32 == WORKER_LISTEN &&
			    (evs[i].events & (EPOLLERR | EPOLLHUP)) != 0) {
				log_error("worker: cannot wait for connections: "
				    "socket error");
				status = 1;
				goto done;
			}
			served += worker_take(&w, (int)evs[i].data.u32,
			    evs[i].events, a, cfg);
			if (cfg->max_requests > 0 && served >= cfg->max_requests)
				worker_stop = 1;
		}
		counters_tick();
		/* every slot taken: new connections go to the other workers */
		if (!w.stopping && worker_listen(&w,
		    worker_free_slot(&w) >= 0) != 0) {
			status = 1;
			break;
		}
	}
done:
	for (i = 0; i < WORKER_CONNS; i++)
		if (w.conns[i].ipcFd >= 0)
			worker_drop(&w, i);
	/* a stop, a retirement or a reload's replacement: nothing counted
	 * is left behind */
	counters_flush();
	arena_free(a);
	db_close();
out:
	close(w.epfd);
	return status;
}
