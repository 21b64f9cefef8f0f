/*
 * The SQLite backend: one file in WAL mode, foreign keys on, a busy
 * timeout, and versioned migrations kept in PRAGMA user_version (the file
 * is marked with PRAGMA application_id so that another program's database
 * is refused rather than "upgraded").
 *
 * Points are stored per series (signal, entity) in a WITHOUT ROWID table
 * keyed by (series, time); the series and source ids are cached in memory
 * so that a batch costs one prepared INSERT per point.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "store/store_int.h"
#include "util/err.h"

#define SQ_APP_ID	0x4c4c5354	/* "LLST" */
#define SQ_BUSY_MS	10000
#define SQ_CACHE_MAX	(1u << 20)	/* series ids kept in memory */
#define SQ_ROWS		64		/* points per multi-row INSERT */

/*
 * The migrations, in order: migrations[i] takes the schema from version i
 * to i + 1, in one transaction. Append only; never edit a released one.
 */
static const char *const migrations[] = {
	/* 1: signal points, ingested archives, settings. */
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE source ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE"
	");"
	"CREATE TABLE series ("
	"  id INTEGER PRIMARY KEY,"
	"  signal TEXT NOT NULL,"
	"  entity TEXT NOT NULL,"
	"  UNIQUE (signal, entity)"
	");"
	"CREATE TABLE point ("
	"  series INTEGER NOT NULL REFERENCES series(id),"
	"  time INTEGER NOT NULL,"
	"  value REAL NOT NULL,"
	"  source INTEGER REFERENCES source(id),"
	"  PRIMARY KEY (series, time)"
	") WITHOUT ROWID;"
	"CREATE TABLE archive ("
	"  sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),"
	"  name TEXT NOT NULL,"
	"  size INTEGER NOT NULL CHECK (size >= 0),"
	"  first_time INTEGER NOT NULL,"
	"  last_time INTEGER NOT NULL,"
	"  records INTEGER NOT NULL CHECK (records >= 0),"
	"  bad_records INTEGER NOT NULL CHECK (bad_records >= 0),"
	"  points INTEGER NOT NULL CHECK (points >= 0),"
	"  status TEXT NOT NULL CHECK (status IN ('ok', 'errors')),"
	"  ingested_at INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX archive_by_time ON archive (first_time, name);",
};
#define SQ_LATEST	((int)(sizeof(migrations) / sizeof(migrations[0])))

/* (signal, entity) -> series id, open addressing. */
struct sq_ent {
	char		*key;		/* signal NUL entity */
	size_t		 klen;
	int64_t		 id;
};

struct sq {
	sqlite3		*db;
	sqlite3_stmt	*put;		/* upsert one point */
	sqlite3_stmt	*putn;		/* upsert SQ_ROWS points */
	sqlite3_stmt	*ser_get;
	sqlite3_stmt	*ser_add;
	sqlite3_stmt	*src_get;
	sqlite3_stmt	*src_add;
	struct sq_ent	*tab;
	size_t		 cap;		/* power of two, or 0 */
	size_t		 n;
	char		*src_name;	/* the last source looked up */
	int64_t		 src_id;
};

static struct sq *
SQ(struct store *s)
{
	return s->be;
}

/* Sets the message from SQLite's and returns the matching LL_E*. */
static int
sq_err(struct store *s, int src, const char *what)
{
	sqlite3 *db = SQ(s)->db;
	int rc = LL_EDB;

	if ((src & 0xff) == SQLITE_NOMEM)
		rc = LL_ENOMEM;
	return store_seterr(s, rc, "%s: %s", what,
	    db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(src));
}

static int
sq_exec(struct store *s, const char *sql, const char *what)
{
	int src;

	if ((src = sqlite3_exec(SQ(s)->db, sql, NULL, NULL, NULL)) !=
	    SQLITE_OK)
		return sq_err(s, src, what);
	return 0;
}

