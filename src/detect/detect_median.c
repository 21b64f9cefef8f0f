/*
 * Medians: of any array (a sort), and the rolling median of a series'
 * history window, which follows the window as it slides instead of
 * sorting it again at every bin.
 *
 * The rolling median keeps the values of v[mlo..mcur) sorted in sw. When
 * the window moves, a value that leaves is paired with one that enters:
 * the entries between the two places move by one (a memmove), which for
 * a steady series, where the value leaving a day's window is close to the
 * one entering, is a few entries. Lone entries are inserted or removed
 * the same way; a window that jumped past everything it held is sorted
 * anew. The median of the sorted values is the one a sort gives, to the
 * bit (tests/detect: test_rmedian).
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect_int.h"
#include "util/err.h"
#include "util/grow.h"

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
mid(const double *a, size_t n)
{
	return n % 2 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
}

/* The median of v[0..n) (n > 0), without changing v. */
int
det_median(struct dctx *c, const double *v, size_t n, double *out)
{
	if (ll_grow(&c->scratch, &c->capscratch, n, sizeof(double)) != 0)
		return LL_ENOMEM;
	memcpy(c->scratch, v, n * sizeof(double));
	qsort(c->scratch, n, sizeof(double), cmp_double);
	*out = mid(c->scratch, n);
	return 0;
}

/* The first i with a[i] >= x (n when none). */
static size_t
lower(const double *a, size_t n, double x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;

		if (a[m] < x)
			lo = m + 1;
		else
			hi = m;
	}
	return lo;
}

/* The first i with a[i] > x (n when none). */
static size_t
upper(const double *a, size_t n, double x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;

		if (a[m] <= x)
			lo = m + 1;
		else
			hi = m;
	}
	return lo;
}

/* Replaces one x of the sorted a[0..n) by y. False when x is not there. */
static bool
sw_replace(double *a, size_t n, double x, double y)
{
	size_t i = lower(a, n, x), j;

	if (i == n || a[i] != x)
		return false;
	if (y > x) {
		j = lower(a, n, y);
		memmove(a + i, a + i + 1, (j - i - 1) * sizeof(*a));
		a[j - 1] = y;
	} else if (y < x) {
		j = upper(a, n, y);
		memmove(a + j + 1, a + j, (i - j) * sizeof(*a));
		a[j] = y;
	}
	return true;
}

static bool
sw_remove(double *a, size_t *n, double x)
{
	size_t i = lower(a, *n, x);

	if (i == *n || a[i] != x)
		return false;
	memmove(a + i, a + i + 1, (*n - i - 1) * sizeof(*a));
	(*n)--;
	return true;
}

static void
sw_insert(double *a, size_t *n, double y)
{
	size_t j = upper(a, *n, y);

	memmove(a + j + 1, a + j, (*n - j) * sizeof(*a));
	a[j] = y;
	(*n)++;
}

/* Sorts v[lo..cur) into sw anew. */
static void
sw_rebuild(struct dseries *se, size_t lo, size_t cur)
{
	se->nsw = cur - lo;
	memcpy(se->sw, se->v + lo, se->nsw * sizeof(*se->sw));
	qsort(se->sw, se->nsw, sizeof(*se->sw), cmp_double);
	se->mlo = lo;
	se->mcur = cur;
}

/* Brings sw from v[mlo..mcur) to v[lo..cur). False when it was not what
 * it should have been (then it must be rebuilt). */
static bool
sw_slide(struct dseries *se, size_t lo, size_t cur)
{
	while (se->mlo < lo && se->mcur < cur)
		if (!sw_replace(se->sw, se->nsw, se->v[se->mlo++],
		    se->v[se->mcur++]))
			return false;
	while (se->mlo < lo)
		if (!sw_remove(se->sw, &se->nsw, se->v[se->mlo++]))
			return false;
	while (se->mcur < cur)
		sw_insert(se->sw, &se->nsw, se->v[se->mcur++]);
	return true;
}

/* The median of v[lo..cur) (cur > lo) through sw. */
static int
rmed_at(struct dseries *se, size_t lo, size_t cur, double *out)
{
	size_t n = cur - lo;

	if (ll_grow(&se->sw, &se->capsw, n > se->nsw ? n : se->nsw,
	    sizeof(*se->sw)) != 0)
		return LL_ENOMEM;
	/* Nothing to keep (or the window moved back): sort anew. */
	if (se->nsw == 0 || lo >= se->mcur || lo < se->mlo ||
	    cur < se->mcur || (n > 32 && cur - se->mcur > n / 2))
		sw_rebuild(se, lo, cur);
	else if (!sw_slide(se, lo, cur))
		sw_rebuild(se, lo, cur);
	*out = mid(se->sw, se->nsw);
	return 0;
}

