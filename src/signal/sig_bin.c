/*
 * One bin, IODA's way (docs/signals.md): full-feed peers and their ASes,
 * then per family a sweep over the prefixes in address order that finds
 * the visible ones (enough full-feed peer ASes see them) and counts the
 * /24s (/48s) they cover: once per country and region, and once per
 * origin AS that a full-feed peer sees for them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signal/sig_int.h"
#include "util/err.h"
#include "util/grow.h"

static void
names_free(struct sig_names *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->nblk; i++)
		free(n->blk[i]);
	free(n->blk);
	free(n);
}

/* Makes name id (ids come in order: 0, 1, ...) in *np. */
static int
names_set(struct sig_names **np, size_t id, const char *pfx, const char *v)
{
	struct sig_names *n = *np;
	size_t b = id / SIG_NAMES_BLK;
	int rc;

	if (n == NULL && (n = *np = calloc(1, sizeof(*n))) == NULL)
		return LL_ENOMEM;
	if (b >= n->nblk) {
		if ((rc = ll_grow(&n->blk, &n->cap, b + 1,
		    sizeof(*n->blk))) != 0)
			return rc;
		if ((n->blk[b] = malloc(SIG_NAMES_BLK *
		    sizeof(*n->blk[b]))) == NULL)
			return LL_ENOMEM;
		n->nblk = b + 1;
	}
	snprintf(n->blk[b][id % SIG_NAMES_BLK], sizeof(n->blk[b][0]), "%s%s",
	    pfx, v);
	return 0;
}

static const char *
name_of(const struct sig_names *n, size_t id)
{
	return n->blk[id / SIG_NAMES_BLK][id % SIG_NAMES_BLK];
}

