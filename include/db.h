#ifndef LL_DB_H
#define LL_DB_H

#include <stddef.h>

#include "arena.h"

/* The worker's one PostgreSQL connection and its prepared statements.
 * Every statement is a call of a function defined in sql/functions/; this
 * module owns their names, their parameters and the columns they answer,
 * and decodes each row into the statement's struct below and each
 * outcome into enum db_outcome, so that callers never see libpq, a column
 * number or an outcome's text. */

#define DB_CONNECT_TIMEOUT	"2"	/* seconds to wait for a connection */
#define DB_STATEMENT_TIMEOUT	"5s"	/* server-side limit on one statement */
/* Longest wait for a row lock. Our statements hold a link's or a
 * provider's row for the milliseconds between their UPDATE and their
 * commit, so even a burst of admissions to one link waits far less than
 * this; a wait this long means something holds the row abnormally (an
 * open transaction in psql, a stuck backend), and a check then answers
 * import:false at once instead of pinning a worker for the whole
 * statement timeout while unrelated requests queue behind it. */
#define DB_LOCK_TIMEOUT		"1s"
#define DB_BACKOFF_MIN_MS	100	/* first wait after a failed connect */
#define DB_BACKOFF_MAX_MS	2000	/* longest wait between attempts */
#define DB_REPLY_MS		6000	/* longest wait for the server's answers
					   in one call, past its own timeout */

/* The statements, each with the struct its rows decode into. */
enum db_stmt {
	DB_CHECK,		/* struct db_check */
	DB_PROVIDER_STATUS,	/* struct db_number: 1 active, else 0 */
	DB_AUTH,		/* struct db_auth */
	DB_PROVIDER_ADD,	/* struct db_id */
	DB_PROVIDER_LIST,	/* struct db_provider */
	DB_PROVIDER_SET_STATUS,	/* struct db_found */
	DB_PROVIDER_SET_KEY,	/* struct db_found */
	DB_LINK_ADD,		/* struct db_link_added */
	DB_LINK_UPDATE,		/* struct db_link_updated */
	DB_LINK_LIST,		/* struct db_link */
	DB_LINK_COUNT,		/* struct db_count */
	DB_DEVICE_LIST,		/* struct db_device */
	DB_DEVICE_DELETE,	/* struct db_device_deleted */
	DB_DOMAIN_ADD,		/* struct db_outcome_row */
	DB_DOMAIN_LIST,		/* struct db_domain */
	DB_DOMAIN_DELETE,	/* struct db_domain_deleted */
	DB_SESSION_CREATE,	/* struct db_found: the provider is active */
	DB_SESSION_GET,		/* struct db_session */
	DB_SESSION_DELETE,	/* struct db_found */
	DB_SIGNIN_WAIT,		/* struct db_number: seconds */
	DB_SIGNIN_FAILED,	/* struct db_number: seconds */
	DB_LINK_TARGET,		/* struct db_target */
	DB_LINK_SET_TARGET,	/* struct db_found */
	DB_LINK_RESET,		/* struct db_link_reset */
	DB_SELF_SERVICE_SET,	/* struct db_outcome_row */
	DB_SELF_SERVICE_GET,	/* struct db_self_service */
	DB_SELF_DEVICES,	/* struct db_self_device */
	DB_SELF_RELEASE,	/* struct db_self_released */
	DB_WEBHOOK_SET,		/* struct db_outcome_row */
	DB_WEBHOOK_GET,		/* struct db_webhook */
	DB_WEBHOOK_DELETE,	/* struct db_found */
	DB_WEBHOOK_EVENTS,	/* struct db_webhook_event */
	DB_WEBHOOK_RESEND,	/* struct db_found */
	DB_WEBHOOK_CLAIM,	/* struct db_webhook_claim: the sender's */
	DB_WEBHOOK_RESULT,	/* struct db_found: the sender's */
	DB_WEBHOOK_PRUNE,	/* struct db_number: events forgotten */
	DB_EXPIRE_SWEEP,	/* struct db_number: devices freed */
	DB_STATS_FLUSH,		/* struct db_number: rows applied; 0 for a
				   flush applied before */
	DB_STATS_DAYS,		/* struct db_day */
	DB_STATS_NOW,		/* struct db_as_of */
	DB_STATS_REFRESH,	/* struct db_number: providers counted */
	DB_STATS_DEVICES,	/* struct db_share */
	DB_STATS_FILL,		/* struct db_bucket */
	DB_STATS_ATTENTION,	/* struct db_attention */
	DB_REFUSED_LIST,	/* struct db_refusal */
	DB_AUDIT_LIST,		/* struct db_audit */
	DB_REPORT,		/* struct db_report */
	DB_MAINTAIN,		/* struct db_maintained */
	DB_PING,		/* struct db_number: 1 (GET /healthz) */
	DB_NSTMT
};

