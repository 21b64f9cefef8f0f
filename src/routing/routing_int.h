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
struct routing_watchlist;
/* Builds w->idx after a parse. Returns 0 or an LL_E* code. */
int	routing_watch_index(struct routing_watchlist *w);

/* The path as text: "1,2,3" (sep ',', BGPalerter's form for its regexes)
 * or "1 2 3"; a set's members in braces; cut at len. Returns the ASes
 * counted, a set as one. */
struct bgp_aspath;
uint32_t routing_path_text(const struct bgp_aspath *path, char sep,
	    char *buf, size_t len);

#endif
