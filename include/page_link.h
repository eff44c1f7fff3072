#ifndef LL_PAGE_LINK_H
#define LL_PAGE_LINK_H

#include "page.h"

/* One of the provider's links in the web account (p->id): its page with
 * what to hand out, its usage and settings, its devices and its history
 * (its daily checks and latest refusals for the limit, also as CSV); and
 * the forms posted from it. Each handler needs a session (and a POST its
 * CSRF token, checked before), answers its page or redirect itself,
 * failures included, and answers 404 for a link that is not the signed-in
 * provider's. */

void page_link_show(struct page *p);	/* GET links/ID */
void page_link_edit(struct page *p);	/* POST links/ID/edit: limit, note */
void page_link_status(struct page *p);	/* POST links/ID/status */
void page_link_device_delete(struct page *p); /* POST links/ID/devices/delete */
void page_link_target(struct page *p);	/* POST links/ID/target: URL, title */
void page_link_reset_form(struct page *p); /* GET links/ID/reset: sure? */
void page_link_reset(struct page *p);	/* POST links/ID/reset */
void page_link_self_service(struct page *p); /* POST links/ID/self-service:
					   action create, rotate, disable */
void page_link_history_csv(struct page *p); /* GET links/ID/history.csv */

#define PAGE_LINK_REFUSED	20	/* refusals the page lists */
#define PAGE_LINK_REFUSED_CSV	1000	/* and its CSV */

#endif
