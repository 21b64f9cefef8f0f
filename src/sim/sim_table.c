/*
 * The simulated routing table: every announced network of the target
 * country (or the target AS's networks found among the countries read),
 * plus a hash-sampled share of the background countries' networks, each
 * with its origin AS from the source. Networks longer than /24 (IPv4) or
 * /48 (IPv6) are left out, as the global table filters them.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"
#include "sim/sim_int.h"
#include "util/err.h"

/* Caps the table whatever the source holds (memory stays small). */
#define TABLE_MAX	(4u * 1000 * 1000)

struct vec {
	struct sim_net	*v;
	size_t		 n, cap;
};

uint64_t
sim_hash(uint64_t seed, uint64_t a, uint64_t b)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15u * (a + 1) +
	    0xbf58476d1ce4e5b9u * (b + 1);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static uint64_t
prefix_key(const struct net_prefix *p)
{
	uint64_t k = (uint64_t)p->af << 56 | (uint64_t)p->len << 48;

	for (int i = 0; i < 16; i++)
		k = k * 0x100000001b3u ^ p->a[i];
	return k;
}

static int
vec_push(struct vec *v, const struct net_prefix *p, uint32_t origin,
    bool target)
{
	struct sim_net *nv;
	size_t cap;

	if (v->n == v->cap) {
		if (v->n >= TABLE_MAX)
			return LL_ELIMIT;
		cap = v->cap ? v->cap * 2 : 4096;
		nv = realloc(v->v, cap * sizeof(*nv));
		if (nv == NULL)
			return LL_ENOMEM;
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n].p = *p;
	v->v[v->n].origin = origin;
	v->v[v->n].target = target;
	v->n++;
	return 0;
}

static bool
routable(const struct net_prefix *p)
{
	return p->len >= 8 && p->len <= (p->af == NET_AF6 ? 48 : 24);
}

/* Deaggregation: about 30% of networks are announced as their two halves
 * too, 15% as their four quarters too, as traffic engineering does in the
 * real table (pieces10() counts them). */
static int
origin_of(const struct sim_source *src, const struct net_prefix *p,
    uint32_t *asn)
{
	return src->origin(src->ctx, p, asn);
}

static int
push_net(const struct sim_opts *o, const struct sim_source *src,
    const struct net_prefix *p, uint32_t asn, bool country_target,
    struct vec *v)
{
	uint64_t h = sim_hash(o->seed, prefix_key(p), 2) % 100;
	unsigned d = h < 55 ? 0 : h < 85 ? 1 : 2;
	unsigned unit = p->af == NET_AF6 ? 48 : 24;
	struct net_prefix q;
	uint32_t qasn;
	int rc;

	rc = vec_push(v, p, asn, o->asn ? asn == o->asn : country_target);
	if (p->len + d > unit)
		d = unit - p->len;
	for (unsigned i = 0; rc == 0 && d > 0 && i < (1u << d); i++) {
		q = *p;
		q.len = (uint8_t)(p->len + d);
		for (unsigned b = 0; b < d; b++)
			if (i >> (d - 1 - b) & 1)
				q.a[(p->len + b) / 8] |= (uint8_t)(0x80 >>
				    ((p->len + b) % 8));
		rc = origin_of(src, &q, &qasn);
		if (rc == 0 && qasn == 0)
			qasn = asn;
		if (rc == 0)
			rc = vec_push(v, &q, qasn, o->asn ? qasn == o->asn :
			    country_target);
	}
	return rc;
}

/*
 * Adds the routable networks of cc that have an origin AS: each with
 * probability keep/2^32, and in AS mode every network of the target AS
 * (the country's networks are all targets when all_target).
 */
static int
add_country(const struct sim_opts *o, const struct sim_source *src,
    const char *cc, uint8_t af, uint64_t keep, bool all_target,
    struct vec *v, struct sim_stats *st)
{
	struct net_prefix *p = NULL;
	size_t n = 0, i;
	uint32_t asn;
	bool sampled;
	int rc;

	rc = src->networks(src->ctx, cc, af, &p, &n);
	for (i = 0; rc == 0 && i < n; i++) {
		if (!routable(&p[i]))
			continue;
		sampled = (sim_hash(o->seed, prefix_key(&p[i]), 1) >> 32) <
		    keep;
		if (!sampled && o->asn == 0)
			continue;
		rc = origin_of(src, &p[i], &asn);
		if (rc != 0)
			break;
		if (asn == 0) {
			st->unrouted += all_target;
			continue;
		}
		if (sampled || asn == o->asn)
			rc = push_net(o, src, &p[i], asn, all_target, v);
	}
	free(p);
	return rc;
}

