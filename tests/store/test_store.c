/*
 * The store through its public interface: opening and migrations,
 * refusing foreign and future databases, upsert idempotence, range reads,
 * transactions, archives, and atomicity under kill -9.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"
#include "store/store_int.h"
#include "testutil.h"
#include "util/err.h"

static const char *tmpdir;	/* test_tmpdir_make() */
static bool pg;		/* LL_TEST_BACKEND=postgresql: the same tests on
			   PostgreSQL (those of SQLite's file format stay
			   SQLite's) */

/* The newest schema of the backend under test (each backend numbers its
 * own migrations). */
static int
latest(void)
{
	return pg ? store_pg_latest() : store_schema_latest();
}

#define tpath(name)	test_tmpdir_path(name)

/* A new store named stem: a file in the scratch directory, or a fresh
 * database of the test cluster. */
static const char *
tdb(const char *stem)
{
	char f[128];

	if (pg)
		return test_pg_db(stem);
	snprintf(f, sizeof(f), "%s.db", stem);
	return tpath(f);
}

static struct store *
open_ok(const char *path)
{
	struct store *s = NULL;
	char err[512];
	int rc = store_open(path, STORE_CREATE, &s, err, sizeof(err));

	if (rc != 0)
		fail_msg("store_open %s: %s (%s)", path, ll_strerror(rc), err);
	return s;
}

/* Runs sql on a raw SQLite connection to path; returns the first column
 * of the first row as an integer (0 when none). */
