/*
 * Detection on crafted stores: IODA parity and the pinned baseline on a
 * shutdown, a long outage that IODA parity forgets and the pinned
 * baseline keeps open, the collector-health guard and coverage gaps,
 * incremental runs equal to one run, incident merging, the lifecycle.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/detect.h"
#include "store/store.h"
#include "testutil.h"
#include "util/err.h"

#define T0	1296129600	/* 2011-01-27T12:00Z */
#define BIN	300

static struct store *
open_db(const char *name)
{
	struct store *s = NULL;
	char err[256];

	assert_int_equal(store_open(test_store_url(name), STORE_CREATE, &s,
	    err, sizeof(err)), 0);
	return s;
}

/* Bins [b0, b1) of (signal, entity) at value v. */
static void
put(struct store *s, const char *signal, const char *entity, int b0, int b1,
    double v)
{
	struct store_point p = { .entity = entity };
	bool mine = !store_tx_active(s);	/* one commit, not one a bin */
	int b;

	if (mine)
		assert_int_equal(store_tx_begin(s), 0);
	for (b = b0; b < b1; b++) {
		p.time = T0 + (int64_t)b * BIN;
		p.value = v;
		assert_int_equal(store_points_put(s, signal, "test", &p, 1), 0);
	}
	if (mine)
		assert_int_equal(store_tx_commit(s), 0);
}

/* Healthy collectors for bins [0, n). */
static void
health(struct store *s, int n)
{
	put(s, "bgp.ff_peers", "collector:all", 0, n, 10);
	put(s, "bgp.ff_asns", "collector:all", 0, n, 8);
}

static int
run(struct store *s, int64_t from, int64_t to, struct detect_stats *st)
{
	struct detect_opts o;

	detect_opts_default(&o);
	o.from = from;
	o.to = to;
	return detect_run(s, &o, NULL, NULL, st);
}

/* A dump of everything detection wrote, for comparisons. */
struct dump {
	char	 buf[1 << 22];
	size_t	 n;
	struct store *s;
};

static void
dprintf_(struct dump *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	d->n += (size_t)vsnprintf(d->buf + d->n, sizeof(d->buf) - d->n, fmt,
	    ap);
	va_end(ap);
	assert_true(d->n < sizeof(d->buf));
}

static int
dump_alert(void *ctx, const struct store_alert *a)
{
	dprintf_(ctx, "A %s %s %s %lld %s %g %g\n", a->detector, a->signal,
	    a->entity, (long long)a->time, a->level, a->value, a->expected);
	return 0;
}

static int
dump_tr(void *ctx, const struct store_transition *t)
{
	dprintf_(ctx, "T %lld %lld %s %s %s\n", (long long)t->incident,
	    (long long)t->time, t->state, t->who, t->note);
	return 0;
}

static int
dump_inc(void *ctx, const struct store_incident *i)
{
	struct dump *d = ctx;

	dprintf_(d, "I %lld %s %s [%s] [%s] %s %lld %lld %.3f %.1f %.1f\n",
	    (long long)i->id, i->cls, i->state, i->scope, i->signals,
	    i->severity, (long long)i->start, (long long)i->end,
	    i->confidence, i->score, i->restored);
	return 0;
}

static int
collect_ids(void *ctx, const struct store_incident *i)
{
	int64_t *ids = ctx;

	ids[++ids[0]] = i->id;
	return 0;
}

static void
dump(struct store *s, struct dump *d)
{
	int64_t ids[64] = { 0 };
	int64_t i;

	d->n = 0;
	assert_int_equal(store_alert_list(s, NULL, INT64_MIN, INT64_MAX,
	    dump_alert, d), 0);
	assert_int_equal(store_incident_list(s, 0, dump_inc, d), 0);
	assert_int_equal(store_incident_list(s, 0, collect_ids, ids), 0);
	for (i = 1; i <= ids[0]; i++)
		assert_int_equal(store_transition_list(s, ids[i], dump_tr, d),
		    0);
}

struct incs {
	struct store_incident i[8];
	char	 scope[8][512], cls[8][64], state[8][32], sev[8][16];
	int	 n;
};

static int
on_inc(void *ctx, const struct store_incident *i)
{
	struct incs *x = ctx;

	assert_true(x->n < 8);
	x->i[x->n] = *i;
	snprintf(x->scope[x->n], 512, "%s", i->scope);
	snprintf(x->cls[x->n], 64, "%s", i->cls);
	snprintf(x->state[x->n], 32, "%s", i->state);
	snprintf(x->sev[x->n], 16, "%s", i->severity);
	x->n++;
	return 0;
}

