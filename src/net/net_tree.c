/*
 * The prefix map: prefixes are collected, sorted by (start, length), and a
 * sweep with a stack of open prefixes (at most 129 deep: strictly nested)
 * turns them into disjoint intervals carrying the most specific value.
 * Keys are 128-bit integers; IPv4 uses the low 32 bits.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "net/net_tree.h"
#include "util/err.h"

__extension__ typedef unsigned __int128 u128;

struct ent {
	u128		lo;		/* the end is computed: 32 bytes, not 48 */
	uint32_t	val;
	uint32_t	seq;
	uint8_t		len;
};

struct net_tree {
	uint8_t		 af;
	bool		 built;
	bool		 coarse;
	unsigned	 bits;		/* 32 or 128 */
	unsigned	 ushift;	/* 8 or 80: address bits below a unit */
	u128		 max;		/* last address */
	struct ent	*ent;
	size_t		 nent, capent;
	u128		*start;		/* interval i: [start[i], start[i+1]) */
	uint32_t	*val;
	size_t		 n, cap;
	uint32_t	*idx16;		/* IPv4: interval holding each /16's
					   first address (65537 entries) */
	bool		 borrowed;	/* start and val are the caller's */
};

static u128
key_of(uint8_t af, const uint8_t *a)
{
	u128 k = 0;
	unsigned nb = af == NET_AF6 ? 16 : 4;

	for (unsigned i = 0; i < nb; i++)
		k = k << 8 | a[i];
	return k;
}

static void
key_put(uint8_t af, u128 k, uint8_t *a)
{
	unsigned nb = af == NET_AF6 ? 16 : 4;

	memset(a, 0, 16);
	for (unsigned i = nb; i-- > 0;) {
		a[i] = (uint8_t)(k & 0xff);
		k >>= 8;
	}
}

/* Address bits below a prefix of length len, as a mask. */
static u128
host_mask(const struct net_tree *t, unsigned len)
{
	unsigned hb = t->bits - len;

	if (hb >= 128)
		return ~(u128)0;
	return ((u128)1 << hb) - 1;
}

int
net_tree_new(uint8_t af, struct net_tree **out)
{
	struct net_tree *t;

	*out = NULL;
	if (af != NET_AF4 && af != NET_AF6)
		return LL_EINVAL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return LL_ENOMEM;
	t->af = af;
	t->bits = net_af_bits(af);
	t->ushift = af == NET_AF6 ? 80 : 8;
	t->max = af == NET_AF6 ? ~(u128)0 : (u128)0xffffffffu;
	*out = t;
	return 0;
}

void
net_tree_free(struct net_tree *t)
{
	if (t == NULL)
		return;
	free(t->ent);
	if (!t->borrowed) {
		free(t->start);
		free(t->val);
	}
	free(t->idx16);
	free(t);
}

int
net_tree_add(struct net_tree *t, const struct net_prefix *p, uint32_t val)
{
	struct ent *e;

	if (t->built || p->af != t->af || p->len > t->bits)
		return LL_EINVAL;
	if (t->nent >= NET_TREE_MAX)
		return LL_ELIMIT;
	if (t->nent == t->capent) {
		size_t nc = t->capent ? t->capent * 2 : 1024;
		e = realloc(t->ent, nc * sizeof(*e));
		if (e == NULL)
			return LL_ENOMEM;
		t->ent = e;
		t->capent = nc;
	}
	e = &t->ent[t->nent];
	e->lo = key_of(t->af, p->a) & ~host_mask(t, p->len);
	e->len = p->len;
	e->val = val;
	e->seq = (uint32_t)t->nent;
	t->nent++;
	return 0;
}

