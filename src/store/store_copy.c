/*
 * Copying a store to another (SQLite to PostgreSQL and back) through the
 * store's own interface, and checking two stores hold the same.
 *
 * The check reads each store through in one order (settings by key,
 * archives by time and name, gaps by start, series by signal and entity,
 * points by time, then kinds, detection, events and the evidence log)
 * into a SHA-256 of a canonical text, and compares the digests and the
 * counts. Incidents are named there by their rank in id order, as a copy
 * numbers them anew.
 */
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/err.h"
#include "util/grow.h"

/* ---- copying ---------------------------------------------------------- */

struct cp_series {
	char	*signal, *entity;
};

struct cp {
	struct store		*to;
	struct store_copy_stats	*st;
	struct cp_series	*ser;
	size_t			 nser, capser;
	struct store_point	*pts;
	size_t			 npts, cappts;
	const char		*signal;	/* being copied */
	char			*entity;	/* of the points in pts */
};

static int
cp_meta(void *ctx, const char *key, const char *value)
{
	struct cp *c = ctx;

	c->st->meta++;
	return store_meta_set(c->to, key, value);
}

static int
cp_archive(void *ctx, const struct store_archive *a)
{
	struct cp *c = ctx;

	c->st->archives++;
	return store_archive_record(c->to, a);
}

static int
cp_gap(void *ctx, const struct store_gap *g)
{
	struct cp *c = ctx;

	c->st->gaps++;
	return store_gap_put(c->to, g);
}

static int
cp_series(void *ctx, const struct store_series *s)
{
	struct cp *c = ctx;
	struct cp_series *e;

	if (ll_grow(&c->ser, &c->capser, c->nser + 1, sizeof(*c->ser)) != 0)
		return LL_ENOMEM;
	e = &c->ser[c->nser];
	if ((e->signal = strdup(s->signal)) == NULL)
		return LL_ENOMEM;
	if ((e->entity = strdup(s->entity)) == NULL) {
		free(e->signal);
		return LL_ENOMEM;
	}
	c->nser++;
	return 0;
}

/* Writes the points gathered (all of c->entity). */
static int
cp_put(struct cp *c)
{
	int rc;

	for (size_t k = 0; k < c->npts; k++)
		c->pts[k].entity = c->entity;
	rc = store_points_put(c->to, c->signal, NULL, c->pts, c->npts);
	c->st->points += c->npts;
	c->npts = 0;
	return rc;
}

/* A signal is scanned whole, by entity: a series' points are written
 * when the next series begins. */
static int
cp_point(void *ctx, const struct store_point *p)
{
	struct cp *c = ctx;
	int rc;

	if (c->entity == NULL || strcmp(c->entity, p->entity) != 0) {
		if (c->npts > 0 && (rc = cp_put(c)) != 0)
			return rc;
		free(c->entity);
		if ((c->entity = strdup(p->entity)) == NULL)
			return LL_ENOMEM;
		c->st->series++;
	}
	if (ll_grow(&c->pts, &c->cappts, c->npts + 1, sizeof(*c->pts)) != 0)
		return LL_ENOMEM;
	c->pts[c->npts].time = p->time;
	c->pts[c->npts++].value = p->value;
	return 0;
}

/* What the destination holds already. */
static int
cp_count_series(void *ctx, const struct store_series *s)
{
	(void)s;
	(*(uint64_t *)ctx)++;
	return 0;
}

static int
cp_count_archive(void *ctx, const struct store_archive *a)
{
	(void)a;
	(*(uint64_t *)ctx)++;
	return 0;
}

static int
cp_count_evidence(void *ctx, int64_t seq, const uint8_t *rec, size_t len)
{
	(void)seq;
	(void)rec;
	(void)len;
	(*(uint64_t *)ctx)++;
	return 0;
}

/* The message of rc: the store's that failed, else rc's own. */
static int
cp_fail(int rc, struct store *a, struct store *b, const char *what,
    char *err, size_t errlen)
{
	const char *m = *store_errmsg(b) != '\0' ? store_errmsg(b) :
	    store_errmsg(a);

	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: %s", what, *m != '\0' ? m :
		    ll_strerror(rc));
	return rc;
}

/* Copies the points of each signal listed (the series come by signal):
 * one read per signal. */
static int
cp_points(struct store *from, struct cp *c)
{
	int rc = 0;

	for (size_t i = 0; i < c->nser && rc == 0; i++) {
		if (i > 0 && strcmp(c->ser[i].signal, c->ser[i - 1].signal) ==
		    0)
			continue;
		c->signal = c->ser[i].signal;
		free(c->entity);
		c->entity = NULL;
		if ((rc = store_points_scan(from, c->signal, NULL, INT64_MIN,
		    INT64_MAX, cp_point, c)) == 0 && c->npts > 0)
			rc = cp_put(c);
	}
	return rc;
}

