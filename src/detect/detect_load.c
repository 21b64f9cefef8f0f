/*
 * Detection's inputs in memory: the series (points from one history
 * window before the first bin judged), the detectors' state, pinned
 * baselines and coverage gaps; the median and the data-quality guard.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect_int.h"
#include "util/err.h"
#include "util/grow.h"

/* The health kinds that guard a family ("bgp", "bgp6"). */
static const char *const health_kinds[] = { "peers", "ff_peers", "ff_asns" };

static bool
is_health(const char *signal)
{
	const char *dot = strchr(signal, '.');
	size_t i;

	if (dot == NULL || (dot - signal != 3 && dot - signal != 4) ||
	    strncmp(signal, "bgp", 3) != 0)
		return false;
	for (i = 0; i < sizeof(health_kinds) / sizeof(health_kinds[0]); i++)
		if (strcmp(dot + 1, health_kinds[i]) == 0)
			return true;
	return false;
}

static bool
entity_judged(const char *e)
{
	return strncmp(e, "country:", 8) == 0 ||
	    strncmp(e, "region:", 7) == 0 || strncmp(e, "asn:", 4) == 0;
}

static char *
dup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

struct scan {
	struct dctx		*c;
	const char		*signal;
	const struct detect_kind *kind;
	struct dseries		*cur;
};

static int
new_series(struct scan *sc, const char *entity)
{
	struct dctx *c = sc->c;
	struct dseries *se;

	if (ll_grow(&c->ser, &c->capser, c->nser + 1, sizeof(*c->ser)) != 0)
		return LL_ENOMEM;
	se = &c->ser[c->nser];
	memset(se, 0, sizeof(*se));
	se->kind = sc->kind;
	se->last = INT64_MIN;
	se->signal = dup(sc->signal);
	se->entity = dup(entity);
	c->nser++;
	if (se->signal == NULL || se->entity == NULL)
		return LL_ENOMEM;
	sc->cur = se;
	return 0;
}

static int
on_point(void *ctx, const struct store_point *p)
{
	struct scan *sc = ctx;
	struct dseries *se = sc->cur;
	int rc;

	if (sc->kind != NULL ? !entity_judged(p->entity) :
	    strncmp(p->entity, "collector:", 10) != 0)
		return 0;
	if (se == NULL || strcmp(se->entity, p->entity) != 0) {
		if ((rc = new_series(sc, p->entity)) != 0)
			return rc;
		se = sc->cur;
	}
	if (se->n == se->cap) {
		size_t cap = se->cap;

		if (ll_grow(&se->t, &cap, se->n + 1, sizeof(*se->t)) != 0 ||
		    ll_grow(&se->v, &se->cap, se->n + 1, sizeof(*se->v)) != 0)
			return LL_ENOMEM;
		if (cap < se->cap)
			return LL_ENOMEM;
	}
	se->t[se->n] = p->time;
	se->v[se->n] = p->value;
	se->n++;
	return 0;
}

/* The signals the store holds, with a kind or guarding one. */
struct sigs {
	char	(*name)[STORE_KEY_MAX];
	size_t	 n, cap;
	int64_t	 last;		/* latest point of a judged series */
	int64_t	 first;
	const struct detect_opts *o;
};

static int
on_series(void *ctx, const struct store_series *ser)
{
	struct sigs *g = ctx;
	bool judged = detect_kind_find(g->o->kinds, g->o->nkinds,
	    ser->signal) != NULL;

	if (!judged && !is_health(ser->signal))
		return 0;
	if (judged && entity_judged(ser->entity)) {
		if (ser->last > g->last)
			g->last = ser->last;
		if (ser->first < g->first)
			g->first = ser->first;
	}
	if (g->n > 0 && strcmp(g->name[g->n - 1], ser->signal) == 0)
		return 0;
	if (ll_grow(&g->name, &g->cap, g->n + 1, sizeof(*g->name)) != 0)
		return LL_ENOMEM;
	snprintf(g->name[g->n++], STORE_KEY_MAX, "%s", ser->signal);
	return 0;
}

static int
cmp_series(const void *a, const void *b)
{
	const struct dseries *x = a, *y = b;
	int r = strcmp(x->signal, y->signal);

	return r != 0 ? r : strcmp(x->entity, y->entity);
}

