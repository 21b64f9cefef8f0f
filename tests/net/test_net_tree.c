/*
 * The prefix map: nested networks (most specific wins), duplicates, holes,
 * unit counting and splitting against brute force, and the union of the
 * real CAIDA pfx2as table counted against a bitmap of /24s.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "net/net.h"
#include "net/net_tree.h"
#include "testutil.h"
#include "util/err.h"

static struct net_prefix
P(const char *s)
{
	struct net_prefix p;

	assert_int_equal(net_prefix_parse(s, &p), 0);
	return p;
}

static uint32_t
L(const struct net_tree *t, const char *s)
{
	struct net_addr a;

	assert_int_equal(net_addr_parse(s, &a), 0);
	return net_tree_lookup(t, &a);
}

static struct net_tree *
tree(uint8_t af, const char *const *pfx, const uint32_t *val, size_t n)
{
	struct net_tree *t;

	assert_int_equal(net_tree_new(af, &t), 0);
	for (size_t i = 0; i < n; i++) {
		struct net_prefix p = P(pfx[i]);
		assert_int_equal(net_tree_add(t, &p, val[i]), 0);
	}
	assert_int_equal(net_tree_build(t), 0);
	return t;
}

static void
nested_most_specific_wins(void **state)
{
	/* Added out of order on purpose. */
	const char *pfx[] = { "10.1.2.0/24", "10.0.0.0/8", "10.1.0.0/16",
	    "10.1.16.0/20", "10.1.2.128/32", "10.255.255.255/32" };
	const uint32_t val[] = { 3, 1, 2, 0, 4, 5 };
	struct net_tree *t = tree(NET_AF4, pfx, val, 6);

	(void)state;
	assert_int_equal(L(t, "9.255.255.255"), 0);
	assert_int_equal(L(t, "10.0.0.0"), 1);
	assert_int_equal(L(t, "10.1.0.0"), 2);
	assert_int_equal(L(t, "10.1.1.255"), 2);
	assert_int_equal(L(t, "10.1.2.0"), 3);
	assert_int_equal(L(t, "10.1.2.127"), 3);
	assert_int_equal(L(t, "10.1.2.128"), 4);
	assert_int_equal(L(t, "10.1.2.129"), 3);
	assert_int_equal(L(t, "10.1.3.0"), 2);
	assert_int_equal(L(t, "10.1.16.0"), 0);	/* a hole */
	assert_int_equal(L(t, "10.1.31.255"), 0);
	assert_int_equal(L(t, "10.1.32.0"), 2);
	assert_int_equal(L(t, "10.2.0.0"), 1);
	assert_int_equal(L(t, "10.255.255.254"), 1);
	assert_int_equal(L(t, "10.255.255.255"), 5);
	assert_int_equal(L(t, "11.0.0.0"), 0);
	assert_int_equal(L(t, "255.255.255.255"), 0);
	assert_int_equal(L(t, "::1"), 0);	/* other family */
	net_tree_free(t);
}

static void
duplicates_later_wins_and_edges(void **state)
{
	const char *pfx[] = { "0.0.0.0/0", "192.0.2.0/24", "192.0.2.0/24",
	    "255.255.255.0/24" };
	const uint32_t val[] = { 9, 1, 2, 3 };
	struct net_tree *t = tree(NET_AF4, pfx, val, 4);
	struct net_prefix p = P("1.0.0.0/8");

	(void)state;
	assert_int_equal(L(t, "0.0.0.0"), 9);
	assert_int_equal(L(t, "192.0.2.7"), 2);
	assert_int_equal(L(t, "192.0.3.0"), 9);
	assert_int_equal(L(t, "255.255.255.255"), 3);
	assert_int_equal(net_tree_add(t, &p, 1), LL_EINVAL);	/* built */
	net_tree_free(t);
	net_tree_free(NULL);
}

