#include <stddef.h>

#include "audit.h"

void
audit_values(const struct audit_actor *who, const char **v)
{
	v[0] = who->kind;
	v[1] = who->session;
	v[2] = who->address;
}

enum db_outcome
audit_list(struct arena *a, long long provider_id, long long link_id,
    const char *from, const char *to, int limit, struct db_audit **rows,
    int *n)
{
	struct db_audit *all;
	const char *v[] = { arena_printf(a, "%lld", provider_id),
	    link_id != 0 ? arena_printf(a, "%lld", link_id) : NULL, from, to,
	    arena_printf(a, "%d", limit) };
	enum db_outcome r;
	int got;

	got = DB_ALL(a, DB_AUDIT_LIST, v, &all);
	/* nothing to show is one row without an action */
	r = db_named(got, got > 0 ? all[0].date : NULL, n);
	*rows = *n > 0 ? all : NULL;
	return r;
}
