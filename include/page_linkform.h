#ifndef LL_PAGE_LINKFORM_H
#define LL_PAGE_LINKFORM_H

#include "links.h"
#include "page.h"

/* The fields the link forms share: the subscription URL and title that a
 * new link and a link's target form take, and the limit and note that a
 * new link and a link's settings take; their inputs and their checks,
 * which lean on the link service's rules. */

/* The fields, by their place in page_form.v: a new link takes all five,
 * a link's target the first two, its settings the last three. */
enum page_linkform_field {
	PAGE_F_URL,
	PAGE_F_TITLE,
	PAGE_F_LIMIT,
	PAGE_F_NOTE,
	PAGE_F_EXPIRE
};

/* Checks the URL and title of f as the final link will use them. Returns
 * 0 and fills *t (the URL to store, the title, and the text the app will
 * hash as its domain), or -1 with f->error and f->bad set. */
int page_linkform_target(struct page *p, struct page_form *f,
    struct links_target *t);

/* Checks the limit, the note and the days of expiry of f ("" is 0),
 * storing the limit in *limit and the days in *expire. Returns 0, or -1
 * with f->error and f->bad set. */
int page_linkform_limit_note(struct page *p, struct page_form *f,
    int *limit, int *expire);

/* Appends the input of the days after which a silent device loses its
 * slot, holding what f holds, else value. */
void page_linkform_expire_input(struct page *p, const struct page_form *f,
    const char *value);

/* Appends the URL and title inputs, holding what f holds (f may be
 * NULL); hints adds a line under each. */
void page_linkform_target_inputs(struct page *p, const struct page_form *f,
    int hints);

#endif
