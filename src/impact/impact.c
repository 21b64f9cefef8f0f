/*
 * An incident's impact (docs/methodology.md, "Impact"): address space
 * lost, users affected, duration, the share restored, and the economic
 * cost by the GDP-share method, each stored with its inputs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impact/impact.h"
#include "impact/impact_int.h"
#include "net/entity.h"
#include "util/err.h"
#include "util/grow.h"
#include "util/time.h"

#define IMP_ENT_MAX	256	/* scope entities considered */
#define IMP_CC_MAX	32	/* countries of one incident */
#define IMP_JSON_BUDGET	(768u << 10)	/* the users inputs' AS lists */

/* A country's users affected, per bin (computed once, used by the users
 * and cost figures). */
struct ctry {
	char		 cc[3];
	const char	*method;	/* "apnic-aspop", "country-share",
					   "space-share", NULL: none */
	double		 total;		/* the country's Internet users */
	double		 peak;		/* users affected at the worst bin */
	int64_t		 peak_t;
	double		 mean;		/* mean share affected over bins */
	size_t		 bins;
	struct sbuf	 js;		/* the users inputs of the country */
	/* from the country table */
	bool		 have_row;
	struct store_country row;
	char		 name[128], source[256];
};

struct ictx {
	struct store	*s;
	struct impact	*out;
	int64_t		 id, start, stop, end, now;
	char		 cls[STORE_KEY_MAX];
	char		 scope[STORE_TEXT_MAX];
	char		 ent[IMP_ENT_MAX][ENT_STRLEN];
	size_t		 nent;
	enum ent_type	 level;		/* of ent[] */
	struct ctry	 c[IMP_CC_MAX];
	size_t		 nc;
};

/* (time, users affected) contributions, summed per time. */
struct contrib {
	int64_t		 t;
	double		 u;
};

static int
inc_copy(void *ctx, const struct store_incident *i)
{
	struct ictx *c = ctx;

	snprintf(c->cls, sizeof(c->cls), "%s", i->cls);
	snprintf(c->scope, sizeof(c->scope), "%s", i->scope);
	c->start = i->start;
	c->end = i->end;
	c->stop = i->end != 0 ? i->end : i->last + IMP_BIN;
	if (c->stop <= c->start)
		c->stop = c->start + IMP_BIN;
	return 0;
}

/* The scope's countries; else its regions; else its ASes. */
static void
pick_entities(struct ictx *c)
{
	static const enum ent_type order[] = { ENT_COUNTRY, ENT_REGION,
	    ENT_ASN };
	struct entity e;
	char one[ENT_STRLEN];

	for (size_t k = 0; k < 3 && c->nent == 0; k++) {
		const char *p = c->scope;

		c->level = order[k];
		while (*p != '\0') {
			size_t n = strcspn(p, ",");

			if (n < sizeof(one)) {
				memcpy(one, p, n);
				one[n] = '\0';
				if (entity_parse(one, &e) == 0 &&
				    e.type == order[k] && c->nent < IMP_ENT_MAX)
					entity_fmt(&e, c->ent[c->nent++]);
			}
			p += n + (p[n] == ',');
		}
	}
}

static int
fig_add(struct ictx *c, const char *name, bool known, double value,
    const char *unit, const char *method, const char *formula,
    struct sbuf *inputs)
{
	struct impact *im = c->out;
	struct impact_fig *f;
	struct store_impact row;
	char *in = sb_take(inputs);
	int rc;

	if (in == NULL || ll_grow(&im->fig, &im->cap, im->n + 1,
	    sizeof(*im->fig)) != 0) {
		free(in);
		return LL_ENOMEM;
	}
	f = &im->fig[im->n];
	memset(f, 0, sizeof(*f));
	f->inputs = in;
	f->known = known && isfinite(value);
	f->value = f->known ? value : 0;
	if ((f->name = strdup(name)) == NULL || (f->unit = strdup(unit)) ==
	    NULL || (f->method = strdup(method)) == NULL || (f->formula =
	    strdup(formula)) == NULL) {
		im->n++;
		return LL_ENOMEM;
	}
	im->n++;
	row = (struct store_impact){ c->id, f->name, f->known, f->value,
	    f->unit, f->method, f->formula, f->inputs, c->now };
	rc = store_impact_put(c->s, &row);
	return rc;
}

