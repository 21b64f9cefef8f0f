/*
 * BMP messages (RFC 7854 section 4), one session's stream at a time.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmp/bmp.h"
#include "bgp/bgp.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/rd.h"

#define BMP_MAX_PEERS	4096	/* per session */
#define BMP_ARENA_CAP	(64u << 20)

struct bmp_peer {
	struct mrt_peer	p;
	uint64_t	dist;
	uint8_t		addpath;	/* fam_bit() of each family whose
					   NLRI carry path ids (RFC 7911) */
};

struct bmp_decoder {
	uint64_t	 offset;	/* of the next message */
	struct arena	 arena;
	struct bmp_msg	 msg;
	struct bmp_peer	*peer;
	struct mrt_peer	*view;		/* bmp_decoder_peers() */
	size_t		 npeer, cap;
};

int
bmp_decoder_new(struct bmp_decoder **out)
{
	struct bmp_decoder *d = calloc(1, sizeof(*d));

	*out = NULL;
	if (d == NULL)
		return LL_ENOMEM;
	arena_init(&d->arena, BMP_ARENA_CAP);
	*out = d;
	return 0;
}

void
bmp_decoder_free(struct bmp_decoder *d)
{
	if (d == NULL)
		return;
	arena_fini(&d->arena);
	free(d->peer);
	free(d->view);
	free(d);
}

const char *
bmp_type_name(uint8_t type)
{
	static const char *const names[] = {
		"Route Monitoring", "Statistics Report", "Peer Down",
		"Peer Up", "Initiation", "Termination", "Route Mirroring",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] :
	    "unknown";
}

__attribute__((format(printf, 4, 5)))
static int
fail(struct bmp_error *e, uint64_t off, int code, const char *fmt, ...)
{
	va_list ap;

	e->offset = off;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->what, sizeof(e->what), fmt, ap);
	va_end(ap);
	return code;
}

int
bmp_frame(const struct bmp_decoder *d, const uint8_t *buf, size_t len,
    uint32_t *msglen, struct bmp_error *err)
{
	struct rd r = rd_make(buf, len);

	*msglen = 0;
	if (len < BMP_COMMON_LEN)
		return 0;
	uint8_t ver = rd_u8(&r);
	uint32_t n = rd_be32(&r);
	if (ver != BMP_VERSION)
		return fail(err, d->offset, LL_EFORMAT, "BMP version %u, not "
		    "3 (RFC 7854 4.1)", ver);
	if (n < BMP_COMMON_LEN)
		return fail(err, d->offset + 1, LL_EFORMAT, "message length "
		    "%u is shorter than the common header (RFC 7854 4.1)", n);
	if (n > BMP_MAX_MSG)
		return fail(err, d->offset + 1, LL_ELIMIT, "message length "
		    "%u is over the cap of %u", n, BMP_MAX_MSG);
	*msglen = n;
	return 0;
}

/* The peer of the per-peer header in m, or NULL. */
static struct bmp_peer *
peer_find(struct bmp_decoder *d, const struct bmp_msg *m)
{
	for (size_t i = 0; i < d->npeer; i++)
		if (d->peer[i].dist == m->distinguisher &&
		    memcmp(&d->peer[i].p.addr, &m->rec.peer.addr,
		    sizeof(struct net_addr)) == 0)
			return &d->peer[i];
	return NULL;
}

static int
peer_add(struct bmp_decoder *d, const struct bmp_msg *m,
    struct bmp_peer **out)
{
	if ((*out = peer_find(d, m)) != NULL)
		return 0;
	if (d->npeer == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct bmp_peer *np;
		struct mrt_peer *nv;

		if (d->npeer >= BMP_MAX_PEERS)
			return LL_ELIMIT;
		if ((np = realloc(d->peer, cap * sizeof(*np))) == NULL)
			return LL_ENOMEM;
		d->peer = np;
		if ((nv = realloc(d->view, cap * sizeof(*nv))) == NULL)
			return LL_ENOMEM;
		d->view = nv;
		d->cap = cap;
	}
	*out = &d->peer[d->npeer++];
	memset(*out, 0, sizeof(**out));
	(*out)->p = m->rec.peer;
	(*out)->dist = m->distinguisher;
	return 0;
}

