/*
 * The chunk blob codec (store_chunk.h): fixed little-endian entries, so a
 * database file reads the same on any machine.
 */
#include <string.h>

#include "store/store_chunk.h"
#include "util/err.h"

int64_t
store_chunk_start(int64_t t)
{
	int64_t r = t % STORE_CHUNK_SPAN;

	return t - (r < 0 ? r + STORE_CHUNK_SPAN : r);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

int
store_chunk_decode(const void *blob, size_t len, int64_t start, size_t n,
    struct chunk_ent *out)
{
	const uint8_t *p = blob;

	if (n == 0 || n > STORE_CHUNK_MAX || len != n * STORE_CHUNK_ENTRY ||
	    p == NULL)
		return LL_EFORMAT;
	for (size_t i = 0; i < n; i++, p += STORE_CHUNK_ENTRY) {
		uint32_t off = get32(p);
		uint64_t bits = (uint64_t)get32(p + 4) |
		    (uint64_t)get32(p + 8) << 32;

		if (off >= STORE_CHUNK_SPAN)
			return LL_EFORMAT;
		out[i].time = start + off;
		if (i > 0 && out[i].time <= out[i - 1].time)
			return LL_EFORMAT;
		memcpy(&out[i].value, &bits, sizeof(bits));
		out[i].src = get32(p + 12);
	}
	return 0;
}

void
store_chunk_encode(const struct chunk_ent *e, size_t n, int64_t start,
    uint8_t *out)
{
	for (size_t i = 0; i < n; i++, out += STORE_CHUNK_ENTRY) {
		uint64_t bits;

		memcpy(&bits, &e[i].value, sizeof(bits));
		put32(out, (uint32_t)(e[i].time - start));
		put32(out + 4, (uint32_t)bits);
		put32(out + 8, (uint32_t)(bits >> 32));
		put32(out + 12, e[i].src);
	}
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
