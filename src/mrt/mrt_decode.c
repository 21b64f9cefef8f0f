/*
 * Decoding one MRT record (RFC 6396; RFC 8050 for ADD-PATH; Appendix B of
 * RFC 6396 for the deprecated BGP type of 1999-2000 archives).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mrt/mrt_int.h"
#include "util/err.h"
#include "util/rd.h"

static int fail(struct mrt_decoder *d, size_t off, int rc, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static int
fail(struct mrt_decoder *d, size_t off, int rc, const char *fmt, ...)
{
	va_list ap;

	d->err_off = off;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	return rc;
}

/* Wraps a BGP-layer diagnosis with the record context. */
static int
fail_bgp(struct mrt_decoder *d, size_t base, int rc, const struct bgp_diag *bd)
{
	return fail(d, base + bd->off, rc, "%s", bd->msg);
}

void
mrt_decoder_init(struct mrt_decoder *d)
{
	memset(d, 0, sizeof(*d));
	arena_init(&d->arena, MRT_ARENA_CAP);
}

void
mrt_decoder_fini(struct mrt_decoder *d)
{
	arena_fini(&d->arena);
	free(d->peers);
	d->peers = NULL;
}

const char *
mrt_type_name(uint16_t type)
{
	switch (type) {
	case MRT_T_BGP: return "BGP";
	case MRT_T_BGP4PLUS: return "BGP4PLUS";
	case MRT_T_BGP4PLUS_01: return "BGP4PLUS_01";
	case MRT_T_TABLE_DUMP: return "TABLE_DUMP";
	case MRT_T_TABLE_DUMP_V2: return "TABLE_DUMP_V2";
	case MRT_T_BGP4MP: return "BGP4MP";
	case MRT_T_BGP4MP_ET: return "BGP4MP_ET";
	case MRT_T_OSPFV2: return "OSPFv2";
	case MRT_T_ISIS: return "ISIS";
	case MRT_T_ISIS_ET: return "ISIS_ET";
	case MRT_T_OSPFV3: return "OSPFv3";
	case MRT_T_OSPFV3_ET: return "OSPFv3_ET";
	case MRT_T_RIP: return "RIP";
	case MRT_T_RIPNG: return "RIPNG";
	case MRT_T_IDRP: return "IDRP";
	}
	return "unknown";
}

bool
mrt_type_known(uint16_t type, uint16_t subtype)
{
	switch (type) {
	case MRT_T_BGP:
		return subtype <= 7;
	case MRT_T_BGP4PLUS:
	case MRT_T_BGP4PLUS_01:
		return subtype <= 7;
	case MRT_T_TABLE_DUMP:
		return subtype >= 1 && subtype <= 4;
	case MRT_T_TABLE_DUMP_V2:
		return subtype >= 1 && subtype <= 12 && subtype != 7;
	case MRT_T_BGP4MP:
	case MRT_T_BGP4MP_ET:
		return subtype <= 11;
	case MRT_T_OSPFV2:
	case MRT_T_ISIS:
	case MRT_T_ISIS_ET:
	case MRT_T_OSPFV3:
	case MRT_T_OSPFV3_ET:
	case MRT_T_RIP:
	case MRT_T_RIPNG:
	case MRT_T_IDRP:
		return true;
	}
	return false;
}

static void
read_addr(struct rd *r, uint8_t af, struct net_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->af = af;
	rd_copy(r, a->a, af == NET_AF6 ? 16 : 4);
}

static struct bgp_ctx
ctx_for(struct mrt_decoder *d, bool as4, bool addpath, bool rib)
{
	struct bgp_ctx c = { as4, addpath, rib, &d->arena };
	return c;
}

