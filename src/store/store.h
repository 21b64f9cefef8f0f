/*
 * The store: where signal points, ingested archives and (later) detector
 * state, incidents, evidence and alerts live.
 *
 * One interface, several backends behind one vtable (store_int.h):
 *   "PATH" or "sqlite:PATH"   SQLite file (WAL, foreign keys, busy timeout)
 *   "postgresql://..."        PostgreSQL (libpq's URL: user, host, port,
 *   "postgres://..."          database, ?host=/socket/dir and the like)
 * The same test suite runs against every backend.
 *
 * Errors: every function returns 0 or a negative LL_E* code
 * (util/err.h); store_errmsg() then describes the backend's last error.
 * A handle is used by one thread at a time; several processes may open the
 * same database (writers wait for each other: up to the busy timeout in
 * SQLite, for as long as it takes in PostgreSQL, where the server ends a
 * deadlock).
 *
 * Time is UTC seconds since the epoch; entities are canonical strings
 * ("country:EG", "asn:3320", see net/entity.h); signal kinds are "bgp",
 * "probe", "series.<name>" ... (docs/signals.md).
 *
 * Atomic, idempotent ingest of one archive, the pattern this API is built
 * for (a kill -9 at any point leaves all of the archive or none of it):
 *
 *	rc = store_archive_get(s, sha, NULL);
 *	if (rc == 0)
 *		skip: already ingested
 *	else if (rc != LL_ENOTFOUND)
 *		fail
 *	store_tx_begin(s);
 *	store_points_put(s, "bgp", src, pts, n);   (any number of times)
 *	store_archive_record(s, &arch);            (LL_EEXIST: another
 *	                                            process won: roll back)
 *	store_tx_commit(s);                         (or store_tx_rollback(s))
 *
 * Nothing written inside a transaction is visible to other handles before
 * store_tx_commit() returns 0; after a crash before that, none of it is.
 */
#ifndef LL_STORE_STORE_H
#define LL_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* store_open() flags. */
#define STORE_CREATE	0x1	/* create the database when it is missing */
#define STORE_RDONLY	0x2	/* a reader: never create, migrate or write
				   (fails on an old schema, an empty file) */

#define STORE_SHA256_HEX	65	/* 64 hex digits + NUL */
#define STORE_NAME_MAX		256	/* archive names, incl. NUL */
#define STORE_KEY_MAX		128	/* signal, entity, source, meta keys */
#define STORE_SETTINGS_MAX	1024	/* an archive's settings, incl. NUL */

/*
 * Opens the database at url (see above). Without STORE_CREATE a missing
 * SQLite file is LL_ENOTFOUND. An older schema is upgraded (all pending
 * migrations in one transaction, under the write lock, the header checked
 * again there: several processes may create one new file at once); a
 * newer one is refused with LL_EUNSUP. Refused before use, the file left
 * as it is: another program's database or a non-empty file with no
 * Lifeline application id (LL_EUNSUP), a damaged or truncated one, a
 * header with an impossible schema version or tables missing (LL_EDB), a
 * directory, "" and ":memory:" (LL_EINVAL); with STORE_RDONLY also an
 * empty file (LL_EUNSUP). A reader in a directory it cannot write reads a
 * WAL database whose log holds no commits as immutable.
 * Returns 0 and sets *out (free with store_free()), or LL_ENOTFOUND,
 * LL_EUNSUP, LL_EINVAL (bad URL), LL_EDB, LL_ENOMEM, with a one-line
 * message naming the file in errbuf (may be NULL) and *out set to NULL.
 * PostgreSQL: the database must exist; STORE_CREATE makes the store's
 * tables in it when it holds no tables at all (one holding another
 * program's tables is LL_EUNSUP); without it an empty database is
 * LL_ENOTFOUND. A server that cannot be reached is LL_EDB. Messages name
 * the URL without its password and parameters.
 */
int	store_open(const char *url, unsigned flags, struct store **out,
	    char *errbuf, size_t errlen);

/* Rolls back an open transaction and closes. Safe to call with NULL. */
void	store_free(struct store *s);

/* The backend's message for the last failure ("" when none); owned by s,
 * valid until the next call on s. Never NULL; s may be NULL. */
const char *store_errmsg(const struct store *s);

/* True when url names a PostgreSQL database (postgresql:// or
 * postgres://). */
