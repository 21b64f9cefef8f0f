/*
 * The store's front: URL dispatch, argument checks, transaction state and
 * auto-commit of writes made outside a transaction. Backends do the rest.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/err.h"

int
store_seterr(struct store *s, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->errmsg, sizeof(s->errmsg), fmt, ap);
	va_end(ap);
	return rc;
}

static void
copy_err(char *errbuf, size_t errlen, const char *msg)
{
	if (errbuf != NULL && errlen > 0)
		snprintf(errbuf, errlen, "%s", msg);
}

static bool
key_ok(const char *k)
{
	size_t n;

	if (k == NULL)
		return false;
	n = strnlen(k, STORE_KEY_MAX);
	return n > 0 && n < STORE_KEY_MAX;
}

bool
store_is_pg(const char *url)
{
	return url != NULL && (strncmp(url, "postgresql://", 13) == 0 ||
	    strncmp(url, "postgres://", 11) == 0);
}

static int
open_backend(const char *where, unsigned flags, struct store **out,
    char *errbuf, size_t errlen,
    int (*open)(struct store *, const char *, unsigned))
{
	struct store *s;
	int rc;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		copy_err(errbuf, errlen, "out of memory");
		return LL_ENOMEM;
	}
	if ((rc = open(s, where, flags)) != 0) {
		copy_err(errbuf, errlen, s->errmsg);
		store_free(s);
		return rc;
	}
	s->errmsg[0] = '\0';
	*out = s;
	return 0;
}

int
store_open(const char *url, unsigned flags, struct store **out,
    char *errbuf, size_t errlen)
{
	const char *path;

	*out = NULL;
	copy_err(errbuf, errlen, "");
	if (url == NULL || *url == '\0') {
		copy_err(errbuf, errlen, "empty database path");
		return LL_EINVAL;
	}
	if (store_is_pg(url))
		return open_backend(url, flags, out, errbuf, errlen,
		    store_pg_open);
	path = strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
	if (*path == '\0') {
		copy_err(errbuf, errlen, "empty database path");
		return LL_EINVAL;
	}
	/* SQLite's names for a database that is never written to a file: it
	 * would vanish with the process, and a reader would find nothing. */
	if (strcmp(path, ":memory:") == 0) {
		copy_err(errbuf, errlen, "':memory:' is not a database file "
		    "(it would keep nothing); give a file's path");
		return LL_EINVAL;
	}
	return open_backend(path, flags, out, errbuf, errlen,
	    store_sqlite_open);
}

void
store_free(struct store *s)
{
	if (s == NULL)
		return;
	if (s->ops != NULL) {
		if (s->in_tx)
			(void)s->ops->tx_rollback(s);
		s->ops->close(s);
	}
	free(s);
}

const char *
store_errmsg(const struct store *s)
{
	return s == NULL ? "" : s->errmsg;
}

const char *
store_backend(const struct store *s)
{
	return s->ops->name;
}

int
store_schema_version(const struct store *s)
{
	return s->version;
}

int
store_schema_latest(void)
{
	return store_sqlite_latest();
}

int
store_tx_begin(struct store *s)
{
	int rc;

	if (s->in_tx)
		return store_seterr(s, LL_EINVAL, "a transaction is open");
	if ((rc = s->ops->tx_begin(s)) == 0)
		s->in_tx = true;
	return rc;
}

int
store_tx_commit(struct store *s)
{
	int rc;

	if (!s->in_tx)
		return store_seterr(s, LL_EINVAL, "no transaction is open");
	if ((rc = s->ops->tx_commit(s)) != 0)
		(void)s->ops->tx_rollback(s);
	s->in_tx = false;
	return rc;
}

int
store_tx_rollback(struct store *s)
{
	int rc;

	if (!s->in_tx)
		return store_seterr(s, LL_EINVAL, "no transaction is open");
	rc = s->ops->tx_rollback(s);
	s->in_tx = false;
	return rc;
}