/* ---- kinds, detection, events, evidence --------------------------------- */

static int
cp_kind(void *ctx, const struct store_kind *k)
{
	struct cp *c = ctx;

	c->st->kinds++;
	return store_kind_put(c->to, k);
}

static int
cp_dstate(void *ctx, const struct store_dstate *d)
{
	struct cp *c = ctx;

	c->st->detection++;
	return store_dstate_put(c->to, d);
}

static int
cp_alert(void *ctx, const struct store_alert *a)
{
	struct cp *c = ctx;

	c->st->detection++;
	return store_alert_put(c->to, a);
}

static int
cp_baseline(void *ctx, const struct store_baseline *b)
{
	struct cp *c = ctx;

	c->st->detection++;
	return store_baseline_put(c->to, b);
}

static int
cp_event(void *ctx, const struct store_event *e)
{
	struct cp *c = ctx;

	c->st->events++;
	return store_event_put(c->to, e);
}

static int
cp_evidence(void *ctx, int64_t seq, const uint8_t *rec, size_t len)
{
	struct cp *c = ctx;
	int64_t got = 0;
	int rc;

	c->st->evidence++;
	if ((rc = store_evidence_append(c->to, rec, len, &got)) == 0 &&
	    got != seq)
		rc = store_seterr(c->to, LL_EVERIFY, "evidence record %lld "
		    "was written as %lld", (long long)seq, (long long)got);
	return rc;
}

/* The incidents' ids, sorted: an incident's rank is its place here. */
struct cp_ids {
	int64_t		*id;
	size_t		 n, cap;
};

static int
cp_id(void *ctx, const struct store_incident *i)
{
	struct cp_ids *x = ctx;

	if (ll_grow(&x->id, &x->cap, x->n + 1, sizeof(*x->id)) != 0)
		return LL_ENOMEM;
	x->id[x->n++] = i->id;
	return 0;
}

static int
cp_id_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int
cp_ids(struct store *s, struct cp_ids *x)
{
	int rc;

	memset(x, 0, sizeof(*x));
	if ((rc = store_incident_list(s, 0, cp_id, x)) == 0 && x->n > 1)
		qsort(x->id, x->n, sizeof(*x->id), cp_id_cmp);
	return rc;
}

/* The rank (1, 2, ...) of id among x, 0 for none. */
static int64_t
cp_rank(const struct cp_ids *x, int64_t id)
{
	const int64_t *p = id != 0 && x->n > 0 ? bsearch(&id, x->id, x->n,
	    sizeof(*x->id), cp_id_cmp) : NULL;

	return p != NULL ? (int64_t)(p - x->id) + 1 : 0;
}

/* Copying one incident: new[] are the destination's ids by rank. */
struct cp_inc {
	struct cp		*c;
	const struct cp_ids	*old;
	int64_t			*new;
	size_t			 k;		/* the rank being copied - 1 */
	bool			 campaigns;	/* the second pass */
};

static int
cp_transition(void *ctx, const struct store_transition *t)
{
	struct cp_inc *x = ctx;
	struct store_transition u = *t;

	x->c->st->detection++;
	u.incident = x->new[x->k];
	return store_transition_put(x->c->to, &u);
}

static int
cp_incident(void *ctx, const struct store_incident *i)
{
	struct cp_inc *x = ctx;
	struct store_incident u = *i;
	int64_t r = cp_rank(x->old, i->campaign);
	int rc;

	if (x->campaigns) {
		if (i->campaign == 0)
			return 0;
		u.id = x->new[x->k];
		u.campaign = r > 0 ? x->new[r - 1] : 0;
		return store_incident_put(x->c->to, &u);
	}
	x->c->st->detection++;
	u.id = 0;
	u.campaign = 0;
	if ((rc = store_incident_put(x->c->to, &u)) != 0)
		return rc;
	x->new[x->k] = u.id;
	return 0;
}