/* Lowest value of z and its time; false when z is empty. */
static bool
lowest(const struct iser *z, double *v, int64_t *t)
{
	if (z->n == 0)
		return false;
	*v = z->v[0];
	*t = z->t[0];
	for (size_t i = 1; i < z->n; i++)
		if (z->v[i] < *v) {
			*v = z->v[i];
			*t = z->t[i];
		}
	return true;
}

/* One entity's baseline and lowest point as JSON; adds the loss. */
static int
space_one(struct ictx *c, const char *signal, const char *ent,
    struct sbuf *b, size_t *used, double *sum)
{
	struct ibase bl;
	struct iser z = { 0 };
	char ts[LL_ISO8601_LEN];
	double lo;
	int64_t lot;
	int rc;

	if ((signal = imp_kind(c->s, signal, ent, c->start, c->stop)) ==
	    NULL)
		return 0;
	if ((rc = ibase_get(c->s, signal, ent, c->start, IMP_WINDOW,
	    &bl)) != 0 || (rc = iser_load(c->s, signal, ent, c->start,
	    c->stop, &z)) != 0)
		goto out;
	if (!bl.ok || !lowest(&z, &lo, &lot))
		goto out;
	sb_printf(b, "%s{\"entity\":", (*used)++ > 0 ? "," : "");
	sb_json_str(b, ent);
	sb_printf(b, ",\"signal\":\"%s\",", signal);
	ibase_json(b, &bl);
	sb_printf(b, ",\"lowest\":");
	sb_json_num(b, lo);
	sb_printf(b, ",\"lowest_at\":\"%s\",\"lost\":",
	    ll_time_fmt(lot, ts, sizeof(ts)));
	sb_json_num(b, bl.value > lo ? bl.value - lo : 0);
	sb_printf(b, ",\"lost_share\":");
	sb_json_num(b, bl.value > lo ? (bl.value - lo) / bl.value : 0);
	sb_printf(b, "}");
	*sum += bl.value > lo ? bl.value - lo : 0;
out:
	iser_fini(&z);
	return rc;
}

static int
fig_space(struct ictx *c, const char *name, const char *signal,
    const char *unit)
{
	struct sbuf b = { 0 };
	size_t used = 0;
	double sum = 0;
	int rc = 0;

	sb_printf(&b, "{\"family\":\"%s\",\"entities\":[", signal);
	for (size_t i = 0; i < c->nent && rc == 0; i++)
		rc = space_one(c, signal, c->ent[i], &b, &used, &sum);
	if (rc != 0) {
		sb_fini(&b);
		return rc;
	}
	sb_printf(&b, "]");
	if (used == 0)
		sb_printf(&b, ",\"reason\":\"no %s series of the scope's "
		    "entities with a baseline (pinned, or points in the 24 "
		    "hours before the start)\"", signal);
	sb_printf(&b, "}");
	return fig_add(c, name, used > 0, sum, unit, "baseline-minus-lowest",
	    "sum over the scope's entities of (baseline - lowest value "
	    "between start and end)", &b);
}

/* ---- users affected, per country ---- */

struct urow {
	uint32_t	 asn;
	double		 users, share;
};

struct urows {
	struct urow	*v;
	size_t		 n, cap;
	double		 sum;		/* users of every row */
	char		 cc[IMP_CC_MAX][3];	/* countries seen */
	size_t		 ncc;
};

static int
urow_add(void *ctx, const struct store_users *u)
{
	struct urows *r = ctx;
	size_t i;

	for (i = 0; i < r->ncc && strcmp(r->cc[i], u->cc) != 0; i++)
		;
	if (i == r->ncc && r->ncc < IMP_CC_MAX)
		memcpy(r->cc[r->ncc++], u->cc, 3);
	if (ll_grow(&r->v, &r->cap, r->n + 1, sizeof(*r->v)) != 0)
		return LL_ENOMEM;
	r->v[r->n++] = (struct urow){ u->asn, u->users, u->share };
	r->sum += u->users;
	return 0;
}

