/*
 * Private to src/signal: the engine's tables.
 */
#ifndef LL_SIGNAL_SIG_INT_H
#define LL_SIGNAL_SIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "signal/signal.h"
#include "util/hash.h"
#include "input/input.h"

#define SIG_MAX_COLLECTORS	4096
#define SIG_MAX_PEERS		65535
#define SIG_NO_GEO		UINT32_MAX

/* One distinct prefix (never removed: an unseen one just has no bits). */
struct sig_pfx {
	struct net_prefix p;
	uint16_t	 nexc;		/* peers whose origin differs */
	uint32_t	 origin;	/* origin AS of the other peers */
	uint32_t	 npeers;	/* peers holding it */
	uint32_t	 geo_off;	/* into sig.geo, SIG_NO_GEO: not yet */
	uint16_t	 geo_n;
};

struct sig_peer {
	uint16_t	 collector;
	uint32_t	 asn;
	struct net_addr	 addr;
	uint32_t	 n4;		/* IPv4 prefixes held */
	uint32_t	 n6;
};

/* u64 -> u32 open addressing, linear probing, backward-shift delete. */
#define SIG_MAP_EMPTY	UINT64_MAX
struct sig_map {
	uint64_t	*keys;
	uint32_t	*vals;
	size_t		 cap;		/* power of two, or 0 */
	size_t		 n;
};

int	sig_map_put(struct sig_map *m, uint64_t key, uint32_t val);
/* Returns a pointer to the value, or NULL. */
uint32_t *sig_map_get(const struct sig_map *m, uint64_t key);
bool	sig_map_del(struct sig_map *m, uint64_t key);
void	sig_map_fini(struct sig_map *m);

/* A piece of a prefix's address space in one country / region. */
struct sig_geo {
	uint16_t	 cc;		/* (c0-'A')*26 + (c1-'A') + 1, 0: none */
	uint32_t	 region;	/* region id + 1, 0: none */
	uint64_t	 units;		/* /24s or /48s */
};

/* Families: index of the per-family state. */
#define SIG_F4		0
#define SIG_F6		1

/* The prefixes of one family that may count (IPv4 and IPv6 /6 and
 * longer), sorted by (address, length), and those not merged in yet. */
struct sig_sorted {
	uint32_t	*order;
	size_t		 norder, order_cap;
	uint32_t	*pending;
	size_t		 npending, pending_cap;
};

/* A bin's full-feed peers of one family and how they vote: a prefix's
 * votes are the distinct ASes of the full-feed peers holding it, i.e. the
 * holders among the peers alone in their AS (single) plus one for each
 * AS of several full-feed peers (groups: w words each) holding it. */
struct sig_fam {
	uint64_t	*ffmask;	/* w words */
	uint64_t	*single;	/* w words */
	uint64_t	*groups;	/* ngroups * w words */
	size_t		 ngroups, groups_cap;
	uint32_t	 nff;		/* full-feed peers */
	uint32_t	 nasn;		/* their distinct ASes */
	uint32_t	 need;		/* votes that make a prefix visible */
	uint32_t	 max;		/* largest table now */
};

/* One family's values in a bin, per entity, and whether each was ever
 * non-zero (then it is emitted in every later bin). */
struct sig_acc {
	uint64_t	 cval[677];
	bool		 cever[677];
	uint64_t	*rval;		/* per region id */
	bool		*rever;
	uint64_t	*aval;		/* per AS id */
	bool		*aever;
	uint64_t	*acov;		/* per AS id: end of the units counted
					   so far in the sweep */
};

/* Collector health values, in the order of the SIG_KIND_* kinds. */
#define SIG_NHEALTH	6
struct sig_health {
	uint32_t	 v[SIG_NHEALTH];
	bool		 ever[SIG_NHEALTH];
};

/* Names that never move once made: blocks of SIG_NAMES_BLK. */
#define SIG_NAMES_BLK	1024
struct sig_names {
	char		(**blk)[16];
	size_t		 nblk, cap;
};

struct sig {
	struct sig_opts	 o;
	uint32_t	 vis_pct;	/* threshold, percent (0: any) */
	const char	*kind[2];	/* visibility kinds per family */
	sig_emit_fn	*emit;
	void		*ctx;