bool
store_tx_active(const struct store *s)
{
	return s->in_tx;
}

/* Runs a write in its own transaction when none is open. */
static int
auto_begin(struct store *s, bool *mine)
{
	int rc;

	*mine = false;
	if (s->in_tx)
		return 0;
	if ((rc = store_tx_begin(s)) != 0)
		return rc;
	*mine = true;
	return 0;
}

static int
auto_end(struct store *s, bool mine, int rc)
{
	char keep[sizeof(s->errmsg)];

	if (!mine)
		return rc;
	if (rc == 0)
		return store_tx_commit(s);
	memcpy(keep, s->errmsg, sizeof(keep));
	(void)store_tx_rollback(s);
	memcpy(s->errmsg, keep, sizeof(keep));
	return rc;
}

int
store_points_put(struct store *s, const char *signal, const char *source,
    const struct store_point *pts, size_t n)
{
	bool mine;
	int rc;

	if (!key_ok(signal))
		return store_seterr(s, LL_EINVAL, "bad signal name");
	if (source != NULL && !key_ok(source))
		return store_seterr(s, LL_EINVAL, "bad source name");
	for (size_t i = 0; i < n; i++) {
		if (!key_ok(pts[i].entity))
			return store_seterr(s, LL_EINVAL,
			    "point %zu: bad entity", i);
		if (!isfinite(pts[i].value))
			return store_seterr(s, LL_EINVAL,
			    "point %zu (%s): value is not finite", i,
			    pts[i].entity);
	}
	if (n == 0)
		return 0;
	if ((rc = auto_begin(s, &mine)) != 0)
		return rc;
	rc = s->ops->points_put(s, signal, source, pts, n);
	return auto_end(s, mine, rc);
}

int
store_points_scan(struct store *s, const char *signal, const char *entity,
    int64_t from, int64_t to, store_point_fn *fn, void *ctx)
{
	if (!key_ok(signal) || (entity != NULL && !key_ok(entity)))
		return store_seterr(s, LL_EINVAL, "bad signal or entity");
	if (from >= to)
		return 0;
	return s->ops->points_scan(s, signal, entity, from, to, fn, ctx);
}

int
store_points_delete(struct store *s, const char *signal, const char *entity,
    int64_t from, int64_t to)
{
	bool mine;
	int rc;

	if (!key_ok(signal) || (entity != NULL && !key_ok(entity)))
		return store_seterr(s, LL_EINVAL, "bad signal or entity");
	if (from >= to)
		return 0;
	if ((rc = auto_begin(s, &mine)) != 0)
		return rc;
	rc = s->ops->points_delete(s, signal, entity, from, to);
	return auto_end(s, mine, rc);
}

int
store_series_list(struct store *s, const char *signal, store_series_fn *fn,
    void *ctx)
{
	if (signal != NULL && !key_ok(signal))
		return store_seterr(s, LL_EINVAL, "bad signal name");
	return s->ops->series_list(s, signal, fn, ctx);
}

int
store_series_extent(struct store *s, const char *signal, store_series_fn *fn,
    void *ctx)
{
	if (signal != NULL && !key_ok(signal))
		return store_seterr(s, LL_EINVAL, "bad signal name");
	if (s->ops->series_extent == NULL)
		return s->ops->series_list(s, signal, fn, ctx);
	return s->ops->series_extent(s, signal, fn, ctx);
}

/* Lower-cases 64 hex digits into out; false when sha is not that. */
static bool
sha_norm(const char *sha, char out[STORE_SHA256_HEX])
{
	if (sha == NULL || strnlen(sha, 65) != 64)
		return false;
	for (size_t i = 0; i < 64; i++) {
		if (!isxdigit((unsigned char)sha[i]))
			return false;
		out[i] = (char)tolower((unsigned char)sha[i]);
	}
	out[64] = '\0';
	return true;
}

