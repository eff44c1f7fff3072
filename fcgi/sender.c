#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>

#include <curl/curl.h>

#include "arena.h"
#include "backoff.h"
#include "crypt.h"
#include "db.h"
#include "devices.h"
#include "log.h"
#include "netaddr.h"
#include "sender.h"
#include "stats.h"
#include "webhooks.h"
#include "worker.h"

#define SENDER_AGENT	"limited-links-webhook/1"

/* One delivery in flight: what its result is recorded against, and what
 * the transfer found out on the way. */
struct sender_try {
	CURL			*easy;
	struct curl_slist	*headers;
	const struct config	*cfg;
	long long		 id;		/* the event's row */
	int			 attempt;
	long long		 started_ms;
	size_t			 got;		/* bytes of the answer read */
	int			 too_long;	/* the answer passed the cap */
	char			 refused[96];	/* why an address was refused */
	char			 err[CURL_ERROR_SIZE];
};

static volatile sig_atomic_t sender_stop;
static struct sender_try *sender_tries[SENDER_PARALLEL];

static void
sender_on_term(int sig)
{
	(void)sig;
	sender_stop = 1;
}

const char *
sender_signature(const char *secret, long long t, const char *body,
    char *out, size_t len)
{
	char mac[CRYPT_SHA256_HEX], *msg;
	size_t n;
	int w;

	n = strlen(body) + 32;
	msg = malloc(n);
	if (msg == NULL)
		return NULL;
	snprintf(msg, n, "%lld.%s", t, body);
	crypt_key_hash((const unsigned char *)secret, strlen(secret), msg, mac);
	free(msg);
	w = snprintf(out, len, "t=%lld,v1=%s", t, mac);
	return w >= 0 && (size_t)w < len ? out : NULL;
}

/* Every connection a delivery makes goes through here, whatever name led
 * to the address: a name that resolves to a private address now, though
 * it resolved to a public one when the webhook was set (a DNS rebind), is
 * refused all the same. Redirects are not followed, and no proxy is
 * used, so this is the only way out. */
static curl_socket_t
sender_open(void *clientp, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct sender_try *t = clientp;
	char text[64];

	(void)purpose;
	if (!t->cfg->webhook_allow_private && !netaddr_public(&addr->addr)) {
		snprintf(t->refused, sizeof(t->refused), "address %s is not "
		    "public", netaddr_text(&addr->addr, text, sizeof(text)));
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype | SOCK_CLOEXEC,
	    addr->protocol);
}

/* The answer is read, up to a cap, and thrown away: only its status
 * counts. */
static size_t
sender_read(char *data, size_t size, size_t n, void *clientp)
{
	struct sender_try *t = clientp;

	(void)data;
	t->got += size * n;
	if (t->got > SENDER_ANSWER_MAX) {
		t->too_long = 1;
		return 0;
	}
	return size * n;
}

static void
sender_free(struct sender_try *t)
{
	if (t == NULL)
		return;
	if (t->easy != NULL)
		curl_easy_cleanup(t->easy);
	curl_slist_free_all(t->headers);
	free(t);
}

/* Adds header line to t's; returns 0, or -1 when out of memory. */
static int
sender_header(struct sender_try *t, const char *line)
{
	struct curl_slist *l;

	l = curl_slist_append(t->headers, line);
	if (l == NULL)
		return -1;
	t->headers = l;
	return 0;
}

/* Starts the delivery of claimed event c on multi. Returns 0, or -1
 * (logged; the claim's lease brings the event back). */
