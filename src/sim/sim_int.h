/*
 * Inside the simulator: a growable byte buffer, the MRT writer (RFC 6396)
 * and the BGP UPDATE encoder (RFC 4271 4.3, RFC 4760). Independent of the
 * decoder in src/mrt on purpose: the archives it writes are checked
 * against bgpdump, not against our own reader.
 */
#ifndef LL_SIM_SIM_INT_H
#define LL_SIM_SIM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/net.h"

/* RFC 6396 section 4: types and subtypes written here. */
#define SIM_MRT_TABLE_DUMP_V2		13
#define SIM_TD2_PEER_INDEX_TABLE	1
#define SIM_TD2_RIB_IPV4_UNICAST	2
#define SIM_TD2_RIB_IPV6_UNICAST	4
#define SIM_MRT_BGP4MP			16
#define SIM_BGP4MP_MESSAGE_AS4		4
#define SIM_BGP4MP_STATE_CHANGE_AS4	5

/* RFC 4271 8.2.2 finite state machine states, as MRT numbers them. */
#define SIM_ST_IDLE		1
#define SIM_ST_CONNECT		2
#define SIM_ST_ACTIVE		3
#define SIM_ST_OPENSENT		4
#define SIM_ST_OPENCONFIRM	5
#define SIM_ST_ESTABLISHED	6

/* RFC 4271 4.1: no BGP message is longer. */
#define SIM_BGP_MAXLEN		4096

/* A growable buffer with a sticky out-of-memory flag (checked once). */
struct sim_buf {
	uint8_t	*p;
	size_t	 len;
	size_t	 cap;
	bool	 oom;
};

void	sim_buf_init(struct sim_buf *b);
/* Safe on a zeroed or already finished buffer. */
void	sim_buf_fini(struct sim_buf *b);
void	sim_put(struct sim_buf *b, const void *p, size_t n);
void	sim_put8(struct sim_buf *b, unsigned v);
void	sim_put16(struct sim_buf *b, unsigned v);
void	sim_put32(struct sim_buf *b, uint32_t v);
/* Writes v big-endian at offset at (which must be inside b). */
void	sim_fill16(struct sim_buf *b, size_t at, unsigned v);
void	sim_fill32(struct sim_buf *b, size_t at, uint32_t v);

/* One synthetic BGP neighbour of the collector. */
struct sim_peer {
	uint32_t	asn;
	uint32_t	bgp_id;		/* host order */
	struct net_addr	addr;		/* session address, IPv4 or IPv6 */
	struct net_addr	nh4;		/* next hop of its IPv4 routes */
	struct net_addr	nh6;		/* next hop of its IPv6 routes */
};

/* The collector's side of every session. */
struct sim_local {
	uint32_t	asn;
	struct net_addr	addr4;
	struct net_addr	addr6;
};

/* The attributes of one route (RFC 4271 5.1). */
struct sim_route {
	uint8_t		 origin;	/* 0 IGP, 1 EGP, 2 INCOMPLETE */
	const uint32_t	*path;		/* one AS_SEQUENCE, 4-octet ASNs */
	unsigned	 path_len;	/* 1..255 */
	const struct net_addr *nh;	/* of the prefix's family */
	const uint32_t	*comms;		/* RFC 1997 communities, or NULL */
	unsigned	 ncomms;
};

/*
 * Appends the path attributes of r to b. In a RIB entry (rib true, RFC
 * 6396 4.3.4) an IPv6 next hop is the abbreviated MP_REACH_NLRI (next hop
 * length and address only); in an UPDATE the IPv6 MP_REACH_NLRI (RFC 4760
 * 3) carries the n prefixes of nlri (ignored when rib is true).
 */
void	sim_attrs(struct sim_buf *b, const struct sim_route *r, bool rib,
	    const struct net_prefix *nlri, size_t n);

/* Appends p as RFC 4271 4.3 prefix: length octet, ceil(len/8) octets. */
void	sim_put_prefix(struct sim_buf *b, const struct net_prefix *p);
/* The bytes sim_put_prefix() writes for p. */
size_t	sim_prefix_size(const struct net_prefix *p);

/* An open gzip-compressed MRT file, written record by record. */
struct sim_mrt;

/*
 * Creates path (truncating it) and writes gzip at zlib level (1..9).
 * Returns 0, LL_EIO (errno set) or LL_ENOMEM; *out is owned by the caller
 * and released by sim_mrt_close().
 */
