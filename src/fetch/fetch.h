/*
 * Getting archives: plans the list of RIB and update files that the public
 * collectors publish for a time range, and downloads them with libcurl,
 * resuming partial files and verifying what can be verified.
 *
 * Directory layouts (checked against the projects' own pages and URLs seen
 * in public code, 2024):
 *  - RIPE RIS, https://data.ris.ripe.net/: <rrcNN>/<YYYY.MM>/ holds
 *    updates.<YYYYMMDD>.<HHMM>.gz every 5 minutes and bview.<...>.gz, a
 *    TABLE_DUMP_V2 snapshot "generated with 8-hours interval" (RIS docs,
 *    ris.ripe.net/docs/prototypes/per-rrc-dumps) at 00:00, 08:00, 16:00.
 *  - RouteViews, https://archive.routeviews.org/: route-views2 lives at
 *    bgpdata/<YYYY.MM>/{UPDATES,RIBS}/ (e.g. bgpdata/2020.01/RIBS/
 *    rib.20200101.0800.bz2), every other collector under <collector>/bgpdata/
 *    with the same layout (e.g. route-views.amsix/bgpdata/2021.10/UPDATES/
 *    updates.20211004.1545.bz2). "RIBS are snapshots and are collected
 *    every 2 hours. UPDATES are ongoing files that are rotated every 15
 *    minutes" (routeviews.org/routeviews/index.php/archive/).
 * Neither project publishes a per-file checksum that we could find, so a
 * download is verified by its Content-Length (and Content-Range total), by
 * decompressing it completely and by checking its first MRT header.
 *
 * Files are stored under the destination directory with the relative path
 * they have on the server (a mirror), so that a second run finds what the
 * first one finished, with one exception: route-views2's files, which the
 * server keeps at bgpdata/ with no collector in the path, land under
 * route-views2/bgpdata/, so that every collector's files sit under a
 * directory named for it and a replay can tell collectors apart.
 */
#ifndef LL_FETCH_FETCH_H
#define LL_FETCH_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sockaddr;

enum fetch_project {
	FETCH_RIS,
	FETCH_ROUTEVIEWS,
};

enum fetch_kind {
	FETCH_RIB = 1,
	FETCH_UPDATES = 2,
};

/* One archive to get. */
struct fetch_file {
	char		*url;	/* absolute URL */
	char		*rel;	/* path relative to the destination directory;
				   it always begins with the collector */
	int64_t		 time;	/* nominal start time (UTC seconds) */
	int64_t		 period;	/* seconds until the next file */
	enum fetch_kind	 kind;
};

/* What to plan: kinds is FETCH_RIB|FETCH_UPDATES or one of them. */
struct fetch_req {
	enum fetch_project	 project;
	const char		*collector;	/* "rrc00", "route-views2" */
	int64_t			 from;		/* [from, to), UTC seconds */
	int64_t			 to;
	int			 kinds;
	const char		*base_url;	/* NULL: the project's own */
};

struct fetch_plan {
	struct fetch_file	*files;	/* sorted by time, RIBs first */
	size_t			 n;
};

/* Parses "ris" or "routeviews". Returns 0 or LL_EINVAL. */
int	 fetch_project_parse(const char *s, enum fetch_project *out);

/* The project's public base URL (static string, ends in '/'). */
const char *fetch_default_base(enum fetch_project p);

/*
 * Lists the files whose interval [time, time + period) intersects
 * [from, to), for each kind asked; for RIBs this includes the last RIB at
 * or before `from`, which a consumer needs to know the tables at `from`.
 * When both kinds are asked, the updates start at that RIB's time, not at
 * `from`: a replay applies every update after the RIB to reach the tables
 * at `from`, and a plan without them would leave a hole between the two.
 * The collector name must be a plain name (letters, digits, '.', '-',
 * '_'); RIS collectors are "rrcNN". Returns 0 and fills *out (free with
 * fetch_plan_free()), LL_EINVAL on a bad request, LL_ELIMIT when the plan
 * would exceed 1,000,000 files, LL_ENOMEM.
 */
int	 fetch_plan_build(const struct fetch_req *req, struct fetch_plan *out);

/* Frees what a plan owns; safe on a zeroed or freed plan, not NULL. */
void	 fetch_plan_free(struct fetch_plan *plan);