static int
sender_start(CURLM *multi, const struct config *cfg, struct arena *a,
    const struct db_webhook_claim *c)
{
	struct sender_try *t;
	char sig[SENDER_SIG_MAX];
	int slot, ok;

	for (slot = 0; slot < SENDER_PARALLEL; slot++)
		if (sender_tries[slot] == NULL)
			break;
	t = slot < SENDER_PARALLEL ? calloc(1, sizeof(*t)) : NULL;
	if (t == NULL)
		goto fail;
	t->cfg = cfg;
	t->id = c->id;
	t->attempt = c->attempt;
	t->started_ms = backoff_now_ms();
	t->easy = curl_easy_init();
	if (t->easy == NULL || sender_signature(c->secret, (long long)time(NULL),
	    c->body, sig, sizeof(sig)) == NULL)
		goto fail;
	ok = sender_header(t, "Content-Type: application/json") == 0 &&
	    sender_header(t, arena_printf(a, "X-LL-Signature: %s", sig)) == 0 &&
	    sender_header(t, arena_printf(a, "X-LL-Event: %s", c->type)) == 0 &&
	    sender_header(t, arena_printf(a, "X-LL-Event-Id: %s",
	    c->event_id)) == 0 && sender_header(t, "Expect:") == 0;
	if (!ok ||
	    curl_easy_setopt(t->easy, CURLOPT_URL, c->url) != CURLE_OK ||
	    curl_easy_setopt(t->easy, CURLOPT_PROTOCOLS_STR,
	    cfg->webhook_allow_http ? "http,https" : "https") != CURLE_OK ||
	    curl_easy_setopt(t->easy, CURLOPT_COPYPOSTFIELDS, c->body) !=
	    CURLE_OK ||
	    curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->headers) !=
	    CURLE_OK ||
	    curl_easy_setopt(t->easy, CURLOPT_USERAGENT, SENDER_AGENT) !=
	    CURLE_OK ||
	    curl_easy_setopt(t->easy, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(t->easy, CURLOPT_PROXY, "") != CURLE_OK ||
	    curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(t->easy, CURLOPT_TIMEOUT,
	    (long)cfg->webhook_timeout) != CURLE_OK ||
	    curl_easy_setopt(t->easy, CURLOPT_CONNECTTIMEOUT,
	    (long)cfg->webhook_timeout) != CURLE_OK ||
	    curl_easy_setopt(t->easy, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)SENDER_ANSWER_MAX) != CURLE_OK ||
	    curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, sender_read) !=
	    CURLE_OK ||
	    curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t) != CURLE_OK ||
	    curl_easy_setopt(t->easy, CURLOPT_OPENSOCKETFUNCTION, sender_open) !=
	    CURLE_OK ||
	    curl_easy_setopt(t->easy, CURLOPT_OPENSOCKETDATA, t) != CURLE_OK ||
	    curl_easy_setopt(t->easy, CURLOPT_ERRORBUFFER, t->err) != CURLE_OK ||
	    curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t) != CURLE_OK ||
	    curl_multi_add_handle(multi, t->easy) != CURLM_OK)
		goto fail;
	sender_tries[slot] = t;
	return 0;
fail:
	log_error("sender: could not start the delivery of %s", c->event_id);
	sender_free(t);
	return -1;
}

/* A delivery ended with code: records its result and frees it. */
static void
sender_done(CURLM *multi, const struct config *cfg, struct arena *a,
    CURL *easy, CURLcode code)
{
	struct sender_try *t;
	const char *error = NULL;
	char *priv = NULL;
	long status = 0;
	int i;

	curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
	t = (struct sender_try *)(void *)priv;
	curl_multi_remove_handle(multi, easy);
	if (t == NULL)
		return;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	/* an answer cut at the cap still said its status */
	if (code != CURLE_OK && !(t->too_long && status > 0)) {
		status = 0;
		error = t->refused[0] != '\0' ? t->refused :
		    arena_printf(a, "%s%s%s", curl_easy_strerror(code),
		    t->err[0] != '\0' ? ": " : "", t->err);
	} else if (status < 200 || status > 299) {
		error = arena_printf(a, "HTTP %ld", status);
	}
	log_info("sender: event row %lld, try %d: %s", t->id, t->attempt,
	    error != NULL ? error : "delivered");
	if (webhooks_result(a, cfg, t->id, t->attempt, (int)status, error,
	    backoff_now_ms() - t->started_ms) != 0)
		log_warn("sender: the result of event row %lld was not "
		    "recorded; it will be sent again", t->id);
	for (i = 0; i < SENDER_PARALLEL; i++)
		if (sender_tries[i] == t)
			sender_tries[i] = NULL;
	sender_free(t);
}

/* Frees the slots of expired devices, link by link, until none is left,
 * and forgets old events. */
static void
sender_sweep(struct arena *a)
{
	int i, n, freed = 0;

	for (i = 0; i < SENDER_SWEEP_ROUNDS; i++) {
		n = devices_expire(a, SENDER_SWEEP_LINKS);
		arena_reset(a);
		if (n <= 0)
			break;
		freed += n;
	}
	if (freed > 0)
		log_info("sender: freed the slots of %d expired devices", freed);
	n = webhooks_prune(a, SENDER_KEEP_DAYS, SENDER_PRUNE_MAX);
	if (n > 0)
		log_info("sender: forgot %d finished events", n);
	arena_reset(a);
}

