#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "admin.h"
#include "arena.h"
#include "db.h"
#include "providers.h"
#include "valid.h"

/* Prints o as one line of JSON and frees it. */
static void
admin_print(struct json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* Says on stderr why "provider what" failed; 1, the exit status. */
static int
admin_failed(const char *what, enum db_outcome r, const char *code)
{
	if (r == DB_NOT_FOUND && code != NULL)
		fprintf(stderr, "provider %s: no provider %s\n", what, code);
	else if (r == DB_EXISTS)
		fprintf(stderr, "provider %s: no free provider code\n", what);
	else if (db_failure() == DB_FAIL_NONE)
		fprintf(stderr, "provider %s: the random source failed\n",
		    what);
	else
		fprintf(stderr, "provider %s: %s\n", what,
		    db_failure() == DB_FAIL_DOWN ? "database unreachable" :
		    db_message());
	return 1;
}

static int
admin_add(struct arena *a, const struct config *cfg, const char *name)
{
	struct json_object *o;
	char code[VALID_PROVIDER_LEN + 1], key[VALID_KEY_LEN + 1];
	enum db_outcome r;

	if (!providers_name_ok(name)) {
		fprintf(stderr, "provider add: NAME must be 1 to %d "
		    "printable characters\n", PROVIDERS_NAME_MAX);
		return 1;
	}
	r = providers_add(a, cfg, name, code, key);
	if (r != DB_OK)
		return admin_failed("add", r, NULL);
	o = json_object_new_object();
	json_object_object_add(o, "provider_code", json_object_new_string(code));
	json_object_object_add(o, "auth_key", json_object_new_string(key));
	admin_print(o);
	return 0;
}

static int
admin_list(struct arena *a)
{
	struct json_object *o;
	struct db_provider *p;
	int i, n;

	n = providers_list(a, &p);
	if (n < 0)
		return admin_failed("list", DB_FAILED, NULL);
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "provider_code",
		    json_object_new_string(p[i].code));
		json_object_object_add(o, "name",
		    json_object_new_string(p[i].name));
		json_object_object_add(o, "status", json_object_new_string(
		    p[i].status == 1 ? "active" : "disabled"));
		json_object_object_add(o, "links",
		    json_object_new_int((int)p[i].links));
		json_object_object_add(o, "created_at",
		    json_object_new_string(p[i].created_at));
		admin_print(o);
	}
	return 0;
}

static int
admin_change(struct arena *a, const struct config *cfg, const char *verb,
    const char *code)
{
	struct json_object *o;
	char key[VALID_KEY_LEN + 1];
	enum db_outcome r;
	int rotate, enable;

	if (!valid_provider_code(code)) {
		fprintf(stderr, "provider %s: CODE must be 8 letters or "
		    "digits\n", verb);
		return 1;
	}
	rotate = strcmp(verb, "rotate-key") == 0;
	enable = strcmp(verb, "enable") == 0;
	r = rotate ? providers_rotate_key(a, cfg, code, key) :
	    providers_set_active(a, code, enable);
	if (r != DB_OK)
		return admin_failed(verb, r, code);
	o = json_object_new_object();
	json_object_object_add(o, "provider_code", json_object_new_string(code));
	if (rotate)
		json_object_object_add(o, "auth_key",
		    json_object_new_string(key));
	else
		json_object_object_add(o, "status", json_object_new_string(
		    enable ? "active" : "disabled"));
	admin_print(o);
	return 0;
}

int
admin_provider(const struct config *cfg, int argc, char **argv)
{
	struct arena *a;
	int rc = 2;

	if (argc < 1)
		goto usage;
	if (db_open(cfg->database) != 0) {
		fprintf(stderr, "provider: cannot connect to the database\n");
		return 1;
	}
	a = arena_new();
	if (strcmp(argv[0], "add") == 0 && argc == 2)
		rc = admin_add(a, cfg, argv[1]);
	else if (strcmp(argv[0], "list") == 0 && argc == 1)
		rc = admin_list(a);
	else if ((strcmp(argv[0], "disable") == 0 ||
	    strcmp(argv[0], "enable") == 0 ||
	    strcmp(argv[0], "rotate-key") == 0) && argc == 2)
		rc = admin_change(a, cfg, argv[0], argv[1]);
	arena_free(a);
	db_close();
	if (rc != 2)
		return rc;
usage:
	fprintf(stderr, "usage: provider add NAME | list | disable CODE | "
	    "enable CODE | rotate-key CODE\n");
	return 2;
}