int	sim_mrt_open(const char *path, int level, struct sim_mrt **out);

/* Flushes, closes and frees w (NULL is fine). Returns 0, or the first
 * error met while writing (LL_EIO, LL_ENOMEM). */
int	sim_mrt_close(struct sim_mrt *w);

/* Records written so far (MRT records, not BGP messages). */
uint64_t sim_mrt_records(const struct sim_mrt *w);
/* Uncompressed octets handed to zlib so far. */
uint64_t sim_mrt_bytes(const struct sim_mrt *w);

/*
 * RFC 6396 4.3.1 PEER_INDEX_TABLE: the collector's BGP ID, a view name,
 * and n peers, each written with a 4-octet AS number and its address's
 * family. Returns 0 or the writer's error.
 */
int	sim_mrt_peer_index(struct sim_mrt *w, uint32_t time,
	    uint32_t collector_id, const char *view,
	    const struct sim_peer *peers, size_t n);

/*
 * RFC 6396 4.3.2 RIB_IPV4_UNICAST / RIB_IPV6_UNICAST, by the family of p:
 * rib_begin writes the header, sequence number and prefix; each rib_entry
 * adds one RIB entry (4.3.4) with the attributes of r; rib_end closes the
 * record. Returns 0 or the writer's error.
 */
int	sim_mrt_rib_begin(struct sim_mrt *w, uint32_t time, uint32_t seq,
	    const struct net_prefix *p);
int	sim_mrt_rib_entry(struct sim_mrt *w, uint16_t peer_index,
	    uint32_t originated, const struct sim_route *r);
int	sim_mrt_rib_end(struct sim_mrt *w);

/*
 * BGP4MP_MESSAGE_AS4 records (RFC 6396 4.4.3), each carrying one BGP
 * UPDATE (RFC 4271 4.3), as many as the n prefixes of family af need
 * (no message exceeds 4096 octets). announce: with the attributes of r;
 * IPv6 prefixes go in MP_REACH_NLRI (RFC 4760 3). withdraw: IPv4 in the
 * Withdrawn Routes field, IPv6 in MP_UNREACH_NLRI (RFC 4760 4).
 * Returns 0 or the writer's error.
 */
int	sim_mrt_announce(struct sim_mrt *w, uint32_t time,
	    const struct sim_peer *peer, const struct sim_local *local,
	    const struct sim_route *r, const struct net_prefix *pfx, size_t n);
int	sim_mrt_withdraw(struct sim_mrt *w, uint32_t time,
	    const struct sim_peer *peer, const struct sim_local *local,
	    const struct net_prefix *pfx, size_t n);

/* BGP4MP_STATE_CHANGE_AS4 (RFC 6396 4.4.4). Returns 0 or the error. */
int	sim_mrt_state(struct sim_mrt *w, uint32_t time,
	    const struct sim_peer *peer, const struct sim_local *local,
	    unsigned old_state, unsigned new_state);

/* A mixing hash (splitmix64 finaliser): the simulator's only source of
 * randomness, so that a seed gives the same archives everywhere. */
uint64_t sim_hash(uint64_t seed, uint64_t a, uint64_t b);

struct sim_net {
	struct net_prefix	p;
	uint32_t		origin;
	uint8_t			target;	/* withdrawn in the outage */
};

/* The prefixes of one origin AS, target or not, in table order. */
struct sim_group {
	uint32_t	origin;
	uint8_t		target;
	size_t		first;	/* into gnets: n4 IPv4 then n6 IPv6 */
	size_t		n4, n6;
};

struct sim_table {
	struct sim_net	 *nets;		/* sorted by prefix (RIB order) */
	size_t		  n;
	struct sim_net	 *gnets;	/* same, by (target, origin, prefix) */
	struct net_prefix *gpfx;	/* the prefixes of gnets */
	size_t		  nbg;		/* gnets[0..nbg) are not target */
	struct sim_group *groups;
	size_t		  ngroups;
};

struct sim_opts;
struct sim_source;
struct sim_stats;

/* Builds t from src as o asks (target country/AS and background sample);
 * counts into st. Returns 0 or LL_E*; free t with sim_table_fini(). */
int	sim_table_build(const struct sim_opts *o, const struct sim_source *src,
	    struct sim_table *t, struct sim_stats *st);
/* Safe on a zeroed table. */
void	sim_table_fini(struct sim_table *t);

#endif
