/*
 * Evidence records of incidents from the command line: the transitions
 * of a detect run copied as they stood, then one signed record each, in
 * one transaction after the run; an analyst's step recorded likewise.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "cmd/cmd_evinc.h"
#include "impact/impact.h"
#include "util/err.h"
#include "util/grow.h"

/* One transition and its incident, with room for their strings. */
struct evcopy {
	struct store_incident	 inc;
	struct store_transition	 t;
	char	cls[64], state[32], severity[16], tstate[32];
	char	scope[STORE_TEXT_MAX], signals[STORE_TEXT_MAX];
	char	who[STORE_KEY_MAX], note[STORE_TEXT_MAX];
};

struct cli_evinc {
	const struct evidence_key *k;
	struct evcopy	*v;
	size_t		 n, cap;
	bool		 oom;
};

struct cli_evinc *
cli_evinc_new(const struct evidence_key *k)
{
	struct cli_evinc *c = calloc(1, sizeof(*c));

	if (c != NULL)
		c->k = k;
	return c;
}

void
cli_evinc_free(struct cli_evinc *c)
{
	if (c == NULL)
		return;
	free(c->v);
	free(c);
}

static void
copy_inc(struct evcopy *e, const struct store_incident *inc)
{
	e->inc = *inc;
	snprintf(e->cls, sizeof(e->cls), "%s", inc->cls);
	snprintf(e->state, sizeof(e->state), "%s", inc->state);
	snprintf(e->severity, sizeof(e->severity), "%s", inc->severity);
	snprintf(e->scope, sizeof(e->scope), "%s", inc->scope);
	snprintf(e->signals, sizeof(e->signals), "%s", inc->signals);
	e->inc.cls = e->cls;
	e->inc.state = e->state;
	e->inc.severity = e->severity;
	e->inc.scope = e->scope;
	e->inc.signals = e->signals;
}

static void
copy_tr(struct evcopy *e, const struct store_transition *t)
{
	e->t = *t;
	snprintf(e->tstate, sizeof(e->tstate), "%s", t->state);
	snprintf(e->who, sizeof(e->who), "%s", t->who);
	snprintf(e->note, sizeof(e->note), "%s", t->note);
	e->t.state = e->tstate;
	e->t.who = e->who;
	e->t.note = e->note;
}

void
cli_evinc_add(struct cli_evinc *c, const struct store_incident *inc,
    const struct store_transition *t)
{
	if (c == NULL || c->oom)
		return;
	if (c->k == NULL) {
		c->n++;
		return;
	}
	if (c->n == c->cap && ll_grow(&c->v, &c->cap, c->n + 1,
	    sizeof(*c->v)) != 0) {
		c->oom = true;
		return;
	}
	copy_inc(&c->v[c->n], inc);
	copy_tr(&c->v[c->n++], t);
}

/* The detector and every parameter, as JSON. */
static char *
detector_json(const struct detect_opts *o)
{
	json_t *kinds = json_array(), *d;
	char *s;

	for (size_t i = 0; kinds != NULL && i < o->nkinds; i++)
		json_array_append_new(kinds, json_pack("{s:s, s:I, s:f, s:f, "
		    "s:b, s:b, s:b, s:f}", "signal", o->kinds[i].signal,
		    "window", (json_int_t)o->kinds[i].window, "warn",
		    o->kinds[i].warn, "crit", o->kinds[i].crit, "seasonal",
		    o->kinds[i].seasonal, "perf", o->kinds[i].perf, "up",
		    o->kinds[i].up, "floor", o->kinds[i].floor));
	d = json_pack("{s:s, s:I, s:i, s:i, s:f, s:f, s:i, s:i, s:i, s:f, s:f, "
	    "s:f, s:f, s:o}", "name", "lifeline detect (ioda, pinned, "
	    "seasonal, cusum, perf, throttle; docs/methodology.md)", "bin",
	    (json_int_t)o->bin, "min_history", o->min_history, "restore_bins",
	    o->restore_bins, "restore_level", o->restore_level, "health_drop",
	    o->health_drop, "merge_bins", o->merge_bins, "reopen_bins",
	    o->reopen_bins, "weeks", o->weeks, "mad_warn", o->mad_warn,
	    "mad_crit", o->mad_crit, "cusum_k", o->cusum_k, "cusum_h",
	    o->cusum_h, "kinds", kinds);
	s = d != NULL ? json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(d);
	return s;
}

/* The longest history window among the incident's signal kinds. */
static int64_t
history_of(const struct detect_opts *o, const char *signals)
{
	char one[STORE_KEY_MAX];
	const struct detect_kind *k;
	int64_t h = 86400;
	size_t n;

	for (const char *p = signals; *p != '\0'; p += n + (p[n] == ',')) {
		n = strcspn(p, ",");
		snprintf(one, sizeof(one), "%.*s", (int)n, p);
		if (strrchr(one, ':') != NULL)
			*strrchr(one, ':') = '\0';
		k = detect_kind_find(o->kinds, o->nkinds, one);
		if (k != NULL && k->window > h)
			h = k->window;
	}
	return h;
}

