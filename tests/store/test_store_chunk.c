/*
 * The chunk codec (src/store/store_chunk.h): round trips, the merge's
 * "last write wins", and hostile blobs, which must be refused, never
 * followed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "store/store_chunk.h"
#include "util/err.h"

static void
spans(void **state)
{
	(void)state;
	assert_int_equal(store_chunk_start(0), 0);
	assert_int_equal(store_chunk_start(21599), 0);
	assert_int_equal(store_chunk_start(21600), 21600);
	assert_int_equal(store_chunk_start(1609477200), 1609459200);
	assert_int_equal(store_chunk_start(-1), -21600);
	assert_int_equal(store_chunk_start(-21600), -21600);
	assert_int_equal(store_chunk_start(-21601), -43200);
}

static void
round_trip(void **state)
{
	struct chunk_ent e[72], d[72];
	uint8_t buf[72 * STORE_CHUNK_ENTRY];
	int64_t start = 1609459200;

	(void)state;
	memset(e, 0, sizeof(e));
	memset(d, 0, sizeof(d));	/* padding compares equal */
	for (int i = 0; i < 72; i++) {
		e[i].time = start + 300 * i;
		e[i].value = i * 1.5 - 7;
		e[i].src = (uint32_t)i * 1000003u;
	}
	e[5].value = -0.0;
	e[6].value = 1e308;
	store_chunk_encode(e, 72, start, buf);
	/* little-endian on every machine: offset 300 of entry 1 */
	assert_int_equal(buf[16], 300 & 0xff);
	assert_int_equal(buf[17], 300 >> 8);
	assert_int_equal(store_chunk_decode(buf, sizeof(buf), start, 72, d),
	    0);
	assert_memory_equal(e, d, sizeof(e));
}

static void
hostile(void **state)
{
	struct chunk_ent e[3] = { { 100, 1, 0 }, { 200, 2, 0 }, { 300, 3, 0 } };
	struct chunk_ent d[3];
	uint8_t buf[3 * STORE_CHUNK_ENTRY], bad[sizeof(buf)];

	(void)state;
	store_chunk_encode(e, 3, 0, buf);
	/* length not n entries, n of 0, n over the cap, no blob */
	assert_int_equal(store_chunk_decode(buf, sizeof(buf) - 1, 0, 3, d),
	    LL_EFORMAT);
	assert_int_equal(store_chunk_decode(buf, sizeof(buf), 0, 2, d),
	    LL_EFORMAT);
	assert_int_equal(store_chunk_decode(buf, 0, 0, 0, d), LL_EFORMAT);
	assert_int_equal(store_chunk_decode(buf, sizeof(buf), 0,
	    STORE_CHUNK_MAX + 1, d), LL_EFORMAT);
	assert_int_equal(store_chunk_decode(NULL, 16, 0, 1, d), LL_EFORMAT);
	/* an offset outside the span */
	memcpy(bad, buf, sizeof(buf));
	bad[32] = 0x60;
	bad[33] = 0x54;		/* 21600 */
	bad[34] = bad[35] = 0;
	assert_int_equal(store_chunk_decode(bad, sizeof(bad), 0, 3, d),
	    LL_EFORMAT);
	/* times not increasing: equal, then going back */
	memcpy(bad, buf, sizeof(buf));
	memcpy(bad + 16, bad, 4);
	assert_int_equal(store_chunk_decode(bad, sizeof(bad), 0, 3, d),
	    LL_EFORMAT);
	memcpy(bad, buf, sizeof(buf));
	memcpy(bad + 32, bad, 4);
	assert_int_equal(store_chunk_decode(bad, sizeof(bad), 0, 3, d),
	    LL_EFORMAT);
	/* the sound one still decodes */
	assert_int_equal(store_chunk_decode(buf, sizeof(buf), 0, 3, d), 0);
}

static void
merge(void **state)
{
	struct chunk_ent old[] = { { 10, 1, 1 }, { 20, 2, 1 }, { 40, 4, 1 } };
	struct chunk_ent upd[] = { { 5, 50, 2 }, { 20, 21, 2 }, { 20, 22, 3 },
	    { 30, 3, 2 }, { 40, 41, 2 }, { 40, 42, 2 }, { 40, 43, 4 },
	    { 50, 5, 2 } };
	struct chunk_ent out[11];
	size_t n;

	(void)state;
	n = store_chunk_merge(old, 3, upd, 8, out);
	assert_int_equal(n, 6);
	assert_true(out[0].time == 5 && out[0].value == 50);
	assert_true(out[1].time == 10 && out[1].value == 1 && out[1].src == 1);
	assert_true(out[2].time == 20 && out[2].value == 22 && out[2].src == 3);
	assert_true(out[3].time == 30 && out[3].value == 3);
	assert_true(out[4].time == 40 && out[4].value == 43 && out[4].src == 4);
	assert_true(out[5].time == 50 && out[5].value == 5);
	/* nothing new, nothing old */
	assert_int_equal(store_chunk_merge(old, 3, NULL, 0, out), 3);
	for (int i = 0; i < 3; i++)
		assert_true(out[i].time == old[i].time &&
		    out[i].value == old[i].value && out[i].src == old[i].src);
	assert_int_equal(store_chunk_merge(NULL, 0, upd, 3, out), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spans),
		cmocka_unit_test(round_trip),
		cmocka_unit_test(hostile),
		cmocka_unit_test(merge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
