/*
 * The SQLite backend: one file in WAL mode, foreign keys on, a busy
 * timeout, and versioned migrations kept in PRAGMA user_version (the file
 * is marked with PRAGMA application_id so that another program's database
 * is refused rather than "upgraded").
 *
 * Points are stored per series (signal, entity) and span of time in
 * chunks (store_chunk.h): one row per series per 6 hours. Points written
 * in a transaction are gathered in memory and merged into their chunks at
 * commit (or before anything reads them, or when many are waiting), so an
 * ingest writes each chunk once. The series and source ids are cached in
 * memory.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/store_chunk.h"
#include "store/store_int.h"
#include "util/err.h"
#include "util/grow.h"
#include "util/hash.h"

#define SQ_APP_ID	0x4c4c5354	/* "LLST" */
#define SQ_BUSY_MS	10000
#define SQ_CACHE_MAX	(1u << 20)	/* series ids kept in memory */
#define SQ_PEND_MAX	(1u << 20)	/* points gathered before a flush */

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
	/* 2: points in chunks of a series and 6 hours (store_chunk.h); the
	 * points of version 1 are moved by sq_mig_chunks(). */
	/* A rowid table: a WITHOUT ROWID row over about 1 KB spills to an
	 * overflow page, a rowid row keeps up to 4 KB in place (a 6-hour
	 * chunk of 5-minute bins is 1.2 KB). */
	"CREATE TABLE chunk ("
	"  id INTEGER PRIMARY KEY,"
	"  series INTEGER NOT NULL REFERENCES series(id),"
	"  start INTEGER NOT NULL,"
	"  n INTEGER NOT NULL CHECK (n > 0),"
	"  first INTEGER NOT NULL,"
	"  last INTEGER NOT NULL,"
	"  data BLOB NOT NULL,"
	"  UNIQUE (series, start)"
	");",
	/* 3: chunk blobs as deltas and varints (store_chunk.h), about an
	 * eighth of the fixed entries' size; sq_mig_compact() re-encodes
	 * those of version 2. */
	"",
	/* 4: the settings each archive was ingested with (the signal's
	 * options and its sources, as one canonical line): the column is
	 * added by sq_add_column(). */
	"",
	/* 5: coverage gaps (store_gap_put): bins a signal has no values
	 * for, per collector, with the reason. */
	"CREATE TABLE IF NOT EXISTS gap ("
	"  signal TEXT NOT NULL,"
	"  collector TEXT NOT NULL,"
	"  start INTEGER NOT NULL,"
	"  stop INTEGER NOT NULL CHECK (stop > start),"
	"  reason TEXT NOT NULL,"
	"  PRIMARY KEY (signal, collector, start)"
	") WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS gap_by_time ON gap (signal, start);",
	/* 6: a unit and a description per signal kind (store_kind_put). */
	"CREATE TABLE IF NOT EXISTS kind ("
	"  name TEXT PRIMARY KEY,"
	"  unit TEXT NOT NULL,"
	"  description TEXT NOT NULL"
	") WITHOUT ROWID;",
	/* 7: detection: detector state per series, alerts, pinned
	 * baselines, incidents and their lifecycle (store.h). */
	"CREATE TABLE IF NOT EXISTS dstate ("
	"  detector TEXT NOT NULL,"
	"  signal TEXT NOT NULL,"
	"  entity TEXT NOT NULL,"
	"  last INTEGER NOT NULL,"
	"  level INTEGER NOT NULL,"
	"  run INTEGER NOT NULL,"
	"  PRIMARY KEY (detector, signal, entity)"
	") WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS alert ("
	"  detector TEXT NOT NULL,"
	"  signal TEXT NOT NULL,"
	"  entity TEXT NOT NULL,"
	"  time INTEGER NOT NULL,"
	"  level TEXT NOT NULL,"
	"  value REAL NOT NULL,"
	"  expected REAL NOT NULL,"
	"  PRIMARY KEY (detector, signal, entity, time)"
	") WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS alert_by_time ON alert (time, entity);"
	"CREATE TABLE IF NOT EXISTS baseline ("
	"  signal TEXT NOT NULL,"
	"  entity TEXT NOT NULL,"
	"  start INTEGER NOT NULL,"
	"  stop INTEGER NOT NULL CHECK (stop > start),"
	"  value REAL NOT NULL,"
	"  who TEXT NOT NULL,"
	"  pinned_at INTEGER NOT NULL,"
	"  PRIMARY KEY (signal, entity)"
	") WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS incident ("
	"  id INTEGER PRIMARY KEY,"
	"  class TEXT NOT NULL,"
	"  scope TEXT NOT NULL,"
	"  signals TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  severity TEXT NOT NULL,"
	"  start INTEGER NOT NULL,"
	"  stop INTEGER NOT NULL,"
	"  last INTEGER NOT NULL,"
	"  confidence REAL NOT NULL,"
	"  score REAL NOT NULL,"
	"  restored REAL NOT NULL,"
	"  run INTEGER NOT NULL,"
	"  campaign INTEGER NOT NULL"
	");"
	"CREATE TABLE IF NOT EXISTS transition ("
	"  id INTEGER PRIMARY KEY,"
	"  incident INTEGER NOT NULL REFERENCES incident(id),"
	"  time INTEGER NOT NULL,"
	"  state TEXT NOT NULL,"
	"  who TEXT NOT NULL,"
	"  note TEXT NOT NULL,"
	"  at INTEGER NOT NULL"
	");"
	"CREATE INDEX IF NOT EXISTS transition_by_incident ON transition "
	"(incident, id);",
	/* 8: events (store_event_put): routing alerts and the like, for
	 * incidents to include; stop is NULL while the event lasts. */
	"CREATE TABLE IF NOT EXISTS event ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  entity TEXT NOT NULL,"
	"  start INTEGER NOT NULL,"
	"  stop INTEGER CHECK (stop IS NULL OR stop >= start),"
	"  detail TEXT NOT NULL,"
	"  UNIQUE (kind, entity, start)"
	");"
	"CREATE INDEX IF NOT EXISTS event_by_time ON event (start);",
	/* 9: the evidence log (store_evidence_append): signed, chained
	 * records, append-only. */
	"CREATE TABLE IF NOT EXISTS evidence ("
	"  seq INTEGER PRIMARY KEY CHECK (seq > 0),"
	"  record BLOB NOT NULL"
	");",
	/* 10: impact: per-AS user estimates and country figures the user
	 * imports, and each incident's figures with their inputs. */
	"CREATE TABLE IF NOT EXISTS users_as ("
	"  cc TEXT NOT NULL,"
	"  asn INTEGER NOT NULL CHECK (asn > 0),"
	"  users REAL NOT NULL CHECK (users >= 0),"
	"  share REAL NOT NULL,"
	"  samples REAL NOT NULL,"
	"  source TEXT NOT NULL,"
	"  PRIMARY KEY (cc, asn)"
	") WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS country ("
	"  cc TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  year INTEGER NOT NULL,"
	"  gdp REAL NOT NULL,"
	"  population REAL NOT NULL,"
	"  users REAL NOT NULL,"
	"  digital REAL NOT NULL,"
	"  source TEXT NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS impact ("
	"  id INTEGER PRIMARY KEY,"
	"  incident INTEGER NOT NULL,"
	"  name TEXT NOT NULL,"
	"  value REAL,"
	"  unit TEXT NOT NULL,"
	"  method TEXT NOT NULL,"
	"  formula TEXT NOT NULL,"
	"  inputs TEXT NOT NULL,"
	"  computed_at INTEGER NOT NULL,"
	"  UNIQUE (incident, name)"
	");",
	/* 11: a detector's running value per series (the CUSUM sum): the
	 * column is added by sq_add_column(). */
	"",
};
#define SQ_LATEST	((int)(sizeof(migrations) / sizeof(migrations[0])))

/* (signal, entity) -> series id, open addressing. */
struct sq_ent {
	char		*key;		/* signal NUL entity */
	size_t		 klen;
	uint64_t	 h;		/* sq_hash() of the key */
	int64_t		 id;
};

/* A point waiting to be merged into its chunk. */
struct sq_pend {
	int64_t		 series;
	int64_t		 time;
	double		 value;
	uint32_t	 src;
	uint32_t	 seq;		/* order of writing: the last wins */
};

struct sq {
	sqlite3		*db;
	sqlite3_stmt	*chunk_get;
	sqlite3_stmt	*chunk_put;
	sqlite3_stmt	*chunk_del;
	struct sq_pend	*pend;
	size_t		 npend, pendcap;
	size_t		*cnt;		/* points waiting per series id */
	size_t		 cntcap;
	int64_t		 cnt_max;	/* the largest id counted */
	bool		 cnt_ok;	/* false: some id was not counted */
	int64_t		 fresh_from;	/* series ids from this one were made
					   in the transaction and have no
					   chunk yet; INT64_MAX: none known */
	struct chunk_ent *scratch;	/* a flush's or a scan's entries */
	size_t		 scratchcap;
	sqlite3_stmt	*ser_get;
	sqlite3_stmt	*ser_add;
	sqlite3_stmt	*src_get;
	sqlite3_stmt	*src_add;
	sqlite3_stmt	*alert_put;	/* kept: a detection run writes */
	sqlite3_stmt	*dstate_put;	/*   many of them */
	struct sq_ent	*tab;
	size_t		 cap;		/* power of two, or 0 */
	size_t		 n;
	char		*src_name;	/* the last source looked up */
	int64_t		 src_id;
	char		*path;		/* the file, for messages */
};

static struct sq *
SQ(struct store *s)
{
	return s->be;
}

/* Sets the message from SQLite's, naming the file, and returns the
 * matching LL_E*. */
static int
sq_err(struct store *s, int src, const char *what)
{
	sqlite3 *db = SQ(s)->db;
	const char *path = SQ(s)->path != NULL ? SQ(s)->path : "store";
	int rc = LL_EDB;

	if ((src & 0xff) == SQLITE_NOMEM)
		rc = LL_ENOMEM;
	if ((src & 0xff) == SQLITE_BUSY)
		return store_seterr(s, rc, "%s: %s: %s (another process "
		    "holds it; waited %d s)", path, what, db != NULL ?
		    sqlite3_errmsg(db) : sqlite3_errstr(src), SQ_BUSY_MS / 1000);
	return store_seterr(s, rc, "%s: %s: %s", path, what,
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

/* Folds the n bytes at k into h a word at a time, the last partial word
 * assembled in a register: reading the string where it lies, not a copy
 * of it just written, keeps the loads from waiting on store forwarding. */
static uint64_t
sq_hash_bytes(uint64_t h, const char *k, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, k + i, 8);
		h = ll_fold(h, w);
	}
	if (i < n) {
		uint64_t w = 0;

		for (size_t j = 0; i + j < n; j++)
			w |= (uint64_t)(unsigned char)k[i + j] << 8 * j;
		h = ll_fold(h, w);
	}
	return h;
}