/* What a statement that decides answers, from the text its function
 * returns ("ok", "exists", ...); and DB_FAILED, which the services use for
 * a call that failed. */
enum db_outcome {
	DB_FAILED = -1,	/* the call failed: db_failure() says why */
	DB_OK = 0,	/* done */
	DB_EXISTS,	/* already there: a taken install code, an active
			   domain */
	DB_REACTIVATED,	/* a deleted domain made active again */
	DB_CAP,		/* the provider holds its cap of links */
	DB_NOT_FOUND,	/* no such link (or domain) of the provider */
	DB_BELOW_COUNT,	/* a limit below the devices holding a slot */
	DB_NO_DEVICE,	/* no such device on the link */
	DB_COOLDOWN,	/* a self-service release too soon after the last */
	DB_OFF,		/* self-service releases are turned off */
	DB_NOUTCOME
};

/* What the check decided (ll_check's o_decision, the names of the table
 * decisions in sql/010_analytics.sql), in the order the counters and
 * the statistics' columns take them. */
enum db_decision {
	DB_ADMITTED_NEW = 0,	/* a device took a slot */
	DB_ADMITTED_KNOWN,	/* a device holding one asked again */
	DB_REFUSED_LIMIT,	/* the link is full */
	DB_REFUSED_DISABLED,	/* the link or its provider is disabled */
	DB_REFUSED_DOMAIN,	/* no active domain of the provider */
	DB_REFUSED_HWID,	/* no valid HWID */
	DB_REFUSED_UNKNOWN,	/* no such link */
	DB_NDECISION
};

/* The decisions a provider sees: all but DB_REFUSED_UNKNOWN, which
 * concerns no provider. */
#define DB_NPROVIDER_DECISION	DB_REFUSED_UNKNOWN

/* Why a call failed. DOWN, TIMEOUT and LOCK pass with time: the caller
 * answers "try again" (and the check import:false); SQL is a statement
 * that failed for a reason of its own. */
enum db_fail {
	DB_FAIL_NONE = 0,
	DB_FAIL_DOWN,		/* no connection (now or during the call) */
	DB_FAIL_TIMEOUT,	/* ran past statement_timeout, or was
				   cancelled (SQLSTATE 57014) */
	DB_FAIL_LOCK,		/* waited past lock_timeout (55P03) */
	DB_FAIL_SQL		/* the statement failed, or answered what this
				   module cannot read: see db_sqlstate() */
};

/* The rows. A text is NULL for SQL NULL, else points into the result,
 * which lives as long as the arena it was decoded into; a number is 0 for
 * NULL. */
