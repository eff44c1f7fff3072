#ifndef LL_QR_H
#define LL_QR_H

#include "arena.h"

/* QR codes (libqrencode) drawn as inline SVG. */

#define QR_QUIET	4	/* modules of white border around the code */

/* Returns an <svg> element (class "qr", black on white, scaled by CSS)
 * holding text as a QR code at error correction level M, in arena a; or
 * NULL when text cannot be encoded (too long) or memory runs out. */
const char *qr_svg(struct arena *a, const char *text);

#endif
