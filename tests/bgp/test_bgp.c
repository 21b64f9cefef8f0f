/*
 * The BGP decoder (src/bgp) on crafted messages: attributes, NLRI with and
 * without ADD-PATH, MP_REACH/MP_UNREACH (IPv6, BGP-LS, an unknown AFI, the
 * abbreviated form of MRT RIB entries), the AS4_PATH merge, communities,
 * and malformed lengths with the offset and text of their report. Each
 * message is written out in hex below, field by field, and the expected
 * values are read off the bytes; the lean decode must agree with the full
 * one on every sound message and decline the others.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

#include "bgp/bgp.h"
#include "util/arena.h"
#include "util/err.h"

/* Attributes (RFC 4271 4.3): flags, type, length, value. */
#define ORIGIN_IGP	"40 01 01 00"
#define ASPATH2		"40 02 06 02 02 fde8 5ba0"	/* SEQ 65000 23456 */
#define ASPATH4		"40 02 0a 02 02 0000fde8 00030d40" /* 65000 200000 */
#define NEXTHOP		"40 03 04 c0000202"		/* 192.0.2.2 */
#define MED100		"80 04 04 00000064"
#define LPREF200	"40 05 04 000000c8"
#define ATOMIC		"40 06 00"
#define COMM2		"c0 08 08 fde80001 fde80002"
#define EXTCOMM		"c0 10 08 0002fde8 00000001"
#define LARGE1		"c0 20 0c 0000fde8 00000001 00000002"

struct fx {
	struct arena	a;
	uint8_t		m[4096];
	size_t		n;
};

