/*
 * Path attributes, RFC 4271 section 4.3 and 5, with MP_REACH/MP_UNREACH
 * (RFC 4760 section 3-4), AS4_PATH / AS4_AGGREGATOR (RFC 6793 section 4.2),
 * communities (RFC 1997), extended (RFC 4360) and large communities
 * (RFC 8092), and the abbreviated MP_REACH of MRT RIB entries (RFC 6396
 * 4.3.4, only when ctx->mrt_rib says the block is one).
 *
 * A malformed attribute makes the whole block bad: the caller reports the
 * record and hands nothing of it on (we never output half a record). A
 * repeated attribute keeps its first occurrence (RFC 7606 section 3 g).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bgp/bgp.h"
#include "bgp/bgp_int.h"
#include "util/err.h"
#include "util/rd.h"


/* Decodes an AS_PATH or AS4_PATH body (RFC 4271 4.3 b, RFC 6793 3) in one
 * pass into arrays sized by the attribute length (a segment takes at least
 * 2 octets, an AS asn_len). */
static int
decode_aspath(struct rd *r, unsigned asn_len, struct arena *ar,
    struct bgp_aspath *out, struct bgp_diag *d)
{
	size_t len = rd_left(r);
	uint32_t *asn;

	out->nseg = 0;
	out->seg = NULL;
	if (len == 0)
		return 0;
	out->seg = arena_array(ar, len / 2 + 1, sizeof(*out->seg));
	asn = arena_array(ar, len / asn_len + 1, sizeof(uint32_t));
	if (out->seg == NULL || asn == NULL)
		return bgp_fail(d, rd_off(r), LL_ENOMEM, "AS_PATH: out of memory");
	while (rd_left(r) > 0) {
		size_t at = rd_off(r);
		unsigned type = rd_u8(r), n = rd_u8(r);
		if (!rd_ok(r))
			return bgp_fail(d, at, LL_ETRUNC, "AS_PATH: "
			    "truncated segment header (RFC 4271 4.3)");
		if (type < BGP_SEG_SET || type > BGP_SEG_CONFED_SET)
			return bgp_fail(d, at, LL_EFORMAT, "AS_PATH: "
			    "segment type %u is not 1-4 (RFC 5065 3)", type);
		const uint8_t *p = rd_ptr(r, (size_t)n * asn_len);
		if (p == NULL)
			return bgp_fail(d, at, LL_ETRUNC, "AS_PATH: "
			    "segment of %u ASes of %u octets past the end of "
			    "the attribute (RFC 4271 4.3)", n, asn_len);
		struct bgp_asseg *g = &out->seg[out->nseg++];
		g->type = (uint8_t)type;
		g->n = (uint16_t)n;
		g->asn = asn;
		if (asn_len == 4)
			for (unsigned i = 0; i < n; i++, p += 4)
				*asn++ = (uint32_t)p[0] << 24 |
				    (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
				    p[3];
		else
			for (unsigned i = 0; i < n; i++, p += 2)
				*asn++ = (uint32_t)p[0] << 8 | p[1];
	}
	return 0;
}

/* RFC 6793 4.2.3: number of ASes for the merge; a set counts 1,
 * confederation segments count 0. */
static size_t
path_count(const struct bgp_aspath *p)
{
	size_t c = 0;

	for (unsigned i = 0; i < p->nseg; i++) {
		if (p->seg[i].type == BGP_SEG_SEQUENCE)
			c += p->seg[i].n;
		else if (p->seg[i].type == BGP_SEG_SET)
			c += 1;
	}
	return c;
}

/*
 * RFC 6793 4.2.3: keep the leading (count(AS_PATH) - count(AS4_PATH)) ASes
 * of AS_PATH and append AS4_PATH. When AS4_PATH is longer, ignore it.
 */
static int
merge_as4(struct bgp_attrs *a, const struct bgp_aspath *as4, struct arena *ar)
{
	size_t have = path_count(&a->path), want4 = path_count(as4), keep;
	struct bgp_aspath m;

	if (have < want4)
		return 0;
	keep = have - want4;
	m.nseg = 0;
	m.seg = arena_array(ar, (size_t)a->path.nseg + as4->nseg,
	    sizeof(*m.seg));
	if (m.seg == NULL)
		return LL_ENOMEM;
	for (unsigned i = 0; i < a->path.nseg && keep > 0; i++) {
		struct bgp_asseg s = a->path.seg[i];
		if (s.type == BGP_SEG_SEQUENCE) {
			if (s.n > keep)
				s.n = (uint16_t)keep;
			keep -= s.n;
		} else if (s.type == BGP_SEG_SET)
			keep -= 1;
		m.seg[m.nseg++] = s;
	}
	for (unsigned i = 0; i < as4->nseg; i++)
		m.seg[m.nseg++] = as4->seg[i];
	a->path = m;
	return 0;
}

static void
nexthop_from(struct net_addr *a, const uint8_t *p, size_t len)
{
	memset(a, 0, sizeof(*a));
	if (len == 4) {
		a->af = NET_AF4;
		memcpy(a->a, p, 4);
	} else if (len == 16 || len == 32) {
		a->af = NET_AF6;
		memcpy(a->a, p, 16);
	}
}

/*
 * RFC 6396 4.3.4: in an MRT RIB entry, MP_REACH_NLRI holds only the next
 * hop length and the next hop. Some writers put the full form (RFC 4760 3)
 * there all the same; as bgpdump does, a first octet other than 0 tells
 * the abbreviated form (the AFIs of IPv4 and IPv6 start with 0). A BGP
 * message always has the full form, whatever its AFI.
 */
static bool
mp_reach_abbreviated(const struct rd *r, const struct bgp_ctx *ctx)
{
	return ctx->mrt_rib && rd_left(r) > 0 && r->p[0] != 0;
}

static void
set_mp_nexthop(struct bgp_attrs *a, const uint8_t *nh, unsigned nhl)
{
	nexthop_from(&a->mp_nexthop, nh, nhl);
	if (nhl == 32)
		nexthop_from(&a->mp_nexthop_ll, nh + 16, 16);
}

/* The abbreviated form of an MRT RIB entry (RFC 6396 4.3.4): the family is
 * the RIB's, told here by the next hop's size. */
static int
decode_mp_reach_rib(struct rd *r, struct bgp_attrs *a, struct bgp_diag *d)
{
	size_t at = rd_off(r);
	unsigned nhl = rd_u8(r);
	const uint8_t *nh = rd_ptr(r, nhl);

	if (nh == NULL)
		return bgp_fail(d, at, LL_ETRUNC, "MP_REACH_NLRI: next hop of "
		    "%u octets past the end (RFC 6396 4.3.4)", nhl);
	set_mp_nexthop(a, nh, nhl);
	a->mp_reach.afi = a->mp_nexthop.af == NET_AF4 ? BGP_AFI_IPV4 :
	    BGP_AFI_IPV6;
	a->mp_reach.safi = BGP_SAFI_UNICAST;
	return 0;
}

/* RFC 4760 section 3. A family other than IP unicast/multicast (BGP-LS,
 * VPN, flowspec, ...) has next hops and NLRI of its own encoding: the
 * attribute is skipped after its AFI and SAFI, and the rest of the
 * message stands. */
static int
decode_mp_reach(struct rd *r, const struct bgp_ctx *ctx, struct bgp_attrs *a,
    struct bgp_diag *d)
{
	size_t at = rd_off(r);

