/*
 * The engine's tables: collectors, peers, prefixes with one bit per peer,
 * origins held apart where a peer's differs, and what each route element
 * does to them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signal/sig_int.h"
#include "util/err.h"
#include "util/grow.h"

#define DEFAULT_BIN	300
#define DEFAULT_FF4	400000
#define DEFAULT_FF6	10000
#define DEFAULT_GAP	(31 * 86400)

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static uint64_t
load64(const uint8_t *b)
{
	uint64_t v;

	memcpy(&v, b, sizeof(v));
	return v;
}

/* The map. */

static int
map_rehash(struct sig_map *m, size_t ncap)
{
	struct sig_map n = { 0 };

	n.keys = malloc(ncap * sizeof(*n.keys));
	n.vals = malloc(ncap * sizeof(*n.vals));
	if (n.keys == NULL || n.vals == NULL) {
		free(n.keys);
		free(n.vals);
		return LL_ENOMEM;
	}
	memset(n.keys, 0xff, ncap * sizeof(*n.keys));
	n.cap = ncap;
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i] != SIG_MAP_EMPTY)
			(void)sig_map_put(&n, m->keys[i], m->vals[i]);
	sig_map_fini(m);
	*m = n;
	return 0;
}

int
sig_map_put(struct sig_map *m, uint64_t key, uint32_t val)
{
	size_t i;
	int rc;

	if ((m->n + 1) * 2 > m->cap) {
		rc = map_rehash(m, m->cap ? m->cap * 2 : 64);
		if (rc)
			return rc;
	}
	for (i = mix64(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == key) {
			m->vals[i] = val;
			return 0;
		}
		if (m->keys[i] == SIG_MAP_EMPTY)
			break;
	}
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	return 0;
}

uint32_t *
sig_map_get(const struct sig_map *m, uint64_t key)
{
	if (m->cap == 0)
		return NULL;
	for (size_t i = mix64(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == key)
			return &m->vals[i];
		if (m->keys[i] == SIG_MAP_EMPTY)
			return NULL;
	}
}

bool
sig_map_del(struct sig_map *m, uint64_t key)
{
	size_t mask = m->cap - 1, i, j, home;

	if (m->cap == 0)
		return false;
	for (i = mix64(key) & mask;; i = (i + 1) & mask) {
		if (m->keys[i] == key)
			break;
		if (m->keys[i] == SIG_MAP_EMPTY)
			return false;
	}
	/* Backward shift: move up entries whose home is not in (i, j]. */
	for (j = (i + 1) & mask; m->keys[j] != SIG_MAP_EMPTY;
	    j = (j + 1) & mask) {
		home = mix64(m->keys[j]) & mask;
		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->keys[i] = m->keys[j];
			m->vals[i] = m->vals[j];
			i = j;
		}
	}
	m->keys[i] = SIG_MAP_EMPTY;
	m->n--;
	return true;
}