static int
ctry_row(void *ctx, const struct store_country *row)
{
	struct ctry *k = ctx;

	k->have_row = true;
	k->row = *row;
	snprintf(k->name, sizeof(k->name), "%s", row->name);
	snprintf(k->source, sizeof(k->source), "%s", row->source);
	k->row.name = k->name;
	k->row.source = k->source;
	return 0;
}

static int
contrib_cmp(const void *a, const void *b)
{
	const struct contrib *x = a, *y = b;

	return (x->t > y->t) - (x->t < y->t);
}

/* Peak and mean share of users affected from the contributions. */
static void
contrib_sum(struct ctry *k, struct contrib *v, size_t n)
{
	double tot = 0;

	qsort(v, n, sizeof(*v), contrib_cmp);
	k->peak = 0;
	k->bins = 0;
	for (size_t i = 0; i < n;) {
		double u = 0;
		int64_t t = v[i].t;

		for (; i < n && v[i].t == t; i++)
			u += v[i].u;
		if (u > k->peak || k->bins == 0) {
			k->peak = u;
			k->peak_t = t;
		}
		tot += k->total > 0 ? u / k->total : 0;
		k->bins++;
	}
	k->mean = k->bins > 0 ? tot / (double)k->bins : 0;
}

struct contribs {
	struct contrib	*v;
	size_t		 n, cap;
};

/* Adds users x lost share for each point of entity's bgp series; *bl
 * gets its baseline. covered: it had a baseline and points. */
static int
contrib_entity(struct ictx *c, const char *ent, double users,
    struct contribs *cv, struct ibase *bl, double *lowest_v, bool *covered)
{
	struct iser z = { 0 };
	const char *kind;
	int64_t lot;
	int rc;

	*covered = false;
	memset(bl, 0, sizeof(*bl));
	if ((kind = imp_kind(c->s, "bgp", ent, c->start, c->stop)) == NULL)
		return 0;
	if ((rc = ibase_get(c->s, kind, ent, c->start, IMP_WINDOW, bl)) != 0 ||
	    (rc = iser_load(c->s, kind, ent, c->start, c->stop, &z)) != 0)
		goto out;
	if (!bl->ok || !lowest(&z, lowest_v, &lot))
		goto out;
	*covered = true;
	for (size_t i = 0; i < z.n; i++) {
		double lost = 1 - z.v[i] / bl->value;

		if (ll_grow(&cv->v, &cv->cap, cv->n + 1, sizeof(*cv->v)) != 0) {
			rc = LL_ENOMEM;
			break;
		}
		cv->v[cv->n++] = (struct contrib){ z.t[i], users *
		    (lost < 0 ? 0 : lost > 1 ? 1 : lost) };
	}
out:
	iser_fini(&z);
	return rc;
}

/* The per-AS method: every AS row of the country (or of the scope's
 * ASes). The ASes are listed, largest first, while the country's inputs
 * stay within its share of IMP_JSON_BUDGET; the rest are summed in
 * "more_ases" (a figure's inputs must fit STORE_INPUTS_MAX). Returns 0
 * with k->method set when an AS was covered. */
static int
users_apnic(struct ictx *c, struct ctry *k, const struct urows *r,
    struct contribs *cv)
{
	size_t budget = IMP_JSON_BUDGET / (c->nc > 0 ? c->nc : 1);
	double lo = 0, uncovered = 0, more[3] = { 0, 0, 0 };
	size_t covered = 0, listed = 0;
	char ent[ENT_STRLEN];
	struct ibase bl;
	bool cov;
	int rc = 0;

