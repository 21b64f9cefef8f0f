/*
 * libFuzzer target: the chunk blobs a store reads back from its database
 * (src/store/store_chunk.c). The first two bytes give the entry count the
 * row would hold, the rest is the blob. What decodes must encode back to
 * the same bytes (the encoding is canonical), and merge with itself to
 * itself; the fixed layout of version 2 is tried on the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_chunk.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chunk_ent *e, *m;
	uint8_t *back;
	size_t n, len;
	int64_t start;

	if (size < 2)
		return 0;
	n = (size_t)data[0] | (size_t)(data[1] & 0x7f) << 8;
	start = (data[1] & 0x80) ? -STORE_CHUNK_SPAN : 1609459200;
	data += 2;
	len = size - 2;
	if (n == 0 || n > STORE_CHUNK_MAX)
		n = 1;
	if ((e = calloc(n, sizeof(*e))) == NULL)
		return 0;
	(void)store_chunk_decode_v2(data, len, start, n, e);
	if (store_chunk_decode(data, len, start, n, e) == 0) {
		back = malloc(n * STORE_CHUNK_ENTRY_MAX);
		m = calloc(2 * n, sizeof(*m));
		if (back != NULL && m != NULL) {
			if (store_chunk_encode(e, n, start, back) != len ||
			    memcmp(back, data, len) != 0)
				__builtin_trap();
			if (store_chunk_merge(e, n, e, n, m) != n)
				__builtin_trap();
		}
		free(back);
		free(m);
	}
	free(e);
	return 0;
}
