/*
 * Ingest: MRT archives into the store, atomically and idempotently (layer
 * 3). One path for every writer: the CLI's `ingest bgp` today, importers,
 * the HTTP API and bus consumers later.
 *
 * Every archive is known by the SHA-256 of its bytes. A run replays all
 * the files it is given (archives already in the store only as context)
 * and writes, in ONE store transaction, the points of every bin from the
 * first bin of the first new archive to the last record, and one archive
 * row per new archive that produced a point, with the settings of the run
 * (the signal's options and its location sources, one canonical line). A
 * crash before the commit leaves nothing of the run.
 *
 * Hashing costs as much as decoding, so it runs on a second thread while
 * the replay starts on the guess that every file is new; when the hashes
 * are known the guess is checked, and if some file was ingested before or
 * is a copy of another, the transaction is rolled back and the run starts
 * again knowing which files are new.
 *
 * Input that is not a regular file (a pipe, a FIFO, /dev/stdin, a shell's
 * <(...)) can be read only once, and a replay opens each file twice (a
 * peek, then the replay) while ingest also hashes it: ingest_spool_new()
 * copies such input once into an unlinked temporary file, which every
 * reader then opens; regular files are used in place, never copied.
 *
 * Nothing here prints: messages go through callbacks and errmsg buffers.
 */
#ifndef LL_INGEST_INGEST_H
#define LL_INGEST_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "geo/geo.h"
#include "import/import.h"
#include "signal/signal.h"
#include "store/store.h"

#define INGEST_ERR_LEN		512
/* Default cap on what one non-regular input may spool. */
#define INGEST_SPOOL_MAX	((uint64_t)16 << 30)

/* ---- non-regular input, read once ----------------------------------- */

struct ingest_spool;

/*
 * For each of n paths: a regular file is kept as it is; anything else
 * that can be read (pipe, FIFO, character device) is read to its end
 * once, into an unlinked temporary file in dir (NULL: "/tmp"), of at most
 * max bytes (0: INGEST_SPOOL_MAX). A directory or a path that cannot be
 * opened is refused. Returns 0 and *out (free with ingest_spool_free(),
 * which closes the copies; nothing stays on disk even after a crash), or
 * LL_EIO (errno kept), LL_ELIMIT (larger than max), LL_EINVAL (a
 * directory), LL_ENOMEM, with one line naming the file in err.
 */
int	ingest_spool_new(const char *const *paths, size_t n, const char *dir,
	    uint64_t max, struct ingest_spool **out, char *err, size_t errlen);

/* The n paths to open: paths[i] itself, or "/dev/fd/N" of its copy.
 * Owned by sp. */
const char *const *ingest_spool_paths(const struct ingest_spool *sp);

/* How many inputs were copied. */
size_t	ingest_spool_count(const struct ingest_spool *sp);

/* Safe to call with NULL. */
void	ingest_spool_free(struct ingest_spool *sp);

/* ---- settings ------------------------------------------------------- */

/*
 * The location sources of opts as one canonical line ("locdb=PATH@DATE
 * city=PATH rir=PATH,PATH pfx2as=PATH": only those used), and in
 * *locdb_time the creation time the libloc database records (0 when
 * libloc is not used or gives none). Returns 0, LL_ELIMIT (buf too
 * small), or geo_locdb_info()'s error.
 */
int	ingest_sources_text(const struct geo_opts *opts, char *buf,
	    size_t len, int64_t *locdb_time);

/*
 * Writes into buf, for a message, the settings that differ between two
 * canonical lines a and b, each side as "name=value" ("full-feed=400000"
 * and "full-feed=50%"); a name present on one side only shows as
 * "name=(none)". Returns the number of differing names.
 */
int	ingest_settings_diff(const char *a, const char *b, char *abuf,
	    char *bbuf, size_t len);

/*
 * True when the location database (created at locdb_time) is two years
 * or more away from the data's time, and then a warning in msg.
 */
bool	ingest_locdb_far(int64_t locdb_time, int64_t data_time, char *msg,
	    size_t len);

/* ---- the ingest ------------------------------------------------------ */

struct ingest_opts {
	struct sig_opts		 sig;		/* the signal's options (geo
						   set by the caller) */
	/* collector, strict, one_thread, on_error, on_file, on_progress,
	 * ctx are used as given; on_plan and open_paths are ingest's. */
	struct sig_replay_opts	 replay;
	const char *const	*open_paths;	/* ingest_spool_paths(), or
						   NULL */
	const char		*sources;	/* ingest_sources_text() */
	int64_t			 locdb_time;	/* from ingest_sources_text() */
	/* Ingest the files again even when the store knows them (their
	 * rows and the points of their bins are replaced), and accept
	 * settings other than the store's: they become the store's. */
	bool			 force;
	/* Warnings (one line each), e.g. a location database years away
	 * from the data. NULL: none. */
	void			(*warn)(void *ctx, const char *msg);
	void			*warn_ctx;
};

struct ingest_result {
	size_t		 given;		/* files given */
	size_t		 recorded;	/* archives written (new, replaced) */
	size_t		 known;		/* already in the store (skipped) */
	size_t		 no_point;	/* new, but produced no point: not
					   recorded */
	uint64_t	 points;	/* points written */
	int64_t		 tmin, tmax;	/* of the points written */
	int64_t		 data_first;	/* first record of the new files */
	struct sig_stats stats;		/* the engine's, at the end */
	uint64_t	 bad;		/* bad records skipped */
	bool		 damaged;	/* a file ended in an error */
	bool		 unreadable;	/* a file could not be read at all */
	/* On INGEST_CONFLICT: the differing settings, store's and run's. */
	char		 store_settings[STORE_SETTINGS_MAX];
	char		 run_settings[STORE_SETTINGS_MAX];
	char		 errmsg[INGEST_ERR_LEN];
};

