/*
 * BGP UPDATE messages and path attributes (RFC 4271), with multiprotocol
 * reach (RFC 4760), 4-octet AS numbers (RFC 6793), communities (RFC 1997),
 * large communities (RFC 8092) and ADD-PATH NLRI (RFC 7911).
 *
 * Decoding is zero-copy where it can be: community lists point into the
 * message buffer; AS paths and prefix lists are built in the caller's
 * per-record arena. Everything decoded lives until that arena is reset.
 */
#ifndef LL_BGP_BGP_H
#define LL_BGP_BGP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/net.h"
#include "util/arena.h"

enum bgp_msg_type {
	BGP_MSG_OPEN = 1,
	BGP_MSG_UPDATE = 2,
	BGP_MSG_NOTIFICATION = 3,
	BGP_MSG_KEEPALIVE = 4,
	BGP_MSG_ROUTE_REFRESH = 5,
};

enum bgp_attr_type {
	BGP_ATTR_ORIGIN = 1,
	BGP_ATTR_AS_PATH = 2,
	BGP_ATTR_NEXT_HOP = 3,
	BGP_ATTR_MED = 4,
	BGP_ATTR_LOCAL_PREF = 5,
	BGP_ATTR_ATOMIC_AGGREGATE = 6,
	BGP_ATTR_AGGREGATOR = 7,
	BGP_ATTR_COMMUNITIES = 8,
	BGP_ATTR_ORIGINATOR_ID = 9,
	BGP_ATTR_CLUSTER_LIST = 10,
	BGP_ATTR_MP_REACH_NLRI = 14,
	BGP_ATTR_MP_UNREACH_NLRI = 15,
	BGP_ATTR_EXT_COMMUNITIES = 16,
	BGP_ATTR_AS4_PATH = 17,
	BGP_ATTR_AS4_AGGREGATOR = 18,
	BGP_ATTR_LARGE_COMMUNITIES = 32,
};

/* Bit for attribute type t in bgp_attrs.seen (types >= 64 are not tracked). */
#define BGP_ATTR_BIT(t)	((uint64_t)1 << (t))

/* Attribute flags, RFC 4271 section 4.3. */
#define BGP_ATTR_FLAG_OPTIONAL		0x80
#define BGP_ATTR_FLAG_TRANSITIVE	0x40
#define BGP_ATTR_FLAG_PARTIAL		0x20
#define BGP_ATTR_FLAG_EXTLEN		0x10	/* 2-octet attribute length */

/* The message header, RFC 4271 section 4.1: 16 octets of marker (all
 * ones), length, type. */
#define BGP_MARKER_LEN	16
#define BGP_HEADER_LEN	19

/* RFC 6793 section 9: the 2-octet stand-in for a 4-octet AS. */
#define BGP_AS_TRANS	23456u

enum bgp_origin {
	BGP_ORIGIN_IGP = 0,
	BGP_ORIGIN_EGP = 1,
	BGP_ORIGIN_INCOMPLETE = 2,
};

enum bgp_seg_type {
	BGP_SEG_SET = 1,
	BGP_SEG_SEQUENCE = 2,
	BGP_SEG_CONFED_SEQUENCE = 3,
	BGP_SEG_CONFED_SET = 4,
};

/* Address families (RFC 4760 section 3, IANA registries). */
#define BGP_AFI_IPV4	1
#define BGP_AFI_IPV6	2
#define BGP_AFI_BGPLS	16388		/* BGP-LS, RFC 7752: not decoded */
#define BGP_SAFI_UNICAST	1
#define BGP_SAFI_MULTICAST	2
#define BGP_SAFI_BOTH		3	/* deprecated unicast+multicast */

/* The families whose NLRI are IP prefixes, the only ones decoded: IPv4 and
 * IPv6, unicast and multicast. MP_REACH/MP_UNREACH of any other family
 * (BGP-LS, VPN, flowspec, ...) is skipped, not treated as an error. */
