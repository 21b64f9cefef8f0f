/*
 * libFuzzer target: an exported evidence log (src/evidence/evidence_log.c)
 * as a reviewer would receive it: any bytes are verified; nothing may
 * crash, and nothing but a log of valid signed records may pass.
 */
#include <stdint.h>
#include <stdlib.h>

#include "evidence/evidence.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evidence_report r;

	if (size > 1 << 16)
		return 0;
	if (evidence_verify_buf(data, size, NULL, &r) == 0 && r.records > 0 &&
	    r.head[0] == '\0')
		abort();	/* verified without a head */
	return 0;
}
