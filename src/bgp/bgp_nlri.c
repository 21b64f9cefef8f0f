/*
 * NLRI encoding: RFC 4271 section 4.3 (length in bits, then the minimum
 * number of octets), RFC 4760 section 5 for other families, RFC 7911
 * section 3 for the 4-octet path identifier of ADD-PATH sessions.
 */
#include <stdio.h>
#include <string.h>

#include "bgp/bgp.h"
#include "bgp/bgp_int.h"
#include "util/err.h"
#include "util/rd.h"


/* A run of NLRI of one family (see bgp.h), each entry after a 4-octet
 * path identifier when ctx->addpath. */
int
bgp_decode_nlri(const uint8_t *buf, size_t len, uint16_t afi, uint8_t safi,
    const struct bgp_ctx *ctx, struct bgp_nlri_list *list,
    struct bgp_diag *d)
{
	struct rd r = rd_make(buf, len);
	uint8_t af = afi == BGP_AFI_IPV6 ? NET_AF6 : NET_AF4;
	unsigned maxbits = af == NET_AF6 ? 128 : 32;
	size_t cap = 0;

	list->afi = afi;
	list->safi = safi;
	list->n = 0;
	list->v = NULL;
	if (len == 0)
		return 0;
	/* Count the entries first (a length octet says how far to skip), so
	 * the array is allocated once and exactly; errors are found below. */
	for (size_t i = ctx->addpath ? 4 : 0; i < len; cap++)
		i += 1 + ((size_t)buf[i] + 7) / 8 + (ctx->addpath ? 4 : 0);
	cap++;
	list->v = arena_array(ctx->arena, cap, sizeof(*list->v));
	if (list->v == NULL)
		return bgp_fail(d, 0, LL_ENOMEM, "NLRI: out of memory");
	while (rd_left(&r) > 0) {
		struct bgp_nlri *n = &list->v[list->n];
		size_t at = rd_off(&r);

		n->path_id = ctx->addpath ? rd_be32(&r) : 0;
		unsigned bits = rd_u8(&r);
		if (!rd_ok(&r))
			return bgp_fail(d, at, LL_ETRUNC, "NLRI: truncated "
			    "path identifier (RFC 7911 section 3)");
		if (bits > maxbits)
			return bgp_fail(d, at, LL_EFORMAT, "NLRI: prefix length "
			    "%u > %u (RFC 4271 section 4.3)", bits, maxbits);
		size_t bytes = (bits + 7) / 8;
		n->pfx.af = af;
		n->pfx.len = (uint8_t)bits;
		memset(n->pfx.a, 0, sizeof(n->pfx.a));
		size_t left = rd_left(&r);
		if (!rd_copy(&r, n->pfx.a, bytes))
			return bgp_fail(d, at, LL_ETRUNC, "NLRI: prefix /%u "
			    "needs %zu octets, %zu left (RFC 4271 section 4.3)",
			    bits, bytes, left);
		if (bits % 8)
			n->pfx.a[bytes - 1] &= (uint8_t)(0xff00u >> (bits % 8));
		if (++list->n >= cap && rd_left(&r) > 0)
			return bgp_fail(d, rd_off(&r), LL_EFORMAT,
			    "NLRI: too many");
	}
	return 0;
}

uint32_t
bgp_path_origin(const struct bgp_aspath *p)
{
	const struct bgp_asseg *s;

	if (p->nseg == 0)
		return 0;
	s = &p->seg[p->nseg - 1];
	if (s->n == 0)
		return 0;
	if (s->type == BGP_SEG_SEQUENCE || (s->type == BGP_SEG_SET && s->n == 1))
		return s->asn[s->n - 1];
	return 0;
}
