/* Route elements of a record, in bgpdump's order (see mrt.h). */
#include <string.h>

#include "mrt/mrt.h"

static int
each(const struct bgp_nlri_list *l, struct mrt_elem *e, mrt_elem_fn *fn,
    void *ctx)
{
	int rc;

	if (!bgp_family_ip(l->afi, l->safi))
		return 0;
	for (uint32_t i = 0; i < l->n; i++) {
		e->nlri = &l->v[i];
		if ((rc = fn(ctx, e)) != 0)
			return rc;
	}
	return 0;
}

int
mrt_record_elems(const struct mrt_record *rec, mrt_elem_fn *fn, void *ctx)
{
	struct mrt_elem e;
	const struct bgp_attrs *a = &rec->update.attrs;
	int rc;

	memset(&e, 0, sizeof(e));
	e.ts = rec->ts;
	e.usec = rec->usec;
	e.peer = &rec->peer;
	switch (rec->kind) {
	case MRT_K_STATE:
		e.type = MRT_ELEM_STATE;
		e.old_state = rec->old_state;
		e.new_state = rec->new_state;
		return fn(ctx, &e);
	case MRT_K_MESSAGE:
		e.type = MRT_ELEM_WITHDRAW;
		if ((rc = each(&rec->update.withdrawn, &e, fn, ctx)) != 0 ||
		    (rc = each(&a->mp_unreach, &e, fn, ctx)) != 0)
			return rc;
		e.type = MRT_ELEM_ANNOUNCE;
		e.attrs = a;
		e.nexthop = &a->nexthop;
		if ((rc = each(&rec->update.announced, &e, fn, ctx)) != 0)
			return rc;
		e.nexthop = &a->mp_nexthop;
		return each(&a->mp_reach, &e, fn, ctx);
	case MRT_K_RIB:
		e.type = MRT_ELEM_RIB;
		for (uint32_t i = 0; i < rec->n_entries; i++) {
			const struct mrt_rib_entry *re = &rec->entries[i];
			struct bgp_nlri n = { re->path_id, re->prefix };
			e.peer = re->peer;
			e.attrs = &re->attrs;
			e.nexthop = re->attrs.mp_nexthop.af != 0 ?
			    &re->attrs.mp_nexthop : &re->attrs.nexthop;
			e.nlri = &n;
			if ((rc = fn(ctx, &e)) != 0)
				return rc;
		}
		return 0;
	default:
		return 0;
	}
}