/*
 * The hash of a series key (signal, entity), from both strings where they
 * are: an ingest looks up a series for every point it writes, and the
 * byte-at-a-time FNV over a copied key this replaced was most of that.
 */
static uint64_t
sq_hash(const char *signal, size_t slen, const char *entity, size_t elen)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ (slen << 32 | elen);

	return sq_hash_bytes(sq_hash_bytes(h, signal, slen), entity, elen);
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

/* The slot of the key signal NUL entity (n bytes, signal's slen). */
static struct sq_ent *
sq_cache_slot(struct sq_ent *tab, size_t cap, const char *signal,
    size_t slen, const char *entity, size_t n, uint64_t h)
{
	size_t i = (size_t)h & (cap - 1);

	while (tab[i].key != NULL && (tab[i].h != h || tab[i].klen != n ||
	    memcmp(tab[i].key, signal, slen + 1) != 0 ||
	    memcmp(tab[i].key + slen + 1, entity, n - slen - 1) != 0))
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static int
sq_cache_grow(struct sq *q)
{
	size_t cap = q->cap == 0 ? 1024 : q->cap * 2, j;
	struct sq_ent *tab;

	if ((tab = calloc(cap, sizeof(*tab))) == NULL)
		return LL_ENOMEM;
	for (size_t i = 0; i < q->cap; i++) {
		if (q->tab[i].key == NULL)
			continue;
		/* keys are distinct: the first free slot */
		for (j = q->tab[i].h & (cap - 1); tab[j].key != NULL;
		    j = (j + 1) & (cap - 1))
			;
		tab[j] = q->tab[i];
	}
	free(q->tab);
	q->tab = tab;
	q->cap = cap;
	return 0;
}

/* Adds the key signal NUL entity (slen and elen bytes), not there yet. */
static int
sq_cache_add(struct sq *q, const char *signal, size_t slen,
    const char *entity, size_t elen, uint64_t h, int64_t id)
{
	size_t n = slen + 1 + elen;
	struct sq_ent *e;
	int rc;

	if (q->n >= SQ_CACHE_MAX)
		return 0;	/* a cache, not a must */
	if ((q->n + 1) * 10 > q->cap * 7 && (rc = sq_cache_grow(q)) != 0)
		return rc;
	e = sq_cache_slot(q->tab, q->cap, signal, slen, entity, n, h);
	if ((e->key = malloc(n)) == NULL)
		return LL_ENOMEM;
	memcpy(e->key, signal, slen + 1);
	memcpy(e->key + slen + 1, entity, elen);
	e->klen = n;
	e->h = h;
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
	size_t elen = strlen(entity), n = slen + 1 + elen;
	uint64_t h = sq_hash(signal, slen, entity, elen);
	struct sq_ent *e;
	int rc;

	if (q->cap > 0) {
		e = sq_cache_slot(q->tab, q->cap, signal, slen, entity, n, h);
		if (e->key != NULL) {
			*id = e->id;
			return 0;
		}
	}
	if ((rc = sq_row_id(s, q->ser_get, q->ser_add, signal, entity, id)) !=
	    0)
		return rc;
	if ((rc = sq_cache_add(q, signal, slen, entity, elen, h, *id)) != 0)
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

static int	sq_flush(struct store *s);

/* Series ids up to this are counted as points wait (sq_pend_sort()). */
#define SQ_COUNT_MAX	(1 << 22)

/* Counts the point just added for its series, so that the sort at the
 * flush need not read all the points twice more to size its buckets. */
static void
sq_pend_count(struct sq *q, int64_t series)
{
	size_t old = q->cntcap;

	if (!q->cnt_ok)
		return;
	if (series < 0 || series > SQ_COUNT_MAX) {
		q->cnt_ok = false;
		return;
	}
	if ((size_t)series >= q->cntcap) {
		if (ll_grow(&q->cnt, &q->cntcap, (size_t)series + 1,
		    sizeof(*q->cnt)) != 0) {
			q->cnt_ok = false;
			return;
		}
		memset(q->cnt + old, 0, (q->cntcap - old) * sizeof(*q->cnt));
	}
	q->cnt[series]++;
	if (series > q->cnt_max)
		q->cnt_max = series;
}

/* Forgets the waiting points. */
static void
sq_pend_reset(struct sq *q)
{
	if (q->cntcap > 0)
		memset(q->cnt, 0, (q->cnt_max < (int64_t)q->cntcap ?
		    (size_t)q->cnt_max + 1 : q->cntcap) * sizeof(*q->cnt));
	q->cnt_max = 0;
	q->cnt_ok = true;
	q->npend = 0;
}

/*
 * What a database says about itself, read in one statement and so from
 * one snapshot: three statements could see a concurrent creator's work
 * half (no application id yet, its tables already there).
 */
struct sq_head {
	int64_t		app;		/* PRAGMA application_id */
	int64_t		ver;		/* PRAGMA user_version */
	int64_t		objects;	/* rows of sqlite_schema */
	int64_t		tables;		/* of them, Lifeline's tables */
};

/* Versions above this are not a newer Lifeline's but a damaged header. */
#define SQ_VER_MAX	9999

static int	sq_sniff(struct store *s, const char *path);

static int
sq_head_read(struct store *s, const char *path, struct sq_head *h)
{
	sqlite3_stmt *st = NULL;
	int src, rc = 0;

	memset(h, 0, sizeof(*h));
	src = sqlite3_prepare_v2(SQ(s)->db, "SELECT "
	    "(SELECT application_id FROM pragma_application_id), "
	    "(SELECT user_version FROM pragma_user_version), "
	    "(SELECT count(*) FROM sqlite_schema), "
	    "(SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND "
	    "name IN ('meta', 'source', 'series', 'chunk', 'archive'))", -1,
	    &st, NULL);
	if (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		h->app = sqlite3_column_int64(st, 0);
		h->ver = sqlite3_column_int64(st, 1);
		h->objects = sqlite3_column_int64(st, 2);
		h->tables = sqlite3_column_int64(st, 3);
		src = SQLITE_OK;
		/* The statement still holds its read lock: no creator is
		 * halfway through writing the file's first page. */
		rc = sq_sniff(s, path);
	}
	if (src != SQLITE_OK)
		rc = store_seterr(s, (src & 0xff) == SQLITE_NOMEM ? LL_ENOMEM :
		    LL_EDB, "%s: %s", path, sqlite3_errmsg(SQ(s)->db));
	sqlite3_finalize(st);
	return rc;
}

/* True when h is a file with nothing in it yet (a new database). */
static bool
sq_head_new(const struct sq_head *h)
{
	return h->app == 0 && h->ver == 0 && h->objects == 0;
}

/*
 * Checks the file is a Lifeline database this build can use (or empty,
 * for a writer), before any version indexes anything. Every refusal is
 * one line naming the file.
 */
static int
sq_head_check(struct store *s, const char *path, unsigned flags,
    const struct sq_head *h)
{
	int64_t need;

	if (sq_head_new(h))
		return (flags & STORE_RDONLY) ? store_seterr(s, LL_EUNSUP,
		    "%s: empty, not a Lifeline database (nothing was ingested "
		    "into it)", path) : 0;
	if (h->app != SQ_APP_ID) {
		if (h->app != 0)
			return store_seterr(s, LL_EUNSUP, "%s: not a Lifeline "
			    "database (application id 0x%08llx)", path,
			    (unsigned long long)(uint32_t)h->app);
		return store_seterr(s, LL_EUNSUP, "%s: not a Lifeline "
		    "database (no Lifeline application id)", path);
	}
	if (h->ver < 0 || h->ver > SQ_VER_MAX)
		return store_seterr(s, LL_EDB, "%s: damaged database header: "
		    "schema version %lld", path, (long long)h->ver);
	if (h->ver > SQ_LATEST)
		return store_seterr(s, LL_EUNSUP, "%s: schema version %lld is "
		    "newer than this Lifeline knows (%d); upgrade Lifeline",
		    path, (long long)h->ver, SQ_LATEST);
	/* meta, source, series, archive since 1; chunk since 2 */
	need = h->ver >= 2 ? 5 : h->ver == 1 ? 4 : 0;
	if (h->ver == 0 && h->objects > 0)
		return store_seterr(s, LL_EDB, "%s: damaged database: schema "
		    "version 0, yet it holds tables", path);
	if (h->tables < need)
		return store_seterr(s, LL_EDB, "%s: damaged database: schema "
		    "version %lld, but %lld of its %lld tables are missing",
		    path, (long long)h->ver, (long long)(need - h->tables),
		    (long long)need);
	if ((flags & STORE_RDONLY) && h->ver < SQ_LATEST)
		return store_seterr(s, LL_EUNSUP, "%s: schema version %lld "
		    "needs an upgrade to %d; open it once for writing", path,
		    (long long)h->ver, SQ_LATEST);
	return 0;
}

/* Version 1 kept a row a point; version 2 moves them into chunks. */
static int
sq_mig_chunks(struct store *s)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st = NULL;
	int src, rc = 0;

	if ((rc = sq_prepare(s, "SELECT series, time, value, "
	    "coalesce(source, 0) FROM point ORDER BY series, time", &st)) != 0)
		return rc;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		struct sq_pend *p;
		int64_t src_id = sqlite3_column_int64(st, 3);

		if (ll_grow(&q->pend, &q->pendcap, q->npend + 1,
		    sizeof(*q->pend)) != 0) {
			rc = store_seterr(s, LL_ENOMEM, "out of memory");
			break;
		}
		p = &q->pend[q->npend];
		p->series = sqlite3_column_int64(st, 0);
		p->time = sqlite3_column_int64(st, 1);
		p->value = sqlite3_column_double(st, 2);
		p->src = src_id > 0 && src_id <= UINT32_MAX ?
		    (uint32_t)src_id : 0;
		p->seq = (uint32_t)q->npend++;
		sq_pend_count(q, p->series);
		if (q->npend >= SQ_PEND_MAX && (rc = sq_flush(s)) != 0)
			break;
	}
	if (rc == 0 && src != SQLITE_DONE)
		rc = sq_err(s, src, "read points");
	sqlite3_finalize(st);
	if (rc == 0)
		rc = sq_flush(s);
	sq_pend_reset(q);
	if (rc == 0)
		rc = sq_exec(s, "DROP TABLE point", "drop points");
	return rc;
}