/* What ingest_bgp() ended with (besides the LL_E* code). */
enum ingest_status {
	INGEST_DONE = 0,	/* committed (maybe nothing new) */
	INGEST_CONFLICT,	/* other settings than the store's: nothing
				   written (force to replace) */
	INGEST_STRICT,		/* strict: a bad record; nothing written */
	INGEST_FAILED,		/* nothing written; errmsg says why (or a
				   callback did) */
};

/*
 * Ingests n files (paths as the user named them) into st as signal
 * "bgp". Reports each file through o->replay.on_file, bad records
 * through on_error, warnings through o->warn. Fills *res. Returns
 * INGEST_DONE and 0 in *rc, or another status with the LL_E* code in
 * *rc and a message in res->errmsg ("" when a callback already said it).
 */
enum ingest_status ingest_bgp(struct store *st, const char *const *files,
	    size_t n, const struct ingest_opts *o, struct ingest_result *res,
	    int *rc);

/*
 * Forgets the archives (rows only) whose SHA-256 or whose file is given,
 * so that a later ingest takes them again. Calls fn for each, with the
 * archive (NULL when the store does not know it). Returns 0, LL_EIO (a
 * file could not be hashed), LL_EDB, with a message in errmsg.
 */
typedef void ingest_forget_fn(void *ctx, const char *arg,
    const struct store_archive *a);
int	ingest_forget(struct store *st, const char *const *args, size_t n,
	    ingest_forget_fn *fn, void *ctx, char *errmsg, size_t errlen);

/*
 * The SHA-256 (lower-case hex, 65 bytes with NUL) and size of the file at
 * path, read through a read-only mapping (no copy) when it is a regular
 * file. Returns 0, or LL_EIO with errno kept.
 */
int	ingest_sha256_file(const char *path, char *hex, uint64_t *size);

/* ---- imported series (ingest_import.c) ---------------------------- */

struct ingest_import_opts {
	enum import_family	 fam;		/* the command's family */
	enum import_fmt		 fmt;		/* 0: detected per file */
	const char		*entity;	/* NDT results without a
						   location; NULL: none */
	struct geo		*geo;		/* NDT: locates client
						   addresses (NULL: not) */
	const char *const	*open_paths;	/* ingest_spool_paths(), or
						   NULL */
	bool			 force;		/* import known files again */
	/* A bad row, "FILE:LINE: what is wrong" (NULL: not said). */
	void			(*on_bad)(void *ctx, const char *msg);
	void			*ctx;
};

struct ingest_import_result {
	enum import_fmt	 fmt;		/* of the run */
	size_t		 given;		/* files given */
	size_t		 recorded;	/* files recorded (new or forced) */
	size_t		 known;		/* already in the store: context */
	uint64_t	 rows, bad;	/* rows read, rejected (all files) */
	uint64_t	 points;	/* points written */
	size_t		 kinds;		/* kinds written */
	int64_t		 tmin, tmax;	/* of the points written */
	char		 errmsg[INGEST_ERR_LEN];
};

/*
 * Imports n files of one format (import.h) into st, atomically and
 * idempotently, as ingest_bgp() does archives: every file is known by
 * its SHA-256; when none is new (and not force) nothing is written.
 * Otherwise every file given is read (known ones as context, since
 * medians and shares are taken over all of them), and in ONE
 * transaction the points of every kind the run yields are written
 * (replacing those of the same kind, entity and bin), each kind's unit
 * and description (store_kind_put), and one archive row per new file
 * with a good row (settings "import=FORMAT[ entity=E]"). A crash before
 * the commit leaves nothing. Returns 0, LL_EFORMAT (a file not of the
 * run's format), LL_EIO, LL_ELIMIT, LL_ENOMEM, LL_EDB, with a one-line
 * message in res->errmsg.
 */
int	ingest_import(struct store *st, const char *const *files, size_t n,
	    const struct ingest_import_opts *o,
	    struct ingest_import_result *res);
/* ---- points that arrive from a bus ---------------------------------- */

/* Points of one signal kind. */
struct ingest_kind_pts {
	const char		*kind;		/* "bgp", "bgp.peers", ... */
	const struct store_point *pts;
	size_t			 n;
};

/*
 * One message of points computed elsewhere (an agent), with the id that
 * makes it idempotent: the message is recorded as an archive row whose
 * SHA-256 is that of the id (name "bus:ID" cut to fit), in the same
 * transaction as its points, so that a redelivery is known and skipped.
 */
struct ingest_msg {
	const char		*id;		/* unique per message, never "" */
	const char		*source;	/* kept with each point ("bus:A") */
	const char		*settings;	/* the agent's canonical line */
	uint64_t		 bytes;		/* size of the message */
	const struct ingest_kind_pts *kinds;
	size_t			 nkinds;
	bool			 dup;		/* out: known before: skipped */
};

/*
 * Writes the points of n messages into st in ONE transaction, each
 * message's id recorded with them; messages whose id the store (or an
 * earlier message of the batch) already holds are skipped and marked
 * dup. Nothing is written unless everything is: after a failure the store
 * is as it was. Returns 0 with the number of messages written in
 * *stored and of points in *points, or LL_EINVAL (an empty id),
 * LL_EDB, LL_ENOMEM, with one line in err.
 */
int	ingest_bus_points(struct store *st, struct ingest_msg *msgs, size_t n,
	    size_t *stored, uint64_t *points, char *err, size_t errlen);

/* The SHA-256 of len bytes at p, as 64 lower-case hex digits and a NUL.
 * Returns 0 or LL_ENOMEM. */
int	ingest_sha256_bytes(const void *p, size_t len,
	    char hex[STORE_SHA256_HEX]);

#endif
