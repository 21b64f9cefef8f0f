/*
 * Evidence records of incidents: for each state change of an incident
 * (detected, ongoing, partially restored, restored, verified, closed),
 * one record of kind "incident" whose body holds the incident as it stood,
 * the transition, the detector and its parameters, the points of every
 * series involved with the baseline they were measured against, the
 * alerts behind them, and the SHA-256 of every archive and imported file
 * whose data overlaps the range. docs/evidence.md gives the fields.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "evidence/evidence.h"
#include "store/store.h"
#include "util/err.h"
#include "util/time.h"

/* A record holds at most this many series (countries and regions of the
 * scope come first); the rest are counted in series_omitted. */
#define INC_SERIES_MAX	32

/* A comma-separated list as a JSON array of strings. */
static json_t *
list_json(const char *list)
{
	json_t *a = json_array();
	const char *p = list;
	size_t n;

	while (a != NULL && *p != '\0') {
		n = strcspn(p, ",");
		if (n > 0 && json_array_append_new(a, json_stringn(p, n)) != 0) {
			json_decref(a);
			return NULL;
		}
		p += n + (p[n] == ',');
	}
	return a;
}

/* The incident as it stood: the fields of incidents list --format json. */
static json_t *
ev_incident_json(const struct store_incident *i)
{
	char a[LL_ISO8601_LEN], b[LL_ISO8601_LEN];

	ll_time_fmt(i->start, a, sizeof(a));
	if (i->end != 0)
		ll_time_fmt(i->end, b, sizeof(b));
	return json_pack("{s:I, s:s, s:s, s:o, s:s, s:o, s:s, s:f, s:f, "
	    "s:f, s:o, s:o}", "id", (json_int_t)i->id, "class", i->cls,
	    "state", i->state, "scope", list_json(i->scope), "start", a,
	    "end", i->end != 0 ? json_string(b) : json_null(), "severity",
	    i->severity, "confidence", i->confidence, "score", i->score,
	    "restored_percent", i->restored, "signals",
	    list_json(i->signals), "campaign", i->campaign != 0 ?
	    json_integer(i->campaign) : json_null());
}

/* What a record is being built from. */
struct incb {
	const struct store_incident *inc;
	int64_t		 from, to;
	json_t		*series, *alerts, *archives, *points;
	size_t		 omitted;
	struct store	*s;
	char		 sig[STORE_KEY_MAX];	/* the series being read */
	char		 ent[STORE_KEY_MAX];
	double		 pinned;
};

static int
on_point(void *ctx, const struct store_point *p)
{
	struct incb *b = ctx;
	char iso[LL_ISO8601_LEN];

	ll_time_fmt(p->time, iso, sizeof(iso));
	return json_array_append_new(b->points, json_pack("[s, f]", iso,
	    p->value)) == 0 ? 0 : LL_ENOMEM;
}