/* The incident's impact computed now (and stored), as JSON; NULL with
 * the message printed when it cannot be. */
static char *
impact_now(struct store *st, int64_t id, int64_t now, const char *cmd)
{
	struct impact im;
	char *js;
	int rc;

	if ((rc = impact_compute(st, id, now, &im)) != 0) {
		cli_err("%s: impact of incident %" PRId64 ": %s", cmd, id,
		    rc == LL_ENOMEM || rc == LL_ENOTFOUND ? ll_strerror(rc) :
		    store_errmsg(st));
		return NULL;
	}
	if ((js = impact_json(&im)) == NULL)
		cli_err("%s: %s", cmd, ll_strerror(LL_ENOMEM));
	impact_fini(&im);
	return js;
}

/* Appends the record of one transition, with the impact as it stands. */
static int
record_one(struct store *st, const struct evidence_key *k,
    const struct detect_opts *o, const char *det,
    const struct store_incident *inc, const struct store_transition *t,
    const char *cmd)
{
	struct evidence_inc_params p = { .detector = det, .bin = o->bin,
	    .history = history_of(o, inc->signals) };
	int64_t now = (int64_t)time(NULL), seq;
	char err[512], *imp;
	int rc;

	if ((imp = impact_now(st, inc->id, now, cmd)) == NULL)
		return EXIT_FAIL;
	p.impact = imp;
	rc = evidence_incident_record(st, k, &p, inc, t, now, &seq, err,
	    sizeof(err));
	free(imp);
	if (rc != 0) {
		cli_err("%s: evidence of incident %" PRId64 " %s: %s", cmd,
		    inc->id, t->state, err[0] ? err : ll_strerror(rc));
		return rc == LL_EVERIFY ? EXIT_DATA : EXIT_FAIL;
	}
	fprintf(stderr, "lifeline: evidence: record %" PRId64 ": incident %"
	    PRId64 " %s\n", seq, inc->id, t->state);
	return 0;
}

int
cli_evinc_record(struct cli_evinc *c, struct store *st,
    const struct detect_opts *o, const char *cmd)
{
	char *det;
	int rc = 0;

	if (c->k == NULL) {
		if (c->n > 0)
			fprintf(stderr, "lifeline: %s: no evidence recorded for "
			    "the %zu incident transition%s (no --key; lifeline "
			    "keygen makes one)\n", cmd, c->n, c->n == 1 ? "" :
			    "s");
		return 0;
	}
	if (c->oom || (det = detector_json(o)) == NULL) {
		cli_err("%s: %s", cmd, ll_strerror(LL_ENOMEM));
		return EXIT_FAIL;
	}
	if (c->n > 0 && store_tx_begin(st) != 0) {
		cli_err("%s: %s", cmd, store_errmsg(st));
		free(det);
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < c->n && rc == 0; i++)
		rc = record_one(st, c->k, o, det, &c->v[i].inc, &c->v[i].t, cmd);
	if (c->n > 0 && rc == 0 && store_tx_commit(st) != 0) {
		cli_err("%s: %s", cmd, store_errmsg(st));
		rc = EXIT_FAIL;
	}
	if (rc != 0 && store_tx_active(st))
		(void)store_tx_rollback(st);
	free(det);
	return rc;
}

int
cli_evinc_key(const char *path, struct evidence_key *k, const char *cmd)
{
	char err[512];

	if (evidence_key_load(path, k, err, sizeof(err)) == 0)
		return 0;
	cli_err("%s: %s", cmd, err);
	return EXIT_FAIL;
}

static int
on_inc(void *ctx, const struct store_incident *i)
{
	struct evcopy *e = ctx;

	copy_inc(e, i);
	return 0;
}

static int
on_tr(void *ctx, const struct store_transition *t)
{
	struct evcopy *e = ctx;

	copy_tr(e, t);
	return 0;
}

int
cli_evinc_mark(struct store *st, const struct evidence_key *k, int64_t id,
    const char *cmd)
{
	struct evcopy *e = calloc(1, sizeof(*e));
	struct detect_opts o;
	char *det;
	int rc;

	detect_opts_default(&o);
	if (e == NULL || (det = detector_json(&o)) == NULL) {
		free(e);
		cli_err("%s: %s", cmd, ll_strerror(LL_ENOMEM));
		return EXIT_FAIL;
	}
	if (store_incident_list(st, id, on_inc, e) != 0 ||
	    store_transition_list(st, id, on_tr, e) != 0) {
		cli_err("%s: %s", cmd, store_errmsg(st));
		rc = EXIT_FAIL;
	} else if (e->tstate[0] == '\0') {
		cli_err("%s: incident %" PRId64 " has no transition", cmd, id);
		rc = EXIT_DATA;
	} else
		rc = record_one(st, k, &o, det, &e->inc, &e->t, cmd);
	free(det);
	free(e);
	return rc;
}