	/* collectors */
	char		(*coll)[64];
	char		(*cent)[64];	/* "collector:NAME" (ENT_STRLEN) */
	struct sig_health *health;	/* per collector */
	struct sig_health health_all;
	uint32_t	*coll_sorted;	/* ids by name */
	size_t		 ncoll_sorted;
	size_t		 ncoll;
	bool		*rib_active;	/* per collector */
	size_t		 nrib;		/* collectors with a RIB open */

	/* peers */
	struct sig_peer	*peer;
	size_t		 npeer, peer_cap;
	uint32_t	*peer_slot;	/* hash -> index + 1 */
	size_t		 peer_slot_cap;
	struct sig_peer	 last;		/* the last element's peer, whose */
	uint32_t	 last_idx;	/* index this is (a record's elements */
	bool		 have_last;	/* share one) */

	/* prefixes and per-peer bits: bits[i * w + peer / 64] */
	struct sig_pfx	*pfx;
	size_t		 npfx, pfx_cap;
	uint32_t	*pfx_slot;	/* hash -> index + 1 */
	size_t		 pfx_slot_cap;
	uint64_t	*bits;
	uint64_t	*fresh;		/* same shape, while a RIB is open */
	size_t		 w;		/* words per prefix */

	struct sig_map	 exc;		/* (pfx << 16 | peer) -> origin */

	struct sig_sorted ord[2];	/* per family */

	/* geo cache */
	struct sig_geo	*geo;
	size_t		 ngeo, geo_cap;
	char		(*region)[8];
	size_t		 nregion, region_cap;
	struct sig_map	 region_map;	/* hash of the name -> id (chained
					   by probing on the name) */

	/* entity names, made once ("country:EG", "region:EG-C", "asn:8452"):
	 * emitted points name them without formatting, and they stay valid
	 * until sig_free() */
	char		(*cname)[11];	/* [677], index as sig_geo.cc */
	struct sig_names *rname;	/* per region id */
	struct sig_names *aname;	/* per AS id */

	/* accumulators */
	struct sig_acc	 acc[2];	/* per family */
	struct sig_map	 asn_map;	/* asn -> id */
	uint32_t	 last_aid;	/* the id asn_id() gave last */
	uint32_t	*asn_of;
	size_t		 nasn, asn_cap;
	uint32_t	*asn_sorted;	/* ids by AS number */
	size_t		 nasn_sorted;
	uint32_t	*region_sorted;
	size_t		 nregion_sorted;

	/* time */
	bool		 started;
	int64_t		 bin_start;
	bool		 dirty;		/* state changed since last compute */
	bool		 computed;

	/* scratch for a bin */
	struct sig_fam	 fam[2];	/* per family */
	uint64_t	*keys;		/* sort keys, per peer */
	uint32_t	*origins;	/* a prefix's distinct origins */

	struct sig_stats st;
};

/*
 * A route element in compact, self-contained form: what the engine needs
 * of an element, made on the decoding thread (sig_pump.c) so that the
 * engine's thread never touches a decoded record.
 */
enum sig_item_kind {
	SIG_IT_TICK,		/* a record without elements: time only */
	SIG_IT_PEER,		/* the following items are this peer's:
				   val = AS, af/a = address */
	SIG_IT_ANNOUNCE,	/* val = origin AS (0: none) */
	SIG_IT_WITHDRAW,
	SIG_IT_STATE,		/* val = new BGP FSM state */
};

struct sig_item {
	uint32_t	ts;
	uint8_t		kind;		/* enum sig_item_kind */
	uint8_t		af;		/* NET_AF4 / NET_AF6 */
	uint8_t		len;		/* prefix length */
	uint8_t		pad;
	uint32_t	val;
	uint32_t	hash;		/* sig_pfx_hash() of the prefix,
					   made on the decoding thread */
	uint8_t		a[16];		/* prefix (host bits zero) or peer;
					   word-aligned, written as words */
};

/*
 * The hash of a prefix in the engine's table (host bits zero), from its
 * address as two words in memory order. It runs once an element on the
 * decoding thread, so it is one ll_fold().
 */
static inline uint32_t
sig_pfx_hash2(uint8_t af, uint8_t len, uint64_t x, uint64_t y)
{
	return (uint32_t)ll_fold(x, y ^ ((uint64_t)af << 8 | len));
}

static inline uint32_t
sig_pfx_hash(uint8_t af, uint8_t len, const uint8_t a[16])
{
	uint64_t x, y;

	memcpy(&x, a, 8);
	memcpy(&y, a + 8, 8);
	return sig_pfx_hash2(af, len, x, y);
}

