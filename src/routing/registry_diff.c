/*
 * Registry changes: two RIR delegated(-extended) snapshots compared
 * delegation by delegation (routing.h says what counts as a change).
 * Both files are read whole into sorted arrays (about 150 bytes a record:
 * 13 MB for LACNIC's 86,000), then walked side by side.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "input/input.h"
#include "routing/routing.h"
#include "util/err.h"
#include "util/time.h"

#define RECS_MAX	20000000u

struct recs {
	struct geo_rir_rec	*r;
	size_t			 n, cap;
};

static int
recs_add(void *ctx, const struct geo_rir_rec *r)
{
	struct recs *rs = ctx;

	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 4096;
		struct geo_rir_rec *t;

		if (rs->n >= RECS_MAX)
			return LL_ELIMIT;
		if ((t = realloc(rs->r, cap * sizeof(*t))) == NULL)
			return LL_ENOMEM;
		rs->r = t;
		rs->cap = cap;
	}
	rs->r[rs->n++] = *r;
	return 0;
}

/* The order of delegations: type, start, size. */
static int
rec_cmp(const struct geo_rir_rec *a, const struct geo_rir_rec *b)
{
	int c;

	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->type == GEO_RIR_ASN) {
		if (a->asn != b->asn)
			return a->asn < b->asn ? -1 : 1;
	} else if ((c = memcmp(a->start.a, b->start.a, 16)) != 0)
		return c < 0 ? -1 : 1;
	if (a->value != b->value)
		return a->value < b->value ? -1 : 1;
	return 0;
}

/* Sorts by delegation, then by line, so that the first of repeats stays. */
static int
rec_qcmp(const void *x, const void *y)
{
	const struct geo_rir_rec *a = x, *b = y;
	int c = rec_cmp(a, b);

	if (c != 0)
		return c;
	return a->line < b->line ? -1 : a->line > b->line;
}

/* Sorts rs and drops repeated delegations (reported). Returns the count. */
static uint64_t
recs_sort(struct recs *rs, const char *path, routing_warn_fn *warn,
    void *wctx)
{
	uint64_t dup = 0;
	size_t i, o;

	if (rs->n == 0)
		return 0;
	qsort(rs->r, rs->n, sizeof(*rs->r), rec_qcmp);
	for (i = o = 1; i < rs->n; i++) {
		if (rec_cmp(&rs->r[o - 1], &rs->r[i]) == 0) {
			char msg[256], res[ROUTING_RES_STRLEN];

			routing_rrec_resource(&rs->r[i], res);
			snprintf(msg, sizeof(msg), "%s:%llu: %s repeats line "
			    "%llu; skipped", path,
			    (unsigned long long)rs->r[i].line, res,
			    (unsigned long long)rs->r[o - 1].line);
			if (warn != NULL)
				warn(wctx, msg);
			dup++;
			continue;
		}
		rs->r[o++] = rs->r[i];
	}
	rs->n = o;
	return dup;
}

static uint64_t
v4_of(const struct net_addr *a)
{
	return (uint64_t)a->a[0] << 24 | (uint64_t)a->a[1] << 16 |
	    (uint64_t)a->a[2] << 8 | a->a[3];
}

/* True when delegation r overlaps prefix p. */
static bool
overlaps(const struct geo_rir_rec *r, const struct net_prefix *p)
{
	struct net_prefix q;

	if (r->type == GEO_RIR_ASN)
		return false;
	if (r->type == GEO_RIR_IPV4) {
		uint64_t lo, hi, s, e;

		if (p->af != NET_AF4)
			return false;
		lo = v4_of(&r->start);
		hi = lo + r->value;
		s = (uint64_t)p->a[0] << 24 | (uint64_t)p->a[1] << 16 |
		    (uint64_t)p->a[2] << 8 | p->a[3];
		e = s + (1ull << (32 - p->len));
		return lo < e && s < hi;
	}
	if (p->af != NET_AF6)
		return false;
	q.af = NET_AF6;
	q.len = (uint8_t)r->value;
	memcpy(q.a, r->start.a, sizeof(q.a));
	return net_prefix_contains(p, &q) || net_prefix_contains(&q, p);
}

static bool
watched(const struct routing_rfilter *f, const struct geo_rir_rec *r)
{
	size_t i;

	if (r == NULL)
		return false;
	for (i = 0; i < f->nasn; i++)
		if (r->type == GEO_RIR_ASN && f->asn[i] >= r->asn &&
		    (uint64_t)f->asn[i] < (uint64_t)r->asn + r->value)
			return true;
	for (i = 0; i < f->nprefix; i++)
		if (overlaps(r, &f->prefix[i]))
			return true;
	return false;
}

