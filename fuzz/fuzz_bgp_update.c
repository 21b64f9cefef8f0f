/*
 * libFuzzer target: BGP messages and UPDATEs (RFC 4271, 4760, 6793, 7911).
 *
 * The input is decoded as a whole message (19-octet header) under each
 * session context (2-octet or 4-octet AS, with or without ADD-PATH), as a
 * bare UPDATE body (the deprecated MRT BGP type), and as a TABLE_DUMP_V2
 * attribute block; whatever decodes is walked so ASan checks each pointer.
 * The lean decode (bgp_lean.c) must decline the message or give the counts
 * and origin the full decode gives.
 */
#include <stdint.h>
#include <string.h>

#include "bgp/bgp.h"
#include "util/arena.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
touch_list(const struct bgp_nlri_list *l, volatile unsigned *sink)
{
	for (uint32_t i = 0; i < l->n; i++) {
		const struct net_prefix *p = &l->v[i].pfx;
		if (p->len > (p->af == NET_AF6 ? 128 : 32))
			__builtin_trap();	/* must have been rejected */
		*sink += p->a[0] + l->v[i].path_id;
	}
}

static void
touch_attrs(const struct bgp_attrs *a, volatile unsigned *sink)
{
	for (uint16_t i = 0; i < a->path.nseg; i++)
		for (uint16_t j = 0; j < a->path.seg[i].n; j++)
			*sink += a->path.seg[i].asn[j];
	if (a->n_communities > 0)
		*sink += a->communities[a->n_communities * 4 - 1];
	if (a->n_ext_communities > 0)
		*sink += a->ext_communities[a->n_ext_communities * 8 - 1];
	if (a->n_large_communities > 0)
		*sink += a->large_communities[a->n_large_communities * 12 - 1];
	touch_list(&a->mp_reach, sink);
	touch_list(&a->mp_unreach, sink);
	*sink += bgp_path_origin(&a->path);
}

static void
touch_update(const struct bgp_update *u, volatile unsigned *sink)
{
	touch_list(&u->withdrawn, sink);
	touch_list(&u->announced, sink);
	touch_attrs(&u->attrs, sink);
}

static void
check_diag(const struct bgp_diag *d, size_t size)
{
	/* a diagnosis is a terminated string at an offset inside the input */
	if (memchr(d->msg, '\0', sizeof(d->msg)) == NULL || d->off > size)
		__builtin_trap();
}

static size_t
ip_count(const struct bgp_nlri_list *l)
{
	return bgp_family_ip(l->afi, l->safi) ? l->n : 0;
}

static void
check_lean(const uint8_t *data, size_t size, bool as4, struct arena *arena)
{
	struct bgp_ctx c = { as4, false, false, arena };
	struct bgp_lean l;
	struct bgp_update u;
	struct bgp_diag d;
	uint8_t type;

	if (!bgp_lean_message(data, size, as4, &l))
		return;
	arena_reset(arena);
	if (bgp_decode_message(data, size, &c, &type, &u, &d) != 0)
		__builtin_trap();	/* took what the full decode refuses */
	if (type != BGP_MSG_UPDATE) {
		for (int k = 0; k < BGP_LEAN_RUNS; k++)
			if (l.run[k].n != 0)
				__builtin_trap();
		return;
	}
	if (l.run[BGP_LEAN_WITHDRAWN].n != u.withdrawn.n ||
	    l.run[BGP_LEAN_ANNOUNCED].n != u.announced.n ||
	    l.run[BGP_LEAN_MP_UNREACH].n != ip_count(&u.attrs.mp_unreach) ||
	    l.run[BGP_LEAN_MP_REACH].n != ip_count(&u.attrs.mp_reach))
		__builtin_trap();
	if (u.announced.n + ip_count(&u.attrs.mp_reach) > 0 &&
	    l.origin != bgp_path_origin(&u.attrs.path))
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena arena;
	static int init;
	volatile unsigned sink = 0;
	struct bgp_update upd;
	struct bgp_attrs attrs;
	struct bgp_diag diag;
	uint8_t type;

	if (!init) {
		arena_init(&arena, 64u << 20);
		init = 1;
	}
	for (int as4 = 0; as4 < 2; as4++) {
		for (int ap = 0; ap < 2; ap++) {
			struct bgp_ctx c = { as4, ap, false, &arena };
			arena_reset(&arena);
			if (bgp_decode_message(data, size, &c, &type, &upd,
			    &diag) == 0) {
				if (type == BGP_MSG_UPDATE)
					touch_update(&upd, &sink);
			} else
				check_diag(&diag, size);
			arena_reset(&arena);
			if (bgp_decode_update(data, size, &c, &upd, &diag) == 0)
				touch_update(&upd, &sink);
			else
				check_diag(&diag, size);
		}
	}
	check_lean(data, size, false, &arena);
	check_lean(data, size, true, &arena);
	struct bgp_ctx rib = { true, false, true, &arena };
	arena_reset(&arena);
	if (bgp_decode_attrs(data, size, &rib, &attrs, &diag) == 0)
		touch_attrs(&attrs, &sink);
	else
		check_diag(&diag, size);
	(void)sink;
	return 0;
}
