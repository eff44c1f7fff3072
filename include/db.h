#ifndef LL_DB_H
#define LL_DB_H

/* The worker's one PostgreSQL connection and its prepared statements.
 * Every statement is a call of a function defined in sql/; this module owns
 * their names and parameter counts, and handlers never see libpq. */

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

enum db_stmt {
	DB_CHECK,		/* ll_check(hash, code, hwid, os, osver, model,
				   appver, ua) as one record: db_check_row() */
	DB_PROVIDER_STATUS,	/* ll_provider_status(code) */
	DB_AUTH,		/* ll_auth(code) -> id, key_hash, status */
	DB_PROVIDER_ADD,	/* ll_provider_add(code, name, key_hash, cap) */
	DB_PROVIDER_LIST,	/* ll_provider_list() */
	DB_PROVIDER_SET_STATUS,	/* ll_provider_set_status(code, status) */
	DB_PROVIDER_SET_KEY,	/* ll_provider_set_key(code, key_hash) */
	DB_LINK_ADD,		/* ll_link_add(provider, code, limit, note, cap) */
	DB_LINK_UPDATE,		/* ll_link_update(provider, id, limit, note, status) */
	DB_LINK_LIST,		/* ll_link_list(provider, id, search, limit, offset) */
	DB_LINK_COUNT,		/* ll_link_count(provider, search) */
	DB_LINK_FIND,		/* ll_link_find(provider, code, id) */
	DB_DEVICE_LIST,		/* ll_device_list(provider, link, hwid) */
	DB_DEVICE_DELETE,	/* ll_device_delete(provider, link, hwid) */
	DB_DOMAIN_ADD,		/* ll_domain_add(provider, hash, name) */
	DB_DOMAIN_LIST,		/* ll_domain_list(provider) */
	DB_DOMAIN_DELETE,	/* ll_domain_delete(provider, id) */
	DB_SESSION_CREATE,	/* ll_session_create(token_hash, provider, csrf, ttl, addr) */
	DB_SESSION_GET,		/* ll_session_get(token_hash) */
	DB_SESSION_DELETE,	/* ll_session_delete(token_hash) */
	DB_SIGNIN_WAIT,		/* ll_signin_wait(addr) */
	DB_SIGNIN_FAILED,	/* ll_signin_failed(addr) */
	DB_LINK_TARGET,		/* ll_link_target(provider, id) */
	DB_LINK_SET_TARGET,	/* ll_link_set_target(provider, id, url, title) */
	DB_NSTMT
};

/* Why a call failed. DOWN, TIMEOUT and LOCK pass with time: the caller
 * answers "try again" (and the check import:false); SQL is a statement
 * that failed for a reason of its own. */
enum db_fail {
	DB_FAIL_NONE = 0,
	DB_FAIL_DOWN,		/* no connection (now or during the call) */
	DB_FAIL_TIMEOUT,	/* ran past statement_timeout, or was
				   cancelled (SQLSTATE 57014) */
	DB_FAIL_LOCK,		/* waited past lock_timeout (55P03) */
	DB_FAIL_SQL		/* the statement failed: see db_sqlstate() */
};

struct db_res;

/* Remembers conninfo and tries to connect once. Returns 0 when connected,
 * -1 when not (later calls keep retrying with backoff). */
int db_open(const char *conninfo);

/* Closes the connection. Safe to call twice. */
void db_close(void);

/* Runs statement st with n text parameters (NULL means SQL NULL).
 * Returns the rows, owned by the caller (db_free), or NULL on failure: then
 * db_failure() says why. While the database is unreachable it fails fast,
 * trying to reconnect at most once per backoff period. A statement marked
 * for retry runs once more on a fresh connection when the old one turns
 * out dead. The server's answers are awaited at most DB_REPLY_MS in all;
 * past that the connection is dropped and the call fails with
 * DB_FAIL_DOWN. A failed statement is logged here with its SQLSTATE and
 * message (a timeout or a lock wait as a warning, anything else as an
 * error), except the one SQLSTATE its statement expects (a taken
 * provider code, which the caller retries). */
struct db_res *db_exec(enum db_stmt st, int n, const char *const *values);

/* Why the last db_exec() failed. */
enum db_fail db_failure(void);

/* A few words for f, to log: "database unavailable", "statement timeout",
 * "lock timeout", "statement failed". Cannot fail. */
const char *db_strfail(enum db_fail f);

/* SQLSTATE of the last failed statement ("" when none), and its message. */
const char *db_sqlstate(void);
const char *db_message(void);

/* Rows in r. */
int db_rows(const struct db_res *r);

/* Value at row, col as text ("" for NULL); valid until db_free(r). */
const char *db_get(const struct db_res *r, int row, int col);

/* Whether the value at row, col is NULL. */
int db_isnull(const struct db_res *r, int row, int col);

/* Value at row, col as an int (0 for NULL or non-numbers). */
int db_int(const struct db_res *r, int row, int col);

/* Value at row, col as a boolean ('t'). */
int db_bool(const struct db_res *r, int row, int col);

/* The check's answer, from the one value DB_CHECK returns. */
struct db_check {
	char	providerid[9];	/* [A-Za-z0-9]{0,8}, NUL-terminated */
	int	status;		/* the link's status, 0 when unknown */
	int	admitted;	/* import */
};

/* Decodes s, ll_check()'s record as PostgreSQL writes it in text:
 * "(Ab12Cd34,10,t)", or ("",0,f) for an unknown link. Returns 0, or -1
 * when s is anything else (c is then the refusal of an unknown link).
 * Pure; cannot fail otherwise. */
int db_check_row(const char *s, struct db_check *c);

/* Frees r; NULL is a no-op. */
void db_free(struct db_res *r);

#endif