/* Fills it from element e (not SIG_IT_PEER items). */
void	sig_item_from(struct sig_item *it, const struct mrt_elem *e);

/* sig_lean.c: the items of a lean decode (mrt_lean_decode()). */
/* The items of l: sig_lean_count() of them, in the full decoder's order. */
size_t	sig_lean_count(const struct mrt_lean *l);
void	sig_lean_items(const struct mrt_lean *l, struct sig_item *it);
/* For tests and fuzzing: decodes buf both ways. Returns 0 when the lean
 * decode declines, 1 when it takes the record and the full decoder gives
 * the same peer, time and items, -1 when they disagree (a bug). */
int	sig_lean_verify(const uint8_t *buf, size_t len);

/* sig_pump.c: one file decoded ahead into items (see there). */
struct sig_pump;
/*
 * Reads MRT records from in (not owned; it must outlive the pump) on a
 * second thread when threaded (else on the caller's, batch by batch). Bad
 * records go to err_fn(ctx, ...) on the caller's thread, name as the file.
 * Returns 0 or LL_ENOMEM.
 */
#define SIG_PUMP_THREAD	0x1	/* decode on a thread of its own */
#define SIG_PUMP_LEAN	0x2	/* mrt_lean_decode() where it can */
int	sig_pump_new(struct input *in, const char *name, bool strict,
	    mrt_error_fn *err_fn, void *ctx, unsigned flags,
	    struct sig_pump **out);
/*
 * The same with a time range (span > 0): a record further than span
 * seconds from the last record kept (at first, from ref) is reported
 * through err_fn as out of the file's time range and skipped (counted as
 * bad in sig_pump_stats(); in strict mode it ends the file with
 * LL_EFORMAT). span 0: no range.
 */
struct sig_pump_cfg {
	bool		 strict;
	mrt_error_fn	*err_fn;
	void		*ctx;
	unsigned	 flags;		/* SIG_PUMP_* */
	int64_t		 ref;
	int64_t		 span;
};
int	sig_pump_open(struct input *in, const char *name,
	    const struct sig_pump_cfg *c, struct sig_pump **out);
/* The time of the next item: 1 and *ts, or 0 at the end of the file. */
int	sig_pump_head(struct sig_pump *p, uint32_t *ts);
/* Applies to s the items of the head time (one or more records of that
 * second). Returns 0 or the engine's error. */
int	sig_pump_run(struct sig_pump *p, struct sig *s, uint16_t collector);
/* At the end: the reader's last return (0, or a negative LL_E* code: an
 * input error, or in strict mode the first bad record) and statistics. */
int	sig_pump_end(const struct sig_pump *p);
const struct mrt_stats *sig_pump_stats(struct sig_pump *p);
/* Records the lean decode took. */
uint64_t sig_pump_lean_records(const struct sig_pump *p);
/* Compressed bytes read as of the batch being applied. */
uint64_t sig_pump_raw_offset(const struct sig_pump *p);
/* Stops the thread. Safe to call with NULL. */
void	sig_pump_free(struct sig_pump *p);

/* sig_table.c */
/* Applies one item (not SIG_IT_PEER) of peer (a sig_peer_get() index)
 * of collector. Returns as sig_elem(). */
int	sig_apply(struct sig *s, uint16_t collector, uint32_t peer,
	    const struct sig_item *it);
/* Hints the caches about the prefix of an item to be applied soon. */
void	sig_prefetch(const struct sig *s, const struct sig_item *it);

int	sig_peer_get(struct sig *s, uint16_t collector,
	    const struct mrt_peer *p, uint32_t *idx);
/* The index of prefix p (host bits zero), whose sig_pfx_hash() is h;
 * made when new. Returns 0, LL_ELIMIT or LL_ENOMEM. */
int	sig_pfx_get(struct sig *s, const struct net_prefix *p, uint32_t h,
	    uint32_t *idx);
int	sig_announce(struct sig *s, uint32_t pi, uint32_t peer,
	    uint32_t origin, bool fresh);
void	sig_withdraw(struct sig *s, uint32_t pi, uint32_t peer);
void	sig_peer_clear(struct sig *s, uint32_t peer);
uint32_t sig_peer_origin(const struct sig *s, uint32_t pi, uint32_t peer);

/* sig_bin.c */
int	sig_bin_emit(struct sig *s, int64_t t);
void	sig_bin_fini(struct sig *s);

#endif
