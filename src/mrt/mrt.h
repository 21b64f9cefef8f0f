/*
 * MRT archives (RFC 6396, RFC 8050): a streaming reader of records, the
 * route elements each record carries, and printers (bgpdump -m, JSON lines).
 *
 * The reader never trusts the bytes: every record is decoded through the
 * bounded reader; a bad record is reported once through the error callback
 * (file, byte offset, what is wrong) and skipped, and nothing of it is
 * handed on. Memory is bounded by the largest record (capped) plus a
 * per-record arena, whatever the size of the archive.
 */
#ifndef LL_MRT_MRT_H
#define LL_MRT_MRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bgp/bgp.h"
#include "net/net.h"
#include "input/input.h"

/* MRT types, RFC 6396 section 4 (and the deprecated ones of section B). */
enum mrt_type {
	MRT_T_NULL = 0,
	MRT_T_START = 1,
	MRT_T_DIE = 2,
	MRT_T_I_AM_DEAD = 3,
	MRT_T_PEER_DOWN = 4,
	MRT_T_BGP = 5,
	MRT_T_RIP = 6,
	MRT_T_IDRP = 7,
	MRT_T_RIPNG = 8,
	MRT_T_BGP4PLUS = 9,
	MRT_T_BGP4PLUS_01 = 10,
	MRT_T_OSPFV2 = 11,
	MRT_T_TABLE_DUMP = 12,
	MRT_T_TABLE_DUMP_V2 = 13,
	MRT_T_BGP4MP = 16,
	MRT_T_BGP4MP_ET = 17,
	MRT_T_ISIS = 32,
	MRT_T_ISIS_ET = 33,
	MRT_T_OSPFV3 = 48,
	MRT_T_OSPFV3_ET = 49,
};

/* TABLE_DUMP_V2 subtypes (RFC 6396 4.3, RFC 8050 4). */
enum mrt_td2_subtype {
	MRT_TD2_PEER_INDEX_TABLE = 1,
	MRT_TD2_RIB_IPV4_UNICAST = 2,
	MRT_TD2_RIB_IPV4_MULTICAST = 3,
	MRT_TD2_RIB_IPV6_UNICAST = 4,
	MRT_TD2_RIB_IPV6_MULTICAST = 5,
	MRT_TD2_RIB_GENERIC = 6,
	MRT_TD2_RIB_IPV4_UNICAST_ADDPATH = 8,
	MRT_TD2_RIB_IPV4_MULTICAST_ADDPATH = 9,
	MRT_TD2_RIB_IPV6_UNICAST_ADDPATH = 10,
	MRT_TD2_RIB_IPV6_MULTICAST_ADDPATH = 11,
	MRT_TD2_RIB_GENERIC_ADDPATH = 12,
};

/* BGP4MP / BGP4MP_ET subtypes (RFC 6396 4.4, RFC 8050 3). */
enum mrt_bgp4mp_subtype {
	MRT_BGP4MP_STATE_CHANGE = 0,
	MRT_BGP4MP_MESSAGE = 1,
	MRT_BGP4MP_ENTRY = 2,
	MRT_BGP4MP_SNAPSHOT = 3,
	MRT_BGP4MP_MESSAGE_AS4 = 4,
	MRT_BGP4MP_STATE_CHANGE_AS4 = 5,
	MRT_BGP4MP_MESSAGE_LOCAL = 6,
	MRT_BGP4MP_MESSAGE_AS4_LOCAL = 7,
	MRT_BGP4MP_MESSAGE_ADDPATH = 8,
	MRT_BGP4MP_MESSAGE_AS4_ADDPATH = 9,
	MRT_BGP4MP_MESSAGE_LOCAL_ADDPATH = 10,
	MRT_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH = 11,
};

/* What a decoded record holds. */
enum mrt_kind {
	MRT_K_OTHER = 0,	/* valid but carries no route (KEEPALIVE, ...) */
	MRT_K_PEER_INDEX,	/* TABLE_DUMP_V2 PEER_INDEX_TABLE */
	MRT_K_RIB,		/* TABLE_DUMP or TABLE_DUMP_V2 RIB entries */
	MRT_K_MESSAGE,		/* a BGP message (BGP4MP*, deprecated BGP) */
	MRT_K_STATE,		/* a session state change */
};

struct mrt_peer {
	struct net_addr	addr;
	uint32_t	asn;
	struct net_addr	bgp_id;		/* router id (TABLE_DUMP_V2) */
};

struct mrt_rib_entry {
	struct net_prefix	 prefix;	/* the record's, or (TABLE_DUMP
						   batches) the entry's own */
	uint16_t		 peer_index;
	const struct mrt_peer	*peer;		/* in the reader's peer table,
						   or the record's own */
	uint32_t		 originated;	/* originated time */
	uint32_t		 path_id;	/* RFC 8050, else 0 */
	uint8_t			 status;	/* TABLE_DUMP's, else 0 */
	struct bgp_attrs	 attrs;
};

