#include <stddef.h>

#include "audit.h"
#include "devices.h"

/* A number as a statement's parameter, in a; 0 is NULL (no such id). */
static const char *
devices_id(struct arena *a, long long id)
{
	return id != 0 ? arena_printf(a, "%lld", id) : NULL;
}

int
devices_admit(struct arena *a, const struct devices_seen *d,
    struct db_check *answer)
{
	const char *v[] = { d->hash, d->code, d->hwid, d->os, d->os_version,
	    d->model, d->app_version, d->user_agent };

	/* no row is no answer: refused, as a failure is */
	return DB_ONE(a, DB_CHECK, v, answer) < 0 ? -1 : 0;
}

enum db_outcome
devices_list(struct arena *a, long long provider_id, const char *code,
    long long link_id, const char *hwid, struct db_device **rows, int *n)
{
	struct db_device *all;
	const char *v[] = { devices_id(a, provider_id), code,
	    devices_id(a, link_id), hwid };
	enum db_outcome r;
	int got;

	got = DB_ALL(a, DB_DEVICE_LIST, v, &all);
	/* a link without the devices asked for is one row without one */
	r = db_named(got, got > 0 ? all[0].hwid : NULL, n);
	*rows = *n > 0 ? all : NULL;
	return r;
}

enum db_outcome
devices_delete(struct arena *a, long long provider_id, const char *code,
    long long link_id, const char *hwid, const struct audit_actor *who,
    struct db_device_deleted *gone)
{
	const char *v[4 + AUDIT_PARAMS] = { devices_id(a, provider_id), code,
	    devices_id(a, link_id), hwid };

	audit_values(who, v + 4);

	if (DB_ONE(a, DB_DEVICE_DELETE, v, gone) != 1)
		return DB_FAILED;
	return gone->outcome;
}

enum db_outcome
devices_self_list(struct arena *a, const char *token_hash, int cooldown,
    struct db_self_device **rows, int *n)
{
	const char *v[] = { token_hash, arena_printf(a, "%d", cooldown) };
	int got;

	got = DB_ALL(a, DB_SELF_DEVICES, v, rows);
	/* a page without devices is one row, the link's alone */
	return db_named(got, got > 0 ? (*rows)[0].hwid : NULL, n);
}

enum db_outcome
devices_self_release(struct arena *a, const char *token_hash,
    const char *hwid, int cooldown, const struct audit_actor *who,
    struct db_self_released *r)
{
	const char *v[3 + AUDIT_PARAMS] = { token_hash, hwid,
	    arena_printf(a, "%d", cooldown) };

	audit_values(who, v + 3);

	if (DB_ONE(a, DB_SELF_RELEASE, v, r) != 1)
		return DB_FAILED;
	return r->outcome;
}

int
devices_expire(struct arena *a, int max)
{
	struct db_number freed;
	const char *v[] = { arena_printf(a, "%d", max) };

	return DB_ONE(a, DB_EXPIRE_SWEEP, v, &freed) == 1 ? freed.value : -1;
}
