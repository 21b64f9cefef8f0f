/*
 * The prober without a network: Trinocular's belief and adaptive rule,
 * the ICMP parser on crafted and damaged packets (tests/data/probe/), the
 * target list and the USC/ISI history, the engine on a simulated network
 * (virtual time: blocks up and down, the pps cap, the refusal of targets
 * outside the list, stray replies), and the points of a round.
 */
#include "testutil.h"

#include <math.h>

#include "probe/probe.h"
#include "util/err.h"

/* ---- the model ---- */

static void
test_belief(void **state)
{
	(void)state;
	double b = PROBE_B_MAX;

	/* One reply is proof: a down block does not answer. */
	assert_true(probe_belief_update(0.02, true, 0.5) == PROBE_B_MAX);
	/* A = 0.95: three silences take an up block down. */
	b = probe_belief_update(b, false, 0.95);
	assert_true(fabs(b - 0.0495 / 0.0595) < 1e-9);
	assert_int_equal(probe_belief_state(b), PROBE_UNCERTAIN);
	b = probe_belief_update(b, false, 0.95);
	assert_int_equal(probe_belief_state(b), PROBE_UNCERTAIN);
	b = probe_belief_update(b, false, 0.95);
	assert_int_equal(probe_belief_state(b), PROBE_DOWN);
	/* Never certain, so the next outcome can always move it. */
	for (int i = 0; i < 50; i++)
		b = probe_belief_update(b, false, 0.95);
	assert_true(b == PROBE_B_MIN);
	/* A is capped: a block answering always still may lose a packet. */
	assert_true(probe_belief_update(0.99, false, 1.0) > 0.5);
	/* Low availability: a silence moves the belief little. */
	assert_int_equal(probe_belief_state(probe_belief_update(0.99, false,
	    0.2)), PROBE_UP);
	assert_string_equal(probe_state_name(PROBE_UP), "up");
	assert_string_equal(probe_state_name(PROBE_DOWN), "down");
	assert_string_equal(probe_state_name(PROBE_UNCERTAIN), "uncertain");
}

static void
test_more(void **state)
{
	(void)state;
	/* Agreement ends the round's probing. */
	assert_false(probe_more(0.99, PROBE_UP, 1, 1));
	assert_false(probe_more(0.02, PROBE_DOWN, 1, 0));
	/* A reply from a down block settles it up at once. */
	assert_false(probe_more(0.99, PROBE_DOWN, 1, 1));
	/* Uncertain: more. */
	assert_true(probe_more(0.5, PROBE_UP, 1, 0));
	assert_true(probe_more(0.5, PROBE_UNCERTAIN, 3, 0));
	/* An up block silent so far: more even while the belief holds. */
	assert_true(probe_more(0.95, PROBE_UP, 1, 0));
	/* Never more than 15 a round. */
	assert_false(probe_more(0.5, PROBE_UP, PROBE_MAX_PER_ROUND, 0));
	assert_true(probe_more(0.5, PROBE_UP, PROBE_MAX_PER_ROUND - 1, 0));
}

/* ---- ICMP ---- */

static int
parse_file(const char *name, struct probe_echo *e, const char **why)
{
	size_t len;
	uint8_t *p = test_slurp(test_data(name), &len);
	int rc;

	assert_non_null(p);
	rc = probe_icmp_parse(p, len, e, why);
	free(p);
	return rc;
}

static void
test_icmp_fixtures(void **state)
{
	struct probe_echo e;
	const char *why;

	(void)state;
	assert_int_equal(parse_file("probe/reply-ok", &e, &why), 0);
	assert_int_equal(e.id, 0xbeef);
	assert_int_equal(e.seq, 41);
	assert_int_equal(e.cookie, 0x12345678);
	assert_int_equal(e.block, 2);
	assert_int_equal(e.serial, 41);
	assert_int_equal(e.src, 0x0a4d0307);		/* 10.77.3.7 */
	assert_int_equal(parse_file("probe/reply-options", &e, &why), 0);
	assert_int_equal(e.serial, 41);
	assert_int_equal(parse_file("probe/reply-bad-cksum", &e, &why),
	    LL_EFORMAT);
	assert_string_equal(why, "bad ICMP checksum");
	assert_int_equal(parse_file("probe/reply-truncated", &e, &why),
	    LL_EFORMAT);
	assert_string_equal(why, "IPv4 total length out of range");
	assert_int_equal(parse_file("probe/reply-total-short", &e, &why),
	    LL_EFORMAT);
	assert_int_equal(parse_file("probe/reply-total-long", &e, &why),
	    LL_EFORMAT);
	assert_int_equal(parse_file("probe/not-icmp", &e, &why), LL_EFORMAT);
	assert_string_equal(why, "not ICMP");
	assert_int_equal(parse_file("probe/ipv6-version", &e, &why),
	    LL_EFORMAT);
	/* Sound, but not ours. */
	assert_int_equal(parse_file("probe/echo-request", &e, &why),
	    LL_ENOTFOUND);
	assert_int_equal(parse_file("probe/reply-other-payload", &e, &why),
	    LL_ENOTFOUND);
}