static int
ent_cmp(const void *va, const void *vb)
{
	const struct ent *a = va, *b = vb;

	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int
grow(struct net_tree *t)
{
	size_t nc = t->cap ? t->cap * 2 : 256;
	u128 *s;
	uint32_t *v;

	if ((s = realloc(t->start, nc * sizeof(*s))) == NULL)
		return LL_ENOMEM;
	t->start = s;
	if ((v = realloc(t->val, nc * sizeof(*v))) == NULL)
		return LL_ENOMEM;
	t->val = v;
	t->cap = nc;
	return 0;
}

/* From pos on, the value is val: appends, overwrites or merges. */
static int	index16(struct net_tree *t);

static int
emit(struct net_tree *t, u128 pos, uint32_t val)
{
	if (t->n > 0 && t->start[t->n - 1] == pos) {
		t->val[t->n - 1] = val;
		if (t->n > 1 && t->val[t->n - 2] == val)
			t->n--;
		return 0;
	}
	if (t->n > 0 && t->val[t->n - 1] == val)
		return 0;
	if (t->n == t->cap && grow(t) != 0)
		return LL_ENOMEM;
	t->start[t->n] = pos;
	t->val[t->n] = val;
	t->n++;
	return 0;
}

static u128
ent_hi(const struct net_tree *t, const struct ent *e)
{
	return e->lo | host_mask(t, e->len);
}

/* Closes the top of the stack: after its end the value is the parent's. */
static int
pop(struct net_tree *t, const struct ent **stk, size_t *depth)
{
	const struct ent *top = stk[--*depth];
	uint32_t v = *depth ? stk[*depth - 1]->val : 0;

	if (ent_hi(t, top) == t->max)
		return 0;
	return emit(t, ent_hi(t, top) + 1, v);
}

static bool
sorted(const struct net_tree *t)
{
	for (size_t i = 1; i < t->nent; i++)
		if (ent_cmp(&t->ent[i - 1], &t->ent[i]) > 0)
			return false;
	return true;
}

int
net_tree_build(struct net_tree *t)
{
	const struct ent *stk[130];
	struct ent *e;
	size_t depth = 0;
	int rc;

	if (t->built)
		return 0;
	if (!sorted(t))
		qsort(t->ent, t->nent, sizeof(*t->ent), ent_cmp);
	if ((rc = emit(t, 0, 0)) != 0)
		return rc;
	for (size_t i = 0; i < t->nent; i++) {
		e = &t->ent[i];
		while (depth > 0 && ent_hi(t, stk[depth - 1]) < e->lo)
			if ((rc = pop(t, stk, &depth)) != 0)
				return rc;
		if (depth > 0 && stk[depth - 1]->lo == e->lo &&
		    stk[depth - 1]->len == e->len)
			depth--;	/* the same prefix again: the later wins */
		stk[depth++] = e;
		if ((rc = emit(t, e->lo, e->val)) != 0)
			return rc;
	}
	while (depth > 0)
		if ((rc = pop(t, stk, &depth)) != 0)
			return rc;
	free(t->ent);
	t->ent = NULL;
	t->nent = t->capent = 0;
	t->built = true;
	return index16(t);
}

/* IPv4: a first-level index by /16, so that a lookup searches only the
 * intervals of its /16 (a few cache lines instead of ~20 misses). */
static int
index16(struct net_tree *t)
{
	size_t i = 0;

	if (t->af != NET_AF4 || t->n > UINT32_MAX)
		return 0;
	if ((t->idx16 = malloc(65537 * sizeof(*t->idx16))) == NULL)
		return LL_ENOMEM;
	for (uint32_t b = 0; b < 65536; b++) {
		u128 k = (u128)b << 16;
		while (i + 1 < t->n && t->start[i + 1] <= k)
			i++;
		t->idx16[b] = (uint32_t)i;
	}
	t->idx16[65536] = (uint32_t)(t->n - 1);
	return 0;
}

/* Index of the interval holding k. */
static size_t
find(const struct net_tree *t, u128 k)
{
	size_t lo = 0, hi = t->n;

	if (t->idx16 != NULL) {
		uint32_t b = (uint32_t)(k >> 16);
		lo = t->idx16[b];
		hi = (size_t)t->idx16[b + 1] + 1;
	}

	/* start[0] == 0 <= k: find the last start <= k. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->start[mid] <= k)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static u128
iv_end(const struct net_tree *t, size_t i)
{
	return i + 1 < t->n ? t->start[i + 1] - 1 : t->max;
}

uint32_t
net_tree_lookup(const struct net_tree *t, const struct net_addr *a)
{
	if (!t->built || a->af != t->af || t->n == 0)
		return 0;
	return t->val[find(t, key_of(t->af, a->a))];
}

size_t
net_tree_intervals(const struct net_tree *t)
{
	return t->n;
}

#define MAJ_MAX	64

/* The value holding most addresses of unit [us, ue], from interval i. */
static uint32_t
majority(const struct net_tree *t, size_t i, u128 us, u128 ue)
{
	uint32_t v[MAJ_MAX];
	u128 c[MAJ_MAX];
	size_t nv = 0, best = 0;

	for (; i < t->n && t->start[i] <= ue; i++) {
		u128 a = t->start[i] > us ? t->start[i] : us;
		u128 b = iv_end(t, i) < ue ? iv_end(t, i) : ue;
		size_t j;

		for (j = 0; j < nv && v[j] != t->val[i]; j++)
			;
		if (j == nv) {
			if (nv == MAJ_MAX)
				continue;	/* pathological: ignore */
			v[nv] = t->val[i];
			c[nv++] = 0;
		}
		c[j] += b - a + 1;
	}
	for (size_t j = 1; j < nv; j++)
		if (c[j] > c[best])
			best = j;
	return nv ? v[best] : 0;
}

static int
coarsen(const struct net_tree *t, struct net_tree *o)
{
	u128 ulen = (u128)1 << t->ushift, nunits = (t->max >> t->ushift) + 1;
	u128 u = 0;
	size_t i = 0;
	int rc;

	while (u < nunits) {
		u128 us = u << t->ushift, ue = us + ulen - 1, end;

		while (i + 1 < t->n && t->start[i + 1] <= us)
			i++;
		end = iv_end(t, i);
		if (end >= ue) {
			if ((rc = emit(o, us, t->val[i])) != 0)
				return rc;
			u = end >> t->ushift;
			if ((end & (ulen - 1)) == ulen - 1)
				u++;
		} else {
			if ((rc = emit(o, us, majority(t, i, us, ue))) != 0)
				return rc;
			u++;
		}
	}
	return 0;
}

int
net_tree_coarsen(const struct net_tree *t, struct net_tree **out)
{
	struct net_tree *o;
	int rc;

	*out = NULL;
	if (!t->built)
		return LL_EINVAL;
	if ((rc = net_tree_new(t->af, &o)) != 0)
		return rc;
	if ((rc = coarsen(t, o)) != 0 || (rc = index16(o)) != 0) {
		net_tree_free(o);
		return rc;
	}
	o->built = o->coarse = true;
	*out = o;
	return 0;
}

int
net_tree_units(const struct net_tree *t, const struct net_prefix *p,
    net_tree_units_fn *fn, void *ctx)
{
	u128 ps, pe;
	size_t i;
	int rc;

	if (!t->coarse || p->af != t->af || p->len > t->bits)
		return LL_EINVAL;
	if (net_prefix_units(p) == 0)
		return 0;
	ps = key_of(t->af, p->a) & ~host_mask(t, p->len);
	pe = ps | host_mask(t, p->len);
	for (i = find(t, ps); i < t->n; i++) {
		u128 a = t->start[i] > ps ? t->start[i] : ps;
		u128 b = iv_end(t, i) < pe ? iv_end(t, i) : pe;
		uint64_t units = (uint64_t)((b >> t->ushift) -
		    (a >> t->ushift)) + 1;

		if ((rc = fn(ctx, t->val[i], units)) != 0)
			return rc;
		if (b == pe)
			break;
	}
	return 0;
}

uint64_t
net_tree_count_units(const struct net_tree *t)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < t->n; i++)
		if (t->val[i] != 0)
			sum += (uint64_t)((iv_end(t, i) >> t->ushift) -
			    (t->start[i] >> t->ushift)) + 1;
	return sum;
}

