/*
 * The store's speed on one backend, for docs/performance.md: writes a
 * month of 5-minute points for ENTITIES entities (one transaction), then
 * reads one entity's month back. Usage: bench_store_month URL [ENTITIES]
 * (URL: a new SQLite file or an empty PostgreSQL database). One run, no
 * loop: run it once per backend.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "store/store.h"
#include "util/err.h"

#define BINS	(30 * 288)	/* a month of 5-minute bins */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
count(void *ctx, const struct store_point *p)
{
	(void)p;
	(*(size_t *)ctx)++;
	return 0;
}

int
main(int argc, char **argv)
{
	int ents = argc > 2 ? atoi(argv[2]) : 1000;
	struct store_point *pts;
	struct store *s = NULL;
	char err[512], (*name)[24];
	const int64_t t0 = 1609459200;	/* 2021-01-01 */
	size_t n = 0;
	double a, b, c, w;

	if (argc < 2 || ents <= 0) {
		fprintf(stderr, "usage: %s URL [ENTITIES]\n", argv[0]);
		return 2;
	}
	if ((pts = calloc((size_t)ents, sizeof(*pts))) == NULL ||
	    (name = calloc((size_t)ents, sizeof(*name))) == NULL)
		return 3;
	for (int e = 0; e < ents; e++)
		snprintf(name[e], sizeof(name[e]), "asn:%d", 64512 + e);
	if (store_open(argv[1], STORE_CREATE, &s, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 3;
	}
	a = now();
	if (store_tx_begin(s) != 0)
		goto fail;
	for (int k = 0; k < BINS; k++) {
		for (int e = 0; e < ents; e++)
			pts[e] = (struct store_point){ name[e], t0 + 300 * k,
			    (double)(1000 + e + (k % 7 == 0)) };
		if (store_points_put(s, "bgp", "bench", pts, (size_t)ents) != 0)
			goto fail;
	}
	if (store_tx_commit(s) != 0)
		goto fail;
	w = now() - a;
	/* read on a new connection, as `lifeline signal` does */
	store_free(s);
	s = NULL;
	b = now();
	if (store_open(argv[1], STORE_RDONLY, &s, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 3;
	}
	if (store_points_scan(s, "bgp", name[ents / 2], t0, t0 + 300 * BINS,
	    count, &n) != 0)
		goto fail;
	c = now();
	printf("%s: wrote %d x %d points in %.2f s (%.0f points/s); opened "
	    "and read a month of one entity (%zu points) in %.2f ms\n",
	    store_backend(s), ents, BINS, w, (double)ents * BINS / w, n,
	    (c - b) * 1e3);
	store_free(s);
	free(pts);
	free(name);
	return 0;
fail:
	fprintf(stderr, "%s\n", store_errmsg(s));
	store_free(s);
	return 3;
}
