/*
 * The simulator: real-format MRT archives (RFC 6396) for a demo without a
 * network. A routing table of real prefixes (a country's networks plus a
 * sample of other countries', with their origin ASes) is seen by synthetic
 * full-feed peers; a RIB dump and 5-minute update files are written in
 * RIS's layout and naming, with background churn, one peer's session
 * reset, and the withdrawal of every prefix of a chosen country or AS by
 * every peer at one time and their return at another.
 *
 * Where prefixes come from is given by the caller (struct sim_source), so
 * the library does not depend on the location database; the CLI plugs in
 * src/geo. Deterministic for a given seed.
 */
#ifndef LL_SIM_SIM_H
#define LL_SIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/net.h"

#define SIM_MAX_PEERS	64

/* One routed network for sim_source.routes: prefix, origin AS and the
 * country it is in ("" when none). A non-zero return stops. */
typedef int sim_route_fn(void *fnctx, const struct net_prefix *p,
    uint32_t asn, const char *cc);

struct sim_source {
	void	*ctx;
	/* The networks of country cc and family af (NET_AF4/NET_AF6),
	 * disjoint; *out malloc'ed, owned by the caller. Returns 0/LL_E*. */
	int	(*networks)(void *ctx, const char *cc, uint8_t af,
		    struct net_prefix **out, size_t *n);
	/* The origin AS of p, 0 when unknown (such a network is taken as
	 * not announced). Returns 0 or LL_E*. */
	int	(*origin)(void *ctx, const struct net_prefix *p, uint32_t *asn);
	/* For full_table: every routed network (prefix, origin, country),
	 * nested ones included, through fn. May be NULL otherwise. */
	int	(*routes)(void *ctx, sim_route_fn *fn, void *fnctx);
};

/* Called now and then while writing (done/total in work units). */
typedef void sim_progress_fn(void *ctx, const char *label, uint64_t done,
    uint64_t total);

struct sim_opts {
	const char	*outdir;	/* must exist */
	const char	*cc;		/* target country, or NULL */
	uint32_t	 asn;		/* target AS, or 0 */
	const char *const *background;	/* NULL-terminated country codes
					   sampled for the rest of the
					   table */
	int64_t		 start;		/* RIB dump time; multiple of 300 */
	int64_t		 duration;	/* of the update files, seconds */
	int64_t		 outage_from;	/* withdrawals start */
	int64_t		 outage_to;	/* re-announcements start */
	unsigned	 peers;		/* 1..SIM_MAX_PEERS */
	unsigned	 peer_ases;	/* peers share this many ASes (peer i
					   is in the (i mod peer_ases)th);
					   0: one AS each */
	unsigned	 churn;		/* background events per peer per
					   5-minute file; 0: 20 */
	uint64_t	 seed;
	size_t		 table;		/* about this many IPv4 prefixes; with
					   full_table, 0 takes them all */
	size_t		 table6;	/* IPv6 prefixes; 0: 12% of table (all
					   of them with full_table) */
	bool		 full_table;	/* the table is src->routes' networks
					   (the whole routed table), not a
					   sample of countries */
	int		 gzip_level;	/* 1..9 */
	sim_progress_fn	*progress;	/* or NULL */
	void		*progress_ctx;
};

struct sim_stats {
	size_t		v4, v6;		/* prefixes in the table */
	size_t		target_v4, target_v6;
	size_t		target_origins;	/* origin ASes of the target */
	size_t		unrouted;	/* networks with no origin, left out */
	size_t		files;
	uint64_t	records;	/* MRT records written */
	uint64_t	withdrawals;	/* prefixes withdrawn in the outage,
					   summed over peers */
	int64_t		reset_at;	/* session reset time, 0 if none */
	unsigned	reset_peer;
	char		errpath[512];	/* file that failed, if any */
};

/*
 * Builds the table from src and writes the archives into o->outdir.
 * Returns 0; LL_EINVAL for bad options; LL_ENOTFOUND when the target has
 * no announced network; LL_EIO (errno kept, st->errpath names the file),
 * LL_ENOMEM, or a source's error. st is filled as far as it got.
 */
int	sim_run(const struct sim_opts *o, const struct sim_source *src,
	    struct sim_stats *st);

/*
 * Ground truth for detection (sim_series.c, docs/detection.md): the
 * scenarios below as series CSV ("time,entity,kind,value": active
 * probing every 5 minutes, hourly speed tests) in OUTDIR/NAME.csv, and
 * OUTDIR/truth.jsonl, one line per scenario and per event (class,
 * entity, start, end, the bins a detector has to find it in).
 */
extern const char *const sim_scenarios[];	/* NULL-terminated */

struct sim_series_opts {
	const char	*outdir;	/* must exist */
	const char	*scenario;	/* one of sim_scenarios, or "all" */
	int64_t		 start;		/* first point; multiple of 300 */
	uint64_t	 seed;
	bool		 shrt;		/* short: 2 days of history (not 8),
					   a 12-day continuous shutdown (not
					   60), fewer days and countries */
};

struct sim_series_stats {
	size_t		scenarios, events;
	uint64_t	points;		/* CSV rows written */
	uint64_t	missing;	/* points left out (loss, gaps) */
	char		errpath[512];	/* file that failed, if any */
};

/*
 * Writes the series and truth.jsonl (truncating them). Returns 0;
 * LL_EINVAL for a bad option or an unknown scenario; LL_EIO (errno kept,
 * st->errpath names the file).
 */
int	sim_series_run(const struct sim_series_opts *o,
	    struct sim_series_stats *st);

/*
 * The ground truth of sim_run()'s archives in o->outdir/truth.jsonl, in
 * the same format: scenario "bgp-CC" (or "bgp-asN"), one event, the
 * withdrawal of o->cc (or o->asn) from o->outage_from to o->outage_to,
 * signal bgp. Returns 0, LL_EINVAL, LL_EIO (st->errpath names the file).
 */
int	sim_mrt_truth(const struct sim_opts *o, struct sim_stats *st);

#endif
