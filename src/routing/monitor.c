/*
 * The routing monitors: hijack, sub-prefix hijack, squatting, AS_SET
 * origins, new upstreams and downstreams of watched ASes, path rules,
 * RPKI-invalid announcements and the visibility of watched prefixes, over
 * route updates from any feed.
 *
 * Each (peer, prefix) route that takes part in some event keeps the list
 * of events it feeds. An update recomputes that list; an event counts the
 * peers feeding it now. It fires when that count reaches the minimum, and
 * ends (one final alert, with last_seen) when it falls to zero; until then
 * it fires no more, whatever the churn. An event that ends before
 * reaching the minimum leaves no trace.
 */
#include <stdlib.h>
#include <string.h>

#include "bgp/bgp.h"
#include "mrt/mrt.h"
#include "net/net_tree.h"
#include "routing/routing.h"
#include "routing/routing_int.h"
#include "util/err.h"
#include "util/grow.h"
#include "util/hash.h"

#define ROUTE_EV	8		/* events one route feeds at most */
#define EV_PEERS_MAX	65536		/* distinct peers kept per event */
#define PATH_TEXT	512
#define PFX_FILTER	(1u << 22)	/* bits: (peer, prefix) routes kept
					   (512 KiB) */
#define NEIGH_EV	ROUTE_EV	/* a record's neighbour events */

struct ekey {
	uint8_t			type;
	struct net_prefix	p;
	uint32_t		a, b;
};

struct mevent {
	struct ekey			 k;
	const struct routing_watch_prefix *watch;
	const struct routing_watch_as	*watch_as;
	const struct routing_path_rule	*rule;
	enum routing_rov		 rov;
	uint32_t			 active;	/* peers feeding it */
	uint32_t			 first, last;
	bool				 fired;
	uint32_t			*peer;		/* sorted peer ids */
	size_t				 npeer, peercap;
	uint32_t			 listed[ROUTING_ALERT_PEERS];
	uint32_t			 nlisted;	/* the first peers,
							   as they came */
	uint32_t			 npaths;
	char				*path[ROUTING_ALERT_PATHS];
	struct net_prefix		 example;	/* first prefix */
};

struct mroute {
	uint32_t		peer;		/* id + 1; 0: empty slot */
	struct net_prefix	p;
	uint8_t			nev;
	bool			withdrawn;
	uint32_t		ev[ROUTE_EV];
};

/* One peer's routes that feed events or are of watched prefixes. */
struct ptab {
	struct mroute	*r;
	size_t		 n, mask;
};

struct routing_monitor {
	const struct routing_watchlist	*w;
	struct routing_monitor_opts	 o;
	routing_alert_fn		*fn;
	void				*ctx;
	struct routing_alert_peer	*peers;
	size_t				 npeers, peercap;
	uint32_t			*peer_slot;	/* id + 1 */
	size_t				 peer_mask;
	struct ptab			*pt;		/* per peer id */
	size_t				 ptcap;
	struct mevent			*ev;
	size_t				 nev, evcap;
	uint32_t			*ev_slot;	/* id + 1 */
	size_t				 ev_mask;
	struct net_tree			*vrp_tree[2];	/* VRP space, for a
							   quick not-found */
	uint64_t			 vrp16[1024];	/* the IPv4 /16s
							   VRPs meet */
	uint64_t			*seen;		/* PFX_FILTER bits, set
							   for each route
							   kept */
	struct ekey			 nbk[NEIGH_EV];	/* the neighbour events
							   of the lean record's
							   path, in order */
	const struct routing_watch_as	*nbwa[NEIGH_EV];
	int64_t				 nbid[NEIGH_EV];	/* -1: not
							   looked up yet */
	uint8_t				 nnb;
	bool				 nb_on;		/* nbk stands for
							   neighbour_events() */
};

/* What one update makes a route feed. */
struct feed {
	uint32_t		 ev[ROUTE_EV];
	uint8_t			 n;
	bool			 probe;		/* count events, make none */
	bool			 collect;	/* keep their keys in m->nbk */
	const struct bgp_aspath	*path;		/* NULL: a withdrawal */
};

static const char *const names[ROUTING_A_NTYPES] = {
	"hijack", "sub-prefix", "squatting", "as-set", "new-upstream",
	"new-downstream", "path", "visibility-loss", "visible-again",
	"rpki-invalid", "route-leak",
};

