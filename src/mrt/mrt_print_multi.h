/* Private to src/mrt: bgpdump's multi-line text (mrt_print_multi.c). */
#ifndef LL_MRT_MRT_PRINT_MULTI_H
#define LL_MRT_MRT_PRINT_MULTI_H

#include "mrt/mrt.h"
#include "mrt/mrt_out.h"

/* Writes r as bgpdump -H does: a block of lines and an empty line. */
void	mrt_print_multi(struct out *o, const struct mrt_record *r);

#endif
