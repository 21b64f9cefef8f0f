/*
 * The visibility engine on synthetic route elements, IODA's rules:
 * full-feed selection (>= 400,000 or a share of the largest table), votes
 * by full-feed peer AS at >= the threshold, prefixes /6 and longer (a /25
 * makes its /24 visible), every known origin getting a prefix (MOAS,
 * AS_SET skipped), overlap counting per AS and per country, IPv6 /48s,
 * collector health, session resets, RIB replacement, bin edges and
 * several collectors.
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

#include "signal/signal.h"
#include "util/err.h"

#define MAXPTS 4096

struct pt {
	int64_t		t;
	char		kind[24];
	char		ent[64];
	uint64_t	v;
};

struct sink {
	struct pt	p[MAXPTS];
	size_t		n;
};

static int
sink_fn(void *ctx, const char *kind, int64_t t, const char *ent, uint64_t v)
{
	struct sink *k = ctx;

	assert_true(k->n < MAXPTS);
	k->p[k->n].t = t;
	snprintf(k->p[k->n].kind, sizeof(k->p[k->n].kind), "%s", kind);
	snprintf(k->p[k->n].ent, sizeof(k->p[k->n].ent), "%s", ent);
	k->p[k->n].v = v;
	k->n++;
	return 0;
}

/* The value of kind for ent at t; -1 when not emitted. */
static int64_t
valk(const struct sink *k, const char *kind, int64_t t, const char *ent)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->p[i].t == t && strcmp(k->p[i].ent, ent) == 0 &&
		    strcmp(k->p[i].kind, kind) == 0)
			return (int64_t)k->p[i].v;
	return -1;
}

/* The "bgp" (IPv4, 50%) value of ent at t. */
static int64_t
val(const struct sink *k, int64_t t, const char *ent)
{
	return valk(k, "bgp", t, ent);
}

static size_t
npoints_kind(const struct sink *k, const char *kind)
{
	size_t n = 0;

	for (size_t i = 0; i < k->n; i++)
		n += strcmp(k->p[i].kind, kind) == 0;
	return n;
}

static size_t
npoints_at(const struct sink *k, int64_t t)
{
	size_t n = 0;

	for (size_t i = 0; i < k->n; i++)
		n += k->p[i].t == t;
	return n;
}

/* Synthetic geography: 10.0.0.0/8 is "AA" (the first half region
 * "AA-1"), 11.0.0.0/8 is "BB", the rest has no country. */
static int
test_split(void *ctx, const struct net_prefix *p, geo_split_fn *fn,
    void *fnctx)
{
	uint64_t units = net_prefix_units(p);
	int rc;

	(void)ctx;
	if (p->af == NET_AF6)
		return fn(fnctx, "CC", "", units);
	if (p->a[0] == 10 && p->len >= 9)
		return fn(fnctx, "AA", p->a[1] < 128 ? "AA-1" : "AA-2", units);
	if (p->a[0] == 10) {
		if ((rc = fn(fnctx, "AA", "AA-1", units / 2)) != 0)
			return rc;
		return fn(fnctx, "AA", "AA-2", units / 2);
	}
	if (p->a[0] == 11)
		return fn(fnctx, "BB", "", units);
	return fn(fnctx, "", "", units);
}

struct world {
	struct sig	*s;
	struct sink	 k;
	struct mrt_peer	 peers[16];
	uint16_t	 coll[2];
};

static struct world *
world_new(double ff_pct, int visibility)
{
	struct world *w = calloc(1, sizeof(*w));
	struct sig_opts o = { 0 };

	assert_non_null(w);
	o.ff_pct = ff_pct;
	o.visibility = visibility;
	o.split = test_split;
	assert_int_equal(sig_new(&o, sink_fn, &w->k, &w->s), 0);
	for (int i = 0; i < 16; i++) {
		w->peers[i].addr.af = NET_AF4;
		w->peers[i].addr.a[0] = 192;
		w->peers[i].addr.a[3] = (uint8_t)(i + 1);
		w->peers[i].asn = 65000u + (uint32_t)i;
	}
	assert_int_equal(sig_collector(w->s, "rrc00", &w->coll[0]), 0);
	assert_int_equal(sig_collector(w->s, "rrc01", &w->coll[1]), 0);
	return w;
}

static void
world_free(struct world *w)
{
	sig_free(w->s);
	free(w);
}

/* Feeds one element: type 'A', 'W', 'B' or 'S'; an announcement's path
 * is 64999 origin, or with as_set 64999 {origin}. */
