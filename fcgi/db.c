#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "backoff.h"
#include "db.h"
#include "log.h"
#include "metrics.h"

#define DB_SQL_MAX	1024	/* bytes of a statement's SQL */
#define DB_RECORD_MAX	16	/* fields of a record statement's row */

/* PostgreSQL's type OIDs (pg_type.h is the server's header). */
#define DB_OID_BOOL	16
#define DB_OID_INT8	20
#define DB_OID_INT2	21
#define DB_OID_INT4	23
#define DB_OID_TEXT	25
#define DB_OID_RECORD	2249

/* How a column is read into its member of the row struct. */
enum db_type {
	DB_TEXT,	/* const char *, NULL for NULL */
	DB_INT,		/* int, from integer or smallint */
	DB_BIGINT,	/* long long, from bigint */
	DB_BOOL,	/* int, 1 for true */
	DB_OUTCOME,	/* enum db_outcome, from text */
	DB_DECISION	/* enum db_decision, from text */
};

struct db_col {
	const char	*name;		/* as the function's OUT list has it */
	enum db_type	 type;
	size_t		 offset;	/* of its member in the row struct */
};

struct db_stmt_def {
	const char	*name;
	const char	*call;		/* what the columns are selected from */
	int		 nparams;
	int		 retry;	/* answers alike when run twice: see db.h */
	const char	*quiet;	/* a SQLSTATE the caller handles: not logged */
	const struct db_col *cols;
	size_t		 ncols;
	size_t		 size;		/* of the row struct */
	int		 record;	/* called in the select list: see below */
};

#define COL(type, member, kind) { #member, kind, offsetof(type, member) }
#define COLS(cols, type) cols, sizeof(cols) / sizeof(cols[0]), sizeof(type), 0
/* the same for a statement called in the select list: see below */
#define RECORD(cols, type) cols, sizeof(cols) / sizeof(cols[0]), sizeof(type), 1

