/*
 * geo against real data: lookups through our tree compared with a brute
 * force over the text export of the same libloc database (parsed here,
 * independently of libloc); the countries' networks; geo_split sums and
 * per-/24 majorities; the RIR and pfx2as loaders on the real files (with
 * totals computed by awk); hostile lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <zlib.h>

#include <libloc/database.h>
#include <libloc/libloc.h>

#include "geo/geo.h"
#include "net/net.h"
#include "testutil.h"
#include "util/err.h"

#define EXPORT	"geo/debian-libloc-database-20221029-export"
#define LOCDB	"/usr/share/libloc-location/location.db"

/* One network of the export. */
struct dnet {
	struct net_prefix	p;
	char			cc[3];
	uint32_t		asn;
};

static struct dnet *D;
static size_t ND;
static struct geo *G;

static int
dnet_cmp(const void *va, const void *vb)
{
	const struct dnet *a = va, *b = vb;

	return net_prefix_cmp(&a->p, &b->p);
}

static const char *
field(char *line, const char *key)
{
	size_t n = strlen(key);
	char *v, *e;

	if (strncmp(line, key, n) != 0)
		return NULL;
	for (v = line + n; *v == ' '; v++)
		;
	for (e = v + strlen(v); e > v && (e[-1] == '\n' || e[-1] == ' ');)
		*--e = '\0';
	return v;
}

static void
load_export(void)
{
	const char *path = test_shared_or_skip(EXPORT
	    "/location-dump-20221029.txt.gz");
	char line[512];
	size_t cap = 1u << 21;
	struct dnet *cur = NULL;
	const char *v;
	gzFile f;

	assert_non_null(D = malloc(cap * sizeof(*D)));
	assert_non_null(f = gzopen(path, "rb"));
	while (gzgets(f, line, sizeof(line)) != NULL) {
		if ((v = field(line, "net:")) != NULL) {
			assert_true(ND < cap);
			cur = &D[ND++];
			memset(cur, 0, sizeof(*cur));
			assert_int_equal(net_prefix_parse(v, &cur->p), 0);
		} else if (line[0] == '\n') {
			cur = NULL;
		} else if (cur != NULL && (v = field(line, "country:")) != NULL) {
			assert_int_equal(strlen(v), 2);
			memcpy(cur->cc, v, 3);
		} else if (cur != NULL && (v = field(line, "aut-num:")) != NULL) {
			cur->asn = (uint32_t)strtoul(v, NULL, 10);
		}
	}
	gzclose(f);
	qsort(D, ND, sizeof(*D), dnet_cmp);
}

/* Brute force: the longest network of the export holding a. */
static const struct dnet *
brute(const struct net_addr *a)
{
	struct dnet key;

	memset(&key, 0, sizeof(key));
	key.p.af = a->af;
	for (int len = (int)net_af_bits(a->af); len >= 0; len--) {
		key.p.len = (uint8_t)len;
		memcpy(key.p.a, a->a, 16);
		net_prefix_mask(&key.p);
		const struct dnet *d = bsearch(&key, D, ND, sizeof(*D),
		    dnet_cmp);
		if (d != NULL)
			return d;
	}
	return NULL;
}

