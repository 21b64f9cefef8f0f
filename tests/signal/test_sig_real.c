/*
 * The visibility signal on real RIS archives, checked against an
 * independent brute-force computation from `bgpdump -m` output (per-peer
 * tables from its text lines; IODA's rules: votes by full-feed peer AS,
 * visible at >= 50%, every known origin of a prefix gets it; every
 * visible prefix painted onto an array of all 2^24 /24s for the
 * countries, and each AS's /24s as a sorted union), plus invariants with
 * the real location database, and replay-order independence.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "geo/geo.h"
#include "signal/signal.h"
#include "testutil.h"
#include "util/err.h"

#define F1 "mrt/ris-2021-gatech-cs6250/ris.rrc04.updates.1609476900.300.gz"
#define F2 "mrt/ris-2021-gatech-cs6250/ris.rrc04.updates.1609477200.300.gz"
#define N24 (1u << 24)
#define NONE UINT32_MAX

/* Points collected from the engine. */
struct pt {
	int64_t		t;
	char		ent[40];
	uint64_t	v;
};

struct pts {
	struct pt	*p;
	size_t		 n, cap;
};

static int
collect(void *ctx, const char *kind, int64_t t, const char *ent, uint64_t v)
{
	struct pts *k = ctx;

	if (strcmp(kind, "bgp") != 0)
		return 0;

	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 4096;
		k->p = realloc(k->p, k->cap * sizeof(*k->p));
		assert_non_null(k->p);
	}
	k->p[k->n].t = t;
	snprintf(k->p[k->n].ent, sizeof(k->p[k->n].ent), "%s", ent);
	k->p[k->n].v = v;
	k->n++;
	return 0;
}

/* Synthetic countries: one per first octet ("AA" + octet); a prefix
 * shorter than /8 is split per octet. */
static int
octet_split(void *ctx, const struct net_prefix *p, geo_split_fn *fn,
    void *fnctx)
{
	unsigned n = p->len < 8 ? 1u << (8 - p->len) : 1;
	char cc[3];
	int rc;

	(void)ctx;
	if (p->af != NET_AF4)
		return 0;
	for (unsigned o = p->a[0]; o < p->a[0] + n; o++) {
		cc[0] = (char)('A' + o / 26);
		cc[1] = (char)('A' + o % 26);
		cc[2] = '\0';
		if ((rc = fn(fnctx, cc, "", p->len < 8 ? 65536 :
		    net_prefix_units(p))) != 0)
			return rc;
	}
	return 0;
}

static void
run_engine(const char *const *files, size_t n, struct pts *out,
    unsigned by, struct geo *g)
{
	struct sig_opts o = { 0 };
	struct sig_replay_opts ro = { 0 };
	struct sig *s;

	o.ff_pct = 50;
	o.by = by;
	o.series = SIG_SERIES_V4;
	o.geo = g;
	if (g == NULL)
		o.split = octet_split;
	assert_int_equal(sig_new(&o, collect, out, &s), 0);
	assert_int_equal(sig_replay(s, files, n, &ro), 0);
	sig_free(s);
}

/* The brute force. */

struct route {
	uint32_t	addr;
	uint8_t		len;
	uint32_t	origin;
	bool		live;
};

struct bpeer {
	char		 key[80];
	uint32_t	 asn;
	struct route	*r;
	size_t		 n, cap;
	uint32_t	 live;
};

#define TSLOTS (1u << 18)

struct brute {
	struct bpeer	 peer[256];
	size_t		 npeer;
	uint32_t	*o24;
	uint32_t	 tk[TSLOTS];	/* AS + 1, 0 = empty */
	uint64_t	 tv[TSLOTS];
};

/* The tally cell of AS as. */
static uint64_t *
tally(struct brute *b, uint32_t as)
{
	uint32_t i = (as * 2654435761u) & (TSLOTS - 1);

	while (b->tk[i] != 0 && b->tk[i] != as + 1)
		i = (i + 1) & (TSLOTS - 1);
	b->tk[i] = as + 1;
	return &b->tv[i];
}