bool	store_is_pg(const char *url);

/* "sqlite" or "postgresql". */
const char *store_backend(const struct store *s);

/* The schema version of the open database (after migrations). */
int	store_schema_version(const struct store *s);

/* The newest schema version this build knows. */
int	store_schema_latest(void);

/*
 * Transactions. store_tx_begin() takes the write lock at once (waits up to
 * the busy timeout, then LL_EDB). Transactions do not nest: begin inside
 * one is LL_EINVAL, commit/rollback outside one is LL_EINVAL. Writes made
 * outside a transaction are each committed on their own.
 * store_tx_rollback() always ends the transaction; so does a failed
 * store_tx_commit(), which rolls back (nothing of the transaction stays).
 */
int	store_tx_begin(struct store *s);
int	store_tx_commit(struct store *s);
int	store_tx_rollback(struct store *s);
/* True between a successful store_tx_begin() and its commit/rollback. */
bool	store_tx_active(const struct store *s);

/* One point of a signal: the value of entity in the bin starting at time. */
struct store_point {
	const char	*entity;	/* "asn:3320" (< STORE_KEY_MAX) */
	int64_t		 time;		/* start of the bin, epoch seconds */
	double		 value;
};

/*
 * Writes n points of signal (e.g. "bgp"). A point whose (signal, entity,
 * time) already exists replaces it (upsert): writing the same batch twice
 * leaves the same store. source says where the points came from (e.g.
 * "ingest:rrc00" or an archive's SHA-256; NULL = none); it is kept with
 * each point. Strings are copied. Returns 0, LL_EINVAL (empty or too long
 * signal/entity/source, a value that is not finite), LL_EDB; on failure
 * outside a transaction nothing of the batch is written, inside one the
 * caller should roll back.
 */
int	store_points_put(struct store *s, const char *signal,
	    const char *source, const struct store_point *pts, size_t n);

/*
 * Calls fn for each point of signal and entity with from <= time < to, in
 * time order (entity NULL: all entities, ordered by entity then time).
 * p->entity is valid only during the call. Stops and returns fn's value
 * when it is non-zero. Returns 0 (also when nothing matched), LL_EDB.
 */
typedef int store_point_fn(void *ctx, const struct store_point *p);
int	store_points_scan(struct store *s, const char *signal,
	    const char *entity, int64_t from, int64_t to, store_point_fn *fn,
	    void *ctx);

/* Deletes the points of signal (and entity, or all when NULL) with
 * from <= time < to. Returns 0 or LL_EDB. */
int	store_points_delete(struct store *s, const char *signal,
	    const char *entity, int64_t from, int64_t to);

/* One series: a signal of an entity, with its extent. */
struct store_series {
	const char	*signal;
	const char	*entity;
	uint64_t	 points;
	int64_t		 first;		/* time of the first point */
	int64_t		 last;		/* time of the last point */
};

/*
 * Calls fn for each series of signal (NULL: of all signals) that has
 * points, ordered by signal then entity. Strings are valid only during
 * the call. Stops and returns fn's value when non-zero. Returns 0, LL_EDB.
 */
typedef int store_series_fn(void *ctx, const struct store_series *ser);
int	store_series_list(struct store *s, const char *signal,
	    store_series_fn *fn, void *ctx);

/*
 * The same series in the same order, with their extent (first, last) but
 * ser->points 0 when the backend can answer without counting them (SQLite
 * reads two chunks a series instead of all: what a detection run needs).
 * Returns 0, LL_EDB.
 */
int	store_series_extent(struct store *s, const char *signal,
	    store_series_fn *fn, void *ctx);

enum store_archive_status {
	STORE_ARCHIVE_OK = 1,		/* ingested, no bad records */
	STORE_ARCHIVE_ERRORS,		/* ingested; bad records skipped */
};

