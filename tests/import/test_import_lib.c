/*
 * The import library and the store's kinds (schema 6): bad rows named by
 * line with the good rows kept, CSV quoting, JSON Lines with a broken
 * line, medians and counts; kinds put, replaced, listed, rolled back, and
 * present after an upgrade from schema 5.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "import/import.h"
#include "store/store.h"
#include "testutil.h"
#include "util/err.h"

struct got {
	char	bad[8][160];
	int	nbad;
	char	pts[16][160];
	int	npts;
};

static void
on_bad(void *ctx, const char *msg)
{
	struct got *g = ctx;

	if (g->nbad < 8)
		snprintf(g->bad[g->nbad], sizeof(g->bad[0]), "%s", msg);
	g->nbad++;
}

static int
on_point(void *ctx, const struct import_point *p)
{
	struct got *g = ctx;

	if (g->npts < 16)
		snprintf(g->pts[g->npts], sizeof(g->pts[0]), "%s %s %lld %g",
		    p->kind, p->entity, (long long)p->time, p->value);
	g->npts++;
	return 0;
}

static void
run(enum import_fmt f, const char *entity, const char *text, struct got *g)
{
	struct import_opts o = { .fmt = f, .entity = entity,
	    .on_bad = on_bad, .ctx = g };
	struct import *im;

	memset(g, 0, sizeof(*g));
	assert_int_equal(import_new(&o, &im), 0);
	assert_int_equal(import_feed(im, "f.csv", (const uint8_t *)text,
	    strlen(text), NULL, NULL), 0);
	assert_int_equal(import_finish(im, on_point, g), 0);
	assert_int_equal(import_stats(im)->bad, (uint64_t)g->nbad);
	import_free(im);
}

static void
test_series_rows(void **state)
{
	struct got g;

	(void)state;
	run(IMPORT_SERIES_CSV, NULL,
	    "time,entity,kind,value\r\n"
	    "2026-11-01T00:00:00Z,\"country:VE\",probe,1\r\n"
	    "2026-11-01T00:00:00Z,country:VE,\"pro\"\"be\",2\r\n"
	    "\"2026-11-01T00:05:00Z,country:VE,probe,3\r\n"
	    "2026-11-01T00:00:00Z,country:VE,probe,4\n", &g);
	assert_int_equal(g.nbad, 2);
	assert_non_null(strstr(g.bad[0], "f.csv:3: kind \"pro\"be\""));
	assert_string_equal(g.bad[1], "f.csv:4: not 4 fields "
	    "time,entity,kind,value");
	/* The later row of a (kind, entity, time) wins. */
	assert_int_equal(g.npts, 1);
	assert_string_equal(g.pts[0], "probe country:VE 1793491200 4");
}

static void
test_ndt_jsonl(void **state)
{
	struct got g;

	(void)state;
	run(IMPORT_NDT, NULL,
	    "{\"S2C\":{\"StartTime\":\"2020-01-01T10:10:00.5Z\","
	    "\"MeanThroughputMbps\":10,\"MinRTT\":30000000},"
	    "\"client\":{\"Geo\":{\"CountryCode\":\"VE\"},"
	    "\"Network\":{\"ASNumber\":8048}}}\n"
	    "{broken\n"
	    "{\"S2C\":{\"StartTime\":\"2020-01-01T10:50:00Z\","
	    "\"MeanThroughputMbps\":30,\"MinRTT\":20000000},"
	    "\"client\":{\"Geo\":{\"CountryCode\":\"VE\"}}}\n"
	    "{\"S2C\":{\"StartTime\":\"2020-01-01T10:55:00Z\","
	    "\"MeanThroughputMbps\":20}}\n", &g);
	assert_int_equal(g.nbad, 2);
	assert_non_null(strstr(g.bad[0], "f.csv:2: not JSON"));
	assert_non_null(strstr(g.bad[1], "f.csv:4: no client location"));
	assert_int_equal(g.npts, 8);
	assert_string_equal(g.pts[1], "ndt.down country:VE 1577872800 20");
	assert_string_equal(g.pts[3], "ndt.down.tests country:VE "
	    "1577872800 2");
	assert_string_equal(g.pts[5], "ndt.rtt country:VE 1577872800 20");
	assert_string_equal(g.pts[0], "ndt.down asn:8048 1577872800 10");
}

static int
count_kind(void *ctx, const struct store_kind *k)
{
	(*(int *)ctx)++;
	assert_string_equal(k->name, "ndt.down");
	assert_string_equal(k->unit, "Mbit/s");
	return 0;
}

static void
test_store_kinds(void **state)
{
	struct store_kind k = { "ndt.down", "Mbit/s", "median" };
	const char *p = test_tmpdir_path("k.db");
	struct store *s;
	sqlite3 *db;
	int n = 0;

	(void)state;
	assert_true(store_schema_latest() >= 6);
	assert_int_equal(store_open(p, STORE_CREATE, &s, NULL, 0), 0);
	assert_int_equal(store_tx_begin(s), 0);
	assert_int_equal(store_kind_put(s, &k), 0);
	assert_int_equal(store_tx_rollback(s), 0);
	assert_int_equal(store_kind_list(s, NULL, count_kind, &n), 0);
	assert_int_equal(n, 0);
	k.unit = "kbit/s";
	assert_int_equal(store_kind_put(s, &k), 0);
	k.unit = "Mbit/s";
	assert_int_equal(store_kind_put(s, &k), 0);	/* replaced */
	assert_int_equal(store_kind_list(s, "ndt.down", count_kind, &n), 0);
	assert_int_equal(n, 1);
	k.name = "";
	assert_int_equal(store_kind_put(s, &k), LL_EINVAL);
	store_free(s);
	/* A store of schema 5 (no kind table) is upgraded. */
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP TABLE kind; PRAGMA "
	    "user_version = 5", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(p, 0, &s, NULL, 0), 0);
	assert_int_equal(store_schema_version(s), store_schema_latest());
	n = 0;
	assert_int_equal(store_kind_list(s, NULL, count_kind, &n), 0);
	assert_int_equal(n, 0);
	store_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_series_rows),
		cmocka_unit_test(test_ndt_jsonl),
		cmocka_unit_test(test_store_kinds),
	};

	return test_main("import_lib", tests, test_tmpdir_setup,
	    test_tmpdir_teardown);
}
