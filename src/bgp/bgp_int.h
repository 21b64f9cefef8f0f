/* Private to src/bgp. */
#ifndef LL_BGP_BGP_INT_H
#define LL_BGP_BGP_INT_H

#include <string.h>

#include "bgp/bgp.h"

/* The marker of a message header is all ones (RFC 4271 4.1). */
static inline bool
bgp_marker_ok(const uint8_t *m)
{
	uint64_t a, b;

	memcpy(&a, m, 8);
	memcpy(&b, m + 8, 8);
	return (a & b) == UINT64_MAX;
}

/* Fills d (when not NULL) with the offset and a formatted message, and
 * returns rc, so decoders can `return bgp_fail(...)`. */
int	bgp_fail(struct bgp_diag *d, size_t off, int rc, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));

#endif