int
store_archive_get(struct store *s, const char *sha256,
    struct store_archive *out)
{
	char sha[STORE_SHA256_HEX];

	if (!sha_norm(sha256, sha))
		return store_seterr(s, LL_EINVAL, "not a SHA-256 in hex");
	return s->ops->archive_get(s, sha, out);
}

int
store_archive_record(struct store *s, const struct store_archive *a)
{
	struct store_archive copy;
	bool mine;
	int rc;

	copy = *a;
	if (!sha_norm(a->sha256, copy.sha256))
		return store_seterr(s, LL_EINVAL, "not a SHA-256 in hex");
	if (strnlen(a->name, STORE_NAME_MAX) == STORE_NAME_MAX)
		return store_seterr(s, LL_EINVAL, "archive name too long");
	if (strnlen(a->settings, STORE_SETTINGS_MAX) == STORE_SETTINGS_MAX)
		return store_seterr(s, LL_EINVAL, "archive settings too long");
	if (a->status != STORE_ARCHIVE_OK && a->status != STORE_ARCHIVE_ERRORS)
		return store_seterr(s, LL_EINVAL, "bad archive status");
	if (a->size > INT64_MAX || a->records > INT64_MAX ||
	    a->bad_records > INT64_MAX || a->points > INT64_MAX)
		return store_seterr(s, LL_EINVAL, "archive count too large");
	if ((rc = auto_begin(s, &mine)) != 0)
		return rc;
	rc = s->ops->archive_record(s, &copy);
	return auto_end(s, mine, rc);
}

int
store_archive_delete(struct store *s, const char *sha256)
{
	char sha[STORE_SHA256_HEX];
	bool mine;
	int rc;

	if (!sha_norm(sha256, sha))
		return store_seterr(s, LL_EINVAL, "not a SHA-256 in hex");
	if ((rc = auto_begin(s, &mine)) != 0)
		return rc;
	rc = s->ops->archive_delete(s, sha);
	return auto_end(s, mine, rc);
}

int
store_archive_list(struct store *s, store_archive_fn *fn, void *ctx)
{
	return s->ops->archive_list(s, fn, ctx);
}

int
store_meta_get(struct store *s, const char *key, char *buf, size_t len)
{
	if (!key_ok(key) || buf == NULL || len == 0)
		return store_seterr(s, LL_EINVAL, "bad meta key or buffer");
	return s->ops->meta_get(s, key, buf, len);
}

int
store_meta_set(struct store *s, const char *key, const char *value)
{
	bool mine;
	int rc;

	if (!key_ok(key))
		return store_seterr(s, LL_EINVAL, "bad meta key");
	if ((rc = auto_begin(s, &mine)) != 0)
		return rc;
	rc = s->ops->meta_set(s, key, value);
	return auto_end(s, mine, rc);
}

int
store_meta_list(struct store *s, store_meta_fn *fn, void *ctx)
{
	if (fn == NULL)
		return store_seterr(s, LL_EINVAL, "no callback");
	return s->ops->meta_list(s, fn, ctx);
}

int
store_gap_put(struct store *s, const struct store_gap *g)
{
	bool mine;
	int rc;

	if (g == NULL || !key_ok(g->signal) || !key_ok(g->collector) ||
	    g->reason == NULL || strnlen(g->reason, STORE_NAME_MAX) ==
	    STORE_NAME_MAX || g->to <= g->from)
		return store_seterr(s, LL_EINVAL, "bad gap");
	if ((rc = auto_begin(s, &mine)) != 0)
		return rc;
	rc = s->ops->gap_put(s, g);
	return auto_end(s, mine, rc);
}

int
store_gap_delete(struct store *s, const char *signal, int64_t from,
    int64_t to)
{
	bool mine;
	int rc;

	if (!key_ok(signal))
		return store_seterr(s, LL_EINVAL, "bad signal name");
	if ((rc = auto_begin(s, &mine)) != 0)
		return rc;
	rc = s->ops->gap_delete(s, signal, from, to);
	return auto_end(s, mine, rc);
}

