/*
 * The lean decode of a BGP message: the checks bgp_decode_message() makes
 * (RFC 4271 4.1 and 4.3, RFC 4760, RFC 6793, RFC 7606's first attribute
 * wins), but only the NLRI runs and the origin AS come out, pointing into
 * the message: no AS path, next hop or attribute list is built. It is the
 * hot path of a replay (update archives are nearly all such messages).
 *
 * A second reader of the same bytes, not a second definition of them: it
 * shares bgp.h's constants and family table with the full decoder, and
 * whenever a message is not plainly sound and plainly common it declines,
 * and the full decoder decodes or reports it as always: a fault of any
 * kind, AS4_PATH in a 2-octet session (the merge of RFC 6793 4.2.3).
 * tests/bgp checks the two agree on crafted messages, the signal's tests
 * on every real archive, and the fuzzers on arbitrary bytes.
 */
#include <string.h>

#include "bgp/bgp.h"
#include "bgp/bgp_int.h"
#include "util/err.h"
#include "util/rd.h"

/* A run of NLRI without path ids: checked as bgp_decode_nlri() checks it,
 * its prefixes counted. */
static bool
nlri_ok(const uint8_t *p, size_t len, uint8_t af, struct bgp_lean_run *run)
{
	unsigned maxbits = af == NET_AF6 ? 128 : 32;
	size_t i = 0, n = 0;

	while (i < len) {
		unsigned bits = p[i];

		if (bits > maxbits || (bits + 7) / 8 > len - i - 1)
			return false;
		i += 1 + (bits + 7) / 8;
		n++;
	}
	run->p = p;
	run->len = len;
	run->af = af;
	run->n = n;
	return true;
}

static uint8_t
family_af(uint16_t afi)
{
	return afi == BGP_AFI_IPV6 ? NET_AF6 : NET_AF4;
}

/* An AS_PATH or AS4_PATH body (RFC 4271 4.3 b): sound segments; the
 * origin as the visibility signal takes it (IODA's: the last AS of a final
 * AS_SEQUENCE; a final AS_SET, even of one AS, gives none), which is
 * bgp_path_origin() except for a one-AS set. */
static bool
aspath_ok(struct rd *v, unsigned asn_len, uint32_t *origin)
{
	*origin = 0;
	while (rd_left(v) > 0) {
		unsigned type = rd_u8(v), n = rd_u8(v);
		const uint8_t *a;

		if (!rd_ok(v) || type < BGP_SEG_SET ||
		    type > BGP_SEG_CONFED_SET)
			return false;
		if ((a = rd_ptr(v, (size_t)n * asn_len)) == NULL)
			return false;
		*origin = 0;
		if (n > 0 && type == BGP_SEG_SEQUENCE) {
			a += (size_t)(n - 1) * asn_len;
			*origin = asn_len == 4 ? (uint32_t)a[0] << 24 |
			    (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3] :
			    (uint32_t)a[0] << 8 | a[1];
		}
	}
	return true;
}

/* RFC 4760 section 3, as decode_mp_reach() reads a message's: the full
 * form, another family skipped. */
static bool
mp_reach_ok(struct rd *v, struct bgp_lean_run *run)
{
	uint16_t afi = rd_be16(v);
	uint8_t safi = rd_u8(v);

	if (!rd_ok(v))
		return false;
	if (!bgp_family_ip(afi, safi))
		return true;		/* not ours: no elements */
	rd_skip(v, rd_u8(v));		/* next hop */
	unsigned snpa = rd_u8(v);
	for (unsigned i = 0; i < snpa && rd_ok(v); i++)
		rd_skip(v, rd_u8(v));
	if (!rd_ok(v))
		return false;
	return nlri_ok(v->p, rd_left(v), family_af(afi), run);
}

static bool
mp_unreach_ok(struct rd *v, struct bgp_lean_run *run)
{
	uint16_t afi = rd_be16(v);
	uint8_t safi = rd_u8(v);

	if (!rd_ok(v))
		return false;
	if (!bgp_family_ip(afi, safi))
		return true;
	return nlri_ok(v->p, rd_left(v), family_af(afi), run);
}