static int
sq_prepare(struct store *s, const char *sql, sqlite3_stmt **st)
{
	int src;

	src = sqlite3_prepare_v3(SQ(s)->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    st, NULL);
	if (src != SQLITE_OK)
		return sq_err(s, src, "prepare");
	return 0;
}

/* Runs a one-integer query ("PRAGMA user_version") into *out. */
static int
sq_int(struct store *s, const char *sql, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int src, rc = 0;

	*out = 0;
	if ((rc = sq_prepare(s, sql, &st)) != 0)
		return rc;
	src = sqlite3_step(st);
	if (src == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (src == SQLITE_DONE)
		*out = 0;
	else
		rc = sq_err(s, src, sql);
	sqlite3_finalize(st);
	return rc;
}

/* ---- the series id cache ------------------------------------------ */

static uint64_t
sq_hash(const char *k, size_t n)
{
	uint64_t h = 14695981039346656037ull;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)k[i];
		h *= 1099511628211ull;
	}
	return h;
}

static void
sq_cache_clear(struct sq *q)
{
	for (size_t i = 0; i < q->cap; i++)
		free(q->tab[i].key);
	free(q->tab);
	q->tab = NULL;
	q->cap = q->n = 0;
	free(q->src_name);
	q->src_name = NULL;
	q->src_id = 0;
}