int
store_gap_list(struct store *s, const char *signal, int64_t from,
    int64_t to, store_gap_fn *fn, void *ctx)
{
	if ((signal != NULL && !key_ok(signal)) || fn == NULL)
		return store_seterr(s, LL_EINVAL, "bad signal name");
	return s->ops->gap_list(s, signal, from, to, fn, ctx);
}

int
store_evidence_append(struct store *s, const uint8_t *rec, size_t len,
    int64_t *seq)
{
	if (s->ops->evidence_append == NULL)
		return store_seterr(s, LL_EUNSUP, "%s: not supported by the "
		    "%s backend yet", "store_evidence_append", s->ops->name);
	bool mine;
	int rc;

	if (rec == NULL || len == 0 || len > STORE_EVIDENCE_MAX || seq == NULL)
		return store_seterr(s, LL_EINVAL, "bad evidence record");
	if ((rc = auto_begin(s, &mine)) != 0)
		return rc;
	rc = s->ops->evidence_append(s, rec, len, seq);
	return auto_end(s, mine, rc);
}

int
store_evidence_scan(struct store *s, store_evidence_fn *fn, void *ctx)
{
	if (s->ops->evidence_scan == NULL)
		return store_seterr(s, LL_EUNSUP, "%s: not supported by the "
		    "%s backend yet", "store_evidence_scan", s->ops->name);
	if (fn == NULL)
		return store_seterr(s, LL_EINVAL, "no callback");
	return s->ops->evidence_scan(s, fn, ctx);
}

/* ---- events (schema version 8) ---- */

#define EVENT_DETAIL_MAX	(1u << 20)

int
store_event_put(struct store *s, const struct store_event *e)
{
	if (s->ops->event_put == NULL)
		return store_seterr(s, LL_EUNSUP, "%s: not supported by the "
		    "%s backend yet", "store_event_put", s->ops->name);
	bool mine;
	int rc;

	if (e == NULL || !key_ok(e->kind) || !key_ok(e->entity) ||
	    e->detail == NULL || strnlen(e->detail, EVENT_DETAIL_MAX) ==
	    EVENT_DETAIL_MAX || (e->to != 0 && e->to < e->from))
		return store_seterr(s, LL_EINVAL, "bad event");
	if ((rc = auto_begin(s, &mine)) != 0)
		return rc;
	rc = s->ops->event_put(s, e);
	return auto_end(s, mine, rc);
}

int
store_event_list(struct store *s, const char *kind_prefix, int64_t from,
    int64_t to, store_event_fn *fn, void *ctx)
{
	if (s->ops->event_list == NULL)
		return store_seterr(s, LL_EUNSUP, "%s: not supported by the "
		    "%s backend yet", "store_event_list", s->ops->name);
	if ((kind_prefix != NULL && !key_ok(kind_prefix)) || fn == NULL)
		return store_seterr(s, LL_EINVAL, "bad event kind");
	return s->ops->event_list(s, kind_prefix, from, to, fn, ctx);
}

int
store_kind_put(struct store *s, const struct store_kind *k)
{
	if (s->ops->kind_put == NULL)
		return store_seterr(s, LL_EUNSUP, "%s: not supported by the "
		    "%s backend yet", "store_kind_put", s->ops->name);
	bool mine;
	int rc;

	if (k == NULL || !key_ok(k->name) || k->unit == NULL ||
	    strnlen(k->unit, STORE_KEY_MAX) == STORE_KEY_MAX ||
	    k->description == NULL || strnlen(k->description,
	    STORE_SETTINGS_MAX) == STORE_SETTINGS_MAX)
		return store_seterr(s, LL_EINVAL, "bad kind");
	if ((rc = auto_begin(s, &mine)) != 0)
		return rc;
	rc = s->ops->kind_put(s, k);
	return auto_end(s, mine, rc);
}

