#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "db.h"
#include "log.h"

struct db_stmt_def {
	const char	*name;
	const char	*sql;
	int		 nparams;
	int		 retry;	/* safe to run again after a lost connection */
	const char	*quiet;	/* a SQLSTATE the caller handles: not logged */
};

static const struct db_stmt_def db_stmts[DB_NSTMT] = {
	/* called in the select list, not scanned in FROM: PostgreSQL sets
	 * up less for it (see sql/008_admission.sql) */
	[DB_CHECK] = { "check",
	    "SELECT ll_check($1, $2, $3, $4, $5, $6, $7, $8)", 8, 1, NULL },
	[DB_PROVIDER_STATUS] = { "provider_status",
	    "SELECT ll_provider_status($1)", 1, 1, NULL },
	[DB_AUTH] = { "auth",
	    "SELECT id, key_hash, status FROM ll_auth($1)", 1, 1, NULL },
	/* a taken code: admin.c draws another */
	[DB_PROVIDER_ADD] = { "provider_add",
	    "SELECT ll_provider_add($1, $2, $3, $4)", 4, 0, "23505" },
	[DB_PROVIDER_LIST] = { "provider_list",
	    "SELECT code, name, status, links, created_at "
	    "FROM ll_provider_list()", 0, 1, NULL },
	[DB_PROVIDER_SET_STATUS] = { "provider_set_status",
	    "SELECT ll_provider_set_status($1, $2::smallint)", 2, 1, NULL },
	[DB_PROVIDER_SET_KEY] = { "provider_set_key",
	    "SELECT ll_provider_set_key($1, $2)", 2, 1, NULL },
	[DB_LINK_ADD] = { "link_add",
	    "SELECT o_result, o_id FROM ll_link_add($1, $2, $3, $4, $5)", 5, 0, NULL },
	[DB_LINK_UPDATE] = { "link_update",
	    "SELECT o_result, o_code, o_count FROM "
	    "ll_link_update($1, $2, $3, $4, $5::smallint)", 5, 1, NULL },
	[DB_LINK_LIST] = { "link_list",
	    "SELECT id, install_code, install_limit, install_count, status, "
	    "note, created_at FROM ll_link_list($1, $2, $3, $4, $5)", 5, 1, NULL },
	[DB_LINK_COUNT] = { "link_count",
	    "SELECT ll_link_count($1, $2)", 2, 1, NULL },
	[DB_LINK_FIND] = { "link_find",
	    "SELECT id, install_code FROM ll_link_find($1, $2, $3)", 3, 1, NULL },
	[DB_DEVICE_LIST] = { "device_list",
	    "SELECT hwid, date, device_name, device_os, os_version, model, "
	    "app_version, user_agent, first_seen, last_seen "
	    "FROM ll_device_list($1, $2, $3)", 3, 1, NULL },
	[DB_DEVICE_DELETE] = { "device_delete",
	    "SELECT o_deleted, o_count FROM ll_device_delete($1, $2, $3)", 3, 1, NULL },
	[DB_DOMAIN_ADD] = { "domain_add",
	    "SELECT ll_domain_add($1, $2, $3)", 3, 1, NULL },
	[DB_DOMAIN_LIST] = { "domain_list",
	    "SELECT id, domain_name, domain_hash, status, created_at "
	    "FROM ll_domain_list($1)", 1, 1, NULL },
	[DB_DOMAIN_DELETE] = { "domain_delete",
	    "SELECT o_found, o_links FROM ll_domain_delete($1, $2)", 2, 1, NULL },
	[DB_SESSION_CREATE] = { "session_create",
	    "SELECT ll_session_create($1, $2, $3, $4, $5)", 5, 0, NULL },
	[DB_SESSION_GET] = { "session_get",
	    "SELECT provider_id, provider_code, csrf FROM ll_session_get($1)",
	    1, 1, NULL },
	[DB_SESSION_DELETE] = { "session_delete",
	    "SELECT ll_session_delete($1)", 1, 1, NULL },
	[DB_SIGNIN_WAIT] = { "signin_wait",
	    "SELECT ll_signin_wait($1)", 1, 1, NULL },
	[DB_SIGNIN_FAILED] = { "signin_failed",
	    "SELECT ll_signin_failed($1)", 1, 0, NULL },
	[DB_LINK_TARGET] = { "link_target",
	    "SELECT sub_url, title FROM ll_link_target($1, $2)", 2, 1, NULL },
	[DB_LINK_SET_TARGET] = { "link_set_target",
	    "SELECT ll_link_set_target($1, $2, $3, $4)", 4, 1, NULL },
};

static PGconn		*db_conn;
static char		*db_conninfo;
static int		 db_backoff_ms;
static struct timespec	 db_next_try;
static long long	 db_end_ms;	/* the current call's deadline */
static enum db_fail	 db_last_fail;
static char		 db_last_state[6];
static char		 db_last_msg[256];

static long long
db_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
db_drop(void)
{
	if (db_conn != NULL)
		PQfinish(db_conn);
	db_conn = NULL;
}

/* Waits until the connection has a whole result to give, or db_end_ms
 * passes. Returns -1 when time runs out, else 0: a broken connection
 * also returns 0, and PQgetResult() then reports it without waiting. */
static int
db_await(void)
{
	struct pollfd pfd;
	long long left;

	while (PQisBusy(db_conn)) {
		left = db_end_ms - db_now_ms();
		if (left <= 0)
			return -1;
		pfd.fd = PQsocket(db_conn);
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (pfd.fd < 0 ||
		    (poll(&pfd, 1, (int)left) < 0 && errno != EINTR) ||
		    !PQconsumeInput(db_conn))
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
		r = PQgetResult(db_conn);
		if (r == NULL)
			return last;
		PQclear(last);
		last = r;
	}
}

