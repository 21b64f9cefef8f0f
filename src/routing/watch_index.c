/*
 * Watchlists: the lookup index (prefix -> entry, covering match; AS ->
 * monitorASns entry), path rules, and freeing.
 *
 * A covering match asks a longest-prefix-match tree for the most specific
 * entry holding the prefix's first address (one binary search): none, or
 * one no longer than the prefix, is the answer. Only for a prefix less
 * specific than that entry is a hash of the entries probed at each length
 * the list has, longest first.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/bgp.h"
#include "net/net_tree.h"
#include "routing/routing.h"
#include "routing/routing_int.h"
#include "util/err.h"
#include "util/hash.h"

static uint64_t
pfx_hash(const struct net_prefix *p)
{
	uint64_t a, b;

	memcpy(&a, p->a, 8);
	memcpy(&b, p->a + 8, 8);
	return ll_fold(a ^ ((uint64_t)p->af << 8 | p->len), b);
}

static bool
pfx_eq(const struct net_prefix *a, const struct net_prefix *b)
{
	return a->af == b->af && a->len == b->len &&
	    memcmp(a->a, b->a, sizeof(a->a)) == 0;
}

static int
cmp_as(const void *x, const void *y)
{
	const struct routing_watch_as *a = x, *b = y;

	return a->asn < b->asn ? -1 : a->asn > b->asn;
}

static int
cmp_addr(const void *x, const void *y)
{
	const struct net_prefix *a = *(const struct net_prefix *const *)x;
	const struct net_prefix *b = *(const struct net_prefix *const *)y;

	if (a->af != b->af)
		return a->af < b->af ? -1 : 1;
	return memcmp(a->a, b->a, sizeof(a->a));
}

static int
cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return (a > b) - (a < b);
}

#define V4_BITS	(1u << 24)

/* Marks the /24s that p meets (a run of them starts at a multiple of its
 * length: no host bits). */
static void
v4_mark(struct watch_idx *x, const struct net_prefix *p)
{
	uint32_t first = (uint32_t)p->a[0] << 16 | (uint32_t)p->a[1] << 8 |
	    p->a[2];
	uint32_t n = p->len >= 24 ? 1 : 1u << (24 - p->len);

	if (n >= 64)
		memset(&x->v4[first >> 6], 0xff, n / 8);
	else
		for (uint32_t s = first; s < first + n; s++)
			x->v4[s >> 6] |= 1ULL << (s & 63);
}

/* False when no entry can cover p: an entry covering p holds p's first
 * address, so meets its /24. */
static bool
v4_maybe(const struct watch_idx *x, const struct net_prefix *p)
{
	uint32_t s = (uint32_t)p->a[0] << 16 | (uint32_t)p->a[1] << 8 |
	    p->a[2];

	return x->v4[s >> 6] >> (s & 63) & 1;
}

static int
index_trees(struct routing_watchlist *w, struct watch_idx *x)
{
	int rc;

	if ((rc = net_tree_new(NET_AF4, &x->tree[0])) != 0 ||
	    (rc = net_tree_new(NET_AF6, &x->tree[1])) != 0)
		return rc;
	for (size_t i = 0; i < w->np; i++)
		if ((rc = net_tree_add(x->tree[w->p[i].p.af == NET_AF6],
		    &w->p[i].p, (uint32_t)i + 1)) != 0)
			return rc;
	if ((rc = net_tree_build(x->tree[0])) != 0 ||
	    (rc = net_tree_build(x->tree[1])) != 0)
		return rc;
	return 0;
}

#define NB_USED	1
#define NB_UP	2
#define NB_DOWN	4

static size_t
nb_home(uint32_t as, uint32_t nb, size_t mask)
{
	return (size_t)((((uint64_t)as << 32 | nb) * 0x9e3779b97f4a7c15ULL) >>
	    32) & mask;
}

static void
nbset_put(struct watch_idx *x, uint32_t as, uint32_t nb, uint8_t flag)
{
	size_t k;

	for (k = nb_home(as, nb, x->nbmask); x->nbset[k].flags != 0 &&
	    (x->nbset[k].as != as || x->nbset[k].nb != nb);
	    k = (k + 1) & x->nbmask)
		;
	x->nbset[k].as = as;
	x->nbset[k].nb = nb;
	x->nbset[k].flags |= NB_USED | flag;
}

/* The set of (watched AS, listed neighbour) pairs, so that a path walk
 * asks one probe per hop instead of a binary search of lists a thousand
 * long (AS3356's downstreams). */