void
sig_map_fini(struct sig_map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* Lifecycle. */

const char *
sig_vis_kind(int visibility, uint8_t af)
{
	static const char *const k4[] = { "bgp.any", "bgp.v25", "bgp",
	    "bgp.v75", "bgp.v100" };
	static const char *const k6[] = { "bgp6.any", "bgp6.v25", "bgp6",
	    "bgp6.v75", "bgp6.v100" };
	int i;

	if (visibility == SIG_VIS_ANY)
		i = 0;
	else if (visibility == 0)
		i = 2;
	else if (visibility % 25 == 0 && visibility >= 25 &&
	    visibility <= 100)
		i = visibility / 25;
	else
		return NULL;
	if (af == NET_AF4)
		return k4[i];
	return af == NET_AF6 ? k6[i] : NULL;
}

int
sig_new(const struct sig_opts *opts, sig_emit_fn *emit, void *ctx,
    struct sig **out)
{
	struct sig *s;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return LL_ENOMEM;
	if (opts != NULL)
		s->o = *opts;
	if (s->o.bin == 0)
		s->o.bin = DEFAULT_BIN;
	if (s->o.ff_v4 == 0)
		s->o.ff_v4 = DEFAULT_FF4;
	if (s->o.ff_v6 == 0)
		s->o.ff_v6 = DEFAULT_FF6;
	if (s->o.visibility == 0)
		s->o.visibility = 50;
	if (s->o.by == 0)
		s->o.by = SIG_BY_ALL;
	if (s->o.series == 0)
		s->o.series = SIG_SERIES_ALL;
	if (s->o.max_gap == 0)
		s->o.max_gap = DEFAULT_GAP;
	s->kind[SIG_F4] = sig_vis_kind(s->o.visibility, NET_AF4);
	s->kind[SIG_F6] = sig_vis_kind(s->o.visibility, NET_AF6);
	if (s->o.bin < 1 || s->o.bin > 86400 * 366 || s->kind[SIG_F4] == NULL ||
	    !(s->o.ff_pct >= 0 && s->o.ff_pct <= 100) ||
	    (s->o.by & ~(unsigned)SIG_BY_ALL) != 0 ||
	    (s->o.series & ~(unsigned)SIG_SERIES_ALL) != 0) {
		free(s);
		return LL_EINVAL;
	}
	s->vis_pct = s->o.visibility == SIG_VIS_ANY ? 0 :
	    (uint32_t)s->o.visibility;
	s->emit = emit;
	s->ctx = ctx;
	s->w = 1;
	*out = s;
	return 0;
}

void
sig_free(struct sig *s)
{
	if (s == NULL)
		return;
	free(s->coll);
	free(s->cent);
	free(s->health);
	free(s->coll_sorted);
	free(s->rib_active);
	free(s->peer);
	free(s->peer_slot);
	free(s->pfx);
	free(s->pfx_slot);
	free(s->bits);
	free(s->fresh);
	sig_map_fini(&s->exc);
	for (int f = 0; f < 2; f++) {
		free(s->ord[f].order);
		free(s->ord[f].pending);
	}
	sig_bin_fini(s);
	free(s);
}

/* "collector:NAME", with characters an entity may not hold as '_'. */
static void
collector_entity(char *buf, size_t len, const char *name)
{
	size_t n = (size_t)snprintf(buf, len, "collector:%s", name);

	if (n >= len)
		n = len - 1;
	for (size_t i = sizeof("collector:") - 1; i < n; i++) {
		char c = buf[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		    c == '_' || c == ':'))
			buf[i] = '_';
	}
}

int
sig_collector(struct sig *s, const char *name, uint16_t *id)
{
	size_t cap = s->ncoll;
	void *p;

	for (size_t i = 0; i < s->ncoll; i++) {
		if (strncmp(s->coll[i], name, sizeof(s->coll[i]) - 1) == 0) {
			*id = (uint16_t)i;
			return 0;
		}
	}
	if (strcmp(name, "all") == 0)
		return LL_EINVAL;
	if (s->ncoll >= SIG_MAX_COLLECTORS)
		return LL_ELIMIT;
	p = realloc(s->coll, (cap + 1) * sizeof(*s->coll));
	if (p == NULL)
		return LL_ENOMEM;
	s->coll = p;
	p = realloc(s->cent, (cap + 1) * sizeof(*s->cent));
	if (p == NULL)
		return LL_ENOMEM;
	s->cent = p;
	p = realloc(s->health, (cap + 1) * sizeof(*s->health));
	if (p == NULL)
		return LL_ENOMEM;
	s->health = p;
	p = realloc(s->rib_active, (cap + 1) * sizeof(*s->rib_active));
	if (p == NULL)
		return LL_ENOMEM;
	s->rib_active = p;
	memset(s->coll[cap], 0, sizeof(s->coll[cap]));
	strncpy(s->coll[cap], name, sizeof(s->coll[cap]) - 1);
	collector_entity(s->cent[cap], sizeof(s->cent[cap]), s->coll[cap]);
	memset(&s->health[cap], 0, sizeof(s->health[cap]));
	s->rib_active[cap] = false;
	s->ncoll = cap + 1;
	*id = (uint16_t)cap;
	return 0;
}

