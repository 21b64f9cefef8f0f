/*
 * `lifeline signal` against databases filled through the store API: a
 * real series (Monash IP Observatory, Venezuela, July 2019, hourly
 * connectivity per region) read back and compared with the file's own
 * time strings and values, plus the output shapes, the options and the
 * exit codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"
#include "testutil.h"

#define MONASH	"events/monash-ip-observatory/ven-2019-07-22_gif.csv"

static const char *tmpdir;	/* test_tmpdir_make() */
static char out[1 << 16], err[4096];

#define tpath(name)	test_tmpdir_path(name)

/* Runs "$LIFELINE signal ARGS" in tmpdir with env (e.g. "X=1" or "");
 * stdout in out, stderr in err; returns the exit status. */
static int
run(const char *env, const char *fmt, ...)
{
	char args[1024];
	struct test_run r;
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	st = test_sh(&r, "cd '%s' && env -u LIFELINE_DB %s \"$LIFELINE\" "
	    "signal %s", tmpdir, env, args);
	assert_true(st < 128);	/* no signal, no sanitizer abort */
	assert_true(r.outlen < sizeof(out) && r.errlen < sizeof(err));
	memcpy(out, r.out, r.outlen + 1);
	memcpy(err, r.err, r.errlen + 1);
	test_run_fini(&r);
	return st;
}

static struct store *
open_new(const char *name)
{
	struct store *s = NULL;
	char e[256];

	unlink(tpath(name));
	if (store_open(tpath(name), STORE_CREATE, &s, e, sizeof(e)) != 0)
		fail_msg("%s: %s", name, e);
	return s;
}

/* ---- the real series ------------------------------------------------ */

struct mrow {
	char	ent[24];
	int64_t	t;
	char	iso[24];	/* from the file's time_e_str */
	char	val[16];	/* the file's connectivity, as written */
};

static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
	"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* "20-Jul-2019 00:00:00" -> "2019-07-20T00:00:00Z", by hand. */
static void
monash_iso(const char *s, char *buf, size_t len)
{
	int d, y, hh, mm, ss, m = -1;
	char mon[4];

	assert_int_equal(sscanf(s, "%d-%3s-%d %d:%d:%d", &d, mon, &y, &hh,
	    &mm, &ss), 6);
	for (int i = 0; i < 12; i++)
		if (strcmp(mon, months[i]) == 0)
			m = i + 1;
	assert_true(m > 0);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, hh, mm,
	    ss);
}

/* Reads the file: iso,id_1,name_1,time_e,time_e_str,lat,lon,connectivity */
static size_t
monash_load(struct mrow *rows, size_t max)
{
	FILE *f = fopen(test_shared(MONASH), "r");
	char line[512];
	size_t n = 0;

	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_int_equal(strncmp(line, "iso,id_1,name_1,time_e,", 23), 0);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *fld[8], *p = line;

		line[strcspn(line, "\r\n")] = '\0';
		for (int i = 0; i < 8; i++)
			fld[i] = strsep(&p, ",");
		assert_non_null(fld[7]);
		assert_true(n < max);
		assert_string_equal(fld[0], "VEN");
		snprintf(rows[n].ent, sizeof(rows[n].ent), "region:VE-%s",
		    fld[1]);
		rows[n].t = strtoll(fld[3], NULL, 10);
		monash_iso(fld[4], rows[n].iso, sizeof(rows[n].iso));
		snprintf(rows[n].val, sizeof(rows[n].val), "%s", fld[7]);
		n++;
	}
	fclose(f);
	return n;
}

