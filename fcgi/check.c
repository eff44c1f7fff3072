#include <stddef.h>

#include "check.h"
#include "counters.h"
#include "db.h"
#include "devices.h"
#include "log.h"
#include "metrics.h"
#include "params.h"
#include "providers.h"
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
	struct devices_seen d = { NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	    NULL };
	/* a request too malformed to look a link up concerns no link */
	struct db_check answer = { NULL, 0, 0, DB_REFUSED_UNKNOWN, 0, 0 };
	const char *hwid;
	int decided = 1;

	d.hash = check_single(h, "id");
	d.code = check_single(h, "installid");
	if (h->params.status != PARAMS_OK || !valid_domain_hash(d.hash) ||
	    !valid_install_code(d.code))
		goto out;
	hwid = http_var(h, HTTP_VAR_HWID);
	d.hwid = valid_hwid(hwid) ? hwid : NULL;
	d.os = valid_clean_text(h->arena, http_var(h, HTTP_VAR_DEVICE_OS),
	    VALID_META_MAX);
	d.os_version = valid_clean_text(h->arena, http_var(h, HTTP_VAR_VER_OS),
	    VALID_META_MAX);
	d.model = valid_clean_text(h->arena,
	    http_var(h, HTTP_VAR_DEVICE_MODEL), VALID_META_MAX);
	d.app_version = valid_clean_text(h->arena,
	    http_var(h, HTTP_VAR_APP_VERSION), VALID_META_MAX);
	d.user_agent = valid_clean_text(h->arena,
	    http_var(h, HTTP_VAR_USER_AGENT), VALID_META_MAX * 2);
	/* the answer given is the check's record; why it failed is db.c's */
	if (devices_admit(h->arena, &d, &answer) != 0) {
		log_warn("check: %s: import:false, %s", d.code,
		    db_strfail(db_failure()));
		decided = 0;
	}
out:
	reply_check(h, answer.providerid, answer.status, answer.admitted);
	if (decided) {
		counters_check(&d, &answer);
		metrics_decision(answer.decision);
	}
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
	const char *code;
	int active = 0;

	code = check_single(h, "id");
	if (h->params.status == PARAMS_OK)
		active = providers_active(h->arena, code) == 1;
	o = reply_object(h);
	json_object_object_add(o, "status", json_object_new_int(active));
	reply_json(h, o);
}

void
check_provider_refuse(struct http *h, int status, const char *why)
{
	struct json_object *o;

	(void)status;
	(void)why;
	h->status = 200;
	o = reply_object(h);
	json_object_object_add(o, "status", json_object_new_int(0));
	reply_json(h, o);
}