static int
feed_path(struct world *w, int coll, int peer, char type, uint32_t ts,
    const char *pfx, uint32_t origin, uint16_t state, bool as_set)
{
	struct mrt_elem e = { 0 };
	struct bgp_nlri n = { 0 };
	struct bgp_attrs a = { 0 };
	struct bgp_asseg seg[2] = { { 0 }, { 0 } };
	uint32_t path[2] = { 64999, origin };

	e.type = (enum mrt_elem_type)type;
	e.ts = ts;
	e.peer = &w->peers[peer];
	if (pfx != NULL) {
		assert_int_equal(net_prefix_parse(pfx, &n.pfx), 0);
		e.nlri = &n;
	}
	if ((type == 'A' || type == 'B') && !as_set) {
		seg[0].type = BGP_SEG_SEQUENCE;
		seg[0].n = 2;
		seg[0].asn = path;
		a.path.nseg = 1;
		a.path.seg = seg;
		e.attrs = &a;
	} else if (type == 'A' || type == 'B') {
		seg[0].type = BGP_SEG_SEQUENCE;
		seg[0].n = 1;
		seg[0].asn = path;
		seg[1].type = BGP_SEG_SET;
		seg[1].n = 1;
		seg[1].asn = path + 1;
		a.path.nseg = 2;
		a.path.seg = seg;
		e.attrs = &a;
	}
	e.new_state = state;
	return sig_elem(w->s, w->coll[coll], &e);
}

static int
feed(struct world *w, int coll, int peer, char type, uint32_t ts,
    const char *pfx, uint32_t origin, uint16_t state)
{
	return feed_path(w, coll, peer, type, ts, pfx, origin, state, false);
}

static void
announce(struct world *w, int peer, uint32_t ts, const char *pfx,
    uint32_t origin)
{
	assert_int_equal(feed(w, 0, peer, 'A', ts, pfx, origin, 0), 0);
}

#define T0 1609459200	/* 2021-01-01T00:00:00Z */

/* 4 peers with 10 prefixes, 1 peer with 2: with 50% of the largest
 * table, only the 4 are full-feed. */
static void
test_full_feed_pct(void **state)
{
	struct world *w = world_new(50, 0);
	char p[32];

	(void)state;
	for (int peer = 0; peer < 4; peer++) {
		for (int i = 0; i < 10; i++) {
			snprintf(p, sizeof(p), "11.0.%d.0/24", i);
			announce(w, peer, T0 + 1, p, 100);
		}
	}
	/* Peer 4 alone sees 10.0.0.0/24 and 11.0.0.0/24: 1 of 4 full-feed
	 * peers see the first, not enough; a non-full-feed peer adds
	 * nothing. */
	announce(w, 4, T0 + 2, "10.0.0.0/24", 200);
	announce(w, 4, T0 + 2, "11.0.0.0/24", 200);
	assert_int_equal(sig_finish(w->s), 0);
	assert_int_equal(sig_get_stats(w->s)->full_feed, 4);
	assert_int_equal(val(&w->k, T0, "country:BB"), 10);
	assert_int_equal(val(&w->k, T0, "country:AA"), -1);
	assert_int_equal(val(&w->k, T0, "asn:100"), 10);
	assert_int_equal(val(&w->k, T0, "asn:200"), -1);
	world_free(w);
}

/* Absolute threshold: default 400,000 makes nobody full-feed here; the
 * collectors' health still says how many peers there are. */
static void
test_full_feed_abs(void **state)
{
	struct world *w = world_new(0, 0);

	(void)state;
	for (int peer = 0; peer < 4; peer++)
		announce(w, peer, T0, "11.0.0.0/24", 100);
	assert_int_equal(sig_finish(w->s), 0);
	assert_int_equal(sig_get_stats(w->s)->full_feed, 0);
	assert_int_equal(npoints_kind(&w->k, "bgp"), 0);
	assert_int_equal(valk(&w->k, "bgp.peers", T0, "collector:rrc00"), 4);
	assert_int_equal(valk(&w->k, "bgp.peers", T0, "collector:all"), 4);
	assert_int_equal(valk(&w->k, "bgp.ff_peers", T0, "collector:rrc00"),
	    0);
	assert_int_equal(valk(&w->k, "bgp.ff_asns", T0, "collector:all"), 0);
	/* rrc01 has no peer: nothing of it. */
	assert_int_equal(valk(&w->k, "bgp.peers", T0, "collector:rrc01"), -1);
	world_free(w);
}

/* A peer with exactly 400,000 IPv4 prefixes is full-feed (>=), one with
 * 399,999 is not; the largest table is kept in the statistics. */
