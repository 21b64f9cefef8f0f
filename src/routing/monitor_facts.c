/*
 * What the monitors take from an AS path alone: its origin, whether a
 * watched AS originates it, and the new neighbours of watched ASes on it.
 * Nothing here touches a monitor, so routing check works these out on the
 * thread that reads the archive while another feeds the monitors. A lean
 * record's path is walked straight from its bytes, one probe of the
 * watchlist's filter a hop: as cheap as finding it again in a cache of the
 * paths met (the benchmark corpus has some 32,000 distinct paths), which was
 * tried and dropped.
 */
#include <stdlib.h>
#include <string.h>

#include "bgp/bgp.h"
#include "mrt/mrt.h"
#include "routing/routing.h"
#include "routing/routing_int.h"
#include "util/err.h"


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

/* The events of one hop, from prev (its entry pwa, or NULL) to as (wa). */
static void
hop(const struct routing_watchlist *w, struct routing_lean_nb *v,
    uint8_t *n, uint32_t prev, const struct routing_watch_as *pwa,
    uint32_t as, const struct routing_watch_as *wa)
{
	if (prev == 0)
		return;
	if (wa != NULL && wa->has_up &&
	    !routing_watch_nb_listed(w, wa, prev, true))
		nb_add(v, n, ROUTING_A_NEW_UPSTREAM, as, prev, wa);
	if (pwa != NULL && pwa->has_down &&
	    !routing_watch_nb_listed(w, pwa, as, false))
		nb_add(v, n, ROUTING_A_NEW_DOWNSTREAM, prev, as, pwa);
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
			hop(w, v, n, prev, pwa, as, wa);
			prev = as;
			pwa = wa;
		}
	}
}

/* The facts of the lean record's path, read straight from its bytes (as
 * bgp_lean_path() would decode them, within the same bounds, and
 * routing_path_neighbours() walk them). Returns 0, or LL_ELIMIT when the
 * path is too long for the lean reading. */
static int
facts_walk(const struct routing_watchlist *w, const struct bgp_lean *b,
    struct routing_lean_facts *f)
{
	const uint8_t *p = b->path;
	/* no path: NULL with length 0, and NULL + 0 is undefined */
	const uint8_t *end = p != NULL ? p + b->path_len : NULL;
	const struct routing_watch_as *pwa = NULL;
	unsigned al = b->path_asn, nseg = 0, nasn = 0;
	uint32_t prev = 0, last = 0;
	bool seq = false;

	while (p != NULL && p < end) {
		unsigned type, n;

		if (end - p < 2)
			return LL_ELIMIT;
		type = p[0];
		n = p[1];
		p += 2;
		if ((size_t)(end - p) < (size_t)n * al)
			return LL_ELIMIT;
		if (nseg == LEAN_SEGS || n > LEAN_ASNS - nasn)
			return LL_ELIMIT;
		nseg++;
		nasn += n;
		seq = type == BGP_SEG_SEQUENCE && n > 0;
		if (type != BGP_SEG_SEQUENCE) {
			prev = 0;	/* a set breaks adjacency */
			pwa = NULL;
			p += (size_t)n * al;
			continue;
		}
		for (unsigned i = 0; i < n; i++, p += al) {
			uint32_t as = al == 4 ? (uint32_t)p[0] << 24 |
			    (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] :
			    (uint32_t)p[0] << 8 | p[1];
			const struct routing_watch_as *wa;

			last = as;
			if (as == prev || w->nas == 0)
				continue;	/* prepending */
			wa = watched(w, as);
			hop(w, f->nb, &f->nnb, prev, pwa, as, wa);
			prev = as;
			pwa = wa;
		}
	}
	f->origin = seq ? last : 0;
	return 0;
}

int
routing_lean_facts(const struct routing_watchlist *w,
    const struct mrt_lean *l, struct routing_lean_facts *f)
{
	const struct bgp_lean *b = &l->bgp;

	f->announces = false;
	f->nnb = 0;
	if (b->run[BGP_LEAN_ANNOUNCED].n + b->run[BGP_LEAN_MP_REACH].n == 0)
		return 0;
	if (facts_walk(w, b, f) != 0)
		return LL_ELIMIT;
	f->announces = true;
	f->origin_watched = f->origin != 0 && watched(w, f->origin) != NULL;
	return 0;
}
