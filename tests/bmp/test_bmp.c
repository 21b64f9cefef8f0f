/*
 * The BMP decoder on crafted messages (RFC 7854) and on real sessions that
 * FRR's bgpd and GoBGP streamed to the collector (tests/data/bmp/).
 */
#include "testutil.h"

#include "bmp/bmp.h"
#include "util/err.h"

/* A message under construction. */
struct mb {
	uint8_t	b[4096];
	size_t	n;
};

static void
put(struct mb *m, const void *p, size_t n)
{
	assert_true(m->n + n <= sizeof(m->b));
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void
u8(struct mb *m, unsigned v)
{
	uint8_t b = (uint8_t)v;
	put(m, &b, 1);
}

static void
be16(struct mb *m, unsigned v)
{
	u8(m, v >> 8);
	u8(m, v & 0xff);
}

static void
be32(struct mb *m, uint32_t v)
{
	be16(m, v >> 16);
	be16(m, v & 0xffff);
}

static void
patch16(struct mb *m, size_t at, size_t v)
{
	m->b[at] = (uint8_t)(v >> 8);
	m->b[at + 1] = (uint8_t)v;
}

/* Common header (length patched by fin()) and, for types that have one,
 * the per-peer header of peer 192.0.2.1 AS 4200000001. */
static void
hdr(struct mb *m, unsigned type, unsigned flags)
{
	static const uint8_t z[12];

	m->n = 0;
	u8(m, 3);
	be32(m, 0);
	u8(m, type);
	if (type > BMP_T_PEER_UP && type != BMP_T_ROUTE_MIRRORING)
		return;
	u8(m, 0);
	u8(m, flags);
	put(m, z, 8);
	put(m, z, 12);
	be32(m, 0xc0000201);
	be32(m, 4200000001u);
	be32(m, 0x01020304);
	be32(m, 1700000000);
	be32(m, 250);
}

static void
fin(struct mb *m)
{
	m->b[1] = (uint8_t)(m->n >> 24);
	m->b[2] = (uint8_t)(m->n >> 16);
	m->b[3] = (uint8_t)(m->n >> 8);
	m->b[4] = (uint8_t)m->n;
}

static size_t
bgp_hdr(struct mb *m, unsigned type)
{
	static const uint8_t marker[16] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};
	size_t at = m->n;

	put(m, marker, 16);
	be16(m, 0);
	u8(m, type);
	return at;
}

/* An OPEN with the ADD-PATH capability for IPv4 unicast (sr: 1 receive,
 * 2 send, 3 both), or none when sr is 0. */
static void
open_msg(struct mb *m, unsigned sr)
{
	size_t at = bgp_hdr(m, 1);

	u8(m, 4);
	be16(m, 23456);
	be16(m, 90);
	be32(m, 0x0a000001);
	if (sr == 0) {
		u8(m, 0);
	} else {
		u8(m, 8);		/* one parameter */
		u8(m, 2);
		u8(m, 6);
		u8(m, 69);
		u8(m, 4);
		be16(m, 1);
		u8(m, 1);
		u8(m, sr);
	}
	patch16(m, at + 16, m->n - at);
}

/* An UPDATE: 203.0.113.0/24 withdrawn, 198.51.100.0/24 and 10.0.0.0/8
 * announced with AS path 64500 ORIGIN; path ids when addpath; 2-octet
 * AS numbers when as2. */