const char *
routing_alert_name(enum routing_alert_type t)
{
	return (unsigned)t < ROUTING_A_NTYPES ? names[t] : "unknown";
}

static uint64_t
pfx_hash(const struct net_prefix *p, uint64_t extra)
{
	uint64_t a, b;

	memcpy(&a, p->a, 8);
	memcpy(&b, p->a + 8, 8);
	return ll_fold(a ^ extra ^ ((uint64_t)p->af << 8 | p->len), b);
}

static bool
pfx_eq(const struct net_prefix *a, const struct net_prefix *b)
{
	return a->af == b->af && a->len == b->len &&
	    memcmp(a->a, b->a, sizeof(a->a)) == 0;
}

static uint64_t
ekey_hash(const struct ekey *k)
{
	return pfx_hash(&k->p, (uint64_t)k->a << 32 ^ (uint64_t)k->b << 16 ^
	    k->type);
}

static bool
ekey_eq(const struct ekey *x, const struct ekey *y)
{
	return x->type == y->type && x->a == y->a && x->b == y->b &&
	    pfx_eq(&x->p, &y->p);
}

/* Doubles a table of uint32 slots holding id + 1, rehashing with h. */
static int
slots_grow(uint32_t **slot, size_t *mask, uint64_t (*h)(void *, uint32_t),
    void *ctx)
{
	size_t n = *slot != NULL ? (*mask + 1) * 2 : 256;
	uint32_t *ns = calloc(n, sizeof(*ns));

	if (ns == NULL)
		return LL_ENOMEM;
	for (size_t i = 0; *slot != NULL && i <= *mask; i++) {
		size_t k;

		if ((*slot)[i] == 0)
			continue;
		k = h(ctx, (*slot)[i] - 1) & (n - 1);
		while (ns[k] != 0)
			k = (k + 1) & (n - 1);
		ns[k] = (*slot)[i];
	}
	free(*slot);
	*slot = ns;
	*mask = n - 1;
	return 0;
}

static uint64_t
peer_hash_addr(const struct net_addr *a, uint32_t asn)
{
	uint64_t x, y;

	memcpy(&x, a->a, 8);
	memcpy(&y, a->a + 8, 8);
	return ll_fold(x ^ ((uint64_t)asn << 8 | a->af), y);
}

static uint64_t
peer_hash(void *ctx, uint32_t id)
{
	struct routing_monitor *m = ctx;

	return peer_hash_addr(&m->peers[id].addr, m->peers[id].asn);
}

static uint64_t
ev_hash(void *ctx, uint32_t id)
{
	return ekey_hash(&((struct routing_monitor *)ctx)->ev[id].k);
}

/* The id of peer (addr, asn), added when new; -1 when out of memory. */
static int64_t
peer_id(struct routing_monitor *m, const struct net_addr *a, uint32_t asn)
{
	size_t k;

	if ((m->npeers + 1) * 2 > m->peer_mask + 1 &&
	    slots_grow(&m->peer_slot, &m->peer_mask, peer_hash, m) != 0)
		return -1;
	for (k = peer_hash_addr(a, asn) & m->peer_mask; m->peer_slot[k] != 0;
	    k = (k + 1) & m->peer_mask) {
		const struct routing_alert_peer *q =
		    &m->peers[m->peer_slot[k] - 1];

		if (q->asn == asn && q->addr.af == a->af &&
		    memcmp(q->addr.a, a->a, sizeof(a->a)) == 0)
			return m->peer_slot[k] - 1;
	}
	if (m->npeers >= UINT32_MAX - 1 ||
	    ll_grow(&m->peers, &m->peercap, m->npeers + 1,
	    sizeof(*m->peers)) != 0)
		return -1;
	m->peers[m->npeers].addr = *a;
	m->peers[m->npeers].asn = asn;
	m->peer_slot[k] = (uint32_t)++m->npeers;
	return (int64_t)m->npeers - 1;
}

/* The id of the event with key k, made when new; -1 when out of memory. */
static int64_t
event_id(struct routing_monitor *m, const struct ekey *k)
{
	size_t s;

	if ((m->nev + 1) * 2 > m->ev_mask + 1 &&
	    slots_grow(&m->ev_slot, &m->ev_mask, ev_hash, m) != 0)
		return -1;
	for (s = ekey_hash(k) & m->ev_mask; m->ev_slot[s] != 0;
	    s = (s + 1) & m->ev_mask)
		if (ekey_eq(&m->ev[m->ev_slot[s] - 1].k, k))
			return m->ev_slot[s] - 1;
	if (m->nev >= UINT32_MAX - 1 ||
	    ll_grow(&m->ev, &m->evcap, m->nev + 1, sizeof(*m->ev)) != 0)
		return -1;
	memset(&m->ev[m->nev], 0, sizeof(*m->ev));
	m->ev[m->nev].k = *k;
	m->ev_slot[s] = (uint32_t)++m->nev;
	return (int64_t)m->nev - 1;
}

