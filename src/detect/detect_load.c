/*
 * Detection's inputs in memory: the series (points from one history
 * window before the first bin judged), the detectors' state, pinned
 * baselines and coverage gaps; the median and the data-quality guard.
 */
#include <stddef.h>
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

/*
 * The series come from the series list (with their extents); their points
 * are loaded block by block as the run moves through the bins (det_feed),
 * each block of a signal in one scan, so memory holds one history window
 * and one block per series, not the whole period.
 */
#define DET_BLOCK	86400	/* seconds of points a scan loads */

static int
new_series(struct dctx *c, const struct store_series *ser,
    const struct detect_kind *kind)
{
	struct dseries *se;

	if (ll_grow(&c->ser, &c->capser, c->nser + 1, sizeof(*c->ser)) != 0)
		return LL_ENOMEM;
	se = &c->ser[c->nser];
	memset(se, 0, sizeof(*se));
	se->kind = kind;
	se->last = INT64_MIN;
	se->base = SIZE_MAX;
	se->first = ser->first;
	se->end = ser->last + 1;
	se->signal = dup(ser->signal);
	se->entity = dup(ser->entity);
	c->nser++;
	if (se->signal == NULL || se->entity == NULL)
		return LL_ENOMEM;
	return 0;
}

/* The signals the store holds, with a kind or guarding one. */
struct sigs {
	struct dctx *c;
	int64_t	 last;		/* latest point of a judged series */
	int64_t	 first;
};

static int
on_series(void *ctx, const struct store_series *ser)
{
	struct sigs *g = ctx;
	const struct detect_kind *k = detect_kind_find(g->c->o.kinds,
	    g->c->o.nkinds, ser->signal);

	if (k == NULL && !is_health(ser->signal))
		return 0;
	if (k != NULL && entity_judged(ser->entity)) {
		if (ser->last > g->last)
			g->last = ser->last;
		if (ser->first < g->first)
			g->first = ser->first;
	}
	if (k != NULL ? !entity_judged(ser->entity) :
	    strncmp(ser->entity, "collector:", 10) != 0)
		return 0;
	return new_series(g->c, ser, k);
}

static int
cmp_series(const void *a, const void *b)
{
	const struct dseries *x = a, *y = b;
	int r = strcmp(x->signal, y->signal);

	return r != 0 ? r : strcmp(x->entity, y->entity);
}

/* The series of (signal, entity) in memory, or NULL. */
struct dseries *
det_series_find(struct dctx *c, const char *signal, const char *entity)
{
	struct dseries key = { .signal = (char *)(uintptr_t)signal,
	    .entity = (char *)(uintptr_t)entity };

	return c->nser == 0 ? NULL : bsearch(&key, c->ser, c->nser,
	    sizeof(*c->ser), cmp_series);
}

