/*
 * The detectors over the series in memory, bin by bin in time order:
 * IODA parity (value / median of the history window) and the pinned
 * baseline, both behind the data-quality guard; then the incident engine
 * (detect_incident.c) for the same bin.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect_int.h"
#include "util/err.h"
#include "util/grow.h"

/* IODA's windows and levels: BGP 24 h, 0.99 / 0.5; active probing 7 d,
 * 0.8 / 0.5; the network telescope 7 d, 0.25 / 0.1. Then the performance
 * kinds (the NDT importer's, the prober's RTT and loss): 7 d, a fall to
 * 0.8 of the reference (or a rise to 1.25 times it) a warning, to 0.6
 * (1.67 times) critical; loss counted from 1% (a share). */
const struct detect_kind detect_kinds_default[] = {
	{ "bgp", 86400, 0.99, 0.5, false, false, false, 0 },
	{ "bgp6", 86400, 0.99, 0.5, false, false, false, 0 },
	{ "probe", 7 * 86400, 0.8, 0.5, true, false, false, 0 },
	{ "ping-slash24", 7 * 86400, 0.8, 0.5, true, false, false, 0 },
	{ "telescope", 7 * 86400, 0.25, 0.1, true, false, false, 0 },
	{ "merit-nt", 7 * 86400, 0.25, 0.1, true, false, false, 0 },
	{ "ucsd-nt", 7 * 86400, 0.25, 0.1, true, false, false, 0 },
	{ "ndt.down", 7 * 86400, 0.8, 0.6, false, true, false, 0 },
	{ "ndt.up", 7 * 86400, 0.8, 0.6, false, true, false, 0 },
	{ "ndt.rtt", 7 * 86400, 0.8, 0.6, false, true, true, 0 },
	{ "probe.rtt", 7 * 86400, 0.8, 0.6, false, true, true, 0 },
	{ "probe.loss", 7 * 86400, 0.8, 0.6, false, true, true, 0.01 },
	/* the Monash IP Observatory's index probes addresses: probing */
	{ "monash.connectivity", 7 * 86400, 0.8, 0.5, false, false, false, 0 },
};
const size_t detect_nkinds_default =
    sizeof(detect_kinds_default) / sizeof(detect_kinds_default[0]);

void
detect_opts_default(struct detect_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->bin = 300;
	o->min_history = 6;
	o->restore_bins = 3;
	o->restore_level = 0.95;
	o->health_drop = 0.8;
	o->merge_bins = 2;
	o->reopen_bins = 6;
	o->weeks = 4;
	o->mad_warn = 3;
	o->mad_crit = 5;
	o->cusum_k = 1;
	o->cusum_h = 10;
	o->kinds = detect_kinds_default;
	o->nkinds = detect_nkinds_default;
}

const struct detect_kind *
detect_kind_find(const struct detect_kind *kinds, size_t n,
    const char *signal)
{
	size_t i;

	if (kinds == NULL) {
		kinds = detect_kinds_default;
		n = detect_nkinds_default;
	}
	if (strncmp(signal, "series.", 7) == 0)
		signal += 7;
	for (i = 0; i < n; i++)
		if (strcmp(kinds[i].signal, signal) == 0)
			return &kinds[i];
	return NULL;
}

/* The health ratio of value against ref: value / ref, or ref / value for
 * a kind where a rise is bad (both at least the kind's floor); 1 when
 * there is nothing to compare. */
double
det_ratio(const struct detect_kind *k, double value, double ref)
{
	if (k->up) {
		if (value < k->floor)
			value = k->floor;
		if (ref < k->floor)
			ref = k->floor;
		return value > 0 ? ref / value : 1;
	}
	return ref > 0 ? value / ref : 1;
}

/* The level of a health ratio by the kind's warning and critical. */
int
det_level(const struct detect_kind *k, double ratio)
{
	if (ratio < k->crit)
		return DET_CRIT;
	if (ratio < k->warn)
		return DET_WARN;
	return DET_NORMAL;
}

