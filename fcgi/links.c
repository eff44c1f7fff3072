#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "crypt.h"
#include "domains.h"
#include "links.h"
#include "log.h"

int
links_limit_ok(const char *s, int *limit)
{
	long n;

	if (!valid_int(s, LINKS_LIMIT_MIN, LINKS_LIMIT_MAX, &n))
		return 0;
	*limit = (int)n;
	return 1;
}

int
links_status_ok(const char *s, int *status)
{
	long n;

	if (!valid_int(s, LINKS_DISABLED, LINKS_ACTIVE, &n) ||
	    (n != LINKS_ACTIVE && n != LINKS_DISABLED))
		return 0;
	*status = (int)n;
	return 1;
}

int
links_note_ok(const char *note)
{
	return valid_text(note, LINKS_NOTE_MAX);
}

int
links_expire_ok(const char *s, int *days)
{
	long n;

	if (!valid_int(s, 0, LINKS_EXPIRE_MAX, &n))
		return 0;
	*days = (int)n;
	return 1;
}

/* n as a statement's parameter in arena a; 0 is NULL. */
static const char *
links_num(struct arena *a, long long n)
{
	return n != 0 ? arena_printf(a, "%lld", n) : NULL;
}

enum db_outcome
links_create(struct arena *a, const struct config *cfg,
    long long provider_id, const char *code, int limit, int expire_days,
    const char *note, const struct links_target *t,
    const struct audit_actor *who, long long *id,
    char code_out[VALID_CODE_LEN + 1])
{
	struct db_link_added r;
	char hash[CRYPT_SHA256_HEX];
	const char *v[10 + AUDIT_PARAMS];
	int tries;

	v[0] = links_num(a, provider_id);
	v[1] = code_out;
	v[2] = arena_printf(a, "%d", limit);
	v[3] = note;
	v[4] = arena_printf(a, "%d", cfg->link_cap);
	v[5] = v[6] = v[7] = v[8] = NULL;
	v[9] = arena_printf(a, "%d", expire_days);
	if (t != NULL) {
		v[6] = domains_hash(a, t->domain, hash);
		v[5] = hash;
		v[7] = t->url;
		v[8] = t->title;
	}
	audit_values(who, v + 10);
	for (tries = 0; tries < LINKS_CODE_TRIES; tries++) {
		if (code != NULL)
			snprintf(code_out, VALID_CODE_LEN + 1, "%s", code);
		else if (crypt_random_string(code_out, VALID_CODE_LEN,
		    CRYPT_ALNUM) != 0)
			return DB_FAILED;
		if (DB_ONE(a, DB_LINK_ADD, v, &r) != 1)
			return DB_FAILED;
		if (r.outcome != DB_EXISTS || code != NULL) {
			*id = r.id;
			return r.outcome;
		}
	}
	log_error("links: no free install code after %d tries", tries);
	return DB_FAILED;
}

enum db_outcome
links_update(struct arena *a, long long provider_id, long long id,
    int limit, const char *note, int status, int expire_days,
    const struct audit_actor *who, struct db_link_updated *u)
{
	const char *v[6 + AUDIT_PARAMS] = { links_num(a, provider_id),
	    links_num(a, id), links_num(a, limit), note,
	    links_num(a, status),
	    expire_days >= 0 ? arena_printf(a, "%d", expire_days) : NULL };

	audit_values(who, v + 6);

	if (DB_ONE(a, DB_LINK_UPDATE, v, u) != 1)
		return DB_FAILED;
	return u->outcome;
}

int
links_list(struct arena *a, long long provider_id, long long id,
    const char *search, int limit, long offset, struct db_link **rows)
{
	const char *v[] = { links_num(a, provider_id), links_num(a, id),
	    search, arena_printf(a, "%d", limit),
	    arena_printf(a, "%ld", offset) };

	return DB_ALL(a, DB_LINK_LIST, v, rows);
}

long long
links_count(struct arena *a, long long provider_id, const char *search)
{
	struct db_count c;
	const char *v[] = { links_num(a, provider_id), search };

	return DB_ONE(a, DB_LINK_COUNT, v, &c) == 1 ? c.count : -1;
}

int
links_get(struct arena *a, long long provider_id, long long id,
    struct db_link *link)
{
	struct db_link *rows;
	int n;

