/*
 * A store for the detection benchmark (bench/detect-speed.sh): 5-minute
 * BGP visibility series ("bgp", visible /24s) for ENTITIES entities
 * (countries, their regions, ASes) and a collector's health series,
 * written through the store API one series after another, so that each
 * 6-hour chunk is written once, as an ingest leaves it.
 *
 * The series are steady counts with a small diurnal ripple, flaps of a
 * /24 that comes back the next bin, rare lasting steps, and
 * outages: nationwide shutdowns (a country and its regions together),
 * regional ones, single ASes, one of three days; the collector loses
 * peers for half an hour once, and every series drops with it. Every value is a function of (entity, bin)
 * and a fixed seed, so a run that appends bins gives the same points a
 * longer first run would have.
 *
 * Usage: bench_detect_gen PATH [ENTITIES [DAYS [FROM_BIN [BINS]]]]
 * writes bins [FROM_BIN, FROM_BIN + BINS) (default: all of DAYS days,
 * 20000 entities, 30 days) of every series into the SQLite store PATH
 * (created when missing). Prints the points written.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/store.h"

#define T0		1790812800	/* 2026-10-01T00:00:00Z */
#define BIN		300
#define NREGION		10		/* regions per country */
#define TX_SERIES	500		/* series per transaction */
#define DIP		(12 * 288 + 100)	/* the collector's bad */
#define DIP_BINS	6			/*   half hour, day 12 */

struct outage {
	int		 ent;		/* entity index (a country: also its
					   regions) */
	int64_t		 from, to;	/* bins */
	double		 factor;	/* share of the /24s left */
};

struct gen {
	int		 nent, ncc;
	int64_t		 bins, from, to;
	struct outage	*out;
	int		 nout;
	struct store_point *pts;
	uint64_t	 written;
};

static uint64_t
mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double
unif(uint64_t *s)
{
	return (double)(mix(s) >> 11) / 9007199254740992.0;
}

/* Entity i: countries first, then NREGION regions each, then ASes. */
static void
ent_name(const struct gen *g, int i, char *buf, size_t len)
{
	if (i < g->ncc)
		snprintf(buf, len, "country:%c%c", 'A' + i / 26, 'A' + i % 26);
	else if (i < g->ncc * (1 + NREGION)) {
		int cc = (i - g->ncc) / NREGION, r = (i - g->ncc) % NREGION;

		snprintf(buf, len, "region:%c%c-%02d", 'A' + cc / 26,
		    'A' + cc % 26, r + 1);
	} else
		snprintf(buf, len, "asn:%d", 64512 + i);
}

/* The country an entity belongs to (-1: an AS). */
static int
ent_cc(const struct gen *g, int i)
{
	if (i < g->ncc)
		return i;
	if (i < g->ncc * (1 + NREGION))
		return (i - g->ncc) / NREGION;
	return -1;
}

static void
add_outage(struct gen *g, uint64_t *s, int ent, int64_t minlen,
    int64_t maxlen)
{
	struct outage *o = &g->out[g->nout++];
	int64_t len = minlen + (int64_t)(unif(s) * (double)(maxlen - minlen));

	o->ent = ent;
	o->from = 288 + (int64_t)(unif(s) * (double)(g->bins - 288 - len));
	o->to = o->from + len;
	o->factor = unif(s) < 0.5 ? 0.02 * unif(s) : 0.5 * unif(s);
}

/* About 1% of the series go down once in the month. */
static int
plan_outages(struct gen *g)
{
	uint64_t s = 42;
	int nasn = g->nent - g->ncc * (1 + NREGION), i;

	if ((g->out = calloc((size_t)g->nent / 50 + 64, sizeof(*g->out))) ==
	    NULL)
		return -1;
	for (i = 0; i < g->ncc / 20 + 1; i++)	/* nationwide */
		add_outage(g, &s, (int)(unif(&s) * g->ncc), 6, 144);
	for (i = 0; i < g->ncc / 30 + 1; i++)	/* regional */
		add_outage(g, &s, g->ncc + (int)(unif(&s) * g->ncc * NREGION),
		    6, 72);
	for (i = 0; nasn > 0 && i < nasn / 100; i++)	/* single ASes */
		add_outage(g, &s, g->nent - nasn + (int)(unif(&s) * nasn), 2,
		    48);
	if (g->bins > 2 * 864)	/* infrastructure: three days */
		add_outage(g, &s, g->nent - 1, 864, 865);
	return 0;
}

/* Entity i's outages into mine (room for max); returns how many. */
static int
my_outages(const struct gen *g, int i, struct outage *mine, int max)
{
	int k, n = 0, cc = ent_cc(g, i);

	for (k = 0; k < g->nout && n < max; k++)
		if (g->out[k].ent == i ||
		    (g->out[k].ent < g->ncc && g->out[k].ent == cc))
			mine[n++] = g->out[k];
	return n;
}

