/*
 * The MRT/BGP library on real archives (counts checked against the tallies
 * PROVENANCE.md records from bgpdump's output) and on crafted UPDATEs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "bgp/bgp.h"
#include "mrt/mrt.h"
#include "testutil.h"
#include "util/err.h"
#include "input/input.h"

struct tally {
	uint64_t a, w, b, s, v4, v6, pathid_nonzero;
};

static int
count(void *ctx, const struct mrt_elem *e)
{
	struct tally *t = ctx;

	switch (e->type) {
	case MRT_ELEM_ANNOUNCE: t->a++; break;
	case MRT_ELEM_WITHDRAW: t->w++; break;
	case MRT_ELEM_RIB: t->b++; break;
	case MRT_ELEM_STATE: t->s++; return 0;
	}
	if (e->nlri->pfx.af == NET_AF4)
		t->v4++;
	else
		t->v6++;
	if (e->nlri->path_id != 0)
		t->pathid_nonzero++;
	return 0;
}

static void
tally_file(const char *path, struct tally *t, uint64_t *bad)
{
	struct input *in;
	struct mrt_reader *r;
	const struct mrt_record *rec;

	memset(t, 0, sizeof(*t));
	assert_int_equal(input_open(path, NULL, &in), 0);
	assert_int_equal(mrt_reader_new(in, path, NULL, &r), 0);
	while (mrt_reader_next(r, &rec) == 1)
		mrt_record_elems(rec, count, t);
	*bad = mrt_reader_stats(r)->bad;
	mrt_reader_free(r);
	input_free(in);
}

static void
rrc04_2021_counts(void **state)
{
	const char *f = test_shared_or_skip("mrt/ris-2021-gatech-cs6250/"
	    "ris.rrc04.updates.1609476900.300.gz");
	struct tally t;
	uint64_t bad;

	(void)state;
	tally_file(f, &t, &bad);
	/* PROVENANCE: A=27623 STATE=30 W=585; v4=19231 v6=8977 */
	assert_int_equal(bad, 0);
	assert_int_equal(t.a, 27623);
	assert_int_equal(t.w, 585);
	assert_int_equal(t.s, 30);
	assert_int_equal(t.v4, 19231);
	assert_int_equal(t.v6, 8977);
}

static void
rrc_2016_counts(void **state)
{
	const char *f = test_shared_or_skip("mrt/ripe-bgpdump/"
	    "updates.20160811.1600.gz");
	struct tally t;
	uint64_t bad;

	(void)state;
	tally_file(f, &t, &bad);
	/* PROVENANCE: A=39256 W=1956 STATE=22; v4=34326 v6=6886 */
	assert_int_equal(bad, 0);
	assert_int_equal(t.a, 39256);
	assert_int_equal(t.w, 1956);
	assert_int_equal(t.s, 22);
	assert_int_equal(t.v4, 34326);
	assert_int_equal(t.v6, 6886);
}

static void
addpath_rib_has_path_ids(void **state)
{
	const char *f = test_shared_or_skip("mrt/ripe-bgpdump/"
	    "bview.ipv4_unicast_add_path.gz");
	struct tally t;
	uint64_t bad;

	(void)state;
	tally_file(f, &t, &bad);
	assert_int_equal(bad, 0);
	assert_true(t.b > 0);
	assert_true(t.pathid_nonzero > 0);
}

/* Every JSONL line is a JSON object whose fields agree with the tally. */
static void
jsonl_is_valid_json(void **state)
{
	const char *f = test_shared_or_skip("mrt/libbgpstream/ris.rrc06.updates."
	    "1427846400.gz");
	struct input *in;
	struct mrt_reader *r;
	struct mrt_printer *p;
	const struct mrt_record *rec;
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0, n = 0, a = 0;
	FILE *mem;

	(void)state;
	mem = open_memstream(&buf, &len);
	assert_non_null(mem);
	assert_int_equal(input_open(f, NULL, &in), 0);
	assert_int_equal(mrt_reader_new(in, f, NULL, &r), 0);
	assert_int_equal(mrt_printer_new(mem, MRT_FMT_JSONL, &p), 0);
	while (mrt_reader_next(r, &rec) == 1)
		assert_int_equal(mrt_printer_put(p, rec), 0);
	assert_int_equal(mrt_printer_flush(p), 0);
	fclose(mem);
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		json_error_t err;
		json_t *o = json_loads(line, 0, &err);
		if (o == NULL)
			fail_msg("line %zu: %s: %s", n + 1, err.text, line);
		assert_true(json_is_string(json_object_get(o, "type")));
		assert_true(json_is_integer(json_object_get(o, "peer_asn")));
		if (strcmp(json_string_value(json_object_get(o, "type")),
		    "A") == 0) {
			a++;
			assert_true(json_is_string(json_object_get(o,
			    "as_path")));
		}
		json_decref(o);
		n++;
	}
	/* PROVENANCE: 1561 lines; A=1435 */
	assert_int_equal(n, 1561);
	assert_int_equal(a, 1435);
	free(buf);
	mrt_printer_free(p);
	mrt_reader_free(r);
	input_free(in);
}

/* Appends one path attribute (RFC 4271 4.3) to buf at *n. */
static void
put_attr(uint8_t *buf, size_t *n, uint8_t flags, uint8_t type,
    const uint8_t *v, uint8_t len)
{
	buf[(*n)++] = flags;
	buf[(*n)++] = type;
	buf[(*n)++] = len;
	memcpy(buf + *n, v, len);
	*n += len;
}

