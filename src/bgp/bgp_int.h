/* Private to src/bgp. */
#ifndef LL_BGP_BGP_INT_H
#define LL_BGP_BGP_INT_H

#include "bgp/bgp.h"

/* Fills d (when not NULL) with the offset and a formatted message, and
 * returns rc, so decoders can `return bgp_fail(...)`. */
int	bgp_fail(struct bgp_diag *d, size_t off, int rc, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));

#endif