static void
update_msg(struct mb *m, bool addpath, bool as2, uint32_t origin)
{
	size_t at = bgp_hdr(m, 2), al;

	be16(m, addpath ? 8 : 4);
	if (addpath)
		be32(m, 7);
	u8(m, 24); u8(m, 203); u8(m, 0); u8(m, 113);
	al = m->n;
	be16(m, 0);
	u8(m, 0x40); u8(m, 1); u8(m, 1); u8(m, 0);		/* ORIGIN */
	u8(m, 0x40); u8(m, 2); u8(m, as2 ? 6 : 10);		/* AS_PATH */
	u8(m, 2); u8(m, 2);
	if (as2) {
		be16(m, 64500);
		be16(m, origin);
	} else {
		be32(m, 64500);
		be32(m, origin);
	}
	u8(m, 0x40); u8(m, 3); u8(m, 4); be32(m, 0xc0000201);	/* NEXT_HOP */
	patch16(m, al, m->n - al - 2);
	if (addpath)
		be32(m, 9);
	u8(m, 24); u8(m, 198); u8(m, 51); u8(m, 100);
	if (addpath)
		be32(m, 10);
	u8(m, 8); u8(m, 10);
	patch16(m, at + 16, m->n - at);
}

/* An UPDATE announcing 2001:db8::/32 in MP_REACH_NLRI (RFC 4760), with a
 * path id when addpath. */
static void
update6_msg(struct mb *m, bool addpath)
{
	static const uint8_t nh[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	size_t at = bgp_hdr(m, 2), al, ml;

	be16(m, 0);
	al = m->n;
	be16(m, 0);
	u8(m, 0x40); u8(m, 1); u8(m, 1); u8(m, 0);
	u8(m, 0x40); u8(m, 2); u8(m, 6); u8(m, 2); u8(m, 1); be32(m, 64502);
	u8(m, 0x80); u8(m, 14);
	ml = m->n;
	u8(m, 0);
	be16(m, 2); u8(m, 1); u8(m, 16); put(m, nh, 16); u8(m, 0);
	if (addpath)
		be32(m, 5);
	u8(m, 32); u8(m, 0x20); u8(m, 0x01); u8(m, 0x0d); u8(m, 0xb8);
	m->b[ml] = (uint8_t)(m->n - ml - 1);
	patch16(m, al, m->n - al - 2);
	patch16(m, at + 16, m->n - at);
}

struct got {
	int		n;
	char		line[8][96];
};

static int
collect(void *ctx, const struct mrt_elem *e)
{
	struct got *g = ctx;
	char p[NET_PREFIX_STRLEN] = "-";
	uint32_t origin = 0;

	assert_true(g->n < 8);
	if (e->nlri != NULL)
		net_prefix_fmt(&e->nlri->pfx, p);
	if (e->attrs != NULL)
		origin = bgp_path_origin(&e->attrs->path);
	snprintf(g->line[g->n++], sizeof(g->line[0]), "%c %u %u %s %u %u %u",
	    e->type, e->ts, e->peer->asn, p,
	    e->nlri != NULL ? e->nlri->path_id : 0, origin, e->new_state);
	return 0;
}

static const struct bmp_msg *
decode_ok(struct bmp_decoder *d, struct mb *m)
{
	const struct bmp_msg *out;
	struct bmp_error e;
	uint32_t len;

	fin(m);
	assert_int_equal(bmp_frame(d, m->b, m->n, &len, &e), 0);
	assert_int_equal(len, m->n);
	int rc = bmp_decode(d, m->b, m->n, &out, &e);
	if (rc != 0)
		fail_msg("offset %ju: %s", (uintmax_t)e.offset, e.what);
	return out;
}

static void
peer_up(struct bmp_decoder *d, unsigned sent, unsigned recv)
{
	struct mb m;
	static const uint8_t local[16] = { [12] = 192, 0, 2, 2 };
	const struct bmp_msg *out;
	struct got g = { 0 };

	hdr(&m, BMP_T_PEER_UP, 0);
	put(&m, local, 16);
	be16(&m, 179);
	be16(&m, 50000);
	open_msg(&m, sent);
	open_msg(&m, recv);
	out = decode_ok(d, &m);
	assert_int_equal(out->rec.kind, MRT_K_STATE);
	assert_int_equal(mrt_record_elems(&out->rec, collect, &g), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.line[0], "S 1700000000 4200000001 - 0 0 6");
}

/* Initiation, Peer Up, Route Monitoring (4-octet ASes), Statistics,
 * Route Mirroring, Peer Down: the elements the MRT reader would give. */
static void
test_session(void **state)
{
	struct bmp_decoder *d;
	const struct bmp_msg *out;
	struct got g = { 0 };
	struct mb m;
	size_t np;

	(void)state;
	assert_int_equal(bmp_decoder_new(&d), 0);
	hdr(&m, BMP_T_INITIATION, 0);
	be16(&m, 2); be16(&m, 3); put(&m, "rt1", 3);
	be16(&m, 1); be16(&m, 4); put(&m, "FRRo", 4);
	out = decode_ok(d, &m);
	assert_string_equal(out->sys_name, "rt1");
	assert_int_equal(out->rec.kind, MRT_K_OTHER);

	peer_up(d, 0, 0);
	assert_non_null(bmp_decoder_peers(d, &np));
	assert_int_equal(np, 1);

	hdr(&m, BMP_T_ROUTE_MONITORING, 0);
	update_msg(&m, false, false, 4200000002u);
	out = decode_ok(d, &m);
	assert_int_equal(out->rec.kind, MRT_K_MESSAGE);
	assert_false(out->peer_flags & BMP_PF_L);
	assert_int_equal(mrt_record_elems(&out->rec, collect, &g), 0);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.line[0], "W 1700000000 4200000001 "
	    "203.0.113.0/24 0 0 0");
	assert_string_equal(g.line[1], "A 1700000000 4200000001 "
	    "198.51.100.0/24 0 4200000002 0");
	assert_string_equal(g.line[2], "A 1700000000 4200000001 "
	    "10.0.0.0/8 0 4200000002 0");

	hdr(&m, BMP_T_STATS, 0);
	be32(&m, 2);
	be16(&m, 7); be16(&m, 8); be32(&m, 0); be32(&m, 12);
	be16(&m, 0); be16(&m, 4); be32(&m, 3);
	out = decode_ok(d, &m);
	assert_int_equal(out->n_stats, 2);
	assert_int_equal(out->rec.kind, MRT_K_OTHER);

	hdr(&m, BMP_T_ROUTE_MIRRORING, 0);
	be16(&m, 1); be16(&m, 2); be16(&m, 1);
	assert_int_equal(decode_ok(d, &m)->rec.kind, MRT_K_OTHER);

	hdr(&m, BMP_T_PEER_DOWN, 0);
	u8(&m, 2);
	be16(&m, 0);
	out = decode_ok(d, &m);
	g.n = 0;
	assert_int_equal(mrt_record_elems(&out->rec, collect, &g), 0);
	assert_string_equal(g.line[0], "S 1700000000 4200000001 - 0 0 1");
	bmp_decoder_peers(d, &np);
	assert_int_equal(np, 0);

	hdr(&m, BMP_T_TERMINATION, 0);
	be16(&m, 1); be16(&m, 2); be16(&m, 1);
	assert_int_equal(decode_ok(d, &m)->term_reason, 1);
	bmp_decoder_free(d);
}

