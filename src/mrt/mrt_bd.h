/*
 * Private to src/mrt: the pieces of bgpdump's text that its one-line (-m)
 * and multi-line (-H) forms share, reproduced byte for byte (addresses,
 * AS paths, communities). Static inline, so that the -m printer's hot
 * loop keeps them inlined.
 */
#ifndef LL_MRT_MRT_BD_H
#define LL_MRT_MRT_BD_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "bgp/bgp.h"
#include "mrt/mrt_out.h"
#include "net/net.h"

#define ASPATH_MAX	8000	/* bgpdump's MAX_ASPATH_LEN */
#define COMM_MAX	8191	/* bgpdump's BUFSIZ - 1 */

/*
 * bgpdump formats IPv6 with its own fmt_ipv6(): "::ffff:a.b.c.d" for
 * v4-mapped and "::a.b.c.d" for v4-compatible addresses, and the longest
 * run of zero groups compressed to "::" even when it is a single group
 * (inet_ntop follows RFC 5952 and does not). Reproduced for byte-exact
 * output; the JSONL printer uses inet_ntop.
 */
static inline size_t
bd_ipv6(const uint8_t *a, char *buf)
{
	static const char hex[] = "0123456789abcdef";
	uint16_t g[8];
	int zr[8], best = -1, bestlen = 0, run = 0;
	size_t n = 0;
	bool zero96 = true;

	for (int i = 0; i < 12; i++)
		zero96 = zero96 && a[i] == 0;
	uint32_t v4 = (uint32_t)a[12] << 24 | (uint32_t)a[13] << 16 |
	    (uint32_t)a[14] << 8 | a[15];
	bool mapped = a[10] == 0xff && a[11] == 0xff;
	for (int i = 0; i < 10; i++)
		mapped = mapped && a[i] == 0;
	if (mapped || (zero96 && v4 > 1)) {
		struct net_addr x = { NET_AF4, { a[12], a[13], a[14], a[15] } };
		memcpy(buf, mapped ? "::ffff:" : "::", mapped ? 7 : 2);
		n = mapped ? 7 : 2;
		return n + net_addr_fmt(&x, buf + n);
	}
	for (int i = 0; i < 8; i++)
		g[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
	for (int i = 7; i >= 0; i--) {
		run = g[i] == 0 ? run + 1 : 0;
		zr[i] = run;
	}
	for (int i = 0; i < 8; i++)
		if (zr[i] > bestlen) {
			best = i;
			bestlen = zr[i];
		}
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			if (i == 0)
				buf[n++] = ':';
			buf[n++] = ':';
			i += bestlen - 1;
			continue;
		}
		bool lead = true;
		for (int sh = 12; sh >= 0; sh -= 4) {
			unsigned d = (g[i] >> sh) & 0xf;
			if (lead && d == 0 && sh > 0)
				continue;
			lead = false;
			buf[n++] = hex[d];
		}
		if (i != 7)
			buf[n++] = ':';
	}
	buf[n] = '\0';
	return n;
}

static inline void
bd_addr(struct out *o, const struct net_addr *a)
{
	if (a->af == NET_AF6)
		o->n += bd_ipv6(a->a, o->buf + o->n);
	else
		out_addr(o, a);
}

static inline void
bd_prefix(struct out *o, const struct net_prefix *p)
{
	if (p->af == NET_AF6) {
		o->n += bd_ipv6(p->a, o->buf + o->n);
		out_c(o, '/');
		out_u(o, p->len);
	} else
		out_prefix(o, p);
}

/* bgpdump's process_attr_aspath_string(), reproduced: delimiters, the
 * carried-over space, and truncation with "..." near 8000 characters. */
static inline size_t
fmt_aspath(const struct bgp_aspath *p, char *s)
{
	static const char start[] = { 0, '{', ' ', '(', '[' };
	static const char end[] = { 0, '}', ' ', ')', ']' };
	uint8_t type = BGP_SEG_SEQUENCE;
	bool space = false;
	size_t pos = 0;

	for (unsigned i = 0; i < p->nseg; i++) {
		const struct bgp_asseg *g = &p->seg[i];
		if (type != BGP_SEG_SEQUENCE)
			s[pos++] = end[type];
		if (space)
			s[pos++] = ' ';
		if (g->type != BGP_SEG_SEQUENCE)
			s[pos++] = start[g->type];
		space = false;
		for (unsigned j = 0; j < g->n; j++) {
			if (space)
				s[pos++] = g->type == BGP_SEG_SET ||
				    g->type == BGP_SEG_CONFED_SET ? ',' : ' ';
			else
				space = true;
			char tmp[12];
			size_t k = sizeof(tmp);
			uint32_t v = g->asn[j];
			do {
				tmp[--k] = (char)('0' + v % 10);
				v /= 10;
			} while (v);
			memcpy(s + pos, tmp + k, sizeof(tmp) - k);
			pos += sizeof(tmp) - k;
			if (pos > ASPATH_MAX - 100) {
				memcpy(s + pos, "...", 3);
				return pos + 3;
			}
		}
		type = g->type;
	}
	if (p->nseg > 0 && p->seg[p->nseg - 1].type != BGP_SEG_SEQUENCE)
		s[pos++] = end[p->seg[p->nseg - 1].type];
	return pos;
}


static inline uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static inline size_t
fmt_u16(char *b, unsigned v)
{
	char tmp[8];
	size_t i = sizeof(tmp), n;

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	n = sizeof(tmp) - i;
	memcpy(b, tmp + i, n);
	return n;
}

/* bgpdump's community string without its leading space, cut at BUFSIZ.
 * Formatted by hand: snprintf here cost more than all the rest. */
static inline void
put_communities(struct out *o, const struct bgp_attrs *a)
{
	char tmp[24];
	size_t start, len = 0;

	out_room(o, COMM_MAX + 16);
	start = o->n;
	for (uint32_t i = 0; i < a->n_communities; i++) {
		uint32_t c = rd32(a->communities + 4 * i);
		size_t n;
		if (c == 0xFFFFFF01u) {
			memcpy(tmp, " no-export", 10);
			n = 10;
		} else if (c == 0xFFFFFF02u) {
			memcpy(tmp, " no-advertise", 13);
			n = 13;
		} else if (c == 0xFFFFFF03u) {
			memcpy(tmp, " local-AS", 9);
			n = 9;
		} else {
			tmp[0] = ' ';
			n = 1 + fmt_u16(tmp + 1, c >> 16);
			tmp[n++] = ':';
			n += fmt_u16(tmp + n, c & 0xffff);
		}
		if (len + n > COMM_MAX)
			n = COMM_MAX - len;
		memcpy(o->buf + start + len, tmp, n);
		len += n;
	}
	if (len > 0) {
		memmove(o->buf + start, o->buf + start + 1, len - 1);
		o->n = start + len - 1;
	}
}

#endif
