#ifndef LL_AUDIT_H
#define LL_AUDIT_H

#include "arena.h"
#include "db.h"

/* The audit trail: who changed what in a provider's account. Every
 * management statement takes its actor as its last three parameters and
 * writes its audit row itself (sql/functions/audit.sql), so the services
 * only hand the actor on; this module also reads the trail back. */

#define AUDIT_API	"api"		/* a provider tool, by its auth key */
#define AUDIT_WEB	"web"		/* a web-account session */
#define AUDIT_OPERATOR	"operator"	/* limited-links provider ... */
#define AUDIT_SELF	"self-service"	/* a link's end user, on its
					   self-service page */
#define AUDIT_SERVER	"server"	/* the server itself: the expiry
					   sweep (sql/functions/devices.sql) */
#define AUDIT_LOCAL	"local"		/* the operator's address */
#define AUDIT_PARAMS	3		/* parameters an actor takes */

/* Who does an action. */
struct audit_actor {
	const char	*kind;		/* AUDIT_API, AUDIT_WEB,
					   AUDIT_OPERATOR or AUDIT_SELF */
	const char	*session;	/* a web session's token hash (only
					   its number is kept); else NULL */
	const char	*address;	/* the client's address */
};

/* Writes who's AUDIT_PARAMS values into v, in the order the management
 * statements take them. Cannot fail. */
void audit_values(const struct audit_actor *who, const char **v);

/* The provider's audit trail from day from to day to (YYYY-MM-DD, UTC,
 * inclusive), newest first, at most limit actions, only those on its link
 * link_id when that is not 0. Stores the rows (in arena a) in *rows and
 * their number in *n. Returns DB_OK, DB_NOT_FOUND (link_id is no link of
 * the provider's) or DB_FAILED (db_failure() says why). */
enum db_outcome audit_list(struct arena *a, long long provider_id,
    long long link_id, const char *from, const char *to, int limit,
    struct db_audit **rows, int *n);

#endif