static const struct db_col db_check_cols[] = {
	{ "o_providerid", DB_TEXT, offsetof(struct db_check, providerid) },
	{ "o_status", DB_INT, offsetof(struct db_check, status) },
	{ "o_import", DB_BOOL, offsetof(struct db_check, admitted) },
	{ "o_decision", DB_DECISION, offsetof(struct db_check, decision) },
	{ "o_provider_id", DB_BIGINT, offsetof(struct db_check, provider_id) },
	{ "o_link_id", DB_BIGINT, offsetof(struct db_check, link_id) },
};
static const struct db_col db_value_cols[] = {
	{ "value", DB_INT, offsetof(struct db_number, value) },
};
static const struct db_col db_count_cols[] = {
	{ "count", DB_BIGINT, offsetof(struct db_count, count) },
};
static const struct db_col db_id_cols[] = {
	{ "id", DB_BIGINT, offsetof(struct db_id, id) },
};
static const struct db_col db_found_cols[] = {
	{ "found", DB_BOOL, offsetof(struct db_found, found) },
};
static const struct db_col db_outcome_cols[] = {
	{ "o_result", DB_OUTCOME, offsetof(struct db_outcome_row, outcome) },
};
static const struct db_col db_auth_cols[] = {
	COL(struct db_auth, id, DB_BIGINT),
	COL(struct db_auth, key_hash, DB_TEXT),
	COL(struct db_auth, status, DB_INT),
};
static const struct db_col db_provider_cols[] = {
	COL(struct db_provider, code, DB_TEXT),
	COL(struct db_provider, name, DB_TEXT),
	COL(struct db_provider, status, DB_INT),
	COL(struct db_provider, links, DB_BIGINT),
	COL(struct db_provider, created_at, DB_TEXT),
};
static const struct db_col db_link_added_cols[] = {
	{ "o_result", DB_OUTCOME, offsetof(struct db_link_added, outcome) },
	{ "o_id", DB_BIGINT, offsetof(struct db_link_added, id) },
};
static const struct db_col db_link_updated_cols[] = {
	{ "o_result", DB_OUTCOME, offsetof(struct db_link_updated, outcome) },
	{ "o_code", DB_TEXT, offsetof(struct db_link_updated, install_code) },
	{ "o_count", DB_INT, offsetof(struct db_link_updated, install_count) },
};
static const struct db_col db_link_cols[] = {
	COL(struct db_link, id, DB_BIGINT),
	COL(struct db_link, install_code, DB_TEXT),
	COL(struct db_link, install_limit, DB_INT),
	COL(struct db_link, install_count, DB_INT),
	COL(struct db_link, status, DB_INT),
	COL(struct db_link, note, DB_TEXT),
	COL(struct db_link, created_at, DB_TEXT),
	COL(struct db_link, expire_days, DB_INT),
};
static const struct db_col db_device_cols[] = {
	COL(struct db_device, link_id, DB_BIGINT),
	COL(struct db_device, hwid, DB_TEXT),
	COL(struct db_device, date, DB_TEXT),
	COL(struct db_device, device_name, DB_TEXT),
	COL(struct db_device, device_os, DB_TEXT),
	COL(struct db_device, os_version, DB_TEXT),
	COL(struct db_device, model, DB_TEXT),
	COL(struct db_device, app_version, DB_TEXT),
	COL(struct db_device, user_agent, DB_TEXT),
	COL(struct db_device, first_seen, DB_TEXT),
	COL(struct db_device, last_seen, DB_TEXT),
};
static const struct db_col db_device_deleted_cols[] = {
	{ "o_result", DB_OUTCOME, offsetof(struct db_device_deleted, outcome) },
	{ "o_link", DB_BIGINT, offsetof(struct db_device_deleted, link_id) },
	{ "o_count", DB_INT,
	    offsetof(struct db_device_deleted, install_count) },
};
static const struct db_col db_domain_cols[] = {
	COL(struct db_domain, id, DB_BIGINT),
	COL(struct db_domain, domain_name, DB_TEXT),
	COL(struct db_domain, domain_hash, DB_TEXT),
	COL(struct db_domain, status, DB_INT),
	COL(struct db_domain, created_at, DB_TEXT),
};
static const struct db_col db_domain_deleted_cols[] = {
	{ "o_found", DB_BOOL, offsetof(struct db_domain_deleted, found) },
	{ "o_links", DB_INT, offsetof(struct db_domain_deleted, links) },
};
static const struct db_col db_session_cols[] = {
	COL(struct db_session, provider_id, DB_BIGINT),
	COL(struct db_session, provider_code, DB_TEXT),
	COL(struct db_session, csrf, DB_TEXT),
};
static const struct db_col db_target_cols[] = {
	COL(struct db_target, sub_url, DB_TEXT),
	COL(struct db_target, title, DB_TEXT),
};
/* a count of decision d, in n[d] of row struct type */
#define COUNT(type, name, d) { name, DB_BIGINT, offsetof(type, n[d]) }
static const struct db_col db_day_cols[] = {
	COL(struct db_day, day, DB_TEXT),
	COUNT(struct db_day, "admitted_new", DB_ADMITTED_NEW),
	COUNT(struct db_day, "admitted_known", DB_ADMITTED_KNOWN),
	COUNT(struct db_day, "refused_limit", DB_REFUSED_LIMIT),
	COUNT(struct db_day, "refused_disabled", DB_REFUSED_DISABLED),
	COUNT(struct db_day, "refused_domain", DB_REFUSED_DOMAIN),
	COUNT(struct db_day, "refused_hwid", DB_REFUSED_HWID),
};
static const struct db_col db_as_of_cols[] = {
	COL(struct db_as_of, as_of, DB_TEXT),
};
static const struct db_col db_share_cols[] = {
	COL(struct db_share, kind, DB_TEXT),
	COL(struct db_share, name, DB_TEXT),
	COL(struct db_share, devices, DB_BIGINT),
};
static const struct db_col db_bucket_cols[] = {
	COL(struct db_bucket, bucket, DB_INT),
	COL(struct db_bucket, links, DB_BIGINT),
};
static const struct db_col db_attention_cols[] = {
	COL(struct db_attention, id, DB_BIGINT),
	COL(struct db_attention, install_code, DB_TEXT),
	COL(struct db_attention, install_limit, DB_INT),
	COL(struct db_attention, install_count, DB_INT),
	COL(struct db_attention, refused_limit, DB_BIGINT),
};
static const struct db_col db_refusal_cols[] = {
	COL(struct db_refusal, link_id, DB_BIGINT),
	COL(struct db_refusal, hwid, DB_TEXT),
	COL(struct db_refusal, date, DB_TEXT),
	COL(struct db_refusal, device_name, DB_TEXT),
};
static const struct db_col db_audit_cols[] = {
	COL(struct db_audit, date, DB_TEXT),
	COL(struct db_audit, actor, DB_TEXT),
	COL(struct db_audit, action, DB_TEXT),
	COL(struct db_audit, target, DB_TEXT),
	COL(struct db_audit, before, DB_TEXT),
	COL(struct db_audit, after, DB_TEXT),
	COL(struct db_audit, address, DB_TEXT),
};
static const struct db_col db_report_cols[] = {
	COL(struct db_report, provider_code, DB_TEXT),
	COL(struct db_report, name, DB_TEXT),
	COL(struct db_report, status, DB_INT),
	COL(struct db_report, links, DB_BIGINT),
	COL(struct db_report, links_full, DB_BIGINT),
	COL(struct db_report, links_near_full, DB_BIGINT),
	COL(struct db_report, devices, DB_BIGINT),
	COUNT(struct db_report, "admitted_new", DB_ADMITTED_NEW),
	COUNT(struct db_report, "admitted_known", DB_ADMITTED_KNOWN),
	COUNT(struct db_report, "refused_limit", DB_REFUSED_LIMIT),
	COUNT(struct db_report, "refused_disabled", DB_REFUSED_DISABLED),
	COUNT(struct db_report, "refused_domain", DB_REFUSED_DOMAIN),
	COUNT(struct db_report, "refused_hwid", DB_REFUSED_HWID),
	COUNT(struct db_report, "refused_unknown", DB_REFUSED_UNKNOWN),
};
static const struct db_col db_maintained_cols[] = {
	COL(struct db_maintained, action, DB_TEXT),
	COL(struct db_maintained, name, DB_TEXT),
};
static const struct db_col db_link_reset_cols[] = {
	{ "o_result", DB_OUTCOME, offsetof(struct db_link_reset, outcome) },
	{ "o_link", DB_BIGINT, offsetof(struct db_link_reset, link_id) },
	{ "o_released", DB_INT, offsetof(struct db_link_reset, released) },
};
static const struct db_col db_self_service_cols[] = {
	COL(struct db_self_service, created_at, DB_TEXT),
	COL(struct db_self_service, released_at, DB_TEXT),
};
static const struct db_col db_self_device_cols[] = {
	COL(struct db_self_device, link_id, DB_BIGINT),
	COL(struct db_self_device, install_count, DB_INT),
	COL(struct db_self_device, install_limit, DB_INT),
	COL(struct db_self_device, next_release, DB_TEXT),
	COL(struct db_self_device, hwid, DB_TEXT),
	COL(struct db_self_device, model, DB_TEXT),
	COL(struct db_self_device, device_os, DB_TEXT),
	COL(struct db_self_device, os_version, DB_TEXT),
	COL(struct db_self_device, first_seen, DB_TEXT),
	COL(struct db_self_device, last_seen, DB_TEXT),
};
static const struct db_col db_self_released_cols[] = {
	{ "o_result", DB_OUTCOME, offsetof(struct db_self_released, outcome) },
	{ "o_next", DB_TEXT, offsetof(struct db_self_released, next) },
	{ "o_count", DB_INT,
	    offsetof(struct db_self_released, install_count) },
};
static const struct db_col db_webhook_cols[] = {
	COL(struct db_webhook, url, DB_TEXT),
	COL(struct db_webhook, events, DB_TEXT),
	COL(struct db_webhook, created_at, DB_TEXT),
};
static const struct db_col db_webhook_event_cols[] = {
	COL(struct db_webhook_event, event_id, DB_TEXT),
	COL(struct db_webhook_event, type, DB_TEXT),
	COL(struct db_webhook_event, created_at, DB_TEXT),
	COL(struct db_webhook_event, state, DB_TEXT),
	COL(struct db_webhook_event, attempts, DB_INT),
	COL(struct db_webhook_event, next_at, DB_TEXT),
	COL(struct db_webhook_event, last_status, DB_INT),
	COL(struct db_webhook_event, last_error, DB_TEXT),
	COL(struct db_webhook_event, install_code, DB_TEXT),
	COL(struct db_webhook_event, hwid, DB_TEXT),
};
static const struct db_col db_webhook_claim_cols[] = {
	COL(struct db_webhook_claim, id, DB_BIGINT),
	COL(struct db_webhook_claim, event_id, DB_TEXT),
	COL(struct db_webhook_claim, type, DB_TEXT),
	COL(struct db_webhook_claim, url, DB_TEXT),
	COL(struct db_webhook_claim, secret, DB_TEXT),
	COL(struct db_webhook_claim, body, DB_TEXT),
	COL(struct db_webhook_claim, attempt, DB_INT),
};