/* True when one of the n strings of list is s (of old or new). */
static bool
listed(const char *const *list, size_t n, const char *a, const char *b)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((a != NULL && strcasecmp(list[i], a) == 0) ||
		    (b != NULL && strcasecmp(list[i], b) == 0))
			return true;
	return false;
}

static bool
kept(const struct routing_rfilter *f, const struct routing_rchange_ev *c)
{
	const struct geo_rir_rec *o = c->old, *n = c->new_;

	if (f == NULL)
		return true;
	if (f->kinds != 0 && !(f->kinds & (1u << c->kind)))
		return false;
	if ((f->nasn > 0 || f->nprefix > 0) && !watched(f, o) &&
	    !watched(f, n))
		return false;
	if (f->ncc > 0 && !listed(f->cc, f->ncc, o ? o->cc : NULL,
	    n ? n->cc : NULL))
		return false;
	if (f->nregistry > 0 && !listed(f->registry, f->nregistry,
	    o ? o->registry : NULL, n ? n->registry : NULL))
		return false;
	return true;
}

struct emit {
	const struct routing_rfilter	*f;
	routing_rchange_fn		*fn;
	void				*ctx;
	struct routing_rdiff_stats	*st;
};

static int
emit(struct emit *e, enum routing_rchange k, const struct geo_rir_rec *o,
    const struct geo_rir_rec *n)
{
	struct routing_rchange_ev c = { k, o, n };

	if (!kept(e->f, &c))
		return 0;
	e->st->changes[k]++;
	return e->fn(e->ctx, &c);
}

static bool
real_cc(const char *cc)
{
	return cc[0] != '\0' && strcmp(cc, "ZZ") != 0;
}

/* The changes of one delegation in both snapshots. */
static int
compare(struct emit *e, const struct geo_rir_rec *o,
    const struct geo_rir_rec *n)
{
	int rc = 0;

	if (o->id[0] != '\0' && n->id[0] != '\0' && strcmp(o->id, n->id) != 0)
		rc = emit(e, ROUTING_RCH_TRANSFER, o, n);
	if (rc == 0 && real_cc(o->cc) && real_cc(n->cc) &&
	    strcmp(o->cc, n->cc) != 0)
		rc = emit(e, ROUTING_RCH_COUNTRY, o, n);
	if (rc == 0 && strcmp(o->status, n->status) != 0)
		rc = emit(e, ROUTING_RCH_STATUS, o, n);
	return rc;
}

static int
walk(struct emit *e, const struct recs *a, const struct recs *b)
{
	size_t i = 0, j = 0;
	int rc = 0;

	while (rc == 0 && (i < a->n || j < b->n)) {
		int c = i == a->n ? 1 : j == b->n ? -1 :
		    rec_cmp(&a->r[i], &b->r[j]);

		if (c < 0)
			rc = emit(e, ROUTING_RCH_REMOVED, &a->r[i++], NULL);
		else if (c > 0)
			rc = emit(e, ROUTING_RCH_NEW, NULL, &b->r[j++]);
		else
			rc = compare(e, &a->r[i++], &b->r[j++]);
	}
	return rc;
}

int
routing_registry_diff(const char *old_path, const char *new_path,
    const struct routing_rfilter *f, routing_rchange_fn *fn, void *ctx,
    routing_warn_fn *warn, void *wctx, struct routing_rdiff_stats *st,
    char *err, size_t errlen)
{
	const char *path[2] = { old_path, new_path };
	struct routing_rdiff_stats dummy;
	struct recs rs[2];
	struct emit e;
	int rc = 0, k;

	if (st == NULL)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	memset(rs, 0, sizeof(rs));
	for (k = 0; k < 2 && rc == 0; k++) {
		rc = geo_rir_scan(path[k], recs_add, &rs[k], warn, wctx,
		    &st->bad[k], err, errlen);
		if (rc == LL_ELIMIT || rc == LL_ENOMEM)
			snprintf(err, err != NULL ? errlen : 0, "%s: %s",
			    path[k], rc == LL_ELIMIT ? "more than 20 million "
			    "records" : "out of memory");
		st->records[k] = rs[k].n;
		st->dup[k] = recs_sort(&rs[k], path[k], warn, wctx);
	}
	if (rc == 0) {
		e.f = f;
		e.fn = fn;
		e.ctx = ctx;
		e.st = st;
		rc = walk(&e, &rs[0], &rs[1]);
	}
	free(rs[0].r);
	free(rs[1].r);
	return rc;
}

const char *
routing_rchange_name(enum routing_rchange k)
{
	static const char *const names[] = { "new", "removed", "transfer",
	    "country", "status" };

	return (unsigned)k < ROUTING_RCH_N ? names[k] : NULL;
}

