/*
 * The signal's lean decode of the records that make up nearly all of an
 * update archive: BGP4MP and BGP4MP_ET MESSAGE / MESSAGE_AS4 records (RFC
 * 6396 4.4.2-3). The engine needs only the peer, the prefixes and the
 * origin AS; the full decoder (src/mrt, src/bgp) also builds AS paths,
 * next hops and attribute lists in an arena, and the replay then copies
 * elements out of them: about 40% of an ingest's decoding time.
 *
 * Why by hand: no library decodes BGP for us, and this is a second reader
 * of the same bytes, not a second definition of them. It makes every check
 * the full decoder makes on such a record (RFC 4271 4.3, RFC 4760, RFC
 * 6793, RFC 7606's first-attribute-wins), and whenever a record is not
 * plainly sound and plainly common it declines, and the full decoder
 * decodes or reports it as always: a fault of any kind, an abbreviated
 * MP_REACH, AS4_PATH in a 2-octet session (the merge of RFC 6793 4.2.3),
 * any other type. So the items are those the full decoder gives, which
 * tests/signal/test_sig_pump.c checks on every real archive and
 * fuzz/fuzz_sig_lean.c on arbitrary bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "signal/sig_int.h"
#include "util/rd.h"

#define ATTR_FLAG_EXTLEN	0x10
#define BGP_HEADER_LEN		19

/* A run of NLRI: checks it as bgp_decode_nlri() does (no path ids) and
 * counts the prefixes. */
static bool
nlri_ok(const uint8_t *p, size_t len, uint8_t af, struct sig_lean_run *run)
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

static bool
family(uint16_t afi, uint8_t safi, uint8_t *af)
{
	if ((afi != BGP_AFI_IPV4 && afi != BGP_AFI_IPV6) ||
	    safi < BGP_SAFI_UNICAST || safi > BGP_SAFI_BOTH)
		return false;
	*af = afi == BGP_AFI_IPV6 ? NET_AF6 : NET_AF4;
	return true;
}

/* An AS_PATH or AS4_PATH body (RFC 4271 4.3 b): sound segments; the
 * origin as the engine takes it (sig_table.c path_origin(): the last AS
 * of a final AS_SEQUENCE, else none). */
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

/* RFC 4760 section 3, the full form only. */
static bool
mp_reach_ok(struct rd *v, struct sig_lean_run *run)
{
	uint8_t af;

	if (rd_left(v) > 0 && v->p[0] != 0)
		return false;		/* abbreviated (RFC 6396 4.3.4) */
	uint16_t afi = rd_be16(v);
	uint8_t safi = rd_u8(v);
	rd_skip(v, rd_u8(v));		/* next hop */
	unsigned snpa = rd_u8(v);
	for (unsigned i = 0; i < snpa && rd_ok(v); i++)
		rd_skip(v, rd_u8(v));
	if (!rd_ok(v))
		return false;
	if (!family(afi, safi, &af))
		return true;		/* not ours: no elements */
	return nlri_ok(v->p, rd_left(v), af, run);
}

static bool
mp_unreach_ok(struct rd *v, struct sig_lean_run *run)
{
	uint16_t afi = rd_be16(v);
	uint8_t safi = rd_u8(v);
	uint8_t af;

	if (!rd_ok(v))
		return false;
	if (!family(afi, safi, &af))
		return true;
	return nlri_ok(v->p, rd_left(v), af, run);
}

/* The path attributes (RFC 4271 4.3, the checks of bgp_decode_attrs()). */
static bool
attrs_ok(struct rd *rp, bool as4, struct sig_lean *l)
{
	struct rd r = *rp;
	uint64_t seen = 0;
	uint32_t o4;

	while (rd_left(&r) > 0) {
		unsigned flags = rd_u8(&r), type = rd_u8(&r);
		size_t alen = flags & ATTR_FLAG_EXTLEN ? rd_be16(&r) :
		    rd_u8(&r);
		if (!rd_ok(&r))
			return false;
		struct rd v = rd_sub(&r, alen);
		if (!rd_ok(&v))
			return false;
		uint64_t bit = type < 64 ? (uint64_t)1 << type : 0;
		if (bit != 0 && (seen & bit))
			continue;	/* RFC 7606 3 g: the first counts */
		seen |= bit;
		switch (type) {
		case BGP_ATTR_ORIGIN:
			if (alen != 1)
				return false;
			break;
		case BGP_ATTR_AS_PATH:
			if (!aspath_ok(&v, as4 ? 4 : 2, &l->origin))
				return false;
			break;
		case BGP_ATTR_NEXT_HOP:
		case BGP_ATTR_MED:
		case BGP_ATTR_LOCAL_PREF:
			if (alen != 4)
				return false;
			break;
		case BGP_ATTR_AGGREGATOR:
			if (alen != 6 && alen != 8)
				return false;
			break;
		case BGP_ATTR_COMMUNITIES:
			if (alen % 4)
				return false;
			break;
		case BGP_ATTR_EXT_COMMUNITIES:
			if (alen % 8)
				return false;
			break;
		case BGP_ATTR_LARGE_COMMUNITIES:
			if (alen % 12)
				return false;
			break;
		case BGP_ATTR_MP_REACH_NLRI:
			if (!mp_reach_ok(&v, &l->run[3]))
				return false;
			break;
		case BGP_ATTR_MP_UNREACH_NLRI:
			if (!mp_unreach_ok(&v, &l->run[1]))
				return false;
			break;
		case BGP_ATTR_AS4_PATH:
			/* A 2-octet session merges it into the path: left to
			 * the full decoder. */
			if (!as4 || !aspath_ok(&v, 4, &o4))
				return false;
			break;
		case BGP_ATTR_AS4_AGGREGATOR:
			if (alen != 8)
				return false;
			break;
		default:
			break;
		}
	}
	return true;
}

