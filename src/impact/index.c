/*
 * The access index (docs/methodology.md, "Access index"): per entity and
 * UTC day, a score from 0 to 100 on five dimensions, each with the
 * measurements behind it; a dimension without measurements that day has
 * no score ("no data"), never 0.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impact/impact.h"
#include "impact/impact_int.h"
#include "util/err.h"
#include "util/grow.h"

#define DAY		86400
#define IDX_DAYS_MAX	3660
#define IDX_HIST	(7 * DAY)	/* baseline: the week before */
#define IDX_MEAS_MAX	64
#define IDX_CRIT	0.5		/* IODA's critical level for BGP */

static const char *const dim_names[INDEX_NDIM] = { "available",
    "reliable", "fast", "safe", "core" };

const char *
index_dim_name(enum index_dim d)
{
	return (unsigned)d < INDEX_NDIM ? dim_names[d] : "?";
}

/* A kind measured against a baseline: higher is better unless lower. */
struct ikind {
	const char	*kind;
	enum index_dim	 dim;
	bool		 lower;		/* lower is better (RTT) */
	const char	*unit;
};

static const struct ikind ikinds[] = {
	{ "bgp", INDEX_AVAILABLE, false, "/24s" },
	{ "bgp6", INDEX_AVAILABLE, false, "/48s" },
	{ "series.bgp", INDEX_AVAILABLE, false, "/24s" },
	{ "ioda.bgp", INDEX_AVAILABLE, false, "/24s" },
	{ "ioda.ping-slash24", INDEX_AVAILABLE, false, "/24s" },
	{ "probe", INDEX_AVAILABLE, false, "" },
	{ "series.ping-slash24", INDEX_AVAILABLE, false, "/24s" },
	{ "monash.connectivity", INDEX_AVAILABLE, false, "index" },
	{ "ndt.down", INDEX_FAST, false, "Mbit/s" },
	{ "ndt.up", INDEX_FAST, false, "Mbit/s" },
	{ "ndt.rtt", INDEX_FAST, true, "ms" },
};
#define NIKINDS	(sizeof(ikinds) / sizeof(ikinds[0]))

/* One day's scores as they are gathered. */
struct iday {
	struct index_meas m[INDEX_NDIM][IDX_MEAS_MAX];
	size_t		 n[INDEX_NDIM];
	double		 sum[INDEX_NDIM];	/* of the measures' scores */
	size_t		 cnt[INDEX_NDIM];
	bool		 forced[INDEX_NDIM];	/* score set directly */
	double		 score[INDEX_NDIM];
};

struct ictx_i {
	struct store	*s;
	const char	*entity;
	int64_t		 day0;
	size_t		 ndays;
	struct iday	*d;
	/* kinds' names kept for the measurements (OONI kinds are found in
	 * the store) */
	char		**names;
	size_t		 nnames, capnames;
};

static struct index_meas *
meas_add(struct iday *d, enum index_dim dim)
{
	if (d->n[dim] == IDX_MEAS_MAX)
		return NULL;
	memset(&d->m[dim][d->n[dim]], 0, sizeof(d->m[dim][0]));
	d->m[dim][d->n[dim]].baseline = NAN;
	d->m[dim][d->n[dim]].baseline_source = "";
	return &d->m[dim][d->n[dim]++];
}

/* The baseline of a kind for the index: pinned, else the median of the
 * week before the first day, else of the whole range asked. */
static int
idx_base(struct ictx_i *c, const char *kind, const struct iser *z,
    struct ibase *b)
{
	double *tmp;
	size_t n = 0;
	int rc;

	if ((rc = ibase_get(c->s, kind, c->entity, c->day0, IDX_HIST, b)) != 0
	    || b->ok || z->n == 0)
		return rc;
	if ((tmp = malloc(z->n * sizeof(*tmp))) == NULL)
		return LL_ENOMEM;
	for (size_t i = 0; i < z->n; i++)
		if (z->t[i] >= c->day0)
			tmp[n++] = z->v[i];
	if (n > 0) {
		b->value = imp_median(tmp, n);
		b->ok = b->value > 0;
		b->source = "range median";
		b->from = c->day0;
		b->to = c->day0 + (int64_t)c->ndays * DAY;
		b->points = n;
	}
	free(tmp);
	return 0;
}

/* The series' bin: the smallest step between its points (300 s when it
 * has fewer than two). */
static int64_t
idx_bin(const struct iser *z)
{
	int64_t bin = 0;

	for (size_t i = 1; i < z->n; i++) {
		int64_t d = z->t[i] - z->t[i - 1];

		if (d > 0 && (bin == 0 || d < bin))
			bin = d;
	}
	return bin > 0 && bin <= DAY ? bin : IMP_BIN;
}

/* Reliability of one day of a reachability series: minutes below the
 * critical level of the baseline, and how many outages began. */