static int
ptab_grow(struct ptab *t)
{
	size_t n = t->r != NULL ? (t->mask + 1) * 2 : 16;
	struct mroute *nr = calloc(n, sizeof(*nr));

	if (nr == NULL)
		return LL_ENOMEM;
	for (size_t i = 0; t->r != NULL && i <= t->mask; i++) {
		size_t k;

		if (t->r[i].peer == 0)
			continue;
		k = pfx_hash(&t->r[i].p, 0) & (n - 1);
		while (nr[k].peer != 0)
			k = (k + 1) & (n - 1);
		nr[k] = t->r[i];
	}
	free(t->r);
	t->r = nr;
	t->mask = n - 1;
	return 0;
}

/* The route of (peer id, p): found, or (add) made; NULL when absent and
 * not to be added, or out of memory (*oom). */
static struct mroute *
route_get(struct routing_monitor *m, uint32_t peer,
    const struct net_prefix *p, bool add, bool *oom)
{
	struct ptab *t;
	size_t k;

	*oom = false;
	if (peer >= m->ptcap) {
		size_t old = m->ptcap;

		if (!add)
			return NULL;
		if (ll_grow(&m->pt, &m->ptcap, (size_t)peer + 1,
		    sizeof(*m->pt)) != 0) {
			*oom = true;
			return NULL;
		}
		memset(m->pt + old, 0, (m->ptcap - old) * sizeof(*m->pt));
	}
	t = &m->pt[peer];
	if (t->r != NULL)
		for (k = pfx_hash(p, 0) & t->mask; t->r[k].peer != 0;
		    k = (k + 1) & t->mask)
			if (pfx_eq(&t->r[k].p, p))
				return &t->r[k];
	if (!add)
		return NULL;
	if ((t->n + 1) * 2 > (t->r ? t->mask + 1 : 0) && ptab_grow(t) != 0) {
		*oom = true;
		return NULL;
	}
	for (k = pfx_hash(p, 0) & t->mask; t->r[k].peer != 0;
	    k = (k + 1) & t->mask)
		;
	memset(&t->r[k], 0, sizeof(t->r[k]));
	t->r[k].peer = peer + 1;
	t->r[k].p = *p;
	t->n++;
	return &t->r[k];
}

static int	vrp_trees(struct routing_monitor *m);

int
routing_monitor_new(const struct routing_watchlist *w,
    const struct routing_monitor_opts *o, routing_alert_fn *fn, void *ctx,
    struct routing_monitor **out)
{
	struct routing_monitor *m = calloc(1, sizeof(*m));

	*out = NULL;
	if (m == NULL)
		return LL_ENOMEM;
	m->w = w;
	if (o != NULL)
		m->o = *o;
	if (m->o.min_peers == 0)
		m->o.min_peers = 3;
	if (m->o.min_peers_loss == 0)
		m->o.min_peers_loss = 40;
	m->fn = fn;
	m->ctx = ctx;
	if ((m->seen = calloc(PFX_FILTER / 64, sizeof(*m->seen))) == NULL ||
	    (m->o.vrps != NULL && vrp_trees(m) != 0)) {
		routing_monitor_free(m);
		return LL_ENOMEM;
	}
	*out = m;
	return 0;
}

static void
event_reset(struct mevent *e)
{
	for (uint32_t i = 0; i < e->npaths; i++)
		free(e->path[i]);
	e->npaths = 0;
	e->npeer = 0;
	e->nlisted = 0;
	e->fired = false;
	e->active = 0;
}

void
routing_monitor_free(struct routing_monitor *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->nev; i++) {
		event_reset(&m->ev[i]);
		free(m->ev[i].peer);
	}
	free(m->ev);
	free(m->ev_slot);
	for (size_t i = 0; i < m->ptcap; i++)
		free(m->pt[i].r);
	free(m->pt);
	net_tree_free(m->vrp_tree[0]);
	net_tree_free(m->vrp_tree[1]);
	free(m->seen);
	free(m->peers);
	free(m->peer_slot);
	free(m);
}

