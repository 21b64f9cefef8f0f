/*
 * One bin: full-feed peers, visible prefixes, and a sweep over them in
 * address order that counts each /24 once, for the country and region of
 * its address and for the origin AS of the most specific visible prefix
 * covering it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signal/sig_int.h"
#include "util/err.h"
#include "util/grow.h"

static uint32_t
addr4(const struct net_prefix *p)
{
	return (uint32_t)p->a[0] << 24 | (uint32_t)p->a[1] << 16 |
	    (uint32_t)p->a[2] << 8 | p->a[3];
}

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
	free(s->rval);
	free(s->rever);
	sig_map_fini(&s->asn_map);
	free(s->asn_of);
	free(s->aval);
	free(s->aever);
	free(s->asn_sorted);
	free(s->region_sorted);
	free(s->ffmask);
	free(s->tally_as);
	free(s->tally_n);
}

/* Full-feed peers (IPv4 for the mask, IPv6 counted). */
static int
full_feed(struct sig *s)
{
	uint32_t max4 = 0;
	void *p;

	p = realloc(s->ffmask, s->w * sizeof(*s->ffmask));
	if (p == NULL)
		return LL_ENOMEM;
	s->ffmask = p;
	memset(s->ffmask, 0, s->w * sizeof(*s->ffmask));
	for (size_t i = 0; i < s->npeer; i++)
		if (s->peer[i].n4 > max4)
			max4 = s->peer[i].n4;
	s->nff = s->nff6 = 0;
	for (size_t i = 0; i < s->npeer; i++) {
		uint32_t n4 = s->peer[i].n4;
		bool ff;

		if (s->o.ff_pct > 0)
			ff = n4 > 0 && (double)n4 * 100.0 >=
			    s->o.ff_pct * (double)max4;
		else
			ff = n4 > s->o.ff_v4;
		if (ff) {
			s->ffmask[i / 64] |= (uint64_t)1 << (i % 64);
			s->nff++;
		}
		if (s->peer[i].n6 > s->o.ff_v6)
			s->nff6++;
	}
	s->st.full_feed = s->nff;
	s->st.full_feed6 = s->nff6;
	if (max4 > s->st.max_v4)
		s->st.max_v4 = max4;
	for (size_t i = 0; i < s->npeer; i++)
		if (s->peer[i].n6 > s->st.max_v6)
			s->st.max_v6 = s->peer[i].n6;
	p = realloc(s->tally_as, (s->nff + 1) * sizeof(*s->tally_as));
	if (p == NULL)
		return LL_ENOMEM;
	s->tally_as = p;
	p = realloc(s->tally_n, (s->nff + 1) * sizeof(*s->tally_n));
	if (p == NULL)
		return LL_ENOMEM;
	s->tally_n = p;
	return 0;
}

static int
cmp_pfx(const void *a, const void *b, void *ctx)
{
	const struct sig *s = ctx;
	const struct net_prefix *x = &s->pfx[*(const uint32_t *)a].p;
	const struct net_prefix *y = &s->pfx[*(const uint32_t *)b].p;
	uint32_t ax = addr4(x), ay = addr4(y);

	if (ax != ay)
		return ax < ay ? -1 : 1;
	return (x->len > y->len) - (x->len < y->len);
}

static bool
pfx_less(const struct sig *s, uint32_t a, uint32_t b)
{
	uint32_t ax = addr4(&s->pfx[a].p), ay = addr4(&s->pfx[b].p);

	return ax != ay ? ax < ay : s->pfx[a].p.len < s->pfx[b].p.len;
}

/* Merges the prefixes seen since the last bin into the sorted order. */
static int
merge_pending(struct sig *s)
{
	size_t i, j, k, n;
	int rc;

	if (s->npending == 0)
		return 0;
	n = s->norder + s->npending;
	if ((rc = ll_grow(&s->order, &s->order_cap, n,
	    sizeof(*s->order))) != 0)
		return rc;
	qsort_r(s->pending, s->npending, sizeof(*s->pending), cmp_pfx, s);
	/* Merge from the back, in place. */
	i = s->norder;
	j = s->npending;
	k = n;
	while (j > 0) {
		if (i > 0 && pfx_less(s, s->pending[j - 1], s->order[i - 1]))
			s->order[--k] = s->order[--i];
		else
			s->order[--k] = s->pending[--j];
	}
	s->norder = n;
	s->npending = 0;
	return 0;
}

