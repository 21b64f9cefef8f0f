/*
 * The active prober: Trinocular (Quan, Heidemann and Pradkin, "Trinocular:
 * Understanding Internet Reliability Through Adaptive Probing", SIGCOMM
 * 2013) over IPv4 /24 blocks, with ICMP echo requests.
 *
 * For each /24 block with enough ever-responsive addresses E(b) (from an
 * address response history in the USC/ISI format), a belief B(U) that the
 * block is up is kept across rounds and updated by Bayes' rule with each
 * probe's outcome: positive (an echo reply) or negative (none within the
 * timeout). Each round probes every block once, and again, up to
 * PROBE_MAX_PER_ROUND, while the belief is uncertain or the replies
 * contradict the state the round began with. docs/probe.md gives the model,
 * the parameters and the safety rules.
 *
 * Safety is built in, not left to callers: nothing is probed without a
 * target list (probe_targets), every address of the history outside it is
 * refused when loaded and again before each packet is sent, the order of
 * blocks is shuffled every round, and one global packets-per-second cap
 * paces every packet.
 *
 * The engine (probe_run) does its I/O through a small vtable (struct
 * probe_io), so that it runs on a raw ICMP socket (probe_io_raw) or, in
 * tests, on a simulated network.
 */
#ifndef LL_PROBE_PROBE_H
#define LL_PROBE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "geo/geo.h"
#include "store/store.h"

/* The paper's parameters (section numbers of the SIGCOMM 2013 paper in
 * docs/probe.md). */
#define PROBE_ROUND_MS		660000	/* an 11-minute round */
#define PROBE_TIMEOUT_MS	3000	/* a probe without reply is negative */
#define PROBE_MAX_PER_ROUND	15	/* probes per block and round */
#define PROBE_T_UP		0.9	/* B(U) above: up */
#define PROBE_T_DOWN		0.1	/* B(U) below: down */
#define PROBE_MIN_EVER		15	/* |E(b)| needed to track a block */
#define PROBE_MIN_AVAIL		0.1	/* A(E(b)) needed to track a block */
/* Ours (docs/probe.md says why). */
#define PROBE_MAX_AVAIL		0.95	/* A used is at most this */
#define PROBE_B_MIN		0.01	/* B(U) kept in [B_MIN, B_MAX] */
#define PROBE_B_MAX		0.99
#define PROBE_HIST_CENSUSES	16	/* A from the last 16 censuses */
#define PROBE_PPS_DEFAULT	100
#define PROBE_PPS_MAX		100000	/* no cap may be set above this */
#define PROBE_BURST_MS		10	/* the cap's bucket: 10 ms of packets */
#define PROBE_MAX_BLOCKS	(1u << 24)	/* every /24 of IPv4 */

enum probe_state {
	PROBE_UNCERTAIN = 0,
	PROBE_UP,
	PROBE_DOWN,
};

/* "up", "down", "uncertain". */
const char *probe_state_name(enum probe_state s);

/* ---- the model (probe_model.c) ---- */

/* The belief after one probe of a block of availability a (0 < a < 1):
 * Bayes' rule with P(reply|U) = a, P(reply|D) = 0, kept within
 * [PROBE_B_MIN, PROBE_B_MAX]. */
double	probe_belief_update(double b, bool reply, double a);

/* The state a belief stands for. */
enum probe_state probe_belief_state(double b);

/* Whether a block needs another probe this round: after `sent` probes
 * (>= 1) of which `replies` were answered, with belief b, having started
 * the round in state `start`. */
bool	probe_more(double b, enum probe_state start, unsigned sent,
	    unsigned replies);

/* ---- target lists and the address history (probe_list.c) ---- */

/* The allowlist: IPv4 prefixes. Opaque. */
struct probe_targets;

/*
 * Parses a target list: one IPv4 prefix (or address, a /32) a line, '#'
 * comments, blank lines. name is used in messages. A bad line fails the
 * whole list (a typo in an allowlist must not silently shrink or widen
 * it): returns LL_EFORMAT with "NAME:LINE: what" in err. An empty list is
 * LL_EFORMAT too. Returns 0 and *out (free with probe_targets_free()),
 * LL_ENOMEM, LL_ELIMIT (more than 1M lines).
 */
int	probe_targets_parse(const char *text, size_t len, const char *name,
	    struct probe_targets **out, char *err, size_t errlen);
void	probe_targets_free(struct probe_targets *t);
/* Whether addr (host byte order) is inside one of the prefixes. */
bool	probe_targets_has(const struct probe_targets *t, uint32_t addr);
size_t	probe_targets_count(const struct probe_targets *t);