/* The share of /24s left in bin b by the outages. */
static double
outage_factor(const struct outage *o, int n, int64_t b)
{
	double f = 1;

	for (; n > 0; n--, o++)
		if (b >= o->from && b < o->to && o->factor < f)
			f = o->factor;
	return f;
}

/* One entity's series over all bins; writes those in [from, to). */
static int
gen_entity(struct store *s, struct gen *g, int i)
{
	uint64_t rs = 0x5eed0000ULL + (uint64_t)i;
	double lo = i < g->ncc ? 500 : ent_cc(g, i) >= 0 ? 50 : 1;
	double span = i < g->ncc ? 400 : ent_cc(g, i) >= 0 ? 400 : 5000;
	double level = lo * pow(span, unif(&rs)), phase = unif(&rs);
	double ripple = level < 500 ? 0 : 0.001 + 0.004 * unif(&rs);
	struct outage mine[64];
	int nmine = my_outages(g, i, mine, 64);
	char name[64];
	size_t n = 0;
	int64_t b;

	ent_name(g, i, name, sizeof(name));
	for (b = 0; b < g->to; b++) {
		double u = unif(&rs), v;

		if (u < 1.0 / 20000)	/* a lasting step, up or down */
			level *= 1 + (unif(&rs) - 0.5) * 0.06;
		v = level * (1 + ripple * sin(2 * M_PI * ((double)b / 288 +
		    phase)));
		v = floor(v * outage_factor(mine, nmine, b) *
		    (b >= DIP && b < DIP + DIP_BINS ? 0.7 : 1) + 0.5);
		if (u > 0.97 && v >= 200)	/* a /24 flaps */
			v -= 1;
		if (b < g->from)
			continue;
		g->pts[n].entity = name;
		g->pts[n].time = T0 + b * BIN;
		g->pts[n++].value = v;
	}
	g->written += n;
	return n > 0 ? store_points_put(s, "bgp", "bench", g->pts, n) : 0;
}

/* The collector's health: 30 peers, 20 full-feed in 15 ASes; half an
 * hour with a third of them on day 12, when every series sees 30% less. */
static int
gen_health(struct store *s, struct gen *g)
{
	static const char *const kinds[] = { "bgp.peers", "bgp.ff_peers",
	    "bgp.ff_asns" };
	static const double base[] = { 30, 20, 15 };
	int64_t b;
	size_t k, n;
	int rc;

	for (k = 0; k < 3; k++) {
		n = 0;
		for (b = g->from; b < g->to; b++) {
			g->pts[n].entity = "collector:rrc00";
			g->pts[n].time = T0 + b * BIN;
			g->pts[n++].value = b >= DIP && b < DIP + DIP_BINS ?
			    base[k] / 3 : base[k];
		}
		if (n > 0 && (rc = store_points_put(s, kinds[k], "bench",
		    g->pts, n)) != 0)
			return rc;
		g->written += n;
	}
	return 0;
}

static int
gen_all(struct store *s, struct gen *g)
{
	int i, rc = 0;

	if ((rc = store_tx_begin(s)) != 0 || (rc = gen_health(s, g)) != 0)
		return rc;
	for (i = 0; i < g->nent && rc == 0; i++) {
		if (i > 0 && i % TX_SERIES == 0 &&
		    ((rc = store_tx_commit(s)) != 0 ||
		    (rc = store_tx_begin(s)) != 0))
			break;
		rc = gen_entity(s, g, i);
	}
	if (rc == 0)
		rc = store_tx_commit(s);
	return rc;
}

int
main(int argc, char **argv)
{
	struct gen g = { .nent = argc > 2 ? atoi(argv[2]) : 20000 };
	int days = argc > 3 ? atoi(argv[3]) : 30;
	struct store *s = NULL;
	char err[512];
	int rc;

	g.bins = (int64_t)days * 288;
	g.from = argc > 4 ? atoll(argv[4]) : 0;
	g.to = argc > 5 ? g.from + atoll(argv[5]) : g.bins;
	if (argc < 2 || g.nent < 1 || days < 2 || g.from < 0 ||
	    g.to <= g.from) {
		fprintf(stderr, "usage: %s PATH [ENTITIES [DAYS [FROM_BIN "
		    "[BINS]]]]\n", argv[0]);
		return 2;
	}
	g.ncc = g.nent / 80 < 1 ? 1 : g.nent / 80 > 676 ? 676 : g.nent / 80;
	if (g.ncc * (1 + NREGION) > g.nent)
		g.ncc = g.nent / (1 + NREGION) > 0 ? g.nent / (1 + NREGION) : 0;
	if (plan_outages(&g) != 0 ||
	    (g.pts = calloc((size_t)g.to, sizeof(*g.pts))) == NULL)
		return 3;
	if (store_open(argv[1], STORE_CREATE, &s, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 3;
	}
	if ((rc = gen_all(s, &g)) != 0)
		fprintf(stderr, "%s: %s\n", argv[1], store_errmsg(s));
	else
		printf("%llu points\n", (unsigned long long)g.written);
	store_free(s);
	free(g.pts);
	free(g.out);
	return rc != 0 ? 3 : 0;
}