int
store_kind_list(struct store *s, const char *name, store_kind_fn *fn,
    void *ctx)
{
	if (s->ops->kind_list == NULL)
		return store_seterr(s, LL_EUNSUP, "%s: not supported by the "
		    "%s backend yet", "store_kind_list", s->ops->name);
	if ((name != NULL && !key_ok(name)) || fn == NULL)
		return store_seterr(s, LL_EINVAL, "bad kind name");
	return s->ops->kind_list(s, name, fn, ctx);
}

/* ---- detection -------------------------------------------------------- */

static bool
text_ok(const char *t)
{
	return t != NULL && strnlen(t, STORE_TEXT_MAX) < STORE_TEXT_MAX;
}

int
store_dstate_put(struct store *s, const struct store_dstate *d)
{
	if (s->ops->dstate_put == NULL)
		return store_seterr(s, LL_EUNSUP, "%s: not supported by the "
		    "%s backend yet", "store_dstate_put", s->ops->name);
	bool mine;
	int rc;

	if (d == NULL || !key_ok(d->detector) || !key_ok(d->signal) ||
	    !key_ok(d->entity))
		return store_seterr(s, LL_EINVAL, "bad detector state");
	if ((rc = auto_begin(s, &mine)) != 0)
		return rc;
	rc = s->ops->dstate_put(s, d);
	return auto_end(s, mine, rc);
}

int
store_dstate_list(struct store *s, store_dstate_fn *fn, void *ctx)
{
	if (s->ops->dstate_list == NULL)
		return store_seterr(s, LL_EUNSUP, "%s: not supported by the "
		    "%s backend yet", "store_dstate_list", s->ops->name);
	if (fn == NULL)
		return store_seterr(s, LL_EINVAL, "no callback");
	return s->ops->dstate_list(s, fn, ctx);
}

int
store_alert_put(struct store *s, const struct store_alert *a)
{
	if (s->ops->alert_put == NULL)
		return store_seterr(s, LL_EUNSUP, "%s: not supported by the "
		    "%s backend yet", "store_alert_put", s->ops->name);
	bool mine;
	int rc;

	if (a == NULL || !key_ok(a->detector) || !key_ok(a->signal) ||
	    !key_ok(a->entity) || !key_ok(a->level) || !isfinite(a->value) ||
	    !isfinite(a->expected))
		return store_seterr(s, LL_EINVAL, "bad alert");
	if ((rc = auto_begin(s, &mine)) != 0)
		return rc;
	rc = s->ops->alert_put(s, a);
	return auto_end(s, mine, rc);
}

int
store_alert_list(struct store *s, const char *entity, int64_t from,
    int64_t to, store_alert_fn *fn, void *ctx)
{
	if (s->ops->alert_list == NULL)
		return store_seterr(s, LL_EUNSUP, "%s: not supported by the "
		    "%s backend yet", "store_alert_list", s->ops->name);
	if ((entity != NULL && !key_ok(entity)) || fn == NULL)
		return store_seterr(s, LL_EINVAL, "bad entity");
	return s->ops->alert_list(s, entity, from, to, fn, ctx);
}

int
store_baseline_put(struct store *s, const struct store_baseline *b)
{
	if (s->ops->baseline_put == NULL)
		return store_seterr(s, LL_EUNSUP, "%s: not supported by the "
		    "%s backend yet", "store_baseline_put", s->ops->name);
	bool mine;
	int rc;

	if (b == NULL || !key_ok(b->signal) || !key_ok(b->entity) ||
	    !key_ok(b->who) || !isfinite(b->value) || b->to <= b->from)
		return store_seterr(s, LL_EINVAL, "bad baseline");
	if ((rc = auto_begin(s, &mine)) != 0)
		return rc;
	rc = s->ops->baseline_put(s, b);
	return auto_end(s, mine, rc);
}

