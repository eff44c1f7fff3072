#ifndef LL_PAGE_LINKS_H
#define LL_PAGE_LINKS_H

#include "page.h"

/* The table of the provider's links in the web account, newest first,
 * PAGE_LINKS_SIZE a page, searched by ?q= in the code or the note. Needs
 * a session; answers its page itself, failures included. */

#define PAGE_LINKS_SIZE		50	/* links in one page of the table */
#define PAGE_LINKS_PAGE_MAX	1000000	/* highest page number asked for */
#define PAGE_LINKS_SEARCH_MAX	100	/* bytes of a search kept */

void page_links_list(struct page *p);	/* GET links */

#endif
