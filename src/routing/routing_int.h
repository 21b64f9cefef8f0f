/* Private to src/routing. */
#ifndef LL_ROUTING_ROUTING_INT_H
#define LL_ROUTING_ROUTING_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "routing/routing.h"

/* One distinct VRP prefix: v[first, first + n) hold its VRPs. */
struct vrp_slot {
	uint64_t	hash;		/* 0: empty */
	uint32_t	first;
	uint32_t	n;
};

struct routing_vrps {
	struct routing_vrp	*v;
	size_t			 n, cap;
	uint64_t		 bad;
	int64_t			 built;		/* latest JSON buildtime, or 0 */
	bool			 indexed;
	/* the index: open addressing on (af, len, address) */
	struct vrp_slot		*slot;
	size_t			 mask;		/* slots - 1 */
	/* lens[af][l] is set when some VRP of that family has length l */
	bool			 lens[2][129];
};


/* The whole decoded content of path (plain or compressed), at most 2 GiB,
 * malloc'ed into *out (the caller frees it). Returns 0, or an LL_E* code
 * with err set. */
int	routing_slurp(const char *path, uint8_t **out, size_t *outlen,
	    char *err, size_t errlen);

/* ---- watchlists and monitors ---- */

#define LEAN_SEGS	64		/* a lean record's path at most */
#define LEAN_ASNS	1024

struct net_tree;

/* A (watched AS, neighbour) pair its lists name. */
struct watch_nb {
	uint32_t	as, nb;		/* as: the entry's index in w->as */
	uint8_t		flags;		/* NB_USED | NB_UP | NB_DOWN */
};

/* A watchlist's lookup index (watch_index.c). */
struct watch_idx {
	uint32_t		*slot;		/* entry index + 1; 0: empty */
	size_t			 mask;
	struct net_tree		*tree[2];	/* [0] IPv4, [1] IPv6 */
	uint8_t			 lens[2][129];	/* lengths held, longest
						   first */
	int			 nlens[2];
	uint64_t		 asbits[1024];	/* a filter of the watched
						   ASes: one bit a hash */
	uint64_t		*v4;		/* the IPv4 /24s entries
						   meet: one bit each */
	const struct net_prefix	**by_addr;	/* entries by family and
						   address */
	struct watch_nb		*nbset;		/* the listed neighbours */
	size_t			 nbmask;
};

/* Whether nb is in the upstreams (up) or downstreams of watched AS wa:
 * one probe of a set of every listed pair (watch_index.c). */
bool	routing_watch_nb_listed(const struct routing_watchlist *w,
	    const struct routing_watch_as *wa, uint32_t nb, bool up);

static inline unsigned
watch_as_bit(uint32_t asn)
{
	return (unsigned)(((uint64_t)asn * 0x9e3779b97f4a7c15ULL) >> 48);
}

/* False when asn is not a watched AS (options.monitorASns); true when it
 * may be: routing_watch_as() tells. Inline for the walks along every
 * path. */
static inline bool
routing_watch_as_maybe(const struct routing_watchlist *w, uint32_t asn)
{
	const struct watch_idx *x = w->idx;
	unsigned b = watch_as_bit(asn);

	return x != NULL && (x->asbits[b >> 6] >> (b & 63) & 1);
}

/* Builds w->idx after a parse. Returns 0 or an LL_E* code. */
int	routing_watch_index(struct routing_watchlist *w);

/* The path as text: "1,2,3" (sep ',', BGPalerter's form for its regexes)
 * or "1 2 3"; a set's members in braces; cut at len. Returns the ASes
 * counted, a set as one. */
struct bgp_aspath;

/* The new neighbours of watched ASes on path, in path order, each event
 * once, at most ROUTING_LEAN_NB (monitor_facts.c). */
void	routing_path_neighbours(const struct routing_watchlist *w,
	    const struct bgp_aspath *path, struct routing_lean_nb *v,
	    uint8_t *n);

uint32_t routing_path_text(const struct bgp_aspath *path, char sep,
	    char *buf, size_t len);

#endif