struct db_check {		/* ll_check: the check's answer */
	const char	*providerid;
	int		 status;
	int		 admitted;
	enum db_decision decision;	/* why */
	long long	 provider_id;	/* the link's; 0 for none */
	long long	 link_id;
};
struct db_number {		/* one integer */
	int		 value;
};
struct db_count {		/* one count */
	long long	 count;
};
struct db_id {			/* one id */
	long long	 id;
};
struct db_found {		/* whether the statement found its row */
	int		 found;
};
struct db_outcome_row {		/* an outcome alone */
	enum db_outcome	 outcome;
};
struct db_auth {		/* ll_auth: a provider by its code */
	long long	 id;
	const char	*key_hash;
	int		 status;	/* 1 active, 0 disabled */
};
struct db_provider {		/* ll_provider_list */
	const char	*code;
	const char	*name;
	int		 status;
	long long	 links;
	const char	*created_at;
};
struct db_link_added {		/* ll_link_add: OK, EXISTS or CAP */
	enum db_outcome	 outcome;
	long long	 id;
};
struct db_link_updated {	/* ll_link_update: OK, NOT_FOUND or
				   BELOW_COUNT */
	enum db_outcome	 outcome;
	const char	*install_code;
	int		 install_count;
};
struct db_link {		/* ll_link_list */
	long long	 id;
	const char	*install_code;
	int		 install_limit;
	int		 install_count;
	int		 status;
	const char	*note;
	const char	*created_at;
	int		 expire_days;	/* 0: its devices never expire */
};
struct db_device {		/* ll_device_list: a link without the
				   devices asked for is one row whose
				   device texts are NULL */
	long long	 link_id;
	const char	*hwid;
	const char	*date;
	const char	*device_name;	/* "Pixel 8 (Android 14)" */
	const char	*device_os;
	const char	*os_version;
	const char	*model;
	const char	*app_version;
	const char	*user_agent;
	const char	*first_seen;
	const char	*last_seen;
};
struct db_device_deleted {	/* ll_device_delete: OK, NOT_FOUND (the
				   link) or NO_DEVICE */
	enum db_outcome	 outcome;
	long long	 link_id;
	int		 install_count;	/* after it */
};
struct db_domain {		/* ll_domain_list */
	long long	 id;
	const char	*domain_name;
	const char	*domain_hash;
	int		 status;
	const char	*created_at;
};
struct db_domain_deleted {	/* ll_domain_delete */
	int		 found;
	int		 links;		/* active links with devices admitted
					   through it */
};
struct db_session {		/* ll_session_get */
	long long	 provider_id;
	const char	*provider_code;
	const char	*csrf;
};
struct db_target {		/* ll_link_target: NULLs for a link the API
				   made */
	const char	*sub_url;
	const char	*title;
};
struct db_link_reset {		/* ll_link_reset: OK or NOT_FOUND */
	enum db_outcome	 outcome;
	long long	 link_id;
	int		 released;	/* slots freed */
};
struct db_self_service {	/* ll_self_service_get */
	const char	*created_at;	/* when its URL became the one it is */
	const char	*released_at;	/* its last release; NULL: none */
};
struct db_self_device {		/* ll_self_devices: a link without devices
				   is one row whose device texts are NULL */
	long long	 link_id;
	int		 install_count;
	int		 install_limit;
	const char	*next_release;	/* NULL: a release may be made now */
	const char	*hwid;
	const char	*model;
	const char	*device_os;
	const char	*os_version;
	const char	*first_seen;
	const char	*last_seen;
};
struct db_self_released {	/* ll_self_release: OK, NOT_FOUND, OFF,
				   COOLDOWN or NO_DEVICE */
	enum db_outcome	 outcome;
	const char	*next;		/* when the next release may be */
	int		 install_count;	/* after it */
};
struct db_webhook {		/* ll_webhook_get */
	const char	*url;
	const char	*events;	/* a comma list */
	const char	*created_at;
};
struct db_webhook_event {	/* ll_webhook_events */
	const char	*event_id;
	const char	*type;
	const char	*created_at;
	const char	*state;		/* pending, delivered, failed */
	int		 attempts;
	const char	*next_at;	/* the next try; NULL unless pending */
	int		 last_status;	/* HTTP status; 0: none */
	const char	*last_error;
	const char	*install_code;
	const char	*hwid;
};
struct db_webhook_claim {	/* ll_webhook_claim */
	long long	 id;
	const char	*event_id;
	const char	*type;
	const char	*url;
	const char	*secret;
	const char	*body;
	int		 attempt;	/* this try's number, from 1 */
};
struct db_day {			/* ll_stats_days: one day's checks */
	const char	*day;		/* YYYY-MM-DD */
	long long	 n[DB_NPROVIDER_DECISION];	/* by decision */
};
struct db_as_of {		/* ll_stats_now */
	const char	*as_of;		/* UTC, "YYYY-MM-DD HH:MM:SS" */
};
struct db_share {		/* ll_stats_devices: devices by a value */
	const char	*kind;		/* "os" or "app_version" */
	const char	*name;		/* "" when the app sent none */
	long long	 devices;
};
struct db_bucket {		/* ll_stats_fill */
	int		 bucket;	/* tenths of the limit; 10: full */
	long long	 links;
};
struct db_attention {		/* ll_stats_attention */
	long long	 id;
	const char	*install_code;
	int		 install_limit;
	int		 install_count;
	long long	 refused_limit;	/* in the period */
};
struct db_refusal {		/* ll_refused_list: a link without refusals
				   is one row whose texts are NULL */
	long long	 link_id;
	const char	*hwid;
	const char	*date;
	const char	*device_name;
};
struct db_audit {		/* ll_audit_list: no action to show is one
				   row of NULLs */
	const char	*date;
	const char	*actor;		/* "api", "web:N", "operator" */
	const char	*action;	/* "link.update", ... */
	const char	*target;
	const char	*before;	/* JSON, or NULL */
	const char	*after;
	const char	*address;
};
struct db_report {		/* ll_report: one provider, or unknown
				   links (provider_code "") */
	const char	*provider_code;
	const char	*name;
	int		 status;
	long long	 links;
	long long	 links_full;
	long long	 links_near_full;
	long long	 devices;
	long long	 n[DB_NDECISION];	/* by decision */
};
struct db_maintained {		/* ll_maintain */
	const char	*action;	/* "made" or "dropped" */
	const char	*name;		/* the partition */
};

