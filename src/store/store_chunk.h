/*
 * Private to src/store: points packed by series and time span ("chunks").
 *
 * A backend keeps the points of one series that fall in one span of
 * STORE_CHUNK_SPAN seconds (aligned in UTC) in one row, as a blob of
 * fixed-size little-endian entries sorted by time:
 *
 *	offset  size  field
 *	0       4     time - chunk start (0 <= t < STORE_CHUNK_SPAN)
 *	4       8     value (IEEE 754 binary64)
 *	12      4     source id (0: none)
 *
 * A signal of 5-minute bins then costs one row per series per 6 hours
 * instead of 72, which is what makes an ingest's writes cheap. A blob read
 * back is checked (length, offsets in the span, strictly increasing) like
 * any input.
 */
#ifndef LL_STORE_STORE_CHUNK_H
#define LL_STORE_STORE_CHUNK_H

#include <stddef.h>
#include <stdint.h>

#define STORE_CHUNK_SPAN	21600	/* seconds: 6 hours */
#define STORE_CHUNK_ENTRY	16	/* bytes an entry */
#define STORE_CHUNK_MAX		STORE_CHUNK_SPAN	/* entries: one a second */

struct chunk_ent {
	int64_t		time;
	double		value;
	uint32_t	src;
};

/* The start of the span holding t (rounded down, also before 1970). */
int64_t	store_chunk_start(int64_t t);

/*
 * Decodes the n entries of the chunk starting at start from blob (len
 * bytes) into out (room for n). Returns 0, or LL_EFORMAT when len is not
 * n entries, n is 0 or over STORE_CHUNK_MAX, an offset is outside the span
 * or the times do not strictly increase.
 */
int	store_chunk_decode(const void *blob, size_t len, int64_t start,
	    size_t n, struct chunk_ent *out);

/* Encodes n entries (times in [start, start + SPAN), increasing) into out
 * (n * STORE_CHUNK_ENTRY bytes). */
void	store_chunk_encode(const struct chunk_ent *e, size_t n, int64_t start,
	    uint8_t *out);

/*
 * Merges old (strictly increasing times) with upd (increasing times;
 * entries of equal time in the order given) into out (room for nold +
 * nupd): for a time in both, or several times in upd, the last of upd
 * wins. Returns the number of entries written.
 */
size_t	store_chunk_merge(const struct chunk_ent *old, size_t nold,
	    const struct chunk_ent *upd, size_t nupd, struct chunk_ent *out);

#endif