static int64_t
raw_sql(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v = 0;

	if (store_is_pg(path))
		return test_pg_sql(path, sql);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static const char *
raw_text(const char *path, const char *sql, char *buf, size_t len)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	buf[0] = '\0';
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(buf, len, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return buf;
}

/* Collects scanned points. */
struct coll {
	size_t	 n;
	char	 ent[64][32];
	int64_t	 t[64];
	double	 v[64];
};

static int
collect(void *ctx, const struct store_point *p)
{
	struct coll *c = ctx;

	if (c->n >= 64)
		return 1;
	snprintf(c->ent[c->n], sizeof(c->ent[0]), "%s", p->entity);
	c->t[c->n] = p->time;
	c->v[c->n] = p->value;
	c->n++;
	return 0;
}

static int
count_one(void *ctx, const struct store_point *p)
{
	(void)p;
	(*(size_t *)ctx)++;
	return 0;
}

static size_t
count_points(struct store *s, const char *sig, const char *ent)
{
	size_t n = 0;

	assert_int_equal(store_points_scan(s, sig, ent, INT64_MIN, INT64_MAX,
	    count_one, &n), 0);
	return n;
}

struct sercoll {
	size_t		n;
	char		key[64][64];
	uint64_t	points[64];
	int64_t		first[64], last[64];
};

static int
collect_series(void *ctx, const struct store_series *s)
{
	struct sercoll *c = ctx;

	if (c->n >= 64)
		return 1;
	snprintf(c->key[c->n], sizeof(c->key[0]), "%s/%s", s->signal,
	    s->entity);
	c->points[c->n] = s->points;
	c->first[c->n] = s->first;
	c->last[c->n] = s->last;
	c->n++;
	return 0;
}

struct text {
	char	*buf;
	size_t	 len, cap;
};

static int
text_point(void *ctx, const struct store_point *p)
{
	struct text *t = ctx;
	char line[200];
	int n = snprintf(line, sizeof(line), "%s %lld %.17g\n", p->entity,
	    (long long)p->time, p->value);

	if (t->len + (size_t)n + 1 > t->cap) {
		t->cap = (t->len + (size_t)n + 1) * 2;
		assert_non_null(t->buf = realloc(t->buf, t->cap));
	}
	memcpy(t->buf + t->len, line, (size_t)n + 1);
	t->len += (size_t)n;
	return 0;
}

/* Every point of signal "bgp" in path, as text (through the store). */
static char *
dump_points(const char *path)
{
	struct text t = { 0 };
	struct store *s = open_ok(path);

	assert_non_null(t.buf = calloc(1, 1));
	t.cap = 1;
	assert_int_equal(store_points_scan(s, "bgp", NULL, INT64_MIN,
	    INT64_MAX, text_point, &t), 0);
	store_free(s);
	return t.buf;
}

static void
test_open_migrate(void **state)
{
	const char *p = tpath("fresh.db");
	struct store *s = NULL;
	char err[256], buf[600];

	(void)state;
	/* Missing without STORE_CREATE: a clear "no such database". */
	assert_int_equal(store_open(p, 0, &s, err, sizeof(err)),
	    LL_ENOTFOUND);
	assert_null(s);
	assert_non_null(strstr(err, "no such database"));
	assert_int_equal(access(p, F_OK), -1);

	s = open_ok(p);
	assert_string_equal(store_backend(s), "sqlite");
	assert_true(latest() >= 1);
	assert_int_equal(store_schema_version(s), latest());
	store_free(s);
	store_free(NULL);

	/* What is on disk: WAL, our version and application id. */
	assert_string_equal(raw_text(p, "PRAGMA journal_mode", buf,
	    sizeof(buf)), "wal");
	assert_int_equal(raw_sql(p, "PRAGMA user_version"),
	    latest());
	assert_int_equal(raw_sql(p, "PRAGMA application_id"), 0x4c4c5354);

	/* Re-open (also through the sqlite: prefix) without creating. */
	snprintf(buf, sizeof(buf), "sqlite:%s", p);
	assert_int_equal(store_open(buf, 0, &s, err, sizeof(err)), 0);
	assert_int_equal(store_schema_version(s), latest());
	store_free(s);
	assert_int_equal(store_open(p, STORE_RDONLY, &s, err, sizeof(err)),
	    0);
	store_free(s);
}

static void
test_upgrade_empty_and_old(void **state)
{
	const char *p = tpath("old.db");
	struct store *s;

	(void)state;
	/* An empty SQLite file with our id at version 0 is the oldest
	 * schema there is: opening it migrates it. */
	raw_sql(p, "PRAGMA application_id = 1280070484");
	assert_int_equal(raw_sql(p, "PRAGMA user_version"), 0);
	s = open_ok(p);
	assert_int_equal(store_schema_version(s), latest());
	store_free(s);
	assert_int_equal(raw_sql(p, "PRAGMA user_version"),
	    latest());
	assert_int_equal(raw_sql(p, "SELECT count(*) FROM sqlite_schema "
	    "WHERE name IN ('chunk', 'series', 'archive', 'meta')"), 4);
}

/* A version 1 database (a row a point) keeps its points when opened. */
static void
test_migrate_v1_points(void **state)
{
	const char *p = tpath("v1.db");
	struct store *s;
	struct coll c = { 0 };
	char *x;

	(void)state;
	raw_sql(p, "PRAGMA application_id = 1280070484");
	raw_sql(p, "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT "
	    "NULL) WITHOUT ROWID");
	raw_sql(p, "CREATE TABLE source (id INTEGER PRIMARY KEY, name TEXT "
	    "NOT NULL UNIQUE)");
	raw_sql(p, "CREATE TABLE series (id INTEGER PRIMARY KEY, signal TEXT "
	    "NOT NULL, entity TEXT NOT NULL, UNIQUE (signal, entity))");
	raw_sql(p, "CREATE TABLE point (series INTEGER NOT NULL REFERENCES "
	    "series(id), time INTEGER NOT NULL, value REAL NOT NULL, source "
	    "INTEGER REFERENCES source(id), PRIMARY KEY (series, time)) "
	    "WITHOUT ROWID");
	raw_sql(p, "CREATE TABLE archive (sha256 TEXT PRIMARY KEY CHECK "
	    "(length(sha256) = 64), name TEXT NOT NULL, size INTEGER NOT NULL "
	    "CHECK (size >= 0), first_time INTEGER NOT NULL, last_time "
	    "INTEGER NOT NULL, records INTEGER NOT NULL CHECK (records >= 0), "
	    "bad_records INTEGER NOT NULL CHECK (bad_records >= 0), points "
	    "INTEGER NOT NULL CHECK (points >= 0), status TEXT NOT NULL CHECK "
	    "(status IN ('ok', 'errors')), ingested_at INTEGER NOT NULL) "
	    "WITHOUT ROWID");
	raw_sql(p, "CREATE INDEX archive_by_time ON archive (first_time, "
	    "name)");
	raw_sql(p, "INSERT INTO source VALUES (1, 'old')");
	raw_sql(p, "INSERT INTO series VALUES (1, 'bgp', 'asn:3320'), "
	    "(2, 'bgp', 'country:DE'), (3, 'probe', 'asn:3320')");
	/* across two chunks, a NULL source, a time before 1970 */
	raw_sql(p, "INSERT INTO point VALUES (1, 1609477200, 10, 1), "
	    "(1, 1609477500, 11, NULL), (1, 1609481100, 12, 1), "
	    "(2, 1609477200, 5000.5, 1), (3, -300, 7, NULL)");
	raw_sql(p, "PRAGMA user_version = 1");
	s = open_ok(p);
	assert_int_equal(store_schema_version(s), latest());
	assert_int_equal(store_points_scan(s, "bgp", "asn:3320", INT64_MIN,
	    INT64_MAX, collect, &c), 0);
	assert_int_equal(c.n, 3);
	assert_true(c.t[0] == 1609477200 && c.v[0] == 10);
	assert_true(c.t[1] == 1609477500 && c.v[1] == 11);
	assert_true(c.t[2] == 1609481100 && c.v[2] == 12);
	assert_int_equal(count_points(s, "bgp", "country:DE"), 1);
	assert_int_equal(count_points(s, "probe", "asn:3320"), 1);
	store_free(s);
	assert_int_equal(raw_sql(p, "SELECT count(*) FROM sqlite_schema "
	    "WHERE name = 'point'"), 0);
	assert_int_equal(raw_sql(p, "SELECT count(*) FROM chunk"), 4);
	x = dump_points(p);
	assert_string_equal(x, "asn:3320 1609477200 10\n"
	    "asn:3320 1609477500 11\nasn:3320 1609481100 12\n"
	    "country:DE 1609477200 5000.5\n");
	free(x);
}

/* A version 2 database (fixed 16-byte entries) is re-encoded when opened;
 * a damaged one is refused whole and left as it was. */
static void
test_migrate_v2_chunks(void **state)
{
	const char *p = tpath("v2.db");
	struct store_point pt = { "asn:1", 1609477200, 1 };
	struct store *s = NULL;
	struct coll c = { 0 };
	char err[512];

	(void)state;
	s = open_ok(p);
	assert_int_equal(store_points_put(s, "bgp", NULL, &pt, 1), 0);
	store_free(s);
	/* offsets 18000 and 18300 in the chunk of 1609459200: 10 and 1.5 */
	raw_sql(p, "UPDATE chunk SET n = 2, last = 1609477500, data = "
	    "x'50460000000000000000244000000000"
	    "7c470000000000000000f83f00000000'");
	raw_sql(p, "PRAGMA user_version = 2");
	s = open_ok(p);
	assert_int_equal(store_schema_version(s), latest());
	assert_int_equal(store_points_scan(s, "bgp", "asn:1", INT64_MIN,
	    INT64_MAX, collect, &c), 0);
	assert_int_equal(c.n, 2);
	assert_true(c.t[0] == 1609477200 && c.v[0] == 10);
	assert_true(c.t[1] == 1609477500 && c.v[1] == 1.5);
	store_free(s);
	/* 3 + 1 bytes, then 3 + 8 (1.5 is not an integer), not 32 */
	assert_int_equal(raw_sql(p, "SELECT length(data) FROM chunk"), 15);

	raw_sql(p, "UPDATE chunk SET data = x'50460000'");
	raw_sql(p, "PRAGMA user_version = 2");
	assert_int_equal(store_open(p, 0, &s, err, sizeof(err)), LL_EDB);
	assert_null(s);
	assert_non_null(strstr(err, "schema version 2 -> 3"));
	assert_non_null(strstr(err, "damaged chunk"));
	assert_int_equal(raw_sql(p, "PRAGMA user_version"), 2);
	assert_int_equal(raw_sql(p, "SELECT length(data) FROM chunk"), 4);
}

static int
on_dstate(void *ctx, const struct store_dstate *d)
{
	struct store_dstate *out = ctx;

	out->last = d->last;
	out->level = d->level;
	out->run = d->run;
	out->value = d->value;
	return 0;
}

/* A version 9 database's detector states gain a running value of 0 when
 * opened, and keep the rest; the value is then stored and read back. */
static void
test_migrate_v9_dstate(void **state)
{
	const char *p = tpath("v9.db");
	struct store_dstate d = { .detector = "cusum", .signal = "bgp",
	    .entity = "country:EG", .last = 1609477200, .level = 1, .run = 4,
	    .value = 12.5 }, got = { 0 };
	struct store *s;

	(void)state;
	s = open_ok(p);
	assert_int_equal(store_dstate_put(s, &d), 0);
	store_free(s);
	raw_sql(p, "ALTER TABLE dstate DROP COLUMN value");
	raw_sql(p, "PRAGMA user_version = 9");
	s = open_ok(p);
	assert_int_equal(store_schema_version(s), latest());
	assert_int_equal(store_dstate_list(s, on_dstate, &got), 0);
	assert_true(got.last == d.last && got.level == 1 && got.run == 4);
	assert_true(got.value == 0);
	assert_int_equal(store_dstate_put(s, &d), 0);
	assert_int_equal(store_dstate_list(s, on_dstate, &got), 0);
	assert_true(got.value == 12.5);
	store_free(s);
}

/* A chunk damaged on disk is an error with a message, not a crash. */
static void
test_damaged_chunk(void **state)
{
	const char *p = tpath("damaged.db");
	struct store_point pt = { "asn:1", 1609477200, 1 };
	const char *bad[] = {
		"UPDATE chunk SET data = x'00'",
		"UPDATE chunk SET n = 1000000",
		"UPDATE chunk SET data = x'ffffffff000000000000f03f00000000'",
		"UPDATE chunk SET data = x''",
	};
	struct store *s;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unlink(p);
		s = open_ok(p);
		assert_int_equal(store_points_put(s, "bgp", NULL, &pt, 1), 0);
		store_free(s);
		raw_sql(p, "PRAGMA ignore_check_constraints = 1");
		raw_sql(p, bad[i]);
		s = open_ok(p);
		size_t n = 0;
		assert_int_equal(store_points_scan(s, "bgp", NULL, INT64_MIN,
		    INT64_MAX, count_one, &n), LL_EDB);
		assert_non_null(strstr(store_errmsg(s), "damaged chunk"));
		/* writing into it says so too, and writes nothing */
		assert_int_equal(store_points_put(s, "bgp", NULL, &pt, 1),
		    LL_EDB);
		store_free(s);
	}
}

