/*
 * Events in the store (schema version 8): put (replacing the same kind,
 * entity and start), list by kind prefix and overlap (a lasting event
 * overlaps every later time), argument checks, a rollback that leaves
 * none, kept across opens.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#include "store/store.h"
#include "util/err.h"

struct rows {
	char	buf[2048];
	size_t	n;
};

static int
row(void *ctx, const struct store_event *e)
{
	struct rows *r = ctx;
	size_t len = strlen(r->buf);

	snprintf(r->buf + len, sizeof(r->buf) - len, "%s %s %lld %lld %s\n",
	    e->kind, e->entity, (long long)e->from, (long long)e->to,
	    e->detail);
	r->n++;
	return 0;
}

static struct rows
list(struct store *s, const char *kind, int64_t from, int64_t to)
{
	struct rows r;

	memset(&r, 0, sizeof(r));
	assert_int_equal(store_event_list(s, kind, from, to, row, &r), 0);
	return r;
}

static void
test_events(void **state)
{
	const char *path = test_store_url("e.db");
	char err[256];
	struct store *s;
	struct store_event a = { "routing:hijack", "prefix:192.0.2.0/24",
	    1000, 1600, "{\"seen_origin\":64666}" };
	struct store_event b = { "routing:new-upstream", "asn:64500", 1300, 0,
	    "{}" };
	struct store_event c = { "outage:country", "country:EG", 900, 1100,
	    "{}" };
	struct store_event bad = a;
	struct rows r;

	(void)state;
	assert_int_equal(store_open(path, STORE_CREATE, &s, err, sizeof(err)),
	    0);
	assert_true(store_schema_latest() >= 8);
	assert_int_equal(store_event_put(s, &a), 0);
	assert_int_equal(store_event_put(s, &b), 0);
	assert_int_equal(store_event_put(s, &c), 0);

	r = list(s, "routing:", INT64_MIN, INT64_MAX);
	assert_string_equal(r.buf, "routing:hijack prefix:192.0.2.0/24 1000 "
	    "1600 {\"seen_origin\":64666}\nrouting:new-upstream asn:64500 "
	    "1300 0 {}\n");
	assert_int_equal(list(s, NULL, INT64_MIN, INT64_MAX).n, 3);
	/* overlap: the lasting one reaches every later time */
	assert_int_equal(list(s, "routing:", 5000, 6000).n, 1);
	assert_int_equal(list(s, NULL, 1600, 1700).n, 1);
	assert_int_equal(list(s, NULL, 0, 1000).n, 1);
	assert_int_equal(list(s, "routing:hijack", 1599, 1600).n, 1);

	/* the same (kind, entity, start) replaces: a second run adds none */
	a.to = 0;
	a.detail = "{\"lasts\":true}";
	assert_int_equal(store_event_put(s, &a), 0);
	r = list(s, "routing:hijack", INT64_MIN, INT64_MAX);
	assert_string_equal(r.buf, "routing:hijack prefix:192.0.2.0/24 1000 "
	    "0 {\"lasts\":true}\n");

	/* a rolled-back transaction leaves nothing */
	assert_int_equal(store_tx_begin(s), 0);
	c.from = 1;
	assert_int_equal(store_event_put(s, &c), 0);
	assert_int_equal(store_tx_rollback(s), 0);
	assert_int_equal(list(s, NULL, INT64_MIN, INT64_MAX).n, 3);

	/* bad events */
	bad.to = bad.from - 1;
	assert_int_equal(store_event_put(s, &bad), LL_EINVAL);
	bad = a;
	bad.entity = "";
	assert_int_equal(store_event_put(s, &bad), LL_EINVAL);
	bad = a;
	bad.detail = NULL;
	assert_int_equal(store_event_put(s, &bad), LL_EINVAL);
	assert_int_equal(store_event_put(s, NULL), LL_EINVAL);
	assert_int_equal(store_event_list(s, NULL, 0, 1, NULL, NULL),
	    LL_EINVAL);
	store_free(s);

	/* kept across opens */
	assert_int_equal(store_open(path, STORE_RDONLY, &s, err, sizeof(err)),
	    0);
	assert_true(store_schema_version(s) >= 8);
	assert_int_equal(list(s, NULL, INT64_MIN, INT64_MAX).n, 3);
	store_free(s);
}

int
main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_events),
	};

	return test_main(test_pg_backend() ? "store_event-pg" :
	    "store_event", t, test_tmpdir_setup, test_tmpdir_teardown);
}
