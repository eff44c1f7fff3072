#include <limits.h>
#include <string.h>

#include <json-c/json.h>

#include "audit.h"
#include "csv.h"
#include "html.h"
#include "page.h"
#include "page_activity.h"

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
	switch (audit_list(p->a, p->s.provider_id, link, from, to,
	    PAGE_ACTIVITY_MAX, &r, &n)) {
	case DB_OK:
		break;
	case DB_NOT_FOUND:
		page_not_found(p);
		return;
	default:
		page_failed(p);
		return;
	}
	link_s = link != 0 ? arena_printf(p->a, "%lld", link) : NULL;
	page_begin(p, err != NULL ? 400 : 200, "Activity", "activity");
	html_printf(p->b, "<div class=\"head\"><div><h1>Activity</h1>"
	    "<p class=\"sub\">Who changed what in your account%s from %s to "
	    "%s (UTC), newest first: through the API, in a web session, or "
	    "by the server's operator.</p></div></div>\n", link != 0 ?
	    arena_printf(p->a, " on link %lld", link) : "", from, to);
	if (err != NULL)
		html_flash(p->b, "error", err);
	page_period_form(p, "/account/activity", from, to,
	    link_s != NULL ? "link" : NULL, link_s);
	html_printf(p->b, "<section class=\"card flush\" id=\"audit\">"
	    "<div class=\"card-head\"><h2>Actions <span class=\"count\">%d"
	    "</span></h2><a class=\"csv\" href=\"/account/activity.csv?"
	    "from=%s&amp;to=%s%s%s\" download>CSV</a></div>\n", n, from, to,
	    link_s != NULL ? "&amp;link=" : "", link_s);
	if (n == 0) {
		buf_puts(p->b, "<p class=\"empty\">Nothing was changed in this "
		    "period.</p></section>\n");
		html_end(p->b);
		return;
	}
	buf_puts(p->b, "<table class=\"audit\"><thead><tr><th>Date (UTC)"
	    "</th><th>Who</th><th>Action</th><th>Target</th><th>Change</th>"
	    "<th>Address</th></tr></thead><tbody>\n");
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
	buf_puts(p->b, "</tbody></table>\n");
	if (n == PAGE_ACTIVITY_MAX)
		html_printf(p->b, "<p class=\"hint pad\">The newest %d actions "
		    "are shown; the CSV holds more.</p>", PAGE_ACTIVITY_MAX);
	buf_puts(p->b, "</section>\n");
	html_end(p->b);
}

void
page_activity_csv(struct page *p)
{
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
	if (page_period(p, from, to) != NULL) {
		page_message(p, 400, "Bad request", "from and to must be dates "
		    "YYYY-MM-DD, from not after to, at most 366 days apart.");
		return;
	}
	switch (audit_list(p->a, p->s.provider_id, link, from, to,
	    PAGE_ACTIVITY_CSV_MAX, &r, &n)) {
	case DB_OK:
		break;
	case DB_NOT_FOUND:
		page_not_found(p);
		return;
	default:
		page_failed(p);
		return;
	}
	csv_init(&c, page_csv(p, arena_printf(p->a,
	    "limited-links-activity-%s-%s.csv", from, to)));
	csv_text(&c, "date");
	csv_text(&c, "actor");
	csv_text(&c, "action");
	csv_text(&c, "target");
	csv_text(&c, "before");
	csv_text(&c, "after");
	csv_text(&c, "address");
	csv_end(&c);
	for (i = 0; i < n; i++) {
		csv_text(&c, r[i].date);
		csv_text(&c, r[i].actor);
		csv_text(&c, r[i].action);
		csv_text(&c, r[i].target);
		csv_text(&c, r[i].before);
		csv_text(&c, r[i].after);
		csv_text(&c, r[i].address);
		csv_end(&c);
	}
}
