/*
 * A longest-prefix-match map from address space to 32-bit values, built
 * once and then read (lookups, unit counting, splitting).
 *
 * Prefixes are added with net_tree_add() and net_tree_build() flattens
 * them into a sorted array of disjoint intervals, each carrying the value
 * of the most specific prefix covering it (for the same prefix added twice,
 * the later one wins). Lookups are a binary search over that array, which
 * is compact and cache-friendly; nothing is allocated per lookup.
 *
 * Value 0 means "nothing": address space outside every prefix has value 0,
 * and adding a prefix with value 0 punches a hole into its parents.
 *
 * Units: /24s for IPv4, /48s for IPv6 (net_prefix_units()).
 * net_tree_coarsen() derives a tree whose interval boundaries fall on unit
 * boundaries (a unit shared by several values takes the value holding most
 * of its addresses; on a tie the lowest address wins), so that space can be
 * counted and split in whole units without double counting overlaps.
 */
#ifndef LL_NET_NET_TREE_H
#define LL_NET_NET_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/net.h"

struct net_tree;

/* Cap on prefixes added to one tree (allocation bound for input). */
#define NET_TREE_MAX	(64u * 1024 * 1024)

/* A new, empty tree for af (NET_AF4 or NET_AF6). Returns 0, LL_EINVAL or
 * LL_ENOMEM; *out is owned by the caller (net_tree_free()). */
int	net_tree_new(uint8_t af, struct net_tree **out);

/* Safe to call with NULL. */
void	net_tree_free(struct net_tree *t);

/* Adds p with value val (before net_tree_build()). p must be of the tree's
 * family. Returns 0, LL_EINVAL (wrong family, or already built), LL_ELIMIT
 * (more than NET_TREE_MAX prefixes) or LL_ENOMEM. */
int	net_tree_add(struct net_tree *t, const struct net_prefix *p,
	    uint32_t val);

/* Flattens what was added. Returns 0 or LL_ENOMEM. A built tree may not
 * be added to; building twice is a no-op. */
int	net_tree_build(struct net_tree *t);

/* The value of the most specific prefix holding a (0 when none, or a of
 * another family). t must be built. */
uint32_t net_tree_lookup(const struct net_tree *t, const struct net_addr *a);

/* Number of disjoint intervals (including the value-0 ones). */
size_t	net_tree_intervals(const struct net_tree *t);

/*
 * A new built tree *out with the values of t but boundaries on units (see
 * above). Returns 0 or LL_ENOMEM (LL_EINVAL when t is not built).
 */
int	net_tree_coarsen(const struct net_tree *t, struct net_tree **out);

/*
 * Calls fn(ctx, val, units) for each interval of coarse tree t inside p,
 * in address order (adjacent intervals have different values). units add
 * up to net_prefix_units(p); nothing is called when that is 0. t must come
 * from net_tree_coarsen(). Stops at and returns fn's first non-zero value;
 * returns 0, or LL_EINVAL (family, or t not coarse).
 */
typedef int net_tree_units_fn(void *ctx, uint32_t val, uint64_t units);
int	net_tree_units(const struct net_tree *t, const struct net_prefix *p,
	    net_tree_units_fn *fn, void *ctx);

/* Units of the whole address space whose value is not 0, counting each
 * unit once (t coarse). */
uint64_t net_tree_count_units(const struct net_tree *t);

/*
 * Calls fn(ctx, prefix) for the address space of value val, as the fewest
 * CIDR prefixes covering exactly it, disjoint and in address order. Stops
 * at and returns fn's first non-zero value; else returns 0.
 */
typedef int net_tree_prefix_fn(void *ctx, const struct net_prefix *p);
int	net_tree_prefixes(const struct net_tree *t, uint32_t val,
	    net_tree_prefix_fn *fn, void *ctx);

/*
 * Merges a and b (built, same family) into a new built tree whose value is
 * fn(ctx, va, vb) for each address. Returns 0, LL_EINVAL or LL_ENOMEM.
 */
typedef uint32_t net_tree_merge_fn(void *ctx, uint32_t va, uint32_t vb);
int	net_tree_merge(const struct net_tree *a, const struct net_tree *b,
	    net_tree_merge_fn *fn, void *ctx, struct net_tree **out);

/*
 * A built tree's intervals, for saving it (geo's cache): n interval
 * starts of 16 bytes each (native unsigned 128-bit integers; IPv4 uses the
 * low 32 bits), n values, and whether it is coarse.
 */
void	net_tree_raw(const struct net_tree *t, const void **start,
	    const uint32_t **val, size_t *n, bool *coarse);

/*
 * A built tree over saved intervals (as net_tree_raw() gives them), which
 * are used in place, not copied: they must outlive the tree. start must
 * be 16-byte aligned. The intervals are checked (the first starts at 0,
 * starts strictly increase and stay in the family's space, coarse starts
 * fall on units), so that a damaged file cannot make lookups go astray.
 * Returns 0, LL_EINVAL (bad af or alignment), LL_EFORMAT (bad intervals)
 * or LL_ENOMEM.
 */
int	net_tree_wrap(uint8_t af, bool coarse, const void *start,
	    const uint32_t *val, size_t n, struct net_tree **out);

#endif
