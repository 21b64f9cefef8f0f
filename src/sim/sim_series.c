/*
 * Ground-truth scenarios for detection: the series BGP cannot carry
 * (active probing, speed tests) as CSV "time,entity,kind,value", the
 * format `lifeline import series` reads, with a ground-truth file that
 * says what happened, where, from when to when, and what a detector
 * should make of it (docs/detection.md has the format).
 *
 * A country is a grid of 4 regions x 4 ASes ("cells"), each a share of
 * its /24s and of its speed tests; the country, region and AS series are
 * sums over the cells, each with its own noise. Every series has a daily
 * rhythm in the country's local time, multiplicative noise, points that
 * are missing, and gaps in which the prober saw nothing at all. Outages
 * multiply the cells they hit by a factor (averaged over the part of a
 * bin they cover: an outage starts where it starts, not on a bin edge).
 * Deterministic: every draw is sim_hash() of the seed and the point.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim/sim.h"
#include "sim/sim_int.h"
#include "util/err.h"
#include "util/time.h"

#define SS_BIN		300		/* probing: a point per 5 minutes */
#define SS_HOUR		3600		/* speed tests: hourly medians */
#define SS_DAY		86400
#define SS_NR		4		/* regions per country */
#define SS_NA		4		/* ASes per country */
#define SS_MAXEV	8
#define SS_MAXCC	3

/* Shares of a country's /24s by region and by AS; the last of each is
 * the one a regional or single-AS outage takes down. */
static const double reg_share[SS_NR] = { 0.46, 0.27, 0.17, 0.10 };
static const double as_share[SS_NA] = { 0.42, 0.28, 0.18, 0.12 };

enum ss_scope { SC_COUNTRY, SC_REGION, SC_AS };
enum ss_what { EV_DOWN, EV_THROTTLE, EV_RAMP };

/* One thing that happens to a country. */
struct ss_ev {
	enum ss_what	what;
	enum ss_scope	scope;
	int		idx;		/* region or AS index */
	int64_t		from, to;	/* to 0: open past the data */
	double		depth;		/* factor on the cells while down */
	int64_t		ramp_at;	/* EV_RAMP: repairs start */
	double		ramp_to;	/*   and reach this at the end */
	int64_t		ramp_step;	/*   in steps this long */
};

struct ss_country {
	const char	*cc;
	const char	*regions[SS_NR];
	int		 tz_min;	/* local time offset, minutes */
	double		 size;		/* responsive /24s in all */
};

/* One scenario: a country or three, a time span, its events. */
struct ss_scen {
	const char	*name;
	const struct ss_country *cc[SS_MAXCC];
	size_t		 ncc;
	int64_t		 from, to;
	struct ss_ev	 ev[SS_MAXEV];
	size_t		 nev;
	const char	*cls;		/* class of its events */
	int		 within;	/* bins allowed to detect */
	uint64_t	 salt;		/* first AS number offset */
};

static const struct ss_country c_sd = { "SD", { "SD-KH", "SD-GZ", "SD-RS",
    "SD-DN" }, 120, 6200 };
static const struct ss_country c_et = { "ET", { "ET-AA", "ET-OR", "ET-AM",
    "ET-TI" }, 180, 3100 };
static const struct ss_country c_pk = { "PK", { "PK-PB", "PK-SD", "PK-KP",
    "PK-IS" }, 300, 21000 };
static const struct ss_country c_ir = { "IR", { "IR-23", "IR-04", "IR-09",
    "IR-13" }, 210, 38000 };
static const struct ss_country c_ps = { "PS", { "PS-GZA", "PS-HBN",
    "PS-NBS", "PS-RBH" }, 120, 1500 };
static const struct ss_country c_iq = { "IQ", { "IQ-BG", "IQ-BA", "IQ-NI",
    "IQ-AR" }, 180, 9000 };
static const struct ss_country c_nl = { "NL", { "NL-NH", "NL-ZH", "NL-UT",
    "NL-GR" }, 60, 52000 };
static const struct ss_country c_ke = { "KE", { "KE-30", "KE-01", "KE-17",
    "KE-24" }, 180, 4800 };
static const struct ss_country c_br = { "BR", { "BR-SP", "BR-RJ", "BR-MG",
    "BR-BA" }, -180, 120000 };

