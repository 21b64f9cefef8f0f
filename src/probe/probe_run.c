/*
 * The prober's engine: rounds of adaptive probing (Trinocular, SIGCOMM
 * 2013, section 3.3) under one global packets-per-second cap.
 *
 * Each round shuffles the blocks and gives each its first probe, spread
 * over the part of the round that leaves room for the follow-ups; a block
 * whose outcome calls for more (probe_more()) goes to a queue served
 * before any first probe. A block has at most one probe in flight; probes
 * in flight expire in the order they were sent (one timeout for all), so a
 * FIFO finds them. No probe starts unless its timeout ends inside the
 * round, so a round's outcome is complete at its end. Every destination is
 * checked against the target list right before it is sent.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "probe/probe.h"
#include "probe/probe_int.h"
#include "util/err.h"

#define NS	1000000000LL
#define MS	1000000LL

struct bstate {
	int64_t		 sent_ns;
	uint32_t	 serial, dst;
	bool		 out;		/* a probe in flight */
	uint8_t		 sent, replies;
	enum probe_state start;
	float		 rtt[PROBE_MAX_PER_ROUND];
};

struct slot {
	int64_t		 due;
	uint32_t	 block, serial;
};

struct run {
	struct probe_set	*set;
	const struct probe_targets *t;
	const struct probe_io	*io;
	const struct probe_opts	*o;
	struct probe_stats	*st;
	struct bstate		*bs;
	struct probe_result	*res;
	uint32_t		*order;		/* this round's shuffle */
	size_t			 first;		/* next in order */
	uint32_t		*ready;		/* ring: follow-ups */
	size_t			 rhead, rlen;
	struct slot		*fifo;		/* ring: probes in flight */
	size_t			 fhead, flen, fcap;
	int64_t			 next_send, interval, timeout;
	int64_t			 burst;		/* packets */
	int64_t			 rstart, rend, spread;
	uint64_t		 rng;
	uint32_t		 cookie, serial;
	uint16_t		 id;
};