	sb_printf(&k->js, ",\"ases\":[");
	for (size_t i = 0; i < r->n && rc == 0; i++) {
		snprintf(ent, sizeof(ent), "asn:%u", r->v[i].asn);
		rc = contrib_entity(c, ent, r->v[i].users, cv, &bl, &lo, &cov);
		covered += cov;
		uncovered += cov ? 0 : r->v[i].users;
		if (k->js.len >= budget) {
			more[0]++;
			more[1] += r->v[i].users;
			more[2] += cov;
			continue;
		}
		sb_printf(&k->js, "%s{\"asn\":%u,\"users\":", listed++ > 0 ?
		    "," : "", r->v[i].asn);
		sb_json_num(&k->js, r->v[i].users);
		sb_printf(&k->js, ",\"percent_of_country\":");
		sb_json_num(&k->js, r->v[i].share >= 0 ? r->v[i].share : NAN);
		if (cov) {
			sb_printf(&k->js, ",");
			ibase_json(&k->js, &bl);
			sb_printf(&k->js, ",\"lowest\":");
			sb_json_num(&k->js, lo);
		}
		sb_printf(&k->js, ",\"measured\":%s}", cov ? "true" : "false");
	}
	sb_printf(&k->js, "],\"more_ases\":{\"count\":%.0f,\"users\":",
	    more[0]);
	sb_json_num(&k->js, more[1]);
	sb_printf(&k->js, ",\"measured\":%.0f},\"users_not_measured\":",
	    more[2]);
	sb_json_num(&k->js, uncovered);
	if (covered > 0)
		k->method = "apnic-aspop";
	return rc;
}

/* Keeps the rows of the scope's ASes only. */
static void
urows_scope(const struct ictx *c, struct urows *r)
{
	char ent[ENT_STRLEN];
	size_t o = 0;

	for (size_t i = 0; i < r->n; i++) {
		snprintf(ent, sizeof(ent), "asn:%u", r->v[i].asn);
		for (size_t j = 0; j < c->nent; j++)
			if (strcmp(c->ent[j], ent) == 0) {
				r->v[o++] = r->v[i];
				break;
			}
	}
	r->n = o;
}

/* Without per-AS estimates: the country's lost share of address space,
 * times its Internet users when the country table has them. */
static int
users_share(struct ictx *c, struct ctry *k, struct contribs *cv)
{
	char ent[ENT_STRLEN];
	struct ibase bl;
	double lo = 0;
	bool cov, users = k->have_row && k->row.users >= 0;
	int rc;

	snprintf(ent, sizeof(ent), "country:%s", k->cc);
	cv->n = 0;
	rc = contrib_entity(c, ent, users ? k->row.users : 1, cv, &bl, &lo,
	    &cov);
	if (rc != 0 || !cov)
		return rc;
	k->method = users ? "country-share" : "space-share";
	if (!users)
		k->total = 1;
	sb_printf(&k->js, ",\"entity\":\"%s\",", ent);
	ibase_json(&k->js, &bl);
	sb_printf(&k->js, ",\"lowest\":");
	sb_json_num(&k->js, lo);
	return 0;
}

static int
users_country(struct ictx *c, struct ctry *k)
{
	struct urows r = { 0 };
	struct contribs cv = { 0 };
	char ts[LL_ISO8601_LEN];
	bool tab;
	int rc;

	if ((rc = store_users_list(c->s, k->cc, 0, urow_add, &r)) != 0 ||
	    (rc = store_country_list(c->s, k->cc, ctry_row, k)) != 0)
		goto out;
	if (c->level == ENT_ASN)
		urows_scope(c, &r);
	tab = k->have_row && k->row.users >= 0;
	k->total = tab ? k->row.users : r.sum;
	sb_printf(&k->js, "{\"cc\":\"%s\",\"internet_users\":", k->cc);
	sb_json_num(&k->js, tab || r.n > 0 ? k->total : NAN);
	sb_printf(&k->js, ",\"internet_users_from\":\"%s\"", tab ?
	    "country table" : r.n > 0 ? "sum of the per-AS estimates" :
	    "none");
	if (tab) {
		sb_printf(&k->js, ",\"country_table_source\":");
		sb_json_str(&k->js, k->source);
	}
	if (r.n > 0 && (rc = users_apnic(c, k, &r, &cv)) != 0)
		goto out;
	if (k->method == NULL && c->level == ENT_COUNTRY &&
	    (rc = users_share(c, k, &cv)) != 0)
		goto out;
	if (k->method != NULL)
		contrib_sum(k, cv.v, cv.n);
	sb_printf(&k->js, ",\"method\":");
	if (k->method == NULL) {
		sb_printf(&k->js, "null,\"reason\":\"no per-AS user estimate "
		    "with a measured AS, and no bgp series of the country "
		    "with a baseline\"}");
		goto out;
	}
	sb_printf(&k->js, "\"%s\",\"%s\":", k->method, strcmp(k->method,
	    "space-share") == 0 ? "peak_lost_share" : "peak");
	sb_json_num(&k->js, k->peak);
	sb_printf(&k->js, ",\"peak_at\":\"%s\",\"mean_share\":",
	    ll_time_fmt(k->peak_t, ts, sizeof(ts)));
	sb_json_num(&k->js, k->mean);
	sb_printf(&k->js, ",\"bins\":%zu}", k->bins);
out:
	free(r.v);
	free(cv.v);
	return rc;
}