static int
emit(struct routing_monitor *m, struct mevent *e, enum routing_alert_type t,
    bool final, uint32_t first, uint32_t last)
{
	struct routing_alert a;

	memset(&a, 0, sizeof(a));
	a.type = t;
	a.final = final;
	a.prefix = e->k.p.af != 0 ? e->k.p : e->example;
	a.watch = e->watch;
	a.watch_as = e->watch_as;
	a.rule = e->rule;
	a.rov = e->rov;
	if (t == ROUTING_A_NEW_UPSTREAM || t == ROUTING_A_NEW_DOWNSTREAM)
		a.neighbour = e->k.b;
	else if (t == ROUTING_A_LEAK)
		a.neighbour = e->k.a;
	else if (t != ROUTING_A_PATH)
		a.origin = e->k.a;
	a.first_seen = first;
	/* archives given out of time order: an end before the start is the
	 * start */
	a.last_seen = last != 0 && last < first ? first : last;
	a.npeers = (uint32_t)e->npeer;
	for (uint32_t i = 0; i < e->nlisted; i++)
		a.peers[a.nlisted++] = m->peers[e->listed[i]];
	a.npaths = e->npaths;
	for (uint32_t i = 0; i < e->npaths; i++)
		a.paths[i] = e->path[i];
	return m->fn != NULL ? m->fn(m->ctx, &a) : 0;
}

/* The event ended at ts (no peer feeds it now). */
static int
event_end(struct routing_monitor *m, struct mevent *e, uint32_t ts)
{
	int rc = 0;

	if (e->fired) {
		rc = emit(m, e, (enum routing_alert_type)e->k.type, true,
		    e->first, ts);
		if (rc == 0 && e->k.type == ROUTING_A_VISIBILITY)
			rc = emit(m, e, ROUTING_A_VISIBLE_AGAIN, true, ts, ts);
	}
	event_reset(e);
	return rc;
}

/* Adds peer to e's sorted peer list. */
static int
event_peer(struct mevent *e, uint32_t peer)
{
	size_t lo = 0, hi = e->npeer;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e->peer[mid] == peer)
			return 0;
		if (e->peer[mid] < peer)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (e->npeer == EV_PEERS_MAX)
		return 0;
	if (ll_grow(&e->peer, &e->peercap, e->npeer + 1, sizeof(*e->peer)) != 0)
		return LL_ENOMEM;
	memmove(e->peer + lo + 1, e->peer + lo, (e->npeer - lo) *
	    sizeof(*e->peer));
	e->peer[lo] = peer;
	e->npeer++;
	if (e->nlisted < ROUTING_ALERT_PEERS)
		e->listed[e->nlisted++] = peer;
	return 0;
}

/* A peer starts feeding event id at ts, with path text (may be NULL). */
static int
event_join(struct routing_monitor *m, uint32_t id, const struct mroute *r,
    uint32_t ts, const struct bgp_aspath *aspath)
{
	char path[PATH_TEXT];
	uint32_t peer = r->peer - 1;
	struct mevent *e = &m->ev[id];
	uint32_t need = e->k.type == ROUTING_A_VISIBILITY ?
	    m->o.min_peers_loss : m->o.min_peers;
	int rc;

	if (e->active++ == 0) {
		e->first = ts;
		e->example = r->p;
	}
	e->last = ts;
	if ((rc = event_peer(e, peer)) != 0)
		return rc;
	if (aspath != NULL && e->npaths < ROUTING_ALERT_PATHS) {
		bool dup = false;

		routing_path_text(aspath, ' ', path, sizeof(path));
		for (uint32_t i = 0; i < e->npaths && !dup; i++)
			dup = strcmp(e->path[i], path) == 0;
		if (!dup && (e->path[e->npaths] = strdup(path)) == NULL)
			return LL_ENOMEM;
		e->npaths += !dup;
	}
	if (!e->fired && e->active >= need) {
		e->fired = true;
		return emit(m, e, (enum routing_alert_type)e->k.type, false,
		    e->first, 0);
	}
	return 0;
}

/* A peer stops feeding event id at ts. A visibility loss ends when fewer
 * peers than its minimum lack the prefix (some may never have it back);
 * the others when no peer feeds them. */