static void
peer_del(struct bmp_decoder *d, const struct bmp_msg *m)
{
	struct bmp_peer *p = peer_find(d, m);

	if (p != NULL)
		*p = d->peer[--d->npeer];
}

const struct mrt_peer *
bmp_decoder_peers(const struct bmp_decoder *d, size_t *n)
{
	for (size_t i = 0; i < d->npeer; i++)
		d->view[i] = d->peer[i].p;
	*n = d->npeer;
	return d->view;
}

/* The per-peer header, RFC 7854 section 4.2. */
static int
peer_header(struct rd *r, struct bmp_msg *m, struct bmp_error *e,
    uint64_t base)
{
	uint8_t a[16];

	m->peer_type = rd_u8(r);
	m->peer_flags = rd_u8(r);
	m->distinguisher = (uint64_t)rd_be32(r) << 32;
	m->distinguisher |= rd_be32(r);
	rd_copy(r, a, sizeof(a));
	m->rec.peer.asn = rd_be32(r);
	m->rec.peer.bgp_id.af = NET_AF4;
	rd_copy(r, m->rec.peer.bgp_id.a, 4);
	m->rec.ts = rd_be32(r);
	m->rec.usec = rd_be32(r);
	if (!rd_ok(r))
		return fail(e, base + rd_off(r), LL_ETRUNC, "%s: the per-peer "
		    "header is cut short (RFC 7854 4.2)",
		    bmp_type_name(m->type));
	if (m->rec.usec > 999999)
		return fail(e, base + BMP_COMMON_LEN + 38, LL_EFORMAT,
		    "%s: microseconds %u out of range (RFC 7854 4.2)",
		    bmp_type_name(m->type), m->rec.usec);
	m->has_peer = true;
	m->rec.as4 = (m->peer_flags & BMP_PF_A) == 0;
	if (m->peer_flags & BMP_PF_V) {
		m->rec.peer.addr.af = NET_AF6;
		memcpy(m->rec.peer.addr.a, a, 16);
	} else {
		m->rec.peer.addr.af = NET_AF4;
		memcpy(m->rec.peer.addr.a, a + 12, 4);
	}
	return 0;
}

/* Information TLVs (RFC 7854 4.4): each must fit. Copies the sysName
 * (type 2) of an Initiation and the reason (type 1) of a Termination. */
static int
tlvs(struct rd *r, struct bmp_msg *m, struct bmp_error *e, uint64_t base)
{
	while (rd_left(r) > 0) {
		size_t at = rd_off(r);
		uint16_t t = rd_be16(r);
		uint16_t n = rd_be16(r);
		struct rd v = rd_sub(r, n);

		if (!rd_ok(r) || !rd_ok(&v))
			return fail(e, base + at, LL_ETRUNC, "%s: information "
			    "TLV %u of length %u past the end of the message "
			    "(RFC 7854 4.4)", bmp_type_name(m->type), t, n);
		if (m->type == BMP_T_INITIATION && t == 2) {
			size_t k = n < sizeof(m->sys_name) - 1 ? n :
			    sizeof(m->sys_name) - 1;
			memcpy(m->sys_name, v.p, k);
			m->sys_name[k] = '\0';
		}
		if (m->type == BMP_T_TERMINATION && t == 1 && n == 2)
			m->term_reason = rd_be16(&v);
	}
	return 0;
}

/* Reads a BGP message's header at r (RFC 4271 4.1) and splits the whole
 * message off as *msg; checks the type. */
static int
bgp_pdu(struct rd *r, uint8_t want, struct rd *msg, struct bmp_msg *m,
    struct bmp_error *e, uint64_t base)
{
	size_t at = rd_off(r);
	struct rd h = *r;

	rd_skip(&h, BGP_MARKER_LEN);
	uint16_t n = rd_be16(&h);
	uint8_t t = rd_u8(&h);
	if (!rd_ok(&h) || n < BGP_HEADER_LEN)
		return fail(e, base + at, LL_ETRUNC, "%s: BGP message header "
		    "cut short or length %u too small (RFC 4271 4.1)",
		    bmp_type_name(m->type), n);
	if (t != want)
		return fail(e, base + at + 18, LL_EFORMAT, "%s: BGP message "
		    "of type %u where type %u belongs (RFC 7854 4.%d)",
		    bmp_type_name(m->type), t, want,
		    m->type == BMP_T_PEER_UP ? 10 : 6);
	*msg = rd_sub(r, n);
	if (!rd_ok(msg))
		return fail(e, base + at + 16, LL_ETRUNC, "%s: BGP message "
		    "length %u past the end of the message",
		    bmp_type_name(m->type), n);
	return 0;
}