static struct sq_ent *
sq_cache_slot(struct sq_ent *tab, size_t cap, const char *k, size_t n)
{
	size_t i = (size_t)sq_hash(k, n) & (cap - 1);

	while (tab[i].key != NULL &&
	    (tab[i].klen != n || memcmp(tab[i].key, k, n) != 0))
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static int
sq_cache_grow(struct sq *q)
{
	size_t cap = q->cap == 0 ? 1024 : q->cap * 2;
	struct sq_ent *tab, *e;

	if ((tab = calloc(cap, sizeof(*tab))) == NULL)
		return LL_ENOMEM;
	for (size_t i = 0; i < q->cap; i++) {
		if (q->tab[i].key == NULL)
			continue;
		e = sq_cache_slot(tab, cap, q->tab[i].key, q->tab[i].klen);
		*e = q->tab[i];
	}
	free(q->tab);
	q->tab = tab;
	q->cap = cap;
	return 0;
}

static int
sq_cache_add(struct sq *q, const char *k, size_t n, int64_t id)
{
	struct sq_ent *e;
	int rc;

	if (q->n >= SQ_CACHE_MAX)
		return 0;	/* a cache, not a must */
	if ((q->n + 1) * 10 > q->cap * 7 && (rc = sq_cache_grow(q)) != 0)
		return rc;
	e = sq_cache_slot(q->tab, q->cap, k, n);
	if ((e->key = malloc(n)) == NULL)
		return LL_ENOMEM;
	memcpy(e->key, k, n);
	e->klen = n;
	e->id = id;
	q->n++;
	return 0;
}

/* Looks up or creates a row of a (name) or (signal, entity) table. */
static int
sq_row_id(struct store *s, sqlite3_stmt *get, sqlite3_stmt *add,
    const char *a, const char *b, int64_t *id)
{
	int src, rc = 0;

	sqlite3_bind_text(get, 1, a, -1, SQLITE_STATIC);
	if (b != NULL)
		sqlite3_bind_text(get, 2, b, -1, SQLITE_STATIC);
	src = sqlite3_step(get);
	if (src == SQLITE_ROW) {
		*id = sqlite3_column_int64(get, 0);
		goto out;
	}
	if (src != SQLITE_DONE) {
		rc = sq_err(s, src, "look up series");
		goto out;
	}
	sqlite3_bind_text(add, 1, a, -1, SQLITE_STATIC);
	if (b != NULL)
		sqlite3_bind_text(add, 2, b, -1, SQLITE_STATIC);
	if ((src = sqlite3_step(add)) != SQLITE_DONE)
		rc = sq_err(s, src, "add series");
	else
		*id = sqlite3_last_insert_rowid(SQ(s)->db);
	sqlite3_reset(add);
out:
	sqlite3_reset(get);
	return rc;
}

static int
sq_series_id(struct store *s, const char *signal, size_t slen,
    const char *entity, int64_t *id)
{
	struct sq *q = SQ(s);
	char key[2 * STORE_KEY_MAX];
	size_t elen = strlen(entity), n = slen + 1 + elen;
	struct sq_ent *e;
	int rc;

	memcpy(key, signal, slen);
	key[slen] = '\0';
	memcpy(key + slen + 1, entity, elen);
	if (q->cap > 0) {
		e = sq_cache_slot(q->tab, q->cap, key, n);
		if (e->key != NULL) {
			*id = e->id;
			return 0;
		}
	}
	if ((rc = sq_row_id(s, q->ser_get, q->ser_add, signal, entity, id)) !=
	    0)
		return rc;
	if ((rc = sq_cache_add(q, key, n, *id)) != 0)
		return store_seterr(s, rc, "series cache: out of memory");
	return 0;
}

static int
sq_source_id(struct store *s, const char *source, int64_t *id)
{
	struct sq *q = SQ(s);
	int rc;

	if (q->src_name != NULL && strcmp(q->src_name, source) == 0) {
		*id = q->src_id;
		return 0;
	}
	if ((rc = sq_row_id(s, q->src_get, q->src_add, source, NULL, id)) != 0)
		return rc;
	free(q->src_name);
	if ((q->src_name = strdup(source)) == NULL)
		return store_seterr(s, LL_ENOMEM, "out of memory");
	q->src_id = *id;
	return 0;
}

/* ---- opening and migrating ------------------------------------------ */

static int
sq_migrate_one(struct store *s, int v)
{
	char sql[96], why[sizeof(s->errmsg)];
	int64_t cur;
	int rc;

	if ((rc = sq_exec(s, "BEGIN IMMEDIATE", "migrate: begin")) != 0)
		return rc;
	/* Another process may have migrated while we waited. */
	if ((rc = sq_int(s, "PRAGMA user_version", &cur)) != 0)
		goto fail;
	if (cur > v)
		return sq_exec(s, "COMMIT", "migrate: commit");
	if ((rc = sq_exec(s, migrations[v], "migrate")) != 0)
		goto fail;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d; "
	    "PRAGMA application_id = %d", v + 1, SQ_APP_ID);
	if ((rc = sq_exec(s, sql, "migrate: version")) != 0)
		goto fail;
	if ((rc = sq_exec(s, "COMMIT", "migrate: commit")) != 0)
		goto fail;
	return 0;
fail:
	snprintf(why, sizeof(why), "%s", s->errmsg);
	(void)sqlite3_exec(SQ(s)->db, "ROLLBACK", NULL, NULL, NULL);
	return store_seterr(s, rc, "schema version %d -> %d: %s", v, v + 1,
	    why);
}

/* Checks the file is ours (or empty) and not from a newer Lifeline. */
static int
sq_check(struct store *s, const char *path, unsigned flags, int64_t *ver)
{
	char why[sizeof(s->errmsg)];
	int64_t app, tables;
	int rc;

	if ((rc = sq_int(s, "PRAGMA application_id", &app)) != 0) {
		snprintf(why, sizeof(why), "%s", s->errmsg);
		return store_seterr(s, rc, "%s: %s", path, why);
	}
	if ((rc = sq_int(s, "PRAGMA user_version", ver)) != 0)
		return rc;
	if ((rc = sq_int(s, "SELECT count(*) FROM sqlite_schema", &tables)) !=
	    0)
		return rc;
	if (app != SQ_APP_ID && (app != 0 || tables > 0))
		return store_seterr(s, LL_EUNSUP, "%s: not a Lifeline "
		    "database", path);
	if (*ver > SQ_LATEST)
		return store_seterr(s, LL_EUNSUP, "%s: schema version %lld is "
		    "newer than this Lifeline knows (%d); upgrade Lifeline",
		    path, (long long)*ver, SQ_LATEST);
	if ((flags & STORE_RDONLY) && *ver < SQ_LATEST)
		return store_seterr(s, LL_EUNSUP, "%s: schema version %lld "
		    "needs an upgrade to %d; open it once for writing", path,
		    (long long)*ver, SQ_LATEST);
	return 0;
}

