/*
 * libFuzzer target: the lean decode of BGP4MP update records
 * (src/mrt/mrt_lean.c, src/bgp/bgp_lean.c) and the signal's items made
 * from it (src/signal/sig_lean.c) against the full decoder. Whatever the
 * bytes, the lean decode declines, or takes the record with the same peer, time
 * and items as the full decoder gives; a disagreement aborts.
 */
#include <stdint.h>
#include <stdlib.h>

#include "signal/sig_int.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (sig_lean_verify(data, size) < 0)
		abort();
	return 0;
}