static void
test_full_feed_exactly_400k(void **state)
{
	struct world *w = world_new(0, 0);
	const struct sig_stats *st;
	char p[32];

	(void)state;
	for (uint32_t i = 0; i < 400000; i++) {
		snprintf(p, sizeof(p), "%u.%u.%u.0/24", 20 + (i >> 16),
		    (i >> 8) & 0xff, i & 0xff);
		announce(w, 0, T0, p, 100);
		if (i > 0)
			announce(w, 1, T0, p, 100);
	}
	assert_int_equal(sig_finish(w->s), 0);
	st = sig_get_stats(w->s);
	assert_int_equal(st->full_feed, 1);
	assert_int_equal(st->max_v4, 400000);
	assert_int_equal(st->max_v6, 0);
	assert_int_equal(valk(&w->k, "bgp.ff_peers", T0, "collector:rrc00"),
	    1);
	assert_int_equal(valk(&w->k, "bgp.peers", T0, "collector:rrc00"), 2);
	assert_int_equal(val(&w->k, T0, "asn:100"), 400000);
	world_free(w);
}

/* Exactly 50% of the full-feed ASes is enough (IODA: ratio >= 0.5); the
 * other thresholds are other kinds. */
static void
test_threshold_exact_half(void **state)
{
	struct world *w = world_new(1, 0);

	(void)state;
	/* 4 full-feed peers: each holds 11.9.0.0/24. */
	for (int peer = 0; peer < 4; peer++)
		announce(w, peer, T0, "11.9.0.0/24", 1);
	/* 11.0.0.0/24 by 2 of 4 (50%), 11.0.1.0/24 by 1 of 4. */
	announce(w, 0, T0, "11.0.0.0/24", 7);
	announce(w, 1, T0, "11.0.0.0/24", 7);
	announce(w, 2, T0, "11.0.1.0/24", 8);
	assert_int_equal(sig_finish(w->s), 0);
	assert_int_equal(sig_get_stats(w->s)->full_feed, 4);
	assert_int_equal(val(&w->k, T0, "asn:7"), 1);
	assert_int_equal(val(&w->k, T0, "asn:8"), -1);
	assert_int_equal(val(&w->k, T0, "country:BB"), 2);
	world_free(w);

	/* 25%: 1 of 4 is enough, under kind bgp.v25. */
	w = world_new(1, 25);
	for (int peer = 0; peer < 4; peer++)
		announce(w, peer, T0, "11.9.0.0/24", 1);
	announce(w, 2, T0, "11.0.1.0/24", 8);
	assert_int_equal(sig_finish(w->s), 0);
	assert_int_equal(valk(&w->k, "bgp.v25", T0, "asn:8"), 1);
	assert_int_equal(npoints_kind(&w->k, "bgp"), 0);
	world_free(w);

	/* 75%: 3 of 4 is enough, 2 of 4 not; 100%: all of them. */
	w = world_new(1, 75);
	for (int peer = 0; peer < 4; peer++)
		announce(w, peer, T0, "11.9.0.0/24", 1);
	for (int peer = 0; peer < 3; peer++)
		announce(w, peer, T0, "11.0.1.0/24", 8);
	announce(w, 0, T0, "11.0.2.0/24", 9);
	announce(w, 1, T0, "11.0.2.0/24", 9);
	assert_int_equal(sig_finish(w->s), 0);
	assert_int_equal(valk(&w->k, "bgp.v75", T0, "asn:8"), 1);
	assert_int_equal(valk(&w->k, "bgp.v75", T0, "asn:9"), -1);
	world_free(w);
	w = world_new(1, 100);
	for (int peer = 0; peer < 4; peer++)
		announce(w, peer, T0, "11.9.0.0/24", 1);
	for (int peer = 0; peer < 3; peer++)
		announce(w, peer, T0, "11.0.1.0/24", 8);
	assert_int_equal(sig_finish(w->s), 0);
	assert_int_equal(valk(&w->k, "bgp.v100", T0, "asn:1"), 1);
	assert_int_equal(valk(&w->k, "bgp.v100", T0, "asn:8"), -1);
	world_free(w);

	/* any: one full-feed AS is enough. */
	w = world_new(1, SIG_VIS_ANY);
	for (int peer = 0; peer < 4; peer++)
		announce(w, peer, T0, "11.9.0.0/24", 1);
	announce(w, 3, T0, "11.0.1.0/24", 8);
	assert_int_equal(sig_finish(w->s), 0);
	assert_int_equal(valk(&w->k, "bgp.any", T0, "asn:8"), 1);
	assert_int_equal(valk(&w->k, "bgp.any", T0, "country:BB"), 2);
	world_free(w);
}

/* Overlaps: the country counts each /24 once; an AS's own overlapping
 * prefixes count once, a customer's more specific counts for both; a /25
 * makes its /24 visible (two /25s of one /24: once); /6 and /7 count,
 * /5 and shorter not. */
