/*
 * What the text-format harnesses (fuzz_import.c, fuzz_impact_ref.c)
 * check of every bad-row report: "fuzz:LINE: ..." with LINE inside the
 * input, counted.
 */
#ifndef LL_FUZZ_FUZZ_ROWS_H
#define LL_FUZZ_FUZZ_ROWS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct run {
	uint64_t	lines;
	uint64_t	bad;
};

/* The lines of the input (a last one without a newline counts). */
static inline void
run_init(struct run *r, const uint8_t *data, size_t size)
{
	r->lines = 1;
	r->bad = 0;
	for (size_t i = 0; i < size; i++)
		r->lines += data[i] == '\n';
}

/* import_bad_fn: aborts on a report naming no line of the input. */
static inline void
on_bad(void *ctx, const char *msg)
{
	struct run *r = ctx;
	unsigned long long line;

	if (sscanf(msg, "fuzz:%llu: ", &line) != 1 || line == 0 ||
	    line > r->lines)
		abort();
	r->bad++;
}

#endif