/* A function that returns one plain value is called with an alias, which
 * names its column: "f($1) AS found" answers a column "found".
 *
 * A statement marked record calls its function in the select list,
 * "SELECT f($1)", and reads the one record it answers field by field, in
 * the order of the function's OUT list; the others select their columns
 * by name FROM the function. For a PL/pgSQL function the select list is
 * the cheaper call: FROM makes PostgreSQL run a function scan, which
 * keeps the row in a tuplestore to read it back. The check takes it, as
 * it runs for every request of the app. The OUT list of a record
 * statement is checked when it is prepared, by describing "SELECT * FROM
 * f(...)": names, types and their order. */
static const struct db_stmt_def db_stmts[DB_NSTMT] = {
	[DB_CHECK] = { "check",
	    "ll_check($1, $2, $3, $4, $5, $6, $7, $8)", 8, 1, NULL,
	    RECORD(db_check_cols, struct db_check) },
	[DB_PROVIDER_STATUS] = { "provider_status",
	    "ll_provider_status($1) AS value", 1, 1, NULL,
	    COLS(db_value_cols, struct db_number) },
	[DB_AUTH] = { "auth",
	    "ll_auth($1)", 1, 1, NULL,
	    COLS(db_auth_cols, struct db_auth) },
	/* a taken code: the provider service draws another */
	[DB_PROVIDER_ADD] = { "provider_add",
	    "ll_provider_add($1, $2, $3, $4, $5, $6, $7) AS id", 7, 0, "23505",
	    COLS(db_id_cols, struct db_id) },
	[DB_PROVIDER_LIST] = { "provider_list",
	    "ll_provider_list()", 0, 1, NULL,
	    COLS(db_provider_cols, struct db_provider) },
	/* a second run after a lost answer writes a second audit row: the
	 * statement did run twice */
	[DB_PROVIDER_SET_STATUS] = { "provider_set_status",
	    "ll_provider_set_status($1, $2::smallint, $3, $4, $5) AS found", 5,
	    1, NULL,
	    COLS(db_found_cols, struct db_found) },
	[DB_PROVIDER_SET_KEY] = { "provider_set_key",
	    "ll_provider_set_key($1, $2, $3, $4, $5) AS found", 5, 1, NULL,
	    COLS(db_found_cols, struct db_found) },
	/* a second run after a lost answer would find its own link's code
	 * taken */
	[DB_LINK_ADD] = { "link_add",
	    "ll_link_add($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
	    13, 0, NULL,
	    COLS(db_link_added_cols, struct db_link_added) },
	[DB_LINK_UPDATE] = { "link_update",
	    "ll_link_update($1, $2, $3, $4, $5::smallint, $6, $7, $8, $9)", 9, 1,
	    NULL,
	    COLS(db_link_updated_cols, struct db_link_updated) },
	[DB_LINK_LIST] = { "link_list",
	    "ll_link_list($1, $2, $3, $4, $5)", 5, 1, NULL,
	    COLS(db_link_cols, struct db_link) },
	[DB_LINK_COUNT] = { "link_count",
	    "ll_link_count($1, $2) AS count", 2, 1, NULL,
	    COLS(db_count_cols, struct db_count) },
	[DB_DEVICE_LIST] = { "device_list",
	    "ll_device_list($1, $2, $3, $4)", 4, 1, NULL,
	    COLS(db_device_cols, struct db_device) },
	/* the second run of one that committed would answer no_device */
	[DB_DEVICE_DELETE] = { "device_delete",
	    "ll_device_delete($1, $2, $3, $4, $5, $6, $7)", 7, 0, NULL,
	    COLS(db_device_deleted_cols, struct db_device_deleted) },
	/* ... exists */
	[DB_DOMAIN_ADD] = { "domain_add",
	    "ll_domain_add($1, $2, $3, $4, $5, $6) AS o_result", 6, 0, NULL,
	    COLS(db_outcome_cols, struct db_outcome_row) },
	[DB_DOMAIN_LIST] = { "domain_list",
	    "ll_domain_list($1)", 1, 1, NULL,
	    COLS(db_domain_cols, struct db_domain) },
	/* ... not found */
	[DB_DOMAIN_DELETE] = { "domain_delete",
	    "ll_domain_delete($1, $2, $3, $4, $5)", 5, 0, NULL,
	    COLS(db_domain_deleted_cols, struct db_domain_deleted) },
	[DB_SESSION_CREATE] = { "session_create",
	    "ll_session_create($1, $2, $3, $4, $5) AS found", 5, 0, NULL,
	    COLS(db_found_cols, struct db_found) },
	[DB_SESSION_GET] = { "session_get",
	    "ll_session_get($1)", 1, 1, NULL,
	    COLS(db_session_cols, struct db_session) },
	/* its answer is not read: a second run deletes nothing more */
	[DB_SESSION_DELETE] = { "session_delete",
	    "ll_session_delete($1) AS found", 1, 1, NULL,
	    COLS(db_found_cols, struct db_found) },
	[DB_SIGNIN_WAIT] = { "signin_wait",
	    "ll_signin_wait($1) AS value", 1, 1, NULL,
	    COLS(db_value_cols, struct db_number) },
	/* a second run would count the failure twice */
	[DB_SIGNIN_FAILED] = { "signin_failed",
	    "ll_signin_failed($1) AS value", 1, 0, NULL,
	    COLS(db_value_cols, struct db_number) },
	[DB_LINK_TARGET] = { "link_target",
	    "ll_link_target($1, $2)", 2, 1, NULL,
	    COLS(db_target_cols, struct db_target) },
	[DB_LINK_SET_TARGET] = { "link_set_target",
	    "ll_link_set_target($1, $2, $3, $4, $5, $6, $7, $8, $9) AS found",
	    9, 1, NULL,
	    COLS(db_found_cols, struct db_found) },
	/* a second run would free nothing, and say so */
	[DB_LINK_RESET] = { "link_reset",
	    "ll_link_reset($1, $2, $3, $4, $5, $6)", 6, 0, NULL,
	    COLS(db_link_reset_cols, struct db_link_reset) },
	/* ... would find the page it made: exists */
	[DB_SELF_SERVICE_SET] = { "self_service_set",
	    "ll_self_service_set($1, $2, $3, $4, $5, $6, $7, $8) AS o_result", 8,
	    0, NULL,
	    COLS(db_outcome_cols, struct db_outcome_row) },
	[DB_SELF_SERVICE_GET] = { "self_service_get",
	    "ll_self_service_get($1, $2)", 2, 1, NULL,
	    COLS(db_self_service_cols, struct db_self_service) },
	[DB_SELF_DEVICES] = { "self_devices",
	    "ll_self_devices($1, $2)", 2, 1, NULL,
	    COLS(db_self_device_cols, struct db_self_device) },
	/* ... would meet its own cooldown */
	[DB_SELF_RELEASE] = { "self_release",
	    "ll_self_release($1, $2, $3, $4, $5, $6)", 6, 0, NULL,
	    COLS(db_self_released_cols, struct db_self_released) },
	/* the same URL, types and secret again; a second run after a lost
	 * answer writes a second audit row: the statement did run twice */
	[DB_WEBHOOK_SET] = { "webhook_set",
	    "ll_webhook_set($1, $2, $3, $4, $5, $6, $7) AS o_result", 7, 1,
	    NULL,
	    COLS(db_outcome_cols, struct db_outcome_row) },
	[DB_WEBHOOK_GET] = { "webhook_get",
	    "ll_webhook_get($1)", 1, 1, NULL,
	    COLS(db_webhook_cols, struct db_webhook) },
	/* ... would find none */
	[DB_WEBHOOK_DELETE] = { "webhook_delete",
	    "ll_webhook_delete($1, $2, $3, $4) AS found", 4, 0, NULL,
	    COLS(db_found_cols, struct db_found) },
	[DB_WEBHOOK_EVENTS] = { "webhook_events",
	    "ll_webhook_events($1, $2)", 2, 1, NULL,
	    COLS(db_webhook_event_cols, struct db_webhook_event) },
	/* ... sends the event again from now on, and audits that again */
	[DB_WEBHOOK_RESEND] = { "webhook_resend",
	    "ll_webhook_resend($1, $2, $3, $4, $5) AS found", 5, 1, NULL,
	    COLS(db_found_cols, struct db_found) },
	/* a claim whose answer was lost is taken again when its lease
	 * ends; a second run now would count a try twice */
	[DB_WEBHOOK_CLAIM] = { "webhook_claim",
	    "ll_webhook_claim($1, $2)", 2, 0, NULL,
	    COLS(db_webhook_claim_cols, struct db_webhook_claim) },
	/* ... would record the try twice */
	[DB_WEBHOOK_RESULT] = { "webhook_result",
	    "ll_webhook_result($1, $2, $3, $4, $5, $6, $7, $8) AS found", 8, 0,
	    NULL, COLS(db_found_cols, struct db_found) },
	[DB_WEBHOOK_PRUNE] = { "webhook_prune",
	    "ll_webhook_prune($1, $2) AS value", 2, 1, NULL,
	    COLS(db_value_cols, struct db_number) },
	[DB_EXPIRE_SWEEP] = { "expire_sweep",
	    "ll_expire_sweep($1) AS value", 1, 1, NULL,
	    COLS(db_value_cols, struct db_number) },
	/* a flush names itself: one applied before is not applied again */
	[DB_STATS_FLUSH] = { "stats_flush",
	    "ll_stats_flush($1, $2, $3, $4) AS value", 4, 1, NULL,
	    COLS(db_value_cols, struct db_number) },
	[DB_STATS_DAYS] = { "stats_days",
	    "ll_stats_days($1, $2, $3, $4, $5)", 5, 1, NULL,
	    COLS(db_day_cols, struct db_day) },
	/* a second count answers as the first */
	[DB_STATS_NOW] = { "stats_now",
	    "ll_stats_now($1, $2)", 2, 1, NULL,
	    COLS(db_as_of_cols, struct db_as_of) },
	[DB_STATS_REFRESH] = { "stats_refresh",
	    "ll_stats_refresh($1, $2) AS value", 2, 1, NULL,
	    COLS(db_value_cols, struct db_number) },
	[DB_STATS_DEVICES] = { "stats_devices",
	    "ll_stats_devices($1, $2, $3)", 3, 1, NULL,
	    COLS(db_share_cols, struct db_share) },
	[DB_STATS_FILL] = { "stats_fill",
	    "ll_stats_fill($1, $2, $3)", 3, 1, NULL,
	    COLS(db_bucket_cols, struct db_bucket) },
	[DB_STATS_ATTENTION] = { "stats_attention",
	    "ll_stats_attention($1, $2, $3, $4, $5, $6)", 6, 1, NULL,
	    COLS(db_attention_cols, struct db_attention) },
	[DB_REFUSED_LIST] = { "refused_list",
	    "ll_refused_list($1, $2, $3, $4)", 4, 1, NULL,
	    COLS(db_refusal_cols, struct db_refusal) },
	[DB_AUDIT_LIST] = { "audit_list",
	    "ll_audit_list($1, $2, $3, $4, $5)", 5, 1, NULL,
	    COLS(db_audit_cols, struct db_audit) },
	[DB_REPORT] = { "report",
	    "ll_report($1, $2)", 2, 1, NULL,
	    COLS(db_report_cols, struct db_report) },
	/* a second run finds the partitions made and dropped */
	[DB_MAINTAIN] = { "maintain",
	    "ll_maintain($1, $2)", 2, 1, NULL,
	    COLS(db_maintained_cols, struct db_maintained) },
	[DB_PING] = { "ping",
	    "ll_ping() AS value", 0, 1, NULL,
	    COLS(db_value_cols, struct db_number) },
};

