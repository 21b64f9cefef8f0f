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
 *
 * Where the time goes is memory, not instructions, so the layout is what
 * matters: one probe of the prefix table (monitor_pfx.h: the 87,000
 * prefixes of the benchmark corpus fit a core's cache) settles nearly
 * every update of a prefix that no watch entry applies to and no route of
 * which is kept. The others have a state each, with their routes by peer
 * in a small open-addressing table; a route that feeds one event holds it
 * inline, and only one that feeds several takes an mroute. A lean record
 * comes with the facts of its AS path (monitor_facts.c), worked out on
 * the thread that reads the archive.
 */
#include <stdlib.h>
#include <string.h>

#include "bgp/bgp.h"
#include "mrt/mrt.h"
#include "net/net_tree.h"
#include "routing/routing.h"
#include "routing/monitor_pfx.h"
#include "routing/routing_int.h"
#include "util/err.h"
#include "util/grow.h"
#include "util/hash.h"

#define ROUTE_EV	8		/* events one route feeds at most */
#define EV_PEERS_MAX	65536		/* distinct peers kept per event */
#define PATH_TEXT	512
#define NEIGH_EV	ROUTE_EV	/* a record's neighbour events */

struct ekey {
	uint8_t			type;
	struct net_prefix	p;
	uint32_t		a, b;
};

/* A neighbour event of the lean record's path. */
struct nbev {
	struct ekey			 k;
	const struct routing_watch_as	*wa;
	int64_t				 id;	/* the event's, -1: not made */
};

#define NB_CACHE	4096

struct nbcache {
	uint32_t	a, b;
	uint32_t	id1;		/* id + 1; 0: empty */
	uint8_t		type;
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

/* The events a kept route feeds, when it feeds some. */
struct mroute {
	uint8_t		nev;
	uint32_t	ev[ROUTE_EV];
};

/* A (peer, prefix) route that feeds events or is of a watched prefix:
 * most feed none, and are only this. */
struct rslot {
	uint32_t	peer;		/* id + 1; 0: empty */
	uint32_t	st;		/* RS_WITHDRAWN | RS_ONE | the one event
					   it feeds, or RS_WITHDRAWN | its
					   mroute's index + 1, or 0 when it
					   feeds no event */
};
#define RS_WITHDRAWN	0x80000000u
#define RS_ONE		0x40000000u	/* most feed one event: no mroute */
#define RS_IDX		0x3fffffffu

/* What the monitors keep of a prefix that a watch entry applies to or
 * that has routes kept: its entry, and its routes by peer (open
 * addressing: a prefix seen by 200 peers finds one in a cache line or
 * two). */
struct pstate {
	struct rslot			*r;
	uint32_t			 n, mask;
	const struct routing_watch_prefix *w;	/* watch_of(), or NULL */
	bool				 exact;		/* p is w's prefix */
	bool				 any;		/* w expects an origin */
	bool				 rules;		/* w has path rules */
	uint32_t			 ok_origin;	/* the last origin found
							   expected (0: none) */
	uint32_t			 rov_origin;	/* the last origin
							   validated, and */
	uint8_t				 rov;		/* its state + 1 (0:
							   none yet) */
	struct net_prefix		 p;
};

/* The prefixes a peer has routes kept of, by state index, in the order
 * they were kept: a Peer Down withdraws them. */
struct pkept {
	uint32_t	*ps;
	size_t		 n, cap;
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
	int64_t				 last_peer;	/* the id peer_id()
							   gave last, or -1 */
	struct pfx_table		 pt;		/* every prefix met */
	struct pstate			*ps;		/* a tag's index - 1 */
	size_t				 nps, pscap;
	struct mroute			*mr;		/* the routes' events */
	size_t				 nmr, mrcap;
	uint32_t			 mr_free;	/* a free list through
							   ev[0], index + 1 */
	struct pkept			*kept;		/* per peer id */
	size_t				 keptcap;
	struct mevent			*ev;
	size_t				 nev, evcap;
	uint32_t			*ev_slot;	/* id + 1 */
	size_t				 ev_mask;
	struct net_tree			*vrp_tree[2];	/* VRP space, for a
							   quick not-found */
	uint64_t			 vrp16[1024];	/* the IPv4 /16s
							   VRPs meet */
	struct nbcache			 nbc[NB_CACHE];
	struct nbev			 nb[NEIGH_EV];	/* the neighbour events
							   of the lean record's
							   path, in order */
	uint8_t				 nnb;
	bool				 nb_on;		/* nb stands for
							   neighbour_events(),
							   and rec_* hold */
	/* the lean record's path, decoded when first needed */
	const struct bgp_lean		*rlean;
	struct bgp_aspath		 rpath;
	bool				 rpath_ok;
	struct bgp_asseg		 rseg[LEAN_SEGS];
	uint32_t			 rasn[LEAN_ASNS];
	/* what the lean record's path gives every prefix of it */
	uint32_t			 rec_origin;
	bool				 rec_origin_watched;
	uint32_t			 rec_leak;
	bool				 rec_leak_known;
};

/* What one update makes a route feed. */
struct feed {
	uint32_t		 ev[ROUTE_EV];
	uint8_t			 n;
	bool			 probe;		/* count events, make none */
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

	/* the records of a peer come in runs */
	if (m->last_peer >= 0 && m->peers[m->last_peer].asn == asn &&
	    m->peers[m->last_peer].addr.af == a->af &&
	    memcmp(m->peers[m->last_peer].addr.a, a->a, sizeof(a->a)) == 0)
		return m->last_peer;
	if ((m->npeers + 1) * 2 > m->peer_mask + 1 &&
	    slots_grow(&m->peer_slot, &m->peer_mask, peer_hash, m) != 0)
		return -1;
	for (k = peer_hash_addr(a, asn) & m->peer_mask; m->peer_slot[k] != 0;
	    k = (k + 1) & m->peer_mask) {
		const struct routing_alert_peer *q =
		    &m->peers[m->peer_slot[k] - 1];

		if (q->asn == asn && q->addr.af == a->af &&
		    memcmp(q->addr.a, a->a, sizeof(a->a)) == 0)
			return m->last_peer = m->peer_slot[k] - 1;
	}
	if (m->npeers >= UINT32_MAX - 1 ||
	    ll_grow(&m->peers, &m->peercap, m->npeers + 1,
	    sizeof(*m->peers)) != 0)
		return -1;
	m->peers[m->npeers].addr = *a;
	m->peers[m->npeers].asn = asn;
	m->peer_slot[k] = (uint32_t)++m->npeers;
	return m->last_peer = (int64_t)m->npeers - 1;
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

static uint32_t
rslot_home(uint32_t peer, uint32_t mask)
{
	return (uint32_t)(((uint64_t)peer * 0x9e3779b97f4a7c15ULL) >> 32) &
	    mask;
}

/* Doubles ps's route slots. */
static int
rslots_grow(struct pstate *ps)
{
	uint32_t n = ps->r != NULL ? (ps->mask + 1) * 2 : 8;
	struct rslot *nr = calloc(n, sizeof(*nr));

	if (nr == NULL)
		return LL_ENOMEM;
	for (uint32_t i = 0; ps->r != NULL && i <= ps->mask; i++) {
		uint32_t k;

		if (ps->r[i].peer == 0)
			continue;
		for (k = rslot_home(ps->r[i].peer, n - 1); nr[k].peer != 0;
		    k = (k + 1) & (n - 1))
			;
		nr[k] = ps->r[i];
	}
	free(ps->r);
	ps->r = nr;
	ps->mask = n - 1;
	return 0;
}

/* Notes that peer has a route of state index i kept. */
static int
kept_add(struct routing_monitor *m, uint32_t peer, uint32_t i)
{
	struct pkept *k;

	if (peer >= m->keptcap) {
		size_t old = m->keptcap;

		if (ll_grow(&m->kept, &m->keptcap, (size_t)peer + 1,
		    sizeof(*m->kept)) != 0)
			return LL_ENOMEM;
		memset(m->kept + old, 0, (m->keptcap - old) *
		    sizeof(*m->kept));
	}
	k = &m->kept[peer];
	if (ll_grow(&k->ps, &k->cap, k->n + 1, sizeof(*k->ps)) != 0)
		return LL_ENOMEM;
	k->ps[k->n++] = i;
	return 0;
}

/* The route of peer in state i: found, or (add) made; NULL when absent
 * and not to be added, or out of memory (*oom). */
static struct rslot *
route_get(struct routing_monitor *m, uint32_t i, uint32_t peer, bool add,
    bool *oom)
{
	struct pstate *ps = &m->ps[i];
	uint32_t k, want = peer + 1;

	*oom = false;
	for (k = ps->r != NULL ? rslot_home(want, ps->mask) : 0;
	    ps->r != NULL && ps->r[k].peer != 0; k = (k + 1) & ps->mask)
		if (ps->r[k].peer == want)
			return &ps->r[k];
	if (!add)
		return NULL;
	if ((ps->n + 1) * 4 > (ps->r != NULL ? ps->mask + 1 : 0) * 3) {
		if (rslots_grow(ps) != 0)
			goto oom;
		for (k = rslot_home(want, ps->mask); ps->r[k].peer != 0;
		    k = (k + 1) & ps->mask)
			;
	}
	if (kept_add(m, peer, i) != 0)
		goto oom;
	ps->r[k].peer = want;
	ps->r[k].st = 0;
	ps->n++;
	return &ps->r[k];
oom:
	*oom = true;
	return NULL;
}

/* A free mroute, with no events: its index + 1, or 0 when out of
 * memory. */
static uint32_t
mroute_new(struct routing_monitor *m)
{
	uint32_t id = m->mr_free;

	if (id != 0)
		m->mr_free = m->mr[id - 1].ev[0];
	else if (m->nmr < RS_IDX - 1 && ll_grow(&m->mr, &m->mrcap,
	    m->nmr + 1, sizeof(*m->mr)) == 0)
		id = (uint32_t)++m->nmr;
	else
		return 0;
	m->mr[id - 1].nev = 0;
	return id;
}

static void
mroute_free(struct routing_monitor *m, uint32_t id)
{
	m->mr[id - 1].ev[0] = m->mr_free;
	m->mr_free = id;
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
	m->last_peer = -1;
	if (pfx_table_init(&m->pt) != 0 ||
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
	for (size_t i = 0; i < m->nps; i++)
		free(m->ps[i].r);
	free(m->ps);
	for (size_t i = 0; i < m->keptcap; i++)
		free(m->kept[i].ps);
	free(m->kept);
	free(m->mr);
	pfx_table_fini(&m->pt);
	net_tree_free(m->vrp_tree[0]);
	net_tree_free(m->vrp_tree[1]);
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

/* The path p, decoded now when it is the lean record's and not decoded
 * yet: its facts came without it, and only an event's path text, a path
 * rule or a leak check needs it. */
static const struct bgp_aspath *
path_get(struct routing_monitor *m, const struct bgp_aspath *p)
{
	if (p == &m->rpath && !m->rpath_ok) {
		/* its facts were worked out from the same bytes: it decodes */
		if (bgp_lean_path(m->rlean, &m->rpath, m->rseg, LEAN_SEGS,
		    m->rasn, LEAN_ASNS) != 0)
			m->rpath.nseg = 0;
		m->rpath_ok = true;
	}
	return p;
}

/* A peer starts feeding event id at ts, with path text (may be NULL). */
static int
event_join(struct routing_monitor *m, uint32_t id, uint32_t peer,
    const struct net_prefix *p, uint32_t ts, const struct bgp_aspath *aspath)
{
	char path[PATH_TEXT];
	struct mevent *e = &m->ev[id];
	uint32_t need = e->k.type == ROUTING_A_VISIBILITY ?
	    m->o.min_peers_loss : m->o.min_peers;
	int rc;

	if (e->active++ == 0) {
		e->first = ts;
		e->example = *p;
	}
	e->last = ts;
	if ((rc = event_peer(e, peer)) != 0)
		return rc;
	if (aspath != NULL && e->npaths < ROUTING_ALERT_PATHS) {
		bool dup = false;

		routing_path_text(path_get(m, aspath), ' ', path,
		    sizeof(path));
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

/* Makes route r (of peer, for p) feed exactly the events of f from ts
 * on. */
static int
route_set(struct routing_monitor *m, struct mroute *r, uint32_t peer,
    const struct net_prefix *p, const struct feed *f, uint32_t ts)
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
			rc = event_join(m, f->ev[j], peer, p, ts, f->path);
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

/* The id of neighbour event nb, made when new: a small cache of recent
 * ones first (a few hundred neighbour events are fed millions of times).
 * -1 when out of memory. */
static int64_t
nb_event(struct routing_monitor *m, const struct nbev *nb)
{
	const struct ekey *k = &nb->k;
	size_t h = (size_t)(ll_fold((uint64_t)k->a << 32 | k->b, k->type) &
	    (NB_CACHE - 1));
	struct nbcache *c = &m->nbc[h];
	int64_t id;

	if (c->id1 != 0 && c->type == k->type && c->a == k->a && c->b == k->b)
		return (int64_t)c->id1 - 1;
	if ((id = event_id(m, k)) < 0)
		return -1;
	/* an event's context follows from its key: set once */
	m->ev[id].watch = NULL;
	m->ev[id].watch_as = nb->wa;
	m->ev[id].rule = NULL;
	c->type = k->type;
	c->a = k->a;
	c->b = k->b;
	c->id1 = (uint32_t)id + 1;
	return id;
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
		if (m->nb[i].id < 0 && (m->nb[i].id = nb_event(m,
		    &m->nb[i])) < 0)
			return LL_ENOMEM;
		id = (uint32_t)m->nb[i].id;
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

/* The events of a watched prefix's announcement (ps->w set). */
static int
watched_events(struct routing_monitor *m, struct feed *f,
    const struct routing_update *u, struct pstate *ps, uint32_t origin)
{
	const struct routing_watch_prefix *w = ps->w;
	struct ekey k = { .p = *u->prefix, .a = origin };
	int rc = 0;

	k.type = ROUTING_A_NTYPES;
	if (!ps->any)
		k.type = ROUTING_A_SQUATTING;
	else if (origin == 0)
		k.type = ROUTING_A_AS_SET;
	else if (origin == ps->ok_origin)
		;	/* found expected last time: the list is not read */
	else if (!asn_in(w->asn, w->nasn, origin))
		k.type = ps->exact ? ROUTING_A_HIJACK : ROUTING_A_SUBPREFIX;
	else
		ps->ok_origin = origin;
	if (k.type != ROUTING_A_NTYPES)
		rc = feed_add(m, f, &k, w, NULL, NULL);
	for (size_t i = 0; rc == 0 && ps->rules && i < w->nrules; i++) {
		if (!routing_path_rule_fires(&w->rules[i], path_get(m,
		    u->path)))
			continue;
		k.type = ROUTING_A_PATH;
		k.a = (uint32_t)i;
		k.b = w->line;
		rc = feed_add(m, f, &k, w, NULL, &w->rules[i]);
	}
	return rc;
}

/* The watched AS asn, or NULL. */
static const struct routing_watch_as *
watched_as(const struct routing_monitor *m, uint32_t asn)
{
	return routing_watch_as_maybe(m->w, asn) ? routing_watch_as(m->w,
	    asn) : NULL;
}

/* Checks the neighbours of watched ASes on the path. */
static int
neighbour_events(struct routing_monitor *m, struct feed *f,
    const struct routing_update *u)
{
	struct routing_lean_nb v[ROUTING_LEAN_NB];
	uint8_t n;
	int rc = 0;

	routing_path_neighbours(m->w, u->path, v, &n);
	for (uint8_t i = 0; rc == 0 && i < n; i++) {
		struct ekey k = { .type = v[i].type, .a = v[i].a,
		    .b = v[i].b };

		rc = feed_add(m, f, &k, NULL, v[i].wa, NULL);
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
 * (w) or a watched origin AS. ps: p's state, where the last validation
 * is kept (a prefix keeps its origin from one update to the next, and
 * the VRPs do not change during a run), or NULL. */
static int
rpki_events(struct routing_monitor *m, struct feed *f,
    const struct net_prefix *p, struct pstate *ps, uint32_t origin)
{
	const struct routing_watch_prefix *w = ps != NULL ? ps->w : NULL;
	struct ekey k = { .type = ROUTING_A_RPKI_INVALID, .p = *p,
	    .a = origin };
	enum routing_rov st;
	int rc;

	if (m->o.vrps == NULL || (w == NULL && (origin == 0 ||
	    watched_as(m, origin) == NULL)))
		return 0;
	if (ps != NULL && ps->rov != 0 && ps->rov_origin == origin)
		st = (enum routing_rov)(ps->rov - 1);
	else {
		st = rov_of(m, p, origin);
		if (ps != NULL) {
			ps->rov_origin = origin;
			ps->rov = (uint8_t)(st + 1);
		}
	}
	if (st != ROUTING_ROV_INVALID_AS && st != ROUTING_ROV_INVALID_LENGTH)
		return 0;
	if ((rc = feed_add(m, f, &k, w, NULL, NULL)) == 0 && !f->probe)
		m->ev[f->ev[f->n - 1]].rov = st;
	return rc;
}

/* The leak routing_leak() finds on the update's path: once a lean
 * record, whose prefixes share it, and only when a watched prefix asks. */
static uint32_t
leak_of(struct routing_monitor *m, const struct routing_update *u)
{
	if (!m->nb_on)
		return routing_leak(m->o.rels, u->path);
	if (!m->rec_leak_known) {
		m->rec_leak = routing_leak(m->o.rels, path_get(m, u->path));
		m->rec_leak_known = true;
	}
	return m->rec_leak;
}

/* All events an announcement feeds; the neighbours of watched ASes only
 * when neigh. ps: the prefix's state, or NULL. */
static int
announce_events(struct routing_monitor *m, struct feed *f,
    const struct routing_update *u, struct pstate *ps, bool neigh)
{
	const struct routing_watch_prefix *w = ps != NULL ? ps->w : NULL;
	uint32_t origin = m->nb_on ? m->rec_origin : routing_origin(u->path);
	int rc = 0;

	if (w != NULL)
		rc = watched_events(m, f, u, ps, origin);
	if (rc == 0 && neigh && m->nb_on)
		rc = feed_neighbours(m, f);
	else if (rc == 0 && neigh && m->w->nas > 0)
		rc = neighbour_events(m, f, u);
	if (rc == 0 && w != NULL) {
		struct ekey k = { .type = ROUTING_A_LEAK, .p = *u->prefix };

		if ((k.a = leak_of(m, u)) != 0)
			rc = feed_add(m, f, &k, w, NULL, NULL);
	}
	if (rc == 0)
		rc = rpki_events(m, f, u->prefix, ps, origin);
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

/* A state for p, whose tag is *tag, with watch entry w (or NULL).
 * Returns it, or NULL when out of memory. */
static struct pstate *
pstate_new(struct routing_monitor *m, uint32_t *tag,
    const struct net_prefix *p, const struct routing_watch_prefix *w)
{
	struct pstate *ps;

	if (m->nps >= PFX_IDX_MAX || ll_grow(&m->ps, &m->pscap, m->nps + 1,
	    sizeof(*m->ps)) != 0)
		return NULL;
	ps = &m->ps[m->nps++];
	memset(ps, 0, sizeof(*ps));
	ps->p = *p;
	ps->w = w;
	if (w != NULL) {
		ps->exact = pfx_eq(&w->p, p);
		for (size_t i = 0; i < w->nasn; i++)
			ps->any |= w->asn[i] != 0;
		ps->rules = w->nrules > 0;
	}
	*tag |= (uint32_t)m->nps;
	return ps;
}

/* The tag of p in the prefix table; added when new, with a state when a
 * watch entry applies to p. NULL when out of memory. */
static uint32_t *
pfx_lookup(struct routing_monitor *m, const struct net_prefix *p)
{
	const struct routing_watch_prefix *w;
	bool added;
	uint32_t *tag = pfx_table_get(&m->pt, p, &added);

	if (tag == NULL || !added || (w = watch_of(m, p)) == NULL)
		return tag;
	return pstate_new(m, tag, p, w) != NULL ? tag : NULL;
}

/* Makes peer's route of state i feed the events of f, made or found:
 * kept when it feeds some or the prefix is watched exactly. */
static int
route_update(struct routing_monitor *m, uint32_t i, uint32_t peer,
    const struct routing_update *u, const struct feed *f)
{
	uint32_t wd = u->path == NULL ? RS_WITHDRAWN : 0, st, mr = 0;
	struct mroute one, *r = &one;
	struct rslot *rs;
	bool oom;
	int rc;

	rs = route_get(m, i, peer, f->n > 0 || m->ps[i].exact, &oom);
	if (rs == NULL)
		return oom ? LL_ENOMEM : 0;
	st = rs->st & ~RS_WITHDRAWN;
	rs->st = st | wd;
	if (f->n == 0 && st == 0)
		return 0;
	one.nev = 0;
	if (st & RS_ONE) {
		one.nev = 1;
		one.ev[0] = st & RS_IDX;
	} else if (st != 0)
		r = &m->mr[(mr = st) - 1];
	if (f->n > 1 && mr == 0) {
		/* more than one event: an mroute, taken before any change */
		if ((mr = mroute_new(m)) == 0)
			return LL_ENOMEM;
		m->mr[mr - 1] = one;
		r = &m->mr[mr - 1];
	}
	rc = route_set(m, r, peer, u->prefix, f, u->ts);
	st = mr;
	if (r->nev <= 1 && (r->nev == 0 || r->ev[0] <= RS_IDX)) {
		st = r->nev == 0 ? 0 : RS_ONE | r->ev[0];
		if (mr != 0)
			mroute_free(m, mr);
	}
	rs->st = st | wd;
	return rc;
}

/* routing_monitor_update() of peer id peer; neigh false when the path is
 * known to feed no neighbour event; tag: the prefix's, or NULL. */
static int
update(struct routing_monitor *m, uint32_t peer,
    const struct routing_update *u, bool neigh, uint32_t *tag)
{
	struct pstate *ps = NULL;
	struct feed f;
	uint32_t idx;

	if (tag == NULL && (tag = pfx_lookup(m, u->prefix)) == NULL)
		return LL_ENOMEM;
	if ((idx = pfx_tag_index(*tag)) == 0 && u->path != NULL &&
	    m->o.vrps != NULL && m->nb_on && m->rec_origin_watched) {
		/* a watched AS's prefix: a state to keep its validation in */
		if (pstate_new(m, tag, u->prefix, NULL) == NULL)
			return LL_ENOMEM;
		idx = (uint32_t)m->nps;
	}
	if (idx != 0)
		ps = &m->ps[idx - 1];
	f.n = 0;
	f.probe = false;
	f.path = u->path;
	if (u->path != NULL) {
		int rc = announce_events(m, &f, u, ps, neigh);

		if (rc != 0)
			return rc;
	} else if (ps != NULL && ps->exact) {
		struct ekey k = { .type = ROUTING_A_VISIBILITY, .p = ps->w->p };

		if (feed_add(m, &f, &k, ps->w, NULL, NULL) != 0)
			return LL_ENOMEM;
	}
	/* a route is kept only when it feeds an event or is of a watched
	 * prefix */
	if (f.n == 0 && (ps == NULL || (!ps->exact && ps->n == 0)))
		return 0;
	if (ps == NULL) {
		if (pstate_new(m, tag, u->prefix, NULL) == NULL)
			return LL_ENOMEM;
		idx = (uint32_t)m->nps;
	}
	return route_update(m, idx - 1, peer, u, &f);
}

int
routing_monitor_update(struct routing_monitor *m,
    const struct routing_update *u)
{
	int64_t peer = peer_id(m, u->peer, u->peer_asn);

	if (peer < 0)
		return LL_ENOMEM;
	return update(m, (uint32_t)peer, u, true, NULL);
}

#define BGP_ESTABLISHED	6		/* RFC 4271 8.2.2's sixth state */

int
routing_monitor_elem(struct routing_monitor *m, const struct mrt_elem *e)
{
	struct routing_update u;

	if (e->peer == NULL)
		return 0;
	if (e->type == MRT_ELEM_STATE) {
		if (e->old_state == BGP_ESTABLISHED &&
		    e->new_state != BGP_ESTABLISHED)
			return routing_monitor_peer_down(m, e->ts,
			    &e->peer->addr, e->peer->asn);
		return 0;
	}
	if (e->nlri == NULL)
		return 0;
	u.ts = e->ts;
	u.peer = &e->peer->addr;
	u.peer_asn = e->peer->asn;
	u.prefix = &e->nlri->pfx;
	u.path = e->type == MRT_ELEM_WITHDRAW || e->attrs == NULL ? NULL :
	    &e->attrs->path;
	return routing_monitor_update(m, &u);
}

int
routing_monitor_peer_down(struct routing_monitor *m, uint32_t ts,
    const struct net_addr *peer, uint32_t peer_asn)
{
	int64_t id = peer_id(m, peer, peer_asn);
	int rc = 0;

	if (id < 0)
		return LL_ENOMEM;
	if ((size_t)id >= m->keptcap)
		return 0;
	/* its routes in the order they were first kept */
	for (size_t i = 0; rc == 0 && i < m->kept[id].n; i++) {
		uint32_t k = m->kept[id].ps[i];
		struct net_prefix p = m->ps[k].p;
		struct routing_update u = { ts, peer, peer_asn, &p, NULL };
		struct rslot *r;
		bool oom;

		r = route_get(m, k, (uint32_t)id, false, &oom);
		if (r != NULL && !(r->st & RS_WITHDRAWN))
			rc = update(m, (uint32_t)id, &u, true, NULL);
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


#define LEAN_BATCH	32

/* A prefix of a lean run: the bytes of an NLRI. */
static void
lean_prefix(const uint8_t *b, uint8_t af, struct net_prefix *p)
{
	unsigned bits = b[0];

	memset(p, 0, sizeof(*p));
	p->af = af;
	p->len = (uint8_t)bits;
	memcpy(p->a, b + 1, (bits + 7) / 8);
	net_prefix_mask(p);
}

/* The address and length of an IPv4 NLRI at b (host bits cleared);
 * bgp_lean_message() checked the length (at most 32) and that its bytes
 * lie inside the run. */
static uint32_t
lean_addr4(const uint8_t *b, uint8_t *len)
{
	unsigned bits = b[0], bytes = (bits + 7) / 8;
	uint32_t a = 0;

	for (unsigned k = 0; k < bytes; k++)
		a |= (uint32_t)b[1 + k] << (24 - 8 * k);
	*len = (uint8_t)bits;
	return bits == 0 ? 0 : a & ~0u << (32 - bits);
}

/* An IPv4 run: the prefixes read LEAN_BATCH at a time and their table
 * slots prefetched (they are met at random), then those the record's
 * path and the table say nothing of skipped (all: none is). */
static int
lean_run4(struct routing_monitor *m, const struct bgp_lean_run *run,
    struct routing_update *u, uint32_t peer, bool neigh, bool all)
{
	uint32_t addr[LEAN_BATCH];
	uint8_t len[LEAN_BATCH];
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < run->len;) {
		size_t n = 0;

		for (; n < LEAN_BATCH && i < run->len; n++) {
			addr[n] = lean_addr4(run->p + i, &len[n]);
			__builtin_prefetch(pfx4_home(&m->pt, addr[n], len[n]));
			i += 1 + (len[n] + 7u) / 8;
		}
		for (size_t k = 0; rc == 0 && k < n; k++) {
			uint32_t *tag = pfx4_find(&m->pt, addr[k], len[k]);
			struct net_prefix p;

			if (!all && tag != NULL && pfx_tag_index(*tag) == 0)
				continue;
			memset(&p, 0, sizeof(p));
			p.af = NET_AF4;
			p.len = len[k];
			p.a[0] = (uint8_t)(addr[k] >> 24);
			p.a[1] = (uint8_t)(addr[k] >> 16);
			p.a[2] = (uint8_t)(addr[k] >> 8);
			p.a[3] = (uint8_t)addr[k];
			u->prefix = &p;
			rc = update(m, peer, u, neigh, tag);
		}
	}
	return rc;
}

/* Feeds one run of a lean record's prefixes; all: whether the record's
 * path may make events of any of them. */
static int
lean_run(struct routing_monitor *m, const struct bgp_lean_run *run,
    struct routing_update *u, bool neigh, bool all)
{
	int64_t peer;
	int rc = 0;

	if (run->len == 0)
		return 0;
	if ((peer = peer_id(m, u->peer, u->peer_asn)) < 0)
		return LL_ENOMEM;
	if (run->af == NET_AF4)
		return lean_run4(m, run, u, (uint32_t)peer, neigh, all);
	for (size_t i = 0; rc == 0 && i < run->len;
	    i += 1 + (run->p[i] + 7u) / 8) {
		struct net_prefix p;
		uint32_t *tag;

		lean_prefix(run->p + i, run->af, &p);
		if ((tag = pfx_lookup(m, &p)) == NULL)
			return LL_ENOMEM;
		if (!all && pfx_tag_index(*tag) == 0)
			continue;
		u->prefix = &p;
		rc = update(m, (uint32_t)peer, u, neigh, tag);
	}
	return rc;
}

int
routing_monitor_lean(struct routing_monitor *m, const struct mrt_lean *l,
    const struct routing_lean_facts *f)
{
	const struct bgp_lean *b = &l->bgp;
	struct routing_update u = { l->ts, &l->peer, l->peer_asn, NULL, NULL };
	bool neigh = false, all = false;
	int rc = 0;

	m->nb_on = false;
	if (f->announces) {
		/* the path's facts, found once a record: the neighbours'
		 * events are made once and fed to each prefix in turn; the
		 * path itself is decoded only when an event needs it */
		m->rlean = b;
		m->rpath_ok = false;
		m->nnb = f->nnb;
		for (uint8_t i = 0; i < f->nnb; i++) {
			memset(&m->nb[i].k, 0, sizeof(m->nb[i].k));
			m->nb[i].k.type = f->nb[i].type;
			m->nb[i].k.a = f->nb[i].a;
			m->nb[i].k.b = f->nb[i].b;
			m->nb[i].wa = f->nb[i].wa;
			m->nb[i].id = -1;
		}
		m->rec_origin = f->origin;
		m->rec_origin_watched = f->origin_watched;
		m->rec_leak_known = false;
		m->nb_on = true;
		neigh = f->nnb > 0;
		/* a prefix no watch entry applies to, with no route kept,
		 * has events only from the path: new neighbours, or an
		 * RPKI-invalid origin that is watched */
		all = neigh || (m->o.vrps != NULL && f->origin_watched);
	}
	for (int k = 0; rc == 0 && k < BGP_LEAN_RUNS; k++) {
		bool ann = k == BGP_LEAN_ANNOUNCED || k == BGP_LEAN_MP_REACH;

		u.path = ann ? &m->rpath : NULL;
		rc = lean_run(m, &b->run[k], &u, neigh, ann && all);
	}
	m->nb_on = false;
	return rc;
}
