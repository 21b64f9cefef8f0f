/*
 * `lifeline db` and `lifeline export` against a database filled through
 * the store API: what db reports (archives, bad records, collectors,
 * series by kind, settings, the location database, gaps) and the CSV
 * export streams, with the options and exit codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/store.h"
#include "testutil.h"

static const char *tmpdir;
static char out[1 << 16], err[4096];

#define SETTINGS	"bin=300 full-feed=400000 visibility=50 " \
			"locdb=/data/location.db@2022-10-29"

/* Runs "$LIFELINE ARGS" in tmpdir; stdout in out, stderr in err. */
static int
run(const char *fmt, ...)
{
	char args[1024];
	struct test_run r;
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	st = test_sh(&r, "cd '%s' && env -u LIFELINE_DB \"$LIFELINE\" %s",
	    tmpdir, args);
	assert_true(st < 128);
	assert_true(r.outlen < sizeof(out) && r.errlen < sizeof(err));
	memcpy(out, r.out, r.outlen + 1);
	memcpy(err, r.err, r.errlen + 1);
	test_run_fini(&r);
	return st;
}

static void
put_archive(struct store *s, char hex, const char *name, int64_t t,
    uint64_t bad, const char *settings)
{
	struct store_archive a = { .size = 1000, .first_time = t,
		.last_time = t + 299, .records = 500, .bad_records = bad,
		.points = 4, .status = bad ? STORE_ARCHIVE_ERRORS :
		STORE_ARCHIVE_OK };

	memset(a.sha256, hex, 64);
	snprintf(a.name, sizeof(a.name), "%s", name);
	snprintf(a.settings, sizeof(a.settings), "%s", settings);
	assert_int_equal(store_archive_record(s, &a), 0);
}

static void
fill(void)
{
	struct store_point pts[] = {
		{ "asn:10", 1609477200, 10 },
		{ "asn:2", 1609477200, 2 },
		{ "asn:2", 1609477500, 2.5 },
		{ "country:EG", 1609477500, 8 },
	};
	struct store_point peers[] = { { "collector:rrc00", 1609477200, 3 } };
	struct store_gap g = { "bgp", "rrc04", 1609476900, 1609477200,
		"no RIB dump yet" };
	struct store *s = NULL;
	char e[256];

	unlink(test_tmpdir_path("d.db"));
	if (store_open(test_tmpdir_path("d.db"), STORE_CREATE, &s, e,
	    sizeof(e)) != 0)
		fail_msg("%s", e);
	assert_int_equal(store_points_put(s, "bgp", NULL, pts, 4), 0);
	assert_int_equal(store_points_put(s, "bgp.peers", NULL, peers, 1), 0);
	assert_int_equal(store_gap_put(s, &g), 0);
	assert_int_equal(store_meta_set(s, "bgp.settings", SETTINGS), 0);
	put_archive(s, 'a', "updates.20210101.0500.gz", 1609477200, 0,
	    SETTINGS);
	put_archive(s, 'b', "updates.20210101.0505.gz", 1609477500, 3,
	    "bin=600");
	store_free(s);
}

/* Events of two kinds and incidents in two states, for db's summary. */
static void
fill_events(void)
{
	struct store_event ev[] = {
		{ "routing:hijack", "prefix:192.0.2.0/24", 1609477200,
		    1609477800, "{}" },
		{ "routing:hijack", "prefix:198.51.100.0/24", 1609477300, 0,
		    "{}" },
		{ "rpki:roa-gone", "prefix:203.0.113.0/24,asn:64500",
		    1609470000, 0, "{}" },
	};
	struct store_incident in[] = {
		{ .cls = "nationwide shutdown", .scope = "country:EG",
		    .signals = "bgp:ratio", .state = "detected",
		    .severity = "critical", .start = 1609477200 },
		{ .cls = "regional outage", .scope = "asn:2",
		    .signals = "bgp:ratio", .state = "verified",
		    .severity = "warning", .start = 1609477200,
		    .end = 1609477500 },
	};
	struct store *s = NULL;
	char e[256];

	if (store_open(test_tmpdir_path("d.db"), 0, &s, e, sizeof(e)) != 0)
		fail_msg("%s", e);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(store_event_put(s, &ev[i]), 0);
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(store_incident_put(s, &in[i]), 0);
	store_free(s);
}

