/*
 * Private to the routing monitors: the table of every prefix they have met.
 *
 * One probe tells what an update of a prefix has to do. Each slot holds
 * the prefix and a 24-bit index: 0 for a prefix no watch entry applies to
 * and no route of which is kept (nearly all of them, and then an update
 * that feeds no event of its record is done), else 1 + the index of the
 * prefix's state in the monitor (its watch entry and its kept routes).
 * IPv4 slots are 8 bytes, so the table of the benchmark corpus (87,000
 * prefixes) fits in a core's cache; IPv6 slots are 24.
 */
#ifndef LL_ROUTING_MONITOR_PFX_H
#define LL_ROUTING_MONITOR_PFX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/net.h"

#define PFX_IDX_MAX	0xffffffu		/* 24 bits */

struct pfx4_slot {
	uint32_t	addr;		/* host order */
	uint32_t	tag;		/* (len + 1) << 24 | index; 0: empty */
};

struct pfx6_slot {
	uint8_t		a[16];
	uint32_t	tag;
	uint32_t	pad;
};

struct pfx_table {
	struct pfx4_slot	*s4;
	size_t			 n4;
	unsigned		 bits4;		/* log2 of the slots */
	struct pfx6_slot	*s6;
	size_t			 n6;
	unsigned		 bits6;
};

int	pfx_table_init(struct pfx_table *t);
void	pfx_table_fini(struct pfx_table *t);

/* The tag of p, added with index 0 when new (*added set); NULL when out
 * of memory. The pointer holds until the next call that adds. */
uint32_t *pfx_table_get(struct pfx_table *t, const struct net_prefix *p,
	    bool *added);

static inline uint64_t
pfx4_hash(uint32_t addr, unsigned len)
{
	return ((uint64_t)addr << 6 | len) * 0x9e3779b97f4a7c15ULL;
}

/* The first slot to probe for an IPv4 prefix (for a prefetch). */
static inline const struct pfx4_slot *
pfx4_home(const struct pfx_table *t, uint32_t addr, unsigned len)
{
	return &t->s4[pfx4_hash(addr, len) >> (64 - t->bits4)];
}

/* The tag of an IPv4 prefix (addr in host order, host bits zero); NULL
 * when the table does not hold it. */
static inline uint32_t *
pfx4_find(const struct pfx_table *t, uint32_t addr, unsigned len)
{
	size_t mask = ((size_t)1 << t->bits4) - 1;
	size_t k = (size_t)(pfx4_hash(addr, len) >> (64 - t->bits4));
	uint32_t want = (uint32_t)(len + 1) << 24;

	for (;; k = (k + 1) & mask) {
		struct pfx4_slot *s = &t->s4[k];

		if (s->tag == 0)
			return NULL;
		if (s->addr == addr && (s->tag & 0xff000000u) == want)
			return &s->tag;
	}
}

static inline uint32_t
pfx_tag_index(uint32_t tag)
{
	return tag & PFX_IDX_MAX;
}

#endif
