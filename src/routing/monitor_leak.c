/*
 * Route leaks: valley-free violations (RFC 7908's type 1 to 4 leaks show
 * as such), judged on AS relationships in CAIDA's as-rel format, or
 * without them on a Tier-1 heuristic.
 *
 * A route travels from its origin towards the collector; each hop is up
 * (customer to provider), flat (peer to peer) or down (provider to
 * customer). A valley-free path is up*, at most one flat, then down*: an
 * AS that passes a route learned from a provider or a peer on to a
 * provider or a peer leaked it. Hops of unknown relationship are passed
 * over. The heuristic: a network between two Tier-1 networks, which buy
 * transit from nobody, leaked the route (no Tier-1 is its customer).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/bgp.h"
#include "routing/routing.h"
#include "routing/routing_int.h"
#include "util/err.h"
#include "util/grow.h"

#define RELS_MAX	(16u << 20)
#define LEAK_PATH	64

/* One relationship: lo < hi; rel -1: lo is hi's provider, 1: hi is lo's
 * provider, 0: peers. */
struct rel {
	uint64_t	key;		/* lo << 32 | hi */
	int8_t		rel;
};

struct routing_rels {
	struct rel	*v;
	size_t		 n, cap;
};

static int
cmp_rel(const void *x, const void *y)
{
	const struct rel *a = x, *b = y;

	return (a->key > b->key) - (a->key < b->key);
}

/* One "a|b|rel[|source]" line. Returns 0, LL_EFORMAT or LL_ENOMEM. */
static int
rel_line(struct routing_rels *r, char *line)
{
	char *f[4], *save = NULL;
	uint32_t a, b;
	int n = 0;
	struct rel x;

	for (char *t = strtok_r(line, "|", &save); t != NULL && n < 4;
	    t = strtok_r(NULL, "|", &save))
		f[n++] = t;
	if (n < 3 || routing_asn_parse(f[0], &a) != 0 ||
	    routing_asn_parse(f[1], &b) != 0 || a == b ||
	    (strcmp(f[2], "-1") != 0 && strcmp(f[2], "0") != 0))
		return LL_EFORMAT;
	if (r->n == RELS_MAX)
		return LL_ELIMIT;
	if (ll_grow(&r->v, &r->cap, r->n + 1, sizeof(*r->v)) != 0)
		return LL_ENOMEM;
	x.key = a < b ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
	x.rel = f[2][0] == '0' ? 0 : a < b ? -1 : 1;
	r->v[r->n++] = x;
	return 0;
}

int
routing_rels_load(const char *path, struct routing_rels **out, char *err,
    size_t errlen)
{
	struct routing_rels *r = calloc(1, sizeof(*r));
	uint8_t *buf = NULL;
	size_t len = 0, line = 0;
	int rc = r == NULL ? LL_ENOMEM : 0;

	*out = NULL;
	if (rc == 0)
		rc = routing_slurp(path, &buf, &len, err, errlen);
	for (size_t o = 0; rc == 0 && o < len; line++) {
		uint8_t *nl = memchr(buf + o, '\n', len - o);
		size_t e = nl != NULL ? (size_t)(nl - buf) : len;
		char text[128];

		if (e - o >= sizeof(text))
			rc = LL_EFORMAT;
		else if (e > o && buf[o] != '#') {
			memcpy(text, buf + o, e - o);
			text[e - o - (buf[e - 1] == '\r')] = '\0';
			rc = rel_line(r, text);
		}
		if (rc != 0 && err != NULL)
			snprintf(err, errlen, "%s:%zu: %s", path, line + 1, rc ==
			    LL_EFORMAT ? "not an as-rel line (AS|AS|-1 or 0)" :
			    ll_strerror(rc));
		o = e + 1;
	}
	free(buf);
	if (rc != 0) {
		routing_rels_free(r);
		return rc;
	}
	if (r->n > 0)
		qsort(r->v, r->n, sizeof(*r->v), cmp_rel);
	*out = r;
	return 0;
}

void
routing_rels_free(struct routing_rels *r)
{
	if (r == NULL)
		return;
	free(r->v);
	free(r);
}

size_t
routing_rels_count(const struct routing_rels *r)
{
	return r->n;
}

enum hop { HOP_UNKNOWN, HOP_UP, HOP_FLAT, HOP_DOWN };

/* The hop of a route exported by from to to. */
static enum hop
hop(const struct routing_rels *r, uint32_t from, uint32_t to)
{
	struct rel k = { from < to ? (uint64_t)from << 32 | to :
	    (uint64_t)to << 32 | from, 0 };
	const struct rel *x = bsearch(&k, r->v, r->n, sizeof(*r->v), cmp_rel);
	uint32_t provider;

	if (x == NULL)
		return HOP_UNKNOWN;
	if (x->rel == 0)
		return HOP_FLAT;
	provider = x->rel < 0 ? (uint32_t)(x->key >> 32) : (uint32_t)x->key;
	return provider == to ? HOP_UP : HOP_DOWN;
}

static bool
tier1(uint32_t as)
{
	static const uint32_t t1[] = { 174, 701, 1239, 1299, 2828, 2914,
	    3257, 3320, 3356, 3491, 5511, 6453, 6461, 6762, 6830, 7018,
	    12956 };

	for (size_t i = 0; i < sizeof(t1) / sizeof(t1[0]); i++)
		if (t1[i] == as)
			return true;
	return false;
}

/* The path's AS_SEQUENCE ASes without prepending, at most LEAK_PATH; 0
 * when an AS_SET or confederation segment breaks it. */
static size_t
flat_path(const struct bgp_aspath *path, uint32_t *a)
{
	size_t n = 0;

	for (uint16_t s = 0; s < path->nseg; s++) {
		const struct bgp_asseg *g = &path->seg[s];

		if (g->type != BGP_SEG_SEQUENCE)
			return 0;
		for (uint16_t i = 0; i < g->n; i++) {
			if (n > 0 && a[n - 1] == g->asn[i])
				continue;
			if (n == LEAK_PATH)
				return 0;
			a[n++] = g->asn[i];
		}
	}
	return n;
}

uint32_t
routing_leak(const struct routing_rels *r, const struct bgp_aspath *path)
{
	uint32_t a[LEAK_PATH];
	size_t n = flat_path(path, a);
	enum hop state = HOP_UP;

	if (r == NULL) {
		for (size_t i = 1; i + 1 < n; i++)
			if (tier1(a[i - 1]) && tier1(a[i + 1]) && !tier1(a[i]))
				return a[i];
		return 0;
	}
	/* a[n - 1] is the origin; the route went from a[i + 1] to a[i] */
	for (size_t i = n; i-- > 1;) {
		enum hop h = hop(r, a[i], a[i - 1]);

		if (h == HOP_UNKNOWN)
			continue;
		if ((h == HOP_UP || h == HOP_FLAT) && state != HOP_UP)
			return a[i];
		state = h == HOP_UP ? state : h;
	}
	return 0;
}
