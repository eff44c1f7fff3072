#ifndef LL_SENDER_H
#define LL_SENDER_H

#include <stddef.h>
#include <sys/socket.h>

#include "config.h"

/* The sender process, which the master starts beside the workers and
 * restarts when it dies: it delivers the webhook events of the outbox
 * (sql/functions/webhooks.sql) with libcurl, several at once, runs the
 * expiry sweep on a timer, and counts again the dashboards' devices and
 * links ahead of stats_summary_age. The workers never wait for it: an event
 * is a row written with its decision, and the sender takes it from
 * there. */

#define SENDER_NAME		"ll-sender"	/* its process name, as ps
						   and /proc/PID/comm show it */
#define SENDER_PARALLEL		16	/* deliveries in flight at once */
#define SENDER_POLL_MS		1000	/* how often the outbox is looked at */
#define SENDER_LEASE_SLACK	30	/* seconds a claim outlasts its try */
#define SENDER_ANSWER_MAX	65536	/* bytes of an answer read at most */
#define SENDER_SWEEP_LINKS	500	/* links one sweep statement takes */
#define SENDER_SWEEP_ROUNDS	100	/* statements one sweep runs at most */
#define SENDER_KEEP_DAYS	14	/* days finished events are kept */
#define SENDER_PRUNE_MAX	10000	/* events one prune forgets at most */
#define SENDER_RECOUNT_MAX	20	/* providers one recount counts at most */
#define SENDER_SIG_MAX		128	/* bytes of an X-LL-Signature value */

/* Runs the sender until SIGTERM or SIGINT; what is in flight then is
 * abandoned, to be tried again when its claim's lease ends. Returns the
 * process exit status. */
int sender_run(const struct config *cfg);

/* The X-LL-Signature header's value for body sent at unix time t under
 * secret: "t=T,v1=HEX", HEX the HMAC-SHA256 of "T.BODY" in lowercase hex,
 * into out (len bytes, SENDER_SIG_MAX is enough). Returns out, or NULL
 * when it does not fit. */
const char *sender_signature(const char *secret, long long t,
    const char *body, char *out, size_t len);

#endif