static size_t
unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *s != '\0'; s++) {
		int v;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else
			continue;
		if (hi < 0)
			hi = v;
		else {
			assert_true(n < cap);
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	assert_int_equal(hi, -1);
	return n;
}

/* A whole UPDATE (RFC 4271 4.1, 4.3) from its three parts, in f->m. */
static void
update(struct fx *f, const char *wd, const char *attrs, const char *nlri)
{
	uint8_t w[1024], a[2048], nl[1024];
	size_t wn = unhex(wd, w, sizeof(w)), an = unhex(attrs, a, sizeof(a));
	size_t nn = unhex(nlri, nl, sizeof(nl));
	size_t len = BGP_HEADER_LEN + 2 + wn + 2 + an + nn;

	assert_true(len <= sizeof(f->m));
	memset(f->m, 0xff, BGP_MARKER_LEN);
	f->m[16] = (uint8_t)(len >> 8);
	f->m[17] = (uint8_t)len;
	f->m[18] = BGP_MSG_UPDATE;
	f->n = BGP_HEADER_LEN;
	f->m[f->n++] = (uint8_t)(wn >> 8);
	f->m[f->n++] = (uint8_t)wn;
	memcpy(f->m + f->n, w, wn);
	f->n += wn;
	f->m[f->n++] = (uint8_t)(an >> 8);
	f->m[f->n++] = (uint8_t)an;
	memcpy(f->m + f->n, a, an);
	f->n += an;
	memcpy(f->m + f->n, nl, nn);
	f->n += nn;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	arena_init(&f->a, 1u << 20);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	arena_fini(&f->a);
	free(f);
	return 0;
}

static struct bgp_ctx
ctx(struct fx *f, bool as4, bool addpath, bool rib)
{
	struct bgp_ctx c = { as4, addpath, rib, &f->a };

	arena_reset(&f->a);
	return c;
}

/* Decodes the attribute block given in hex. */
static int
attrs(struct fx *f, const char *hex, struct bgp_ctx c, struct bgp_attrs *a,
    struct bgp_diag *d)
{
	f->n = unhex(hex, f->m, sizeof(f->m));
	return bgp_decode_attrs(f->m, f->n, &c, a, d);
}

static void
assert_pfx(const struct bgp_nlri *n, uint8_t af, const char *hex,
    unsigned len)
{
	uint8_t a[16] = { 0 };

	unhex(hex, a, sizeof(a));
	assert_int_equal(n->pfx.af, af);
	assert_int_equal(n->pfx.len, len);
	assert_memory_equal(n->pfx.a, a, 16);
}

/* The lean decode on f->m: false when it declines; when it takes the
 * message, the runs and origin must be the full decode's. */
static bool
lean_agrees(struct fx *f, bool as4)
{
	struct bgp_ctx c = ctx(f, as4, false, false);
	struct bgp_update u;
	struct bgp_diag d;
	struct bgp_lean l;
	uint8_t type;

	if (!bgp_lean_message(f->m, f->n, as4, &l))
		return false;
	assert_int_equal(bgp_decode_message(f->m, f->n, &c, &type, &u, &d), 0);
	if (type != BGP_MSG_UPDATE) {
		for (int k = 0; k < BGP_LEAN_RUNS; k++)
			assert_int_equal(l.run[k].n, 0);
		return true;
	}
	assert_int_equal(l.run[BGP_LEAN_WITHDRAWN].n, u.withdrawn.n);
	assert_int_equal(l.run[BGP_LEAN_ANNOUNCED].n, u.announced.n);
	assert_int_equal(l.run[BGP_LEAN_MP_UNREACH].n,
	    bgp_family_ip(u.attrs.mp_unreach.afi, u.attrs.mp_unreach.safi) ?
	    u.attrs.mp_unreach.n : 0);
	assert_int_equal(l.run[BGP_LEAN_MP_REACH].n,
	    bgp_family_ip(u.attrs.mp_reach.afi, u.attrs.mp_reach.safi) ?
	    u.attrs.mp_reach.n : 0);
	if (u.announced.n + u.attrs.mp_reach.n > 0)
		assert_int_equal(l.origin, bgp_path_origin(&u.attrs.path));
	return true;
}

/* Every attribute the decoder keeps, in a 4-octet session. */
static void
attributes_decoded(void **state)
{
	struct fx *f = *state;
	struct bgp_attrs a;
	struct bgp_diag d;

	assert_int_equal(attrs(f, ORIGIN_IGP ASPATH4 NEXTHOP MED100 LPREF200
	    ATOMIC "c0 07 08 00030d40 c0000203" COMM2 EXTCOMM LARGE1
	    "c0 29 02 abcd", ctx(f, true, false, false), &a, &d), 0);
	assert_int_equal(a.origin, BGP_ORIGIN_IGP);
	assert_int_equal(a.path.nseg, 1);
	assert_int_equal(a.path.seg[0].type, BGP_SEG_SEQUENCE);
	assert_int_equal(a.path.seg[0].n, 2);
	assert_int_equal(a.path.seg[0].asn[0], 65000);
	assert_int_equal(a.path.seg[0].asn[1], 200000);
	assert_int_equal(bgp_path_origin(&a.path), 200000);
	assert_int_equal(a.nexthop.af, NET_AF4);
	assert_memory_equal(a.nexthop.a, "\xc0\x00\x02\x02", 4);
	assert_int_equal(a.med, 100);
	assert_int_equal(a.local_pref, 200);
	assert_true(a.seen & BGP_ATTR_BIT(BGP_ATTR_ATOMIC_AGGREGATE));
	assert_int_equal(a.aggregator_as, 200000);	/* 8-octet form */
	assert_memory_equal(a.aggregator_addr.a, "\xc0\x00\x02\x03", 4);
	assert_int_equal(a.n_communities, 2);
	assert_memory_equal(a.communities, "\xfd\xe8\x00\x01\xfd\xe8\x00\x02",
	    8);
	assert_int_equal(a.n_ext_communities, 1);
	assert_int_equal(a.n_large_communities, 1);
	assert_memory_equal(a.large_communities + 8, "\x00\x00\x00\x02", 4);
	/* a type not decoded (41) is seen, its content skipped */
	assert_true(a.seen & BGP_ATTR_BIT(41));
}

/* RFC 7606 3 g: a repeated attribute keeps its first occurrence. */
static void
repeated_attribute_keeps_first(void **state)
{
	struct fx *f = *state;
	struct bgp_attrs a;
	struct bgp_diag d;

	assert_int_equal(attrs(f, MED100 "80 04 04 00000005", ctx(f, true,
	    false, false), &a, &d), 0);
	assert_int_equal(a.med, 100);
}

/* RFC 6793 4.2.3: in a 2-octet session, AS4_PATH replaces the trailing
 * ASes of AS_PATH it counts, AS4_AGGREGATOR applies when AGGREGATOR holds
 * AS_TRANS. */
static void
as4_path_merged(void **state)
{
	struct fx *f = *state;
	struct bgp_attrs a;
	struct bgp_diag d;

	/* AS_PATH SEQ 64512 65000 23456; AS4_PATH SEQ 65000 200000 */
	assert_int_equal(attrs(f, "40 02 08 02 03 fc00 fde8 5ba0"
	    "c0 11 0a 02 02 0000fde8 00030d40"
	    "c0 07 06 5ba0 c0000203 c0 12 08 00030d40 c0000204",
	    ctx(f, false, false, false), &a, &d), 0);
	assert_int_equal(a.path.nseg, 2);
	assert_int_equal(a.path.seg[0].n, 1);
	assert_int_equal(a.path.seg[0].asn[0], 64512);
	assert_int_equal(a.path.seg[1].n, 2);
	assert_int_equal(a.path.seg[1].asn[0], 65000);
	assert_int_equal(a.path.seg[1].asn[1], 200000);
	assert_int_equal(bgp_path_origin(&a.path), 200000);
	assert_int_equal(a.aggregator_as, 200000);
	assert_memory_equal(a.aggregator_addr.a, "\xc0\x00\x02\x04", 4);

	/* AS4_PATH longer than AS_PATH: ignored */
	assert_int_equal(attrs(f, "40 02 04 02 01 5ba0"
	    "c0 11 0a 02 02 0000fde8 00030d40", ctx(f, false, false, false),
	    &a, &d), 0);
	assert_int_equal(a.path.nseg, 1);
	assert_int_equal(bgp_path_origin(&a.path), BGP_AS_TRANS);

	/* AGGREGATOR not AS_TRANS: AS4_AGGREGATOR and AS4_PATH ignored */
	assert_int_equal(attrs(f, "40 02 04 02 01 5ba0"
	    "c0 11 06 02 01 00030d40"
	    "c0 07 06 fde8 c0000203 c0 12 08 00030d40 c0000204",
	    ctx(f, false, false, false), &a, &d), 0);
	assert_int_equal(a.aggregator_as, 65000);
	assert_int_equal(bgp_path_origin(&a.path), BGP_AS_TRANS);

	/* a 4-octet session takes AS_PATH as it is */
	assert_int_equal(attrs(f, "40 02 06 02 01 00005ba0"
	    "c0 11 06 02 01 00030d40", ctx(f, true, false, false), &a, &d), 0);
	assert_int_equal(bgp_path_origin(&a.path), BGP_AS_TRANS);
}

/* RFC 4271 4.3: host bits past the length are masked; RFC 7911 3: path
 * identifiers before each prefix. */
static void
nlri_with_and_without_addpath(void **state)
{
	struct fx *f = *state;
	struct bgp_nlri_list l;
	struct bgp_diag d;
	struct bgp_ctx c = ctx(f, true, false, false);

	f->n = unhex("18 c63364 19 c63364ff 00 20 0a000001", f->m,
	    sizeof(f->m));
	assert_int_equal(bgp_decode_nlri(f->m, f->n, BGP_AFI_IPV4,
	    BGP_SAFI_UNICAST, &c, &l, &d), 0);
	assert_int_equal(l.n, 4);
	assert_pfx(&l.v[0], NET_AF4, "c63364", 24);
	assert_pfx(&l.v[1], NET_AF4, "c6336480", 25);
	assert_pfx(&l.v[2], NET_AF4, "", 0);
	assert_pfx(&l.v[3], NET_AF4, "0a000001", 32);
	assert_int_equal(l.v[0].path_id, 0);

	c = ctx(f, true, true, false);
	f->n = unhex("00000001 18 c63364 00000002 18 c63364", f->m,
	    sizeof(f->m));
	assert_int_equal(bgp_decode_nlri(f->m, f->n, BGP_AFI_IPV4,
	    BGP_SAFI_UNICAST, &c, &l, &d), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].path_id, 1);
	assert_int_equal(l.v[1].path_id, 2);
	assert_pfx(&l.v[1], NET_AF4, "c63364", 24);

	/* the same bytes without ADD-PATH: three /0s, a /1, then a length
	 * of 198 bits */
	c = ctx(f, true, false, false);
	assert_int_equal(bgp_decode_nlri(f->m, f->n, BGP_AFI_IPV4,
	    BGP_SAFI_UNICAST, &c, &l, &d), LL_EFORMAT);
}