	if (mp_reach_abbreviated(r, ctx))
		return decode_mp_reach_rib(r, a, d);
	uint16_t afi = rd_be16(r);
	uint8_t safi = rd_u8(r);
	if (!rd_ok(r))
		return bgp_fail(d, at, LL_ETRUNC, "MP_REACH_NLRI: shorter than "
		    "its AFI and SAFI (RFC 4760 section 3)");
	a->mp_reach.afi = afi;
	a->mp_reach.safi = safi;
	if (!bgp_family_ip(afi, safi))
		return 0;
	unsigned nhl = rd_u8(r);
	const uint8_t *nh = rd_ptr(r, nhl);
	unsigned snpa = rd_u8(r);
	for (unsigned i = 0; i < snpa && rd_ok(r); i++)
		rd_skip(r, rd_u8(r));
	if (!rd_ok(r))
		return bgp_fail(d, at, LL_ETRUNC, "MP_REACH_NLRI: header "
		    "past the end of the attribute (next hop length %u, RFC "
		    "4760 section 3)", nhl);
	set_mp_nexthop(a, nh, nhl);
	int rc = bgp_decode_nlri(r->p, rd_left(r), afi, safi, ctx,
	    &a->mp_reach, d);
	if (rc != 0 && d != NULL)
		d->off += rd_off(r);
	return rc;
}

static int
decode_mp_unreach(struct rd *r, const struct bgp_ctx *ctx,
    struct bgp_attrs *a, struct bgp_diag *d)
{
	size_t at = rd_off(r);
	uint16_t afi = rd_be16(r);
	uint8_t safi = rd_u8(r);

