#include <stddef.h>

#include "check.h"
#include "db.h"
#include "log.h"
#include "params.h"
#include "reply.h"
#include "valid.h"

/* A parameter that is present exactly once. */
static const char *
check_single(const struct http *h, const char *name)
{
	const struct param *p;

	p = params_find(&h->params, name);
	return p != NULL && p->count == 1 ? p->value : NULL;
}

void
check_install(struct http *h)
{
	const char *hash, *code, *hwid, *values[8];
	struct db_res *r = NULL;
	struct db_check c = { "", 0, 0 };

	hash = check_single(h, "id");
	code = check_single(h, "installid");
	if (h->params.status != PARAMS_OK || !valid_domain_hash(hash) ||
	    !valid_install_code(code))
		goto out;
	hwid = http_var(h, HTTP_VAR_HWID);
	values[0] = hash;
	values[1] = code;
	values[2] = valid_hwid(hwid) ? hwid : NULL;
	values[3] = valid_clean_text(h->arena,
	    http_var(h, HTTP_VAR_DEVICE_OS), VALID_META_MAX);
	values[4] = valid_clean_text(h->arena,
	    http_var(h, HTTP_VAR_VER_OS), VALID_META_MAX);
	values[5] = valid_clean_text(h->arena,
	    http_var(h, HTTP_VAR_DEVICE_MODEL), VALID_META_MAX);
	values[6] = valid_clean_text(h->arena,
	    http_var(h, HTTP_VAR_APP_VERSION), VALID_META_MAX);
	values[7] = valid_clean_text(h->arena,
	    http_var(h, HTTP_VAR_USER_AGENT), VALID_META_MAX * 2);
	r = db_exec(DB_CHECK, 8, values);
	if (r == NULL) {
		log_warn("check: %s: import:false, %s", code,
		    db_strfail(db_failure()));
		goto out;
	}
	if (db_rows(r) != 1 || db_check_row(db_get(r, 0, 0), &c) != 0)
		log_error("check: %s: import:false, an answer it cannot read",
		    code);
out:
	reply_check(h, c.providerid, c.status, c.admitted);
	db_free(r);
}

void
check_refuse(struct http *h, int status, const char *why)
{
	(void)status;
	(void)why;
	reply_check(h, "", 0, 0);
}

void
check_provider(struct http *h)
{
	struct json_object *o;
	struct db_res *r = NULL;
	const char *code;
	int status = 0;

	code = check_single(h, "id");
	if (h->params.status != PARAMS_OK || !valid_provider_code(code))
		goto out;
	r = db_exec(DB_PROVIDER_STATUS, 1, &code);
	if (r != NULL && db_rows(r) == 1)
		status = db_int(r, 0, 0) == 1;
out:
	o = json_object_new_object();
	json_object_object_add(o, "status", json_object_new_int(status));
	reply_json(h, o);
	db_free(r);
}

void
check_provider_refuse(struct http *h, int status, const char *why)
{
	struct json_object *o;

	(void)status;
	(void)why;
	h->status = 200;
	o = json_object_new_object();
	json_object_object_add(o, "status", json_object_new_int(0));
	reply_json(h, o);
}