static void
nlri_malformed(void **state)
{
	struct fx *f = *state;
	struct bgp_nlri_list l;
	struct bgp_diag d;
	struct bgp_ctx c = ctx(f, true, false, false);

	f->n = unhex("18 c63364 21 0a000000 00", f->m, sizeof(f->m));
	assert_int_equal(bgp_decode_nlri(f->m, f->n, BGP_AFI_IPV4,
	    BGP_SAFI_UNICAST, &c, &l, &d), LL_EFORMAT);
	assert_int_equal(d.off, 4);
	assert_string_equal(d.msg, "NLRI: prefix length 33 > 32 (RFC 4271 "
	    "section 4.3)");

	f->n = unhex("18 c633", f->m, sizeof(f->m));
	assert_int_equal(bgp_decode_nlri(f->m, f->n, BGP_AFI_IPV4,
	    BGP_SAFI_UNICAST, &c, &l, &d), LL_ETRUNC);
	assert_int_equal(d.off, 0);
	assert_string_equal(d.msg, "NLRI: prefix /24 needs 3 octets, 2 left "
	    "(RFC 4271 section 4.3)");

	c = ctx(f, true, true, false);
	f->n = unhex("00000001 18 c63364 000000", f->m, sizeof(f->m));
	assert_int_equal(bgp_decode_nlri(f->m, f->n, BGP_AFI_IPV4,
	    BGP_SAFI_UNICAST, &c, &l, &d), LL_ETRUNC);
	assert_int_equal(d.off, 8);
	assert_string_equal(d.msg, "NLRI: truncated path identifier (RFC 7911 "
	    "section 3)");

	/* IPv6: up to 128 bits */
	c = ctx(f, true, false, false);
	f->n = unhex("81" "00000000000000000000000000000000 00", f->m,
	    sizeof(f->m));
	assert_int_equal(bgp_decode_nlri(f->m, f->n, BGP_AFI_IPV6,
	    BGP_SAFI_UNICAST, &c, &l, &d), LL_EFORMAT);
	assert_string_equal(d.msg, "NLRI: prefix length 129 > 128 (RFC 4271 "
	    "section 4.3)");
}