static bool
visible(const struct sig *s, uint32_t pi)
{
	const uint64_t *b = &s->bits[(size_t)pi * s->w];
	uint64_t cnt = 0, need = (uint64_t)s->ppm * s->nff;

	if ((uint64_t)s->pfx[pi].npeers * 1000000 <= need)
		return false;
	for (size_t k = 0; k < s->w; k++)
		cnt += (uint64_t)__builtin_popcountll(b[k] & s->ffmask[k]);
	return cnt * 1000000 > need;
}

/* The origin AS most full-feed peers see; ties go to the lowest AS. */
static uint32_t
best_origin(struct sig *s, uint32_t pi)
{
	const uint64_t *b = &s->bits[(size_t)pi * s->w];
	uint32_t nt = 0, best = 0, bestn = 0;

	if (s->pfx[pi].nexc == 0)
		return s->pfx[pi].origin;
	for (size_t k = 0; k < s->w; k++) {
		uint64_t m = b[k] & s->ffmask[k];

		while (m) {
			uint32_t peer = (uint32_t)(k * 64 +
			    (unsigned)__builtin_ctzll(m));
			uint32_t o = sig_peer_origin(s, pi, peer), t;

			m &= m - 1;
			for (t = 0; t < nt && s->tally_as[t] != o; t++)
				;
			if (t == nt) {
				s->tally_as[nt] = o;
				s->tally_n[nt++] = 0;
			}
			s->tally_n[t]++;
		}
	}
	for (uint32_t t = 0; t < nt; t++) {
		if (s->tally_n[t] > bestn ||
		    (s->tally_n[t] == bestn && s->tally_as[t] < best)) {
			best = s->tally_as[t];
			bestn = s->tally_n[t];
		}
	}
	return best;
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
	if (cap != s->region_cap) {
		p = realloc(s->rval, s->region_cap * sizeof(*s->rval));
		if (p == NULL)
			return LL_ENOMEM;
		s->rval = p;
		p = realloc(s->rever, s->region_cap * sizeof(*s->rever));
		if (p == NULL)
			return LL_ENOMEM;
		s->rever = p;
	}
	memset(s->region[s->nregion], 0, sizeof(s->region[0]));
	strncpy(s->region[s->nregion], r, sizeof(s->region[0]) - 1);
	if ((rc = names_set(&s->rname, s->nregion, "region:",
	    s->region[s->nregion])) != 0)
		return rc;
	s->rval[s->nregion] = 0;
	s->rever[s->nregion] = false;
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
	g->units = (uint32_t)units;
	return 0;
}

/* Credits the countries and regions of a maximal visible prefix. */
static int
credit_geo(struct sig *s, uint32_t pi)
{
	struct sig_pfx *x = &s->pfx[pi];
	size_t off = s->ngeo;
	int rc;

	if (x->geo_off == SIG_NO_GEO) {
		if (s->o.split != NULL)
			rc = s->o.split(s->o.split_ctx, &x->p, geo_piece, s);
		else if (s->o.geo != NULL)
			rc = geo_split(s->o.geo, &x->p, geo_piece, s);
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
			s->cval[g->cc] += g->units;
		if (g->region)
			s->rval[g->region - 1] += g->units;
	}
	return 0;
}

static int
credit_asn(struct sig *s, uint32_t asn, uint64_t units)
{
	char num[12];
	uint32_t *v, id;
	size_t cap;
	void *p;
	int rc;

	if (asn == 0 || units == 0)
		return 0;
	v = sig_map_get(&s->asn_map, asn);
	if (v != NULL) {
		s->aval[*v] += units;
		return 0;
	}
	cap = s->asn_cap;
	if ((rc = ll_grow(&s->asn_of, &s->asn_cap, s->nasn + 1,
	    sizeof(*s->asn_of))) != 0)
		return rc;
	if (cap != s->asn_cap) {
		p = realloc(s->aval, s->asn_cap * sizeof(*s->aval));
		if (p == NULL)
			return LL_ENOMEM;
		s->aval = p;
		p = realloc(s->aever, s->asn_cap * sizeof(*s->aever));
		if (p == NULL)
			return LL_ENOMEM;
		s->aever = p;
	}
	snprintf(num, sizeof(num), "%u", asn);
	if ((rc = names_set(&s->aname, s->nasn, "asn:", num)) != 0)
		return rc;
	id = (uint32_t)s->nasn++;
	s->asn_of[id] = asn;
	s->aval[id] = units;
	s->aever[id] = false;
	return sig_map_put(&s->asn_map, asn, id);
}

