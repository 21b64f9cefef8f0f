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

/* A result's place under one entity: compact (12 bytes), its string made
 * only when a point is emitted. */
enum { K_ASN, K_COUNTRY, K_BLOCK };
struct key {
	uint8_t		 type;		/* K_* */
	uint32_t	 id;		/* AS number, 'E' << 8 | 'G', /24 */
	uint32_t	 i;		/* result index */
};

static int
key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static char *
key_entity(const struct key *k, char *buf)
{
	struct entity e;

	memset(&e, 0, sizeof(e));
	switch (k->type) {
	case K_ASN:
		e.type = ENT_ASN;
		e.u.asn = k->id;
		break;
	case K_COUNTRY:
		e.type = ENT_COUNTRY;
		e.u.cc[0] = (char)(k->id >> 8);
		e.u.cc[1] = (char)k->id;
		break;
	default:
		e.type = ENT_PREFIX;
		e.u.prefix = (struct net_prefix){ .af = NET_AF4, .len = 24,
		    .a = { (uint8_t)(k->id >> 24), (uint8_t)(k->id >> 16),
		    (uint8_t)(k->id >> 8) } };
	}
	return entity_fmt(&e, buf);
}

/* The keys of result i: its block, its AS and country as asked. */
static size_t
keys_of(const struct probe_result *r, uint32_t i, struct geo *g, unsigned by,
    struct key *k)
{
	struct net_addr a = { .af = NET_AF4 };
	struct geo_info gi;
	size_t n = 0;
	uint32_t net = r->block->net;

	if (by & PROBE_BY_BLOCK)
		k[n++] = (struct key){ K_BLOCK, net, i };
	if (g == NULL || !(by & (PROBE_BY_ASN | PROBE_BY_COUNTRY)))
		return n;
	a.a[0] = (uint8_t)(net >> 24);
	a.a[1] = (uint8_t)(net >> 16);
	a.a[2] = (uint8_t)(net >> 8);
	if (geo_lookup(g, &a, &gi) != 0)
		return n;
	if ((by & PROBE_BY_ASN) && gi.asn != 0)
		k[n++] = (struct key){ K_ASN, gi.asn, i };
	if ((by & PROBE_BY_COUNTRY) && gi.cc[0] != '\0' && gi.cc[1] != '\0')
		k[n++] = (struct key){ K_COUNTRY, (uint32_t)(uint8_t)gi.cc[0] << 8 |
		    (uint8_t)gi.cc[1], i };
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
	double up = 0;
	size_t nr = 0;
	uint64_t sent = 0, replies = 0;

	for (size_t x = i; x < j; x++) {
		const struct probe_result *p = &r[k[x].i];
		up += p->state == PROBE_UP ? 1 : k[x].type == K_BLOCK &&
		    p->state == PROBE_UNCERTAIN ? 0.5 : 0;
		if (p->rtt_ms >= 0)
			tmp[nr++] = p->rtt_ms;
		sent += p->sent;
		replies += p->replies;
	}
	if (kind == 0)
		*v = up;
	else if (kind == 2 && sent > 0)
		*v = (double)(sent - replies) / (double)sent;
	else if (kind == 1 && nr > 0) {
		qsort(tmp, nr, sizeof(*tmp), dbl_cmp);
		*v = nr % 2 ? tmp[nr / 2] : (tmp[nr / 2 - 1] + tmp[nr / 2]) / 2;
	} else
		return false;
	return true;
}

int
probe_points(const struct probe_result *r, size_t n, int64_t time,
    struct geo *g, unsigned by, probe_point_fn *fn, void *ctx)
{
	struct key *k = n ? calloc(n, 3 * sizeof(*k)) : NULL;
	double *tmp = n ? calloc(n, sizeof(*tmp)) : NULL;
	char ent[ENT_STRLEN];
	size_t nk = 0;
	int rc = 0;

	if (n == 0)
		goto out;
	if (k == NULL || tmp == NULL) {
		rc = LL_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		nk += keys_of(&r[i], (uint32_t)i, g, by, k + nk);
	qsort(k, nk, sizeof(*k), key_cmp);
	for (int kind = 0; kind < 3 && rc == 0; kind++) {
		for (size_t i = 0, j; i < nk && rc == 0; i = j) {
			double v;
			for (j = i + 1; j < nk && k[j].type == k[i].type &&
			    k[j].id == k[i].id;)
				j++;
			if (value(r, k, i, j, kind, tmp, &v))
				rc = fn(ctx, probe_kinds[kind].name, time,
				    key_entity(&k[i], ent), v);
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