/* The upsert of n points: "INSERT ... VALUES (?,?,?,?), ... ON CONFLICT". */
static int
sq_prepare_put(struct store *s, int n, sqlite3_stmt **st)
{
	static const char head[] = "INSERT INTO point (series, time, value, "
	    "source) VALUES ";
	static const char tail[] = " ON CONFLICT (series, time) DO UPDATE SET "
	    "value = excluded.value, source = excluded.source";
	char sql[sizeof(head) + SQ_ROWS * 11 + sizeof(tail)];
	size_t off;

	memcpy(sql, head, sizeof(head) - 1);
	off = sizeof(head) - 1;
	for (int i = 0; i < n; i++) {
		memcpy(sql + off, i > 0 ? ",(?,?,?,?)" : "(?,?,?,?)",
		    i > 0 ? 10 : 9);
		off += i > 0 ? 10 : 9;
	}
	memcpy(sql + off, tail, sizeof(tail));
	return sq_prepare(s, sql, st);
}

static int
sq_prepare_all(struct store *s)
{
	struct sq *q = SQ(s);
	int rc;

	if ((rc = sq_prepare_put(s, 1, &q->put)) != 0 ||
	    (rc = sq_prepare_put(s, SQ_ROWS, &q->putn)) != 0 ||
	    (rc = sq_prepare(s, "SELECT id FROM series WHERE signal = ?1 AND "
	    "entity = ?2", &q->ser_get)) != 0 ||
	    (rc = sq_prepare(s, "INSERT INTO series (signal, entity) VALUES "
	    "(?1, ?2)", &q->ser_add)) != 0 ||
	    (rc = sq_prepare(s, "SELECT id FROM source WHERE name = ?1",
	    &q->src_get)) != 0 ||
	    (rc = sq_prepare(s, "INSERT INTO source (name) VALUES (?1)",
	    &q->src_add)) != 0)
		return rc;
	return 0;
}

static const struct store_ops sq_ops;

static int
sq_open_db(struct store *s, const char *path, unsigned flags)
{
	struct stat sb;
	int oflags, src;

	if (!(flags & STORE_CREATE) && stat(path, &sb) != 0 && errno == ENOENT)
		return store_seterr(s, LL_ENOTFOUND, "%s: no such database",
		    path);
	oflags = (flags & STORE_RDONLY) ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | ((flags & STORE_CREATE) ?
	    SQLITE_OPEN_CREATE : 0);
	src = sqlite3_open_v2(path, &SQ(s)->db, oflags | SQLITE_OPEN_NOMUTEX,
	    NULL);
	if (src != SQLITE_OK)
		return store_seterr(s, src == SQLITE_NOMEM ? LL_ENOMEM :
		    LL_EDB, "%s: %s", path, SQ(s)->db != NULL ?
		    sqlite3_errmsg(SQ(s)->db) : sqlite3_errstr(src));
	sqlite3_extended_result_codes(SQ(s)->db, 1);
	sqlite3_busy_timeout(SQ(s)->db, SQ_BUSY_MS);
	return 0;
}

int
store_sqlite_open(struct store *s, const char *path, unsigned flags)
{
	int64_t ver;
	int rc;

	if ((s->be = calloc(1, sizeof(struct sq))) == NULL)
		return store_seterr(s, LL_ENOMEM, "out of memory");
	s->ops = &sq_ops;
	if ((rc = sq_open_db(s, path, flags)) != 0)
		return rc;
	if ((rc = sq_check(s, path, flags, &ver)) != 0)
		return rc;
	if ((rc = sq_exec(s, "PRAGMA foreign_keys = ON; "
	    "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; "
	    "PRAGMA temp_store = MEMORY", "settings")) != 0)
		return rc;
	if (!(flags & STORE_RDONLY)) {
		if ((rc = sq_exec(s, "PRAGMA journal_mode = WAL",
		    "WAL mode")) != 0)
			return rc;
		for (int v = (int)ver; v < SQ_LATEST; v++)
			if ((rc = sq_migrate_one(s, v)) != 0)
				return rc;
	}
	s->version = SQ_LATEST;
	return sq_prepare_all(s);
}