static void
test_db(void **state)
{
	(void)state;
	fill();
	assert_int_equal(run("db --db d.db"), 0);
	assert_string_equal(err, "");
	assert_ptr_equal(strstr(out, "database: d.db (sqlite, schema "), out);
	assert_non_null(strstr(out, "\narchives: 2, 2021-01-01T05:00:00Z to "
	    "2021-01-01T05:09:59Z, 1000 records, 3 bad\n"));
	assert_non_null(strstr(out, "  updates.20210101.0505.gz         "
	    "2021-01-01T05:05:00Z  2021-01-01T05:09:59Z        500 records"
	    "      3 bad\n"));
	assert_non_null(strstr(out, "\ncollectors: rrc00\n"));
	assert_non_null(strstr(out, "\nseries: 4 of 2 kinds\n"));
	assert_non_null(strstr(out, "\n  bgp                  3 series "
	    "         4 points  2021-01-01T05:00:00Z to 2021-01-01T05:05:00Z"
	    "  (country 1, asn 2)\n"));
	assert_non_null(strstr(out, "\n  bgp.peers            1 series "
	    "         1 points"));
	assert_non_null(strstr(out, "\ningest settings: " SETTINGS "\n"
	    "  1 archive was ingested with other settings"));
	assert_non_null(strstr(out, "\nlocation database: "
	    "/data/location.db@2022-10-29\n"));
	assert_non_null(strstr(out, "\nevents: none\nincidents: none\n"
	    "coverage gaps:\n  bgp      rrc04"
	    "            2021-01-01T04:55:00Z to 2021-01-01T05:00:00Z  no RIB "
	    "dump yet\n"));

	assert_int_equal(run("db --db d.db --format json"), 0);
	assert_non_null(strstr(out, "\"backend\": \"sqlite\""));
	assert_non_null(strstr(out, "{\"name\":\"updates.20210101.0505.gz\","
	    "\"sha256\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	    "bbbbbbbb\",\"size\":1000,\"first\":\"2021-01-01T05:05:00Z\","
	    "\"last\":\"2021-01-01T05:09:59Z\",\"records\":500,\"bad_records\""
	    ":3,\"points\":4,\"settings\":\"bin=600\"}"));
	assert_non_null(strstr(out, "\"bad_records\": 3,\n  \"collectors\": "
	    "[\"rrc00\"],"));
	assert_non_null(strstr(out, "{\"signal\":\"bgp\",\"series\":3,"
	    "\"points\":4,\"first\":\"2021-01-01T05:00:00Z\",\"last\":"
	    "\"2021-01-01T05:05:00Z\",\"entities\":{\"country\":1,\"asn\":2}}"));
	assert_non_null(strstr(out, "\"locdb\": \"/data/location.db@"
	    "2022-10-29\""));
	assert_non_null(strstr(out, "{\"signal\":\"bgp\",\"collector\":"
	    "\"rrc04\",\"from\":\"2021-01-01T04:55:00Z\",\"to\":"
	    "\"2021-01-01T05:00:00Z\",\"reason\":\"no RIB dump yet\"}\n  ]\n}\n"));

	assert_non_null(strstr(out, "\"events\": {\"count\":0,\"kinds\":{}},"
	    "\n  \"incidents\": {\"count\":0,\"open\":0,\"states\":{}},"));

	/* events by kind (first seen first), their span (one still lasting
	 * counts from its start), incidents by state, open ones */
	fill_events();
	assert_int_equal(run("db --db d.db"), 0);
	assert_non_null(strstr(out, "\nevents: 3, 2021-01-01T03:00:00Z to "
	    "2021-01-01T05:10:00Z (rpki:roa-gone 1, routing:hijack 2)\n"
	    "incidents: 2, 1 open (detected 1, verified 1)\n"));
	assert_int_equal(run("db --db d.db --format json"), 0);
	assert_non_null(strstr(out, "\"events\": {\"count\":3,\"kinds\":"
	    "{\"rpki:roa-gone\":1,\"routing:hijack\":2}},\n  \"incidents\": "
	    "{\"count\":2,\"open\":1,\"states\":{\"detected\":1,"
	    "\"verified\":1}},"));

	assert_int_equal(run("db --db nosuch.db"), 3);
	assert_non_null(strstr(err, "lifeline: db: "));
	assert_non_null(strstr(err, "nosuch.db"));
	assert_int_equal(access(test_tmpdir_path("nosuch.db"), F_OK), -1);
	assert_int_equal(run("db --db d.db --format xml"), 2);
	assert_string_equal(err, "lifeline: db: --format xml: use text or "
	    "json\n");
}

static void
test_export(void **state)
{
	(void)state;
	fill();
	/* Every kind, by kind, then entity as text, then time. */
	assert_int_equal(run("export --db d.db"), 0);
	assert_string_equal(out, "time,signal,entity,value\n"
	    "2021-01-01T05:00:00Z,bgp,asn:10,10\n"
	    "2021-01-01T05:00:00Z,bgp,asn:2,2\n"
	    "2021-01-01T05:05:00Z,bgp,asn:2,2.5\n"
	    "2021-01-01T05:05:00Z,bgp,country:EG,8\n"
	    "2021-01-01T05:00:00Z,bgp.peers,collector:rrc00,3\n");
	assert_int_equal(run("export --db d.db --signal bgp --entity asn:2 "
	    "--from 2021-01-01T06:05+01:00"), 0);
	assert_string_equal(out, "time,signal,entity,value\n"
	    "2021-01-01T05:05:00Z,bgp,asn:2,2.5\n");
	assert_int_equal(run("export --db d.db --signal bgp.peers --signal "
	    "nosuch --to @1609477200"), 0);
	assert_string_equal(out, "time,signal,entity,value\n");
	assert_int_equal(run("export --db d.db --from 20210101"), 2);
	assert_non_null(strstr(err, "@20210101"));
	assert_int_equal(run("export --db d.db --entity nope"), 2);
	assert_int_equal(run("export --db nosuch.db"), 3);
}

static int
setup(void **state)
{
	(void)state;
	return (tmpdir = test_tmpdir_make("dbcli")) == NULL ? -1 : 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_db),
		cmocka_unit_test(test_export),
	};

	return test_main("db-cli", tests, setup, test_tmpdir_teardown);
}
