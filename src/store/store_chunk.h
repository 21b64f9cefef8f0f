/*
 * Private to src/store: points packed by series and time span ("chunks").
 *
 * A backend keeps the points of one series that fall in one span of
 * STORE_CHUNK_SPAN seconds (aligned in UTC) in one row, as a blob of
 * entries sorted by time. Since schema version 3 an entry is written as
 * deltas from the one before (the first from the chunk's start, time
 * offset 0 and value 0 and source 0):
 *
 *	head	varint: zigzag(dt - previous dt) << 2 | raw << 1 | newsrc,
 *		dt being the time since the previous entry (the first's
 *		offset in the span)
 *	src	varint, only with newsrc: the source id, when it changes
 *	value	raw: 8 bytes, IEEE 754 binary64, little-endian; else a
 *		varint, zigzag(value - the last integer value): integral
 *		values within 2^53 (not -0) are written so
 *
 * Varints are LEB128 (7 bits a byte, low first). A 5-minute series whose
 * value holds steady then costs 2 bytes an entry instead of the 16 of the
 * fixed layout of version 2 (offset u32, value binary64, source u32,
 * little-endian), which store_chunk_decode_v2() still reads to migrate.
 *
 * A signal of 5-minute bins costs one row per series per 6 hours instead
 * of 72, which is what makes an ingest's writes cheap. A blob read back is
 * checked like any input (length, offsets in the span, strictly
 * increasing, and only the one shortest encoding of each entry).
 */
#ifndef LL_STORE_STORE_CHUNK_H
#define LL_STORE_STORE_CHUNK_H

#include <stddef.h>
#include <stdint.h>

#define STORE_CHUNK_SPAN	21600	/* seconds: 6 hours */
#define STORE_CHUNK_ENTRY_MAX	19	/* bytes an entry at most */
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
 * bytes) into out (room for n). Returns 0, or LL_EFORMAT when the blob is
 * not exactly n entries in their canonical encoding, n is 0 or over
 * STORE_CHUNK_MAX, an offset is outside the span or the times do not
 * strictly increase.
 */
int	store_chunk_decode(const void *blob, size_t len, int64_t start,
	    size_t n, struct chunk_ent *out);

/* Encodes n entries (times in [start, start + SPAN), increasing) into out
 * (room for n * STORE_CHUNK_ENTRY_MAX bytes); returns the bytes written. */
size_t	store_chunk_encode(const struct chunk_ent *e, size_t n,
	    int64_t start, uint8_t *out);

/* The same for the fixed 16-byte entries of schema version 2. */
int	store_chunk_decode_v2(const void *blob, size_t len, int64_t start,
	    size_t n, struct chunk_ent *out);

/*
 * Merges old (strictly increasing times) with upd (increasing times;
 * entries of equal time in the order given) into out (room for nold +
 * nupd): for a time in both, or several times in upd, the last of upd
 * wins. Returns the number of entries written.
 */
size_t	store_chunk_merge(const struct chunk_ent *old, size_t nold,
	    const struct chunk_ent *upd, size_t nupd, struct chunk_ent *out);

#endif