/* Incidents in id order, their transitions, then their campaigns. */
static int
cp_incidents(struct store *from, struct cp *c)
{
	struct cp_ids old;
	struct cp_inc x = { .c = c, .old = &old };
	int rc;

	if ((rc = cp_ids(from, &old)) != 0 || old.n == 0)
		goto out;
	if ((x.new = calloc(old.n, sizeof(*x.new))) == NULL) {
		rc = LL_ENOMEM;
		goto out;
	}
	for (x.k = 0; x.k < old.n && rc == 0; x.k++)
		if ((rc = store_incident_list(from, old.id[x.k], cp_incident,
		    &x)) == 0)
			rc = store_transition_list(from, old.id[x.k],
			    cp_transition, &x);
	x.campaigns = true;
	for (x.k = 0; x.k < old.n && rc == 0; x.k++)
		rc = store_incident_list(from, old.id[x.k], cp_incident, &x);
out:
	free(old.id);
	free(x.new);
	return rc;
}

/* Everything but settings, archives, gaps and points. */
static int
cp_rest(struct store *from, struct cp *c)
{
	int rc;

	if ((rc = store_kind_list(from, NULL, cp_kind, c)) != 0 ||
	    (rc = store_dstate_list(from, cp_dstate, c)) != 0 ||
	    (rc = store_alert_list(from, NULL, INT64_MIN, INT64_MAX, cp_alert,
	    c)) != 0 ||
	    (rc = store_baseline_list(from, NULL, cp_baseline, c)) != 0 ||
	    (rc = cp_incidents(from, c)) != 0 ||
	    (rc = store_event_list(from, NULL, INT64_MIN, INT64_MAX, cp_event,
	    c)) != 0)
		return rc;
	return store_evidence_scan(from, cp_evidence, c);
}

int
store_copy(struct store *from, struct store *to, struct store_copy_stats *st,
    char *err, size_t errlen)
{
	struct cp c = { .to = to, .st = st };
	struct cp_ids ids = { 0 };
	uint64_t ns = 0, na = 0, ne = 0;
	int rc;

	memset(st, 0, sizeof(*st));
	from->errmsg[0] = to->errmsg[0] = '\0';
	if ((rc = store_series_list(to, NULL, cp_count_series, &ns)) != 0 ||
	    (rc = store_archive_list(to, cp_count_archive, &na)) != 0 ||
	    (rc = cp_ids(to, &ids)) != 0 ||
	    (rc = store_evidence_scan(to, cp_count_evidence, &ne)) != 0) {
		free(ids.id);
		return cp_fail(rc, from, to, "destination", err, errlen);
	}
	free(ids.id);
	if (ns > 0 || na > 0 || ids.n > 0 || ne > 0) {
		snprintf(err, errlen, "the destination is not empty (%llu "
		    "archives, %llu series, %zu incidents, %llu evidence "
		    "records); copy into a new store", (unsigned long long)na,
		    (unsigned long long)ns, ids.n, (unsigned long long)ne);
		return LL_EEXIST;
	}
	if ((rc = store_tx_begin(to)) != 0)
		return cp_fail(rc, from, to, "begin", err, errlen);
	if ((rc = store_meta_list(from, cp_meta, &c)) == 0 &&
	    (rc = store_archive_list(from, cp_archive, &c)) == 0 &&
	    (rc = store_gap_list(from, NULL, INT64_MIN, INT64_MAX, cp_gap,
	    &c)) == 0 &&
	    (rc = store_series_list(from, NULL, cp_series, &c)) == 0 &&
	    (rc = cp_points(from, &c)) == 0 && (rc = cp_rest(from, &c)) == 0)
		rc = store_tx_commit(to);
	if (rc != 0) {
		(void)cp_fail(rc, from, to, "copy", err, errlen);
		if (store_tx_active(to))
			(void)store_tx_rollback(to);
	}
	for (size_t i = 0; i < c.nser; i++) {
		free(c.ser[i].signal);
		free(c.ser[i].entity);
	}
	free(c.ser);
	free(c.pts);
	free(c.entity);
	return rc;
}

/* ---- verifying -------------------------------------------------------- */

struct vf {
	struct store		*s;
	EVP_MD_CTX		*md;
	struct store_copy_stats	 st;
	struct cp		 ser;	/* the series, as listed */
	struct cp_ids		 ids;	/* the incidents' */
};

static void
vf_line(struct vf *v, const char *fmt, ...) __attribute__((format(printf,
    2, 3)));

