/*
 * Printers. MRT_FMT_BGPDUMP reproduces `bgpdump -m` (Debian 1.6.2) byte
 * for byte, quirks included, except where bgpdump is wrong; every such
 * deviation is listed in docs/mrt.md. MRT_FMT_JSONL writes one object per
 * route element, documented in docs/mrt.md.
 */
#include <stddef.h>
#include <stdlib.h>

#include "mrt/mrt_bd.h"
#include "mrt/mrt_out.h"
#include "mrt/mrt_print_multi.h"
#include "mrt/mrt.h"
#include "util/err.h"
#include "util/time.h"


struct mrt_printer {
	enum mrt_format	 fmt;
	mrt_elem_filter_fn *filter;	/* NULL: every element */
	void		*fctx;
	char		*label;		/* JSONL: ',"collector":...,"file":...' */
	size_t		 label_len;
	const struct mrt_record *rec;	/* being printed, for the filter */
	struct out	 o;
};

void
out_flush(struct out *o)
{
	if (o->n > 0 && fwrite(o->buf, 1, o->n, o->f) != o->n)
		o->err = true;
	o->n = 0;
}

int
mrt_printer_new(FILE *f, enum mrt_format fmt, struct mrt_printer **out)
{
	struct mrt_printer *p = malloc(sizeof(*p));

	if (p == NULL)
		return LL_ENOMEM;
	p->fmt = fmt;
	p->filter = NULL;
	p->fctx = NULL;
	p->label = NULL;
	p->label_len = 0;
	p->o.f = f;
	p->o.n = 0;
	p->o.err = false;
	*out = p;
	return 0;
}

int
mrt_printer_flush(struct mrt_printer *p)
{
	out_flush(&p->o);
	if (fflush(p->o.f) != 0)
		p->o.err = true;
	return p->o.err ? LL_EIO : 0;
}

void
mrt_printer_free(struct mrt_printer *p)
{
	if (p != NULL)
		free(p->label);
	free(p);
}

void
mrt_printer_filter(struct mrt_printer *p, mrt_elem_filter_fn *fn, void *ctx)
{
	p->filter = fn;
	p->fctx = ctx;
}

/* Appends s to buf (at *n, room for 6 bytes a byte of s) as the inside of
 * a JSON string. */
static void
js_esc_into(char *buf, size_t *n, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			buf[(*n)++] = '\\';
			buf[(*n)++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			memcpy(buf + *n, "\\u00", 4);
			buf[*n + 4] = hex[c >> 4];
			buf[*n + 5] = hex[c & 15];
			*n += 6;
		} else
			buf[(*n)++] = (char)c;
	}
}

int
mrt_printer_label(struct mrt_printer *p, const char *collector,
    const char *file)
{
	size_t cap, n = 0;
	char *b;

	free(p->label);
	p->label = NULL;
	p->label_len = 0;
	if (collector == NULL && file == NULL)
		return 0;
	collector = collector != NULL ? collector : "";
	file = file != NULL ? file : "";
	cap = 32 + 6 * (strlen(collector) + strlen(file));
	if (cap > OUT_SLACK / 2 || (b = malloc(cap)) == NULL)
		return LL_ENOMEM;
	memcpy(b, ",\"collector\":\"", 14);
	n = 14;
	js_esc_into(b, &n, collector);
	memcpy(b + n, "\",\"file\":\"", 10);
	n += 10;
	js_esc_into(b, &n, file);
	b[n++] = '"';
	p->label = b;
	p->label_len = n;
	return 0;
}


static void
put_aspath(struct out *o, const struct bgp_attrs *a)
{
	out_room(o, ASPATH_MAX + 16);
	if (a->seen & BGP_ATTR_BIT(BGP_ATTR_AS_PATH))
		o->n += fmt_aspath(&a->path, o->buf + o->n);
}