static unsigned
ctz128(u128 x, unsigned bits)
{
	unsigned n = 0;

	if (x == 0)
		return bits;
	while ((x & 1) == 0 && n < bits) {
		x >>= 1;
		n++;
	}
	return n;
}

/* Emits [lo, hi] as the fewest CIDR prefixes. */
static int
range_prefixes(const struct net_tree *t, u128 lo, u128 hi,
    net_tree_prefix_fn *fn, void *ctx)
{
	struct net_prefix p;
	int rc;

	for (;;) {
		unsigned k = ctz128(lo, t->bits);

		if (k >= 128)
			k = 127;	/* the /0 is the caller's */
		while (k > 0 && lo + (((u128)1 << k) - 1) > hi)
			k--;
		p.af = t->af;
		p.len = (uint8_t)(t->bits - k);
		key_put(t->af, lo, p.a);
		if ((rc = fn(ctx, &p)) != 0)
			return rc;
		u128 last = lo + (((u128)1 << k) - 1);
		if (last >= hi)
			return 0;
		lo = last + 1;
	}
}

int
net_tree_prefixes(const struct net_tree *t, uint32_t val,
    net_tree_prefix_fn *fn, void *ctx)
{
	int rc;

	for (size_t i = 0; i < t->n; i++) {
		if (t->val[i] != val)
			continue;
		if (t->start[i] == 0 && iv_end(t, i) == t->max) {
			struct net_prefix all = { .af = t->af, .len = 0 };
			return fn(ctx, &all);
		}
		rc = range_prefixes(t, t->start[i], iv_end(t, i), fn, ctx);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
net_tree_merge(const struct net_tree *a, const struct net_tree *b,
    net_tree_merge_fn *fn, void *ctx, struct net_tree **out)
{
	struct net_tree *o;
	size_t i = 0, j = 0;
	int rc;

	*out = NULL;
	if (!a->built || !b->built || a->af != b->af || a->n == 0 || b->n == 0)
		return LL_EINVAL;
	if ((rc = net_tree_new(a->af, &o)) != 0)
		return rc;
	for (;;) {
		u128 pos = a->start[i] > b->start[j] ? a->start[i] :
		    b->start[j];

		if ((rc = emit(o, pos, fn(ctx, a->val[i], b->val[j]))) != 0)
			goto fail;
		bool an = i + 1 < a->n, bn = j + 1 < b->n;
		if (!an && !bn)
			break;
		u128 na = an ? a->start[i + 1] : 0, nb = bn ? b->start[j + 1] : 0;
		u128 nx = !an ? nb : !bn ? na : na < nb ? na : nb;
		if (an && na == nx)
			i++;
		if (bn && nb == nx)
			j++;
	}
	if ((rc = index16(o)) != 0)
		goto fail;
	o->built = true;
	*out = o;
	return 0;
fail:
	net_tree_free(o);
	return rc;
}

void
net_tree_raw(const struct net_tree *t, const void **start,
    const uint32_t **val, size_t *n, bool *coarse)
{
	*start = t->start;
	*val = t->val;
	*n = t->n;
	*coarse = t->coarse;
}

int
net_tree_wrap(uint8_t af, bool coarse, const void *start,
    const uint32_t *val, size_t n, struct net_tree **out)
{
	const u128 *st = start;
	struct net_tree *t;
	int rc;

	*out = NULL;
	if ((uintptr_t)start % _Alignof(u128) != 0)
		return LL_EINVAL;
	if ((rc = net_tree_new(af, &t)) != 0)
		return rc;
	rc = LL_EFORMAT;
	if (n == 0 || st[0] != 0)
		goto fail;
	for (size_t i = 1; i < n; i++) {
		if (st[i] <= st[i - 1] || st[i] > t->max)
			goto fail;
		if (coarse && (st[i] & (((u128)1 << t->ushift) - 1)) != 0)
			goto fail;
	}
	t->start = (u128 *)(uintptr_t)start;
	t->val = (uint32_t *)(uintptr_t)val;
	t->n = t->cap = n;
	t->borrowed = true;
	t->built = true;
	t->coarse = coarse;
	if ((rc = index16(t)) != 0)
		goto fail;
	*out = t;
	return 0;
fail:
	net_tree_free(t);
	return rc;
}
