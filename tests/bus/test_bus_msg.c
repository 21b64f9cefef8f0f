/*
 * Bus messages without a server: the encoder's output parses back to the
 * same points; every cut of a message, a wrong count, an unknown schema,
 * bad fields are refused with the line named; ingest_bus_points() writes a
 * message once however often it comes, in one transaction a batch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bus/bus.h"
#include "ingest/ingest.h"
#include "store/store.h"
#include "util/err.h"
#include "testutil.h"

static const char good[] =
    "lifeline-bus 1\n"
    "id abc.0\n"
    "agent rrc00\n"
    "settings bin=300 full-feed=400000\n"
    "kind bgp\n"
    "1700000000 42 country:EG\n"
    "1700000000 7 asn:8452\n"
    "kind bgp.peers\n"
    "1700000000 60 collector:rrc00\n"
    "end 3\n";

static void
parse_good(void **state)
{
	struct bus_msg *m;
	char err[256] = "";

	(void)state;
	assert_int_equal(bus_msg_parse(good, strlen(good), &m, err,
	    sizeof(err)), 0);
	assert_string_equal(m->agent, "rrc00");
	assert_string_equal(m->m.id, "abc.0");
	assert_string_equal(m->m.source, "bus:rrc00");
	assert_int_equal(m->m.nkinds, 2);
	assert_string_equal(m->m.kinds[0].kind, "bgp");
	assert_int_equal(m->m.kinds[0].n, 2);
	assert_string_equal(m->m.kinds[0].pts[1].entity, "asn:8452");
	assert_true(m->m.kinds[0].pts[0].value == 42.0);
	assert_string_equal(m->m.kinds[1].kind, "bgp.peers");
	assert_int_equal(m->m.kinds[1].pts[0].time, 1700000000);
	bus_msg_free(m);
}

/* Every proper prefix of a sound message is refused, never read past. */
static void
every_cut_refused(void **state)
{
	char err[256];

	(void)state;
	for (size_t n = 0; n < strlen(good); n++) {
		struct bus_msg *m = NULL;
		char *cut = malloc(n + 1);

		memcpy(cut, good, n);
		assert_int_equal(bus_msg_parse(cut, n, &m, err, sizeof(err)),
		    LL_EFORMAT);
		assert_null(m);
		free(cut);
	}
}

static void
expect_bad(const char *msg, int want, const char *say)
{
	struct bus_msg *m = NULL;
	char err[256] = "";

	assert_int_equal(bus_msg_parse(msg, strlen(msg), &m, err,
	    sizeof(err)), want);
	assert_null(m);
	if (strstr(err, say) == NULL)
		fail_msg("'%s' not in '%s'", say, err);
}

static void
refused(void **state)
{
	(void)state;
	expect_bad("lifeline-bus 2\nid a\n", LL_EUNSUP, "schema 2");
	expect_bad("lifeline-bus 1\nid a.0\nagent x\nsettings s\nkind bgp\n"
	    "1 2 country:EG\nend 2\n", LL_EFORMAT, "line 7: 'end 2' but 1");
	expect_bad("lifeline-bus 1\nid a.0\nagent x.y\n", LL_EFORMAT,
	    "line 3");
	expect_bad("lifeline-bus 1\nid a.0\nagent x\nsettings s\n"
	    "1 2 country:EG\nend 1\n", LL_EFORMAT, "before any 'kind'");
	expect_bad("lifeline-bus 1\nid a.0\nagent x\nsettings s\nkind bgp\n"
	    "1 9007199254740993 country:EG\nend 1\n", LL_EFORMAT,
	    "line 6: value");
	expect_bad("lifeline-bus 1\nid a.0\nagent x\nsettings s\nkind bgp\n"
	    "-1 2 country:EG\nend 1\n", LL_EFORMAT, "line 6: time");
	expect_bad("lifeline-bus 1\nid a.0\nagent x\nsettings s\nend 0\nx\n",
	    LL_EFORMAT, "after 'end'");
	expect_bad("lifeline-bus 1\nid \x01\n", LL_EFORMAT, "line 2");
}

