/*
 * The visibility engine on synthetic route elements: full-feed selection,
 * the > min-peers threshold, overlap counting, attribution to the most
 * specific visible prefix, origin votes, session resets, RIB replacement,
 * bin edges and several collectors.
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
	char		ent[64];
	uint64_t	v;
};

struct sink {
	struct pt	p[MAXPTS];
	size_t		n;
};

static int
sink_fn(void *ctx, int64_t t, const char *ent, uint64_t v)
{
	struct sink *k = ctx;

	assert_true(k->n < MAXPTS);
	k->p[k->n].t = t;
	snprintf(k->p[k->n].ent, sizeof(k->p[k->n].ent), "%s", ent);
	k->p[k->n].v = v;
	k->n++;
	return 0;
}

/* The value of ent at t; -1 when not emitted. */
static int64_t
val(const struct sink *k, int64_t t, const char *ent)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->p[i].t == t && strcmp(k->p[i].ent, ent) == 0)
			return (int64_t)k->p[i].v;
	return -1;
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
world_new(double ff_pct, double min_peers)
{
	struct world *w = calloc(1, sizeof(*w));
	struct sig_opts o = { 0 };

	assert_non_null(w);
	o.ff_pct = ff_pct;
	o.min_peers = min_peers;
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

/* Feeds one element: type 'A', 'W', 'B' or 'S'. */
static int
feed(struct world *w, int coll, int peer, char type, uint32_t ts,
    const char *pfx, uint32_t origin, uint16_t state)
{
	struct mrt_elem e = { 0 };
	struct bgp_nlri n = { 0 };
	struct bgp_attrs a = { 0 };
	struct bgp_asseg seg = { 0 };
	uint32_t path[2] = { 64999, origin };

	e.type = (enum mrt_elem_type)type;
	e.ts = ts;
	e.peer = &w->peers[peer];
	if (pfx != NULL) {
		assert_int_equal(net_prefix_parse(pfx, &n.pfx), 0);
		e.nlri = &n;
	}
	if (type == 'A' || type == 'B') {
		seg.type = 2;
		seg.n = 2;
		seg.asn = path;
		a.path.nseg = 1;
		a.path.seg = &seg;
		e.attrs = &a;
	}
	e.new_state = state;
	return sig_elem(w->s, w->coll[coll], &e);
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
	struct world *w = world_new(50, -1);
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

/* Absolute threshold: default 400,000 makes nobody full-feed here. */
static void
test_full_feed_abs(void **state)
{
	struct world *w = world_new(0, -1);

	(void)state;
	for (int peer = 0; peer < 4; peer++)
		announce(w, peer, T0, "11.0.0.0/24", 100);
	assert_int_equal(sig_finish(w->s), 0);
	assert_int_equal(sig_get_stats(w->s)->full_feed, 0);
	assert_int_equal(w->k.n, 0);
	world_free(w);
}

/* Exactly 50% is not enough; one more peer is. */
static void
test_threshold_exact_half(void **state)
{
	struct world *w = world_new(1, -1);

	(void)state;
	/* 4 full-feed peers: each holds 11.9.0.0/24. */
	for (int peer = 0; peer < 4; peer++)
		announce(w, peer, T0, "11.9.0.0/24", 1);
	/* 11.0.0.0/24 by 2 of 4 (50%), 11.0.1.0/24 by 3 of 4. */
	announce(w, 0, T0, "11.0.0.0/24", 7);
	announce(w, 1, T0, "11.0.0.0/24", 7);
	announce(w, 0, T0, "11.0.1.0/24", 7);
	announce(w, 1, T0, "11.0.1.0/24", 7);
	announce(w, 2, T0, "11.0.1.0/24", 7);
	assert_int_equal(sig_finish(w->s), 0);
	assert_int_equal(sig_get_stats(w->s)->full_feed, 4);
	assert_int_equal(val(&w->k, T0, "asn:7"), 1);
	assert_int_equal(val(&w->k, T0, "country:BB"), 2);
	world_free(w);

	/* --min-peers 0.25: 2 of 4 is more than 25%. */
	w = world_new(1, 0.25);
	for (int peer = 0; peer < 4; peer++)
		announce(w, peer, T0, "11.9.0.0/24", 1);
	announce(w, 0, T0, "11.0.0.0/24", 7);
	announce(w, 1, T0, "11.0.0.0/24", 7);
	assert_int_equal(sig_finish(w->s), 0);
	assert_int_equal(val(&w->k, T0, "asn:7"), 1);
	world_free(w);
}

/* A /16 and a /24 inside it, a /25 and a /23 overlapping: the country
 * counts each /24 once; the AS of the /24 gets it, the /16's AS the
 * rest; the /25 counts nothing. */
static void
test_overlap_and_attribution(void **state)
{
	struct world *w = world_new(1, -1);

	(void)state;
	for (int peer = 0; peer < 3; peer++) {
		announce(w, peer, T0, "11.1.0.0/16", 100);
		announce(w, peer, T0, "11.1.5.0/24", 200);
		announce(w, peer, T0, "11.1.8.0/23", 300);
		announce(w, peer, T0, "11.1.9.0/24", 400);
		announce(w, peer, T0, "11.2.0.0/25", 500);
		announce(w, peer, T0, "0.0.0.0/0", 600);
		announce(w, peer, T0, "12.0.0.0/7", 700);
	}
	assert_int_equal(sig_finish(w->s), 0);
	assert_int_equal(val(&w->k, T0, "country:BB"), 256);
	assert_int_equal(val(&w->k, T0, "asn:100"), 256 - 1 - 2);
	assert_int_equal(val(&w->k, T0, "asn:200"), 1);
	assert_int_equal(val(&w->k, T0, "asn:300"), 1);
	assert_int_equal(val(&w->k, T0, "asn:400"), 1);
	/* Longer than /24 and shorter than /8: never counted. */
	assert_int_equal(val(&w->k, T0, "asn:500"), -1);
	assert_int_equal(val(&w->k, T0, "asn:600"), -1);
	assert_int_equal(val(&w->k, T0, "asn:700"), -1);
	world_free(w);
}

/* Regions: 10.0.0.0/8 splits in two; a /24 inside counts once. */
static void
test_regions(void **state)
{
	struct world *w = world_new(1, -1);

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

/* Origins: the AS most full-feed peers see wins; a tie goes to the
 * lower AS number; a peer changing its origin back is counted right. */
static void
test_origin_vote(void **state)
{
	struct world *w = world_new(1, -1);

	(void)state;
	announce(w, 0, T0, "11.0.0.0/24", 300);
	announce(w, 1, T0, "11.0.0.0/24", 100);
	announce(w, 2, T0, "11.0.0.0/24", 100);
	/* Tie 1:1 between 300 and 200 -> 200. */
	announce(w, 0, T0, "11.0.1.0/24", 300);
	announce(w, 1, T0, "11.0.1.0/24", 200);
	announce(w, 2, T0, "11.0.1.0/24", 300);
	announce(w, 2, T0, "11.0.1.0/24", 200);
	announce(w, 2, T0 + 10, "11.0.1.0/24", 999);
	announce(w, 2, T0 + 20, "11.0.1.0/24", 300);
	/* 11.0.1.0/24: peers see 300, 200, 300 -> 300. */
	assert_int_equal(sig_advance(w->s, T0 + 300), 0);
	assert_int_equal(val(&w->k, T0, "asn:100"), 1);
	assert_int_equal(val(&w->k, T0, "asn:300"), 1);
	assert_int_equal(val(&w->k, T0, "asn:200"), -1);
	/* Peer 0 withdraws: 200 vs 300 -> tie -> 200. */
	assert_int_equal(feed(w, 0, 0, 'W', T0 + 301, "11.0.1.0/24", 0, 0), 0);
	assert_int_equal(sig_finish(w->s), 0);
	assert_int_equal(val(&w->k, T0 + 300, "asn:200"), 1);
	assert_int_equal(val(&w->k, T0 + 300, "asn:300"), 0);
	world_free(w);
}

/* Bins: aligned to the bin size; elements at the edge belong to the next
 * bin; an idle gap repeats the state; a country that disappears reads 0. */
static void
test_bins_and_session_reset(void **state)
{
	struct world *w = world_new(1, -1);

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
	struct world *w = world_new(1, -1);

	(void)state;
	for (int peer = 0; peer < 4; peer++) {
		announce(w, peer, T0, "11.9.0.0/24", 1);
		announce(w, peer, T0, "10.0.0.0/24", 5);
	}
	for (int peer = 0; peer < 2; peer++)
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
	struct world *w = world_new(1, -1);

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
	 * then seen by 2 of 4 full-feed peers, not more than half. */
	w = world_new(1, -1);
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
	assert_int_equal(val(&w->k, T0 + 300, "country:BB"), 1);
	assert_int_equal(val(&w->k, T0 + 300, "asn:100"), 1);
	world_free(w);
}

/* Two collectors' peers vote together. */
static void
test_multi_collector(void **state)
{
	struct world *w = world_new(1, -1);

	(void)state;
	/* Same peer address and AS on two collectors: two peers. */
	for (int c = 0; c < 2; c++) {
		assert_int_equal(feed(w, c, 0, 'A', T0, "11.0.0.0/24", 1, 0), 0);
		assert_int_equal(feed(w, c, 1, 'A', T0, "11.0.9.0/24", 1, 0), 0);
	}
	assert_int_equal(feed(w, 1, 5, 'A', T0, "11.0.0.0/24", 1, 0), 0);
	assert_int_equal(sig_finish(w->s), 0);
	assert_int_equal(sig_get_stats(w->s)->peers, 5);
	assert_int_equal(sig_get_stats(w->s)->full_feed, 5);
	/* 11.0.0.0/24: 3 of 5; 11.0.9.0/24: 2 of 5. */
	assert_int_equal(val(&w->k, T0, "country:BB"), 1);
	world_free(w);
}

/* More than 64 peers (the bit arrays grow) and a withdrawn route. */
static void
test_many_peers(void **state)
{
	struct world *w = world_new(1, -1);
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
	 * that withdrew hold nothing. 70 of 71 see 11.3, 1 of 71 11.4. */
	assert_int_equal(sig_get_stats(w->s)->full_feed, 71);
	assert_int_equal(val(&w->k, T0, "country:BB"), 1);
	assert_int_equal(val(&w->k, T0, "asn:9"), -1);
	world_free(w);
}

static void
test_bad_options(void **state)
{
	struct sig *s = NULL;
	struct sig_opts o = { 0 };

	(void)state;
	o.min_peers = 1.0;
	assert_int_equal(sig_new(&o, NULL, NULL, &s), LL_EINVAL);
	o.min_peers = 0.5;
	o.ff_pct = 101;
	assert_int_equal(sig_new(&o, NULL, NULL, &s), LL_EINVAL);
	o.ff_pct = 0;
	o.bin = -5;
	assert_int_equal(sig_new(&o, NULL, NULL, &s), LL_EINVAL);
	assert_null(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_feed_pct),
		cmocka_unit_test(test_full_feed_abs),
		cmocka_unit_test(test_threshold_exact_half),
		cmocka_unit_test(test_overlap_and_attribution),
		cmocka_unit_test(test_regions),
		cmocka_unit_test(test_origin_vote),
		cmocka_unit_test(test_bins_and_session_reset),
		cmocka_unit_test(test_outage_reads_zero),
		cmocka_unit_test(test_rib_replaces),
		cmocka_unit_test(test_multi_collector),
		cmocka_unit_test(test_many_peers),
		cmocka_unit_test(test_bad_options),
	};

	return test_main("sig_engine", tests, NULL, NULL);
}
