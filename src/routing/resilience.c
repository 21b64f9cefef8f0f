/*
 * Resilience of a country's connectivity, from the AS paths that route
 * collectors' peers saw (docs/methodology.md, "Resilience"): upstreams of
 * its networks, international gateways and transit networks, chokepoints,
 * and AS hegemony (Fontugne, Shah, Aben: "The (thin) bridges of AS
 * connectivity: measuring dependency using AS hegemony", PAM 2018), as
 * the Internet Health Report computes it: per peer, the share of the
 * scope's IPv4 addresses (or IPv6 /48s) whose path crosses an AS (each
 * prefix weighted by the space no more-specific of that peer covers); per
 * peer AS, the mean over its peers; then a 10% two-sided trimmed mean over
 * peer ASes.
 *
 * Routes are gathered as they come (RIB entries, announcements and
 * withdrawals of prefixes of one family holding some of the country's
 * space), and settled at the end: the last element of each (peer, prefix)
 * wins. IPv6 is counted in /56s, so that a route up to /56 weighs a whole
 * number of units; a prefix is sorted and nested by its first 64 bits
 * (IPv4 in the high half).
 */
#include <stdlib.h>
#include <string.h>

#include "bgp/bgp.h"
#include "geo/geo.h"
#include "mrt/mrt.h"
#include "routing/routing.h"
#include "util/err.h"
#include "util/grow.h"
#include "util/hash.h"

#define PATH_MAX_AS	64		/* longer paths are cut: none is */
#define CACHE_BITS	16
#define ROUTES_MAX	(1u << 28)

struct res_route {
	uint32_t	peer;
	uint32_t	seq;
	uint64_t	addr;		/* the address's first 64 bits */
	uint32_t	path;		/* offset in paths */
	uint8_t		len;
	uint8_t		npath;		/* 0: a withdrawal */
	uint64_t	cnt;		/* the country's units in it */
	uint64_t	excl;		/* cnt less its more-specifics' */
};

struct res_peer {
	struct net_addr	addr;
	uint32_t	asn;
	uint32_t	group;		/* index of its AS among peer ASes */
};

struct res_as {
	uint32_t	asn;
	uint64_t	orig_total;	/* addresses of the routes it originates */
	uint64_t	orig_cc;	/* ... of them in the country */
	uint64_t	choke, up, gw, tr;
	uint32_t	upstream_of;
	/* scratch of the computation */
	uint32_t	mark;		/* route (per peer) or prefix run */
	uint32_t	rmark;		/* route, in the prefix pass */
	uint32_t	hits;		/* routes of the prefix crossing it */
	uint8_t		flags;		/* F_* for the prefix */
	bool		origin;		/* counted among the origins */
	uint64_t	acc;		/* weight crossing it (per peer) */
};

struct cache_ent {
	uint64_t	addr;
	uint8_t		len;
	uint8_t		used;
	uint64_t	cnt;
};

struct routing_res {
	struct geo		*g;
	char			 cc[3];
	uint8_t			 af;		/* NET_AF4 or NET_AF6 */
	uint8_t			 unit;		/* the unit's length: 32 or
						   V6_UNIT */
	struct res_peer		*peer;
	size_t			 npeer, cappeer;
	uint32_t		*peer_slot;	/* index + 1, 0 empty */
	size_t			 peer_mask;
	struct res_as		*as;
	size_t			 nas, capas;
	uint32_t		*as_slot;
	size_t			 as_mask;
	struct res_route	*rt;
	size_t			 nrt, caprt;
	uint32_t		*path;
	size_t			 npath, cappath;
	struct cache_ent	*cache;
	uint64_t		 sets;		/* routes with AS_SETs, skipped */
};

int
routing_res_new(struct geo *g, const char *cc, uint8_t af,
    struct routing_res **out)
{
	struct routing_res *r;

