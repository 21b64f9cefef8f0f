/*
 * CUSUM for slow degradation: per series, a one-sided cumulative sum of
 * the robust score's shortfall against the series' reference (pinned,
 * else seasonal, else the history's median), scaled by 1.4826 x MAD:
 *
 *	z = (value - ref) / scale	(ref - value for a kind where up is bad)
 *	S = min(max(0, S - z - k), 2h)
 *
 * S above h is a warning. Bins in which the series' ratio detectors alert
 * leave the sum as it was: an abrupt drop is theirs to report. The sum is
 * kept in the store (store_dstate,
 * detector "cusum") so that runs in parts sum as one run does.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect_int.h"
#include "util/err.h"
#include "util/grow.h"

static int
on_state(void *ctx, const struct store_dstate *d)
{
	struct dctx *c = ctx;
	struct dseries *se;

	if (strcmp(d->detector, "cusum") != 0)
		return 0;
	se = det_series_find(c, d->signal, d->entity);
	if (se == NULL || se->kind == NULL)
		return 0;
	se->csum = se->csaved = d->value;
	return 0;
}

/* Loads every series' CUSUM state (after det_load sorted the series). */
int
det_cusum_load(struct dctx *c)
{
	if (c->nser == 0)
		return 0;
	return store_dstate_list(c->s, on_state, c);
}

/* Stores se's sum when it changed: a series whose sum stays 0 (most)
 * costs no write. The level is the sum's (above h: warning). */
int
det_cusum_save(struct dctx *c, struct dseries *se)
{
	struct store_dstate d = { .detector = "cusum", .signal = se->signal,
	    .entity = se->entity, .last = se->last, .value = se->csum };

	if (se->csum == se->csaved)
		return 0;
	d.level = se->csum > c->o.cusum_h ? DET_WARN : DET_NORMAL;
	se->csaved = se->csum;
	return store_dstate_put(c->s, &d);
}

/* The k-th smallest of v[0..n) (k < n), reordering v so that no value
 * before k is larger and none after it smaller: Wirth's selection, linear
 * on average where a sort is n log n. */
static double
select_kth(double *v, size_t n, size_t k)
{
	int64_t l = 0, m = (int64_t)n - 1, i, j, kk = (int64_t)k;
	double x, y;

	while (l < m) {
		x = v[kk];
		i = l;
		j = m;
		do {
			while (v[i] < x)
				i++;
			while (x < v[j])
				j--;
			if (i <= j) {
				y = v[i];
				v[i++] = v[j];
				v[j--] = y;
			}
		} while (i <= j);
		if (j < kk)
			l = i;
		if (kk < i)
			m = j;
	}
	return v[kk];
}

/* The median of v[0..n) (n > 0), reordering v. */
static double
median_of(double *v, size_t n)
{
	double hi = select_kth(v, n, n / 2), lo = hi;
	size_t i;

	if (n % 2 == 0) {
		/* the largest of the lower half */
		lo = v[0];
		for (i = 1; i < n / 2; i++)
			if (v[i] > lo)
				lo = v[i];
	}
	return (lo + hi) / 2;
}

/* The scale of se's history [lo, cur): 1.4826 x its MAD, at least 1% of
 * ref; the seasonal scale when the reference is the seasonal median. */
static int
scale_of(struct dctx *c, struct dseries *se, double *out)
{
	size_t i, n = se->cur - se->lo;
	double mad = 0;

	if (se->plv == DET_NONE && se->slv != DET_NONE && se->smedian > 0)
		mad = se->smad / 1.4826;
	else if (n > 0) {
		if (ll_grow(&c->sv, &c->capsv, n, sizeof(*c->sv)) != 0)
			return LL_ENOMEM;
		for (i = 0; i < n; i++)
			c->sv[i] = fabs(se->v[se->lo + i] - se->median);
		mad = median_of(c->sv, n);
	}
	if (mad < 0.01 * se->ref)
		mad = 0.01 * se->ref;
	*out = 1.4826 * mad;
	return 0;
}

/* The CUSUM verdict of se at bin t (its reference already set), its
 * alert, and its state. A bin that would raise the alarm and that the
 * data-quality guard holds leaves the sum as it was: a gap. */
int
det_cusum_judge(struct dctx *c, struct dseries *se, int64_t t)
{
	double scale, z, sum, h = c->o.cusum_h;
	int rc;

	if (se->ref <= 0 || se->lv == DET_NONE)
		return 0;
	/* a drop the ratio detectors report is theirs: no sum, no alarm */
	if (se->kind->perf ? se->tlv >= DET_WARN : se->lv >= DET_WARN ||
	    se->plv >= DET_WARN || se->slv >= DET_WARN)
		return 0;
	/* at rest and no further below the reference than k times the
	 * least scale: the sum stays 0 whatever the scale */
	if (se->csum == 0 && (se->kind->up ? se->ref - se->value :
	    se->value - se->ref) >= -c->o.cusum_k * 0.014826 * se->ref) {
		se->clv = DET_NORMAL;
		return 0;
	}
	if ((rc = scale_of(c, se, &scale)) != 0)
		return rc;
	if (!(scale > 0))
		return 0;
	z = (se->kind->up ? se->ref - se->value : se->value - se->ref) /
	    scale;
	sum = se->csum - z - c->o.cusum_k;
	sum = sum < 0 ? 0 : sum > 2 * h ? 2 * h : sum;
	if (sum > h && det_guarded(c, se->signal, t))
		se->clv = DET_GAP;
	else {
		se->csum = sum;
		se->clv = sum > h ? DET_WARN : DET_NORMAL;
	}
	return det_alert(c, se, "cusum", se->clv, se->ref, t);
}