/* The texts of enum db_decision, as ll_check returns them. */
static const char *const db_decisions[DB_NDECISION] = {
	[DB_ADMITTED_NEW] = "admitted_new",
	[DB_ADMITTED_KNOWN] = "admitted_known",
	[DB_REFUSED_LIMIT] = "refused_limit",
	[DB_REFUSED_DISABLED] = "refused_disabled",
	[DB_REFUSED_DOMAIN] = "refused_domain",
	[DB_REFUSED_HWID] = "refused_hwid",
	[DB_REFUSED_UNKNOWN] = "refused_unknown",
};

/* The texts of enum db_outcome, as the functions in sql/ return them. */
static const char *const db_outcomes[DB_NOUTCOME] = {
	[DB_OK] = "ok",
	[DB_EXISTS] = "exists",
	[DB_REACTIVATED] = "reactivated",
	[DB_CAP] = "cap",
	[DB_NOT_FOUND] = "not_found",
	[DB_BELOW_COUNT] = "below_count",
	[DB_NO_DEVICE] = "no_device",
	[DB_COOLDOWN] = "cooldown",
	[DB_OFF] = "off",
};

/* A connection and what its reconnecting needs. A process has its main
 * one, which every call but the side ones below uses, and a side one for
 * a statement that must not hold the main one up (a worker's counts:
 * db_side_send()). */
