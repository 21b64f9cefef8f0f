/*
 * The parts the routing monitors' speed rests on, each against a plain
 * reference: the prefix table (every prefix found again with its index,
 * across growth, IPv4 and IPv6, the same address at every length), the
 * path facts read straight from an AS_PATH's bytes (against the decoded
 * path's origin and neighbour walk, on random paths of sequences, sets
 * and prepending, 2- and 4-octet), and the set of listed neighbours
 * (against the lists themselves).
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
#include "mrt/mrt.h"
#include "net/net.h"
#include "routing/monitor_pfx.h"
#include "routing/routing.h"
#include "routing/routing_int.h"
#include "util/err.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t
rnd(void)
{
	return (uint32_t)(test_xorshift(&rng) >> 16);
}

static void
pfx_of(struct net_prefix *p, int af, uint32_t seed, unsigned len)
{
	memset(p, 0, sizeof(*p));
	p->af = (uint8_t)af;
	p->len = (uint8_t)len;
	for (int i = 0; i < (af == NET_AF4 ? 4 : 16); i++)
		p->a[i] = (uint8_t)(seed >> (8 * (i % 4)) ^ (unsigned)i * 37);
	net_prefix_mask(p);
}

static int
cmp_pfx(const void *x, const void *y)
{
	return net_prefix_cmp(x, y);
}

/* 120,000 IPv4 and 30,000 IPv6 prefixes (the same addresses at several
 * lengths among them, 0.0.0.0/0 and 255.255.255.255/32), each given its
 * number as index: every one is found again with it after the table grew
 * many times, pfx4_find() agrees for IPv4, and unseen ones are not found. */
static void
test_pfx_table(void **state)
{
	enum { N4 = 120000, N6 = 30000 };
	struct net_prefix *p = calloc(N4 + N6, sizeof(*p));
	struct pfx_table t;
	size_t n = 0;

	(void)state;
	assert_non_null(p);
	assert_int_equal(pfx_table_init(&t), 0);
	pfx_of(&p[n++], NET_AF4, 0, 0);
	pfx_of(&p[n++], NET_AF4, 0xffffffffu, 32);
	while (n < N4) {
		uint32_t s = rnd();

		/* an address at two lengths, often */
		pfx_of(&p[n++], NET_AF4, s, 8 + rnd() % 25);
		if (n < N4)
			pfx_of(&p[n++], NET_AF4, s, 8 + rnd() % 25);
	}
	while (n < N4 + N6)
		pfx_of(&p[n++], NET_AF6, rnd(), 16 + rnd() % 113);
	for (size_t i = 0; i < n; i++) {
		bool added;
		uint32_t *tag = pfx_table_get(&t, &p[i], &added);

		assert_non_null(tag);
		if (added)
			*tag |= (uint32_t)(i + 1) & PFX_IDX_MAX;
	}
	for (size_t i = 0; i < n; i++) {
		bool added;
		uint32_t *tag = pfx_table_get(&t, &p[i], &added), want;

		assert_non_null(tag);
		assert_false(added);
		/* a prefix drawn twice keeps the index of its first draw */
		want = pfx_tag_index(*tag);
		assert_true(want >= 1 && want <= i + 1);
		assert_true(net_prefix_cmp(&p[want - 1], &p[i]) == 0);
		if (p[i].af == NET_AF4) {
			uint32_t a = (uint32_t)p[i].a[0] << 24 |
			    (uint32_t)p[i].a[1] << 16 |
			    (uint32_t)p[i].a[2] << 8 | p[i].a[3];

			assert_ptr_equal(pfx4_find(&t, a, p[i].len), tag);
		}
	}
	/* as many entries as distinct prefixes, counted by sorting */
	{
		size_t d4 = 0, d6 = 0;

		qsort(p, n, sizeof(*p), cmp_pfx);
		for (size_t i = 0; i < n; i++)
			if (i == 0 || net_prefix_cmp(&p[i - 1], &p[i]) != 0)
				*(p[i].af == NET_AF4 ? &d4 : &d6) += 1;
		assert_int_equal(t.n4, d4);
		assert_int_equal(t.n6, d6);
		assert_true(d4 > 50000 && d6 > 25000);
	}
	/* not there: lengths 1 to 7 were never drawn */
	assert_null(pfx4_find(&t, 0, 1));
	assert_null(pfx4_find(&t, 0x80000000u, 1));
	assert_null(pfx4_find(&t, 0xfe000000u, 7));
	pfx_table_fini(&t);
	free(p);
}

static const char watch_yml[] =
    "10.0.0.0/8:\n"
    "  asn: 64500\n"
    "options:\n"
    "  monitorASns:\n"
    "    174: { upstreams: [1, 2, 3], downstreams: [7, 8] }\n"
    "    3356: { upstreams: [174, 4] }\n"
    "    4: { downstreams: [3356, 9, 4200000000] }\n"
    "    4200000000: { upstreams: [4], downstreams: [] }\n";

static struct routing_watchlist *
watchlist(void)
{
	struct routing_watchlist *w = NULL;
	char err[256];

	assert_int_equal(routing_watch_parse("test.yml",
	    (const uint8_t *)watch_yml, sizeof(watch_yml) - 1, &w, err,
	    sizeof(err)), 0);
	return w;
}

/* Every pair in the set is in the lists and the other way round, for the
 * ASes of the lists and others. */
