/*
 * The scenario: a RIB dump at the start, then one update file per five
 * minutes, each built from a small list of timed events (churn, the
 * outage's withdrawals and returns, one session reset) sorted and written
 * in time order. Only the events of one file are in memory at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"
#include "sim/sim_int.h"
#include "util/err.h"
#include "util/time.h"

#define BIN		300	/* seconds per update file, as RIS */
#define SPREAD		90	/* origin ASes go down over this */
#define PROPAGATION	30	/* and each peer hears it this much later */
#define CHURN		20	/* background events per peer per file, by
				   default */
#define MAX_PATH	12

/* Tier-1 and large transit networks the synthetic paths go through. */
static const uint32_t transits[] = {
	174, 1299, 2914, 3257, 3356, 3491, 6453, 6461, 6762, 6939, 7018,
	12956,
};
#define NTRANSITS (sizeof(transits) / sizeof(transits[0]))

enum ev_kind {
	EV_STATE,
	EV_WD_GROUP,
	EV_ANN_GROUP,
	EV_WD_NET,
	EV_ANN_NET,
};

struct ev {
	int64_t		t;
	uint32_t	seq;
	uint16_t	peer;
	uint8_t		kind;
	uint8_t		variant;	/* path variant; or old state */
	uint32_t	arg;		/* group, gnets index; or new state */
};

struct sim {
	const struct sim_opts	*o;
	struct sim_stats	*st;
	struct sim_table	 t;
	struct sim_peer		 peers[SIM_MAX_PEERS];
	struct sim_local	 local;
	struct sim_mrt		*w;
	struct ev		*ev;
	size_t			 nev, evcap;
	int64_t			 reset_t0;	/* file of the reset, or -1 */
	unsigned		 reset_peer;
	uint64_t		 bytes_done;
};

struct route_buf {
	uint32_t	 path[MAX_PATH];
	uint32_t	 comms[2];
	struct sim_route r;
};

static bool
is_transit(uint32_t asn)
{
	for (size_t i = 0; i < NTRANSITS; i++)
		if (transits[i] == asn)
			return true;
	return false;
}

/* The route peer has for origin's prefixes of family af; variant 0 is
 * the one in the RIB, others are what churn switches to. */
static void
make_route(const struct sim *s, unsigned peer, uint32_t origin,
    unsigned variant, uint8_t af, struct route_buf *rb)
{
	uint64_t h = sim_hash(s->o->seed, (uint64_t)peer << 32 | origin,
	    variant);
	unsigned n = 0, hops = 1 + (unsigned)(h & 1), prepend;
	uint32_t t1 = transits[(h >> 8) % NTRANSITS];
	uint32_t t2 = transits[(h >> 16) % NTRANSITS];

	rb->path[n++] = s->peers[peer].asn;
	if (!is_transit(origin)) {
		rb->path[n++] = t1;
		if (hops == 2 && t2 != t1)
			rb->path[n++] = t2;
	}
	prepend = (h >> 24) % 10 == 0 ? 1 + (unsigned)(h >> 28) % 2 : 0;
	for (unsigned i = 0; i <= prepend; i++)
		rb->path[n++] = origin;
	rb->r.path = rb->path;
	rb->r.path_len = n;
	rb->r.origin = (h >> 32) % 25 == 0 ? 2 : 0;
	rb->r.nh = af == NET_AF6 ? &s->peers[peer].nh6 : &s->peers[peer].nh4;
	rb->r.ncomms = 0;
	rb->r.comms = rb->comms;
	if (peer % 2 == 0) {
		rb->comms[0] = t1 << 16 | (uint32_t)(2000 + (h >> 40) % 50);
		rb->comms[1] = t1 << 16 | (uint32_t)(3000 + (h >> 48) % 8);
		rb->r.ncomms = is_transit(origin) ? 1 : 2;
	}
}