static void
put_origin(struct out *o, const struct bgp_attrs *a)
{
	if (!(a->seen & BGP_ATTR_BIT(BGP_ATTR_ORIGIN)) || a->origin > 1)
		OUT_LIT(o, "INCOMPLETE");
	else if (a->origin == 0)
		OUT_LIT(o, "IGP");
	else
		OUT_LIT(o, "EGP");
}

static void
put_time(struct out *o, const struct mrt_record *r)
{
	out_u(o, r->ts);
	if (r->type == MRT_T_BGP4MP_ET) {
		char tmp[8];
		uint32_t v = r->usec;
		out_c(o, '.');
		for (int i = 5; i >= 0; i--) {
			tmp[i] = (char)('0' + v % 10);
			v /= 10;
		}
		memcpy(o->buf + o->n, tmp, 6);
		o->n += 6;
	}
}

static void
put_head(struct out *o, const struct mrt_record *r, const char *kind,
    size_t kl)
{
	out_room(o, 512);
	if (r->type == MRT_T_BGP)
		OUT_LIT(o, "BGP");
	else {
		if (r->type == MRT_T_BGP4MP_ET)
			OUT_LIT(o, "BGP4MP_ET");
		else
			OUT_LIT(o, "BGP4MP");
		if (r->kind == MRT_K_MESSAGE && r->local)
			OUT_LIT(o, "_LOCAL");
		if (r->kind == MRT_K_MESSAGE && r->addpath)
			OUT_LIT(o, "_AP");
	}
	out_c(o, '|');
	put_time(o, r);
	out_c(o, '|');
	out_s(o, kind, kl);
	out_c(o, '|');
}

static void
put_peer(struct out *o, const struct mrt_peer *p)
{
	bd_addr(o, p->addr.af ? &p->addr : &(struct net_addr){ NET_AF4, {0} });
	out_c(o, '|');
	out_u(o, p->asn);
	out_c(o, '|');
}

/* "AG|" or "NAG|", then the aggregator and "|". */
static void
put_tail(struct out *o, const struct bgp_attrs *a)
{
	static const uint8_t none[4] = { 255, 255, 255, 255 };

	if (a->seen & BGP_ATTR_BIT(BGP_ATTR_ATOMIC_AGGREGATE))
		OUT_LIT(o, "AG|");
	else
		OUT_LIT(o, "NAG|");
	if ((a->seen & BGP_ATTR_BIT(BGP_ATTR_AGGREGATOR)) &&
	    memcmp(a->aggregator_addr.a, none, 4) != 0) {
		out_u(o, a->aggregator_as);
		out_c(o, ' ');
		bd_addr(o, &a->aggregator_addr);
	}
	OUT_LIT(o, "|\n");
}

static void
put_nh4(struct out *o, const struct bgp_attrs *a)
{
	static const struct net_addr none = { NET_AF4, { 255, 255, 255, 255 } };

	bd_addr(o, a->seen & BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP) ? &a->nexthop :
	    &none);
}

static void
put_pref_med(struct out *o, const struct bgp_attrs *a, bool as_signed)
{
	uint32_t lp = a->seen & BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF) ?
	    a->local_pref : 0;
	uint32_t med = a->seen & BGP_ATTR_BIT(BGP_ATTR_MED) ? a->med : 0;

	out_c(o, '|');
	if (as_signed)
		out_i(o, (int32_t)lp);
	else
		out_u(o, lp);
	out_c(o, '|');
	if (as_signed)
		out_i(o, (int32_t)med);
	else
		out_u(o, med);
	out_c(o, '|');
}

static void
put_comm_field(struct out *o, const struct bgp_attrs *a)
{
	if (a->seen & BGP_ATTR_BIT(BGP_ATTR_COMMUNITIES))
		put_communities(o, a);
	out_c(o, '|');
}

static void
put_nlri(struct out *o, const struct mrt_record *r, const struct bgp_nlri *n)
{
	bd_prefix(o, &n->pfx);
	if (r->addpath) {
		out_c(o, '|');
		out_u(o, n->path_id);
	}
}