/* ADD-PATH as the OPENs negotiated it (RFC 7911), post-policy and the
 * legacy 2-octet AS_PATH (the A flag). */
static void
test_addpath_flags(void **state)
{
	struct bmp_decoder *d;
	const struct bmp_msg *out;
	struct got g = { 0 };
	struct mb m;

	(void)state;
	assert_int_equal(bmp_decoder_new(&d), 0);
	peer_up(d, 1, 2);	/* we receive, the peer sends: path ids */
	hdr(&m, BMP_T_ROUTE_MONITORING, BMP_PF_L | BMP_PF_A);
	update_msg(&m, true, true, 64501);
	out = decode_ok(d, &m);
	assert_true(out->peer_flags & BMP_PF_L);
	assert_true(out->rec.addpath);
	assert_int_equal(mrt_record_elems(&out->rec, collect, &g), 0);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.line[0], "W 1700000000 4200000001 "
	    "203.0.113.0/24 7 0 0");
	assert_string_equal(g.line[2], "A 1700000000 4200000001 "
	    "10.0.0.0/8 10 64501 0");

	/* ADD-PATH is per family: IPv6 routes of this peer have no path
	 * ids, as its OPENs negotiated them for IPv4 unicast only. */
	g.n = 0;
	hdr(&m, BMP_T_ROUTE_MONITORING, 0);
	update6_msg(&m, false);
	out = decode_ok(d, &m);
	assert_false(out->rec.addpath);
	assert_int_equal(mrt_record_elems(&out->rec, collect, &g), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.line[0], "A 1700000000 4200000001 "
	    "2001:db8::/32 0 64502 0");
	bmp_decoder_free(d);

	/* Only one side's capability: no path ids. */
	assert_int_equal(bmp_decoder_new(&d), 0);
	peer_up(d, 2, 2);
	hdr(&m, BMP_T_ROUTE_MONITORING, 0);
	update_msg(&m, false, false, 64501);
	assert_false(decode_ok(d, &m)->rec.addpath);
	bmp_decoder_free(d);
}