/* Encoder to parser: the same points, ids in sequence. */
static void
round_trip(void **state)
{
	struct bus_enc *e;
	struct bus_msg *m;
	const char *data, *id;
	size_t len;
	char err[256];

	(void)state;
	assert_int_equal(bus_enc_new("a-1", "run", "bin=300", &e), 0);
	assert_int_equal(bus_enc_point(e, "bgp", 300, "country:EG", 5), 0);
	assert_int_equal(bus_enc_point(e, "bgp", 600, "country:EG", 6), 0);
	assert_int_equal(bus_enc_point(e, "bgp6", 600, "asn:1", 1), 0);
	assert_int_equal(bus_enc_point(e, "bgp", 600, "has space", 1),
	    LL_EINVAL);
	assert_int_equal(bus_enc_finish(e, &data, &len, &id), 0);
	assert_string_equal(id, "run.0");
	assert_int_equal(bus_msg_parse(data, len, &m, err, sizeof(err)), 0);
	assert_int_equal(m->npts, 3);
	assert_int_equal(m->m.nkinds, 2);
	assert_int_equal(m->m.kinds[0].pts[1].time, 600);
	assert_string_equal(m->m.settings, "bin=300");
	bus_msg_free(m);
	assert_int_equal(bus_enc_finish(e, &data, &len, &id), 0);
	assert_string_equal(id, "run.1");
	bus_enc_free(e);
}

static int
count(void *ctx, const struct store_point *p)
{
	(void)p;
	(*(int *)ctx)++;
	return 0;
}

/* The same message twice in a batch, and again in a later batch: its
 * points once, its id recorded once. */
static void
ingest_once(void **state)
{
	struct store *st;
	struct bus_msg *m;
	struct ingest_msg im[2];
	char err[256] = "";
	size_t stored;
	uint64_t points;
	int n = 0;

	(void)state;
	assert_int_equal(store_open(test_tmpdir_path("s.db"), STORE_CREATE,
	    &st, err, sizeof(err)), 0);
	assert_int_equal(bus_msg_parse(good, strlen(good), &m, err,
	    sizeof(err)), 0);
	im[0] = im[1] = m->m;
	assert_int_equal(ingest_bus_points(st, im, 2, &stored, &points, err,
	    sizeof(err)), 0);
	assert_int_equal(stored, 1);
	assert_int_equal(points, 3);
	assert_false(im[0].dup);
	assert_true(im[1].dup);
	assert_int_equal(ingest_bus_points(st, im, 1, &stored, &points, err,
	    sizeof(err)), 0);
	assert_int_equal(stored, 0);
	assert_true(im[0].dup);
	assert_int_equal(store_points_scan(st, "bgp", NULL, 0, INT64_MAX,
	    count, &n), 0);
	assert_int_equal(n, 2);
	/* an empty id: nothing of the batch is written */
	im[0].id = "other.1";
	im[1].id = "";
	assert_int_equal(ingest_bus_points(st, im, 2, &stored, &points, err,
	    sizeof(err)), LL_EINVAL);
	{
		char sha[STORE_SHA256_HEX];

		assert_int_equal(ingest_sha256_bytes("other.1", 7, sha), 0);
		assert_int_equal(store_archive_get(st, sha, NULL),
		    LL_ENOTFOUND);
	}
	bus_msg_free(m);
	store_free(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_good),
		cmocka_unit_test(every_cut_refused),
		cmocka_unit_test(refused),
		cmocka_unit_test(round_trip),
		cmocka_unit_test_setup_teardown(ingest_once,
		    test_tmpdir_setup, test_tmpdir_teardown),
	};

	return test_main("bus_msg", tests, NULL, NULL);
}