int
store_sqlite_latest(void)
{
	return SQ_LATEST;
}

static void
sq_close(struct store *s)
{
	struct sq *q = SQ(s);

	if (q == NULL)
		return;
	sqlite3_finalize(q->put);
	sqlite3_finalize(q->putn);
	sqlite3_finalize(q->ser_get);
	sqlite3_finalize(q->ser_add);
	sqlite3_finalize(q->src_get);
	sqlite3_finalize(q->src_add);
	sq_cache_clear(q);
	sqlite3_close(q->db);
	free(q);
	s->be = NULL;
}

/* ---- transactions ---------------------------------------------------- */

static int
sq_tx_begin(struct store *s)
{
	return sq_exec(s, "BEGIN IMMEDIATE", "begin");
}

static int
sq_tx_commit(struct store *s)
{
	return sq_exec(s, "COMMIT", "commit");
}

static int
sq_tx_rollback(struct store *s)
{
	/* Ids created in the transaction are gone with it. */
	sq_cache_clear(SQ(s));
	if (sqlite3_get_autocommit(SQ(s)->db))
		return 0;	/* SQLite already rolled back */
	return sq_exec(s, "ROLLBACK", "rollback");
}

/* ---- points ------------------------------------------------------- */

/* A point of a batch with its series id, for sorting. */
struct sq_row {
	int64_t		 series;
	int64_t		 time;
	double		 value;
	size_t		 idx;		/* position in the batch */
};