static void
test_overlap_and_attribution(void **state)
{
	struct world *w = world_new(1, 0);

	(void)state;
	for (int peer = 0; peer < 3; peer++) {
		announce(w, peer, T0, "11.1.0.0/16", 100);
		announce(w, peer, T0, "11.1.7.0/24", 100);
		announce(w, peer, T0, "11.1.5.0/24", 200);
		announce(w, peer, T0, "11.1.8.0/23", 300);
		announce(w, peer, T0, "11.1.9.0/24", 400);
		announce(w, peer, T0, "11.2.0.0/25", 500);
		announce(w, peer, T0, "11.2.0.128/25", 500);
		announce(w, peer, T0, "11.2.1.64/26", 500);
		announce(w, peer, T0, "0.0.0.0/0", 600);
		announce(w, peer, T0, "16.0.0.0/5", 650);
		announce(w, peer, T0, "12.0.0.0/7", 700);
		announce(w, peer, T0, "4.0.0.0/6", 800);
	}
	assert_int_equal(sig_finish(w->s), 0);
	assert_int_equal(val(&w->k, T0, "country:BB"), 256 + 2);
	assert_int_equal(val(&w->k, T0, "asn:100"), 256);
	assert_int_equal(val(&w->k, T0, "asn:200"), 1);
	assert_int_equal(val(&w->k, T0, "asn:300"), 2);
	assert_int_equal(val(&w->k, T0, "asn:400"), 1);
	assert_int_equal(val(&w->k, T0, "asn:500"), 2);
	assert_int_equal(val(&w->k, T0, "asn:600"), -1);
	assert_int_equal(val(&w->k, T0, "asn:650"), -1);
	assert_int_equal(val(&w->k, T0, "asn:700"), 1 << 17);
	assert_int_equal(val(&w->k, T0, "asn:800"), 1 << 18);
	assert_int_equal(sig_get_stats(w->s)->visible, 10);
	world_free(w);
}

/* A /25 visible alone gets its /24's country (the country of the /24
 * that holds it). */
static void
test_longer_than_24_country(void **state)
{
	struct world *w = world_new(1, 0);

	(void)state;
	for (int peer = 0; peer < 2; peer++) {
		announce(w, peer, T0, "10.200.1.128/25", 5);
		announce(w, peer, T0, "10.200.2.0/32", 5);
		announce(w, peer, T0, "10.200.2.7/32", 6);
	}
	assert_int_equal(sig_finish(w->s), 0);
	assert_int_equal(val(&w->k, T0, "country:AA"), 2);
	assert_int_equal(val(&w->k, T0, "region:AA-2"), 2);
	assert_int_equal(val(&w->k, T0, "asn:5"), 2);
	assert_int_equal(val(&w->k, T0, "asn:6"), 1);
	world_free(w);
}

/* Regions: 10.0.0.0/8 splits in two; a /24 inside counts once. */
static void
test_regions(void **state)
{
	struct world *w = world_new(1, 0);

	(void)state;
	for (int peer = 0; peer < 2; peer++) {
		announce(w, peer, T0, "10.0.0.0/8", 100);
		announce(w, peer, T0, "10.200.0.0/24", 100);
	}
	assert_int_equal(sig_finish(w->s), 0);
	assert_int_equal(val(&w->k, T0, "country:AA"), 65536);
	assert_int_equal(val(&w->k, T0, "region:AA-1"), 32768);
	assert_int_equal(val(&w->k, T0, "region:AA-2"), 32768);
	assert_int_equal(val(&w->k, T0, "asn:100"), 65536);
	world_free(w);
}

/* MOAS: every origin a full-feed peer sees gets the prefix (the country
 * counts it once); a peer changing its origin back is counted right. */