static struct bpeer *
bpeer(struct brute *b, const char *ip, const char *as)
{
	char key[80];

	snprintf(key, sizeof(key), "%s|%s", ip, as);
	for (size_t i = 0; i < b->npeer; i++)
		if (strcmp(b->peer[i].key, key) == 0)
			return &b->peer[i];
	assert_true(b->npeer < 256);
	memset(&b->peer[b->npeer], 0, sizeof(b->peer[0]));
	snprintf(b->peer[b->npeer].key, sizeof(key), "%s", key);
	b->peer[b->npeer].asn = (uint32_t)strtoul(as, NULL, 10);
	return &b->peer[b->npeer++];
}

static struct route *
broute(struct bpeer *p, uint32_t addr, uint8_t len, bool create)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->r[i].addr == addr && p->r[i].len == len)
			return &p->r[i];
	if (!create)
		return NULL;
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 256;
		p->r = realloc(p->r, p->cap * sizeof(*p->r));
		assert_non_null(p->r);
	}
	memset(&p->r[p->n], 0, sizeof(p->r[0]));
	p->r[p->n].addr = addr;
	p->r[p->n].len = len;
	return &p->r[p->n++];
}

/* "a.b.c.d/len" -> addr, len; false for IPv6 or a bad one. */
static bool
parse4(const char *s, uint32_t *addr, uint8_t *len)
{
	unsigned a, b, c, d, l;

	if (strchr(s, ':') != NULL ||
	    sscanf(s, "%u.%u.%u.%u/%u", &a, &b, &c, &d, &l) != 5)
		return false;
	*addr = a << 24 | b << 16 | c << 8 | d;
	*len = (uint8_t)l;
	return true;
}

/* The last AS of the path; 0 when it ends in a set. */
static uint32_t
path_origin(const char *path)
{
	const char *last = strrchr(path, ' ');

	last = last != NULL ? last + 1 : path;
	if (*last == '{' || *last == '[' || *last == '(')
		return 0;
	return (uint32_t)strtoul(last, NULL, 10);
}

struct cand {
	uint32_t	addr;
	uint8_t		len;
	uint32_t	peer_as;
	uint32_t	origin;
};

static int
cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->peer_as != y->peer_as)
		return x->peer_as < y->peer_as ? -1 : 1;
	return (x->origin > y->origin) - (x->origin < y->origin);
}

/* An origin AS's /24s [start, end) from one visible prefix. */
struct span {
	uint32_t	as;
	uint32_t	start, end;
};

static int
cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->as != y->as)
		return x->as < y->as ? -1 : 1;
	return (x->start > y->start) - (x->start < y->start);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static void *
grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 4096;
	p = realloc(p, *cap * size);
	assert_non_null(p);
	return p;
}