static void
test_refuse(void **state)
{
	struct store *s = NULL;
	char err[256];
	FILE *f;

	(void)state;
	/* From the future. */
	s = open_ok(tpath("future.db"));
	store_free(s);
	raw_sql(tpath("future.db"), "PRAGMA user_version = 999");
	assert_int_equal(store_open(tpath("future.db"), 0, &s, err,
	    sizeof(err)), LL_EUNSUP);
	assert_null(s);
	assert_non_null(strstr(err, "newer"));
	assert_non_null(strstr(err, "999"));
	/* Untouched by the refusal. */
	assert_int_equal(raw_sql(tpath("future.db"), "PRAGMA user_version"),
	    999);

	/* Another program's database. */
	raw_sql(tpath("foreign.db"), "CREATE TABLE t (x)");
	assert_int_equal(store_open(tpath("foreign.db"), 0, &s, err,
	    sizeof(err)), LL_EUNSUP);
	assert_non_null(strstr(err, "not a Lifeline database"));
	assert_int_equal(raw_sql(tpath("foreign.db"), "SELECT count(*) FROM "
	    "sqlite_schema"), 1);

	/* Not a database at all. */
	f = fopen(tpath("text.db"), "w");
	assert_non_null(f);
	fputs("time,entity,value\nthis is not SQLite, but long enough to "
	    "have a header of a hundred bytes........................\n", f);
	fclose(f);
	assert_int_equal(store_open(tpath("text.db"), 0, &s, err,
	    sizeof(err)), LL_EDB);
	assert_non_null(strstr(err, "not a database"));

	/* A PostgreSQL server that is not there: one line, no password. */
	assert_int_equal(store_open("postgresql://u:secret@/ll?host=/"
	    "nonexistent", 0, &s, err, sizeof(err)), LL_EDB);
	assert_non_null(strstr(err, "postgresql://u@/ll: cannot connect"));
	assert_null(strstr(err, "secret"));
	assert_null(strchr(err, '\n'));
	assert_int_equal(store_open("", 0, &s, err, sizeof(err)), LL_EINVAL);
	assert_int_equal(store_open("sqlite:", 0, &s, err, sizeof(err)),
	    LL_EINVAL);
	assert_null(s);
}

static void
test_upsert(void **state)
{
	struct store_point pts[] = {
		{ "asn:3320", 1609477200, 100 },
		{ "asn:3320", 1609477500, 101 },
		{ "country:DE", 1609477200, 5000 },
	};
	const char *store_path = tdb("upsert");
	struct store *s = open_ok(store_path);
	struct coll c = { 0 };

	(void)state;
	assert_int_equal(store_points_put(s, "bgp", "test", pts, 3), 0);
	assert_int_equal(store_points_put(s, "bgp", "test", pts, 3), 0);
	assert_int_equal(count_points(s, "bgp", "asn:3320"), 2);
	assert_int_equal(count_points(s, "bgp", NULL), 3);
	/* Same key, new value: replaced, not added. */
	pts[1].value = 42.5;
	assert_int_equal(store_points_put(s, "bgp", "again", &pts[1], 1), 0);
	assert_int_equal(store_points_scan(s, "bgp", "asn:3320", INT64_MIN,
	    INT64_MAX, collect, &c), 0);
	assert_int_equal(c.n, 2);
	assert_true(c.v[0] == 100 && c.v[1] == 42.5);
	/* Same entity and time in another signal is another point. */
	assert_int_equal(store_points_put(s, "probe", NULL, pts, 1), 0);
	assert_int_equal(count_points(s, "probe", NULL), 1);
	assert_int_equal(count_points(s, "bgp", NULL), 3);
	assert_int_equal(raw_sql(store_path, "SELECT sum(n) FROM chunk"),
	    4);
	store_free(s);
}