int
sig_lean_decode(const uint8_t *buf, size_t len, struct sig_lean *l)
{
	static const uint8_t marker[16] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct rd r = rd_make(buf, len), m;

	/* Only what the callers read is set: a memset of the whole
	 * struct was a tenth of this function's time. */
	for (int k = 0; k < 4; k++) {
		l->run[k].len = l->run[k].n = 0;
		l->run[k].af = NET_AF4;
	}
	l->origin = 0;
	l->rec = buf;
	l->end = buf + len;
	l->ts = rd_be32(&r);
	uint16_t type = rd_be16(&r), sub = rd_be16(&r);
	uint32_t blen = rd_be32(&r);
	if (!rd_ok(&r) || blen != rd_left(&r) ||
	    (type != MRT_T_BGP4MP && type != MRT_T_BGP4MP_ET) ||
	    (sub != MRT_BGP4MP_MESSAGE && sub != MRT_BGP4MP_MESSAGE_AS4))
		return 0;
	if (type == MRT_T_BGP4MP_ET && (rd_be32(&r) > 999999 || !rd_ok(&r)))
		return 0;
	bool as4 = sub == MRT_BGP4MP_MESSAGE_AS4;

	/* The peer header (RFC 6396 4.4.2-3). */
	l->peer_asn = as4 ? rd_be32(&r) : rd_be16(&r);
	rd_skip(&r, as4 ? 4 : 2);		/* local AS */
	rd_skip(&r, 2);				/* interface index */
	uint16_t afi = rd_be16(&r);
	if (!rd_ok(&r) || (afi != BGP_AFI_IPV4 && afi != BGP_AFI_IPV6))
		return 0;
	l->peer.af = afi == BGP_AFI_IPV6 ? NET_AF6 : NET_AF4;
	memset(l->peer.a, 0, sizeof(l->peer.a));
	rd_copy(&r, l->peer.a, l->peer.af == NET_AF6 ? 16 : 4);
	rd_skip(&r, l->peer.af == NET_AF6 ? 16 : 4);	/* local address */
	if (!rd_ok(&r))
		return 0;

	/* The BGP message (RFC 4271 4.1): anything but an UPDATE has no
	 * elements. */
	const uint8_t *mk = rd_ptr(&r, 16);
	size_t mlen = rd_be16(&r);
	uint8_t mtype = rd_u8(&r);
	if (!rd_ok(&r) || memcmp(mk, marker, 16) != 0 ||
	    mlen < BGP_HEADER_LEN || mlen != rd_left(&r) + BGP_HEADER_LEN)
		return 0;
	if (mtype != BGP_MSG_UPDATE)
		return 1;

	/* The UPDATE (RFC 4271 4.3). */
	size_t wlen = rd_be16(&r);
	m = rd_sub(&r, wlen);
	if (!rd_ok(&m) || !nlri_ok(m.p, wlen, NET_AF4, &l->run[0]))
		return 0;
	size_t alen = rd_be16(&r);
	m = rd_sub(&r, alen);
	if (!rd_ok(&m) || !attrs_ok(&m, as4, l))
		return 0;
	return nlri_ok(r.p, rd_left(&r), NET_AF4, &l->run[2]) ? 1 : 0;
}

size_t
sig_lean_count(const struct sig_lean *l)
{
	return l->run[0].n + l->run[1].n + l->run[2].n + l->run[3].n;
}

