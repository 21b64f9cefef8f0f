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

#include "testutil.h"

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
	uint8_t buf[72 * STORE_CHUNK_ENTRY_MAX];
	int64_t start = 1609459200;
	size_t len;

	(void)state;
	memset(e, 0, sizeof(e));
	memset(d, 0, sizeof(d));	/* padding compares equal */
	/* steps of 200 s, but 1 s before entry 11 and 7000 s before 12 */
	for (int i = 0, t = 0; i < 72; i++) {
		t += i == 0 ? 0 : i == 11 ? 1 : i == 12 ? 7000 : 200;
		e[i].time = start + t;
		e[i].value = i * 1.5 - 7;
		e[i].src = (uint32_t)(i / 3) * 1000003u;
	}
	e[71].time = start + STORE_CHUNK_SPAN - 1;
	e[5].value = -0.0;
	e[6].value = 1e308;
	e[7].value = 9007199254740992.0;	/* 2^53: an integer */
	e[8].value = -9007199254740992.0;
	e[9].value = 9007199254740994.0;	/* past 2^53: raw */
	e[10].value = __builtin_nan("");
	len = store_chunk_encode(e, 72, start, buf);
	assert_true(len <= sizeof(buf));
	assert_int_equal(store_chunk_decode(buf, len, start, 72, d), 0);
	assert_memory_equal(e, d, sizeof(e));
}