static void
idx_reliable(struct iday *d, const struct ikind *k, const struct iser *z,
    size_t lo, size_t hi, const struct ibase *b, int64_t bin)
{
	struct index_meas *m;
	double out = 0, measured = (double)(hi - lo) * (double)bin / 60, sc;
	unsigned starts = 0;
	bool down = false;

	for (size_t i = lo; i < hi; i++) {
		bool now = z->v[i] / b->value < IDX_CRIT;

		out += now ? (double)bin / 60 : 0;
		starts += now && !down;
		down = now;
	}
	sc = 100 * (1 - out / measured) * pow(0.9, starts > 1 ? starts - 1 :
	    0);
	d->sum[INDEX_RELIABLE] += sc;
	d->cnt[INDEX_RELIABLE]++;
	if ((m = meas_add(d, INDEX_RELIABLE)) != NULL)
		*m = (struct index_meas){ k->kind, "outage minutes (below 50% "
		    "of the baseline)", out, b->value, b->source, "min",
		    hi - lo };
	if ((m = meas_add(d, INDEX_RELIABLE)) != NULL)
		*m = (struct index_meas){ k->kind, "outages begun", starts,
		    NAN, "", "", hi - lo };
	if ((m = meas_add(d, INDEX_RELIABLE)) != NULL)
		*m = (struct index_meas){ k->kind, "minutes measured", measured,
		    NAN, "", "min", hi - lo };
}

/* One day of a kind measured against its baseline. */
static void
idx_ratio(struct iday *d, const struct ikind *k, const struct iser *z,
    size_t lo, size_t hi, const struct ibase *b)
{
	struct index_meas *m;
	double v = 0, r, sc;

	for (size_t i = lo; i < hi; i++)
		v += z->v[i];
	v /= (double)(hi - lo);
	r = k->lower ? (v > 0 ? b->value / v : 1) : v / b->value;
	sc = 100 * (r > 1 ? 1 : r < 0 ? 0 : r);
	d->sum[k->dim] += sc;
	d->cnt[k->dim]++;
	if ((m = meas_add(d, k->dim)) != NULL)
		*m = (struct index_meas){ k->kind, k->lower ? "baseline / "
		    "mean" : "mean / baseline", v, b->value, b->source,
		    k->unit, hi - lo };
}

static int
idx_kind(struct ictx_i *c, const struct ikind *k)
{
	struct iser z = { 0 };
	struct ibase b;
	int64_t end = c->day0 + (int64_t)c->ndays * DAY, bin;
	size_t i = 0;
	int rc;

	if ((rc = iser_load(c->s, k->kind, c->entity, c->day0 - IDX_HIST, end,
	    &z)) != 0 || z.n == 0 || (rc = idx_base(c, k->kind, &z, &b)) != 0 ||
	    !b.ok)
		goto out;
	bin = idx_bin(&z);
	while (i < z.n && z.t[i] < c->day0)
		i++;
	for (size_t day = 0; day < c->ndays; day++) {
		int64_t t1 = c->day0 + (int64_t)(day + 1) * DAY;
		size_t lo = i;

		while (i < z.n && z.t[i] < t1)
			i++;
		if (i == lo)
			continue;
		idx_ratio(&c->d[day], k, &z, lo, i, &b);
		if (k->dim == INDEX_AVAILABLE)
			idx_reliable(&c->d[day], k, &z, lo, i, &b, bin);
	}
out:
	iser_fini(&z);
	return rc;
}

/* ---- safe: OONI's shares ---- */

static int
ooni_series(void *ctx, const struct store_series *ser)
{
	struct ictx_i *c = ctx;
	char *p;

	if (strcmp(ser->entity, c->entity) != 0 || (strncmp(ser->signal,
	    "ooni.anomaly.", 13) != 0 && strncmp(ser->signal,
	    "ooni.confirmed.", 15) != 0))
		return 0;
	if (ll_grow(&c->names, &c->capnames, c->nnames + 1,
	    sizeof(*c->names)) != 0 || (p = strdup(ser->signal)) == NULL)
		return LL_ENOMEM;
	c->names[c->nnames++] = p;
	return 0;
}

static int
idx_safe(struct ictx_i *c)
{
	int64_t end = c->day0 + (int64_t)c->ndays * DAY;
	struct iser z = { 0 };
	int rc;

	if ((rc = store_series_list(c->s, NULL, ooni_series, c)) != 0)
		return rc;
	for (size_t k = 0; k < c->nnames && rc == 0; k++) {
		bool conf = strncmp(c->names[k], "ooni.confirmed.", 15) == 0;

		if ((rc = iser_load(c->s, c->names[k], c->entity, c->day0, end,
		    &z)) != 0)
			break;
		for (size_t i = 0; i < z.n; i++) {
			struct iday *d = &c->d[(z.t[i] - c->day0) / DAY];
			struct index_meas *m = meas_add(d, INDEX_SAFE);
			double bad = z.v[i] < 0 ? 0 : z.v[i] > 1 ? 1 : z.v[i];

			if (m == NULL)
				continue;
			*m = (struct index_meas){ c->names[k], conf ?
			    "confirmed-blocked share" : "anomalous share",
			    z.v[i], NAN, "", "share", 1 };
			/* the worst share of the day sets the score */
			if (!d->forced[INDEX_SAFE] || 100 * (1 - bad) <
			    d->score[INDEX_SAFE])
				d->score[INDEX_SAFE] = 100 * (1 - bad);
			d->forced[INDEX_SAFE] = true;
		}
	}
	iser_fini(&z);
	return rc;
}

