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
sw_rebuild(struct dseries *se)
{
	se->nsw = se->cur - se->lo;
	memcpy(se->sw, se->v + se->lo, se->nsw * sizeof(*se->sw));
	qsort(se->sw, se->nsw, sizeof(*se->sw), cmp_double);
	se->mlo = se->lo;
	se->mcur = se->cur;
}

/* Brings sw from v[mlo..mcur) to v[lo..cur). False when it was not what
 * it should have been (then it must be rebuilt). */
static bool
sw_slide(struct dseries *se)
{
	while (se->mlo < se->lo && se->mcur < se->cur)
		if (!sw_replace(se->sw, se->nsw, se->v[se->mlo++],
		    se->v[se->mcur++]))
			return false;
	while (se->mlo < se->lo)
		if (!sw_remove(se->sw, &se->nsw, se->v[se->mlo++]))
			return false;
	while (se->mcur < se->cur)
		sw_insert(se->sw, &se->nsw, se->v[se->mcur++]);
	return true;
}

/*
 * The median of se's history window v[lo..cur) (cur > lo), kept sorted
 * between calls as the window slides (lo and cur never move back, except
 * through det_shift). Returns 0 or LL_ENOMEM.
 */
int
det_rmedian(struct dseries *se, double *out)
{
	size_t n = se->cur - se->lo;

	if (ll_grow(&se->sw, &se->capsw, n > se->nsw ? n : se->nsw,
	    sizeof(*se->sw)) != 0)
		return LL_ENOMEM;
	/* Nothing to keep (or the window moved back): sort anew. */
	if (se->nsw == 0 || se->lo >= se->mcur || se->lo < se->mlo ||
	    se->cur < se->mcur || (n > 32 && se->cur - se->mcur > n / 2))
		sw_rebuild(se);
	else if (!sw_slide(se))
		sw_rebuild(se);
	*out = mid(se->sw, se->nsw);
	return 0;
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