const char *const sim_scenarios[] = {
	"nationwide", "regional", "single-as", "throttling", "continuous",
	"exam", "quiet", NULL,
};

/* A uniform draw in [0, 1) from the seed and three coordinates. */
static double
unif(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
	return (double)(sim_hash(seed ^ c, a, b) >> 11) * 0x1p-53;
}

/* A standard normal draw (Box-Muller). */
static double
gauss(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
	double u = unif(seed, a, b, c * 2 + 1), v = unif(seed, a, b, c * 2 + 2);

	if (u < 1e-300)
		u = 1e-300;
	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* The share of [t, t + len) that [from, to) covers (to 0: open). */
static double
cover(int64_t t, int64_t len, int64_t from, int64_t to)
{
	int64_t a = t > from ? t : from, b = t + len;

	if (to != 0 && to < b)
		b = to;
	return b > a ? (double)(b - a) / (double)len : 0;
}

static bool
ev_hits(const struct ss_ev *e, int r, int a)
{
	return e->scope == SC_COUNTRY || (e->scope == SC_REGION &&
	    e->idx == r) || (e->scope == SC_AS && e->idx == a);
}

/* The factor of an EV_RAMP at t: depth, then repairs in steps up to
 * ramp_to at the end of the data. */
static double
ramp_level(const struct ss_ev *e, int64_t t, int64_t end)
{
	double k;

	if (t < e->ramp_at || end <= e->ramp_at)
		return e->depth;
	k = (double)((t - e->ramp_at) / e->ramp_step + 1) * (double)e->ramp_step
	    / (double)(end - e->ramp_at);
	if (k > 1)
		k = 1;
	return e->depth + (e->ramp_to - e->depth) * k;
}

/* The factor outages put on cell (r, a) over [t, t + len): reachability
 * (EV_DOWN, EV_RAMP) when thr is false, throughput when true. */
static double
cell_factor(const struct ss_scen *s, int r, int a, int64_t t, int64_t len,
    bool thr)
{
	double f = 1, c, lv;
	size_t i;

	for (i = 0; i < s->nev; i++) {
		const struct ss_ev *e = &s->ev[i];

		if (!ev_hits(e, r, a) || (e->what == EV_THROTTLE) != thr)
			continue;
		if ((c = cover(t, len, e->from, e->to)) <= 0)
			continue;
		lv = e->what == EV_RAMP ? ramp_level(e, t, s->to) : e->depth;
		f *= 1 - c * (1 - lv);
	}
	return f;
}

/* The daily rhythm of probing at t in local time: responsive /24s peak
 * in the afternoon, 10% above and below the mean. */
static double
diurnal(const struct ss_country *cc, int64_t t, double amp, double peak)
{
	double h = (double)((t + cc->tz_min * 60) % SS_DAY) / 3600.0;

	return 1 + amp * cos(2 * M_PI * (h - peak) / 24);
}

/* True when the prober saw nothing at t: a gap of 1-3 hours about
 * every fourth day, shared by every series of the scenario. */
static bool
in_gap(uint64_t seed, const struct ss_scen *s, int64_t t)
{
	int64_t day = (t - s->from) / SS_DAY, at, len;
	int64_t d;

	for (d = day - 1; d <= day; d++) {
		if (d < 0 || unif(seed, (uint64_t)d, 77, s->salt) >= 0.25)
			continue;
		at = s->from + d * SS_DAY + (int64_t)(unif(seed, (uint64_t)d,
		    78, s->salt) * SS_DAY);
		len = 3600 + (int64_t)(unif(seed, (uint64_t)d, 79, s->salt) *
		    7200);
		if (t >= at && t < at + len)
			return true;
	}
	return false;
}

/* The sum over the cells of region r and AS a (-1: all) of their share
 * times their factor; *share gets the shares alone. */
static double
ent_sum(const struct ss_scen *s, int r, int a, int64_t t, int64_t len,
    bool thr, double *share)
{
	double sum = 0, w;
	int i, j;

	*share = 0;
	for (i = 0; i < SS_NR; i++)
		for (j = 0; j < SS_NA; j++) {
			if ((r >= 0 && i != r) || (a >= 0 && j != a))
				continue;
			w = reg_share[i] * as_share[j];
			*share += w;
			sum += w * cell_factor(s, i, j, t, len, thr);
		}
	return sum;
}

/* Writing one scenario. */
struct ss_out {
	FILE		*f;
	uint64_t	 seed;
	const struct ss_scen *s;
	struct sim_series_stats *st;
};

static void
ent_name(const struct ss_scen *s, size_t ci, int r, int a, char *buf,
    size_t len)
{
	const struct ss_country *cc = s->cc[ci];

	if (r >= 0)
		snprintf(buf, len, "region:%s", cc->regions[r]);
	else if (a >= 0)
		snprintf(buf, len, "asn:%u", (unsigned)(64512 + s->salt * 16 +
		    ci * SS_NA + (size_t)a));
	else
		snprintf(buf, len, "country:%s", cc->cc);
}

/* The probing point of one entity at t (active /24s), or none. */
static void
probe_point(struct ss_out *w, size_t ci, int r, int a, uint64_t key,
    int64_t t, const char *iso)
{
	const struct ss_country *cc = w->s->cc[ci];
	double share, v, sigma;
	char ent[48];

	if (unif(w->seed, key, (uint64_t)t, 1) < 0.005) {
		w->st->missing++;
		return;
	}
	v = ent_sum(w->s, r, a, t, SS_BIN, false, &share);
	sigma = 0.015 / sqrt(share);
	v *= cc->size * diurnal(cc, t, 0.10, 14) *
	    (1 + sigma * gauss(w->seed, key, (uint64_t)t, 2));
	/* now and then a shallow dip of one round (a prober hiccup) */
	if (unif(w->seed, key, (uint64_t)t, 3) < 1.0 / 3000)
		v *= 0.75 + 0.15 * unif(w->seed, key, (uint64_t)t, 4);
	ent_name(w->s, ci, r, a, ent, sizeof(ent));
	fprintf(w->f, "%s,%s,probe,%.0f\n", iso, ent, v < 0 ? 0 : v);
	w->st->points++;
}

/* The speed-test points of one entity (country or AS) for the hour at
 * t: tests, their median download and lowest RTT; none when fewer than
 * 5 tests ran (a shutdown leaves none). */
static void
ndt_point(struct ss_out *w, size_t ci, int a, uint64_t key, int64_t t,
    const char *iso)
{
	const struct ss_country *cc = w->s->cc[ci];
	double share, reach, thr, n, down, rtt;
	char ent[48];

	reach = ent_sum(w->s, -1, a, t, SS_HOUR, false, &share) / share;
	thr = ent_sum(w->s, -1, a, t, SS_HOUR, true, &share) / share;
	n = 150 * share * diurnal(cc, t, 0.6, 20) * reach *
	    (1 + 0.2 * gauss(w->seed, key, (uint64_t)t, 5));
	if (n < 5 || unif(w->seed, key, (uint64_t)t, 6) < 0.01) {
		w->st->missing++;
		return;
	}
	n = floor(n);
	/* evening congestion: slower and later at 21:00 local */
	down = 22 * (2 - diurnal(cc, t, 0.15, 21)) * thr *
	    (1 + 0.35 / sqrt(n) * gauss(w->seed, key, (uint64_t)t, 7));
	rtt = 38 * diurnal(cc, t, 0.10, 21) * (1 + (1 - thr) * 1.6) *
	    (1 + 0.15 / sqrt(n) * fabs(gauss(w->seed, key, (uint64_t)t, 8)));
	ent_name(w->s, ci, -1, a, ent, sizeof(ent));
	fprintf(w->f, "%s,%s,ndt.down,%.2f\n%s,%s,ndt.rtt,%.1f\n"
	    "%s,%s,ndt.down.tests,%.0f\n", iso, ent, down, iso, ent, rtt, iso,
	    ent, n);
	w->st->points += 3;
}

/* Every point of the scenario at bin t. */
static void
bin_points(struct ss_out *w, int64_t t)
{
	char iso[LL_ISO8601_LEN];
	uint64_t key;
	size_t ci;
	int i;

	if (in_gap(w->seed, w->s, t)) {
		w->st->missing += w->s->ncc * (1 + SS_NR + SS_NA);
		return;
	}
	ll_time_fmt(t, iso, sizeof(iso));
	for (ci = 0; ci < w->s->ncc; ci++) {
		key = (w->s->salt * SS_MAXCC + ci) * 16;
		probe_point(w, ci, -1, -1, key, t, iso);
		for (i = 0; i < SS_NR; i++)
			probe_point(w, ci, i, -1, key + 1 + (uint64_t)i, t,
			    iso);
		for (i = 0; i < SS_NA; i++)
			probe_point(w, ci, -1, i, key + 8 + (uint64_t)i, t,
			    iso);
		if (t % SS_HOUR != 0)
			continue;
		ndt_point(w, ci, -1, key, t, iso);
		for (i = 0; i < SS_NA; i++)
			ndt_point(w, ci, i, key + 8 + (uint64_t)i, t, iso);
	}
}

static void
ev_add(struct ss_scen *s, enum ss_what what, enum ss_scope scope, int idx,
    int64_t from, int64_t len, double depth)
{
	struct ss_ev *e = &s->ev[s->nev++];

	memset(e, 0, sizeof(*e));
	e->what = what;
	e->scope = scope;
	e->idx = idx;
	e->from = from;
	e->to = len > 0 ? from + len : 0;
	e->depth = depth;
}

/* The continuous shutdown: 60 days (short: 12) from its onset, at 4%
 * of normal, repairs from day 14 (short: 4) in weekly (daily) steps up
 * to 65% at the end of the data. */
static void
setup_continuous(struct ss_scen *s, int64_t on, bool shrt)
{
	int64_t days = shrt ? 12 : 60;

	s->cc[s->ncc++] = &c_ps;
	ev_add(s, EV_RAMP, SC_COUNTRY, 0, on, 0, 0.04);
	s->ev[0].ramp_at = on + (shrt ? 4 : 14) * SS_DAY;
	s->ev[0].ramp_to = 0.65;
	s->ev[0].ramp_step = (shrt ? 1 : 7) * SS_DAY;
	s->to = on + days * SS_DAY;
	s->to += SS_BIN - s->to % SS_BIN;
	s->cls = "nationwide infrastructure damage";
}

/* Fills s for scenario name (index si) of o. False: no such name. */
static bool
setup(struct ss_scen *s, const struct sim_series_opts *o, size_t si)
{
	int64_t lead = (o->shrt ? 2 : 8) * SS_DAY, d0 = o->start + lead;
	const char *n = sim_scenarios[si];
	int i;

	memset(s, 0, sizeof(*s));
	s->name = n;
	s->salt = si;
	s->from = o->start;
	s->to = d0 + 2 * SS_DAY;
	s->within = 2;
	s->cls = "";
	if (strcmp(n, "nationwide") == 0) {
		s->cc[s->ncc++] = &c_sd;
		ev_add(s, EV_DOWN, SC_COUNTRY, 0, d0 + 10 * 3600 + 27 * 60,
		    6 * 3600 + 600, 0.05);
		s->cls = "nationwide shutdown";
	} else if (strcmp(n, "regional") == 0) {
		s->cc[s->ncc++] = &c_et;
		ev_add(s, EV_DOWN, SC_REGION, SS_NR - 1, d0 + 13 * 3600 +
		    41 * 60, 5 * 3600, 0.03);
		s->cls = "regional shutdown";
	} else if (strcmp(n, "single-as") == 0) {
		s->cc[s->ncc++] = &c_pk;
		ev_add(s, EV_DOWN, SC_AS, SS_NA - 1, d0 + 7 * 3600 + 52 * 60,
		    4 * 3600, 0.02);
		s->cls = "network-specific shutdown";
	} else if (strcmp(n, "throttling") == 0) {
		s->cc[s->ncc++] = &c_ir;
		ev_add(s, EV_THROTTLE, SC_COUNTRY, 0, d0 + 16 * 3600,
		    (o->shrt ? 1 : 2) * SS_DAY, 0.5);
		s->to = d0 + (o->shrt ? 2 : 3) * SS_DAY;
		s->cls = "nationwide throttling";
		s->within = SS_HOUR * 2 / SS_BIN;
	} else if (strcmp(n, "continuous") == 0)
		setup_continuous(s, d0 + 9 * 3600 + 13 * 60, o->shrt);
	else if (strcmp(n, "exam") == 0) {
		s->cc[s->ncc++] = &c_iq;
		for (i = 0; i < (o->shrt ? 3 : 5); i++)
			ev_add(s, EV_DOWN, SC_COUNTRY, 0, d0 + i * SS_DAY +
			    3 * 3600, 2 * 3600, 0.08);
		s->to = d0 + (i + 1) * SS_DAY;
		s->cls = "nationwide shutdown";
	} else if (strcmp(n, "quiet") == 0) {
		s->cc[s->ncc++] = &c_nl;
		if (!o->shrt) {
			s->cc[s->ncc++] = &c_ke;
			s->cc[s->ncc++] = &c_br;
		}
		s->to = o->start + (o->shrt ? 5 : 30) * SS_DAY;
	} else
		return false;
	return true;
}

/* The entity an event is about. */
static void
ev_entity(const struct ss_scen *s, const struct ss_ev *e, char *buf,
    size_t len)
{
	ent_name(s, 0, e->scope == SC_REGION ? e->idx : -1,
	    e->scope == SC_AS ? e->idx : -1, buf, len);
}

static void
truth_scenario(FILE *f, const struct ss_scen *s)
{
	char a[LL_ISO8601_LEN], b[LL_ISO8601_LEN], ent[48];
	size_t ci;
	int r, k;

	fprintf(f, "{\"record\":\"scenario\",\"scenario\":\"%s\","
	    "\"series\":\"%s.csv\",\"from\":\"%s\",\"to\":\"%s\","
	    "\"bin\":%d,\"entities\":[", s->name, s->name,
	    ll_time_fmt(s->from, a, sizeof(a)), ll_time_fmt(s->to, b,
	    sizeof(b)), SS_BIN);
	for (ci = 0; ci < s->ncc; ci++)
		for (k = 0; k < 1 + SS_NR + SS_NA; k++) {
			r = k - 1;
			ent_name(s, ci, k >= 1 && k <= SS_NR ? r : -1,
			    k > SS_NR ? k - 1 - SS_NR : -1, ent, sizeof(ent));
			fprintf(f, "%s\"%s\"", ci + (size_t)k > 0 ? "," : "",
			    ent);
		}
	fprintf(f, "],\"events\":%zu}\n", s->nev);
}

static void
truth_event(FILE *f, const struct ss_scen *s, size_t i)
{
	const struct ss_ev *e = &s->ev[i];
	char a[LL_ISO8601_LEN], b[LL_ISO8601_LEN + 2], c[LL_ISO8601_LEN];
	char ent[48];
	bool thr = e->what == EV_THROTTLE, camp = s->nev > 1;

	ev_entity(s, e, ent, sizeof(ent));
	ll_time_fmt(e->from, a, sizeof(a));
	if (e->to != 0)
		snprintf(b, sizeof(b), "\"%s\"", ll_time_fmt(e->to, c,
		    sizeof(c)));
	else
		snprintf(b, sizeof(b), "null");
	fprintf(f, "{\"record\":\"event\",\"scenario\":\"%s\",\"id\":"
	    "\"%s-%zu\",\"class\":\"%s\",\"entity\":\"%s\",\"start\":"
	    "\"%s\",\"end\":%s,\"signals\":[%s],\"reachability\":\"%s\","
	    "\"detect_within_bins\":%d,\"campaign\":%s%s%s,"
	    "\"restored_percent_at_end\":", s->name, s->name, i + 1, s->cls,
	    ent, a, b, thr ? "\"ndt.down\",\"ndt.rtt\"" : "\"probe\"",
	    thr ? "intact" : "lost", s->within, camp ? "\"" : "",
	    camp ? s->name : "null", camp ? "\"" : "");
	if (e->what == EV_RAMP)
		fprintf(f, "%.0f}\n", 100 * ramp_level(e, s->to - SS_BIN,
		    s->to));
	else
		fprintf(f, "null}\n");
}

/* Writes scenario si's series and its ground truth to tf. */
static int
run_one(const struct sim_series_opts *o, size_t si, FILE *tf,
    struct sim_series_stats *st)
{
	struct ss_scen s;
	struct ss_out w = { NULL, o->seed, &s, st };
	int64_t t;
	size_t i;

	if (!setup(&s, o, si))
		return LL_EINVAL;
	if ((size_t)snprintf(st->errpath, sizeof(st->errpath), "%s/%s.csv",
	    o->outdir, s.name) >= sizeof(st->errpath))
		return LL_EINVAL;
	if ((w.f = fopen(st->errpath, "w")) == NULL)
		return LL_EIO;
	fprintf(w.f, "time,entity,kind,value\n");
	for (t = s.from; t < s.to; t += SS_BIN)
		bin_points(&w, t);
	if (fclose(w.f) != 0)
		return LL_EIO;
	truth_scenario(tf, &s);
	for (i = 0; i < s.nev; i++)
		truth_event(tf, &s, i);
	st->scenarios++;
	st->events += s.nev;
	return 0;
}

int
sim_series_run(const struct sim_series_opts *o, struct sim_series_stats *st)
{
	FILE *tf;
	size_t i;
	bool all;
	int rc = LL_EINVAL;

	memset(st, 0, sizeof(*st));
	if (o == NULL || o->outdir == NULL || o->scenario == NULL ||
	    o->start < 0 || o->start % SS_BIN != 0)
		return LL_EINVAL;
	all = strcmp(o->scenario, "all") == 0;
	for (i = 0; !all && sim_scenarios[i] != NULL &&
	    strcmp(o->scenario, sim_scenarios[i]) != 0; i++)
		;
	if (!all && sim_scenarios[i] == NULL)
		return LL_EINVAL;
	if ((size_t)snprintf(st->errpath, sizeof(st->errpath),
	    "%s/truth.jsonl", o->outdir) >= sizeof(st->errpath))
		return LL_EINVAL;
	if ((tf = fopen(st->errpath, "w")) == NULL)
		return LL_EIO;
	for (i = 0; sim_scenarios[i] != NULL; i++) {
		if (!all && strcmp(o->scenario, sim_scenarios[i]) != 0)
			continue;
		if ((rc = run_one(o, i, tf, st)) != 0)
			break;
	}
	if (fclose(tf) != 0 && rc == 0) {
		snprintf(st->errpath, sizeof(st->errpath), "%s/truth.jsonl",
		    o->outdir);
		rc = LL_EIO;
	}
	if (rc == 0)
		st->errpath[0] = '\0';
	return rc;
}

int
sim_mrt_truth(const struct sim_opts *o, struct sim_stats *st)
{
	char ent[48], name[48], a[LL_ISO8601_LEN], b[LL_ISO8601_LEN];
	char c[LL_ISO8601_LEN], e[LL_ISO8601_LEN];
	FILE *f;

	if (o == NULL || o->outdir == NULL || (o->cc == NULL && o->asn == 0))
		return LL_EINVAL;
	if (o->asn != 0) {
		snprintf(ent, sizeof(ent), "asn:%u", (unsigned)o->asn);
		snprintf(name, sizeof(name), "bgp-as%u", (unsigned)o->asn);
	} else {
		snprintf(ent, sizeof(ent), "country:%s", o->cc);
		snprintf(name, sizeof(name), "bgp-%s", o->cc);
	}
	if ((size_t)snprintf(st->errpath, sizeof(st->errpath),
	    "%s/truth.jsonl", o->outdir) >= sizeof(st->errpath))
		return LL_EINVAL;
	if ((f = fopen(st->errpath, "w")) == NULL)
		return LL_EIO;
	fprintf(f, "{\"record\":\"scenario\",\"scenario\":\"%s\",\"series\":"
	    "null,\"from\":\"%s\",\"to\":\"%s\",\"bin\":%d,\"entities\":"
	    "[\"%s\"],\"events\":1}\n", name, ll_time_fmt(o->start, a,
	    sizeof(a)), ll_time_fmt(o->start + o->duration, b, sizeof(b)),
	    SS_BIN, ent);
	fprintf(f, "{\"record\":\"event\",\"scenario\":\"%s\",\"id\":"
	    "\"%s-1\",\"class\":\"%s\",\"entity\":\"%s\",\"start\":\"%s\","
	    "\"end\":\"%s\",\"signals\":[\"bgp\"],\"reachability\":\"lost\","
	    "\"detect_within_bins\":2,\"campaign\":null,"
	    "\"restored_percent_at_end\":null}\n", name, name, o->asn != 0 ?
	    "network-specific shutdown" : "nationwide shutdown", ent,
	    ll_time_fmt(o->outage_from, c, sizeof(c)),
	    ll_time_fmt(o->outage_to, e, sizeof(e)));
	if (fclose(f) != 0)
		return LL_EIO;
	st->errpath[0] = '\0';
	return 0;
}
