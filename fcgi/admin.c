#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "admin.h"
#include "crypt.h"
#include "db.h"
#include "valid.h"

#define ADMIN_CODE_TRIES 8	/* fresh provider codes tried on collision */

static void
admin_print(struct json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static int
admin_new_key(const struct config *cfg, char key[VALID_KEY_LEN + 1],
    char hash[CRYPT_SHA256_HEX])
{
	if (crypt_random_string(key, VALID_KEY_LEN, CRYPT_KEYCHARS) != 0)
		return -1;
	crypt_key_hash(cfg->secret, sizeof(cfg->secret), key, hash);
	return 0;
}

static void
admin_db_error(const char *what)
{
	fprintf(stderr, "provider %s: %s\n", what,
	    db_failure() == DB_FAIL_DOWN ? "database unreachable" :
	    db_message());
}

static int
admin_add(const struct config *cfg, const char *name)
{
	struct json_object *o;
	struct db_res *r = NULL;
	const char *values[4];
	char code[VALID_PROVIDER_LEN + 1], key[VALID_KEY_LEN + 1];
	char hash[CRYPT_SHA256_HEX];
	int i, rc = 1;

	if (!valid_utf8_text(name) || strlen(name) == 0 || strlen(name) > 255) {
		fprintf(stderr, "provider add: NAME must be 1 to 255 "
		    "printable characters\n");
		goto out;
	}
	if (admin_new_key(cfg, key, hash) != 0)
		goto out;
	for (i = 0; i < ADMIN_CODE_TRIES; i++) {
		if (crypt_random_string(code, VALID_PROVIDER_LEN,
		    CRYPT_ALNUM) != 0)
			goto out;
		values[0] = code;
		values[1] = name;
		values[2] = hash;
		values[3] = NULL;
		r = db_exec(DB_PROVIDER_ADD, 4, values);
		if (r != NULL || strcmp(db_sqlstate(), "23505") != 0)
			break;
	}
	if (r == NULL) {
		admin_db_error("add");
		goto out;
	}
	o = json_object_new_object();
	json_object_object_add(o, "provider_code", json_object_new_string(code));
	json_object_object_add(o, "auth_key", json_object_new_string(key));
	admin_print(o);
	rc = 0;
out:
	db_free(r);
	return rc;
}

static int
admin_list(void)
{
	struct json_object *o;
	struct db_res *r;
	int i;

	r = db_exec(DB_PROVIDER_LIST, 0, NULL);
	if (r == NULL) {
		admin_db_error("list");
		return 1;
	}
	for (i = 0; i < db_rows(r); i++) {
		o = json_object_new_object();
		json_object_object_add(o, "provider_code",
		    json_object_new_string(db_get(r, i, 0)));
		json_object_object_add(o, "name",
		    json_object_new_string(db_get(r, i, 1)));
		json_object_object_add(o, "status", json_object_new_string(
		    db_int(r, i, 2) == 1 ? "active" : "disabled"));
		json_object_object_add(o, "links",
		    json_object_new_int(db_int(r, i, 3)));
		json_object_object_add(o, "created_at",
		    json_object_new_string(db_get(r, i, 4)));
		admin_print(o);
	}
	db_free(r);
	return 0;
}

static int
admin_change(const struct config *cfg, const char *verb, const char *code)
{
	struct json_object *o;
	struct db_res *r = NULL;
	const char *values[2];
	char key[VALID_KEY_LEN + 1], hash[CRYPT_SHA256_HEX];
	int rc = 1;

	if (!valid_provider_code(code)) {
		fprintf(stderr, "provider %s: CODE must be 8 letters or "
		    "digits\n", verb);
		goto out;
	}
	values[0] = code;
	if (strcmp(verb, "rotate-key") == 0) {
		if (admin_new_key(cfg, key, hash) != 0)
			goto out;
		values[1] = hash;
		r = db_exec(DB_PROVIDER_SET_KEY, 2, values);
	} else {
		values[1] = strcmp(verb, "enable") == 0 ? "1" : "0";
		r = db_exec(DB_PROVIDER_SET_STATUS, 2, values);
	}
	if (r == NULL) {
		admin_db_error(verb);
		goto out;
	}
	if (!db_bool(r, 0, 0)) {
		fprintf(stderr, "provider %s: no provider %s\n", verb, code);
		goto out;
	}
	o = json_object_new_object();
	json_object_object_add(o, "provider_code", json_object_new_string(code));
	if (strcmp(verb, "rotate-key") == 0)
		json_object_object_add(o, "auth_key",
		    json_object_new_string(key));
	else
		json_object_object_add(o, "status", json_object_new_string(
		    values[1][0] == '1' ? "active" : "disabled"));
	admin_print(o);
	rc = 0;
out:
	db_free(r);
	return rc;
}

int
admin_provider(const struct config *cfg, int argc, char **argv)
{
	int rc = 2;

	if (argc < 1)
		goto usage;
	if (db_open(cfg->database) != 0) {
		fprintf(stderr, "provider: cannot connect to the database\n");
		return 1;
	}
	if (strcmp(argv[0], "add") == 0 && argc == 2)
		rc = admin_add(cfg, argv[1]);
	else if (strcmp(argv[0], "list") == 0 && argc == 1)
		rc = admin_list();
	else if ((strcmp(argv[0], "disable") == 0 ||
	    strcmp(argv[0], "enable") == 0 ||
	    strcmp(argv[0], "rotate-key") == 0) && argc == 2)
		rc = admin_change(cfg, argv[0], argv[1]);
	db_close();
	if (rc != 2)
		return rc;
usage:
	fprintf(stderr, "usage: provider add NAME | list | disable CODE | "
	    "enable CODE | rotate-key CODE\n");
	return 2;
}