static void
test_moas(void **state)
{
	struct world *w = world_new(1, 0);

	(void)state;
	announce(w, 0, T0, "11.0.0.0/24", 300);
	announce(w, 1, T0, "11.0.0.0/24", 100);
	announce(w, 2, T0, "11.0.0.0/24", 100);
	announce(w, 0, T0, "11.0.1.0/24", 300);
	announce(w, 1, T0, "11.0.1.0/24", 200);
	announce(w, 2, T0, "11.0.1.0/24", 300);
	announce(w, 2, T0, "11.0.1.0/24", 200);
	announce(w, 2, T0 + 10, "11.0.1.0/24", 999);
	announce(w, 2, T0 + 20, "11.0.1.0/24", 300);
	/* 11.0.0.0/24: 300, 100; 11.0.1.0/24: 300, 200. */
	assert_int_equal(sig_advance(w->s, T0 + 300), 0);
	assert_int_equal(val(&w->k, T0, "asn:100"), 1);
	assert_int_equal(val(&w->k, T0, "asn:200"), 1);
	assert_int_equal(val(&w->k, T0, "asn:300"), 2);
	assert_int_equal(val(&w->k, T0, "asn:999"), -1);
	assert_int_equal(val(&w->k, T0, "country:BB"), 2);
	/* Peers 0 and 2 withdraw 11.0.1.0/24: 1 of 3 ASes, not visible;
	 * 11.0.0.0/24 stays with both origins. */
	assert_int_equal(feed(w, 0, 0, 'W', T0 + 301, "11.0.1.0/24", 0, 0), 0);
	assert_int_equal(feed(w, 0, 2, 'W', T0 + 301, "11.0.1.0/24", 0, 0), 0);
	assert_int_equal(sig_finish(w->s), 0);
	assert_int_equal(val(&w->k, T0 + 300, "asn:200"), 0);
	assert_int_equal(val(&w->k, T0 + 300, "asn:300"), 1);
	assert_int_equal(val(&w->k, T0 + 300, "asn:100"), 1);
	assert_int_equal(val(&w->k, T0 + 300, "country:BB"), 1);
	world_free(w);
}

/* An AS_SET origin (even of one AS) is no origin: the peer still votes,
 * but gives the prefix to no AS; a prefix with no known origin from any
 * full-feed peer counts nowhere, not even for its country. */
static void
test_as_set_origin(void **state)
{
	struct world *w = world_new(1, 0);

	(void)state;
	for (int peer = 0; peer < 4; peer++)
		announce(w, peer, T0, "10.9.0.0/24", 1);
	/* 2 of 4 ASes hold 11.0.0.0/24; one of them sees {5}. */
	assert_int_equal(feed_path(w, 0, 0, 'A', T0, "11.0.0.0/24", 5, 0,
	    true), 0);
	announce(w, 1, T0, "11.0.0.0/24", 6);
	/* 11.0.1.0/24: all four see {7}. */
	for (int peer = 0; peer < 4; peer++)
		assert_int_equal(feed_path(w, 0, peer, 'A', T0, "11.0.1.0/24",
		    7, 0, true), 0);
	assert_int_equal(sig_finish(w->s), 0);
	assert_int_equal(val(&w->k, T0, "asn:6"), 1);
	assert_int_equal(val(&w->k, T0, "asn:5"), -1);
	assert_int_equal(val(&w->k, T0, "asn:7"), -1);
	assert_int_equal(val(&w->k, T0, "country:BB"), 1);
	world_free(w);
}

/* Votes are by AS: three full-feed peers of one AS count once. */
static void
test_votes_by_as(void **state)
{
	struct world *w = world_new(1, 0);

	(void)state;
	/* Peers 0, 1, 2: AS 65000; peer 3: 65003; peer 4: 65004. */
	w->peers[1].asn = 65000;
	w->peers[2].asn = 65000;
	for (int peer = 0; peer < 5; peer++)
		announce(w, peer, T0, "10.9.0.0/24", 1);
	/* By peers 3 of 5, by AS 1 of 3: not visible. */
	for (int peer = 0; peer < 3; peer++)
		announce(w, peer, T0, "11.0.0.0/24", 10);
	/* By peers 2 of 5, by AS 2 of 3: visible. */
	announce(w, 2, T0, "11.0.1.0/24", 11);
	announce(w, 4, T0, "11.0.1.0/24", 11);
	assert_int_equal(sig_finish(w->s), 0);
	assert_int_equal(val(&w->k, T0, "asn:10"), -1);
	assert_int_equal(val(&w->k, T0, "asn:11"), 1);
	assert_int_equal(valk(&w->k, "bgp.ff_peers", T0, "collector:all"), 5);
	assert_int_equal(valk(&w->k, "bgp.ff_asns", T0, "collector:all"), 3);
	world_free(w);
}

/* IPv6: /48s, a longer prefix making its /48 visible, the IPv6
 * full-feed peers deciding on their own. */