static const char *const level_names[] = { "normal", "warning", "critical" };

/* Stores se's alert of detector det at level lv (none below warning). */
int
det_alert(struct dctx *c, const struct dseries *se, const char *det, int lv,
    double expected, int64_t t)
{
	struct store_alert a = {
		.detector = det, .signal = se->signal, .entity = se->entity,
		.time = t, .value = se->value, .expected = expected,
	};

	if (lv == DET_GAP) {
		a.level = "gap";
		c->st.gaps++;
	} else if (lv >= DET_WARN) {
		a.level = level_names[lv];
		c->st.alerts++;
	} else
		return 0;
	return store_alert_put(c->s, &a);
}

/* True when a pinned baseline applies to se: an analyst's pin, or the
 * system's while an incident holding se is open. */
static bool
pin_active(struct dctx *c, const struct dbase *b, const struct dseries *se)
{
	size_t i;

	if (strcmp(b->who, "system") != 0)
		return true;
	for (i = 0; i < c->ninc; i++)
		if (c->inc[i].row.end == 0 &&
		    det_inc_has(c->inc[i].scope, se->entity))
			return true;
	return false;
}

/* The IODA-parity verdict of se at bin t (its point is se->cur). */
static int
judge_ioda(struct dctx *c, struct dseries *se)
{
	size_t n = se->cur - se->lo;
	int rc;

	se->median = 0;
	if (n < (size_t)c->o.min_history)
		return 0;
	if ((rc = det_rmedian(se, &se->median)) != 0)
		return rc;
	/* Nothing to lose: the outage has become the history's normal. */
	se->lv = se->median > 0 ? det_level(se->kind, se->value / se->median) :
	    DET_NORMAL;
	return 0;
}

/* The hour of the week of t, Monday 00:00 UTC = 0 (1970-01-05 was one). */
static int64_t
hour_of_week(int64_t t)
{
	int64_t h = (t - 4 * 86400) / 3600 % 168;

	return h < 0 ? h + 168 : h;
}

/* The seasonal verdict of se's point at: the value against the points
 * of the same hour of the week in the last weeks, as a robust z-score
 * (median, 1.4826 x MAD; the MAD at least 1% of the median). *lv stays
 * DET_NONE with too little history. */
static int
seasonal_at(struct dctx *c, const struct dseries *se, size_t at, double *m,
    double *smad, int *lv)
{
	int64_t how = hour_of_week(se->t[at]);
	int64_t from = se->t[at] - c->o.weeks * 7 * 86400;
	double mad, z, value = se->v[at];
	size_t i, n = 0;
	int rc;

	for (i = at; i > 0 && se->t[i - 1] >= from; i--) {
		if (hour_of_week(se->t[i - 1]) != how)
			continue;
		if (n == c->capsv && ll_grow(&c->sv, &c->capsv, n + 1,
		    sizeof(*c->sv)) != 0)
			return LL_ENOMEM;
		c->sv[n++] = se->v[i - 1];
	}
	if (n < (size_t)c->o.min_history)
		return 0;
	if ((rc = det_median(c, c->sv, n, m)) != 0)
		return rc;
	for (i = 0; i < n; i++)
		c->sv[i] = fabs(c->sv[i] - *m);
	if ((rc = det_median(c, c->sv, n, &mad)) != 0)
		return rc;
	if (mad < 0.01 * *m)
		mad = 0.01 * *m;
	*smad = 1.4826 * mad;
	z = mad > 0 ? (value - *m) / (1.4826 * mad) : 0;
	/* Critical needs a drop that matters as well as a rare one: below
	 * the kind's warning level of the expectation. A quiet series (MAD
	 * at its 1% floor) otherwise calls a 10% dip an outage. */
	*lv = z < -c->o.mad_crit && value < se->kind->warn * *m ? DET_CRIT :
	    z < -c->o.mad_warn ? DET_WARN : DET_NORMAL;
	return 0;
}