/* Peers. */

static uint64_t
peer_hash(uint16_t collector, uint32_t asn, const struct net_addr *a)
{
	return mix64(load64(a->a) ^ mix64(load64(a->a + 8) ^
	    ((uint64_t)collector << 40 | (uint64_t)a->af << 32 | asn)));
}

static bool
peer_eq(const struct sig_peer *p, uint16_t collector, uint32_t asn,
    const struct net_addr *a)
{
	return p->collector == collector && p->asn == asn &&
	    p->addr.af == a->af && memcmp(p->addr.a, a->a, 16) == 0;
}

static int
peer_slots(struct sig *s, size_t ncap)
{
	uint32_t *slot = calloc(ncap, sizeof(*slot));

	if (slot == NULL)
		return LL_ENOMEM;
	for (size_t i = 0; i < s->npeer; i++) {
		const struct sig_peer *p = &s->peer[i];
		size_t j = peer_hash(p->collector, p->asn, &p->addr) &
		    (ncap - 1);

		while (slot[j] != 0)
			j = (j + 1) & (ncap - 1);
		slot[j] = (uint32_t)i + 1;
	}
	free(s->peer_slot);
	s->peer_slot = slot;
	s->peer_slot_cap = ncap;
	return 0;
}

/* Re-lays the bit arrays with nw words a prefix. */
static int
restride(struct sig *s, size_t nw)
{
	uint64_t *arr[2] = { s->bits, s->fresh };

	for (int k = 0; k < 2; k++) {
		uint64_t *n;

		if (arr[k] == NULL)
			continue;
		n = calloc(s->pfx_cap * nw + 1, sizeof(*n));
		if (n == NULL)
			return LL_ENOMEM;
		for (size_t i = 0; i < s->npfx; i++)
			memcpy(n + i * nw, arr[k] + i * s->w,
			    s->w * sizeof(*n));
		free(arr[k]);
		arr[k] = n;
	}
	s->bits = arr[0];
	s->fresh = arr[1];
	s->w = nw;
	return 0;
}

int
sig_peer_get(struct sig *s, uint16_t collector, const struct mrt_peer *p,
    uint32_t *idx)
{
	uint64_t h = peer_hash(collector, p->asn, &p->addr);
	size_t j;
	int rc;

	if (s->peer_slot_cap) {
		for (j = h & (s->peer_slot_cap - 1); s->peer_slot[j] != 0;
		    j = (j + 1) & (s->peer_slot_cap - 1)) {
			uint32_t i = s->peer_slot[j] - 1;

			if (peer_eq(&s->peer[i], collector, p->asn, &p->addr)) {
				*idx = i;
				return 0;
			}
		}
	}
	if (s->npeer >= SIG_MAX_PEERS)
		return LL_ELIMIT;
	if ((rc = ll_grow(&s->peer, &s->peer_cap, s->npeer + 1,
	    sizeof(*s->peer))) != 0)
		return rc;
	if ((s->npeer + 1) * 2 > s->peer_slot_cap &&
	    (rc = peer_slots(s, s->peer_slot_cap ? s->peer_slot_cap * 2 :
	    64)) != 0)
		return rc;
	if ((s->npeer + 1) > s->w * 64 && (rc = restride(s, s->w * 2)) != 0)
		return rc;
	memset(&s->peer[s->npeer], 0, sizeof(s->peer[0]));
	s->peer[s->npeer].collector = collector;
	s->peer[s->npeer].asn = p->asn;
	s->peer[s->npeer].addr = p->addr;
	for (j = h & (s->peer_slot_cap - 1); s->peer_slot[j] != 0;
	    j = (j + 1) & (s->peer_slot_cap - 1))
		;
	s->peer_slot[j] = (uint32_t)s->npeer + 1;
	*idx = (uint32_t)s->npeer++;
	s->st.peers = (uint32_t)s->npeer;
	return 0;
}

/* Prefixes. */

