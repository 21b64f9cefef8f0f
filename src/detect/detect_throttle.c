/*
 * Performance kinds (throughput, RTT, loss) and throttling. The perf
 * detector judges a performance series against its reference (pinned,
 * else seasonal, else the history's median), in the direction that is
 * bad for the kind. After every series of a bin was judged, each perf
 * verdict of warning or worse is a throttling verdict (detector
 * "throttle") when the entity's reachability held in that bin: at least
 * one reachability series of the entity (a kind that is not perf: bgp,
 * probe, ...) was judged in the bin, and none of them was critical or
 * guarded. docs/methodology.md has the rules.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect_int.h"
#include "util/err.h"

void
det_perf_judge(struct dseries *se)
{
	if (se->ref <= 0)
		return;
	se->tlv = det_level(se->kind, det_ratio(se->kind, se->value,
	    se->ref));
}

/* How the reachability of entity stood in bin t: -1 nothing judged, 0
 * down (a verdict critical or guarded), 1 held. */
static int
reach_of(struct dctx *c, const char *entity, int64_t t)
{
	struct dseries *se;
	int held = -1, lv[3];
	size_t i, j;

	for (i = 0; i < c->o.nkinds; i++) {
		if (c->o.kinds[i].perf)
			continue;
		se = det_series_find(c, c->o.kinds[i].signal, entity);
		if (se == NULL || se->last != t || se->lv == DET_NONE)
			continue;
		lv[0] = se->lv;
		lv[1] = se->plv;
		lv[2] = se->slv;
		for (j = 0; j < 3; j++)
			if (lv[j] == DET_CRIT || lv[j] == DET_GAP)
				return 0;
		held = 1;
	}
	return held;
}

/* The perf and throttle alerts of bin t, once every series was judged. */
int
det_throttle_bin(struct dctx *c, int64_t t)
{
	size_t i;
	int rc;

	for (i = 0; i < c->nser; i++) {
		struct dseries *se = &c->ser[i];

		if (se->kind == NULL || !se->kind->perf ||
		    se->tlv == DET_NONE)
			continue;
		se->held = se->tlv >= DET_WARN &&
		    reach_of(c, se->entity, t) == 1;
		if ((rc = det_alert(c, se, "perf", se->tlv, se->ref, t)) != 0)
			return rc;
		if (se->held && (rc = det_alert(c, se, "throttle", se->tlv,
		    se->ref, t)) != 0)
			return rc;
	}
	return 0;
}