static void
incidents(struct store *s, struct incs *x)
{
	memset(x, 0, sizeof(*x));
	assert_int_equal(store_incident_list(s, 0, on_inc, x), 0);
}

/* 4 h normal, 1 h down to 2%, back: one nationwide shutdown, from the
 * first bin down to the first bin back. */
static void
test_shutdown(void **state)
{
	struct store *s = open_db("shut.db");
	struct detect_stats st;
	struct incs x;
	static struct dump d;

	(void)state;
	health(s, 96);
	put(s, "bgp", "country:EG", 0, 48, 1000);
	put(s, "bgp", "country:EG", 48, 60, 20);
	put(s, "bgp", "country:EG", 60, 96, 1000);
	assert_int_equal(run(s, 0, 0, &st), 0);
	assert_int_equal(st.opened, 1);
	assert_int_equal(st.restored, 1);
	incidents(s, &x);
	assert_int_equal(x.n, 1);
	assert_string_equal(x.cls[0], "nationwide shutdown");
	assert_string_equal(x.scope[0], "country:EG");
	assert_string_equal(x.state[0], "restored");
	assert_int_equal(x.i[0].start, T0 + 48 * BIN);
	assert_int_equal(x.i[0].end, T0 + 60 * BIN);
	assert_string_equal(x.sev[0], "critical");
	assert_true(x.i[0].confidence > 0.4 && x.i[0].confidence < 0.6);
	/* IODA's alert area: 98% x 60 minutes */
	assert_true(x.i[0].score > 98 * 60 - 1 && x.i[0].score < 98 * 60 + 1);
	dump(s, &d);
	assert_non_null(strstr(d.buf, "A ioda bgp country:EG 1296144000 "
	    "critical 20 1000\n"));
	assert_non_null(strstr(d.buf, "T 1 1296144000 detected system"));
	assert_non_null(strstr(d.buf, "T 1 1296144300 ongoing system"));
	assert_non_null(strstr(d.buf, "T 1 1296147600 restored system"));
	/* a second run over nothing new changes nothing */
	assert_int_equal(run(s, 0, 0, &st), 0);
	assert_int_equal(st.bins, 0);
	store_free(s);
}

/* Two days; EG falls to 5% at 6 h for 30 h, then 60% for 4 h, then back.
 * IODA parity's 24 h median forgets the outage after about half a day;
 * the baseline pinned at the opening keeps the incident open, says
 * "partially restored" at 60%, and restored at the end. */
static void
build_long(struct store *s)
{
	health(s, 576);
	put(s, "bgp", "country:EG", 0, 72, 1000);
	put(s, "bgp", "country:EG", 72, 432, 50);
	put(s, "bgp", "country:EG", 432, 480, 600);
	put(s, "bgp", "country:EG", 480, 576, 1000);
}

static int
last_ioda(void *ctx, const struct store_alert *a)
{
	int64_t *t = ctx;

	if (strcmp(a->detector, "ioda") == 0 &&
	    strcmp(a->level, "critical") == 0)
		*t = a->time;
	return 0;
}

static void
test_long_outage(void **state)
{
	struct store *s = open_db("long.db");
	struct detect_stats st;
	int64_t last = 0;
	struct incs x;

	(void)state;
	build_long(s);
	/* up to the 30th hour of the outage, still in it */
	assert_int_equal(run(s, 0, T0 + 430 * BIN, &st), 0);
	incidents(s, &x);
	assert_int_equal(x.n, 1);
	assert_int_equal(x.i[0].end, 0);
	assert_string_equal(x.state[0], "ongoing");
	assert_true(x.i[0].restored < 10);
	assert_int_equal(store_alert_list(s, "country:EG", 0, INT64_MAX,
	    last_ioda, &last), 0);
	/* IODA parity stopped alerting within 13 h of the onset */
	assert_true(last > T0 + 72 * BIN && last < T0 + 72 * BIN + 13 * 3600);
	/* 60% of the baseline: partially restored; then restored */
	assert_int_equal(run(s, 0, T0 + 440 * BIN, &st), 0);
	incidents(s, &x);
	assert_string_equal(x.state[0], "partially restored");
	assert_true(x.i[0].restored > 59 && x.i[0].restored < 61);
	assert_int_equal(run(s, 0, 0, &st), 0);
	incidents(s, &x);
	assert_int_equal(x.n, 1);
	assert_string_equal(x.state[0], "restored");
	assert_int_equal(x.i[0].start, T0 + 72 * BIN);
	assert_int_equal(x.i[0].end, T0 + 480 * BIN);
	store_free(s);
}