static inline bool
bgp_family_ip(uint16_t afi, uint8_t safi)
{
	return (afi == BGP_AFI_IPV4 || afi == BGP_AFI_IPV6) &&
	    safi >= BGP_SAFI_UNICAST && safi <= BGP_SAFI_BOTH;
}

struct bgp_asseg {
	uint8_t		 type;		/* enum bgp_seg_type */
	uint16_t	 n;
	uint32_t	*asn;		/* n AS numbers, in the arena */
};

/* An AS path, after AS4_PATH has been merged in (RFC 6793 section 4.2.3). */
struct bgp_aspath {
	uint16_t		 nseg;
	struct bgp_asseg	*seg;
};

/* One NLRI entry; path_id is 0 unless the session uses ADD-PATH. */
struct bgp_nlri {
	uint32_t		path_id;
	struct net_prefix	pfx;
};

struct bgp_nlri_list {
	uint16_t	 afi;		/* BGP_AFI_* */
	uint8_t		 safi;		/* BGP_SAFI_* */
	uint32_t	 n;
	struct bgp_nlri	*v;		/* in the arena */
};

struct bgp_attrs {
	uint64_t		 seen;		/* BGP_ATTR_BIT() of each seen */
	uint8_t			 origin;	/* enum bgp_origin */
	struct bgp_aspath	 path;		/* merged AS_PATH/AS4_PATH */
	struct net_addr		 nexthop;	/* NEXT_HOP (IPv4) */
	uint32_t		 med;
	uint32_t		 local_pref;
	uint32_t		 aggregator_as;	/* AS4_AGGREGATOR applied */
	struct net_addr		 aggregator_addr;
	/* Raw lists pointing into the message: 4, 8 and 12 octets each. */
	const uint8_t		*communities;
	uint32_t		 n_communities;
	const uint8_t		*ext_communities;
	uint32_t		 n_ext_communities;
	const uint8_t		*large_communities;
	uint32_t		 n_large_communities;
	/* MP_REACH_NLRI next hop(s), RFC 4760 section 3 / RFC 2545. */
	struct net_addr		 mp_nexthop;
	struct net_addr		 mp_nexthop_ll;	/* IPv6 link-local, if any */
	struct bgp_nlri_list	 mp_reach;	/* n == 0 when absent */
	struct bgp_nlri_list	 mp_unreach;
	/* The whole attribute block as received, for printers that show
	 * every attribute (bgpdump -H), unknown ones included. */
	const uint8_t		*raw;
	size_t			 raw_len;
};

/* How the bytes are to be read: set by the MRT layer from the subtype. */
struct bgp_ctx {
	bool		 as4;		/* AS numbers in AS_PATH are 4 octets */
	bool		 addpath;	/* NLRI carry a 4-octet path id */
	bool		 mrt_rib;	/* the attributes of an MRT RIB entry
					   (TABLE_DUMP, TABLE_DUMP_V2,
					   BGP4MP_ENTRY), where MP_REACH_NLRI
					   may be abbreviated to its next hop
					   (RFC 6396 section 4.3.4); never
					   for a BGP message */
	struct arena	*arena;
};

/* Where and what the first problem was; off is relative to the buffer
 * given to the decoder. */
struct bgp_diag {
	size_t		off;
	char		msg[160];
};

struct bgp_update {
	struct bgp_nlri_list	withdrawn;	/* IPv4 unicast, classic */
	struct bgp_nlri_list	announced;	/* IPv4 unicast, classic */
	struct bgp_attrs	attrs;
};

/*
 * Decodes a path attribute block (RFC 4271 4.3). attrs is fully
 * overwritten; its lists point into buf or ctx->arena. Returns 0, or
 * LL_EFORMAT / LL_ETRUNC / LL_ENOMEM with diag (which may be NULL) filled
 * in: its offset is in buf.
 */