/* A bit for each IP family: IPv4/IPv6, unicast/multicast (the deprecated
 * SAFI 3 counts as unicast); 0 for any other. */
static uint8_t
fam_bit(uint16_t afi, uint8_t safi)
{
	if (!bgp_family_ip(afi, safi))
		return 0;
	return (uint8_t)(1u << ((afi == BGP_AFI_IPV6 ? 2 : 0) +
	    (safi == BGP_SAFI_MULTICAST ? 1 : 0)));
}

/* The ADD-PATH capability (RFC 7911 4) in an OPEN's optional parameters
 * (RFC 5492, RFC 9072's extended length): fam_bit() of each family whose
 * send/receive field has bit `want` (1 receive, 2 send). */
static uint8_t
open_addpath(struct rd o, uint8_t want)
{
	uint8_t fams = 0;

	rd_skip(&o, BGP_HEADER_LEN + 1 + 2 + 2 + 4);
	size_t plen = rd_u8(&o);
	bool ext = false;
	if (plen == 255 && rd_left(&o) > 0 && o.p[0] == 255) {
		rd_u8(&o);
		plen = rd_be16(&o);
		ext = true;
	}
	struct rd ps = rd_sub(&o, plen);
	while (rd_ok(&ps) && rd_left(&ps) > 0) {
		uint8_t pt = rd_u8(&ps);
		size_t pl = ext ? rd_be16(&ps) : rd_u8(&ps);
		struct rd caps = rd_sub(&ps, pl);
		while (pt == 2 && rd_ok(&caps) && rd_left(&caps) > 0) {
			uint8_t code = rd_u8(&caps);
			struct rd c = rd_sub(&caps, rd_u8(&caps));
			while (code == 69 && rd_ok(&c) && rd_left(&c) >= 4) {
				uint16_t afi = rd_be16(&c);
				uint8_t safi = rd_u8(&c), sr = rd_u8(&c);
				if (sr & want)
					fams |= fam_bit(afi, safi);
			}
		}
	}
	return fams;
}

/* The family of an UPDATE's MP_REACH_NLRI or MP_UNREACH_NLRI (fam_bit(),
 * 0 when none or unreadable: the decoder reports what is wrong), and
 * whether it has classic IPv4 unicast routes (RFC 4271 4.3). */
static uint8_t
update_family(struct rd u, bool *classic)
{
	rd_skip(&u, BGP_HEADER_LEN);
	uint16_t wlen = rd_be16(&u);
	rd_skip(&u, wlen);
	uint16_t alen = rd_be16(&u);
	struct rd at = rd_sub(&u, alen);
	*classic = wlen > 0 || (rd_ok(&u) && rd_left(&u) > 0);
	while (rd_ok(&at) && rd_left(&at) > 0) {
		uint8_t flags = rd_u8(&at), type = rd_u8(&at);
		size_t n = (flags & BGP_ATTR_FLAG_EXTLEN) ? rd_be16(&at) :
		    rd_u8(&at);
		struct rd v = rd_sub(&at, n);
		if (type == BGP_ATTR_MP_REACH_NLRI ||
		    type == BGP_ATTR_MP_UNREACH_NLRI) {
			uint16_t afi = rd_be16(&v);
			uint8_t safi = rd_u8(&v);
			return rd_ok(&v) ? fam_bit(afi, safi) : 0;
		}
	}
	return 0;
}

/* Peer Up, RFC 7854 4.10: local address and ports, the OPEN sent and the
 * one received, then information TLVs. */
static int
peer_up(struct bmp_decoder *d, struct rd *r, struct bmp_msg *m,
    struct bmp_error *e, uint64_t base)
{
	struct rd sent, recv;
	struct bmp_peer *p;
	uint8_t a[16];
	int rc;

