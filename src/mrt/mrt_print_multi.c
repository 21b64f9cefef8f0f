/*
 * bgpdump's multi-line text, its default output and the one its -H asks
 * for: a block of "NAME: value" lines per record, then an empty line.
 * Reproduced byte for byte against Debian's bgpdump 1.6.2 (bgpdump.c's
 * process() and show_attr()), quirks included; docs/mrt.md lists where we
 * differ. The attributes bgpdump shows but the decoder does not keep
 * (ORIGINATOR_ID, CLUSTER_LIST, unknown ones, the MP_REACH header) are
 * read again from the attribute block the decoder validated.
 */
#include <time.h>

#include "mrt/mrt_bd.h"
#include "mrt/mrt_out.h"
#include "mrt/mrt_print_multi.h"
#include "util/rd.h"

#define LINE_ROOM	1024	/* one short line */

static void
two(struct out *o, int v)
{
	out_c(o, (char)('0' + v / 10 % 10));
	out_c(o, (char)('0' + v % 10));
}

/* bgpdump's time2str(): "%02d/%02d/%02d %02d:%02d:%02d", month first. */
static void
hm_date(struct out *o, uint32_t ts)
{
	time_t t = (time_t)ts;
	struct tm tm;

	out_room(o, 64);
	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	two(o, tm.tm_mon + 1);
	out_c(o, '/');
	two(o, tm.tm_mday);
	out_c(o, '/');
	two(o, tm.tm_year % 100);
	out_c(o, ' ');
	two(o, tm.tm_hour);
	out_c(o, ':');
	two(o, tm.tm_min);
	out_c(o, ':');
	two(o, tm.tm_sec);
}

static void
hm_time_line(struct out *o, const struct mrt_record *r)
{
	OUT_LIT(o, "TIME: ");
	hm_date(o, r->ts);
	if (r->type == MRT_T_BGP4MP_ET) {
		char tmp[6];
		uint32_t v = r->usec;
		for (int i = 5; i >= 0; i--) {
			tmp[i] = (char)('0' + v % 10);
			v /= 10;
		}
		out_c(o, '.');
		out_s(o, tmp, sizeof(tmp));
	}
	out_c(o, '\n');
}

static bool
addr_zero(const struct net_addr *a)
{
	static const uint8_t z[4];

	return a->af != NET_AF6 && memcmp(a->a, z, 4) == 0;
}

/* " a.b.c.d " or " N/A " (an IPv4 0.0.0.0), then "AS<n>\n". */
static void
hm_who(struct out *o, const char *what, size_t wl, const struct net_addr *a,
    uint32_t asn)
{
	out_room(o, LINE_ROOM);
	out_s(o, what, wl);
	if (addr_zero(a))
		OUT_LIT(o, " N/A ");
	else {
		out_c(o, ' ');
		bd_addr(o, a);
		out_c(o, ' ');
	}
	OUT_LIT(o, "AS");
	out_u(o, asn);
	out_c(o, '\n');
}

static void
hm_addr4(struct out *o, const uint8_t *p)
{
	struct net_addr a = { NET_AF4, { p[0], p[1], p[2], p[3] } };

	bd_addr(o, &a);
}

/* The first attribute of type t in the block, or NULL. */
static const uint8_t *
attr_find(const struct bgp_attrs *a, unsigned t, size_t *len)
{
	struct rd r = rd_make(a->raw, a->raw_len);

	while (a->raw != NULL && rd_left(&r) > 0) {
		unsigned flags = rd_u8(&r), type = rd_u8(&r);
		size_t n = flags & BGP_ATTR_FLAG_EXTLEN ? rd_be16(&r) : rd_u8(&r);
		const uint8_t *v = rd_ptr(&r, n);
		if (!rd_ok(&r))
			return NULL;
		if (type == t) {
			*len = n;
			return v;
		}
	}
	return NULL;
}

static bool
attr_known(unsigned t)
{
	return (t >= BGP_ATTR_ORIGIN && t <= BGP_ATTR_CLUSTER_LIST) ||
	    t == BGP_ATTR_MP_REACH_NLRI || t == BGP_ATTR_MP_UNREACH_NLRI ||
	    t == BGP_ATTR_AS4_PATH || t == BGP_ATTR_AS4_AGGREGATOR ||
	    t == BGP_ATTR_LARGE_COMMUNITIES;
}