static int
judge_seasonal(struct dctx *c, struct dseries *se)
{
	return seasonal_at(c, se, se->cur, &se->smedian, &se->smad, &se->slv);
}

/* True in *crit when se's point before the one judged is its previous
 * bin (one step back) and was seasonal-critical too. */
int
det_seasonal_prev(struct dctx *c, const struct dseries *se, bool *crit)
{
	double m, smad;
	int lv = DET_NONE, rc;

	*crit = false;
	if (se->cur == 0 || se->cur >= se->n ||
	    se->t[se->cur - 1] != se->t[se->cur] - se->step)
		return 0;
	if ((rc = seasonal_at(c, se, se->cur - 1, &m, &smad, &lv)) != 0)
		return rc;
	*crit = lv == DET_CRIT;
	return 0;
}

/* The spacing of se's points: the least gap between two of them, at
 * least the engine's bin (an hourly series judged in 5-minute bins has a
 * point in every twelfth). Incidents count time in it. */
static int64_t
series_step(const struct dctx *c, const struct dseries *se)
{
	int64_t step = INT64_MAX;
	size_t i;

	for (i = 1; i < se->n; i++)
		if (se->t[i] > se->t[i - 1] && se->t[i] - se->t[i - 1] < step)
			step = se->t[i] - se->t[i - 1];
	return step == INT64_MAX || step < c->o.bin ? c->o.bin : step;
}

/* The shape of the hour of t in se's history before a pin at pin_to:
 * the median of the points of the same hour of the week in the last
 * weeks before the pin, over the median of all of them then (1 when
 * there are too few). Only points from before the pin count, so a long
 * outage never becomes its own expectation. The level is computed once
 * a day and pin, over the weeks before the next midnight (the same in
 * one run as in several, and inside what a run loads). */
static int
pin_shape(struct dctx *c, struct dseries *se, int64_t t, int64_t pin_to,
    double *shape)
{
	int64_t how = hour_of_week(t), from = t - c->o.weeks * 7 * 86400, day;
	double slot;
	size_t i, end, n = 0;
	int rc;

	*shape = 1;
	for (end = se->cur; end > 0 && se->t[end - 1] >= pin_to; end--)
		;
	for (i = end; i > 0 && se->t[i - 1] >= from; i--) {
		if (hour_of_week(se->t[i - 1]) != how)
			continue;
		if (n == c->capsv && ll_grow(&c->sv, &c->capsv, n + 1,
		    sizeof(*c->sv)) != 0)
			return LL_ENOMEM;
		c->sv[n++] = se->v[i - 1];
	}
	if (n < (size_t)c->o.min_history)
		return 0;
	if ((rc = det_median(c, c->sv, n, &slot)) != 0)
		return rc;
	day = t - t % 86400;
	if (se->pinlvl_t != day || se->pinlvl_pin != pin_to) {
		for (i = end; i > 0 && se->t[i - 1] >= day + 86400 -
		    c->o.weeks * 7 * 86400; i--)
			;
		se->pinlvl = 0;
		se->pinlvl_t = day;
		se->pinlvl_pin = pin_to;
		if (end - i >= (size_t)c->o.min_history &&
		    (rc = det_median(c, se->v + i, end - i, &se->pinlvl)) != 0)
			return rc;
	}
	if (se->pinlvl > 0)
		*shape = slot / se->pinlvl;
	*shape = *shape < 0.5 ? 0.5 : *shape > 1.5 ? 1.5 : *shape;
	return 0;
}

/* The pinned verdict of se at t. For a series with a daily rhythm the
 * expectation is the pinned level times the shape of the hour before
 * the pin (pin_shape), so that the night's trough is not read as a
 * loss. */
static int
judge_pinned(struct dctx *c, struct dseries *se, int64_t t)
{
	const struct dbase *b = se->base != SIZE_MAX ? &c->base[se->base] :
	    NULL;
	double shape = 1;
	int rc;

	if (b == NULL || b->to > t || b->value <= 0 || !pin_active(c, b, se))
		return 0;
	if (se->kind->seasonal &&
	    (rc = pin_shape(c, se, t, b->to, &shape)) != 0)
		return rc;
	se->baseline = b->value * shape;
	se->plv = det_level(se->kind, se->value / se->baseline);
	return 0;
}