static void
test_real_series(void **state)
{
	static struct mrow rows[2000];
	struct store_point *pts;
	struct store *s;
	size_t n, want = 0, in_range = 0;
	char *line, *save = NULL, expect[64];

	(void)state;
	test_shared_or_skip(MONASH);
	n = monash_load(rows, 2000);
	assert_int_equal(n, 1469);	/* 13 regions x 113 hours */
	pts = calloc(n, sizeof(*pts));
	assert_non_null(pts);
	for (size_t i = 0; i < n; i++)
		pts[i] = (struct store_point){ rows[i].ent, rows[i].t,
		    strtod(rows[i].val, NULL) };
	s = open_new("monash.db");
	assert_int_equal(store_points_put(s, "series.monash", "monash:ven-"
	    "2019-07-22", pts, n), 0);
	store_free(s);
	free(pts);

	/* Distrito Capital, given in lower case: canonicalised. */
	assert_int_equal(run("", "--db monash.db --signal series.monash "
	    "--entity region:ve-10"), 0);
	line = strtok_r(out, "\n", &save);
	assert_string_equal(line, "time,entity,value");
	for (size_t i = 0; i < n; i++) {
		if (strcmp(rows[i].ent, "region:VE-10") != 0)
			continue;
		/* The file is in time order within a region. */
		line = strtok_r(NULL, "\n", &save);
		assert_non_null(line);
		snprintf(expect, sizeof(expect), "%s,region:VE-10,%s",
		    rows[i].iso, rows[i].val);
		assert_string_equal(line, expect);
		want++;
	}
	assert_int_equal(want, 113);
	assert_null(strtok_r(NULL, "\n", &save));

	/* [from, to) on the file's own epoch seconds. */
	assert_int_equal(run("LIFELINE_DB=monash.db", "--signal series.monash "
	    "--entity region:VE-24 --from 2019-07-22T00:00:00Z "
	    "--to @1563840000"), 0);
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].ent, "region:VE-24") == 0 &&
		    rows[i].t >= 1563753600 && rows[i].t < 1563840000)
			in_range++;
	assert_int_equal(in_range, 24);
	want = 0;
	for (char *p = out; (p = strchr(p, '\n')) != NULL; p++)
		want++;
	assert_int_equal(want, 1 + in_range);
	assert_non_null(strstr(out, "\n2019-07-22T00:00:00Z,region:VE-24,"));
	assert_non_null(strstr(out, "\n2019-07-22T23:00:00Z,region:VE-24,"));
	assert_null(strstr(out, "2019-07-23T00:00:00Z"));

	/* --list: 13 series of 113 points from 2019-07-20 00:00. */
	assert_int_equal(run("", "--db monash.db --list --signal "
	    "series.monash"), 0);
	assert_ptr_equal(strstr(out, "signal,entity,points,first,last\n"
	    "series.monash,region:VE-10,113,2019-07-20T00:00:00Z,"), out);
	want = 0;
	for (char *p = out; (p = strstr(p, ",113,2019-07-20T00:00:00Z,")) !=
	    NULL; p++)
		want++;
	assert_int_equal(want, 13);
}

/* ---- shapes, options, exit codes ------------------------------------ */

static void
fill_small(void)
{
	struct store_point pts[] = {
		{ "asn:3320", 1609477500, 1234.5 },
		{ "asn:3320", 1609477200, 1234 },
		{ "asn:3320", 1609477800, 0.1 },
		{ "country:DE", 1609477200, 70000 },
	};
	struct store *s = open_new("small.db");

	assert_int_equal(store_points_put(s, "bgp", NULL, pts, 4), 0);
	store_free(s);
}