static int
sq_row_cmp(const void *a, const void *b)
{
	const struct sq_row *x = a, *y = b;

	if (x->series != y->series)
		return x->series < y->series ? -1 : 1;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Binds and runs st for the m rows (m = 1 or SQ_ROWS). */
static int
sq_put_rows(struct store *s, sqlite3_stmt *st, const struct sq_row *r,
    int m, bool has_src, int64_t src_id)
{
	int src;

	for (int i = 0, k = 1; i < m; i++, k += 4) {
		sqlite3_bind_int64(st, k, r[i].series);
		sqlite3_bind_int64(st, k + 1, r[i].time);
		sqlite3_bind_double(st, k + 2, r[i].value);
		if (has_src)
			sqlite3_bind_int64(st, k + 3, src_id);
		else
			sqlite3_bind_null(st, k + 3);
	}
	src = sqlite3_step(st);
	sqlite3_reset(st);
	if (src != SQLITE_DONE)
		return sq_err(s, src, "write points");
	return 0;
}

/*
 * One chunk of a batch: series ids looked up, then written in (series,
 * time) order, which keeps the B-tree walk local (about 3x faster than
 * the callers' order, typically entity-major within a bin). Duplicates of
 * a (series, time) keep their order, so the last one given wins.
 */
static int
sq_put_chunk(struct store *s, const char *signal, size_t slen,
    const struct store_point *pts, size_t n, struct sq_row *r, bool has_src,
    int64_t src_id)
{
	struct sq *q = SQ(s);
	size_t i = 0;
	int rc;

	for (size_t j = 0; j < n; j++) {
		if ((rc = sq_series_id(s, signal, slen, pts[j].entity,
		    &r[j].series)) != 0)
			return rc;
		r[j].time = pts[j].time;
		r[j].value = pts[j].value;
		r[j].idx = j;
	}
	qsort(r, n, sizeof(*r), sq_row_cmp);
	for (; n - i >= SQ_ROWS; i += SQ_ROWS)
		if ((rc = sq_put_rows(s, q->putn, r + i, SQ_ROWS, has_src,
		    src_id)) != 0)
			return rc;
	for (; i < n; i++)
		if ((rc = sq_put_rows(s, q->put, r + i, 1, has_src,
		    src_id)) != 0)
			return rc;
	return 0;
}

#define SQ_CHUNK	65536	/* points sorted at a time */

static int
sq_points_put(struct store *s, const char *signal, const char *source,
    const struct store_point *pts, size_t n)
{
	size_t slen = strlen(signal), m;
	int64_t src_id = 0;
	struct sq_row *r;
	int rc = 0;

	if (source != NULL && (rc = sq_source_id(s, source, &src_id)) != 0)
		return rc;
	m = n < SQ_CHUNK ? n : SQ_CHUNK;
	if ((r = malloc(m * sizeof(*r))) == NULL)
		return store_seterr(s, LL_ENOMEM, "out of memory");
	for (size_t i = 0; i < n && rc == 0; i += m) {
		if (m > n - i)
			m = n - i;
		rc = sq_put_chunk(s, signal, slen, pts + i, m, r,
		    source != NULL, src_id);
	}
	free(r);
	return rc;
}

/* Binds signal, [entity,] from, to in that order. */
static void
sq_bind_range(sqlite3_stmt *st, const char *signal, const char *entity,
    int64_t from, int64_t to)
{
	int i = 1;

	sqlite3_bind_text(st, i++, signal, -1, SQLITE_STATIC);
	if (entity != NULL)
		sqlite3_bind_text(st, i++, entity, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, i++, from);
	sqlite3_bind_int64(st, i, to);
}

static int
sq_points_scan(struct store *s, const char *signal, const char *entity,
    int64_t from, int64_t to, store_point_fn *fn, void *ctx)
{
	const char *sql = entity != NULL ?
	    "SELECT e.entity, p.time, p.value FROM series e JOIN point p "
	    "ON p.series = e.id WHERE e.signal = ?1 AND e.entity = ?2 AND "
	    "p.time >= ?3 AND p.time < ?4 ORDER BY p.time" :
	    "SELECT e.entity, p.time, p.value FROM series e JOIN point p "
	    "ON p.series = e.id WHERE e.signal = ?1 AND p.time >= ?2 AND "
	    "p.time < ?3 ORDER BY e.entity, p.time";
	struct store_point p;
	sqlite3_stmt *st = NULL;
	int src, rc;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, sql, -1, &st, NULL)) !=
	    SQLITE_OK)
		return sq_err(s, src, "prepare scan");
	sq_bind_range(st, signal, entity, from, to);
	rc = 0;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		p.entity = (const char *)sqlite3_column_text(st, 0);
		p.time = sqlite3_column_int64(st, 1);
		p.value = sqlite3_column_double(st, 2);
		if (p.entity == NULL)
			p.entity = "";
		if ((rc = fn(ctx, &p)) != 0)
			break;
	}
	if (rc == 0 && src != SQLITE_DONE)
		rc = sq_err(s, src, "scan points");
	sqlite3_finalize(st);
	return rc;
}

static int
sq_points_delete(struct store *s, const char *signal, const char *entity,
    int64_t from, int64_t to)
{
	const char *sql = entity != NULL ?
	    "DELETE FROM point WHERE series = (SELECT id FROM series WHERE "
	    "signal = ?1 AND entity = ?2) AND time >= ?3 AND time < ?4" :
	    "DELETE FROM point WHERE series IN (SELECT id FROM series WHERE "
	    "signal = ?1) AND time >= ?2 AND time < ?3";
	sqlite3_stmt *st = NULL;
	int src, rc = 0;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, sql, -1, &st, NULL)) !=
	    SQLITE_OK)
		return sq_err(s, src, "prepare delete");
	sq_bind_range(st, signal, entity, from, to);
	if ((src = sqlite3_step(st)) != SQLITE_DONE)
		rc = sq_err(s, src, "delete points");
	sqlite3_finalize(st);
	return rc;
}

