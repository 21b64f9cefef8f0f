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
	bool			 indexed;
	/* the index: open addressing on (af, len, address) */
	struct vrp_slot		*slot;
	size_t			 mask;		/* slots - 1 */
	/* lens[af][l] is set when some VRP of that family has length l */
	bool			 lens[2][129];
};

#endif