struct db_pgconn {
	PGconn		*conn;
	int		 backoff_ms;
	int		 connected;	/* ever, in this process */
	long long	 next_try;	/* no connect before, in ms */
	int		 prepare_all;	/* every statement when it connects;
					   else each when first sent */
	unsigned char	 prepared[DB_NSTMT];
};

static struct db_pgconn db_main = { .prepare_all = 1 };
static struct db_pgconn db_side;
static struct db_pgconn	*db = &db_main;	/* the one the calls below use */
static char		*db_conninfo;
static const char	*db_appname = "limited-links";
static long long	 db_end_ms;	/* the current call's deadline */
static enum db_fail	 db_last_fail;
static char		 db_last_state[6];
static char		 db_last_msg[256];

static void
db_drop(void)
{
	if (db->conn != NULL)
		PQfinish(db->conn);
	db->conn = NULL;
}

/* Writes "SELECT" and the columns of def as it is prepared (all: the
 * function's whole OUT list, as "*"), then its call, into out (len
 * bytes). Returns out, or NULL when it does not fit. */
static const char *
db_sql_of(const struct db_stmt_def *def, int all, char *out, size_t len)
{
	size_t i, at;
	int n;

	if (def->record && !all) {
		n = snprintf(out, len, "SELECT %s", def->call);
		return n >= 0 && (size_t)n < len ? out : NULL;
	}
	n = snprintf(out, len, "SELECT%s", all ? " *" : "");
	for (i = 0; !all && n >= 0 && (size_t)n < len && i < def->ncols; i++) {
		at = (size_t)n;
		n = snprintf(out + at, len - at, "%s %s", i == 0 ? "" : ",",
		    def->cols[i].name);
		n = n < 0 ? n : n + (int)at;
	}
	if (n >= 0 && (size_t)n < len) {
		at = (size_t)n;
		n = snprintf(out + at, len - at, " FROM %s", def->call);
		n = n < 0 ? n : n + (int)at;
	}
	return n >= 0 && (size_t)n < len ? out : NULL;
}

const char *
db_sql(enum db_stmt st, char *out, size_t len)
{
	return db_sql_of(&db_stmts[st], 0, out, len);
}

/* Whether a column of PostgreSQL type oid reads as t. */
static int
db_type_fits(enum db_type t, unsigned int oid)
{
	switch (t) {
	case DB_TEXT:
	case DB_OUTCOME:
	case DB_DECISION:
		return oid == DB_OID_TEXT;
	case DB_INT:
		return oid == DB_OID_INT4 || oid == DB_OID_INT2;
	case DB_BIGINT:
		return oid == DB_OID_INT8;
	case DB_BOOL:
		return oid == DB_OID_BOOL;
	}
	return 0;
}

int
db_check_columns(enum db_stmt st, const struct pg_result *r, char *why,
    size_t len)
{
	const struct db_stmt_def *def = &db_stmts[st];
	size_t i;

	if (PQnfields(r) != (int)def->ncols) {
		snprintf(why, len, "%d columns, want %zu", PQnfields(r),
		    def->ncols);
		return -1;
	}
	for (i = 0; i < def->ncols; i++) {
		if (strcmp(PQfname(r, (int)i), def->cols[i].name) != 0) {
			snprintf(why, len, "column %zu is %s, want %s", i + 1,
			    PQfname(r, (int)i), def->cols[i].name);
			return -1;
		}
		if (!db_type_fits(def->cols[i].type, PQftype(r, (int)i))) {
			snprintf(why, len, "column %s has type %u, which does "
			    "not read as its member", def->cols[i].name,
			    PQftype(r, (int)i));
			return -1;
		}
	}
	return 0;
}

/* Reads value v (NULL for SQL NULL) of column c into row. Returns 0, or
 * -1 for an outcome this module does not know. */
