/*
 * A round's outcome as signal points, per block and, like the BGP signal,
 * per AS and country (docs/probe.md): probe (blocks up), probe.rtt (median
 * RTT, ms) and probe.loss (unanswered probes / probes sent); and their
 * writing into the store, one transaction a round.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/entity.h"
#include "probe/probe.h"
#include "util/err.h"

const struct store_kind probe_kinds[3] = {
	{ "probe", "blocks", "Active probing (Trinocular): /24 blocks up; "
	    "per block 1 up, 0 down, 0.5 uncertain" },
	{ "probe.rtt", "ms", "Active probing: median round-trip time of the "
	    "blocks that answered" },
	{ "probe.loss", "ratio", "Active probing: probes unanswered / probes "
	    "sent" },
};

struct key {
	char		 ent[ENT_STRLEN];
	uint32_t	 i;		/* result index */
	bool		 block;		/* a block's own entity */
};

static int
key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int c = strcmp(x->ent, y->ent);

	return c != 0 ? c : x->i < y->i ? -1 : x->i > y->i;
}

static void
key_fill(struct key *k, const struct entity *e, uint32_t i, bool block)
{
	entity_fmt(e, k->ent);
	k->i = i;
	k->block = block;
}

/* The keys of result i: its block, its AS and country as asked. */
static size_t
keys_of(const struct probe_result *r, uint32_t i, struct geo *g, unsigned by,
    struct key *k)
{
	struct entity e = { .type = ENT_PREFIX };
	struct net_addr a = { .af = NET_AF4 };
	struct geo_info gi;
	size_t n = 0;
	uint32_t net = r->block->net;

	if (by & PROBE_BY_BLOCK) {
		e.u.prefix = (struct net_prefix){ .af = NET_AF4, .len = 24,
		    .a = { (uint8_t)(net >> 24), (uint8_t)(net >> 16),
		    (uint8_t)(net >> 8) } };
		key_fill(&k[n++], &e, i, true);
	}
	if (g == NULL || !(by & (PROBE_BY_ASN | PROBE_BY_COUNTRY)))
		return n;
	memcpy(a.a, (uint8_t[]){ (uint8_t)(net >> 24), (uint8_t)(net >> 16),
	    (uint8_t)(net >> 8), 0 }, 4);
	if (geo_lookup(g, &a, &gi) != 0)
		return n;
	if ((by & PROBE_BY_ASN) && gi.asn != 0) {
		e = (struct entity){ .type = ENT_ASN, .u.asn = gi.asn };
		key_fill(&k[n++], &e, i, false);
	}
	if ((by & PROBE_BY_COUNTRY) && gi.cc[0] != '\0') {
		e = (struct entity){ .type = ENT_COUNTRY };
		memcpy(e.u.cc, gi.cc, sizeof(e.u.cc));
		key_fill(&k[n++], &e, i, false);
	}
	return n;
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The value of kind (0 probe, 1 rtt, 2 loss) over keys [i, j); false when
 * there is none. */
static bool
value(const struct probe_result *r, const struct key *k, size_t i, size_t j,
    int kind, double *tmp, double *v)
{
	double up = 0, nr = 0;
	uint64_t sent = 0, replies = 0;

	for (size_t x = i; x < j; x++) {
		const struct probe_result *p = &r[k[x].i];
		up += p->state == PROBE_UP ? 1 : k[x].block &&
		    p->state == PROBE_UNCERTAIN ? 0.5 : 0;
		if (p->rtt_ms >= 0)
			tmp[(size_t)nr++] = p->rtt_ms;
		sent += p->sent;
		replies += p->replies;
	}
	if (kind == 0)
		*v = up;
	else if (kind == 2 && sent > 0)
		*v = (double)(sent - replies) / (double)sent;
	else if (kind == 1 && nr > 0) {
		size_t m = (size_t)nr;
		qsort(tmp, m, sizeof(*tmp), dbl_cmp);
		*v = m % 2 ? tmp[m / 2] : (tmp[m / 2 - 1] + tmp[m / 2]) / 2;
	} else
		return false;
	return true;
}

int
probe_points(const struct probe_result *r, size_t n, int64_t time,
    struct geo *g, unsigned by, probe_point_fn *fn, void *ctx)
{
	struct key *k = n ? calloc(n * 3, sizeof(*k)) : NULL;
	double *tmp = n ? calloc(n, sizeof(*tmp)) : NULL;
	size_t nk = 0;
	int rc = 0;

	if (n > 0 && (k == NULL || tmp == NULL)) {
		rc = LL_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		nk += keys_of(&r[i], (uint32_t)i, g, by, k + nk);
	qsort(k, nk, sizeof(*k), key_cmp);
	for (int kind = 0; kind < 3 && rc == 0; kind++) {
		for (size_t i = 0, j; i < nk && rc == 0; i = j) {
			double v;
			for (j = i + 1; j < nk && strcmp(k[j].ent, k[i].ent) == 0;)
				j++;
			if (value(r, k, i, j, kind, tmp, &v))
				rc = fn(ctx, probe_kinds[kind].name, time,
				    k[i].ent, v);
		}
	}
out:
	free(k);
	free(tmp);
	return rc;
}

struct put {
	struct store	*st;
};

static int
put_point(void *ctx, const char *kind, int64_t time, const char *entity,
    double value)
{
	struct put *p = ctx;
	struct store_point pt = { entity, time, value };

	return store_points_put(p->st, kind, "agent:probe", &pt, 1);
}

int
probe_store_round(struct store *st, const struct probe_result *r, size_t n,
    int64_t time, struct geo *g, unsigned by)
{
	struct put p = { st };
	int rc;

	if ((rc = store_tx_begin(st)) != 0)
		return rc;
	for (size_t i = 0; i < 3 && rc == 0; i++)
		rc = store_kind_put(st, &probe_kinds[i]);
	if (rc == 0)
		rc = probe_points(r, n, time, g, by, put_point, &p);
	if (rc == 0)
		return store_tx_commit(st);
	store_tx_rollback(st);
	return rc;
}