static void
brute_bin(struct brute *b, const struct pts *eng, int64_t t)
{
	struct cand *c = NULL;
	struct span *sp = NULL;
	size_t nc = 0, cap = 0, nsp = 0, spcap = 0;
	uint32_t max4 = 0, nffas = 0, ffas[256];
	uint64_t oct[256] = { 0 };

	for (size_t i = 0; i < b->npeer; i++)
		if (b->peer[i].live > max4)
			max4 = b->peer[i].live;
	for (size_t i = 0; i < b->npeer; i++) {
		struct bpeer *p = &b->peer[i];

		if (p->live == 0 || (uint64_t)p->live * 100 < 50ull * max4)
			continue;
		ffas[nffas++] = p->asn;
		for (size_t j = 0; j < p->n; j++) {
			if (!p->r[j].live || p->r[j].len < 6)
				continue;
			c = grow(c, &cap, nc, sizeof(*c));
			c[nc].addr = p->r[j].addr;
			c[nc].len = p->r[j].len;
			c[nc].peer_as = p->asn;
			c[nc++].origin = p->r[j].origin;
		}
	}
	/* Distinct full-feed peer ASes. */
	qsort(ffas, nffas, sizeof(*ffas), cmp_u32);
	{
		uint32_t n = 0;

		for (uint32_t i = 0; i < nffas; i++)
			if (i == 0 || ffas[i] != ffas[i - 1])
				ffas[n++] = ffas[i];
		nffas = n;
	}
	qsort(c, nc, sizeof(*c), cmp_cand);
	for (uint32_t i = 0; i < N24; i++)
		b->o24[i] = NONE;
	/* Groups of one prefix: count the distinct peer ASes, then paint
	 * and record a span for each distinct known origin. */
	for (size_t i = 0; i < nc;) {
		size_t j = i;
		uint32_t votes = 0, norig = 0, orig[256];
		uint32_t len = c[i].len > 24 ? 24 : c[i].len;
		uint32_t first = c[i].addr >> 8, n = 1u << (24 - len);

		while (j < nc && c[j].addr == c[i].addr && c[j].len == c[i].len)
			j++;
		for (size_t k = i; k < j; k++) {
			if (k == i || c[k].peer_as != c[k - 1].peer_as)
				votes++;
			if (c[k].origin != 0) {
				uint32_t m;

				for (m = 0; m < norig && orig[m] != c[k].origin;
				    m++)
					;
				if (m == norig && norig < 256)
					orig[norig++] = c[k].origin;
			}
		}
		if (votes * 2 >= nffas && norig > 0) {
			for (uint32_t u = 0; u < n; u++)
				b->o24[first + u] = 1;
			for (uint32_t m = 0; m < norig; m++) {
				sp = grow(sp, &spcap, nsp, sizeof(*sp));
				sp[nsp].as = orig[m];
				sp[nsp].start = first;
				sp[nsp++].end = first + n;
			}
		}
		i = j;
	}
	free(c);
	/* Per AS: the union of its spans; per octet: painted /24s. */
	memset(b->tk, 0, sizeof(b->tk));
	memset(b->tv, 0, sizeof(b->tv));
	qsort(sp, nsp, sizeof(*sp), cmp_span);
	for (size_t i = 0, end = 0; i < nsp; i++) {
		uint32_t st = sp[i].start;

		if (i == 0 || sp[i].as != sp[i - 1].as)
			end = 0;
		if (st < end)
			st = (uint32_t)end;
		if (sp[i].end > st) {
			*tally(b, sp[i].as) += sp[i].end - st;
			end = sp[i].end;
		}
	}
	free(sp);
	for (uint32_t u = 0; u < N24; u++)
		if (b->o24[u] != NONE)
			oct[u >> 16]++;
	for (size_t i = 0; i < eng->n; i++) {
		const struct pt *p = &eng->p[i];
		uint64_t want = 0;

		if (p->t != t)
			continue;
		if (strncmp(p->ent, "asn:", 4) == 0) {
			uint32_t as = (uint32_t)strtoul(p->ent + 4, NULL, 10);

			want = *tally(b, as);
		} else {
			int o = (p->ent[8] - 'A') * 26 + (p->ent[9] - 'A');

			want = oct[o];
			oct[o] = 0;	/* seen */
		}
		if (want != p->v)
			fail_msg("%s at %lld: engine %llu, brute force %llu",
			    p->ent, (long long)t, (unsigned long long)p->v,
			    (unsigned long long)want);
	}
	/* Every covered octet was emitted by the engine. */
	for (int o = 0; o < 256; o++)
		if (oct[o] != 0)
			fail_msg("octet %d: %llu /24s not emitted", o,
			    (unsigned long long)oct[o]);
}