static uint32_t
pfx_hash(const struct net_prefix *p)
{
	return sig_pfx_hash(p->af, p->len, p->a);
}

static bool
pfx_eq(const struct net_prefix *a, const struct net_prefix *b)
{
	return a->af == b->af && a->len == b->len &&
	    memcmp(a->a, b->a, 16) == 0;
}

static int
pfx_slots(struct sig *s, size_t ncap)
{
	uint32_t *slot = calloc(ncap, sizeof(*slot));

	if (slot == NULL)
		return LL_ENOMEM;
	for (size_t i = 0; i < s->npfx; i++) {
		size_t j = pfx_hash(&s->pfx[i].p) & (ncap - 1);

		while (slot[j] != 0)
			j = (j + 1) & (ncap - 1);
		slot[j] = (uint32_t)i + 1;
	}
	free(s->pfx_slot);
	s->pfx_slot = slot;
	s->pfx_slot_cap = ncap;
	return 0;
}

static int
pfx_lookup_h(const struct sig *s, const struct net_prefix *p, uint32_t h,
    uint32_t *idx)
{
	if (s->pfx_slot_cap == 0)
		return LL_ENOTFOUND;
	for (size_t j = h & (s->pfx_slot_cap - 1);
	    s->pfx_slot[j] != 0; j = (j + 1) & (s->pfx_slot_cap - 1)) {
		uint32_t i = s->pfx_slot[j] - 1;

		if (pfx_eq(&s->pfx[i].p, p)) {
			*idx = i;
			return 0;
		}
	}
	return LL_ENOTFOUND;
}

/* Grows the prefix array and the bit arrays with it. */
static int
pfx_grow(struct sig *s)
{
	size_t ncap = s->pfx_cap ? s->pfx_cap * 2 : 1024;
	uint64_t *arr[2] = { s->bits, s->fresh };
	void *p;

	p = realloc(s->pfx, ncap * sizeof(*s->pfx));
	if (p == NULL)
		return LL_ENOMEM;
	s->pfx = p;
	for (int k = 0; k < 2; k++) {
		if (arr[k] == NULL && k == 1)
			continue;
		p = realloc(arr[k], ncap * s->w * sizeof(uint64_t));
		if (p == NULL)
			return LL_ENOMEM;
		arr[k] = p;
		memset(arr[k] + s->pfx_cap * s->w, 0,
		    (ncap - s->pfx_cap) * s->w * sizeof(uint64_t));
		if (k == 0)
			s->bits = arr[k];
		else
			s->fresh = arr[k];
	}
	s->pfx_cap = ncap;
	return 0;
}

/* Prefixes that may count: IPv4 and IPv6 /6 and longer (IODA's
 * visibility consumers skip prefixes shorter than /6). */
static bool
pfx_counts(const struct net_prefix *p)
{
	return (p->af == NET_AF4 || p->af == NET_AF6) && p->len >= 6;
}

int
sig_pfx_get(struct sig *s, const struct net_prefix *p, uint32_t h,
    uint32_t *idx)
{
	struct sig_pfx *x;
	size_t j;
	int rc;

	if (pfx_lookup_h(s, p, h, idx) == 0)
		return 0;
	if (s->npfx >= UINT32_MAX - 1)
		return LL_ELIMIT;
	if (s->npfx + 1 > s->pfx_cap && (rc = pfx_grow(s)) != 0)
		return rc;
	if ((s->npfx + 1) * 2 > s->pfx_slot_cap &&
	    (rc = pfx_slots(s, s->pfx_slot_cap ? s->pfx_slot_cap * 2 :
	    2048)) != 0)
		return rc;
	if (pfx_counts(p)) {
		struct sig_sorted *o = &s->ord[p->af == NET_AF4 ? SIG_F4 :
		    SIG_F6];

		if ((rc = ll_grow(&o->pending, &o->pending_cap, o->npending + 1,
		    sizeof(*o->pending))) != 0)
			return rc;
		o->pending[o->npending++] = (uint32_t)s->npfx;
	}
	x = &s->pfx[s->npfx];
	memset(x, 0, sizeof(*x));
	x->p = *p;
	net_prefix_mask(&x->p);
	x->geo_off = SIG_NO_GEO;
	for (j = pfx_hash(&x->p) & (s->pfx_slot_cap - 1); s->pfx_slot[j] != 0;
	    j = (j + 1) & (s->pfx_slot_cap - 1))
		;
	s->pfx_slot[j] = (uint32_t)s->npfx + 1;
	*idx = (uint32_t)s->npfx++;
	s->st.prefixes = s->npfx;
	return 0;
}