/* store_series_extent() gives the series of want, with their ends. */
static void
same_extents(struct store *s, const char *signal, const struct sercoll *want)
{
	struct sercoll got = { 0 };

	assert_int_equal(store_series_extent(s, signal, collect_series, &got),
	    0);
	assert_int_equal(got.n, want->n);
	for (size_t i = 0; i < want->n; i++) {
		assert_string_equal(got.key[i], want->key[i]);
		assert_int_equal(got.first[i], want->first[i]);
		assert_int_equal(got.last[i], want->last[i]);
		assert_true(got.points[i] == 0 ||
		    got.points[i] == want->points[i]);
	}
}

static void
test_range(void **state)
{
	struct store *s = open_ok(tdb("range"));
	struct store_point pts[12];
	struct sercoll sc = { 0 };
	struct coll c = { 0 };
	const int64_t t0 = 1609459200;	/* 2021-01-01T00:00:00Z */

	(void)state;
	/* Written out of order; read back in time order. */
	for (int i = 0; i < 10; i++) {
		int k = (i * 7) % 10;

		pts[i].entity = "country:EG";
		pts[i].time = t0 + 300 * k;
		pts[i].value = k;
	}
	pts[10] = (struct store_point){ "asn:8452", t0 + 600, -1 };
	pts[11] = (struct store_point){ "asn:8452", t0 - 300, 1e300 };
	assert_int_equal(store_points_put(s, "bgp", NULL, pts, 12), 0);

	/* [from, to): from included, to excluded. */
	assert_int_equal(store_points_scan(s, "bgp", "country:EG",
	    t0 + 600, t0 + 1500, collect, &c), 0);
	assert_int_equal(c.n, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(c.t[i], t0 + 600 + 300 * (int64_t)i);
		assert_true(c.v[i] == (double)(2 + i));
		assert_string_equal(c.ent[i], "country:EG");
	}
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_points_scan(s, "bgp", "country:EG", t0 + 601,
	    t0 + 900, collect, &c), 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(store_points_scan(s, "bgp", "country:EG", t0, t0,
	    collect, &c), 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(count_points(s, "bgp", "country:XX"), 0);
	assert_int_equal(count_points(s, "nosuch", NULL), 0);

	/* All entities: by entity, then time. */
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_points_scan(s, "bgp", NULL, INT64_MIN,
	    INT64_MAX, collect, &c), 0);
	assert_int_equal(c.n, 12);
	assert_string_equal(c.ent[0], "asn:8452");
	assert_int_equal(c.t[0], t0 - 300);
	assert_true(c.v[0] == 1e300);
	assert_true(c.v[1] == -1);
	assert_string_equal(c.ent[2], "country:EG");
	assert_int_equal(c.t[11], t0 + 2700);

	/* The callback stops the scan with its value. */
	c.n = 64;
	assert_int_equal(store_points_scan(s, "bgp", NULL, INT64_MIN,
	    INT64_MAX, collect, &c), 1);

	assert_int_equal(store_series_list(s, "bgp", collect_series, &sc), 0);
	assert_int_equal(sc.n, 2);
	assert_string_equal(sc.key[0], "bgp/asn:8452");
	assert_int_equal(sc.points[0], 2);
	assert_int_equal(sc.first[0], t0 - 300);
	assert_int_equal(sc.last[0], t0 + 600);
	assert_string_equal(sc.key[1], "bgp/country:EG");
	assert_int_equal(sc.points[1], 10);
	assert_int_equal(sc.first[1], t0);
	assert_int_equal(sc.last[1], t0 + 2700);
	/* The extents alone: the same series, ends and order (asn:8452 is
	 * in two chunks). */
	same_extents(s, "bgp", &sc);
	same_extents(s, NULL, &sc);

	/* Delete a range; the emptied series leaves the list. */
	assert_int_equal(store_points_delete(s, "bgp", "asn:8452", INT64_MIN,
	    INT64_MAX), 0);
	assert_int_equal(store_points_delete(s, "bgp", NULL, t0, t0 + 300),
	    0);
	memset(&sc, 0, sizeof(sc));
	assert_int_equal(store_series_list(s, NULL, collect_series, &sc), 0);
	assert_int_equal(sc.n, 1);
	assert_int_equal(sc.points[0], 9);
	assert_int_equal(sc.first[0], t0 + 300);
	same_extents(s, NULL, &sc);
	store_free(s);
}

/* Points of far-apart series ids (sorted by qsort, not by counting), out
 * of order with a time written twice; a rolled-back batch leaves no count
 * behind for the next. */
static void
test_sparse_series(void **state)
{
	struct store *s = open_ok(tdb("sparse"));
	struct store_point p[2048];
	char names[2048][16];
	struct coll c = { 0 };

	(void)state;
	for (int i = 0; i < 2048; i++) {
		snprintf(names[i], sizeof(names[i]), "asn:%d", i + 1);
		p[i] = (struct store_point){ names[i], 1609459200, i };
	}
	assert_int_equal(store_points_put(s, "bgp", NULL, p, 2048), 0);
	assert_int_equal(store_tx_begin(s), 0);
	assert_int_equal(store_points_put(s, "bgp", NULL, p, 2048), 0);
	assert_int_equal(store_tx_rollback(s), 0);
	/* counted again from zero: a stale count would misplace them */
	for (int i = 0; i < 2048; i++)
		p[i].time = 1609459200 + 21600;
	assert_int_equal(store_points_put(s, "bgp", NULL, p, 2048), 0);
	p[0] = (struct store_point){ "asn:2048", 1609459800, 7 };
	p[1] = (struct store_point){ "asn:2048", 1609459500, 6 };
	p[2] = (struct store_point){ "asn:1", 1609459500, 1 };
	p[3] = (struct store_point){ "asn:2048", 1609459800, 8 };
	assert_int_equal(store_points_put(s, "bgp", NULL, p, 4), 0);
	assert_int_equal(store_points_scan(s, "bgp", "asn:2048", INT64_MIN,
	    INT64_MAX, collect, &c), 0);
	assert_int_equal(c.n, 4);
	assert_true(c.t[0] == 1609459200 && c.v[0] == 2047);
	assert_true(c.t[1] == 1609459500 && c.v[1] == 6);
	assert_true(c.t[2] == 1609459800 && c.v[2] == 8);
	assert_true(c.t[3] == 1609459200 + 21600 && c.v[3] == 2047);
	assert_int_equal(count_points(s, "bgp", "asn:1"), 3);
	assert_int_equal(count_points(s, "bgp", NULL), 2 * 2048 + 3);
	store_free(s);
}

