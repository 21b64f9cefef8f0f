/*
 * The MRT writer (RFC 6396) and the BGP UPDATE encoder (RFC 4271 4.3,
 * RFC 4760), gzip-compressed through zlib. Records are built in one
 * buffer and handed to zlib in batches.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "sim/sim_int.h"
#include "util/err.h"

#define FLUSH_AT	(256 * 1024)

/* RFC 4271 4.3 path attribute flags and type codes. */
#define AF_OPTIONAL	0x80
#define AF_TRANSITIVE	0x40
#define AF_EXTLEN	0x10
#define AT_ORIGIN	1
#define AT_AS_PATH	2
#define AT_NEXT_HOP	3
#define AT_COMMUNITIES	8
#define AT_MP_REACH	14
#define AT_MP_UNREACH	15
#define AS_SEQUENCE	2

#define BGP_HDRLEN	19	/* marker, length, type (RFC 4271 4.1) */
#define BGP_UPDATE	2

struct sim_mrt {
	gzFile		gz;
	struct sim_buf	buf;
	size_t		rec_at;		/* offset of the open record */
	size_t		count_at;	/* RIB entry count field */
	unsigned	entries;
	uint64_t	records;
	uint64_t	bytes;		/* flushed to zlib */
	int		err;
};

void
sim_buf_init(struct sim_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
sim_buf_fini(struct sim_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static bool
buf_grow(struct sim_buf *b, size_t n)
{
	size_t cap;
	uint8_t *np;

	if (b->oom)
		return false;
	if (b->cap - b->len >= n)
		return true;
	cap = b->cap ? b->cap : 4096;
	while (cap - b->len < n)
		cap *= 2;
	np = realloc(b->p, cap);
	if (np == NULL) {
		b->oom = true;
		return false;
	}
	b->p = np;
	b->cap = cap;
	return true;
}

void
sim_put(struct sim_buf *b, const void *p, size_t n)
{
	if (n == 0 || !buf_grow(b, n))
		return;
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

void
sim_put8(struct sim_buf *b, unsigned v)
{
	uint8_t c = (uint8_t)v;

	sim_put(b, &c, 1);
}

void
sim_put16(struct sim_buf *b, unsigned v)
{
	uint8_t c[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	sim_put(b, c, 2);
}

void
sim_put32(struct sim_buf *b, uint32_t v)
{
	uint8_t c[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	sim_put(b, c, 4);
}

void
sim_fill16(struct sim_buf *b, size_t at, unsigned v)
{
	if (b->oom || at + 2 > b->len)
		return;
	b->p[at] = (uint8_t)(v >> 8);
	b->p[at + 1] = (uint8_t)v;
}

void
sim_fill32(struct sim_buf *b, size_t at, uint32_t v)
{
	if (b->oom || at + 4 > b->len)
		return;
	for (int i = 0; i < 4; i++)
		b->p[at + (size_t)i] = (uint8_t)(v >> (24 - 8 * i));
}

size_t
sim_prefix_size(const struct net_prefix *p)
{
	return 1 + ((size_t)p->len + 7) / 8;
}

void
sim_put_prefix(struct sim_buf *b, const struct net_prefix *p)
{
	sim_put8(b, p->len);
	sim_put(b, p->a, ((size_t)p->len + 7) / 8);
}

/* Attribute header with the extended length flag when the value needs
 * it (RFC 4271 4.3). */
static void
attr_head(struct sim_buf *b, unsigned flags, unsigned type, size_t vlen)
{
	if (vlen > 255) {
		sim_put8(b, flags | AF_EXTLEN);
		sim_put8(b, type);
		sim_put16(b, (unsigned)vlen);
	} else {
		sim_put8(b, flags);
		sim_put8(b, type);
		sim_put8(b, (unsigned)vlen);
	}
}

static size_t
nlri_size(const struct net_prefix *p, size_t n)
{
	size_t s = 0;

	for (size_t i = 0; i < n; i++)
		s += sim_prefix_size(&p[i]);
	return s;
}

static void
attr_mp_reach(struct sim_buf *b, const struct sim_route *r, bool rib,
    const struct net_prefix *nlri, size_t n)
{
	size_t i;

	if (rib) {
		/* RFC 6396 4.3.4: next hop length and next hop only. */
		attr_head(b, AF_OPTIONAL, AT_MP_REACH, 17);
		sim_put8(b, 16);
		sim_put(b, r->nh->a, 16);
		return;
	}
	/* RFC 4760 3: AFI, SAFI, next hop, reserved octet, NLRI. */
	attr_head(b, AF_OPTIONAL, AT_MP_REACH, 5 + 16 + nlri_size(nlri, n));
	sim_put16(b, 2);
	sim_put8(b, 1);
	sim_put8(b, 16);
	sim_put(b, r->nh->a, 16);
	sim_put8(b, 0);
	for (i = 0; i < n; i++)
		sim_put_prefix(b, &nlri[i]);
}

void
sim_attrs(struct sim_buf *b, const struct sim_route *r, bool rib,
    const struct net_prefix *nlri, size_t n)
{
	unsigned i;

	attr_head(b, AF_TRANSITIVE, AT_ORIGIN, 1);
	sim_put8(b, r->origin);
	/* One AS_SEQUENCE of 4-octet ASNs (RFC 6396 4.3.4, RFC 6793). */
	attr_head(b, AF_TRANSITIVE, AT_AS_PATH, 2 + 4 * (size_t)r->path_len);
	sim_put8(b, AS_SEQUENCE);
	sim_put8(b, r->path_len);
	for (i = 0; i < r->path_len; i++)
		sim_put32(b, r->path[i]);
	if (r->nh->af == NET_AF4) {
		attr_head(b, AF_TRANSITIVE, AT_NEXT_HOP, 4);
		sim_put(b, r->nh->a, 4);
	}
	if (r->ncomms > 0) {
		attr_head(b, AF_OPTIONAL | AF_TRANSITIVE, AT_COMMUNITIES,
		    4 * (size_t)r->ncomms);
		for (i = 0; i < r->ncomms; i++)
			sim_put32(b, r->comms[i]);
	}
	if (r->nh->af == NET_AF6)
		attr_mp_reach(b, r, rib, nlri, n);
}

int
sim_mrt_open(const char *path, int level, struct sim_mrt **out)
{
	struct sim_mrt *w;
	char mode[4] = { 'w', 'b', '6', '\0' };

	*out = NULL;
	if (level >= 1 && level <= 9)
		mode[2] = (char)('0' + level);
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return LL_ENOMEM;
	w->gz = gzopen(path, mode);
	if (w->gz == NULL) {
		free(w);
		return LL_EIO;
	}
	gzbuffer(w->gz, 128 * 1024);
	sim_buf_init(&w->buf);
	*out = w;
	return 0;
}

static void
flush(struct sim_mrt *w)
{
	if (w->buf.oom && w->err == 0)
		w->err = LL_ENOMEM;
	if (w->err == 0 && w->buf.len > 0 &&
	    gzwrite(w->gz, w->buf.p, (unsigned)w->buf.len) !=
	    (int)w->buf.len)
		w->err = LL_EIO;
	w->bytes += w->buf.len;
	w->buf.len = 0;
}

int
sim_mrt_close(struct sim_mrt *w)
{
	int rc;

	if (w == NULL)
		return 0;
	flush(w);
	if (gzclose(w->gz) != Z_OK && w->err == 0)
		w->err = LL_EIO;
	rc = w->err;
	sim_buf_fini(&w->buf);
	free(w);
	return rc;
}

uint64_t
sim_mrt_records(const struct sim_mrt *w)
{
	return w->records;
}

/* RFC 6396 2: timestamp, type, subtype, length (patched by rec_end). */
static void
rec_begin(struct sim_mrt *w, uint32_t time, unsigned type, unsigned sub)
{
	w->rec_at = w->buf.len;
	sim_put32(&w->buf, time);
	sim_put16(&w->buf, type);
	sim_put16(&w->buf, sub);
	sim_put32(&w->buf, 0);
}

static int
rec_end(struct sim_mrt *w)
{
	sim_fill32(&w->buf, w->rec_at + 8,
	    (uint32_t)(w->buf.len - w->rec_at - 12));
	w->records++;
	if (w->buf.oom || w->buf.len >= FLUSH_AT)
		flush(w);
	return w->err;
}

static size_t
addr_len(const struct net_addr *a)
{
	return a->af == NET_AF6 ? 16 : 4;
}

int
sim_mrt_peer_index(struct sim_mrt *w, uint32_t time, uint32_t collector_id,
    const char *view, const struct sim_peer *peers, size_t n)
{
	size_t vlen = strlen(view);

	rec_begin(w, time, SIM_MRT_TABLE_DUMP_V2, SIM_TD2_PEER_INDEX_TABLE);
	sim_put32(&w->buf, collector_id);
	sim_put16(&w->buf, (unsigned)vlen);
	sim_put(&w->buf, view, vlen);
	sim_put16(&w->buf, (unsigned)n);
	for (size_t i = 0; i < n; i++) {
		/* Peer type: bit 0 IPv6 address, bit 1 4-octet AS. */
		sim_put8(&w->buf, peers[i].addr.af == NET_AF6 ? 0x03 : 0x02);
		sim_put32(&w->buf, peers[i].bgp_id);
		sim_put(&w->buf, peers[i].addr.a, addr_len(&peers[i].addr));
		sim_put32(&w->buf, peers[i].asn);
	}
	return rec_end(w);
}

int
sim_mrt_rib_begin(struct sim_mrt *w, uint32_t time, uint32_t seq,
    const struct net_prefix *p)
{
	rec_begin(w, time, SIM_MRT_TABLE_DUMP_V2, p->af == NET_AF6 ?
	    SIM_TD2_RIB_IPV6_UNICAST : SIM_TD2_RIB_IPV4_UNICAST);
	sim_put32(&w->buf, seq);
	sim_put_prefix(&w->buf, p);
	w->count_at = w->buf.len;
	w->entries = 0;
	sim_put16(&w->buf, 0);
	return w->err;
}

int
sim_mrt_rib_entry(struct sim_mrt *w, uint16_t peer_index, uint32_t originated,
    const struct sim_route *r)
{
	size_t at;

	sim_put16(&w->buf, peer_index);
	sim_put32(&w->buf, originated);
	at = w->buf.len;
	sim_put16(&w->buf, 0);
	sim_attrs(&w->buf, r, true, NULL, 0);
	sim_fill16(&w->buf, at, (unsigned)(w->buf.len - at - 2));
	w->entries++;
	return w->buf.oom ? LL_ENOMEM : w->err;
}

int
sim_mrt_rib_end(struct sim_mrt *w)
{
	sim_fill16(&w->buf, w->count_at, w->entries);
	return rec_end(w);
}

/* RFC 6396 4.4.3/4.4.4 common part: ASes, interface, AFI, addresses. */
static void
bgp4mp_begin(struct sim_mrt *w, uint32_t time, unsigned sub,
    const struct sim_peer *peer, const struct sim_local *local)
{
	const struct net_addr *la = peer->addr.af == NET_AF6 ?
	    &local->addr6 : &local->addr4;

	rec_begin(w, time, SIM_MRT_BGP4MP, sub);
	sim_put32(&w->buf, peer->asn);
	sim_put32(&w->buf, local->asn);
	sim_put16(&w->buf, 0);
	sim_put16(&w->buf, peer->addr.af == NET_AF6 ? 2 : 1);
	sim_put(&w->buf, peer->addr.a, addr_len(&peer->addr));
	sim_put(&w->buf, la->a, addr_len(la));
}

/* RFC 4271 4.1 header; returns the offset of the length field. */
static size_t
bgp_begin(struct sim_buf *b)
{
	static const uint8_t marker[16] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};
	size_t at;

	sim_put(b, marker, sizeof(marker));
	at = b->len;
	sim_put16(b, 0);
	sim_put8(b, BGP_UPDATE);
	return at;
}

/* How many prefixes from pfx fit in room octets (at least one). */
static size_t
fit(const struct net_prefix *pfx, size_t n, size_t room)
{
	size_t k = 0, used = 0;

	while (k < n && used + sim_prefix_size(&pfx[k]) <= room)
		used += sim_prefix_size(&pfx[k++]);
	return k > 0 ? k : 1;
}

static int
update(struct sim_mrt *w, uint32_t time, const struct sim_peer *peer,
    const struct sim_local *local, const struct sim_route *r,
    const struct net_prefix *pfx, size_t n)
{
	size_t len_at, wd_at, attr_at, i;
	bool v6 = pfx[0].af == NET_AF6;

	bgp4mp_begin(w, time, SIM_BGP4MP_MESSAGE_AS4, peer, local);
	len_at = bgp_begin(&w->buf);
	wd_at = w->buf.len;
	sim_put16(&w->buf, 0);
	if (r == NULL && !v6) {
		for (i = 0; i < n; i++)
			sim_put_prefix(&w->buf, &pfx[i]);
		sim_fill16(&w->buf, wd_at, (unsigned)(w->buf.len - wd_at - 2));
	}
	attr_at = w->buf.len;
	sim_put16(&w->buf, 0);
	if (r != NULL) {
		sim_attrs(&w->buf, r, false, pfx, n);
	} else if (v6) {
		attr_head(&w->buf, AF_OPTIONAL, AT_MP_UNREACH,
		    3 + nlri_size(pfx, n));
		sim_put16(&w->buf, 2);
		sim_put8(&w->buf, 1);
		for (i = 0; i < n; i++)
			sim_put_prefix(&w->buf, &pfx[i]);
	}
	sim_fill16(&w->buf, attr_at, (unsigned)(w->buf.len - attr_at - 2));
	if (r != NULL && !v6)
		for (i = 0; i < n; i++)
			sim_put_prefix(&w->buf, &pfx[i]);
	sim_fill16(&w->buf, len_at, (unsigned)(w->buf.len - len_at + 16));
	return rec_end(w);
}

/* The octets of an UPDATE that do not depend on the prefixes. */
static size_t
fixed_size(const struct sim_route *r, bool v6)
{
	size_t s = BGP_HDRLEN + 2 + 2;

	if (r == NULL)
		return s + (v6 ? 4 + 3 : 0);
	s += 4 + 4 + 2 + 4 * (size_t)r->path_len;	/* ORIGIN, AS_PATH */
	s += r->ncomms ? 4 + 4 * (size_t)r->ncomms : 0;
	s += v6 ? 4 + 5 + 16 : 3 + 4;			/* MP_REACH/NH */
	return s;
}

static int
update_all(struct sim_mrt *w, uint32_t time, const struct sim_peer *peer,
    const struct sim_local *local, const struct sim_route *r,
    const struct net_prefix *pfx, size_t n)
{
	size_t room, k;
	int rc = 0;

	if (n == 0)
		return w->err;
	room = SIM_BGP_MAXLEN - fixed_size(r, pfx[0].af == NET_AF6);
	while (n > 0 && rc == 0) {
		k = fit(pfx, n, room);
		rc = update(w, time, peer, local, r, pfx, k);
		pfx += k;
		n -= k;
	}
	return rc;
}

int
sim_mrt_announce(struct sim_mrt *w, uint32_t time, const struct sim_peer *peer,
    const struct sim_local *local, const struct sim_route *r,
    const struct net_prefix *pfx, size_t n)
{
	if (r == NULL)
		return LL_EINVAL;
	return update_all(w, time, peer, local, r, pfx, n);
}

int
sim_mrt_withdraw(struct sim_mrt *w, uint32_t time, const struct sim_peer *peer,
    const struct sim_local *local, const struct net_prefix *pfx, size_t n)
{
	return update_all(w, time, peer, local, NULL, pfx, n);
}

int
sim_mrt_state(struct sim_mrt *w, uint32_t time, const struct sim_peer *peer,
    const struct sim_local *local, unsigned old_state, unsigned new_state)
{
	bgp4mp_begin(w, time, SIM_BGP4MP_STATE_CHANGE_AS4, peer, local);
	sim_put16(&w->buf, old_state);
	sim_put16(&w->buf, new_state);
	return rec_end(w);
}

uint64_t
sim_mrt_bytes(const struct sim_mrt *w)
{
	return w->bytes + w->buf.len;
}
