/*
 * `lifeline db copy FROM TO` between SQLite and PostgreSQL: a real
 * ingest moved to PostgreSQL and back reads the same through `lifeline
 * signal` (series, points, gaps), with its kinds, detection rows,
 * incidents, events and evidence; the copy is verified, refuses a store
 * that is not empty, and store_verify() finds a changed point or alert.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/store.h"
#include "testutil.h"
#include "util/err.h"

static char sq[1024], pg[1024], back[1024];

/* What `lifeline signal ARGS --db DB` prints; caller frees. */
static char *
signal_out(const char *db, const char *args)
{
	struct test_run r;
	char *out;

	assert_int_equal(test_lifeline(&r, "signal %s --db '%s'", args, db),
	    0);
	out = strdup(r.out);
	test_run_fini(&r);
	assert_non_null(out);
	return out;
}

static void
same_signal(const char *a, const char *b, const char *args, size_t min)
{
	char *x = signal_out(a, args), *y = signal_out(b, args);

	assert_true(strlen(x) >= min);
	assert_string_equal(x, y);
	free(x);
	free(y);
}

static void
test_copy_there_and_back(void **state)
{
	struct test_run r;

	(void)state;
	assert_int_equal(test_lifeline(&r, "db copy '%s' '%s'", sq, pg), 0);
	assert_non_null(strstr(r.out, "copied sqlite to postgresql and "
	    "verified"));
	assert_non_null(strstr(r.out, " 2 archives"));
	assert_non_null(strstr(r.out, "8 detection rows, 2 events, 2 "
	    "evidence records"));
	test_run_fini(&r);
	assert_int_equal(test_lifeline(&r, "db copy '%s' '%s'", pg, back), 0);
	assert_non_null(strstr(r.out, "copied postgresql to sqlite"));
	test_run_fini(&r);
	same_signal(sq, pg, "--list", 1000);
	same_signal(sq, pg, "", 100000);
	same_signal(sq, pg, "--gaps", 10);
	same_signal(sq, pg, "--entity country:DE --format json", 100);
	same_signal(sq, back, "", 100000);

	/* Into a store that holds one: refused, one line, nothing added. */
	assert_int_equal(test_lifeline(&r, "db copy '%s' '%s'", sq, pg), 3);
	assert_non_null(strstr(r.err, "not empty"));
	assert_non_null(strchr(r.err, '\n'));
	assert_true(strchr(r.err, '\n') == r.err + r.errlen - 1);
	test_run_fini(&r);
	same_signal(sq, pg, "--list", 1000);
}

/* A point changed or added after the copy is found. */
static void
test_verify_finds(void **state)
{
	struct store *a = NULL, *b = NULL;
	struct store_copy_stats st;
	struct store_point p = { "country:DE", 1027377900, 0 };
	char err[600];

	(void)state;
	assert_int_equal(store_open(sq, STORE_RDONLY, &a, err, sizeof(err)),
	    0);
	assert_int_equal(store_open(pg, 0, &b, err, sizeof(err)), 0);
	assert_int_equal(store_verify(a, b, &st, err, sizeof(err)), 0);
	assert_true(st.points > 10000 && st.archives == 2);
	p.value = 12345.5;	/* the bin exists: same counts, new value */
	assert_int_equal(store_points_put(b, "bgp", NULL, &p, 1), 0);
	assert_int_equal(store_verify(a, b, &st, err, sizeof(err)),
	    LL_EVERIFY);
	assert_non_null(strstr(err, "differs"));
	p.entity = "asn:4294967294";
	assert_int_equal(store_points_put(b, "bgp", NULL, &p, 1), 0);
	assert_int_equal(store_verify(a, b, &st, err, sizeof(err)),
	    LL_EVERIFY);
	assert_non_null(strstr(err, "series"));
	store_free(a);
	store_free(b);
}

/* What the store holds beside points: a kind, detection rows, two
 * incidents (the second of the first's campaign), events, evidence. */
