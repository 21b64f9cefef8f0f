/*
 * Where addresses are: prefix -> country, region, AS.
 *
 * The embedded default is the IPFire location database read through libloc
 * (Debian libloc-database, works offline). Regions (ISO 3166-2) come from a
 * MaxMind-format city database when the user gives one (libmaxminddb).
 * Users may bring their own RIR delegated-extended stats (country) and
 * CAIDA pfx2as files (origin AS) instead.
 */
#ifndef LL_GEO_GEO_H
#define LL_GEO_GEO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/net.h"

struct geo;

struct geo_opts {
	const char	*locdb;		/* libloc database; NULL = the system's
					   (/var/lib/location/database.db, then
					   /usr/share/libloc-location/location.db) */
	const char	*city_mmdb;	/* MaxMind city DB for regions, or NULL */
	const char	*pfx2as;	/* CAIDA pfx2as file (may be .gz), or NULL */
	const char *const *rir;		/* NULL-terminated delegated-extended
					   files replacing libloc's countries,
					   or NULL */
	/* A directory where the loaded map is kept for later runs (created
	   when missing; NULL: none). Opening from it takes milliseconds
	   instead of 0.65 s; it is rebuilt when a source file changes. */
	const char	*cache_dir;
	/* Called with a one-line message ("FILE:LINE: what is wrong") for
	   each bad line of a user's file, which is then skipped; NULL to
	   only count them (geo_bad_lines()). */
	void		(*warn)(void *ctx, const char *msg);
	void		*warn_ctx;
};

struct geo_info {
	char		cc[3];		/* "EG", "" when unknown */
	char		region[8];	/* "EG-C", "" when unknown / no city DB */
	uint32_t	asn;		/* 0 when unknown */
};

/*
 * Opens the sources in opts (NULL: all defaults) and loads them into
 * memory (about 0.65 s CPU for the full libloc database, 150 MB peak,
 * 28 MB after), or maps them from opts->cache_dir when an earlier run
 * saved them there from the same files. Countries come from
 * the RIR files when given, else from libloc; AS from pfx2as when given,
 * else libloc; libloc is not opened when both are given. Bad lines in the
 * user's files are reported, counted and skipped.
 * Returns 0, LL_ENOTFOUND (no location database, or a file given is not
 * there), LL_EIO (a file cannot be read), LL_EFORMAT (a bad database, or a
 * file with no usable line) or LL_ENOMEM. On failure *out is still set
 * when memory allowed, so geo_errmsg() can say why; free it.
 */
int	geo_open(const struct geo_opts *opts, struct geo **out);

/* A one-line description of the last error (file, line, what), "" when
 * none. Owned by g; NULL g gives "". */
const char *geo_errmsg(const struct geo *g);

/* True when geo_open() mapped the sources from opts->cache_dir. */
bool	geo_from_cache(const struct geo *g);

/* Bad lines skipped in the user's files since geo_open(). */
uint64_t geo_bad_lines(const struct geo *g);

/* Safe to call with NULL. */
void	geo_free(struct geo *g);

/*
 * The libloc database geo_open() would read for opts (NULL when libloc is
 * not used: RIR files and pfx2as both given) in *path (a string of opts
 * or a static one), and the creation time its header records in
 * *created. Returns 0 (*path NULL, *created 0 when libloc is not used),
 * LL_ENOTFOUND (no database), LL_EFORMAT (not a location database).
 */
int	geo_locdb_info(const struct geo_opts *opts, const char **path,
	    int64_t *created);

/* Looks up one address: the most specific network holding it wins (as in
 * libloc, with libloc its empty fields stay empty). The region is given
 * only where the city DB's country agrees with cc (as in geo_split()).
 * Returns 0, or LL_ENOTFOUND when nothing at all is known (out zeroed). */
int	geo_lookup(struct geo *g, const struct net_addr *a,
	    struct geo_info *out);

/*
 * Splits p into pieces of one country (and one region when a city DB is
 * open), calling fn(ctx, cc, region, units) for each piece, where units
 * counts /24s (IPv4) or /48s (IPv6) and the units of all pieces add up to
 * net_prefix_units(p) (address space with no country is reported with cc
 * ""). A /24 (/48) shared by several countries goes whole to the one
 * holding most of its addresses (on a tie, the lowest address). fn is not
 * called for prefixes longer than the unit (0 units). A country normally
 * comes once; it may come again for a prefix with very many pieces.
 * Regions: region is the city DB's "CC-SUB" only where its CC agrees with
 * the country, else "". cc and region are only valid during the call.
 * Stops and returns fn's value when it is non-zero; else returns 0 (or
 * LL_EINVAL for a bad prefix). No allocation; ~50 M /24s a second.
 */