static void
addr4(struct net_addr *a, uint8_t x, uint8_t y, uint8_t z, uint8_t w)
{
	memset(a, 0, sizeof(*a));
	a->af = NET_AF4;
	a->a[0] = x;
	a->a[1] = y;
	a->a[2] = z;
	a->a[3] = w;
}

static void
addr6(struct net_addr *a, uint16_t last)
{
	static const uint8_t doc[4] = { 0x20, 0x01, 0x0d, 0xb8 };

	memset(a, 0, sizeof(*a));
	a->af = NET_AF6;
	memcpy(a->a, doc, sizeof(doc));
	a->a[14] = (uint8_t)(last >> 8);
	a->a[15] = (uint8_t)last;
}

/* Peers use documentation ASNs (RFC 5398: 65536-65551, then private
 * 4-octet ones) and addresses (192.0.2.0/24, 2001:db8::/32); every other
 * peer has an IPv6 session. All carry both families. With peer_ases,
 * peer i is in the (i mod peer_ases)th AS. */
static void
make_peers(struct sim *s)
{
	unsigned nas = s->o->peer_ases ? s->o->peer_ases : s->o->peers;

	for (unsigned i = 0; i < s->o->peers; i++) {
		struct sim_peer *p = &s->peers[i];
		unsigned a = i % nas;

		/* several peers of one AS, as at real collectors (IODA
		 * counts ASes, not peers) */
		p->asn = a < 16 ? 65536 + a : 4200000000u + a;
		p->bgp_id = 0xc0000200u + i + 1;
		addr4(&p->nh4, 192, 0, 2, (uint8_t)(i + 1));
		addr6(&p->nh6, (uint16_t)(i + 1));
		p->addr = i % 2 ? p->nh6 : p->nh4;
	}
	s->local.asn = 64496;
	addr4(&s->local.addr4, 192, 0, 2, 254);
	addr6(&s->local.addr6, 0xfe);
}

static int
open_file(struct sim *s, const char *kind, int64_t t)
{
	char iso[LL_ISO8601_LEN], path[sizeof(s->st->errpath)];
	int n, rc;

	ll_time_fmt(t, iso, sizeof(iso));
	n = snprintf(path, sizeof(path), "%s/%s.%.4s%.2s%.2s.%.2s%.2s.gz",
	    s->o->outdir, kind, iso, iso + 5, iso + 8, iso + 11, iso + 14);
	if (n < 0 || (size_t)n >= sizeof(path))
		return LL_EINVAL;
	memcpy(s->st->errpath, path, (size_t)n + 1);
	rc = sim_mrt_open(path, s->o->gzip_level, &s->w);
	if (rc == 0)
		s->st->files++;
	return rc;
}

static int
close_file(struct sim *s)
{
	int rc;

	s->st->records += sim_mrt_records(s->w);
	s->bytes_done += sim_mrt_bytes(s->w);
	rc = sim_mrt_close(s->w);
	s->w = NULL;
	if (rc == 0)
		s->st->errpath[0] = '\0';
	return rc;
}

static void
progress(struct sim *s, const char *label)
{
	if (s->o->progress != NULL)
		s->o->progress(s->o->progress_ctx, label,
		    s->bytes_done + (s->w ? sim_mrt_bytes(s->w) : 0), 0);
}

/* RFC 6396 4.3: the peer index table, then one RIB record per prefix
 * with an entry from every peer. */
