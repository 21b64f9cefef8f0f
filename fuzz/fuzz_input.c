/*
 * libFuzzer target: the decompression layer (plain, gzip, bzip2, xz, zstd,
 * chosen by magic bytes). The first two octets seed the sequence of window
 * sizes and consume amounts; the rest is the file. The stream is read to
 * its end (or a cap, against decompression bombs) and the contract of
 * input_peek()/input_consume() is checked at every step.
 */
#include <stdint.h>
#include <string.h>

#include "input/input.h"

/* Inputs over fuzz/run.sh's -max_len are not looked at, and a stream is
 * read to DECODED_CAP at most: past the largest window asked for (300 KiB)
 * a decompression bomb only repeats itself, slowly. */
#define INPUT_CAP	(64u << 10)
#define DECODED_CAP	(1u << 20)

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t
next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input *in = NULL;
	uint32_t seed;
	uint64_t consumed = 0;

	if (size < 2 || size > INPUT_CAP + 2)
		return 0;
	seed = (uint32_t)(data[0] << 8 | data[1]) * 2654435761u + 1;
	data += 2;
	size -= 2;
	if (input_open_mem(data, size, &in) != 0)
		return 0;
	for (;;) {
		const uint8_t *p;
		size_t avail, want;
		uint32_t x = next(&seed);
		volatile uint8_t sink;

		want = x % 4 == 0 ? 1 + (x >> 8) % 16 : x % 4 == 1 ?
		    1 + (x >> 8) % 4096 : 1 + (x >> 8) % (300u << 10);
		int rc = input_peek(in, want, &p, &avail);
		if (avail > 0) {
			sink = p[0];	/* both ends of the window are ours */
			sink = p[avail - 1];
			(void)sink;
		}
		if (rc == 0 && avail < want) {
			/* the end: asking again gives the same bytes */
			size_t again;
			const uint8_t *q;
			if (input_peek(in, want, &q, &again) != 0 ||
			    again != avail)
				__builtin_trap();
		}
		if (avail == 0 || consumed > DECODED_CAP)
			break;
		size_t n = x % 3 == 0 ? avail : 1 + next(&seed) % avail;
		input_consume(in, n);
		consumed += n;
		if (input_offset(in) != consumed)
			__builtin_trap();
		if (rc != 0 && n == avail)
			break;
	}
	input_free(in);
	return 0;
}
