/*
 * The lean decode of the records that make up nearly all of an update
 * archive: BGP4MP and BGP4MP_ET MESSAGE / MESSAGE_AS4 (RFC 6396 4.4.2-3).
 * The record and peer headers are checked as mrt_decode_record() checks
 * them, the message goes to bgp_lean_message(); any other record, or any
 * doubt, is declined for the full decoder.
 */
#include <string.h>

#include "mrt/mrt_int.h"
#include "util/rd.h"

/* RFC 6396 4.4.2-3: the peer header, the peer's AS and address kept. */
static bool
lean_peer(struct rd *r, bool as4, struct mrt_lean *l)
{
	l->peer_asn = as4 ? rd_be32(r) : rd_be16(r);
	rd_skip(r, as4 ? 4 : 2);		/* local AS */
	rd_skip(r, 2);				/* interface index */
	uint16_t afi = rd_be16(r);
	if (!rd_ok(r) || (afi != BGP_AFI_IPV4 && afi != BGP_AFI_IPV6))
		return false;
	l->peer.af = afi == BGP_AFI_IPV6 ? NET_AF6 : NET_AF4;
	memset(l->peer.a, 0, sizeof(l->peer.a));
	rd_copy(r, l->peer.a, l->peer.af == NET_AF6 ? 16 : 4);
	rd_skip(r, l->peer.af == NET_AF6 ? 16 : 4);	/* local address */
	return rd_ok(r);
}

bool
mrt_lean_decode(const uint8_t *buf, size_t len, struct mrt_lean *l)
{
	struct rd r = rd_make(buf, len);

	l->rec = buf;
	l->end = buf + len;
	l->ts = rd_be32(&r);
	uint16_t type = rd_be16(&r), sub = rd_be16(&r);
	uint32_t blen = rd_be32(&r);
	if (!rd_ok(&r) || blen != rd_left(&r) ||
	    (type != MRT_T_BGP4MP && type != MRT_T_BGP4MP_ET) ||
	    (sub != MRT_BGP4MP_MESSAGE && sub != MRT_BGP4MP_MESSAGE_AS4))
		return false;
	if (type == MRT_T_BGP4MP_ET && (rd_be32(&r) > 999999 || !rd_ok(&r)))
		return false;
	bool as4 = sub == MRT_BGP4MP_MESSAGE_AS4;
	if (!lean_peer(&r, as4, l))
		return false;
	return bgp_lean_message(r.p, rd_left(&r), as4, &l->bgp);
}