/* Reads `bgpdump -m FILE` lines into the tables, evaluating bins. */
static void
brute_file(struct brute *b, const char *path, const struct pts *eng,
    int64_t *bin, int *nbins)
{
	char cmd[4200], line[65536];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "bgpdump -m '%s' 2>/dev/null", path);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *fld[16], *save = NULL, *tok;
		int nf = 0;
		int64_t ts;
		struct bpeer *p;
		struct route *r;
		uint32_t addr;
		uint8_t len;

		line[strcspn(line, "\n")] = '\0';
		for (tok = strtok_r(line, "|", &save); tok && nf < 16;
		    tok = strtok_r(NULL, "|", &save))
			fld[nf++] = tok;
		if (nf < 6)
			continue;
		ts = strtoll(fld[1], NULL, 10);
		if (*bin == 0)
			*bin = ts - ts % 300;
		while (ts >= *bin + 300) {
			brute_bin(b, eng, *bin);
			(*nbins)++;
			*bin += 300;
		}
		p = bpeer(b, fld[3], fld[4]);
		if (strcmp(fld[2], "STATE") == 0) {
			if (nf >= 7 && strcmp(fld[6], "6") != 0) {
				for (size_t i = 0; i < p->n; i++)
					p->r[i].live = false;
				p->live = 0;
			}
			continue;
		}
		if (!parse4(fld[5], &addr, &len))
			continue;
		if (strcmp(fld[2], "A") == 0 && nf >= 7) {
			r = broute(p, addr, len, true);
			if (!r->live)
				p->live++;
			r->live = true;
			r->origin = path_origin(fld[6]);
		} else if (strcmp(fld[2], "W") == 0) {
			r = broute(p, addr, len, false);
			if (r != NULL && r->live) {
				r->live = false;
				p->live--;
			}
		}
	}
	pclose(f);
}

static void
test_crosscheck_bgpdump(void **state)
{
	const char *files[2];
	char f1[4096], f2[4096];
	struct pts eng = { 0 };
	struct brute *b;
	int64_t bin = 0;
	int nbins = 0;

	(void)state;
	if (system("bgpdump -T >/dev/null 2>&1; command -v bgpdump "
	    ">/dev/null") != 0)
		test_skip("bgpdump is not installed");
	snprintf(f1, sizeof(f1), "%s", test_shared_or_skip(F1));
	snprintf(f2, sizeof(f2), "%s", test_shared_or_skip(F2));
	files[0] = f2;		/* any order */
	files[1] = f1;
	run_engine(files, 2, &eng, SIG_BY_ASN | SIG_BY_COUNTRY, NULL);
	assert_true(eng.n > 1000);
	b = calloc(1, sizeof(*b));
	assert_non_null(b);
	b->o24 = malloc(N24 * sizeof(*b->o24));
	assert_non_null(b->o24);
	brute_file(b, f1, &eng, &bin, &nbins);
	brute_file(b, f2, &eng, &bin, &nbins);
	brute_bin(b, &eng, bin);
	nbins++;
	assert_int_equal(nbins, 2);
	/* The engine emitted exactly these two bins. */
	for (size_t i = 0; i < eng.n; i++)
		assert_true(eng.p[i].t == 1609476900 ||
		    eng.p[i].t == 1609477200);
	for (size_t i = 0; i < b->npeer; i++)
		free(b->peer[i].r);
	free(b->o24);
	free(b);
	free(eng.p);
}

/* Real countries: no country above its address space; the per-bin sum
 * is below the IPv4 /24 space. */
static int
add_units(struct geo *g, const char *cc, uint64_t *out)
{
	struct net_prefix *nets = NULL;
	size_t n = 0;
	int rc = geo_country_networks(g, cc, NET_AF4, &nets, &n);

	*out = 0;
	for (size_t i = 0; i < n; i++)
		*out += net_prefix_units(&nets[i]);
	free(nets);
	return rc;
}