/* Ten times the prefixes push_net() makes of p, on average. */
static size_t
pieces10(const struct net_prefix *p)
{
	unsigned unit = p->af == NET_AF6 ? 48 : 24;

	if ((unsigned)p->len + 2 <= unit)
		return 10 + 3 * 2 + 15 * 4 / 10;
	return p->len < unit ? 10 + 3 * 2 + 15 * 2 / 10 : 10;
}

/* Counts (x10) the prefixes add_country() could make of cc's networks. */
static int
count_routable(const struct sim_source *src, const char *cc, uint8_t af,
    size_t *total)
{
	struct net_prefix *p = NULL;
	size_t n = 0;
	uint32_t asn;
	int rc;

	rc = src->networks(src->ctx, cc, af, &p, &n);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (!routable(&p[i]))
			continue;
		rc = origin_of(src, &p[i], &asn);
		if (asn != 0)
			*total += pieces10(&p[i]);
	}
	free(p);
	return rc;
}

static int
cmp_prefix(const void *a, const void *b)
{
	return net_prefix_cmp(&((const struct sim_net *)a)->p,
	    &((const struct sim_net *)b)->p);
}

static int
cmp_group(const void *a, const void *b)
{
	const struct sim_net *x = a, *y = b;

	if (x->target != y->target)
		return x->target < y->target ? -1 : 1;
	if (x->origin != y->origin)
		return x->origin < y->origin ? -1 : 1;
	return net_prefix_cmp(&x->p, &y->p);
}

/* Keeps one entry per prefix (a target one when there is a choice). */
static void
dedup(struct vec *v)
{
	size_t i, j = 0;

	for (i = 0; i < v->n; i++) {
		if (j > 0 && net_prefix_cmp(&v->v[j - 1].p, &v->v[i].p) == 0) {
			v->v[j - 1].target |= v->v[i].target;
			continue;
		}
		v->v[j++] = v->v[i];
	}
	v->n = j;
}

static int
make_groups(struct sim_table *t)
{
	size_t i, g = 0;

	t->gnets = malloc((t->n ? t->n : 1) * sizeof(*t->gnets));
	t->gpfx = malloc((t->n ? t->n : 1) * sizeof(*t->gpfx));
	t->groups = malloc((t->n ? t->n : 1) * sizeof(*t->groups));
	if (t->gnets == NULL || t->gpfx == NULL || t->groups == NULL)
		return LL_ENOMEM;
	memcpy(t->gnets, t->nets, t->n * sizeof(*t->gnets));
	qsort(t->gnets, t->n, sizeof(*t->gnets), cmp_group);
	t->nbg = 0;
	for (i = 0; i < t->n; i++) {
		const struct sim_net *x = &t->gnets[i];

		t->gpfx[i] = x->p;
		t->nbg += !x->target;
		if (g == 0 || t->groups[g - 1].origin != x->origin ||
		    t->groups[g - 1].target != x->target) {
			t->groups[g].origin = x->origin;
			t->groups[g].target = x->target;
			t->groups[g].first = i;
			t->groups[g].n4 = t->groups[g].n6 = 0;
			g++;
		}
		if (x->p.af == NET_AF6)
			t->groups[g - 1].n6++;
		else
			t->groups[g - 1].n4++;
	}
	t->ngroups = g;
	return 0;
}

static uint64_t
keep_share(size_t want, size_t total)
{
	want *= 10;
	if (total == 0 || want >= total)
		return (uint64_t)1 << 32;
	return ((uint64_t)want << 32) / total;
}

static int
add_background(const struct sim_opts *o, const struct sim_source *src,
    struct vec *v, struct sim_stats *st)
{
	size_t have[2] = { 0, 0 }, total[2] = { 0, 0 }, want[2];
	const char *const *cc;
	static const uint8_t afs[2] = { NET_AF4, NET_AF6 };
	int rc = 0;

