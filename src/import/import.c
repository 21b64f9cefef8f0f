/*
 * The import engine: observations gathered by the parsers, interned keys,
 * the reduction per (kind, entity, bin), format names and detection.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "import/import_int.h"
#include "net/entity.h"
#include "util/err.h"
#include "util/grow.h"
#include "util/hash.h"

static const char *const fmt_names[] = {
	[IMPORT_SERIES_CSV] = "series-csv",
	[IMPORT_IODA_JSON] = "ioda-json",
	[IMPORT_MONASH] = "monash",
	[IMPORT_NDT] = "ndt",
	[IMPORT_OONI] = "ooni",
};

static const char *const fam_names[] = {
	[IMPORT_FAM_SERIES] = "series",
	[IMPORT_FAM_MONASH] = "monash",
	[IMPORT_FAM_NDT] = "ndt",
	[IMPORT_FAM_OONI] = "ooni",
};

int
import_fmt_parse(const char *s, enum import_fmt *out)
{
	for (int i = IMPORT_SERIES_CSV; i <= IMPORT_OONI; i++)
		if (strcmp(s, fmt_names[i]) == 0) {
			*out = (enum import_fmt)i;
			return 0;
		}
	return LL_EINVAL;
}

const char *
import_fmt_name(enum import_fmt f)
{
	return f >= IMPORT_SERIES_CSV && f <= IMPORT_OONI ? fmt_names[f] :
	    "?";
}

int
import_family_parse(const char *s, enum import_family *out)
{
	for (int i = IMPORT_FAM_SERIES; i <= IMPORT_FAM_OONI; i++)
		if (strcmp(s, fam_names[i]) == 0) {
			*out = (enum import_family)i;
			return 0;
		}
	return LL_EINVAL;
}

bool
import_fmt_in(enum import_fmt f, enum import_family fam)
{
	switch (fam) {
	case IMPORT_FAM_SERIES:
		return f == IMPORT_SERIES_CSV || f == IMPORT_IODA_JSON;
	case IMPORT_FAM_MONASH:
		return f == IMPORT_MONASH;
	case IMPORT_FAM_NDT:
		return f == IMPORT_NDT;
	case IMPORT_FAM_OONI:
		return f == IMPORT_OONI;
	}
	return false;
}

static char
first_byte(const uint8_t *buf, size_t len)
{
	size_t i = 0;

	/* A UTF-8 byte order mark, then blanks. */
	if (len >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf)
		i = 3;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' ||
	    buf[i] == '\r' || buf[i] == '\n'))
		i++;
	return i < len ? (char)buf[i] : '\0';
}

int
import_detect(enum import_family fam, const uint8_t *buf, size_t len,
    enum import_fmt *out, char *why, size_t whylen)
{
	char c = first_byte(buf, len);
	const char *w = NULL;

	switch (fam) {
	case IMPORT_FAM_SERIES:
		*out = c == '{' ? IMPORT_IODA_JSON : IMPORT_SERIES_CSV;
		break;
	case IMPORT_FAM_MONASH:
		*out = IMPORT_MONASH;
		if (c == '{' || c == '[')
			w = "JSON, not a Monash CSV";
		break;
	case IMPORT_FAM_NDT:
	case IMPORT_FAM_OONI:
		*out = fam == IMPORT_FAM_NDT ? IMPORT_NDT : IMPORT_OONI;
		if (c != '{' && c != '\0')
			w = "not JSON (a result starts with '{')";
		break;
	default:
		w = "no such family";
	}
	if (w != NULL) {
		if (why != NULL)
			snprintf(why, whylen, "%s", w);
		return LL_EFORMAT;
	}
	return 0;
}

int
import_new(const struct import_opts *o, struct import **out)
{
	struct import *im;
	char ent[ENT_STRLEN];

	*out = NULL;
	if (o == NULL || o->fmt < IMPORT_SERIES_CSV || o->fmt > IMPORT_OONI ||
	    (o->entity != NULL && imp_entity(o->entity, ent) != 0))
		return LL_EINVAL;
	if ((im = calloc(1, sizeof(*im))) == NULL)
		return LL_ENOMEM;
	im->o = *o;
	arena_init(&im->ar, 0);
	*out = im;
	return 0;
}

void
import_free(struct import *im)
{
	if (im == NULL)
		return;
	arena_fini(&im->ar);
	free(im->keys);
	free(im->slots);
	free(im->obs);
	free(im);
}

const struct import_stats *
import_stats(const struct import *im)
{
	return &im->st;
}

int
imp_entity(const char *s, char *out)
{
	struct entity e;

	if (strlen(s) >= ENT_STRLEN || entity_parse(s, &e) != 0)
		return LL_EFORMAT;
	entity_fmt(&e, out);
	return 0;
}

