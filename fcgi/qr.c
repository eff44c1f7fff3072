#include <errno.h>
#include <string.h>

#include <qrencode.h>

#include "log.h"
#include "qr.h"

const char *
qr_svg(struct arena *a, const char *text)
{
	QRcode *q;
	struct buf b;
	int x, y, run, size;

	q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (q == NULL) {
		log_warn("qr: cannot encode %zu bytes: %s", strlen(text),
		    strerror(errno));
		return NULL;
	}
	size = q->width + 2 * QR_QUIET;
	buf_init(&b, a);
	buf_printf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "class=\"qr\" viewBox=\"0 0 %d %d\" role=\"img\" "
	    "aria-label=\"QR code\" shape-rendering=\"crispEdges\">"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
	    "<path fill=\"#000\" d=\"", size, size, size, size);
	/* one rectangle per run of dark modules in a row */
	for (y = 0; y < q->width; y++) {
		for (x = 0; x < q->width; x += run > 0 ? run : 1) {
			run = 0;
			while (x + run < q->width &&
			    (q->data[y * q->width + x + run] & 1))
				run++;
			if (run > 0)
				buf_printf(&b, "M%d %dh%dv1h-%dz", x + QR_QUIET,
				    y + QR_QUIET, run, run);
		}
	}
	buf_puts(&b, "\"/></svg>");
	QRcode_free(q);
	return b.data;
}