/* An ingested archive, keyed by the SHA-256 of its (compressed) bytes. */
struct store_archive {
	char		sha256[STORE_SHA256_HEX];	/* lower-case hex */
	char		name[STORE_NAME_MAX];	/* base name, for people */
	uint64_t	size;			/* bytes of the file */
	int64_t		first_time;		/* first record's timestamp */
	int64_t		last_time;		/* last record's timestamp */
	uint64_t	records;		/* records decoded */
	uint64_t	bad_records;		/* records reported and skipped */
	uint64_t	points;			/* signal points it wrote */
	enum store_archive_status status;
	int64_t		ingested_at;		/* set by the store on record
						   (kept when > 0: a copy) */
	/* What the archive was ingested with: one canonical line ("bin=300
	 * full-feed=400000 ... locdb=PATH@2026-11-20"), "" when not known
	 * (recorded before schema version 4). */
	char		settings[STORE_SETTINGS_MAX];
};

/*
 * Looks up the archive with this SHA-256 (hex, either case). Returns 0 and
 * fills *out (may be NULL), LL_ENOTFOUND, LL_EINVAL (not 64 hex digits),
 * LL_EDB.
 */
int	store_archive_get(struct store *s, const char *sha256,
	    struct store_archive *out);

/*
 * Records an archive as ingested (ingested_at is set to now, unless the
 * caller gives one > 0, as a copy of a store does). Call it in
 * the transaction that wrote the archive's points. Returns 0, LL_EEXIST
 * (already recorded, e.g. by a concurrent ingest: roll back), LL_EINVAL,
 * LL_EDB.
 */
int	store_archive_record(struct store *s, const struct store_archive *a);

/*
 * Forgets an archive (its row only; the points stay until a new ingest
 * replaces them), so that it can be ingested again. Returns 0,
 * LL_ENOTFOUND, LL_EINVAL (not 64 hex digits), LL_EDB.
 */
int	store_archive_delete(struct store *s, const char *sha256);

/* Calls fn for each archive, ordered by first_time then name. */
typedef int store_archive_fn(void *ctx, const struct store_archive *a);
int	store_archive_list(struct store *s, store_archive_fn *fn, void *ctx);

/*
 * Coverage gaps: time ranges a signal has no values for, and why (e.g. a
 * collector's bins before it had a routing table). A gap is not a value:
 * readers show it beside the points. Strings are < STORE_KEY_MAX bytes
 * (reason < STORE_NAME_MAX).
 */
struct store_gap {
	const char	*signal;	/* "bgp" */
	const char	*collector;	/* "rrc04", "dir:/data/sim" */
	int64_t		 from;		/* start of the first bin missing */
	int64_t		 to;		/* end (exclusive), > from */
	const char	*reason;	/* "no RIB dump yet", ... */
};

/*
 * Records a gap. A gap of the same (signal, collector, from) is replaced.
 * Returns 0, LL_EINVAL, LL_EDB.
 */
int	store_gap_put(struct store *s, const struct store_gap *g);

/*
 * Deletes the gaps of signal starting in [from, to) (a run that
 * recomputed those bins records its own). Returns 0 or LL_EDB.
 */
int	store_gap_delete(struct store *s, const char *signal, int64_t from,
	    int64_t to);

/*
 * Calls fn for each gap of signal (NULL: all signals) overlapping
 * [from, to), ordered by from, then collector. Strings are valid only
 * during the call. Stops and returns fn's value when non-zero. Returns 0
 * or LL_EDB.
 */
typedef int store_gap_fn(void *ctx, const struct store_gap *g);
int	store_gap_list(struct store *s, const char *signal, int64_t from,
	    int64_t to, store_gap_fn *fn, void *ctx);

/*
 * Signal kinds: a unit and a description per kind ("ndt.down", "Mbit/s",
 * "M-Lab NDT download throughput, ..."), kept with the data so that
 * readers can say what a value means. name < STORE_KEY_MAX, unit <
 * STORE_KEY_MAX, description < STORE_SETTINGS_MAX bytes.
 */
struct store_kind {
	const char	*name;
	const char	*unit;		/* "" when it has none */
	const char	*description;
};

/* Records a kind (an existing one's unit and description are replaced).
 * Returns 0, LL_EINVAL, LL_EDB. */
int	store_kind_put(struct store *s, const struct store_kind *k);

/*
 * Calls fn for the kind name (NULL: every kind), ordered by name.
 * Strings are valid only during the call. Stops and returns fn's value
 * when non-zero. Returns 0 (also when none matched), LL_EINVAL, LL_EDB.
 */
typedef int store_kind_fn(void *ctx, const struct store_kind *k);
int	store_kind_list(struct store *s, const char *name, store_kind_fn *fn,
	    void *ctx);

