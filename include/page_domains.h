#ifndef LL_PAGE_DOMAINS_H
#define LL_PAGE_DOMAINS_H

#include "page.h"

/* The provider's domains in the web account. Each handler needs a session
 * (and a POST its CSRF token, checked before), answers its page or
 * redirect itself, failures included, and touches only the signed-in
 * provider's domains. */

void page_domains_show(struct page *p);		/* GET domains */
void page_domains_add(struct page *p);		/* POST domains/add */
void page_domains_delete(struct page *p);	/* POST domains/delete */

#endif