/* One tracked block. */
struct probe_block {
	uint32_t	 net;		/* the /24, host byte order */
	uint32_t	 host_off;	/* its E(b) in the hosts array */
	uint16_t	 nhosts;	/* |E(b)| */
	uint16_t	 next;		/* next host to probe (cycles) */
	double		 avail;		/* A(E(b)), capped */
	double		 belief;	/* B(U) */
};

/* The blocks to track. Opaque only in how it is built; the arrays are
 * read by probe_run(). */
struct probe_set {
	struct probe_block *blocks;
	size_t		 n;
	uint8_t		*hosts;		/* last octets, per block shuffled */
	size_t		 nhosts;
	/* What loading saw. */
	uint64_t	 lines;		/* data lines read */
	uint64_t	 bad;		/* bad lines skipped */
	uint64_t	 refused;	/* addresses outside the targets */
	uint64_t	 never;		/* addresses never responsive */
	uint64_t	 sparse;	/* blocks with |E(b)| < PROBE_MIN_EVER */
	uint64_t	 unavail;	/* blocks with A < PROBE_MIN_AVAIL */
};

/* Called for each bad line with "NAME:LINE: what" (may be NULL). */
typedef void probe_warn_fn(void *ctx, const char *msg);

/*
 * Reads an address response history in the USC/ISI format (fsdb, tab
 * separated, a "#fsdb -F t ... hex_ip ... history ..." header naming the
 * columns; hex_ip 8 hex digits, history a hex bitmap of censuses, the
 * least significant bit the latest), keeps the addresses inside t, and
 * builds the blocks with at least PROBE_MIN_EVER ever-responsive addresses
 * and an availability of at least PROBE_MIN_AVAIL, each host list in a
 * random order drawn from seed. Bad lines are reported, counted and
 * skipped; a missing header is LL_EFORMAT. Returns 0 and fills *set (free
 * with probe_set_fini(); a set with no block is not an error: the caller
 * says so), LL_ENOMEM, LL_ELIMIT (more than 64M lines), with a line in err.
 */
int	probe_set_load(const char *text, size_t len, const char *name,
	    const struct probe_targets *t, uint64_t seed, probe_warn_fn *warn,
	    void *warn_ctx, struct probe_set *set, char *err, size_t errlen);
void	probe_set_fini(struct probe_set *set);

/* ---- ICMP (probe_icmp.c): hostile input ---- */

#define PROBE_ICMP_LEN	28		/* echo request: 8 + 20 of payload */

/* What our echo requests carry, and a reply gives back. */
struct probe_echo {
	uint16_t	 id;		/* ICMP identifier (per run) */
	uint16_t	 seq;
	uint32_t	 cookie;	/* per run, so stray replies are known */
	uint32_t	 block;		/* index of the block */
	uint32_t	 serial;	/* the probe's number in the run */
	uint32_t	 src;		/* a reply: who sent it (host order) */
};

/* Writes an echo request (type 8, checksum set) into buf (at least
 * PROBE_ICMP_LEN bytes) and returns its length. */
size_t	probe_icmp_request(const struct probe_echo *e, uint8_t *buf);

/*
 * Parses what a raw IPv4 ICMP socket reads: the IPv4 header (version 4,
 * a header length of 20 to 60 bytes inside the packet, protocol ICMP, a
 * total length that fits), then an ICMP echo reply (type 0, code 0, a
 * correct checksum) with our payload. Returns 0 and fills *e; LL_ENOTFOUND
 * for a sound packet that is not one of ours (another type, another
 * payload size); LL_EFORMAT / LL_ETRUNC for a damaged one, with what in
 * *why (static).
 */
int	probe_icmp_parse(const uint8_t *pkt, size_t len, struct probe_echo *e,
	    const char **why);

/* The Internet checksum (RFC 1071) of len bytes. */
uint16_t probe_cksum(const uint8_t *p, size_t len);

/* ---- the engine (probe_run.c) ---- */