static double
now(void)
{
	struct timespec ts;

	/* CPU time: the figures stay meaningful on a loaded machine. */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The export must be of the database installed here. */
static void
check_same_version(void)
{
	struct loc_ctx *ctx;
	struct loc_database *db;
	FILE *f = fopen(LOCDB, "rb");
	char date[64];
	time_t t;

	if (f == NULL) {
		fprintf(stderr, "SKIP: no libloc database at %s\n", LOCDB);
		exit(TEST_SKIP);
	}
	assert_int_equal(loc_new(&ctx), 0);
	assert_int_equal(loc_database_new(ctx, &db, f), 0);
	t = loc_database_created_at(db);
	strftime(date, sizeof(date), "%Y%m%d", gmtime(&t));
	loc_database_unref(db);
	loc_unref(ctx);
	fclose(f);
	if (strcmp(date, "20221029") != 0) {
		fprintf(stderr, "SKIP: installed location.db is of %s, the "
		    "export of 20221029\n", date);
		exit(TEST_SKIP);
	}
}

static int
setup(void **state)
{
	struct geo_opts o = { .locdb = LOCDB };
	double t0;

	(void)state;
	check_same_version();
	load_export();
	t0 = now();
	assert_int_equal(geo_open(&o, &G), 0);
	print_message("geo_open: %.2f s (this build); %zu networks in the "
	    "export\n", now() - t0, ND);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	geo_free(G);
	free(D);
	return 0;
}

static void
check_addr(const struct net_addr *a)
{
	const struct dnet *d = brute(a);
	struct geo_info gi;
	char buf[NET_ADDR_STRLEN];
	int rc = geo_lookup(G, a, &gi);

	net_addr_fmt(a, buf);
	if (d == NULL || (d->cc[0] == '\0' && d->asn == 0)) {
		if (rc != LL_ENOTFOUND)
			fail_msg("%s: got %s/%u, want nothing", buf, gi.cc,
			    gi.asn);
		return;
	}
	assert_int_equal(rc, 0);
	if (strcmp(gi.cc, d->cc) != 0 || gi.asn != d->asn)
		fail_msg("%s: got %s/%u, want %s/%u", buf, gi.cc, gi.asn,
		    d->cc, d->asn);
}

static struct net_addr
last_addr(const struct net_prefix *p)
{
	struct net_addr a = { .af = p->af };
	unsigned bits = net_af_bits(p->af);

	memcpy(a.a, p->a, 16);
	for (unsigned i = p->len; i < bits; i++)
		a.a[i / 8] |= (uint8_t)(0x80u >> (i % 8));
	return a;
}

static void
lookups_match_the_export(void **state)
{
	uint64_t seed = 42;
	size_t n = 0;
	double t0;

	(void)state;
	/* Both ends of every network of the export, and their neighbours
	 * just outside (every 23rd, to stay fast under ASan). */
	for (size_t i = 0; i < ND; i += 23) {
		struct net_addr a = { .af = D[i].p.af }, b = last_addr(&D[i].p);
		memcpy(a.a, D[i].p.a, 16);
		check_addr(&a);
		check_addr(&b);
		for (int k = 15; k >= 0 && ++b.a[k] == 0; k--)
			;
		if (b.af == NET_AF6 || (b.a[0] | b.a[1] | b.a[2] | b.a[3]))
			check_addr(&b);
		n += 3;
	}
	/* Random addresses: IPv4 anywhere, IPv6 in 2000::/3. */
	for (int k = 0; k < 40000; k++) {
		struct net_addr a = { .af = k % 4 ? NET_AF4 : NET_AF6 };
		for (int j = 0; j < 16; j++) {
			seed = seed * 6364136223846793005ull + 1;
			a.a[j] = (uint8_t)(seed >> 56);
		}
		if (a.af == NET_AF4)
			memset(a.a + 4, 0, 12);
		else
			a.a[0] = (uint8_t)(0x20 | (a.a[0] & 0x1f));
		check_addr(&a);
		n++;
	}
	/* Speed, after the brute force is out of the way. */
	struct net_addr a = { .af = NET_AF4 };
	struct geo_info gi;
	t0 = now();
	for (uint32_t k = 0; k < 500000; k++) {
		uint32_t x = k * 2654435761u;
		memcpy(a.a, &x, 4);
		geo_lookup(G, &a, &gi);
	}
	print_message("%zu addresses agree with the export; %.1f M IPv4 "
	    "lookups/s (this build)\n", n, 0.5 / (now() - t0));
}

static void
known_addresses(void **state)
{
	struct net_addr a;
	struct geo_info gi;

	(void)state;
	/* As `location lookup` prints them (see the networks-EG export). */
	assert_int_equal(net_addr_parse("41.32.0.1", &a), 0);
	assert_int_equal(geo_lookup(G, &a, &gi), 0);
	assert_string_equal(gi.cc, "EG");
	assert_int_equal(gi.asn, 8452);
	assert_string_equal(gi.region, "");
	/* 1.0.0.0/8 is AU with no AS; 1.0.1.0/24 inside is CN. */
	assert_int_equal(net_addr_parse("1.0.1.1", &a), 0);
	assert_int_equal(geo_lookup(G, &a, &gi), 0);
	assert_string_equal(gi.cc, "CN");
	assert_int_equal(gi.asn, 0);
	assert_int_equal(net_addr_parse("1.0.0.1", &a), 0);
	assert_int_equal(geo_lookup(G, &a, &gi), 0);
	assert_int_equal(gi.asn, 13335);
	assert_int_equal(net_addr_parse("127.0.0.1", &a), 0);
	assert_int_equal(geo_lookup(G, &a, &gi), LL_ENOTFOUND);
	assert_string_equal(gi.cc, "");
}

/* The networks-XX.txt files of the export: `location list-networks-by-cc`
 * lists every network whose own country is XX, nested ones included. */
static struct net_prefix *
read_list(const char *cc, size_t *n)
{
	char rel[128], line[128];
	struct net_prefix *v;
	size_t cap = 16384;
	FILE *f;

	snprintf(rel, sizeof(rel), EXPORT "/networks-%s.txt", cc);
	assert_non_null(f = fopen(test_shared_or_skip(rel), "r"));
	assert_non_null(v = malloc(cap * sizeof(*v)));
	*n = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		assert_true(*n < cap);
		assert_int_equal(net_prefix_parse(line, &v[(*n)++]), 0);
	}
	fclose(f);
	assert_true(*n > 0);
	return v;
}