static void
test_nb_listed(void **state)
{
	struct routing_watchlist *w = watchlist();
	static const uint32_t probe[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 174,
	    3356, 4200000000u, 4294967295u };

	(void)state;
	for (size_t i = 0; i < w->nas; i++) {
		const struct routing_watch_as *wa = &w->as[i];

		for (size_t j = 0; j < sizeof(probe) / sizeof(probe[0]); j++) {
			bool up = false, down = false;

			for (size_t k = 0; k < wa->nup; k++)
				up |= wa->up[k] == probe[j];
			for (size_t k = 0; k < wa->ndown; k++)
				down |= wa->down[k] == probe[j];
			assert_int_equal(routing_watch_nb_listed(w, wa,
			    probe[j], true), up);
			assert_int_equal(routing_watch_nb_listed(w, wa,
			    probe[j], false), down);
		}
	}
	routing_watch_free(w);
}

/* A random AS_PATH of nseg segments, in bytes (asn_len octets an AS),
 * drawn from ASes the watchlist names so that events are common. */
static size_t
random_path(uint8_t *buf, unsigned asn_len, unsigned nseg)
{
	static const uint32_t pool[] = { 1, 2, 3, 4, 7, 8, 9, 174, 3356,
	    4200000000u, 65000, 6939 };
	size_t o = 0;

	for (unsigned s = 0; s < nseg; s++) {
		unsigned n = rnd() % 6, type = rnd() % 5 == 0 ? BGP_SEG_SET :
		    BGP_SEG_SEQUENCE;
		uint32_t prev = 0;

		buf[o++] = (uint8_t)type;
		buf[o++] = (uint8_t)n;
		for (unsigned i = 0; i < n; i++) {
			/* prepending: the same AS again, often */
			uint32_t as = i > 0 && rnd() % 3 == 0 ? prev :
			    pool[rnd() % (sizeof(pool) / sizeof(pool[0]))];

			if (asn_len == 2)
				as &= 0xffff;
			prev = as;
			for (unsigned k = 0; k < asn_len; k++)
				buf[o++] = (uint8_t)(as >> (8 * (asn_len - 1 -
				    k)));
		}
	}
	return o;
}

/* The facts read from the bytes equal those of the decoded path, on
 * 20,000 random paths; a path past the lean bounds is declined. */
static void
test_facts(void **state)
{
	struct routing_watchlist *w = watchlist();
	static uint8_t buf[70 * (2 + 5 * 4)];
	struct bgp_asseg seg[LEAN_SEGS];
	uint32_t asn[LEAN_ASNS];
	struct routing_lean_facts f;
	struct routing_lean_nb v[ROUTING_LEAN_NB];
	unsigned events = 0;

	(void)state;
	for (int k = 0; k < 20000; k++) {
		struct mrt_lean l;
		struct bgp_aspath path;
		unsigned asn_len = k % 2 ? 4 : 2, nseg = rnd() % 5;
		uint8_t n;

		memset(&l, 0, sizeof(l));
		l.bgp.run[BGP_LEAN_ANNOUNCED].n = 1;
		l.bgp.path = buf;
		l.bgp.path_len = random_path(buf, asn_len, nseg);
		l.bgp.path_asn = (uint8_t)asn_len;
		assert_int_equal(routing_lean_facts(w, &l, &f), 0);
		assert_int_equal(bgp_lean_path(&l.bgp, &path, seg, LEAN_SEGS,
		    asn, LEAN_ASNS), 0);
		assert_true(f.announces);
		assert_int_equal(f.origin, routing_origin(&path));
		assert_int_equal(f.origin_watched, f.origin != 0 &&
		    routing_watch_as(w, f.origin) != NULL);
		routing_path_neighbours(w, &path, v, &n);
		assert_int_equal(f.nnb, n);
		for (uint8_t i = 0; i < n; i++) {
			assert_int_equal(f.nb[i].type, v[i].type);
			assert_int_equal(f.nb[i].a, v[i].a);
			assert_int_equal(f.nb[i].b, v[i].b);
			assert_ptr_equal(f.nb[i].wa, v[i].wa);
		}
		events += n;
	}
	assert_true(events > 1000);	/* the comparison saw events */
	/* 65 segments: past the lean bounds, as bgp_lean_path() says */
	{
		struct mrt_lean l;
		size_t o = 0;

		for (int s = 0; s < 65; s++) {
			buf[o++] = BGP_SEG_SEQUENCE;
			buf[o++] = 1;
			buf[o++] = 0;
			buf[o++] = 1;
		}
		memset(&l, 0, sizeof(l));
		l.bgp.run[BGP_LEAN_MP_REACH].n = 1;
		l.bgp.path = buf;
		l.bgp.path_len = o;
		l.bgp.path_asn = 2;
		assert_int_equal(routing_lean_facts(w, &l, &f), LL_ELIMIT);
		/* and a segment cut short is declined, never read past */
		l.bgp.path_len = 3;
		assert_int_equal(routing_lean_facts(w, &l, &f), LL_ELIMIT);
		/* a record that announces nothing has no facts */
		l.bgp.run[BGP_LEAN_MP_REACH].n = 0;
		assert_int_equal(routing_lean_facts(w, &l, &f), 0);
		assert_false(f.announces);
	}
	routing_watch_free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pfx_table),
		cmocka_unit_test(test_nb_listed),
		cmocka_unit_test(test_facts),
	};

	return test_main("monitor-parts", tests, NULL, NULL);
}