/* RFC 4760 3-4 with RFC 2545's link-local next hop. */
static void
mp_reach_unreach_ipv6(void **state)
{
	struct fx *f = *state;
	struct bgp_update u;
	struct bgp_diag d;
	struct bgp_ctx c = ctx(f, true, false, false);
	uint8_t type;

	update(f, "", ORIGIN_IGP ASPATH4
	    "90 0e 002c 0002 01 20 20010db8000000000000000000000001"
	    "fe800000000000000000000000000001 00 30 20010db80001"
	    "80 0f 0f 0002 01 30 20010db80002 20 20010db8", "");
	assert_int_equal(bgp_decode_message(f->m, f->n, &c, &type, &u, &d), 0);
	assert_int_equal(type, BGP_MSG_UPDATE);
	const struct bgp_attrs *a = &u.attrs;
	assert_int_equal(a->mp_reach.afi, BGP_AFI_IPV6);
	assert_int_equal(a->mp_reach.n, 1);
	assert_pfx(&a->mp_reach.v[0], NET_AF6, "20010db80001", 48);
	assert_int_equal(a->mp_nexthop.af, NET_AF6);
	assert_int_equal(a->mp_nexthop.a[15], 1);
	assert_int_equal(a->mp_nexthop_ll.af, NET_AF6);
	assert_int_equal(a->mp_nexthop_ll.a[0], 0xfe);
	assert_int_equal(a->mp_unreach.n, 2);
	assert_pfx(&a->mp_unreach.v[1], NET_AF6, "20010db8", 32);
	assert_int_equal(u.announced.n + u.withdrawn.n, 0);
	assert_true(lean_agrees(f, true));
}

