/* Bounded reader, arena, time and entity vocabulary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "testutil.h"

#include "util/arena.h"
#include "net/entity.h"
#include "util/err.h"
#include "util/grow.h"
#include "util/rd.h"
#include "util/time.h"

static void
rd_reads_big_endian_and_stops_at_end(void **state)
{
	const uint8_t buf[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 };
	struct rd r = rd_make(buf, sizeof(buf));

	(void)state;
	assert_int_equal(rd_u8(&r), 0x01);
	assert_int_equal(rd_be16(&r), 0x0203);
	assert_int_equal(rd_be32(&r), 0x04050607);
	assert_true(rd_ok(&r));
	assert_int_equal(rd_left(&r), 0);
	assert_int_equal(rd_u8(&r), 0);
	assert_false(rd_ok(&r));
}

static void
rd_sub_confines_inner_reads(void **state)
{
	const uint8_t buf[] = { 2, 0xaa, 0xbb, 0xcc };
	struct rd r = rd_make(buf, sizeof(buf));
	struct rd s;

	(void)state;
	s = rd_sub(&r, rd_u8(&r));
	assert_true(rd_ok(&s));
	assert_int_equal(rd_be16(&s), 0xaabb);
	rd_u8(&s);			/* past the field: s goes bad ... */
	assert_false(rd_ok(&s));
	assert_true(rd_ok(&r));		/* ... r does not */
	assert_int_equal(rd_u8(&r), 0xcc);
	assert_int_equal(rd_off(&r), 4);
	s = rd_sub(&r, 1);		/* too long: both bad, none read */
	assert_false(rd_ok(&s));
	assert_false(rd_ok(&r));
	r = rd_make(buf, sizeof(buf));
	assert_null(rd_ptr(&r, SIZE_MAX));	/* no overflow on huge n */
	assert_false(rd_ok(&r));
}

static void
arena_caps_allocations(void **state)
{
	struct arena a;

	(void)state;
	arena_init(&a, 1024);
	assert_non_null(arena_alloc(&a, 1000));
	assert_null(arena_alloc(&a, 100));
	assert_null(arena_array(&a, SIZE_MAX / 2, 4));
	arena_reset(&a);
	assert_non_null(arena_alloc(&a, 1000));
	arena_fini(&a);
}

static void
grow_doubles_and_refuses_overflow(void **state)
{
	uint32_t *v = NULL;
	size_t cap = 0;

	(void)state;
	assert_int_equal(ll_grow(&v, &cap, 1, sizeof(*v)), 0);
	assert_int_equal(cap, 16);
	v[15] = 7;
	assert_int_equal(ll_grow(&v, &cap, 17, sizeof(*v)), 0);
	assert_int_equal(cap, 32);
	assert_int_equal(v[15], 7);		/* contents kept */
	assert_int_equal(ll_grow(&v, &cap, 20, sizeof(*v)), 0);
	assert_int_equal(cap, 32);		/* room already */
	/* a size that overflows is refused and leaves the array alone */
	assert_int_equal(ll_grow(&v, &cap, SIZE_MAX / 2, sizeof(*v)),
	    LL_ENOMEM);
	assert_int_equal(cap, 32);
	assert_int_equal(v[15], 7);
	free(v);
}

static void
time_round_trips(void **state)
{
	char buf[LL_ISO8601_LEN];
	int64_t t;

	(void)state;
	assert_int_equal(ll_time_parse("2011-01-27T22:34:00Z", &t), 0);
	assert_int_equal(t, 1296167640);
	assert_string_equal(ll_time_fmt(t, buf, sizeof(buf)),
	    "2011-01-27T22:34:00Z");
	assert_int_equal(ll_time_parse("2021-01-01", &t), 0);
	assert_int_equal(t, 1609459200);
	assert_int_equal(ll_time_parse("@1609476900", &t), 0);
	assert_int_equal(t, 1609476900);
	assert_string_equal(ll_time_fmt(0, buf, sizeof(buf)),
	    "1970-01-01T00:00:00Z");
	assert_int_equal(ll_time_parse("2021-13-01", &t), LL_EFORMAT);
	assert_int_equal(ll_time_parse("yesterday", &t), LL_EFORMAT);
	assert_int_equal(ll_duration_parse("5m", &t), 0);
	assert_int_equal(t, 300);
	assert_int_equal(ll_duration_parse("0", &t), LL_EFORMAT);
	/* out of range is refused, not wrapped or saturated */
	assert_int_equal(ll_duration_parse("106751991167301d", &t),
	    LL_EFORMAT);
	assert_int_equal(ll_duration_parse("99999999999999999999", &t),
	    LL_EFORMAT);
	assert_int_equal(ll_time_parse("@99999999999999999999", &t),
	    LL_EFORMAT);
	assert_int_equal(ll_duration_parse("106751991167300d", &t), 0);
}

static void
entities_parse_and_print(void **state)
{
	static const char *const good[] = { "country:IR", "region:IR-07",
	    "asn:58224", "prefix:208.65.152.0/22", "prefix:2001:db8::/32",
	    "collector:rrc00", "collector:route-views.linx",
	    "collector:all", "collector:2001:db8::1" };
	static const char *const bad[] = { "country:IRN", "asn:x", "asn:",
	    "planet:earth", "prefix:1.2.3.0/33", "region:I-07", "IR",
	    "collector:", "collector:a b", "collector:a,b",
	    "collector:123456789012345678901234567890123456789012345678901234" };
	struct entity e;
	char buf[ENT_STRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(entity_parse(good[i], &e), 0);
		assert_string_equal(entity_fmt(&e, buf), good[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(entity_parse(bad[i], &e), LL_EFORMAT);
	assert_int_equal(entity_parse("country:eg", &e), 0);
	assert_string_equal(entity_fmt(&e, buf), "country:EG");
	assert_int_equal(entity_parse("asn:AS4294967295", &e), 0);
	assert_int_equal(e.u.asn, 4294967295u);
	assert_int_equal(entity_parse("asn:4294967296", &e), LL_EFORMAT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rd_reads_big_endian_and_stops_at_end),
		cmocka_unit_test(rd_sub_confines_inner_reads),
		cmocka_unit_test(arena_caps_allocations),
		cmocka_unit_test(grow_doubles_and_refuses_overflow),
		cmocka_unit_test(time_round_trips),
		cmocka_unit_test(entities_parse_and_print),
	};
	return test_main("util", tests, NULL, NULL);
}
