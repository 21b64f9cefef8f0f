/* Private to src/mrt: the per-record decoder shared by the streaming
 * reader and mrt_decode(). */
#ifndef LL_MRT_MRT_INT_H
#define LL_MRT_MRT_INT_H

#include "mrt/mrt.h"
#include "util/arena.h"

#define MRT_HEADER_LEN		12
#define MRT_DEFAULT_MAX_RECORD	(64u << 20)
#define MRT_ARENA_CAP		(256u << 20)

struct mrt_decoder {
	struct arena		 arena;
	struct mrt_record	 rec;
	struct mrt_peer		*peers;		/* current PEER_INDEX_TABLE */
	uint32_t		 npeers;
	bool			 have_peers;
	bool			 short4;	/* header length may be 4 short */
	struct net_addr		 collector_id;
	char			 msg[256];	/* last error */
	size_t			 err_off;	/* of the problem, in record */
};

void	mrt_decoder_init(struct mrt_decoder *d);
void	mrt_decoder_fini(struct mrt_decoder *d);

/*
 * Decodes the record in buf (header and body, len == 12 + body length).
 * Returns MRT_DEC_RECORD (d->rec filled), MRT_DEC_UNSUPPORTED for a sound
 * record of a type we do not decode, or LL_E* with d->msg set.
 */
int	mrt_decode_record(struct mrt_decoder *d, const uint8_t *buf,
	    size_t len, uint64_t offset);

/* "TABLE_DUMP_V2" etc. */
const char *mrt_type_name(uint16_t type);

#endif