/* MP_REACH of BGP-LS (RFC 7752), and of an AFI nobody assigned whose next
 * hop length runs past the attribute: skipped after AFI and SAFI; the
 * rest of the UPDATE stands. */
static void
mp_reach_other_families_skipped(void **state)
{
	struct fx *f = *state;
	struct bgp_update u;
	struct bgp_diag d;
	struct bgp_ctx c = ctx(f, true, false, false);
	uint8_t type;

	update(f, "", ORIGIN_IGP ASPATH4 NEXTHOP
	    "80 0e 16 4004 47 04 c0000202 00 0001 0009 03 0000000000000000"
	    "80 0f 03 4004 47", "18 c63364");
	assert_int_equal(bgp_decode_message(f->m, f->n, &c, &type, &u, &d), 0);
	assert_int_equal(u.attrs.mp_reach.afi, BGP_AFI_BGPLS);
	assert_int_equal(u.attrs.mp_reach.safi, 71);
	assert_int_equal(u.attrs.mp_reach.n, 0);
	assert_int_equal(u.attrs.mp_nexthop.af, 0);
	assert_int_equal(u.attrs.mp_unreach.afi, BGP_AFI_BGPLS);
	assert_int_equal(u.announced.n, 1);
	assert_true(lean_agrees(f, true));

	c = ctx(f, true, false, false);
	update(f, "", ORIGIN_IGP ASPATH4 NEXTHOP "80 0e 04 00ff 01 c8",
	    "18 c63365");
	assert_int_equal(bgp_decode_message(f->m, f->n, &c, &type, &u, &d), 0);
	assert_int_equal(u.attrs.mp_reach.afi, 0x00ff);
	assert_int_equal(u.announced.n, 1);
	assert_pfx(&u.announced.v[0], NET_AF4, "c63365", 24);
	assert_true(lean_agrees(f, true));

	/* IPv4 with SAFI 128 (MPLS VPN): not decoded either */
	c = ctx(f, true, false, false);
	update(f, "", ORIGIN_IGP "80 0e 05 0001 80 0c 00", "");
	assert_int_equal(bgp_decode_message(f->m, f->n, &c, &type, &u, &d), 0);
	assert_int_equal(u.attrs.mp_reach.n, 0);
}

/* RFC 6396 4.3.4: an MRT RIB entry's MP_REACH may be just the next hop;
 * a BGP message's never is. */
static void
mp_reach_abbreviated_only_in_ribs(void **state)
{
	struct fx *f = *state;
	struct bgp_attrs a;
	struct bgp_diag d;
	const char *abbr = ORIGIN_IGP
	    "80 0e 11 10 20010db8000000000000000000000001";

	assert_int_equal(attrs(f, abbr, ctx(f, true, false, true), &a, &d), 0);
	assert_int_equal(a.mp_reach.afi, BGP_AFI_IPV6);
	assert_int_equal(a.mp_nexthop.af, NET_AF6);
	assert_int_equal(a.mp_nexthop.a[15], 1);

	/* outside a RIB the first two octets are the AFI: 0x1020, unknown */
	assert_int_equal(attrs(f, abbr, ctx(f, true, false, false), &a, &d), 0);
	assert_int_equal(a.mp_reach.afi, 0x1020);
	assert_int_equal(a.mp_nexthop.af, 0);

	/* a RIB entry in the full form is read as such */
	assert_int_equal(attrs(f, ORIGIN_IGP "80 0e 16 0002 01 10"
	    "20010db8000000000000000000000001 00 00", ctx(f, true, false, true),
	    &a, &d), 0);
	assert_int_equal(a.mp_reach.afi, BGP_AFI_IPV6);
	assert_int_equal(a.mp_nexthop.a[15], 1);

	/* the abbreviated next hop past the attribute */
	assert_int_equal(attrs(f, "80 0e 05 10 20010db8", ctx(f, true, false,
	    true), &a, &d), LL_ETRUNC);
	assert_int_equal(d.off, 3);
	assert_string_equal(d.msg, "MP_REACH_NLRI: next hop of 16 octets past "
	    "the end (RFC 6396 4.3.4)");
}