typedef int geo_split_fn(void *ctx, const char *cc, const char *region,
    uint64_t units);
int	geo_split(struct geo *g, const struct net_prefix *p, geo_split_fn *fn,
	    void *ctx);

/*
 * The networks of country cc ("EG") of family af (NET_AF4 or NET_AF6),
 * most-specific-free (no network inside another), sorted. *out is
 * malloc'ed and owned by the caller. Returns 0 or LL_E*.
 */
int	geo_country_networks(struct geo *g, const char *cc, uint8_t af,
	    struct net_prefix **out, size_t *n);

/*
 * Every network of the location database that has an origin AS, nested
 * ones included, in address order: the routed table as the database's
 * makers saw it (IPFire builds it from RIS and RouteViews; the 2022
 * database holds 968,428 IPv4 and 177,846 IPv6 such networks). Calls
 * fn(ctx, prefix, asn, cc) for each (cc "" when none); a non-zero return
 * stops and is returned. locdb NULL: the system's database. Reads the
 * database itself, not a cache (about 1 s). Returns 0, LL_ENOTFOUND (no
 * database), LL_EFORMAT (not one), LL_ENOMEM, or fn's value; err (may be
 * NULL) gets a one-line reason.
 */
typedef int geo_route_fn(void *ctx, const struct net_prefix *p, uint32_t asn,
    const char *cc);
int	geo_loc_routes(const char *locdb, geo_route_fn *fn, void *ctx,
	    char *err, size_t errlen);

/*
 * Every record of an RIR statistics exchange file ("delegated" or
 * "delegated-extended", NRO format), all types and statuses, for tools
 * that compare snapshots (geo_open() keeps only what locates addresses).
 */
enum geo_rir_type {
	GEO_RIR_ASN,
	GEO_RIR_IPV4,
	GEO_RIR_IPV6,
};
struct geo_rir_rec {
	char		registry[16];	/* "afrinic" */
	char		cc[3];		/* "ZA", "ZZ", or "" */
	enum geo_rir_type type;
	struct net_addr	start;		/* ipv4 / ipv6: the first address */
	uint32_t	asn;		/* asn: the first AS number */
	uint64_t	value;		/* asn: count of ASNs; ipv4: count of
					   addresses; ipv6: prefix length */
	char		date[9];	/* YYYYMMDD, or "" */
	char		status[12];	/* allocated, assigned, available,
					   reserved */
	char		id[64];		/* opaque-id (extended files), or "" */
	uint64_t	line;
};
/* Called for each record; r is valid during the call only. A non-zero
 * return ends the scan and is returned. */
typedef int geo_rir_fn(void *ctx, const struct geo_rir_rec *r);
/*
 * Reads the file at path (plain or gzip) and calls fn for each record,
 * skipping the version line, summaries and comments. A bad line goes to
 * warn ("FILE:LINE: what", may be NULL), is counted in *bad (may be NULL)
 * and skipped. Returns 0; LL_ENOTFOUND, LL_EIO; LL_EFORMAT when no line
 * was usable; or fn's value; err (may be NULL) gets a one-line reason.
 */
int	geo_rir_scan(const char *path, geo_rir_fn *fn, void *ctx,
	    void (*warn)(void *ctx, const char *msg), void *warn_ctx,
	    uint64_t *bad, char *err, size_t errlen);

/*
 * AS names from a libloc database (locdb NULL: the system's), looked up
 * one at a time without loading the networks. geo_names_open() returns 0,
 * LL_ENOTFOUND (no database), LL_EFORMAT, LL_ENOMEM. geo_names_get()
 * writes asn's name into buf ("" when the database has none; n may be
 * NULL) and returns buf. geo_names_free() accepts NULL.
 */
struct geo_names;
int	geo_names_open(const char *locdb, struct geo_names **out);
const char *geo_names_get(struct geo_names *n, uint32_t asn, char *buf,
	    size_t len);
void	geo_names_free(struct geo_names *n);

#endif