	for (size_t i = 0; i < v->n; i++)
		have[v->v[i].p.af == NET_AF6]++;
	want[0] = o->table > have[0] ? o->table - have[0] : 0;
	want[1] = o->table6 ? o->table6 : o->table * 3 / 25;
	want[1] = want[1] > have[1] ? want[1] - have[1] : 0;
	for (int f = 0; f < 2 && rc == 0; f++)
		for (cc = o->background; rc == 0 && cc && *cc; cc++)
			if (o->cc == NULL || strcmp(*cc, o->cc) != 0)
				rc = count_routable(src, *cc, afs[f],
				    &total[f]);
	for (int f = 0; f < 2 && rc == 0; f++)
		for (cc = o->background; rc == 0 && cc && *cc; cc++)
			if (o->cc == NULL || strcmp(*cc, o->cc) != 0)
				rc = add_country(o, src, *cc, afs[f],
				    keep_share(want[f], total[f]), false, v,
				    st);
	return rc;
}

/* The whole routed table from src->routes (full_table). */
struct full {
	const struct sim_opts	*o;
	struct vec		*v;
	size_t			 n[2];	/* routable networks seen */
};

static int
full_route(void *ctx, const struct net_prefix *p, uint32_t asn,
    const char *cc)
{
	struct full *f = ctx;
	bool target;

	if (!routable(p) || asn == 0)
		return 0;
	target = f->o->asn ? asn == f->o->asn :
	    (f->o->cc != NULL && strcmp(cc, f->o->cc) == 0);
	f->n[p->af == NET_AF6]++;
	return vec_push(f->v, p, asn, target);
}

/*
 * Keeps the target's networks and a hash-chosen share of the others, so
 * that about want[af] of each family remain (0: all).
 */
static void
full_sample(const struct sim_opts *o, struct vec *v, const size_t n[2])
{
	size_t want[2] = { o->table, o->table6 }, j = 0;
	uint64_t keep[2];

	for (int f = 0; f < 2; f++)
		keep[f] = want[f] == 0 || want[f] >= n[f] ? (uint64_t)1 << 32 :
		    ((uint64_t)want[f] << 32) / n[f];
	for (size_t i = 0; i < v->n; i++) {
		const struct sim_net *x = &v->v[i];
		int f = x->p.af == NET_AF6;

		if (x->target || (sim_hash(o->seed, prefix_key(&x->p), 3) >>
		    32) < keep[f])
			v->v[j++] = *x;
	}
	v->n = j;
}

static int
add_full(const struct sim_opts *o, const struct sim_source *src,
    struct vec *v)
{
	struct full f = { o, v, { 0, 0 } };
	int rc;

	if ((rc = src->routes(src->ctx, full_route, &f)) != 0)
		return rc;
	full_sample(o, v, f.n);
	return 0;
}

int
sim_table_build(const struct sim_opts *o, const struct sim_source *src,
    struct sim_table *t, struct sim_stats *st)
{
	struct vec v = { NULL, 0, 0 };
	int rc = 0;

	memset(t, 0, sizeof(*t));
	if (o->full_table)
		rc = add_full(o, src, &v);
	else if (o->cc != NULL) {
		rc = add_country(o, src, o->cc, NET_AF4, (uint64_t)1 << 32,
		    true, &v, st);
		if (rc == 0)
			rc = add_country(o, src, o->cc, NET_AF6,
			    (uint64_t)1 << 32, true, &v, st);
	}
	if (rc == 0 && !o->full_table)
		rc = add_background(o, src, &v, st);
	if (rc != 0)
		goto out;
	qsort(v.v, v.n, sizeof(*v.v), cmp_prefix);
	dedup(&v);
	t->nets = v.v;
	t->n = v.n;
	v.v = NULL;
	rc = make_groups(t);
	for (size_t i = 0; rc == 0 && i < t->n; i++) {
		bool v6 = t->nets[i].p.af == NET_AF6;

		st->v4 += !v6;
		st->v6 += v6;
		st->target_v4 += t->nets[i].target && !v6;
		st->target_v6 += t->nets[i].target && v6;
	}
	for (size_t g = 0; rc == 0 && g < t->ngroups; g++)
		st->target_origins += t->groups[g].target;
out:
	free(v.v);
	return rc;
}

void
sim_table_fini(struct sim_table *t)
{
	free(t->nets);
	free(t->gnets);
	free(t->gpfx);
	free(t->groups);
	memset(t, 0, sizeof(*t));
}
