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

/* The resource of r: "AS1228", "AS1228-AS1231", "41.0.0.0/11" (a whole
 * prefix), "41.0.0.0+768" (an IPv4 range that is not one), "2c0f::/32".
 * buf >= ROUTING_RES_STRLEN. Returns the length. */
#define ROUTING_RES_STRLEN	64
size_t	routing_rrec_resource(const struct geo_rir_rec *r, char *buf);

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

/* One AS; shares are of the country's IPv4 addresses seen routed. */
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
	uint64_t	prefixes;	/* distinct IPv4 prefixes */
	uint64_t	addresses;	/* the country's addresses they hold */
	uint64_t	origins;	/* distinct origin ASes */
	uint64_t	gateways;	/* distinct international gateways */
	uint64_t	transits;	/* distinct international transits */
	uint64_t	sets;		/* routes skipped: AS_SET or confed */
};

/* A new gatherer for country cc ("EG") located with g (kept, not owned).
 * Returns 0, LL_EINVAL or LL_ENOMEM. */
int	routing_res_new(struct geo *g, const char *cc,
	    struct routing_res **out);
/* Safe to call with NULL. */
void	routing_res_free(struct routing_res *r);
/* Takes one route element (RIB entry, announcement, withdrawal; others,
 * IPv6 and prefixes shorter than ROUTING_RES_MINLEN, default routes among
 * them, are ignored); the last element of a (peer, prefix) counts.
 * Returns 0, LL_ENOMEM or LL_ELIMIT (over 2^28 routes). */
#define ROUTING_RES_MINLEN	8
int	routing_res_add(struct routing_res *r, const struct mrt_elem *e);
/* Computes the figures, once, after the last routing_res_add(): *out
 * (malloc'ed, the caller frees it) gets *n rows, by hegemony, then
 * chokepoint, then AS number. Returns 0 or LL_ENOMEM. */
int	routing_res_compute(struct routing_res *r, struct routing_res_sum *sum,
	    struct routing_res_as **out, size_t *n);
/* ==== end of resilience ================================================= */

#endif
