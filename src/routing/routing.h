/*
 * Routing security: route origin validation (RFC 6811) against validated
 * ROA payloads (VRPs), the first of the routing monitors; watchlists,
 * hijack, leak and path monitors plug in beside it.
 *
 * VRP files are what relying-party software exports: rpki-client's JSON
 * ({"roas": [{"asn", "prefix", "maxLength", "ta"}...]}) and CSV, Routinator's
 * CSV and the RIPE NCC archive's roas.csv. The CSV forms differ in their
 * columns; a header row names them and the reader takes "ASN", "IP Prefix"
 * and "Max Length" wherever they are. Every line or entry is untrusted: a
 * bad one is reported (file, line or entry, what is wrong) and skipped.
 */
#ifndef LL_ROUTING_ROUTING_H
#define LL_ROUTING_ROUTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/net.h"

/* One validated ROA payload (RFC 6811 section 2). */
struct routing_vrp {
	struct net_prefix	p;
	uint8_t			maxlen;		/* >= p.len, <= 32 / 128 */
	uint32_t		asn;		/* AS0 matches nothing */
};

/* A set of VRPs: loaded from files, then indexed for validation. */
struct routing_vrps;

/* Called with a one-line message for each bad line or entry skipped. */
typedef void routing_warn_fn(void *ctx, const char *msg);

/* A new empty set. Returns 0 or LL_ENOMEM. */
int	routing_vrps_new(struct routing_vrps **out);

/* Safe to call with NULL. */
void	routing_vrps_free(struct routing_vrps *v);

/*
 * Adds the VRPs of buf (len bytes, the whole content of a file named name,
 * used in messages): rpki-client JSON when the first non-blank byte is
 * '{', else CSV with a header row. Bad lines or entries go to warn (may be
 * NULL) and are skipped. Returns 0; LL_EFORMAT when the content is not a
 * VRP file at all (no header naming the columns, JSON without "roas"),
 * with the reason in err (may be NULL); LL_ELIMIT beyond 50 million VRPs;
 * LL_ENOMEM.
 */
int	routing_vrps_parse(struct routing_vrps *v, const char *name,
	    const uint8_t *buf, size_t len, routing_warn_fn *warn, void *ctx,
	    char *err, size_t errlen);

/*
 * routing_vrps_parse() on the content of the file at path (plain, or
 * gzip/bzip2/xz/zstd by magic bytes; at most 2 GiB). Returns as
 * routing_vrps_parse(), or LL_EIO / LL_ENOTFOUND with err set.
 */
int	routing_vrps_load(struct routing_vrps *v, const char *path,
	    routing_warn_fn *warn, void *ctx, char *err, size_t errlen);

/* VRPs held (duplicates counted once after routing_vrps_index()). */
size_t	routing_vrps_count(const struct routing_vrps *v);

/* Bad lines or entries skipped so far. */
uint64_t routing_vrps_bad(const struct routing_vrps *v);

/*
 * Sorts, drops duplicates and indexes the set for routing_rov(); call it
 * after the last load. Returns 0 or LL_ENOMEM.
 */
int	routing_vrps_index(struct routing_vrps *v);

/* Route origin validation states (RFC 6811 section 2); invalid ones say
 * why: no covering VRP has the origin, or one has it but the route is
 * longer than its maxLength. */
enum routing_rov {
	ROUTING_ROV_NOT_FOUND,
	ROUTING_ROV_VALID,
	ROUTING_ROV_INVALID_AS,
	ROUTING_ROV_INVALID_LENGTH,
};

/* "not-found", "valid", "invalid-as", "invalid-length". */
const char *routing_rov_name(enum routing_rov s);

/*
 * The validation state of a route to p originated by origin, where origin
 * 0 stands for RFC 6811's NONE (an AS_SET or empty final segment), which
 * matches no VRP. v must be indexed. No allocation.
 */
enum routing_rov routing_rov(const struct routing_vrps *v,
	    const struct net_prefix *p, uint32_t origin);

/* A difference between two VRP snapshots, of one ROA: a prefix and an
 * AS, whose reach is the longest max length of its VRPs. */