static int
nbset_build(const struct routing_watchlist *w, struct watch_idx *x)
{
	size_t n = 0, slots = 16;

	for (size_t i = 0; i < w->nas; i++)
		n += w->as[i].nup + w->as[i].ndown;
	while (slots < 2 * n)
		slots *= 2;
	if ((x->nbset = calloc(slots, sizeof(*x->nbset))) == NULL)
		return LL_ENOMEM;
	x->nbmask = slots - 1;
	for (size_t i = 0; i < w->nas; i++) {
		const struct routing_watch_as *a = &w->as[i];

		/* by entry, not AS number: an AS listed twice is two
		 * entries, as routing_watch_as() finds one of them */
		for (size_t j = 0; j < a->nup; j++)
			nbset_put(x, (uint32_t)i, a->up[j], NB_UP);
		for (size_t j = 0; j < a->ndown; j++)
			nbset_put(x, (uint32_t)i, a->down[j], NB_DOWN);
	}
	return 0;
}

bool
routing_watch_nb_listed(const struct routing_watchlist *w,
    const struct routing_watch_as *wa, uint32_t nb, bool up)
{
	const struct watch_idx *x = w->idx;
	uint32_t i = (uint32_t)(wa - w->as);

	for (size_t k = nb_home(i, nb, x->nbmask);
	    x->nbset[k].flags != 0; k = (k + 1) & x->nbmask)
		if (x->nbset[k].as == i && x->nbset[k].nb == nb)
			return x->nbset[k].flags & (up ? NB_UP : NB_DOWN);
	return false;
}

int
routing_watch_index(struct routing_watchlist *w)
{
	struct watch_idx *x = calloc(1, sizeof(*x));
	size_t n = 64;

	if (x == NULL)
		return LL_ENOMEM;
	w->idx = x;
	while (n < w->np * 2)
		n *= 2;
	if ((x->slot = calloc(n, sizeof(*x->slot))) == NULL)
		return LL_ENOMEM;
	x->mask = n - 1;
	bool has[2][129] = { { false } };

	for (size_t i = 0; i < w->np; i++) {
		size_t k = pfx_hash(&w->p[i].p) & x->mask;

		/* the same prefix twice: the later entry wins */
		while (x->slot[k] != 0 && !pfx_eq(&w->p[x->slot[k] - 1].p,
		    &w->p[i].p))
			k = (k + 1) & x->mask;
		x->slot[k] = (uint32_t)i + 1;
		has[w->p[i].p.af == NET_AF6][w->p[i].p.len] = true;
	}
	for (int f = 0; f < 2; f++)
		for (int l = 128; l >= 0; l--)
			if (has[f][l])
				x->lens[f][x->nlens[f]++] = (uint8_t)l;
	if (w->nas > 0)		/* w->as is NULL without monitorASns */
		qsort(w->as, w->nas, sizeof(*w->as), cmp_as);
	for (size_t i = 0; i < w->nas; i++) {
		if (w->as[i].up != NULL)
			qsort(w->as[i].up, w->as[i].nup, sizeof(uint32_t),
			    cmp_u32);
		if (w->as[i].down != NULL)
			qsort(w->as[i].down, w->as[i].ndown, sizeof(uint32_t),
			    cmp_u32);
	}
	for (size_t i = 0; i < w->nas; i++)
		x->asbits[watch_as_bit(w->as[i].asn) >> 6] |= 1ULL <<
		    (watch_as_bit(w->as[i].asn) & 63);
	if (nbset_build(w, x) != 0 ||
	    (x->v4 = calloc(V4_BITS / 64, sizeof(*x->v4))) == NULL ||
	    (x->by_addr = calloc(w->np + 1, sizeof(*x->by_addr))) == NULL)
		return LL_ENOMEM;
	for (size_t i = 0; i < w->np; i++)
		x->by_addr[i] = &w->p[i].p;
	qsort(x->by_addr, w->np, sizeof(*x->by_addr), cmp_addr);
	for (size_t i = 0; i < w->np; i++)
		if (w->p[i].p.af == NET_AF4)
			v4_mark(x, &w->p[i].p);
	return index_trees(w, x);
}

const struct routing_watch_prefix *
routing_watch_match(const struct routing_watchlist *w,
    const struct net_prefix *p)
{
	const struct watch_idx *x = w->idx;
	struct net_addr first;
	struct net_prefix q;
	int f = p->af == NET_AF6;
	uint32_t v;

	if (x == NULL || w->np == 0 || (p->af != NET_AF4 && p->af != NET_AF6) ||
	    (p->af == NET_AF4 && !v4_maybe(x, p)))
		return NULL;
	first.af = p->af;
	memcpy(first.a, p->a, sizeof(first.a));
	if ((v = net_tree_lookup(x->tree[f], &first)) == 0)
		return NULL;
	/* the most specific entry holding p's first address: when it is no
	 * longer than p, it holds p, and no entry holding p is longer */
	if (w->p[v - 1].p.len <= p->len)
		return &w->p[v - 1];
	for (int i = 0; i < x->nlens[f]; i++) {
		size_t k;

		if (x->lens[f][i] > p->len)
			continue;
		q = *p;
		q.len = x->lens[f][i];
		net_prefix_mask(&q);
		for (k = pfx_hash(&q) & x->mask; x->slot[k] != 0;
		    k = (k + 1) & x->mask)
			if (pfx_eq(&w->p[x->slot[k] - 1].p, &q))
				return &w->p[x->slot[k] - 1];
	}
	return NULL;
}

