#ifndef LL_PAGE_WEBHOOK_H
#define LL_PAGE_WEBHOOK_H

#include "page.h"

/* The provider's webhook in the web account: its URL and event types,
 * the secret shown once when it is set, and the recent events with their
 * deliveries, each of which can be sent again. Each handler needs a
 * session (and a POST its CSRF token, checked before), answers its page
 * or redirect itself, failures included, and touches only the signed-in
 * provider's webhook. */

void page_webhook_show(struct page *p);		/* GET webhook */
void page_webhook_save(struct page *p);		/* POST webhook: url, e-N */
void page_webhook_delete(struct page *p);	/* POST webhook/delete */
void page_webhook_resend(struct page *p);	/* POST webhook/resend: id */

#endif