enum routing_vchange {
	ROUTING_VCH_GONE,	/* in the old snapshot only */
	ROUTING_VCH_NEW,	/* in the new one only */
	ROUTING_VCH_MAXLEN,	/* in both, the longest max length differs */
};
#define ROUTING_VCH_N	3

/* "roa-gone", "roa-new", "max-length"; NULL when unknown. */
const char *routing_vchange_name(enum routing_vchange k);

struct routing_vchange_ev {
	enum routing_vchange	 kind;
	struct net_prefix	 p;
	uint32_t		 asn;
	uint8_t			 old_maxlen;	/* unless kind is NEW */
	uint8_t			 new_maxlen;	/* unless kind is GONE */
};
typedef int routing_vchange_fn(void *ctx, const struct routing_vchange_ev *e);

/*
 * When the snapshot v, loaded from the files paths[0..npaths), was made:
 * the latest metadata.buildtime of its rpki-client JSON files; without
 * one, the latest of the files' dates, each a date YYYYMMDD in its name
 * (midnight UTC; the RIPE NCC archive's and most mirrors' names) or else
 * its modification time. Returns 0 with *out set, or LL_EIO (a file
 * cannot be looked at) with err set.
 */
int	routing_vrps_time(const struct routing_vrps *v,
	    const char *const *paths, size_t npaths, int64_t *out, char *err,
	    size_t errlen);

/*
 * Calls fn for each difference between the VRP sets old and new_ (both
 * indexed), in order of family, address, length and AS. Returns 0,
 * LL_ENOMEM, or fn's non-zero value.
 */
int	routing_vrps_diff(const struct routing_vrps *old,
	    const struct routing_vrps *new_, routing_vchange_fn *fn,
	    void *ctx);

/*
 * The origin AS of a path for RFC 6811: the last AS of the last segment
 * when that segment is a non-empty AS_SEQUENCE; else 0 (NONE).
 */
struct bgp_aspath;
uint32_t routing_origin(const struct bgp_aspath *path);

/* ==== Registry changes (registry_diff.c) ================================ */
/*
 * The differences between two RIR delegated(-extended) snapshots. A
 * delegation is known by (type, start, size); one in the old file only is
 * removed, in the new only new. One in both is compared: a transfer when
 * both have an opaque-id and they differ; a country change when both have
 * a real country code (not "" or ZZ) and they differ; a status change
 * (allocated, assigned, available, reserved). One delegation may give
 * several changes, in that order.
 */
#include "geo/geo.h"

enum routing_rchange {
	ROUTING_RCH_NEW,
	ROUTING_RCH_REMOVED,
	ROUTING_RCH_TRANSFER,
	ROUTING_RCH_COUNTRY,
	ROUTING_RCH_STATUS,
};
#define ROUTING_RCH_N	5

/* "new", "removed", "transfer", "country", "status"; NULL when unknown. */
const char *routing_rchange_name(enum routing_rchange k);

/* Which changes to keep; empty lists keep all. Callers fill the lists
 * (owned by them) and kinds, a bit mask of 1 << ROUTING_RCH_*, 0 = all. A
 * change is kept when its delegation overlaps a watched prefix or AS (in
 * either file), and its old or new country and registry are listed. */
struct routing_rfilter {
	const struct net_prefix	*prefix;
	size_t			 nprefix;
	const uint32_t		*asn;
	size_t			 nasn;
	const char *const	*cc;		/* "EG" */
	size_t			 ncc;
	const char *const	*registry;	/* "afrinic" */
	size_t			 nregistry;
	unsigned		 kinds;
};

/* One change: old is NULL for a new delegation, new_ for a removed one. */
struct routing_rchange_ev {
	enum routing_rchange		 kind;
	const struct geo_rir_rec	*old;
	const struct geo_rir_rec	*new_;
};
typedef int routing_rchange_fn(void *ctx, const struct routing_rchange_ev *c);

struct routing_rdiff_stats {
	uint64_t	records[2];	/* old, new */
	uint64_t	bad[2];		/* bad lines skipped */
	uint64_t	dup[2];		/* repeated delegations skipped */
	uint64_t	changes[ROUTING_RCH_N];	/* kept by the filter */
};