/*
 * Small key/value settings kept with the data (e.g. the bin size an ingest
 * used). store_meta_get() copies the value (NUL-terminated, truncated to
 * len) into buf; returns 0, LL_ENOTFOUND, LL_EDB. store_meta_set() with
 * value NULL deletes the key.
 */
int	store_meta_get(struct store *s, const char *key, char *buf,
	    size_t len);
int	store_meta_set(struct store *s, const char *key, const char *value);

/*
 * The evidence log: opaque records (src/evidence makes and checks them),
 * numbered 1, 2, ... in the order appended. There is no update and no
 * delete. store_evidence_append() writes rec (len bytes, at most 16 MiB)
 * and sets *seq. Returns 0, LL_EINVAL, LL_EDB.
 */
#define STORE_EVIDENCE_MAX	(16u << 20)
int	store_evidence_append(struct store *s, const uint8_t *rec, size_t len,
	    int64_t *seq);

/* Calls fn for each record in seq order (rec valid during the call);
 * stops and returns fn's value when non-zero. Returns 0 or LL_EDB. */
typedef int store_evidence_fn(void *ctx, int64_t seq, const uint8_t *rec,
    size_t len);
int	store_evidence_scan(struct store *s, store_evidence_fn *fn, void *ctx);

/* ---- events (schema version 8): routing alerts and what else incidents
 * are made of ---- */

/*
 * An event: something that happened to an entity over a time range, of a
 * kind ("routing:hijack"), with its details as one JSON object. Strings
 * are < STORE_KEY_MAX bytes (detail: < 1 MiB).
 */
struct store_event {
	const char	*kind;		/* "routing:hijack" */
	const char	*entity;	/* "prefix:192.0.2.0/24", "asn:64500" */
	int64_t		 from;		/* when it began */
	int64_t		 to;		/* when it ended; 0 while it lasts */
	const char	*detail;	/* JSON object */
};

/*
 * Records an event. One of the same (kind, entity, from) is replaced
 * (its end and details), so that a second run over the same archives
 * adds nothing. Returns 0, LL_EINVAL, LL_EDB.
 */
int	store_event_put(struct store *s, const struct store_event *e);

/*
 * Calls fn for each event whose kind starts with kind_prefix (NULL: all)
 * and that overlaps [from, to) (one still lasting overlaps every later
 * time), ordered by from, kind, entity. Strings are valid only during the
 * call. Stops and returns fn's value when non-zero. Returns 0 or LL_EDB.
 */
typedef int store_event_fn(void *ctx, const struct store_event *e);
int	store_event_list(struct store *s, const char *kind_prefix,
	    int64_t from, int64_t to, store_event_fn *fn, void *ctx);

/*
 * Detection (schema version 7): detector state, alerts, pinned baselines,
 * incidents and their transitions. Strings given are copied; strings
 * handed to callbacks are valid only during the call. Writes outside a
 * transaction are each committed on their own.
 */
#define STORE_TEXT_MAX	4096	/* an incident's scope, signals, a note */

/* Where a detector stands on one series: the last bin it judged, the
 * level it gave and for how many bins in a row. */
struct store_dstate {
	const char	*detector;	/* "ioda", "pinned" */
	const char	*signal;
	const char	*entity;
	int64_t		 last;		/* start of the last bin judged */
	int		 level;		/* the detector's level there */
	int		 run;		/* bins in a row at that level */
	double		 value;		/* a running value (the CUSUM sum) */
};
typedef int store_dstate_fn(void *ctx, const struct store_dstate *d);
/* Upserts by (detector, signal, entity). Returns 0, LL_EINVAL, LL_EDB. */
int	store_dstate_put(struct store *s, const struct store_dstate *d);
/* Calls fn for each state, ordered by detector, signal, entity. */
int	store_dstate_list(struct store *s, store_dstate_fn *fn, void *ctx);

/* One alert: a detector's verdict on one bin of one series. */
struct store_alert {
	const char	*detector;
	const char	*signal;
	const char	*entity;
	int64_t		 time;		/* start of the bin */
	const char	*level;		/* "warning", "critical", "gap" */
	double		 value;		/* the bin's value */
	double		 expected;	/* the history's median or baseline */
};
typedef int store_alert_fn(void *ctx, const struct store_alert *a);
/* Upserts by (detector, signal, entity, time). 0, LL_EINVAL, LL_EDB. */
int	store_alert_put(struct store *s, const struct store_alert *a);
/* Calls fn for each alert of entity (NULL: all) with from <= time < to,
 * ordered by time, entity, signal, detector. Returns 0, fn's value, LL_EDB. */