/* Version 2's fixed 16-byte entries become version 3's deltas. */
static int
sq_mig_compact(struct store *s)
{
	sqlite3_stmt *get = NULL, *put = NULL;
	struct chunk_ent *e = NULL;
	uint8_t *buf = NULL;
	int src, rc;

	if ((rc = sq_prepare(s, "SELECT id, start, n, data FROM chunk",
	    &get)) != 0 || (rc = sq_prepare(s, "UPDATE chunk SET data = ?2 "
	    "WHERE id = ?1", &put)) != 0)
		goto out;
	if ((e = malloc(STORE_CHUNK_MAX * sizeof(*e))) == NULL ||
	    (buf = malloc(STORE_CHUNK_MAX * STORE_CHUNK_ENTRY_MAX)) == NULL) {
		rc = store_seterr(s, LL_ENOMEM, "out of memory");
		goto out;
	}
	while ((src = sqlite3_step(get)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(get, 0);
		int64_t start = sqlite3_column_int64(get, 1);
		int64_t n = sqlite3_column_int64(get, 2);
		const void *blob = sqlite3_column_blob(get, 3);
		size_t len = (size_t)sqlite3_column_bytes(get, 3);

		if (n <= 0 || n > STORE_CHUNK_MAX || store_chunk_decode_v2(blob,
		    len, start, (size_t)n, e) != 0) {
			rc = store_seterr(s, LL_EDB, "damaged chunk (row "
			    "%lld, time %lld)", (long long)id,
			    (long long)start);
			goto out;
		}
		len = store_chunk_encode(e, (size_t)n, start, buf);
		sqlite3_bind_int64(put, 1, id);
		sqlite3_bind_blob(put, 2, buf, (int)len, SQLITE_STATIC);
		src = sqlite3_step(put);
		sqlite3_reset(put);
		if (src != SQLITE_DONE) {
			rc = sq_err(s, src, "rewrite chunk");
			goto out;
		}
	}
	if (src != SQLITE_DONE)
		rc = sq_err(s, src, "read chunks");
out:
	sqlite3_finalize(get);
	sqlite3_finalize(put);
	free(e);
	free(buf);
	return rc;
}

/* Adds table's column (unless a file relabelled older has it): version
 * 4's archive.settings, version 10's dstate.value. */
static int
sq_add_column(struct store *s, const char *table, const char *column,
    const char *decl)
{
	char sql[256];
	int64_t have;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM pragma_table_info("
	    "'%s') WHERE name = '%s'", table, column);
	if ((rc = sq_int(s, sql, &have)) != 0)
		return rc;
	if (have)
		return 0;
	snprintf(sql, sizeof(sql), "ALTER TABLE %s ADD COLUMN %s %s", table,
	    column, decl);
	return sq_exec(s, sql, "migrate: add a column");
}

/*
 * Brings the file to SQ_LATEST in one transaction, so that no version in
 * between is ever on disk: version 2's step writes chunks in the current
 * encoding, which version 3's step would otherwise take for version 2's.
 * The header is read again under the write lock: another process may
 * have created or migrated the file meanwhile, or it may not be ours.
 */
static int
sq_migrate(struct store *s, const char *path, unsigned flags)
{
	char sql[96], why[sizeof(s->errmsg)];
	struct sq_head h;
	int64_t cur;
	size_t plen;
	int rc, v = 0;

	if ((rc = sq_exec(s, "BEGIN IMMEDIATE", "migrate: begin")) != 0)
		return rc;
	/* Another process may have created or migrated it while we waited.
	 * sq_head_check() keeps cur in [0, SQ_LATEST]. */
	if ((rc = sq_head_read(s, path, &h)) != 0 ||
	    (rc = sq_head_check(s, path, flags, &h)) != 0) {
		(void)sqlite3_exec(SQ(s)->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	cur = h.ver;
	if (cur >= SQ_LATEST)
		return sq_exec(s, "COMMIT", "migrate: commit");
	for (v = (int)cur; v < SQ_LATEST; v++) {
		if ((rc = sq_exec(s, migrations[v], "migrate")) != 0)
			goto fail;
		if (v == 1 && (rc = sq_mig_chunks(s)) != 0)
			goto fail;
		if (v == 2 && cur == 2 && (rc = sq_mig_compact(s)) != 0)
			goto fail;
		if (v == 3 && (rc = sq_add_column(s, "archive", "settings",
		    "TEXT NOT NULL DEFAULT ''")) != 0)
			goto fail;
		if (v == 10 && (rc = sq_add_column(s, "dstate", "value",
		    "REAL NOT NULL DEFAULT 0")) != 0)
			goto fail;
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d; "
	    "PRAGMA application_id = %d", SQ_LATEST, SQ_APP_ID);
	if ((rc = sq_exec(s, sql, "migrate: version")) != 0)
		goto fail;
	if ((rc = sq_exec(s, "COMMIT", "migrate: commit")) != 0)
		goto fail;
	return 0;
fail:
	/* the message names the file once */
	plen = strlen(path);
	snprintf(why, sizeof(why), "%s", strncmp(s->errmsg, path, plen) ==
	    0 && s->errmsg[plen] == ':' ? s->errmsg + plen + 2 : s->errmsg);
	(void)sqlite3_exec(SQ(s)->db, "ROLLBACK", NULL, NULL, NULL);
	return store_seterr(s, rc, "%s: schema version %d -> %d: %s", path, v,
	    v + 1, why);
}

static int
sq_prepare_chunk(struct store *s)
{
	struct sq *q = SQ(s);
	int rc;

	if (q->chunk_get != NULL)
		return 0;
	if ((rc = sq_prepare(s, "SELECT n, data FROM chunk WHERE series = ?1 "
	    "AND start = ?2", &q->chunk_get)) != 0 ||
	    (rc = sq_prepare(s, "INSERT INTO chunk (series, start, n, first, "
	    "last, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (series, "
	    "start) DO UPDATE SET n = excluded.n, first = excluded.first, "
	    "last = excluded.last, data = excluded.data",
	    &q->chunk_put)) != 0 ||
	    (rc = sq_prepare(s, "DELETE FROM chunk WHERE series = ?1 AND "
	    "start = ?2", &q->chunk_del)) != 0)
		return rc;
	return 0;
}

static int
sq_prepare_all(struct store *s)
{
	struct sq *q = SQ(s);
	int rc;

	if ((rc = sq_prepare_chunk(s)) != 0 ||
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

/*
 * The name SQLite is given for path. This SQLite reads names that begin
 * with "file:" as URIs (SQLITE_USE_URI), where "?mode=memory" and the like
 * would change what is opened: such a path is given as "./file:...".
 * With immutable, a URI that opens the file read-only and without locks
 * or the WAL index: '%', '?' and '#' are escaped, and so is a second
 * leading '/' ("//x" would be read as a host).
 */
static char *
sq_name(const char *path, bool immutable)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(path), k = 0;
	char *out;

	if (!immutable) {
		if ((out = malloc(n + 3)) == NULL)
			return NULL;
		snprintf(out, n + 3, "%s%s", strncmp(path, "file:", 5) == 0 ?
		    "./" : "", path);
		return out;
	}
	if (n > (SIZE_MAX - 32) / 3 || (out = malloc(3 * n + 32)) == NULL)
		return NULL;
	k = (size_t)snprintf(out, 32, "file:");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)path[i];

		if (c == '%' || c == '?' || c == '#' ||
		    (i == 1 && c == '/' && path[0] == '/')) {
			out[k++] = '%';
			out[k++] = hex[c >> 4];
			out[k++] = hex[c & 15];
		} else
			out[k++] = (char)c;
	}
	snprintf(out + k, 3 * n + 32 - k, "?mode=ro&immutable=1");
	return out;
}

/* Big-endian integers of SQLite's header. */
static uint32_t
sq_be(const unsigned char *p, size_t n)
{
	uint32_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/*
 * SQLite takes a file too short for its first page for an empty database,
 * which a writer would then write over (a Lifeline database cut to a few
 * bytes, or a short text file, would become a new store), and reads a
 * file cut short only when it reaches the missing pages. So a file that
 * is not empty must begin with SQLite's 100-byte header and hold whole
 * pages, as many as the header says (when its count is valid and no log
 * beside it holds later pages). Called while a statement holds SQLite's
 * read lock, so that a creator's first write is not seen half done.
 */
static int
sq_sniff(struct store *s, const char *path)
{
	static const char magic[16] = "SQLite format 3";
	unsigned char h[100];
	char wal[4096];
	struct stat sb, wsb;
	sqlite3_file *fp = NULL;
	int64_t size;
	uint32_t psz, pages;
	size_t n;

	/* Read through SQLite's own descriptor: closing one of ours would
	 * drop every POSIX lock this process holds on the file. The size
	 * from stat(): SQLite reports a 1-byte file as empty. */
	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size <= 0 ||
	    sqlite3_file_control(SQ(s)->db, "main", SQLITE_FCNTL_FILE_POINTER,
	    &fp) != SQLITE_OK || fp == NULL || fp->pMethods == NULL)
		return 0;
	size = (int64_t)sb.st_size;
	n = size < (int64_t)sizeof(h) ? (size_t)size : sizeof(h);
	if (fp->pMethods->xRead(fp, h, (int)n, 0) != SQLITE_OK)
		return 0;	/* SQLite will say why */
	if (memcmp(h, magic, n < sizeof(magic) ? n : sizeof(magic)) != 0)
		return store_seterr(s, LL_EDB, "%s: file is not a database "
		    "(no SQLite header)", path);
	if (n < sizeof(h))
		return store_seterr(s, LL_EDB, "%s: truncated database (%lld "
		    "bytes, less than SQLite's 100-byte header)", path,
		    (long long)size);
	psz = sq_be(h + 16, 2);
	psz = psz == 1 ? 65536 : psz;
	if (psz < 512 || (psz & (psz - 1)) != 0)
		return store_seterr(s, LL_EDB, "%s: damaged database header: "
		    "page size %u", path, (unsigned)sq_be(h + 16, 2));
	if (size % psz != 0)
		return store_seterr(s, LL_EDB, "%s: truncated database (%lld "
		    "bytes, not a whole number of %u-byte pages)", path,
		    (long long)size, (unsigned)psz);
	pages = sq_be(h + 28, 4);
	if (pages == 0 || sq_be(h + 92, 4) != sq_be(h + 24, 4) ||
	    (size_t)snprintf(wal, sizeof(wal), "%s-wal", path) >= sizeof(wal) ||
	    (stat(wal, &wsb) == 0 && wsb.st_size > 0))
		return 0;
	if ((uint64_t)size < (uint64_t)pages * psz)
		return store_seterr(s, LL_EDB, "%s: truncated database (%lld "
		    "bytes; its header says %llu)", path, (long long)size,
		    (unsigned long long)pages * psz);
	return 0;
}

static int
sq_open_db(struct store *s, const char *path, unsigned flags, bool immutable)
{
	struct stat sb;
	char *name;
	int oflags, src;

	if (stat(path, &sb) != 0) {
		if (errno == ENOENT && !(flags & STORE_CREATE))
			return store_seterr(s, LL_ENOTFOUND, "%s: no such "
			    "database", path);
	} else if (S_ISDIR(sb.st_mode))
		return store_seterr(s, LL_EINVAL, "%s: is a directory, not a "
		    "database file", path);
	oflags = (flags & STORE_RDONLY) ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | ((flags & STORE_CREATE) ?
	    SQLITE_OPEN_CREATE : 0);
	if (immutable)
		oflags |= SQLITE_OPEN_URI;
	if ((name = sq_name(path, immutable)) == NULL)
		return store_seterr(s, LL_ENOMEM, "out of memory");
	src = sqlite3_open_v2(name, &SQ(s)->db, oflags | SQLITE_OPEN_NOMUTEX,
	    NULL);
	free(name);
	if (src != SQLITE_OK)
		return store_seterr(s, src == SQLITE_NOMEM ? LL_ENOMEM :
		    LL_EDB, "%s: %s", path, SQ(s)->db != NULL ?
		    sqlite3_errmsg(SQ(s)->db) : sqlite3_errstr(src));
	sqlite3_extended_result_codes(SQ(s)->db, 1);
	sqlite3_busy_timeout(SQ(s)->db, SQ_BUSY_MS);
	return 0;
}

/*
 * A reader of a WAL database needs its WAL index (PATH-shm), which SQLite
 * makes beside the file: in a directory the reader cannot write, and with
 * no index there, the open fails. When no log holds data either
 * (PATH-wal absent or empty: every commit is in the file), the file alone
 * is the database and is read as immutable. Returns 0 after reopening, or
 * the reason it cannot be read.
 */
static int
sq_reopen_immutable(struct store *s, const char *path, unsigned flags)
{
	char wal[4096];
	struct stat sb;

	if ((size_t)snprintf(wal, sizeof(wal), "%s-wal", path) >= sizeof(wal))
		return store_seterr(s, LL_EINVAL, "%s: path too long", path);
	if (stat(wal, &sb) == 0 && sb.st_size > 0)
		return store_seterr(s, LL_EDB, "%s: cannot be read here: its "
		    "log %s-wal holds commits, and its index %s-shm cannot be "
		    "made in this directory (open it once where it can be "
		    "written)", path, path, path);
	sqlite3_close(SQ(s)->db);
	SQ(s)->db = NULL;
	return sq_open_db(s, path, flags, true);
}

/* True for SQLite's "cannot make the WAL index" failures of a reader. */
static bool
sq_cannot_init(int src)
{
	return src == SQLITE_READONLY_DIRECTORY ||
	    src == SQLITE_READONLY_CANTINIT || src == SQLITE_CANTOPEN ||
	    src == SQLITE_READONLY_CANTLOCK;
}

/*
 * Puts the file in WAL mode. Two processes creating one database at once
 * both hold a read lock when they ask for the write lock this needs;
 * SQLite then fails one at once (waiting could deadlock) rather than
 * calling the busy handler. So: let go, wait a little, try again, up to
 * the busy timeout.
 */
static int
sq_wal(struct store *s, const char *path)
{
	sqlite3_stmt *st = NULL;
	int src, waited = 0, rc = 0;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "PRAGMA journal_mode = WAL",
	    -1, &st, NULL)) != SQLITE_OK)
		return sq_err(s, src, "WAL mode");
	for (unsigned i = 0;; i++) {
		int ms = 5 + (int)((unsigned)getpid() * 7u + i * 13u) % 20;

		src = sqlite3_step(st);
		sqlite3_reset(st);
		if (src == SQLITE_ROW || src == SQLITE_DONE)
			break;
		if (((src & 0xff) != SQLITE_BUSY && (src & 0xff) !=
		    SQLITE_LOCKED) || waited >= SQ_BUSY_MS) {
			rc = store_seterr(s, LL_EDB, "%s: WAL mode: %s", path,
			    sqlite3_errmsg(SQ(s)->db));
			break;
		}
		sqlite3_sleep(ms);
		waited += ms;
	}
	sqlite3_finalize(st);
	return rc;
}