/*
 * Compares the snapshots at old_path and new_path (plain or gzip) and
 * calls fn for each change f keeps (f may be NULL), in order of type
 * (asn, ipv4, ipv6), start and size. Bad lines and repeated delegations
 * go to warn (may be NULL) and are skipped. st (may be NULL) gets counts.
 * Returns 0; as geo_rir_scan() for a file; LL_ELIMIT beyond 20 million
 * records a file; LL_ENOMEM; or fn's value. err (may be NULL) gets a
 * one-line reason.
 */
int	routing_registry_diff(const char *old_path, const char *new_path,
	    const struct routing_rfilter *f, routing_rchange_fn *fn, void *ctx,
	    routing_warn_fn *warn, void *wctx, struct routing_rdiff_stats *st,
	    char *err, size_t errlen);

/*
 * The end date of the RIR statistics file at path (plain or gzip): its
 * version line's enddate field, as midnight UTC. Returns 0 with *out set;
 * LL_EFORMAT (no such line), or an input error; err gets a one-line
 * reason.
 */
int	routing_rir_date(const char *path, int64_t *out, char *err,
	    size_t errlen);

/* The resource of r: "AS1228", "AS1228-AS1231", "41.0.0.0/11" (a whole
 * prefix), "41.0.0.0+768" (an IPv4 range that is not one), "2c0f::/32".
 * buf >= ROUTING_RES_STRLEN. Returns the length. */
#define ROUTING_RES_STRLEN	64
size_t	routing_rrec_resource(const struct geo_rir_rec *r, char *buf);

/* The entity a change of r is stored under (net/entity.h's form):
 * "asn:1228" (the first AS of a range), "prefix:41.0.0.0/11", for an IPv4
 * range that is not one prefix the largest block it starts with
 * ("prefix:41.0.0.0/23" for 41.0.0.0+768). buf >= ROUTING_RES_STRLEN.
 * Returns the length. */
size_t	routing_rrec_entity(const struct geo_rir_rec *r, char *buf);

/*
 * One watchlist item into f's caller-owned arrays: "AS64500", "64500" or
 * a prefix. Returns 1 for an AS (in *asn), 2 for a prefix (in *p), or
 * LL_EFORMAT.
 */
int	routing_rwatch_parse(const char *s, uint32_t *asn, struct net_prefix *p);
/* ==== end of registry changes =========================================== */

/* ==== Resilience (resilience.c) ========================================= */
/*
 * How a country's networks reach the rest of the Internet, from the AS
 * paths of route collectors' peers (docs/methodology.md, "Resilience"):
 * the ASes its IPv4 space is reached through, AS hegemony (Fontugne et
 * al., PAM 2018, as the Internet Health Report computes it), chokepoints,
 * upstreams, international gateways and transit networks.
 */
struct mrt_elem;
struct routing_res;

/* One AS; shares are of the country's space seen routed (IPv4
 * addresses, or IPv6 weighted by /48s). */
struct routing_res_as {
	uint32_t	asn;
	bool		domestic;	/* most of the space it originates is
					   in the country */
	double		hegemony;	/* 10% trimmed mean over peer ASes of
					   the share of their paths crossing it */
	double		chokepoint;	/* space that every observed path to
					   crosses it */
	double		upstream;	/* space it is seen next to the origin of */
	uint32_t	upstream_of;	/* distinct origins it is upstream of */
	double		gateway;	/* space it carries out of the country:
					   the last domestic AS of a path */
	double		transit;	/* space it carries from a gateway: the
					   first foreign AS of a path */
};

struct routing_res_sum {
	uint64_t	peers;		/* peers with a route to the space */
	uint64_t	peer_ases;	/* their ASes: the trimmed mean's n */
	uint64_t	prefixes;	/* distinct prefixes */
	uint64_t	addresses;	/* the country's space they hold: IPv4
					   addresses, IPv6 /56s */
	uint64_t	origins;	/* distinct origin ASes */
	uint64_t	gateways;	/* distinct international gateways */
	uint64_t	transits;	/* distinct international transits */
	uint64_t	sets;		/* routes skipped: AS_SET or confed */
};

