#ifndef LL_HAPPLINK_H
#define LL_HAPPLINK_H

#include "arena.h"

/* What the Happ app makes of a subscription link: the text it hashes as
 * the domain, and the final link a provider hands out
 * (URL#TITLE?installid=CODE). Pure: no I/O, nothing global. */

#define HAPPLINK_URL_MAX	2048	/* bytes in a subscription URL */
#define HAPPLINK_TITLE_MAX	128	/* bytes in a title as typed */

enum happlink_err {
	HAPPLINK_OK = 0,
	HAPPLINK_EMPTY,		/* no URL at all */
	HAPPLINK_TOO_LONG,	/* over HAPPLINK_URL_MAX bytes */
	HAPPLINK_BAD_CHARS,	/* spaces, control characters or bad UTF-8 */
	HAPPLINK_NO_SCHEME,	/* no "://" */
	HAPPLINK_NOT_HTTP,	/* a scheme other than http or https */
	HAPPLINK_NO_HOST,	/* nothing between "://" and the path */
	HAPPLINK_EMPTY_FRONT	/* a host= parameter with no value */
};

/* Checks url as a subscription URL. Returns it with a '/' put after the
 * host when it has no path ("https://h?x" becomes "https://h/?x", and
 * "https://h" becomes "https://h/"), since the app cuts the domain at the
 * first '/' and the final link adds a fragment; the copy lives in arena a,
 * and is at most HAPPLINK_URL_MAX bytes, the '/' included.
 * On error returns NULL and stores the reason in *err. */
const char *happlink_normalize(struct arena *a, const char *url,
    enum happlink_err *err);

/* The text the app hashes for url (contract, "Which text is hashed"): what
 * follows the first "://" up to the first '/', with no case folding and
 * any :port kept; or, when the fragment's parameters hold host=, that
 * value. Returns a copy in arena a, or NULL when url has no "://" or the
 * text is empty. Does not look at the scheme. */
const char *happlink_domain(struct arena *a, const char *url);

/* Percent-encodes title for the fragment: every byte but A-Z a-z 0-9 and
 * "-._~" becomes %XX, so the title cannot end the title part ('?'), the
 * fragment or the link. Returns a copy in arena a. Cannot fail. */
const char *happlink_title(struct arena *a, const char *title);

/* The title already in url's fragment (before its '?'), as it is written
 * there; "" when there is none. Returns a copy in arena a. */
const char *happlink_old_title(struct arena *a, const char *url);

/* The final link: url with "#TITLE?PARAMS&installid=CODE" as its fragment.
 * title (encoded here) replaces the fragment's title when it is not empty;
 * the parameters already in the fragment are kept in order, except an old
 * installid. Returns a copy in arena a, or NULL when there is no title at
 * all (none given and none in url). */
const char *happlink_final(struct arena *a, const char *url,
    const char *title, const char *code);

/* A short English sentence for e, fit to show the provider. */
const char *happlink_strerror(enum happlink_err e);

#endif