static int
on_dstate(void *ctx, const struct store_dstate *d)
{
	struct dctx *c = ctx;
	struct dseries *se = det_series_find(c, d->signal, d->entity);

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
	struct dseries *se;

	if (x == NULL) {
		if (ll_grow(&c->base, &c->capbase, c->nbase + 1,
		    sizeof(*c->base)) != 0)
			return LL_ENOMEM;
		x = &c->base[c->nbase++];
		memset(x, 0, sizeof(*x));
		if ((x->signal = dup(b->signal)) == NULL ||
		    (x->entity = dup(b->entity)) == NULL)
			return LL_ENOMEM;
		if ((se = det_series_find(c, b->signal, b->entity)) != NULL)
			se->base = (size_t)(x - c->base);
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

static void
series_free(struct dseries *se)
{
	free(se->signal);
	free(se->entity);
	free(se->t);
	free(se->v);
	free(se->sw);
	free(se->pmed);
}

/* Keeps the series keep() holds to (ser sorted); the indexes of health
 * series and of signals are made anew. */
static int
prune(struct dctx *c, bool (*keep)(const struct dctx *,
    const struct dseries *))
{
	size_t i, n = 0;

	for (i = 0; i < c->nser; i++) {
		if (!keep(c, &c->ser[i]))
			series_free(&c->ser[i]);
		else
			c->ser[n++] = c->ser[i];
	}
	c->nser = n;
	free(c->health);
	free(c->sigfirst);
	c->health = c->sigfirst = NULL;
	c->nhealth = c->nsig = 0;
	if (n > 0 && ((c->health = calloc(n, sizeof(*c->health))) == NULL ||
	    (c->sigfirst = calloc(n, sizeof(*c->sigfirst))) == NULL))
		return LL_ENOMEM;
	for (i = 0; i < n; i++) {
		if (c->ser[i].kind == NULL)
			c->health[c->nhealth++] = i;
		if (i == 0 || strcmp(c->ser[i].signal, c->ser[i - 1].signal))
			c->sigfirst[c->nsig++] = i;
	}
	return 0;
}

static bool
keep_none(const struct dctx *c, const struct dseries *se)
{
	(void)c;
	(void)se;
	return false;
}

/* A series with points in the history of the first bin, or later. */
static bool
keep_in_range(const struct dctx *c, const struct dseries *se)
{
	return se->end > c->start - history_of(&c->o, se->kind) &&
	    se->first < c->end;
}

/* Once every point is loaded: one that had none in the run's range is
 * not part of it. */
static bool
keep_fed(const struct dctx *c, const struct dseries *se)
{
	(void)c;
	return se->fed;
}

/*
 * Prepares a run: the bins to judge, the series (their points come later,
 * block by block, from det_feed), their state, the baselines and the
 * coverage gaps.
 */
int
det_load(struct dctx *c)
{
	struct sigs g = { .c = c, .last = INT64_MIN, .first = INT64_MAX };
	int64_t w = max_window(&c->o);
	int rc;

	c->start = c->end = 0;
	c->engine = INT64_MIN;
	c->loaded = INT64_MIN;
	if ((rc = store_series_extent(c->s, NULL, on_series, &g)) != 0 ||
	    g.last == INT64_MIN)
		return rc != 0 ? rc : prune(c, keep_none);
	if ((rc = store_dstate_list(c->s, on_engine, c)) != 0)
		return rc;
	c->start = first_bin(c, g.first);
	c->end = c->o.to != 0 ? c->o.to : g.last + c->o.bin;
	if (c->start >= c->end)
		return prune(c, keep_none);
	qsort(c->ser, c->nser, sizeof(*c->ser), cmp_series);
	if ((rc = prune(c, keep_in_range)) == 0 && c->nser > 0)
		rc = store_dstate_list(c->s, on_dstate, c);
	if (rc == 0)
		rc = store_baseline_list(c->s, NULL, on_base, c);
	if (rc == 0)
		rc = store_gap_list(c->s, NULL, c->start - w, c->end, on_gap,
		    c);
	return rc;
}

/* Loading one block of one signal: the series of the signal are
 * ser[i..end), in the order the scan gives their points. */
struct scan {
	struct dctx	*c;
	size_t		 i, lo, hi;
	struct dseries	*cur;
	char		 miss[STORE_KEY_MAX];	/* an entity not judged */
};

static struct dseries *
scan_find(struct scan *sc, const char *entity)
{
	struct dseries *ser = sc->c->ser, key = { .entity =
	    (char *)(uintptr_t)entity };
	int r = 1;

	if (strcmp(sc->miss, entity) == 0)
		return NULL;
	while (sc->i < sc->hi && (r = strcmp(ser[sc->i].entity, entity)) < 0)
		sc->i++;
	if (r == 0)
		return &ser[sc->i];
	/* not there, or the store gave another order */
	key.signal = ser[sc->lo].signal;
	sc->cur = bsearch(&key, ser + sc->lo, sc->hi - sc->lo, sizeof(*ser),
	    cmp_series);
	if (sc->cur != NULL)
		sc->i = (size_t)(sc->cur - ser);
	else
		snprintf(sc->miss, sizeof(sc->miss), "%s", entity);
	return sc->cur;
}

static int
on_point(void *ctx, const struct store_point *p)
{
	struct scan *sc = ctx;
	struct dseries *se = sc->cur;

	if (se == NULL || strcmp(se->entity, p->entity) != 0) {
		if ((se = sc->cur = scan_find(sc, p->entity)) == NULL)
			return 0;
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
	se->fed = true;
	return 0;
}

/* Drops the points of se that no bin from t on needs: before its history
 * window, and not in the rolling median's (when that is a quarter of
 * what stays, so that each point moves a few times at most). */
static void
compact(struct dctx *c, struct dseries *se, int64_t t)
{
	int64_t keep = t - history_of(&c->o, se->kind);
	size_t lo = 0, hi = se->n;

	if (se->kind == NULL)
		det_window(se, t, 86400);
	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;

		if (se->t[m] < keep)
			lo = m + 1;
		else
			hi = m;
	}
	if (lo > se->lo)
		lo = se->lo;
	if (se->nsw > 0 && lo > se->mlo)
		lo = se->mlo;
	if (lo > 0 && 4 * lo >= se->n - lo)
		det_shift(se, lo);
}

/* Loads the points of every series in [from, to), signal by signal (a
 * series' own history from kfrom(kind) when from is INT64_MIN). */
static int
feed_block(struct dctx *c, int64_t from, int64_t to)
{
	struct scan sc = { .c = c };
	int64_t f;
	int rc = 0;

	for (sc.lo = 0; sc.lo < c->nser && rc == 0; sc.lo = sc.hi) {
		sc.hi = sc.lo + 1;
		while (sc.hi < c->nser && strcmp(c->ser[sc.hi].signal,
		    c->ser[sc.lo].signal) == 0)
			sc.hi++;
		sc.i = sc.lo;
		sc.cur = NULL;
		sc.miss[0] = '\0';
		f = from != INT64_MIN ? from : c->start -
		    history_of(&c->o, c->ser[sc.lo].kind);
		rc = store_points_scan(c->s, c->ser[sc.lo].signal, NULL, f, to,
		    on_point, &sc);
	}
	return rc;
}

/*
 * Makes bin t's points and history available: when t is past what is
 * loaded, drops the points no later bin needs, loads the next block (up
 * to a day boundary) and works out the block's medians. Once the last
 * block is in, series without a point in the run's range are dropped.
 * Returns 0, LL_ENOMEM, LL_EDB.
 */
int
det_feed(struct dctx *c, int64_t t)
{
	int64_t to = t - (t % DET_BLOCK + DET_BLOCK) % DET_BLOCK + DET_BLOCK;
	size_t i;
	int rc;

	if (t < c->loaded && c->loaded != INT64_MIN)
		return 0;
	if (to > c->end)
		to = c->end;
	for (i = 0; i < c->nser && c->loaded != INT64_MIN; i++)
		compact(c, &c->ser[i], t);
	if ((rc = feed_block(c, c->loaded, to)) != 0 ||
	    (rc = det_premed(c, t, to)) != 0)
		return rc;
	c->loaded = to;
	if (to == c->end && (rc = prune(c, keep_fed)) == 0)
		det_open_index(c);
	return rc;
}

void
det_free(struct dctx *c)
{
	size_t i;

	for (i = 0; i < c->nser; i++)
		series_free(&c->ser[i]);
	for (i = 0; i < c->nbase; i++) {
		free(c->base[i].signal);
		free(c->base[i].entity);
		free(c->base[i].who);
	}
	for (i = 0; i < c->ngap; i++)
		free(c->gap[i].signal);
	free(c->ser);
	free(c->health);
	free(c->sigfirst);
	free(c->base);
	free(c->gap);
	free(c->inc);
	free(c->scratch);
	free(c->sv);
}

/* Moves se's cursors to bin t: history is [lo, cur), t's point at cur. */
void
det_window(struct dseries *se, int64_t t, int64_t window)
{
	se->bt = t;
	se->bwin = window;
	while (se->lo < se->n && se->t[se->lo] < t - window)
		se->lo++;
	if (se->cur < se->lo)
		se->cur = se->lo;
	while (se->cur < se->n && se->t[se->cur] < t)
		se->cur++;
}

/* Asks the cache for what judging the series after ser[i] will read:
 * the hot part of ser[i + 8], the points at the cursors and the median
 * ahead of ser[i + 4]. */
void
det_prefetch(const struct dctx *c, size_t i)
{
	const struct dseries *se;
	const char *p;

	if (i + 8 < c->nser) {
		p = (const char *)&c->ser[i + 8];
		__builtin_prefetch(p);
		__builtin_prefetch(p + 64);
		__builtin_prefetch(p + 128);
		__builtin_prefetch(p + offsetof(struct dseries, smedian));
	}
	if (i + 4 >= c->nser || (se = &c->ser[i + 4])->n == 0)
		return;
	__builtin_prefetch(se->t + (se->cur < se->n ? se->cur : se->n - 1));
	__builtin_prefetch(se->t + se->lo);
	__builtin_prefetch(se->v + (se->cur < se->n ? se->cur : se->n - 1));
	if (se->pk + 1 < se->pn)
		__builtin_prefetch(se->pmed + se->pk + 1);
}

/* True when a health series of signal's family fell in bin t. */
static bool
health_fell(struct dctx *c, const char *fam, size_t flen, int64_t t)
{
	double med;
	size_t i;

	for (i = 0; i < c->nhealth; i++) {
		struct dseries *se = &c->ser[c->health[i]];

		if (strncmp(se->signal, fam, flen) != 0 ||
		    se->signal[flen] != '.')
			continue;
		det_window(se, t, 86400);
		if (se->cur >= se->n || se->t[se->cur] != t ||
		    se->cur - se->lo < (size_t)c->o.min_history)
			continue;
		if (det_rmedian(se, &med) != 0)
			return true;
		if (se->v[se->cur] < c->o.health_drop * med)
			return true;
	}
	return false;
}

static bool
guarded(struct dctx *c, const char *signal, size_t flen, int64_t t)
{
	size_t i;

	for (i = 0; i < c->ngap; i++)
		if (strncmp(c->gap[i].signal, signal, flen) == 0 &&
		    c->gap[i].signal[flen] == '\0' && c->gap[i].from <
		    t + c->o.bin && c->gap[i].to > t)
			return true;
	return health_fell(c, signal, flen, t);
}

/*
 * The data-quality guard for bin t of signal: a collector's health fell,
 * or the bin lies in a coverage gap of the signal's family. A family's
 * verdict for a bin is worked out once and kept.
 */
bool
det_guarded(struct dctx *c, const char *signal, int64_t t)
{
	const size_t nslot = sizeof(c->guard) / sizeof(c->guard[0]);
	size_t flen = strcspn(signal, "."), i;
	struct dguard *g = NULL;

	if (!((flen == 3 || flen == 4) && strncmp(signal, "bgp", 3) == 0))
		return false;
	for (i = 0; i < nslot; i++) {
		g = &c->guard[i];
		if (g->fam[0] == '\0' || (strncmp(g->fam, signal, flen) == 0 &&
		    g->fam[flen] == '\0'))
			break;
	}
	if (i == nslot) {
		g = &c->guard[0];
		g->fam[0] = '\0';
	}
	if (g->fam[0] == '\0' || g->t != t) {
		memcpy(g->fam, signal, flen);
		g->fam[flen] = '\0';
		g->t = t;
		g->val = guarded(c, signal, flen, t);
	}
	return g->val;
}