/* A bad message: its offset in the session's stream and what. */
static void
expect_bad(struct mb *m, size_t before, uint64_t off, const char *what)
{
	struct bmp_decoder *d;
	const struct bmp_msg *out;
	struct bmp_error e = { 0 };
	struct mb init;
	uint32_t len;
	int rc;

	assert_int_equal(bmp_decoder_new(&d), 0);
	for (size_t i = 0; i < before; i++) {
		hdr(&init, BMP_T_INITIATION, 0);
		be16(&init, 0); be16(&init, 1); u8(&init, 'x');
		decode_ok(d, &init);
	}
	rc = bmp_frame(d, m->b, m->n, &len, &e);
	if (rc == 0)
		rc = bmp_decode(d, m->b, m->n, &out, &e);
	assert_true(rc < 0);
	if (strstr(e.what, what) == NULL)
		fail_msg("'%s' lacks '%s'", e.what, what);
	assert_int_equal(e.offset, off);
	bmp_decoder_free(d);
}

static void
test_bad(void **state)
{
	struct mb m;

	(void)state;
	hdr(&m, BMP_T_INITIATION, 0);
	fin(&m);
	m.b[0] = 1;
	expect_bad(&m, 2, 22, "version 1");

	hdr(&m, BMP_T_PEER_DOWN, 0);
	m.n = 20;
	fin(&m);
	expect_bad(&m, 0, 20, "per-peer header is cut short");

	hdr(&m, BMP_T_INITIATION, 0);
	be16(&m, 2); be16(&m, 30); put(&m, "abc", 3);
	fin(&m);
	expect_bad(&m, 1, 11 + 6, "TLV 2 of length 30 past the end");

	hdr(&m, BMP_T_ROUTE_MONITORING, 0);
	open_msg(&m, 0);
	fin(&m);
	expect_bad(&m, 0, 48 + 18, "BGP message of type 1 where type 2");

	hdr(&m, BMP_T_ROUTE_MONITORING, 0);
	update_msg(&m, false, false, 1);
	u8(&m, 0);
	fin(&m);
	expect_bad(&m, 0, m.n - 1, "1 octets after the UPDATE");

	/* A broken attribute: the BGP decoder's offset, in the stream. */
	hdr(&m, BMP_T_ROUTE_MONITORING, 0);
	update_msg(&m, false, false, 1);
	m.b[48 + 19 + 2 + 4 + 2 + 4 + 2] = 200;	/* AS_PATH length */
	fin(&m);
	expect_bad(&m, 0, 48 + 19 + 2 + 4 + 2 + 4, "attribute 2 length 200");

	/* A count of counters far past what the message holds: one error at
	 * the first missing counter, not 2^32 turns of the loop. */
	hdr(&m, BMP_T_STATS, 0);
	be32(&m, 0xffffffffu);
	be16(&m, 0); be16(&m, 4); be32(&m, 3);
	fin(&m);
	expect_bad(&m, 0, 48 + 4 + 8, "counter 2 of 4294967295");

	hdr(&m, BMP_T_PEER_DOWN, 0);
	u8(&m, 9);
	fin(&m);
	expect_bad(&m, 0, 48, "unknown reason 9");

	hdr(&m, 9, 0);
	fin(&m);
	expect_bad(&m, 0, 5, "unknown message type 9");

	hdr(&m, BMP_T_INITIATION, 0);
	fin(&m);
	m.b[1] = 0x7f;
	expect_bad(&m, 0, 1, "over the cap");
}