/* The incident's countries: the scope's, or those the scope's ASes have
 * users in. */
static int
pick_countries(struct ictx *c)
{
	struct urows r = { 0 };
	int rc = 0;

	if (c->level == ENT_COUNTRY) {
		for (size_t i = 0; i < c->nent && c->nc < IMP_CC_MAX; i++)
			memcpy(c->c[c->nc++].cc, c->ent[i] + 8, 3);
		return 0;
	}
	if (c->level != ENT_ASN)
		return 0;
	for (size_t i = 0; i < c->nent && rc == 0; i++)
		rc = store_users_list(c->s, NULL, (uint32_t)strtoul(c->ent[i] +
		    4, NULL, 10), urow_add, &r);
	for (size_t i = 0; i < r.ncc && rc == 0; i++)
		memcpy(c->c[c->nc++].cc, r.cc[i], 3);
	free(r.v);
	return rc;
}

static int
fig_users(struct ictx *c)
{
	struct sbuf b = { 0 };
	double sum = 0;
	size_t n = 0;
	const char *method = "none";

	sb_printf(&b, "{\"countries\":[");
	for (size_t i = 0; i < c->nc; i++) {
		struct ctry *k = &c->c[i];

		sb_printf(&b, "%s%s", i > 0 ? "," : "", k->js.p != NULL ?
		    k->js.p : "{}");
		if (k->method == NULL || strcmp(k->method, "space-share") == 0)
			continue;
		sum += k->peak;
		n++;
		method = strcmp(method, "none") == 0 || strcmp(method,
		    k->method) == 0 ? k->method : "mixed";
	}
	sb_printf(&b, "]");
	if (n == 0)
		sb_printf(&b, ",\"reason\":\"%s\"", c->nc == 0 ? "no country "
		    "in scope, and no per-AS user estimate of the scope's ASes" :
		    "no per-AS user estimates (import users) and no Internet "
		    "users in the country table (import countries)");
	sb_printf(&b, "}");
	return fig_add(c, "users", n > 0, sum, "users", method,
	    "sum over countries of the peak over bins t of: per AS a, "
	    "users(a) x clamp(1 - value(a,t) / baseline(a), 0, 1), summed "
	    "(apnic-aspop); else internet_users(c) x clamp(1 - value(c,t) / "
	    "baseline(c), 0, 1) (country-share)", &b);
}

static int
fig_duration(struct ictx *c)
{
	struct sbuf b = { 0 };
	char t1[LL_ISO8601_LEN], t2[LL_ISO8601_LEN];

	sb_printf(&b, "{\"start\":\"%s\",\"end\":", ll_time_fmt(c->start, t1,
	    sizeof(t1)));
	if (c->end != 0)
		sb_printf(&b, "\"%s\",\"open\":false}", ll_time_fmt(c->end, t2,
		    sizeof(t2)));
	else
		sb_printf(&b, "null,\"open\":true,\"until\":\"%s\"}",
		    ll_time_fmt(c->stop, t2, sizeof(t2)));
	return fig_add(c, "duration", true, (double)(c->stop - c->start), "s",
	    "incident-range", "end - start (while open: the end of the last "
	    "bin with an alert - start)", &b);
}

/* The scope's summed bgp values per time from start to the end bin
 * (included), and the summed baselines. */