int
store_sqlite_open(struct store *s, const char *path, unsigned flags)
{
	struct sq_head h;
	int rc;

	if ((s->be = calloc(1, sizeof(struct sq))) == NULL)
		return store_seterr(s, LL_ENOMEM, "out of memory");
	SQ(s)->fresh_from = INT64_MAX;
	SQ(s)->cnt_ok = true;
	s->ops = &sq_ops;
	if ((SQ(s)->path = strdup(path)) == NULL)
		return store_seterr(s, LL_ENOMEM, "out of memory");
	if ((rc = sq_open_db(s, path, flags, false)) != 0)
		return rc;
	rc = sq_head_read(s, path, &h);
	if (rc != 0 && (flags & STORE_RDONLY) &&
	    sq_cannot_init(sqlite3_extended_errcode(SQ(s)->db))) {
		if ((rc = sq_reopen_immutable(s, path, flags)) != 0)
			return rc;
		rc = sq_head_read(s, path, &h);
	}
	if (rc != 0 || (rc = sq_head_check(s, path, flags, &h)) != 0)
		return rc;
	if ((rc = sq_exec(s, "PRAGMA foreign_keys = ON; "
	    "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; "
	    "PRAGMA temp_store = MEMORY", "settings")) != 0)
		return rc;
	if (!(flags & STORE_RDONLY)) {
		if (sq_head_new(&h) && (rc = sq_exec(s, "PRAGMA page_size = "
		    "16384", "page size")) != 0)
			return rc;
		if ((rc = sq_wal(s, path)) != 0)
			return rc;
		if (h.ver < SQ_LATEST && (rc = sq_migrate(s, path, flags)) != 0)
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
	sqlite3_finalize(q->chunk_get);
	sqlite3_finalize(q->chunk_put);
	sqlite3_finalize(q->chunk_del);
	free(q->pend);
	free(q->cnt);
	free(q->scratch);
	sqlite3_finalize(q->ser_get);
	sqlite3_finalize(q->ser_add);
	sqlite3_finalize(q->src_get);
	sqlite3_finalize(q->src_add);
	sqlite3_finalize(q->alert_put);
	sqlite3_finalize(q->dstate_put);
	sq_cache_clear(q);
	sqlite3_close(q->db);
	free(q->path);
	free(q);
	s->be = NULL;
}

/* ---- transactions ---------------------------------------------------- */

static int
sq_tx_begin(struct store *s)
{
	struct sq *q = SQ(s);
	int64_t max;
	int rc;

	q->fresh_from = INT64_MAX;
	if ((rc = sq_exec(s, "BEGIN IMMEDIATE", "begin")) != 0)
		return rc;
	/*
	 * SQLite gives a new row the largest rowid plus one (unless that
	 * one is the largest possible), so ids above today's largest are
	 * series this transaction makes: a flush need not look for their
	 * chunks until it has written some.
	 */
	if (sq_int(s, "SELECT coalesce(max(id), 0) FROM series", &max) == 0 &&
	    max < INT64_MAX - 1)
		q->fresh_from = max + 1;
	return 0;
}

static int	sq_tx_rollback(struct store *s);

static int
sq_tx_commit(struct store *s)
{
	int rc;

	if ((rc = sq_flush(s)) != 0) {
		(void)sq_tx_rollback(s);
		return rc;
	}
	rc = sq_exec(s, "COMMIT", "commit");
	return rc;
}

static int
sq_tx_rollback(struct store *s)
{
	/* Ids created in the transaction are gone with it, and so are the
	 * points still waiting. */
	sq_cache_clear(SQ(s));
	sq_pend_reset(SQ(s));
	SQ(s)->fresh_from = INT64_MAX;
	if (sqlite3_get_autocommit(SQ(s)->db))
		return 0;	/* SQLite already rolled back */
	return sq_exec(s, "ROLLBACK", "rollback");
}

/* ---- points ------------------------------------------------------- */

static int
sq_pend_cmp(const void *a, const void *b)
{
	const struct sq_pend *x = a, *y = b;

	if (x->series != y->series)
		return x->series < y->series ? -1 : 1;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static int
sq_pend_time_cmp(const void *a, const void *b)
{
	const struct sq_pend *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/*
 * Sorts the waiting points by series, keeping the order of writing within
 * one. Series ids are small and dense (rowids), so a stable counting sort
 * on the counts sq_pend_count() kept does it in one pass; sparse or
 * uncounted ids take a qsort by (series, time, order of writing). A
 * writer gives each series' points in time order, so sq_flush() sorts by
 * time only the series whose points did not come so.
 */
static int
sq_pend_sort(struct sq *q)
{
	struct sq_pend *tmp;
	size_t *pos, nb, at = 0;

	if (!q->cnt_ok || q->cnt_max > (int64_t)(4 * q->npend + 1024)) {
		qsort(q->pend, q->npend, sizeof(*q->pend), sq_pend_cmp);
		return 0;
	}
	if ((tmp = malloc(q->npend * sizeof(*tmp))) == NULL)
		return LL_ENOMEM;
	nb = (size_t)q->cnt_max + 1;
	pos = q->cnt;			/* counts become start positions */
	for (size_t b = 0; b < nb; b++) {
		size_t c = pos[b];

		pos[b] = at;
		at += c;
	}
	for (size_t i = 0; i < q->npend; i++)
		tmp[pos[q->pend[i].series]++] = q->pend[i];
	free(q->pend);
	q->pend = tmp;
	q->pendcap = q->npend;
	return 0;
}

/* Room for n entries in the scratch array. */
static int
sq_scratch(struct store *s, size_t n)
{
	struct sq *q = SQ(s);

	if (ll_grow(&q->scratch, &q->scratchcap, n, sizeof(*q->scratch)) != 0)
		return store_seterr(s, LL_ENOMEM, "out of memory");
	return 0;
}

/* Reads the chunk (series, start) into old (room for STORE_CHUNK_MAX);
 * *n = 0 when there is none. */
static int
sq_chunk_read(struct store *s, int64_t series, int64_t start,
    struct chunk_ent *old, size_t *n)
{
	sqlite3_stmt *st = SQ(s)->chunk_get;
	int src, rc = 0;

	*n = 0;
	sqlite3_bind_int64(st, 1, series);
	sqlite3_bind_int64(st, 2, start);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		int64_t cnt = sqlite3_column_int64(st, 0);
		const void *blob = sqlite3_column_blob(st, 1);
		size_t len = (size_t)sqlite3_column_bytes(st, 1);

		if (cnt <= 0 || cnt > STORE_CHUNK_MAX ||
		    store_chunk_decode(blob, len, start, (size_t)cnt, old) != 0)
			rc = store_seterr(s, LL_EDB, "damaged chunk (series "
			    "%lld, time %lld)", (long long)series,
			    (long long)start);
		else
			*n = (size_t)cnt;
	} else if (src != SQLITE_DONE) {
		rc = sq_err(s, src, "read chunk");
	}
	sqlite3_reset(st);
	return rc;
}

/* Writes the n entries of chunk (series, start), or deletes it when n is 0. */
static int
sq_chunk_write(struct store *s, int64_t series, int64_t start,
    const struct chunk_ent *e, size_t n, uint8_t *buf)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st = n > 0 ? q->chunk_put : q->chunk_del;
	int src;

	sqlite3_bind_int64(st, 1, series);
	sqlite3_bind_int64(st, 2, start);
	if (n > 0) {
		size_t len = store_chunk_encode(e, n, start, buf);

		sqlite3_bind_int64(st, 3, (int64_t)n);
		sqlite3_bind_int64(st, 4, e[0].time);
		sqlite3_bind_int64(st, 5, e[n - 1].time);
		sqlite3_bind_blob(st, 6, buf, (int)len, SQLITE_STATIC);
	}
	src = sqlite3_step(st);
	sqlite3_reset(st);
	if (src != SQLITE_DONE)
		return sq_err(s, src, "write points");
	return 0;
}

/* Merges one chunk's waiting points p[0..n) into it. */
static int
sq_flush_chunk(struct store *s, const struct sq_pend *p, size_t n,
    uint8_t *buf)
{
	struct sq *q = SQ(s);
	int64_t start = store_chunk_start(p[0].time);
	struct chunk_ent *old, *upd, *out;
	size_t nold, nout;
	int rc;

	if ((rc = sq_scratch(s, 2 * STORE_CHUNK_MAX + 2 * n)) != 0)
		return rc;
	old = q->scratch;
	upd = old + STORE_CHUNK_MAX;
	out = upd + n;
	for (size_t i = 0; i < n; i++) {
		upd[i].time = p[i].time;
		upd[i].value = p[i].value;
		upd[i].src = p[i].src;
	}
	nold = 0;
	if (p[0].series < q->fresh_from &&
	    (rc = sq_chunk_read(s, p[0].series, start, old, &nold)) != 0)
		return rc;
	nout = store_chunk_merge(old, nold, upd, n, out);
	return sq_chunk_write(s, p[0].series, start, out, nout, buf);
}

/* Writes the waiting points into their chunks. */
static int
sq_flush(struct store *s)
{
	struct sq *q = SQ(s);
	uint8_t *buf;
	size_t i = 0;
	int rc = 0;

	if (q->npend == 0)
		return 0;
	if ((rc = sq_prepare_chunk(s)) != 0)
		return rc;
	if ((buf = malloc(STORE_CHUNK_MAX * STORE_CHUNK_ENTRY_MAX)) == NULL)
		return store_seterr(s, LL_ENOMEM, "out of memory");
	if (sq_pend_sort(q) != 0) {
		free(buf);
		return store_seterr(s, LL_ENOMEM, "out of memory");
	}
	while (i < q->npend && rc == 0) {
		int64_t start;
		size_t j = i + 1;

		if (i == 0 || q->pend[i].series != q->pend[i - 1].series) {
			/* A series begins: in time order? */
			bool sorted = true;

			for (j = i + 1; j < q->npend &&
			    q->pend[j].series == q->pend[i].series; j++)
				if (q->pend[j].time < q->pend[j - 1].time)
					sorted = false;
			if (!sorted)
				qsort(q->pend + i, j - i, sizeof(*q->pend),
				    sq_pend_time_cmp);
			j = i + 1;
		}
		start = store_chunk_start(q->pend[i].time);
		while (j < q->npend && q->pend[j].series == q->pend[i].series &&
		    store_chunk_start(q->pend[j].time) == start)
			j++;
		rc = sq_flush_chunk(s, q->pend + i, j - i, buf);
		i = j;
	}
	free(buf);
	sq_pend_reset(q);
	q->fresh_from = INT64_MAX;	/* they may have chunks now */
	return rc;
}

static int
sq_points_put(struct store *s, const char *signal, const char *source,
    const struct store_point *pts, size_t n)
{
	struct sq *q = SQ(s);
	size_t slen = strlen(signal);
	int64_t src_id = 0;
	int rc;

	if (source != NULL && (rc = sq_source_id(s, source, &src_id)) != 0)
		return rc;
	if (src_id < 0 || src_id > UINT32_MAX)
		return store_seterr(s, LL_ELIMIT, "too many sources");
	for (size_t i = 0; i < n;) {
		size_t m = n - i < SQ_PEND_MAX - q->npend ? n - i :
		    SQ_PEND_MAX - q->npend;

		if (ll_grow(&q->pend, &q->pendcap, q->npend + m,
		    sizeof(*q->pend)) != 0)
			return store_seterr(s, LL_ENOMEM, "out of memory");
		for (size_t k = i + m; i < k; i++) {
			struct sq_pend *p = &q->pend[q->npend];

			if ((rc = sq_series_id(s, signal, slen, pts[i].entity,
			    &p->series)) != 0)
				return rc;
			p->time = pts[i].time;
			p->value = pts[i].value;
			p->src = (uint32_t)src_id;
			p->seq = (uint32_t)q->npend++;
			sq_pend_count(q, p->series);
		}
		if (q->npend >= SQ_PEND_MAX && (rc = sq_flush(s)) != 0)
			return rc;
	}
	return 0;
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

/* The lowest chunk start that may hold a time >= from. */
static int64_t
sq_first_chunk(int64_t from)
{
	return from < INT64_MIN + STORE_CHUNK_SPAN ? INT64_MIN :
	    store_chunk_start(from);
}

static int
sq_points_scan(struct store *s, const char *signal, const char *entity,
    int64_t from, int64_t to, store_point_fn *fn, void *ctx)
{
	const char *sql = entity != NULL ?
	    "SELECT e.entity, c.start, c.n, c.data FROM series e JOIN chunk c "
	    "ON c.series = e.id WHERE e.signal = ?1 AND e.entity = ?2 AND "
	    "c.start >= ?3 AND c.start < ?4 ORDER BY c.start" :
	    "SELECT e.entity, c.start, c.n, c.data FROM series e JOIN chunk c "
	    "ON c.series = e.id WHERE e.signal = ?1 AND c.start >= ?2 AND "
	    "c.start < ?3 ORDER BY e.entity, c.start";
	struct store_point p;
	sqlite3_stmt *st = NULL;
	int src, rc;

	struct chunk_ent *e;

	/* Its own buffer: fn may use the store. */
	if ((rc = sq_flush(s)) != 0)
		return rc;
	if ((e = malloc(STORE_CHUNK_MAX * sizeof(*e))) == NULL)
		return store_seterr(s, LL_ENOMEM, "out of memory");
	if ((src = sqlite3_prepare_v2(SQ(s)->db, sql, -1, &st, NULL)) !=
	    SQLITE_OK) {
		free(e);
		return sq_err(s, src, "prepare scan");
	}
	sq_bind_range(st, signal, entity, sq_first_chunk(from), to);
	rc = 0;
	while (rc == 0 && (src = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t start = sqlite3_column_int64(st, 1);
		int64_t n = sqlite3_column_int64(st, 2);
		const void *blob = sqlite3_column_blob(st, 3);
		size_t len = (size_t)sqlite3_column_bytes(st, 3);

		p.entity = (const char *)sqlite3_column_text(st, 0);
		if (p.entity == NULL)
			p.entity = "";
		if (n <= 0 || n > STORE_CHUNK_MAX ||
		    store_chunk_decode(blob, len, start, (size_t)n, e) != 0) {
			rc = store_seterr(s, LL_EDB, "damaged chunk (%s, time "
			    "%lld)", p.entity, (long long)start);
			break;
		}
		for (int64_t i = 0; i < n && rc == 0; i++) {
			if (e[i].time < from || e[i].time >= to)
				continue;
			p.time = e[i].time;
			p.value = e[i].value;
			rc = fn(ctx, &p);
		}
	}
	if (rc == 0 && src != SQLITE_DONE && src != SQLITE_ROW)
		rc = sq_err(s, src, "scan points");
	sqlite3_finalize(st);
	free(e);
	return rc;
}

/* One chunk to cut: its place, as the scan found it. */
struct sq_cut {
	int64_t		series;
	int64_t		start;
};

static int
sq_points_delete(struct store *s, const char *signal, const char *entity,
    int64_t from, int64_t to)
{
	const char *sql = entity != NULL ?
	    "SELECT c.series, c.start FROM series e JOIN chunk c ON "
	    "c.series = e.id WHERE e.signal = ?1 AND e.entity = ?2 AND "
	    "c.start >= ?3 AND c.start < ?4" :
	    "SELECT c.series, c.start FROM series e JOIN chunk c ON "
	    "c.series = e.id WHERE e.signal = ?1 AND c.start >= ?2 AND "
	    "c.start < ?3";
	struct sq_cut *cut = NULL;
	size_t ncut = 0, capcut = 0;
	sqlite3_stmt *st = NULL;
	uint8_t *buf = NULL;
	int src, rc;

	if ((rc = sq_flush(s)) != 0 || (rc = sq_prepare_chunk(s)) != 0 ||
	    (rc = sq_scratch(s, 2 * STORE_CHUNK_MAX)) != 0)
		return rc;
	if ((src = sqlite3_prepare_v2(SQ(s)->db, sql, -1, &st, NULL)) !=
	    SQLITE_OK)
		return sq_err(s, src, "prepare delete");
	sq_bind_range(st, signal, entity, sq_first_chunk(from), to);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		if (ll_grow(&cut, &capcut, ncut + 1, sizeof(*cut)) != 0) {
			rc = store_seterr(s, LL_ENOMEM, "out of memory");
			break;
		}
		cut[ncut].series = sqlite3_column_int64(st, 0);
		cut[ncut++].start = sqlite3_column_int64(st, 1);
	}
	if (rc == 0 && src != SQLITE_DONE)
		rc = sq_err(s, src, "delete points");
	sqlite3_finalize(st);
	if (rc == 0 && ncut > 0 &&
	    (buf = malloc(STORE_CHUNK_MAX * STORE_CHUNK_ENTRY_MAX)) == NULL)
		rc = store_seterr(s, LL_ENOMEM, "out of memory");
	/* Each chunk keeps what lies outside [from, to). */
	for (size_t i = 0; i < ncut && rc == 0; i++) {
		struct chunk_ent *e = SQ(s)->scratch;
		size_t n, k = 0;

		if ((rc = sq_chunk_read(s, cut[i].series, cut[i].start, e,
		    &n)) != 0)
			break;
		for (size_t j = 0; j < n; j++)
			if (e[j].time < from || e[j].time >= to)
				e[k++] = e[j];
		if (k != n)
			rc = sq_chunk_write(s, cut[i].series, cut[i].start, e,
			    k, buf);
	}
	free(buf);
	free(cut);
	return rc;
}

/* Runs a series query (signal, entity, points, first, last; ?1 the
 * signal when there is one) and calls fn for each row. */
static int
sq_series_rows(struct store *s, const char *sql, const char *signal,
    store_series_fn *fn, void *ctx)
{
	struct store_series ser;
	sqlite3_stmt *st = NULL;
	int src, rc;

	if ((rc = sq_flush(s)) != 0)
		return rc;
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

static int
sq_series_list(struct store *s, const char *signal, store_series_fn *fn,
    void *ctx)
{
	const char *sql = signal != NULL ?
	    "SELECT e.signal, e.entity, sum(c.n), min(c.first), max(c.last) "
	    "FROM series e JOIN chunk c ON c.series = e.id WHERE "
	    "e.signal = ?1 GROUP BY e.id ORDER BY e.signal, e.entity" :
	    "SELECT e.signal, e.entity, sum(c.n), min(c.first), max(c.last) "
	    "FROM series e JOIN chunk c ON c.series = e.id "
	    "GROUP BY e.id ORDER BY e.signal, e.entity";

	return sq_series_rows(s, sql, signal, fn, ctx);
}

/* The first and last chunk of each series through the (series, start)
 * index: two rows a series, where series_list reads all of them. */
static int
sq_series_extent(struct store *s, const char *signal, store_series_fn *fn,
    void *ctx)
{
	const char *sql = signal != NULL ?
	    "SELECT signal, entity, 0, f, l FROM (SELECT e.signal, e.entity, "
	    "(SELECT c.first FROM chunk c WHERE c.series = e.id ORDER BY "
	    "c.start LIMIT 1) AS f, (SELECT c.last FROM chunk c WHERE "
	    "c.series = e.id ORDER BY c.start DESC LIMIT 1) AS l FROM series "
	    "e WHERE e.signal = ?1 ORDER BY e.signal, e.entity) WHERE f IS "
	    "NOT NULL" :
	    "SELECT signal, entity, 0, f, l FROM (SELECT e.signal, e.entity, "
	    "(SELECT c.first FROM chunk c WHERE c.series = e.id ORDER BY "
	    "c.start LIMIT 1) AS f, (SELECT c.last FROM chunk c WHERE "
	    "c.series = e.id ORDER BY c.start DESC LIMIT 1) AS l FROM series "
	    "e ORDER BY e.signal, e.entity) WHERE f IS NOT NULL";

	return sq_series_rows(s, sql, signal, fn, ctx);
}

/* ---- archives --------------------------------------------------------- */

#define SQ_ARCHIVE_COLS	"sha256, name, size, first_time, last_time, " \
	"records, bad_records, points, status, ingested_at, settings"

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
	if ((t = (const char *)sqlite3_column_text(st, 10)) != NULL)
		snprintf(a->settings, sizeof(a->settings), "%s", t);
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
	    "?10, ?11)", -1, &st, NULL)) != SQLITE_OK)
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
	sqlite3_bind_int64(st, 10, a->ingested_at > 0 ? a->ingested_at :
	    (int64_t)time(NULL));
	sqlite3_bind_text(st, 11, a->settings, -1, SQLITE_STATIC);
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