static int
db_read(const struct db_col *c, const char *v, unsigned char *row)
{
	void *m = row + c->offset;
	int i;

	switch (c->type) {
	case DB_TEXT:
		*(const char **)m = v;
		return 0;
	case DB_INT:
		*(int *)m = v != NULL ? atoi(v) : 0;
		return 0;
	case DB_BIGINT:
		*(long long *)m = v != NULL ? strtoll(v, NULL, 10) : 0;
		return 0;
	case DB_BOOL:
		*(int *)m = v != NULL && v[0] == 't';
		return 0;
	case DB_OUTCOME:
		for (i = 0; v != NULL && i < DB_NOUTCOME; i++) {
			if (strcmp(v, db_outcomes[i]) == 0) {
				*(enum db_outcome *)m = (enum db_outcome)i;
				return 0;
			}
		}
		return -1;
	case DB_DECISION:
		for (i = 0; v != NULL && i < DB_NDECISION; i++) {
			if (strcmp(v, db_decisions[i]) == 0) {
				*(enum db_decision *)m = (enum db_decision)i;
				return 0;
			}
		}
		return -1;
	}
	return -1;
}

/* Splits text v, a record as PostgreSQL writes one ("(a,,\"b c\")"),
 * into its n fields, copied into a: field[i] is NULL for a NULL (nothing
 * between the commas), else the value unquoted. Returns 0, or -1 when v
 * is not a record of n fields. */
static int
db_fields(struct arena *a, const char *v, const char **field, size_t n)
{
	char *out;
	size_t i = 0;
	int quoted;

	if (v == NULL || *v++ != '(')
		return -1;
	out = arena_alloc(a, strlen(v) + 1);
	for (;;) {
		if (i == n)
			return -1;
		field[i] = NULL;
		if (*v != ',' && *v != ')')
			field[i] = out;
		for (quoted = 0; *v != '\0'; v++) {
			if (*v == '"' && quoted && v[1] == '"')
				*out++ = *++v;		/* "" in quotes */
			else if (*v == '"')
				quoted = !quoted;
			else if (*v == '\\' && v[1] != '\0')
				*out++ = *++v;
			else if (!quoted && (*v == ',' || *v == ')'))
				break;
			else
				*out++ = *v;
		}
		*out++ = '\0';
		i++;
		if (*v != ',')
			break;
		v++;
	}
	return *v == ')' && v[1] == '\0' && i == n ? 0 : -1;
}

int
db_decode(struct arena *a, enum db_stmt st, const struct pg_result *r,
    void *rows, size_t size)
{
	const struct db_stmt_def *def = &db_stmts[st];
	unsigned char *out = NULL, *row;
	const char *v, *field[DB_RECORD_MAX];
	char why[160];
	size_t i;
	int n, k;

	memcpy(rows, &out, sizeof(out));
	if (size != def->size) {
		log_error("db: %s: asked for rows of %zu bytes, its rows have "
		    "%zu", def->name, size, def->size);
		return -1;
	}
	if (def->record && (def->ncols > DB_RECORD_MAX || PQnfields(r) != 1 ||
	    PQftype(r, 0) != DB_OID_RECORD)) {
		log_error("db: %s: not the one record column it is called for",
		    def->name);
		return -1;
	}
	if (!def->record && db_check_columns(st, r, why, sizeof(why)) != 0) {
		log_error("db: %s: %s", def->name, why);
		return -1;
	}
	n = PQntuples(r);
	if (n > 0)
		out = arena_alloc(a, (size_t)n * size);
	for (k = 0; k < n; k++) {
		row = out + (size_t)k * size;
		memset(row, 0, size);
		if (def->record && db_fields(a, PQgetisnull(r, k, 0) ? NULL :
		    PQgetvalue(r, k, 0), field, def->ncols) != 0) {
			log_error("db: %s: a record of other fields than its "
			    "OUT list", def->name);
			return -1;
		}
		for (i = 0; i < def->ncols; i++) {
			if (def->record)
				v = field[i];
			else
				v = PQgetisnull(r, k, (int)i) ? NULL :
				    PQgetvalue(r, k, (int)i);
			if (db_read(&def->cols[i], v, row) != 0) {
				log_error("db: %s: unknown outcome '%s'",
				    def->name, v != NULL ? v : "NULL");
				return -1;
			}
		}
	}
	memcpy(rows, &out, sizeof(out));
	return n;
}

/* Waits until the connection has a whole result to give, or db_end_ms
 * passes. Returns -1 when time runs out, else 0: a broken connection
 * also returns 0, and PQgetResult() then reports it without waiting. */
static int
db_await(void)
{
	struct pollfd pfd;
	long long left;

	while (PQisBusy(db->conn)) {
		left = db_end_ms - backoff_now_ms();
		if (left <= 0)
			return -1;
		pfd.fd = PQsocket(db->conn);
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (pfd.fd < 0 ||
		    (poll(&pfd, 1, (int)left) < 0 && errno != EINTR) ||
		    !PQconsumeInput(db->conn))
			return 0;
	}
	return 0;
}

/* Collects the result of what was just sent, by db_end_ms. Returns the
 * last result (NULL if none), or NULL with *late set when time ran out:
 * the connection is then dropped, since its state is unknown. */
static PGresult *
db_result(int *late)
{
	PGresult *r, *last = NULL;

	*late = 0;
	for (;;) {
		if (db_await() != 0) {
			PQclear(last);
			db_drop();
			*late = 1;
			return NULL;
		}
		r = PQgetResult(db->conn);
		if (r == NULL)
			return last;
		PQclear(last);
		last = r;
	}
}

/* Prepares sql as name (unnamed: "") and describes it. Returns the last
 * result, PGRES_COMMAND_OK with the description when all went well, or
 * NULL when no answer came; the caller clears it. */
static PGresult *
db_describe(const char *name, const char *sql, int nparams)
{
	PGresult *r = NULL;
	int late;

	if (PQsendPrepare(db->conn, name, sql, nparams, NULL))
		r = db_result(&late);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		return r;
	PQclear(r);
	r = NULL;
	if (PQsendDescribePrepared(db->conn, name))
		r = db_result(&late);
	return r;
}

/* Why a preparation that answered r failed. */
static const char *
db_prepare_error(const PGresult *r)
{
	return r != NULL ? PQresultErrorMessage(r) : db->conn != NULL ?
	    PQerrorMessage(db->conn) : "no answer in time";
}

/* Prepares statement i and checks the columns it answers against its row
 * struct: a function whose OUT list changed fails here, named, rather
 * than in a caller. A record statement's columns are those of its
 * function's OUT list, described as "SELECT * FROM f(...)". Returns 0, or
 * -1 (logged). */