/* Malformed attribute blocks: the code, the offset in the block and the
 * text of the report. */
static void
malformed_lengths_reported(void **state)
{
	static const struct {
		const char	*hex;
		int		 rc;
		size_t		 off;
		const char	*msg;
	} bad[] = {
		{ ORIGIN_IGP "40 01 02 00 00", 0, 0, NULL },	/* repeat */
		{ "40 01 02 00 00", LL_EFORMAT, 0, "attribute 1 has length 2, "
		    "not the fixed length (RFC 4271 section 6.3)" },
		{ ORIGIN_IGP "40 03 05 c000020200", LL_EFORMAT, 4, "attribute "
		    "3 has length 5, not the fixed length (RFC 4271 section "
		    "6.3)" },
		{ ORIGIN_IGP "c0 08 05 fde8000100", LL_EFORMAT, 4,
		    "COMMUNITIES length 5 is not a multiple of 4 (RFC 1997)" },
		{ "c0 20 08 0000fde800000001", LL_EFORMAT, 0, "LARGE_COMMUNITY "
		    "length 8 is not a multiple of 12 (RFC 8092 3)" },
		{ "c0 10 04 0002fde8", LL_EFORMAT, 0, "EXTENDED COMMUNITIES "
		    "length 4 is not a multiple of 8 (RFC 4360 2)" },
		{ ORIGIN_IGP "40 02 ff 02 01 0000fde8", LL_ETRUNC, 4,
		    "attribute 2 length 255 runs past the end of the path "
		    "attributes (RFC 4271 4.3)" },
		{ ORIGIN_IGP "50 02 00", LL_ETRUNC, 4, "attribute header "
		    "truncated (RFC 4271 4.3)" },
		{ "40 02 06 05 01 0000fde8", LL_EFORMAT, 3, "AS_PATH: segment "
		    "type 5 is not 1-4 (RFC 5065 3)" },
		{ "40 02 06 02 02 0000fde8", LL_ETRUNC, 3, "AS_PATH: segment of "
		    "2 ASes of 4 octets past the end of the attribute (RFC 4271 "
		    "4.3)" },
		{ "40 02 01 02", LL_ETRUNC, 3, "AS_PATH: truncated segment "
		    "header (RFC 4271 4.3)" },
		{ ORIGIN_IGP "80 0e 08 0002 01 c8 00000000", LL_ETRUNC, 7,
		    "MP_REACH_NLRI: header past the end of the attribute (next "
		    "hop length 200, RFC 4760 section 3)" },
		{ "80 0e 02 0002", LL_ETRUNC, 3, "MP_REACH_NLRI: shorter than "
		    "its AFI and SAFI (RFC 4760 section 3)" },
		{ "80 0e 0a 0002 01 00 00 30 20010db8", LL_ETRUNC, 8, "NLRI: "
		    "prefix /48 needs 6 octets, 4 left (RFC 4271 section 4.3)" },
		{ "80 0f 02 0002", LL_ETRUNC, 3, "MP_UNREACH_NLRI: shorter than "
		    "its 3-octet header (RFC 4760 section 4)" },
		{ "80 0f 05 0001 01 21 0a", LL_EFORMAT, 6, "NLRI: prefix length "
		    "33 > 32 (RFC 4271 section 4.3)" },
		{ "c0 07 07 fde8 c000020300", LL_EFORMAT, 0, "attribute 7 has "
		    "length 7, not the fixed length (RFC 4271 section 6.3)" },
	};
	struct fx *f = *state;
	struct bgp_attrs a;
	struct bgp_diag d;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&d, 0, sizeof(d));
		int rc = attrs(f, bad[i].hex, ctx(f, true, false, false), &a,
		    &d);
		if (rc != bad[i].rc)
			fail_msg("case %zu: rc %d, want %d (%s)", i, rc,
			    bad[i].rc, d.msg);
		if (bad[i].msg == NULL)
			continue;
		assert_int_equal(d.off, bad[i].off);
		assert_string_equal(d.msg, bad[i].msg);

		/* the lean decode declines the UPDATE holding it */
		update(f, "", bad[i].hex, "");
		assert_false(lean_agrees(f, true));
	}
}