static int
db_prepare_all(void)
{
	PGresult *r;
	int i, late;

	for (i = 0; i < DB_NSTMT; i++) {
		r = NULL;
		if (PQsendPrepare(db_conn, db_stmts[i].name, db_stmts[i].sql,
		    db_stmts[i].nparams, NULL))
			r = db_result(&late);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			log_error("db: prepare %s: %s", db_stmts[i].name,
			    r != NULL ? PQresultErrorMessage(r) :
			    db_conn != NULL ? PQerrorMessage(db_conn) :
			    "no answer in time");
			PQclear(r);
			return -1;
		}
		PQclear(r);
	}
	return 0;
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
	const char *values[] = { DB_CONNECT_TIMEOUT, "limited-links",
	    "-c statement_timeout=" DB_STATEMENT_TIMEOUT
	    " -c lock_timeout=" DB_LOCK_TIMEOUT, db_conninfo, NULL };
	long long now;

	now = db_now_ms();
	if (now < (long long)db_next_try.tv_sec * 1000 +
	    db_next_try.tv_nsec / 1000000)
		return -1;
	db_drop();
	db_conn = PQconnectdbParams(keys, values, 1);
	PQsetNoticeProcessor(db_conn, db_notice, NULL);
	if (PQstatus(db_conn) != CONNECTION_OK)
		log_warn("db: cannot connect: %s", PQerrorMessage(db_conn));
	else if (db_prepare_all() == 0) {
		if (db_backoff_ms != 0)
			log_info("db: connected again");
		db_backoff_ms = 0;
		return 0;
	}
	db_drop();
	db_backoff_ms = db_backoff_ms == 0 ? DB_BACKOFF_MIN_MS :
	    db_backoff_ms * 2;
	if (db_backoff_ms > DB_BACKOFF_MAX_MS)
		db_backoff_ms = DB_BACKOFF_MAX_MS;
	now += db_backoff_ms;
	db_next_try.tv_sec = now / 1000;
	db_next_try.tv_nsec = (now % 1000) * 1000000;
	return -1;
}

int
db_open(const char *conninfo)
{
	free(db_conninfo);
	db_conninfo = strdup(conninfo);
	if (db_conninfo == NULL)
		return -1;
	db_next_try.tv_sec = 0;
	db_next_try.tv_nsec = 0;
	db_end_ms = db_now_ms() + DB_REPLY_MS;
	return db_connect();
}

void
db_close(void)
{
	db_drop();
	free(db_conninfo);
	db_conninfo = NULL;
}

/* A usable connection: reconnects a lost one. A connection that is not
 * idle (a call given up half-way) is dropped rather than rolled back, as
 * a ROLLBACK could wait on a server that does not answer. */
static int
db_usable(void)
{
	if (db_conn != NULL && (PQstatus(db_conn) != CONNECTION_OK ||
	    PQtransactionStatus(db_conn) != PQTRANS_IDLE))
		db_drop();
	return db_conn != NULL || db_connect() == 0;
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
	if (!PQsendQueryPrepared(db_conn, def->name, n, values, NULL, NULL, 0))
		return NULL;
	return db_result(late);
}

struct db_res *
db_exec(enum db_stmt st, int n, const char *const *values)
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
	db_end_ms = db_now_ms() + DB_REPLY_MS;
	for (attempt = 0; attempt < 2 && db_usable(); attempt++) {
		r = db_call(def, n, values, &late);
		if (PQresultStatus(r) == PGRES_TUPLES_OK ||
		    PQresultStatus(r) == PGRES_COMMAND_OK) {
			db_last_fail = DB_FAIL_NONE;
			return (struct db_res *)r;
		}
		if (late) {
			log_warn("db: no answer to %s in %d ms", def->name,
			    DB_REPLY_MS);
			break;
		}
		if (PQstatus(db_conn) == CONNECTION_OK) {
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
		db_next_try.tv_sec = 0;
		db_next_try.tv_nsec = 0;
		if (!def->retry)
			break;
	}
	return NULL;
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
db_rows(const struct db_res *r)
{
	return PQntuples((const PGresult *)r);
}

const char *
db_get(const struct db_res *r, int row, int col)
{
	return PQgetvalue((const PGresult *)r, row, col);
}

int
db_isnull(const struct db_res *r, int row, int col)
{
	return PQgetisnull((const PGresult *)r, row, col);
}

int
db_int(const struct db_res *r, int row, int col)
{
	return atoi(PQgetvalue((const PGresult *)r, row, col));
}

int
db_bool(const struct db_res *r, int row, int col)
{
	return PQgetvalue((const PGresult *)r, row, col)[0] == 't';
}

int
db_check_row(const char *s, struct db_check *c)
{
	size_t n = 0;
	int st = 0, digits = 0;

	c->providerid[0] = '\0';
	c->status = 0;
	c->admitted = 0;
	if (*s++ != '(')
		return -1;
	/* an empty text is written quoted, a NULL as nothing */
	if (s[0] == '"' && s[1] == '"')
		s += 2;
	else
		while (n < sizeof(c->providerid) - 1 &&
		    ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9')))
			c->providerid[n++] = *s++;
	c->providerid[n] = '\0';
	if (*s++ != ',')
		goto bad;
	for (; *s >= '0' && *s <= '9' && digits < 3; s++, digits++)
		st = st * 10 + (*s - '0');
	if (digits == 0 || *s++ != ',' || (*s != 't' && *s != 'f') ||
	    s[1] != ')' || s[2] != '\0')
		goto bad;
	c->status = st;
	c->admitted = *s == 't';
	return 0;
bad:
	c->providerid[0] = '\0';
	return -1;
}

void
db_free(struct db_res *r)
{
	PQclear((PGresult *)r);
}
