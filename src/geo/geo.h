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
};

struct geo_info {
	char		cc[3];		/* "EG", "" when unknown */
	char		region[8];	/* "EG-C", "" when unknown / no city DB */
	uint32_t	asn;		/* 0 when unknown */
};

/* Opens the sources in opts (NULL: all defaults). Returns 0, LL_ENOTFOUND
 * (no location database), LL_EFORMAT (a bad file) or LL_ENOMEM. */
int	geo_open(const struct geo_opts *opts, struct geo **out);

/* A one-line description of the last error (file, line, what). */
const char *geo_errmsg(const struct geo *g);

/* Safe to call with NULL. */
void	geo_free(struct geo *g);

/* Looks up one address. Returns 0, or LL_ENOTFOUND (out zeroed). */
int	geo_lookup(struct geo *g, const struct net_addr *a,
	    struct geo_info *out);

/*
 * Splits p into pieces of one country (and one region when a city DB is
 * open), calling fn(ctx, cc, region, units) for each piece, where units
 * counts /24s (IPv4) or /48s (IPv6) and the units of all pieces add up to
 * net_prefix_units(p) (address space with no country is reported with cc
 * ""). Stops and returns fn's value when it is non-zero.
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

#endif