bool
routing_watch_overlaps(const struct routing_watchlist *w,
    const struct net_prefix *p)
{
	const struct watch_idx *x = w->idx;
	size_t lo = 0, hi = w->np;
	struct net_prefix q;

	if (x == NULL || routing_watch_match(w, p) != NULL)
		return x != NULL;
	/* else an entry inside p: the first at or after p's address */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_addr(&x->by_addr[mid], &p) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == w->np || x->by_addr[lo]->af != p->af)
		return false;
	q = *x->by_addr[lo];
	q.len = p->len;
	net_prefix_mask(&q);
	return memcmp(q.a, p->a, sizeof(q.a)) == 0;
}

const struct routing_watch_as *
routing_watch_as(const struct routing_watchlist *w, uint32_t asn)
{
	const struct watch_idx *x = w->idx;
	size_t lo = 0, hi = w->nas;

	if (x == NULL || !routing_watch_as_maybe(w, asn))
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->as[mid].asn == asn)
			return &w->as[mid];
		if (w->as[mid].asn < asn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Appends c to buf (len bytes, o used) while there is room for it and the
 * NUL; returns the new length. */
static size_t
put_c(char *buf, size_t len, size_t o, char c)
{
	if (o + 1 < len)
		buf[o++] = c;
	return o;
}

/* Appends the decimal form of v: written by hand, as this runs for each
 * path an event is fed and snprintf() was a tenth of the monitors' time. */
static size_t
put_u32(char *buf, size_t len, size_t o, uint32_t v)
{
	char d[10];
	int n = 0;

	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		o = put_c(buf, len, o, d[--n]);
	return o;
}

uint32_t
routing_path_text(const struct bgp_aspath *path, char sep, char *buf,
    size_t len)
{
	size_t o = 0;
	uint32_t n = 0;

	if (len == 0)
		return 0;
	for (uint16_t s = 0; s < path->nseg; s++) {
		const struct bgp_asseg *g = &path->seg[s];
		bool set = g->type == BGP_SEG_SET || g->type ==
		    BGP_SEG_CONFED_SET;

		if (set) {
			if (o > 0)
				o = put_c(buf, len, o, sep);
			o = put_c(buf, len, o, '{');
		}
		for (uint16_t i = 0; i < g->n; i++, n += !set) {
			if (o > 0 && !(set && i == 0))
				o = put_c(buf, len, o, sep);
			o = put_u32(buf, len, o, g->asn[i]);
		}
		if (set)
			o = put_c(buf, len, o, '}');
		n += set;
	}
	buf[o] = '\0';
	return n;
}

bool
routing_path_rule_fires(const struct routing_path_rule *r,
    const struct bgp_aspath *path)
{
	char buf[4096];
	uint32_t n = routing_path_text(path, ',', buf, sizeof(buf));
	bool re = r->re_match != NULL || r->re_not != NULL;

	if ((r->max_len != 0 && n > r->max_len) ||
	    (r->min_len != 0 && n < r->min_len))
		return true;
	if (!re)
		return false;
	if (r->re_match != NULL && regexec(r->re_match, buf, 0, NULL, 0) != 0)
		return false;
	if (r->re_not != NULL && regexec(r->re_not, buf, 0, NULL, 0) == 0)
		return false;
	return true;
}

static void
rule_free(struct routing_path_rule *r)
{
	free(r->match);
	free(r->not_match);
	free(r->description);
	if (r->re_match != NULL)
		regfree(r->re_match);
	if (r->re_not != NULL)
		regfree(r->re_not);
	free(r->re_match);
	free(r->re_not);
}

void
routing_watch_free(struct routing_watchlist *w)
{
	struct watch_idx *x;

	if (w == NULL)
		return;
	for (size_t i = 0; i < w->np; i++) {
		free(w->p[i].asn);
		free(w->p[i].description);
		free(w->p[i].group);
		for (size_t j = 0; j < w->p[i].nrules; j++)
			rule_free(&w->p[i].rules[j]);
		free(w->p[i].rules);
	}
	for (size_t i = 0; i < w->nas; i++) {
		free(w->as[i].group);
		free(w->as[i].up);
		free(w->as[i].down);
	}
	if ((x = w->idx) != NULL) {
		free(x->slot);
		free(x->v4);
		free(x->by_addr);
		free(x->nbset);
		net_tree_free(x->tree[0]);
		net_tree_free(x->tree[1]);
		free(x);
	}
	free(w->p);
	free(w->as);
	free(w);
}