static int
write_rib(struct sim *s)
{
	const struct sim_opts *o = s->o;
	uint32_t t = (uint32_t)o->start;
	struct route_buf rb;
	int rc;

	rc = open_file(s, "bview", o->start);
	if (rc == 0)
		rc = sim_mrt_peer_index(s->w, t, 0xc00002feu, "lifeline-sim",
		    s->peers, o->peers);
	for (size_t i = 0; rc == 0 && i < s->t.n; i++) {
		const struct sim_net *x = &s->t.nets[i];

		rc = sim_mrt_rib_begin(s->w, t, (uint32_t)i, &x->p);
		for (unsigned p = 0; rc == 0 && p < o->peers; p++) {
			uint64_t h = sim_hash(o->seed, i, p);

			make_route(s, p, x->origin, 0, x->p.af, &rb);
			rc = sim_mrt_rib_entry(s->w, (uint16_t)p,
			    t - 60 - (uint32_t)(h % (14 * 86400)), &rb.r);
		}
		if (rc == 0)
			rc = sim_mrt_rib_end(s->w);
		if (i % 8192 == 0)
			progress(s, "simulate");
	}
	if (s->w != NULL) {
		int rc2 = close_file(s);

		if (rc == 0)
			rc = rc2;
	}
	return rc;
}

static int
ev_add(struct sim *s, int64_t t, unsigned peer, enum ev_kind kind,
    unsigned variant, uint32_t arg)
{
	struct ev *e;

	if (s->nev == s->evcap) {
		size_t cap = s->evcap ? s->evcap * 2 : 1024;

		e = realloc(s->ev, cap * sizeof(*e));
		if (e == NULL)
			return LL_ENOMEM;
		s->ev = e;
		s->evcap = cap;
	}
	e = &s->ev[s->nev];
	e->t = t;
	e->seq = (uint32_t)s->nev;
	e->peer = (uint16_t)peer;
	e->kind = (uint8_t)kind;
	e->variant = (uint8_t)variant;
	e->arg = arg;
	s->nev++;
	return 0;
}