int	store_alert_list(struct store *s, const char *entity, int64_t from,
	    int64_t to, store_alert_fn *fn, void *ctx);

/* A pinned baseline: the value an entity's signal is measured against,
 * frozen from the median of [from, to). */
struct store_baseline {
	const char	*signal;
	const char	*entity;
	int64_t		 from;
	int64_t		 to;
	double		 value;
	const char	*who;		/* "analyst:NAME" or "system" */
	int64_t		 pinned_at;	/* set by the store on put (kept
					   when > 0: a copy) */
};
typedef int store_baseline_fn(void *ctx, const struct store_baseline *b);
/* Replaces the baseline of (signal, entity). 0, LL_EINVAL, LL_EDB. */
int	store_baseline_put(struct store *s, const struct store_baseline *b);
/* Calls fn for each baseline (signal NULL: of all), ordered by signal,
 * entity. */
int	store_baseline_list(struct store *s, const char *signal,
	    store_baseline_fn *fn, void *ctx);

/* An incident: alerts of one event merged. end is 0 while open. */
struct store_incident {
	int64_t		 id;		/* 0 on put: a new one, id set */
	const char	*cls;		/* "nationwide shutdown", ... */
	const char	*scope;		/* entities, comma-separated */
	const char	*signals;	/* supporting signal:detector, ditto */
	const char	*state;		/* "detected", "verified", ... */
	const char	*severity;	/* "warning", "critical" */
	int64_t		 start;
	int64_t		 end;		/* 0 while open */
	int64_t		 last;		/* last bin with an alert; once back
					   at the baseline, the first bin back */
	double		 confidence;	/* 0..1 */
	double		 score;		/* sum over bins of drop% x minutes */
	double		 restored;	/* latest value in % of the baseline */
	int		 run;		/* bins in a row back at the baseline */
	int64_t		 campaign;	/* recurring: the first incident's id
					   (0: none) */
};
typedef int store_incident_fn(void *ctx, const struct store_incident *i);
/* Inserts (id 0: *id is set) or updates. 0, LL_ENOTFOUND, LL_EINVAL,
 * LL_EDB. */
int	store_incident_put(struct store *s, struct store_incident *inc);
/* Calls fn for incident id (0: every incident, by start then id).
 * LL_ENOTFOUND when id is not there. */
int	store_incident_list(struct store *s, int64_t id,
	    store_incident_fn *fn, void *ctx);

/* One step of an incident's lifecycle, and who took it. */
struct store_transition {
	int64_t		 incident;
	int64_t		 time;		/* when, in the data (or now) */
	const char	*state;
	const char	*who;		/* "system", "analyst:NAME" */
	const char	*note;		/* "" when none */
};
typedef int store_transition_fn(void *ctx, const struct store_transition *t);
/* Appends a transition. 0, LL_EINVAL, LL_EDB. */
int	store_transition_put(struct store *s, const struct store_transition *t);
/* Calls fn for the transitions of incident, in the order they were made. */
int	store_transition_list(struct store *s, int64_t incident,
	    store_transition_fn *fn, void *ctx);
/* Calls fn(ctx, key, value) for every setting, by key; a non-zero return
 * stops and is returned. */
typedef int store_meta_fn(void *ctx, const char *key, const char *value);
int	store_meta_list(struct store *s, store_meta_fn *fn, void *ctx);

/* ---- impact (schema version 10): reference tables the user imports,
 * and the figures computed per incident ---- */

/* One AS's users in one country: an estimate such as APNIC's "customer
 * populations per AS". cc: two capital letters. */