static void
test_ipv6(void **state)
{
	struct world *w = world_new(1, 0);

	(void)state;
	for (int peer = 0; peer < 3; peer++) {
		announce(w, peer, T0, "2001:db8::/32", 10);
		announce(w, peer, T0, "2001:db8:1::/48", 20);
		announce(w, peer, T0, "2001:db9:2:1::/64", 30);
		announce(w, peer, T0, "2001:db9:2:2::/64", 30);
		announce(w, peer, T0, "::/0", 40);
	}
	/* Peer 3 has only IPv4: no IPv6 vote. */
	announce(w, 3, T0, "11.0.0.0/24", 50);
	assert_int_equal(sig_finish(w->s), 0);
	assert_int_equal(valk(&w->k, "bgp6", T0, "asn:10"), 65536);
	assert_int_equal(valk(&w->k, "bgp6", T0, "asn:20"), 1);
	assert_int_equal(valk(&w->k, "bgp6", T0, "asn:30"), 1);
	assert_int_equal(valk(&w->k, "bgp6", T0, "asn:40"), -1);
	assert_int_equal(valk(&w->k, "bgp6", T0, "country:CC"), 65537);
	assert_int_equal(valk(&w->k, "bgp6", T0, "asn:50"), -1);
	assert_int_equal(val(&w->k, T0, "asn:50"), 1);
	assert_int_equal(sig_get_stats(w->s)->full_feed6, 3);
	assert_int_equal(sig_get_stats(w->s)->max_v6, 5);
	assert_int_equal(valk(&w->k, "bgp6.ff_peers", T0, "collector:rrc00"),
	    3);
	assert_int_equal(valk(&w->k, "bgp.peers", T0, "collector:rrc00"), 1);
	world_free(w);
}

/* Bins: aligned to the bin size; elements at the edge belong to the next
 * bin; an idle gap repeats the state; a country that disappears reads 0. */
static void
test_bins_and_session_reset(void **state)
{
	struct world *w = world_new(1, 0);

	(void)state;
	for (int peer = 0; peer < 3; peer++)
		announce(w, peer, T0 + 299, "11.0.0.0/24", 100);
	/* At T0 + 300 exactly (next bin), two sessions go down. */
	assert_int_equal(feed(w, 0, 0, 'S', T0 + 300, NULL, 0, 1), 0);
	assert_int_equal(feed(w, 0, 1, 'S', T0 + 300, NULL, 0, 1), 0);
	/* Idle until the fourth bin; then the sessions come back. */
	assert_int_equal(feed(w, 0, 0, 'S', T0 + 900, NULL, 0, 6), 0);
	announce(w, 0, T0 + 950, "11.0.0.0/24", 100);
	announce(w, 1, T0 + 950, "11.0.0.0/24", 100);
	assert_int_equal(sig_finish(w->s), 0);
	assert_int_equal(val(&w->k, T0, "country:BB"), 1);
	/* 1 of 3 peers left, and only one full-feed: 1 of 1 sees it. */
	assert_int_equal(sig_get_stats(w->s)->full_feed, 3);
	assert_int_equal(val(&w->k, T0 + 300, "country:BB"), 1);
	assert_int_equal(val(&w->k, T0 + 600, "country:BB"), 1);
	assert_int_equal(val(&w->k, T0 + 900, "country:BB"), 1);
	assert_int_equal(npoints_at(&w->k, T0 + 1200), 0);
	assert_int_equal(sig_get_stats(w->s)->bins, 4);
	world_free(w);
}

/* With a fixed set of full-feed peers, a withdrawal below the threshold
 * makes the entity read 0 (not vanish). */
static void
test_outage_reads_zero(void **state)
{
	struct world *w = world_new(1, 0);

	(void)state;
	for (int peer = 0; peer < 4; peer++) {
		announce(w, peer, T0, "11.9.0.0/24", 1);
		announce(w, peer, T0, "10.0.0.0/24", 5);
	}
	for (int peer = 0; peer < 3; peer++)
		assert_int_equal(feed(w, 0, peer, 'W', T0 + 300, "10.0.0.0/24",
		    0, 0), 0);
	assert_int_equal(sig_finish(w->s), 0);
	assert_int_equal(val(&w->k, T0, "country:AA"), 1);
	assert_int_equal(val(&w->k, T0 + 300, "country:AA"), 0);
	assert_int_equal(val(&w->k, T0 + 300, "region:AA-1"), 0);
	assert_int_equal(val(&w->k, T0 + 300, "asn:5"), 0);
	assert_int_equal(val(&w->k, T0 + 300, "country:BB"), 1);
	world_free(w);
}

