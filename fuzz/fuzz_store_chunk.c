/*
 * libFuzzer target: the chunk blobs a store reads back from its database
 * (src/store/store_chunk.c). What decodes must encode back to the same
 * bytes, and merge with itself to itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_chunk.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = size / STORE_CHUNK_ENTRY;
	struct chunk_ent *e, *m;
	uint8_t *back;
	int64_t start = size > 0 ? (int64_t)data[0] * STORE_CHUNK_SPAN : 0;

	/* n + 1: a count that does not match the length */
	if ((e = calloc(n + 1, sizeof(*e))) == NULL)
		return 0;
	(void)store_chunk_decode(data, size, start, n + 1, e);
	if (store_chunk_decode(data, size, start, n, e) == 0) {
		back = malloc(size);
		m = calloc(2 * n, sizeof(*m));
		if (back != NULL && m != NULL) {
			store_chunk_encode(e, n, start, back);
			if (memcmp(back, data, size) != 0)
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