/*
 * Every prefix of one message shares its line's head (type, time, peer)
 * and tail (path, attributes): the first line is rendered in full and the
 * others reuse its parts, so an UPDATE with 500 prefixes formats its AS path
 * and communities once, as bgpdump's text would be the same 500 times.
 */
typedef void line_fn(struct out *o, const struct mrt_record *r,
    const struct bgp_nlri *n, size_t *mark_head, size_t *mark_tail);

static void
bd_lines(struct out *o, const struct mrt_record *r,
    const struct bgp_nlri_list *l, line_fn *line)
{
	size_t start, h, t, hl, tl;

	if (l->n == 0)
		return;
	if (o->n > OUT_BUF - 2 * OUT_LINE_MAX)
		out_flush(o);		/* the first line must not move */
	start = o->n;
	line(o, r, &l->v[0], &h, &t);
	hl = h - start;
	tl = o->n - t;
	if (l->n == 1 || hl > sizeof(o->head) || tl > sizeof(o->tail)) {
		for (uint32_t i = 1; i < l->n; i++)
			line(o, r, &l->v[i], &h, &t);
		return;
	}
	memcpy(o->head, o->buf + start, hl);
	memcpy(o->tail, o->buf + t, tl);
	for (uint32_t i = 1; i < l->n; i++) {
		out_room(o, hl + tl + 64);
		memcpy(o->buf + o->n, o->head, hl);
		o->n += hl;
		put_nlri(o, r, &l->v[i]);
		memcpy(o->buf + o->n, o->tail, tl);
		o->n += tl;
	}
}

/* bgpdump's table_line_withdraw/withdraw6. */
static void
withdraw_line(struct out *o, const struct mrt_record *r,
    const struct bgp_nlri *n, size_t *h, size_t *t)
{
	put_head(o, r, "W", 1);
	put_peer(o, &r->peer);
	*h = o->n;
	put_nlri(o, r, n);
	*t = o->n;
	out_c(o, '\n');
}

static void
bd_withdraw(struct out *o, const struct mrt_record *r,
    const struct bgp_nlri_list *l)
{
	if (!bgp_family_ip(l->afi, l->safi))
		return;
	bd_lines(o, r, l, withdraw_line);
}

/* Classic IPv4 NLRI: table_line_announce (and the deprecated BGP type's
 * mrtd_table_line_announce, whose community field has no separator). */
static void
announce_line(struct out *o, const struct mrt_record *r,
    const struct bgp_nlri *n, size_t *h, size_t *t)
{
	const struct bgp_attrs *a = &r->update.attrs;

	put_head(o, r, "A", 1);
	put_peer(o, &r->peer);
	*h = o->n;
	put_nlri(o, r, n);
	*t = o->n;
	out_c(o, '|');
	put_aspath(o, a);
	out_c(o, '|');
	put_origin(o, a);
	out_c(o, '|');
	put_nh4(o, a);
	put_pref_med(o, a, false);
	if (r->type == MRT_T_BGP)
		o->n--;		/* bgpdump: med and communities touch */
	put_comm_field(o, a);
	put_tail(o, a);
}

static void
bd_announce(struct out *o, const struct mrt_record *r)
{
	bd_lines(o, r, &r->update.announced, announce_line);
}

/* MP_REACH NLRI: table_line_announce_1 (IPv4) and table_line_announce6
 * (IPv6), with their quirks: the next-hop block is printed only for next
 * hops of 4, 16 or 32 octets; IPv4's LOCAL_PREF and MED as signed. */
