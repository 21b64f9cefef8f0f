/*
 * Copying a store to another (SQLite to PostgreSQL and back) through the
 * store's own interface, and checking two stores hold the same.
 *
 * The check reads each store through in one order (settings by key,
 * archives by time and name, gaps by start, series by signal and entity,
 * points by time) into a SHA-256 of a canonical text, and compares the
 * digests and the counts.
 */
#include <openssl/evp.h>
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

int
store_copy(struct store *from, struct store *to, struct store_copy_stats *st,
    char *err, size_t errlen)
{
	struct cp c = { .to = to, .st = st };
	uint64_t ns = 0, na = 0;
	int rc;

	memset(st, 0, sizeof(*st));
	from->errmsg[0] = to->errmsg[0] = '\0';
	if ((rc = store_series_list(to, NULL, cp_count_series, &ns)) != 0 ||
	    (rc = store_archive_list(to, cp_count_archive, &na)) != 0)
		return cp_fail(rc, from, to, "destination", err, errlen);
	if (ns > 0 || na > 0) {
		snprintf(err, errlen, "the destination is not empty (%llu "
		    "archives, %llu series); copy into a new store",
		    (unsigned long long)na, (unsigned long long)ns);
		return LL_EEXIST;
	}
	if ((rc = store_tx_begin(to)) != 0)
		return cp_fail(rc, from, to, "begin", err, errlen);
	if ((rc = store_meta_list(from, cp_meta, &c)) == 0 &&
	    (rc = store_archive_list(from, cp_archive, &c)) == 0 &&
	    (rc = store_gap_list(from, NULL, INT64_MIN, INT64_MAX, cp_gap,
	    &c)) == 0 &&
	    (rc = store_series_list(from, NULL, cp_series, &c)) == 0 &&
	    (rc = cp_points(from, &c)) == 0)
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
	if (rc == 0 && EVP_DigestFinal_ex(v->md, md, &len) != 1)
		rc = LL_ENOMEM;
out:
	EVP_MD_CTX_free(v->md);
	for (size_t i = 0; i < v->ser.nser; i++) {
		free(v->ser.ser[i].signal);
		free(v->ser.ser[i].entity);
	}
	free(v->ser.ser);
	return rc;
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
		snprintf(err, errlen, "the copy differs: %llu settings, %llu "
		    "archives, %llu gaps, %llu series, %llu points against "
		    "%llu, %llu, %llu, %llu, %llu",
		    (unsigned long long)va.st.meta,
		    (unsigned long long)va.st.archives,
		    (unsigned long long)va.st.gaps,
		    (unsigned long long)va.st.series,
		    (unsigned long long)va.st.points,
		    (unsigned long long)vb.st.meta,
		    (unsigned long long)vb.st.archives,
		    (unsigned long long)vb.st.gaps,
		    (unsigned long long)vb.st.series,
		    (unsigned long long)vb.st.points);
		return LL_EVERIFY;
	}
	if (memcmp(da, db, 32) != 0) {
		snprintf(err, errlen, "the copy differs in content (as many "
		    "rows of each kind, not the same)");
		return LL_EVERIFY;
	}
	return 0;
}
