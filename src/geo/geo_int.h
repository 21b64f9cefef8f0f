/* Private to src/geo: the loaders fill prefix trees of struct geo. */
#ifndef LL_GEO_GEO_INT_H
#define LL_GEO_GEO_INT_H

#include <stdint.h>

#include "geo/geo.h"
#include "net/net_tree.h"

#define GEO_REGIONS_MAX	65535	/* region index lives in 16 bits */
#define GEO_ERR_LEN	512

/* Index 0 is IPv4, 1 IPv6. */
struct geo_trees {
	struct net_tree	*t[2];
};

struct geo {
	struct geo_trees cc;		/* value: geo_cc16() code, 0 none */
	struct geo_trees asn;		/* value: AS number, 0 none */
	struct geo_trees reg;		/* value: index in regions, 0 none */
	struct geo_trees split;		/* coarse: cc16 | region << 16 */
	char		(*regions)[8];	/* [0] is "" */
	size_t		 nregions, capregions;
	uint64_t	 bad_lines;
	void		*map;		/* the cache file the trees use */
	size_t		 maplen;
	void		(*warn)(void *ctx, const char *msg);
	void		*warn_ctx;
	char		 err[GEO_ERR_LEN];
};

/* "EG" -> 16-bit code, 0 when not two letters/digits. */
uint32_t geo_cc16(const char *cc);
void	geo_cc_str(uint32_t v, char out[3]);

/* New empty trees for both families. */
int	geo_trees_new(struct geo_trees *ts);
void	geo_trees_free(struct geo_trees *ts);
int	geo_trees_build(struct geo_trees *ts);
static inline int
geo_af_idx(uint8_t af)
{
	return af == NET_AF6;
}

/* Sets g->err. */
void	geo_seterr(struct geo *g, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Reports a bad line: sets g->err, counts, calls the warn callback. */
void	geo_bad(struct geo *g, const char *file, uint64_t line,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Index of region string r (adding it), or 0 when the table is full. */
uint32_t geo_region_idx(struct geo *g, const char *r);

/* given, or the first system location database there is; NULL: none. */
const char *geo_locdb_path(const char *given);

/* Loaders: add into the trees given (NULL: not wanted). Return 0 or LL_E*
 * with g->err set. */
/* The creation time in the header of the libloc database at path. Returns
 * 0, LL_ENOTFOUND, LL_EFORMAT, LL_ENOMEM. */
int	geo_loc_created(const char *path, int64_t *t);
int	geo_loc_load(struct geo *g, const char *path, struct geo_trees *cc,
	    struct geo_trees *asn);
int	geo_rir_load(struct geo *g, const char *path, struct geo_trees *cc);
int	geo_pfx2as_load(struct geo *g, const char *path,
	    struct geo_trees *asn);
/* The text formats of geo_file.c. */
enum geo_text {
	GEO_TEXT_RIR,		/* RIR delegated(-extended) statistics */
	GEO_TEXT_PFX2AS,	/* CAIDA prefix2as */
};
/* One record of a text file: p (host bits clear) gets val (a geo_cc16()
 * code or an AS number); line is the record's line number. Returns 0, or
 * an LL_E* that ends the parse. */
typedef int geo_rec_fn(void *ctx, const struct net_prefix *p, uint32_t val,
	    uint64_t line);
/* Parses len bytes of buf (plain text, not compressed) as fmt, handing
 * each record to fn; name is the file name bad lines are reported under
 * (geo_bad()). Returns 0, LL_EFORMAT when no line was usable (g->err
 * says so), LL_EINVAL for an unknown fmt, or fn's error. */
int	geo_text_parse(struct geo *g, enum geo_text fmt, const char *name,
	    const void *buf, size_t len, geo_rec_fn *fn, void *ctx);
/* The same from a file (plain or gzip). Returns as geo_text_parse(), and
 * LL_ENOTFOUND, LL_EIO (cannot read), LL_EFORMAT (corrupt gzip too). */
int	geo_text_load(struct geo *g, enum geo_text fmt, const char *path,
	    geo_rec_fn *fn, void *ctx);
int	geo_mmdb_load(struct geo *g, const char *path, struct geo_trees *reg);

/* geo_cache.c: the trees and regions saved to dir/name under key, and
 * mapped back (into an empty g). Load returns 0, LL_ENOTFOUND (no such
 * file, or one of other sources), LL_EFORMAT (damaged), LL_EIO, LL_ENOMEM;
 * on failure g is left empty. */
int	geo_cache_save(struct geo *g, const char *dir, const char *name,
	    const char *key);
int	geo_cache_load(struct geo *g, const char *dir, const char *name,
	    const char *key);
/* The parse of a cache file's bytes (16-byte aligned; the trees use them
 * in place, so they must outlive g). Returns as geo_cache_load(). */
int	geo_cache_parse(struct geo *g, const void *buf, size_t len,
	    const char *key);

#endif