	*out = NULL;
	if (g == NULL || strlen(cc) != 2 || (af != NET_AF4 && af != NET_AF6))
		return LL_EINVAL;
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->cache = calloc(1u << CACHE_BITS, sizeof(*r->cache))) == NULL) {
		free(r);
		return LL_ENOMEM;
	}
	r->g = g;
	memcpy(r->cc, cc, 3);
	r->af = af;
	r->unit = af == NET_AF4 ? 32 : ROUTING_RES_V6_UNIT;
	*out = r;
	return 0;
}

void
routing_res_free(struct routing_res *r)
{
	if (r == NULL)
		return;
	free(r->peer);
	free(r->peer_slot);
	free(r->as);
	free(r->as_slot);
	free(r->rt);
	free(r->path);
	free(r->cache);
	free(r);
}

/* Open addressing over indices: slot[] holds index + 1. */
static int
slots_grow(uint32_t **slot, size_t *mask, size_t n, uint64_t (*key)(
    const void *, size_t), const void *arr)
{
	size_t ns = *mask ? (*mask + 1) * 2 : 256, i, k;
	uint32_t *s;

	if ((n + 1) * 2 <= (*mask ? *mask + 1 : 0))
		return 0;
	if ((s = calloc(ns, sizeof(*s))) == NULL)
		return LL_ENOMEM;
	for (i = 0; i < n; i++) {
		for (k = key(arr, i) & (ns - 1); s[k] != 0; k = (k + 1) &
		    (ns - 1))
			;
		s[k] = (uint32_t)i + 1;
	}
	free(*slot);
	*slot = s;
	*mask = ns - 1;
	return 0;
}

static uint64_t
as_key(const void *arr, size_t i)
{
	return ll_mix64(((const struct res_as *)arr)[i].asn);
}

static uint64_t
peer_hash(const struct net_addr *a, uint32_t asn)
{
	uint64_t x, y;

	memcpy(&x, a->a, 8);
	memcpy(&y, a->a + 8, 8);
	return ll_fold(x ^ ((uint64_t)asn << 8 | a->af), y);
}

static uint64_t
peer_key(const void *arr, size_t i)
{
	const struct res_peer *p = &((const struct res_peer *)arr)[i];

	return peer_hash(&p->addr, p->asn);
}

/* The index of AS asn, added when new; -1 when out of memory. */
static long
as_idx(struct routing_res *r, uint32_t asn)
{
	size_t k;

	if (slots_grow(&r->as_slot, &r->as_mask, r->nas, as_key, r->as) != 0)
		return -1;
	for (k = ll_mix64(asn) & r->as_mask; r->as_slot[k] != 0;
	    k = (k + 1) & r->as_mask)
		if (r->as[r->as_slot[k] - 1].asn == asn)
			return (long)r->as_slot[k] - 1;
	if (ll_grow(&r->as, &r->capas, r->nas + 1, sizeof(*r->as)) != 0)
		return -1;
	memset(&r->as[r->nas], 0, sizeof(*r->as));
	r->as[r->nas].asn = asn;
	r->as_slot[k] = (uint32_t)++r->nas;
	return (long)r->nas - 1;
}

static long
peer_idx(struct routing_res *r, const struct mrt_peer *mp)
{
	size_t k;

	if (slots_grow(&r->peer_slot, &r->peer_mask, r->npeer, peer_key,
	    r->peer) != 0)
		return -1;
	for (k = peer_hash(&mp->addr, mp->asn) & r->peer_mask;
	    r->peer_slot[k] != 0; k = (k + 1) & r->peer_mask) {
		const struct res_peer *p = &r->peer[r->peer_slot[k] - 1];

		if (p->asn == mp->asn && memcmp(&p->addr, &mp->addr,
		    sizeof(p->addr)) == 0)
			return (long)r->peer_slot[k] - 1;
	}
	if (ll_grow(&r->peer, &r->cappeer, r->npeer + 1, sizeof(*r->peer)))
		return -1;
	memset(&r->peer[r->npeer], 0, sizeof(*r->peer));
	r->peer[r->npeer].addr = mp->addr;
	r->peer[r->npeer].asn = mp->asn;
	r->peer_slot[k] = (uint32_t)++r->npeer;
	return (long)r->npeer - 1;
}