static int
on_pin(void *ctx, const struct store_baseline *bl)
{
	struct incb *b = ctx;

	if (strcmp(bl->entity, b->ent) == 0)
		b->pinned = bl->value;
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The baseline a chart draws: the pinned one, else the median of the
 * points before the incident's start. */
static json_t *
baseline_json(struct incb *b)
{
	size_t i, n = 0, len = json_array_size(b->points);
	double *v, med;
	char iso[LL_ISO8601_LEN];
	json_t *o;

	if (b->pinned > 0)
		return json_pack("{s:s, s:f}", "how", "pinned", "value",
		    b->pinned);
	if ((v = malloc((len + 1) * sizeof(*v))) == NULL)
		return NULL;
	ll_time_fmt(b->inc->start, iso, sizeof(iso));
	for (i = 0; i < len; i++) {
		json_t *pt = json_array_get(b->points, i);

		if (strcmp(json_string_value(json_array_get(pt, 0)), iso) < 0)
			v[n++] = json_real_value(json_array_get(pt, 1));
	}
	qsort(v, n, sizeof(*v), cmp_double);
	med = n == 0 ? 0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	free(v);
	o = n == 0 ? json_pack("{s:s, s:n}", "how", "none: no point before "
	    "the start", "value") : json_pack("{s:s, s:f}", "how", "median "
	    "of the points before the start", "value", med);
	return o;
}

/* Adds the series (signal, entity) when it has points in the range. */
static int
add_series(struct incb *b, const char *sig, const char *ent)
{
	json_t *bl;
	int rc;

	snprintf(b->sig, sizeof(b->sig), "%s", sig);
	snprintf(b->ent, sizeof(b->ent), "%s", ent);
	b->pinned = 0;
	if ((b->points = json_array()) == NULL)
		return LL_ENOMEM;
	if ((rc = store_points_scan(b->s, sig, ent, b->from, b->to, on_point,
	    b)) != 0 || (rc = store_baseline_list(b->s, sig, on_pin, b)) != 0 ||
	    json_array_size(b->points) == 0) {
		json_decref(b->points);
		return rc;
	}
	if (json_array_size(b->series) == INC_SERIES_MAX) {
		b->omitted++;
		json_decref(b->points);
		return 0;
	}
	if ((bl = baseline_json(b)) == NULL ||
	    json_array_append_new(b->series, json_pack("{s:s, s:s, s:o, "
	    "s:o}", "signal", sig, "entity", ent, "baseline", bl, "points",
	    b->points)) != 0)
		return LL_ENOMEM;
	return 0;
}

/* True when list (comma-separated) holds item. */
static bool
list_has(const char *list, const char *item)
{
	size_t n = strlen(item), m;

	for (const char *p = list; *p != '\0'; p += m + (p[m] == ',')) {
		m = strcspn(p, ",");
		if (m == n && memcmp(p, item, n) == 0)
			return true;
	}
	return false;
}

/* The signal kinds among "kind:detector,..." into kinds (comma list). */
static void
signal_kinds(const char *signals, char *kinds, size_t len)
{
	const char *p, *colon;
	char one[STORE_KEY_MAX];
	size_t n, used = 0;

	kinds[0] = '\0';
	for (p = signals; *p != '\0'; p += n + (p[n] == ',')) {
		n = strcspn(p, ",");
		colon = memrchr(p, ':', n);
		snprintf(one, sizeof(one), "%.*s", (int)(colon != NULL ?
		    (size_t)(colon - p) : n), p);
		if (one[0] == '\0' || list_has(kinds, one) ||
		    used + strlen(one) + 2 > len)
			continue;
		used += (size_t)snprintf(kinds + used, len - used, "%s%s",
		    used > 0 ? "," : "", one);
	}
}

/* Every (kind, entity) of the scope, entities other than ASes and
 * prefixes first. */
static int
all_series(struct incb *b)
{
	char kinds[STORE_TEXT_MAX], one[STORE_KEY_MAX], ent[STORE_KEY_MAX];
	const char *k, *e;
	size_t kn, en;
	int rc, pass;

	signal_kinds(b->inc->signals, kinds, sizeof(kinds));
	for (pass = 0; pass < 2; pass++)
		for (k = kinds; *k != '\0'; k += kn + (k[kn] == ',')) {
			kn = strcspn(k, ",");
			snprintf(one, sizeof(one), "%.*s", (int)kn, k);
			for (e = b->inc->scope; *e != '\0'; e += en +
			    (e[en] == ',')) {
				bool low = strncmp(e, "asn:", 4) == 0 ||
				    strncmp(e, "prefix:", 7) == 0;

				en = strcspn(e, ",");
				if (low != (pass == 1))
					continue;
				snprintf(ent, sizeof(ent), "%.*s", (int)en, e);
				if ((rc = add_series(b, one, ent)) != 0)
					return rc;
			}
		}
	return 0;
}

static int
on_alert(void *ctx, const struct store_alert *a)
{
	struct incb *b = ctx;
	char iso[LL_ISO8601_LEN];
	size_t i;

	for (i = 0; i < json_array_size(b->series); i++) {
		json_t *se = json_array_get(b->series, i);

		if (strcmp(json_string_value(json_object_get(se, "signal")),
		    a->signal) == 0 && strcmp(json_string_value(
		    json_object_get(se, "entity")), a->entity) == 0)
			break;
	}
	if (i == json_array_size(b->series))
		return 0;
	ll_time_fmt(a->time, iso, sizeof(iso));
	return json_array_append_new(b->alerts, json_pack("{s:s, s:s, s:s, "
	    "s:s, s:s, s:f, s:f}", "time", iso, "signal", a->signal, "entity",
	    a->entity, "detector", a->detector, "level", a->level, "value",
	    a->value, "expected", a->expected)) == 0 ? 0 : LL_ENOMEM;
}

static int
on_archive(void *ctx, const struct store_archive *ar)
{
	struct incb *b = ctx;

	if (ar->last_time < b->from || ar->first_time >= b->to)
		return 0;
	return json_array_append_new(b->archives, json_pack("{s:s, s:s, "
	    "s:I, s:I, s:I, s:s}", "name", ar->name, "sha256", ar->sha256,
	    "size", (json_int_t)ar->size, "first", (json_int_t)ar->first_time,
	    "last", (json_int_t)ar->last_time, "settings", ar->settings)) ==
	    0 ? 0 : LL_ENOMEM;
}

/* The range a record's points cover: history before the start, up to
 * the end (or the last alert, or a system transition's bin). */
static void
record_range(const struct evidence_inc_params *p,
    const struct store_incident *inc, const struct store_transition *t,
    int64_t *from, int64_t *to)
{
	int64_t upto = inc->end != 0 ? inc->end : inc->last;

	if (strcmp(t->who, "system") == 0 && t->time > upto)
		upto = t->time;
	if (upto < inc->start)
		upto = inc->start;
	*from = inc->start - p->history;
	*to = upto + p->bin;
}

static json_t *
transition_json(const struct store_transition *t)
{
	char iso[LL_ISO8601_LEN];

	ll_time_fmt(t->time, iso, sizeof(iso));
	return json_pack("{s:s, s:s, s:s, s:s}", "state", t->state, "time",
	    iso, "who", t->who, "note", t->note);
}

/* The body of an incident record, compact JSON with sorted keys;
 * malloc'ed, or NULL (*rc says why). */
static char *
incident_body(struct store *s, const struct evidence_inc_params *p,
    const struct store_incident *inc, const struct store_transition *t,
    int *rc)
{
	struct incb b = { .inc = inc, .s = s, .series = json_array(),
	    .alerts = json_array(), .archives = json_array() };
	json_t *o = NULL, *det, *imp = NULL;
	json_error_t je;
	char *body = NULL;

	record_range(p, inc, t, &b.from, &b.to);
	*rc = LL_ENOMEM;
	if ((det = json_loads(p->detector, 0, &je)) == NULL ||
	    !json_is_object(det))
		*rc = LL_EINVAL;
	else if (p->impact != NULL && ((imp = json_loads(p->impact, 0,
	    &je)) == NULL || !json_is_object(imp)))
		*rc = LL_EINVAL;
	else if (b.series != NULL && b.alerts != NULL && b.archives != NULL &&
	    (*rc = all_series(&b)) == 0 &&
	    (*rc = store_alert_list(s, NULL, b.from, b.to, on_alert, &b)) == 0 &&
	    (*rc = store_archive_list(s, on_archive, &b)) == 0) {
		o = json_pack("{s:o, s:o, s:O, s:O, s:I, s:I, s:O, s:O, s:O, "
		    "s:I}", "incident", ev_incident_json(inc), "transition",
		    transition_json(t), "detector", det, "impact", imp != NULL ?
		    imp : json_null(), "from",
		    (json_int_t)b.from, "to", (json_int_t)b.to, "series",
		    b.series, "alerts", b.alerts, "archives", b.archives,
		    "series_omitted", (json_int_t)b.omitted);
		*rc = LL_ENOMEM;
	}
	if (o != NULL && (body = json_dumps(o, JSON_COMPACT |
	    JSON_SORT_KEYS)) != NULL)
		*rc = 0;
	json_decref(o);
	json_decref(det);
	json_decref(imp);
	json_decref(b.series);
	json_decref(b.alerts);
	json_decref(b.archives);
	return body;
}

int
evidence_incident_record(struct store *s, const struct evidence_key *k,
    const struct evidence_inc_params *p, const struct store_incident *inc,
    const struct store_transition *t, int64_t now, int64_t *seq, char *err,
    size_t errlen)
{
	char *body;
	int rc;

	err[0] = '\0';
	if (p == NULL || p->detector == NULL || p->bin <= 0 ||
	    p->history < 0 || inc == NULL || t == NULL)
		return LL_EINVAL;
	if ((body = incident_body(s, p, inc, t, &rc)) == NULL) {
		snprintf(err, errlen, "incident %lld: %s", (long long)inc->id,
		    rc == LL_EINVAL ? "the detector or the impact is not a "
		    "JSON object" :
		    rc == LL_ENOMEM ? ll_strerror(rc) : store_errmsg(s));
		return rc;
	}
	rc = evidence_append(s, k, "incident", body, now, seq, err, errlen);
	free(body);
	return rc;
}