static int
sq_archive_delete(struct store *s, const char *sha256)
{
	sqlite3_stmt *st = NULL;
	int src, rc = 0;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "DELETE FROM archive WHERE "
	    "sha256 = ?1", -1, &st, NULL)) != SQLITE_OK)
		return sq_err(s, src, "prepare archive delete");
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
	if ((src = sqlite3_step(st)) != SQLITE_DONE)
		rc = sq_err(s, src, "delete archive");
	else if (sqlite3_changes(SQ(s)->db) == 0)
		rc = store_seterr(s, LL_ENOTFOUND, "archive %s not ingested",
		    sha256);
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

static int
sq_meta_list(struct store *s, store_meta_fn *fn, void *ctx)
{
	sqlite3_stmt *st = NULL;
	int src, rc = 0;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "SELECT key, value FROM meta "
	    "ORDER BY key", -1, &st, NULL)) != SQLITE_OK)
		return sq_err(s, src, "prepare meta list");
	while (rc == 0 && (src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		const char *v = (const char *)sqlite3_column_text(st, 1);

		rc = fn(ctx, k != NULL ? k : "", v != NULL ? v : "");
	}
	if (rc == 0 && src != SQLITE_DONE)
		rc = sq_err(s, src, "list settings");
	sqlite3_finalize(st);
	return rc;
}