/* "   UNKNOWN_ATTR(flags, type, length): xx xx ..." for each attribute
 * bgpdump does not decode, in the order they came. */
static void
hm_unknown(struct out *o, const struct bgp_attrs *a)
{
	static const char hex[] = "0123456789abcdef";
	struct rd r = rd_make(a->raw, a->raw_len);

	while (a->raw != NULL && rd_left(&r) > 0) {
		unsigned flags = rd_u8(&r), type = rd_u8(&r);
		size_t n = flags & BGP_ATTR_FLAG_EXTLEN ? rd_be16(&r) : rd_u8(&r);
		const uint8_t *v = rd_ptr(&r, n);
		if (!rd_ok(&r))
			return;
		if (attr_known(type))
			continue;
		out_room(o, LINE_ROOM);
		OUT_LIT(o, "   UNKNOWN_ATTR(");
		out_u(o, flags);
		OUT_LIT(o, ", ");
		out_u(o, type);
		OUT_LIT(o, ", ");
		out_u(o, n);
		OUT_LIT(o, "):");
		for (size_t i = 0; i < n; i++) {
			out_room(o, 8);
			out_c(o, ' ');
			out_c(o, hex[v[i] >> 4]);
			out_c(o, hex[v[i] & 15]);
		}
		out_c(o, '\n');
	}
}

/* bgpdump keeps MP lists only for AFI 1-2 and SAFI 1-3. */
static bool
mp_known(unsigned afi, unsigned safi)
{
	return afi >= BGP_AFI_IPV4 && afi <= BGP_AFI_IPV6 &&
	    safi >= BGP_SAFI_UNICAST && safi <= BGP_SAFI_BOTH;
}

static void
hm_family(struct out *o, unsigned afi, unsigned safi)
{
	static const char *const name[] = { "Unicast", "Multicast",
	    "Both unicast and multicast" };

	OUT_LIT(o, "(IPv");
	out_c(o, afi == BGP_AFI_IPV6 ? '6' : '4');
	out_c(o, ' ');
	out_s(o, name[safi - 1], strlen(name[safi - 1]));
	OUT_LIT(o, ")\n");
}

static void
hm_nexthop(struct out *o, const uint8_t *p)
{
	struct net_addr a = { NET_AF6, { 0 } };

	memcpy(a.a, p, 16);
	OUT_LIT(o, "NEXT_HOP: ");
	bd_addr(o, &a);
	out_c(o, '\n');
}

/* MP_REACH_NLRI's header as bgpdump's process_mp_announce() reads it: a
 * first octet other than 0 is the next-hop length of an MRT RIB entry's
 * abbreviated form (taken as IPv6 unicast). */
static void
hm_mp_reach(struct out *o, const uint8_t *v, size_t n)
{
	unsigned afi = BGP_AFI_IPV6, safi = BGP_SAFI_UNICAST, nhl = 0;
	const uint8_t *nh = NULL;

	OUT_LIT(o, "MP_REACH_NLRI");
	if (n > 0 && v[0] != 0) {
		nhl = v[0];
		nh = v + 1;
		n -= 1;
	} else if (n >= 4) {
		afi = (unsigned)v[0] << 8 | v[1];
		safi = v[2];
		nhl = v[3];
		nh = v + 4;
		n -= 4;
	} else
		return;
	if (!mp_known(afi, safi))
		return;
	hm_family(o, afi, safi);
	if (nhl > n)
		return;
	if (nhl == 4) {
		OUT_LIT(o, "NEXT_HOP: ");
		hm_addr4(o, nh);
		out_c(o, '\n');
	} else if (nhl == 16 || nhl == 32) {
		hm_nexthop(o, nh);
		if (nhl == 32)
			hm_nexthop(o, nh + 16);
	}
}

static void
hm_mp_unreach(struct out *o, const uint8_t *v, size_t n)
{
	OUT_LIT(o, "MP_UNREACH_NLRI");
	if (n >= 3 && mp_known((unsigned)v[0] << 8 | v[1], v[2]))
		hm_family(o, (unsigned)v[0] << 8 | v[1], v[2]);
}