int	bgp_decode_attrs(const uint8_t *buf, size_t len,
	    const struct bgp_ctx *ctx, struct bgp_attrs *attrs,
	    struct bgp_diag *diag);

/*
 * Decodes a whole BGP message (with its 19-octet header, RFC 4271 section
 * 4.1). Sets *type. For an UPDATE, fills *upd; other types are only
 * checked for a sound header. Returns 0 or a negative LL_E* code with
 * diag filled in.
 */
int	bgp_decode_message(const uint8_t *buf, size_t len,
	    const struct bgp_ctx *ctx, uint8_t *type, struct bgp_update *upd,
	    struct bgp_diag *diag);

/* Decodes the body of an UPDATE (after the header). */
int	bgp_decode_update(const uint8_t *buf, size_t len,
	    const struct bgp_ctx *ctx, struct bgp_update *upd,
	    struct bgp_diag *diag);

/*
 * Decodes a run of NLRI (RFC 4271 section 4.3 / RFC 4760 section 5) for
 * afi into list (allocated in ctx->arena). Host bits past the length are
 * masked (RFC 4271: they are irrelevant). Returns 0 or LL_E*.
 */
int	bgp_decode_nlri(const uint8_t *buf, size_t len, uint16_t afi,
	    uint8_t safi, const struct bgp_ctx *ctx,
	    struct bgp_nlri_list *list, struct bgp_diag *diag);

/*
 * The lean decode (bgp_lean.c): for the hot path of a replay, which needs
 * only the prefixes and the origin AS of an UPDATE. The runs point into the
 * message, in the order of mrt_record_elems(): withdrawals (classic,
 * MP_UNREACH), then announcements (classic, MP_REACH).
 */
enum bgp_lean_run_index {
	BGP_LEAN_WITHDRAWN,
	BGP_LEAN_MP_UNREACH,
	BGP_LEAN_ANNOUNCED,
	BGP_LEAN_MP_REACH,
	BGP_LEAN_RUNS,
};

/* A run of NLRI (RFC 4271 4.3), sound, without path ids: n prefixes in len
 * octets at p, each a length octet and the prefix's minimum octets. */
struct bgp_lean_run {
	const uint8_t	*p;
	size_t		 len;
	size_t		 n;
	uint8_t		 af;		/* NET_AF4 or NET_AF6 */
};

struct bgp_lean {
	uint32_t		origin;	/* as bgp_path_origin() gives it */
	struct bgp_lean_run	run[BGP_LEAN_RUNS];
	const uint8_t		*path;	/* the AS_PATH body (sound), */
	size_t			 path_len;	/* 0: none or empty */
	uint8_t			 path_asn;	/* octets an AS: 2 or 4 */
};

/*
 * Decodes the BGP message in buf (header included, as for
 * bgp_decode_message() with no ADD-PATH, outside an MRT RIB) when it is
 * sound and bgp_decode_message() would give the same prefixes and origin:
 * returns true and fills l (pointing into buf; no runs for a message other
 * than an UPDATE). Returns false for anything else, and the full decoder
 * is to decode or report it.
 */
bool	bgp_lean_message(const uint8_t *buf, size_t len, bool as4,
	    struct bgp_lean *l);

/*
 * The AS path of a message bgp_lean_message() took (the one
 * bgp_decode_message() gives: no AS4_PATH to merge), decoded into the
 * caller's arrays: at most nseg segments and nasn ASes. Returns 0 with
 * *out pointing into seg and asn, or LL_ELIMIT when the path is longer.
 */
int	bgp_lean_path(const struct bgp_lean *l, struct bgp_aspath *out,
	    struct bgp_asseg *seg, size_t nseg, uint32_t *asn, size_t nasn);

/* The origin AS of a path: the last AS of the last segment when that
 * segment is an AS_SEQUENCE (or a one-element AS_SET); 0 when none. */
uint32_t bgp_path_origin(const struct bgp_aspath *p);

#endif