void
imp_bad(struct import *im, uint64_t line, const char *fmt, ...)
{
	char what[256], msg[512];
	va_list ap;

	im->st.bad++;
	if (im->o.on_bad == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/* Control bytes from the input never reach a terminal. */
	for (char *p = what; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	snprintf(msg, sizeof(msg), "%s:%llu: %s", im->name,
	    (unsigned long long)line, what);
	im->o.on_bad(im->o.ctx, msg);
}

/* ---- interned keys ------------------------------------------------ */

static uint64_t
key_hash(const char *kind, const char *entity)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL;

	for (const char *p = kind; *p != '\0'; p++)
		h = ll_fold(h, (uint8_t)*p);
	h = ll_fold(h, 0);
	for (const char *p = entity; *p != '\0'; p++)
		h = ll_fold(h, (uint8_t)*p);
	return ll_mix64(h);
}

static int
slots_grow(struct import *im)
{
	size_t n = im->nslots ? im->nslots * 2 : 1024, mask = n - 1;
	uint32_t *s = calloc(n, sizeof(*s));

	if (s == NULL)
		return LL_ENOMEM;
	for (size_t k = 0; k < im->nkeys; k++) {
		size_t i = (size_t)im->keys[k].h & mask;
		while (s[i] != 0)
			i = (i + 1) & mask;
		s[i] = (uint32_t)(k + 1);
	}
	free(im->slots);
	im->slots = s;
	im->nslots = n;
	return 0;
}

static char *
ar_strdup(struct arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = arena_alloc(a, n);

	if (d != NULL)
		memcpy(d, s, n);
	return d;
}

/* The index of (kind, entity), added when new. Returns 0 or LL_E*. */
static int
key_find(struct import *im, const char *kind, const char *entity,
    enum imp_op op, uint32_t *out)
{
	uint64_t h = key_hash(kind, entity);
	struct imp_key *k;
	size_t i, mask;
	int rc;

	if ((im->nkeys + 1) * 2 > im->nslots && (rc = slots_grow(im)) != 0)
		return rc;
	mask = im->nslots - 1;
	for (i = (size_t)h & mask; im->slots[i] != 0; i = (i + 1) & mask) {
		k = &im->keys[im->slots[i] - 1];
		if (k->h == h && strcmp(k->kind, kind) == 0 &&
		    strcmp(k->entity, entity) == 0) {
			*out = im->slots[i] - 1;
			return 0;
		}
	}
	if (im->nkeys >= UINT32_MAX - 1)
		return LL_ELIMIT;
	if ((rc = ll_grow(&im->keys, &im->capkeys, im->nkeys + 1,
	    sizeof(*im->keys))) != 0)
		return rc;
	k = &im->keys[im->nkeys];
	k->kind = ar_strdup(&im->ar, kind);
	k->entity = ar_strdup(&im->ar, entity);
	if (k->kind == NULL || k->entity == NULL)
		return LL_ENOMEM;
	k->h = h;
	k->op = (uint8_t)op;
	im->slots[i] = (uint32_t)(im->nkeys + 1);
	*out = (uint32_t)im->nkeys++;
	return 0;
}

int
imp_obs_add(struct import *im, const char *kind, const char *entity,
    int64_t t, double v, enum imp_op op)
{
	uint32_t key;
	int rc;

	if (strlen(kind) >= IMPORT_NAME_MAX ||
	    strlen(entity) >= IMPORT_NAME_MAX)
		return LL_EINVAL;
	if (im->nobs >= IMPORT_OBS_MAX)
		return LL_ELIMIT;
	if ((rc = key_find(im, kind, entity, op, &key)) != 0 ||
	    (rc = ll_grow(&im->obs, &im->capobs, im->nobs + 1,
	    sizeof(*im->obs))) != 0)
		return rc;
	im->obs[im->nobs] = (struct imp_obs){ .key = key,
	    .seq = (uint32_t)im->nobs, .t = t, .v = v };
	im->nobs++;
	return 0;
}

/* ---- feeding and reducing ----------------------------------------- */

int
import_feed(struct import *im, const char *name, const uint8_t *buf,
    size_t len, uint64_t *rows, uint64_t *bad)
{
	uint64_t r0 = im->st.rows, b0 = im->st.bad;
	int rc;

	if (len > IMPORT_FILE_MAX)
		return LL_ELIMIT;
	im->name = name;
	switch (im->o.fmt) {
	case IMPORT_SERIES_CSV:
		rc = imp_series_csv(im, buf, len);
		break;
	case IMPORT_IODA_JSON:
		rc = imp_ioda_json(im, buf, len);
		break;
	case IMPORT_MONASH:
		rc = imp_monash(im, buf, len);
		break;
	case IMPORT_NDT:
		rc = imp_ndt(im, buf, len);
		break;
	default:
		rc = imp_ooni(im, buf, len);
		break;
	}
	if (rows != NULL)
		*rows = im->st.rows - r0;
	if (bad != NULL)
		*bad = im->st.bad - b0;
	return rc;
}

static const struct import *sort_im;

static int
obs_cmp(const void *a, const void *b)
{
	const struct imp_obs *x = a, *y = b;
	const struct imp_key *kx = &sort_im->keys[x->key],
	    *ky = &sort_im->keys[y->key];
	int c;

	if (x->key != y->key) {
		if ((c = strcmp(kx->kind, ky->kind)) != 0)
			return c;
		return strcmp(kx->entity, ky->entity);
	}
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->v != y->v && kx->op == IMP_MEDIAN)
		return x->v < y->v ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The value of obs[0..n), all of one key and bin (sorted by value for a
 * median). */
static double
reduce(const struct imp_obs *o, size_t n, enum imp_op op)
{
	double acc = 0;

	switch (op) {
	case IMP_LAST:
		return o[n - 1].v;
	case IMP_MEDIAN:	/* halves first: no overflow */
		return n % 2 ? o[n / 2].v : o[n / 2 - 1].v / 2 + o[n / 2].v / 2;
	case IMP_MIN:
		acc = o[0].v;
		for (size_t i = 1; i < n; i++)
			acc = fmin(acc, o[i].v);
		return acc;
	case IMP_SUM:
		for (size_t i = 0; i < n; i++)
			acc += o[i].v;
		return acc;
	case IMP_MEAN:		/* a running mean: no overflow */
		for (size_t i = 0; i < n; i++)
			acc += (o[i].v - acc) / (double)(i + 1);
		return acc;
	}
	return NAN;
}

int
import_finish(struct import *im, import_point_fn *fn, void *ctx)
{
	struct import_point p;
	size_t i = 0, j;
	int rc;

	sort_im = im;
	if (im->nobs > 1)
		qsort(im->obs, im->nobs, sizeof(*im->obs), obs_cmp);
	sort_im = NULL;
	while (i < im->nobs) {
		const struct imp_key *k = &im->keys[im->obs[i].key];
		for (j = i + 1; j < im->nobs && im->obs[j].key ==
		    im->obs[i].key && im->obs[j].t == im->obs[i].t; j++)
			;
		p.kind = k->kind;
		p.entity = k->entity;
		p.time = im->obs[i].t;
		p.value = reduce(&im->obs[i], j - i, (enum imp_op)k->op);
		if (!isfinite(p.value)) {	/* a sum beyond DBL_MAX */
			i = j;
			continue;
		}
		if ((rc = fn(ctx, &p)) != 0)
			return rc;
		if (im->st.points == 0 || p.time < im->st.tmin)
			im->st.tmin = p.time;
		if (im->st.points == 0 || p.time > im->st.tmax)
			im->st.tmax = p.time;
		im->st.points++;
		i = j;
	}
	return 0;
}

/* ---- lines, CSV, numbers, JSON documents -------------------------- */

void
imp_lines_init(struct imp_lines *l, const uint8_t *p, size_t len)
{
	l->p = p;
	l->len = len;
	l->off = 0;
	l->no = 0;
	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		l->off = 3;
}

bool
imp_lines_next(struct imp_lines *l, const char **s, size_t *n)
{
	const uint8_t *nl;
	size_t rest, k;

	if (l->off >= l->len)
		return false;
	rest = l->len - l->off;
	nl = memchr(l->p + l->off, '\n', rest);
	k = nl != NULL ? (size_t)(nl - (l->p + l->off)) : rest;
	*s = (const char *)l->p + l->off;
	*n = k > 0 && (*s)[k - 1] == '\r' ? k - 1 : k;
	l->off += nl != NULL ? k + 1 : k;
	l->no++;
	return true;
}

int
imp_csv_split(const char *s, size_t n, char *buf, size_t buflen,
    char **fields, int max)
{
	size_t i = 0, o = 0;
	int nf = 0;

	for (;;) {
		bool quoted = i < n && s[i] == '"';
		if (nf == max || o >= buflen)
			return -1;
		fields[nf++] = buf + o;
		i += quoted;
		for (; i < n; i++) {
			if (quoted && s[i] == '"') {
				if (i + 1 < n && s[i + 1] == '"')
					i++;
				else {
					quoted = false;
					continue;
				}
			} else if (!quoted && s[i] == ',')
				break;
			if (s[i] == '\0' || o + 1 >= buflen)
				return -1;
			buf[o++] = s[i];
		}
		if (quoted)
			return -1;
		buf[o++] = '\0';
		if (i >= n)
			return nf;
		i++;		/* the comma */
	}
}

bool
imp_number(const char *s, double *out)
{
	char *end;
	double v;

	if (*s == '\0' || isspace((unsigned char)*s))
		return false;
	v = strtod(s, &end);
	if (*end != '\0' || !isfinite(v))
		return false;
	*out = v;
	return true;
}

/* The line number of byte off of buf. */
static uint64_t
line_of(const uint8_t *buf, size_t off)
{
	uint64_t no = 1;

	for (size_t i = 0; i < off; i++)
		no += buf[i] == '\n';
	return no;
}

static bool
blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

int
imp_json_docs(struct import *im, const uint8_t *buf, size_t len,
    imp_json_fn *fn)
{
	struct imp_lines l;
	json_error_t jerr, whole;
	json_t *doc;
	const char *s;
	size_t n;
	int rc;

	/* One document, maybe over several lines. */
	doc = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES,
	    &whole);
	if (doc != NULL) {
		im->st.rows++;
		rc = fn(im, doc, line_of(buf, 0));
		json_decref(doc);
		return rc;
	}
	/* Else JSON Lines, unless the first line is a document's start. */
	imp_lines_init(&l, buf, len);
	while (imp_lines_next(&l, &s, &n)) {
		if (blank(s, n))
			continue;
		im->st.rows++;
		if (l.no == 1 && n == 1 && (s[0] == '{' || s[0] == '[')) {
			/* A document over several lines that is broken. */
			imp_bad(im, (uint64_t)whole.line, "not JSON: %s",
			    whole.text);
			return 0;
		}
		doc = json_loadb(s, n, JSON_REJECT_DUPLICATES, &jerr);
		if (doc == NULL) {
			imp_bad(im, l.no, "not JSON: %s (column %d)",
			    jerr.text, jerr.column);
			continue;
		}
		rc = fn(im, doc, l.no);
		json_decref(doc);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* ---- kinds -------------------------------------------------------- */

static const struct {
	const char	*prefix;	/* a kind, or a prefix ending in '.' */
	const char	*unit;
	const char	*desc;
} kinds[] = {
	{ "monash.connectivity", "index", "Monash IP Observatory "
	    "connectivity index (100 normal, 0 offline), unweighted mean of "
	    "the hour's rows" },
	{ "ndt.down.tests", "tests", "M-Lab NDT download tests in the hour" },
	{ "ndt.up.tests", "tests", "M-Lab NDT upload tests in the hour" },
	{ "ndt.rtt.tests", "tests", "M-Lab NDT tests with an RTT in the "
	    "hour" },
	{ "ndt.down", "Mbit/s", "M-Lab NDT download throughput, median of "
	    "the hour's tests" },
	{ "ndt.up", "Mbit/s", "M-Lab NDT upload throughput, median of the "
	    "hour's tests" },
	{ "ndt.rtt", "ms", "M-Lab NDT minimum RTT, lowest of the hour's "
	    "tests" },
	{ "ooni.anomaly.", "share", "OONI: share of the day's scored "
	    "measurements of this test that were anomalous" },
	{ "ooni.confirmed.", "share", "OONI: share of the day's scored "
	    "measurements of this test confirmed blocked" },
	{ "ooni.tests.", "measurements", "OONI: the day's scored "
	    "measurements of this test" },
	{ "ioda.bgp", "/24s", "IODA BGP: visible /24 prefixes" },
	{ "ioda.ping-slash24", "/24s", "IODA active probing: responsive /24 "
	    "blocks" },
	{ "ioda.merit-nt", "IPs", "IODA telescope (Merit): unique source "
	    "IPs" },
	{ "ioda.ucsd-nt", "IPs", "IODA telescope (UCSD): unique source IPs" },
	{ "ioda.gtr", "index", "IODA: Google Transparency Report traffic" },
	{ "ioda.", "", "IODA signal (as /signals/raw gives it)" },
};

void
import_kind_info(const char *kind, struct import_kind *out)
{
	out->unit = "";
	out->description = "imported series";
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t n = strlen(kinds[i].prefix);
		bool pre = kinds[i].prefix[n - 1] == '.';
		if (pre ? strncmp(kind, kinds[i].prefix, n) == 0 :
		    strcmp(kind, kinds[i].prefix) == 0) {
			out->unit = kinds[i].unit;
			out->description = kinds[i].desc;
			return;
		}
	}
}