/* RFC 6396 4.3.1 */
static int
decode_peer_index(struct mrt_decoder *d, struct rd *r)
{
	struct mrt_record *rec = &d->rec;
	struct net_addr cid;
	struct mrt_peer *peers;

	read_addr(r, NET_AF4, &cid);
	size_t vlen = rd_be16(r);
	rd_skip(r, vlen);
	uint16_t n = rd_be16(r);
	if (!rd_ok(r))
		return fail(d, rd_off(r), LL_ETRUNC, "PEER_INDEX_TABLE: "
		    "header truncated (RFC 6396 4.3.1)");
	peers = calloc(n ? n : 1, sizeof(*peers));
	if (peers == NULL)
		return fail(d, 0, LL_ENOMEM, "PEER_INDEX_TABLE: out of memory");
	for (uint32_t i = 0; i < n; i++) {
		size_t at = rd_off(r);
		uint8_t type = rd_u8(r);
		read_addr(r, NET_AF4, &peers[i].bgp_id);
		read_addr(r, type & 1 ? NET_AF6 : NET_AF4, &peers[i].addr);
		peers[i].asn = type & 2 ? rd_be32(r) : rd_be16(r);
		if (!rd_ok(r)) {
			free(peers);
			return fail(d, at, LL_ETRUNC, "PEER_INDEX_TABLE: peer "
			    "%u of %u truncated (RFC 6396 4.3.1)", i, n);
		}
	}
	if (rd_left(r) != 0) {
		free(peers);
		return fail(d, rd_off(r), LL_EFORMAT, "PEER_INDEX_TABLE: %zu "
		    "octets after the last peer", rd_left(r));
	}
	free(d->peers);
	d->peers = peers;
	d->npeers = n;
	d->have_peers = true;
	d->collector_id = cid;
	rec->kind = MRT_K_PEER_INDEX;
	rec->collector_id = cid;
	return MRT_DEC_RECORD;
}

/* RFC 6396 4.3.4: the entries of a RIB record. */
static int
decode_rib_entries(struct mrt_decoder *d, struct rd *r, bool addpath)
{
	struct mrt_record *rec = &d->rec;
	uint16_t n = rd_be16(r);
	struct bgp_ctx c = ctx_for(d, true, false, true);

	if (!rd_ok(r))
		return fail(d, rd_off(r), LL_ETRUNC, "RIB: entry count "
		    "truncated (RFC 6396 4.3.2)");
	if (n > 0 && !d->have_peers)
		return fail(d, rd_off(r), LL_EFORMAT, "RIB entries before any "
		    "PEER_INDEX_TABLE (RFC 6396 4.3.1)");
	rec->n_entries = n;
	rec->entries = arena_array(&d->arena, n ? n : 1,
	    sizeof(*rec->entries));
	if (rec->entries == NULL)
		return fail(d, 0, LL_ENOMEM, "RIB: out of memory");
	for (uint32_t i = 0; i < n; i++) {
		struct mrt_rib_entry *e = &rec->entries[i];
		struct bgp_diag bd;
		size_t at = rd_off(r);
		e->peer_index = rd_be16(r);
		e->originated = rd_be32(r);
		e->path_id = addpath ? rd_be32(r) : 0;
		size_t alen = rd_be16(r);
		struct rd a = rd_sub(r, alen);
		if (!rd_ok(r))
			return fail(d, at, LL_ETRUNC, "RIB entry %u of %u: "
			    "attribute length %zu past the end of the record "
			    "(RFC 6396 4.3.4)", i, n, alen);
		if (e->peer_index >= d->npeers)
			return fail(d, at, LL_EFORMAT, "RIB entry %u: peer "
			    "index %u, but the PEER_INDEX_TABLE has %u peers "
			    "(RFC 6396 4.3.4)", i, e->peer_index, d->npeers);
		e->peer = &d->peers[e->peer_index];
		e->prefix = rec->prefix;
		int rc = bgp_decode_attrs(a.p, alen, &c, &e->attrs, &bd);
		if (rc != 0)
			return fail_bgp(d, rd_off(&a) - 0, rc, &bd);
	}
	if (rd_left(r) != 0)
		return fail(d, rd_off(r), LL_EFORMAT, "RIB: %zu octets after "
		    "the last entry (RFC 6396 4.3.2)", rd_left(r));
	rec->kind = MRT_K_RIB;
	return MRT_DEC_RECORD;
}