static int
cmp_ev(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Background churn in [t0, t0 + BIN): path changes, and withdrawals
 * followed by re-announcements within a minute. The prefixes of the
 * target are left alone, so that the outage is the only change to them. */
static int
add_churn(struct sim *s, int64_t t0)
{
	const struct sim_opts *o = s->o;
	unsigned k, n = o->peers * (o->churn ? o->churn : CHURN), peer;
	int rc = 0;

	if (s->t.nbg == 0)
		return 0;
	for (k = 0; k < n && rc == 0; k++) {
		uint64_t h = sim_hash(o->seed ^ 0xc4c4, (uint64_t)t0, k);
		int64_t t = t0 + (int64_t)((h >> 8) % (BIN - 60));
		uint32_t i = (uint32_t)((h >> 16) % s->t.nbg);

		peer = (unsigned)(h % o->peers);
		if (t0 == s->reset_t0 && peer == s->reset_peer)
			continue;
		switch ((h >> 48) % 4) {
		case 0:
			rc = ev_add(s, t, peer, EV_WD_NET, 0, i);
			if (rc == 0)
				rc = ev_add(s, t + 5 + (int64_t)((h >> 52) %
				    50), peer, EV_ANN_NET, 0, i);
			break;
		case 1:
			rc = ev_add(s, t, peer, EV_ANN_NET, 0, i);
			break;
		default:
			rc = ev_add(s, t, peer, EV_ANN_NET,
			    1 + (unsigned)((h >> 56) % 3), i);
			break;
		}
	}
	return rc;
}

/* When peer hears that group g went down (ret false) or came back. */
static int64_t
outage_time(const struct sim *s, size_t g, unsigned peer, bool ret)
{
	uint64_t hg = sim_hash(s->o->seed ^ 0x5107a, g, ret);
	uint64_t hp = sim_hash(s->o->seed ^ 0x5107b, g, (uint64_t)peer << 1 |
	    ret);

	return (ret ? s->o->outage_to : s->o->outage_from) +
	    (int64_t)(hg % SPREAD) + (int64_t)(hp % PROPAGATION);
}

static int
add_outage(struct sim *s, int64_t t0, int64_t t1)
{
	int rc = 0;

	for (size_t g = 0; g < s->t.ngroups && rc == 0; g++) {
		if (!s->t.groups[g].target)
			continue;
		for (unsigned p = 0; p < s->o->peers && rc == 0; p++) {
			int64_t tw = outage_time(s, g, p, false);
			int64_t ta = outage_time(s, g, p, true);

			if (tw >= t0 && tw < t1)
				rc = ev_add(s, tw, p, EV_WD_GROUP, 0,
				    (uint32_t)g);
			if (rc == 0 && ta >= t0 && ta < t1)
				rc = ev_add(s, ta, p, EV_ANN_GROUP, 0,
				    (uint32_t)g);
		}
	}
	return rc;
}

/* One peer's session drops a minute into the file, comes back through
 * the RFC 4271 8 states half a minute later, and re-sends its table
 * (without the target while it is out). */
static int
add_reset(struct sim *s, int64_t t0)
{
	static const uint8_t up[][2] = {
		{ SIM_ST_IDLE, SIM_ST_CONNECT },
		{ SIM_ST_CONNECT, SIM_ST_OPENSENT },
		{ SIM_ST_OPENSENT, SIM_ST_OPENCONFIRM },
		{ SIM_ST_OPENCONFIRM, SIM_ST_ESTABLISHED },
	};
	int64_t down = t0 + 60, t = down + 30;
	bool out = down >= s->o->outage_from && down < s->o->outage_to;
	unsigned p = s->reset_peer;
	int rc;

	s->st->reset_at = down;
	s->st->reset_peer = p;
	rc = ev_add(s, down, p, EV_STATE, SIM_ST_ESTABLISHED, SIM_ST_IDLE);
	for (size_t i = 0; i < 4 && rc == 0; i++)
		rc = ev_add(s, t + (int64_t)(i > 0), p, EV_STATE, up[i][0],
		    up[i][1]);
	for (size_t g = 0; g < s->t.ngroups && rc == 0; g++)
		if (!(s->t.groups[g].target && out))
			rc = ev_add(s, t + 2 + (int64_t)(sim_hash(s->o->seed,
			    g, 0x5e5e) % 20), p, EV_ANN_GROUP, 0,
			    (uint32_t)g);
	return rc;
}

static int
emit_group(struct sim *s, const struct ev *e, uint32_t t)
{
	const struct sim_group *g = &s->t.groups[e->arg];
	const struct sim_peer *peer = &s->peers[e->peer];
	const struct net_prefix *p4 = &s->t.gpfx[g->first];
	const struct net_prefix *p6 = p4 + g->n4;
	struct route_buf rb;
	int rc;

	if (e->kind == EV_WD_GROUP) {
		if (g->target)
			s->st->withdrawals += g->n4 + g->n6;
		rc = sim_mrt_withdraw(s->w, t, peer, &s->local, p4, g->n4);
		if (rc == 0)
			rc = sim_mrt_withdraw(s->w, t, peer, &s->local, p6,
			    g->n6);
		return rc;
	}
	make_route(s, e->peer, g->origin, 0, NET_AF4, &rb);
	rc = sim_mrt_announce(s->w, t, peer, &s->local, &rb.r, p4, g->n4);
	make_route(s, e->peer, g->origin, 0, NET_AF6, &rb);
	if (rc == 0)
		rc = sim_mrt_announce(s->w, t, peer, &s->local, &rb.r, p6,
		    g->n6);
	return rc;
}

static int
emit(struct sim *s, const struct ev *e)
{
	uint32_t t = (uint32_t)e->t;
	const struct sim_net *x;
	struct route_buf rb;

	switch (e->kind) {
	case EV_STATE:
		return sim_mrt_state(s->w, t, &s->peers[e->peer], &s->local,
		    e->variant, e->arg);
	case EV_WD_GROUP:
	case EV_ANN_GROUP:
		return emit_group(s, e, t);
	case EV_WD_NET:
		x = &s->t.gnets[e->arg];
		return sim_mrt_withdraw(s->w, t, &s->peers[e->peer],
		    &s->local, &x->p, 1);
	default:
		x = &s->t.gnets[e->arg];
		make_route(s, e->peer, x->origin, e->variant, x->p.af, &rb);
		return sim_mrt_announce(s->w, t, &s->peers[e->peer],
		    &s->local, &rb.r, &x->p, 1);
	}
}

static int
write_updates(struct sim *s, int64_t t0)
{
	int64_t t1 = t0 + BIN;
	int rc, rc2;

	s->nev = 0;
	rc = add_churn(s, t0);
	if (rc == 0)
		rc = add_outage(s, t0, t1);
	if (rc == 0 && t0 == s->reset_t0)
		rc = add_reset(s, t0);
	if (rc != 0)
		return rc;
	qsort(s->ev, s->nev, sizeof(*s->ev), cmp_ev);
	rc = open_file(s, "updates", t0);
	for (size_t i = 0; rc == 0 && i < s->nev; i++)
		rc = emit(s, &s->ev[i]);
	if (s->w == NULL)
		return rc;
	rc2 = close_file(s);
	progress(s, "simulate");
	return rc != 0 ? rc : rc2;
}

static bool
overlaps(int64_t a0, int64_t a1, int64_t b0, int64_t b1)
{
	return a0 < b1 && b0 < a1;
}

/* The file of the session reset: a quarter into the run, else elsewhere,
 * never within five minutes of the outage's edges. */
static void
plan_reset(struct sim *s, int64_t nfiles)
{
	const struct sim_opts *o = s->o;
	int64_t cand[] = { nfiles / 4, nfiles * 3 / 4, nfiles / 2, 1,
	    nfiles - 1 };
	int64_t m = SPREAD + PROPAGATION + BIN;

	s->reset_t0 = -1;
	for (size_t i = 0; i < sizeof(cand) / sizeof(cand[0]); i++) {
		int64_t t0 = o->start + cand[i] * BIN;

		if (cand[i] < 0 || cand[i] >= nfiles ||
		    overlaps(t0, t0 + BIN, o->outage_from - BIN,
		    o->outage_from + m) ||
		    overlaps(t0, t0 + BIN, o->outage_to - BIN,
		    o->outage_to + m))
			continue;
		s->reset_t0 = t0;
		s->reset_peer = (unsigned)(sim_hash(o->seed, 0x7e5e7, 0) %
		    o->peers);
		return;
	}
}

static int
check_opts(const struct sim_opts *o, const struct sim_source *src)
{
	if (o->outdir == NULL || o->peers < 1 || o->peers > SIM_MAX_PEERS ||
	    (o->cc == NULL && o->asn == 0) || o->start < 0 ||
	    o->start % BIN != 0 || o->start > UINT32_MAX - 2 * 86400 * 365 ||
	    o->duration < BIN || o->duration > 86400 * 31 ||
	    o->start + o->duration > UINT32_MAX ||
	    o->outage_from < o->start ||
	    o->outage_to < o->outage_from + BIN || o->table > 4000000 ||
	    o->table6 > 4000000 || o->peer_ases > o->peers ||
	    o->churn > 100000 || (o->full_table && src->routes == NULL))
		return LL_EINVAL;
	return 0;
}

int
sim_run(const struct sim_opts *o, const struct sim_source *src,
    struct sim_stats *st)
{
	struct sim *s;
	int64_t nfiles, f;
	int rc;

	memset(st, 0, sizeof(*st));
	rc = check_opts(o, src);
	if (rc != 0)
		return rc;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return LL_ENOMEM;
	s->o = o;
	s->st = st;
	make_peers(s);
	rc = sim_table_build(o, src, &s->t, st);
	if (rc == 0 && st->target_v4 + st->target_v6 == 0)
		rc = LL_ENOTFOUND;
	if (rc != 0)
		goto out;
	rc = write_rib(s);
	nfiles = (o->duration + BIN - 1) / BIN;
	plan_reset(s, nfiles);
	for (f = 0; f < nfiles && rc == 0; f++)
		rc = write_updates(s, o->start + f * BIN);
out:
	sim_table_fini(&s->t);
	free(s->ev);
	free(s);
	return rc;
}