/* A new gatherer for country cc ("EG") located with g (kept, not owned),
 * over the routes of family af (NET_AF4 or NET_AF6). Returns 0,
 * LL_EINVAL or LL_ENOMEM. */
int	routing_res_new(struct geo *g, const char *cc, uint8_t af,
	    struct routing_res **out);
/* Safe to call with NULL. */
void	routing_res_free(struct routing_res *r);
/* Takes one route element (RIB entry, announcement, withdrawal; others,
 * the other family, prefixes shorter than ROUTING_RES_MINLEN (IPv6:
 * ROUTING_RES_V6_MINLEN), default routes among them, and IPv6 prefixes
 * longer than ROUTING_RES_V6_UNIT are ignored); the last element of a
 * (peer, prefix) counts. Returns 0, LL_ENOMEM or LL_ELIMIT (over 2^28
 * routes). */
#define ROUTING_RES_MINLEN	8
#define ROUTING_RES_V6_MINLEN	16
/* IPv6 space is counted in /56s (a /48 is 256), so that the weights are
 * those of /48s and a /52 weighs a sixteenth of one. */
#define ROUTING_RES_V6_UNIT	56
int	routing_res_add(struct routing_res *r, const struct mrt_elem *e);
/* Computes the figures, once, after the last routing_res_add(): *out
 * (malloc'ed, the caller frees it) gets *n rows, by hegemony, then
 * chokepoint, then AS number. Returns 0 or LL_ENOMEM. */
int	routing_res_compute(struct routing_res *r, struct routing_res_sum *sum,
	    struct routing_res_as **out, size_t *n);
/* ==== end of resilience ================================================= */
/* ==== Watchlists and routing monitors (watch_*.c, monitor_*.c) ==== */

/*
 * A watchlist is BGPalerter's prefixes.yml, read as it is: a mapping from
 * prefix to { asn, description, ignoreMorespecifics, ignore, group, path,
 * includeMonitors, excludeMonitors }, and options.monitorASns, a mapping
 * from AS to { group, upstreams, downstreams }. An entry whose asn list is
 * empty or only AS0 is address space that nobody should announce.
 */
/* "AS13335" or "13335" (RFC 5396 asplain). Returns 0 or -1. */
int	routing_asn_parse(const char *s, uint32_t *out);

#define ROUTING_WATCH_MAX	(1u << 20)	/* entries of either kind */

/* One path rule (BGPalerter's "path"): all given conditions must hold
 * for an alert. Regexes are POSIX extended, over the path as "1,2,3". */
struct routing_path_rule {
	char		*match;		/* NULL when absent */
	char		*not_match;
	char		*description;	/* matchDescription */
	uint32_t	 min_len;	/* 0: none */
	uint32_t	 max_len;	/* 0: none */
	void		*re_match;	/* compiled regex_t, or NULL */
	void		*re_not;
};

struct routing_watch_prefix {
	struct net_prefix	 p;
	uint32_t		*asn;		/* expected origins */
	size_t			 nasn;
	char			*description;	/* "" when absent */
	char			*group;		/* "default" when absent */
	bool			 ignore_more;	/* ignoreMorespecifics */
	bool			 ignore;
	struct routing_path_rule *rules;
	size_t			 nrules;
	uint32_t		 line;		/* in the file, 1-based */
};

struct routing_watch_as {
	uint32_t	 asn;
	char		*group;
	uint32_t	*up;			/* NULL: not checked; sorted
						   once parsed */
	size_t		 nup;
	uint32_t	*down;
	size_t		 ndown;
	bool		 has_up, has_down;
};

struct routing_watchlist {
	struct routing_watch_prefix	*p;	/* in file order */
	size_t				 np;
	struct routing_watch_as		*as;	/* sorted by asn */
	size_t				 nas;
	void				*idx;	/* private lookup index */
};

/*
 * Reads a watchlist from buf (len bytes; name is used in messages).
 * Returns 0 with *out owned by the caller (routing_watch_free()), or
 * LL_EFORMAT with err "NAME:LINE: what is wrong" (the first error; an
 * invalid regex, prefix, AS number or key), LL_ELIMIT or LL_ENOMEM.
 */
