/*
 * The signal's items from a lean decode (mrt_lean_decode(), src/mrt and
 * src/bgp): the update records that make up nearly all of an update
 * archive, decoded without the AS paths, next hops and attribute lists the
 * full decoder builds, and turned straight into items. The items are those
 * the full decoder gives, which tests/signal/test_sig_pump.c checks on
 * every real archive and fuzz/fuzz_sig_lean.c on arbitrary bytes, both
 * through sig_lean_verify().
 */
#include <stdlib.h>
#include <string.h>

#include "signal/sig_int.h"

size_t
sig_lean_count(const struct mrt_lean *l)
{
	const struct bgp_lean_run *run = l->bgp.run;

	return run[0].n + run[1].n + run[2].n + run[3].n;
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
sig_lean_items(const struct mrt_lean *l, struct sig_item *it)
{
	for (int k = 0; k < BGP_LEAN_RUNS; k++) {
		const struct bgp_lean_run *run = &l->bgp.run[k];
		bool wd = k == BGP_LEAN_WITHDRAWN || k == BGP_LEAN_MP_UNREACH;
		uint8_t kind = wd ? SIG_IT_WITHDRAW : SIG_IT_ANNOUNCE;
		uint32_t val = wd ? 0 : l->bgp.origin;

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
	const struct mrt_lean *l;
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
	struct mrt_lean l;
	const char *what;
	size_t n;
	int rc = -1;

	if (!mrt_lean_decode(buf, len, &l))
		return 0;
	n = sig_lean_count(&l);
	v.l = &l;
	v.cap = n;
	if (mrt_decoder_new(&d) != 0 ||
	    (mine = calloc(n + 1, sizeof(*mine))) == NULL ||
	    (v.it = calloc(n + 1, sizeof(*v.it))) == NULL)
		goto out;
	if (mrt_decode(d, buf, len, &rec, &what) != MRT_DEC_RECORD ||
	    rec->ts != l.ts ||
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