/* The message level: header, withdrawn routes, lengths. */
static void
message_framing(void **state)
{
	struct fx *f = *state;
	struct bgp_update u;
	struct bgp_diag d;
	struct bgp_ctx c = ctx(f, false, false, false);
	uint8_t type;

	update(f, "18 c63365 10 0a00", ORIGIN_IGP ASPATH2 NEXTHOP COMM2,
	    "18 c63364");
	assert_int_equal(bgp_decode_message(f->m, f->n, &c, &type, &u, &d), 0);
	assert_int_equal(u.withdrawn.n, 2);
	assert_pfx(&u.withdrawn.v[1], NET_AF4, "0a00", 16);
	assert_int_equal(u.announced.n, 1);
	assert_int_equal(bgp_path_origin(&u.attrs.path), BGP_AS_TRANS);
	assert_true(lean_agrees(f, false));

	/* a 2-octet session with AS4_PATH: the lean decode leaves the merge
	 * to the full one */
	update(f, "", ORIGIN_IGP ASPATH2 "c0 11 0a 02 02 0000fde8 00030d40",
	    "18 c63364");
	assert_false(lean_agrees(f, false));

	/* the marker */
	update(f, "", ORIGIN_IGP, "");
	f->m[3] = 0;
	c = ctx(f, false, false, false);
	assert_int_equal(bgp_decode_message(f->m, f->n, &c, &type, &u, &d),
	    LL_EFORMAT);
	assert_string_equal(d.msg, "BGP marker is not all ones (RFC 4271 4.1)");
	assert_false(lean_agrees(f, false));

	/* the header's length against the bytes */
	update(f, "", ORIGIN_IGP, "");
	f->m[17]++;
	assert_int_equal(bgp_decode_message(f->m, f->n, &c, &type, &u, &d),
	    LL_EFORMAT);
	assert_int_equal(d.off, 16);
	assert_false(lean_agrees(f, false));

	/* the withdrawn length past the message */
	update(f, "", "", "");
	f->m[BGP_HEADER_LEN + 1] = 9;
	assert_int_equal(bgp_decode_message(f->m, f->n, &c, &type, &u, &d),
	    LL_ETRUNC);
	assert_string_equal(d.msg, "UPDATE: withdrawn routes length 9 exceeds "
	    "the message (RFC 4271 4.3)");
	assert_false(lean_agrees(f, false));

	/* an error in the attributes is placed in the message */
	update(f, "18 c63365", "40 01 02 00 00", "");
	assert_int_equal(bgp_decode_message(f->m, f->n, &c, &type, &u, &d),
	    LL_EFORMAT);
	assert_int_equal(d.off, BGP_HEADER_LEN + 2 + 4 + 2);

	/* a KEEPALIVE: no elements, taken by the lean decode */
	memset(f->m, 0xff, 16);
	f->m[16] = 0;
	f->m[17] = BGP_HEADER_LEN;
	f->m[18] = BGP_MSG_KEEPALIVE;
	f->n = BGP_HEADER_LEN;
	assert_int_equal(bgp_decode_message(f->m, f->n, &c, &type, &u, &d), 0);
	assert_int_equal(type, BGP_MSG_KEEPALIVE);
	assert_true(lean_agrees(f, false));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(attributes_decoded),
		cmocka_unit_test(repeated_attribute_keeps_first),
		cmocka_unit_test(as4_path_merged),
		cmocka_unit_test(nlri_with_and_without_addpath),
		cmocka_unit_test(nlri_malformed),
		cmocka_unit_test(mp_reach_unreach_ipv6),
		cmocka_unit_test(mp_reach_other_families_skipped),
		cmocka_unit_test(mp_reach_abbreviated_only_in_ribs),
		cmocka_unit_test(malformed_lengths_reported),
		cmocka_unit_test(message_framing),
	};

	return test_main("bgp", tests, setup, teardown);
}