static void
hm_large(struct out *o, const struct bgp_attrs *a)
{
	size_t len = 0;

	OUT_LIT(o, "LARGE_COMMUNITY:");
	for (uint32_t i = 0; i < a->n_large_communities; i++) {
		const uint8_t *c = a->large_communities + 12 * i;
		char tmp[40];
		size_t k = 0;
		for (int j = 0; j < 3; j++) {
			uint32_t x = rd32(c + 4 * j);
			char d[12];
			size_t m = sizeof(d);
			tmp[k++] = j == 0 ? ' ' : ':';
			do {
				d[--m] = (char)('0' + x % 10);
				x /= 10;
			} while (x);
			memcpy(tmp + k, d + m, sizeof(d) - m);
			k += sizeof(d) - m;
		}
		if (len + k > COMM_MAX)		/* bgpdump's BUFSIZ */
			k = COMM_MAX - len;
		out_room(o, 64);
		out_s(o, tmp, k);
		len += k;
	}
	out_c(o, '\n');
}

static void
hm_cluster(struct out *o, const struct bgp_attrs *a)
{
	size_t n;
	const uint8_t *v = attr_find(a, BGP_ATTR_CLUSTER_LIST, &n);

	OUT_LIT(o, "CLUSTER_LIST: ");
	for (size_t i = 0; v != NULL && i + 4 <= n; i += 4) {
		out_room(o, 64);
		hm_addr4(o, v + i);
		out_c(o, ' ');
	}
	out_c(o, '\n');
}

/* The path attributes bgpdump decodes into their own fields. */
static void
hm_attrs_head(struct out *o, const struct bgp_attrs *a)
{
	static const char *const origin[] = { "ORIGIN: IGP\n",
	    "ORIGIN: EGP\n", "ORIGIN: INCOMPLETE\n" };
	uint64_t s = a->seen;

	out_room(o, LINE_ROOM);
	if ((s & BGP_ATTR_BIT(BGP_ATTR_ORIGIN)) && a->origin <= 2)
		out_s(o, origin[a->origin], strlen(origin[a->origin]));
	if (s & BGP_ATTR_BIT(BGP_ATTR_AS_PATH)) {
		OUT_LIT(o, "ASPATH: ");
		out_room(o, ASPATH_MAX + 16);
		o->n += fmt_aspath(&a->path, o->buf + o->n);
		out_c(o, '\n');
	}
	out_room(o, LINE_ROOM);
	if (s & BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP)) {
		OUT_LIT(o, "NEXT_HOP: ");
		bd_addr(o, &a->nexthop);
		out_c(o, '\n');
	}
	if (s & BGP_ATTR_BIT(BGP_ATTR_MED)) {
		OUT_LIT(o, "MULTI_EXIT_DISC: ");
		out_u(o, a->med);
		out_c(o, '\n');
	}
	if (s & BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF)) {
		OUT_LIT(o, "LOCAL_PREF: ");
		out_u(o, a->local_pref);
		out_c(o, '\n');
	}
	if (s & BGP_ATTR_BIT(BGP_ATTR_ATOMIC_AGGREGATE))
		OUT_LIT(o, "ATOMIC_AGGREGATE\n");
	if (s & BGP_ATTR_BIT(BGP_ATTR_AGGREGATOR)) {
		OUT_LIT(o, "AGGREGATOR: AS");
		out_u(o, a->aggregator_as);
		out_c(o, ' ');
		bd_addr(o, &a->aggregator_addr);
		out_c(o, '\n');
	}
}