static void
step_state(int *level, int *run, int lv)
{
	if (lv == DET_NONE)
		return;
	*run = lv == *level ? *run + 1 : 1;
	*level = lv;
}

/* The reference perf and cusum measure against: the pinned baseline,
 * else the seasonal median, else the history's; 0 when there is none. */
static void
reference(struct dseries *se)
{
	se->ref = 0;
	if (se->plv != DET_NONE)
		se->ref = se->baseline;
	else if (se->slv != DET_NONE && se->smedian > 0)
		se->ref = se->smedian;
	else if (se->lv != DET_NONE)
		se->ref = se->median;
}

/* The detectors' verdicts on bin t of se, and their alerts (a perf
 * series' wait for the reachability of the bin: det_throttle_bin). */
static int
judge(struct dctx *c, struct dseries *se, int64_t t)
{
	bool guarded;
	int rc;

	se->lv = se->plv = se->slv = se->tlv = se->clv = DET_NONE;
	se->held = false;
	det_window(se, t, se->kind->window);
	if (t <= se->last || se->cur >= se->n || se->t[se->cur] != t)
		return 0;
	se->value = se->v[se->cur];
	se->last = t;
	if (se->step == 0)
		se->step = series_step(c, se);
	c->st.bins++;
	if ((rc = judge_ioda(c, se)) != 0)
		return rc;
	if ((se->kind->seasonal && (rc = judge_seasonal(c, se)) != 0) ||
	    (rc = judge_pinned(c, se, t)) != 0)
		return rc;
	reference(se);
	if (se->kind->perf)
		det_perf_judge(se);
	if ((rc = det_cusum_judge(c, se, t)) != 0 || se->kind->perf)
		return rc;
	guarded = (se->lv >= DET_WARN || se->plv >= DET_WARN ||
	    se->slv >= DET_WARN) && det_guarded(c, se->signal, t);
	if (guarded) {
		se->lv = se->lv >= DET_WARN ? DET_GAP : se->lv;
		se->plv = se->plv >= DET_WARN ? DET_GAP : se->plv;
		se->slv = se->slv >= DET_WARN ? DET_GAP : se->slv;
	}
	step_state(&se->level, &se->run, se->lv);
	step_state(&se->plevel, &se->prun, se->plv);
	if ((rc = det_alert(c, se, "ioda", se->lv, se->median, t)) != 0 ||
	    (rc = det_alert(c, se, "seasonal", se->slv, se->smedian, t)) != 0)
		return rc;
	return det_alert(c, se, "pinned", se->plv, se->baseline, t);
}

static int
save_states(struct dctx *c)
{
	struct store_dstate d = { .detector = "engine", .signal = "*",
	    .entity = "*", .last = c->end - c->o.bin };
	size_t i;
	int rc;

	if (c->end > c->start && (rc = store_dstate_put(c->s, &d)) != 0)
		return rc;
	for (i = 0; i < c->nser; i++) {
		struct dseries *se = &c->ser[i];

		if (se->kind == NULL || se->last == INT64_MIN)
			continue;
		c->st.series++;
		d = (struct store_dstate){ .detector = "ioda",
		    .signal = se->signal, .entity = se->entity,
		    .last = se->last, .level = se->level, .run = se->run };
		if ((rc = store_dstate_put(c->s, &d)) != 0)
			return rc;
		d.detector = "pinned";
		d.level = se->plevel;
		d.run = se->prun;
		if ((rc = store_dstate_put(c->s, &d)) != 0 ||
		    (rc = det_cusum_save(c, se)) != 0)
			return rc;
	}
	return 0;
}