/* RFC 6396 4.3.2 (AFI/SAFI-specific RIB), RFC 8050 4.1 (ADD-PATH). */
static int
decode_rib(struct mrt_decoder *d, struct rd *r)
{
	struct mrt_record *rec = &d->rec;
	uint16_t st = rec->subtype;
	bool ap = st >= MRT_TD2_RIB_IPV4_UNICAST_ADDPATH;
	unsigned base = ap ? st - 6 : st;	/* map _ADDPATH onto plain */

	rec->addpath = ap;
	rec->seq = rd_be32(r);
	if (base == MRT_TD2_RIB_GENERIC) {
		/* RFC 6396 4.3.3: AFI, SAFI, one NLRI in that family */
		struct bgp_ctx c = ctx_for(d, true, false, true);
		struct bgp_nlri_list l;
		struct bgp_diag bd;
		rec->afi = rd_be16(r);
		rec->safi = rd_u8(r);
		if (!rd_ok(r))
			return fail(d, rd_off(r), LL_ETRUNC, "RIB_GENERIC: "
			    "header truncated (RFC 6396 4.3.3)");
		if ((rec->afi != BGP_AFI_IPV4 && rec->afi != BGP_AFI_IPV6) ||
		    rec->safi < 1 || rec->safi > 2)
			return MRT_DEC_UNSUPPORTED;	/* not IP uni/multicast */
		/* the NLRI is one prefix: its length octet says its size */
		size_t need = rd_left(r) ? 1 + ((size_t)r->p[0] + 7) / 8 : 1;
		struct rd nl = rd_sub(r, need);
		if (!rd_ok(&nl))
			return fail(d, rd_off(r), LL_ETRUNC, "RIB_GENERIC: "
			    "NLRI truncated (RFC 6396 4.3.3)");
		int rc = bgp_decode_nlri(nl.p, need, rec->afi, rec->safi, &c,
		    &l, &bd);
		if (rc != 0)
			return fail_bgp(d, rd_off(&nl), rc, &bd);
		rec->prefix = l.v[0].pfx;
	} else {
		uint8_t af = base == MRT_TD2_RIB_IPV6_UNICAST ||
		    base == MRT_TD2_RIB_IPV6_MULTICAST ? NET_AF6 : NET_AF4;
		rec->afi = af == NET_AF6 ? BGP_AFI_IPV6 : BGP_AFI_IPV4;
		rec->safi = base == MRT_TD2_RIB_IPV4_UNICAST ||
		    base == MRT_TD2_RIB_IPV6_UNICAST ? 1 : 2;
		unsigned bits = rd_u8(r);
		size_t at = rd_off(r);
		if (bits > net_af_bits(af))
			return fail(d, at, LL_EFORMAT, "RIB: prefix length %u "
			    "> %u (RFC 6396 4.3.2)", bits, net_af_bits(af));
		memset(&rec->prefix, 0, sizeof(rec->prefix));
		rec->prefix.af = af;
		rec->prefix.len = (uint8_t)bits;
		rd_copy(r, rec->prefix.a, (bits + 7) / 8);
		if (!rd_ok(r))
			return fail(d, at, LL_ETRUNC, "RIB: prefix truncated "
			    "(RFC 6396 4.3.2)");
		net_prefix_mask(&rec->prefix);
	}
	return decode_rib_entries(d, r, ap);
}

static int
decode_td2(struct mrt_decoder *d, struct rd *r)
{
	switch (d->rec.subtype) {
	case MRT_TD2_PEER_INDEX_TABLE:
		return decode_peer_index(d, r);
	case MRT_TD2_RIB_IPV4_UNICAST: case MRT_TD2_RIB_IPV4_MULTICAST:
	case MRT_TD2_RIB_IPV6_UNICAST: case MRT_TD2_RIB_IPV6_MULTICAST:
	case MRT_TD2_RIB_GENERIC:
	case MRT_TD2_RIB_IPV4_UNICAST_ADDPATH:
	case MRT_TD2_RIB_IPV4_MULTICAST_ADDPATH:
	case MRT_TD2_RIB_IPV6_UNICAST_ADDPATH:
	case MRT_TD2_RIB_IPV6_MULTICAST_ADDPATH:
	case MRT_TD2_RIB_GENERIC_ADDPATH:
		return decode_rib(d, r);
	}
	return fail(d, 0, LL_EFORMAT, "TABLE_DUMP_V2: unknown subtype %u "
	    "(RFC 6396 4.3)", d->rec.subtype);
}