/* Routes. */

static uint64_t
exc_key(uint32_t pi, uint32_t peer)
{
	return (uint64_t)pi << 16 | peer;
}

uint32_t
sig_peer_origin(const struct sig *s, uint32_t pi, uint32_t peer)
{
	const uint32_t *v;

	if (s->pfx[pi].nexc == 0)
		return s->pfx[pi].origin;
	v = sig_map_get(&s->exc, exc_key(pi, peer));
	return v != NULL ? *v : s->pfx[pi].origin;
}

static void
count_peer(struct sig *s, uint32_t pi, uint32_t peer, int d)
{
	struct sig_peer *p = &s->peer[peer];

	if (s->pfx[pi].p.af == NET_AF4) {
		p->n4 = (uint32_t)((int64_t)p->n4 + d);
		if (p->n4 > s->st.max_v4)
			s->st.max_v4 = p->n4;
	} else {
		p->n6 = (uint32_t)((int64_t)p->n6 + d);
		if (p->n6 > s->st.max_v6)
			s->st.max_v6 = p->n6;
	}
	s->pfx[pi].npeers = (uint32_t)((int64_t)s->pfx[pi].npeers + d);
	s->dirty = true;
}

int
sig_announce(struct sig *s, uint32_t pi, uint32_t peer, uint32_t origin,
    bool fresh)
{
	struct sig_pfx *x = &s->pfx[pi];
	uint64_t m = (uint64_t)1 << (peer % 64);
	uint64_t *word = &s->bits[pi * s->w + peer / 64];
	uint32_t *cur;
	int rc;

	if (fresh && s->fresh != NULL)
		s->fresh[pi * s->w + peer / 64] |= m;
	if (!(*word & m)) {
		*word |= m;
		if (x->npeers == 0)
			x->origin = origin;
		count_peer(s, pi, peer, 1);
		if (origin == x->origin)
			return 0;
		if ((rc = sig_map_put(&s->exc, exc_key(pi, peer), origin)) != 0)
			return rc;
		x->nexc++;
		return 0;
	}
	cur = x->nexc ? sig_map_get(&s->exc, exc_key(pi, peer)) : NULL;
	if (origin == x->origin) {
		if (cur != NULL) {
			sig_map_del(&s->exc, exc_key(pi, peer));
			x->nexc--;
			s->dirty = true;
		}
	} else if (cur != NULL) {
		if (*cur != origin) {
			*cur = origin;
			s->dirty = true;
		}
	} else {
		if ((rc = sig_map_put(&s->exc, exc_key(pi, peer), origin)) != 0)
			return rc;
		x->nexc++;
		s->dirty = true;
	}
	return 0;
}

void
sig_withdraw(struct sig *s, uint32_t pi, uint32_t peer)
{
	struct sig_pfx *x = &s->pfx[pi];
	uint64_t m = (uint64_t)1 << (peer % 64);
	uint64_t *word = &s->bits[pi * s->w + peer / 64];

	if (s->fresh != NULL)
		s->fresh[pi * s->w + peer / 64] &= ~m;
	if (!(*word & m))
		return;
	*word &= ~m;
	if (x->nexc && sig_map_del(&s->exc, exc_key(pi, peer)))
		x->nexc--;
	count_peer(s, pi, peer, -1);
}