/* The same data in one run, and in three runs: the same store. */
static void
test_incremental(void **state)
{
	struct store *a = open_db("inc-a.db"), *b = open_db("inc-b.db");
	static struct dump da, db;

	(void)state;
	build_long(a);
	build_long(b);
	put(a, "bgp", "asn:8452", 0, 576, 300);
	put(b, "bgp", "asn:8452", 0, 576, 300);
	assert_int_equal(run(a, 0, 0, NULL), 0);
	assert_int_equal(run(b, 0, T0 + 75 * BIN, NULL), 0);
	assert_int_equal(run(b, 0, T0 + 300 * BIN, NULL), 0);
	assert_int_equal(run(b, 0, 0, NULL), 0);
	dump(a, &da);
	dump(b, &db);
	assert_true(da.n > 1000);
	assert_string_equal(da.buf, db.buf);
	store_free(a);
	store_free(b);
}

/* The collectors lose their peers while EG's count falls with them: no
 * alert, no incident, the bins reported as gaps. A stored coverage gap
 * does the same. */
static void
test_guard(void **state)
{
	struct store *s = open_db("guard.db");
	struct store_gap g = { .signal = "bgp", .collector = "rrc00",
	    .reason = "no RIB dump yet" };
	struct detect_stats st;
	struct incs x;

	(void)state;
	put(s, "bgp.ff_peers", "collector:all", 0, 48, 10);
	put(s, "bgp.ff_peers", "collector:all", 48, 60, 2);
	put(s, "bgp.ff_peers", "collector:all", 60, 200, 10);
	put(s, "bgp", "country:EG", 0, 48, 1000);
	put(s, "bgp", "country:EG", 48, 60, 100);
	put(s, "bgp", "country:EG", 60, 100, 1000);
	put(s, "bgp", "country:EG", 100, 110, 100);
	put(s, "bgp", "country:EG", 110, 200, 1000);
	g.from = T0 + 100 * BIN;
	g.to = T0 + 110 * BIN;
	assert_int_equal(store_gap_put(s, &g), 0);
	assert_int_equal(run(s, 0, 0, &st), 0);
	assert_int_equal(st.opened, 0);
	assert_int_equal(st.alerts, 0);
	assert_int_equal(st.gaps, 22);
	incidents(s, &x);
	assert_int_equal(x.n, 0);
	store_free(s);
}

/* Entities that fall together are one incident; another country and a
 * later, unrelated AS are incidents of their own. */
static void
test_merge(void **state)
{
	struct store *s = open_db("merge.db");
	struct incs x;

	(void)state;
	health(s, 120);
	put(s, "bgp", "country:EG", 0, 48, 1000);
	put(s, "bgp", "country:EG", 48, 60, 0);
	put(s, "bgp", "country:EG", 60, 120, 1000);
	put(s, "bgp", "asn:8452", 0, 48, 400);
	put(s, "bgp", "asn:8452", 48, 60, 0);
	put(s, "bgp", "asn:8452", 60, 120, 400);
	put(s, "bgp", "asn:24863", 0, 49, 100);
	put(s, "bgp", "asn:24863", 49, 60, 0);
	put(s, "bgp", "asn:24863", 60, 120, 100);
	put(s, "bgp", "region:EG-C", 0, 48, 500);
	put(s, "bgp", "region:EG-C", 48, 60, 10);
	put(s, "bgp", "region:EG-C", 60, 120, 500);
	put(s, "bgp", "country:TN", 0, 48, 700);
	put(s, "bgp", "country:TN", 48, 52, 0);
	put(s, "bgp", "country:TN", 52, 120, 700);
	put(s, "bgp", "asn:3320", 0, 80, 900);
	put(s, "bgp", "asn:3320", 80, 90, 0);
	put(s, "bgp", "asn:3320", 90, 120, 900);
	assert_int_equal(run(s, 0, 0, NULL), 0);
	incidents(s, &x);
	assert_int_equal(x.n, 3);
	assert_string_equal(x.scope[0], "asn:8452,country:EG,region:EG-C,"
	    "asn:24863");
	assert_string_equal(x.cls[0], "nationwide shutdown");
	assert_int_equal(x.i[0].end, T0 + 60 * BIN);
	assert_string_equal(x.scope[1], "country:TN");
	assert_int_equal(x.i[1].end, T0 + 52 * BIN);
	assert_string_equal(x.scope[2], "asn:3320");
	assert_string_equal(x.cls[2], "network-specific shutdown");
	assert_int_equal(x.i[2].start, T0 + 80 * BIN);
	store_free(s);
}