/* A RIB dump replaces the tables of its collector's peers only. */
static void
test_rib_replaces(void **state)
{
	struct world *w = world_new(1, 0);

	(void)state;
	/* Collector 0: peers 0, 1; collector 1: peers 2, 3 (same addresses
	 * as peers of collector 0 would still be other peers). */
	for (int peer = 0; peer < 4; peer++) {
		assert_int_equal(feed(w, peer / 2, peer, 'A', T0, "11.0.0.0/24",
		    100, 0), 0);
		assert_int_equal(feed(w, peer / 2, peer, 'A', T0, "11.0.1.0/24",
		    100, 0), 0);
	}
	assert_int_equal(sig_rib_begin(w->s, w->coll[0]), 0);
	/* The RIB has peer 0 with 11.0.0.0/24 only; peer 1 is absent. */
	assert_int_equal(feed(w, 0, 0, 'B', T0 + 300, "11.0.0.0/24", 100, 0),
	    0);
	assert_int_equal(sig_rib_end(w->s, w->coll[0]), 0);
	assert_int_equal(sig_finish(w->s), 0);
	assert_int_equal(val(&w->k, T0, "country:BB"), 2);
	/* Now: 11.0.0.0/24 held by peers 0, 2, 3 (3 of 3 full-feed);
	 * 11.0.1.0/24 by 2, 3 of 3 full-feed -> both visible. */
	assert_int_equal(sig_get_stats(w->s)->full_feed, 3);
	assert_int_equal(val(&w->k, T0 + 300, "country:BB"), 2);
	world_free(w);

	/* Collector 1's RIB drops 11.0.1.0/24 for peers 2 and 3: it is
	 * then seen by 2 of 4 full-feed peer ASes, less than 75%. */
	w = world_new(1, 75);
	for (int peer = 0; peer < 4; peer++) {
		assert_int_equal(feed(w, peer / 2, peer, 'A', T0, "11.0.0.0/24",
		    100, 0), 0);
		assert_int_equal(feed(w, peer / 2, peer, 'A', T0, "11.0.1.0/24",
		    100, 0), 0);
	}
	assert_int_equal(sig_rib_begin(w->s, w->coll[1]), 0);
	assert_int_equal(feed(w, 1, 2, 'B', T0 + 300, "11.0.0.0/24", 100, 0),
	    0);
	assert_int_equal(feed(w, 1, 3, 'B', T0 + 300, "11.0.0.0/24", 100, 0),
	    0);
	assert_int_equal(sig_rib_end(w->s, w->coll[1]), 0);
	assert_int_equal(sig_finish(w->s), 0);
	assert_int_equal(valk(&w->k, "bgp.v75", T0, "country:BB"), 2);
	assert_int_equal(valk(&w->k, "bgp.v75", T0 + 300, "country:BB"), 1);
	assert_int_equal(valk(&w->k, "bgp.v75", T0 + 300, "asn:100"), 1);
	world_free(w);
}

/* Two collectors' peers vote together, by AS; each collector's health
 * counts its own peers and ASes. */
static void
test_multi_collector(void **state)
{
	struct world *w = world_new(1, 0);

	(void)state;
	/* Same peer address and AS on two collectors: two peers, one AS. */
	for (int c = 0; c < 2; c++) {
		assert_int_equal(feed(w, c, 0, 'A', T0, "11.0.0.0/24", 1, 0), 0);
		assert_int_equal(feed(w, c, 1, 'A', T0, "11.0.9.0/24", 1, 0), 0);
	}
	assert_int_equal(feed(w, 1, 5, 'A', T0, "11.0.0.0/24", 1, 0), 0);
	assert_int_equal(sig_finish(w->s), 0);
	assert_int_equal(sig_get_stats(w->s)->peers, 5);
	assert_int_equal(sig_get_stats(w->s)->full_feed, 5);
	/* ASes 65000, 65001, 65005. 11.0.0.0/24: 2 of 3; 11.0.9.0/24:
	 * 1 of 3. */
	assert_int_equal(val(&w->k, T0, "country:BB"), 1);
	assert_int_equal(valk(&w->k, "bgp.peers", T0, "collector:rrc00"), 2);
	assert_int_equal(valk(&w->k, "bgp.peers", T0, "collector:rrc01"), 3);
	assert_int_equal(valk(&w->k, "bgp.ff_peers", T0, "collector:all"), 5);
	assert_int_equal(valk(&w->k, "bgp.ff_asns", T0, "collector:rrc00"), 2);
	assert_int_equal(valk(&w->k, "bgp.ff_asns", T0, "collector:rrc01"), 3);
	assert_int_equal(valk(&w->k, "bgp.ff_asns", T0, "collector:all"), 3);
	/* No IPv6 at all: no IPv6 health. */
	assert_int_equal(npoints_kind(&w->k, "bgp6.peers"), 0);
	world_free(w);
}