/* The layout of store_chunk.h, byte by byte. */
static void
layout(void **state)
{
	struct chunk_ent e[4] = { { 21600, 5, 0 }, { 21900, 5, 0 },
	    { 22200, 7, 2 }, { 22201, 1.5, 2 } };
	struct chunk_ent d[4];
	static const uint8_t want[] = {
		0x00, 0x0a,		/* offset 0; value 5 (zigzag 10) */
		0xe0, 0x12, 0x00,	/* dt 300: zigzag 600 << 2; same */
		0x01, 0x02, 0x04,	/* same dt, source 2; value +2 */
		/* dt 1 (-299: zigzag 597 << 2 | raw); 1.5 in binary64 */
		0xd6, 0x12, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f,
	};
	uint8_t buf[4 * STORE_CHUNK_ENTRY_MAX];

	(void)state;
	assert_int_equal(store_chunk_encode(e, 4, 21600, buf), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(store_chunk_decode(want, sizeof(want), 21600, 4, d),
	    0);
	for (int i = 0; i < 4; i++)
		assert_true(d[i].time == e[i].time &&
		    d[i].value == e[i].value && d[i].src == e[i].src);
}

/* A steady 5-minute series, the common case, costs 2 bytes an entry. */
static void
steady_is_small(void **state)
{
	struct chunk_ent e[72];
	uint8_t buf[72 * STORE_CHUNK_ENTRY_MAX];

	(void)state;
	for (int i = 0; i < 72; i++) {
		e[i].time = 300 * i;
		e[i].value = 93482;
		e[i].src = 1;
	}
	/* 1 + 1 + 3 for the first, 2 + 1 for the second, 2 for the rest */
	assert_int_equal(store_chunk_encode(e, 72, 0, buf), 5 + 3 + 70 * 2);
}

static int
dec(const uint8_t *b, size_t len, size_t n)
{
	struct chunk_ent d[4];

	return store_chunk_decode(b, len, 0, n, d);
}

static void
hostile(void **state)
{
	static const uint8_t ok[] = { 0x00, 0x0a, 0xe0, 0x12, 0x00 };
	uint8_t big[16];
	struct chunk_ent d[4];

	(void)state;
	assert_int_equal(dec(ok, sizeof(ok), 2), 0);
	/* a byte left over, a byte short, n of 0, n over the cap, no blob */
	assert_int_equal(dec((const uint8_t[]){ 0x00, 0x0a, 0xe0, 0x12, 0x00,
	    0x00 }, 6, 2), LL_EFORMAT);
	assert_int_equal(dec(ok, sizeof(ok) - 1, 2), LL_EFORMAT);
	assert_int_equal(dec(ok, sizeof(ok), 1), LL_EFORMAT);
	assert_int_equal(dec(ok, sizeof(ok), 3), LL_EFORMAT);
	assert_int_equal(dec(ok, sizeof(ok), 0), LL_EFORMAT);
	assert_int_equal(store_chunk_decode(ok, sizeof(ok), 0,
	    STORE_CHUNK_MAX + 1, d), LL_EFORMAT);
	assert_int_equal(dec(NULL, 16, 1), LL_EFORMAT);
	/* an offset outside the span: 21600 (zigzag 43200 << 2) */
	assert_int_equal(dec((const uint8_t[]){ 0x80, 0xc6, 0x0a, 0x00 }, 4,
	    1), LL_EFORMAT);
	/* ... and 21599 is inside */
	assert_int_equal(dec((const uint8_t[]){ 0xf8, 0xc5, 0x0a, 0x00 }, 4,
	    1), 0);
	/* times not increasing: dt 300 then dt 0 (dd -300), then back */
	assert_int_equal(dec((const uint8_t[]){ 0xe0, 0x12, 0x00, 0xdc, 0x12,
	    0x00 }, 6, 2), LL_EFORMAT);
	assert_int_equal(dec((const uint8_t[]){ 0xe0, 0x12, 0x00, 0xdc, 0x25,
	    0x00 }, 6, 2), LL_EFORMAT);
	/* before the start of the span */
	assert_int_equal(dec((const uint8_t[]){ 0x04, 0x00 }, 2, 1),
	    LL_EFORMAT);
	/* not the shortest form: a varint with a zero last group, a new
	 * source equal to the last, a raw value that is an integer */
	assert_int_equal(dec((const uint8_t[]){ 0x80, 0x00, 0x00 }, 3, 1),
	    LL_EFORMAT);
	assert_int_equal(dec((const uint8_t[]){ 0x01, 0x00, 0x00 }, 3, 1),
	    LL_EFORMAT);
	assert_int_equal(dec((const uint8_t[]){ 0x02, 0, 0, 0, 0, 0, 0, 0xf0,
	    0x3f }, 9, 1), LL_EFORMAT);
	/* a source past 32 bits */
	assert_int_equal(dec((const uint8_t[]){ 0x01, 0x80, 0x80, 0x80, 0x80,
	    0x10, 0x00 }, 7, 1), LL_EFORMAT);
	/* an integer past 2^53 (zigzag 2^54 + 2) */
	assert_int_equal(dec((const uint8_t[]){ 0x00, 0x82, 0x80, 0x80, 0x80,
	    0x80, 0x80, 0x80, 0x40 }, 9, 1), LL_EFORMAT);
	/* a varint of more than 64 bits, and one that never ends */
	memset(big, 0xff, sizeof(big));
	big[10] = 0x01;
	assert_int_equal(dec(big, 11, 1), LL_EFORMAT);
	assert_int_equal(dec(big, 10, 1), LL_EFORMAT);
	/* a raw value cut short */
	assert_int_equal(dec((const uint8_t[]){ 0x02, 0, 0, 0, 0, 0, 0xf8 },
	    7, 1), LL_EFORMAT);
}

/* Version 2's fixed entries, read for the migration. */
static void
fixed_v2(void **state)
{
	static const uint8_t v2[] = {
		0x2c, 0x01, 0, 0,  0, 0, 0, 0, 0, 0, 0x24, 0x40,  1, 0, 0, 0,
		0x58, 0x02, 0, 0,  0, 0, 0, 0, 0, 0, 0xf8, 0x3f,  0, 0, 0, 0,
	};
	uint8_t bad[sizeof(v2)];
	struct chunk_ent d[2];

	(void)state;
	assert_int_equal(store_chunk_decode_v2(v2, sizeof(v2), 100, 2, d), 0);
	assert_true(d[0].time == 400 && d[0].value == 10 && d[0].src == 1);
	assert_true(d[1].time == 700 && d[1].value == 1.5 && d[1].src == 0);
	assert_int_equal(store_chunk_decode_v2(v2, sizeof(v2) - 1, 100, 2, d),
	    LL_EFORMAT);
	assert_int_equal(store_chunk_decode_v2(v2, sizeof(v2), 100, 1, d),
	    LL_EFORMAT);
	memcpy(bad, v2, sizeof(bad));
	memcpy(bad + 16, bad, 4);	/* equal times */
	assert_int_equal(store_chunk_decode_v2(bad, sizeof(bad), 100, 2, d),
	    LL_EFORMAT);
	memcpy(bad, v2, sizeof(bad));
	bad[16] = 0x60;
	bad[17] = 0x54;			/* 21600: outside the span */
	assert_int_equal(store_chunk_decode_v2(bad, sizeof(bad), 100, 2, d),
	    LL_EFORMAT);
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
		cmocka_unit_test(layout),
		cmocka_unit_test(steady_is_small),
		cmocka_unit_test(hostile),
		cmocka_unit_test(fixed_v2),
		cmocka_unit_test(merge),
	};

	return test_main("store-chunk", tests, NULL, NULL);
}