	rd_copy(r, a, sizeof(a));
	rd_skip(r, 4);
	if (!rd_ok(r))
		return fail(e, base + rd_off(r), LL_ETRUNC, "Peer Up: local "
		    "address and ports cut short (RFC 7854 4.10)");
	m->rec.local_addr.af = (m->peer_flags & BMP_PF_V) ? NET_AF6 : NET_AF4;
	memcpy(m->rec.local_addr.a, (m->peer_flags & BMP_PF_V) ? a : a + 12,
	    (m->peer_flags & BMP_PF_V) ? 16 : 4);
	if ((rc = bgp_pdu(r, BGP_MSG_OPEN, &sent, m, e, base)) != 0 ||
	    (rc = bgp_pdu(r, BGP_MSG_OPEN, &recv, m, e, base)) != 0)
		return rc;
	if ((rc = tlvs(r, m, e, base)) != 0)
		return rc;
	if ((rc = peer_add(d, m, &p)) != 0)
		return fail(e, base, rc, "Peer Up: %s", rc == LL_ELIMIT ?
		    "more than 4096 peers in one session" : "out of memory");
	/* The peer sends path ids where it may send and we receive. */
	p->addpath = open_addpath(recv, 2) & open_addpath(sent, 1);
	m->rec.kind = MRT_K_STATE;
	m->rec.old_state = BMP_STATE_IDLE;
	m->rec.new_state = BMP_STATE_ESTABLISHED;
	return 0;
}

/* Peer Down, RFC 7854 4.9: a reason and its data. */
static int
peer_down(struct bmp_decoder *d, struct rd *r, struct bmp_msg *m,
    struct bmp_error *e, uint64_t base)
{
	struct rd pdu;
	int rc;

	m->down_reason = rd_u8(r);
	if (!rd_ok(r))
		return fail(e, base + rd_off(r), LL_ETRUNC, "Peer Down: no "
		    "reason (RFC 7854 4.9)");
	switch (m->down_reason) {
	case 1: case 3:
		if ((rc = bgp_pdu(r, BGP_MSG_NOTIFICATION, &pdu, m, e,
		    base)) != 0)
			return rc;
		break;
	case 2:
		rd_be16(r);
		break;
	case 4: case 5:
		break;
	default:
		return fail(e, base + rd_off(r) - 1, LL_EFORMAT, "Peer Down: "
		    "unknown reason %u (RFC 7854 4.9)", m->down_reason);
	}
	if (!rd_ok(r))
		return fail(e, base + rd_off(r), LL_ETRUNC, "Peer Down: FSM "
		    "event code cut short (RFC 7854 4.9)");
	rd_skip(r, rd_left(r));		/* reason 5 may carry TLVs */
	peer_del(d, m);
	m->rec.kind = MRT_K_STATE;
	m->rec.old_state = BMP_STATE_ESTABLISHED;
	m->rec.new_state = BMP_STATE_IDLE;
	return 0;
}

/* Route Monitoring, RFC 7854 4.6: one BGP UPDATE. */
static int
route_mon(struct bmp_decoder *d, struct rd *r, struct bmp_msg *m,
    struct bmp_error *e, uint64_t base)
{
	struct bgp_ctx ctx = { .as4 = m->rec.as4, .arena = &d->arena };
	struct bmp_peer *p = peer_find(d, m);
	struct bgp_diag diag;
	struct rd pdu;
	int rc;

	if ((rc = bgp_pdu(r, BGP_MSG_UPDATE, &pdu, m, e, base)) != 0)
		return rc;
	if (rd_left(r) != 0)
		return fail(e, base + rd_off(r), LL_EFORMAT, "Route "
		    "Monitoring: %zu octets after the UPDATE (RFC 7854 4.6)",
		    rd_left(r));
	if (p == NULL && (rc = peer_add(d, m, &p)) != 0)
		return fail(e, base, rc, "Route Monitoring: %s",
		    rc == LL_ELIMIT ? "more than 4096 peers in one session" :
		    "out of memory");
	bool classic;
	uint8_t v4u = fam_bit(BGP_AFI_IPV4, BGP_SAFI_UNICAST);
	uint8_t fam = update_family(pdu, &classic);
	ctx.addpath = (p->addpath & (fam != 0 ? fam : v4u)) != 0;
	if (fam != 0 && classic && ctx.addpath != ((p->addpath & v4u) != 0))
		return fail(e, base + rd_off(&pdu), LL_EUNSUP, "Route "
		    "Monitoring: an UPDATE with IPv4 unicast routes and "
		    "routes of a family whose ADD-PATH differs (RFC 7911 3)");
	m->rec.addpath = ctx.addpath;
	rc = bgp_decode_message(pdu.p, pdu.len, &ctx, &m->rec.msg_type,
	    &m->rec.update, &diag);
	if (rc != 0)
		return fail(e, base + (size_t)(pdu.p - pdu.start) + diag.off,
		    rc, "Route Monitoring: %s", diag.msg);
	m->rec.kind = MRT_K_MESSAGE;
	return 0;
}

