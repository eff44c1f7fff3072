#ifndef LL_ACCOUNT_DOMAINS_H
#define LL_ACCOUNT_DOMAINS_H

#include "account_page.h"

/* The provider's domains in the web account. Each handler needs a session
 * (and a POST its CSRF token, checked before), answers its page or
 * redirect itself, failures included, and touches only the signed-in
 * provider's domains. */

void acct_domains(struct acct *a);	/* GET domains */
void acct_domain_add(struct acct *a);	/* POST domains/add */
void acct_domain_delete(struct acct *a); /* POST domains/delete */

/* Registers for the signed-in provider the hash of domain, the text the
 * app hashes, labelled with the domain. Returns 1 when it is new or
 * active again, 0 when it was active already, or -1 once the failure is
 * answered. */
int acct_domain_put_text(struct acct *a, const char *domain);

#endif