static int
sq_series_list(struct store *s, const char *signal, store_series_fn *fn,
    void *ctx)
{
	const char *sql = signal != NULL ?
	    "SELECT e.signal, e.entity, count(*), min(p.time), max(p.time) "
	    "FROM series e JOIN point p ON p.series = e.id WHERE "
	    "e.signal = ?1 GROUP BY e.id ORDER BY e.signal, e.entity" :
	    "SELECT e.signal, e.entity, count(*), min(p.time), max(p.time) "
	    "FROM series e JOIN point p ON p.series = e.id "
	    "GROUP BY e.id ORDER BY e.signal, e.entity";
	struct store_series ser;
	sqlite3_stmt *st = NULL;
	int src, rc = 0;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, sql, -1, &st, NULL)) !=
	    SQLITE_OK)
		return sq_err(s, src, "prepare series list");
	if (signal != NULL)
		sqlite3_bind_text(st, 1, signal, -1, SQLITE_STATIC);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		ser.signal = (const char *)sqlite3_column_text(st, 0);
		ser.entity = (const char *)sqlite3_column_text(st, 1);
		ser.points = (uint64_t)sqlite3_column_int64(st, 2);
		ser.first = sqlite3_column_int64(st, 3);
		ser.last = sqlite3_column_int64(st, 4);
		if (ser.signal == NULL || ser.entity == NULL) {
			rc = store_seterr(s, LL_ENOMEM, "out of memory");
			break;
		}
		if ((rc = fn(ctx, &ser)) != 0)
			break;
	}
	if (rc == 0 && src != SQLITE_DONE)
		rc = sq_err(s, src, "list series");
	sqlite3_finalize(st);
	return rc;
}

/* ---- archives --------------------------------------------------------- */

#define SQ_ARCHIVE_COLS	"sha256, name, size, first_time, last_time, " \
	"records, bad_records, points, status, ingested_at"

static void
sq_archive_row(sqlite3_stmt *st, struct store_archive *a)
{
	const char *t;

	memset(a, 0, sizeof(*a));
	if ((t = (const char *)sqlite3_column_text(st, 0)) != NULL)
		snprintf(a->sha256, sizeof(a->sha256), "%s", t);
	if ((t = (const char *)sqlite3_column_text(st, 1)) != NULL)
		snprintf(a->name, sizeof(a->name), "%s", t);
	a->size = (uint64_t)sqlite3_column_int64(st, 2);
	a->first_time = sqlite3_column_int64(st, 3);
	a->last_time = sqlite3_column_int64(st, 4);
	a->records = (uint64_t)sqlite3_column_int64(st, 5);
	a->bad_records = (uint64_t)sqlite3_column_int64(st, 6);
	a->points = (uint64_t)sqlite3_column_int64(st, 7);
	t = (const char *)sqlite3_column_text(st, 8);
	a->status = t != NULL && strcmp(t, "errors") == 0 ?
	    STORE_ARCHIVE_ERRORS : STORE_ARCHIVE_OK;
	a->ingested_at = sqlite3_column_int64(st, 9);
}

static int
sq_archive_get(struct store *s, const char *sha256, struct store_archive *out)
{
	sqlite3_stmt *st = NULL;
	int src, rc = 0;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "SELECT " SQ_ARCHIVE_COLS
	    " FROM archive WHERE sha256 = ?1", -1, &st, NULL)) != SQLITE_OK)
		return sq_err(s, src, "prepare archive");
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		if (out != NULL)
			sq_archive_row(st, out);
	} else if (src == SQLITE_DONE)
		rc = store_seterr(s, LL_ENOTFOUND, "archive %s not ingested",
		    sha256);
	else
		rc = sq_err(s, src, "look up archive");
	sqlite3_finalize(st);
	return rc;
}