/* Statistics Report, RFC 7854 4.8: a count, then that many counters. */
static int
stats(struct rd *r, struct bmp_msg *m, struct bmp_error *e, uint64_t base)
{
	m->n_stats = rd_be32(r);
	for (uint32_t i = 0; i < m->n_stats; i++) {
		size_t at = rd_off(r);
		uint16_t t = rd_be16(r);
		uint16_t n = rd_be16(r);
		struct rd v = rd_sub(r, n);
		if (!rd_ok(r) || !rd_ok(&v))
			return fail(e, base + at, LL_ETRUNC, "Statistics "
			    "Report: counter %u of %u (type %u, length %u) "
			    "past the end (RFC 7854 4.8)", i + 1, m->n_stats,
			    t, n);
	}
	if (!rd_ok(r) || rd_left(r) != 0)
		return fail(e, base + rd_off(r), LL_EFORMAT, "Statistics "
		    "Report: %zu octets after the %u counters (RFC 7854 4.8)",
		    rd_left(r), m->n_stats);
	return 0;
}

static int
body(struct bmp_decoder *d, struct rd *r, struct bmp_msg *m,
    struct bmp_error *e, uint64_t base)
{
	int rc;

	if (m->type <= BMP_T_PEER_UP || m->type == BMP_T_ROUTE_MIRRORING) {
		if ((rc = peer_header(r, m, e, base)) != 0)
			return rc;
		if (m->peer_type == BMP_PEER_LOC_RIB ||
		    m->peer_type > BMP_PEER_LOC_RIB) {
			rd_skip(r, rd_left(r));	/* RFC 9069, or newer */
			return 0;
		}
	}
	switch (m->type) {
	case BMP_T_ROUTE_MONITORING: return route_mon(d, r, m, e, base);
	case BMP_T_STATS: return stats(r, m, e, base);
	case BMP_T_PEER_DOWN: return peer_down(d, r, m, e, base);
	case BMP_T_PEER_UP: return peer_up(d, r, m, e, base);
	case BMP_T_INITIATION:
	case BMP_T_TERMINATION:
	case BMP_T_ROUTE_MIRRORING:
		/* Route Mirroring's TLVs (RFC 7854 4.7) are checked the
		 * same way, and skipped. */
		return tlvs(r, m, e, base);
	default:
		return fail(e, base + 5, LL_EFORMAT, "unknown message type "
		    "%u (RFC 7854 4.1)", m->type);
	}
}

int
bmp_decode(struct bmp_decoder *d, const uint8_t *buf, size_t len,
    const struct bmp_msg **out, struct bmp_error *err)
{
	struct bmp_msg *m = &d->msg;
	struct rd r = rd_make(buf, len);
	uint64_t base = d->offset;
	uint32_t n;
	int rc;

	*out = NULL;
	arena_reset(&d->arena);
	if ((rc = bmp_frame(d, buf, len, &n, err)) != 0)
		return rc;
	if (n != len || len < BMP_COMMON_LEN)
		return fail(err, base + 1, LL_ETRUNC, "message length %u, "
		    "but %zu octets are there (RFC 7854 4.1)", n, len);
	memset(m, 0, sizeof(*m));
	m->offset = base;
	m->len = n;
	m->term_reason = 0xffff;
	rd_skip(&r, 5);
	m->type = rd_u8(&r);
	m->rec.offset = base;
	m->rec.kind = MRT_K_OTHER;
	if ((rc = body(d, &r, m, err, base)) != 0)
		return rc;
	d->offset += len;
	*out = m;
	return 0;
}