	memset(link, 0, sizeof(*link));
	n = links_list(a, provider_id, id, NULL, 1, 0, &rows);
	if (n > 0)
		*link = rows[0];
	return n > 0 ? 1 : n;
}

int
links_target(struct arena *a, long long provider_id, long long id,
    struct db_target *t)
{
	const char *v[] = { links_num(a, provider_id), links_num(a, id) };

	return DB_ONE(a, DB_LINK_TARGET, v, t);
}

enum db_outcome
links_set_target(struct arena *a, long long provider_id, long long id,
    const struct links_target *t, const struct audit_actor *who)
{
	struct db_found f;
	char hash[CRYPT_SHA256_HEX];
	const char *label, *v[6 + AUDIT_PARAMS];

	label = domains_hash(a, t->domain, hash);
	v[0] = links_num(a, provider_id);
	v[1] = links_num(a, id);
	v[2] = t->url;
	v[3] = t->title;
	v[4] = hash;
	v[5] = label;
	audit_values(who, v + 6);
	if (DB_ONE(a, DB_LINK_SET_TARGET, v, &f) != 1)
		return DB_FAILED;
	return f.found ? DB_OK : DB_NOT_FOUND;
}

enum db_outcome
links_reset(struct arena *a, long long provider_id, const char *code,
    long long id, const struct audit_actor *who, struct db_link_reset *r)
{
	const char *v[3 + AUDIT_PARAMS] = { links_num(a, provider_id), code,
	    links_num(a, id) };

	audit_values(who, v + 3);

	if (DB_ONE(a, DB_LINK_RESET, v, r) != 1)
		return DB_FAILED;
	return r->outcome;
}

enum db_outcome
links_self_service(struct arena *a, long long provider_id, const char *code,
    long long id, enum links_self_action action,
    const struct audit_actor *who, char token[LINKS_SELF_TOKEN_LEN + 1])
{
	static const char *const actions[] = {
		[LINKS_SELF_CREATE] = "create",
		[LINKS_SELF_ROTATE] = "rotate",
		[LINKS_SELF_DISABLE] = "disable",
	};
	struct db_outcome_row r;
	char hash[CRYPT_SHA256_HEX];
	const char *v[5 + AUDIT_PARAMS];

	token[0] = '\0';
	hash[0] = '\0';
	if (action != LINKS_SELF_DISABLE) {
		if (crypt_random_string(token, LINKS_SELF_TOKEN_LEN,
		    CRYPT_KEYCHARS) != 0) {
			log_error("links: the random source failed");
			return DB_FAILED;
		}
		crypt_sha256_hex(token, strlen(token), hash);
	}
	v[0] = links_num(a, provider_id);
	v[1] = code;
	v[2] = links_num(a, id);
	v[3] = actions[action];
	v[4] = hash[0] != '\0' ? hash : NULL;
	audit_values(who, v + 5);
	if (DB_ONE(a, DB_SELF_SERVICE_SET, v, &r) != 1)
		return DB_FAILED;
	return r.outcome;
}

int
links_self_service_get(struct arena *a, long long provider_id, long long id,
    struct db_self_service *s)
{
	const char *v[] = { links_num(a, provider_id), links_num(a, id) };

	return DB_ONE(a, DB_SELF_SERVICE_GET, v, s);
}

/* The Host header when it is a plain host[:port], else NULL. */
static const char *
links_host(struct http *h)
{
	const char *host;
	size_t n;

	host = http_var(h, HTTP_VAR_HOST);
	if (host == NULL)
		host = http_var(h, HTTP_VAR_SERVER_NAME);
	if (host == NULL)
		return NULL;
	n = strspn(host, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789.-:[]");
	return n > 0 && n <= 255 && host[n] == '\0' ? host : NULL;
}

const char *
links_self_url(struct http *h, const char *token)
{
	const char *base = h->cfg->public_url, *host;
	size_t len;

	if (base[0] != '\0') {
		len = strlen(base);
		/* "https://example.com/" and "https://example.com" alike */
		if (base[len - 1] == '/')
			len--;
		return arena_printf(h->arena, "%.*s%s%s", (int)len, base,
		    LINKS_SELF_PATH, token);
	}
	host = links_host(h);
	return arena_printf(h->arena, "%s://%s%s%s", h->https ? "https" :
	    "http", host != NULL ? host : "localhost", LINKS_SELF_PATH,
	    token);
}