static void
announce_mp_line(struct out *o, const struct mrt_record *r,
    const struct bgp_nlri *n, size_t *h, size_t *t)
{
	const struct bgp_attrs *a = &r->update.attrs;
	bool v6 = a->mp_reach.afi == BGP_AFI_IPV6;

	put_head(o, r, "A", 1);
	put_peer(o, &r->peer);
	*h = o->n;
	put_nlri(o, r, n);
	*t = o->n;
	out_c(o, '|');
	if (!v6) {
		put_aspath(o, a);
		out_c(o, '|');
		put_origin(o, a);
		out_c(o, '|');
	}
	if (a->mp_nexthop.af != 0) {
		if (v6) {
			put_aspath(o, a);
			out_c(o, '|');
			put_origin(o, a);
			out_c(o, '|');
		}
		bd_addr(o, &a->mp_nexthop);
		put_pref_med(o, a, !v6);
	}
	put_comm_field(o, a);
	put_tail(o, a);
}

static void
bd_announce_mp(struct out *o, const struct mrt_record *r)
{
	const struct bgp_nlri_list *l = &r->update.attrs.mp_reach;

	if (!bgp_family_ip(l->afi, l->safi))
		return;
	bd_lines(o, r, l, announce_mp_line);
}

/* table_line_mrtd_route (TABLE_DUMP) and table_line_dump_v2_prefix. */
static void
bd_rib_entry(struct out *o, const struct mrt_record *r,
    const struct mrt_rib_entry *e)
{
	const struct bgp_attrs *a = &e->attrs;

	out_room(o, 512);
	if (r->type == MRT_T_TABLE_DUMP)
		OUT_LIT(o, "TABLE_DUMP|");
	else if (r->type == MRT_T_BGP4MP || r->type == MRT_T_BGP4MP_ET)
		OUT_LIT(o, "BGP4MP_ENTRY|");
	else if (r->addpath)
		OUT_LIT(o, "TABLE_DUMP2_AP|");
	else
		OUT_LIT(o, "TABLE_DUMP2|");
	out_u(o, r->ts);
	OUT_LIT(o, "|B|");
	put_peer(o, e->peer);
	bd_prefix(o, &e->prefix);
	if (r->addpath) {
		out_c(o, '|');
		out_u(o, e->path_id);
	}
	out_c(o, '|');
	put_aspath(o, a);
	out_c(o, '|');
	put_origin(o, a);
	out_c(o, '|');
	if ((a->seen & BGP_ATTR_BIT(BGP_ATTR_MP_REACH_NLRI)) &&
	    a->mp_nexthop.af != 0)
		bd_addr(o, &a->mp_nexthop);
	else
		put_nh4(o, a);
	put_pref_med(o, a, false);
	put_comm_field(o, a);
	put_tail(o, a);
}

static void
bd_rib(struct out *o, const struct mrt_record *r)
{
	for (uint32_t i = 0; i < r->n_entries; i++)
		bd_rib_entry(o, r, &r->entries[i]);
}

static void
bd_state(struct out *o, const struct mrt_record *r)
{
	out_room(o, 256);
	if (r->type == MRT_T_BGP)
		OUT_LIT(o, "BGP|");
	else if (r->type == MRT_T_BGP4MP_ET)
		OUT_LIT(o, "BGP4MP_ET|");
	else
		OUT_LIT(o, "BGP4MP|");
	put_time(o, r);
	OUT_LIT(o, "|STATE|");
	put_peer(o, &r->peer);
	out_u(o, r->old_state);
	out_c(o, '|');
	out_u(o, r->new_state);
	out_c(o, '\n');
}

static void
print_bgpdump(struct out *o, const struct mrt_record *r)
{
	const struct bgp_attrs *a = &r->update.attrs;

	switch (r->kind) {
	case MRT_K_RIB:
		bd_rib(o, r);
		break;
	case MRT_K_STATE:
		bd_state(o, r);
		break;
	case MRT_K_MESSAGE:
		bd_withdraw(o, r, &r->update.withdrawn);
		bd_withdraw(o, r, &a->mp_unreach);
		bd_announce(o, r);
		if (r->type != MRT_T_BGP)
			bd_announce_mp(o, r);
		break;
	default:
		break;
	}
}

