/*
 * The ground-truth scenarios (sim_series.c): the same seed gives the same
 * bytes and another seed others; the nationwide scenario's series has a
 * daily rhythm, missing points and a gap with no data, and falls below
 * 10% of normal exactly while its truth line says it is down; bad options
 * are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "sim/sim.h"
#include "testutil.h"
#include "util/err.h"
#include "util/time.h"

#define START	1704067200	/* 2024-01-01T00:00Z */

static const char *
run(const char *dir, const char *scenario, uint64_t seed)
{
	struct sim_series_opts o = { .outdir = test_tmpdir_path(dir),
	    .scenario = scenario, .start = START, .seed = seed, .shrt = true };
	struct sim_series_stats st;

	assert_int_equal(mkdir(o.outdir, 0777), 0);
	assert_int_equal(sim_series_run(&o, &st), 0);
	assert_int_equal(st.scenarios, 1);
	assert_true(st.points > 0 && st.missing > 0);
	return o.outdir;
}

static char *
file(const char *dir, const char *name, size_t *len)
{
	char path[512];
	char *p;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	p = (char *)test_slurp(path, len);
	assert_non_null(p);
	return p;
}

static void
test_deterministic(void **state)
{
	size_t na, nb, nc;
	char *a, *b, *c;

	(void)state;
	a = file(run("a", "exam", 1), "exam.csv", &na);
	b = file(run("b", "exam", 1), "exam.csv", &nb);
	c = file(run("c", "exam", 2), "exam.csv", &nc);
	assert_true(na == nb && memcmp(a, b, na) == 0);
	assert_false(na == nc && memcmp(a, c, na) == 0);
	free(a);
	free(b);
	free(c);
}

/* The country's probing series: per 5-minute bin since START, its value
 * or -1 when missing; *nbins bins. Rows of any bin count into rows[]. */
static double *
country_series(const char *csv, size_t *nbins, int **rows)
{
	size_t n = 5 * 288;
	double *v = malloc(n * sizeof(*v));
	const char *p = strchr(csv, '\n') + 1;
	char ts[32], ent[64], kind[32];
	double x;
	int64_t t;

	*rows = calloc(n, sizeof(**rows));
	assert_true(v != NULL && *rows != NULL);
	for (size_t i = 0; i < n; i++)
		v[i] = -1;
	while (*p != '\0' && sscanf(p, "%31[^,],%63[^,],%31[^,],%lf", ts,
	    ent, kind, &x) == 4) {
		assert_int_equal(ll_time_parse(ts, &t), 0);
		assert_true(t >= START && (size_t)(t - START) / 300 < n);
		(*rows)[(t - START) / 300]++;
		if (strcmp(ent, "country:SD") == 0 && strcmp(kind, "probe") == 0)
			v[(t - START) / 300] = x;
		p = strchr(p, '\n') + 1;
	}
	*nbins = n;
	return v;
}

static void
test_nationwide(void **state)
{
	const char *dir = run("n", "nationwide", 1);
	size_t len, nb, i, gaps = 0, miss = 0;
	char *csv = file(dir, "nationwide.csv", &len);
	char *truth = file(dir, "truth.jsonl", &len);
	int64_t from = 0, to = 0;
	double lo = 1e9, hi = 0, *v;
	int *rows;

	(void)state;
	assert_non_null(strstr(truth, "\"class\":\"nationwide shutdown\","
	    "\"entity\":\"country:SD\",\"start\":\"2024-01-03T10:27:00Z\","
	    "\"end\":\"2024-01-03T16:37:00Z\""));
	assert_int_equal(ll_time_parse("2024-01-03T10:27Z", &from), 0);
	assert_int_equal(ll_time_parse("2024-01-03T16:37Z", &to), 0);
	v = country_series(csv, &nb, &rows);
	for (i = 0; i < nb; i++) {
		int64_t t = START + (int64_t)i * 300;

		gaps += rows[i] == 0;
		miss += rows[i] != 0 && v[i] < 0;
		if (v[i] < 0)
			continue;
		if (t + 300 <= from || t >= to) {
			/* normal: about 6200 /24s, +-10% a day, noise */
			assert_true(v[i] > 4500 && v[i] < 7500);
			lo = v[i] < lo ? v[i] : lo;
			hi = v[i] > hi ? v[i] : hi;
		} else if (t >= from && t + 300 <= to)
			assert_true(v[i] < 620);	/* down: 5% */
	}
	assert_true(hi / lo > 1.2);	/* the daily rhythm */
	assert_true(gaps >= 12);	/* an hour or more with no data */
	assert_true(miss > 0);		/* and single points missing */
	free(v);
	free(rows);
	free(csv);
	free(truth);
}

static void
test_bad(void **state)
{
	struct sim_series_opts o = { .outdir = test_tmpdir_path("none/x"),
	    .scenario = "nationwide", .start = START, .seed = 1 };
	struct sim_series_stats st;

	(void)state;
	assert_int_equal(sim_series_run(&o, &st), LL_EIO);
	assert_non_null(strstr(st.errpath, "none/x/truth.jsonl"));
	o.outdir = test_tmpdir_path("");
	o.start = START + 1;
	assert_int_equal(sim_series_run(&o, &st), LL_EINVAL);
	o.start = START;
	o.scenario = "tsunami";
	assert_int_equal(sim_series_run(&o, &st), LL_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_nationwide),
		cmocka_unit_test(test_bad),
	};

	return test_main("sim_series", t, test_tmpdir_setup,
	    test_tmpdir_teardown);
}