static int
restored_sum(struct ictx *c, struct contribs *cv, double *base,
    size_t *used)
{
	int64_t lim = c->end != 0 ? c->end + 1 : c->stop;
	struct iser z = { 0 };
	struct ibase bl;
	int rc = 0;

	*base = 0;
	*used = 0;
	for (size_t i = 0; i < c->nent && rc == 0; i++) {
		const char *kind = imp_kind(c->s, "bgp", c->ent[i], c->start,
		    lim);

		if (kind == NULL || (rc = ibase_get(c->s, kind, c->ent[i],
		    c->start, IMP_WINDOW, &bl)) != 0 || !bl.ok ||
		    (rc = iser_load(c->s, kind, c->ent[i], c->start, lim,
		    &z)) != 0 || z.n == 0)
			continue;
		*base += bl.value;
		(*used)++;
		for (size_t j = 0; j < z.n; j++) {
			if (ll_grow(&cv->v, &cv->cap, cv->n + 1,
			    sizeof(*cv->v)) != 0) {
				rc = LL_ENOMEM;
				break;
			}
			cv->v[cv->n++] = (struct contrib){ z.t[j], z.v[j] };
		}
	}
	iser_fini(&z);
	return rc;
}

/* Sums contributions of one time in place; returns the count left. */
static size_t
contrib_fold(struct contrib *v, size_t n)
{
	size_t o = 0;

	qsort(v, n, sizeof(*v), contrib_cmp);
	for (size_t i = 0; i < n;) {
		struct contrib s = { v[i].t, 0 };

		for (; i < n && v[i].t == s.t; i++)
			s.u += v[i].u;
		v[o++] = s;
	}
	return o;
}

static int
fig_restored(struct ictx *c)
{
	struct contribs cv = { 0 };
	struct sbuf b = { 0 };
	char ts[LL_ISO8601_LEN];
	double base, lo = 0, r = 0;
	size_t used, n, lo_i = 0, step;
	int rc;

	if ((rc = restored_sum(c, &cv, &base, &used)) != 0)
		goto out;
	n = contrib_fold(cv.v, cv.n);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || cv.v[i].u < lo) {
			lo = cv.v[i].u;
			lo_i = i;
		}
	sb_printf(&b, "{\"signal\":\"bgp\",\"entities\":%zu,\"baseline\":",
	    used);
	sb_json_num(&b, used > 0 ? base : NAN);
	if (n == 0 || base <= lo) {
		sb_printf(&b, ",\"reason\":\"%s\"}", n == 0 ? "no bgp series "
		    "of the scope with a baseline" : "nothing was lost");
		rc = fig_add(c, "restored", false, 0, "%", "share-of-loss",
		    "", &b);
		goto out;
	}
	sb_printf(&b, ",\"lowest\":");
	sb_json_num(&b, lo);
	sb_printf(&b, ",\"lowest_at\":\"%s\",\"curve\":[", ll_time_fmt(
	    cv.v[lo_i].t, ts, sizeof(ts)));
	step = (n - lo_i + 23) / 24;
	for (size_t i = lo_i; i < n; i += step > 0 ? step : 1) {
		if (i + step >= n)
			i = n - 1;
		r = 100 * (cv.v[i].u - lo) / (base - lo);
		r = r > 100 ? 100 : r;
		sb_printf(&b, "%s{\"time\":\"%s\",\"value\":", i > lo_i ? "," :
		    "", ll_time_fmt(cv.v[i].t, ts, sizeof(ts)));
		sb_json_num(&b, cv.v[i].u);
		sb_printf(&b, ",\"restored_percent\":");
		sb_json_num(&b, r);
		sb_printf(&b, "}");
	}
	sb_printf(&b, "]}");
	rc = fig_add(c, "restored", true, r, "%", "share-of-loss",
	    "100 x (value(t) - lowest) / (baseline - lowest), values and "
	    "baselines summed over the scope's entities, at the end bin (or "
	    "the latest one while open)", &b);
out:
	free(cv.v);
	return rc;
}