/* ---- coverage gaps ------------------------------------------------- */

static int
sq_gap_put(struct store *s, const struct store_gap *g)
{
	sqlite3_stmt *st = NULL;
	int src, rc = 0;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "INSERT INTO gap (signal, "
	    "collector, start, stop, reason) VALUES (?1, ?2, ?3, ?4, ?5) "
	    "ON CONFLICT (signal, collector, start) DO UPDATE SET "
	    "stop = excluded.stop, reason = excluded.reason", -1, &st,
	    NULL)) != SQLITE_OK)
		return sq_err(s, src, "prepare gap");
	sqlite3_bind_text(st, 1, g->signal, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, g->collector, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, g->from);
	sqlite3_bind_int64(st, 4, g->to);
	sqlite3_bind_text(st, 5, g->reason, -1, SQLITE_STATIC);
	if ((src = sqlite3_step(st)) != SQLITE_DONE)
		rc = sq_err(s, src, "write gap");
	sqlite3_finalize(st);
	return rc;
}

static int
sq_gap_delete(struct store *s, const char *signal, int64_t from, int64_t to)
{
	sqlite3_stmt *st = NULL;
	int src, rc = 0;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "DELETE FROM gap WHERE "
	    "signal = ?1 AND start >= ?2 AND start < ?3", -1, &st, NULL)) !=
	    SQLITE_OK)
		return sq_err(s, src, "prepare gap delete");
	sqlite3_bind_text(st, 1, signal, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	if ((src = sqlite3_step(st)) != SQLITE_DONE)
		rc = sq_err(s, src, "delete gaps");
	sqlite3_finalize(st);
	return rc;
}

static int
sq_gap_list(struct store *s, const char *signal, int64_t from, int64_t to,
    store_gap_fn *fn, void *ctx)
{
	struct store_gap g;
	sqlite3_stmt *st = NULL;
	int src, rc = 0;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "SELECT signal, collector, "
	    "start, stop, reason FROM gap WHERE (?1 IS NULL OR signal = ?1) "
	    "AND stop > ?2 AND start < ?3 ORDER BY start, collector, signal",
	    -1, &st, NULL)) != SQLITE_OK)
		return sq_err(s, src, "prepare gap list");
	if (signal != NULL)
		sqlite3_bind_text(st, 1, signal, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		g.signal = (const char *)sqlite3_column_text(st, 0);
		g.collector = (const char *)sqlite3_column_text(st, 1);
		g.from = sqlite3_column_int64(st, 2);
		g.to = sqlite3_column_int64(st, 3);
		g.reason = (const char *)sqlite3_column_text(st, 4);
		if (g.signal == NULL || g.collector == NULL || g.reason == NULL)
			continue;
		if ((rc = fn(ctx, &g)) != 0)
			break;
	}
	if (rc == 0 && src != SQLITE_DONE && src != SQLITE_ROW)
		rc = sq_err(s, src, "list gaps");
	sqlite3_finalize(st);
	return rc;
}

static int
sq_evidence_append(struct store *s, const uint8_t *rec, size_t len,
    int64_t *seq)
{
	sqlite3_stmt *st = NULL;
	int src, rc = 0;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "INSERT INTO evidence (seq, "
	    "record) VALUES ((SELECT coalesce(max(seq), 0) + 1 FROM evidence),"
	    " ?1) RETURNING seq", -1, &st, NULL)) != SQLITE_OK)
		return sq_err(s, src, "prepare evidence");
	sqlite3_bind_blob(st, 1, rec, (int)len, SQLITE_STATIC);
	if ((src = sqlite3_step(st)) == SQLITE_ROW)
		*seq = sqlite3_column_int64(st, 0);
	else
		rc = sq_err(s, src, "write evidence");
	sqlite3_finalize(st);
	return rc;
}

static int
sq_evidence_scan(struct store *s, store_evidence_fn *fn, void *ctx)
{
	sqlite3_stmt *st = NULL;
	int src, rc = 0;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "SELECT seq, record FROM "
	    "evidence ORDER BY seq", -1, &st, NULL)) != SQLITE_OK)
		return sq_err(s, src, "prepare evidence scan");
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		const void *b = sqlite3_column_blob(st, 1);
		int n = sqlite3_column_bytes(st, 1);

		if ((rc = fn(ctx, sqlite3_column_int64(st, 0),
		    b != NULL ? b : "", n > 0 ? (size_t)n : 0)) != 0)
			break;
	}
	if (rc == 0 && src != SQLITE_DONE && src != SQLITE_ROW)
		rc = sq_err(s, src, "read evidence");
	sqlite3_finalize(st);
	return rc;
}

/* ---- events (schema version 8) ---- */

static int
sq_event_put(struct store *s, const struct store_event *e)
{
	sqlite3_stmt *st = NULL;
	int src, rc = 0;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "INSERT INTO event (kind, "
	    "entity, start, stop, detail) VALUES (?1, ?2, ?3, ?4, ?5) "
	    "ON CONFLICT (kind, entity, start) DO UPDATE SET "
	    "stop = excluded.stop, detail = excluded.detail", -1, &st,
	    NULL)) != SQLITE_OK)
		return sq_err(s, src, "prepare event");
	sqlite3_bind_text(st, 1, e->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, e->entity, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, e->from);
	if (e->to != 0)
		sqlite3_bind_int64(st, 4, e->to);
	sqlite3_bind_text(st, 5, e->detail, -1, SQLITE_STATIC);
	if ((src = sqlite3_step(st)) != SQLITE_DONE)
		rc = sq_err(s, src, "write event");
	sqlite3_finalize(st);
	return rc;
}

static int
sq_event_list(struct store *s, const char *kind_prefix, int64_t from,
    int64_t to, store_event_fn *fn, void *ctx)
{
	struct store_event e;
	sqlite3_stmt *st = NULL;
	int src, rc = 0;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "SELECT kind, entity, "
	    "start, stop, detail FROM event WHERE (?1 IS NULL OR "
	    "substr(kind, 1, length(?1)) = ?1) AND (stop IS NULL OR "
	    "stop > ?2) AND start < ?3 ORDER BY start, kind, entity", -1, &st,
	    NULL)) != SQLITE_OK)
		return sq_err(s, src, "prepare event list");
	if (kind_prefix != NULL)
		sqlite3_bind_text(st, 1, kind_prefix, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		e.kind = (const char *)sqlite3_column_text(st, 0);
		e.entity = (const char *)sqlite3_column_text(st, 1);
		e.from = sqlite3_column_int64(st, 2);
		e.to = sqlite3_column_int64(st, 3);
		e.detail = (const char *)sqlite3_column_text(st, 4);
		if (e.kind == NULL || e.entity == NULL || e.detail == NULL)
			continue;
		if ((rc = fn(ctx, &e)) != 0)
			break;
	}
	if (rc == 0 && src != SQLITE_DONE && src != SQLITE_ROW)
		rc = sq_err(s, src, "list events");
	sqlite3_finalize(st);
	return rc;
}

/* ---- signal kinds --------------------------------------------------- */

