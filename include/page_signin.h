#ifndef LL_PAGE_SIGNIN_H
#define LL_PAGE_SIGNIN_H

#include "page.h"

/* The account's front door: the sign-in page, signing in and out. Each
 * answers its page or redirect itself, failures included. */

/* GET /account/: the sign-in page, or on to the links when signed in. */
void page_signin_home(struct page *p);

/* POST /account/signin: checks the form's token, the wait of the address
 * after failed sign-ins, then the code and key, and starts a session. */
void page_signin_post(struct page *p);

/* POST /account/signout: ends the session. */
void page_signin_out(struct page *p);

#endif