/*
 * Up to 8 bytes at q as a word in memory order, zero past n. Whole-word
 * reads stay inside [lo, hi), the record: forwards when 8 bytes remain,
 * else backwards from the field's end, else byte by byte. Building the
 * word in a register, not with byte stores and a word load, keeps the
 * hash from waiting on store forwarding.
 */
static inline uint64_t
word_at(const uint8_t *q, unsigned n, const uint8_t *lo, const uint8_t *hi)
{
	uint64_t v = 0;

	if (n == 0)
		return 0;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if ((size_t)(hi - q) >= 8) {
		memcpy(&v, q, 8);
		return n == 8 ? v : v & ((UINT64_C(1) << 8 * n) - 1);
	}
	if ((size_t)(q - lo) >= 8 - n) {
		memcpy(&v, q + n - 8, 8);
		return v >> 8 * (8 - n);
	}
#endif
	memcpy(&v, q, n);
	return v;
}

/* The word mask of the first bits (0-64) of an address in memory order. */
static inline uint64_t
host_mask(unsigned bits)
{
	uint64_t m;

	if (bits == 0)
		return 0;
	m = bits >= 64 ? ~UINT64_C(0) : ~(~UINT64_C(0) >> bits);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	m = __builtin_bswap64(m);
#endif
	return m;
}

/* Items in mrt_record_elems() order: withdrawals (classic, MP_UNREACH),
 * then announcements (classic, MP_REACH). */
void
sig_lean_items(const struct sig_lean *l, struct sig_item *it)
{
	for (int k = 0; k < 4; k++) {
		const struct sig_lean_run *run = &l->run[k];
		uint8_t kind = k < 2 ? SIG_IT_WITHDRAW : SIG_IT_ANNOUNCE;
		uint32_t val = k < 2 ? 0 : l->origin;

		/* Field by field into the batch, the address from registers:
		 * no copy of the item is read back. */
		for (size_t i = 0; i < run->len; it++) {
			const uint8_t *q = run->p + i + 1;
			unsigned bits = run->p[i], bytes = (bits + 7) / 8;
			uint64_t x, y = 0;

			x = word_at(q, bytes < 8 ? bytes : 8, l->rec, l->end) &
			    host_mask(bits < 64 ? bits : 64);
			if (bits > 64)
				y = word_at(q + 8, bytes - 8, l->rec, l->end) &
				    host_mask(bits - 64);
			it->ts = l->ts;
			it->kind = kind;
			it->af = run->af;
			it->len = (uint8_t)bits;
			it->pad = 0;
			it->val = val;
			it->hash = sig_pfx_hash2(run->af, (uint8_t)bits, x, y);
			memcpy(it->a, &x, 8);
			memcpy(it->a + 8, &y, 8);
			i += 1 + bytes;
		}
	}
}

/* Verification, for tests and fuzzing. */

struct vctx {
	struct sig_item	*it;
	size_t		 n, cap;
	bool		 peer_ok;
	const struct sig_lean *l;
};

static int
vcollect(void *ctx, const struct mrt_elem *e)
{
	struct vctx *v = ctx;

	if (e->peer->asn != v->l->peer_asn ||
	    e->peer->addr.af != v->l->peer.af ||
	    memcmp(e->peer->addr.a, v->l->peer.a, 16) != 0)
		v->peer_ok = false;
	if (v->n == v->cap)
		return 1;	/* more elements than lean counted */
	sig_item_from(&v->it[v->n++], e);
	return 0;
}

int
sig_lean_verify(const uint8_t *buf, size_t len)
{
	const struct mrt_record *rec;
	struct mrt_decoder *d = NULL;
	struct sig_item *mine = NULL;
	struct vctx v = { NULL, 0, 0, true, NULL };
	struct sig_lean l;
	const char *what;
	size_t n;
	int rc = -1;

	if (sig_lean_decode(buf, len, &l) != 1)
		return 0;
	n = sig_lean_count(&l);
	v.l = &l;
	v.cap = n;
	if (mrt_decoder_new(&d) != 0 ||
	    (mine = calloc(n + 1, sizeof(*mine))) == NULL ||
	    (v.it = calloc(n + 1, sizeof(*v.it))) == NULL)
		goto out;
	if (mrt_decode(d, buf, len, &rec, &what) != 1 || rec->ts != l.ts ||
	    mrt_record_elems(rec, vcollect, &v) != 0 || v.n != n ||
	    (n > 0 && !v.peer_ok))
		goto out;
	sig_lean_items(&l, mine);
	rc = n == 0 || memcmp(mine, v.it, n * sizeof(*mine)) == 0 ? 1 : -1;
out:
	free(mine);
	free(v.it);
	mrt_decoder_free(d);
	return rc;
}
