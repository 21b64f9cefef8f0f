/* Private to src/mrt: a buffered writer for the printers. stdio's printf
 * costs most of bgpdump's time; numbers and addresses are formatted by
 * hand into a large buffer flushed with fwrite(). */
#ifndef LL_MRT_MRT_OUT_H
#define LL_MRT_MRT_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "net/net.h"

#define OUT_BUF		(256 * 1024)
#define OUT_SLACK	(16 * 1024)	/* room one field may need */

#define OUT_LINE_MAX	(20 * 1024)	/* a bgpdump line's head or tail */

struct out {
	FILE	*f;
	size_t	 n;
	bool	 err;
	char	 buf[OUT_BUF + OUT_SLACK];
	char	 head[512];		/* line parts shared by the prefixes */
	char	 tail[OUT_LINE_MAX];	/* of one message (bgpdump printer) */
};

void	out_flush(struct out *o);

static inline void
out_room(struct out *o, size_t need)
{
	if (o->n + need > OUT_BUF + OUT_SLACK || o->n >= OUT_BUF)
		out_flush(o);
}

static inline void
out_c(struct out *o, char c)
{
	o->buf[o->n++] = c;
}

static inline void
out_s(struct out *o, const char *s, size_t len)
{
	if (len > OUT_SLACK) {
		out_flush(o);
		if (fwrite(s, 1, len, o->f) != len)
			o->err = true;
		return;
	}
	out_room(o, len);
	memcpy(o->buf + o->n, s, len);
	o->n += len;
}

#define OUT_LIT(o, lit)	out_s((o), (lit), sizeof(lit) - 1)

static inline void
out_u(struct out *o, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	memcpy(o->buf + o->n, tmp + i, sizeof(tmp) - i);
	o->n += sizeof(tmp) - i;
}

static inline void
out_i(struct out *o, int64_t v)
{
	if (v < 0) {
		out_c(o, '-');
		out_u(o, (uint64_t)(-(v + 1)) + 1);
	} else
		out_u(o, (uint64_t)v);
}

static inline void
out_addr(struct out *o, const struct net_addr *a)
{
	o->n += net_addr_fmt(a, o->buf + o->n);
}

static inline void
out_prefix(struct out *o, const struct net_prefix *p)
{
	o->n += net_prefix_fmt(p, o->buf + o->n);
}

#endif