/* Hours [h0, h1) of (signal, entity) at value v: an hourly series. */
static void
put_hourly(struct store *s, const char *entity, int h0, int h1, double v)
{
	struct store_point p = { .entity = entity, .value = v };
	int h;

	for (h = h0; h < h1; h++) {
		p.time = T0 + (int64_t)h * 3600;
		assert_int_equal(store_points_put(s, "monash.connectivity",
		    "test", &p, 1), 0);
	}
}

/* An hourly series (the Monash index) judged in 5-minute bins: a region
 * falls to 2% at hour 23, its country an hour later, for seven hours.
 * One incident (their onsets are within two of the series' own bins),
 * restored at the first hour back, its score counted in hours: 98% x
 * 7 h = 98 x 420 minutes. */
static void
test_hourly(void **state)
{
	struct store *s = open_db("hourly.db");
	struct incs x;

	(void)state;
	put_hourly(s, "region:EG-C", 0, 23, 500);
	put_hourly(s, "region:EG-C", 23, 30, 10);
	put_hourly(s, "region:EG-C", 30, 40, 500);
	put_hourly(s, "country:EG", 0, 24, 1000);
	put_hourly(s, "country:EG", 24, 30, 20);
	put_hourly(s, "country:EG", 30, 40, 1000);
	assert_int_equal(run(s, 0, 0, NULL), 0);
	incidents(s, &x);
	assert_int_equal(x.n, 1);
	assert_string_equal(x.scope[0], "region:EG-C,country:EG");
	assert_string_equal(x.cls[0], "nationwide shutdown");
	assert_int_equal(x.i[0].start, T0 + 23 * 3600);
	assert_int_equal(x.i[0].end, T0 + 30 * 3600);
	assert_true(x.i[0].score > 98 * 420 - 1 &&
	    x.i[0].score < 98 * 420 + 1);
	store_free(s);
}

/* An analyst verifies an open incident and closes it; a closed incident
 * is never changed again, by a run or by an analyst. */
static void
test_lifecycle(void **state)
{
	struct store *s = open_db("life.db");
	struct incs x;
	static struct dump d;

	(void)state;
	health(s, 96);
	put(s, "bgp", "country:EG", 0, 48, 1000);
	put(s, "bgp", "country:EG", 48, 60, 0);
	put(s, "bgp", "country:EG", 60, 96, 1000);
	assert_int_equal(run(s, 0, T0 + 50 * BIN, NULL), 0);
	assert_int_equal(detect_incident_mark(s, 1, "verified", "analyst:ana",
	    "confirmed by the operator", 1700000000), 0);
	assert_int_equal(detect_incident_mark(s, 2, "verified", "analyst:ana",
	    "x", 1700000000), LL_ENOTFOUND);
	assert_int_equal(run(s, 0, T0 + 62 * BIN, NULL), 0);
	incidents(s, &x);
	assert_string_equal(x.state[0], "verified");
	assert_int_equal(run(s, 0, 0, NULL), 0);
	incidents(s, &x);
	assert_string_equal(x.state[0], "restored");
	assert_int_equal(detect_incident_mark(s, 1, "closed", "analyst:bo", "",
	    1700000100), 0);
	assert_int_equal(detect_incident_mark(s, 1, "closed", "analyst:bo", "",
	    1700000200), LL_EINVAL);
	assert_int_equal(detect_incident_mark(s, 1, "verified", "analyst:bo",
	    "late", 1700000200), LL_EINVAL);
	dump(s, &d);
	assert_non_null(strstr(d.buf,
	    "T 1 1296144000 detected system \n"
	    "T 1 1296144300 ongoing system \n"
	    "T 1 1700000000 verified analyst:ana confirmed by the operator\n"
	    "T 1 1296147600 restored system \n"
	    "T 1 1700000100 closed analyst:bo \n"));
	incidents(s, &x);
	assert_string_equal(x.state[0], "closed");
	assert_int_equal(x.i[0].end, T0 + 60 * BIN);
	store_free(s);
}