/* Counts again the account figures dashboards asked for of late, ahead
 * of their age: a dashboard then seldom waits for a count. One provider
 * a statement, so that no transaction holds many counts' locks. */
static void
sender_recount(const struct config *cfg, struct arena *a)
{
	int i, n = 0;

	for (i = 0; i < SENDER_RECOUNT_MAX; i++) {
		if (stats_refresh(a, cfg->stats_summary_age / 2, 1) <= 0)
			break;
		n++;
		arena_reset(a);
	}
	if (n > 0)
		log_debug("sender: counted the devices and links of %d "
		    "providers", n);
	arena_reset(a);
}

/* Claims what fits in flight and starts it. Returns how many were
 * claimed, or -1. */
static int
sender_claim(CURLM *multi, const struct config *cfg, struct arena *a,
    int room)
{
	struct db_webhook_claim *c;
	int i, n;

	n = webhooks_claim(a, room, cfg->webhook_timeout * 2 +
	    SENDER_LEASE_SLACK, &c);
	for (i = 0; i < n; i++)
		sender_start(multi, cfg, a, &c[i]);
	arena_reset(a);
	return n;
}

int
sender_run(const struct config *cfg)
{
	struct arena *a = NULL;
	CURLM *multi = NULL;
	CURLMsg *msg;
	long long now, next_claim, next_sweep, next_recount, wait;
	int running = 0, left, n, i, status = 1;

	worker_stop_signals(sender_on_term);
	prctl(PR_SET_NAME, SENDER_NAME);
	log_set_level((enum log_level)cfg->log_level);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (multi = curl_multi_init()) == NULL) {
		log_error("sender: libcurl cannot start");
		goto out;
	}
	db_application("limited-links-sender");
	db_open(cfg->database);
	a = arena_new();
	now = backoff_now_ms();
	next_claim = now;
	/* soon after a start, and then on the timer */
	next_sweep = now + 1000;
	next_recount = now + 1000;
	log_info("sender: started");
	while (!sender_stop) {
		now = backoff_now_ms();
		if (now >= next_sweep) {
			sender_sweep(a);
			next_sweep = now + cfg->sweep_interval * 1000LL;
		}
		/* 0: the dashboards count on every call */
		if (cfg->stats_summary_age > 0 && now >= next_recount) {
			sender_recount(cfg, a);
			next_recount = now + (cfg->stats_summary_age + 1) /
			    2 * 1000LL;
		}
		if (running < SENDER_PARALLEL && now >= next_claim) {
			n = sender_claim(multi, cfg, a, SENDER_PARALLEL -
			    running);
			/* a full claim leaves more waiting: look again now */
			next_claim = n == SENDER_PARALLEL - running ? now :
			    now + SENDER_POLL_MS;
		}
		curl_multi_perform(multi, &running);
		while ((msg = curl_multi_info_read(multi, &left)) != NULL)
			if (msg->msg == CURLMSG_DONE)
				sender_done(multi, cfg, a, msg->easy_handle,
				    msg->data.result);
		arena_reset(a);
		now = backoff_now_ms();
		wait = next_sweep - now;
		if (cfg->stats_summary_age > 0 && next_recount - now < wait)
			wait = next_recount - now;
		if (running < SENDER_PARALLEL && next_claim - now < wait)
			wait = next_claim - now;
		if (wait > SENDER_POLL_MS)
			wait = SENDER_POLL_MS;
		if (wait > 0 && !sender_stop)
			curl_multi_poll(multi, NULL, 0, (int)wait, NULL);
	}
	log_info("sender: stopping");
	status = 0;
out:
	for (i = 0; i < SENDER_PARALLEL; i++) {
		if (sender_tries[i] != NULL && multi != NULL)
			curl_multi_remove_handle(multi, sender_tries[i]->easy);
		sender_free(sender_tries[i]);
		sender_tries[i] = NULL;
	}
	if (multi != NULL)
		curl_multi_cleanup(multi);
	curl_global_cleanup();
	arena_free(a);
	db_close();
	return status;
}
