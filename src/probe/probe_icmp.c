/*
 * ICMP echo (RFC 792) for the prober: requests built here, and whatever a
 * raw socket reads parsed through the bounded reader. Anyone on the path
 * can send us packets, so every byte is hostile: the IPv4 header (RFC 791,
 * section 3.1) is checked before its lengths are used, the ICMP checksum
 * is verified, and only echo replies carrying our payload size are
 * accepted; matching a reply to an outstanding probe is the engine's work.
 */
#include <string.h>

#include "probe/probe.h"
#include "util/err.h"
#include "util/rd.h"

/* Payload: "LLpb", cookie, block, serial, 4 bytes of zero padding. */
#define PAYLOAD_LEN	(PROBE_ICMP_LEN - 8)
static const uint8_t magic[4] = { 'L', 'L', 'p', 'b' };

uint16_t
probe_cksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < len)
		sum += (uint32_t)p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

size_t
probe_icmp_request(const struct probe_echo *e, uint8_t *buf)
{
	memset(buf, 0, PROBE_ICMP_LEN);
	buf[0] = 8;			/* echo request */
	put16(buf + 4, e->id);
	put16(buf + 6, e->seq);
	memcpy(buf + 8, magic, sizeof(magic));
	put32(buf + 12, e->cookie);
	put32(buf + 16, e->block);
	put32(buf + 20, e->serial);
	put16(buf + 2, probe_cksum(buf, PROBE_ICMP_LEN));
	return PROBE_ICMP_LEN;
}

/* RFC 791 section 3.1: the header, its options skipped; *icmp gets the
 * datagram's payload, cut to its total length. */
static int
ip_header(struct rd *r, struct rd *icmp, uint32_t *src, const char **why)
{
	size_t all = rd_left(r);
	uint8_t vihl = rd_u8(r);
	size_t hl = (size_t)(vihl & 0x0f) * 4;

	rd_u8(r);					/* TOS */
	size_t total = rd_be16(r);
	rd_skip(r, 4);					/* id, fragment */
	rd_u8(r);					/* TTL */
	uint8_t proto = rd_u8(r);
	rd_skip(r, 2);					/* checksum */
	*src = rd_be32(r);
	rd_skip(r, 4);					/* destination */
	if (!rd_ok(r)) {
		*why = "shorter than an IPv4 header";
		return LL_ETRUNC;
	}
	if ((vihl >> 4) != 4) {
		*why = "IP version is not 4";
		return LL_EFORMAT;
	}
	if (hl < 20 || hl > all) {
		*why = "IPv4 header length out of range";
		return LL_EFORMAT;
	}
	/* Linux gives the total length as sent; a smaller one than the
	 * header, or one beyond the bytes read, is damage. */
	if (total < hl || total > all) {
		*why = "IPv4 total length out of range";
		return LL_EFORMAT;
	}
	if (proto != 1) {
		*why = "not ICMP";
		return LL_EFORMAT;
	}
	if (!rd_skip(r, hl - 20)) {			/* options */
		*why = "IPv4 options truncated";
		return LL_ETRUNC;
	}
	const uint8_t *p = rd_ptr(r, total - hl);
	if (p == NULL) {
		*why = "IPv4 payload truncated";
		return LL_ETRUNC;
	}
	*icmp = rd_make(p, total - hl);
	return 0;
}

int
probe_icmp_parse(const uint8_t *pkt, size_t len, struct probe_echo *e,
    const char **why)
{
	struct rd r = rd_make(pkt, len), ic;
	uint32_t src = 0;
	int rc;

	*why = "";
	memset(e, 0, sizeof(*e));
	if ((rc = ip_header(&r, &ic, &src, why)) != 0)
		return rc;
	const uint8_t *msg = ic.p;
	size_t mlen = rd_left(&ic);
	uint8_t type = rd_u8(&ic), code = rd_u8(&ic);
	rd_skip(&ic, 2);				/* checksum */
	uint16_t id = rd_be16(&ic), seq = rd_be16(&ic);
	if (!rd_ok(&ic)) {
		*why = "shorter than an ICMP header";
		return LL_ETRUNC;
	}
	if (probe_cksum(msg, mlen) != 0) {
		*why = "bad ICMP checksum";
		return LL_EFORMAT;
	}
	if (type != 0 || code != 0 || rd_left(&ic) != PAYLOAD_LEN)
		return LL_ENOTFOUND;			/* not an echo of ours */
	const uint8_t *m = rd_ptr(&ic, sizeof(magic));
	if (m == NULL || memcmp(m, magic, sizeof(magic)) != 0)
		return LL_ENOTFOUND;
	e->cookie = rd_be32(&ic);
	e->block = rd_be32(&ic);
	e->serial = rd_be32(&ic);
	rd_skip(&ic, 4);
	if (!rd_ok(&ic) || rd_left(&ic) != 0) {
		*why = "ICMP payload not consumed";	/* cannot happen */
		return LL_EFORMAT;
	}
	e->id = id;
	e->seq = seq;
	e->src = src;
	return 0;
}
