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

#endif