static void
test_invalid(void **state)
{
	struct store *s = open_ok(tdb("invalid"));
	struct store_point p = { "asn:1", 0, 0.0 / 0.0 };
	char longkey[300];

	(void)state;
	assert_int_equal(store_points_put(s, "bgp", NULL, &p, 1), LL_EINVAL);
	assert_non_null(strstr(store_errmsg(s), "not finite"));
	p.value = 1;
	assert_int_equal(store_points_put(s, "", NULL, &p, 1), LL_EINVAL);
	memset(longkey, 'a', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	p.entity = longkey;
	assert_int_equal(store_points_put(s, "bgp", NULL, &p, 1), LL_EINVAL);
	p.entity = NULL;
	assert_int_equal(store_points_put(s, "bgp", NULL, &p, 1), LL_EINVAL);
	assert_int_equal(count_points(s, "bgp", NULL), 0);
	assert_int_equal(store_points_put(s, "bgp", NULL, NULL, 0), 0);

	assert_int_equal(store_tx_commit(s), LL_EINVAL);
	assert_int_equal(store_tx_rollback(s), LL_EINVAL);
	assert_int_equal(store_tx_begin(s), 0);
	assert_true(store_tx_active(s));
	assert_int_equal(store_tx_begin(s), LL_EINVAL);
	assert_int_equal(store_tx_commit(s), 0);
	assert_false(store_tx_active(s));
	assert_string_equal(store_errmsg(NULL), "");
	store_free(s);
}

static void
fill_archive(struct store_archive *a, int k, uint64_t points)
{
	memset(a, 0, sizeof(*a));
	for (int i = 0; i < 64; i++)
		a->sha256[i] = "0123456789abcdef"[(k * 7 + i) % 16];
	a->sha256[0] = (char)('a' + k % 6);
	snprintf(a->name, sizeof(a->name), "updates.%d.gz", k);
	a->size = 1000u + (uint64_t)k;
	a->first_time = 1609459200 + 900 * k;
	a->last_time = a->first_time + 899;
	a->records = 10;
	a->bad_records = (uint64_t)k % 2;
	a->points = points;
	a->status = k % 2 ? STORE_ARCHIVE_ERRORS : STORE_ARCHIVE_OK;
}

static int
count_archives(void *ctx, const struct store_archive *a)
{
	(void)a;
	(*(int *)ctx)++;
	return 0;
}

static void
test_archive(void **state)
{
	struct store *s = open_ok(tdb("archive"));
	struct store_archive a, b;
	char upper[STORE_SHA256_HEX];
	int n = 0;

	(void)state;
	fill_archive(&a, 1, 7);
	assert_int_equal(store_archive_get(s, a.sha256, NULL), LL_ENOTFOUND);
	assert_int_equal(store_archive_record(s, &a), 0);
	assert_int_equal(store_archive_get(s, a.sha256, &b), 0);
	assert_string_equal(b.sha256, a.sha256);
	assert_string_equal(b.name, "updates.1.gz");
	assert_int_equal(b.size, 1001);
	assert_int_equal(b.first_time, a.first_time);
	assert_int_equal(b.last_time, a.last_time);
	assert_int_equal(b.records, 10);
	assert_int_equal(b.bad_records, 1);
	assert_int_equal(b.points, 7);
	assert_int_equal(b.status, STORE_ARCHIVE_ERRORS);
	assert_true(b.ingested_at > 1600000000);
	assert_true(b.ingested_at <= (int64_t)time(NULL));
	/* Hex in either case is the same archive. */
	for (int i = 0; i < 65; i++)
		upper[i] = (char)(a.sha256[i] >= 'a' && a.sha256[i] <= 'f' ?
		    a.sha256[i] - 32 : a.sha256[i]);
	assert_int_equal(store_archive_get(s, upper, NULL), 0);
	memcpy(b.sha256, upper, sizeof(upper));
	assert_int_equal(store_archive_record(s, &b), LL_EEXIST);
	assert_int_equal(store_archive_get(s, "abc", NULL), LL_EINVAL);
	upper[5] = 'g';
	assert_int_equal(store_archive_get(s, upper, NULL), LL_EINVAL);

	fill_archive(&b, 2, 0);
	assert_int_equal(store_archive_record(s, &b), 0);
	assert_int_equal(store_archive_list(s, count_archives, &n), 0);
	assert_int_equal(n, 2);

	assert_int_equal(store_meta_set(s, "bin", "300"), 0);
	assert_int_equal(store_meta_set(s, "bin", "600"), 0);
	assert_int_equal(store_meta_get(s, "bin", upper, sizeof(upper)), 0);
	assert_string_equal(upper, "600");
	assert_int_equal(store_meta_set(s, "bin", NULL), 0);
	assert_int_equal(store_meta_get(s, "bin", upper, sizeof(upper)),
	    LL_ENOTFOUND);
	store_free(s);
}

static void
test_rollback(void **state)
{
	const char *p = tdb("rollback");
	struct store *s = open_ok(p), *other = open_ok(p);
	struct store_point pts[100];
	struct store_archive a;
	struct sercoll sc = { 0 };

	(void)state;
	for (int i = 0; i < 100; i++)
		pts[i] = (struct store_point){ i % 2 ? "asn:1" : "asn:2",
		    1609459200 + 300 * (i / 2), i };
	fill_archive(&a, 3, 100);
	assert_int_equal(store_tx_begin(s), 0);
	assert_int_equal(store_points_put(s, "bgp", a.sha256, pts, 100), 0);
	assert_int_equal(store_archive_record(s, &a), 0);
	assert_int_equal(store_meta_set(s, "k", "v"), 0);
	/* Inside: visible to the writer, not to another handle. */
	assert_int_equal(count_points(s, "bgp", NULL), 100);
	assert_int_equal(count_points(other, "bgp", NULL), 0);
	assert_int_equal(store_archive_get(other, a.sha256, NULL),
	    LL_ENOTFOUND);
	assert_int_equal(store_tx_rollback(s), 0);

	assert_int_equal(count_points(s, "bgp", NULL), 0);
	assert_int_equal(store_archive_get(s, a.sha256, NULL), LL_ENOTFOUND);
	assert_int_equal(store_series_list(s, NULL, collect_series, &sc), 0);
	assert_int_equal(sc.n, 0);
	assert_int_equal(raw_sql(p, "SELECT count(*) FROM series"), 0);
	assert_int_equal(raw_sql(p, "SELECT count(*) FROM source"), 0);
	assert_int_equal(raw_sql(p, "SELECT count(*) FROM meta"), 0);

	/* The same entities written again after the rollback (ids the
	 * rolled-back transaction created must not be reused). */
	assert_int_equal(store_points_put(s, "bgp", a.sha256, pts, 100), 0);
	assert_int_equal(count_points(other, "bgp", "asn:1"), 50);
	if (!pg)
		assert_int_equal(raw_sql(p, "SELECT count(*) FROM "
		    "pragma_foreign_key_check"), 0);

	/* Freeing with a transaction open rolls it back. */
	assert_int_equal(store_tx_begin(s), 0);
	assert_int_equal(store_archive_record(s, &a), 0);
	store_free(s);
	assert_int_equal(store_archive_get(other, a.sha256, NULL),
	    LL_ENOTFOUND);
	store_free(other);
}

/* ---- kill -9 ---------------------------------------------------------- */

#define CRASH_ARCHIVES	20
#define CRASH_POINTS	1600	/* per archive */

static void
crash_entity(int k, char *buf, size_t len)
{
	snprintf(buf, len, "asn:%d", 64500 + k);
}

/*
 * The ingest pattern of store.h, for archives 0..CRASH_ARCHIVES-1: skip
 * the ones done, else write the points of the archive (one entity per
 * archive plus a shared one) and record it in one transaction. Runs in a
 * child that the parent kills; returns only when all are done.
 */
static void
crash_child(const char *path, bool die_before_commit)
{
	struct store_point *pts;
	struct store_archive a;
	struct store *s = NULL;
	char ent[32];
	int k;

	if (store_open(path, STORE_CREATE, &s, NULL, 0) != 0)
		_exit(2);
	if ((pts = calloc(CRASH_POINTS, sizeof(*pts))) == NULL)
		_exit(2);
	for (k = 0; k < CRASH_ARCHIVES; k++) {
		fill_archive(&a, k, CRASH_POINTS);
		if (store_archive_get(s, a.sha256, NULL) == 0)
			continue;
		crash_entity(k, ent, sizeof(ent));
		for (int i = 0; i < CRASH_POINTS; i++) {
			pts[i].entity = i % 4 == 0 ? "country:ZZ" : ent;
			pts[i].time = 1609459200 + 300 * (k * CRASH_POINTS + i);
			pts[i].value = k * CRASH_POINTS + i;
		}
		if (store_tx_begin(s) != 0)
			_exit(3);
		for (int i = 0; i < CRASH_POINTS; i += 500)
			if (store_points_put(s, "bgp", a.sha256, pts + i,
			    CRASH_POINTS - i < 500 ? (size_t)(CRASH_POINTS - i) :
			    500) != 0)
				_exit(4);
		if (store_archive_record(s, &a) != 0)
			_exit(5);
		if (die_before_commit)
			raise(SIGKILL);
		if (store_tx_commit(s) != 0)
			_exit(6);
	}
	free(pts);
	store_free(s);
	_exit(0);
}

/* Every recorded archive has all its points; no point without its
 * archive; the file is sound. Returns the archives done. */
static int
crash_check(const char *path)
{
	struct store *s = open_ok(path);
	struct store_archive a;
	char ent[32], ok[32];
	size_t shared = 0;
	int done = 0;

	if (!pg) {
		assert_string_equal(raw_text(path, "PRAGMA integrity_check",
		    ok, sizeof(ok)), "ok");
		assert_int_equal(raw_sql(path, "SELECT count(*) FROM "
		    "pragma_foreign_key_check"), 0);
	}
	for (int k = 0; k < CRASH_ARCHIVES; k++) {
		size_t n;

		fill_archive(&a, k, 0);
		crash_entity(k, ent, sizeof(ent));
		n = count_points(s, "bgp", ent);
		if (store_archive_get(s, a.sha256, &a) == 0) {
			assert_int_equal(a.points, CRASH_POINTS);
			assert_int_equal(n, CRASH_POINTS * 3 / 4);
			shared += CRASH_POINTS / 4;
			done++;
		} else {
			assert_int_equal(n, 0);
		}
	}
	assert_int_equal(count_points(s, "bgp", "country:ZZ"), shared);
	store_free(s);
	return done;
}

static pid_t
crash_spawn(const char *path, bool die_before_commit)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		crash_child(path, die_before_commit);
	return pid;
}