static int64_t
wall_ms(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
ready_push(struct run *r, uint32_t b)
{
	size_t n = r->set->n;

	r->ready[(r->rhead + r->rlen) % n] = b;
	r->rlen++;
}

/* An outcome for block b's probe in flight (or one never sent). */
static void
resolve(struct run *r, uint32_t b, bool reply, int64_t now)
{
	struct bstate *s = &r->bs[b];
	struct probe_block *k = &r->set->blocks[b];

	s->out = false;
	if (reply) {
		s->rtt[s->replies++] = (float)((double)(now - s->sent_ns) / MS);
		r->st->replies++;
	}
	k->belief = probe_belief_update(k->belief, reply, k->avail);
	if (probe_more(k->belief, s->start, s->sent, s->replies))
		ready_push(r, b);
}

static void expire(struct run *r, int64_t now);

static void
send_probe(struct run *r, uint32_t b, int64_t now)
{
	struct probe_block *k = &r->set->blocks[b];
	struct bstate *s = &r->bs[b];
	uint8_t pkt[PROBE_ICMP_LEN];
	uint32_t dst = k->net | r->set->hosts[k->host_off + k->next];

	k->next = (uint16_t)((k->next + 1u) % k->nhosts);
	if (!probe_targets_has(r->t, dst)) {	/* never: loading refused it */
		r->st->refused++;
		return;
	}
	struct probe_echo e = { .id = r->id, .seq = (uint16_t)++r->serial,
	    .cookie = r->cookie, .block = b, .serial = r->serial };
	size_t len = probe_icmp_request(&e, pkt);
	s->sent++;
	r->st->sent++;
	if (r->io->send(r->io->ctx, dst, pkt, len) != 0) {
		r->st->send_errors++;
		resolve(r, b, false, now);
		return;
	}
	s->out = true;
	s->serial = r->serial;
	s->sent_ns = now;
	s->dst = dst;
	if (r->flen == r->fcap)		/* never: the pacing bounds it */
		expire(r, r->fifo[r->fhead].due);
	r->fifo[(r->fhead + r->flen++) % r->fcap] = (struct slot){
	    now + r->timeout, b, r->serial };
}

static void
expire(struct run *r, int64_t now)
{
	while (r->flen > 0 && r->fifo[r->fhead].due <= now) {
		struct slot sl = r->fifo[r->fhead];
		r->fhead = (r->fhead + 1) % r->fcap;
		r->flen--;
		if (r->bs[sl.block].out && r->bs[sl.block].serial == sl.serial)
			resolve(r, sl.block, false, now);
	}
}

/* When the first probe of order[i] may go. */
static int64_t
first_due(const struct run *r, size_t i)
{
	return r->rstart + (int64_t)((double)r->spread * (double)i /
	    (double)r->set->n);
}

/* The next block to probe now, or -1. */
static int64_t
pick(struct run *r, int64_t now)
{
	if (r->rlen > 0) {
		uint32_t b = r->ready[r->rhead];
		r->rhead = (r->rhead + 1) % r->set->n;
		r->rlen--;
		return b;
	}
	if (r->first < r->set->n && first_due(r, r->first) <= now)
		return r->order[r->first++];
	return -1;
}

/*
 * The cap, a token bucket: a packet a 1/pps, and when the process woke
 * late, the packets it missed sent at once, but never more than 10 ms'
 * worth (PROBE_BURST_MS): over any second, at most pps packets and that
 * burst.
 */
static void
send_due(struct run *r, int64_t now)
{
	int64_t b, lag = r->interval * r->burst;

	if (r->next_send < now - lag)
		r->next_send = now - lag;
	while (now >= r->next_send && (b = pick(r, now)) >= 0) {
		if (now + r->timeout > r->rend)
			continue;		/* no time left this round */
		send_probe(r, (uint32_t)b, now);
		r->next_send += r->interval;
	}
}

static int64_t
deadline(const struct run *r)
{
	int64_t d = r->rend;

	if (r->flen > 0 && r->fifo[r->fhead].due < d)
		d = r->fifo[r->fhead].due;
	if (r->rlen > 0 && r->next_send < d)
		d = r->next_send;
	if (r->rlen == 0 && r->first < r->set->n) {
		int64_t f = first_due(r, r->first);
		if (f < r->next_send)
			f = r->next_send;
		if (f < d)
			d = f;
	}
	return d;
}

/* A packet that arrived at `at`: a reply to a probe in flight, when it
 * came within the probe's timeout. */
static void
packet(struct run *r, const uint8_t *buf, size_t len, int64_t at)
{
	struct probe_echo e;
	const char *why;
	int rc = probe_icmp_parse(buf, len, &e, &why);

	if (rc == LL_ENOTFOUND)
		return;				/* someone else's ICMP */
	if (rc != 0) {
		r->st->bad++;
		return;
	}
	if (e.id != r->id || e.cookie != r->cookie || e.block >= r->set->n ||
	    !r->bs[e.block].out || r->bs[e.block].serial != e.serial ||
	    r->bs[e.block].dst != e.src ||
	    at > r->bs[e.block].sent_ns + r->timeout) {
		r->st->stray++;
		return;
	}
	if (at < r->bs[e.block].sent_ns)
		at = r->bs[e.block].sent_ns;
	resolve(r, e.block, true, at);
}

static void
round_begin(struct run *r)
{
	size_t n = r->set->n;
	int64_t room = (int64_t)r->o->round_ms * MS -
	    PROBE_MAX_PER_ROUND * r->timeout;

	r->rstart = r->io->now(r->io->ctx);
	r->rend = r->rstart + (int64_t)r->o->round_ms * MS;
	r->spread = room > 0 ? room : 0;
	for (size_t i = 0; i < n; i++)
		r->order[i] = (uint32_t)i;
	for (size_t i = n - 1; i > 0; i--) {		/* Fisher-Yates */
		uint32_t j = probe_rand_below(&r->rng, (uint32_t)(i + 1));
		uint32_t x = r->order[i];
		r->order[i] = r->order[j];
		r->order[j] = x;
	}
	r->first = 0;
	r->rlen = r->rhead = 0;
	for (size_t i = 0; i < n; i++) {
		r->bs[i].sent = r->bs[i].replies = 0;
		r->bs[i].start = probe_belief_state(r->set->blocks[i].belief);
	}
}

static int
float_cmp(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return x < y ? -1 : x > y;
}

static int
round_end(struct run *r, int64_t bin)
{
	for (size_t i = 0; i < r->set->n; i++) {
		struct bstate *s = &r->bs[i];
		const struct probe_block *k = &r->set->blocks[i];
		double rtt = -1;
		if (s->replies > 0) {
			qsort(s->rtt, s->replies, sizeof(float), float_cmp);
			rtt = s->replies % 2 ? s->rtt[s->replies / 2] :
			    ((double)s->rtt[s->replies / 2 - 1] +
			    s->rtt[s->replies / 2]) / 2;
		}
		r->res[i] = (struct probe_result){ .block = k, .state =
		    probe_belief_state(k->belief), .belief = k->belief,
		    .sent = s->sent, .replies = s->replies, .rtt_ms = rtt };
	}
	r->st->rounds++;
	return r->o->on_round(r->o->ctx, bin, r->res, r->set->n);
}

/* One round. Returns 0, 1 when stopped, or an error. */
static int
one_round(struct run *r, int64_t bin)
{
	uint8_t buf[1500];

	round_begin(r);
	for (;;) {
		if (r->o->stop != NULL && *r->o->stop)
			return 1;
		int64_t now = r->io->now(r->io->ctx), at;
		/* What has come in goes before any timeout is called: a reply
		 * that waited while the process was not running counts by its
		 * arrival time. */
		int n;
		while ((n = r->io->recv(r->io->ctx, now, buf, sizeof(buf),
		    &at)) > 0)
			packet(r, buf, (size_t)n, at);
		if (n < 0 && n != LL_EINTR)
			return n;
		expire(r, now);
		send_due(r, now);
		if (now >= r->rend && r->flen == 0)
			break;
		n = r->io->recv(r->io->ctx, deadline(r), buf, sizeof(buf), &at);
		if (n < 0 && n != LL_EINTR)
			return n;
		if (n > 0)
			packet(r, buf, (size_t)n, at);
	}
	return round_end(r, bin);
}

static int
run_alloc(struct run *r)
{
	size_t n = r->set->n;

	r->bs = calloc(n, sizeof(*r->bs));
	r->res = calloc(n, sizeof(*r->res));
	r->order = calloc(n, sizeof(*r->order));
	r->ready = calloc(n, sizeof(*r->ready));
	r->fifo = calloc(r->fcap, sizeof(*r->fifo));
	return r->bs && r->res && r->order && r->ready && r->fifo ? 0 :
	    LL_ENOMEM;
}

static void
run_free(struct run *r)
{
	free(r->bs);
	free(r->res);
	free(r->order);
	free(r->ready);
	free(r->fifo);
}

int
probe_run(struct probe_set *set, const struct probe_targets *t,
    const struct probe_io *io, const struct probe_opts *o,
    struct probe_stats *st)
{
	struct run r = { .set = set, .t = t, .io = io, .o = o, .st = st,
	    .rng = o->seed };
	int64_t (*wall)(void *) = o->wall_ms != NULL ? o->wall_ms : wall_ms;
	int64_t bin = INT64_MIN, round_s = o->round_ms / 1000;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	if (t == NULL || probe_targets_count(t) == 0 || set->n == 0 ||
	    set->n > PROBE_MAX_BLOCKS || o->pps == 0 ||
	    o->pps > PROBE_PPS_MAX || o->round_ms < 1000 ||
	    o->round_ms % 1000 != 0 || o->timeout_ms == 0 ||
	    o->timeout_ms * 2 > o->round_ms || o->on_round == NULL)
		return LL_EINVAL;
	r.interval = NS / o->pps;
	r.burst = (int64_t)o->pps * PROBE_BURST_MS / 1000;
	if (r.burst < 1)
		r.burst = 1;
	r.timeout = (int64_t)o->timeout_ms * MS;
	/* Probes in flight, or sent within one timeout: the pacing allows
	 * timeout / interval + 1 + burst of them; no block sends more than
	 * PROBE_MAX_PER_ROUND a round. */
	r.fcap = (size_t)(r.timeout / r.interval + r.burst) + 2;
	if (r.fcap > set->n * PROBE_MAX_PER_ROUND + 1)
		r.fcap = set->n * PROBE_MAX_PER_ROUND + 1;
	if ((rc = run_alloc(&r)) != 0)
		goto out;
	r.id = (uint16_t)probe_rand(&r.rng);
	r.cookie = (uint32_t)probe_rand(&r.rng);
	r.next_send = io->now(io->ctx);
	for (unsigned i = 0; o->rounds == 0 || i < o->rounds; i++) {
		/* The round's bin: its wall-clock start, on the grid of the
		 * round length, one bin after the last at least. */
		int64_t b = wall(o->ctx) / 1000 / round_s * round_s;
		bin = b > bin ? b : bin + round_s;
		if ((rc = one_round(&r, bin)) != 0)
			break;
	}
	if (rc == 1)
		rc = 0;
out:
	run_free(&r);
	return rc;
}