/*
 * RFC 6396 4.2: TABLE_DUMP, one route per record. Subtypes 3 and 4 (4-octet
 * AS) are an extension some tools wrote; bgpdump reads them too. Early Zebra
 * dumps (RIS, 1999-2000) batch many routes into one record: view and
 * sequence once, then entries of prefix, length, status, time, peer and
 * attributes until the record ends; each is handed on as its own entry.
 */
static int
decode_td1_entry(struct mrt_decoder *d, struct rd *r, uint8_t af, bool as4,
    struct mrt_rib_entry *e, struct mrt_peer *peer)
{
	struct bgp_ctx c = ctx_for(d, as4, false, true);
	struct bgp_diag bd;

	memset(e, 0, sizeof(*e));
	memset(peer, 0, sizeof(*peer));
	e->prefix.af = af;
	rd_copy(r, e->prefix.a, af == NET_AF6 ? 16 : 4);
	size_t at = rd_off(r);
	unsigned bits = rd_u8(r);
	e->status = rd_u8(r);
	e->originated = rd_be32(r);
	read_addr(r, af, &peer->addr);
	peer->asn = as4 ? rd_be32(r) : rd_be16(r);
	size_t alen = rd_be16(r);
	struct rd a = rd_sub(r, alen);
	if (!rd_ok(r))
		return fail(d, at, LL_ETRUNC, "TABLE_DUMP: entry or its "
		    "attributes (%zu octets) past the end of the record (RFC "
		    "6396 4.2)", alen);
	if (bits > net_af_bits(af))
		return fail(d, at, LL_EFORMAT, "TABLE_DUMP: prefix length %u > "
		    "%u (RFC 6396 4.2)", bits, net_af_bits(af));
	e->prefix.len = (uint8_t)bits;
	net_prefix_mask(&e->prefix);
	int rc = bgp_decode_attrs(a.p, alen, &c, &e->attrs, &bd);
	if (rc != 0)
		return fail_bgp(d, rd_off(&a), rc, &bd);
	e->peer = peer;
	return 0;
}

/* The smallest entry (RFC 6396 4.2): prefix, prefix length (1), status
 * (1), originated time (4), peer address, peer AS, attribute length (2),
 * and no attributes: 18 octets for IPv4 with 2-octet ASes. */
static size_t
td1_entry_min(uint8_t af, bool as4)
{
	size_t addr = af == NET_AF6 ? 16 : 4;

	return addr + 1 + 1 + 4 + addr + (as4 ? 4 : 2) + 2;
}

static int
decode_td1(struct mrt_decoder *d, struct rd *r)
{
	struct mrt_record *rec = &d->rec;
	uint16_t st = rec->subtype;
	uint8_t af = st == 2 || st == 4 ? NET_AF6 : NET_AF4;
	bool as4 = st >= 3;
	struct mrt_peer *peers;
	int rc;

	if (st < 1 || st > 4)
		return fail(d, 0, LL_EFORMAT, "TABLE_DUMP: unknown subtype %u "
		    "(RFC 6396 4.2)", st);
	rec->afi = af == NET_AF6 ? BGP_AFI_IPV6 : BGP_AFI_IPV4;
	rec->safi = BGP_SAFI_UNICAST;
	rd_be16(r);				/* view */
	rec->seq = rd_be16(r);
	size_t cap = rd_left(r) / td1_entry_min(af, as4) + 1;
	rec->entries = arena_array(&d->arena, cap, sizeof(*rec->entries));
	peers = arena_array(&d->arena, cap, sizeof(*peers));
	if (rec->entries == NULL || peers == NULL)
		return fail(d, 0, LL_ENOMEM, "TABLE_DUMP: out of memory");
	do {
		if (rec->n_entries >= cap)
			return fail(d, rd_off(r), LL_EFORMAT, "TABLE_DUMP: too "
			    "many entries");
		rc = decode_td1_entry(d, r, af, as4,
		    &rec->entries[rec->n_entries], &peers[rec->n_entries]);
		if (rc != 0)
			return rc;
		rec->n_entries++;
	} while (rd_left(r) > 0);
	rec->prefix = rec->entries[0].prefix;
	rec->peer = peers[0];
	rec->kind = MRT_K_RIB;
	return MRT_DEC_RECORD;
}