int
store_baseline_list(struct store *s, const char *signal,
    store_baseline_fn *fn, void *ctx)
{
	if (s->ops->baseline_list == NULL)
		return store_seterr(s, LL_EUNSUP, "%s: not supported by the "
		    "%s backend yet", "store_baseline_list", s->ops->name);
	if ((signal != NULL && !key_ok(signal)) || fn == NULL)
		return store_seterr(s, LL_EINVAL, "bad signal name");
	return s->ops->baseline_list(s, signal, fn, ctx);
}

int
store_incident_put(struct store *s, struct store_incident *inc)
{
	if (s->ops->incident_put == NULL)
		return store_seterr(s, LL_EUNSUP, "%s: not supported by the "
		    "%s backend yet", "store_incident_put", s->ops->name);
	bool mine;
	int rc;

	if (inc == NULL || inc->id < 0 || inc->campaign < 0 ||
	    !key_ok(inc->cls) ||
	    !text_ok(inc->scope) || !text_ok(inc->signals) ||
	    !key_ok(inc->state) || !key_ok(inc->severity) ||
	    !isfinite(inc->confidence) || !isfinite(inc->score) ||
	    !isfinite(inc->restored))
		return store_seterr(s, LL_EINVAL, "bad incident");
	if ((rc = auto_begin(s, &mine)) != 0)
		return rc;
	rc = s->ops->incident_put(s, inc);
	return auto_end(s, mine, rc);
}

int
store_incident_list(struct store *s, int64_t id, store_incident_fn *fn,
    void *ctx)
{
	if (s->ops->incident_list == NULL)
		return store_seterr(s, LL_EUNSUP, "%s: not supported by the "
		    "%s backend yet", "store_incident_list", s->ops->name);
	if (id < 0 || fn == NULL)
		return store_seterr(s, LL_EINVAL, "bad incident id");
	return s->ops->incident_list(s, id, fn, ctx);
}

int
store_transition_put(struct store *s, const struct store_transition *t)
{
	if (s->ops->transition_put == NULL)
		return store_seterr(s, LL_EUNSUP, "%s: not supported by the "
		    "%s backend yet", "store_transition_put", s->ops->name);
	bool mine;
	int rc;

	if (t == NULL || t->incident <= 0 || !key_ok(t->state) ||
	    !key_ok(t->who) || !text_ok(t->note))
		return store_seterr(s, LL_EINVAL, "bad transition");
	if ((rc = auto_begin(s, &mine)) != 0)
		return rc;
	rc = s->ops->transition_put(s, t);
	return auto_end(s, mine, rc);
}

int
store_transition_list(struct store *s, int64_t incident,
    store_transition_fn *fn, void *ctx)
{
	if (s->ops->transition_list == NULL)
		return store_seterr(s, LL_EUNSUP, "%s: not supported by the "
		    "%s backend yet", "store_transition_list", s->ops->name);
	if (incident <= 0 || fn == NULL)
		return store_seterr(s, LL_EINVAL, "bad incident id");
	return s->ops->transition_list(s, incident, fn, ctx);
}

/* ---- impact (schema version 10) ---------------------------------------- */

#define STORE_UNSUP(s, what) store_seterr((s), LL_EUNSUP, "%s: not " \
	"supported by the %s backend yet", (what), (s)->ops->name)

static bool
cc_ok(const char *cc)
{
	return cc != NULL && isupper((unsigned char)cc[0]) &&
	    isupper((unsigned char)cc[1]) && cc[2] == '\0';
}

/* A number that is either -1 (not given) or finite and >= 0. */
static bool
opt_num_ok(double v)
{
	return v == -1 || (isfinite(v) && v >= 0);
}