static int
in_list(const struct net_prefix *v, size_t n, const struct net_addr *a)
{
	struct net_prefix p = { .af = a->af };

	memcpy(p.a, a->a, 16);
	p.len = (uint8_t)net_af_bits(a->af);
	/* v is sorted and disjoint: the last one starting <= a. */
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (memcmp(v[mid].a, p.a, 16) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && net_prefix_contains(&v[lo - 1], &p);
}

static void
country_networks(void **state)
{
	const char *ccs[] = { "EG", "SY", "IR", "MM", "SD", "PK" };

	(void)state;
	for (size_t c = 0; c < sizeof(ccs) / sizeof(*ccs); c++) {
		size_t nl, nn[2];
		struct net_prefix *l = read_list(ccs[c], &nl), *nets[2];
		uint8_t afs[2] = { NET_AF4, NET_AF6 };

		for (int k = 0; k < 2; k++) {
			assert_int_equal(geo_country_networks(G, ccs[c],
			    afs[k], &nets[k], &nn[k]), 0);
			for (size_t i = 0; i < nn[k]; i++) {
				struct net_addr a = { .af = afs[k] };
				struct net_addr b = last_addr(&nets[k][i]);
				memcpy(a.a, nets[k][i].a, 16);
				/* Sorted, disjoint, all of the country. */
				if (i > 0) {
					struct net_addr pl =
					    last_addr(&nets[k][i - 1]);
					assert_true(memcmp(pl.a, a.a, 16) < 0);
				}
				assert_string_equal(brute(&a)->cc, ccs[c]);
				assert_string_equal(brute(&b)->cc, ccs[c]);
			}
		}
		/* Every listed network whose first address is of the
		 * country (per the brute force) is covered. */
		for (size_t i = 0; i < nl; i++) {
			struct net_addr a = { .af = l[i].af };
			int k = l[i].af == NET_AF6;
			memcpy(a.a, l[i].a, 16);
			if (strcmp(brute(&a)->cc, ccs[c]) == 0)
				assert_true(in_list(nets[k], nn[k], &a));
			else
				assert_false(in_list(nets[k], nn[k], &a));
		}
		print_message("%s: %zu listed, %zu + %zu most-specific-free\n",
		    ccs[c], nl, nn[0], nn[1]);
		free(nets[0]);
		free(nets[1]);
		free(l);
	}
	struct net_prefix *x;
	size_t nx;
	assert_int_equal(geo_country_networks(G, "E", NET_AF4, &x, &nx),
	    LL_EINVAL);
	assert_int_equal(geo_country_networks(G, "ZZ", NET_AF4, &x, &nx), 0);
	assert_int_equal(nx, 0);
	free(x);
}

struct tally {
	char		cc[1024][3];
	char		reg[1024][8];
	uint64_t	units[1024];
	size_t		n;
	uint64_t	sum;
	int		calls;
};

static void
cc_copy(char *dst, const char *src)
{
	dst[0] = src[0];
	dst[1] = src[0] ? src[1] : '\0';
	dst[2] = '\0';
}

static void
tally_add(struct tally *t, const char *cc, const char *reg, uint64_t units)
{
	size_t i;

	t->sum += units;
	for (i = 0; i < t->n; i++)
		if (strcmp(t->cc[i], cc) == 0 && strcmp(t->reg[i], reg) == 0)
			break;
	if (i == t->n) {
		assert_true(t->n < 1024);
		cc_copy(t->cc[i], cc);
		snprintf(t->reg[i], 8, "%s", reg);
		t->units[t->n++] = 0;
	}
	t->units[i] += units;
}

static int
tally_fn(void *ctx, const char *cc, const char *reg, uint64_t units)
{
	struct tally *t = ctx;

	t->calls++;
	tally_add(t, cc, reg, units);
	return 0;
}

static uint64_t
tally_get(const struct tally *t, const char *cc)
{
	uint64_t s = 0;

	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->cc[i], cc) == 0)
			s += t->units[i];
	return s;
}