void
sig_bin_fini(struct sig *s)
{
	free(s->geo);
	free(s->region);
	free(s->cname);
	names_free(s->rname);
	names_free(s->aname);
	sig_map_fini(&s->region_map);
	sig_map_fini(&s->asn_map);
	free(s->asn_of);
	free(s->asn_sorted);
	free(s->region_sorted);
	for (int f = 0; f < 2; f++) {
		free(s->acc[f].rval);
		free(s->acc[f].rever);
		free(s->acc[f].aval);
		free(s->acc[f].aever);
		free(s->acc[f].acov);
		free(s->fam[f].ffmask);
		free(s->fam[f].single);
		free(s->fam[f].groups);
	}
	free(s->keys);
	free(s->origins);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static uint32_t
peer_count(const struct sig_peer *p, int f)
{
	return f == SIG_F4 ? p->n4 : p->n6;
}

/*
 * The full-feed peers of family f (bvc_visibility.c find_ff_peers(): a
 * table of at least 400,000 IPv4 / 10,000 IPv6 prefixes; or the
 * --full-feed override), their ASes, how they vote, and the collectors'
 * health values (column h of SIG_KIND_*: peers, full-feed peers,
 * full-feed ASes).
 */
static int
fam_prepare(struct sig *s, int f)
{
	struct sig_fam *F = &s->fam[f];
	uint32_t thr = f == SIG_F4 ? s->o.ff_v4 : s->o.ff_v6, nk = 0;
	size_t w = s->w, h = (size_t)f * 3;
	void *p;
	int rc;

	F->max = 0;
	for (size_t i = 0; i < s->npeer; i++)
		if (peer_count(&s->peer[i], f) > F->max)
			F->max = peer_count(&s->peer[i], f);
	for (int k = 0; k < 3; k++) {
		for (size_t c = 0; c < s->ncoll; c++)
			s->health[c].v[h + (size_t)k] = 0;
		s->health_all.v[h + (size_t)k] = 0;
	}
	p = realloc(F->ffmask, w * sizeof(*F->ffmask));
	if (p == NULL)
		return LL_ENOMEM;
	F->ffmask = p;
	p = realloc(F->single, w * sizeof(*F->single));
	if (p == NULL)
		return LL_ENOMEM;
	F->single = p;
	memset(F->ffmask, 0, w * sizeof(*F->ffmask));
	memset(F->single, 0, w * sizeof(*F->single));
	F->nff = 0;
	for (size_t i = 0; i < s->npeer; i++) {
		const struct sig_peer *x = &s->peer[i];
		uint32_t n = peer_count(x, f);
		bool ff;

		if (n == 0)
			continue;
		s->health[x->collector].v[h]++;
		s->health_all.v[h]++;
		if (s->o.ff_pct > 0)
			ff = (double)n * 100.0 >= s->o.ff_pct * (double)F->max;
		else
			ff = n >= thr;
		if (!ff)
			continue;
		F->ffmask[i / 64] |= (uint64_t)1 << (i % 64);
		F->nff++;
		s->health[x->collector].v[h + 1]++;
		/* AS, then collector, then peer: runs of one AS, and within
		 * them of one collector. */
		s->keys[nk++] = (uint64_t)x->asn << 32 |
		    (uint64_t)x->collector << 16 | i;
	}
	s->health_all.v[h + 1] = F->nff;
	/* Peers alone in their AS vote through single, the others through
	 * one mask per AS. */
	qsort(s->keys, nk, sizeof(*s->keys), cmp_u64);
	F->nasn = 0;
	F->ngroups = 0;
	for (uint32_t i = 0, j; i < nk; i = j) {
		uint32_t asn = (uint32_t)(s->keys[i] >> 32);
		uint64_t *m;

		for (j = i + 1; j < nk && (uint32_t)(s->keys[j] >> 32) == asn;
		    j++)
			;
		F->nasn++;
		for (uint32_t k = i; k < j; k++) {
			uint16_t c = (uint16_t)(s->keys[k] >> 16);

			if (k == i || c != (uint16_t)(s->keys[k - 1] >> 16))
				s->health[c].v[h + 2]++;
		}
		if (j - i == 1) {
			uint32_t pi = (uint32_t)(s->keys[i] & 0xffff);

			F->single[pi / 64] |= (uint64_t)1 << (pi % 64);
			continue;
		}
		if ((rc = ll_grow(&F->groups, &F->groups_cap,
		    (F->ngroups + 1) * w, sizeof(*F->groups))) != 0)
			return rc;
		m = F->groups + F->ngroups * w;
		memset(m, 0, w * sizeof(*m));
		for (uint32_t k = i; k < j; k++) {
			uint32_t pi = (uint32_t)(s->keys[k] & 0xffff);

			m[pi / 64] |= (uint64_t)1 << (pi % 64);
		}
		F->ngroups++;
	}
	s->health_all.v[h + 2] = F->nasn;
	/* ratio = votes / nasn >= vis_pct / 100, in integers (the ratio of
	 * bvc_perasvisibility.c peras_info_update() is a double; for these
	 * thresholds the two agree). At least one vote in any case. */
	F->need = (uint32_t)(((uint64_t)s->vis_pct * F->nasn + 99) / 100);
	if (F->need == 0)
		F->need = 1;
	return 0;
}

static int
full_feed(struct sig *s)
{
	void *p;
	int rc;

	p = realloc(s->keys, (s->npeer + 1) * sizeof(*s->keys));
	if (p == NULL)
		return LL_ENOMEM;
	s->keys = p;
	for (int f = 0; f < 2; f++)
		if ((rc = fam_prepare(s, f)) != 0)
			return rc;
	s->st.full_feed = s->fam[SIG_F4].nff;
	s->st.full_feed6 = s->fam[SIG_F6].nff;
	p = realloc(s->origins, (s->npeer + 1) * sizeof(*s->origins));
	if (p == NULL)
		return LL_ENOMEM;
	s->origins = p;
	return 0;
}

static int
cmp_pfx(const void *a, const void *b, void *ctx)
{
	const struct sig *s = ctx;
	const struct net_prefix *x = &s->pfx[*(const uint32_t *)a].p;
	const struct net_prefix *y = &s->pfx[*(const uint32_t *)b].p;
	int c = memcmp(x->a, y->a, x->af == NET_AF4 ? 4 : 16);

	if (c != 0)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

/* Merges the prefixes seen since the last bin into the sorted order. */
static int
merge_pending(struct sig *s, struct sig_sorted *o)
{
	size_t i, j, k, n;
	int rc;

	if (o->npending == 0)
		return 0;
	n = o->norder + o->npending;
	if ((rc = ll_grow(&o->order, &o->order_cap, n,
	    sizeof(*o->order))) != 0)
		return rc;
	qsort_r(o->pending, o->npending, sizeof(*o->pending), cmp_pfx, s);
	/* Merge from the back, in place. */
	i = o->norder;
	j = o->npending;
	k = n;
	while (j > 0) {
		if (i > 0 && cmp_pfx(&o->pending[j - 1], &o->order[i - 1],
		    s) < 0)
			o->order[--k] = o->order[--i];
		else
			o->order[--k] = o->pending[--j];
	}
	o->norder = n;
	o->npending = 0;
	return 0;
}

/* Whether at least F->need distinct full-feed peer ASes hold prefix pi
 * (bvc_perasvisibility.c compute_origin_pfx_visibility(): the set of
 * full-feed peer ASes of a prefix). */
static bool
visible(const struct sig *s, const struct sig_fam *F, uint32_t pi)
{
	const uint64_t *b = &s->bits[(size_t)pi * s->w];
	uint32_t cnt = 0;

	for (size_t k = 0; k < s->w; k++)
		cnt += (uint32_t)__builtin_popcountll(b[k] & F->single[k]);
	for (size_t g = 0; g < F->ngroups && cnt < F->need; g++) {
		const uint64_t *m = F->groups + g * s->w;

		for (size_t k = 0; k < s->w; k++) {
			if (b[k] & m[k]) {
				cnt++;
				break;
			}
		}
	}
	return cnt >= F->need;
}

/* The distinct known origins the full-feed peers holding pi see, into
 * s->origins; returns how many (bvc_perasvisibility.c add_origin()). */
static uint32_t
origins(struct sig *s, const struct sig_fam *F, uint32_t pi)
{
	const uint64_t *b = &s->bits[(size_t)pi * s->w];
	uint32_t n = 0;

	if (s->pfx[pi].nexc == 0) {
		if (s->pfx[pi].origin == 0)
			return 0;
		s->origins[0] = s->pfx[pi].origin;
		return 1;
	}
	for (size_t k = 0; k < s->w; k++) {
		uint64_t m = b[k] & F->ffmask[k];

		while (m) {
			uint32_t peer = (uint32_t)(k * 64 +
			    (unsigned)__builtin_ctzll(m));
			uint32_t o = sig_peer_origin(s, pi, peer), t;

			m &= m - 1;
			if (o == 0)
				continue;
			for (t = 0; t < n && s->origins[t] != o; t++)
				;
			if (t == n)
				s->origins[n++] = o;
		}
	}
	return n;
}

/* Regions, interned. */
static uint64_t
str_hash(const char *p)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ULL;
	return h & ~(1ULL << 63);
}

static int
region_id(struct sig *s, const char *r, uint32_t *id)
{
	uint64_t h = str_hash(r);
	size_t cap;
	uint32_t *v = sig_map_get(&s->region_map, h);
	void *p;
	int rc;

	if (v != NULL && strncmp(s->region[*v], r, 7) == 0) {
		*id = *v;
		return 0;
	}
	for (size_t i = 0; v != NULL && i < s->nregion; i++) {
		if (strncmp(s->region[i], r, 7) == 0) {
			*id = (uint32_t)i;
			return 0;
		}
	}
	cap = s->region_cap;
	if ((rc = ll_grow(&s->region, &s->region_cap, s->nregion + 1,
	    sizeof(*s->region))) != 0)
		return rc;
	for (int f = 0; f < 2 && cap != s->region_cap; f++) {
		struct sig_acc *a = &s->acc[f];

		p = realloc(a->rval, s->region_cap * sizeof(*a->rval));
		if (p == NULL)
			return LL_ENOMEM;
		a->rval = p;
		p = realloc(a->rever, s->region_cap * sizeof(*a->rever));
		if (p == NULL)
			return LL_ENOMEM;
		a->rever = p;
	}
	memset(s->region[s->nregion], 0, sizeof(s->region[0]));
	strncpy(s->region[s->nregion], r, sizeof(s->region[0]) - 1);
	if ((rc = names_set(&s->rname, s->nregion, "region:",
	    s->region[s->nregion])) != 0)
		return rc;
	for (int f = 0; f < 2; f++) {
		s->acc[f].rval[s->nregion] = 0;
		s->acc[f].rever[s->nregion] = false;
	}
	if (v == NULL &&
	    (rc = sig_map_put(&s->region_map, h, (uint32_t)s->nregion)) != 0)
		return rc;
	*id = (uint32_t)s->nregion++;
	return 0;
}

static int
cc_index(const char *cc)
{
	if (cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z' ||
	    cc[2] != '\0')
		return 0;
	return (cc[0] - 'A') * 26 + (cc[1] - 'A') + 1;
}

static int
geo_piece(void *ctx, const char *cc, const char *region, uint64_t units)
{
	struct sig *s = ctx;
	struct sig_geo *g;
	uint32_t rid = 0;
	int ci = cc != NULL ? cc_index(cc) : 0, rc;

	if (region != NULL && *region != '\0' && (s->o.by & SIG_BY_REGION)) {
		if ((rc = region_id(s, region, &rid)) != 0)
			return rc;
		rid++;
	}
	if (ci == 0 && rid == 0)
		return 0;
	if ((rc = ll_grow(&s->geo, &s->geo_cap, s->ngeo + 1,
	    sizeof(*s->geo))) != 0)
		return rc;
	g = &s->geo[s->ngeo++];
	g->cc = (uint16_t)ci;
	g->region = rid;
	g->units = units;
	return 0;
}

/* Credits the countries and regions of a visible prefix no other visible
 * prefix covers: its pieces, or for a prefix longer than the unit (/24,
 * /48) those of the unit holding it. */
static int
credit_geo(struct sig *s, struct sig_acc *A, uint32_t pi, uint8_t unit)
{
	struct sig_pfx *x = &s->pfx[pi];
	size_t off = s->ngeo;
	int rc;

	if (x->geo_off == SIG_NO_GEO) {
		struct net_prefix q = x->p;

		if (q.len > unit) {
			q.len = unit;
			net_prefix_mask(&q);
		}
		if (s->o.split != NULL)
			rc = s->o.split(s->o.split_ctx, &q, geo_piece, s);
		else if (s->o.geo != NULL)
			rc = geo_split(s->o.geo, &q, geo_piece, s);
		else
			rc = 0;
		if (rc != 0) {
			s->ngeo = off;
			return rc;
		}
		if (s->ngeo - off > UINT16_MAX || off >= SIG_NO_GEO)
			return LL_ELIMIT;
		x->geo_off = (uint32_t)off;
		x->geo_n = (uint16_t)(s->ngeo - off);
	}
	for (size_t i = 0; i < x->geo_n; i++) {
		const struct sig_geo *g = &s->geo[x->geo_off + i];

		if (g->cc)
			A->cval[g->cc] += g->units;
		if (g->region)
			A->rval[g->region - 1] += g->units;
	}
	return 0;
}

/* The id of AS asn, made when new. */
static int
asn_id(struct sig *s, uint32_t asn, uint32_t *out)
{
	char num[12];
	uint32_t *v, id;
	size_t cap;
	void *p;
	int rc;

	/* Prefixes in address order often share their origin. */
	if (s->nasn > 0 && s->asn_of[s->last_aid] == asn) {
		*out = s->last_aid;
		return 0;
	}
	if ((v = sig_map_get(&s->asn_map, asn)) != NULL) {
		*out = s->last_aid = *v;
		return 0;
	}
	cap = s->asn_cap;
	if ((rc = ll_grow(&s->asn_of, &s->asn_cap, s->nasn + 1,
	    sizeof(*s->asn_of))) != 0)
		return rc;
	for (int f = 0; f < 2 && cap != s->asn_cap; f++) {
		struct sig_acc *a = &s->acc[f];

		p = realloc(a->aval, s->asn_cap * sizeof(*a->aval));
		if (p == NULL)
			return LL_ENOMEM;
		a->aval = p;
		p = realloc(a->aever, s->asn_cap * sizeof(*a->aever));
		if (p == NULL)
			return LL_ENOMEM;
		a->aever = p;
		p = realloc(a->acov, s->asn_cap * sizeof(*a->acov));
		if (p == NULL)
			return LL_ENOMEM;
		a->acov = p;
	}
	snprintf(num, sizeof(num), "%u", asn);
	if ((rc = names_set(&s->aname, s->nasn, "asn:", num)) != 0)
		return rc;
	id = (uint32_t)s->nasn++;
	s->asn_of[id] = asn;
	for (int f = 0; f < 2; f++) {
		s->acc[f].aval[id] = 0;
		s->acc[f].aever[id] = false;
		s->acc[f].acov[id] = 0;
	}
	*out = id;
	return sig_map_put(&s->asn_map, asn, id);
}

/*
 * Credits AS asn with the units [start, end) of a visible prefix. The
 * sweep brings prefixes in address order, so the units an AS has not got
 * yet are those past the end of what it got so far: an AS's own
 * overlapping prefixes count once (bgpstream_utils_patricia.c
 * bgpstream_patricia_tree_count_subnets() over the AS's tree of visible
 * prefixes).
 */
static int
credit_asn(struct sig *s, struct sig_acc *A, uint32_t asn, uint64_t start,
    uint64_t end)
{
	uint32_t id;
	int rc;

	if ((rc = asn_id(s, asn, &id)) != 0)
		return rc;
	if (A->acov[id] > start)
		start = A->acov[id];
	if (end > start) {
		A->aval[id] += end - start;
		A->acov[id] = end;
	}
	return 0;
}

/* The units (/24s, /48s) of prefix p: [start, end), a prefix longer than
 * the unit making the unit holding it. */
static void
units_of(const struct net_prefix *p, uint64_t *start, uint64_t *end)
{
	uint64_t hi = 0;
	unsigned unit = p->af == NET_AF4 ? 24 : 48;
	unsigned len = p->len < unit ? p->len : unit;

	for (int i = 0; i < (p->af == NET_AF4 ? 4 : 8); i++)
		hi = hi << 8 | p->a[i];
	*start = p->af == NET_AF4 ? hi >> 8 : hi >> 16;
	*end = *start + ((uint64_t)1 << (unit - len));
}

/*
 * The sweep of family f over its prefixes in (address, length) order: a
 * prefix counts when it is visible and a full-feed peer holding it sees a
 * known origin (bvc_perasvisibility.c and bvc_pergeovisibility.c skip a
 * prefix with no valid origin). A visible prefix inside the units of an
 * earlier one adds nothing to countries and regions; each origin AS gets
 * the units it has not got yet.
 */
static int
sweep(struct sig *s, int f)
{
	const struct sig_fam *F = &s->fam[f];
	const struct sig_sorted *o = &s->ord[f];
	struct sig_acc *A = &s->acc[f];
	uint8_t unit = f == SIG_F4 ? 24 : 48;
	bool geo = (s->o.by & (SIG_BY_COUNTRY | SIG_BY_REGION)) != 0;
	bool asn = (s->o.by & SIG_BY_ASN) != 0;
	uint64_t covered = 0, nvis = 0;
	int rc;

	if (F->nasn == 0)
		return 0;
	for (size_t i = 0; i < o->norder; i++) {
		uint32_t pi = o->order[i], n;
		uint64_t start, end;

		if (s->pfx[pi].npeers < F->need || !visible(s, F, pi) ||
		    (n = origins(s, F, pi)) == 0)
			continue;
		nvis++;
		units_of(&s->pfx[pi].p, &start, &end);
		if (start >= covered) {
			if (geo && (rc = credit_geo(s, A, pi, unit)) != 0)
				return rc;
			covered = end;
		}
		for (uint32_t k = 0; asn && k < n; k++)
			if ((rc = credit_asn(s, A, s->origins[k], start,
			    end)) != 0)
				return rc;
	}
	if (f == SIG_F4)
		s->st.visible = nvis;
	return 0;
}

static int
compute(struct sig *s)
{
	static const unsigned series[2] = { SIG_SERIES_V4, SIG_SERIES_V6 };
	int rc;

	if ((rc = full_feed(s)) != 0)
		return rc;
	s->st.visible = 0;
	for (int f = 0; f < 2; f++) {
		struct sig_acc *A = &s->acc[f];

		if (!(s->o.series & series[f]))
			continue;
		if ((rc = merge_pending(s, &s->ord[f])) != 0)
			return rc;
		memset(A->cval, 0, sizeof(A->cval));
		if (s->nregion)
			memset(A->rval, 0, s->nregion * sizeof(*A->rval));
		if (s->nasn) {
			memset(A->aval, 0, s->nasn * sizeof(*A->aval));
			memset(A->acov, 0, s->nasn * sizeof(*A->acov));
		}
		if ((rc = sweep(s, f)) != 0)
			return rc;
	}
	return 0;
}

static int
cmp_region(const void *a, const void *b, void *ctx)
{
	const struct sig *s = ctx;

	return strcmp(s->region[*(const uint32_t *)a],
	    s->region[*(const uint32_t *)b]);
}

static int
cmp_asn(const void *a, const void *b, void *ctx)
{
	const struct sig *s = ctx;
	uint32_t x = s->asn_of[*(const uint32_t *)a];
	uint32_t y = s->asn_of[*(const uint32_t *)b];

	return (x > y) - (x < y);
}

static int
cmp_coll(const void *a, const void *b, void *ctx)
{
	const struct sig *s = ctx;

	return strcmp(s->cent[*(const uint32_t *)a],
	    s->cent[*(const uint32_t *)b]);
}

/* Keeps the emission order (by name, by AS number) up to date. */
static int
sort_ids(struct sig *s, uint32_t **ids, size_t *nids, size_t n,
    int (*cmp)(const void *, const void *, void *))
{
	uint32_t *p;

	if (*nids == n)
		return 0;
	p = realloc(*ids, (n + 1) * sizeof(*p));
	if (p == NULL)
		return LL_ENOMEM;
	for (size_t i = 0; i < n; i++)
		p[i] = (uint32_t)i;
	qsort_r(p, n, sizeof(*p), cmp, s);
	*ids = p;
	*nids = n;
	return 0;
}

static int
put(struct sig *s, const char *kind, int64_t t, const char *ent, uint64_t v,
    bool *ever)
{
	if (v == 0 && !*ever)
		return 0;
	*ever = true;
	s->st.points++;
	return s->emit != NULL ? s->emit(s->ctx, kind, t, ent, v) : 0;
}

/* The 676 country names, in the order of cc_index(). */
static int
country_names(struct sig *s)
{
	if (s->cname != NULL)
		return 0;
	if ((s->cname = calloc(677, sizeof(*s->cname))) == NULL)
		return LL_ENOMEM;
	for (int i = 1; i <= 676; i++)
		snprintf(s->cname[i], sizeof(s->cname[i]), "country:%c%c",
		    'A' + (i - 1) / 26, 'A' + (i - 1) % 26);
	return 0;
}

/* The visibility series of family f. */
static int
emit_vis(struct sig *s, int f, int64_t t)
{
	struct sig_acc *A = &s->acc[f];
	const char *kind = s->kind[f];
	int rc;

	if (s->o.by & SIG_BY_COUNTRY) {
		if ((rc = country_names(s)) != 0)
			return rc;
		for (int i = 1; i <= 676; i++) {
			if (A->cval[i] == 0 && !A->cever[i])
				continue;
			if ((rc = put(s, kind, t, s->cname[i], A->cval[i],
			    &A->cever[i])) != 0)
				return rc;
		}
	}
	if (s->o.by & SIG_BY_REGION) {
		if ((rc = sort_ids(s, &s->region_sorted, &s->nregion_sorted,
		    s->nregion, cmp_region)) != 0)
			return rc;
		for (size_t i = 0; i < s->nregion; i++) {
			uint32_t id = s->region_sorted[i];

			if ((rc = put(s, kind, t, name_of(s->rname, id),
			    A->rval[id], &A->rever[id])) != 0)
				return rc;
		}
	}
	if (s->o.by & SIG_BY_ASN) {
		if ((rc = sort_ids(s, &s->asn_sorted, &s->nasn_sorted,
		    s->nasn, cmp_asn)) != 0)
			return rc;
		for (size_t i = 0; i < s->nasn; i++) {
			uint32_t id = s->asn_sorted[i];

			if ((rc = put(s, kind, t, name_of(s->aname, id),
			    A->aval[id], &A->aever[id])) != 0)
				return rc;
		}
	}
	return 0;
}

/* Collector health: kind by kind, "collector:all" and then each
 * collector by name (bvc_visibility.c dump_gen_metrics(), per collector
 * as well as overall). */
static int
emit_health(struct sig *s, int64_t t)
{
	static const char *const kinds[SIG_NHEALTH] = {
		SIG_KIND_PEERS, SIG_KIND_FF_PEERS, SIG_KIND_FF_ASNS,
		SIG_KIND6_PEERS, SIG_KIND6_FF_PEERS, SIG_KIND6_FF_ASNS,
	};
	int rc;

	if ((rc = sort_ids(s, &s->coll_sorted, &s->ncoll_sorted, s->ncoll,
	    cmp_coll)) != 0)
		return rc;
	/* A collector's full-feed counts are emitted from its first peer
	 * with routes of the family on, so that none reads 0. */
	for (int k = 0; k < SIG_NHEALTH; k++) {
		struct sig_health *a = &s->health_all;
		int base = k - k % 3;

		a->ever[k] = a->ever[k] || a->ever[base];
		if ((rc = put(s, kinds[k], t, SIG_COLLECTOR_ALL, a->v[k],
		    &a->ever[k])) != 0)
			return rc;
		for (size_t i = 0; i < s->ncoll; i++) {
			uint32_t c = s->coll_sorted[i];
			struct sig_health *h = &s->health[c];

			h->ever[k] = h->ever[k] || h->ever[base];
			if ((rc = put(s, kinds[k], t, s->cent[c], h->v[k],
			    &h->ever[k])) != 0)
				return rc;
		}
	}
	return 0;
}

int
sig_bin_emit(struct sig *s, int64_t t)
{
	int rc;

	if (s->dirty || !s->computed) {
		if ((rc = compute(s)) != 0)
			return rc;
		s->dirty = false;
		s->computed = true;
	}
	s->st.bins++;
	if ((s->o.series & SIG_SERIES_V4) && (rc = emit_vis(s, SIG_F4, t)) != 0)
		return rc;
	if ((s->o.series & SIG_SERIES_V6) && (rc = emit_vis(s, SIG_F6, t)) != 0)
		return rc;
	if ((s->o.series & SIG_SERIES_HEALTH) && (rc = emit_health(s, t)) != 0)
		return rc;
	return 0;
}