/* bgpdump's show_attr(), in its order. */
static void
hm_attrs(struct out *o, const struct bgp_attrs *a)
{
	uint64_t s = a->seen;
	const uint8_t *v;
	size_t n;

	if (a->raw_len == 0)
		return;
	hm_attrs_head(o, a);
	if ((s & BGP_ATTR_BIT(BGP_ATTR_ORIGINATOR_ID)) &&
	    (v = attr_find(a, BGP_ATTR_ORIGINATOR_ID, &n)) != NULL && n >= 4) {
		OUT_LIT(o, "ORIGINATOR_ID: ");
		hm_addr4(o, v);
		out_c(o, '\n');
	}
	if (s & BGP_ATTR_BIT(BGP_ATTR_CLUSTER_LIST))
		hm_cluster(o, a);
	hm_unknown(o, a);
	out_room(o, LINE_ROOM);
	if ((v = attr_find(a, BGP_ATTR_MP_REACH_NLRI, &n)) != NULL)
		hm_mp_reach(o, v, n);
	if ((v = attr_find(a, BGP_ATTR_MP_UNREACH_NLRI, &n)) != NULL)
		hm_mp_unreach(o, v, n);
	if (s & BGP_ATTR_BIT(BGP_ATTR_COMMUNITIES)) {
		OUT_LIT(o, "COMMUNITY:");
		if (a->n_communities > 0) {
			out_c(o, ' ');
			put_communities(o, a);
		}
		out_c(o, '\n');
	}
	if (s & BGP_ATTR_BIT(BGP_ATTR_LARGE_COMMUNITIES))
		hm_large(o, a);
}

static void
hm_prefixes(struct out *o, const struct mrt_record *r,
    const struct bgp_nlri_list *l)
{
	for (uint32_t i = 0; i < l->n; i++) {
		out_room(o, LINE_ROOM);
		OUT_LIT(o, "  ");
		bd_prefix(o, &l->v[i].pfx);
		if (r->addpath) {
			OUT_LIT(o, " PATH_ID: ");
			out_u(o, l->v[i].path_id);
		}
		out_c(o, '\n');
	}
}

/* The MP list, if bgpdump keeps one of its family. */
static const struct bgp_nlri_list *
mp_list(const struct bgp_nlri_list *l)
{
	return l->n > 0 && mp_known(l->afi, l->safi) ? l : NULL;
}

static void
hm_update_nlri(struct out *o, const struct mrt_record *r)
{
	const struct bgp_update *u = &r->update;
	const struct bgp_nlri_list *w = mp_list(&u->attrs.mp_unreach);
	const struct bgp_nlri_list *ann = mp_list(&u->attrs.mp_reach);

	if (u->withdrawn.n > 0 || w != NULL) {
		OUT_LIT(o, "WITHDRAW\n");
		hm_prefixes(o, r, &u->withdrawn);
		if (w != NULL)
			hm_prefixes(o, r, w);
	}
	if (u->announced.n > 0 ||
	    (u->attrs.seen & BGP_ATTR_BIT(BGP_ATTR_MP_REACH_NLRI))) {
		OUT_LIT(o, "ANNOUNCE\n");
		hm_prefixes(o, r, &u->announced);
		if (ann != NULL)
			hm_prefixes(o, r, ann);
	}
}

/* Where the BGP message of a BGP4MP record starts, after the peer
 * header (RFC 6396 4.4.2). */
static struct rd
bgp4mp_msg(const struct mrt_record *r)
{
	size_t as = r->as4 ? 4 : 2, ad = r->peer.addr.af == NET_AF6 ? 16 : 4;
	size_t skip = 2 * as + 2 + 2 + 2 * ad;
	struct rd m = rd_make(r->body, r->len);
	static const uint8_t zebra[4] = { 0xff, 0xff, 0xff, 0xff };

	/* Zebra's OPEN without interface index and addresses (the decoder
	 * reads it so): the marker follows the two AS numbers. */
	if (r->len >= 2 * as + 4 && memcmp(r->body + 2 * as, zebra, 4) == 0)
		skip = 2 * as;

	rd_ptr(&m, skip);
	return m;
}

