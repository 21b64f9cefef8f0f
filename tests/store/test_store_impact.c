/*
 * The impact's tables in the store (schema version 10): per-AS user
 * estimates (upsert by country and AS, listed by country then users,
 * largest first), the country table (upsert by country), an incident's
 * figures (upsert by name, listed in the order put, "no data" kept as no
 * value, deleted per incident), argument checks, a rollback that leaves
 * nothing, kept across opens.
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
	char	buf[4096];
	size_t	n;
};

static void
add(struct rows *r, const char *fmt, ...)
{
	size_t len = strlen(r->buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->buf + len, sizeof(r->buf) - len, fmt, ap);
	va_end(ap);
	r->n++;
}

static int
user_row(void *ctx, const struct store_users *u)
{
	add(ctx, "%s %u %.0f %g %g %s\n", u->cc, u->asn, u->users, u->share,
	    u->samples, u->source);
	return 0;
}

static int
country_row(void *ctx, const struct store_country *c)
{
	add(ctx, "%s %s %d %.0f %.0f %.0f %g %s\n", c->cc, c->name, c->year,
	    c->gdp, c->population, c->users, c->digital, c->source);
	return 0;
}

static int
fig_row(void *ctx, const struct store_impact *f)
{
	if (f->known)
		add(ctx, "%lld %s %g %s %s %s\n", (long long)f->incident,
		    f->name, f->value, f->unit, f->method, f->inputs);
	else
		add(ctx, "%lld %s null %s %s %s\n", (long long)f->incident,
		    f->name, f->unit, f->method, f->inputs);
	return 0;
}

static struct rows
users(struct store *s, const char *cc, uint32_t asn)
{
	struct rows r;

	memset(&r, 0, sizeof(r));
	assert_int_equal(store_users_list(s, cc, asn, user_row, &r), 0);
	return r;
}

static void
test_users_countries(void **state)
{
	const char *path = test_store_url("u.db");
	char err[256];
	struct store *s;
	struct store_users a = { "EG", 8452, 30e6, 45.5, 1000, "f1" };
	struct store_users b = { "EG", 24863, 40e6, -1, -1, "f1" };
	struct store_users c = { "SD", 15706, 5e6, 20, 10, "f1" };
	struct store_country k = { "EG", "Egypt", 2024, 4e11, 1e8, 7e7, 0.03,
	    "c.csv" };
	struct store_users bad;
	struct store_country badk;
	struct rows r;

	(void)state;
	assert_int_equal(store_open(path, STORE_CREATE, &s, err, sizeof(err)),
	    0);
	assert_true(store_schema_latest() >= 10);
	assert_int_equal(store_users_put(s, &a), 0);
	assert_int_equal(store_users_put(s, &b), 0);
	assert_int_equal(store_users_put(s, &c), 0);
	r = users(s, "EG", 0);
	assert_string_equal(r.buf, "EG 24863 40000000 -1 -1 f1\n"
	    "EG 8452 30000000 45.5 1000 f1\n");
	assert_int_equal(users(s, NULL, 0).n, 3);
	assert_int_equal(users(s, NULL, 15706).n, 1);
	/* the same (cc, asn) replaces */
	a.users = 50e6;
	a.source = "f2";
	assert_int_equal(store_users_put(s, &a), 0);
	r = users(s, "EG", 8452);
	assert_string_equal(r.buf, "EG 8452 50000000 45.5 1000 f2\n");
	/* a rolled-back transaction leaves nothing */
	assert_int_equal(store_tx_begin(s), 0);
	c.asn = 1;
	assert_int_equal(store_users_put(s, &c), 0);
	assert_int_equal(store_tx_rollback(s), 0);
	assert_int_equal(users(s, NULL, 0).n, 3);
	/* bad rows */
	bad = a;
	bad.cc = "eg";
	assert_int_equal(store_users_put(s, &bad), LL_EINVAL);
	bad = a;
	bad.asn = 0;
	assert_int_equal(store_users_put(s, &bad), LL_EINVAL);
	bad = a;
	bad.users = -3;
	assert_int_equal(store_users_put(s, &bad), LL_EINVAL);
	bad = a;
	bad.share = -2;
	assert_int_equal(store_users_put(s, &bad), LL_EINVAL);
	assert_int_equal(store_users_list(s, "E", 0, user_row, &r),
	    LL_EINVAL);

	assert_int_equal(store_country_put(s, &k), 0);
	k.digital = 0.05;
	assert_int_equal(store_country_put(s, &k), 0);
	badk = k;
	badk.digital = 1.5;
	assert_int_equal(store_country_put(s, &badk), LL_EINVAL);
	badk = k;
	badk.name = NULL;
	assert_int_equal(store_country_put(s, &badk), LL_EINVAL);
	memset(&r, 0, sizeof(r));
	assert_int_equal(store_country_list(s, NULL, country_row, &r), 0);
	assert_string_equal(r.buf, "EG Egypt 2024 400000000000 100000000 "
	    "70000000 0.05 c.csv\n");
	store_free(s);

	/* kept across opens */
	assert_int_equal(store_open(path, STORE_RDONLY, &s, err, sizeof(err)),
	    0);
	assert_int_equal(users(s, NULL, 0).n, 3);
	memset(&r, 0, sizeof(r));
	assert_int_equal(store_country_list(s, "EG", country_row, &r), 0);
	assert_int_equal(r.n, 1);
	store_free(s);
}

static void
test_figures(void **state)
{
	const char *path = test_store_url("f.db");
	char err[256];
	struct store *s;
	struct store_impact f = { 7, "space.v4", true, 750, "/24s", "m",
	    "a - b", "{\"a\":1}", 100 };
	struct store_impact g = { 7, "space.v6", false, 0, "/48s", "m", "",
	    "{\"reason\":\"none\"}", 100 };
	struct store_impact h = { 8, "users", true, 5, "users", "m", "x",
	    "{}", 100 };
	struct store_impact bad;
	struct rows r;

	(void)state;
	assert_int_equal(store_open(path, STORE_CREATE, &s, err, sizeof(err)),
	    0);
	assert_int_equal(store_impact_put(s, &f), 0);
	assert_int_equal(store_impact_put(s, &g), 0);
	assert_int_equal(store_impact_put(s, &h), 0);
	f.value = 800;
	assert_int_equal(store_impact_put(s, &f), 0);
	memset(&r, 0, sizeof(r));
	assert_int_equal(store_impact_list(s, 7, fig_row, &r), 0);
	assert_string_equal(r.buf, "7 space.v4 800 /24s m {\"a\":1}\n"
	    "7 space.v6 null /48s m {\"reason\":\"none\"}\n");
	assert_int_equal(store_impact_delete(s, 7), 0);
	memset(&r, 0, sizeof(r));
	assert_int_equal(store_impact_list(s, 7, fig_row, &r), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(store_impact_list(s, 8, fig_row, &r), 0);
	assert_int_equal(r.n, 1);
	bad = h;
	bad.incident = 0;
	assert_int_equal(store_impact_put(s, &bad), LL_EINVAL);
	bad = h;
	bad.inputs = NULL;
	assert_int_equal(store_impact_put(s, &bad), LL_EINVAL);
	bad = h;
	bad.name = "";
	assert_int_equal(store_impact_put(s, &bad), LL_EINVAL);
	store_free(s);
}

int
main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_users_countries),
		cmocka_unit_test(test_figures),
	};

	return test_main("store_impact", t, test_tmpdir_setup,
	    test_tmpdir_teardown);
}
