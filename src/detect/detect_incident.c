/*
 * The incident engine: alerts of one bin merge into incidents (by entity,
 * by a common onset), which then follow the lifecycle detected ->
 * (verified) -> ongoing -> partially restored -> restored, measured
 * against the pinned baseline where there is one. The system pins a
 * country's baseline itself when it joins an incident. Analysts verify
 * and close (detect_incident_mark). docs/methodology.md has the rules.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect_int.h"
#include "util/err.h"
#include "util/grow.h"

/* Recurrence: an outage of the same entity at the same time of day
 * (within DET_RECUR_TOD) 12 hours to 7 days after another. */
#define DET_RECUR_SPAN	(7 * 86400 + 3600)
#define DET_RECUR_TOD	3600
/* A country's loss at most this times its one AS's is that AS's. */
#define DET_AS_SHARE	1.1

/* True when the comma-separated list holds item. */
bool
det_inc_has(const char *list, const char *item)
{
	size_t n = strlen(item);
	const char *p = list;

	while ((p = strstr(p, item)) != NULL) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

/* Adds item to the list (room for cap bytes); false when full. */
static bool
list_add(char *list, size_t cap, const char *item)
{
	size_t len = strlen(list), n = strlen(item);

	if (det_inc_has(list, item))
		return true;
	if (len + n + 2 > cap)
		return false;
	if (len > 0)
		list[len++] = ',';
	memcpy(list + len, item, n + 1);
	return true;
}

static void
inc_strings(struct dinc *d)
{
	d->row.cls = d->cls;
	d->row.state = d->state;
	d->row.severity = d->severity;
	d->row.scope = d->scope;
	d->row.signals = d->signals;
}

static int
on_incident(void *ctx, const struct store_incident *i)
{
	struct dctx *c = ctx;
	struct dinc *d;

	/* open ones, and those of the last week (recurrence) */
	if (i->end != 0 && i->start < c->start - DET_RECUR_SPAN)
		return 0;
	if (i->end == 0 && strcmp(i->state, "closed") == 0)
		return 0;
	if (ll_grow(&c->inc, &c->capinc, c->ninc + 1, sizeof(*c->inc)) != 0)
		return LL_ENOMEM;
	d = &c->inc[c->ninc++];
	memset(d, 0, sizeof(*d));
	d->row = *i;
	snprintf(d->cls, sizeof(d->cls), "%s", i->cls);
	snprintf(d->state, sizeof(d->state), "%s", i->state);
	snprintf(d->severity, sizeof(d->severity), "%s", i->severity);
	snprintf(d->scope, sizeof(d->scope), "%s", i->scope);
	snprintf(d->signals, sizeof(d->signals), "%s", i->signals);
	d->wide = strncmp(i->cls, "network-specific", 16) != 0;
	inc_strings(d);
	return 0;
}

/* Loads the open incidents (a run follows only those). */
int
det_incidents_load(struct dctx *c)
{
	int rc = store_incident_list(c->s, 0, on_incident, c);

	if (rc == 0)
		det_open_index(c);
	return rc;
}

int
det_incidents_save(struct dctx *c)
{
	size_t i;
	int rc;

	for (i = 0; i < c->ninc; i++) {
		if (!c->inc[i].dirty)
			continue;
		inc_strings(&c->inc[i]);
		if ((rc = store_incident_put(c->s, &c->inc[i].row)) != 0)
			return rc;
		c->inc[i].dirty = false;
	}
	return 0;
}

/* Records a transition of d at time t by the system, and announces it. */
static int
transit(struct dctx *c, struct dinc *d, const char *state, int64_t t)
{
	struct store_transition tr = { .incident = d->row.id, .time = t,
	    .state = state, .who = "system", .note = "" };
	int rc;

	snprintf(d->state, sizeof(d->state), "%s", state);
	inc_strings(d);
	d->dirty = true;
	if ((rc = store_incident_put(c->s, &d->row)) != 0 ||
	    (rc = store_transition_put(c->s, &tr)) != 0)
		return rc;
	if (c->fn != NULL)
		c->fn(c->fnctx, &d->row, &tr);
	return 0;
}

/* The country code an entity names ("EG" of country:EG, region:EG-C),
 * "" for others. */
static void
entity_cc(const char *e, char cc[3])
{
	const char *p = NULL;

	cc[0] = '\0';
	if (strncmp(e, "country:", 8) == 0)
		p = e + 8;
	else if (strncmp(e, "region:", 7) == 0)
		p = e + 7;
	if (p != NULL && strlen(p) >= 2) {
		cc[0] = p[0];
		cc[1] = p[1];
		cc[2] = '\0';
	}
}

/* True when no entity of the scope names another country than e. */
static bool
same_country(const char *scope, const char *e)
{
	char cc[3], other[3], item[STORE_KEY_MAX];
	const char *p = scope;
	size_t n;

	entity_cc(e, cc);
	if (cc[0] == '\0')
		return true;
	while (*p != '\0') {
		n = strcspn(p, ",");
		snprintf(item, sizeof(item), "%.*s", (int)n, p);
		entity_cc(item, other);
		if (other[0] != '\0' && strcmp(other, cc) != 0)
			return false;
		p += n + (p[n] == ',');
	}
	return true;
}

/* True when the scope's ASes are one AS (copied to as). */
static bool
one_as(const char *scope, char *as, size_t cap)
{
	char item[STORE_KEY_MAX] = "";
	const char *p = scope;
	size_t n;
	int k = 0;

	for (; *p != '\0'; p += n + (p[n] == ',')) {
		n = strcspn(p, ",");
		if (n < 4 || strncmp(p, "asn:", 4) != 0)
			continue;
		if (k++ > 0 && (strlen(item) != n || strncmp(item, p, n) != 0))
			return false;
		snprintf(item, sizeof(item), "%.*s", (int)n, p);
	}
	if (as != NULL)
		snprintf(as, cap, "%s", item);
	return k > 0;
}

/* The scope's level and the kind of loss, by the documented rules:
 * throttling when the incident opened on a throttling verdict, until a
 * reachability series in scope is critical; then, and otherwise, a
 * shutdown, or infrastructure damage when it lasts and is partly back. */
static void
classify(struct dctx *c, struct dinc *d, int64_t t)
{
	const char *level = "network-specific", *kind = "shutdown";
	bool thr = strstr(d->cls, "throttling") != NULL ||
	    (d->fresh && d->throttle);

	if (!d->wide && one_as(d->scope, NULL, 0))
		level = "network-specific";
	else if (strstr(d->scope, "country:") != NULL)
		level = "nationwide";
	else if (strstr(d->scope, "region:") != NULL)
		level = "regional";
	if (thr && !d->reach)
		kind = "throttling";
	else if (t - d->row.start > 7 * 86400 &&
	    d->row.restored >= 100 * c->o.kinds[0].crit)
		kind = "infrastructure damage";
	snprintf(d->cls, sizeof(d->cls), "%s %s", level, kind);
}

/* The source a supporting signal ("ndt.down:perf", "bgp6:ioda") comes
 * from: its kind without "series." or "ioda.", IODA's names mapped to
 * ours (ping-slash24: probe, merit-nt and ucsd-nt: telescope), up to the
 * first dot, without a trailing 6 (bgp6 is BGP). */
static void
source_of(const char *p, size_t n, char *out, size_t cap)
{
	static const char *const alias[][2] = { { "ping-slash24", "probe" },
	    { "merit-nt", "telescope" }, { "ucsd-nt", "telescope" } };
	size_t k, i;

	if (n > 7 && strncmp(p, "series.", 7) == 0)
		p += 7, n -= 7;
	else if (n > 5 && strncmp(p, "ioda.", 5) == 0)
		p += 5, n -= 5;
	k = strcspn(p, ".:,");
	if (k > n)
		k = n;
	for (i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (strlen(alias[i][0]) == k && strncmp(p, alias[i][0], k) == 0) {
			snprintf(out, cap, "%s", alias[i][1]);
			return;
		}
	if (k > 0 && p[k - 1] == '6')
		k--;
	snprintf(out, cap, "%.*s", (int)k, p);
}

/* Independent sources among the supporting signals (source_of): n of
 * them give 1 - 2^-n. */
static double
confidence(const char *signals)
{
	char seen[STORE_TEXT_MAX] = "", kind[STORE_KEY_MAX];
	const char *p = signals;
	int n = 0;
	size_t k;

	while (*p != '\0') {
		k = strcspn(p, ",");
		source_of(p, k, kind, sizeof(kind));
		if (kind[0] != '\0' && !det_inc_has(seen, kind) &&
		    list_add(seen, sizeof(seen), kind))
			n++;
		p += k;
		p += *p == ',';
	}
	return 1 - ldexp(1, -n);
}

/* Pins a country's baseline at its incident's opening: the median of
 * the history window the ioda detector just used. */
static int
auto_pin(struct dctx *c, const struct dseries *se, int64_t t)
{
	struct store_baseline b = { .signal = se->signal,
	    .entity = se->entity, .from = se->t[se->lo], .to = t,
	    .value = se->median, .who = "system" };
	const struct dbase *x = det_base_find(c, se->signal, se->entity);
	int rc;

	if (strncmp(se->entity, "country:", 8) != 0 || se->median <= 0 ||
	    se->cur == se->lo || (x != NULL && strcmp(x->who, "system") != 0))
		return 0;
	if ((rc = store_baseline_put(c->s, &b)) != 0)
		return rc;
	return det_base_add(c, &b);
}

/* Seconds between the times of day of a and b (0 .. 12 h). */
static int64_t
tod_apart(int64_t a, int64_t b)
{
	int64_t d = ((a - b) % 86400 + 86400) % 86400;

	return d > 43200 ? 86400 - d : d;
}

/* Joins d, just opened on entity at t, to the campaign of the latest
 * earlier incident of the entity at the same time of day. */
static void
recurrence(struct dctx *c, struct dinc *d, const char *entity, int64_t t)
{
	struct dinc *o, *best = NULL;
	size_t i;

	for (i = 0; i < c->ninc; i++) {
		o = &c->inc[i];
		if (o == d || o->row.id == 0 || t - o->row.start < 43200 ||
		    t - o->row.start > DET_RECUR_SPAN ||
		    tod_apart(o->row.start, t) > DET_RECUR_TOD ||
		    !det_inc_has(o->scope, entity))
			continue;
		if (best == NULL || o->row.start > best->row.start)
			best = o;
	}
	if (best == NULL)
		return;
	if (best->row.campaign == 0 && strcmp(best->state, "closed") != 0) {
		best->row.campaign = best->row.id;
		best->dirty = true;
	}
	d->row.campaign = best->row.campaign != 0 ? best->row.campaign :
	    best->row.id;
}

static struct dinc *
inc_open(struct dctx *c, const struct dseries *se, int64_t t, int *rc)
{
	struct dinc *d;

	if ((*rc = ll_grow(&c->inc, &c->capinc, c->ninc + 1,
	    sizeof(*c->inc))) != 0)
		return NULL;
	d = &c->inc[c->ninc++];
	memset(d, 0, sizeof(*d));
	d->row.start = d->row.last = t;
	snprintf(d->severity, sizeof(d->severity), "critical");
	snprintf(d->cls, sizeof(d->cls), "network-specific shutdown");
	list_add(d->scope, sizeof(d->scope), se->entity);
	det_open_mark(c, se->entity, c->ninc - 1);
	d->row.restored = 100;
	inc_strings(d);
	snprintf(d->state, sizeof(d->state), "detected");
	if ((*rc = store_incident_put(c->s, &d->row)) != 0)
		return NULL;
	recurrence(c, d, se->entity, t);
	c->st.opened++;
	return d;
}

/* True when only the seasonal detector finds se critical in this bin. */
static bool
seasonal_only(const struct dseries *se)
{
	return !se->kind->perf && se->slv == DET_CRIT && se->lv < DET_CRIT &&
	    se->plv < DET_CRIT && se->clv < DET_CRIT;
}

/* A restored incident holding se's entity that ended at most
 * reopen_bins of the series' own bins before t: the outage resumed (an
 * hourly speed test back at the baseline for a few points), so it is
 * reopened as ongoing rather than a new one. NULL when there is none. */
static struct dinc *
inc_reopen(struct dctx *c, const struct dseries *se, int64_t t, int *rc)
{
	struct dinc *d;
	size_t i;

	for (i = c->ninc; i-- > 0;) {
		d = &c->inc[i];
		if (d->row.end == 0 || d->row.end > t ||
		    t - d->row.end > (int64_t)c->o.reopen_bins * se->step ||
		    strcmp(d->state, "restored") != 0 ||
		    !det_inc_has(d->scope, se->entity))
			continue;
		d->row.end = 0;
		d->row.run = 0;
		det_open_index(c);
		*rc = transit(c, d, "ongoing", t);
		return *rc == 0 ? d : NULL;
	}
	return NULL;
}

/* The open incident for se's alert at t: by scope, else one whose onset
 * is within merge_bins of t (same country), else a new one on a critical
 * level. NULL when there is none (and *rc 0) or on failure. */
static struct dinc *
inc_for(struct dctx *c, struct dseries *se, int lv, int64_t t, int *rc)
{
	struct dinc *d;
	size_t i;

	*rc = 0;
	if ((d = det_open_find(c, se)) != NULL)
		return d;
	if (lv != DET_CRIT)
		return NULL;
	if (!seasonal_only(se) && ((d = inc_reopen(c, se, t, rc)) != NULL ||
	    *rc != 0))
		return d;
	for (i = 0; i < c->ninc; i++) {
		d = &c->inc[i];
		if (d->row.end == 0 && t - d->row.start <=
		    c->o.merge_bins * se->step && same_country(d->scope,
		    se->entity) && list_add(d->scope, sizeof(d->scope),
		    se->entity)) {
			det_open_mark(c, se->entity, i);
			d->dirty = true;
			*rc = auto_pin(c, se, t);
			return d;
		}
	}
	if (seasonal_only(se)) {
		bool prev;

		/* one bin at the seasonal level alone is a dip, not an
		 * outage: the second in a row opens (IODA waits too) */
		if ((*rc = det_seasonal_prev(c, se, &prev)) != 0 || !prev)
			return NULL;
	}
	if ((d = inc_open(c, se, t, rc)) == NULL)
		return NULL;
	d->fresh = true;
	if ((*rc = auto_pin(c, se, t)) != 0)
		return NULL;
	return d;
}

/* The reference se's value is measured against for restoration: the
 * pinned baseline, else the seasonal expectation, else the history (for
 * a performance kind, its reference, in the direction bad for it). */
static double
evidence_ratio(const struct dseries *se)
{
	if (se->kind->perf)
		return det_ratio(se->kind, se->value, se->ref);
	if (se->plv != DET_NONE)
		return se->value / se->baseline;
	if (se->slv != DET_NONE && se->smedian > 0)
		return se->value / se->smedian;
	return se->median > 0 ? se->value / se->median : 1;
}

static void
evidence_signals(struct dinc *d, const struct dseries *se)
{
	static const char *const det[] = { "ioda", "pinned", "seasonal",
	    "perf", "throttle", "cusum" };
	int lv[] = { se->lv, se->plv, se->slv, se->tlv,
	    se->held ? se->tlv : DET_NONE, se->clv };
	char sig[STORE_KEY_MAX * 2];
	size_t i;

	for (i = se->kind->perf ? 3 : 0; i < 6; i++) {
		if (lv[i] < DET_WARN || (i > 2 && i < 5 && !se->kind->perf))
			continue;
		snprintf(sig, sizeof(sig), "%s:%s", se->signal, det[i]);
		if (list_add(d->signals, sizeof(d->signals), sig))
			d->dirty = true;
	}
}

/* True when signal supports the incident (a "signal:detector" of it). */
static bool
supports(const struct dinc *d, const char *signal)
{
	size_t n = strlen(signal);
	const char *p = d->signals;

	while ((p = strstr(p, signal)) != NULL) {
		if ((p == d->signals || p[-1] == ',') && p[n] == ':')
			return true;
		p += n;
	}
	return false;
}

/* se's level for its incident: a perf verdict opens one only as a
 * throttling verdict (reachability held); DET_NONE: no evidence. */
static int
evidence_level(const struct dseries *se)
{
	int lv;

	if (se->kind->perf) {
		if (se->tlv == DET_NONE)
			return DET_NONE;
		return se->held || se->tlv < DET_CRIT ? se->tlv : DET_WARN;
	}
	if (se->lv == DET_NONE || se->lv == DET_GAP || se->plv == DET_GAP ||
	    se->slv == DET_GAP || se->clv == DET_GAP)
		return DET_NONE;
	lv = se->lv > se->plv ? se->lv : se->plv;
	return se->slv > lv ? se->slv : lv;
}

/* se's last value before t (its history median when the window holds
 * none). */
static double
value_before(const struct dseries *se, int64_t t)
{
	size_t i = se->cur < se->n ? se->cur : se->n;

	while (i > 0 && se->t[i - 1] >= t)
		i--;
	return i > 0 ? se->v[i - 1] : se->median;
}

/* True when se (a country's or region's series, critical) lost, since
 * just before d began, no more than DET_AS_SHARE times what the AS's
 * series of the signal lost: the AS explains the drop. */
static bool
explained(struct dctx *c, const struct dinc *d, const struct dseries *se,
    const char *as)
{
	const struct dseries *a = det_series_find(c, se->signal, as);
	double lost;

	if (a == NULL || a->kind == NULL ||
	    (lost = value_before(a, d->row.start) - a->value) <= 0)
		return false;
	return value_before(se, d->row.start) - se->value <=
	    DET_AS_SHARE * lost;
}

/* Sets d->wide when a country or region series in d's scope is critical
 * at reachability beyond what d's one AS lost (the class rule). */
static void
wide_check(struct dctx *c, struct dinc *d)
{
	char as[STORE_KEY_MAX], item[STORE_KEY_MAX];
	const struct dseries *se;
	const char *p = d->scope;
	size_t n, k;

	if (d->wide || !one_as(d->scope, as, sizeof(as))) {
		d->wide = true;
		return;
	}
	for (; *p != '\0' && !d->wide; p += n + (p[n] == ',')) {
		n = strcspn(p, ",");
		if (n >= sizeof(item) || (strncmp(p, "country:", 8) != 0 &&
		    strncmp(p, "region:", 7) != 0))
			continue;
		snprintf(item, sizeof(item), "%.*s", (int)n, p);
		for (k = 0; k < c->nsig && !d->wide; k++) {
			se = det_series_find(c, c->ser[c->sigfirst[k]].signal,
			    item);
			if (se != NULL && se->kind != NULL && !se->kind->perf &&
			    evidence_level(se) == DET_CRIT &&
			    !explained(c, d, se, as))
				d->wide = true;
		}
	}
}

/* Takes se's verdicts at t into its incident. A normal verdict measures
 * restoration only for a signal that supports the incident. */
static int
evidence(struct dctx *c, struct dseries *se, int64_t t)
{
	int lv = evidence_level(se), rc;
	struct dinc *d;
	double r;

	if (lv == DET_NONE)
		return 0;
	if ((d = inc_for(c, se, lv, t, &rc)) == NULL)
		return rc;
	if (lv < DET_WARN && se->clv < DET_WARN && !supports(d, se->signal))
		return 0;
	r = evidence_ratio(se);
	if (se->plv != DET_NONE && !d->pinned) {
		d->pinned = true;
		d->ratio = r;
	} else if (se->plv != DET_NONE || !d->pinned)
		d->ratio = d->seen && r > d->ratio ? d->ratio : r;
	d->seen = true;
	if (d->step == 0 || se->step < d->step)
		d->step = se->step;
	evidence_signals(d, se);
	if (lv >= DET_WARN)
		d->down = true;
	if (lv == DET_CRIT)
		d->crit = 1;
	if (lv == DET_CRIT && !se->kind->perf)
		d->reach = true;
	if (se->held)
		d->throttle = true;
	return 0;
}

/* The lifecycle step of d at bin t, from this bin's evidence. */
static int
lifecycle(struct dctx *c, struct dinc *d, int64_t t)
{
	const char *st = d->state;
	double r = d->ratio > 1 ? 1 : d->ratio;

	d->row.restored = 100 * r;
	d->dirty = true;
	if (d->crit) {
		d->row.last = t;
		d->row.run = 0;
		d->row.score += (1 - r) * 100 * (double)d->step / 60;
		/* an analyst's "verified" stands while it lasts */
		if (strcmp(st, "detected") == 0 ||
		    strcmp(st, "partially restored") == 0)
			return transit(c, d, "ongoing", t);
		return 0;
	}
	if (r >= c->o.restore_level) {
		/* the first bin back: sparse series (hourly speed tests)
		 * give evidence in some bins only */
		if (d->row.run++ == 0)
			d->row.last = t;
		if (d->row.run < c->o.restore_bins)
			return 0;
		d->row.end = d->row.last;
		c->st.restored++;
		return transit(c, d, "restored", d->row.end);
	}
	d->row.run = 0;
	d->row.score += (1 - r) * 100 * (double)d->step / 60;
	if (strcmp(st, "partially restored") != 0)
		return transit(c, d, "partially restored", t);
	return 0;
}

/* The incident engine for bin t, after every series was judged. */
int
det_incidents_bin(struct dctx *c, int64_t t)
{
	size_t i;
	int rc;

	for (i = 0; i < c->ninc; i++)
		c->inc[i].seen = c->inc[i].down = c->inc[i].pinned =
		    c->inc[i].reach = c->inc[i].throttle = false,
		c->inc[i].crit = 0, c->inc[i].step = 0;
	for (i = 0; i < c->nser; i++)
		if (c->ser[i].kind != NULL &&
		    (rc = evidence(c, &c->ser[i], t)) != 0)
			return rc;
	for (i = 0; i < c->ninc; i++) {
		struct dinc *d = &c->inc[i];

		if (d->row.end != 0 || !d->seen)
			continue;
		wide_check(c, d);
		classify(c, d, t);
		d->row.confidence = confidence(d->signals);
		inc_strings(d);
		if (d->fresh) {
			d->fresh = false;
			d->row.restored = 100 * (d->ratio > 1 ? 1 : d->ratio);
			d->row.score = (1 - d->row.restored / 100) * 100 *
			    (double)d->step / 60;
			rc = transit(c, d, "detected", t);
		} else
			rc = lifecycle(c, d, t);
		if (rc != 0)
			return rc;
		classify(c, d, t);
	}
	det_open_index(c);
	return 0;
}

static int
on_mark(void *ctx, const struct store_incident *i)
{
	struct dinc *d = ctx;

	d->row = *i;
	snprintf(d->cls, sizeof(d->cls), "%s", i->cls);
	snprintf(d->state, sizeof(d->state), "%s", i->state);
	snprintf(d->severity, sizeof(d->severity), "%s", i->severity);
	snprintf(d->scope, sizeof(d->scope), "%s", i->scope);
	snprintf(d->signals, sizeof(d->signals), "%s", i->signals);
	inc_strings(d);
	return 0;
}

int
detect_incident_mark(struct store *s, int64_t id, const char *state,
    const char *who, const char *note, int64_t now)
{
	struct store_transition tr = { .incident = id, .time = now,
	    .state = state, .who = who, .note = note != NULL ? note : "" };
	struct dinc *d;
	int rc;

	if (state == NULL || (strcmp(state, "verified") != 0 &&
	    strcmp(state, "closed") != 0))
		return LL_EINVAL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return LL_ENOMEM;
	if ((rc = store_tx_begin(s)) != 0)
		goto out;
	if ((rc = store_incident_list(s, id, on_mark, d)) != 0)
		goto fail;
	if (strcmp(d->state, "closed") == 0) {
		rc = LL_EINVAL;
		goto fail;
	}
	snprintf(d->state, sizeof(d->state), "%s", state);
	if (strcmp(state, "closed") == 0 && d->row.end == 0)
		d->row.end = now;
	if ((rc = store_incident_put(s, &d->row)) != 0 ||
	    (rc = store_transition_put(s, &tr)) != 0)
		goto fail;
	rc = store_tx_commit(s);
	goto out;
fail:
	(void)store_tx_rollback(s);
out:
	free(d);
	return rc;
}