static int
sq_kind_put(struct store *s, const struct store_kind *k)
{
	sqlite3_stmt *st = NULL;
	int src, rc = 0;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "INSERT INTO kind (name, "
	    "unit, description) VALUES (?1, ?2, ?3) ON CONFLICT (name) DO "
	    "UPDATE SET unit = excluded.unit, description = "
	    "excluded.description", -1, &st, NULL)) != SQLITE_OK)
		return sq_err(s, src, "prepare kind");
	sqlite3_bind_text(st, 1, k->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, k->unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, k->description, -1, SQLITE_STATIC);
	if ((src = sqlite3_step(st)) != SQLITE_DONE)
		rc = sq_err(s, src, "write kind");
	sqlite3_finalize(st);
	return rc;
}

static int
sq_kind_list(struct store *s, const char *name, store_kind_fn *fn,
    void *ctx)
{
	struct store_kind k;
	sqlite3_stmt *st = NULL;
	int src, rc = 0;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "SELECT name, unit, "
	    "description FROM kind WHERE ?1 IS NULL OR name = ?1 ORDER BY "
	    "name", -1, &st, NULL)) != SQLITE_OK)
		return sq_err(s, src, "prepare kind list");
	if (name != NULL)
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		k.name = (const char *)sqlite3_column_text(st, 0);
		k.unit = (const char *)sqlite3_column_text(st, 1);
		k.description = (const char *)sqlite3_column_text(st, 2);
		if (k.name == NULL || k.unit == NULL || k.description == NULL)
			continue;
		if ((rc = fn(ctx, &k)) != 0)
			break;
	}
	if (rc == 0 && src != SQLITE_DONE && src != SQLITE_ROW)
		rc = sq_err(s, src, "list kinds");
	sqlite3_finalize(st);
	return rc;
}

/* ---- detection ------------------------------------------------------ */

/* Steps a prepared write to its end and finalises it. */
static int
sq_done(struct store *s, sqlite3_stmt *st, const char *what)
{
	int src, rc = 0;

	if ((src = sqlite3_step(st)) != SQLITE_DONE)
		rc = sq_err(s, src, what);
	sqlite3_finalize(st);
	return rc;
}

static const char *
sq_text(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);

	return t != NULL ? t : "";
}

/* Ends a read loop: the callback's value, else the step's error. */
static int
sq_read_end(struct store *s, sqlite3_stmt *st, int src, int rc,
    const char *what)
{
	if (rc == 0 && src != SQLITE_DONE && src != SQLITE_ROW)
		rc = sq_err(s, src, what);
	sqlite3_finalize(st);
	return rc;
}

/* Runs a kept statement once and makes it ready for the next time. */
static int
sq_kept_done(struct store *s, sqlite3_stmt *st, const char *what)
{
	int src, rc = 0;

	if ((src = sqlite3_step(st)) != SQLITE_DONE)
		rc = sq_err(s, src, what);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

static int
sq_dstate_put(struct store *s, const struct store_dstate *d)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	int rc;

	if (q->dstate_put == NULL && (rc = sq_prepare(s, "INSERT INTO dstate "
	    "(detector, signal, entity, last, level, run, value) VALUES (?1, "
	    "?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (detector, signal, entity) DO "
	    "UPDATE SET last = excluded.last, level = excluded.level, run = "
	    "excluded.run, value = excluded.value",
	    &q->dstate_put)) != 0)
		return rc;
	st = q->dstate_put;
	sqlite3_bind_text(st, 1, d->detector, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d->signal, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, d->entity, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, d->last);
	sqlite3_bind_int(st, 5, d->level);
	sqlite3_bind_int(st, 6, d->run);
	sqlite3_bind_double(st, 7, d->value);
	return sq_kept_done(s, st, "write detector state");
}

static int
sq_dstate_list(struct store *s, store_dstate_fn *fn, void *ctx)
{
	struct store_dstate d;
	sqlite3_stmt *st = NULL;
	int src, rc = 0;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "SELECT detector, signal, "
	    "entity, last, level, run, value FROM dstate ORDER BY detector, signal, "
	    "entity", -1, &st, NULL)) != SQLITE_OK)
		return sq_err(s, src, "prepare detector states");
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		d.detector = sq_text(st, 0);
		d.signal = sq_text(st, 1);
		d.entity = sq_text(st, 2);
		d.last = sqlite3_column_int64(st, 3);
		d.level = sqlite3_column_int(st, 4);
		d.run = sqlite3_column_int(st, 5);
		d.value = sqlite3_column_double(st, 6);
		if ((rc = fn(ctx, &d)) != 0)
			break;
	}
	return sq_read_end(s, st, src, rc, "list detector states");
}

static int
sq_alert_put(struct store *s, const struct store_alert *a)
{
	struct sq *q = SQ(s);
	sqlite3_stmt *st;
	int rc;

	if (q->alert_put == NULL && (rc = sq_prepare(s, "INSERT INTO alert "
	    "(detector, signal, entity, time, level, value, expected) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (detector, signal, "
	    "entity, time) DO UPDATE SET level = excluded.level, value = "
	    "excluded.value, expected = excluded.expected",
	    &q->alert_put)) != 0)
		return rc;
	st = q->alert_put;
	sqlite3_bind_text(st, 1, a->detector, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->signal, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->entity, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, a->time);
	sqlite3_bind_text(st, 5, a->level, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 6, a->value);
	sqlite3_bind_double(st, 7, a->expected);
	return sq_kept_done(s, st, "write alert");
}

static int
sq_alert_list(struct store *s, const char *entity, int64_t from, int64_t to,
    store_alert_fn *fn, void *ctx)
{
	struct store_alert a;
	sqlite3_stmt *st = NULL;
	int src, rc = 0;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "SELECT detector, signal, "
	    "entity, time, level, value, expected FROM alert WHERE (?1 IS NULL "
	    "OR entity = ?1) AND time >= ?2 AND time < ?3 ORDER BY time, "
	    "entity, signal, detector", -1, &st, NULL)) != SQLITE_OK)
		return sq_err(s, src, "prepare alert list");
	if (entity != NULL)
		sqlite3_bind_text(st, 1, entity, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		a.detector = sq_text(st, 0);
		a.signal = sq_text(st, 1);
		a.entity = sq_text(st, 2);
		a.time = sqlite3_column_int64(st, 3);
		a.level = sq_text(st, 4);
		a.value = sqlite3_column_double(st, 5);
		a.expected = sqlite3_column_double(st, 6);
		if ((rc = fn(ctx, &a)) != 0)
			break;
	}
	return sq_read_end(s, st, src, rc, "list alerts");
}

static int
sq_baseline_put(struct store *s, const struct store_baseline *b)
{
	sqlite3_stmt *st = NULL;
	int src;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "INSERT INTO baseline "
	    "(signal, entity, start, stop, value, who, pinned_at) VALUES (?1, "
	    "?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (signal, entity) DO UPDATE "
	    "SET start = excluded.start, stop = excluded.stop, value = "
	    "excluded.value, who = excluded.who, pinned_at = "
	    "excluded.pinned_at", -1, &st, NULL)) != SQLITE_OK)
		return sq_err(s, src, "prepare baseline");
	sqlite3_bind_text(st, 1, b->signal, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, b->entity, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, b->from);
	sqlite3_bind_int64(st, 4, b->to);
	sqlite3_bind_double(st, 5, b->value);
	sqlite3_bind_text(st, 6, b->who, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, b->pinned_at > 0 ? b->pinned_at :
	    (int64_t)time(NULL));
	return sq_done(s, st, "write baseline");
}

static int
sq_baseline_list(struct store *s, const char *signal, store_baseline_fn *fn,
    void *ctx)
{
	struct store_baseline b;
	sqlite3_stmt *st = NULL;
	int src, rc = 0;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "SELECT signal, entity, "
	    "start, stop, value, who, pinned_at FROM baseline WHERE (?1 IS "
	    "NULL OR signal = ?1) ORDER BY signal, entity", -1, &st, NULL)) !=
	    SQLITE_OK)
		return sq_err(s, src, "prepare baseline list");
	if (signal != NULL)
		sqlite3_bind_text(st, 1, signal, -1, SQLITE_STATIC);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		b.signal = sq_text(st, 0);
		b.entity = sq_text(st, 1);
		b.from = sqlite3_column_int64(st, 2);
		b.to = sqlite3_column_int64(st, 3);
		b.value = sqlite3_column_double(st, 4);
		b.who = sq_text(st, 5);
		b.pinned_at = sqlite3_column_int64(st, 6);
		if ((rc = fn(ctx, &b)) != 0)
			break;
	}
	return sq_read_end(s, st, src, rc, "list baselines");
}

static int
sq_incident_put(struct store *s, struct store_incident *inc)
{
	sqlite3_stmt *st = NULL;
	int src, rc;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, inc->id == 0 ?
	    "INSERT INTO incident (class, scope, signals, state, severity, "
	    "start, stop, last, confidence, score, restored, run, campaign) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?14)" :
	    "UPDATE incident SET class = ?1, scope = ?2, signals = ?3, state = "
	    "?4, severity = ?5, start = ?6, stop = ?7, last = ?8, confidence = "
	    "?9, score = ?10, restored = ?11, run = ?12, campaign = ?14 WHERE "
	    "id = ?13", -1,
	    &st, NULL)) != SQLITE_OK)
		return sq_err(s, src, "prepare incident");
	sqlite3_bind_text(st, 1, inc->cls, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, inc->scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, inc->signals, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, inc->state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, inc->severity, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, inc->start);
	sqlite3_bind_int64(st, 7, inc->end);
	sqlite3_bind_int64(st, 8, inc->last);
	sqlite3_bind_double(st, 9, inc->confidence);
	sqlite3_bind_double(st, 10, inc->score);
	sqlite3_bind_double(st, 11, inc->restored);
	sqlite3_bind_int(st, 12, inc->run);
	sqlite3_bind_int64(st, 14, inc->campaign);
	if (inc->id != 0)
		sqlite3_bind_int64(st, 13, inc->id);
	if ((rc = sq_done(s, st, "write incident")) != 0)
		return rc;
	if (inc->id == 0)
		inc->id = sqlite3_last_insert_rowid(SQ(s)->db);
	else if (sqlite3_changes(SQ(s)->db) == 0)
		return store_seterr(s, LL_ENOTFOUND, "no incident %lld",
		    (long long)inc->id);
	return 0;
}

static void
sq_incident_row(sqlite3_stmt *st, struct store_incident *i)
{
	i->id = sqlite3_column_int64(st, 0);
	i->cls = sq_text(st, 1);
	i->scope = sq_text(st, 2);
	i->signals = sq_text(st, 3);
	i->state = sq_text(st, 4);
	i->severity = sq_text(st, 5);
	i->start = sqlite3_column_int64(st, 6);
	i->end = sqlite3_column_int64(st, 7);
	i->last = sqlite3_column_int64(st, 8);
	i->confidence = sqlite3_column_double(st, 9);
	i->score = sqlite3_column_double(st, 10);
	i->restored = sqlite3_column_double(st, 11);
	i->run = sqlite3_column_int(st, 12);
	i->campaign = sqlite3_column_int64(st, 13);
}