static void
test_crash_before_commit(void **state)
{
	const char *p = tdb("crash1");
	pid_t pid;
	int st;

	(void)state;
	pid = crash_spawn(p, true);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	assert_int_equal(crash_check(p), 0);
	assert_int_equal(raw_sql(p, "SELECT count(*) FROM chunk"), 0);
	assert_int_equal(raw_sql(p, "SELECT count(*) FROM archive"), 0);
}

static void
test_crash_random(void **state)
{
	char p[1024], clean[1024];
	int done = 0, prev = 0, kills = 0, st;
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	pid_t pid;

	(void)state;
	snprintf(p, sizeof(p), "%s", tdb("crash2"));
	snprintf(clean, sizeof(clean), "%s", tdb("clean"));
	print_message("crash seed %u\n", seed);
	srand(seed);
	/* A clean run first: how long the whole ingest takes. */
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = crash_spawn(clean, false);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long us = (long)(t1.tv_sec - t0.tv_sec) * 1000000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000;
	print_message("clean run %ld us\n", us);
	/* Kill the ingest at random moments of that span, four times while
	 * it runs. A kill that comes after the end shrinks the span, and the
	 * store is emptied so that the next kill interrupts a real ingest. */
	for (int round = 0; round < 200 && kills < 4; round++) {
		long at = rand() % (us > 1 ? us : 1);
		struct timespec ts = { at / 1000000, (at % 1000000) * 1000 };

		pid = crash_spawn(p, false);
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &st, 0), pid);
		if (WIFSIGNALED(st)) {
			kills++;
			done = crash_check(p);
			assert_true(done >= prev);
			prev = done;
			continue;
		}
		assert_int_equal(WEXITSTATUS(st), 0);
		assert_int_equal(crash_check(p), CRASH_ARCHIVES);
		us = at;
		prev = 0;
		if (pg)
			(void)tdb("crash2");	/* empty again */
		for (int k = 0; pg == false && k < 3; k++) {
			char f[1100];

			snprintf(f, sizeof(f), "%s%s", p, (const char *[]){ "",
			    "-wal", "-shm" }[k]);
			unlink(f);
		}
	}
	/* Then finish it: the result equals a clean run's. */
	pid = crash_spawn(p, false);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(crash_check(p), CRASH_ARCHIVES);
	print_message("killed %d times\n", kills);
	assert_true(kills > 0);

	{
		char *x = dump_points(p), *y = dump_points(clean);

		assert_string_equal(x, y);
		free(x);
		free(y);
	}
	assert_int_equal(raw_sql(p, "SELECT sum(n) FROM chunk"),
	    CRASH_ARCHIVES * CRASH_POINTS);
}

