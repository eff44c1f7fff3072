#ifndef LL_ACCOUNT_LINKS_H
#define LL_ACCOUNT_LINKS_H

#include "account_page.h"

/* The provider's links in the web account: the table, a new link, and a
 * link's page with its forms. Each handler needs a session (and a POST
 * its CSRF token, checked before), answers its page or redirect itself,
 * failures included, and touches only the signed-in provider's links. */

void acct_links(struct acct *a);	/* GET links: 50 a page, ?q= searches */
void acct_new_form(struct acct *a);	/* GET links/new */
void acct_new(struct acct *a);		/* POST links/new */
void acct_link(struct acct *a);		/* GET links/ID */
void acct_link_edit(struct acct *a);	/* POST links/ID/edit: limit, note */
void acct_link_status(struct acct *a);	/* POST links/ID/status */
void acct_device_delete(struct acct *a); /* POST links/ID/devices/delete */
void acct_link_target(struct acct *a);	/* POST links/ID/target: URL, title */

#endif