	if (!rd_ok(r))
		return bgp_fail(d, at, LL_ETRUNC, "MP_UNREACH_NLRI: shorter "
		    "than its 3-octet header (RFC 4760 section 4)");
	a->mp_unreach.afi = afi;
	a->mp_unreach.safi = safi;
	if (!bgp_family_ip(afi, safi))
		return 0;	/* as in decode_mp_reach() */
	int rc = bgp_decode_nlri(r->p, rd_left(r), afi, safi, ctx,
	    &a->mp_unreach, d);
	if (rc != 0 && d != NULL)
		d->off += rd_off(r);
	return rc;
}

/* Fixed-length attributes: RFC 4271 section 6.3 says a wrong length is an
 * Attribute Length Error. */
static int
want_len(size_t len, size_t want, unsigned type, struct bgp_diag *d,
    size_t at)
{
	if (len == want)
		return 0;
	return bgp_fail(d, at, LL_EFORMAT, "attribute %u has length %u, not the "
	    "fixed length (RFC 4271 section 6.3)", type, (unsigned)len);
}

static int
decode_one(unsigned type, struct rd *v, size_t at, const struct bgp_ctx *ctx,
    struct bgp_attrs *a, struct bgp_aspath *as4, uint32_t *as4_agg,
    struct net_addr *as4_agg_addr, struct bgp_diag *d)
{
	size_t len = rd_left(v);
	int rc = 0;

	switch (type) {
	case BGP_ATTR_ORIGIN:
		if ((rc = want_len(len, 1, type, d, at)) == 0)
			a->origin = rd_u8(v);
		break;
	case BGP_ATTR_AS_PATH:
		rc = decode_aspath(v, ctx->as4 ? 4 : 2, ctx->arena, &a->path, d);
		break;
	case BGP_ATTR_NEXT_HOP:
		if ((rc = want_len(len, 4, type, d, at)) == 0) {
			a->nexthop.af = NET_AF4;
			rd_copy(v, a->nexthop.a, 4);
		}
		break;
	case BGP_ATTR_MED:
		if ((rc = want_len(len, 4, type, d, at)) == 0)
			a->med = rd_be32(v);
		break;
	case BGP_ATTR_LOCAL_PREF:
		if ((rc = want_len(len, 4, type, d, at)) == 0)
			a->local_pref = rd_be32(v);
		break;
	case BGP_ATTR_ATOMIC_AGGREGATE:
		break;
	case BGP_ATTR_AGGREGATOR:
		/* The length tells the AS size: OpenBGPD writes 4-octet
		 * AGGREGATORs into TABLE_DUMP (v1) records, which bgpdump
		 * misreads; we read what the length says. */
		if (len != 6 && len != 8)
			rc = want_len(len, ctx->as4 ? 8 : 6, type, d, at);
		else {
			a->aggregator_as = len == 8 ? rd_be32(v) : rd_be16(v);
			a->aggregator_addr.af = NET_AF4;
			rd_copy(v, a->aggregator_addr.a, 4);
		}
		break;
	case BGP_ATTR_COMMUNITIES:
		if (len % 4)
			return bgp_fail(d, at, LL_EFORMAT, "COMMUNITIES length %u "
			    "is not a multiple of 4 (RFC 1997)",
			    (unsigned)len);
		a->communities = v->p;
		a->n_communities = (uint32_t)(len / 4);
		break;
	case BGP_ATTR_EXT_COMMUNITIES:
		if (len % 8)
			return bgp_fail(d, at, LL_EFORMAT, "EXTENDED COMMUNITIES "
			    "length %u is not a multiple of 8 (RFC 4360 2)",
			    (unsigned)len);
		a->ext_communities = v->p;
		a->n_ext_communities = (uint32_t)(len / 8);
		break;
	case BGP_ATTR_LARGE_COMMUNITIES:
		if (len % 12)
			return bgp_fail(d, at, LL_EFORMAT, "LARGE_COMMUNITY length "
			    "%u is not a multiple of 12 (RFC 8092 3)",
			    (unsigned)len);
		a->large_communities = v->p;
		a->n_large_communities = (uint32_t)(len / 12);
		break;
	case BGP_ATTR_MP_REACH_NLRI:
		rc = decode_mp_reach(v, ctx, a, d);
		break;
	case BGP_ATTR_MP_UNREACH_NLRI:
		rc = decode_mp_unreach(v, ctx, a, d);
		break;
	case BGP_ATTR_AS4_PATH:
		rc = decode_aspath(v, 4, ctx->arena, as4, d);
		break;
	case BGP_ATTR_AS4_AGGREGATOR:
		if ((rc = want_len(len, 8, type, d, at)) == 0) {
			*as4_agg = rd_be32(v);
			as4_agg_addr->af = NET_AF4;
			rd_copy(v, as4_agg_addr->a, 4);
		}
		break;
	default:
		break;		/* kept in `seen`; content not needed */
	}
	return rc;
}

int
bgp_decode_attrs(const uint8_t *buf, size_t len, const struct bgp_ctx *ctx,
    struct bgp_attrs *a, struct bgp_diag *d)
{
	struct rd r = rd_make(buf, len);
	struct bgp_aspath as4 = { 0, NULL };
	uint32_t as4_agg = 0;
	struct net_addr as4_agg_addr;
	int rc;