/*
 * The median of se's history window v[lo..cur) (cur > lo): the one worked
 * out ahead for the bin and window of the last det_window() call, else
 * through the sorted window, which follows lo and cur as they slide
 * (they never move back, except through det_shift). Returns 0 or
 * LL_ENOMEM.
 */
int
det_rmedian(struct dseries *se, double *out)
{
	int64_t d = se->bt - se->pt0;

	if (se->pn == 0 || se->bwin != se->pwin || d < 0)
		return rmed_at(se, se->lo, se->cur, out);
	/* mostly the bin after the last one asked for: no division */
	if (se->bt == se->pkt + se->pbin) {
		se->pk++;
		se->pkt = se->bt;
	} else if (se->bt != se->pkt) {
		if (d % se->pbin != 0)
			return rmed_at(se, se->lo, se->cur, out);
		se->pk = (size_t)(d / se->pbin);
		se->pkt = se->bt;
	}
	if (se->pk >= se->pn || isnan(se->pmed[se->pk]))
		return rmed_at(se, se->lo, se->cur, out);
	*out = se->pmed[se->pk];
	return 0;
}

/* Works out se's ioda medians for the bins [t, to) ahead, as judge()
 * will ask for them: over the same window, with cursors of its own. */
static int
premed_series(const struct dctx *c, struct dseries *se, int64_t t,
    int64_t to)
{
	size_t lo = se->lo, cur = se->cur, k, nb;
	int64_t w = se->kind->window;
	int rc;

	se->pn = 0;
	nb = (size_t)((to - t + c->o.bin - 1) / c->o.bin);
	if (ll_grow(&se->pmed, &se->cappmed, nb, sizeof(*se->pmed)) != 0)
		return LL_ENOMEM;
	for (k = 0; k < nb; k++, t += c->o.bin) {
		while (lo < se->n && se->t[lo] < t - w)
			lo++;
		if (cur < lo)
			cur = lo;
		while (cur < se->n && se->t[cur] < t)
			cur++;
		se->pmed[k] = NAN;
		if (t <= se->last || cur >= se->n || se->t[cur] != t ||
		    cur - lo < (size_t)c->o.min_history)
			continue;
		if ((rc = rmed_at(se, lo, cur, &se->pmed[k])) != 0)
			return rc;
	}
	se->pt0 = se->pkt = t - (int64_t)nb * c->o.bin;
	se->pk = 0;
	se->pbin = c->o.bin;
	se->pwin = w;
	se->pn = nb;
	return 0;
}

/* One thread's share of the series: [from, to) of ser. */
struct premed_job {
	struct dctx	*c;
	size_t		 from, to;
	int64_t		 t, tend;
	int		 rc;
};

static void *
premed_run(void *arg)
{
	struct premed_job *j = arg;
	size_t i;

	for (i = j->from; i < j->to && j->rc == 0; i++)
		if (j->c->ser[i].kind != NULL)
			j->rc = premed_series(j->c, &j->c->ser[i], j->t,
			    j->tend);
	return NULL;
}

/*
 * Works out the ioda medians of every judged series for the bins [t, to)
 * ahead of judging them, one series at a time (its window stays in the
 * cache), the series split between this thread and another. Returns 0 or
 * LL_ENOMEM.
 */
int
det_premed(struct dctx *c, int64_t t, int64_t to)
{
	struct premed_job j[2] = {
		{ .c = c, .from = 0, .to = c->nser / 2, .t = t, .tend = to },
		{ .c = c, .from = c->nser / 2, .to = c->nser, .t = t,
		    .tend = to },
	};
	pthread_t th;
	bool threaded;

	if (to <= t)
		return 0;
	threaded = c->nser >= 64 && pthread_create(&th, NULL, premed_run,
	    &j[1]) == 0;
	premed_run(&j[0]);
	if (threaded)
		pthread_join(th, NULL);
	else
		premed_run(&j[1]);
	return j[0].rc != 0 ? j[0].rc : j[1].rc;
}

/* Drops se's first k points (k <= lo, and <= mlo while sw holds any). */
void
det_shift(struct dseries *se, size_t k)
{
	if (k == 0)
		return;
	memmove(se->t, se->t + k, (se->n - k) * sizeof(*se->t));
	memmove(se->v, se->v + k, (se->n - k) * sizeof(*se->v));
	se->n -= k;
	se->lo -= k;
	se->cur -= k;
	if (se->nsw > 0) {
		se->mlo -= k;
		se->mcur -= k;
	} else
		se->mlo = se->mcur = 0;
}
