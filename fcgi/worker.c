#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "arena.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "reply.h"
#include "router.h"
#include "worker.h"

static volatile sig_atomic_t worker_stop;

static void
worker_on_term(int sig)
{
	(void)sig;
	worker_stop = 1;
}

static void
worker_signals(sigset_t *term)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: the signal must interrupt a blocked accept() */
	sa.sa_handler = worker_on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(term);
	sigaddset(term, SIGTERM);
	sigaddset(term, SIGINT);
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
	len_s = http_env(h, "CONTENT_LENGTH");
	len = len_s != NULL ? strtol(len_s, NULL, 10) : 0;
	if (len < 0 || len > HTTP_BODY_MAX)
		return 413;
	type = http_env(h, "CONTENT_TYPE");
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
		reply_text(&h, st, st == 413 ? "request body too large" :
		    "request body incomplete");
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
	sigset_t term;
	long served = 0;

	worker_signals(&term);
	sigprocmask(SIG_BLOCK, &term, NULL);
	/* die with the master rather than linger as an orphan */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		return 1;
	log_set_level((enum log_level)cfg->log_level);
	db_open(cfg->database);
	a = arena_new();
	FCGX_InitRequest(&req, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR);
	while (!worker_stop) {
		/* signals reach us only while we wait for a connection, so
		 * a request in hand always finishes */
		sigprocmask(SIG_UNBLOCK, &term, NULL);
		if (worker_stop) {
			sigprocmask(SIG_BLOCK, &term, NULL);
			break;
		}
		if (FCGX_Accept_r(&req) < 0) {
			sigprocmask(SIG_BLOCK, &term, NULL);
			if (!worker_stop) {
				log_warn("worker: accept failed");
				usleep(10000);
			}
			continue;
		}
		sigprocmask(SIG_BLOCK, &term, NULL);
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
	return 0;
}