struct cnt_ctx {
	const char	*cc;
	uint64_t	 units;
};

static int
cnt_piece(void *ctx, const char *cc, const char *region, uint64_t units)
{
	struct cnt_ctx *c = ctx;

	(void)region;
	if (strcmp(cc, c->cc) == 0)
		c->units += units;
	return 0;
}

/* The first 64 bits of p's address (an IPv4 one in the high half): the
 * key routes are sorted and nested by. */
static uint64_t
addr_key(const struct net_prefix *p)
{
	uint64_t k = 0;

	for (int i = 0; i < 8; i++)
		k = k << 8 | p->a[i];
	return p->af == NET_AF4 ? k & 0xffffffff00000000ull : k;
}

/* The units (addresses; IPv6 /56s) of a prefix of length len. */
static uint64_t
units_of(const struct routing_res *r, uint8_t len)
{
	return 1ull << (r->unit - len);
}

/* The country's units in prefix p (cached). */
static uint64_t
country_addrs(struct routing_res *r, const struct net_prefix *p)
{
	uint64_t a = addr_key(p);
	/* geo_split() counts /24s (/48s): unit = 2^shift of ours */
	unsigned split = r->af == NET_AF4 ? 24 : 48, shift = r->unit - split;
	struct cache_ent *e = &r->cache[ll_mix64(a ^ p->len) &
	    ((1u << CACHE_BITS) - 1)];
	struct cnt_ctx c = { r->cc, 0 };

	if (e->used && e->addr == a && e->len == p->len)
		return e->cnt;
	if (p->len <= split) {
		geo_split(r->g, p, cnt_piece, &c);
		c.units <<= shift;
	} else {
		struct net_addr ad = { p->af, { 0 } };
		struct geo_info gi;

		memcpy(ad.a, p->a, sizeof(ad.a));
		if (geo_lookup(r->g, &ad, &gi) == 0 && strcmp(gi.cc,
		    r->cc) == 0)
			c.units = units_of(r, p->len);
	}
	e->addr = a;
	e->len = p->len;
	e->used = 1;
	e->cnt = c.units;
	return c.units;
}

/* The path of e flattened, prepending removed, into out; returns its
 * length, 0 when empty, -1 when it holds an AS_SET or confederation. */
static int
flat_path(const struct bgp_aspath *ap, uint32_t *out)
{
	int n = 0;

	for (uint16_t s = 0; s < ap->nseg; s++) {
		if (ap->seg[s].type != BGP_SEG_SEQUENCE)
			return -1;
		for (uint16_t i = 0; i < ap->seg[s].n; i++) {
			uint32_t a = ap->seg[s].asn[i];

			if (n > 0 && out[n - 1] == a)
				continue;
			if (n == PATH_MAX_AS)
				return -1;
			out[n++] = a;
		}
	}
	return n;
}

/* Counts the origin's space, in the country and in all. */
static int
count_origin(struct routing_res *r, uint32_t origin,
    const struct net_prefix *p, uint64_t cnt)
{
	long i = as_idx(r, origin);

	if (i < 0)
		return LL_ENOMEM;
	r->as[i].orig_total += units_of(r, p->len);
	r->as[i].orig_cc += cnt;
	return 0;
}

