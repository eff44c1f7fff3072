#include <limits.h>
#include <string.h>

#include <json-c/json.h>

#include "audit.h"
#include "csv.h"
#include "html.h"
#include "page.h"
#include "page_activity.h"
#include "page_table.h"

#define PAGE_ACTIVITY_LINES	8	/* lines of one change shown */

/* Who, as the page says it: "api", "web:12", "operator", "self-service"
 * or "server". */
static const char *
page_activity_who(struct page *p, const char *actor)
{
	if (strcmp(actor, AUDIT_API) == 0)
		return "API (auth key)";
	if (strncmp(actor, AUDIT_WEB ":", strlen(AUDIT_WEB ":")) == 0)
		return arena_printf(p->a, "web session %s",
		    actor + strlen(AUDIT_WEB ":"));
	if (strcmp(actor, AUDIT_OPERATOR) == 0)
		return "server operator";
	if (strcmp(actor, AUDIT_SELF) == 0)
		return "end user (self-service page)";
	if (strcmp(actor, AUDIT_SERVER) == 0)
		return "server (expiry)";
	return actor;
}

/* A value of a change as text: a string as it is, null as a dash. */
static const char *
page_activity_value(struct json_object *v)
{
	if (v == NULL || json_object_is_type(v, json_type_null))
		return "—";
	if (json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
}

/* Appends what an action changed: each member of after with what it was
 * before when that differs (all of them for something new), then what
 * before had alone (something deleted). */
static void
page_activity_change(struct page *p, const char *before, const char *after)
{
	struct json_object *bo, *ao, *bv;
	int lines = 0;

	bo = before != NULL ? json_tokener_parse(before) : NULL;
	ao = after != NULL ? json_tokener_parse(after) : NULL;
	buf_puts(p->b, "<ul class=\"change\">");
	if (ao != NULL && json_object_is_type(ao, json_type_object)) {
		json_object_object_foreach(ao, key, av) {
			bv = NULL;
			if (bo != NULL && json_object_is_type(bo,
			    json_type_object) &&
			    !json_object_object_get_ex(bo, key, &bv))
				bv = NULL;
			if (bv != NULL && json_object_equal(bv, av))
				continue;
			if (lines++ == PAGE_ACTIVITY_LINES)
				break;
			if (bv != NULL)
				html_printf(p->b, "<li><b>%s</b> %s → %s</li>",
				    key, page_activity_value(bv),
				    page_activity_value(av));
			else
				html_printf(p->b, "<li><b>%s</b> %s</li>", key,
				    page_activity_value(av));
		}
	}
	if (bo != NULL && json_object_is_type(bo, json_type_object)) {
		json_object_object_foreach(bo, key, bv2) {
			if (ao != NULL && json_object_is_type(ao,
			    json_type_object) &&
			    json_object_object_get_ex(ao, key, NULL))
				continue;
			if (lines++ == PAGE_ACTIVITY_LINES)
				break;
			html_printf(p->b, "<li class=\"gone\"><b>%s</b> %s</li>",
			    key, page_activity_value(bv2));
		}
	}
	buf_puts(p->b, "</ul>");
	json_object_put(bo);
	json_object_put(ao);
}

/* The link asked for with ?link=: its id, 0 for none, -1 for a bad one. */
static long long
page_activity_link(struct page *p)
{
	const char *s;
	long id;

	s = page_param(p, "link");
	if (*s == '\0')
		return 0;
	return valid_int(s, 1, LONG_MAX, &id) ? id : -1;
}

/* The actions of the period from to of link (0: all), at most max, into
 * *r and *n. Returns 0, or -1 once it has answered 404 or the failure. */
static int
page_activity_rows(struct page *p, long long link, const char *from,
    const char *to, int max, struct db_audit **r, int *n)
{
	switch (audit_list(p->a, p->s.provider_id, link, from, to, max, r,
	    n)) {
	case DB_OK:
		return 0;
	case DB_NOT_FOUND:
		page_not_found(p);
		return -1;
	default:
		page_failed(p);
		return -1;
	}
}

static const struct page_table page_activity_table = {
	.card = "", .id = "audit", .title = "Actions", .counted = 1,
	.cls = "audit", .heads = { "Date (UTC)", "Who", "Action", "Target",
	    "Change", "Address" },
	.empty = "Nothing was changed in this period.",
};

void
page_activity_show(struct page *p)
{
	struct db_audit *r;
	char from[VALID_DATE_LEN + 1], to[VALID_DATE_LEN + 1];
	const char *err, *link_s;
	long long link;
	int i, n;

	err = page_period(p, from, to);
	link = page_activity_link(p);
	if (link < 0) {
		page_not_found(p);
		return;
	}
	if (page_activity_rows(p, link, from, to, PAGE_ACTIVITY_MAX, &r,
	    &n) != 0)
		return;
	link_s = link != 0 ? arena_printf(p->a, "%lld", link) : NULL;
	page_begin(p, err != NULL ? 400 : 200, "Activity", "activity");
	page_head(p, "Activity", arena_printf(p->a, "Who changed what in your "
	    "account%s from %s to %s (UTC), newest first: through the API, in "
	    "a web session, or by the server's operator.", link != 0 ?
	    arena_printf(p->a, " on link %lld", link) : "", from, to));
	if (err != NULL)
		html_flash(p->b, "error", err);
	page_period_form(p, "/account/activity", from, to,
	    link_s != NULL ? "link" : NULL, link_s);
	page_table_begin(p, &page_activity_table, n, arena_printf(p->a,
	    "/account/activity.csv?from=%s&to=%s%s%s", from, to,
	    link_s != NULL ? "&link=" : "", link_s != NULL ? link_s : ""));
	for (i = 0; i < n; i++) {
		html_printf(p->b, "<tr><td data-label=\"Date\" class=\"date\">"
		    "%s</td><td data-label=\"Who\">%s</td>"
		    "<td data-label=\"Action\"><code>%s</code></td>"
		    "<td data-label=\"Target\" class=\"note\">%s</td>"
		    "<td data-label=\"Change\">", r[i].date,
		    page_activity_who(p, r[i].actor), r[i].action, r[i].target);
		page_activity_change(p, r[i].before, r[i].after);
		html_printf(p->b, "</td><td data-label=\"Address\" "
		    "class=\"date\">%s</td></tr>\n", r[i].address);
	}
	page_table_end(p, &page_activity_table, n, n == PAGE_ACTIVITY_MAX ?
	    arena_printf(p->a, "The newest %d actions are shown; the CSV "
	    "holds more.", PAGE_ACTIVITY_MAX) : NULL);
	html_end(p->b);
}

void
page_activity_csv(struct page *p)
{
	static const char *const cols[] = { "date", "actor", "action",
	    "target", "before", "after", "address" };
	struct db_audit *r;
	struct csv c;
	char from[VALID_DATE_LEN + 1], to[VALID_DATE_LEN + 1];
	long long link;
	int i, n;

	link = page_activity_link(p);
	if (link < 0) {
		page_not_found(p);
		return;
	}
	if (page_table_period(p, from, to) != 0 || page_activity_rows(p, link,
	    from, to, PAGE_ACTIVITY_CSV_MAX, &r, &n) != 0)
		return;
	page_table_csv(p, &c, arena_printf(p->a,
	    "limited-links-activity-%s-%s.csv", from, to), cols,
	    sizeof(cols) / sizeof(cols[0]));
	for (i = 0; i < n; i++)
		CSV_ROW(&c, r[i].date, r[i].actor, r[i].action, r[i].target,
		    r[i].before, r[i].after, r[i].address);
}
