/*
 * Coverage gaps in the store: put (replacing the same start), list by
 * overlap, delete by start, argument checks, and a rollback that leaves
 * none.
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

#include "testutil.h"

#include "store/store.h"
#include "util/err.h"

struct rows {
	char	buf[2048];
	size_t	n;
};

static int
row(void *ctx, const struct store_gap *g)
{
	struct rows *r = ctx;
	size_t len = strlen(r->buf);

	snprintf(r->buf + len, sizeof(r->buf) - len, "%s %s %lld %lld %s\n",
	    g->signal, g->collector, (long long)g->from, (long long)g->to,
	    g->reason);
	r->n++;
	return 0;
}

static struct rows
list(struct store *s, const char *signal, int64_t from, int64_t to)
{
	struct rows r;

	memset(&r, 0, sizeof(r));
	assert_int_equal(store_gap_list(s, signal, from, to, row, &r), 0);
	return r;
}

static void
test_gaps(void **state)
{
	const char *path = test_store_url("g.db");
	char err[256];
	struct store *s;
	struct store_gap a = { "bgp", "rrc04", 1000, 1600, "warm-up" };
	struct store_gap b = { "bgp", "dir:/x", 1300, 2000, "no RIB" };
	struct store_gap c = { "probe", "rrc04", 1000, 1300, "other" };
	struct store_gap bad = a;
	struct rows r;

	(void)state;
	assert_int_equal(store_open(path, STORE_CREATE, &s, err, sizeof(err)),
	    0);
	assert_true(store_schema_latest() >= 5);
	assert_int_equal(store_gap_put(s, &a), 0);
	assert_int_equal(store_gap_put(s, &b), 0);
	assert_int_equal(store_gap_put(s, &c), 0);

	r = list(s, "bgp", INT64_MIN, INT64_MAX);
	assert_string_equal(r.buf, "bgp rrc04 1000 1600 warm-up\n"
	    "bgp dir:/x 1300 2000 no RIB\n");
	r = list(s, NULL, INT64_MIN, INT64_MAX);
	assert_int_equal(r.n, 3);
	/* overlap: [to, ...) touches none; [1599, 1600) only a and b */
	assert_int_equal(list(s, "bgp", 2000, 3000).n, 0);
	assert_int_equal(list(s, "bgp", 0, 1000).n, 0);
	assert_int_equal(list(s, "bgp", 1599, 1600).n, 2);
	assert_int_equal(list(s, "bgp", 1700, 1800).n, 1);

	/* the same start replaces */
	a.to = 1900;
	a.reason = "no RIB dump";
	assert_int_equal(store_gap_put(s, &a), 0);
	r = list(s, "bgp", 1000, 1001);
	assert_string_equal(r.buf, "bgp rrc04 1000 1900 no RIB dump\n");

	/* delete by start in [from, to), one signal */
	assert_int_equal(store_gap_delete(s, "bgp", 1200, 1400), 0);
	assert_int_equal(list(s, "bgp", INT64_MIN, INT64_MAX).n, 1);
	assert_int_equal(list(s, "probe", INT64_MIN, INT64_MAX).n, 1);

	/* a rolled-back transaction leaves nothing */
	assert_int_equal(store_tx_begin(s), 0);
	assert_int_equal(store_gap_put(s, &b), 0);
	assert_int_equal(store_tx_rollback(s), 0);
	assert_int_equal(list(s, "bgp", INT64_MIN, INT64_MAX).n, 1);

	/* bad gaps */
	bad.to = bad.from;
	assert_int_equal(store_gap_put(s, &bad), LL_EINVAL);
	bad = a;
	bad.collector = "";
	assert_int_equal(store_gap_put(s, &bad), LL_EINVAL);
	bad = a;
	bad.reason = NULL;
	assert_int_equal(store_gap_put(s, &bad), LL_EINVAL);
	assert_int_equal(store_gap_put(s, NULL), LL_EINVAL);
	store_free(s);

	/* kept across opens */
	assert_int_equal(store_open(path, 0, &s, err, sizeof(err)), 0);
	assert_int_equal(list(s, NULL, INT64_MIN, INT64_MAX).n, 2);
	store_free(s);
}

int
main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_gaps),
	};

	return test_main(test_pg_backend() ? "store_gap-pg" : "store_gap", t,
	    test_tmpdir_setup, test_tmpdir_teardown);
}
