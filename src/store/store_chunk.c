/*
 * The chunk blob codec (store_chunk.h). Written by hand: the format is
 * ours, a few varints and deltas that need no library. Every blob read
 * back is hostile input: it is decoded through a bounded cursor, and only
 * the one canonical encoding of a chunk is accepted, so that what decodes
 * encodes back to the same bytes (fuzz/fuzz_store_chunk.c checks it).
 */
#include <math.h>
#include <string.h>

#include "store/store_chunk.h"
#include "util/err.h"
#include "util/rd.h"

#define INT_MAXV	(INT64_C(1) << 53)	/* integers doubles hold */

int64_t
store_chunk_start(int64_t t)
{
	int64_t r = t % STORE_CHUNK_SPAN;

	return t - (r < 0 ? r + STORE_CHUNK_SPAN : r);
}

static uint64_t
zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t
unzigzag(uint64_t u)
{
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

static uint8_t *
put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

/* A varint in its shortest form (no trailing zero groups) of at most 64
 * bits; false on anything else. */
static bool
get_varint(struct rd *r, uint64_t *v)
{
	uint64_t x = 0;

	for (unsigned shift = 0; shift < 64; shift += 7) {
		uint8_t b = rd_u8(r);

		if (!rd_ok(r))
			return false;
		if (shift == 63 && b > 1)
			return false;		/* past 64 bits */
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			if (b == 0 && shift > 0)
				return false;	/* not the shortest form */
			*v = x;
			return true;
		}
	}
	return false;
}

/* Whether v is written as an integer: finite, integral, within 2^53, and
 * not -0 (whose sign an integer would lose). */
static bool
int_coded(double v, int64_t *iv)
{
	if (!(v >= -(double)INT_MAXV && v <= (double)INT_MAXV) ||
	    v != floor(v) || (v == 0 && signbit(v)))
		return false;
	*iv = (int64_t)v;
	return true;
}

size_t
store_chunk_encode(const struct chunk_ent *e, size_t n, int64_t start,
    uint8_t *out)
{
	uint8_t *p = out;
	int64_t prev_off = 0, prev_dt = 0, prev_int = 0;
	uint32_t prev_src = 0;

	for (size_t i = 0; i < n; i++) {
		int64_t off = e[i].time - start, dt = off - prev_off, iv = 0;
		bool raw = !int_coded(e[i].value, &iv);
		bool newsrc = e[i].src != prev_src;

		p = put_varint(p, zigzag(dt - prev_dt) << 2 |
		    (uint64_t)raw << 1 | (uint64_t)newsrc);
		if (newsrc)
			p = put_varint(p, e[i].src);
		if (raw) {
			uint64_t bits;

			memcpy(&bits, &e[i].value, sizeof(bits));
			for (int k = 0; k < 8; k++)
				*p++ = (uint8_t)(bits >> 8 * k);
		} else {
			p = put_varint(p, zigzag(iv - prev_int));
			prev_int = iv;
		}
		prev_off = off;
		prev_dt = dt;
		prev_src = e[i].src;
	}
	return (size_t)(p - out);
}

int
store_chunk_decode(const void *blob, size_t len, int64_t start, size_t n,
    struct chunk_ent *out)
{
	struct rd r = rd_make(blob, len);
	int64_t prev_off = 0, prev_dt = 0, prev_int = 0;
	uint32_t prev_src = 0;

	if (n == 0 || n > STORE_CHUNK_MAX || blob == NULL)
		return LL_EFORMAT;
	for (size_t i = 0; i < n; i++) {
		uint64_t head, u;
		int64_t dd, dt, off;

		if (!get_varint(&r, &head) || head >> 2 > zigzag(2 *
		    STORE_CHUNK_SPAN))
			return LL_EFORMAT;
		dd = unzigzag(head >> 2);
		dt = prev_dt + dd;
		off = prev_off + dt;
		if ((i > 0 && dt <= 0) || off < 0 || off >= STORE_CHUNK_SPAN)
			return LL_EFORMAT;
		out[i].time = start + off;
		out[i].src = prev_src;
		if (head & 1) {
			if (!get_varint(&r, &u) || u > UINT32_MAX ||
			    u == prev_src)
				return LL_EFORMAT;
			out[i].src = (uint32_t)u;
		}
		if (head & 2) {
			const uint8_t *b = rd_ptr(&r, 8);
			uint64_t bits = 0;
			int64_t iv;

			if (b == NULL)
				return LL_EFORMAT;
			for (int k = 0; k < 8; k++)
				bits |= (uint64_t)b[k] << 8 * k;
			memcpy(&out[i].value, &bits, sizeof(bits));
			if (int_coded(out[i].value, &iv))
				return LL_EFORMAT;	/* not canonical */
		} else {
			int64_t d;

			if (!get_varint(&r, &u) || u > zigzag(2 * INT_MAXV))
				return LL_EFORMAT;
			d = unzigzag(u);
			if (prev_int + d < -INT_MAXV || prev_int + d > INT_MAXV)
				return LL_EFORMAT;
			prev_int += d;
			out[i].value = (double)prev_int;
		}
		prev_off = off;
		prev_dt = dt;
		prev_src = out[i].src;
	}
	return rd_left(&r) == 0 ? 0 : LL_EFORMAT;
}

int
store_chunk_decode_v2(const void *blob, size_t len, int64_t start, size_t n,
    struct chunk_ent *out)
{
	struct rd r = rd_make(blob, len);

	if (n == 0 || n > STORE_CHUNK_MAX || len != n * 16 || blob == NULL)
		return LL_EFORMAT;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = rd_ptr(&r, 16);
		uint32_t w[4];
		uint64_t bits;

		for (int k = 0; k < 4; k++)
			w[k] = (uint32_t)p[4 * k] |
			    (uint32_t)p[4 * k + 1] << 8 |
			    (uint32_t)p[4 * k + 2] << 16 |
			    (uint32_t)p[4 * k + 3] << 24;
		if (w[0] >= STORE_CHUNK_SPAN)
			return LL_EFORMAT;
		out[i].time = start + w[0];
		if (i > 0 && out[i].time <= out[i - 1].time)
			return LL_EFORMAT;
		bits = (uint64_t)w[1] | (uint64_t)w[2] << 32;
		memcpy(&out[i].value, &bits, sizeof(bits));
		out[i].src = w[3];
	}
	return 0;
}

size_t
store_chunk_merge(const struct chunk_ent *old, size_t nold,
    const struct chunk_ent *upd, size_t nupd, struct chunk_ent *out)
{
	size_t i = 0, j = 0, n = 0;

	while (i < nold || j < nupd) {
		if (j == nupd || (i < nold && old[i].time < upd[j].time)) {
			out[n++] = old[i++];
			continue;
		}
		/* The last of upd's entries of this time wins, over old's. */
		while (j + 1 < nupd && upd[j + 1].time == upd[j].time)
			j++;
		if (i < nold && old[i].time == upd[j].time)
			i++;
		out[n++] = upd[j++];
	}
	return n;
}
