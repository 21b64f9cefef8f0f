/*
 * The BGP visibility signal (docs/signals.md has the exact definition).
 *
 * An engine is fed route elements per (collector, peer) in time order. It
 * keeps every peer's table (announce, withdraw, session resets, RIB dumps
 * replacing a collector's tables), decides at the end of each bin which
 * peers are full-feed, and emits through a callback, per kind and entity:
 * per country, region and origin AS the IPv4 /24s ("bgp") and IPv6 /48s
 * ("bgp6") that at least a share (default 50%) of the full-feed peer ASes
 * see, IODA's definition; per collector its peers, full-feed peers and
 * full-feed peer ASes ("bgp.peers", ...).
 *
 * Memory: one record (36 bytes) and one bit per peer for each distinct
 * prefix ever seen, plus one hash entry per (prefix, peer) whose origin
 * AS differs from the prefix's usual origin. A bin is computed by one
 * sweep over the sorted visible prefixes, never over the 2^24 /24s.
 *
 * sig_replay() opens MRT archives, groups them per collector and replays
 * them into an engine in record-time order, each file decoded ahead on a
 * thread of its own while the engine works on the caller's.
 */
#ifndef LL_SIGNAL_SIGNAL_H
#define LL_SIGNAL_SIGNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "geo/geo.h"
#include "mrt/mrt.h"
#include "net/net.h"

/* Entity types the engine emits (sig_opts.by). */
#define SIG_BY_COUNTRY	0x1
#define SIG_BY_REGION	0x2
#define SIG_BY_ASN	0x4
#define SIG_BY_ALL	0x7

/* Series the engine computes (sig_opts.series). */
#define SIG_SERIES_V4		0x1	/* IPv4 /24s: kind "bgp" (or bgp.vNN) */
#define SIG_SERIES_V6		0x2	/* IPv6 /48s: kind "bgp6" (bgp6.vNN) */
#define SIG_SERIES_HEALTH	0x4	/* collector health: the SIG_KIND_*
					   below, entity "collector:NAME" and
					   "collector:all" */
#define SIG_SERIES_ALL		0x7

/* Visibility thresholds (sig_opts.visibility): the share of full-feed
 * peer ASes that must see a prefix, IODA's five. */
#define SIG_VIS_ANY	(-1)	/* at least one */

/* Collector health kinds (docs/signals.md). */
#define SIG_KIND_PEERS		"bgp.peers"	/* peers with IPv4 routes */
#define SIG_KIND_FF_PEERS	"bgp.ff_peers"	/* IPv4 full-feed peers */
#define SIG_KIND_FF_ASNS	"bgp.ff_asns"	/* their distinct ASes */
#define SIG_KIND6_PEERS		"bgp6.peers"
#define SIG_KIND6_FF_PEERS	"bgp6.ff_peers"
#define SIG_KIND6_FF_ASNS	"bgp6.ff_asns"
/* The entity of all collectors together (a collector may not be named
 * "all"). */
#define SIG_COLLECTOR_ALL	"collector:all"

/* BGP FSM state Established (RFC 4271 section 8.2.2). */
#define SIG_BGP_ESTABLISHED	6

/*
 * Where a prefix is: calls fn for each country/region piece of p as
 * geo_split() does. The default (split NULL) is geo_split() on opts.geo;
 * tests give their own.
 */
typedef int sig_split_fn(void *ctx, const struct net_prefix *p,
    geo_split_fn *fn, void *fnctx);

/*
 * One point: the value of series kind ("bgp", "bgp6", "bgp.v25",
 * "bgp.ff_peers": docs/signals.md) for entity ("country:EG",
 * "region:EG-C", "asn:8452", "collector:rrc00") in the bin starting at
 * time. kind is a string constant; entity stays valid until sig_free(), so
 * a caller may keep the pointers instead of copies. Within a bin, the
 * points of one kind come together.
 * A non-zero return stops the engine; the call that fed it returns it.
 */
typedef int sig_emit_fn(void *ctx, const char *kind, int64_t time,
    const char *entity, uint64_t value);

struct sig_opts {
	int64_t		 bin;		/* seconds; 0 = 300 */
	/* Full-feed peers. With ff_pct == 0: at least ff_v4 IPv4 prefixes
	 * (0 = 400,000) and at least ff_v6 IPv6 prefixes (0 = 10,000), as
	 * IODA; with ff_pct in (0, 100]: at least ff_pct% of the table of
	 * the largest peer of that family. */
	uint32_t	 ff_v4;
	uint32_t	 ff_v6;
	double		 ff_pct;
	/* A prefix is visible when at least visibility% of the full-feed
	 * peer ASes see it: 25, 50, 75, 100 or SIG_VIS_ANY; 0 = 50. */
	int		 visibility;
	unsigned	 by;		/* SIG_BY_*; 0 = all */
	unsigned	 series;	/* SIG_SERIES_*; 0 = all */
	struct geo	*geo;		/* not owned; NULL: no country/region
					   unless split is set */
	sig_split_fn	*split;
	void		*split_ctx;
	int64_t		 max_gap;	/* largest time jump accepted between
					   records, seconds; 0 = 31 days */
};

struct sig_stats {
	uint64_t	elems;		/* elements applied */
	uint64_t	prefixes;	/* distinct prefixes held */
	uint32_t	peers;
	uint32_t	full_feed;	/* IPv4 full-feed peers in the last bin */
	uint32_t	full_feed6;	/* IPv6 full-feed peers in the last bin */
	uint64_t	bins;		/* bins emitted */
	uint64_t	points;		/* points emitted */
	uint64_t	visible;	/* visible IPv4 prefixes in the last bin */
	uint64_t	exceptions;	/* (prefix, peer) origins held apart */
	uint64_t	mem_bytes;	/* approximate heap held */
	uint32_t max_v4; uint32_t max_v6; /* largest IPv4/IPv6 table of any peer seen */
};