static void
hm_open(struct out *o, const struct mrt_record *r)
{
	struct rd m = bgp4mp_msg(r);
	uint8_t id[4] = { 0 };

	rd_ptr(&m, 19);				/* marker, length, type */
	unsigned ver = rd_u8(&m), as = rd_be16(&m), hold = rd_be16(&m);
	rd_copy(&m, id, 4);
	unsigned opt = rd_u8(&m);
	if (!rd_ok(&m))
		ver = as = hold = opt = 0;
	out_room(o, LINE_ROOM);
	OUT_LIT(o, "VERSION: ");
	out_u(o, ver);
	OUT_LIT(o, "\nAS: ");
	out_u(o, as);
	OUT_LIT(o, "\nHOLD_TIME: ");
	out_u(o, hold);
	OUT_LIT(o, "\nID: ");
	hm_addr4(o, rd_ok(&m) ? id : (const uint8_t[4]){ 0 });
	OUT_LIT(o, "\nOPT_PARM_LEN: ");
	out_u(o, opt);
	out_c(o, '\n');
}

/* RFC 4271 6.1-6.3, as bgpdump names them. */
static const char *
notify_sub(unsigned code, unsigned sub)
{
	static const char *const hdr[] = { "Connection Not Synchronized",
	    "Bad Message Length", "Bad Message Type" };
	static const char *const open[] = { "Unsupported Version Number",
	    "Bad Peer AS", "Bad BGP Identifier",
	    "Unsupported Optional Parameter", "Authentication Failure",
	    "Unacceptable Hold Time" };
	static const char *const upd[] = { "Malformed Attribute List",
	    "Unrecognized Well-known Attribute",
	    "Missing Well-known Attribute", "Attribute Flags Error",
	    "Attribute Length Error", "Invalid ORIGIN Attribute",
	    "AS Routing Loop", "Invalid NEXT-HOP Attribute",
	    "Optional Attribute Error", "Invalid Network Field",
	    "Malformed AS-PATH" };

	if (sub == 0)
		return NULL;
	if (code == 1 && sub <= 3)
		return hdr[sub - 1];
	if (code == 2 && sub <= 6)
		return open[sub - 1];
	if (code == 3 && sub <= 11)
		return upd[sub - 1];
	return NULL;
}

static void
hm_notify(struct out *o, const struct mrt_record *r)
{
	static const char *const name[] = { "Message Header Error",
	    "OPEN Message Error", "UPDATE Message Error",
	    "Hold Timer Expired", "Finite State Machine Error", "Cease" };
	struct rd m = bgp4mp_msg(r);

	rd_ptr(&m, 19);
	unsigned code = rd_u8(&m), sub = rd_u8(&m);
	if (!rd_ok(&m))
		code = sub = 0;
	out_room(o, LINE_ROOM);
	OUT_LIT(o, "    ERROR CODE  : ");
	out_u(o, code);
	if (code >= 1 && code <= 6) {
		OUT_LIT(o, " (");
		out_s(o, name[code - 1], strlen(name[code - 1]));
		out_c(o, ')');
	}
	out_c(o, '\n');
	if (code < 1 || code > 3)
		return;
	const char *s = notify_sub(code, sub);
	OUT_LIT(o, "    SUB ERROR   : ");
	out_u(o, sub);
	if (s != NULL) {
		OUT_LIT(o, " (");
		out_s(o, s, strlen(s));
		out_c(o, ')');
	}
	out_c(o, '\n');
}

static void
hm_state_names(struct out *o, const struct mrt_record *r)
{
	static const char *const name[] = { "Unknown", "Idle", "Connect",
	    "Active", "Opensent", "Openconfirm", "Established", "Clearing",
	    "Deleted", "(null)" };
	unsigned st[2] = { r->old_state, r->new_state };

	out_room(o, LINE_ROOM);
	OUT_LIT(o, "STATE: ");
	for (int i = 0; i < 2; i++) {
		const char *s = st[i] < 10 ? name[st[i]] : "Unknown";
		if (i)
			out_c(o, '/');
		out_s(o, s, strlen(s));
	}
	out_c(o, '\n');
}

