#include <string.h>

#include "csv.h"

void
csv_init(struct csv *c, struct buf *b)
{
	c->b = b;
	c->col = 0;
}

void
csv_text(struct csv *c, const char *s)
{
	const char *q;

	if (c->col++ > 0)
		buf_puts(c->b, ",");
	if (s == NULL || *s == '\0')
		return;
	if (strpbrk(s, ",\"\r\n") == NULL && strchr("=+-@\t", *s) == NULL) {
		buf_puts(c->b, s);
		return;
	}
	buf_puts(c->b, "\"");
	/* a formula's first character is text, not an operator */
	if (strchr("=+-@\t\r", *s) != NULL)
		buf_puts(c->b, "'");
	for (q = s; *q != '\0'; q++) {
		if (*q == '"')
			buf_puts(c->b, "\"");
		buf_append(c->b, q, 1);
	}
	buf_puts(c->b, "\"");
}

void
csv_num(struct csv *c, long long n)
{
	if (c->col++ > 0)
		buf_puts(c->b, ",");
	buf_printf(c->b, "%lld", n);
}

void
csv_end(struct csv *c)
{
	buf_puts(c->b, "\r\n");
	c->col = 0;
}

void
csv_row(struct csv *c, const char *const v[], size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		csv_text(c, v[i]);
	csv_end(c);
}