static int
db_prepare(int i)
{
	const struct db_stmt_def *def = &db_stmts[i];
	PGresult *r = NULL, *cols = NULL;
	char sql[DB_SQL_MAX], all[DB_SQL_MAX], why[160];
	const char *err = "statement too long";
	int rc = -1;

	if (db_sql_of(def, 0, sql, sizeof(sql)) == NULL ||
	    db_sql_of(def, 1, all, sizeof(all)) == NULL)
		goto out;
	if (def->record) {
		cols = db_describe("", all, def->nparams);
		if (PQresultStatus(cols) != PGRES_COMMAND_OK) {
			err = db_prepare_error(cols);
			goto out;
		}
	}
	r = db_describe(def->name, sql, def->nparams);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		err = db_prepare_error(r);
		goto out;
	}
	if (db_check_columns((enum db_stmt)i, def->record ? cols : r, why,
	    sizeof(why)) != 0) {
		err = why;
		goto out;
	}
	rc = 0;
out:
	if (rc != 0)
		log_error("db: prepare %s: %s", def->name, err);
	PQclear(cols);
	PQclear(r);
	return rc;
}

/* libpq's notices, and a server's FATAL that arrives between statements,
 * go to the log rather than raw to stderr. */
static void
db_notice(void *arg, const char *message)
{
	(void)arg;
	log_warn("db: %s", message);
}

/* Connects now, unless a recent failure asks to wait. */
static int
db_connect(void)
{
	static const char *const keys[] = { "connect_timeout",
	    "application_name", "options", "dbname", NULL };
	const char *values[] = { DB_CONNECT_TIMEOUT, db_appname,
	    "-c statement_timeout=" DB_STATEMENT_TIMEOUT
	    " -c lock_timeout=" DB_LOCK_TIMEOUT, db_conninfo, NULL };
	char side[64];
	long long now;
	int i;

	/* told apart in pg_stat_activity */
	if (db == &db_side) {
		snprintf(side, sizeof(side), "%s side", db_appname);
		values[1] = side;
	}

	now = backoff_now_ms();
	if (now < db->next_try)
		return -1;
	db_drop();
	db->conn = PQconnectdbParams(keys, values, 1);
	PQsetNoticeProcessor(db->conn, db_notice, NULL);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		log_warn("db: cannot connect: %s", PQerrorMessage(db->conn));
		goto fail;
	}
	memset(db->prepared, 0, sizeof(db->prepared));
	for (i = 0; db->prepare_all && i < DB_NSTMT; i++) {
		if (db_prepare(i) != 0)
			goto fail;
		db->prepared[i] = 1;
	}
	if (db->backoff_ms != 0)
		log_info("db: connected again");
	if (db->connected)
		metrics_db_reconnect();
	db->connected = 1;
	db->backoff_ms = 0;
	return 0;
fail:
	db_drop();
	db->backoff_ms = backoff_next(db->backoff_ms, DB_BACKOFF_MIN_MS,
	    DB_BACKOFF_MAX_MS);
	db->next_try = now + db->backoff_ms;
	return -1;
}

int
db_open(const char *conninfo)
{
	free(db_conninfo);
	db_conninfo = strdup(conninfo);
	if (db_conninfo == NULL)
		return -1;
	db->next_try = 0;
	db_end_ms = backoff_now_ms() + DB_REPLY_MS;
	return db_connect();
}

void
db_application(const char *name)
{
	db_appname = name;
}

void
db_close(void)
{
	db_drop();
	db_side_drop();
	free(db_conninfo);
	db_conninfo = NULL;
}

/* A usable connection: reconnects a lost one. A connection that is not
 * idle (a call given up half-way) is dropped rather than rolled back, as
 * a ROLLBACK could wait on a server that does not answer. */
static int
db_usable(void)
{
	if (db->conn != NULL && (PQstatus(db->conn) != CONNECTION_OK ||
	    PQtransactionStatus(db->conn) != PQTRANS_IDLE))
		db_drop();
	return db->conn != NULL || db_connect() == 0;
}

/* Records why statement def failed with result r on a live connection,
 * and logs it unless the caller expects that SQLSTATE. */
static void
db_fail_sql(const struct db_stmt_def *def, const PGresult *r)
{
	const char *v;

	v = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	snprintf(db_last_state, sizeof(db_last_state), "%s", v != NULL ? v : "");
	v = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	snprintf(db_last_msg, sizeof(db_last_msg), "%s", v != NULL ? v : "");
	if (strcmp(db_last_state, "57014") == 0)
		db_last_fail = DB_FAIL_TIMEOUT;
	else if (strcmp(db_last_state, "55P03") == 0)
		db_last_fail = DB_FAIL_LOCK;
	/* 57P01 and friends: the server is going away */
	else if (strncmp(db_last_state, "57", 2) == 0 ||
	    strncmp(db_last_state, "08", 2) == 0)
		db_last_fail = DB_FAIL_DOWN;
	else
		db_last_fail = DB_FAIL_SQL;
	/* constraint violations are logged too: the statements decide
	 * before they write, so one that fires (the CHECK on install_count
	 * above all) is a bug to see, never a normal refusal */
	if (db_last_fail == DB_FAIL_DOWN || (def->quiet != NULL &&
	    strcmp(def->quiet, db_last_state) == 0))
		return;
	log_msg(db_last_fail == DB_FAIL_SQL ? LOG_ERROR : LOG_WARN,
	    "db: %s: %s: %s %s", def->name, db_strfail(db_last_fail),
	    db_last_state, db_last_msg);
}

/* Sends def and waits for its result by db_end_ms; NULL on failure, with
 * *late set when the answer did not come in time. */
static PGresult *
db_call(const struct db_stmt_def *def, int n, const char *const *values,
    int *late)
{
	*late = 0;
	if (!PQsendQueryPrepared(db->conn, def->name, n, values, NULL, NULL, 0))
		return NULL;
	return db_result(late);
}