/* True when n is one of the list's. */
static bool
in_list(const struct bgp_nlri_list *l, const struct bgp_nlri *n)
{
	return l->n > 0 && n >= l->v && n < l->v + l->n;
}

/* One element's bgpdump line, for a filtered dump: the line the whole
 * record's printing would give it. */
static int
bd_elem(void *ctx, const struct mrt_elem *e)
{
	struct mrt_printer *p = ctx;
	const struct mrt_record *r = p->rec;
	size_t h, t;

	if (!p->filter(p->fctx, r, e))
		return 0;
	switch (e->type) {
	case MRT_ELEM_STATE:
		bd_state(&p->o, r);
		break;
	case MRT_ELEM_RIB:
		bd_rib_entry(&p->o, r, (const struct mrt_rib_entry *)(const
		    void *)((const char *)e->attrs -
		    offsetof(struct mrt_rib_entry, attrs)));
		break;
	case MRT_ELEM_WITHDRAW:
		out_room(&p->o, 2 * OUT_LINE_MAX);
		withdraw_line(&p->o, r, e->nlri, &h, &t);
		break;
	case MRT_ELEM_ANNOUNCE:
		out_room(&p->o, 2 * OUT_LINE_MAX);
		if (in_list(&r->update.announced, e->nlri))
			announce_line(&p->o, r, e->nlri, &h, &t);
		else if (r->type != MRT_T_BGP)
			announce_mp_line(&p->o, r, e->nlri, &h, &t);
		break;
	}
	return 0;
}

/* ---- JSON lines ---- */

static void
js_str(struct out *o, const char *k, const char *v)
{
	out_c(o, '"');
	out_s(o, k, strlen(k));
	OUT_LIT(o, "\":\"");
	out_s(o, v, strlen(v));
	out_c(o, '"');
}

static void
js_u(struct out *o, const char *k, uint64_t v)
{
	out_c(o, '"');
	out_s(o, k, strlen(k));
	OUT_LIT(o, "\":");
	out_u(o, v);
}

/* "communities" and "large_communities", up to the last array's "]". */
static void
js_communities(struct out *o, const struct bgp_attrs *a)
{
	OUT_LIT(o, ",\"communities\":[");
	for (uint32_t i = 0; i < a->n_communities; i++) {
		uint32_t c = rd32(a->communities + 4 * i);
		out_room(o, 32);
		if (i)
			out_c(o, ',');
		out_c(o, '"');
		out_u(o, c >> 16);
		out_c(o, ':');
		out_u(o, c & 0xffff);
		out_c(o, '"');
	}
	OUT_LIT(o, "],\"large_communities\":[");
	for (uint32_t i = 0; i < a->n_large_communities; i++) {
		const uint8_t *lc = a->large_communities + 12 * i;
		out_room(o, 48);
		if (i)
			out_c(o, ',');
		out_c(o, '"');
		out_u(o, rd32(lc));
		out_c(o, ':');
		out_u(o, rd32(lc + 4));
		out_c(o, ':');
		out_u(o, rd32(lc + 8));
		out_c(o, '"');
	}
}

/* The end of an object: the labels, if any, and the brace. */
static void
js_end(struct mrt_printer *p)
{
	if (p->label_len > 0)
		out_s(&p->o, p->label, p->label_len);
	OUT_LIT(&p->o, "}\n");
}