/* Remembers conninfo and tries to connect once. Returns 0 when connected,
 * -1 when not (later calls keep retrying with backoff). */
int db_open(const char *conninfo);

/* Closes the connection. Safe to call twice. */
void db_close(void);

/* The name the connection shows in pg_stat_activity (application_name),
 * from the next connection on; name must live as long as the process.
 * "limited-links" until set. Cannot fail. */
void db_application(const char *name);

/* Runs statement st with its n text parameters (NULL means SQL NULL; n
 * must be what st takes) and decodes every row into an array of st's row
 * struct, of size bytes each, allocated in arena a; *rows (a pointer to
 * that struct type) gets the array, NULL when there is no row. The result
 * is registered with a, so the texts in the rows live until a is reset.
 * Returns the number of rows, or -1 on failure: then db_failure() says
 * why. A size other than st's row struct's fails as a statement would.
 *
 * While the database is unreachable it fails fast, trying to reconnect at
 * most once per backoff period. A statement marked for retry (one whose
 * second run answers as the first would, should the first have committed
 * and its answer been lost) runs once more on a fresh connection when the
 * old one turns out dead. The server's answers are awaited at most
 * DB_REPLY_MS in all; past that the connection is dropped and the call
 * fails with DB_FAIL_DOWN. A failure is logged here, once, with its
 * SQLSTATE and message (a timeout or a lock wait as a warning, anything
 * else as an error), except the one SQLSTATE its statement expects (a
 * taken provider code, which the caller retries): callers do not log it
 * again. */
int db_all(struct arena *a, enum db_stmt st, int n,
    const char *const *values, void *rows, size_t size);