static void
test_shapes(void **state)
{
	(void)state;
	fill_small();
	assert_int_equal(run("", "--db small.db --entity asn:AS3320 "
	    "--signal bgp --from 2021-01-01 --to 2021-01-02"), 0);
	assert_string_equal(out, "time,entity,value\n"
	    "2021-01-01T05:00:00Z,asn:3320,1234\n"
	    "2021-01-01T05:05:00Z,asn:3320,1234.5\n"
	    "2021-01-01T05:10:00Z,asn:3320,0.1\n");
	assert_string_equal(err, "");

	assert_int_equal(run("", "--db sqlite:small.db --entity asn:3320 "
	    "--format json --to 2021-01-01T05:10:00Z"), 0);
	assert_string_equal(out, "[\n"
	    "{\"time\":\"2021-01-01T05:00:00Z\",\"entity\":\"asn:3320\","
	    "\"value\":1234},\n"
	    "{\"time\":\"2021-01-01T05:05:00Z\",\"entity\":\"asn:3320\","
	    "\"value\":1234.5}\n]\n");

	/* No --entity: all of the signal, by kind (countries first), then
	 * entity, then time. */
	assert_int_equal(run("LIFELINE_DB=small.db", ""), 0);
	assert_string_equal(out, "time,entity,value\n"
	    "2021-01-01T05:00:00Z,country:DE,70000\n"
	    "2021-01-01T05:00:00Z,asn:3320,1234\n"
	    "2021-01-01T05:05:00Z,asn:3320,1234.5\n"
	    "2021-01-01T05:10:00Z,asn:3320,0.1\n");

	/* A range with nothing in it: the header (or []) alone, success. */
	assert_int_equal(run("", "--db small.db --entity asn:3320 --from "
	    "2022-01-01 --format json"), 0);
	assert_string_equal(out, "[]\n");
	/* An entity or a kind the store has no series of: a hint, exit 1. */
	assert_int_equal(run("", "--db small.db --entity asn:1"), 1);
	assert_string_equal(out, "");
	assert_string_equal(err, "lifeline: signal: no bgp series of asn:1 "
	    "in small.db ('lifeline signal --list --signal bgp' shows the 2 "
	    "there are)\n");
	assert_int_equal(run("", "--db small.db --entity asn:3320 --signal "
	    "probe"), 1);
	assert_string_equal(err, "lifeline: signal: no 'probe' series in "
	    "small.db; kinds there: bgp\n");

	assert_int_equal(run("", "--db small.db --list --format json"), 0);
	assert_string_equal(out, "[\n"
	    "{\"signal\":\"bgp\",\"entity\":\"country:DE\",\"points\":1,"
	    "\"first\":\"2021-01-01T05:00:00Z\",\"last\":"
	    "\"2021-01-01T05:00:00Z\"},\n"
	    "{\"signal\":\"bgp\",\"entity\":\"asn:3320\",\"points\":3,"
	    "\"first\":\"2021-01-01T05:00:00Z\",\"last\":"
	    "\"2021-01-01T05:10:00Z\"}\n]\n");
}

/* Several entities, numeric order, the other shapes, local time. */
static void
test_many(void **state)
{
	struct store_point pts[] = {
		{ "asn:10", 1609477200, 10 },
		{ "asn:2", 1609477200, 2 },
		{ "asn:2", 1609477500, 2.5 },
		{ "asn:100", 1609477800, 100 },
		{ "country:EG", 1609477200, 4 },
		{ "country:EG", 1609477800, 8 },
	};
	struct store *s = open_new("many.db");

	(void)state;
	assert_int_equal(store_points_put(s, "bgp", NULL, pts, 6), 0);
	assert_int_equal(store_points_put(s, "bgp6", NULL, pts, 1), 0);
	store_free(s);

	/* Given in any order, printed asn:2 before asn:10; once each. */
	assert_int_equal(run("", "--db many.db --entity asn:10 --entity asn:2 "
	    "--entity asn:AS2"), 0);
	assert_string_equal(out, "time,entity,value\n"
	    "2021-01-01T05:00:00Z,asn:2,2\n"
	    "2021-01-01T05:05:00Z,asn:2,2.5\n"
	    "2021-01-01T05:00:00Z,asn:10,10\n");
	assert_int_equal(run("", "--db many.db --list --signal bgp"), 0);
	assert_string_equal(out, "signal,entity,points,first,last\n"
	    "bgp,country:EG,2,2021-01-01T05:00:00Z,2021-01-01T05:10:00Z\n"
	    "bgp,asn:2,2,2021-01-01T05:00:00Z,2021-01-01T05:05:00Z\n"
	    "bgp,asn:10,1,2021-01-01T05:00:00Z,2021-01-01T05:00:00Z\n"
	    "bgp,asn:100,1,2021-01-01T05:10:00Z,2021-01-01T05:10:00Z\n");
	/* --list filtered by entity, over every kind without --signal. */
	assert_int_equal(run("", "--db many.db --list --entity asn:10 "
	    "--format jsonl"), 0);
	assert_string_equal(out, "{\"signal\":\"bgp\",\"entity\":\"asn:10\","
	    "\"points\":1,\"first\":\"2021-01-01T05:00:00Z\",\"last\":"
	    "\"2021-01-01T05:00:00Z\"}\n"
	    "{\"signal\":\"bgp6\",\"entity\":\"asn:10\",\"points\":1,"
	    "\"first\":\"2021-01-01T05:00:00Z\",\"last\":"
	    "\"2021-01-01T05:00:00Z\"}\n");
	assert_int_equal(run("", "--db many.db --list --entity asn:7"), 1);
	assert_non_null(strstr(err, "no series of asn:7"));

	assert_int_equal(run("", "--db many.db --entity country:EG --entity "
	    "asn:2 --format wide"), 0);
	assert_string_equal(out, "time,country:EG,asn:2\n"
	    "2021-01-01T05:00:00Z,4,2\n"
	    "2021-01-01T05:05:00Z,,2.5\n"
	    "2021-01-01T05:10:00Z,8,\n");
	assert_int_equal(run("", "--db many.db --entity country:EG --format "
	    "ioda"), 0);
	assert_string_equal(out, "[\n{\"entityType\":\"country\","
	    "\"entityCode\":\"EG\",\"datasource\":\"bgp\",\"from\":"
	    "1609477200,\"until\":1609478400,\"step\":600,\"values\":[4,8]}"
	    "\n]\n");
	assert_int_equal(run("", "--db many.db --entity asn:2 --format jsonl "
	    "--tz Asia/Kolkata --from 2021-01-01T10:35+05:30"), 0);
	assert_string_equal(out, "{\"time\":\"2021-01-01T10:35:00+05:30\","
	    "\"entity\":\"asn:2\",\"value\":2.5}\n");
	assert_int_equal(run("", "--db many.db --entity country:EG --chart"),
	    0);
	assert_string_equal(out, "country:EG bgp (largest 8)\n"
	    "  2021-01-01T05:00:00Z            4 ####################\n"
	    "  2021-01-01T05:10:00Z            8 "
	    "########################################\n");
	assert_int_equal(run("", "--db many.db --tz Mars/Olympus"), 2);
	assert_non_null(strstr(err, "no such time zone"));
	assert_int_equal(run("", "--db many.db --list --format wide"), 2);
	/* A bare number is not read as epoch seconds. */
	assert_int_equal(run("", "--db many.db --from 20210101"), 2);
	assert_non_null(strstr(err, "written @20210101"));
}