static int
event_leave(struct routing_monitor *m, uint32_t id, uint32_t ts)
{
	struct mevent *e = &m->ev[id];
	int rc;

	e->last = ts;
	if (e->active > 0 && --e->active == 0)
		return event_end(m, e, ts);
	if (e->k.type == ROUTING_A_VISIBILITY && e->fired &&
	    e->active < m->o.min_peers_loss) {
		if ((rc = emit(m, e, ROUTING_A_VISIBILITY, true, e->first,
		    ts)) != 0 || (rc = emit(m, e, ROUTING_A_VISIBLE_AGAIN,
		    true, ts, ts)) != 0)
			return rc;
		e->fired = false;	/* those still lacking it stay */
		e->first = ts;
		e->npeer = 0;
		e->nlisted = 0;
	}
	return 0;
}

/* Makes route r feed exactly the events of f from ts on. */
static int
route_set(struct routing_monitor *m, struct mroute *r, const struct feed *f,
    uint32_t ts)
{
	int rc = 0;

	for (uint8_t i = 0; rc == 0 && i < r->nev; i++) {
		bool keep = false;

		for (uint8_t j = 0; j < f->n && !keep; j++)
			keep = f->ev[j] == r->ev[i];
		if (!keep)
			rc = event_leave(m, r->ev[i], ts);
	}
	for (uint8_t j = 0; rc == 0 && j < f->n; j++) {
		bool had = false;

		for (uint8_t i = 0; i < r->nev && !had; i++)
			had = f->ev[j] == r->ev[i];
		if (!had)
			rc = event_join(m, f->ev[j], r, ts, f->path);
	}
	memcpy(r->ev, f->ev, sizeof(r->ev));
	r->nev = f->n;
	return rc;
}

/* Adds the event of key k (with its context) to f. */
static int
feed_add(struct routing_monitor *m, struct feed *f, const struct ekey *k,
    const struct routing_watch_prefix *w, const struct routing_watch_as *wa,
    const struct routing_path_rule *rule)
{
	int64_t id;

	if (f->n == ROUTE_EV)
		return 0;
	if (f->probe) {
		f->n++;
		return 0;
	}
	if (f->collect) {
		for (uint8_t i = 0; i < m->nnb; i++)
			if (ekey_eq(&m->nbk[i], k))
				return 0;
		m->nbk[m->nnb] = *k;
		m->nbwa[m->nnb] = wa;
		m->nbid[m->nnb++] = -1;
		f->n++;
		return 0;
	}
	if ((id = event_id(m, k)) < 0)
		return LL_ENOMEM;
	for (uint8_t i = 0; i < f->n; i++)
		if (f->ev[i] == (uint32_t)id)
			return 0;
	m->ev[id].watch = w;
	m->ev[id].watch_as = wa;
	m->ev[id].rule = rule;
	f->ev[f->n++] = (uint32_t)id;
	return 0;
}

/* neighbour_events() from the keys the lean record's path gave: the
 * same feed_add() calls, in the same order, without the walk; an event
 * is made when first fed, as there. */
static int
feed_neighbours(struct routing_monitor *m, struct feed *f)
{
	for (uint8_t i = 0; i < m->nnb && f->n < ROUTE_EV; i++) {
		uint32_t id;
		bool dup = false;

		if (f->probe) {
			f->n++;
			continue;
		}
		if (m->nbid[i] < 0 && (m->nbid[i] = event_id(m,
		    &m->nbk[i])) < 0)
			return LL_ENOMEM;
		id = (uint32_t)m->nbid[i];
		m->ev[id].watch = NULL;
		m->ev[id].watch_as = m->nbwa[i];
		m->ev[id].rule = NULL;
		for (uint8_t j = 0; j < f->n && !dup; j++)
			dup = f->ev[j] == id;
		if (!dup)
			f->ev[f->n++] = id;
	}
	return 0;
}

static bool
asn_in(const uint32_t *v, size_t n, uint32_t asn)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == asn)
			return true;
	return false;
}

/* asn_in() over a sorted list (upstreams, downstreams). */
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