/* More than 64 peers (the bit arrays grow) and a withdrawn route. */
static void
test_many_peers(void **state)
{
	struct world *w = world_new(1, 0);
	struct mrt_peer extra;
	struct mrt_elem e = { 0 };
	struct bgp_nlri n = { 0 };

	(void)state;
	assert_int_equal(net_prefix_parse("11.3.0.0/24", &n.pfx), 0);
	e.type = MRT_ELEM_ANNOUNCE;
	e.ts = T0;
	e.nlri = &n;
	e.peer = &extra;
	for (int i = 0; i < 150; i++) {
		memset(&extra, 0, sizeof(extra));
		extra.addr.af = NET_AF4;
		extra.addr.a[0] = 172;
		extra.addr.a[2] = (uint8_t)(i / 256);
		extra.addr.a[3] = (uint8_t)i;
		extra.asn = 1;
		e.type = MRT_ELEM_ANNOUNCE;
		assert_int_equal(sig_elem(w->s, w->coll[0], &e), 0);
		if (i >= 70) {
			e.type = MRT_ELEM_WITHDRAW;
			assert_int_equal(sig_elem(w->s, w->coll[0], &e), 0);
		}
	}
	announce(w, 0, T0, "11.4.0.0/24", 9);
	assert_int_equal(sig_finish(w->s), 0);
	/* 70 peers hold 11.3.0.0/24 and are full-feed; peer 0 too; the 80
	 * that withdrew hold nothing. By AS (1 and 65000) each prefix has
	 * 1 of 2, enough; but 11.3.0.0/24 came with no AS path, so no
	 * full-feed peer knows its origin and it counts nowhere. */
	assert_int_equal(sig_get_stats(w->s)->full_feed, 71);
	assert_int_equal(valk(&w->k, "bgp.ff_asns", T0, "collector:all"), 2);
	assert_int_equal(val(&w->k, T0, "country:BB"), 1);
	assert_int_equal(val(&w->k, T0, "asn:9"), 1);
	world_free(w);
}

static void
test_bad_options(void **state)
{
	struct sig *s = NULL;
	struct sig_opts o = { 0 };
	uint16_t id;

	(void)state;
	o.visibility = 30;
	assert_int_equal(sig_new(&o, NULL, NULL, &s), LL_EINVAL);
	o.visibility = 0;
	o.ff_pct = 101;
	assert_int_equal(sig_new(&o, NULL, NULL, &s), LL_EINVAL);
	o.ff_pct = 0;
	o.series = 0x8;
	assert_int_equal(sig_new(&o, NULL, NULL, &s), LL_EINVAL);
	o.series = 0;
	o.bin = -5;
	assert_int_equal(sig_new(&o, NULL, NULL, &s), LL_EINVAL);
	assert_null(s);
	/* "all" names all collectors. */
	assert_int_equal(sig_new(NULL, NULL, NULL, &s), 0);
	assert_int_equal(sig_collector(s, "all", &id), LL_EINVAL);
	sig_free(s);
	/* Text options. */
	memset(&o, 0, sizeof(o));
	assert_int_equal(sig_opt_parse(&o, "visibility", "any"), 0);
	assert_int_equal(o.visibility, SIG_VIS_ANY);
	assert_int_equal(sig_opt_parse(&o, "visibility", "75%"), 0);
	assert_int_equal(o.visibility, 75);
	assert_int_equal(sig_opt_parse(&o, "visibility", "60"), LL_EINVAL);
	assert_int_equal(sig_opt_parse(&o, "visibility", "0.5"), LL_EINVAL);
	assert_int_equal(sig_opt_parse(&o, "min-peers", "0.5"), LL_EINVAL);
	assert_string_equal(sig_vis_kind(0, NET_AF4), "bgp");
	assert_string_equal(sig_vis_kind(50, NET_AF6), "bgp6");
	assert_string_equal(sig_vis_kind(25, NET_AF6), "bgp6.v25");
	assert_string_equal(sig_vis_kind(SIG_VIS_ANY, NET_AF4), "bgp.any");
	assert_null(sig_vis_kind(10, NET_AF4));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_feed_pct),
		cmocka_unit_test(test_full_feed_abs),
		cmocka_unit_test(test_full_feed_exactly_400k),
		cmocka_unit_test(test_threshold_exact_half),
		cmocka_unit_test(test_overlap_and_attribution),
		cmocka_unit_test(test_longer_than_24_country),
		cmocka_unit_test(test_regions),
		cmocka_unit_test(test_moas),
		cmocka_unit_test(test_as_set_origin),
		cmocka_unit_test(test_votes_by_as),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_bins_and_session_reset),
		cmocka_unit_test(test_outage_reads_zero),
		cmocka_unit_test(test_rib_replaces),
		cmocka_unit_test(test_multi_collector),
		cmocka_unit_test(test_many_peers),
		cmocka_unit_test(test_bad_options),
	};

	return test_main("sig_engine", tests, NULL, NULL);
}