struct store_users {
	const char	*cc;		/* "EG" */
	uint32_t	 asn;		/* > 0 */
	double		 users;		/* estimated users, >= 0 */
	double		 share;		/* % of the country's users, -1: not
					   given */
	double		 samples;	/* measurements behind it, -1: not
					   given */
	const char	*source;	/* "apnic-aspop:FILE@2024-06-10" */
};
typedef int store_users_fn(void *ctx, const struct store_users *u);
/* Upserts by (cc, asn). Returns 0, LL_EINVAL, LL_EDB. */
int	store_users_put(struct store *s, const struct store_users *u);
/* Calls fn for the estimates of cc (NULL: all) and asn (0: all), ordered
 * by cc, then users (largest first), then asn. Returns 0, fn's value,
 * LL_EINVAL, LL_EDB. */
int	store_users_list(struct store *s, const char *cc, uint32_t asn,
	    store_users_fn *fn, void *ctx);

/* A country's economy and users, for the impact's figures. Unknown
 * numbers are -1. */
struct store_country {
	const char	*cc;		/* "EG" */
	const char	*name;		/* "Egypt" ("" when not given) */
	int		 year;		/* of the figures */
	double		 gdp;		/* GDP, current US$ a year */
	double		 population;
	double		 users;		/* Internet users */
	double		 digital;	/* Internet economy share of GDP,
					   0..1 */
	const char	*source;	/* where the row came from */
};
typedef int store_country_fn(void *ctx, const struct store_country *c);
/* Upserts by cc. Returns 0, LL_EINVAL, LL_EDB. */
int	store_country_put(struct store *s, const struct store_country *c);
/* Calls fn for cc (NULL: every country), ordered by cc. Returns 0, fn's
 * value, LL_EINVAL, LL_EDB. */
int	store_country_list(struct store *s, const char *cc,
	    store_country_fn *fn, void *ctx);

/* One figure of an incident's impact, stored with what it was computed
 * from. A figure that could not be computed has no value (known false)
 * and says why in inputs. */
#define STORE_INPUTS_MAX	(1u << 20)
struct store_impact {
	int64_t		 incident;
	const char	*name;		/* "space.v4", "users", "cost" ... */
	bool		 known;		/* false: "no data" */
	double		 value;
	const char	*unit;		/* "/24s", "users", "US$" ... */
	const char	*method;	/* "apnic-aspop", "gdp-share" ... */
	const char	*formula;	/* the formula, in words and symbols */
	const char	*inputs;	/* JSON object (< STORE_INPUTS_MAX) */
	int64_t		 computed_at;	/* set by the caller */
};
typedef int store_impact_fn(void *ctx, const struct store_impact *f);
/* Upserts by (incident, name). Returns 0, LL_EINVAL, LL_EDB. */
int	store_impact_put(struct store *s, const struct store_impact *f);
/* Deletes every figure of incident. Returns 0, LL_EDB. */
int	store_impact_delete(struct store *s, int64_t incident);
/* Calls fn for the figures of incident, in the order they were put.
 * Returns 0 (also when there are none), fn's value, LL_EINVAL, LL_EDB. */
int	store_impact_list(struct store *s, int64_t incident,
	    store_impact_fn *fn, void *ctx);

/* What store_copy() and store_verify() went through (detection: detector
 * states, alerts, baselines, incidents and their transitions). */
struct store_copy_stats {
	uint64_t	series, points, archives, gaps, meta;
	uint64_t	kinds, detection, events, evidence;
};

/*
 * Copies everything of the store from into the store to (another backend
 * or the same), in one transaction of to: settings, archives (with their
 * ingested_at), coverage gaps, every point, signal kinds, detector
 * states, alerts, baselines (with their pinned_at), incidents and their
 * transitions, events and the evidence log (the same records, the same
 * numbers). to must hold no archive, no series, no incident and no
 * evidence (LL_EEXIST). Incidents get the destination's ids, in the same
 * order (a campaign names the copy of its first incident). Not carried,
 * as no read gives them back: the source a point was written with, when a
 * transition was recorded. Returns 0 or LL_E* with a one-line message in
 * err.
 */
int	store_copy(struct store *from, struct store *to,
	    struct store_copy_stats *st, char *err, size_t errlen);

/*
 * Reads both stores through and compares them: settings, archives, gaps,
 * series and every point (time and the value's bits), kinds, detection
 * (incidents by their rank in id order), events and evidence records
 * must be the same.
 * Returns 0, LL_EVERIFY with the first difference in err, or another
 * LL_E*. st: what a holds.
 */
int	store_verify(struct store *a, struct store *b,
	    struct store_copy_stats *st, char *err, size_t errlen);

#endif