/* An analyst's pin measures an entity against it for good. */
static void
test_pin(void **state)
{
	struct store *s = open_db("pin.db");
	double v = 0;
	struct incs x;

	(void)state;
	health(s, 200);
	put(s, "bgp", "country:IR", 0, 20, 1000);
	put(s, "bgp", "country:IR", 20, 200, 400);
	assert_int_equal(detect_baseline_pin(s, "bgp", "country:IR", T0,
	    T0 + 20 * BIN, "analyst:ana", &v), 0);
	assert_true(v == 1000);
	assert_int_equal(detect_baseline_pin(s, "bgp", "country:IR", T0 - 9999,
	    T0 - 1, "analyst:ana", &v), LL_ENOTFOUND);
	assert_int_equal(run(s, 0, 0, NULL), 0);
	incidents(s, &x);
	assert_int_equal(x.n, 1);
	assert_int_equal(x.i[0].start, T0 + 20 * BIN);
	assert_int_equal(x.i[0].end, 0);
	assert_true(x.i[0].restored > 39 && x.i[0].restored < 41);
	store_free(s);
}

struct cnt {
	const char	*det, *level;
	int64_t		 from;
	int		 n;
};

static int
on_count(void *ctx, const struct store_alert *a)
{
	struct cnt *c = ctx;

	c->n += strcmp(a->detector, c->det) == 0 &&
	    strcmp(a->level, c->level) == 0 && a->time >= c->from;
	return 0;
}

/* Alerts of detector and level from time from on. */
static int
count(struct store *s, const char *det, const char *level, int64_t from)
{
	struct cnt c = { det, level, from, 0 };

	assert_int_equal(store_alert_list(s, NULL, INT64_MIN, INT64_MAX,
	    on_count, &c), 0);
	return c.n;
}

/* A store with a probing series with a daily rhythm (1000 +- 300, 1%
 * noise) for 15 days; on the last day, for two hours at its daily peak,
 * it is multiplied by dip. */
static struct store *
rhythm_db_at(const char *name, double dip, int b0, int b1)
{
	struct store *s = open_db(name);
	struct store_point p = { .entity = "country:IR" };
	uint32_t rnd = 1;
	int b;

	assert_int_equal(store_tx_begin(s), 0);
	for (b = 0; b < 15 * 288; b++) {
		double h = (double)(b % 288) / 288;

		rnd = rnd * 1103515245u + 12345u;
		p.time = T0 - 12 * 3600 + (int64_t)b * BIN;
		p.value = (1000 + 300 * sin(2 * M_PI * h)) *
		    (0.99 + 0.02 * (double)(rnd >> 16) / 65536);
		if (b >= 14 * 288 + b0 && b < 14 * 288 + b1)
			p.value *= dip;
		assert_int_equal(store_points_put(s, "probe", "t", &p, 1), 0);
	}
	assert_int_equal(store_tx_commit(s), 0);
	return s;
}

static struct store *
rhythm_db(const char *name, double dip)
{
	return rhythm_db_at(name, dip, 60, 84);
}

/* The rhythm above falls to 60% for two hours at its daily peak.
 * Against the 7-day median (about 1000) IODA parity sees no more than a
 * warning (0.78, as at every night's trough); the hour-of-week profile
 * sees it, and nothing on the quiet days. Seasonal verdicts alone open
 * an incident on their second critical bin in a row. */
static void
test_seasonal(void **state)
{
	struct store *s = rhythm_db("season.db", 0.6);
	struct incs x;
	static struct dump d;

	(void)state;
	assert_int_equal(run(s, 0, 0, NULL), 0);
	incidents(s, &x);
	assert_int_equal(x.n, 1);
	/* seasonal alone: the second critical bin in a row opens it */
	assert_int_equal(x.i[0].start, T0 - 12 * 3600 + (14 * 288 + 61) * BIN);
	assert_int_equal(x.i[0].end, T0 - 12 * 3600 + (14 * 288 + 84) * BIN);
	/* IODA parity: warnings only; the seasonal profile: criticals only
	 * in the two hours */
	assert_int_equal(count(s, "ioda", "critical", 0), 0);
	assert_true(count(s, "ioda", "warning", 0) > 0);
	assert_int_equal(count(s, "seasonal", "critical", 0), 24);
	assert_int_equal(count(s, "seasonal", "critical", T0 - 12 * 3600 +
	    (14 * 288 + 60) * BIN), 24);
	dump(s, &d);
	assert_non_null(strstr(d.buf, "probe:seasonal"));
	store_free(s);
}

/* The rhythm of test_seasonal, but on the last day a dip to 90% for two
 * hours at the peak: unusual (robust z far below -5, the MAD at its 1%
 * floor) but no outage. Seasonal warnings, no critical, no incident. */
static void
test_seasonal_shallow(void **state)
{
	struct store *s = rhythm_db("shallow.db", 0.9);
	struct incs x;

	(void)state;
	assert_int_equal(run(s, 0, 0, NULL), 0);
	incidents(s, &x);
	assert_int_equal(x.n, 0);
	assert_int_equal(count(s, "seasonal", "critical", 0), 0);
	assert_true(count(s, "seasonal", "warning", T0 - 12 * 3600 +
	    (14 * 288 + 60) * BIN) >= 12);
	store_free(s);
}