static void
hm_bgp4mp_msg(struct out *o, const struct mrt_record *r)
{
	static const char *const what[] = { NULL, "Open", "Update", "Notify",
	    "Keepalive" };
	/* bgpdump takes only subtypes 6 and 7 as sent: _LOCAL_ADDPATH
	 * messages are named as received. */
	bool local = r->subtype == MRT_BGP4MP_MESSAGE_LOCAL ||
	    r->subtype == MRT_BGP4MP_MESSAGE_AS4_LOCAL;
	bool ap = r->subtype >= MRT_BGP4MP_MESSAGE_ADDPATH;

	out_room(o, LINE_ROOM);
	OUT_LIT(o, "TYPE: BGP4MP");
	if (r->type == MRT_T_BGP4MP_ET)
		OUT_LIT(o, "_ET");
	OUT_LIT(o, "/MESSAGE");
	if (local)
		OUT_LIT(o, "_LOCAL");
	if (ap)
		OUT_LIT(o, "_ADDPATH");
	out_c(o, '/');
	out_s(o, what[r->msg_type], strlen(what[r->msg_type]));
	out_c(o, '\n');
	if (r->peer.asn != 0)
		hm_who(o, "FROM:", 5, &r->peer.addr, r->peer.asn);
	if (r->local_asn != 0)
		hm_who(o, "TO:", 3, &r->local_addr, r->local_asn);
	if (r->msg_type == BGP_MSG_OPEN)
		hm_open(o, r);
	else if (r->msg_type == BGP_MSG_NOTIFICATION)
		hm_notify(o, r);
	else if (r->msg_type == BGP_MSG_UPDATE) {
		hm_attrs(o, &r->update.attrs);
		hm_update_nlri(o, r);
	}
}

/* The deprecated BGP type (RFC 6396 B.2): UPDATE, KEEPALIVE (whose peer
 * header bgpdump reads too), STATE_CHANGE; the rest unsupported. */
static void
hm_bgp_old(struct out *o, const struct mrt_record *r)
{
	out_room(o, LINE_ROOM);
	if (r->kind == MRT_K_STATE) {
		OUT_LIT(o, "TYPE: BGP/STATE_CHANGE\n");
		hm_who(o, "PEER:", 5, &r->peer.addr, r->peer.asn);
		hm_state_names(o, r);
	} else if (r->kind == MRT_K_MESSAGE) {
		OUT_LIT(o, "TYPE: BGP/MESSAGE/Update\n");
		if (r->peer.asn != 0)
			hm_who(o, "FROM:", 5, &r->peer.addr, r->peer.asn);
		if (r->local_asn != 0)
			hm_who(o, "TO:", 3, &r->local_addr, r->local_asn);
		hm_attrs(o, &r->update.attrs);
		if (r->update.withdrawn.n > 0) {
			OUT_LIT(o, "WITHDRAW\n");
			hm_prefixes(o, r, &r->update.withdrawn);
		}
		if (r->update.announced.n > 0) {
			OUT_LIT(o, "ANNOUNCE\n");
			hm_prefixes(o, r, &r->update.announced);
		}
	} else if (r->subtype == 7) {
		struct rd b = rd_make(r->body, r->len);
		struct net_addr from = { NET_AF4, { 0 } }, to = from;
		unsigned fas = rd_be16(&b), tas;
		rd_copy(&b, from.a, 4);
		tas = rd_be16(&b);
		rd_copy(&b, to.a, 4);
		OUT_LIT(o, "TYPE: BGP/MESSAGE/Keepalive\n");
		if (rd_ok(&b) && fas != 0)
			hm_who(o, "FROM:", 5, &from, fas);
		if (rd_ok(&b) && tas != 0)
			hm_who(o, "TO:", 3, &to, tas);
	} else {
		OUT_LIT(o, "TYPE: Subtype ");
		out_u(o, r->subtype);
		OUT_LIT(o, " not supported yet\n");
	}
}