static int
sq_archive_record(struct store *s, const struct store_archive *a)
{
	sqlite3_stmt *st = NULL;
	int src, rc = 0;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "INSERT INTO archive ("
	    SQ_ARCHIVE_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
	    "?10)", -1, &st, NULL)) != SQLITE_OK)
		return sq_err(s, src, "prepare archive");
	sqlite3_bind_text(st, 1, a->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)a->size);
	sqlite3_bind_int64(st, 4, a->first_time);
	sqlite3_bind_int64(st, 5, a->last_time);
	sqlite3_bind_int64(st, 6, (int64_t)a->records);
	sqlite3_bind_int64(st, 7, (int64_t)a->bad_records);
	sqlite3_bind_int64(st, 8, (int64_t)a->points);
	sqlite3_bind_text(st, 9, a->status == STORE_ARCHIVE_ERRORS ?
	    "errors" : "ok", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, (int64_t)time(NULL));
	src = sqlite3_step(st);
	if (src == SQLITE_CONSTRAINT_PRIMARYKEY)
		rc = store_seterr(s, LL_EEXIST, "archive %s (%s) is already "
		    "ingested", a->sha256, a->name);
	else if (src != SQLITE_DONE)
		rc = sq_err(s, src, "record archive");
	sqlite3_finalize(st);
	return rc;
}

static int
sq_archive_list(struct store *s, store_archive_fn *fn, void *ctx)
{
	struct store_archive a;
	sqlite3_stmt *st = NULL;
	int src, rc = 0;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "SELECT " SQ_ARCHIVE_COLS
	    " FROM archive ORDER BY first_time, name", -1, &st, NULL)) !=
	    SQLITE_OK)
		return sq_err(s, src, "prepare archive list");
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		sq_archive_row(st, &a);
		if ((rc = fn(ctx, &a)) != 0)
			break;
	}
	if (rc == 0 && src != SQLITE_DONE)
		rc = sq_err(s, src, "list archives");
	sqlite3_finalize(st);
	return rc;
}

/* ---- settings ----------------------------------------------------- */

static int
sq_meta_get(struct store *s, const char *key, char *buf, size_t len)
{
	sqlite3_stmt *st = NULL;
	const char *v;
	int src, rc = 0;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "SELECT value FROM meta "
	    "WHERE key = ?1", -1, &st, NULL)) != SQLITE_OK)
		return sq_err(s, src, "prepare meta");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		v = (const char *)sqlite3_column_text(st, 0);
		snprintf(buf, len, "%s", v != NULL ? v : "");
	} else if (src == SQLITE_DONE)
		rc = store_seterr(s, LL_ENOTFOUND, "no setting %s", key);
	else
		rc = sq_err(s, src, "read setting");
	sqlite3_finalize(st);
	return rc;
}

static int
sq_meta_set(struct store *s, const char *key, const char *value)
{
	sqlite3_stmt *st = NULL;
	int src, rc = 0;

	src = sqlite3_prepare_v2(SQ(s)->db, value != NULL ?
	    "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) "
	    "DO UPDATE SET value = excluded.value" :
	    "DELETE FROM meta WHERE key = ?1", -1, &st, NULL);
	if (src != SQLITE_OK)
		return sq_err(s, src, "prepare meta");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (value != NULL)
		sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	if ((src = sqlite3_step(st)) != SQLITE_DONE)
		rc = sq_err(s, src, "write setting");
	sqlite3_finalize(st);
	return rc;
}

static const struct store_ops sq_ops = {
	.name = "sqlite",
	.close = sq_close,
	.tx_begin = sq_tx_begin,
	.tx_commit = sq_tx_commit,
	.tx_rollback = sq_tx_rollback,
	.points_put = sq_points_put,
	.points_scan = sq_points_scan,
	.points_delete = sq_points_delete,
	.series_list = sq_series_list,
	.archive_get = sq_archive_get,
	.archive_record = sq_archive_record,
	.archive_list = sq_archive_list,
	.meta_get = sq_meta_get,
	.meta_set = sq_meta_set,
};