int
store_users_put(struct store *s, const struct store_users *u)
{
	bool mine;
	int rc;

	if (s->ops->users_put == NULL)
		return STORE_UNSUP(s, "store_users_put");
	if (u == NULL || !cc_ok(u->cc) || u->asn == 0 || !isfinite(u->users) ||
	    u->users < 0 || !opt_num_ok(u->share) || !opt_num_ok(u->samples) ||
	    !text_ok(u->source))
		return store_seterr(s, LL_EINVAL, "bad user estimate");
	if ((rc = auto_begin(s, &mine)) != 0)
		return rc;
	rc = s->ops->users_put(s, u);
	return auto_end(s, mine, rc);
}

int
store_users_list(struct store *s, const char *cc, uint32_t asn,
    store_users_fn *fn, void *ctx)
{
	if (s->ops->users_list == NULL)
		return STORE_UNSUP(s, "store_users_list");
	if ((cc != NULL && !cc_ok(cc)) || fn == NULL)
		return store_seterr(s, LL_EINVAL, "bad country code");
	return s->ops->users_list(s, cc, asn, fn, ctx);
}

int
store_country_put(struct store *s, const struct store_country *c)
{
	bool mine;
	int rc;

	if (s->ops->country_put == NULL)
		return STORE_UNSUP(s, "store_country_put");
	if (c == NULL || !cc_ok(c->cc) || !text_ok(c->name) ||
	    !opt_num_ok(c->gdp) || !opt_num_ok(c->population) ||
	    !opt_num_ok(c->users) || !opt_num_ok(c->digital) ||
	    c->digital > 1 || !text_ok(c->source))
		return store_seterr(s, LL_EINVAL, "bad country row");
	if ((rc = auto_begin(s, &mine)) != 0)
		return rc;
	rc = s->ops->country_put(s, c);
	return auto_end(s, mine, rc);
}

int
store_country_list(struct store *s, const char *cc, store_country_fn *fn,
    void *ctx)
{
	if (s->ops->country_list == NULL)
		return STORE_UNSUP(s, "store_country_list");
	if ((cc != NULL && !cc_ok(cc)) || fn == NULL)
		return store_seterr(s, LL_EINVAL, "bad country code");
	return s->ops->country_list(s, cc, fn, ctx);
}

int
store_impact_put(struct store *s, const struct store_impact *f)
{
	bool mine;
	int rc;

	if (s->ops->impact_put == NULL)
		return STORE_UNSUP(s, "store_impact_put");
	if (f == NULL || f->incident <= 0 || !key_ok(f->name) ||
	    (f->known && !isfinite(f->value)) || f->unit == NULL ||
	    strnlen(f->unit, STORE_KEY_MAX) == STORE_KEY_MAX ||
	    !key_ok(f->method) || !text_ok(f->formula) || f->inputs == NULL ||
	    strnlen(f->inputs, STORE_INPUTS_MAX) == STORE_INPUTS_MAX)
		return store_seterr(s, LL_EINVAL, "bad impact figure");
	if ((rc = auto_begin(s, &mine)) != 0)
		return rc;
	rc = s->ops->impact_put(s, f);
	return auto_end(s, mine, rc);
}

int
store_impact_delete(struct store *s, int64_t incident)
{
	bool mine;
	int rc;

	if (s->ops->impact_delete == NULL)
		return STORE_UNSUP(s, "store_impact_delete");
	if ((rc = auto_begin(s, &mine)) != 0)
		return rc;
	rc = s->ops->impact_delete(s, incident);
	return auto_end(s, mine, rc);
}

int
store_impact_list(struct store *s, int64_t incident, store_impact_fn *fn,
    void *ctx)
{
	if (s->ops->impact_list == NULL)
		return STORE_UNSUP(s, "store_impact_list");
	if (incident <= 0 || fn == NULL)
		return store_seterr(s, LL_EINVAL, "bad incident id");
	return s->ops->impact_list(s, incident, fn, ctx);
}