static bool
bgp4mp_as4(uint16_t st)
{
	return st == MRT_BGP4MP_MESSAGE_AS4 ||
	    st == MRT_BGP4MP_STATE_CHANGE_AS4 ||
	    st == MRT_BGP4MP_MESSAGE_AS4_LOCAL ||
	    st == MRT_BGP4MP_MESSAGE_AS4_ADDPATH ||
	    st == MRT_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH;
}

/* RFC 6396 4.4.1-4.4.6: the peer header shared by BGP4MP subtypes. The
 * first AS/address pair is the peer (for _LOCAL messages, the receiver). */
static int
decode_bgp4mp_peer(struct mrt_decoder *d, struct rd *r, bool as4)
{
	struct mrt_record *rec = &d->rec;

	rec->peer.asn = as4 ? rd_be32(r) : rd_be16(r);
	rec->local_asn = as4 ? rd_be32(r) : rd_be16(r);
	struct rd msg = *r;
	uint16_t ifindex = rd_be16(r);
	size_t at = rd_off(r);
	uint16_t afi = rd_be16(r);
	if (!rd_ok(r))
		return fail(d, 0, LL_ETRUNC, "%s: peer header truncated (RFC "
		    "6396 4.4)", mrt_type_name(rec->type));
	if (ifindex == 0xFFFF && afi == 0xFFFF &&
	    rec->subtype != MRT_BGP4MP_STATE_CHANGE &&
	    rec->subtype != MRT_BGP4MP_STATE_CHANGE_AS4) {
		/* Zebra wrote OPEN messages without interface index and
		 * addresses: the BGP marker starts where they would. Read
		 * as bgpdump reads them, with no addresses. */
		*r = msg;
		rec->peer.addr.af = NET_AF4;
		rec->local_addr.af = NET_AF4;
		return 0;
	}
	if (afi != BGP_AFI_IPV4 && afi != BGP_AFI_IPV6)
		return fail(d, at, LL_EFORMAT, "%s: address family %u is not "
		    "1 or 2 (RFC 6396 4.4)", mrt_type_name(rec->type), afi);
	uint8_t af = afi == BGP_AFI_IPV6 ? NET_AF6 : NET_AF4;
	read_addr(r, af, &rec->peer.addr);
	read_addr(r, af, &rec->local_addr);
	if (!rd_ok(r))
		return fail(d, at, LL_ETRUNC, "%s: peer addresses truncated "
		    "(RFC 6396 4.4)", mrt_type_name(rec->type));
	return 0;
}

/*
 * BGP4MP_ENTRY (draft-ietf-grow-mrt before RFC 6396; OpenBGPD's "table-mp"
 * dumps): the peer header, then view, status, originated time, AFI, SAFI,
 * next hop, one prefix and its attributes. bgpdump cannot read it.
 */