static int
js_elem(void *ctx, const struct mrt_elem *e)
{
	struct mrt_printer *p = ctx;
	struct out *o = &p->o;

	if (p->filter != NULL && !p->filter(p->fctx, p->rec, e))
		return 0;
	char t[LL_ISO8601_LEN], b[NET_PREFIX_STRLEN];
	const char *ty = e->type == MRT_ELEM_RIB ? "R" :
	    e->type == MRT_ELEM_ANNOUNCE ? "A" :
	    e->type == MRT_ELEM_WITHDRAW ? "W" : "S";

	out_room(o, 1024);
	out_c(o, '{');
	js_str(o, "type", ty);
	out_c(o, ',');
	js_str(o, "time", ll_time_fmt(e->ts, t, sizeof(t)));
	out_c(o, ',');
	js_u(o, "ts", e->ts);
	out_c(o, ',');
	js_u(o, "usec", e->usec);
	out_c(o, ',');
	net_addr_fmt(&e->peer->addr, b);
	js_str(o, "peer_ip", e->peer->addr.af ? b : "0.0.0.0");
	out_c(o, ',');
	js_u(o, "peer_asn", e->peer->asn);
	if (e->type == MRT_ELEM_STATE) {
		out_c(o, ',');
		js_u(o, "old_state", e->old_state);
		out_c(o, ',');
		js_u(o, "new_state", e->new_state);
		js_end(p);
		return 0;
	}
	out_c(o, ',');
	net_prefix_fmt(&e->nlri->pfx, b);
	js_str(o, "prefix", b);
	out_c(o, ',');
	js_u(o, "path_id", e->nlri->path_id);
	if (e->attrs == NULL) {
		js_end(p);
		return 0;
	}
	const struct bgp_attrs *a = e->attrs;
	OUT_LIT(o, ",\"as_path\":\"");
	put_aspath(o, a);
	OUT_LIT(o, "\",");
	js_u(o, "origin_asn", bgp_path_origin(&a->path));
	OUT_LIT(o, ",\"origin\":\"");
	put_origin(o, a);
	OUT_LIT(o, "\",");
	if (e->nexthop != NULL && e->nexthop->af != 0)
		net_addr_fmt(e->nexthop, b);
	else
		b[0] = '\0';
	js_str(o, "next_hop", b);
	if (a->seen & BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF)) {
		out_c(o, ',');
		js_u(o, "local_pref", a->local_pref);
	}
	if (a->seen & BGP_ATTR_BIT(BGP_ATTR_MED)) {
		out_c(o, ',');
		js_u(o, "med", a->med);
	}
	js_communities(o, a);
	OUT_LIT(o, "],\"atomic_aggregate\":");
	if (a->seen & BGP_ATTR_BIT(BGP_ATTR_ATOMIC_AGGREGATE))
		OUT_LIT(o, "true");
	else
		OUT_LIT(o, "false");
	if (a->seen & BGP_ATTR_BIT(BGP_ATTR_AGGREGATOR)) {
		OUT_LIT(o, ",\"aggregator_asn\":");
		out_u(o, a->aggregator_as);
		OUT_LIT(o, ",\"aggregator_ip\":\"");
		out_addr(o, &a->aggregator_addr);
		out_c(o, '"');
	}
	js_end(p);
	return 0;
}

/* An element of the record passes the filter: stop looking. */
static int
any_elem(void *ctx, const struct mrt_elem *e)
{
	struct mrt_printer *p = ctx;

	return p->filter(p->fctx, p->rec, e) ? 1 : 0;
}

int
mrt_printer_put(struct mrt_printer *p, const struct mrt_record *rec)
{
	p->rec = rec;
	if (p->fmt == MRT_FMT_BGPDUMP_MULTI) {
		/* Whole records: with a filter, those with an element that
		 * passes it. */
		if (p->filter == NULL || mrt_record_elems(rec, any_elem, p) > 0)
			mrt_print_multi(&p->o, rec);
	} else if (p->fmt == MRT_FMT_BGPDUMP && p->filter == NULL)
		print_bgpdump(&p->o, rec);
	else if (p->fmt == MRT_FMT_BGPDUMP)
		mrt_record_elems(rec, bd_elem, p);
	else
		mrt_record_elems(rec, js_elem, p);
	return p->o.err ? LL_EIO : 0;
}