/* The rhythm of test_seasonal at 75% for one bin at the peak: a
 * seasonal critical (IODA parity sees 0.97 of its median), but one bin
 * alone is a dip; no incident. Two such bins open one. */
static void
test_seasonal_blip(void **state)
{
	struct store *s = rhythm_db_at("blip.db", 0.75, 60, 61);
	struct incs x;

	(void)state;
	assert_int_equal(run(s, 0, 0, NULL), 0);
	incidents(s, &x);
	assert_int_equal(x.n, 0);
	assert_int_equal(count(s, "seasonal", "critical", 0), 1);
	assert_int_equal(count(s, "ioda", "critical", 0), 0);
	store_free(s);
	s = rhythm_db_at("blip2.db", 0.75, 60, 62);
	assert_int_equal(run(s, 0, 0, NULL), 0);
	incidents(s, &x);
	assert_int_equal(x.n, 1);
	assert_int_equal(x.i[0].start, T0 - 12 * 3600 + (14 * 288 + 61) * BIN);
	store_free(s);
}

/* The rhythm of test_seasonal cut to 2% on the last day from bins 173 to
 * 202, in the falling half of the day: the service comes back at about
 * 71% of the day's mean, the night's level. The baseline pinned at the
 * opening is the mean; scaled by the hour's seasonal shape it expects
 * the trough, so the incident is restored at bin 202, not kept
 * "partially restored" until the morning's rise (bin 280). */
static void
test_pinned_rhythm(void **state)
{
	struct store *s = rhythm_db_at("prhythm.db", 0.02, 173, 203);
	struct incs x;

	(void)state;
	assert_int_equal(run(s, 0, 0, NULL), 0);
	incidents(s, &x);
	assert_int_equal(x.n, 1);
	assert_string_equal(x.scope[0], "country:IR");
	assert_int_equal(x.i[0].start, T0 - 12 * 3600 + (14 * 288 + 173) *
	    BIN);
	assert_int_equal(x.i[0].end, T0 - 12 * 3600 + (14 * 288 + 203) * BIN);
	assert_string_equal(x.state[0], "restored");
	store_free(s);
}

/* Egypt cut for two hours at the same time on three days (exam-time
 * shutdowns): three incidents of one campaign; Tunisia's outage at
 * another hour stays on its own. */
static void
test_recurrence(void **state)
{
	struct store *s = open_db("recur.db");
	struct incs x;
	int k;

	(void)state;
	health(s, 4 * 288);
	put(s, "bgp", "country:EG", 0, 4 * 288, 1000);
	put(s, "bgp", "country:TN", 0, 4 * 288, 500);
	for (k = 1; k <= 3; k++)
		put(s, "bgp", "country:EG", k * 288 + 24, k * 288 + 48, 30);
	put(s, "bgp", "country:TN", 2 * 288 + 120, 2 * 288 + 130, 0);
	/* in two runs: the campaign is found across them */
	assert_int_equal(run(s, 0, T0 + 2 * 288 * BIN, NULL), 0);
	assert_int_equal(run(s, 0, 0, NULL), 0);
	incidents(s, &x);
	assert_int_equal(x.n, 4);
	assert_string_equal(x.scope[0], "country:EG");
	assert_int_equal(x.i[0].start, T0 + (288 + 24) * BIN);
	assert_int_equal(x.i[0].campaign, x.i[0].id);
	assert_string_equal(x.scope[1], "country:EG");
	assert_int_equal(x.i[1].campaign, x.i[0].id);
	assert_string_equal(x.scope[2], "country:TN");
	assert_int_equal(x.i[2].campaign, 0);
	assert_string_equal(x.scope[3], "country:EG");
	assert_int_equal(x.i[3].start, T0 + (3 * 288 + 24) * BIN);
	assert_int_equal(x.i[3].campaign, x.i[0].id);
	store_free(s);
}

/* About N(0, sd) noise from a linear congruential generator (the sum of
 * four uniforms), for a value v. */
static double
noisy(uint32_t *rnd, double v, double sd)
{
	double u = 0;
	int i;

	for (i = 0; i < 4; i++) {
		*rnd = *rnd * 1103515245u + 12345u;
		u += (double)(*rnd >> 16) / 65536 - 0.5;
	}
	return v * (1 + sd * u * 1.732);
}

