#include <stdarg.h>
#include <stdio.h>

#include "bgp/bgp_int.h"

int
bgp_fail(struct bgp_diag *d, size_t off, int rc, const char *fmt, ...)
{
	va_list ap;

	if (d != NULL) {
		d->off = off;
		va_start(ap, fmt);
		vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
		va_end(ap);
	}
	return rc;
}