void
sig_peer_clear(struct sig *s, uint32_t peer)
{
	uint64_t m = (uint64_t)1 << (peer % 64);
	size_t k = peer / 64;

	if (s->peer[peer].n4 == 0 && s->peer[peer].n6 == 0)
		return;
	for (size_t i = 0; i < s->npfx; i++)
		if (s->bits[i * s->w + k] & m)
			sig_withdraw(s, (uint32_t)i, peer);
}

/* RIB dumps. */

int
sig_rib_begin(struct sig *s, uint16_t collector)
{
	if (collector >= s->ncoll)
		return LL_EINVAL;
	if (s->rib_active[collector])
		return 0;
	if (s->fresh == NULL) {
		s->fresh = calloc(s->pfx_cap * s->w + 1, sizeof(*s->fresh));
		if (s->fresh == NULL)
			return LL_ENOMEM;
	}
	s->rib_active[collector] = true;
	s->nrib++;
	return 0;
}

int
sig_rib_end(struct sig *s, uint16_t collector)
{
	uint64_t *cmask;
	size_t w = s->w;

	if (collector >= s->ncoll || !s->rib_active[collector])
		return LL_EINVAL;
	cmask = calloc(w, sizeof(*cmask));
	if (cmask == NULL)
		return LL_ENOMEM;
	for (size_t p = 0; p < s->npeer; p++)
		if (s->peer[p].collector == collector)
			cmask[p / 64] |= (uint64_t)1 << (p % 64);
	for (size_t i = 0; i < s->npfx; i++) {
		for (size_t k = 0; k < w; k++) {
			uint64_t stale = s->bits[i * w + k] & cmask[k] &
			    ~s->fresh[i * w + k];

			while (stale) {
				unsigned b = (unsigned)__builtin_ctzll(stale);

				stale &= stale - 1;
				sig_withdraw(s, (uint32_t)i,
				    (uint32_t)(k * 64 + b));
			}
			s->fresh[i * w + k] &= ~cmask[k];
		}
	}
	free(cmask);
	s->rib_active[collector] = false;
	if (--s->nrib == 0) {
		free(s->fresh);
		s->fresh = NULL;
	}
	return 0;
}

/* Elements and time. */

/* The origin AS: the last AS of the last segment when it is an
 * AS_SEQUENCE; none (0) when the path is empty or ends in a set, even of
 * one AS (IODA's consumers take only a plain AS as origin: BGPStream
 * makes each AS of a sequence a segment of its own, keeps a set as one,
 * and add_origin() in bvc_perasvisibility.c skips any set). */
static uint32_t
path_origin(const struct bgp_aspath *p)
{
	const struct bgp_asseg *g;

	if (p->nseg == 0 || p->seg == NULL)
		return 0;
	g = &p->seg[p->nseg - 1];
	if (g->n == 0 || g->asn == NULL || g->type != BGP_SEG_SEQUENCE)
		return 0;
	return g->asn[g->n - 1];
}

int
sig_advance(struct sig *s, int64_t ts)
{
	int rc;

	if (!s->started) {
		s->bin_start = sig_bin_start(s, ts);
		s->started = true;
		return 0;
	}
	if (ts < s->bin_start + s->o.bin)
		return 0;
	if (ts - s->bin_start > s->o.max_gap)
		return LL_ELIMIT;
	while (ts >= s->bin_start + s->o.bin) {
		if ((rc = sig_bin_emit(s, s->bin_start)) != 0)
			return rc;
		s->bin_start += s->o.bin;
	}
	return 0;
}

int64_t
sig_bin_start(const struct sig *s, int64_t ts)
{
	int64_t r = ts % s->o.bin;

	return ts - (r < 0 ? r + s->o.bin : r);
}