int
routing_res_add(struct routing_res *r, const struct mrt_elem *e)
{
	uint32_t path[PATH_MAX_AS];
	const struct net_prefix *p;
	struct res_route *rt;
	uint64_t cnt;
	long pi;
	int n = 0;

	if ((e->type != MRT_ELEM_RIB && e->type != MRT_ELEM_ANNOUNCE &&
	    e->type != MRT_ELEM_WITHDRAW) || e->nlri == NULL ||
	    e->peer == NULL || e->nlri->pfx.af != r->af ||
	    e->nlri->pfx.len < (r->af == NET_AF4 ? ROUTING_RES_MINLEN :
	    ROUTING_RES_V6_MINLEN) || e->nlri->pfx.len > r->unit)
		return 0;
	p = &e->nlri->pfx;
	if (e->type != MRT_ELEM_WITHDRAW) {
		if (e->attrs == NULL || (n = flat_path(&e->attrs->path,
		    path)) <= 0) {
			r->sets += n < 0;
			return 0;
		}
	}
	cnt = country_addrs(r, p);
	if (n > 0 && count_origin(r, path[n - 1], p, cnt) != 0)
		return LL_ENOMEM;
	if (cnt == 0)
		return 0;
	if (r->nrt >= ROUTES_MAX)
		return LL_ELIMIT;
	if ((pi = peer_idx(r, e->peer)) < 0 || ll_grow(&r->rt, &r->caprt,
	    r->nrt + 1, sizeof(*r->rt)) != 0 || ll_grow(&r->path,
	    &r->cappath, r->npath + (size_t)n, sizeof(*r->path)) != 0)
		return LL_ENOMEM;
	rt = &r->rt[r->nrt];
	memset(rt, 0, sizeof(*rt));
	rt->peer = (uint32_t)pi;
	rt->addr = addr_key(p);
	rt->len = p->len;
	rt->seq = (uint32_t)r->nrt++;
	rt->cnt = cnt;
	rt->path = (uint32_t)r->npath;
	rt->npath = (uint8_t)n;
	if (n > 0)		/* a withdrawal has no path */
		memcpy(r->path + r->npath, path, (size_t)n * sizeof(*path));
	r->npath += (size_t)n;
	return 0;
}