/* Runs st; returns its result, or NULL with db_last_fail set. */
static PGresult *
db_run(enum db_stmt st, int n, const char *const *values)
{
	const struct db_stmt_def *def = &db_stmts[st];
	PGresult *r;
	int attempt, late;

	db_last_fail = DB_FAIL_DOWN;
	db_last_state[0] = '\0';
	db_last_msg[0] = '\0';
	if (n != def->nparams) {
		log_error("db: %s wants %d parameters, got %d", def->name,
		    def->nparams, n);
		db_last_fail = DB_FAIL_SQL;
		return NULL;
	}
	db_end_ms = backoff_now_ms() + DB_REPLY_MS;
	for (attempt = 0; attempt < 2 && db_usable(); attempt++) {
		r = db_call(def, n, values, &late);
		if (PQresultStatus(r) == PGRES_TUPLES_OK) {
			db_last_fail = DB_FAIL_NONE;
			return r;
		}
		if (late) {
			log_warn("db: no answer to %s in %d ms", def->name,
			    DB_REPLY_MS);
			break;
		}
		if (PQstatus(db->conn) == CONNECTION_OK) {
			db_fail_sql(def, r);
			PQclear(r);
			break;
		}
		/* the connection died under us: a stale one after a server
		 * restart fails this way, so one fresh try is worth it when
		 * the statement may run twice */
		log_warn("db: connection lost during %s", def->name);
		PQclear(r);
		db_drop();
		db->next_try = 0;
		if (!def->retry)
			break;
	}
	metrics_db_error();
	return NULL;
}

static void
db_clear(void *r)
{
	PQclear(r);
}

int
db_all(struct arena *a, enum db_stmt st, int n, const char *const *values,
    void *rows, size_t size)
{
	PGresult *r;
	int got;

	memset(rows, 0, sizeof(void *));
	r = db_run(st, n, values);
	if (r == NULL)
		return -1;
	arena_cleanup(a, db_clear, r);
	got = db_decode(a, st, r, rows, size);
	if (got < 0) {
		db_last_fail = DB_FAIL_SQL;
		snprintf(db_last_msg, sizeof(db_last_msg), "unreadable answer");
	}
	return got;
}

int
db_one(struct arena *a, enum db_stmt st, int n, const char *const *values,
    void *row, size_t size)
{
	void *rows;
	int got;

	memset(row, 0, size);
	got = db_all(a, st, n, values, &rows, size);
	if (got > 0)
		memcpy(row, rows, size);
	return got > 0 ? 1 : got;
}

int
db_side_send(enum db_stmt st, int n, const char *const *values)
{
	const struct db_stmt_def *def = &db_stmts[st];
	struct db_pgconn *was = db;
	int rc = -1;

	db = &db_side;
	db_last_fail = DB_FAIL_DOWN;
	db_end_ms = backoff_now_ms() + DB_REPLY_MS;
	if (n != def->nparams) {
		log_error("db: %s wants %d parameters, got %d", def->name,
		    def->nparams, n);
		db_last_fail = DB_FAIL_SQL;
	} else if (db_usable()) {
		if (!db->prepared[st] && db_prepare((int)st) == 0)
			db->prepared[st] = 1;
		if (db->prepared[st] && PQsendQueryPrepared(db->conn,
		    def->name, n, values, NULL, NULL, 0))
			rc = 0;
		else
			db_drop();
	}
	db = was;
	return rc;
}

int
db_side_result(struct arena *a, enum db_stmt st, void *row, size_t size,
    int wait_ms)
{
	const struct db_stmt_def *def = &db_stmts[st];
	struct db_pgconn *was = db;
	PGresult *r = NULL;
	void *rows;
	int rc = -1, late;

	db = &db_side;
	memset(row, 0, size);
	db_last_fail = DB_FAIL_DOWN;
	if (db->conn == NULL)
		goto out;
	if (!PQconsumeInput(db->conn)) {
		log_warn("db: connection lost during %s", def->name);
		db_drop();
		goto out;
	}
	db_end_ms = backoff_now_ms() + wait_ms;
	if (PQisBusy(db->conn) && (wait_ms <= 0 || db_await() != 0)) {
		rc = 0;
		goto out;
	}
	/* the answer is in: what follows it comes at once */
	db_end_ms = backoff_now_ms() + DB_REPLY_MS;
	r = db_result(&late);
	if (PQresultStatus(r) == PGRES_TUPLES_OK) {
		arena_cleanup(a, db_clear, r);
		if (db_decode(a, st, r, &rows, size) > 0) {
			memcpy(row, rows, size);
			db_last_fail = DB_FAIL_NONE;
			rc = 1;
		} else {
			db_last_fail = DB_FAIL_SQL;
		}
		r = NULL;
	} else if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK) {
		db_fail_sql(def, r);
	} else {
		log_warn("db: connection lost during %s", def->name);
		db_drop();
	}
out:
	PQclear(r);
	if (rc < 0)
		metrics_db_error();
	db = was;
	return rc;
}

void
db_side_drop(void)
{
	struct db_pgconn *was = db;

	db = &db_side;
	db_drop();
	db = was;
}

enum db_outcome
db_named(int got, const void *key, int *n)
{
	*n = 0;
	if (got < 0)
		return DB_FAILED;
	if (got == 0)
		return DB_NOT_FOUND;
	*n = key != NULL ? got : 0;
	return DB_OK;
}

const char *
db_decision_name(enum db_decision d)
{
	return (unsigned int)d < DB_NDECISION ? db_decisions[d] : "";
}

enum db_fail
db_failure(void)
{
	return db_last_fail;
}

const char *
db_strfail(enum db_fail f)
{
	switch (f) {
	case DB_FAIL_NONE:
		return "no failure";
	case DB_FAIL_DOWN:
		return "database unavailable";
	case DB_FAIL_TIMEOUT:
		return "statement timeout";
	case DB_FAIL_LOCK:
		return "lock timeout";
	case DB_FAIL_SQL:
		return "statement failed";
	}
	return "statement failed";
}

const char *
db_sqlstate(void)
{
	return db_last_state;
}

const char *
db_message(void)
{
	return db_last_msg;
}

int
db_retried(enum db_stmt st)
{
	return db_stmts[st].retry;
}
