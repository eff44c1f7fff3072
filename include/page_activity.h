#ifndef LL_PAGE_ACTIVITY_H
#define LL_PAGE_ACTIVITY_H

#include "page.h"

/* The activity page of the web account: the audit trail of the
 * provider's account over a period (?from=, ?to=; the last 30 days by
 * default), of one link with ?link=ID: who changed what (the API, a web
 * session, the operator), from which address, and what it was before
 * and after; also as a CSV download. Needs a session; answers its page
 * itself, failures included. */

#define PAGE_ACTIVITY_MAX	1000	/* actions shown, newest first */
#define PAGE_ACTIVITY_CSV_MAX	20000	/* actions in a download */

void page_activity_show(struct page *p);	/* GET activity */
void page_activity_csv(struct page *p);		/* GET activity.csv */

#endif