/* Outcome of one file. */
enum fetch_status {
	FETCH_DONE,		/* downloaded and verified */
	FETCH_PRESENT,		/* already complete on disk: skipped */
	FETCH_MISSING,		/* the server has no such file (404/410) */
	FETCH_BAD,		/* downloaded but failed verification */
	FETCH_FAILED,		/* could not be downloaded (after retries),
				   or larger than max_bytes */
	FETCH_PLANNED,		/* dry run: would be downloaded */
};

const char *fetch_status_name(enum fetch_status s);

struct fetch_stats {
	size_t		 done, present, missing, bad, failed, planned;
	uint64_t	 bytes;		/* body bytes received */
	unsigned	 retries;	/* transfers repeated after a transient
					   error */
};

struct fetch_opts {
	const char	*dir;		/* destination; NULL: "." */
	int		 max_tries;	/* per file; <= 0: 4 */
	long		 backoff_ms;	/* first retry delay, doubled each
					   time, capped at 60 s; <= 0: 1000 */
	long		 timeout_s;	/* connect timeout, and abort a
					   transfer slower than min_rate that
					   long; <= 0: 60 */
	long		 min_rate;	/* bytes a second; <= 0: 1024 */
	long		 max_time_s;	/* per file, all tries and waits
					   included; <= 0: 3600 */
	uint64_t	 max_bytes;	/* largest file accepted; a bigger one
					   is FAILED and its .part removed;
					   0: 8 GiB */
	bool		 dry_run;	/* report FETCH_PLANNED/PRESENT only */
	bool		 no_verify;	/* skip decompression check */
	/*
	 * Called during a transfer with the bytes of this file on disk so
	 * far and its full size (0 when unknown). A non-zero return stops
	 * the run: fetch_run() then returns LL_EINTR, the .part file kept.
	 */
	int		(*on_progress)(void *arg, const struct fetch_file *f,
			    uint64_t done, uint64_t total);
	/* Called once per file with its outcome and, for MISSING, BAD and
	 * FAILED, a one-line reason (valid during the call). */
	void		(*on_file)(void *arg, const struct fetch_file *f,
			    enum fetch_status st, const char *why);
	/*
	 * When set, asked before every connection libcurl opens; returning
	 * false refuses it (the transfer then fails). Tests use it to prove
	 * that only loopback is contacted.
	 */
	bool		(*allow_addr)(void *arg, const struct sockaddr *sa);
	/* When set, called instead of sleeping between tries (tests). */
	void		(*on_wait)(void *arg, long ms);
	void		*arg;
};

/*
 * Downloads each file of the plan into opts->dir (created as needed, with
 * the file's relative path): a complete file already there is skipped; a
 * FILE.part left by an earlier run is continued with an HTTP Range
 * request; transient errors (connection, timeout, short body, HTTP 5xx,
 * 408, 429) are retried with exponential backoff up to max_tries; a 404 is
 * reported and counted; a finished file is verified (fetch_verify()) and
 * renamed from .part atomically, or, when it fails, renamed to FILE.bad.
 * Fills *st (may be NULL). Returns 0 when the run went through (per-file
 * problems are in *st and on_file), LL_EINTR when on_progress stopped it,
 * LL_EIO when the directory cannot be written (the file is reported
 * FAILED first, with the system's reason: "No space left on device"...),
 * LL_ENET when libcurl cannot be initialised, LL_ENOMEM.
 */
int	 fetch_run(const struct fetch_plan *plan, const struct fetch_opts *opts,
	    struct fetch_stats *st);

/*
 * Verifies a downloaded archive: its compression (chosen by magic bytes)
 * must be gzip for a name ending ".gz" and bzip2 for ".bz2", the stream
 * must decompress to its end without error, and a non-empty stream must
 * begin with a sane MRT common header (RFC 6396 section 2: known type,
 * length under 64 MiB, timestamp after 1990). `name` (may be NULL) gives
 * the expected extension. Returns 0, or LL_EVERIFY and a reason in why
 * (why may be NULL), or LL_EIO when the file cannot be read.
 */
int	 fetch_verify(const char *path, const char *name, char *why,
	    size_t whylen);

#endif
