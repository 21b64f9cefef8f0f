/*
 * The rolling median (det_rmedian) against a plain sort: windows sliding
 * over random series (steady counts with flaps and steps, few distinct
 * values, wide doubles), by steps of one, by jumps past the whole window,
 * windows that grow and shrink, and with the oldest points dropped
 * (det_shift) as a run does between blocks; and the medians worked out
 * ahead for a block (det_premed). Every median must equal the sort's to
 * the bit, and the kept window must be v[lo..cur) in order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/detect_int.h"
#include "testutil.h"

#define NPTS	20000

static uint64_t rng = 0x1234567;

static uint64_t
next(void)
{
	return test_xorshift(&rng);
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of v[lo..cur) by sorting a copy. */
static double
sorted_median(const double *v, size_t n, double *tmp)
{
	memcpy(tmp, v, n * sizeof(*v));
	qsort(tmp, n, sizeof(*tmp), cmp);
	return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

/* A series of one of the shapes. */
static void
fill(struct dseries *se, int shape, size_t n)
{
	double level = 1000;
	size_t i;

	se->n = se->cap = n;
	se->t = calloc(n, sizeof(*se->t));
	se->v = calloc(n, sizeof(*se->v));
	assert_non_null(se->t);
	assert_non_null(se->v);
	for (i = 0; i < n; i++) {
		se->t[i] = (int64_t)i * 300;
		if (shape == 0) {	/* steady, flaps, steps, outages */
			if (next() % 500 == 0)
				level *= 0.9 + (double)(next() % 200) / 1000;
			se->v[i] = (double)(int64_t)level -
			    (double)(next() % 20 == 0) -
			    (next() % 900 == 0 ? level / 2 : 0);
		} else if (shape == 1)	/* few values: many ties */
			se->v[i] = (double)(next() % 4);
		else			/* any double, both signs */
			se->v[i] = ((double)(int64_t)next() / 1e6) *
			    ((next() & 1) ? 1e-3 : 1e3);
	}
}

/* Checks the median of the window and the kept order. */
static void
check(struct dseries *se, double *tmp)
{
	size_t n = se->cur - se->lo;
	double got, want;

	assert_int_equal(det_rmedian(se, &got), 0);
	want = sorted_median(se->v + se->lo, n, tmp);
	assert_memory_equal(&got, &want, sizeof(got));
	assert_int_equal(se->nsw, n);
	assert_memory_equal(se->sw, tmp, n * sizeof(*tmp));
}

/* Slides windows of random sizes over a series of each shape. */
static void
test_rmedian(void **state)
{
	double *tmp = calloc(NPTS, sizeof(*tmp));
	size_t checks = 0;
	int shape, round;

	(void)state;
	assert_non_null(tmp);
	for (shape = 0; shape < 3; shape++)
	for (round = 0; round < 6; round++) {
		struct dseries se;
		size_t w = 1 + next() % (round < 3 ? 300 : 2100);

		memset(&se, 0, sizeof(se));
		fill(&se, shape, NPTS);
		while (se.cur < se.n) {
			uint64_t r = next() % 100;

			/* mostly one bin on; sometimes a jump, a gap */
			se.cur += r < 85 ? 1 : r < 99 ? next() % 8 :
			    next() % (2 * w + 2);
			if (se.cur > se.n)
				se.cur = se.n;
			/* the window: at most w, sometimes shorter */
			if (se.cur - se.lo > w)
				se.lo = se.cur - w;
			if (next() % 50 == 0 && se.cur > se.lo)
				se.lo += next() % (se.cur - se.lo);
			if (se.cur == se.lo)
				continue;
			check(&se, tmp);
			checks++;
			/* drop the points before the window now and then */
			if (next() % 200 == 0 && se.lo > 0)
				det_shift(&se, next() % (se.lo + 1));
		}
		free(se.t);
		free(se.v);
		free(se.sw);
	}
	assert_true(checks > 50000);
	free(tmp);
}

/* det_shift keeps the window and its order. */
static void
test_shift(void **state)
{
	double tmp[64], got;
	struct dseries se;

	(void)state;
	memset(&se, 0, sizeof(se));
	fill(&se, 1, NPTS);
	se.lo = 100;
	se.cur = 120;
	check(&se, tmp);
	det_shift(&se, 100);
	assert_int_equal(se.lo, 0);
	assert_int_equal(se.cur, 20);
	assert_int_equal(se.n, NPTS - 100);
	se.lo = 5;
	se.cur = 40;
	check(&se, tmp);
	se.nsw = 0;	/* nothing kept: sorted anew */
	assert_int_equal(det_rmedian(&se, &got), 0);
	assert_int_equal(se.nsw, 35);
	free(se.t);
	free(se.v);
	free(se.sw);
}

/* The medians worked out ahead for a block (det_premed, on two threads
 * with enough series) are those of the window judge() then asks for,
 * across blocks, gaps and a series that starts late. */
static void
test_premed(void **state)
{
	struct detect_kind k = { "bgp", 86400, 0.99, 0.5, false, false, false,
	    0 };
	enum { NS = 66, BLOCK = 86400 };
	double *tmp = calloc(NPTS, sizeof(*tmp)), got, want;
	struct dseries *ser = calloc(NS, sizeof(*ser)), *se;
	size_t i, j, checks = 0;
	struct dctx c;
	int64_t t, b;

	(void)state;
	assert_non_null(tmp);
	assert_non_null(ser);
	memset(&c, 0, sizeof(c));
	detect_opts_default(&c.o);
	for (i = 0; i < NS; i++) {
		se = &ser[i];
		fill(se, (int)(i % 3), 1200);
		se->kind = &k;
		se->last = INT64_MIN;
		se->base = SIZE_MAX;
		/* gaps of a few bins, one of two days; one starts late */
		for (j = 0, t = i == 7 ? 2 * 86400 : 0; j < se->n; j++) {
			t += next() % 40 == 0 ? 300 * (1 + next() % 6) : 300;
			if (j == se->n / 2)
				t += 2 * 86400;
			se->t[j] = t;
		}
	}
	c.ser = ser;
	c.nser = NS;
	for (b = 0; b < 300 * 1400; b += BLOCK) {
		assert_int_equal(det_premed(&c, b, b + BLOCK), 0);
		for (t = b; t < b + BLOCK; t += 300)
		for (i = 0; i < NS; i++) {
			se = &ser[i];
			det_window(se, t, k.window);
			if (se->cur >= se->n || se->t[se->cur] != t ||
			    se->cur - se->lo < (size_t)c.o.min_history)
				continue;
			assert_int_equal(det_rmedian(se, &got), 0);
			want = sorted_median(se->v + se->lo, se->cur - se->lo,
			    tmp);
			assert_memory_equal(&got, &want, sizeof(got));
			checks++;
		}
	}
	assert_true(checks > 50000);
	for (i = 0; i < NS; i++) {
		free(ser[i].t);
		free(ser[i].v);
		free(ser[i].sw);
		free(ser[i].pmed);
	}
	free(ser);
	free(tmp);
}

int
main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_rmedian),
		cmocka_unit_test(test_shift),
		cmocka_unit_test(test_premed),
	};

	return test_main("detect-median", t, NULL, NULL);
}