static int
decode_bgp4mp_entry(struct mrt_decoder *d, struct rd *r)
{
	struct mrt_record *rec = &d->rec;
	struct bgp_ctx c = ctx_for(d, false, false, true);
	struct bgp_diag bd;
	struct mrt_rib_entry *e;
	int rc;

	if ((rc = decode_bgp4mp_peer(d, r, false)) != 0)
		return rc;
	rd_be16(r);				/* view */
	rd_be16(r);				/* status */
	uint32_t orig = rd_be32(r);
	rec->afi = rd_be16(r);
	rec->safi = rd_u8(r);
	unsigned nhl = rd_u8(r);
	const uint8_t *nh = rd_ptr(r, nhl);
	size_t at = rd_off(r);
	unsigned bits = rd_u8(r);
	if (!rd_ok(r))
		return fail(d, at, LL_ETRUNC, "BGP4MP_ENTRY: header truncated");
	if ((rec->afi != BGP_AFI_IPV4 && rec->afi != BGP_AFI_IPV6) ||
	    rec->safi < 1 || rec->safi > 2)
		return MRT_DEC_UNSUPPORTED;
	uint8_t af = rec->afi == BGP_AFI_IPV6 ? NET_AF6 : NET_AF4;
	if (bits > net_af_bits(af))
		return fail(d, at, LL_EFORMAT, "BGP4MP_ENTRY: prefix length %u "
		    "> %u", bits, net_af_bits(af));
	memset(&rec->prefix, 0, sizeof(rec->prefix));
	rec->prefix.af = af;
	rec->prefix.len = (uint8_t)bits;
	rd_copy(r, rec->prefix.a, (bits + 7) / 8);
	net_prefix_mask(&rec->prefix);
	size_t alen = rd_be16(r);
	struct rd a = rd_sub(r, alen);
	if (!rd_ok(r))
		return fail(d, at, LL_ETRUNC, "BGP4MP_ENTRY: prefix or "
		    "attributes (%zu octets) past the end of the record", alen);
	if (rd_left(r) != 0)
		return fail(d, rd_off(r), LL_EFORMAT, "BGP4MP_ENTRY: %zu octets "
		    "after the attributes", rd_left(r));
	e = arena_alloc(&d->arena, sizeof(*e));
	if (e == NULL)
		return fail(d, 0, LL_ENOMEM, "BGP4MP_ENTRY: out of memory");
	memset(e, 0, sizeof(*e));
	rc = bgp_decode_attrs(a.p, alen, &c, &e->attrs, &bd);
	if (rc != 0)
		return fail_bgp(d, rd_off(&a), rc, &bd);
	if (!(e->attrs.seen & BGP_ATTR_BIT(BGP_ATTR_MP_REACH_NLRI)) ||
	    e->attrs.mp_nexthop.af == 0) {
		struct net_addr x;
		memset(&x, 0, sizeof(x));
		if (nhl == 4 || nhl == 16 || nhl == 32) {
			x.af = nhl == 4 ? NET_AF4 : NET_AF6;
			memcpy(x.a, nh, nhl == 4 ? 4 : 16);
			e->attrs.mp_nexthop = x;
			e->attrs.seen |= BGP_ATTR_BIT(BGP_ATTR_MP_REACH_NLRI);
		}
	}
	e->originated = orig;
	e->peer = &rec->peer;
	e->prefix = rec->prefix;
	rec->entries = e;
	rec->n_entries = 1;
	rec->kind = MRT_K_RIB;
	return MRT_DEC_RECORD;
}

/*
 * Some BIRD versions dump ADD-PATH sessions under the plain subtypes (RFC
 * 8050 section 3 says they must not). When an UPDATE of a plain subtype
 * fails to decode, it is decoded again with path identifiers; true when
 * that reading is sound (the record is then marked ADD-PATH).
 */
static bool
decoded_as_bird_addpath(struct mrt_decoder *d, const struct rd *r)
{
	struct mrt_record *rec = &d->rec;
	struct bgp_ctx c = ctx_for(d, rec->as4, true, false);
	struct bgp_diag bd;

	if (rec->addpath || rec->msg_type != BGP_MSG_UPDATE)
		return false;
	if (bgp_decode_message(r->p, rd_left(r), &c, &rec->msg_type,
	    &rec->update, &bd) != 0)
		return false;
	rec->addpath = true;
	return true;
}

/* RFC 6396 4.4.2-4.4.3, RFC 8050 3: BGP4MP_MESSAGE and its AS4, _LOCAL and
 * _ADDPATH variants: the peer header, then a whole BGP message. */