/* I/O for the engine. Times are nanoseconds of a monotonic clock. */
struct probe_io {
	void	*ctx;
	int64_t	(*now)(void *ctx);
	/* Sends an echo request to dst (host order). 0, or a negative LL_E*
	 * (the probe then counts as unanswered). */
	int	(*send)(void *ctx, uint32_t dst, const uint8_t *pkt,
		    size_t len);
	/* Waits until a packet comes or the deadline passes (a deadline in
	 * the past: only a packet already there). Returns the packet's
	 * length (> 0) with the bytes in buf and its arrival time in *at
	 * (the kernel's, where it gives it: a reply waiting while the
	 * process was not running keeps its true time), 0 at the deadline,
	 * or a negative LL_E* (LL_EINTR when interrupted). */
	int	(*recv)(void *ctx, int64_t deadline, uint8_t *buf,
		    size_t cap, int64_t *at);
};

/* One block's outcome in a round. */
struct probe_result {
	const struct probe_block *block;
	enum probe_state state;
	double		 belief;
	unsigned	 sent, replies;
	double		 rtt_ms;	/* median of the replies; < 0: none */
};

/* Called at the end of each round with every block's outcome; start is
 * the round's wall-clock start (epoch seconds, a multiple of the round
 * length when it is whole seconds). A non-zero return stops the run. */
typedef int probe_round_fn(void *ctx, int64_t start,
    const struct probe_result *r, size_t n);

struct probe_opts {
	unsigned	 pps;		/* global cap, 1..PROBE_PPS_MAX */
	unsigned	 round_ms;	/* PROBE_ROUND_MS unless testing */
	unsigned	 timeout_ms;	/* PROBE_TIMEOUT_MS unless testing */
	unsigned	 rounds;	/* 0: until stopped */
	uint64_t	 seed;		/* order, identifier, cookie */
	volatile int	*stop;		/* set non-zero to stop (may be NULL) */
	/* Wall clock, epoch milliseconds (NULL: the system's). */
	int64_t		(*wall_ms)(void *ctx);
	probe_round_fn	*on_round;
	void		*ctx;
};

/* What a run did. */
struct probe_stats {
	uint64_t	 rounds, sent, replies, send_errors;
	uint64_t	 refused;	/* packets not sent: outside targets */
	uint64_t	 stray;		/* echo replies not ours, or late */
	uint64_t	 bad;		/* damaged packets */
};

/*
 * Runs the prober over set's blocks, refusing to send to any address
 * outside t, until o->rounds rounds are done or *o->stop is set (the round
 * under way is then dropped: half a round would report blocks not yet
 * probed). Returns 0, LL_EINVAL (bad
 * options, no target list, no block), LL_ENOMEM, an I/O error of io, or
 * on_round's value.
 */
int	probe_run(struct probe_set *set, const struct probe_targets *t,
	    const struct probe_io *io, const struct probe_opts *o,
	    struct probe_stats *st);

/* A raw ICMP socket (needs CAP_NET_RAW or root). Returns 0 and fills io
 * (free with probe_io_raw_close()), or LL_EIO with the reason in err. */
int	probe_io_raw_open(struct probe_io *io, char *err, size_t errlen);
void	probe_io_raw_close(struct probe_io *io);

/* ---- signal points (probe_points.c) ---- */

/* Entities of a round's points. */
#define PROBE_BY_BLOCK		0x1	/* prefix:A.B.C.0/24 */
#define PROBE_BY_ASN		0x2
#define PROBE_BY_COUNTRY	0x4

/* Called for each point: kind "probe", "probe.rtt" or "probe.loss". */
typedef int probe_point_fn(void *ctx, const char *kind, int64_t time,
    const char *entity, double value);

/*
 * Turns a round's outcome into points: per block, probe = 1 up, 0 down,
 * 0.5 uncertain; per AS and country (located with g, which may be NULL:
 * blocks only), probe = the blocks up, out of those tracked; everywhere
 * probe.rtt = the median RTT (ms) of the blocks that replied, and
 * probe.loss = unanswered probes / probes sent. Points come ordered by
 * kind, then entity type (asn, country, prefix), then number (AS, /24).
 * entity is valid during the call only. Memory: 36 bytes a block. Returns
 * 0, LL_ENOMEM, or fn's value.
 */
int	probe_points(const struct probe_result *r, size_t n, int64_t time,
	    struct geo *g, unsigned by, probe_point_fn *fn, void *ctx);

/* The kinds' units and descriptions, for store_kind_put(). */
extern const struct store_kind probe_kinds[3];

/*
 * Writes a round's points into st in one transaction (source
 * "agent:probe"), the kinds recorded with their units. Returns 0, or
 * LL_EDB / LL_ENOMEM / LL_EINVAL after rolling back.
 */
int	probe_store_round(struct store *st, const struct probe_result *r,
	    size_t n, int64_t time, struct geo *g, unsigned by);

#endif
