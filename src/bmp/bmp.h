/*
 * The BGP Monitoring Protocol (RFC 7854), as a router streams it to a
 * collector over TCP: a decoder of one session's messages that gives the
 * same route elements as the MRT reader (mrt_record_elems()).
 *
 * A decoder holds one session's state: the stream offset (for errors) and
 * the peers announced by Peer Up, with what their OPEN messages negotiated
 * (ADD-PATH, RFC 7911). Route Monitoring carries whole BGP UPDATEs, decoded
 * by src/bgp with 4-octet AS numbers unless the per-peer header's A flag
 * says the path is in the legacy 2-octet form; pre- and post-policy
 * Adj-RIB-In (the L flag) and Adj-RIB-Out (the O flag, RFC 8671) are told
 * apart in the message. Statistics Reports and Route Mirroring are checked
 * and skipped. Every byte is read through the bounded reader; a bad
 * message is an error with its offset in the session's stream, after which
 * the session is to be closed (BMP has no resynchronisation).
 */
#ifndef LL_BMP_BMP_H
#define LL_BMP_BMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mrt/mrt.h"
#include "net/net.h"

/* Message types, RFC 7854 section 4.1. */
enum bmp_type {
	BMP_T_ROUTE_MONITORING = 0,
	BMP_T_STATS = 1,
	BMP_T_PEER_DOWN = 2,
	BMP_T_PEER_UP = 3,
	BMP_T_INITIATION = 4,
	BMP_T_TERMINATION = 5,
	BMP_T_ROUTE_MIRRORING = 6,
};

#define BMP_VERSION		3
#define BMP_COMMON_LEN		6	/* version, length, type */
#define BMP_PEER_HDR_LEN	42	/* RFC 7854 section 4.2 */
/* The largest message accepted: an extended BGP message (RFC 8654) with
 * its headers, with room to spare; a longer one is an error. */
#define BMP_MAX_MSG		(1u << 20)

/* Per-peer header flags (RFC 7854 4.2, RFC 8671). */
#define BMP_PF_V	0x80	/* the peer address is IPv6 */
#define BMP_PF_L	0x40	/* post-policy */
#define BMP_PF_A	0x20	/* legacy 2-octet AS_PATH */
#define BMP_PF_O	0x10	/* Adj-RIB-Out */

/* Peer types (RFC 7854 4.2, RFC 9069). */
#define BMP_PEER_GLOBAL		0
#define BMP_PEER_RD		1
#define BMP_PEER_LOCAL		2
#define BMP_PEER_LOC_RIB	3

/* BGP FSM states for the STATE elements of Peer Up and Peer Down
 * (RFC 4271 8.2.2). */
#define BMP_STATE_IDLE		1
#define BMP_STATE_ESTABLISHED	6

struct bmp_msg {
	uint64_t	 offset;	/* of the message in the session */
	uint8_t		 type;		/* enum bmp_type */
	uint32_t	 len;		/* whole message, header included */
	bool		 has_peer;	/* a per-peer header was read */
	uint8_t		 peer_type;	/* BMP_PEER_* */
	uint8_t		 peer_flags;	/* BMP_PF_* */
	uint64_t	 distinguisher;
	/* Route elements: kind MRT_K_MESSAGE for Route Monitoring,
	 * MRT_K_STATE for Peer Up (to Established) and Peer Down (to Idle),
	 * MRT_K_OTHER for the rest. ts/usec are the per-peer header's. */
	struct mrt_record rec;
	uint8_t		 down_reason;	/* Peer Down, RFC 7854 4.9 */
	uint32_t	 n_stats;	/* Statistics Report counters */
	char		 sys_name[256];	/* Initiation's sysName, else "" */
	uint16_t	 term_reason;	/* Termination's reason, or 0xffff */
};

/* A bad message: where (in the session's stream) and what. */
struct bmp_error {
	uint64_t	offset;
	int		code;		/* LL_E* */
	char		what[224];
};

struct bmp_decoder;

/* Returns 0 or LL_ENOMEM. */
int	bmp_decoder_new(struct bmp_decoder **out);
/* Safe to call with NULL. */
void	bmp_decoder_free(struct bmp_decoder *d);

/*
 * The length of the message starting at buf (len bytes there so far):
 * returns 0 and sets *msglen once the common header is there (0 when
 * fewer than BMP_COMMON_LEN bytes are), or LL_EFORMAT / LL_ELIMIT with err
 * filled in (a version other than 3, a length under the header's or over
 * BMP_MAX_MSG). Offsets are those of d's stream.
 */
int	bmp_frame(const struct bmp_decoder *d, const uint8_t *buf,
	    size_t len, uint32_t *msglen, struct bmp_error *err);

/*
 * Decodes the whole message in buf (len bytes, as bmp_frame() measured
 * it) and advances d's stream offset by len. *out stays valid until the
 * next call (its lists point into buf and d's arena: buf must outlive
 * it). Returns 0, or a negative LL_E* code with err filled in.
 */
int	bmp_decode(struct bmp_decoder *d, const uint8_t *buf, size_t len,
	    const struct bmp_msg **out, struct bmp_error *err);

/* The peers seen in the session (by Peer Up or Route Monitoring) and
 * still up: for a collector that must empty their tables when the
 * session ends. Valid until the next bmp_decode(). */
const struct mrt_peer *bmp_decoder_peers(const struct bmp_decoder *d,
	    size_t *n);

/* The name of a message type, "unknown" for others. */
const char *bmp_type_name(uint8_t type);

#endif