/* One attribute's body, with the checks decode_one() makes. */
static bool
attr_ok(unsigned type, struct rd *v, bool as4, struct bgp_lean *l)
{
	size_t alen = rd_left(v);
	uint32_t o4;

	switch (type) {
	case BGP_ATTR_ORIGIN:
		return alen == 1;
	case BGP_ATTR_AS_PATH:
		l->path = v->p;
		l->path_len = alen;
		l->path_asn = as4 ? 4 : 2;
		return aspath_ok(v, as4 ? 4 : 2, &l->origin);
	case BGP_ATTR_NEXT_HOP:
	case BGP_ATTR_MED:
	case BGP_ATTR_LOCAL_PREF:
		return alen == 4;
	case BGP_ATTR_AGGREGATOR:
		return alen == 6 || alen == 8;
	case BGP_ATTR_COMMUNITIES:
		return alen % 4 == 0;
	case BGP_ATTR_EXT_COMMUNITIES:
		return alen % 8 == 0;
	case BGP_ATTR_LARGE_COMMUNITIES:
		return alen % 12 == 0;
	case BGP_ATTR_MP_REACH_NLRI:
		return mp_reach_ok(v, &l->run[BGP_LEAN_MP_REACH]);
	case BGP_ATTR_MP_UNREACH_NLRI:
		return mp_unreach_ok(v, &l->run[BGP_LEAN_MP_UNREACH]);
	case BGP_ATTR_AS4_PATH:
		/* A 2-octet session merges it into the path: left to the
		 * full decoder. */
		return as4 && aspath_ok(v, 4, &o4);
	case BGP_ATTR_AS4_AGGREGATOR:
		return alen == 8;
	}
	return true;
}

/* The path attributes (RFC 4271 4.3, the checks of bgp_decode_attrs()). */
static bool
attrs_ok(struct rd *rp, bool as4, struct bgp_lean *l)
{
	struct rd r = *rp;
	uint64_t seen = 0;

	while (rd_left(&r) > 0) {
		unsigned flags = rd_u8(&r), type = rd_u8(&r);
		size_t alen = flags & BGP_ATTR_FLAG_EXTLEN ? rd_be16(&r) :
		    rd_u8(&r);
		if (!rd_ok(&r))
			return false;
		struct rd v = rd_sub(&r, alen);
		if (!rd_ok(&v))
			return false;
		uint64_t bit = type < 64 ? BGP_ATTR_BIT(type) : 0;
		if (bit != 0 && (seen & bit))
			continue;	/* RFC 7606 3 g: the first counts */
		seen |= bit;
		if (!attr_ok(type, &v, as4, l))
			return false;
	}
	return true;
}

bool
bgp_lean_message(const uint8_t *buf, size_t len, bool as4, struct bgp_lean *l)
{
	struct rd r = rd_make(buf, len), m;

	/* Only what the callers read is set: a memset of the whole
	 * struct was a tenth of the decode's time. */
	for (int k = 0; k < BGP_LEAN_RUNS; k++) {
		l->run[k].len = l->run[k].n = 0;
		l->run[k].af = NET_AF4;
	}
	l->origin = 0;
	l->path_len = 0;

	/* The header (RFC 4271 4.1): anything but an UPDATE has no
	 * elements. */
	const uint8_t *mk = rd_ptr(&r, BGP_MARKER_LEN);
	size_t mlen = rd_be16(&r);
	uint8_t mtype = rd_u8(&r);
	if (!rd_ok(&r) || !bgp_marker_ok(mk) || mlen != len)
		return false;
	if (mtype != BGP_MSG_UPDATE)
		return true;

	/* The UPDATE (RFC 4271 4.3). */
	size_t wlen = rd_be16(&r);
	m = rd_sub(&r, wlen);
	if (!rd_ok(&m) || !nlri_ok(m.p, wlen, NET_AF4,
	    &l->run[BGP_LEAN_WITHDRAWN]))
		return false;
	size_t alen = rd_be16(&r);
	m = rd_sub(&r, alen);
	if (!rd_ok(&m) || !attrs_ok(&m, as4, l))
		return false;
	return nlri_ok(r.p, rd_left(&r), NET_AF4, &l->run[BGP_LEAN_ANNOUNCED]);
}

int
bgp_lean_path(const struct bgp_lean *l, struct bgp_aspath *out,
    struct bgp_asseg *seg, size_t nseg, uint32_t *asn, size_t nasn)
{
	struct rd r = rd_make(l->path, l->path_len);
	size_t used = 0;

	out->nseg = 0;
	out->seg = seg;
	while (rd_left(&r) > 0) {
		unsigned type = rd_u8(&r), n = rd_u8(&r);
		const uint8_t *a = rd_ptr(&r, (size_t)n * l->path_asn);

		if (a == NULL || !rd_ok(&r))
			return LL_EFORMAT;	/* not a path lean took */
		if (out->nseg == nseg || n > nasn - used)
			return LL_ELIMIT;
		seg[out->nseg].type = (uint8_t)type;
		seg[out->nseg].n = (uint16_t)n;
		seg[out->nseg++].asn = asn + used;
		for (unsigned i = 0; i < n; i++, a += l->path_asn)
			asn[used++] = l->path_asn == 4 ? (uint32_t)a[0] << 24 |
			    (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3] :
			    (uint32_t)a[0] << 8 | a[1];
	}
	return 0;
}