static void
test_errors(void **state)
{
	struct store *s;
	sqlite3 *db;

	(void)state;
	fill_small();
	assert_int_equal(run("", "--help"), 0);
	assert_non_null(strstr(out, "usage: lifeline signal"));

	/* A missing database is named, not created. */
	assert_int_equal(run("", "--db nosuch.db --entity asn:1"), 3);
	assert_string_equal(out, "");
	assert_non_null(strstr(err, "nosuch.db: no such database"));
	assert_int_equal(access(tpath("nosuch.db"), F_OK), -1);
	assert_ptr_equal(strchr(err, '\n'), err + strlen(err) - 1);

	assert_int_equal(run("", "--db small.db --entity asn:x"), 2);
	assert_non_null(strstr(err, "not an entity"));
	assert_int_equal(run("", "--db small.db --entity asn:1 --from "
	    "yesterday"), 2);
	assert_non_null(strstr(err, "--from yesterday: not a time"));
	assert_int_equal(run("", "--db small.db --from 2021-02-01 --to "
	    "2021-01-01"), 2);
	assert_int_equal(run("", "--db small.db --format xml"), 2);
	assert_int_equal(run("", "--db small.db --bogus"), 2);
	assert_non_null(strstr(err, "--bogus"));
	assert_int_equal(run("", "--db small.db --entity"), 2);
	assert_int_equal(run("", "--db small.db extra"), 2);
	/* a PostgreSQL server that is not there: one line, exit 3 */
	assert_int_equal(run("", "--db 'postgresql:///x?host=/nonexistent'"),
	    3);
	assert_non_null(strstr(err, "postgresql:///x: cannot connect"));

	/* A database from a newer Lifeline is refused, untouched. */
	s = open_new("future.db");
	store_free(s);
	assert_int_equal(sqlite3_open(tpath("future.db"), &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(run("", "--db future.db"), 3);
	assert_non_null(strstr(err, "newer than this Lifeline"));
}

static int
setup(void **state)
{
	(void)state;
	return (tmpdir = test_tmpdir_make("signal")) == NULL ? -1 : 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_series),
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_errors),
	};

	return test_main("signal-cli", tests, setup,
	    test_tmpdir_teardown);
}