struct mrt_record {
	uint64_t	 offset;	/* of the MRT header in the stream */
	uint32_t	 ts;		/* header timestamp */
	uint32_t	 usec;		/* BGP4MP_ET microseconds, else 0 */
	uint16_t	 type;		/* enum mrt_type */
	uint16_t	 subtype;
	uint32_t	 len;		/* body length (without ET's 4 octets) */
	const uint8_t	*body;
	enum mrt_kind	 kind;
	bool		 addpath;
	bool		 as4;

	/* MRT_K_MESSAGE, MRT_K_STATE, and TABLE_DUMP (v1) RIB */
	struct mrt_peer	 peer;
	struct net_addr	 local_addr;
	uint32_t	 local_asn;
	bool		 local;		/* _LOCAL subtypes: sent, not received */
	uint8_t		 msg_type;	/* enum bgp_msg_type */
	struct bgp_update update;	/* when msg_type == BGP_MSG_UPDATE */
	uint16_t	 old_state;	/* MRT_K_STATE */
	uint16_t	 new_state;

	/* MRT_K_RIB */
	uint16_t	 afi;
	uint8_t		 safi;
	uint32_t	 seq;
	struct net_prefix prefix;
	uint32_t	 n_entries;
	struct mrt_rib_entry *entries;

	/* MRT_K_PEER_INDEX */
	struct net_addr	 collector_id;
};

/* A bad record, as reported to the error callback. */
struct mrt_error {
	const char	*file;		/* name given to mrt_reader_new() */
	uint64_t	 offset;	/* byte offset in the decoded stream */
	int		 code;		/* LL_E* */
	const char	*what;		/* "BGP4MP: attribute 14 length 300
					   past the end of the attributes
					   (RFC 4271 4.3)" */
};

typedef void mrt_error_fn(void *ctx, const struct mrt_error *e);

struct mrt_reader_opts {
	bool		 strict;	/* stop at the first bad record */
	uint32_t	 max_record;	/* cap on a record's length; 0 = 64 MiB */
	mrt_error_fn	*on_error;	/* NULL: count only */
	void		*ctx;
};

struct mrt_stats {
	uint64_t	records;	/* sound records handed out */
	uint64_t	bad;		/* reported and skipped */
	uint64_t	unsupported;	/* sound but of a type we do not decode */
	uint64_t	repaired;	/* read with a corrected length */
	uint64_t	bytes;		/* decoded bytes read */
	bool		truncated;	/* the stream ended inside a record */
};

struct mrt_reader;

/*
 * True for a type/subtype pair that RFC 6396 (or its appendix B of
 * deprecated types) defines and an archive may hold: the reader's test of
 * a header (and of where to resynchronise after damage), and the
 * downloader's of a file's first record. The types of RFC 6396 B.1 that no
 * archive holds (NULL, START, DIE, I_AM_DEAD, PEER_DOWN) are not.
 */
bool	mrt_type_known(uint16_t type, uint16_t subtype);

/*
 * Creates a reader over in (not owned: free it after the reader). name is
 * used in error reports and copied. opts may be NULL. Returns 0 or LL_ENOMEM.
 */
int	mrt_reader_new(struct input *in, const char *name,
	    const struct mrt_reader_opts *opts, struct mrt_reader **out);

/* What mrt_reader_next() and mrt_reader_next_fast() return when they do
 * not return a negative LL_E* code. */
enum mrt_next {
	MRT_NEXT_END = 0,	/* the end of the stream */
	MRT_NEXT_RECORD = 1,	/* *rec is set */
	MRT_NEXT_TAKEN = 2,	/* the fast decoder took a record */
};

/*
 * Reads the next sound record; bad ones are reported through on_error and
 * skipped. Returns MRT_NEXT_RECORD and sets *rec (valid until the next
 * call), or MRT_NEXT_END at the end of the stream, also when the stream
 * ends in an input fault (a cut, a decompression or I/O error, no memory
 * for a record's window), which is reported first (mrt_reader_stats()
 * tells a cut). In strict mode, returns instead the negative LL_E* code of
 * the first bad record or input fault.
 */
int	mrt_reader_next(struct mrt_reader *r, const struct mrt_record **rec);

/* What a mrt_fast_fn returns. */
enum mrt_fast {
	MRT_FAST_DECLINED = 0,	/* decode it as usual */
	MRT_FAST_TAKEN = 1,	/* taken: the reader moves on */
};

/*
 * A caller's own decoder for some records: given a whole framed record
 * (header included, len bytes), returns MRT_FAST_TAKEN when it took the
 * record, or MRT_FAST_DECLINED to have it decoded as usual. It must take
 * only records the usual decoder would decode without error: those are
 * then counted as sound, and the reader moves on.
 */
typedef int mrt_fast_fn(void *ctx, const uint8_t *rec, size_t len);

/* As mrt_reader_next(), but offers every framed record to fast first;
 * returns MRT_NEXT_TAKEN when fast took it (*rec is not set). */
int	mrt_reader_next_fast(struct mrt_reader *r, mrt_fast_fn *fast,
	    void *ctx, const struct mrt_record **rec);