/* A hand-made UPDATE from a 2-octet session: AS_PATH with AS_TRANS and an
 * AS_SET, AS4_PATH (RFC 6793 4.2.3 merge), AGGREGATOR AS_TRANS with
 * AS4_AGGREGATOR, and one NLRI. */
static void
crafted_update_merges_as4_and_masks(void **state)
{
	static const uint8_t origin[] = { 0 };
	static const uint8_t path[] = { 2, 2, 0x0d, 0x1c, 0x5b, 0xa0,
	    1, 2, 0, 1, 0, 2 };			/* 3356 23456 {1,2} */
	static const uint8_t nh[] = { 10, 0, 0, 1 };
	static const uint8_t agg[] = { 0x5b, 0xa0, 10, 0, 0, 2 };
	static const uint8_t path4[] = { 2, 1, 0, 3, 0, 0,
	    1, 2, 0, 0, 0, 1, 0, 0, 0, 2 };	/* 196608 {1,2} */
	static const uint8_t agg4[] = { 0, 3, 0, 0, 10, 0, 0, 2 };
	uint8_t msg[256];
	size_t n = 4;
	struct arena ar;
	struct bgp_ctx c = { false, false, false, &ar };
	struct bgp_update u;
	struct bgp_diag d;

	(void)state;
	msg[0] = msg[1] = 0;			/* no withdrawn routes */
	put_attr(msg, &n, 0x40, BGP_ATTR_ORIGIN, origin, sizeof(origin));
	put_attr(msg, &n, 0x40, BGP_ATTR_AS_PATH, path, sizeof(path));
	put_attr(msg, &n, 0x40, BGP_ATTR_NEXT_HOP, nh, sizeof(nh));
	put_attr(msg, &n, 0xc0, BGP_ATTR_AGGREGATOR, agg, sizeof(agg));
	put_attr(msg, &n, 0xc0, BGP_ATTR_AS4_PATH, path4, sizeof(path4));
	put_attr(msg, &n, 0xc0, BGP_ATTR_AS4_AGGREGATOR, agg4, sizeof(agg4));
	msg[2] = 0;
	msg[3] = (uint8_t)(n - 4);
	msg[n++] = 23;				/* 203.0.113.0/23, bits set */
	msg[n++] = 203; msg[n++] = 0; msg[n++] = 113;
	arena_init(&ar, 1 << 20);
	assert_int_equal(bgp_decode_update(msg, n, &c, &u, &d), 0);
	/* 3 ASes counted in AS_PATH, 2 in AS4_PATH: keep 1, then AS4_PATH:
	 * "3356 196608 {1,2}" */
	assert_int_equal(u.attrs.path.nseg, 3);
	assert_int_equal(u.attrs.path.seg[0].n, 1);
	assert_int_equal(u.attrs.path.seg[0].asn[0], 3356);
	assert_int_equal(u.attrs.path.seg[1].asn[0], 196608);	/* merged */
	assert_int_equal(u.attrs.path.seg[2].type, BGP_SEG_SET);
	assert_int_equal(u.attrs.path.seg[2].n, 2);
	assert_int_equal(bgp_path_origin(&u.attrs.path), 0);	/* a set */
	assert_int_equal(u.attrs.aggregator_as, 196608);
	assert_int_equal(u.announced.n, 1);
	assert_int_equal(u.announced.v[0].pfx.a[2], 112);	/* masked */
	/* the same bytes from a 4-octet session: no merge, AS4_* ignored */
	c.as4 = true;
	assert_int_not_equal(bgp_decode_update(msg, n, &c, &u, &d), 0);
	arena_fini(&ar);
}

static void
nlri_host_bits_are_masked(void **state)
{
	/* 11.13.0.0/13 must read as 11.8.0.0/13 (RFC 4271 4.3) */
	static const uint8_t nlri[] = { 13, 11, 13, 24, 192, 0, 2 };
	struct arena ar;
	struct bgp_ctx c = { false, false, false, &ar };
	struct bgp_nlri_list l;
	struct bgp_diag d;
	char b[NET_PREFIX_STRLEN];

	(void)state;
	arena_init(&ar, 1 << 20);
	assert_int_equal(bgp_decode_nlri(nlri, sizeof(nlri), BGP_AFI_IPV4, 1,
	    &c, &l, &d), 0);
	assert_int_equal(l.n, 2);
	net_prefix_fmt(&l.v[0].pfx, b);
	assert_string_equal(b, "11.8.0.0/13");
	net_prefix_fmt(&l.v[1].pfx, b);
	assert_string_equal(b, "192.0.2.0/24");
	/* a length past 32 and a cut prefix are errors, not reads */
	static const uint8_t bad1[] = { 33, 1, 2, 3, 4, 5 };
	assert_int_equal(bgp_decode_nlri(bad1, sizeof(bad1), BGP_AFI_IPV4, 1,
	    &c, &l, &d), LL_EFORMAT);
	static const uint8_t bad2[] = { 24, 10, 0 };
	assert_int_equal(bgp_decode_nlri(bad2, sizeof(bad2), BGP_AFI_IPV4, 1,
	    &c, &l, &d), LL_ETRUNC);
	arena_fini(&ar);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rrc04_2021_counts),
		cmocka_unit_test(rrc_2016_counts),
		cmocka_unit_test(addpath_rib_has_path_ids),
		cmocka_unit_test(jsonl_is_valid_json),
		cmocka_unit_test(crafted_update_merges_as4_and_masks),
		cmocka_unit_test(nlri_host_bits_are_masked),
	};
	return test_main("mrt", tests, NULL, NULL);
}