static int
decode_bgp4mp_message(struct mrt_decoder *d, struct rd *r)
{
	struct mrt_record *rec = &d->rec;
	uint16_t st = rec->subtype;
	struct bgp_diag bd;
	int rc;

	rec->local = st == MRT_BGP4MP_MESSAGE_LOCAL ||
	    st == MRT_BGP4MP_MESSAGE_AS4_LOCAL ||
	    st == MRT_BGP4MP_MESSAGE_LOCAL_ADDPATH ||
	    st == MRT_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH;
	rec->addpath = st >= MRT_BGP4MP_MESSAGE_ADDPATH;
	if ((rc = decode_bgp4mp_peer(d, r, rec->as4)) != 0)
		return rc;
	struct bgp_ctx c = ctx_for(d, rec->as4, rec->addpath, false);
	size_t at = rd_off(r);
	rc = bgp_decode_message(r->p, rd_left(r), &c, &rec->msg_type,
	    &rec->update, &bd);
	if (rc != 0 && !decoded_as_bird_addpath(d, r))
		return fail_bgp(d, at, rc, &bd);
	rec->kind = rec->msg_type == BGP_MSG_UPDATE ? MRT_K_MESSAGE :
	    MRT_K_OTHER;
	return MRT_DEC_RECORD;
}

/* RFC 6396 4.4.1 and 4.4.4: BGP4MP_STATE_CHANGE(_AS4). */
static int
decode_bgp4mp_state(struct mrt_decoder *d, struct rd *r)
{
	struct mrt_record *rec = &d->rec;
	int rc;

	if (!rec->as4 && rd_left(r) == 8) {
		/* Old Zebra wrote no addresses; bgpdump reads it. */
		rec->peer.asn = rd_be16(r);
		rec->local_asn = rd_be16(r);
		rec->peer.addr.af = NET_AF4;
	} else if ((rc = decode_bgp4mp_peer(d, r, rec->as4)) != 0)
		return rc;
	rec->old_state = rd_be16(r);
	rec->new_state = rd_be16(r);
	if (!rd_ok(r) || rd_left(r) != 0)
		return fail(d, rd_off(r), LL_EFORMAT, "%s STATE_CHANGE: length "
		    "is not that of two states (RFC 6396 4.4.1)",
		    mrt_type_name(rec->type));
	rec->kind = MRT_K_STATE;
	return MRT_DEC_RECORD;
}

/* RFC 6396 4.4: the BGP4MP and BGP4MP_ET subtypes. */
static int
decode_bgp4mp(struct mrt_decoder *d, struct rd *r)
{
	struct mrt_record *rec = &d->rec;
	uint16_t st = rec->subtype;

	rec->as4 = bgp4mp_as4(st);
	switch (st) {
	case MRT_BGP4MP_STATE_CHANGE:
	case MRT_BGP4MP_STATE_CHANGE_AS4:
		return decode_bgp4mp_state(d, r);
	case MRT_BGP4MP_MESSAGE: case MRT_BGP4MP_MESSAGE_AS4:
	case MRT_BGP4MP_MESSAGE_LOCAL: case MRT_BGP4MP_MESSAGE_AS4_LOCAL:
	case MRT_BGP4MP_MESSAGE_ADDPATH: case MRT_BGP4MP_MESSAGE_AS4_ADDPATH:
	case MRT_BGP4MP_MESSAGE_LOCAL_ADDPATH:
	case MRT_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH:
		break;
	case MRT_BGP4MP_ENTRY:
		return decode_bgp4mp_entry(d, r);
	case MRT_BGP4MP_SNAPSHOT:
		return MRT_DEC_UNSUPPORTED;	/* a file name, no route */
	default:
		return fail(d, 0, LL_EFORMAT, "%s: unknown subtype %u (RFC "
		    "6396 4.4)", mrt_type_name(rec->type), st);
	}
	return decode_bgp4mp_message(d, r);
}

/* RFC 6396 Appendix B.2.3-B.2.4: the deprecated BGP type; the UPDATE comes
 * without the BGP header. */
