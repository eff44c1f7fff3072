#ifndef LL_WEBHOOKS_H
#define LL_WEBHOOKS_H

#include <stddef.h>

#include "arena.h"
#include "audit.h"
#include "config.h"
#include "db.h"

/* A provider's webhook: its URL, the event types it takes and its signing
 * secret; the events waiting for it and the tries made. One statement per
 * action, for the API and the web account alike. The deliveries
 * themselves are the sender process's (sender.h). */

#define WEBHOOKS_SECRET_PREFIX	"whsec_"
#define WEBHOOKS_SECRET_LEN	38	/* "whsec_" and 32 letters or digits */
#define WEBHOOKS_LIST_MAX	50	/* events the web account lists */

/* The event types, in their order; webhooks_type(i) is NULL past the
 * last. Cannot fail. */
const char *webhooks_type(size_t i);

/* Every type, as "device.admitted, device.refused, ..." for messages. */
const char *webhooks_types_all(void);

/* A comma list of types (spaces around each allowed) in its canonical
 * form: each known type once, in webhooks_type()'s order, comma-separated,
 * in arena a; NULL when list names an unknown type or none. */
const char *webhooks_types_parse(struct arena *a, const char *list);

/* Whether url is one a webhook may have, by its form alone
 * (netaddr_url()). */
int webhooks_url_ok(const char *url);

/* Whether this server may send to url, by cfg's rules: NULL when it may,
 * else what to answer. An https:// URL only unless webhook_allow_http is
 * on; and unless webhook_allow_private is on, every address its host
 * resolves to must be public (a host that does not resolve is refused
 * too). Resolves the host name (blocking). */
const char *webhooks_url_refused(struct arena *a, const struct config *cfg,
    const char *url);

/* Registers or replaces the provider's webhook: url and events (the
 * canonical list; NULL: every type), with a new signing secret drawn into
 * secret, shown only now; audited as who's (never the secret). Returns
 * DB_OK or DB_FAILED (DB_FAIL_NONE when the random source failed,
 * logged). */
enum db_outcome webhooks_set(struct arena *a, long long provider_id,
    const char *url, const char *events, const struct audit_actor *who,
    char secret[WEBHOOKS_SECRET_LEN + 1]);

/* The provider's webhook into *w (no secret). Returns 1, 0 when it has
 * none, or -1. */
int webhooks_get(struct arena *a, long long provider_id,
    struct db_webhook *w);

/* Deletes the provider's webhook, audited as who's; its waiting events
 * are marked failed. Returns DB_OK, DB_NOT_FOUND or DB_FAILED. Not run
 * twice on a lost connection. */
enum db_outcome webhooks_delete(struct arena *a, long long provider_id,
    const struct audit_actor *who);

/* The provider's newest limit events into *rows. Returns their number, or
 * -1. */
int webhooks_events(struct arena *a, long long provider_id, int limit,
    struct db_webhook_event **rows);

/* Sends the provider's event event_id again, audited as who's. Returns
 * DB_OK, DB_NOT_FOUND (no such event, or no webhook) or DB_FAILED. */
enum db_outcome webhooks_resend(struct arena *a, long long provider_id,
    const char *event_id, const struct audit_actor *who);

/* The sender's: claims up to max due events for lease seconds into
 * *rows (texts in arena a; the secret among them: never to be logged).
 * Returns their number, or -1. */
int webhooks_claim(struct arena *a, int max, int lease,
    struct db_webhook_claim **rows);

/* The sender's: records try attempt of event id, which got HTTP status
 * (0: none; error says why, may be NULL) in ms milliseconds; a 2xx
 * delivers it, anything else is tried again after cfg's backoff or, past
 * webhook_give_up, marked failed. Returns 0, or -1 (the claim's lease
 * then brings the event back: it is sent again). */
int webhooks_result(struct arena *a, const struct config *cfg, long long id,
    int attempt, int status, const char *error, long long ms);

/* The sender's: forgets events finished more than days ago, at most max.
 * Returns how many, or -1. */
int webhooks_prune(struct arena *a, int days, int max);

#endif