static void
test_icmp_short(void **state)
{
	uint8_t p[64] = { 0x45 };
	struct probe_echo e;
	const char *why;

	(void)state;
	for (size_t n = 0; n < 20; n++) {
		assert_int_equal(probe_icmp_parse(p, n, &e, &why), LL_ETRUNC);
		assert_string_equal(why, "shorter than an IPv4 header");
	}
	/* A header length of 60 in a 40-byte packet. */
	p[0] = 0x4f;
	p[3] = 40;
	p[9] = 1;
	assert_int_equal(probe_icmp_parse(p, 40, &e, &why), LL_EFORMAT);
	assert_string_equal(why, "IPv4 header length out of range");
	/* A header length under 20. */
	p[0] = 0x44;
	assert_int_equal(probe_icmp_parse(p, 40, &e, &why), LL_EFORMAT);
	/* An ICMP header cut short. */
	p[0] = 0x45;
	p[3] = 24;
	assert_int_equal(probe_icmp_parse(p, 24, &e, &why), LL_ETRUNC);
	assert_string_equal(why, "shorter than an ICMP header");
}

static void
test_icmp_request(void **state)
{
	struct probe_echo e = { .id = 7, .seq = 9, .cookie = 0xdeadbeef,
	    .block = 3, .serial = 65545 };
	uint8_t buf[PROBE_ICMP_LEN];

	(void)state;
	assert_int_equal(probe_icmp_request(&e, buf), PROBE_ICMP_LEN);
	assert_int_equal(buf[0], 8);
	assert_int_equal(probe_cksum(buf, sizeof(buf)), 0);
	/* RFC 1071's example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2. */
	const uint8_t ex[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6,
	    0xf7 };
	assert_int_equal(probe_cksum(ex, sizeof(ex)), (uint16_t)~0xddf2);
}

/* ---- the target list and the history ---- */

static struct probe_targets *
targets(const char *text)
{
	struct probe_targets *t;
	char err[256];

	assert_int_equal(probe_targets_parse(text, strlen(text), "t", &t, err,
	    sizeof(err)), 0);
	return t;
}

static void
test_targets(void **state)
{
	struct probe_targets *t;
	char err[256];

	(void)state;
	t = targets("# lab\n10.1.0.0/24\n\n10.1.1.0/24  # next\n"
	    "192.0.2.7\r\n10.1.0.0/25\n");
	assert_int_equal(probe_targets_count(t), 2);	/* merged */
	assert_true(probe_targets_has(t, 0x0a010000));
	assert_true(probe_targets_has(t, 0x0a0101ff));
	assert_false(probe_targets_has(t, 0x0a010200));
	assert_false(probe_targets_has(t, 0x09ffffff));
	assert_true(probe_targets_has(t, 0xc0000207));
	assert_false(probe_targets_has(t, 0xc0000208));
	probe_targets_free(t);
	assert_false(probe_targets_has(NULL, 0x0a010000));

	/* A typo fails the whole list, with its line. */
	assert_int_equal(probe_targets_parse("10.1.0.0/24\n10.1.0/24x\n", 23,
	    "list", &t, err, sizeof(err)), LL_EFORMAT);
	assert_null(t);
	assert_string_equal(err, "list:2: not an IPv4 prefix or address");
	assert_int_equal(probe_targets_parse("2001:db8::/32\n", 14, "list", &t,
	    err, sizeof(err)), LL_EFORMAT);
	assert_string_equal(err, "list:1: IPv6 is not probed");
	/* No prefix: nothing may be probed. */
	assert_int_equal(probe_targets_parse("# nothing\n\n", 11, "list", &t,
	    err, sizeof(err)), LL_EFORMAT);
	assert_string_equal(err, "list: no prefix: nothing may be probed");
	assert_int_equal(probe_targets_parse("10.0.0.0/8\n\0\n", 13, "list",
	    &t, err, sizeof(err)), LL_EFORMAT);
	assert_string_equal(err, "list:2: line too long or holds a NUL byte");
}