static int
sq_incident_list(struct store *s, int64_t id, store_incident_fn *fn,
    void *ctx)
{
	struct store_incident i;
	sqlite3_stmt *st = NULL;
	int src, rc = 0;
	bool any = false;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "SELECT id, class, scope, "
	    "signals, state, severity, start, stop, last, confidence, score, "
	    "restored, run, campaign FROM incident WHERE ?1 = 0 OR id = ?1 "
	    "ORDER BY "
	    "start, id", -1, &st, NULL)) != SQLITE_OK)
		return sq_err(s, src, "prepare incident list");
	sqlite3_bind_int64(st, 1, id);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		any = true;
		sq_incident_row(st, &i);
		if ((rc = fn(ctx, &i)) != 0)
			break;
	}
	rc = sq_read_end(s, st, src, rc, "list incidents");
	if (rc == 0 && id != 0 && !any)
		rc = store_seterr(s, LL_ENOTFOUND, "no incident %lld",
		    (long long)id);
	return rc;
}

static int
sq_transition_put(struct store *s, const struct store_transition *t)
{
	sqlite3_stmt *st = NULL;
	int src;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "INSERT INTO transition "
	    "(incident, time, state, who, note, at) VALUES (?1, ?2, ?3, ?4, "
	    "?5, ?6)", -1, &st, NULL)) != SQLITE_OK)
		return sq_err(s, src, "prepare transition");
	sqlite3_bind_int64(st, 1, t->incident);
	sqlite3_bind_int64(st, 2, t->time);
	sqlite3_bind_text(st, 3, t->state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, t->who, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, t->note, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (int64_t)time(NULL));
	return sq_done(s, st, "write transition");
}

static int
sq_transition_list(struct store *s, int64_t incident,
    store_transition_fn *fn, void *ctx)
{
	struct store_transition t;
	sqlite3_stmt *st = NULL;
	int src, rc = 0;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "SELECT incident, time, "
	    "state, who, note FROM transition WHERE incident = ?1 ORDER BY id",
	    -1, &st, NULL)) != SQLITE_OK)
		return sq_err(s, src, "prepare transition list");
	sqlite3_bind_int64(st, 1, incident);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		t.incident = sqlite3_column_int64(st, 0);
		t.time = sqlite3_column_int64(st, 1);
		t.state = sq_text(st, 2);
		t.who = sq_text(st, 3);
		t.note = sq_text(st, 4);
		if ((rc = fn(ctx, &t)) != 0)
			break;
	}
	return sq_read_end(s, st, src, rc, "list transitions");
}

/* ---- impact (schema version 10) ---- */

static int
sq_users_put(struct store *s, const struct store_users *u)
{
	sqlite3_stmt *st = NULL;
	int src;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "INSERT INTO users_as (cc, "
	    "asn, users, share, samples, source) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "?6) ON CONFLICT (cc, asn) DO UPDATE SET users = excluded.users, "
	    "share = excluded.share, samples = excluded.samples, source = "
	    "excluded.source", -1, &st, NULL)) != SQLITE_OK)
		return sq_err(s, src, "prepare users");
	sqlite3_bind_text(st, 1, u->cc, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, u->asn);
	sqlite3_bind_double(st, 3, u->users);
	sqlite3_bind_double(st, 4, u->share);
	sqlite3_bind_double(st, 5, u->samples);
	sqlite3_bind_text(st, 6, u->source, -1, SQLITE_STATIC);
	return sq_done(s, st, "write users");
}

static int
sq_users_list(struct store *s, const char *cc, uint32_t asn,
    store_users_fn *fn, void *ctx)
{
	struct store_users u;
	sqlite3_stmt *st = NULL;
	int src, rc = 0;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "SELECT cc, asn, users, "
	    "share, samples, source FROM users_as WHERE (?1 IS NULL OR cc = "
	    "?1) AND (?2 = 0 OR asn = ?2) ORDER BY cc, users DESC, asn", -1,
	    &st, NULL)) != SQLITE_OK)
		return sq_err(s, src, "prepare users list");
	if (cc != NULL)
		sqlite3_bind_text(st, 1, cc, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, asn);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		u.cc = sq_text(st, 0);
		u.asn = (uint32_t)sqlite3_column_int64(st, 1);
		u.users = sqlite3_column_double(st, 2);
		u.share = sqlite3_column_double(st, 3);
		u.samples = sqlite3_column_double(st, 4);
		u.source = sq_text(st, 5);
		if ((rc = fn(ctx, &u)) != 0)
			break;
	}
	return sq_read_end(s, st, src, rc, "list users");
}

static int
sq_country_put(struct store *s, const struct store_country *c)
{
	sqlite3_stmt *st = NULL;
	int src;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "INSERT INTO country (cc, "
	    "name, year, gdp, population, users, digital, source) VALUES (?1, "
	    "?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (cc) DO UPDATE SET "
	    "name = excluded.name, year = excluded.year, gdp = excluded.gdp, "
	    "population = excluded.population, users = excluded.users, "
	    "digital = excluded.digital, source = excluded.source", -1, &st,
	    NULL)) != SQLITE_OK)
		return sq_err(s, src, "prepare country");
	sqlite3_bind_text(st, 1, c->cc, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, c->year);
	sqlite3_bind_double(st, 4, c->gdp);
	sqlite3_bind_double(st, 5, c->population);
	sqlite3_bind_double(st, 6, c->users);
	sqlite3_bind_double(st, 7, c->digital);
	sqlite3_bind_text(st, 8, c->source, -1, SQLITE_STATIC);
	return sq_done(s, st, "write country");
}

static int
sq_country_list(struct store *s, const char *cc, store_country_fn *fn,
    void *ctx)
{
	struct store_country c;
	sqlite3_stmt *st = NULL;
	int src, rc = 0;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "SELECT cc, name, year, gdp, "
	    "population, users, digital, source FROM country WHERE ?1 IS NULL "
	    "OR cc = ?1 ORDER BY cc", -1, &st, NULL)) != SQLITE_OK)
		return sq_err(s, src, "prepare country list");
	if (cc != NULL)
		sqlite3_bind_text(st, 1, cc, -1, SQLITE_STATIC);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		c.cc = sq_text(st, 0);
		c.name = sq_text(st, 1);
		c.year = sqlite3_column_int(st, 2);
		c.gdp = sqlite3_column_double(st, 3);
		c.population = sqlite3_column_double(st, 4);
		c.users = sqlite3_column_double(st, 5);
		c.digital = sqlite3_column_double(st, 6);
		c.source = sq_text(st, 7);
		if ((rc = fn(ctx, &c)) != 0)
			break;
	}
	return sq_read_end(s, st, src, rc, "list countries");
}

static int
sq_impact_put(struct store *s, const struct store_impact *f)
{
	sqlite3_stmt *st = NULL;
	int src;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "INSERT INTO impact "
	    "(incident, name, value, unit, method, formula, inputs, "
	    "computed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT "
	    "(incident, name) DO UPDATE SET value = excluded.value, unit = "
	    "excluded.unit, method = excluded.method, formula = "
	    "excluded.formula, inputs = excluded.inputs, computed_at = "
	    "excluded.computed_at", -1, &st, NULL)) != SQLITE_OK)
		return sq_err(s, src, "prepare impact");
	sqlite3_bind_int64(st, 1, f->incident);
	sqlite3_bind_text(st, 2, f->name, -1, SQLITE_STATIC);
	if (f->known)
		sqlite3_bind_double(st, 3, f->value);
	sqlite3_bind_text(st, 4, f->unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, f->method, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, f->formula, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, f->inputs, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, f->computed_at);
	return sq_done(s, st, "write impact");
}

static int
sq_impact_delete(struct store *s, int64_t incident)
{
	sqlite3_stmt *st = NULL;
	int src;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "DELETE FROM impact WHERE "
	    "incident = ?1", -1, &st, NULL)) != SQLITE_OK)
		return sq_err(s, src, "prepare impact delete");
	sqlite3_bind_int64(st, 1, incident);
	return sq_done(s, st, "delete impact");
}

static int
sq_impact_list(struct store *s, int64_t incident, store_impact_fn *fn,
    void *ctx)
{
	struct store_impact f;
	sqlite3_stmt *st = NULL;
	int src, rc = 0;

	if ((src = sqlite3_prepare_v2(SQ(s)->db, "SELECT incident, name, "
	    "value, unit, method, formula, inputs, computed_at FROM impact "
	    "WHERE incident = ?1 ORDER BY id", -1, &st, NULL)) != SQLITE_OK)
		return sq_err(s, src, "prepare impact list");
	sqlite3_bind_int64(st, 1, incident);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		f.incident = sqlite3_column_int64(st, 0);
		f.name = sq_text(st, 1);
		f.known = sqlite3_column_type(st, 2) != SQLITE_NULL;
		f.value = f.known ? sqlite3_column_double(st, 2) : 0;
		f.unit = sq_text(st, 3);
		f.method = sq_text(st, 4);
		f.formula = sq_text(st, 5);
		f.inputs = sq_text(st, 6);
		f.computed_at = sqlite3_column_int64(st, 7);
		if ((rc = fn(ctx, &f)) != 0)
			break;
	}
	return sq_read_end(s, st, src, rc, "list impact");
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
	.series_extent = sq_series_extent,
	.archive_get = sq_archive_get,
	.archive_record = sq_archive_record,
	.archive_list = sq_archive_list,
	.archive_delete = sq_archive_delete,
	.meta_get = sq_meta_get,
	.meta_set = sq_meta_set,
	.meta_list = sq_meta_list,
	.gap_put = sq_gap_put,
	.gap_delete = sq_gap_delete,
	.gap_list = sq_gap_list,
	.dstate_put = sq_dstate_put,
	.dstate_list = sq_dstate_list,
	.alert_put = sq_alert_put,
	.alert_list = sq_alert_list,
	.baseline_put = sq_baseline_put,
	.baseline_list = sq_baseline_list,
	.incident_put = sq_incident_put,
	.incident_list = sq_incident_list,
	.transition_put = sq_transition_put,
	.transition_list = sq_transition_list,
	.kind_put = sq_kind_put,
	.kind_list = sq_kind_list,
	.event_put = sq_event_put,
	.event_list = sq_event_list,
	.evidence_append = sq_evidence_append,
	.evidence_scan = sq_evidence_scan,
	.users_put = sq_users_put,
	.users_list = sq_users_list,
	.country_put = sq_country_put,
	.country_list = sq_country_list,
	.impact_put = sq_impact_put,
	.impact_delete = sq_impact_delete,
	.impact_list = sq_impact_list,
};
