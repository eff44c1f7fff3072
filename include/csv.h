#ifndef LL_CSV_H
#define LL_CSV_H

#include "arena.h"

/* CSV for the web account's downloads (RFC 4180: fields separated by
 * commas, rows ended by CRLF, a field holding a comma, a quote or a line
 * break quoted, quotes doubled). HWIDs, device models and notes come
 * from outside: a text a spreadsheet would run as a formula (one that
 * starts with = + - @, a tab or a carriage return) is written with a
 * single quote before it. Pure: writes into a struct buf. */

struct csv {
	struct buf	*b;
	int		 col;		/* fields in the row so far */
};

/* Starts writing rows into b. Cannot fail. */
void csv_init(struct csv *c, struct buf *b);

/* Appends a text field (NULL: empty). Cannot fail. */
void csv_text(struct csv *c, const char *s);

/* Appends a number field. Cannot fail. */
void csv_num(struct csv *c, long long n);

/* Ends the row. Cannot fail. */
void csv_end(struct csv *c);

/* Appends the n texts of v as fields (NULL: empty) and ends the row.
 * Cannot fail. */
void csv_row(struct csv *c, const char *const v[], size_t n);

/* csv_row() of the texts listed: CSV_ROW(&c, r->date, r->hwid). */
#define CSV_ROW(c, ...) \
	csv_row((c), (const char *const []){ __VA_ARGS__ }, \
	    sizeof((const char *const []){ __VA_ARGS__ }) / sizeof(char *))

#endif