/* Speed, for the record (not asserted: timing is the bench's job). */
static void
test_throughput(void **state)
{
	enum { N = 200000, ENTS = 1000 };
	struct store *s = open_ok(tdb("speed"));
	struct store_point *pts = calloc(N, sizeof(*pts));
	static char ents[ENTS][16];
	struct timespec a, b, ca, cb;
	double secs, cpu;

	(void)state;
	assert_non_null(pts);
	for (int i = 0; i < ENTS; i++)
		snprintf(ents[i], sizeof(ents[i]), "asn:%d", i + 1);
	for (int i = 0; i < N; i++)
		pts[i] = (struct store_point){ ents[i % ENTS],
		    1609459200 + 300 * (i / ENTS), i };
	clock_gettime(CLOCK_MONOTONIC, &a);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ca);
	assert_int_equal(store_points_put(s, "bgp", "speed", pts, N), 0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cb);
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec -
	    a.tv_nsec) / 1e9;
	cpu = (double)(cb.tv_sec - ca.tv_sec) + (double)(cb.tv_nsec -
	    ca.tv_nsec) / 1e9;
	print_message("%d points in %.3f s wall (%.0f points/s), %.3f s CPU "
	    "(%.0f points/s)\n", N, secs, N / secs, cpu, N / cpu);
	assert_int_equal(count_points(s, "bgp", "asn:7"), N / ENTS);
	free(pts);
	store_free(s);
}

/* ---- PostgreSQL only -------------------------------------------------- */

/* What an empty or foreign database, or a newer schema, gives. */
static void
test_pg_open(void **state)
{
	const char *u = tdb("pgopen");
	struct store *s = NULL;
	char err[512];

	(void)state;
	assert_int_equal(store_open(u, 0, &s, err, sizeof(err)), LL_ENOTFOUND);
	assert_int_equal(store_open(u, STORE_RDONLY, &s, err, sizeof(err)),
	    LL_EUNSUP);
	assert_non_null(strstr(err, "empty"));
	s = open_ok(u);
	assert_string_equal(store_backend(s), "postgresql");
	assert_int_equal(store_schema_version(s), latest());
	store_free(s);
	assert_int_equal(raw_sql(u, "SELECT version FROM lifeline_schema"),
	    latest());
	assert_int_equal(store_open(u, STORE_RDONLY, &s, err, sizeof(err)), 0);
	store_free(s);
	raw_sql(u, "UPDATE lifeline_schema SET version = 999");
	assert_int_equal(store_open(u, 0, &s, err, sizeof(err)), LL_EUNSUP);
	assert_non_null(strstr(err, "newer"));
	u = tdb("pgforeign");
	raw_sql(u, "CREATE TABLE t (x int)");
	assert_int_equal(store_open(u, STORE_CREATE, &s, err, sizeof(err)),
	    LL_EUNSUP);
	assert_non_null(strstr(err, "not a Lifeline database"));
	assert_int_equal(raw_sql(u, "SELECT count(*) FROM pg_tables WHERE "
	    "schemaname = 'public'"), 1);
}

/* A database of schema version 5 (before kinds, detection, events and
 * evidence) is upgraded when opened for writing, its points kept; a
 * reader refuses it until then. */
static void
test_pg_upgrade(void **state)
{
	const char *u = tdb("pgupgrade");
	struct store_point pt = { "country:EG", 1609477200, 42 };
	struct store_kind k = { "bgp", "/24s", "visible /24s" };
	struct store *s;
	struct coll c = { 0 };
	char err[512];

	(void)state;
	s = open_ok(u);
	assert_int_equal(store_points_put(s, "bgp", "x", &pt, 1), 0);
	store_free(s);
	raw_sql(u, "DROP TABLE kind, dstate, alert, baseline, transition, "
	    "incident, event, evidence, users_as, country, impact; "
	    "UPDATE lifeline_schema SET version = "
	    "5");
	assert_int_equal(store_open(u, STORE_RDONLY, &s, err, sizeof(err)),
	    LL_EUNSUP);
	assert_non_null(strstr(err, "needs an upgrade"));
	s = open_ok(u);
	assert_int_equal(store_schema_version(s), latest());
	assert_int_equal(store_kind_put(s, &k), 0);
	assert_int_equal(store_points_scan(s, "bgp", NULL, INT64_MIN,
	    INT64_MAX, collect, &c), 0);
	assert_int_equal(c.n, 1);
	assert_true(c.v[0] == 42);
	store_free(s);
	assert_int_equal(raw_sql(u, "SELECT version FROM lifeline_schema"),
	    latest());
	assert_int_equal(raw_sql(u, "SELECT count(*) FROM kind"), 1);
}