static bool
opts_ok(const struct detect_opts *o)
{
	size_t i;

	if (o->bin <= 0 || o->min_history < 1 || o->restore_bins < 1 ||
	    !(o->restore_level > 0 && o->restore_level <= 1) ||
	    !(o->health_drop > 0 && o->health_drop <= 1) ||
	    o->merge_bins < 0 || o->reopen_bins < 0 ||
	    o->weeks < 1 || o->weeks > 52 ||
	    !(o->cusum_k >= 0 && o->cusum_h > 0) ||
	    !(o->mad_warn > 0 && o->mad_warn <= o->mad_crit) ||
	    (o->to != 0 && o->to <= o->from))
		return false;
	for (i = 0; i < o->nkinds; i++)
		if (o->kinds[i].window < o->bin ||
		    !(o->kinds[i].crit > 0 &&
		    o->kinds[i].crit <= o->kinds[i].warn))
			return false;
	return true;
}

static int
run_bins(struct dctx *c)
{
	int64_t t;
	size_t i;
	int rc;

	for (t = c->start; t < c->end; t += c->o.bin) {
		if ((rc = det_feed(c, t)) != 0)
			return rc;
		for (i = 0; i < c->nser; i++) {
			det_prefetch(c, i);
			if (c->ser[i].kind != NULL &&
			    (rc = judge(c, &c->ser[i], t)) != 0)
				return rc;
		}
		if ((rc = det_throttle_bin(c, t)) != 0 ||
		    (rc = det_incidents_bin(c, t)) != 0)
			return rc;
	}
	return 0;
}

int
detect_run(struct store *s, const struct detect_opts *o, detect_event_fn *fn,
    void *ctx, struct detect_stats *st)
{
	struct dctx c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.s = s;
	c.o = *o;
	c.fn = fn;
	c.fnctx = ctx;
	if (c.o.kinds == NULL) {
		c.o.kinds = detect_kinds_default;
		c.o.nkinds = detect_nkinds_default;
	}
	if (!opts_ok(&c.o))
		return LL_EINVAL;
	if ((rc = store_tx_begin(s)) != 0)
		return rc;
	if ((rc = det_load(&c)) == 0 && (rc = det_cusum_load(&c)) == 0 &&
	    (rc = det_incidents_load(&c)) == 0 &&
	    (rc = run_bins(&c)) == 0 && (rc = save_states(&c)) == 0 &&
	    (rc = det_incidents_save(&c)) == 0)
		rc = store_tx_commit(s);
	if (rc != 0 && store_tx_active(s))
		(void)store_tx_rollback(s);
	if (st != NULL)
		*st = c.st;
	det_free(&c);
	return rc;
}

struct pin {
	double	*v;
	size_t	 n, cap;
	int	 rc;
};

static int
on_pin_point(void *ctx, const struct store_point *p)
{
	struct pin *pp = ctx;

	if (pp->n == pp->cap && ll_grow(&pp->v, &pp->cap, pp->n + 1,
	    sizeof(double)) != 0)
		return LL_ENOMEM;
	pp->v[pp->n++] = p->value;
	return 0;
}

int
detect_baseline_pin(struct store *s, const char *signal, const char *entity,
    int64_t from, int64_t to, const char *who, double *value)
{
	struct dctx c;
	struct pin pp = { 0 };
	struct store_baseline b = { .signal = signal, .entity = entity,
	    .from = from, .to = to, .who = who };
	int rc;

	if (signal == NULL || entity == NULL || who == NULL || to <= from)
		return LL_EINVAL;
	memset(&c, 0, sizeof(c));
	if ((rc = store_points_scan(s, signal, entity, from, to, on_pin_point,
	    &pp)) != 0)
		goto out;
	if (pp.n == 0) {
		rc = LL_ENOTFOUND;
		goto out;
	}
	if ((rc = det_median(&c, pp.v, pp.n, &b.value)) != 0)
		goto out;
	if ((rc = store_baseline_put(s, &b)) == 0 && value != NULL)
		*value = b.value;
out:
	free(pp.v);
	free(c.scratch);
	return rc;
}