static void
add_rest(const char *url)
{
	struct store *s = NULL;
	char err[600];
	struct store_kind k = { "bgp", "/24s", "visible IPv4 /24s" };
	struct store_dstate d = { "ioda", "bgp", "country:DE", 1027377900, 2,
	    3, 12.5 };
	struct store_alert a = { "ioda", "bgp", "country:DE", 1027377900,
	    "critical", 0.1 + 0.2, 1e300 / 3 };
	struct store_baseline b = { "bgp", "country:DE", 1027370000,
	    1027377000, 4321.125, "analyst:ana", 1700000000 };
	struct store_incident i1 = { 0, "nationwide shutdown", "country:DE",
	    "bgp:ioda", "detected", "critical", 1027377900, 0, 1027378200,
	    0.75, 1234.5, 0.1, 0, 0 };
	struct store_incident i2 = i1;
	struct store_transition t = { 0, 1027378500, "verified",
	    "analyst:ana", "a note" };
	struct store_event e1 = { "routing:hijack", "prefix:192.0.2.0/24",
	    1027377000, 0, "{\"origin\":64500}" };
	struct store_event e2 = { "routing:leak", "asn:64500", 1027377000,
	    1027378000, "{}" };
	int64_t seq;

	assert_int_equal(store_open(url, 0, &s, err, sizeof(err)), 0);
	assert_int_equal(store_kind_put(s, &k), 0);
	assert_int_equal(store_dstate_put(s, &d), 0);
	assert_int_equal(store_alert_put(s, &a), 0);
	assert_int_equal(store_baseline_put(s, &b), 0);
	assert_int_equal(store_incident_put(s, &i1), 0);
	i2.start += 86400;
	i2.campaign = i1.id;
	assert_int_equal(store_incident_put(s, &i2), 0);
	t.incident = i1.id;
	assert_int_equal(store_transition_put(s, &t), 0);
	t.state = "closed";
	assert_int_equal(store_transition_put(s, &t), 0);
	t.incident = i2.id;
	assert_int_equal(store_transition_put(s, &t), 0);
	assert_int_equal(store_event_put(s, &e1), 0);
	assert_int_equal(store_event_put(s, &e2), 0);
	assert_int_equal(store_evidence_append(s, (const uint8_t *)"one\n\0x",
	    6, &seq), 0);
	assert_int_equal(store_evidence_append(s, (const uint8_t *)"two\n", 4,
	    &seq), 0);
	store_free(s);
}

/* The incidents of url as "rank class campaign-rank transitions;". */
static int
inc_line(void *ctx, const struct store_incident *i)
{
	char *buf = ctx;
	size_t n = strlen(buf);

	snprintf(buf + n, 512 - n, "%s@%lld camp=%s;", i->cls,
	    (long long)i->start, i->campaign != 0 ? "yes" : "no");
	return 0;
}

static void
test_copy_detection(void **state)
{
	struct store *a = NULL, *b = NULL;
	struct store_copy_stats st;
	struct store_alert al = { "ioda", "bgp", "country:DE", 1027377900,
	    "critical", 0.3, 1e300 / 3 };
	char err[600], x[512] = "", y[512] = "";

	(void)state;
	assert_int_equal(store_open(sq, STORE_RDONLY, &a, err, sizeof(err)),
	    0);
	assert_int_equal(store_open(pg, 0, &b, err, sizeof(err)), 0);
	assert_int_equal(store_verify(a, b, &st, err, sizeof(err)), 0);
	assert_int_equal(st.kinds, 1);
	assert_int_equal(st.detection, 3 + 2 + 3);
	assert_int_equal(st.events, 2);
	assert_int_equal(st.evidence, 2);
	assert_int_equal(store_incident_list(a, 0, inc_line, x), 0);
	assert_int_equal(store_incident_list(b, 0, inc_line, y), 0);
	assert_string_equal(x, y);
	assert_non_null(strstr(y, "camp=yes"));
	/* one bit of an alert's value: found */
	assert_int_equal(store_alert_put(b, &al), 0);
	assert_int_equal(store_verify(a, b, &st, err, sizeof(err)),
	    LL_EVERIFY);
	assert_non_null(strstr(err, "in content"));
	al.value = 0.1 + 0.2;	/* back as it was: the same again */
	assert_int_equal(store_alert_put(b, &al), 0);
	assert_int_equal(store_verify(a, b, &st, err, sizeof(err)), 0);
	store_free(a);
	store_free(b);
}

static int
setup(void **state)
{
	const char *f0 = test_shared_or_skip(
	    "mrt/ripe-bgpdump/bview.20020722.2337.gz");
	char f1[4096];
	struct test_run r;

	(void)state;
	snprintf(f1, sizeof(f1), "%s", test_shared_or_skip(
	    "mrt/ripe-bgpdump/updates.20020722.2238.gz"));
	if (test_tmpdir_make("dbcopy") == NULL)
		return -1;
	snprintf(sq, sizeof(sq), "%s", test_tmpdir_path("a.db"));
	snprintf(back, sizeof(back), "%s", test_tmpdir_path("back.db"));
	snprintf(pg, sizeof(pg), "%s", test_pg_db("copy"));
	if (test_lifeline(&r, "ingest bgp --db '%s' --full-feed 50%% "
	    "--warmup 5m '%s' '%s'", sq, f0, f1) != 0) {
		test_run_fini(&r);
		return -1;
	}
	test_run_fini(&r);
	add_rest(sq);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_there_and_back),
		cmocka_unit_test(test_copy_detection),
		cmocka_unit_test(test_verify_finds),
	};

	if (getenv("LL_TEST_PG") == NULL)
		test_skip("no PostgreSQL test cluster ($LL_TEST_PG is not set; "
		    "make check starts one)");
	return test_main("db_copy", tests, setup, test_tmpdir_teardown);
}