/* One country's cost; false (with the reason in b) when it has none. */
static bool
cost_one(struct ictx *c, const struct ctry *k, double days, struct sbuf *b,
    double *cost)
{
	const struct store_country *r = &k->row;

	sb_printf(b, "{\"cc\":\"%s\"", k->cc);
	if (!k->have_row || r->gdp < 0 || r->digital < 0) {
		sb_printf(b, ",\"reason\":\"%s\"}", !k->have_row ? "not in the "
		    "country table (import countries)" : "no GDP or no "
		    "digital_share in the country table");
		return false;
	}
	if (k->method == NULL) {
		sb_printf(b, ",\"reason\":\"no affected share: no users or "
		    "bgp data (see the users figure)\"}");
		return false;
	}
	*cost = r->gdp / 365 * r->digital * k->mean * days;
	sb_printf(b, ",\"gdp_usd\":");
	sb_json_num(b, r->gdp);
	sb_printf(b, ",\"gdp_year\":%d,\"digital_share\":", r->year);
	sb_json_num(b, r->digital);
	sb_printf(b, ",\"affected_share\":");
	sb_json_num(b, k->mean);
	sb_printf(b, ",\"affected_share_method\":\"%s\",\"bins\":%zu,"
	    "\"days\":", k->method, k->bins);
	sb_json_num(b, days);
	sb_printf(b, ",\"cost_usd\":");
	sb_json_num(b, *cost);
	sb_printf(b, ",\"source\":");
	sb_json_str(b, k->source);
	sb_printf(b, "}");
	(void)c;
	return true;
}

static int
fig_cost(struct ictx *c)
{
	struct sbuf b = { 0 };
	double days = (double)(c->stop - c->start) / 86400, sum = 0, one;
	size_t n = 0;

	sb_printf(&b, "{\"countries\":[");
	for (size_t i = 0; i < c->nc; i++) {
		if (i > 0)
			sb_printf(&b, ",");
		if (cost_one(c, &c->c[i], days, &b, &one)) {
			sum += one;
			n++;
		}
	}
	sb_printf(&b, "]");
	if (c->nc == 0)
		sb_printf(&b, ",\"reason\":\"no country: the scope has none, "
		    "and its ASes have no per-AS user estimate\"");
	sb_printf(&b, "}");
	return fig_add(c, "cost", n > 0, sum, "US$", "gdp-share",
	    "sum over countries of GDP / 365 x digital_share x "
	    "affected_share x days; affected_share = mean over the "
	    "incident's bins of users affected / Internet users (or of the "
	    "lost share of address space without users)", &b);
}

static int
compute_all(struct ictx *c)
{
	int rc;

	pick_entities(c);
	if ((rc = pick_countries(c)) != 0)
		return rc;
	for (size_t i = 0; i < c->nc; i++)
		if ((rc = users_country(c, &c->c[i])) != 0)
			return rc;
	if ((rc = store_impact_delete(c->s, c->id)) != 0 ||
	    (rc = fig_space(c, "space.v4", "bgp", "/24s")) != 0 ||
	    (rc = fig_space(c, "space.v6", "bgp6", "/48s")) != 0 ||
	    (rc = fig_users(c)) != 0 || (rc = fig_duration(c)) != 0 ||
	    (rc = fig_restored(c)) != 0 || (rc = fig_cost(c)) != 0)
		return rc;
	return 0;
}

int
impact_compute(struct store *s, int64_t id, int64_t now, struct impact *out)
{
	struct ictx *c;
	bool mine = !store_tx_active(s);
	int rc;

	memset(out, 0, sizeof(*out));
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return LL_ENOMEM;
	c->s = s;
	c->out = out;
	c->id = out->incident = id;
	c->now = out->computed_at = now;
	if ((rc = store_incident_list(s, id, inc_copy, c)) != 0)
		goto out;
	if (mine && (rc = store_tx_begin(s)) != 0)
		goto out;
	rc = compute_all(c);
	if (mine)
		rc = rc == 0 ? store_tx_commit(s) : (store_tx_rollback(s), rc);
out:
	for (size_t i = 0; i < c->nc; i++)
		sb_fini(&c->c[i].js);
	free(c);
	if (rc != 0)
		impact_fini(out);
	return rc;
}

void
impact_fini(struct impact *im)
{
	for (size_t i = 0; i < im->n; i++) {
		free(im->fig[i].name);
		free(im->fig[i].unit);
		free(im->fig[i].method);
		free(im->fig[i].formula);
		free(im->fig[i].inputs);
	}
	free(im->fig);
	memset(im, 0, sizeof(*im));
}