static void
vf_line(struct vf *v, const char *fmt, ...)
{
	char line[STORE_SETTINGS_MAX + 2 * STORE_NAME_MAX + 256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		EVP_DigestUpdate(v->md, line, (size_t)n < sizeof(line) ?
		    (size_t)n + 1 : sizeof(line));
}

static int
vf_meta(void *ctx, const char *key, const char *value)
{
	struct vf *v = ctx;

	v->st.meta++;
	vf_line(v, "meta %s=%s", key, value);
	return 0;
}

static int
vf_archive(void *ctx, const struct store_archive *a)
{
	struct vf *v = ctx;

	v->st.archives++;
	vf_line(v, "archive %s %s %llu %lld %lld %llu %llu %llu %d %lld %s",
	    a->sha256, a->name, (unsigned long long)a->size,
	    (long long)a->first_time, (long long)a->last_time,
	    (unsigned long long)a->records, (unsigned long long)a->bad_records,
	    (unsigned long long)a->points, (int)a->status,
	    (long long)a->ingested_at, a->settings);
	return 0;
}

static int
vf_gap(void *ctx, const struct store_gap *g)
{
	struct vf *v = ctx;

	v->st.gaps++;
	vf_line(v, "gap %s %s %lld %lld %s", g->signal, g->collector,
	    (long long)g->from, (long long)g->to, g->reason);
	return 0;
}

static int
vf_series(void *ctx, const struct store_series *s)
{
	struct vf *v = ctx;

	vf_line(v, "series %s %s %llu %lld %lld", s->signal, s->entity,
	    (unsigned long long)s->points, (long long)s->first,
	    (long long)s->last);
	return cp_series(&v->ser, s);
}

static int
vf_point(void *ctx, const struct store_point *p)
{
	struct vf *v = ctx;
	uint64_t bits;

	memcpy(&bits, &p->value, sizeof(bits));
	v->st.points++;
	vf_line(v, "%s %lld %016llx", p->entity, (long long)p->time,
	    (unsigned long long)bits);
	return 0;
}

/* A double's bits, so that the digest sees every one of them. */
static unsigned long long
vf_bits(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return (unsigned long long)u;
}

static int
vf_kind(void *ctx, const struct store_kind *k)
{
	struct vf *v = ctx;

	v->st.kinds++;
	vf_line(v, "kind %s %s %s", k->name, k->unit, k->description);
	return 0;
}

static int
vf_dstate(void *ctx, const struct store_dstate *d)
{
	struct vf *v = ctx;

	v->st.detection++;
	vf_line(v, "dstate %s %s %s %lld %d %d %016llx", d->detector,
	    d->signal, d->entity, (long long)d->last, d->level, d->run,
	    vf_bits(d->value));
	return 0;
}

static int
vf_alert(void *ctx, const struct store_alert *a)
{
	struct vf *v = ctx;

	v->st.detection++;
	vf_line(v, "alert %s %s %s %lld %s %016llx %016llx", a->detector,
	    a->signal, a->entity, (long long)a->time, a->level,
	    vf_bits(a->value), vf_bits(a->expected));
	return 0;
}

static int
vf_baseline(void *ctx, const struct store_baseline *b)
{
	struct vf *v = ctx;

	v->st.detection++;
	vf_line(v, "baseline %s %s %lld %lld %016llx %s %lld", b->signal,
	    b->entity, (long long)b->from, (long long)b->to, vf_bits(b->value),
	    b->who, (long long)b->pinned_at);
	return 0;
}

static int
vf_transition(void *ctx, const struct store_transition *t)
{
	struct vf *v = ctx;

	v->st.detection++;
	vf_line(v, "transition %lld %s %s %s", (long long)t->time, t->state,
	    t->who, t->note);
	return 0;
}

/* An incident, by its rank in id order; then its transitions. */
static int
vf_incident(void *ctx, const struct store_incident *i)
{
	struct vf *v = ctx;

	v->st.detection++;
	vf_line(v, "incident %lld %s %s %s %s %s %lld %lld %lld %016llx "
	    "%016llx %016llx %d %lld", (long long)cp_rank(&v->ids, i->id),
	    i->cls, i->scope, i->signals, i->state, i->severity,
	    (long long)i->start, (long long)i->end, (long long)i->last,
	    vf_bits(i->confidence), vf_bits(i->score), vf_bits(i->restored),
	    i->run, (long long)cp_rank(&v->ids, i->campaign));
	return store_transition_list(v->s, i->id, vf_transition, v);
}

static int
vf_event(void *ctx, const struct store_event *e)
{
	struct vf *v = ctx;

	v->st.events++;
	vf_line(v, "event %s %s %lld %lld %s", e->kind, e->entity,
	    (long long)e->from, (long long)e->to, e->detail);
	return 0;
}

static int
vf_evidence(void *ctx, int64_t seq, const uint8_t *rec, size_t len)
{
	struct vf *v = ctx;

	v->st.evidence++;
	vf_line(v, "evidence %lld %zu", (long long)seq, len);
	EVP_DigestUpdate(v->md, rec, len);
	return 0;
}

/* Everything but settings, archives, gaps and points, into v. */
static int
vf_rest(struct store *s, struct vf *v)
{
	int rc;

	v->s = s;
	if ((rc = store_kind_list(s, NULL, vf_kind, v)) != 0 ||
	    (rc = store_dstate_list(s, vf_dstate, v)) != 0 ||
	    (rc = store_alert_list(s, NULL, INT64_MIN, INT64_MAX, vf_alert,
	    v)) != 0 ||
	    (rc = store_baseline_list(s, NULL, vf_baseline, v)) != 0 ||
	    (rc = cp_ids(s, &v->ids)) != 0 ||
	    (rc = store_incident_list(s, 0, vf_incident, v)) != 0 ||
	    (rc = store_event_list(s, NULL, INT64_MIN, INT64_MAX, vf_event,
	    v)) != 0)
		return rc;
	return store_evidence_scan(s, vf_evidence, v);
}

/* The digest of all s holds, into md (32 bytes). */
static int
vf_digest(struct store *s, struct vf *v, unsigned char *md)
{
	unsigned int len = 0;
	int rc = LL_ENOMEM;

	memset(v, 0, sizeof(*v));
	if ((v->md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(v->md, EVP_sha256(), NULL) != 1)
		goto out;
	if ((rc = store_meta_list(s, vf_meta, v)) != 0 ||
	    (rc = store_archive_list(s, vf_archive, v)) != 0 ||
	    (rc = store_gap_list(s, NULL, INT64_MIN, INT64_MAX, vf_gap,
	    v)) != 0 ||
	    (rc = store_series_list(s, NULL, vf_series, v)) != 0)
		goto out;
	v->st.series = v->ser.nser;
	for (size_t i = 0; i < v->ser.nser && rc == 0; i++) {
		if (i > 0 && strcmp(v->ser.ser[i].signal,
		    v->ser.ser[i - 1].signal) == 0)
			continue;
		vf_line(v, "points %s", v->ser.ser[i].signal);
		rc = store_points_scan(s, v->ser.ser[i].signal, NULL,
		    INT64_MIN, INT64_MAX, vf_point, v);
	}
	if (rc == 0)
		rc = vf_rest(s, v);
	if (rc == 0 && EVP_DigestFinal_ex(v->md, md, &len) != 1)
		rc = LL_ENOMEM;
out:
	EVP_MD_CTX_free(v->md);
	for (size_t i = 0; i < v->ser.nser; i++) {
		free(v->ser.ser[i].signal);
		free(v->ser.ser[i].entity);
	}
	free(v->ser.ser);
	free(v->ids.id);
	return rc;
}

/* "N settings, N archives, ..." */
static const char *
vf_counts(const struct store_copy_stats *st, char *buf, size_t len)
{
	snprintf(buf, len, "%llu settings, %llu archives, %llu gaps, %llu "
	    "series, %llu points, %llu kinds, %llu detection rows, %llu "
	    "events, %llu evidence records", (unsigned long long)st->meta,
	    (unsigned long long)st->archives, (unsigned long long)st->gaps,
	    (unsigned long long)st->series, (unsigned long long)st->points,
	    (unsigned long long)st->kinds, (unsigned long long)st->detection,
	    (unsigned long long)st->events, (unsigned long long)st->evidence);
	return buf;
}

int
store_verify(struct store *a, struct store *b, struct store_copy_stats *st,
    char *err, size_t errlen)
{
	unsigned char da[EVP_MAX_MD_SIZE], db[EVP_MAX_MD_SIZE];
	struct vf va, vb;
	int rc;

	a->errmsg[0] = b->errmsg[0] = '\0';
	if ((rc = vf_digest(a, &va, da)) != 0)
		return cp_fail(rc, b, a, "verify", err, errlen);
	if ((rc = vf_digest(b, &vb, db)) != 0)
		return cp_fail(rc, a, b, "verify", err, errlen);
	*st = va.st;
	if (memcmp(&va.st, &vb.st, sizeof(va.st)) != 0) {
		char x[200], y[200];

		snprintf(err, errlen, "the copy differs: %s against %s",
		    vf_counts(&va.st, x, sizeof(x)),
		    vf_counts(&vb.st, y, sizeof(y)));
		return LL_EVERIFY;
	}
	if (memcmp(da, db, 32) != 0) {
		snprintf(err, errlen, "the copy differs in content (as many "
		    "rows of each kind, not the same)");
		return LL_EVERIFY;
	}
	return 0;
}