static void
hm_td1(struct out *o, const struct mrt_record *r, const struct mrt_rib_entry *e)
{
	static const char *const type[] = { NULL, "INET", "INET6",
	    "INET_32BIT_AS", "INET6_32BIT_AS" };
	unsigned view = r->len >= 2 ? (unsigned)r->body[0] << 8 | r->body[1] : 0;

	out_room(o, LINE_ROOM);
	OUT_LIT(o, "TYPE: TABLE_DUMP/");
	out_s(o, type[r->subtype], strlen(type[r->subtype]));
	OUT_LIT(o, "\nVIEW: ");
	out_u(o, view);
	OUT_LIT(o, "\nSEQUENCE: ");
	out_u(o, r->seq);
	OUT_LIT(o, "\nPREFIX: ");
	bd_prefix(o, &e->prefix);
	OUT_LIT(o, "\nFROM:");
	if (addr_zero(&e->peer->addr))
		OUT_LIT(o, "N/A");
	else
		bd_addr(o, &e->peer->addr);
	OUT_LIT(o, " AS");
	out_u(o, e->peer->asn);
	OUT_LIT(o, "\nORIGINATED: ");
	hm_date(o, e->originated);
	out_c(o, '\n');
	hm_attrs(o, &e->attrs);
	out_room(o, LINE_ROOM);
	OUT_LIT(o, "STATUS: 0x");
	static const char hex[] = "0123456789abcdef";
	if (e->status >= 16)
		out_c(o, hex[e->status >> 4]);
	out_c(o, hex[e->status & 15]);
	out_c(o, '\n');
}

static void
hm_td2(struct out *o, const struct mrt_record *r, uint32_t i)
{
	const struct mrt_rib_entry *e = &r->entries[i];

	out_room(o, LINE_ROOM);
	if (i > 0) {
		OUT_LIT(o, "\nTIME: ");
		hm_date(o, r->ts);
		out_c(o, '\n');
	}
	if (r->type != MRT_T_TABLE_DUMP_V2)	/* bgpdump cannot read it */
		OUT_LIT(o, "TYPE: BGP4MP/ENTRY");
	else if (r->afi == BGP_AFI_IPV4)
		OUT_LIT(o, "TYPE: TABLE_DUMP_V2/IPV4_UNICAST");
	else
		OUT_LIT(o, "TYPE: TABLE_DUMP_V2/IPV6_UNICAST");
	if (r->addpath)
		OUT_LIT(o, "_ADDPATH");
	OUT_LIT(o, "\nPREFIX: ");
	bd_prefix(o, &r->prefix);
	if (r->addpath) {
		OUT_LIT(o, " PATH_ID: ");
		out_u(o, e->path_id);
	}
	OUT_LIT(o, "\nSEQUENCE: ");
	out_i(o, (int32_t)r->seq);
	OUT_LIT(o, "\nFROM: ");
	bd_addr(o, &e->peer->addr);
	OUT_LIT(o, " AS");
	out_u(o, e->peer->asn);
	OUT_LIT(o, "\nORIGINATED: ");
	hm_date(o, e->originated);
	out_c(o, '\n');
	hm_attrs(o, &e->attrs);
}

void
mrt_print_multi(struct out *o, const struct mrt_record *r)
{
	if (r->kind == MRT_K_PEER_INDEX)
		return;				/* bgpdump shows none */
	if ((r->type == MRT_T_BGP4MP || r->type == MRT_T_BGP4MP_ET) &&
	    (r->kind == MRT_K_MESSAGE || r->kind == MRT_K_OTHER) &&
	    (r->msg_type < BGP_MSG_OPEN || r->msg_type > BGP_MSG_KEEPALIVE))
		return;				/* nor ROUTE-REFRESH */
	if (r->kind == MRT_K_RIB && r->type == MRT_T_TABLE_DUMP) {
		/* An early Zebra batch: one block per route. */
		for (uint32_t i = 0; i < r->n_entries; i++) {
			hm_time_line(o, r);
			hm_td1(o, r, &r->entries[i]);
			out_c(o, '\n');
		}
		return;
	}
	hm_time_line(o, r);
	if (r->type == MRT_T_BGP)
		hm_bgp_old(o, r);
	else if (r->kind == MRT_K_RIB)
		for (uint32_t i = 0; i < r->n_entries; i++)
			hm_td2(o, r, i);
	else if (r->kind == MRT_K_STATE) {
		out_room(o, LINE_ROOM);
		OUT_LIT(o, "TYPE: BGP4MP");
		if (r->type == MRT_T_BGP4MP_ET)
			OUT_LIT(o, "_ET");
		OUT_LIT(o, "/STATE_CHANGE\n");
		hm_who(o, "PEER:", 5, &r->peer.addr, r->peer.asn);
		hm_state_names(o, r);
	} else
		hm_bgp4mp_msg(o, r);
	out_room(o, 8);
	out_c(o, '\n');
}