static int
on_dstate(void *ctx, const struct store_dstate *d)
{
	struct dctx *c = ctx;
	struct dseries key = { .signal = (char *)(uintptr_t)d->signal,
	    .entity = (char *)(uintptr_t)d->entity };
	struct dseries *se;

	se = bsearch(&key, c->ser, c->nser, sizeof(*c->ser), cmp_series);
	if (se == NULL || se->kind == NULL)
		return 0;
	if (strcmp(d->detector, "ioda") == 0) {
		se->last = d->last;
		se->level = d->level;
		se->run = d->run;
	} else if (strcmp(d->detector, "pinned") == 0) {
		se->plevel = d->level;
		se->prun = d->run;
	}
	return 0;
}

int
det_base_add(struct dctx *c, const struct store_baseline *b)
{
	struct dbase *x = det_base_find(c, b->signal, b->entity);

	if (x == NULL) {
		if (ll_grow(&c->base, &c->capbase, c->nbase + 1,
		    sizeof(*c->base)) != 0)
			return LL_ENOMEM;
		x = &c->base[c->nbase++];
		memset(x, 0, sizeof(*x));
		if ((x->signal = dup(b->signal)) == NULL ||
		    (x->entity = dup(b->entity)) == NULL)
			return LL_ENOMEM;
	}
	free(x->who);
	if ((x->who = dup(b->who)) == NULL)
		return LL_ENOMEM;
	x->from = b->from;
	x->to = b->to;
	x->value = b->value;
	return 0;
}

static int
on_base(void *ctx, const struct store_baseline *b)
{
	return det_base_add(ctx, b);
}

struct dbase *
det_base_find(struct dctx *c, const char *signal, const char *entity)
{
	size_t i;

	for (i = 0; i < c->nbase; i++)
		if (strcmp(c->base[i].signal, signal) == 0 &&
		    strcmp(c->base[i].entity, entity) == 0)
			return &c->base[i];
	return NULL;
}

static int
on_gap(void *ctx, const struct store_gap *g)
{
	struct dctx *c = ctx;
	struct dgap *x;

	if (ll_grow(&c->gap, &c->capgap, c->ngap + 1, sizeof(*c->gap)) != 0)
		return LL_ENOMEM;
	x = &c->gap[c->ngap++];
	x->from = g->from;
	x->to = g->to;
	return (x->signal = dup(g->signal)) == NULL ? LL_ENOMEM : 0;
}

static int
on_engine(void *ctx, const struct store_dstate *d)
{
	struct dctx *c = ctx;

	if (strcmp(d->detector, "engine") == 0)
		c->engine = d->last;
	return 0;
}

/* The first bin to judge: after the last run, or opts' from. */
static int64_t
first_bin(struct dctx *c, int64_t first)
{
	int64_t start = c->engine != INT64_MIN ? c->engine + c->o.bin : first;

	if (c->o.from != 0 && c->o.from > start)
		start = c->o.from;
	return start - start % c->o.bin;
}

/* How far back a run needs kind's points (NULL: a health series). */
static int64_t
history_of(const struct detect_opts *o, const struct detect_kind *k)
{
	int64_t w = k != NULL ? k->window : 86400;

	if (k != NULL && k->seasonal && (int64_t)o->weeks * 7 * 86400 > w)
		w = (int64_t)o->weeks * 7 * 86400;
	return w;
}

/* The longest history any kind needs. */
static int64_t
max_window(const struct detect_opts *o)
{
	int64_t w = 86400, k;
	size_t i;

	for (i = 0; i < o->nkinds; i++)
		if ((k = history_of(o, &o->kinds[i])) > w)
			w = k;
	return w;
}

/*
 * Loads what a run needs. Two passes over the signals: their extent
 * first (to find the bins to judge), then their points from one window
 * before the first bin.
 */
