/* Private to src/probe. */
#ifndef LL_PROBE_PROBE_INT_H
#define LL_PROBE_PROBE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/hash.h"

/* splitmix64: the prober's only randomness (order, identifiers), seeded
 * by the caller so that tests are repeatable. */
static inline uint64_t
probe_rand(uint64_t *s)
{
	*s += 0x9e3779b97f4a7c15ULL;
	return ll_mix64(*s);
}

/* A uniform integer below n (n > 0), by Lemire's multiply. */
static inline uint32_t
probe_rand_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(((probe_rand(s) >> 32) * (uint64_t)n) >> 32);
}

/* One line of a text: [p, p+len), without its end of line. */
struct probe_line {
	const char	*p;
	size_t		 len;
	uint64_t	 no;		/* 1-based */
};

/* Iterates the lines of [*at, end): 1 and the next line, 0 at the end. */
int	probe_next_line(const char *text, size_t len, size_t *at,
	    struct probe_line *l);

/* The longest line read, without its end of line. */
#define PROBE_LINE_MAX	1024

/* The line, its comment ('#' on, when comments) and surrounding blanks
 * removed, NUL-terminated in buf (PROBE_LINE_MAX + 1 bytes). Returns its
 * length, or -1 when the line is too long or holds a NUL byte. */
int	probe_line_text(const struct probe_line *l, bool comments, char *buf);

#endif