static void
test_country_invariants(void **state)
{
	const char *files[2];
	char f1[4096], f2[4096];
	struct pts eng = { 0 };
	struct geo *g = NULL;
	uint64_t sum[2] = { 0, 0 };
	size_t checked = 0;

	(void)state;
	snprintf(f1, sizeof(f1), "%s", test_shared_or_skip(F1));
	snprintf(f2, sizeof(f2), "%s", test_shared_or_skip(F2));
	if (geo_open(NULL, &g) != 0) {
		geo_free(g);
		test_skip("no location database");
	}
	files[0] = f1;
	files[1] = f2;
	run_engine(files, 2, &eng, SIG_BY_COUNTRY, g);
	for (size_t i = 0; i < eng.n; i++) {
		uint64_t space;

		assert_int_equal(strncmp(eng.p[i].ent, "country:", 8), 0);
		sum[eng.p[i].t == 1609477200] += eng.p[i].v;
		assert_int_equal(add_units(g, eng.p[i].ent + 8, &space), 0);
		if (eng.p[i].v > space)
			fail_msg("%s: %llu /24s visible, %llu in the country",
			    eng.p[i].ent, (unsigned long long)eng.p[i].v,
			    (unsigned long long)space);
		checked++;
	}
	assert_true(checked > 20);
	assert_true(sum[0] > 0 && sum[0] < N24);
	assert_true(sum[1] > 0 && sum[1] < N24);
	geo_free(g);
	free(eng.p);
}

/* A RIB dump and an update file of 2002 (RIS rrc00, TABLE_DUMP v1 and
 * BGP4MP): the order the files are given in does not matter, every bin
 * from the first to the last record is emitted, and the RIB (36 peers,
 * 115k routes) makes more /24s visible than the updates alone. */
static void
test_rib_and_updates_order(void **state)
{
	const char *bview = test_shared_or_skip(
	    "mrt/ripe-bgpdump/bview.20020722.2337.gz");
	char b[4096], u[4096];
	const char *fwd[2], *rev[2], *upd[1];
	struct pts x = { 0 }, y = { 0 }, z = { 0 };
	uint64_t rib_sum = 0, upd_sum = 0;
	int64_t last = 0;

	(void)state;
	snprintf(b, sizeof(b), "%s", bview);
	snprintf(u, sizeof(u), "%s", test_shared_or_skip(
	    "mrt/ripe-bgpdump/updates.20020722.2238.gz"));
	fwd[0] = b;
	fwd[1] = u;
	rev[0] = u;
	rev[1] = b;
	upd[0] = u;
	run_engine(fwd, 2, &x, SIG_BY_ASN, NULL);
	run_engine(rev, 2, &y, SIG_BY_ASN, NULL);
	assert_int_equal(x.n, y.n);
	for (size_t i = 0; i < x.n; i++) {
		assert_int_equal(x.p[i].t, y.p[i].t);
		assert_string_equal(x.p[i].ent, y.p[i].ent);
		assert_int_equal(x.p[i].v, y.p[i].v);
		if (x.p[i].t > last)
			last = x.p[i].t;
	}
	/* Bins are consecutive from 22:35 to the RIB's last record. */
	assert_int_equal(x.p[0].t, 1027377300);
	assert_true(last >= 1027381020 - 300 && last % 300 == 0);
	run_engine(upd, 1, &z, SIG_BY_ASN, NULL);
	for (size_t i = 0; i < x.n; i++)
		if (x.p[i].t == last)
			rib_sum += x.p[i].v;
	for (size_t i = 0; i < z.n; i++)
		if (z.p[i].t == z.p[z.n - 1].t)
			upd_sum += z.p[i].v;
	assert_true(rib_sum > 10 * upd_sum);
	free(x.p);
	free(y.p);
	free(z.p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crosscheck_bgpdump),
		cmocka_unit_test(test_country_invariants),
		cmocka_unit_test(test_rib_and_updates_order),
	};

	test_shared_or_skip(F1);
	return test_main("sig_real", tests, NULL, NULL);
}
