#ifndef LL_ACCOUNT_SIGNIN_H
#define LL_ACCOUNT_SIGNIN_H

#include "account_page.h"

/* The account's front door: the sign-in page, signing in and out. Each
 * answers its page or redirect itself, failures included. */

/* GET /account/: the sign-in page, or on to the links when signed in. */
void acct_home(struct acct *a);

/* POST /account/signin: checks the form's token, the wait of the address
 * after failed sign-ins, then the code and key, and starts a session. */
void acct_signin(struct acct *a);

/* POST /account/signout: ends the session. */
void acct_signout(struct acct *a);

#endif