struct open_pfx {
	uint64_t	end;		/* one past the last address */
	uint32_t	pi;
	uint32_t	child;		/* /24s of visible children */
};

static int
close_pfx(struct sig *s, const struct open_pfx *o)
{
	uint64_t units = (uint64_t)1 << (24 - s->pfx[o->pi].p.len);

	if (!(s->o.by & SIG_BY_ASN))
		return 0;
	return credit_asn(s, best_origin(s, o->pi), units - o->child);
}

/* The sweep: visible prefixes in (address, length) order nest. */
static int
sweep(struct sig *s)
{
	struct open_pfx st[40];
	size_t depth = 0;
	int rc;

	s->st.visible = 0;
	for (size_t i = 0; i < s->norder; i++) {
		uint32_t pi = s->order[i];
		const struct sig_pfx *x = &s->pfx[pi];
		uint64_t start = addr4(&x->p);

		if (x->npeers == 0 || !visible(s, pi))
			continue;
		s->st.visible++;
		while (depth > 0 && st[depth - 1].end <= start)
			if ((rc = close_pfx(s, &st[--depth])) != 0)
				return rc;
		if (depth > 0)
			st[depth - 1].child += 1U << (24 - x->p.len);
		else if ((s->o.by & (SIG_BY_COUNTRY | SIG_BY_REGION)) &&
		    (rc = credit_geo(s, pi)) != 0)
			return rc;
		st[depth].end = start + ((uint64_t)1 << (32 - x->p.len));
		st[depth].pi = pi;
		st[depth].child = 0;
		depth++;
	}
	while (depth > 0)
		if ((rc = close_pfx(s, &st[--depth])) != 0)
			return rc;
	return 0;
}

static int
compute(struct sig *s)
{
	int rc;

	if ((rc = full_feed(s)) != 0 || (rc = merge_pending(s)) != 0)
		return rc;
	memset(s->cval, 0, sizeof(s->cval));
	if (s->nregion)
		memset(s->rval, 0, s->nregion * sizeof(*s->rval));
	if (s->nasn)
		memset(s->aval, 0, s->nasn * sizeof(*s->aval));
	return sweep(s);
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
put(struct sig *s, int64_t t, const char *ent, uint64_t v, bool *ever)
{
	if (v == 0 && !*ever)
		return 0;
	*ever = true;
	s->st.points++;
	return s->emit != NULL ? s->emit(s->ctx, t, ent, v) : 0;
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

static int
emit_all(struct sig *s, int64_t t)
{
	int rc;

	if (s->o.by & SIG_BY_COUNTRY) {
		if ((rc = country_names(s)) != 0)
			return rc;
		for (int i = 1; i <= 676; i++) {
			if (s->cval[i] == 0 && !s->cever[i])
				continue;
			if ((rc = put(s, t, s->cname[i], s->cval[i],
			    &s->cever[i])) != 0)
				return rc;
		}
	}
	if (s->o.by & SIG_BY_REGION) {
		if ((rc = sort_ids(s, &s->region_sorted, &s->nregion_sorted,
		    s->nregion, cmp_region)) != 0)
			return rc;
		for (size_t i = 0; i < s->nregion; i++) {
			uint32_t id = s->region_sorted[i];

			if ((rc = put(s, t, name_of(s->rname, id), s->rval[id],
			    &s->rever[id])) != 0)
				return rc;
		}
	}
	if (s->o.by & SIG_BY_ASN) {
		if ((rc = sort_ids(s, &s->asn_sorted, &s->nasn_sorted,
		    s->nasn, cmp_asn)) != 0)
			return rc;
		for (size_t i = 0; i < s->nasn; i++) {
			uint32_t id = s->asn_sorted[i];

			if ((rc = put(s, t, name_of(s->aname, id), s->aval[id],
			    &s->aever[id])) != 0)
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
	return emit_all(s, t);
}