/* Hourly probing of IR for 35 days, noise of 1%: flat, or (decline) from
 * day 14 on falling by 1% of the start a day. */
static void
build_decline(struct store *s, bool decline)
{
	struct store_point p = { .entity = "country:IR" };
	uint32_t rnd = 7;
	int h;

	assert_int_equal(store_tx_begin(s), 0);
	for (h = 0; h < 35 * 24; h++) {
		double v = 1000;

		if (decline && h > 14 * 24)
			v *= 1 - 0.01 * (h - 14 * 24) / 24.0;
		p.time = T0 + (int64_t)h * 3600;
		p.value = noisy(&rnd, v, 0.01);
		assert_int_equal(store_points_put(s, "probe", "t", &p, 1), 0);
	}
	assert_int_equal(store_tx_commit(s), 0);
}

struct first {
	const char	*det;
	int64_t		 t;
	int		 n;
};

static int
on_first(void *ctx, const struct store_alert *a)
{
	struct first *f = ctx;

	if (strcmp(a->detector, f->det) != 0)
		return 0;
	if (f->n++ == 0 || a->time < f->t)
		f->t = a->time;
	return 0;
}

/* The earliest alert of detector det (0: none) and their number. */
static int64_t
first_alert(struct store *s, const char *det, int *n)
{
	struct first f = { det, 0, 0 };

	assert_int_equal(store_alert_list(s, NULL, INT64_MIN, INT64_MAX,
	    on_first, &f), 0);
	*n = f.n;
	return f.t;
}

/* A slow decline of 1% a day: the ratio detectors see nothing (IODA
 * parity's 7-day median follows it within 4%), CUSUM warns within days
 * of its start; flat noisy data gives no alert at all; two runs in parts
 * leave what one run leaves. */
static void
test_cusum(void **state)
{
	struct store *a = open_db("cusum-a.db"), *b = open_db("cusum-b.db");
	struct store *f = open_db("cusum-flat.db");
	static struct dump da, db;
	struct detect_stats st;
	struct incs x;
	int64_t t;
	int n;

	(void)state;
	build_decline(a, true);
	build_decline(b, true);
	build_decline(f, false);
	assert_int_equal(run(a, 0, 0, &st), 0);
	assert_int_equal(count(a, "ioda", "warning", 0) +
	    count(a, "ioda", "critical", 0) + count(a, "seasonal", "warning",
	    0) + count(a, "seasonal", "critical", 0), 0);
	t = first_alert(a, "cusum", &n);
	assert_true(n > 24);
	assert_true(t > T0 + 14 * 86400 && t < T0 + 21 * 86400);
	assert_int_equal(count(a, "cusum", "warning", 0), n);
	incidents(a, &x);
	assert_int_equal(x.n, 0);
	/* in three runs */
	assert_int_equal(run(b, 0, T0 + 17 * 86400 + 1800, NULL), 0);
	assert_int_equal(run(b, 0, T0 + 25 * 86400, NULL), 0);
	assert_int_equal(run(b, 0, 0, NULL), 0);
	dump(a, &da);
	dump(b, &db);
	assert_non_null(strstr(da.buf, "A cusum probe country:IR"));
	assert_string_equal(da.buf, db.buf);
	/* flat */
	assert_int_equal(run(f, 0, 0, &st), 0);
	assert_true(st.bins > 800);
	assert_int_equal(st.alerts, 0);
	store_free(a);
	store_free(b);
	store_free(f);
}

/* Ten days of IR: BGP every 5 minutes at 1000 (from bgp_lo at that
 * level for hours [200, 212)), and the hourly NDT kind at v, at bad for
 * those twelve hours. */
static void
build_throttle(struct store *s, const char *kind, double v, double bad,
    double bgp_lo)
{
	struct store_point p = { .entity = "country:IR" };
	uint32_t rnd = 3;
	int h;

	health(s, 10 * 288);
	put(s, "bgp", "country:IR", 0, 200 * 12, 1000);
	put(s, "bgp", "country:IR", 200 * 12, 212 * 12, bgp_lo);
	put(s, "bgp", "country:IR", 212 * 12, 10 * 288, 1000);
	assert_int_equal(store_tx_begin(s), 0);
	for (h = 0; h < 240; h++) {
		p.time = T0 + (int64_t)h * 3600;
		p.value = noisy(&rnd, h >= 200 && h < 212 ? bad : v, 0.02);
		assert_int_equal(store_points_put(s, kind, "t", &p, 1), 0);
	}
	assert_int_equal(store_tx_commit(s), 0);
}

struct sigs_ {
	char	 signals[8][512];
	int	 n;
};