const struct mrt_stats *mrt_reader_stats(const struct mrt_reader *r);

/* The current PEER_INDEX_TABLE: its peers and count (0 before one). */
const struct mrt_peer *mrt_reader_peers(const struct mrt_reader *r,
	    uint32_t *n);

/* Safe to call with NULL. */
void	mrt_reader_free(struct mrt_reader *r);

/* What mrt_decode() returns when it does not return a negative LL_E*
 * code. */
enum mrt_decoded {
	MRT_DEC_UNSUPPORTED = 0,	/* sound, of a type not decoded */
	MRT_DEC_RECORD = 1,		/* decoded: *rec is set */
};

/*
 * Decodes one whole record held in buf (header included) outside any file,
 * for fuzzing and tests. Returns MRT_DEC_RECORD with *rec set (valid until
 * the next call), MRT_DEC_UNSUPPORTED, or LL_E* with *what set to the
 * decoder-owned message.
 */
struct mrt_decoder;
int	mrt_decoder_new(struct mrt_decoder **out);
int	mrt_decode(struct mrt_decoder *d, const uint8_t *buf, size_t len,
	    const struct mrt_record **rec, const char **what);
void	mrt_decoder_free(struct mrt_decoder *d);

/*
 * The lean decode of a BGP4MP(_ET) MESSAGE(_AS4) record, for the hot path
 * of a replay: the peer, the time and bgp_lean_message()'s runs, all
 * pointing into the record.
 */
struct mrt_lean {
	const uint8_t	*rec;		/* the whole record: bounds of the */
	const uint8_t	*end;		/* runs' bytes, for whole-word reads */
	uint32_t	 ts;
	uint32_t	 peer_asn;
	struct net_addr	 peer;
	struct bgp_lean	 bgp;
};

/*
 * Decodes the whole record in buf (header included) when it is a sound
 * BGP4MP(_ET) MESSAGE(_AS4) that mrt_decode() and mrt_record_elems() would
 * give the same peer, time and prefixes for: returns true and fills l.
 * Returns false for anything else: the full decoder is to decode or
 * report it.
 */
bool	mrt_lean_decode(const uint8_t *buf, size_t len, struct mrt_lean *l);

/* Route elements: what a record means, one prefix at a time. */
enum mrt_elem_type {
	MRT_ELEM_RIB = 'B',
	MRT_ELEM_ANNOUNCE = 'A',
	MRT_ELEM_WITHDRAW = 'W',
	MRT_ELEM_STATE = 'S',
};

struct mrt_elem {
	enum mrt_elem_type	 type;
	uint32_t		 ts;
	uint32_t		 usec;
	const struct mrt_peer	*peer;
	const struct bgp_nlri	*nlri;		/* NULL for STATE */
	const struct bgp_attrs	*attrs;		/* NULL for W and STATE */
	const struct net_addr	*nexthop;	/* the one that applies */
	uint16_t		 old_state;
	uint16_t		 new_state;
};

typedef int mrt_elem_fn(void *ctx, const struct mrt_elem *e);

/*
 * Calls fn for each route element of rec, in bgpdump's order: withdrawals
 * (classic, then MP_UNREACH), then announcements (classic, then MP_REACH);
 * RIB entries in table order; one STATE element for a state change.
 * Only unicast/multicast IPv4/IPv6 NLRI are reported. Stops and returns
 * fn's value when it is non-zero; else returns 0.
 */
int	mrt_record_elems(const struct mrt_record *rec, mrt_elem_fn *fn,
	    void *ctx);

/* Printers: write one record's lines to a buffered stream. */
struct mrt_printer;
enum mrt_format {
	MRT_FMT_BGPDUMP,	/* byte-exact with `bgpdump -m` */
	MRT_FMT_JSONL,		/* one JSON object per route element */
	MRT_FMT_BGPDUMP_MULTI,	/* bgpdump's multi-line text (-H) */
};
int	mrt_printer_new(FILE *out, enum mrt_format fmt,
	    struct mrt_printer **p);
/* Prints rec. Returns 0 or LL_EIO. */
int	mrt_printer_put(struct mrt_printer *p, const struct mrt_record *rec);
/* Flushes buffered output. Returns 0 or LL_EIO. */
int	mrt_printer_flush(struct mrt_printer *p);
void	mrt_printer_free(struct mrt_printer *p);
/*
 * Prints only the route elements fn returns true for (rec is the record
 * they belong to); NULL prints all. A filtered MRT_FMT_BGPDUMP dump gives
 * each kept element the line the unfiltered dump gives it.
 */
typedef bool mrt_elem_filter_fn(void *ctx, const struct mrt_record *rec,
    const struct mrt_elem *e);
void	mrt_printer_filter(struct mrt_printer *p, mrt_elem_filter_fn *fn,
	    void *ctx);
/* MRT_FMT_JSONL: ends every object with "collector" and "file" (strings,
 * copied; NULL: ""); both NULL: none. Returns 0 or LL_ENOMEM. */
int	mrt_printer_label(struct mrt_printer *p, const char *collector,
	    const char *file);

#endif