size_t
routing_rrec_resource(const struct geo_rir_rec *r, char *buf)
{
	char a[NET_ADDR_STRLEN];
	int n;

	if (r->type == GEO_RIR_ASN)
		n = r->value == 1 ? snprintf(buf, ROUTING_RES_STRLEN, "AS%u",
		    r->asn) : snprintf(buf, ROUTING_RES_STRLEN, "AS%u-AS%llu",
		    r->asn, (unsigned long long)(r->asn + r->value - 1));
	else {
		uint64_t s = v4_of(&r->start), v = r->value;

		net_addr_fmt(&r->start, a);
		if (r->type == GEO_RIR_IPV6)
			n = snprintf(buf, ROUTING_RES_STRLEN, "%s/%llu", a,
			    (unsigned long long)v);
		else if ((v & (v - 1)) == 0 && (s & (v - 1)) == 0)
			n = snprintf(buf, ROUTING_RES_STRLEN, "%s/%d", a,
			    32 - __builtin_ctzll(v));
		else
			n = snprintf(buf, ROUTING_RES_STRLEN, "%s+%llu", a,
			    (unsigned long long)v);
	}
	return n > 0 ? (size_t)n : 0;
}

size_t
routing_rrec_entity(const struct geo_rir_rec *r, char *buf)
{
	char a[NET_ADDR_STRLEN];
	int n, len;

	if (r->type == GEO_RIR_ASN)
		n = snprintf(buf, ROUTING_RES_STRLEN, "asn:%u", r->asn);
	else {
		uint64_t s = v4_of(&r->start), v = r->value;

		net_addr_fmt(&r->start, a);
		if (r->type == GEO_RIR_IPV6)
			len = (int)v;
		else {
			/* the largest block that starts the range */
			int size = 63 - __builtin_clzll(v);	/* v >= 1 */
			int align = s != 0 ? __builtin_ctzll(s) : 32;

			len = 32 - (size < align ? size : align);
		}
		n = snprintf(buf, ROUTING_RES_STRLEN, "prefix:%s/%d", a, len);
	}
	return n > 0 ? (size_t)n : 0;
}

int
routing_rwatch_parse(const char *s, uint32_t *asn, struct net_prefix *p)
{
	const char *d = s;
	unsigned long long v = 0;

	if (strchr(s, '/') != NULL)
		return net_prefix_parse(s, p) == 0 ? 2 : LL_EFORMAT;
	if (strncasecmp(d, "AS", 2) == 0)
		d += 2;
	if (*d >= '0' && *d <= '9') {
		for (; *d >= '0' && *d <= '9'; d++)
			if ((v = v * 10 + (unsigned)(*d - '0')) > UINT32_MAX)
				return LL_EFORMAT;
		if (*d != '\0')
			return LL_EFORMAT;
		*asn = (uint32_t)v;
		return 1;
	}
	return LL_EFORMAT;
}

/* The end date of a version line "2|afrinic|serial|records|start|end|
 * offset" (RIR statistics exchange format): the sixth field. */
static int
version_end(const char *line, size_t len, int64_t *out)
{
	char d[9], date[11];
	size_t i = 0, f = 0, n = 0;

	for (; i < len && f < 5; i++)
		f += line[i] == '|';
	for (; i < len && line[i] != '|' && line[i] != '\r' && n < 9; i++)
		d[n++] = line[i];
	if (f != 5 || n != 8)
		return LL_EFORMAT;
	snprintf(date, sizeof(date), "%.4s-%.2s-%.2s", d, d + 4, d + 6);
	return ll_time_parse(date, out);
}

int
routing_rir_date(const char *path, int64_t *out, char *err, size_t errlen)
{
	struct input *in = NULL;
	const uint8_t *p = NULL;
	size_t avail = 0, at = 0;
	int rc;

	if ((rc = input_open(path, NULL, &in)) == 0)
		rc = input_peek(in, 65536, &p, &avail);
	if (rc < 0 || avail == 0) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
		    ll_strerror(rc < 0 ? rc : LL_EFORMAT));
		input_free(in);
		return rc < 0 ? rc : LL_EFORMAT;
	}
	rc = LL_EFORMAT;
	while (at < avail) {
		const uint8_t *nl = memchr(p + at, '\n', avail - at);
		size_t len = nl != NULL ? (size_t)(nl - p) - at : avail - at;

		if (p[at] != '#' && len > 0) {
			rc = version_end((const char *)p + at, len, out);
			break;
		}
		at += len + 1;
	}
	if (rc != 0)
		snprintf(err, errlen, "%s: the first line is not a version "
		    "line with an end date (2|registry|serial|records|start|"
		    "YYYYMMDD|offset)", path);
	input_free(in);
	return rc;
}