struct sig;

/*
 * Creates an engine. opts may be NULL (all defaults); it is copied.
 * emit is called for each point. Returns 0, LL_EINVAL (bad option) or
 * LL_ENOMEM.
 */
int	sig_new(const struct sig_opts *opts, sig_emit_fn *emit, void *ctx,
	    struct sig **out);

/* Safe to call with NULL. */
void	sig_free(struct sig *s);

/*
 * The kind of the visibility series of family af (NET_AF4, NET_AF6) for
 * threshold visibility (as sig_opts): "bgp" / "bgp6" for 50% (and 0),
 * "bgp.v25", "bgp.v75", "bgp.v100", "bgp.any", "bgp6.v25"...; NULL for a
 * bad value.
 */
const char *sig_vis_kind(int visibility, uint8_t af);

/*
 * The id of collector name (interned; the name is copied). Returns 0 and
 * sets *id, LL_EINVAL (the name "all", which names all collectors),
 * LL_ELIMIT (more than 4096 collectors) or LL_ENOMEM.
 */
int	sig_collector(struct sig *s, const char *name, uint16_t *id);

/*
 * A RIB dump of collector starts: until sig_rib_end(), announcements of
 * the collector's peers are marked fresh; at sig_rib_end() every route of
 * those peers not marked is dropped (the dump replaces the tables; a peer
 * absent from the dump ends with an empty table). Returns 0, LL_EINVAL,
 * LL_ENOMEM.
 */
int	sig_rib_begin(struct sig *s, uint16_t collector);
int	sig_rib_end(struct sig *s, uint16_t collector);

/*
 * Applies one route element of collector. Bins ending at or before e->ts
 * are emitted first; an element older than the current bin is applied to
 * it. Returns 0, the emit callback's non-zero value, LL_ELIMIT (a time
 * jump over max_gap), LL_ENOMEM.
 */
int	sig_elem(struct sig *s, uint16_t collector, const struct mrt_elem *e);

/* Emits the bins up to the one holding ts (for a replay's end time).
 * Returns as sig_elem(). */
int	sig_advance(struct sig *s, int64_t ts);

/* Emits the current (last) bin. Returns 0 or the callback's value. */
int	sig_finish(struct sig *s);

/* Start of the bin holding ts, for the engine's bin size. */
int64_t	sig_bin_start(const struct sig *s, int64_t ts);

const struct sig_stats *sig_get_stats(struct sig *s);

/*
 * Parses an option value given as text into o: name "bin" (a duration:
 * "300", "5m"), "full-feed" ("N" IPv4 prefixes, or "P%" of the largest
 * peer's table), "visibility" ("any", "25", "50", "75", "100", a "%"
 * allowed after the number), "by" (country, region, asn, all, or a comma
 * list; replaces o->by). Returns 0, or LL_EINVAL for a bad value or name
 * (also "min-peers", which "visibility" replaced).
 */
int	sig_opt_parse(struct sig_opts *o, const char *name, const char *val);

/* Replay of MRT archives. */

/* One file, as sig_replay() saw it. */
struct sig_file {
	const char	*path;
	char		 collector[64];
	bool		 rib;		/* starts with a RIB or peer index */
	bool		 empty;		/* no sound record */
	int64_t		 first_ts;
	int64_t		 last_ts;
	uint64_t	 records;
	uint64_t	 bad;		/* bad records reported */
	uint64_t	 size;		/* bytes of the file */
	int		 rc;		/* 0, or the error that ended it */
	int		 sys_errno;	/* errno when it could not be opened */
	const char	*errmsg;	/* the input's message, or "" */
};

struct sig_replay_opts {
	const char	*collector;	/* every file's collector; NULL: from
					   the path, else the RIB's collector
					   id, else "unknown" */
	bool		 strict;	/* stop at the first bad record */
	bool		 one_thread;	/* decode on the calling thread (the
					   default decodes each file ahead on
					   a thread of its own; the result is
					   the same) */
	mrt_error_fn	*on_error;	/* bad records, as the reader reports
					   (on the calling thread) */
	void		*ctx;
	/* Called for each readable file after all were peeked, before any
	 * point is emitted, in replay order (first_ts, rib, collector are
	 * known). */
	void		(*on_plan)(void *ctx, const struct sig_file *f);
	/* Called once a file is read to its end (or failed). */
	void		(*on_file)(void *ctx, const struct sig_file *f);
	/* Called now and then with bytes read so far of all files. */
	void		(*on_progress)(void *ctx, uint64_t done,
			    uint64_t total);
};

/*
 * The collector a path names: "rrc04" for ".../rrc04/..." or
 * "ris.rrc04.updates..."; "route-views.linx", "route-views2"...; writes
 * "" when none. buf >= 64 bytes.
 */
void	sig_collector_from_path(const char *path, char *buf, size_t len);

/*
 * Replays files (n paths) into s: peeks each file's first record, groups
 * files per collector, replays RIB dumps (sig_rib_begin/end around each)
 * and updates merged by record time (a RIB before updates of the same
 * second), then emits every bin up to the last record (sig_finish).
 * Returns 0 (bad records may have been skipped: see on_file), the first
 * I/O or decompression error (LL_EIO, LL_ETRUNC, LL_EFORMAT after the
 * file's sound records were used; replay goes on with the other files
 * and this is returned at the end), in strict mode the first bad record's
 * code (replay stops), or an engine error.
 */
int	sig_replay(struct sig *s, const char *const *files, size_t n,
	    const struct sig_replay_opts *opts);

#endif