/* The events of a watched prefix's announcement. */
static int
watched_events(struct routing_monitor *m, struct feed *f,
    const struct routing_update *u, const struct routing_watch_prefix *w,
    uint32_t origin)
{
	struct ekey k = { .p = *u->prefix, .a = origin };
	bool exact = pfx_eq(u->prefix, &w->p), any = false;
	int rc = 0;

	for (size_t i = 0; i < w->nasn; i++)
		any |= w->asn[i] != 0;
	if (!any)
		k.type = ROUTING_A_SQUATTING;
	else if (origin == 0)
		k.type = ROUTING_A_AS_SET;
	else if (!asn_in(w->asn, w->nasn, origin))
		k.type = exact ? ROUTING_A_HIJACK : ROUTING_A_SUBPREFIX;
	else
		k.type = ROUTING_A_NTYPES;
	if (k.type != ROUTING_A_NTYPES)
		rc = feed_add(m, f, &k, w, NULL, NULL);
	for (size_t i = 0; rc == 0 && i < w->nrules; i++) {
		if (!routing_path_rule_fires(&w->rules[i], u->path))
			continue;
		k.type = ROUTING_A_PATH;
		k.a = (uint32_t)i;
		k.b = w->line;
		rc = feed_add(m, f, &k, w, NULL, &w->rules[i]);
	}
	return rc;
}

/* Checks the neighbours of watched ASes on the path. */
static int
neighbour_events(struct routing_monitor *m, struct feed *f,
    const struct routing_update *u)
{
	uint32_t prev = 0;
	int rc = 0;

	for (uint16_t s = 0; rc == 0 && s < u->path->nseg; s++) {
		const struct bgp_asseg *g = &u->path->seg[s];

		if (g->type != BGP_SEG_SEQUENCE) {
			prev = 0;	/* a set breaks adjacency */
			continue;
		}
		for (uint16_t i = 0; rc == 0 && i < g->n; i++) {
			uint32_t as = g->asn[i];
			const struct routing_watch_as *wa;
			struct ekey k = { .type = ROUTING_A_NEW_UPSTREAM };

			if (as == prev)
				continue;	/* prepending */
			if (prev != 0 && (wa = routing_watch_as(m->w, as)) !=
			    NULL && wa->has_up && !asn_sorted_in(wa->up,
			    wa->nup, prev)) {
				k.a = as;
				k.b = prev;
				rc = feed_add(m, f, &k, NULL, wa, NULL);
			}
			if (rc == 0 && prev != 0 && (wa = routing_watch_as(
			    m->w, prev)) != NULL && wa->has_down &&
			    !asn_sorted_in(wa->down, wa->ndown, as)) {
				k.type = ROUTING_A_NEW_DOWNSTREAM;
				k.a = prev;
				k.b = as;
				rc = feed_add(m, f, &k, NULL, wa, NULL);
			}
			prev = as;
		}
	}
	return rc;
}

/* The space the VRPs cover, per family: most routes are of space no VRP
 * covers, told by one binary search. Returns 0 or an LL_E* code. */
static int
vrp_trees(struct routing_monitor *m)
{
	const struct routing_vrps *v = m->o.vrps;
	int rc;

	if ((rc = net_tree_new(NET_AF4, &m->vrp_tree[0])) != 0 ||
	    (rc = net_tree_new(NET_AF6, &m->vrp_tree[1])) != 0)
		return rc;
	for (size_t i = 0; i < v->n; i++) {
		const struct net_prefix *p = &v->v[i].p;
		unsigned first = (unsigned)p->a[0] << 8 | p->a[1];
		unsigned n = p->len >= 16 ? 1 : 1u << (16 - p->len);

		if ((rc = net_tree_add(m->vrp_tree[p->af == NET_AF6], p,
		    1)) != 0)
			return rc;
		for (unsigned k = first; p->af == NET_AF4 && k < first + n;
		    k++)
			m->vrp16[k >> 6] |= 1ULL << (k & 63);
	}
	if ((rc = net_tree_build(m->vrp_tree[0])) != 0)
		return rc;
	return net_tree_build(m->vrp_tree[1]);
}

/* routing_rov(), after the quick test for space no VRP covers (a VRP
 * covering p holds p's first address). */
static enum routing_rov
rov_of(struct routing_monitor *m, const struct net_prefix *p,
    uint32_t origin)
{
	struct net_addr first;

	unsigned s16 = (unsigned)p->a[0] << 8 | p->a[1];

	/* a VRP covering p holds its first address, so meets its /16 */
	if (p->af == NET_AF4 && !(m->vrp16[s16 >> 6] >> (s16 & 63) & 1))
		return ROUTING_ROV_NOT_FOUND;
	first.af = p->af;
	memcpy(first.a, p->a, sizeof(first.a));
	if (net_tree_lookup(m->vrp_tree[p->af == NET_AF6], &first) == 0)
		return ROUTING_ROV_NOT_FOUND;
	return routing_rov(m->o.vrps, p, origin);
}