/* A session a real router streamed, replayed through the decoder: every
 * message sound; the route elements tell what the injector did (AS 65010
 * announced 10.1.0.0/24, 10.1.1.0/24, 10.2.0.0/22, 2001:db8:1::/48 and
 * 2001:db8:2::/47, withdrew the /22 and the /47, then went down), in that
 * order. */
struct story {
	int	step;		/* what was seen so far, in order */
	int	step6;		/* the same for 2001:db8:2::/47 (MP_REACH) */
	int	elems;
};

static int
follow(void *ctx, const struct mrt_elem *e)
{
	struct story *st = ctx;
	char p[NET_PREFIX_STRLEN] = "";

	st->elems++;
	assert_int_equal(e->peer->asn, 65010);
	if (e->nlri != NULL)
		net_prefix_fmt(&e->nlri->pfx, p);
	if (e->type == MRT_ELEM_ANNOUNCE) {
		assert_int_equal(bgp_path_origin(&e->attrs->path), 65010);
		if (strcmp(p, "10.2.0.0/22") == 0 && st->step == 0)
			st->step = 1;
	}
	if (e->type == MRT_ELEM_WITHDRAW && strcmp(p, "10.2.0.0/22") == 0 &&
	    st->step == 1)
		st->step = 2;
	if (strcmp(p, "2001:db8:2::/47") == 0 &&
	    st->step6 == (e->type == MRT_ELEM_ANNOUNCE ? 0 : 1))
		st->step6++;
	if (e->type == MRT_ELEM_STATE && e->new_state == BMP_STATE_IDLE &&
	    st->step == 2)
		st->step = 3;
	return 0;
}

static void
replay_capture(const char *name)
{
	const char *path = test_data(name);
	struct bmp_decoder *d;
	struct bmp_error e;
	const struct bmp_msg *out;
	struct story st = { 0 };
	size_t len, at = 0;
	uint8_t *buf = test_slurp(path, &len);
	int init = 0;

	assert_non_null(buf);
	assert_int_equal(bmp_decoder_new(&d), 0);
	while (at < len) {
		uint32_t n;

		assert_int_equal(bmp_frame(d, buf + at, len - at, &n, &e), 0);
		assert_true(n > 0 && n <= len - at);
		if (bmp_decode(d, buf + at, n, &out, &e) != 0)
			fail_msg("%s: offset %ju: %s", name,
			    (uintmax_t)e.offset, e.what);
		init += out->type == BMP_T_INITIATION;
		if (out->rec.kind != MRT_K_OTHER)
			assert_int_equal(mrt_record_elems(&out->rec, follow,
			    &st), 0);
		at += n;
	}
	assert_int_equal(init, 1);
	if (st.step != 3)
		fail_msg("%s: announce, withdraw, peer down: only %d of 3 seen",
		    name, st.step);
	if (st.step6 != 2)
		fail_msg("%s: IPv6 announce and withdraw: %d of 2 seen", name,
		    st.step6);
	assert_true(st.elems >= 9);
	bmp_decoder_free(d);
	free(buf);
}

static void
test_frr_capture(void **state)
{
	(void)state;
	replay_capture("bmp/frr.bmp");
}

static void
test_gobgp_capture(void **state)
{
	(void)state;
	replay_capture("bmp/gobgp.bmp");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session),
		cmocka_unit_test(test_addpath_flags),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_frr_capture),
		cmocka_unit_test(test_gobgp_capture),
	};

	return test_main("bmp", tests, NULL, NULL);
}
