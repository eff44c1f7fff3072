#ifndef LL_DEVICES_H
#define LL_DEVICES_H

#include "arena.h"
#include "audit.h"
#include "db.h"

/* The devices that hold a slot on a provider's links: the check that
 * admits them, and what the provider sees and frees of them, for the API
 * and the web account alike. Each action is one statement. A link is
 * named by its install code, its id, or both (then both must fit); a
 * link of another provider is not found. */

/* What the app tells about a device when it checks a link. Any of it but
 * hash and code may be NULL; the hwid must be a valid one or NULL. */
struct devices_seen {
	const char	*hash;		/* the domain hash the app sent */
	const char	*code;		/* the install code */
	const char	*hwid;
	const char	*os;
	const char	*os_version;
	const char	*model;
	const char	*app_version;
	const char	*user_agent;
};

/* May the device in d add its link? Takes a slot when it may and has
 * none (atomically: see sql/functions/check.sql). Fills *answer, whose
 * texts live in arena a. Returns 0, or -1 when the statement failed
 * (db_failure() says why; logged by db.c). */
int devices_admit(struct arena *a, const struct devices_seen *d,
    struct db_check *answer);

/* The devices on the provider's link named by code and/or link_id (NULL
 * and 0 for none), newest first, only hwid when it is not NULL. Stores
 * the rows (in arena a) in *rows and their number in *n. Returns DB_OK,
 * DB_NOT_FOUND when the provider has no such link, or DB_FAILED
 * (db_failure() says why). */
enum db_outcome devices_list(struct arena *a, long long provider_id,
    const char *code, long long link_id, const char *hwid,
    struct db_device **rows, int *n);

/* Deletes the device hwid from the provider's link named by code and/or
 * link_id and frees its slot; who did it goes into the audit trail in
 * the same statement. Stores the link's id and its install count
 * after it in *gone. Returns DB_OK, DB_NOT_FOUND (no such link),
 * DB_NO_DEVICE (the device holds no slot on it), or DB_FAILED. Not
 * run twice on a lost connection: a second run would answer
 * DB_NO_DEVICE. */
enum db_outcome devices_delete(struct arena *a, long long provider_id,
    const char *code, long long link_id, const char *hwid,
    const struct audit_actor *who, struct db_device_deleted *gone);

/* The self-service page behind the token whose SHA-256 is token_hash: its
 * link's count and limit, when its next release may be (cooldown hours
 * after the last), and its devices, newest first, into *rows (a link
 * without devices is one row with NULL device texts); *n gets the
 * devices. Returns DB_OK, DB_NOT_FOUND (no such page, or its provider is
 * disabled) or DB_FAILED. */
enum db_outcome devices_self_list(struct arena *a, const char *token_hash,
    int cooldown, struct db_self_device **rows, int *n);

/* Frees the slot of device hwid through the self-service page whose
 * token hashes to token_hash, at most once per cooldown hours per link,
 * in one statement with its device.released event and its audit row, as
 * who's (the end user: AUDIT_SELF, from their address). Fills *r. Returns
 * DB_OK, DB_NOT_FOUND, DB_OFF (cooldown is 0), DB_COOLDOWN (r->next says
 * when), DB_NO_DEVICE or DB_FAILED. Not run twice on a lost connection. */
enum db_outcome devices_self_release(struct arena *a, const char *token_hash,
    const char *hwid, int cooldown, const struct audit_actor *who,
    struct db_self_released *r);

/* Frees the slots of devices whose links' expire_days have passed since
 * their last check, up to max links in one statement, each with its
 * device.expired event and its audit row (AUDIT_SERVER's). Returns the
 * devices freed, or -1. */
int devices_expire(struct arena *a, int max);

#endif