static int
cmp_peer_pfx(const void *x, const void *y)
{
	const struct res_route *a = x, *b = y;

	if (a->peer != b->peer)
		return a->peer < b->peer ? -1 : 1;
	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int
cmp_pfx_peer(const void *x, const void *y)
{
	const struct res_route *a = x, *b = y;

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->peer < b->peer ? -1 : a->peer > b->peer;
}

/* Keeps the last element of each (peer, prefix), drops withdrawn ones. */
static void
settle(struct routing_res *r)
{
	size_t i, o = 0;

	if (r->nrt > 0)
		qsort(r->rt, r->nrt, sizeof(*r->rt), cmp_peer_pfx);
	for (i = 0; i < r->nrt; i++) {
		if (i + 1 < r->nrt && r->rt[i + 1].peer == r->rt[i].peer &&
		    r->rt[i + 1].addr == r->rt[i].addr &&
		    r->rt[i + 1].len == r->rt[i].len)
			continue;
		if (r->rt[i].npath > 0)
			r->rt[o++] = r->rt[i];
	}
	r->nrt = o;
}

static bool
inside(uint64_t outer, uint8_t olen, uint64_t a, uint8_t len)
{
	uint64_t m = olen ? ~0ull << (64 - olen) : 0;

	return len >= olen && (a & m) == outer;
}

/*
 * Sets excl of rt[0..n) (sorted by address, then length: every prefix
 * after the prefixes holding it): its country addresses less those of its
 * direct more-specifics. Prefixes repeated (several peers) count once:
 * only the first of a run is set, the others copy it.
 */
static int
exclusive(struct res_route *rt, size_t n)
{
	size_t *stack, top = 0, i;

	if (n == 0)
		return 0;
	if ((stack = malloc(n * sizeof(*stack))) == NULL)
		return LL_ENOMEM;
	for (i = 0; i < n; i++) {
		if (i > 0 && rt[i].addr == rt[i - 1].addr &&
		    rt[i].len == rt[i - 1].len)
			continue;
		rt[i].excl = rt[i].cnt;
		while (top > 0 && !inside(rt[stack[top - 1]].addr,
		    rt[stack[top - 1]].len, rt[i].addr, rt[i].len))
			top--;
		if (top > 0)
			rt[stack[top - 1]].excl -= rt[i].cnt;
		stack[top++] = i;
	}
	for (i = 1; i < n; i++)
		if (rt[i].addr == rt[i - 1].addr && rt[i].len == rt[i - 1].len)
			rt[i].excl = rt[i - 1].excl;
	free(stack);
	return 0;
}

struct trip {
	uint32_t	as;
	uint32_t	group;
	double		v;
};

struct trips {
	struct trip	*t;
	size_t		 n, cap;
};

static int
cmp_trip(const void *x, const void *y)
{
	const struct trip *a = x, *b = y;

	if (a->as != b->as)
		return a->as < b->as ? -1 : 1;
	return a->group < b->group ? -1 : a->group > b->group;
}

static int
cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

/* Gives each peer the index of its AS among peer ASes; returns their
 * number. */
static uint32_t
peer_groups(struct routing_res *r)
{
	uint32_t ng = 0;

	for (size_t i = 0; i < r->npeer; i++) {
		size_t j;

		for (j = 0; j < i && r->peer[j].asn != r->peer[i].asn; j++)
			;
		r->peer[i].group = j < i ? r->peer[j].group : ng++;
	}
	return ng;
}

/* The betweenness of each AS in one peer's routes rt[0..n) (its total
 * weight w > 0), divided by div, as triples. */
static int
peer_bc(struct routing_res *r, const struct res_route *rt, size_t n,
    uint64_t w, double div, uint32_t group, struct trips *tr)
{
	size_t i, touched0 = tr->n;

	for (i = 0; i < n; i++) {
		const uint32_t *p = r->path + rt[i].path;

		for (uint8_t k = 0; k < rt[i].npath; k++) {
			long a = as_idx(r, p[k]);

			if (a < 0)
				return LL_ENOMEM;
			if (r->as[a].mark == i + 1)
				continue;	/* a loop: once a path */
			r->as[a].mark = (uint32_t)i + 1;
			if (r->as[a].hits == 0) {	/* first seen */
				if (ll_grow(&tr->t, &tr->cap, tr->n + 1,
				    sizeof(*tr->t)) != 0)
					return LL_ENOMEM;
				tr->t[tr->n].as = (uint32_t)a;
				tr->t[tr->n++].group = group;
				r->as[a].hits = 1;
			}
			r->as[a].acc += rt[i].excl;
		}
	}
	for (i = touched0; i < tr->n; i++) {
		struct res_as *a = &r->as[tr->t[i].as];

		tr->t[i].v = (double)a->acc / (double)w / div;
		a->acc = 0;
		a->mark = 0;
		a->hits = 0;
	}
	return 0;
}

/* Runs fn over each peer's routes of the settled, peer-sorted table. */
typedef int peer_fn(struct routing_res *r, size_t s, size_t e, void *ctx);
static int
each_peer(struct routing_res *r, peer_fn *fn, void *ctx)
{
	size_t s, e;
	int rc;

	for (s = 0; s < r->nrt; s = e) {
		for (e = s + 1; e < r->nrt && r->rt[e].peer == r->rt[s].peer;
		    e++)
			;
		if ((rc = fn(r, s, e, ctx)) != 0)
			return rc;
	}
	return 0;
}

struct hege_ctx {
	uint32_t	*gpeers;	/* peers seeing the country, per group */
	uint64_t	*w;		/* total weight per peer */
	struct trips	 tr;
};

static int
peer_weight(struct routing_res *r, size_t s, size_t e, void *ctx)
{
	struct hege_ctx *h = ctx;
	uint64_t w = 0;
	int rc;

	if ((rc = exclusive(r->rt + s, e - s)) != 0)
		return rc;
	for (size_t i = s; i < e; i++)
		w += r->rt[i].excl;
	h->w[r->rt[s].peer] = w;
	if (w > 0)
		h->gpeers[r->peer[r->rt[s].peer].group]++;
	return 0;
}

static int
peer_scores(struct routing_res *r, size_t s, size_t e, void *ctx)
{
	struct hege_ctx *h = ctx;
	uint32_t p = r->rt[s].peer, g = r->peer[p].group;

	if (h->w[p] == 0)
		return 0;
	return peer_bc(r, r->rt + s, e - s, h->w[p], (double)h->gpeers[g], g,
	    &h->tr);
}

/* The 10% two-sided trimmed mean of ng values: v[0..k) (sorted) and
 * ng - k zeros. */
static double
trimmed(const double *v, size_t k, size_t ng)
{
	size_t t = ng / 10, j;
	double sum = 0;

	if (ng <= 2 * t)
		return 0;
	for (j = 0; j < k; j++) {
		size_t pos = ng - k + j;

		if (pos >= t && pos < ng - t)
			sum += v[j];
	}
	return sum / (double)(ng - 2 * t);
}

/* Sums the triples of each (AS, group), then sets each AS's hegemony. */
static int
hegemony(struct trips *tr, uint32_t ngroups, double *hege)
{
	double *v;
	size_t i, j, k;

	if (tr->n > 0)
		qsort(tr->t, tr->n, sizeof(*tr->t), cmp_trip);
	if ((v = malloc((ngroups ? ngroups : 1) * sizeof(*v))) == NULL)
		return LL_ENOMEM;
	for (i = 0; i < tr->n; i = j) {
		for (j = i, k = 0; j < tr->n && tr->t[j].as == tr->t[i].as;
		    j++) {
			if (j > i && tr->t[j].group == tr->t[j - 1].group)
				v[k - 1] += tr->t[j].v;
			else
				v[k++] = tr->t[j].v;
		}
		qsort(v, k, sizeof(*v), cmp_double);
		hege[tr->t[i].as] = trimmed(v, k, ngroups);
	}
	free(v);
	return 0;
}

static bool
domestic(const struct res_as *a)
{
	return a->orig_cc > 0 && a->orig_cc * 2 > a->orig_total;
}

enum { F_UP = 1, F_GW = 2, F_TR = 4, F_ORIGIN = 8 };

/* Where a route leaves the country: the last domestic AS walking up from
 * the origin (gateway) and the foreign AS before it (transit); -1 when
 * the origin is foreign or the whole path domestic. */
static void
crossing(struct routing_res *r, const uint32_t *p, uint8_t n, long *gw,
    long *tr)
{
	*gw = *tr = -1;
	for (int k = n - 1; k >= 0; k--) {
		long a = as_idx(r, p[k]);

		if (a >= 0 && !domestic(&r->as[a])) {
			if (k < n - 1) {
				*tr = a;
				*gw = as_idx(r, p[k + 1]);
			}
			return;
		}
	}
}

struct glob {
	uint64_t	*pairs;		/* upstream << 32 | origin */
	size_t		 npairs, cappairs;
	uint64_t	 origins, prefixes, addresses;
};

/* One route (number rno) of a prefix run: hits, and the flags of its
 * upstream, gateway, transit and origin. Returns 0 or LL_ENOMEM. */
static int
glob_route(struct routing_res *r, const struct res_route *rt, uint32_t run,
    uint32_t rno, struct glob *gl, long *touched, size_t *nt)
{
	const uint32_t *p = r->path + rt->path;
	long a, gw, tr, idx[4];
	static const uint8_t fl[4] = { F_UP, F_GW, F_TR, F_ORIGIN };

	for (uint8_t k = 0; k < rt->npath; k++) {
		if ((a = as_idx(r, p[k])) < 0)
			return LL_ENOMEM;
		if (r->as[a].mark != run) {
			r->as[a].mark = run;
			r->as[a].hits = 0;
			r->as[a].flags = 0;
			touched[(*nt)++] = a;
		}
		if (r->as[a].rmark != rno)
			r->as[a].hits++;
		r->as[a].rmark = rno;
	}
	crossing(r, p, rt->npath, &gw, &tr);
	idx[0] = rt->npath >= 2 ? as_idx(r, p[rt->npath - 2]) : -1;
	idx[1] = gw;
	idx[2] = tr;
	idx[3] = as_idx(r, p[rt->npath - 1]);
	for (int k = 0; k < 4; k++)
		if (idx[k] >= 0)
			r->as[idx[k]].flags |= fl[k];
	if (idx[0] >= 0) {
		if (ll_grow(&gl->pairs, &gl->cappairs, gl->npairs + 1,
		    sizeof(*gl->pairs)) != 0)
			return LL_ENOMEM;
		gl->pairs[gl->npairs++] = (uint64_t)r->as[idx[0]].asn << 32 |
		    p[rt->npath - 1];
	}
	return 0;
}

/* Adds the weight of one prefix run to the ASes it touched: chokepoints
 * (on all m routes), upstream, gateway, transit. */
static void
glob_settle(struct routing_res *r, const long *touched, size_t nt,
    uint32_t m, uint64_t w, struct glob *gl)
{
	for (size_t i = 0; i < nt; i++) {
		struct res_as *a = &r->as[touched[i]];

		if (a->hits == m)
			a->choke += w;
		if (a->flags & F_UP)
			a->up += w;
		if (a->flags & F_GW)
			a->gw += w;
		if (a->flags & F_TR)
			a->tr += w;
		if ((a->flags & F_ORIGIN) && !a->origin) {
			gl->origins++;
			a->origin = true;
		}
	}
}

/* The pass over prefixes (table sorted by prefix, then peer). */
static int
glob_pass(struct routing_res *r, struct glob *gl)
{
	long *touched;
	uint32_t run = 0, rno = 0;
	size_t s, e, nt;
	int rc = 0;

	if ((rc = exclusive(r->rt, r->nrt)) != 0)
		return rc;
	if ((touched = malloc((r->nas ? r->nas : 1) * sizeof(*touched))) ==
	    NULL)
		return LL_ENOMEM;
	for (s = 0; s < r->nrt && rc == 0; s = e) {
		run++;
		nt = 0;
		for (e = s; e < r->nrt && r->rt[e].addr == r->rt[s].addr &&
		    r->rt[e].len == r->rt[s].len && rc == 0; e++)
			rc = glob_route(r, &r->rt[e], run, ++rno, gl, touched,
			    &nt);
		glob_settle(r, touched, nt, (uint32_t)(e - s), r->rt[s].excl,
		    gl);
		gl->prefixes++;
		gl->addresses += r->rt[s].excl;
	}
	free(touched);
	return rc;
}

static int
cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* upstream_of: the distinct origins each upstream serves. */
static void
count_pairs(struct routing_res *r, struct glob *gl)
{
	if (gl->npairs > 0)
		qsort(gl->pairs, gl->npairs, sizeof(*gl->pairs), cmp_u64);
	for (size_t i = 0; i < gl->npairs; i++) {
		long a;

		if (i > 0 && gl->pairs[i] == gl->pairs[i - 1])
			continue;
		if ((a = as_idx(r, (uint32_t)(gl->pairs[i] >> 32))) >= 0)
			r->as[a].upstream_of++;
	}
}

/* The peer passes: weights, then betweenness per peer into h->tr. */
static int
peer_pass(struct routing_res *r, struct hege_ctx *h, uint32_t ng,
    uint32_t *active)
{
	int rc;

	if ((h->gpeers = calloc(ng ? ng : 1, sizeof(*h->gpeers))) == NULL ||
	    (h->w = calloc(r->npeer ? r->npeer : 1, sizeof(*h->w))) == NULL)
		return LL_ENOMEM;
	if ((rc = each_peer(r, peer_weight, h)) != 0 ||
	    (rc = each_peer(r, peer_scores, h)) != 0)
		return rc;
	*active = 0;
	for (uint32_t g = 0; g < ng; g++)
		*active += h->gpeers[g] > 0;
	return 0;
}

static int
cmp_res_as(const void *x, const void *y)
{
	const struct routing_res_as *a = x, *b = y;

	if (a->hegemony != b->hegemony)
		return a->hegemony > b->hegemony ? -1 : 1;
	if (a->chokepoint != b->chokepoint)
		return a->chokepoint > b->chokepoint ? -1 : 1;
	return a->asn < b->asn ? -1 : a->asn > b->asn;
}

/* The rows: every AS with a non-zero figure, sorted. */
static int
rows(struct routing_res *r, const double *hege, uint64_t total,
    struct routing_res_as **out, size_t *n)
{
	struct routing_res_as *v;
	double t = total ? (double)total : 1;

	*n = 0;
	if ((v = calloc(r->nas ? r->nas : 1, sizeof(*v))) == NULL)
		return LL_ENOMEM;
	for (size_t i = 0; i < r->nas; i++) {
		const struct res_as *a = &r->as[i];
		struct routing_res_as *o = &v[*n];

		if (hege[i] == 0 && a->choke == 0 && a->up == 0 &&
		    a->gw == 0 && a->tr == 0)
			continue;
		o->asn = a->asn;
		o->domestic = domestic(a);
		o->hegemony = hege[i];
		o->chokepoint = (double)a->choke / t;
		o->upstream = (double)a->up / t;
		o->upstream_of = a->upstream_of;
		o->gateway = (double)a->gw / t;
		o->transit = (double)a->tr / t;
		(*n)++;
	}
	if (*n > 0)
		qsort(v, *n, sizeof(*v), cmp_res_as);
	*out = v;
	return 0;
}

static void
summary(const struct routing_res *r, const struct routing_res_as *v,
    size_t n, struct routing_res_sum *sum)
{
	for (size_t i = 0; i < n; i++) {
		sum->gateways += v[i].gateway > 0;
		sum->transits += v[i].transit > 0;
	}
	sum->sets = r->sets;
}

int
routing_res_compute(struct routing_res *r, struct routing_res_sum *sum,
    struct routing_res_as **out, size_t *n)
{
	struct hege_ctx h;
	struct glob gl;
	double *hege = NULL;
	uint32_t ng, active = 0;
	int rc;

	memset(&h, 0, sizeof(h));
	memset(&gl, 0, sizeof(gl));
	memset(sum, 0, sizeof(*sum));
	*out = NULL;
	*n = 0;
	settle(r);
	ng = peer_groups(r);
	if ((rc = peer_pass(r, &h, ng, &active)) != 0)
		goto out;
	if ((hege = calloc(r->nas ? r->nas : 1, sizeof(*hege))) == NULL) {
		rc = LL_ENOMEM;
		goto out;
	}
	if ((rc = hegemony(&h.tr, active, hege)) != 0)
		goto out;
	if (r->nrt > 0)
		qsort(r->rt, r->nrt, sizeof(*r->rt), cmp_pfx_peer);
	if ((rc = glob_pass(r, &gl)) != 0)
		goto out;
	count_pairs(r, &gl);
	if ((rc = rows(r, hege, gl.addresses, out, n)) != 0)
		goto out;
	sum->prefixes = gl.prefixes;
	sum->addresses = gl.addresses;
	sum->origins = gl.origins;
	sum->peer_ases = active;
	for (size_t i = 0; i < r->npeer; i++)
		sum->peers += h.w[i] > 0;
	summary(r, *out, *n, sum);
out:
	free(h.gpeers);
	free(h.w);
	free(h.tr.t);
	free(gl.pairs);
	free(hege);
	return rc;
}