/* As db_all() for a statement that answers one row: decodes it into *row
 * (size bytes, st's row struct). Returns 1; 0 when there is no row (*row
 * is then zeroed); -1 on failure, as db_all(). */
int db_one(struct arena *a, enum db_stmt st, int n,
    const char *const *values, void *row, size_t size);

/* The two above with the number of values and the size of the row taken
 * from the array v and the pointer given. */
#define DB_ALL(a, st, v, rowsp) db_all((a), (st),			\
	(int)(sizeof(v) / sizeof((v)[0])), (v), (rowsp), sizeof(**(rowsp)))
#define DB_ONE(a, st, v, rowp) db_one((a), (st),			\
	(int)(sizeof(v) / sizeof((v)[0])), (v), (rowp), sizeof(*(rowp)))

/* The outcome of a list about one named link or page, whose function
 * answers no row when there is no such link and one row without what it
 * lists (its key column NULL) when there is nothing to list: got is what
 * db_all() returned, key the first row's key column (NULL when got is
 * not above 0). Returns DB_FAILED when got < 0, DB_NOT_FOUND when it is
 * 0, else DB_OK, with *n the rows that list something: got, or 0 for the
 * lone row. Cannot fail. */
enum db_outcome db_named(int got, const void *key, int *n);

/* The name of decision d as the database and the API spell it
 * ("admitted_new"); "" for no such decision. Cannot fail. */
const char *db_decision_name(enum db_decision d);

/* Why the last db_all() or db_one() failed. */
enum db_fail db_failure(void);

/* A few words for f, to log: "database unavailable", "statement timeout",
 * "lock timeout", "statement failed". Cannot fail. */
const char *db_strfail(enum db_fail f);

/* SQLSTATE of the last failed statement ("" when none), and its message. */
const char *db_sqlstate(void);
const char *db_message(void);

/* Whether st runs again on a fresh connection when the first one died
 * during the call. */
int db_retried(enum db_stmt st);

/* The side connection: a statement sent without waiting for its answer,
 * on a connection of the process's own beside the main one, so that the
 * main one stays free meanwhile (a worker's counts, fcgi/counters.c). One
 * statement at a time; the connection is made, and remade after a loss,
 * by db_side_send(), with the main one's backoff rules.
 *
 * db_side_send() sends st with its n values. Returns 0 when sent, -1 when
 * not (db_failure() says why: no connection now, or a bad call). */
int db_side_send(enum db_stmt st, int n, const char *const *values);

/* Reads the answer of what db_side_send() sent, as db_one() would: waits
 * for it up to wait_ms (0: not at all). Returns 1 with row (of size bytes,
 * in a) filled, 0 when the answer has not come yet (call again), -1 when
 * the statement failed or the connection was lost (db_failure()), after
 * which nothing is pending. */
int db_side_result(struct arena *a, enum db_stmt st, void *row, size_t size,
    int wait_ms);

/* Drops the side connection, and with it what it was running: the
 * answer is given up on (the server rolls the statement back unless it
 * had committed). Cannot fail. */
void db_side_drop(void);

/* For tests: the SQL st is prepared as, written into out (len bytes).
 * Returns out, or NULL when it does not fit. */
const char *db_sql(enum db_stmt st, char *out, size_t len);

struct pg_result;

/* For tests: whether the columns described by r (a PGresult from
 * describing st, or any result of st) are the ones st's row struct is
 * decoded from, by number, name and type. Returns 0, or -1 with what
 * differs written into why (len bytes). */
int db_check_columns(enum db_stmt st, const struct pg_result *r, char *why,
    size_t len);

/* For tests: decodes the rows of r, a result of st, as db_all() does,
 * without registering r with a. Returns the rows, or -1 (logged) when a
 * value cannot be read (an outcome this module does not know). */
int db_decode(struct arena *a, enum db_stmt st, const struct pg_result *r,
    void *rows, size_t size);

#endif
