/*
 * What the monitors take from an AS path alone: its origin, whether a
 * watched AS originates it, and the new neighbours of watched ASes on it.
 * Nothing here touches a monitor, so routing check works these out on the
 * thread that reads the archive while another feeds the monitors.
 *
 * The facts of a path are kept by the path's bytes as they are in the
 * record: a day of updates has 1.6 million announcements but some 30,000
 * distinct paths. The cache holds at most PATHS_MAX paths and BYTES_MAX
 * bytes of them, and starts again empty when full.
 */
#include <stdlib.h>
#include <string.h>

#include "bgp/bgp.h"
#include "mrt/mrt.h"
#include "routing/routing.h"
#include "routing/routing_int.h"
#include "util/err.h"
#include "util/grow.h"
#include "util/hash.h"

#define PATHS_MAX	(1u << 20)
#define BYTES_MAX	(64u << 20)
#define PATH_KEEP_MAX	4096		/* longer paths are not kept */

struct fentry {
	uint32_t	off;		/* the path's bytes in the arena */
	uint32_t	len;
	uint8_t		asn_len;
	bool		origin_watched;
	uint8_t		nnb;
	uint32_t	origin;
	uint32_t	first;		/* its neighbour events in nb */
};

struct routing_lean_cache {
	uint64_t		*slot;	/* hash >> 32 << 32 | entry + 1 */
	size_t			 mask;
	struct fentry		*e;
	size_t			 n, cap;
	uint8_t			*bytes;
	size_t			 nbytes, bytecap;
	struct routing_lean_nb	*nb;
	size_t			 nnb, nbcap;
};

/* asn in the sorted list v (upstreams, downstreams). */
static bool
asn_sorted_in(const uint32_t *v, size_t n, uint32_t asn)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] == asn)
			return true;
		if (v[mid] < asn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Adds neighbour event (type, a, b) of watched AS wa to v (n of them),
 * once, up to ROUTING_LEAN_NB. */
static void
nb_add(struct routing_lean_nb *v, uint8_t *n, uint8_t type, uint32_t a,
    uint32_t b, const struct routing_watch_as *wa)
{
	if (*n == ROUTING_LEAN_NB)
		return;
	for (uint8_t i = 0; i < *n; i++)
		if (v[i].type == type && v[i].a == a && v[i].b == b)
			return;
	v[*n].type = type;
	v[*n].a = a;
	v[*n].b = b;
	v[(*n)++].wa = wa;
}

static const struct routing_watch_as *
watched(const struct routing_watchlist *w, uint32_t asn)
{
	return routing_watch_as_maybe(w, asn) ? routing_watch_as(w, asn) :
	    NULL;
}

/* Each AS is looked up once, and kept for the next hop. */
void
routing_path_neighbours(const struct routing_watchlist *w,
    const struct bgp_aspath *path, struct routing_lean_nb *v, uint8_t *n)
{
	const struct routing_watch_as *pwa = NULL;	/* prev's */
	uint32_t prev = 0;

	*n = 0;
	for (uint16_t s = 0; w->nas > 0 && s < path->nseg; s++) {
		const struct bgp_asseg *g = &path->seg[s];

		if (g->type != BGP_SEG_SEQUENCE) {
			prev = 0;	/* a set breaks adjacency */
			pwa = NULL;
			continue;
		}
		for (uint16_t i = 0; i < g->n; i++) {
			uint32_t as = g->asn[i];
			const struct routing_watch_as *wa;

			if (as == prev)
				continue;	/* prepending */
			wa = watched(w, as);
			if (prev != 0 && wa != NULL && wa->has_up &&
			    !asn_sorted_in(wa->up, wa->nup, prev))
				nb_add(v, n, ROUTING_A_NEW_UPSTREAM, as, prev,
				    wa);
			if (prev != 0 && pwa != NULL && pwa->has_down &&
			    !asn_sorted_in(pwa->down, pwa->ndown, as))
				nb_add(v, n, ROUTING_A_NEW_DOWNSTREAM, prev,
				    as, pwa);
			prev = as;
			pwa = wa;
		}
	}
}

int
routing_lean_cache_new(struct routing_lean_cache **out)
{
	return (*out = calloc(1, sizeof(**out))) != NULL ? 0 : LL_ENOMEM;
}

void
routing_lean_cache_free(struct routing_lean_cache *c)
{
	if (c == NULL)
		return;
	free(c->slot);
	free(c->e);
	free(c->bytes);
	free(c->nb);
	free(c);
}

static uint64_t
path_hash(const uint8_t *p, size_t len, uint8_t asn_len)
{
	uint64_t h = (uint64_t)len << 8 | asn_len, w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		h = ll_fold(h, w);
	}
	/* the tail a byte at a time: a memcpy() of a variable length is a
	 * call, and most paths end in one */
	for (w = 0; i < len; i++)
		w = w << 8 | p[i];
	return ll_fold(h, w ^ 0x5bd1e995);
}