	memset(a, 0, sizeof(*a));
	memset(&as4_agg_addr, 0, sizeof(as4_agg_addr));
	a->raw = buf;
	a->raw_len = len;
	while (rd_left(&r) > 0) {
		size_t at = rd_off(&r);
		unsigned flags = rd_u8(&r), type = rd_u8(&r);
		size_t alen = flags & BGP_ATTR_FLAG_EXTLEN ? rd_be16(&r) : rd_u8(&r);
		if (!rd_ok(&r))
			return bgp_fail(d, at, LL_ETRUNC, "attribute header "
			    "truncated (RFC 4271 4.3)");
		struct rd v = rd_sub(&r, alen);
		if (!rd_ok(&v))
			return bgp_fail(d, at, LL_ETRUNC, "attribute %u length %u "
			    "runs past the end of the path attributes (RFC "
			    "4271 4.3)", type, (unsigned)alen);
		uint64_t bit = type < 64 ? BGP_ATTR_BIT(type) : 0;
		if (bit != 0 && (a->seen & bit))
			continue;	/* RFC 7606 3 g: keep the first */
		a->seen |= bit;
		rc = decode_one(type, &v, at, ctx, a, &as4, &as4_agg,
		    &as4_agg_addr, d);
		if (rc != 0)
			return rc;
	}
	/* RFC 6793 4.2.3; only a 2-octet session carries AS4_* attributes. */
	if (ctx->as4)
		return 0;
	if ((a->seen & BGP_ATTR_BIT(BGP_ATTR_AGGREGATOR)) &&
	    (a->seen & BGP_ATTR_BIT(BGP_ATTR_AS4_AGGREGATOR))) {
		if (a->aggregator_as != BGP_AS_TRANS)
			return 0;	/* ignore AS4_AGGREGATOR and AS4_PATH */
		a->aggregator_as = as4_agg;
		a->aggregator_addr = as4_agg_addr;
	}
	if ((a->seen & BGP_ATTR_BIT(BGP_ATTR_AS4_PATH)) &&
	    (a->seen & BGP_ATTR_BIT(BGP_ATTR_AS_PATH)))
		if (merge_as4(a, &as4, ctx->arena) != 0)
			return bgp_fail(d, 0, LL_ENOMEM, "AS4_PATH: out of "
			    "memory");
	return 0;
}