/* The RPKI event of an announcement of p by origin, of a watched prefix
 * (w) or a watched origin AS. */
static int
rpki_events(struct routing_monitor *m, struct feed *f,
    const struct net_prefix *p, const struct routing_watch_prefix *w,
    uint32_t origin)
{
	struct ekey k = { .type = ROUTING_A_RPKI_INVALID, .p = *p,
	    .a = origin };
	enum routing_rov st;
	int rc;

	if (m->o.vrps == NULL || (w == NULL && (origin == 0 ||
	    routing_watch_as(m->w, origin) == NULL)))
		return 0;
	st = rov_of(m, p, origin);
	if (st != ROUTING_ROV_INVALID_AS && st != ROUTING_ROV_INVALID_LENGTH)
		return 0;
	if ((rc = feed_add(m, f, &k, w, NULL, NULL)) == 0 && !f->probe)
		m->ev[f->ev[f->n - 1]].rov = st;
	return rc;
}

/* All events an announcement feeds; the neighbours of watched ASes only
 * when neigh. */
static int
announce_events(struct routing_monitor *m, struct feed *f,
    const struct routing_update *u, const struct routing_watch_prefix *w,
    bool neigh)
{
	uint32_t origin = routing_origin(u->path);
	int rc = 0;

	if (w != NULL)
		rc = watched_events(m, f, u, w, origin);
	if (rc == 0 && neigh && m->nb_on)
		rc = feed_neighbours(m, f);
	else if (rc == 0 && neigh && m->w->nas > 0)
		rc = neighbour_events(m, f, u);
	if (rc == 0 && w != NULL) {
		struct ekey k = { .type = ROUTING_A_LEAK, .p = *u->prefix };

		if ((k.a = routing_leak(m->o.rels, u->path)) != 0)
			rc = feed_add(m, f, &k, w, NULL, NULL);
	}
	if (rc == 0)
		rc = rpki_events(m, f, u->prefix, w, origin);
	return rc;
}

/* The watch entry whose rules apply to p: NULL when none or ignored. */
static const struct routing_watch_prefix *
watch_of(const struct routing_monitor *m, const struct net_prefix *p)
{
	const struct routing_watch_prefix *w = routing_watch_match(m->w, p);

	if (w == NULL || w->ignore || (w->ignore_more && !pfx_eq(&w->p, p)))
		return NULL;
	return w;
}
/* routing_monitor_update(); neigh false when the path is known to feed
 * no neighbour event. */
static int
update(struct routing_monitor *m, const struct routing_update *u, bool neigh)
{
	const struct routing_watch_prefix *w = watch_of(m, u->prefix);
	bool exact = w != NULL && pfx_eq(&w->p, u->prefix), oom;
	struct feed f;
	struct mroute *r;
	int64_t peer;
	uint64_t h;

	f.n = 0;
	f.probe = false;
	f.collect = false;
	f.path = u->path;
	if (u->path != NULL) {
		int rc = announce_events(m, &f, u, w, neigh);

		if (rc != 0)
			return rc;
	} else if (exact) {
		struct ekey k = { .type = ROUTING_A_VISIBILITY, .p = w->p };

		if (feed_add(m, &f, &k, w, NULL, NULL) != 0)
			return LL_ENOMEM;
	}
	/* a route is kept only when it feeds an event or is of a watched
	 * prefix: the filter, a bit per (peer, prefix) set when its route
	 * is made, tells most of the others without a probe */
	if ((peer = peer_id(m, u->peer, u->peer_asn)) < 0)
		return LL_ENOMEM;
	h = pfx_hash(u->prefix, (uint64_t)peer << 24) & (PFX_FILTER - 1);
	if (f.n == 0 && !exact && !(m->seen[h >> 6] >> (h & 63) & 1))
		return 0;
	r = route_get(m, (uint32_t)peer, u->prefix, f.n > 0 || exact, &oom);
	if (r == NULL)
		return oom ? LL_ENOMEM : 0;
	m->seen[h >> 6] |= 1ULL << (h & 63);
	r->withdrawn = u->path == NULL;
	return route_set(m, r, &f, u->ts);
}

int
routing_monitor_update(struct routing_monitor *m,
    const struct routing_update *u)
{
	return update(m, u, true);
}