/* The entry of the path, or NULL. */
static const struct fentry *
cache_find(const struct routing_lean_cache *c, const uint8_t *p, size_t len,
    uint8_t asn_len, uint64_t h)
{
	uint64_t tag = h >> 32 << 32;

	if (c->slot == NULL)
		return NULL;
	for (size_t k = h & c->mask; c->slot[k] != 0; k = (k + 1) & c->mask) {
		const struct fentry *e;

		if ((c->slot[k] & ~0xffffffffULL) != tag)
			continue;
		e = &c->e[(c->slot[k] & 0xffffffffu) - 1];
		if (e->len == len && e->asn_len == asn_len && (len == 0 ||
		    memcmp(c->bytes + e->off, p, len) == 0))
			return e;
	}
	return NULL;
}

static int
grow_slots(struct routing_lean_cache *c)
{
	size_t n = c->slot != NULL ? (c->mask + 1) * 2 : 1024;
	uint64_t *ns = calloc(n, sizeof(*ns));

	if (ns == NULL)
		return LL_ENOMEM;
	for (size_t i = 0; c->slot != NULL && i <= c->mask; i++) {
		size_t k;

		if (c->slot[i] == 0)
			continue;
		/* the slot keeps the hash's top half; its bottom half is the
		 * entry's: the path is hashed again */
		const struct fentry *e = &c->e[(c->slot[i] & 0xffffffffu) - 1];
		uint64_t h = path_hash(c->bytes + e->off, e->len, e->asn_len);

		for (k = h & (n - 1); ns[k] != 0; k = (k + 1) & (n - 1))
			;
		ns[k] = c->slot[i];
	}
	free(c->slot);
	c->slot = ns;
	c->mask = n - 1;
	return 0;
}

/* Keeps the facts of a path. Returns 0 or LL_ENOMEM (then it is not
 * kept, and is worked out again next time). */
static int
cache_add(struct routing_lean_cache *c, const uint8_t *p, size_t len,
    uint8_t asn_len, uint64_t h, const struct routing_lean_facts *f)
{
	struct fentry *e;
	size_t k;

	if (len > PATH_KEEP_MAX)
		return 0;
	if (c->n >= PATHS_MAX || c->nbytes + len > BYTES_MAX) {
		memset(c->slot, 0, (c->mask + 1) * sizeof(*c->slot));
		c->n = c->nbytes = c->nnb = 0;
	}
	if (((c->n + 1) * 2 > (c->slot != NULL ? c->mask + 1 : 0) &&
	    grow_slots(c) != 0) ||
	    ll_grow(&c->e, &c->cap, c->n + 1, sizeof(*c->e)) != 0 ||
	    ll_grow(&c->bytes, &c->bytecap, c->nbytes + len + 1, 1) != 0 ||
	    ll_grow(&c->nb, &c->nbcap, c->nnb + f->nnb + 1,
	    sizeof(*c->nb)) != 0)
		return LL_ENOMEM;
	e = &c->e[c->n];
	e->off = (uint32_t)c->nbytes;
	e->len = (uint32_t)len;
	e->asn_len = asn_len;
	e->origin = f->origin;
	e->origin_watched = f->origin_watched;
	e->nnb = f->nnb;
	e->first = (uint32_t)c->nnb;
	if (len > 0)
		memcpy(c->bytes + c->nbytes, p, len);
	c->nbytes += len;
	memcpy(c->nb + c->nnb, f->nb, f->nnb * sizeof(*f->nb));
	c->nnb += f->nnb;
	for (k = h & c->mask; c->slot[k] != 0; k = (k + 1) & c->mask)
		;
	c->slot[k] = h >> 32 << 32 | (uint64_t)++c->n;
	return 0;
}

int
routing_lean_facts(const struct routing_watchlist *w,
    const struct routing_monitor_opts *o, struct routing_lean_cache *c,
    const struct mrt_lean *l, struct routing_lean_facts *f)
{
	const struct bgp_lean *b = &l->bgp;
	struct bgp_asseg seg[LEAN_SEGS];
	uint32_t asn[LEAN_ASNS];
	struct bgp_aspath path;
	const struct fentry *e;
	uint64_t h = 0;

	(void)o;
	f->announces = false;
	f->nnb = 0;
	if (b->run[BGP_LEAN_ANNOUNCED].n + b->run[BGP_LEAN_MP_REACH].n == 0)
		return 0;
	if (c != NULL) {
		h = path_hash(b->path, b->path_len, b->path_asn);
		if ((e = cache_find(c, b->path, b->path_len, b->path_asn, h)) !=
		    NULL) {
			/* the same bytes decoded once: within the bounds */
			f->announces = true;
			f->origin = e->origin;
			f->origin_watched = e->origin_watched;
			f->nnb = e->nnb;
			memcpy(f->nb, c->nb + e->first, e->nnb * sizeof(*f->nb));
			return 0;
		}
	}
	if (bgp_lean_path(b, &path, seg, LEAN_SEGS, asn, LEAN_ASNS) != 0)
		return LL_ELIMIT;
	f->announces = true;
	f->origin = routing_origin(&path);
	f->origin_watched = f->origin != 0 && watched(w, f->origin) != NULL;
	routing_path_neighbours(w, &path, f->nb, &f->nnb);
	if (c != NULL)
		(void)cache_add(c, b->path, b->path_len, b->path_asn, h, f);
	return 0;
}