struct warns {
	char	 last[256];
	int	 n;
};

static void
warn(void *ctx, const char *msg)
{
	struct warns *w = ctx;

	snprintf(w->last, sizeof(w->last), "%s", msg);
	w->n++;
}

static void
append(char *buf, size_t cap, const char *s)
{
	size_t l = strlen(buf);

	snprintf(buf + l, cap - l, "%s", s);
}

/* A history: block 10.1.B.0/24 with n addresses of history hist. */
static void
hist_block(char *buf, size_t cap, int b, int n, const char *hist)
{
	for (int a = 1; a <= n; a++) {
		size_t l = strlen(buf);
		snprintf(buf + l, cap - l, "0a01%02x%02x\t%s\t99\n", b, a, hist);
	}
}

static void
test_history(void **state)
{
	struct probe_targets *t = targets("10.1.0.0/16\n");
	struct probe_set s;
	struct warns w = { .n = 0 };
	char buf[16384] = "#fsdb -F t hex_ip history score\n", err[256];

	(void)state;
	hist_block(buf, sizeof(buf), 1, 20, "ffff");	/* A = 1, capped */
	hist_block(buf, sizeof(buf), 2, 16, "f0f");	/* A = 8/16 */
	hist_block(buf, sizeof(buf), 3, 14, "ffff");	/* too sparse */
	hist_block(buf, sizeof(buf), 4, 20, "10000");	/* A = 0: old */
	hist_block(buf, sizeof(buf), 5, 3, "0");	/* never */
	append(buf, sizeof(buf), "0a010101\tffff\t99\n");		/* twice */
	append(buf, sizeof(buf), "0b000001\tffff\t99\n");		/* outside */
	append(buf, sizeof(buf), "0a0101\tffff\t99\n");		/* bad */
	append(buf, sizeof(buf), "0a010102\tfg\t99\n");		/* bad */
	append(buf, sizeof(buf), "0a010103\n");			/* bad */
	append(buf, sizeof(buf), "# | comment\n");
	assert_int_equal(probe_set_load(buf, strlen(buf), "h", t, 1, warn, &w,
	    &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.blocks[0].net, 0x0a010100);
	assert_int_equal(s.blocks[0].nhosts, 20);
	assert_true(s.blocks[0].avail == PROBE_MAX_AVAIL);
	assert_int_equal(s.blocks[1].net, 0x0a010200);
	assert_true(fabs(s.blocks[1].avail - 0.5) < 1e-9);
	assert_int_equal(s.sparse, 1);
	assert_int_equal(s.unavail, 1);
	assert_int_equal(s.never, 3);
	assert_int_equal(s.refused, 1);
	assert_int_equal(s.bad, 3);
	assert_int_equal(w.n, 3);
	assert_string_equal(w.last, "h:79: too few columns");
	/* Each block's hosts once, shuffled. */
	unsigned seen[256] = { 0 }, moved = 0;
	for (unsigned i = 0; i < s.blocks[0].nhosts; i++) {
		uint8_t h = s.hosts[s.blocks[0].host_off + i];
		seen[h]++;
		moved += h != i + 1;
	}
	for (unsigned h = 1; h <= 20; h++)
		assert_int_equal(seen[h], 1);
	assert_true(moved > 0);
	probe_set_fini(&s);

	/* No header: not a history. */
	assert_int_equal(probe_set_load("0a010101\tffff\t99\n", 17, "h", t, 1,
	    NULL, NULL, &s, err, sizeof(err)), LL_EFORMAT);
	assert_string_equal(err, "h:1: not a USC/ISI history: no '#fsdb ... "
	    "hex_ip ... history' header");
	/* The columns found by name. */
	buf[0] = '\0';
	append(buf, sizeof(buf), "#fsdb -F t score history hex_ip\n");
	for (int a = 1; a <= 15; a++) {
		size_t l = strlen(buf);
		snprintf(buf + l, sizeof(buf) - l, "9\t1\t0a0107%02x\n", a);
	}
	assert_int_equal(probe_set_load(buf, strlen(buf), "h", t, 1, NULL,
	    NULL, &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 0);		/* A = 1/16 < 0.1 */
	assert_int_equal(s.unavail, 1);
	probe_set_fini(&s);
	probe_targets_free(t);
}

/* ---- the engine on a simulated network ---- */

#define SIM_Q	64

struct sim {
	int64_t		 now;		/* ns */
	uint32_t	 down;		/* bit b: 10.1.b.0/24 does not answer */
	int64_t		 delay;
	struct { int64_t at; uint8_t p[64]; size_t len; } q[SIM_Q];
	size_t		 nq;
	const struct probe_targets *t;
	uint64_t	 sends, outside, too_close;
	int64_t		 last_send, min_gap;
	unsigned	 per_block[8];	/* this round's probes */
	bool		 stray;		/* answer with a wrong cookie too */
	int64_t		 late;		/* a wait overshoots by this much */
	int64_t		*times;		/* every send's time, when set */
	size_t		 ntimes, captimes;
};

static int64_t
sim_now(void *ctx)
{
	return ((struct sim *)ctx)->now;
}

static int64_t
sim_wall(void *ctx)
{
	(void)ctx;
	return 1700000000000;
}

static void
sim_reply(struct sim *s, uint32_t dst, const uint8_t *req, size_t len,
    bool stray)
{
	uint8_t *p = s->q[s->nq].p;

	memset(p, 0, 20);
	p[0] = 0x45;
	p[3] = (uint8_t)(20 + len);
	p[8] = 64;
	p[9] = 1;
	p[12] = (uint8_t)(dst >> 24);
	p[13] = (uint8_t)(dst >> 16);
	p[14] = (uint8_t)(dst >> 8);
	p[15] = (uint8_t)dst;
	memcpy(p + 20, req, len);
	p[20] = 0;
	if (stray)
		p[20 + 12] ^= 1;			/* the cookie */
	p[22] = p[23] = 0;
	uint16_t c = probe_cksum(p + 20, len);
	p[22] = (uint8_t)(c >> 8);
	p[23] = (uint8_t)c;
	s->q[s->nq].len = 20 + len;
	s->q[s->nq].at = s->now + s->delay + (stray ? -1 : 0);
	s->nq++;
}

static int
sim_send(void *ctx, uint32_t dst, const uint8_t *pkt, size_t len)
{
	struct sim *s = ctx;
	unsigned b = (dst >> 8) & 0xff;

	if (!probe_targets_has(s->t, dst))
		s->outside++;
	if (s->sends > 0 && s->now - s->last_send < s->min_gap)
		s->too_close++;
	s->sends++;
	s->last_send = s->now;
	if (s->times != NULL && s->ntimes < s->captimes)
		s->times[s->ntimes++] = s->now;
	if (b < 8)
		s->per_block[b]++;
	if (b < 32 && (s->down & (1u << b)))
		return 0;
	if (s->nq + 2 <= SIM_Q) {
		if (s->stray)
			sim_reply(s, dst, pkt, len, true);
		sim_reply(s, dst, pkt, len, false);
	}
	return 0;
}

static int
sim_recv(void *ctx, int64_t deadline, uint8_t *buf, size_t cap, int64_t *at)
{
	struct sim *s = ctx;
	size_t best = SIZE_MAX;

	for (size_t i = 0; i < s->nq; i++)
		if (s->q[i].at <= deadline && (best == SIZE_MAX ||
		    s->q[i].at < s->q[best].at))
			best = i;
	if (best == SIZE_MAX) {
		if (deadline > s->now)
			s->now = deadline + s->late;
		return 0;
	}
	if (s->q[best].at > s->now)			/* waited: woke late */
		s->now = s->q[best].at + s->late;
	*at = s->q[best].at;
	size_t n = s->q[best].len < cap ? s->q[best].len : cap;
	memcpy(buf, s->q[best].p, n);
	s->q[best] = s->q[--s->nq];
	return (int)n;
}

struct rounds {
	struct sim	*sim;
	enum probe_state st[8][8];	/* [round][block] */
	unsigned	 sent[8][8], probes[8][8];
	double		 rtt[8][8];
	int64_t		 start[8];
	unsigned	 n;
	uint32_t	 down_after[8];	/* the network from round i+1 */
};

static int
on_round(void *ctx, int64_t start, const struct probe_result *r, size_t n)
{
	struct rounds *x = ctx;

	for (size_t i = 0; i < n && i < 8; i++) {
		x->st[x->n][i] = r[i].state;
		x->sent[x->n][i] = r[i].sent;
		x->rtt[x->n][i] = r[i].rtt_ms;
		unsigned b = (r[i].block->net >> 8) & 0xff;
		x->probes[x->n][i] = b < 8 ? x->sim->per_block[b] : 0;
	}
	memset(x->sim->per_block, 0, sizeof(x->sim->per_block));
	x->start[x->n] = start;
	x->sim->down = x->down_after[x->n];
	x->n++;
	return 0;
}

/* Blocks 10.1.1.0/24 .. 10.1.4.0/24, 20 hosts each, A = 0.95. */
static void
sim_set(struct probe_set *s, struct probe_targets *t)
{
	char buf[8192] = "#fsdb -F t hex_ip history score\n", err[256];

	for (int b = 1; b <= 4; b++)
		hist_block(buf, sizeof(buf), b, 20, "ffff");
	assert_int_equal(probe_set_load(buf, strlen(buf), "h", t, 3, NULL,
	    NULL, s, err, sizeof(err)), 0);
	assert_int_equal(s->n, 4);
}

static void
test_run(void **state)
{
	struct probe_targets *t = targets("10.1.0.0/16\n");
	struct sim sim = { .now = 5 * 1000000000LL, .delay = 20000000,
	    .min_gap = 1000000000 / 50, .t = t, .down = 1u << 2 };
	struct probe_io io = { &sim, sim_now, sim_send, sim_recv };
	struct rounds x = { .sim = &sim, .down_after = { 1u << 2, 1u << 3,
	    0, 0 } };
	struct probe_opts o = { .pps = 50, .round_ms = 10000, .timeout_ms =
	    500, .rounds = 4, .seed = 11, .wall_ms = sim_wall, .on_round =
	    on_round, .ctx = &x };
	struct probe_set s;
	struct probe_stats st;

	(void)state;
	sim_set(&s, t);
	assert_int_equal(probe_run(&s, t, &io, &o, &st), 0);
	assert_int_equal(x.n, 4);
	assert_int_equal(st.rounds, 4);
	/* Round 1: 10.1.2.0/24 (index 1) down, the rest up. */
	assert_int_equal(x.st[0][0], PROBE_UP);
	assert_int_equal(x.st[0][1], PROBE_DOWN);
	assert_int_equal(x.st[0][2], PROBE_UP);
	assert_int_equal(x.st[0][3], PROBE_UP);
	/* Up blocks answer at once: one probe, RTT the simulated 20 ms. */
	assert_int_equal(x.sent[0][0], 1);
	assert_true(fabs(x.rtt[0][0] - 20) < 1e-3);
	assert_true(x.rtt[0][1] < 0);
	/* Round 2: still; the down block needs one probe now. */
	assert_int_equal(x.st[1][1], PROBE_DOWN);
	assert_int_equal(x.sent[1][1], 1);
	/* Round 3: 10.1.2.0 back, 10.1.3.0 down: said in this round, after
	 * three silences (A = 0.95). */
	assert_int_equal(x.st[2][1], PROBE_UP);
	assert_int_equal(x.st[2][2], PROBE_DOWN);
	assert_int_equal(x.sent[2][2], 3);
	/* Round 4: all up. */
	for (int i = 0; i < 4; i++)
		assert_int_equal(x.st[3][i], PROBE_UP);
	/* The bins: the rounds' starts on the 10 s grid, one after another. */
	assert_int_equal(x.start[0], 1700000000);
	assert_int_equal(x.start[1], 1700000010);
	assert_int_equal(x.start[3], 1700000030);
	/* Safety: every packet inside the list, none faster than the cap. */
	assert_int_equal(sim.outside, 0);
	assert_int_equal(sim.too_close, 0);
	assert_int_equal(st.sent, sim.sends);
	assert_int_equal(st.refused, 0);
	probe_set_fini(&s);
	probe_targets_free(t);
}

/* A set loaded under a wider list than the run's: the run refuses the
 * blocks outside its list, packet by packet; stray replies (another
 * cookie) change nothing. */
static void
test_run_refuse(void **state)
{
	struct probe_targets *wide = targets("10.1.0.0/16\n");
	struct probe_targets *t = targets("10.1.1.0/24\n10.1.2.0/24\n");
	struct sim sim = { .delay = 1000000, .t = t, .stray = true };
	struct probe_io io = { &sim, sim_now, sim_send, sim_recv };
	struct rounds x = { .sim = &sim };
	struct probe_opts o = { .pps = 1000, .round_ms = 2000, .timeout_ms =
	    100, .rounds = 2, .seed = 5, .wall_ms = sim_wall, .on_round =
	    on_round, .ctx = &x };
	struct probe_set s;
	struct probe_stats st;

	(void)state;
	sim_set(&s, wide);
	assert_int_equal(probe_run(&s, t, &io, &o, &st), 0);
	assert_int_equal(sim.outside, 0);
	assert_true(st.refused >= 2);		/* both rounds, two blocks */
	assert_int_equal(x.probes[0][2], 0);
	assert_int_equal(x.probes[0][3], 0);
	assert_int_equal(x.st[1][0], PROBE_UP);
	assert_int_equal(x.st[1][1], PROBE_UP);
	assert_int_equal(st.stray, st.replies);	/* one stray per reply */
	/* No list, no probing at all. */
	assert_int_equal(probe_run(&s, NULL, &io, &o, &st), LL_EINVAL);
	assert_int_equal(st.sent, 0);
	/* The cap cannot be lifted. */
	o.pps = PROBE_PPS_MAX + 1;
	assert_int_equal(probe_run(&s, t, &io, &o, &st), LL_EINVAL);
	probe_set_fini(&s);
	probe_targets_free(t);
	probe_targets_free(wide);
}

/* A process that wakes late (25 ms past each deadline), every block due
 * at the start of each round (15 timeouts fill the round: no spread),
 * after an idle end of round: the bucket lets the packets missed while
 * late go at once, but never more than 10 ms' worth. */
static void
test_run_cap(void **state)
{
	struct probe_targets *t = targets("10.1.0.0/16\n");
	int64_t times[2048];
	struct sim sim = { .delay = 1000000, .t = t, .late = 25000000,
	    .times = times, .captimes = 2048, .down = ~0u };
	struct probe_io io = { &sim, sim_now, sim_send, sim_recv };
	struct rounds x = { .sim = &sim, .down_after = { ~0u, ~0u, ~0u } };
	struct probe_opts o = { .pps = 400, .round_ms = 2000, .timeout_ms =
	    200, .rounds = 3, .seed = 5, .wall_ms = sim_wall, .on_round =
	    on_round, .ctx = &x };
	size_t cap = 200 * 16 * 20;
	char *buf = calloc(1, cap), err[256];
	struct probe_set s;
	struct probe_stats st;

	(void)state;
	assert_non_null(buf);
	append(buf, cap, "#fsdb -F t hex_ip history score\n");
	for (int b = 1; b <= 200; b++)
		hist_block(buf, cap, b, 15, "ffff");
	assert_int_equal(probe_set_load(buf, strlen(buf), "h", t, 3, NULL,
	    NULL, &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 200);
	assert_int_equal(probe_run(&s, t, &io, &o, &st), 0);
	assert_true(sim.ntimes < sim.captimes);
	assert_true(sim.ntimes > 400);		/* the cap binds, no stall */
	/* In any window of w, at most pps w + the bucket (4) + 1. */
	for (size_t k = 0, j = 0, i = 0; k < sim.ntimes; k++) {
		while (times[j] <= times[k] - 1000000000LL)
			j++;
		while (times[i] <= times[k] - 50000000LL)
			i++;
		assert_true(k - j + 1 <= 400 + 4 + 1);
		assert_true(k - i + 1 <= 20 + 4 + 1);
	}
	assert_int_equal(sim.outside, 0);
	probe_set_fini(&s);
	probe_targets_free(t);
	free(buf);
}

/* A process that sleeps past its probes' timeouts (150 ms late, a
 * timeout of 100 ms; every block due at the round's start, so several
 * are in flight at once): the replies that came in time, and waited to
 * be read, count by their arrival (1 ms after each probe), not as
 * losses. */
static void
test_run_late(void **state)
{
	struct probe_targets *t = targets("10.1.0.0/16\n");
	struct sim sim = { .delay = 1000000, .t = t, .late = 150000000 };
	struct probe_io io = { &sim, sim_now, sim_send, sim_recv };
	struct rounds x = { .sim = &sim };
	struct probe_opts o = { .pps = 100, .round_ms = 1000, .timeout_ms =
	    100, .rounds = 2, .seed = 5, .wall_ms = sim_wall, .on_round =
	    on_round, .ctx = &x };
	struct probe_set s;
	struct probe_stats st;

	(void)state;
	sim_set(&s, t);
	assert_int_equal(probe_run(&s, t, &io, &o, &st), 0);
	assert_int_equal(st.sent, 8);
	assert_int_equal(st.replies, 8);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(x.st[1][i], PROBE_UP);
		assert_true(fabs(x.rtt[1][i] - 1) < 1e-3);
	}
	probe_set_fini(&s);
	probe_targets_free(t);
}

/* ---- points ---- */

struct pts {
	char	 line[64][96];
	int	 n;
};

static int
collect(void *ctx, const char *kind, int64_t time, const char *entity,
    double v)
{
	struct pts *p = ctx;

	assert_true(p->n < 64);
	snprintf(p->line[p->n++], 96, "%lld,%s,%s,%g", (long long)time, kind,
	    entity, v);
	return 0;
}

static bool
has(const struct pts *p, const char *line)
{
	for (int i = 0; i < p->n; i++)
		if (strcmp(p->line[i], line) == 0)
			return true;
	return false;
}

static void
test_points(void **state)
{
	struct probe_block b[3] = { { .net = 0x0a010100 },
	    { .net = 0x0a010200 }, { .net = 0x0a010300 } };
	struct probe_result r[3] = {
	    { &b[0], PROBE_UP, 0.99, 1, 1, 10 },
	    { &b[1], PROBE_UNCERTAIN, 0.5, 4, 1, 30 },
	    { &b[2], PROBE_DOWN, 0.01, 3, 0, -1 } };
	FILE *f;
	struct geo *g = NULL;
	struct pts p = { .n = 0 };

	(void)state;
	assert_non_null(f = fopen(test_tmpdir_path("pfx2as"), "w"));
	fputs("10.1.1.0\t24\t64501\n10.1.2.0\t23\t64502\n", f);
	fclose(f);
	assert_non_null(f = fopen(test_tmpdir_path("rir"), "w"));
	fputs("test|NL|ipv4|10.1.0.0|65536|20000101|allocated\n", f);
	fclose(f);
	const char *rir[] = { test_tmpdir_path("rir"), NULL };
	struct geo_opts go = { .pfx2as = test_tmpdir_path("pfx2as"),
	    .rir = rir };
	assert_int_equal(geo_open(&go, &g), 0);
	assert_int_equal(probe_points(r, 3, 600, g, PROBE_BY_BLOCK |
	    PROBE_BY_ASN | PROBE_BY_COUNTRY, collect, &p), 0);
	assert_true(has(&p, "600,probe,prefix:10.1.1.0/24,1"));
	assert_true(has(&p, "600,probe,prefix:10.1.2.0/24,0.5"));
	assert_true(has(&p, "600,probe,prefix:10.1.3.0/24,0"));
	assert_true(has(&p, "600,probe,asn:64501,1"));
	assert_true(has(&p, "600,probe,asn:64502,0"));	/* not up */
	assert_true(has(&p, "600,probe,country:NL,1"));
	assert_true(has(&p, "600,probe.rtt,country:NL,20"));	/* median */
	assert_true(has(&p, "600,probe.rtt,asn:64502,30"));
	assert_true(has(&p, "600,probe.loss,country:NL,0.75"));  /* 6/8 */
	assert_true(has(&p, "600,probe.loss,prefix:10.1.3.0/24,1"));
	/* No RTT for a block that never answered. */
	for (int i = 0; i < p.n; i++)
		assert_null(strstr(p.line[i], "probe.rtt,prefix:10.1.3.0/24"));
	/* Ordered by kind, then entity. */
	assert_string_equal(p.line[0], "600,probe,asn:64501,1");
	/* No block, no point (and no qsort() of NULL). */
	int before = p.n;
	assert_int_equal(probe_points(r, 0, 600, g, PROBE_BY_BLOCK |
	    PROBE_BY_ASN, collect, &p), 0);
	assert_int_equal(p.n, before);
	geo_free(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_belief),
		cmocka_unit_test(test_more),
		cmocka_unit_test(test_icmp_fixtures),
		cmocka_unit_test(test_icmp_short),
		cmocka_unit_test(test_icmp_request),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_run_refuse),
		cmocka_unit_test(test_run_cap),
		cmocka_unit_test(test_run_late),
		cmocka_unit_test(test_points),
	};

	return test_main("probe", tests, test_tmpdir_setup,
	    test_tmpdir_teardown);
}