static int
decode_bgp_old(struct mrt_decoder *d, struct rd *r)
{
	struct mrt_record *rec = &d->rec;
	struct bgp_ctx c = ctx_for(d, false, false, false);
	struct bgp_diag bd;

	switch (rec->subtype) {
	case 1:	/* BGP_UPDATE */
		rec->peer.asn = rd_be16(r);
		read_addr(r, NET_AF4, &rec->peer.addr);
		rec->local_asn = rd_be16(r);
		read_addr(r, NET_AF4, &rec->local_addr);
		if (!rd_ok(r))
			return fail(d, 0, LL_ETRUNC, "BGP UPDATE: header "
			    "truncated (RFC 6396 B.2.3)");
		size_t at = rd_off(r);
		int rc = bgp_decode_update(r->p, rd_left(r), &c, &rec->update,
		    &bd);
		if (rc != 0)
			return fail_bgp(d, at, rc, &bd);
		rec->msg_type = BGP_MSG_UPDATE;
		rec->kind = MRT_K_MESSAGE;
		return MRT_DEC_RECORD;
	case 3:	/* BGP_STATE_CHANGE */
		rec->peer.asn = rd_be16(r);
		read_addr(r, NET_AF4, &rec->peer.addr);
		rec->old_state = rd_be16(r);
		rec->new_state = rd_be16(r);
		if (!rd_ok(r) || rd_left(r) != 0)
			return fail(d, 0, LL_EFORMAT, "BGP STATE_CHANGE: length "
			    "is not 10 (RFC 6396 B.2.4)");
		rec->kind = MRT_K_STATE;
		return MRT_DEC_RECORD;
	}
	rec->kind = MRT_K_OTHER;	/* OPEN, KEEPALIVE, SYNC, ... */
	return MRT_DEC_RECORD;
}

int
mrt_decode_record(struct mrt_decoder *d, const uint8_t *buf, size_t len,
    uint64_t offset)
{
	struct mrt_record *rec = &d->rec;
	struct rd r = rd_make(buf, len);
	int rc;

	arena_reset(&d->arena);
	/* The UPDATE part is large and zeroed by bgp_decode_update() itself;
	 * only records of kind MRT_K_MESSAGE, which went through it, use it. */
	size_t u = offsetof(struct mrt_record, update), ue = u + sizeof(rec->update);
	memset(rec, 0, u);
	memset((char *)rec + ue, 0, sizeof(*rec) - ue);
	d->msg[0] = '\0';
	d->err_off = 0;
	rec->offset = offset;
	rec->ts = rd_be32(&r);
	rec->type = rd_be16(&r);
	rec->subtype = rd_be16(&r);
	uint32_t blen = rd_be32(&r);
	if (d->short4 && rd_ok(&r) && (size_t)blen + 4 == rd_left(&r))
		blen += 4;
	if (!rd_ok(&r) || blen != rd_left(&r))
		return fail(d, 0, LL_ETRUNC, "MRT header truncated or length "
		    "mismatch (RFC 6396 2)");
	if (rec->type == MRT_T_BGP4MP_ET || rec->type == MRT_T_ISIS_ET ||
	    rec->type == MRT_T_OSPFV3_ET) {
		rec->usec = rd_be32(&r);
		if (!rd_ok(&r))
			return fail(d, MRT_HEADER_LEN, LL_ETRUNC, "%s: no room "
			    "for the microsecond field (RFC 6396 3)",
			    mrt_type_name(rec->type));
		if (rec->usec > 999999)
			return fail(d, MRT_HEADER_LEN, LL_EFORMAT, "%s: "
			    "microseconds %u > 999999 (RFC 6396 3)",
			    mrt_type_name(rec->type), rec->usec);
	}
	rec->body = r.p;
	rec->len = (uint32_t)rd_left(&r);
	switch (rec->type) {
	case MRT_T_TABLE_DUMP:
		rc = decode_td1(d, &r);
		break;
	case MRT_T_TABLE_DUMP_V2:
		rc = decode_td2(d, &r);
		break;
	case MRT_T_BGP4MP:
	case MRT_T_BGP4MP_ET:
		rc = decode_bgp4mp(d, &r);
		break;
	case MRT_T_BGP:
		rc = decode_bgp_old(d, &r);
		break;
	default:
		if (mrt_type_known(rec->type, rec->subtype))
			return MRT_DEC_UNSUPPORTED;
		return fail(d, 4, LL_EFORMAT, "unknown MRT type %u (RFC 6396 "
		    "4)", rec->type);
	}
	return rc;
}
