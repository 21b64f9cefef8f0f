/*
 * Decode-ahead thread: not enabled yet; the core decodes on the caller's
 * thread.
 */
#include "util/err.h"
#include "util/input_int.h"

int
input_pipe_start(struct input *in)
{
	(void)in;
	return LL_EUNSUP;
}

int
input_pipe_fill(struct input *in, uint8_t *dst, size_t cap, size_t *got)
{
	return in->ops->decode(in, dst, cap, got);
}

void
input_pipe_stop(struct input *in)
{
	in->pipe = NULL;
}