int
routing_monitor_peer_down(struct routing_monitor *m, uint32_t ts,
    const struct net_addr *peer, uint32_t peer_asn)
{
	int64_t id = peer_id(m, peer, peer_asn);
	int rc = 0;

	if (id < 0)
		return LL_ENOMEM;
	if ((size_t)id >= m->ptcap || m->pt[id].r == NULL)
		return 0;
	for (size_t i = 0; rc == 0 && i <= m->pt[id].mask; i++) {
		struct mroute *r = &m->pt[id].r[i];
		struct net_prefix p = r->p;
		struct routing_update u = { ts, peer, peer_asn, &p, NULL };

		if (r->peer != 0 && !r->withdrawn)
			rc = routing_monitor_update(m, &u);
	}
	return rc;
}

int
routing_monitor_finish(struct routing_monitor *m)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < m->nev; i++)
		if (m->ev[i].fired && m->ev[i].active > 0)
			rc = emit(m, &m->ev[i], (enum routing_alert_type)
			    m->ev[i].k.type, true, m->ev[i].first, 0);
	return rc;
}


#define LEAN_SEGS	64
#define LEAN_ASNS	1024
#define LEAN_BATCH	32

/* Starts loading what update() will probe for p from peer id: its bit in
 * the filter and its slot in the peer's routes (they are met at random,
 * and a record's prefixes are known in advance). */
static void
lean_prefetch(const struct routing_monitor *m, int64_t peer,
    const struct net_prefix *p)
{
	uint64_t h = pfx_hash(p, (uint64_t)peer << 24) & (PFX_FILTER - 1);

	__builtin_prefetch(&m->seen[h >> 6]);
	if (peer >= 0 && (size_t)peer < m->ptcap && m->pt[peer].r != NULL)
		__builtin_prefetch(&m->pt[peer].r[pfx_hash(p, 0) &
		    m->pt[peer].mask]);
}

/* Feeds one run of a lean record's prefixes, LEAN_BATCH at a time. */
static int
lean_run(struct routing_monitor *m, const struct bgp_lean_run *run,
    struct routing_update *u, bool neigh)
{
	struct net_prefix p[LEAN_BATCH];
	int64_t peer = run->len > 0 ? peer_id(m, u->peer, u->peer_asn) : 0;
	int rc = 0;

	if (peer < 0)
		return LL_ENOMEM;
	for (size_t i = 0; rc == 0 && i < run->len;) {
		size_t n = 0;

		for (; n < LEAN_BATCH && i < run->len; n++) {
			unsigned bits = run->p[i], bytes = (bits + 7) / 8;

			memset(&p[n], 0, sizeof(p[n]));
			p[n].af = run->af;
			p[n].len = (uint8_t)bits;
			memcpy(p[n].a, run->p + i + 1, bytes);
			net_prefix_mask(&p[n]);
			lean_prefetch(m, peer, &p[n]);
			i += 1 + bytes;
		}
		for (size_t k = 0; rc == 0 && k < n; k++) {
			u->prefix = &p[k];
			rc = update(m, u, neigh);
		}
	}
	return rc;
}

int
routing_monitor_lean(struct routing_monitor *m, const struct mrt_lean *l)
{
	const struct bgp_lean *b = &l->bgp;
	struct bgp_asseg seg[LEAN_SEGS];
	uint32_t asn[LEAN_ASNS];
	struct bgp_aspath path;
	struct routing_update u = { l->ts, &l->peer, l->peer_asn, NULL, NULL };
	bool neigh = false;
	int rc = 0;

	m->nb_on = false;
	if (b->run[BGP_LEAN_ANNOUNCED].n + b->run[BGP_LEAN_MP_REACH].n > 0) {
		struct feed f = { .collect = true };

		if (bgp_lean_path(b, &path, seg, LEAN_SEGS, asn,
		    LEAN_ASNS) != 0)
			return LL_ELIMIT;	/* nothing fed yet */
		/* the neighbours are the path's: looked at once a record,
		 * their events made once and fed to each prefix in turn */
		u.path = &path;
		m->nnb = 0;
		if (m->w->nas > 0 && (rc = neighbour_events(m, &f, &u)) != 0)
			return rc;
		m->nb_on = true;
		neigh = f.n > 0;
	}
	for (int k = 0; rc == 0 && k < BGP_LEAN_RUNS; k++) {
		u.path = k == BGP_LEAN_ANNOUNCED || k == BGP_LEAN_MP_REACH ?
		    &path : NULL;
		rc = lean_run(m, &b->run[k], &u, neigh);
	}
	m->nb_on = false;
	return rc;
}