static void
ipv6_nested(void **state)
{
	const char *pfx[] = { "::/0", "2001:db8::/32", "2001:db8:1::/48",
	    "2001:db8:1::1/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128" };
	const uint32_t val[] = { 7, 1, 2, 3, 4 };
	struct net_tree *t = tree(NET_AF6, pfx, val, 5), *c;
	struct net_prefix p = P("1.2.3.0/24");
	uint64_t n;

	(void)state;
	assert_int_equal(L(t, "::"), 7);
	assert_int_equal(L(t, "2001:db8::"), 1);
	assert_int_equal(L(t, "2001:db8:1::"), 2);
	assert_int_equal(L(t, "2001:db8:1::1"), 3);
	assert_int_equal(L(t, "2001:db8:1::2"), 2);
	assert_int_equal(L(t, "2001:db8:2::"), 1);
	assert_int_equal(L(t, "2001:db9::"), 7);
	assert_int_equal(L(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"), 7);
	assert_int_equal(L(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 4);
	assert_int_equal(net_tree_add(t, &p, 1), LL_EINVAL);
	assert_int_equal(net_tree_coarsen(t, &c), 0);
	/* Every /48 carries a value: the whole space counts once. */
	n = net_tree_count_units(c);
	assert_true(n == (uint64_t)1 << 48);
	net_tree_free(c);
	net_tree_free(t);
}

struct acc {
	uint32_t	val[64];
	uint64_t	units[64];
	size_t		n;
	uint64_t	sum;
};

static int
acc_add(void *ctx, uint32_t val, uint64_t units)
{
	struct acc *a = ctx;
	size_t i;

	a->sum += units;
	for (i = 0; i < a->n && a->val[i] != val; i++)
		;
	if (i == a->n) {
		assert_true(a->n < 64);
		a->val[a->n] = val;
		a->units[a->n++] = 0;
	}
	a->units[i] += units;
	return 0;
}

static uint64_t
acc_get(const struct acc *a, uint32_t val)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->val[i] == val)
			return a->units[i];
	return 0;
}

static void
coarse_majority_and_ties(void **state)
{
	/* 1.0.0.0/24: 128 addresses of 1, 64 of 2, 64 of 3 -> 1.
	 * 1.0.1.0/24: 0..127 nothing, 128..255 of 2 -> tie, lowest: 0.
	 * 1.0.2.0/24: 0..63 of 1, 64..255 of 3 -> 3.
	 * 1.0.3.0/24: one /32 of 4 inside a /23 of 5 -> 5. */
	const char *pfx[] = { "1.0.0.0/25", "1.0.0.128/26", "1.0.0.192/26",
	    "1.0.1.128/25", "1.0.2.0/26", "1.0.2.64/26", "1.0.2.128/25",
	    "1.0.2.0/23", "1.0.3.9/32" };
	const uint32_t val[] = { 1, 2, 3, 2, 1, 3, 3, 5, 4 };
	struct net_tree *t = tree(NET_AF4, pfx, val, 9), *c;
	struct net_prefix p = P("1.0.0.0/22");
	struct acc a = { .n = 0 };

	(void)state;
	assert_int_equal(net_tree_coarsen(t, &c), 0);
	assert_int_equal(net_tree_units(c, &p, acc_add, &a), 0);
	assert_int_equal(a.sum, 4);
	assert_int_equal(acc_get(&a, 1), 1);
	assert_int_equal(acc_get(&a, 0), 1);
	assert_int_equal(acc_get(&a, 3), 1);
	assert_int_equal(acc_get(&a, 5), 1);
	assert_int_equal(net_tree_count_units(c), 3);
	/* Longer than a unit: no units, fn not called. */
	p = P("1.0.0.0/25");
	a.n = 0;
	a.sum = 0;
	assert_int_equal(net_tree_units(c, &p, acc_add, &a), 0);
	assert_int_equal(a.n, 0);
	/* Not a coarse tree. */
	p = P("1.0.0.0/24");
	assert_int_equal(net_tree_units(t, &p, acc_add, &a), LL_EINVAL);
	net_tree_free(c);
	net_tree_free(t);
}

/* Brute force: random prefixes inside 10.0.0.0/12, values 0..5. */
#define NR	400

struct rp {
	uint32_t	lo, hi, val;
};

static uint32_t
brute(const struct rp *r, size_t n, uint32_t a)
{
	int best = -1;
	uint32_t bv = 0;

	for (size_t i = 0; i < n; i++)
		if (a >= r[i].lo && a <= r[i].hi) {
			int len = 32 - __builtin_popcount(r[i].hi - r[i].lo);
			if (len >= best) {	/* later wins on equal */
				best = len;
				bv = r[i].val;
			}
		}
	return bv;
}

static struct net_addr
A4(uint32_t x)
{
	struct net_addr a = { .af = NET_AF4 };

	a.a[0] = (uint8_t)(x >> 24);
	a.a[1] = (uint8_t)(x >> 16);
	a.a[2] = (uint8_t)(x >> 8);
	a.a[3] = (uint8_t)x;
	return a;
}

static void
random_against_brute_force(void **state)
{
	static struct rp r[NR];
	struct net_tree *t, *c;
	struct net_prefix p = { .af = NET_AF4 };
	uint64_t seed = 12345;

	(void)state;
	assert_int_equal(net_tree_new(NET_AF4, &t), 0);
	for (size_t i = 0; i < NR; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		unsigned len = 12 + (unsigned)(seed >> 33) % 21;	/* 12..32 */
		uint32_t x = 0x0a000000u | (uint32_t)(seed >> 13) % 0x100000u;
		uint32_t m = len == 32 ? ~0u : ~(~0u >> len);
		r[i].lo = x & m;
		r[i].hi = r[i].lo | ~m;
		r[i].val = (uint32_t)(seed >> 50) % 6;
		p.len = (uint8_t)len;
		struct net_addr a = A4(r[i].lo);
		memcpy(p.a, a.a, 16);
		assert_int_equal(net_tree_add(t, &p, r[i].val), 0);
	}
	assert_int_equal(net_tree_build(t), 0);
	/* Every boundary and its neighbours, and random addresses. */
	for (size_t i = 0; i < NR; i++) {
		uint32_t xs[4] = { r[i].lo, r[i].hi, r[i].lo - 1, r[i].hi + 1 };
		for (int k = 0; k < 4; k++) {
			struct net_addr a = A4(xs[k]);
			assert_int_equal(net_tree_lookup(t, &a),
			    brute(r, NR, xs[k]));
		}
	}
	for (int k = 0; k < 20000; k++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		uint32_t x = 0x0a000000u | (uint32_t)(seed >> 20) % 0x100000u;
		struct net_addr a = A4(x);
		assert_int_equal(net_tree_lookup(t, &a), brute(r, NR, x));
	}
	/* Units of each /20 of the space against a majority computed from
	 * a painted copy of the space: prefixes painted shortest first (the
	 * order of adding among equals), so the most specific stays. */
	uint8_t *paint = calloc(1u << 20, 1);
	size_t order[NR];
	assert_non_null(paint);
	for (size_t i = 0; i < NR; i++)
		order[i] = i;
	for (size_t i = 1; i < NR; i++)		/* stable insertion sort */
		for (size_t j = i; j > 0 && r[order[j - 1]].hi - r[order[j - 1]].lo <
		    r[order[j]].hi - r[order[j]].lo; j--) {
			size_t tmp = order[j];
			order[j] = order[j - 1];
			order[j - 1] = tmp;
		}
	for (size_t i = 0; i < NR; i++) {
		const struct rp *q = &r[order[i]];
		memset(paint + (q->lo - 0x0a000000u), (int)q->val,
		    (size_t)(q->hi - q->lo) + 1);
	}
	for (uint32_t x = 0; x < 1u << 20; x += 4099)
		assert_int_equal(paint[x], brute(r, NR, 0x0a000000u + x));
	assert_int_equal(net_tree_coarsen(t, &c), 0);
	for (uint32_t b = 0; b < 1u << 20; b += 0x1000u) {
		struct acc got = { .n = 0 }, want = { .n = 0 };
		struct net_addr a = A4(0x0a000000u + b);
		p.len = 20;
		memcpy(p.a, a.a, 16);
		assert_int_equal(net_tree_units(c, &p, acc_add, &got), 0);
		assert_int_equal(got.sum, 16);
		for (uint32_t u = b; u < b + 0x1000u; u += 256) {
			uint32_t cnt[6] = { 0 }, first[6], best = paint[u];
			for (int v = 0; v < 6; v++)
				first[v] = UINT32_MAX;
			for (uint32_t x = u; x < u + 256; x++) {
				cnt[paint[x]]++;
				if (first[paint[x]] == UINT32_MAX)
					first[paint[x]] = x;
			}
			/* Most addresses; on a tie the lowest address. */
			for (uint32_t v = 0; v < 6; v++)
				if (cnt[v] > cnt[best] || (cnt[v] == cnt[best] &&
				    first[v] < first[best]))
					best = v;
			acc_add(&want, best, 1);
		}
		assert_int_equal(got.n, want.n);
		for (size_t i = 0; i < want.n; i++)
			assert_int_equal(acc_get(&got, want.val[i]),
			    want.units[i]);
	}
	free(paint);
	net_tree_free(c);
	net_tree_free(t);
}

struct pl {
	struct net_prefix	p[4096];
	size_t			n;
};

static int
pl_add(void *ctx, const struct net_prefix *p)
{
	struct pl *l = ctx;

	assert_true(l->n < 4096);
	l->p[l->n++] = *p;
	return 0;
}

static void
prefixes_are_the_fewest_cidrs(void **state)
{
	const char *pfx[] = { "10.0.0.0/8", "10.0.0.0/24", "10.128.0.0/9",
	    "10.0.0.0/25" };
	const uint32_t val[] = { 1, 2, 3, 1 };
	struct net_tree *t = tree(NET_AF4, pfx, val, 4);
	static struct pl l;
	char buf[NET_PREFIX_STRLEN];

	(void)state;
	l.n = 0;
	assert_int_equal(net_tree_prefixes(t, 1, pl_add, &l), 0);
	/* 10.0.0.0/25, then 10.0.1.0 .. 10.127.255.255. */
	const char *want[] = { "10.0.0.0/25", "10.0.1.0/24", "10.0.2.0/23",
	    "10.0.4.0/22", "10.0.8.0/21", "10.0.16.0/20", "10.0.32.0/19",
	    "10.0.64.0/18", "10.0.128.0/17", "10.1.0.0/16", "10.2.0.0/15",
	    "10.4.0.0/14", "10.8.0.0/13", "10.16.0.0/12", "10.32.0.0/11",
	    "10.64.0.0/10" };
	assert_int_equal(l.n, sizeof(want) / sizeof(*want));
	for (size_t i = 0; i < l.n; i++) {
		net_prefix_fmt(&l.p[i], buf);
		assert_string_equal(buf, want[i]);
	}
	l.n = 0;
	assert_int_equal(net_tree_prefixes(t, 3, pl_add, &l), 0);
	assert_int_equal(l.n, 1);
	net_prefix_fmt(&l.p[0], buf);
	assert_string_equal(buf, "10.128.0.0/9");
	net_tree_free(t);
}

static uint32_t
pair(void *ctx, uint32_t a, uint32_t b)
{
	(void)ctx;
	return a * 10 + b;
}

static void
merge_two_trees(void **state)
{
	const char *pa[] = { "10.0.0.0/8" }, *pb[] = { "10.1.0.0/16",
	    "11.0.0.0/8" };
	const uint32_t va[] = { 1 }, vb[] = { 2, 3 };
	struct net_tree *a = tree(NET_AF4, pa, va, 1);
	struct net_tree *b = tree(NET_AF4, pb, vb, 2), *m;

	(void)state;
	assert_int_equal(net_tree_merge(a, b, pair, NULL, &m), 0);
	assert_int_equal(L(m, "9.0.0.0"), 0);
	assert_int_equal(L(m, "10.0.0.0"), 10);
	assert_int_equal(L(m, "10.1.0.0"), 12);
	assert_int_equal(L(m, "10.2.0.0"), 10);
	assert_int_equal(L(m, "11.0.0.0"), 3);
	assert_int_equal(L(m, "12.0.0.0"), 0);
	assert_int_equal(net_tree_intervals(m), 6);
	net_tree_free(m);
	net_tree_free(a);
	net_tree_free(b);
}

/* The real pfx2as table: /24s covered by prefixes up to /24, each counted
 * once, against a bitmap of the 2^24 /24s. */
static void
pfx2as_union_units(void **state)
{
	const char *path = test_shared_or_skip(
	    "registry/caida-pfx2as/routeviews-rv2-20170329-0200.pfx2as.gz");
	uint8_t *bits = calloc(1u << 21, 1);
	struct net_tree *t, *c;
	char line[256], ip[64];
	unsigned len, rows = 0;
	uint64_t want = 0;
	gzFile f;

	(void)state;
	assert_non_null(bits);
	assert_non_null(f = gzopen(path, "rb"));
	assert_int_equal(net_tree_new(NET_AF4, &t), 0);
	while (gzgets(f, line, sizeof(line)) != NULL) {
		struct net_prefix p;
		unsigned a, b, cc, d;
		assert_int_equal(sscanf(line, "%63s %u", ip, &len), 2);
		assert_int_equal(sscanf(ip, "%u.%u.%u.%u", &a, &b, &cc, &d), 4);
		rows++;
		p = P(ip);
		p.len = (uint8_t)len;
		assert_int_equal(net_tree_add(t, &p, 1), 0);
		if (len > 24)
			continue;
		uint32_t first = (a << 16 | b << 8 | cc) & ~((1u << (24 - len)) - 1);
		for (uint32_t u = first; u < first + (1u << (24 - len)); u++)
			bits[u >> 3] |= (uint8_t)(1u << (u & 7));
	}
	gzclose(f);
	assert_int_equal(rows, 694682);	/* PROVENANCE.md */
	for (size_t i = 0; i < 1u << 21; i++)
		want += (uint64_t)__builtin_popcount(bits[i]);
	assert_int_equal(net_tree_build(t), 0);
	assert_int_equal(net_tree_coarsen(t, &c), 0);
	/* A unit partly covered by longer prefixes may be counted by the
	 * majority rule; the bitmap counts only whole ones: allow those. */
	uint64_t got = net_tree_count_units(c);
	assert_true(got >= want);
	/* Rebuild without the prefixes longer than /24: exact. */
	net_tree_free(c);
	net_tree_free(t);
	assert_non_null(f = gzopen(path, "rb"));
	assert_int_equal(net_tree_new(NET_AF4, &t), 0);
	while (gzgets(f, line, sizeof(line)) != NULL) {
		struct net_prefix p;
		assert_int_equal(sscanf(line, "%63s %u", ip, &len), 2);
		if (len > 24)
			continue;
		p = P(ip);
		p.len = (uint8_t)len;
		assert_int_equal(net_tree_add(t, &p, 1), 0);
	}
	gzclose(f);
	assert_int_equal(net_tree_build(t), 0);
	assert_int_equal(net_tree_coarsen(t, &c), 0);
	assert_int_equal(net_tree_count_units(c), want);
	print_message("pfx2as: %u rows, %llu /24s (%llu with longer)\n", rows,
	    (unsigned long long)want, (unsigned long long)got);
	net_tree_free(c);
	net_tree_free(t);
	free(bits);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nested_most_specific_wins),
		cmocka_unit_test(duplicates_later_wins_and_edges),
		cmocka_unit_test(ipv6_nested),
		cmocka_unit_test(coarse_majority_and_ties),
		cmocka_unit_test(random_against_brute_force),
		cmocka_unit_test(prefixes_are_the_fewest_cidrs),
		cmocka_unit_test(merge_two_trees),
		cmocka_unit_test(pfx2as_union_units),
	};

	return test_main("net_tree", tests, NULL, NULL);
}