void
sig_item_from(struct sig_item *it, const struct mrt_elem *e)
{
	memset(it, 0, sizeof(*it));
	it->ts = e->ts;
	switch (e->type) {
	case MRT_ELEM_STATE:
		it->kind = SIG_IT_STATE;
		it->val = e->new_state;
		return;
	case MRT_ELEM_RIB:
	case MRT_ELEM_ANNOUNCE:
		it->kind = SIG_IT_ANNOUNCE;
		it->val = e->attrs != NULL ? path_origin(&e->attrs->path) : 0;
		break;
	case MRT_ELEM_WITHDRAW:
		it->kind = SIG_IT_WITHDRAW;
		break;
	default:
		it->kind = UINT8_MAX;	/* refused by sig_apply() */
		return;
	}
	it->af = e->nlri->pfx.af;
	it->len = e->nlri->pfx.len;
	memcpy(it->a, e->nlri->pfx.a, sizeof(it->a));
	it->hash = sig_pfx_hash(it->af, it->len, it->a);
}

static void
item_prefix(const struct sig_item *it, struct net_prefix *p)
{
	p->af = it->af;
	p->len = it->len;
	memcpy(p->a, it->a, sizeof(p->a));
}

void
sig_prefetch(const struct sig *s, const struct sig_item *it)
{
	if (s->pfx_slot_cap == 0 || (it->kind != SIG_IT_ANNOUNCE &&
	    it->kind != SIG_IT_WITHDRAW))
		return;
	__builtin_prefetch(&s->pfx_slot[it->hash & (s->pfx_slot_cap - 1)]);
}

int
sig_apply(struct sig *s, uint16_t collector, uint32_t peer,
    const struct sig_item *it)
{
	struct net_prefix p;
	uint32_t pi;
	int rc;

	if ((rc = sig_advance(s, it->ts)) != 0)
		return rc;
	switch (it->kind) {
	case SIG_IT_TICK:
		return 0;
	case SIG_IT_STATE:
		s->st.elems++;
		if (it->val != SIG_BGP_ESTABLISHED)
			sig_peer_clear(s, peer);
		return 0;
	case SIG_IT_ANNOUNCE:
		s->st.elems++;
		item_prefix(it, &p);
		if ((rc = sig_pfx_get(s, &p, it->hash, &pi)) != 0)
			return rc;
		return sig_announce(s, pi, peer, it->val,
		    s->rib_active[collector]);
	case SIG_IT_WITHDRAW:
		s->st.elems++;
		item_prefix(it, &p);
		if (pfx_lookup_h(s, &p, it->hash, &pi) == 0)
			sig_withdraw(s, pi, peer);
		return 0;
	}
	return LL_EINVAL;
}

int
sig_elem(struct sig *s, uint16_t collector, const struct mrt_elem *e)
{
	struct sig_item it;
	uint32_t peer;
	int rc;

	if (collector >= s->ncoll || e->peer == NULL ||
	    (e->type != MRT_ELEM_STATE && e->nlri == NULL))
		return LL_EINVAL;
	if (s->have_last && peer_eq(&s->last, collector, e->peer->asn,
	    &e->peer->addr)) {
		peer = s->last_idx;
	} else {
		if ((rc = sig_peer_get(s, collector, e->peer, &peer)) != 0)
			return rc;
		s->last = s->peer[peer];
		s->last_idx = peer;
		s->have_last = true;
	}
	sig_item_from(&it, e);
	return sig_apply(s, collector, peer, &it);
}

int
sig_finish(struct sig *s)
{
	int rc;

	if (!s->started)
		return 0;
	rc = sig_bin_emit(s, s->bin_start);
	s->started = false;
	return rc;
}

const struct sig_stats *
sig_get_stats(struct sig *s)
{
	s->st.exceptions = s->exc.n;
	s->st.mem_bytes = s->pfx_cap * sizeof(*s->pfx) +
	    s->pfx_cap * s->w * sizeof(uint64_t) * (s->fresh ? 2 : 1) +
	    s->pfx_slot_cap * sizeof(uint32_t) +
	    s->exc.cap * (sizeof(uint64_t) + sizeof(uint32_t)) +
	    (s->ord[0].order_cap + s->ord[0].pending_cap +
	    s->ord[1].order_cap + s->ord[1].pending_cap) * sizeof(uint32_t) +
	    s->geo_cap * sizeof(*s->geo) +
	    s->peer_cap * sizeof(*s->peer);
	return &s->st;
}