int	routing_watch_parse(const char *name, const uint8_t *buf, size_t len,
	    struct routing_watchlist **out, char *err, size_t errlen);

/* routing_watch_parse() on the file at path (may be compressed). */
int	routing_watch_load(const char *path, struct routing_watchlist **out,
	    char *err, size_t errlen);

/* Safe to call with NULL. */
void	routing_watch_free(struct routing_watchlist *w);

/* The most specific entry covering p (p itself or a less specific), or
 * NULL. No allocation. */
const struct routing_watch_prefix *routing_watch_match(
	    const struct routing_watchlist *w, const struct net_prefix *p);

/* True when some entry of w overlaps p: holds it, or lies inside it. */
bool	routing_watch_overlaps(const struct routing_watchlist *w,
	    const struct net_prefix *p);

/* The options.monitorASns entry of asn, or NULL. */
const struct routing_watch_as *routing_watch_as(
	    const struct routing_watchlist *w, uint32_t asn);

/* True when the path rule fires for path (AS_SEQUENCE ASes; sets count
 * as one AS each, as BGPalerter's length does). */
bool	routing_path_rule_fires(const struct routing_path_rule *r,
	    const struct bgp_aspath *path);

/* The routing monitors' alert types. */
enum routing_alert_type {
	ROUTING_A_HIJACK,		/* watched prefix, another origin */
	ROUTING_A_SUBPREFIX,		/* more specific, another origin */
	ROUTING_A_SQUATTING,		/* space nobody should announce */
	ROUTING_A_AS_SET,		/* origin is an AS_SET */
	ROUTING_A_NEW_UPSTREAM,		/* unlisted upstream of a watched AS */
	ROUTING_A_NEW_DOWNSTREAM,	/* unlisted downstream */
	ROUTING_A_PATH,			/* a path rule fired */
	ROUTING_A_VISIBILITY,		/* withdrawn by many peers */
	ROUTING_A_VISIBLE_AGAIN,	/* the return after a loss */
	ROUTING_A_RPKI_INVALID,		/* RFC 6811 invalid */
	ROUTING_A_LEAK,			/* a valley-free violation */
	ROUTING_A_NTYPES
};

/* "hijack", "sub-prefix", "squatting", "as-set", "new-upstream",
 * "new-downstream", "path", "visibility-loss", "visible-again",
 * "rpki-invalid", "route-leak". */
const char *routing_alert_name(enum routing_alert_type t);

/* A route update from any feed (MRT now, BMP later). */
struct routing_update {
	uint32_t		 ts;
	const struct net_addr	*peer;
	uint32_t		 peer_asn;
	const struct net_prefix	*prefix;
	const struct bgp_aspath	*path;		/* NULL: a withdrawal */
};

#define ROUTING_ALERT_PEERS	16	/* peers listed in an alert */
#define ROUTING_ALERT_PATHS	3	/* AS path examples */

struct routing_alert_peer {
	struct net_addr	addr;
	uint32_t	asn;
};

struct routing_alert {
	enum routing_alert_type			 type;
	bool					 final;	/* ended or the
							   feed ended */
	struct net_prefix			 prefix;
	const struct routing_watch_prefix	*watch;	/* NULL for
							   neighbour alerts */
	const struct routing_watch_as		*watch_as;
	const struct routing_path_rule		*rule;
	uint32_t				 origin;	/* seen; 0 for
							   an AS_SET */
	uint32_t				 neighbour;	/* or the
							   leaker */
	enum routing_rov			 rov;
	uint32_t				 first_seen;
	uint32_t				 last_seen;	/* 0: lasts */
	uint32_t				 npeers;	/* all that saw
							   it */
	uint32_t				 nlisted;
	struct routing_alert_peer		 peers[ROUTING_ALERT_PEERS];
	uint32_t				 npaths;
	const char				*paths[ROUTING_ALERT_PATHS];
};

/* Called when an alert fires (final false) and once more when its event
 * ends or routing_monitor_finish() is called (final true). The alert is
 * valid during the call only. A non-zero return stops the feed call and
 * is returned by it. */