static int
on_sigs(void *ctx, const struct store_incident *i)
{
	struct sigs_ *x = ctx;

	if (x->n < 8)
		snprintf(x->signals[x->n++], 512, "%s", i->signals);
	return 0;
}

/* kind falls from v to bad (or rises, for RTT) for twelve hours while
 * BGP holds: one nationwide throttling incident, from the first hour down
 * to the first back, at pct% of the baseline while it lasts (within 5),
 * supported by the throttle detector alone. */
static void
throttle_case(const char *db, const char *kind, double v, double bad,
    double pct)
{
	struct store *s = open_db(db);
	char sig[64];
	struct sigs_ g = { 0 };
	struct incs x;
	int n;

	build_throttle(s, kind, v, bad, 1000);
	assert_int_equal(run(s, 0, T0 + 206 * 3600, NULL), 0);
	incidents(s, &x);
	assert_int_equal(x.n, 1);
	assert_string_equal(x.cls[0], "nationwide throttling");
	assert_true(fabs(x.i[0].restored - pct) < 5);
	assert_int_equal(run(s, 0, 0, NULL), 0);
	incidents(s, &x);
	assert_int_equal(x.n, 1);
	assert_string_equal(x.cls[0], "nationwide throttling");
	assert_string_equal(x.state[0], "restored");
	assert_int_equal(x.i[0].start, T0 + 200 * 3600);
	assert_int_equal(x.i[0].end, T0 + 212 * 3600);
	assert_true(x.i[0].confidence > 0.4 && x.i[0].confidence < 0.6);
	assert_int_equal(store_incident_list(s, 0, on_sigs, &g), 0);
	snprintf(sig, sizeof(sig), "%s:throttle", kind);
	assert_non_null(strstr(g.signals[0], sig));
	assert_null(strstr(g.signals[0], "bgp"));
	assert_int_equal(first_alert(s, "throttle", &n), T0 + 200 * 3600);
	assert_int_equal(count(s, "throttle", "critical", 0), 12);
	store_free(s);
}

/* Throughput halves while BGP holds: throttling at 50%. */
static void
test_throttle(void **state)
{
	(void)state;
	throttle_case("thr.db", "ndt.down", 50, 25, 50);
}

/* Throughput halves and BGP falls to 30% with it: a shutdown, which the
 * speed tests confirm (a second source: confidence 0.75); no throttling
 * verdict. */
static void
test_throttle_not(void **state)
{
	struct store *s = open_db("thr-not.db");
	struct sigs_ g = { 0 };
	struct incs x;
	int n;

	(void)state;
	build_throttle(s, "ndt.down", 50, 25, 300);
	assert_int_equal(run(s, 0, 0, NULL), 0);
	incidents(s, &x);
	assert_int_equal(x.n, 1);
	assert_string_equal(x.cls[0], "nationwide shutdown");
	assert_int_equal(x.i[0].start, T0 + 200 * 3600);
	assert_true(x.i[0].confidence > 0.7 && x.i[0].confidence < 0.8);
	assert_int_equal(store_incident_list(s, 0, on_sigs, &g), 0);
	assert_non_null(strstr(g.signals[0], "bgp:ioda"));
	assert_non_null(strstr(g.signals[0], "ndt.down:perf"));
	(void)first_alert(s, "throttle", &n);
	assert_int_equal(n, 0);
	assert_int_equal(count(s, "perf", "critical", 0), 12);
	store_free(s);
}

/* The minimum RTT triples while BGP holds: throttling too (a rise is
 * what is bad for RTT), at 33% of the baseline. */
static void
test_throttle_rtt(void **state)
{
	(void)state;
	throttle_case("thr-rtt.db", "ndt.rtt", 40, 120, 33.3);
}

int
main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_shutdown),
		cmocka_unit_test(test_long_outage),
		cmocka_unit_test(test_incremental),
		cmocka_unit_test(test_guard),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_hourly),
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_pin),
		cmocka_unit_test(test_seasonal),
		cmocka_unit_test(test_seasonal_shallow),
		cmocka_unit_test(test_seasonal_blip),
		cmocka_unit_test(test_pinned_rhythm),
		cmocka_unit_test(test_recurrence),
		cmocka_unit_test(test_cusum),
		cmocka_unit_test(test_throttle),
		cmocka_unit_test(test_throttle_not),
		cmocka_unit_test(test_throttle_rtt),
	};

	return test_main(test_pg_backend() ? "detect-pg" : "detect", t,
	    test_tmpdir_setup, test_tmpdir_teardown);
}