/* Like crash_child, but a writer that finds an archive recorded by
 * another meanwhile (LL_EEXIST) rolls back and goes on. */
static void
writer_child(const char *path, int first)
{
	struct store_point *pts = calloc(CRASH_POINTS, sizeof(*pts));
	struct store_archive a;
	struct store *s = NULL;
	char ent[32];
	int rc;

	if (pts == NULL || store_open(path, STORE_CREATE, &s, NULL, 0) != 0)
		_exit(2);
	for (int j = 0; j < CRASH_ARCHIVES; j++) {
		int k = (first + j) % CRASH_ARCHIVES;

		fill_archive(&a, k, CRASH_POINTS);
		if (store_archive_get(s, a.sha256, NULL) == 0)
			continue;
		crash_entity(k, ent, sizeof(ent));
		for (int i = 0; i < CRASH_POINTS; i++) {
			pts[i].entity = i % 4 == 0 ? "country:ZZ" : ent;
			pts[i].time = 1609459200 + 300 * (k * CRASH_POINTS + i);
			pts[i].value = k * CRASH_POINTS + i;
		}
		if (store_tx_begin(s) != 0 || store_points_put(s, "bgp",
		    a.sha256, pts, CRASH_POINTS) != 0)
			_exit(3);
		rc = store_archive_record(s, &a);
		if (rc == LL_EEXIST) {
			if (store_tx_rollback(s) != 0)
				_exit(4);
			continue;
		}
		if (rc != 0 || store_tx_commit(s) != 0)
			_exit(5);
	}
	free(pts);
	store_free(s);
	_exit(0);
}

/* Two writers at once, on a new database, over the same series: the
 * tables made once, every archive once, every point of it there, none
 * twice. */
static void
test_pg_two_writers(void **state)
{
	char p[1024];
	pid_t a, b;
	int st;

	(void)state;
	/* both create the store's tables too, at once */
	snprintf(p, sizeof(p), "%s", tdb("writers"));
	if ((a = fork()) == 0)
		writer_child(p, 0);
	if ((b = fork()) == 0)
		writer_child(p, CRASH_ARCHIVES / 2);
	assert_true(a > 0 && b > 0);
	assert_int_equal(waitpid(a, &st, 0), a);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(waitpid(b, &st, 0), b);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(crash_check(p), CRASH_ARCHIVES);
	assert_int_equal(raw_sql(p, "SELECT sum(n) FROM chunk"),
	    CRASH_ARCHIVES * CRASH_POINTS);
	assert_int_equal(raw_sql(p, "SELECT count(*) FROM archive"),
	    CRASH_ARCHIVES);
}

/* The server ends the connection in the middle of a transaction: the
 * commit fails with one line, and nothing of it is kept. */
static void
test_pg_lost_connection(void **state)
{
	const char *u = tdb("lost");
	struct store *s = open_ok(u);
	struct store_point pts[100];
	struct store_archive a;
	const char *m;

	(void)state;
	for (int i = 0; i < 100; i++)
		pts[i] = (struct store_point){ "asn:1", 1609459200 + 300 * i,
		    i };
	fill_archive(&a, 4, 100);
	assert_int_equal(store_points_put(s, "bgp", NULL, pts, 1), 0);
	assert_int_equal(store_tx_begin(s), 0);
	assert_int_equal(store_points_put(s, "bgp", a.sha256, pts, 100), 0);
	assert_int_equal(store_archive_record(s, &a), 0);
	assert_int_equal(raw_sql(u, "SELECT count(pg_terminate_backend(pid)) "
	    "FROM pg_stat_activity WHERE application_name = 'lifeline' AND "
	    "datname = current_database()"), 1);
	assert_int_equal(store_tx_commit(s), LL_EDB);
	m = store_errmsg(s);
	print_message("%s\n", m);
	assert_non_null(strstr(m, "connection lost"));
	assert_non_null(strstr(m, "postgresql:///test_store_pg_run_lost"));
	assert_null(strchr(m, '\n'));
	/* the handle stays safe to use and to free */
	assert_int_equal(store_points_put(s, "bgp", NULL, pts, 1), LL_EDB);
	store_free(s);
	s = open_ok(u);
	assert_int_equal(count_points(s, "bgp", NULL), 1);
	assert_int_equal(store_archive_get(s, a.sha256, NULL), LL_ENOTFOUND);
	store_free(s);
}

static int
setup(void **state)
{
	(void)state;
	return (tmpdir = test_tmpdir_make("store")) == NULL ? -1 : 0;
}

int
main(void)
{
	const char *b = getenv("LL_TEST_BACKEND");
	const struct CMUnitTest pg_tests[] = {
		cmocka_unit_test(test_pg_open),
		cmocka_unit_test(test_pg_upgrade),
		cmocka_unit_test(test_upsert),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_sparse_series),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_archive),
		cmocka_unit_test(test_rollback),
		cmocka_unit_test(test_crash_before_commit),
		cmocka_unit_test(test_crash_random),
		cmocka_unit_test(test_pg_two_writers),
		cmocka_unit_test(test_pg_lost_connection),
		cmocka_unit_test(test_throughput),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_migrate),
		cmocka_unit_test(test_upgrade_empty_and_old),
		cmocka_unit_test(test_migrate_v1_points),
		cmocka_unit_test(test_migrate_v2_chunks),
		cmocka_unit_test(test_migrate_v9_dstate),
		cmocka_unit_test(test_damaged_chunk),
		cmocka_unit_test(test_refuse),
		cmocka_unit_test(test_upsert),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_sparse_series),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_archive),
		cmocka_unit_test(test_rollback),
		cmocka_unit_test(test_crash_before_commit),
		cmocka_unit_test(test_crash_random),
		cmocka_unit_test(test_throughput),
	};

	pg = b != NULL && strcmp(b, "postgresql") == 0;
	if (pg) {
		if (getenv("LL_TEST_PG") == NULL)
			test_skip("no PostgreSQL test cluster ($LL_TEST_PG is "
			    "not set; make check starts one)");
		return test_main("store-pg", pg_tests, setup,
		    test_tmpdir_teardown);
	}
	return test_main("store", tests, setup, test_tmpdir_teardown);
}