typedef int routing_alert_fn(void *ctx, const struct routing_alert *a);

struct routing_rels;

struct routing_monitor_opts {
	uint32_t		 min_peers;	/* 0: 3 */
	uint32_t		 min_peers_loss;	/* 0: 40 */
	const struct routing_vrps *vrps;	/* indexed, or NULL */
	const struct routing_rels *rels;	/* NULL: the Tier-1
						   heuristic for leaks */
};

/*
 * AS relationships in CAIDA's as-rel format, serial-1 ("a|b|-1": a is b's
 * provider; "a|b|0": peers) or serial-2 (a fourth column, the source);
 * '#' lines are comments. Returns 0 with *out owned by the caller, or
 * LL_EFORMAT with err "FILE:LINE: what", LL_ELIMIT, LL_ENOMEM, LL_EIO.
 */
int	routing_rels_load(const char *path, struct routing_rels **out,
	    char *err, size_t errlen);
void	routing_rels_free(struct routing_rels *r);	/* NULL is fine */
size_t	routing_rels_count(const struct routing_rels *r);

/*
 * The AS that leaked a route with this path (a valley-free violation on
 * rels: it passed a route learned from a provider or peer on to a
 * provider or peer), or 0. rels NULL: an AS between two Tier-1 ASes.
 */
uint32_t routing_leak(const struct routing_rels *rels,
	    const struct bgp_aspath *path);

struct routing_monitor;

/* A monitor of w (not owned; must outlive it). Returns 0 or LL_ENOMEM. */
int	routing_monitor_new(const struct routing_watchlist *w,
	    const struct routing_monitor_opts *o, routing_alert_fn *fn,
	    void *ctx, struct routing_monitor **out);

/* Feeds one update. Returns 0, LL_ENOMEM or what fn returned. */
int	routing_monitor_update(struct routing_monitor *m,
	    const struct routing_update *u);

/* Feeds one route element of an MRT or BMP decoder: an announcement or
 * withdrawal as routing_monitor_update(), a session leaving Established
 * as routing_monitor_peer_down(); others are passed over. Returns as
 * those do. */
struct mrt_elem;
int	routing_monitor_elem(struct routing_monitor *m,
	    const struct mrt_elem *e);

/* Feeds a session going down at ts: the peer's routes are withdrawn. */
int	routing_monitor_peer_down(struct routing_monitor *m, uint32_t ts,
	    const struct net_addr *peer, uint32_t peer_asn);

/*
 * What the monitors take from a lean record's AS path, worked out without
 * a monitor (on any thread: it reads only the watchlist). Set only when
 * the record announces.
 */
#define ROUTING_LEAN_NB	8
struct routing_lean_nb {
	uint8_t				 type;	/* NEW_UPSTREAM or _DOWNSTREAM */
	uint32_t			 a, b;	/* the watched AS, its
						   neighbour, in path order */
	const struct routing_watch_as	*wa;
};
struct routing_lean_facts {
	bool			announces;
	bool			origin_watched;
	uint8_t			nnb;
	uint32_t		origin;		/* routing_origin() */
	struct routing_lean_nb	nb[ROUTING_LEAN_NB];	/* new neighbours of
						   watched ASes, each once */
};

/* Fills f for l (mrt_lean_decode() took it). Returns 0, or LL_ELIMIT
 * when the AS path is too long for the lean reading (over 64 segments or
 * 1024 ASes): decode that record in full. */
struct mrt_lean;
int	routing_lean_facts(const struct routing_watchlist *w,
	    const struct mrt_lean *l, struct routing_lean_facts *f);

/* Feeds every element of a lean record, with its facts, as
 * routing_monitor_update() of each would, from the record's bytes (no
 * full decode). Returns 0, LL_ENOMEM or what fn returned. */
int	routing_monitor_lean(struct routing_monitor *m,
	    const struct mrt_lean *l, const struct routing_lean_facts *f);

/* Reports every alert still open (final, last_seen 0). */
int	routing_monitor_finish(struct routing_monitor *m);

/* Safe to call with NULL. */
void	routing_monitor_free(struct routing_monitor *m);

/* ==== end of watchlists and routing monitors ==== */

#endif
