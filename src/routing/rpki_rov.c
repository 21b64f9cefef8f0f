/*
 * Route origin validation (RFC 6811 section 2): a route is covered by
 * every VRP whose prefix holds its prefix; it is Valid when a covering
 * VRP has its origin AS and a maxLength at least its length, Invalid when
 * it is covered but none matches, NotFound when nothing covers it. AS0
 * VRPs (RFC 7607) cover and never match; an AS_SET origin is NONE and
 * matches nothing.
 *
 * The index holds each distinct VRP prefix once in a hash table; a route
 * looks up its prefix cut to every length some VRP has (IPv4 VRPs use
 * about 17 lengths), longest first, and stops at the first VRP that makes
 * it valid: a validation is a few probes, not a tree walk.
 */
#include <stdlib.h>
#include <string.h>

#include "bgp/bgp.h"
#include "routing/routing_int.h"
#include "util/err.h"
#include "util/hash.h"

static uint64_t
key_hash(const struct net_prefix *p)
{
	uint64_t a, b;

	memcpy(&a, p->a, 8);
	memcpy(&b, p->a + 8, 8);
	a = ll_fold(a ^ ((uint64_t)p->af << 8 | p->len), b);
	return a == 0 ? 1 : a;	/* 0 marks an empty slot */
}

static int
cmp_vrp(const void *x, const void *y)
{
	const struct routing_vrp *a = x, *b = y;
	int c = net_prefix_cmp(&a->p, &b->p);

	if (c != 0)
		return c;
	if (a->asn != b->asn)
		return a->asn < b->asn ? -1 : 1;
	return (int)a->maxlen - (int)b->maxlen;
}

static bool
same_prefix(const struct net_prefix *a, const struct net_prefix *b)
{
	return a->af == b->af && a->len == b->len &&
	    memcmp(a->a, b->a, sizeof(a->a)) == 0;
}

int
routing_vrps_index(struct routing_vrps *v)
{
	size_t i, j = 0, nslots = 16;

	if (v->n > 0)
		qsort(v->v, v->n, sizeof(*v->v), cmp_vrp);
	for (i = 0; i < v->n; i++)
		if (j == 0 || cmp_vrp(&v->v[j - 1], &v->v[i]) != 0)
			v->v[j++] = v->v[i];
	v->n = j;
	while (nslots < 2 * v->n)
		nslots *= 2;
	free(v->slot);
	if ((v->slot = calloc(nslots, sizeof(*v->slot))) == NULL)
		return LL_ENOMEM;
	v->mask = nslots - 1;
	memset(v->lens, 0, sizeof(v->lens));
	for (i = 0; i < v->n; i = j) {
		uint64_t h = key_hash(&v->v[i].p);
		size_t s = h & v->mask;

		for (j = i + 1; j < v->n && same_prefix(&v->v[j].p,
		    &v->v[i].p); j++)
			;
		while (v->slot[s].hash != 0)
			s = (s + 1) & v->mask;
		v->slot[s].hash = h;
		v->slot[s].first = (uint32_t)i;
		v->slot[s].n = (uint32_t)(j - i);
		v->lens[v->v[i].p.af == NET_AF6][v->v[i].p.len] = true;
	}
	v->indexed = true;
	return 0;
}

/* The VRPs whose prefix is exactly q, or NULL (*n = 0). */
static const struct routing_vrp *
lookup(const struct routing_vrps *v, const struct net_prefix *q, size_t *n)
{
	uint64_t h = key_hash(q);

	for (size_t s = h & v->mask; v->slot[s].hash != 0;
	    s = (s + 1) & v->mask) {
		const struct vrp_slot *sl = &v->slot[s];

		if (sl->hash == h && same_prefix(&v->v[sl->first].p, q)) {
			*n = sl->n;
			return &v->v[sl->first];
		}
	}
	*n = 0;
	return NULL;
}

enum routing_rov
routing_rov(const struct routing_vrps *v, const struct net_prefix *p,
    uint32_t origin)
{
	const bool *lens = v->lens[p->af == NET_AF6];
	bool covered = false, as_seen = false;
	struct net_prefix q;

	if (!v->indexed || v->slot == NULL)
		return ROUTING_ROV_NOT_FOUND;
	/* most specific first: a valid route is most often matched by the
	 * VRP nearest to it, and the answer does not depend on the order */
	for (int l = p->len; l >= 0; l--) {
		const struct routing_vrp *r;
		size_t n;

		if (!lens[l])
			continue;
		q = *p;
		q.len = (uint8_t)l;
		net_prefix_mask(&q);
		if ((r = lookup(v, &q, &n)) == NULL)
			continue;
		covered = true;
		for (size_t i = 0; i < n; i++) {
			if (origin == 0 || r[i].asn != origin)
				continue;
			if (p->len <= r[i].maxlen)
				return ROUTING_ROV_VALID;
			as_seen = true;
		}
	}
	if (!covered)
		return ROUTING_ROV_NOT_FOUND;
	return as_seen ? ROUTING_ROV_INVALID_LENGTH : ROUTING_ROV_INVALID_AS;
}

const char *
routing_rov_name(enum routing_rov s)
{
	switch (s) {
	case ROUTING_ROV_NOT_FOUND:
		return "not-found";
	case ROUTING_ROV_VALID:
		return "valid";
	case ROUTING_ROV_INVALID_AS:
		return "invalid-as";
	case ROUTING_ROV_INVALID_LENGTH:
		return "invalid-length";
	}
	return "?";
}

uint32_t
routing_origin(const struct bgp_aspath *path)
{
	const struct bgp_asseg *last;

	if (path == NULL || path->nseg == 0)
		return 0;
	last = &path->seg[path->nseg - 1];
	if (last->type != BGP_SEG_SEQUENCE || last->n == 0)
		return 0;
	return last->asn[last->n - 1];
}
