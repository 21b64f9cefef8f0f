/*
 * Generic series: CSV "time,entity,kind,value" and the JSON of IODA's
 * /signals/raw API (docs/data.md).
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "import/import_int.h"
#include "net/entity.h"
#include "util/err.h"
#include "util/time.h"

#define SERIES_LINE_MAX	1024

/* A kind: 1 to IMPORT_NAME_MAX - 1 of a-z 0-9 . _ -, starting with a
 * letter; the BGP kinds belong to `ingest bgp`. */
static const char *
kind_why(const char *k)
{
	size_t n = strlen(k);

	if (n == 0 || n >= IMPORT_NAME_MAX - 8)
		return "a kind is 1 to 119 characters";
	if (!(k[0] >= 'a' && k[0] <= 'z'))
		return "a kind starts with a lower-case letter";
	if (strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789._-") != n)
		return "a kind has only a-z 0-9 . _ -";
	if (strcmp(k, "bgp") == 0 || strcmp(k, "bgp6") == 0 ||
	    strncmp(k, "bgp.", 4) == 0 || strncmp(k, "bgp6.", 5) == 0)
		return "the BGP kinds are written by `ingest bgp` only";
	return NULL;
}

/* A time column: ISO 8601 as everywhere, or, as data files often write
 * it, epoch seconds as a bare number (on the command line a bare number
 * is refused; in a file's time column it can mean nothing else). */
static int
series_time(const char *s, int64_t *t)
{
	size_t n = strspn(s, "0123456789");
	char at[24];

	if (n > 0 && n <= 12 && s[n] == '\0') {
		snprintf(at, sizeof(at), "@%s", s);
		return ll_time_parse(at, t);
	}
	return ll_time_parse(s, t);
}

static int
series_row(struct import *im, char **f, uint64_t line)
{
	char ent[ENT_STRLEN], why[96];
	const char *kw;
	int64_t t;
	double v;

	if (series_time(f[0], &t) != 0)
		imp_bad(im, line, "time \"%.40s\": %s", f[0],
		    ll_time_why(f[0], why, sizeof(why)));
	else if (imp_entity(f[1], ent) != 0)
		imp_bad(im, line, "entity \"%.60s\" is not one (country:IR, "
		    "region:IR-07, asn:58224, ...)", f[1]);
	else if ((kw = kind_why(f[2])) != NULL)
		imp_bad(im, line, "kind \"%.60s\": %s", f[2], kw);
	else if (!imp_number(f[3], &v))
		imp_bad(im, line, "value \"%.40s\" is not a finite number",
		    f[3]);
	else
		return imp_obs_add(im, f[2], ent, t, v, IMP_LAST);
	return 0;
}

int
imp_series_csv(struct import *im, const uint8_t *buf, size_t len)
{
	char field[SERIES_LINE_MAX], *f[4];
	struct imp_lines l;
	const char *s;
	size_t n;
	int nf, rc;

	imp_lines_init(&l, buf, len);
	while (imp_lines_next(&l, &s, &n)) {
		if (n == 0 || s[0] == '#')
			continue;
		if (l.no == 1 && n >= 5 && memcmp(s, "time,", 5) == 0)
			continue;	/* the header */
		im->st.rows++;
		if (n >= SERIES_LINE_MAX)
			nf = -2;
		else
			nf = imp_csv_split(s, n, field, sizeof(field), f, 4);
		if (nf != 4) {
			imp_bad(im, l.no, nf == -2 ? "line longer than %d bytes"
			    : "not 4 fields time,entity,kind,value",
			    SERIES_LINE_MAX);
			continue;
		}
		if ((rc = series_row(im, f, l.no)) != 0)
			return rc;
	}
	return 0;
}

/* ---- IODA /signals/raw -------------------------------------------- */

static int
ioda_entity(const char *type, const char *code, char *ent)
{
	char s[IMPORT_NAME_MAX];

	if (strcmp(type, "country") == 0)
		snprintf(s, sizeof(s), "country:%.8s", code);
	else if (strcmp(type, "asn") == 0)
		snprintf(s, sizeof(s), "asn:%.16s", code);
	else
		return LL_EUNSUP;
	return imp_entity(s, ent);
}

/* One series object; series i of the document at line. */
static int
ioda_series(struct import *im, json_t *o, size_t i, uint64_t line)
{
	const char *type = NULL, *code = NULL, *ds = NULL, *kw;
	json_int_t from = 0, step = 0;
	json_t *vals = NULL, *v;
	char kind[IMPORT_NAME_MAX], ent[ENT_STRLEN];
	size_t k;
	int rc;

	if (json_unpack(o, "{s:s, s:s, s:s, s:I, s:I, s:o}", "entityType",
	    &type, "entityCode", &code, "datasource", &ds, "from", &from,
	    "step", &step, "values", &vals) != 0 || !json_is_array(vals)) {
		imp_bad(im, line, "series %zu: needs entityType, entityCode, "
		    "datasource, from, step and values", i + 1);
		return 0;
	}
	snprintf(kind, sizeof(kind), "ioda.%.100s", ds);
	if (ioda_entity(type, code, ent) != 0)
		imp_bad(im, line, "series %zu: entity %.20s %.40s has no form "
		    "here (country and asn only)", i + 1, type, code);
	else if ((kw = kind_why(kind)) != NULL)
		imp_bad(im, line, "series %zu: datasource \"%.40s\": %s",
		    i + 1, ds, kw);
	else if (step <= 0 || step > 86400 * 31 || from < 0 ||
	    from > ((json_int_t)1 << 40))
		imp_bad(im, line, "series %zu: from %lld, step %lld out of "
		    "range", i + 1, (long long)from, (long long)step);
	else {
		/* The whole series or none of it. */
		json_array_foreach(vals, k, v)
			if (!json_is_null(v) && !json_is_number(v)) {
				imp_bad(im, line, "series %zu: value %zu is "
				    "not a number", i + 1, k + 1);
				return 0;
			}
		json_array_foreach(vals, k, v) {
			if (json_is_null(v))
				continue;	/* no value: a gap */
			if ((rc = imp_obs_add(im, kind, ent, from +
			    (json_int_t)k * step, json_number_value(v),
			    IMP_LAST)) != 0)
				return rc;
		}
	}
	return 0;
}

static int
ioda_doc(struct import *im, json_t *doc, uint64_t line)
{
	json_t *data = json_object_get(doc, "data"), *a, *o;
	size_t i, j, n = 0;
	int rc;

	if (!json_is_array(data)) {
		imp_bad(im, line, "no \"data\" array (IODA /signals/raw)");
		return 0;
	}
	/* data is a list of lists of series (one list an entity), or a
	 * list of series. */
	im->st.rows--;		/* the rows are the series */
	json_array_foreach(data, i, a) {
		if (json_is_object(a)) {
			im->st.rows++;
			if ((rc = ioda_series(im, a, n++, line)) != 0)
				return rc;
			continue;
		}
		json_array_foreach(a, j, o) {
			im->st.rows++;
			if ((rc = ioda_series(im, o, n++, line)) != 0)
				return rc;
		}
	}
	return 0;
}

int
imp_ioda_json(struct import *im, const uint8_t *buf, size_t len)
{
	return imp_json_docs(im, buf, len, ioda_doc);
}
