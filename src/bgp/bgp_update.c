/*
 * BGP messages: the 19-octet header (RFC 4271 section 4.1) and the UPDATE
 * body (section 4.3): withdrawn routes, path attributes, NLRI.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bgp/bgp.h"
#include "bgp/bgp_int.h"
#include "util/err.h"
#include "util/rd.h"


int
bgp_decode_update(const uint8_t *buf, size_t len, const struct bgp_ctx *ctx,
    struct bgp_update *u, struct bgp_diag *d)
{
	struct rd r = rd_make(buf, len);
	struct rd wd, at;
	size_t off;
	int rc;

	memset(u, 0, sizeof(*u));
	size_t wlen = rd_be16(&r);
	wd = rd_sub(&r, wlen);
	if (!rd_ok(&wd))
		return bgp_fail(d, 0, LL_ETRUNC, "UPDATE: withdrawn routes length "
		    "%zu exceeds the message (RFC 4271 4.3)", wlen);
	size_t alen = rd_be16(&r);
	off = rd_off(&r);
	at = rd_sub(&r, alen);
	if (!rd_ok(&at))
		return bgp_fail(d, wd.p - buf + wlen, LL_ETRUNC, "UPDATE: total "
		    "path attribute length %zu exceeds the message (RFC 4271 "
		    "4.3)", alen);
	rc = bgp_decode_nlri(wd.p, wlen, BGP_AFI_IPV4, BGP_SAFI_UNICAST, ctx,
	    &u->withdrawn, d);
	if (rc != 0) {
		if (d != NULL)
			d->off += 2;
		return rc;
	}
	rc = bgp_decode_attrs(at.p, alen, ctx, &u->attrs, d);
	if (rc != 0) {
		if (d != NULL)
			d->off += off;
		return rc;
	}
	off = rd_off(&r);
	rc = bgp_decode_nlri(r.p, rd_left(&r), BGP_AFI_IPV4, BGP_SAFI_UNICAST,
	    ctx, &u->announced, d);
	if (rc != 0 && d != NULL)
		d->off += off;
	return rc;
}

int
bgp_decode_message(const uint8_t *buf, size_t len, const struct bgp_ctx *ctx,
    uint8_t *type, struct bgp_update *u, struct bgp_diag *d)
{
	struct rd r = rd_make(buf, len);
	const uint8_t *m = rd_ptr(&r, BGP_MARKER_LEN);
	size_t mlen = rd_be16(&r);
	int rc;

	*type = rd_u8(&r);
	if (!rd_ok(&r))
		return bgp_fail(d, 0, LL_ETRUNC, "BGP message shorter than its "
		    "19-octet header (RFC 4271 4.1)");
	if (!bgp_marker_ok(m))
		return bgp_fail(d, 0, LL_EFORMAT, "BGP marker is not all ones "
		    "(RFC 4271 4.1)");
	if (mlen < BGP_HEADER_LEN || mlen != len)
		return bgp_fail(d, 16, LL_EFORMAT, "BGP message length %zu, but "
		    "%zu octets are there (RFC 4271 4.1)", mlen, len);
	if (*type != BGP_MSG_UPDATE)
		return 0;
	rc = bgp_decode_update(r.p, rd_left(&r), ctx, u, d);
	if (rc != 0 && d != NULL)
		d->off += BGP_HEADER_LEN;
	return rc;
}