/* True when some network of the export longer than /24 lies in u/24. */
static int
has_longer(const struct net_addr *u)
{
	struct dnet key;

	memset(&key, 0, sizeof(key));
	key.p.af = NET_AF4;
	memcpy(key.p.a, u->a, 4);
	key.p.len = 25;
	/* First export network >= (u, /25). */
	size_t lo = 0, hi = ND;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (dnet_cmp(&D[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ND && D[lo].p.af == NET_AF4 &&
	    memcmp(D[lo].p.a, u->a, 3) == 0;
}

/* The country of one /24 by brute force: the majority of its addresses,
 * the lowest address winning a tie. */
static const char *
unit_country(const struct net_addr *u)
{
	static char best[3];
	char cc[256][3];
	int cnt[256], n = 0, b = 0;
	struct net_addr a = *u;

	if (!has_longer(u)) {
		const struct dnet *d = brute(u);
		cc_copy(best, d ? d->cc : "");
		return best;
	}
	for (int x = 0; x < 256; x++) {
		const struct dnet *d;
		int i;
		a.a[3] = (uint8_t)x;
		d = brute(&a);
		for (i = 0; i < n && strcmp(cc[i], d ? d->cc : "") != 0; i++)
			;
		if (i == n) {
			cc_copy(cc[n], d ? d->cc : "");
			cnt[n++] = 0;
		}
		cnt[i]++;
	}
	for (int i = 1; i < n; i++)
		if (cnt[i] > cnt[b])
			b = i;
	cc_copy(best, cc[b]);
	return best;
}

static void
split_sums_and_majorities(void **state)
{
	const char *ccs[] = { "EG", "SY", "IR", "MM", "SD", "PK" };
	uint64_t checked = 0;

	(void)state;
	for (size_t c = 0; c < sizeof(ccs) / sizeof(*ccs); c++) {
		size_t nl;
		struct net_prefix *l = read_list(ccs[c], &nl);

		for (size_t i = 0; i < nl; i++) {
			struct tally t = { .n = 0 }, want = { .n = 0 };
			assert_int_equal(geo_split(G, &l[i], tally_fn, &t), 0);
			assert_true(t.sum == net_prefix_units(&l[i]));
			if (net_prefix_units(&l[i]) == 0)
				assert_int_equal(t.calls, 0);
			/* Each country once. */
			assert_int_equal((size_t)t.calls, t.n);
			if (l[i].af != NET_AF4 || l[i].len > 24 ||
			    (strcmp(ccs[c], "SY") != 0 &&
			    strcmp(ccs[c], "MM") != 0 && l[i].len < 22))
				continue;
			/* Per /24, by brute force (all of SY and MM, the
			 * smaller networks of the others). */
			struct net_addr u = { .af = NET_AF4 };
			uint32_t first = (uint32_t)l[i].a[0] << 16 |
			    (uint32_t)l[i].a[1] << 8 | l[i].a[2];
			for (uint32_t k = 0; k < net_prefix_units(&l[i]); k++) {
				uint32_t x = first + k;
				u.a[0] = (uint8_t)(x >> 16);
				u.a[1] = (uint8_t)(x >> 8);
				u.a[2] = (uint8_t)x;
				tally_add(&want, unit_country(&u), "", 1);
				checked++;
			}
			for (size_t j = 0; j < want.n; j++)
				assert_int_equal(tally_get(&t, want.cc[j]),
				    want.units[j]);
		}
		free(l);
	}
	/* The whole space: every /24 once. */
	struct net_prefix all;
	struct tally t = { .n = 0 };
	assert_int_equal(net_prefix_parse("0.0.0.0/0", &all), 0);
	assert_int_equal(geo_split(G, &all, tally_fn, &t), 0);
	assert_true(t.sum == 1u << 24);
	print_message("%llu /24s checked by brute force\n",
	    (unsigned long long)checked);
}

static int
stop_fn(void *ctx, const char *cc, const char *reg, uint64_t units)
{
	(void)cc;
	(void)reg;
	(void)units;
	++*(int *)ctx;
	return 7;
}

static void
split_stops_and_speed(void **state)
{
	struct net_prefix p;
	int calls = 0;
	double t0;

	(void)state;
	assert_int_equal(net_prefix_parse("41.0.0.0/8", &p), 0);
	assert_int_equal(geo_split(G, &p, stop_fn, &calls), 7);
	assert_int_equal(calls, 1);
	/* Every /24 of the export's networks, as BGP would show them. */
	size_t n = 0;
	struct tally t;
	t0 = now();
	for (size_t i = 0; i < ND; i++) {
		if (D[i].p.af != NET_AF4 || D[i].p.len > 24)
			continue;
		t.n = 0;
		t.sum = 0;
		geo_split(G, &D[i].p, tally_fn, &t);
		n++;
	}
	print_message("geo_split: %.2f M prefixes/s (this build)\n",
	    (double)n / (now() - t0) / 1e6);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(known_addresses),
		cmocka_unit_test(lookups_match_the_export),
		cmocka_unit_test(country_networks),
		cmocka_unit_test(split_sums_and_majorities),
		cmocka_unit_test(split_stops_and_speed),
	};

	return test_main("geo_libloc", tests, setup, teardown);
}