/* ---- core resources: routing events ---- */

struct core_ctx {
	struct ictx_i	*c;
	uint32_t	*asn;		/* the country's ASes (users table) */
	size_t		 nasn, cap;
	bool		 any;
};

static int
core_asn(void *ctx, const struct store_users *u)
{
	struct core_ctx *k = ctx;

	if (ll_grow(&k->asn, &k->cap, k->nasn + 1, sizeof(*k->asn)) != 0)
		return LL_ENOMEM;
	k->asn[k->nasn++] = u->asn;
	return 0;
}

static bool
core_match(const struct core_ctx *k, const char *entity)
{
	if (strcmp(entity, k->c->entity) == 0)
		return true;
	if (strncmp(entity, "asn:", 4) != 0)
		return false;
	for (size_t i = 0; i < k->nasn; i++)
		if (strtoul(entity + 4, NULL, 10) == k->asn[i])
			return true;
	return false;
}

static int
core_event(void *ctx, const struct store_event *e)
{
	struct core_ctx *k = ctx;
	struct ictx_i *c = k->c;
	int64_t end = c->day0 + (int64_t)c->ndays * DAY;
	int64_t a = e->from < c->day0 ? c->day0 : e->from;
	int64_t b = e->to == 0 || e->to > end ? end : e->to + 1;

	k->any = true;
	if (!core_match(k, e->entity))
		return 0;
	for (int64_t t = a - (a - c->day0) % DAY; t < b; t += DAY)
		c->d[(t - c->day0) / DAY].sum[INDEX_CORE] += 1;
	return 0;
}

static int
idx_core(struct ictx_i *c)
{
	struct core_ctx k = { c, NULL, 0, 0, false };
	int rc = 0;

	if (strncmp(c->entity, "country:", 8) == 0)
		rc = store_users_list(c->s, c->entity + 8, 0, core_asn, &k);
	if (rc == 0)
		rc = store_event_list(c->s, "routing:", c->day0, c->day0 +
		    (int64_t)c->ndays * DAY, core_event, &k);
	for (size_t i = 0; rc == 0 && k.any && i < c->ndays; i++) {
		struct iday *d = &c->d[i];
		double n = d->sum[INDEX_CORE];
		struct index_meas *m = meas_add(d, INDEX_CORE);

		d->forced[INDEX_CORE] = true;
		d->score[INDEX_CORE] = n >= 4 ? 0 : 100 - 25 * n;
		if (m != NULL)
			*m = (struct index_meas){ "routing:*", "routing events "
			    "of the entity (its ASes by the users table)", n,
			    NAN, "", "events", 0 };
	}
	free(k.asn);
	return rc;
}

static int
idx_emit(struct ictx_i *c, index_fn *fn, void *ctx)
{
	int rc = 0;

	for (size_t i = 0; i < c->ndays && rc == 0; i++) {
		struct iday *d = &c->d[i];

		for (int k = 0; k < INDEX_NDIM && rc == 0; k++) {
			struct index_score sc = { false, 0, d->m[k], d->n[k] };

			if (d->forced[k]) {
				sc.known = true;
				sc.score = d->score[k];
			} else if (d->cnt[k] > 0) {
				sc.known = true;
				sc.score = d->sum[k] / (double)d->cnt[k];
			}
			rc = fn(ctx, c->entity, c->day0 + (int64_t)i * DAY,
			    (enum index_dim)k, &sc);
		}
	}
	return rc;
}

int
index_compute(struct store *s, const char *entity, int64_t from,
    int64_t to, index_fn *fn, void *ctx)
{
	struct ictx_i c = { 0 };
	int rc = 0;

	if (entity == NULL || fn == NULL || from >= to)
		return LL_EINVAL;
	c.s = s;
	c.entity = entity;
	c.day0 = from - ((from % DAY) + DAY) % DAY;
	if ((to - c.day0) / DAY >= IDX_DAYS_MAX)
		return LL_EINVAL;
	c.ndays = (size_t)((to - c.day0 + DAY - 1) / DAY);
	if ((c.d = calloc(c.ndays, sizeof(*c.d))) == NULL)
		return LL_ENOMEM;
	for (size_t k = 0; k < NIKINDS && rc == 0; k++)
		rc = idx_kind(&c, &ikinds[k]);
	if (rc == 0)
		rc = idx_safe(&c);
	if (rc == 0)
		rc = idx_core(&c);
	if (rc == 0)
		rc = idx_emit(&c, fn, ctx);
	for (size_t i = 0; i < c.nnames; i++)
		free(c.names[i]);
	free(c.names);
	free(c.d);
	return rc;
}
