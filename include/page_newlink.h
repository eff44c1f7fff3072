#ifndef LL_PAGE_NEWLINK_H
#define LL_PAGE_NEWLINK_H

#include "page.h"

/* The new-link page of the web account: a subscription URL, a title, a
 * limit and a note make a link, its domain registered with it. Each
 * handler needs a session (and the POST its CSRF token, checked before)
 * and answers its page or redirect itself, failures included. */

void page_newlink_form(struct page *p);		/* GET links/new */
void page_newlink_create(struct page *p);	/* POST links/new */

#endif