int
det_load(struct dctx *c)
{
	struct sigs g = { .last = INT64_MIN, .first = INT64_MAX, .o = &c->o };
	struct scan sc = { .c = c };
	int64_t w = max_window(&c->o), to;
	size_t i;
	int rc;

	if ((rc = store_series_list(c->s, NULL, on_series, &g)) != 0)
		goto out;
	c->start = c->end = 0;
	c->engine = INT64_MIN;
	if (g.last == INT64_MIN)
		goto out;
	to = c->o.to != 0 ? c->o.to : g.last + c->o.bin;
	if ((rc = store_dstate_list(c->s, on_engine, c)) != 0)
		goto out;
	c->start = first_bin(c, g.first);
	c->end = to;
	if (c->start >= c->end)
		goto out;
	for (i = 0; i < g.n && rc == 0; i++) {
		sc.signal = g.name[i];
		sc.kind = detect_kind_find(c->o.kinds, c->o.nkinds, g.name[i]);
		sc.cur = NULL;
		rc = store_points_scan(c->s, g.name[i], NULL, c->start -
		    history_of(&c->o, sc.kind), to, on_point, &sc);
	}
	if (rc == 0 && c->nser > 0) {
		qsort(c->ser, c->nser, sizeof(*c->ser), cmp_series);
		rc = store_dstate_list(c->s, on_dstate, c);
	}
	if (rc == 0)
		rc = store_baseline_list(c->s, NULL, on_base, c);
	if (rc == 0)
		rc = store_gap_list(c->s, NULL, c->start - w, c->end, on_gap,
		    c);
out:
	free(g.name);
	return rc;
}

void
det_free(struct dctx *c)
{
	size_t i;

	for (i = 0; i < c->nser; i++) {
		free(c->ser[i].signal);
		free(c->ser[i].entity);
		free(c->ser[i].t);
		free(c->ser[i].v);
	}
	for (i = 0; i < c->nbase; i++) {
		free(c->base[i].signal);
		free(c->base[i].entity);
		free(c->base[i].who);
	}
	for (i = 0; i < c->ngap; i++)
		free(c->gap[i].signal);
	free(c->ser);
	free(c->base);
	free(c->gap);
	free(c->inc);
	free(c->scratch);
	free(c->sv);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of v[0..n) (n > 0), without changing v. */
int
det_median(struct dctx *c, const double *v, size_t n, double *out)
{
	if (ll_grow(&c->scratch, &c->capscratch, n, sizeof(double)) != 0)
		return LL_ENOMEM;
	memcpy(c->scratch, v, n * sizeof(double));
	qsort(c->scratch, n, sizeof(double), cmp_double);
	*out = n % 2 ? c->scratch[n / 2] :
	    (c->scratch[n / 2 - 1] + c->scratch[n / 2]) / 2;
	return 0;
}

/* Moves se's cursors to bin t: history is [lo, cur), t's point at cur. */
void
det_window(struct dseries *se, int64_t t, int64_t window)
{
	while (se->lo < se->n && se->t[se->lo] < t - window)
		se->lo++;
	if (se->cur < se->lo)
		se->cur = se->lo;
	while (se->cur < se->n && se->t[se->cur] < t)
		se->cur++;
}

/* True when a health series of signal's family fell in bin t. */
static bool
health_fell(struct dctx *c, const char *fam, size_t flen, int64_t t)
{
	double med;
	size_t i;

	for (i = 0; i < c->nser; i++) {
		struct dseries *se = &c->ser[i];

		if (se->kind != NULL || strncmp(se->signal, fam, flen) != 0 ||
		    se->signal[flen] != '.')
			continue;
		det_window(se, t, 86400);
		if (se->cur >= se->n || se->t[se->cur] != t ||
		    se->cur - se->lo < (size_t)c->o.min_history)
			continue;
		if (det_median(c, se->v + se->lo, se->cur - se->lo, &med) != 0)
			return true;
		if (se->v[se->cur] < c->o.health_drop * med)
			return true;
	}
	return false;
}

/*
 * The data-quality guard for bin t of signal: a collector's health fell,
 * or the bin lies in a coverage gap of the signal's family.
 */
bool
det_guarded(struct dctx *c, const char *signal, int64_t t)
{
	size_t flen = strcspn(signal, "."), i;

	if (!((flen == 3 || flen == 4) && strncmp(signal, "bgp", 3) == 0))
		return false;
	for (i = 0; i < c->ngap; i++)
		if (strncmp(c->gap[i].signal, signal, flen) == 0 &&
		    c->gap[i].signal[flen] == '\0' && c->gap[i].from <
		    t + c->o.bin && c->gap[i].to > t)
			return true;
	return health_fell(c, signal, flen, t);
}
