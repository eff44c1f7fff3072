#ifndef LL_PAGE_TABLE_H
#define LL_PAGE_TABLE_H

#include "csv.h"
#include "page.h"
#include "valid.h"

/* The tables of the account's pages and their CSV downloads, written one
 * way for all: a table is headed by its title (with how many rows it has
 * and a link to its download, when it has them), says so when it has no
 * row, and heads its columns; a download is named, checks its period and
 * starts with a row that names its columns. The rows are each page's. */

#define PAGE_TABLE_COLS	8	/* columns of a table, at most */

/* A table of an account page. */
struct page_table {
	const char	*card;		/* the classes of its own card after
					   "card flush" ("" for none), or
					   NULL: it goes in the caller's */
	const char	*id;		/* its card's id, or NULL */
	const char	*title;		/* its heading, or NULL for none */
	int		 counted;	/* the heading says how many rows */
	int		 minor;		/* an h3 under its card's h2 */
	const char	*cls;		/* the table's class */
	const char	*heads[PAGE_TABLE_COLS]; /* the columns' heads (HTML of
					   ours), up to a NULL */
	const char	*empty;		/* what it says with no row */
};

/* Appends a heading: title as an h2 (an h3 when minor), with count n
 * unless n < 0, and a link to the CSV download at csv (a path of ours,
 * escaped here) beside it unless csv is NULL. Cannot fail. */
void page_table_heading(struct page *p, int minor, const char *title, int n,
    const char *csv);

/* Appends the start of table t of n rows: its card when it has one, its
 * heading (see page_table_heading(); csv may be NULL), then the heads of
 * its columns when n > 0, else what t->empty says. Returns whether rows
 * follow (n > 0); either way page_table_end() ends it. Cannot fail. */
int page_table_begin(struct page *p, const struct page_table *t, int n,
    const char *csv);

/* Appends the end of table t of n rows and, when it had rows, hint under
 * it (text; NULL for none), then closes its card when it has one. Cannot
 * fail. */
void page_table_end(struct page *p, const struct page_table *t, int n,
    const char *hint);

/* The period a download asks for with ?from= and ?to=, as page_period()
 * reads it, into from and to. Returns 0, or -1 once it has answered 400
 * for a period that is wrong. Cannot fail. */
int page_table_period(struct page *p, char from[VALID_DATE_LEN + 1],
    char to[VALID_DATE_LEN + 1]);

/* Starts a CSV download named name ("limited-links-days-...csv", of
 * letters, digits, '-' and '.') as the answer, its rows to be written
 * through c, the first of them the n names of cols. Cannot fail. */
void page_table_csv(struct page *p, struct csv *c, const char *name,
    const char *const cols[], size_t n);

#endif
