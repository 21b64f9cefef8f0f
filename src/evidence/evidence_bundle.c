/*
 * The export bundle of one incident, made in memory from the exported
 * log alone: the incident's records (kind "incident", body.incident.id)
 * give incident.json, one CSV and one chart per series, and the key the
 * log was signed with gives key.pub and key.pub.pem. The writer and the
 * check both call ev_bundle_build(), so that a check makes every file
 * again from the signed records and compares bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "evidence/evidence.h"
#include "evidence/evidence_int.h"
#include "util/err.h"
#include "util/grow.h"
#include "util/time.h"

int
ev_files_add(struct ev_files *fs, const char *path, uint8_t *data,
    size_t len)
{
	if (data == NULL)
		return LL_ENOMEM;
	if (fs->n == fs->cap && ll_grow(&fs->f, &fs->cap, fs->n + 1,
	    sizeof(*fs->f)) != 0) {
		free(data);
		return LL_ENOMEM;
	}
	snprintf(fs->f[fs->n].path, sizeof(fs->f[fs->n].path), "%s", path);
	fs->f[fs->n].data = data;
	fs->f[fs->n].len = len;
	fs->n++;
	return 0;
}

void
ev_files_free(struct ev_files *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		free(fs->f[i].data);
	free(fs->f);
	memset(fs, 0, sizeof(*fs));
}

static uint8_t *
dup_bytes(const void *p, size_t n)
{
	uint8_t *d = malloc(n + 1);

	if (d != NULL) {
		memcpy(d, p, n);
		d[n] = '\0';
	}
	return d;
}

/* The incident as the records tell it. */
struct model {
	int64_t	 id;
	json_t	*latest;	/* body.incident of the last record */
	json_t	*transitions, *seqs, *series, *archives;
	json_t	*impact;	/* body.impact of the last record holding one */
	json_t	*impact_seq;	/* that record's seq */
	uint8_t	 pk[EVIDENCE_PK_LEN];
	char	 head[65];
	uint64_t records;
};

/* The series (signal, entity) of m, added when new. */
static json_t *
model_series(struct model *m, const char *sig, const char *ent)
{
	json_t *se;
	size_t i;

	json_array_foreach(m->series, i, se)
		if (strcmp(json_string_value(json_object_get(se, "signal")),
		    sig) == 0 && strcmp(json_string_value(json_object_get(se,
		    "entity")), ent) == 0)
			return se;
	se = json_pack("{s:s, s:s, s:o, s:n}", "signal", sig, "entity", ent,
	    "points", json_object(), "baseline");
	if (se == NULL || json_array_append_new(m->series, se) != 0)
		return NULL;
	return se;
}

/* Takes one record's series and archives into m. */
static int
model_take(struct model *m, json_t *body)
{
	json_t *se, *pt, *ar, *have, *dst;
	size_t i, j, k;

	json_array_foreach(json_object_get(body, "series"), i, se) {
		const char *sig = json_string_value(json_object_get(se,
		    "signal")), *ent = json_string_value(json_object_get(se,
		    "entity"));

		if (sig == NULL || ent == NULL ||
		    (dst = model_series(m, sig, ent)) == NULL)
			return LL_EFORMAT;
		json_object_set(dst, "baseline", json_object_get(se,
		    "baseline"));
		json_array_foreach(json_object_get(se, "points"), j, pt) {
			const char *t = json_string_value(json_array_get(pt,
			    0));

			if (t == NULL || !json_is_number(json_array_get(pt,
			    1)))
				return LL_EFORMAT;
			json_object_set(json_object_get(dst, "points"), t,
			    json_array_get(pt, 1));
		}
	}
	json_array_foreach(json_object_get(body, "archives"), i, ar) {
		json_array_foreach(m->archives, k, have)
			if (json_equal(have, ar))
				break;
		if (k == json_array_size(m->archives) &&
		    json_array_append(m->archives, ar) != 0)
			return LL_ENOMEM;
	}
	return 0;
}

/* One record of the log (its first line, n bytes): into m when it is of
 * incident m->id. */
static int
model_record(struct model *m, const char *line, size_t n)
{
	json_t *o = json_loadb(line, n, 0, NULL), *body, *inc, *tr;
	int rc = 0;

	body = json_object_get(o, "body");
	inc = json_object_get(body, "incident");
	if (o == NULL || strcmp(json_string_value(json_object_get(o,
	    "kind")), "incident") != 0 || json_integer_value(json_object_get(
	    inc, "id")) != m->id)
		goto out;
	tr = json_deep_copy(json_object_get(body, "transition"));
	if (!json_is_object(inc) || !json_is_object(tr) ||
	    json_object_set(tr, "record", json_object_get(o, "seq")) != 0 ||
	    json_object_set(tr, "software", json_object_get(o,
	    "software")) != 0 || json_array_append_new(m->transitions,
	    tr) != 0 || json_array_append(m->seqs, json_object_get(o,
	    "seq")) != 0) {
		json_decref(tr);
		rc = LL_EFORMAT;
		goto out;
	}
	json_decref(m->latest);
	m->latest = json_incref(inc);
	if (json_is_object(json_object_get(body, "impact"))) {
		json_decref(m->impact);
		json_decref(m->impact_seq);
		m->impact = json_incref(json_object_get(body, "impact"));
		m->impact_seq = json_incref(json_object_get(o, "seq"));
	}
	rc = model_take(m, body);
out:
	json_decref(o);
	return rc;
}

/* Reads the incident's records out of a log that verified. */
static int
model_load(struct model *m, const uint8_t *log, size_t len)
{
	size_t pos = 0, n;
	const uint8_t *nl;
	int rc;

	while (pos < len && memcmp(log + pos, "head ", len - pos < 5 ?
	    len - pos : 5) != 0) {
		nl = memchr(log + pos, '\n', len - pos);
		if (nl == NULL)
			return LL_EFORMAT;
		n = (size_t)(nl - (log + pos));
		if ((rc = model_record(m, (const char *)log + pos, n)) != 0)
			return rc;
		pos += n + 1;
		if ((nl = memchr(log + pos, '\n', len - pos)) == NULL)
			return LL_EFORMAT;
		pos = (size_t)(nl - log) + 1;
	}
	return m->latest != NULL ? 0 : LL_ENOTFOUND;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The points of a series, in time order: keys[] (ISO) and values. */
static const char **
sorted_times(json_t *pts, size_t *n)
{
	const char **keys = malloc((json_object_size(pts) + 1) *
	    sizeof(*keys));
	const char *k;
	json_t *v;

	*n = 0;
	if (keys == NULL)
		return NULL;
	json_object_foreach(pts, k, v)
		keys[(*n)++] = k;
	qsort(keys, *n, sizeof(*keys), cmp_str);
	return keys;
}

/* "01-bgp-country-EG": a file name of the series, numbered. */
static void
series_name(size_t i, const char *sig, const char *ent, char *out,
    size_t len)
{
	size_t n = (size_t)snprintf(out, len, "%02zu-%s-%s", i + 1, sig, ent);

	for (size_t j = 0; j < n && j < len; j++)
		if (!((out[j] >= 'a' && out[j] <= 'z') || (out[j] >= 'A' &&
		    out[j] <= 'Z') || (out[j] >= '0' && out[j] <= '9') ||
		    out[j] == '.' || out[j] == '_'))
			out[j] = '-';
}

/* The CSV and the chart of series i. */
static int
series_files(struct model *m, size_t i, struct ev_files *out)
{
	json_t *se = json_array_get(m->series, i), *pts, *bl;
	const char *sig, *ent, **keys;
	char name[96], path[128], *csv = NULL, *svg;
	int64_t *t = NULL, start = 0, end = 0;
	double *v = NULL;
	size_t n, j, used = 0, cap, slen;
	int rc = LL_ENOMEM;

	sig = json_string_value(json_object_get(se, "signal"));
	ent = json_string_value(json_object_get(se, "entity"));
	pts = json_object_get(se, "points");
	bl = json_object_get(json_object_get(se, "baseline"), "value");
	series_name(i, sig, ent, name, sizeof(name));
	if ((keys = sorted_times(pts, &n)) == NULL)
		return LL_ENOMEM;
	cap = 64 + n * (strlen(sig) + strlen(ent) + 64);
	t = malloc((n + 1) * sizeof(*t));
	v = malloc((n + 1) * sizeof(*v));
	if (t == NULL || v == NULL || (csv = malloc(cap)) == NULL)
		goto out;
	used = (size_t)snprintf(csv, cap, "signal,entity,time,value\n");
	for (j = 0; j < n; j++) {
		v[j] = json_number_value(json_object_get(pts, keys[j]));
		if (ll_time_parse(keys[j], &t[j]) != 0) {
			rc = LL_EFORMAT;
			goto out;
		}
		used += (size_t)snprintf(csv + used, cap - used,
		    "%s,%s,%s,%.17g\n", sig, ent, keys[j], v[j]);
	}
	(void)ll_time_parse(json_string_value(json_object_get(m->latest,
	    "start")), &start);
	if (json_is_string(json_object_get(m->latest, "end")))
		(void)ll_time_parse(json_string_value(json_object_get(
		    m->latest, "end")), &end);
	snprintf(path, sizeof(path), "series/%s.csv", name);
	if ((rc = ev_files_add(out, path, (uint8_t *)csv, used)) != 0) {
		csv = NULL;
		goto out;
	}
	csv = NULL;
	svg = ev_chart_svg(sig, ent, m->id, t, v, n, start, end,
	    json_is_number(bl) ? json_number_value(bl) : -1, &slen);
	snprintf(path, sizeof(path), "charts/%s.svg", name);
	rc = ev_files_add(out, path, (uint8_t *)svg, slen);
out:
	free(csv);
	free(keys);
	free(t);
	free(v);
	return rc;
}

/* incident.json's entry for series i. */
static json_t *
series_entry(struct model *m, size_t i)
{
	json_t *se = json_array_get(m->series, i);
	const char *sig = json_string_value(json_object_get(se, "signal"));
	const char *ent = json_string_value(json_object_get(se, "entity"));
	char name[96], csv[128], svg[128];

	series_name(i, sig, ent, name, sizeof(name));
	snprintf(csv, sizeof(csv), "series/%s.csv", name);
	snprintf(svg, sizeof(svg), "charts/%s.svg", name);
	return json_pack("{s:s, s:s, s:O, s:I, s:s, s:s}", "signal", sig,
	    "entity", ent, "baseline", json_object_get(se, "baseline"),
	    "points", (json_int_t)json_object_size(json_object_get(se,
	    "points")), "csv", csv, "chart", svg);
}

/* incident.json: what the records say, for people and programs. */
static int
incident_file(struct model *m, struct ev_files *out)
{
	json_t *o, *list = json_array();
	char key[2 * EVIDENCE_PK_LEN + 1], *s;
	size_t i;

	for (i = 0; list != NULL && i < json_array_size(m->series); i++)
		if (json_array_append_new(list, series_entry(m, i)) != 0) {
			json_decref(list);
			return LL_ENOMEM;
		}
	ev_hex(m->pk, sizeof(m->pk), key);
	o = json_pack("{s:O, s:O, s:o, s:O, s:{s:s, s:I, s:s, s:s, s:O}, "
	    "s:o}", "incident", m->latest, "transitions", m->transitions,
	    "series", list, "archives", m->archives, "log", "file",
	    "evidence.log", "records", (json_int_t)m->records, "head",
	    m->head, "key", key, "incident_records", m->seqs, "impact",
	    m->impact == NULL ? json_null() : json_pack("{s:s, s:O}", "file",
	    "impact.json", "record", m->impact_seq));
	s = o != NULL ? json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS |
	    JSON_ENSURE_ASCII) : NULL;
	json_decref(o);
	if (s == NULL)
		return LL_ENOMEM;
	i = strlen(s);
	s[i] = '\n';	/* over the NUL: the length is kept apart */
	return ev_files_add(out, "incident.json", (uint8_t *)s, i + 1);
}

/* impact.json: the impact of the last record that holds one, as
 * signed; no file when none does. */
static int
impact_file(struct model *m, struct ev_files *out)
{
	char *s;
	size_t n;

	if (m->impact == NULL)
		return 0;
	if ((s = json_dumps(m->impact, JSON_INDENT(2) | JSON_SORT_KEYS |
	    JSON_ENSURE_ASCII)) == NULL)
		return LL_ENOMEM;
	n = strlen(s);
	s[n] = '\n';	/* over the NUL: the length is kept apart */
	return ev_files_add(out, "impact.json", (uint8_t *)s, n + 1);
}

static int
by_path(const void *a, const void *b)
{
	return strcmp(((const struct ev_file *)a)->path,
	    ((const struct ev_file *)b)->path);
}

/* MANIFEST.sha256 over every file so far, as sha256sum writes it. */
static int
manifest_file(struct ev_files *out)
{
	size_t cap = 1 + out->n * 200, used = 0;
	uint8_t h[32];
	char hex[65], *m = malloc(cap);

	if (m == NULL)
		return LL_ENOMEM;
	qsort(out->f, out->n, sizeof(*out->f), by_path);
	m[0] = '\0';
	for (size_t i = 0; i < out->n; i++) {
		crypto_hash_sha256(h, out->f[i].data, out->f[i].len);
		ev_hex(h, sizeof(h), hex);
		used += (size_t)snprintf(m + used, cap - used, "%s  %s\n", hex,
		    out->f[i].path);
	}
	return ev_files_add(out, "MANIFEST.sha256", (uint8_t *)m, used);
}

static int
fixed_files(struct model *m, const uint8_t *log, size_t len,
    struct ev_files *out)
{
	char pub[2 * EVIDENCE_PK_LEN + 2], pem[EV_PEM_MAX], *text;
	size_t n = 0;
	int rc;

	ev_hex(m->pk, sizeof(m->pk), pub);
	pub[2 * EVIDENCE_PK_LEN] = '\n';
	n = ev_pem(m->pk, pem);
	if ((rc = ev_files_add(out, "evidence.log", dup_bytes(log, len),
	    len)) != 0 || (rc = ev_files_add(out, "key.pub", dup_bytes(pub,
	    sizeof(pub) - 1), sizeof(pub) - 1)) != 0 ||
	    (rc = ev_files_add(out, "key.pub.pem", dup_bytes(pem, n), n)) != 0)
		return rc;
	text = ev_readme(m->id, &n);
	if ((rc = ev_files_add(out, "README.txt", (uint8_t *)text, n)) != 0)
		return rc;
	text = ev_verify_py(&n);
	return ev_files_add(out, "verify.py", (uint8_t *)text, n);
}

int
ev_bundle_build(const uint8_t *log, size_t len, int64_t id,
    struct ev_files *out, char *err, size_t errlen)
{
	struct evidence_report r;
	struct model m = { .id = id, .transitions = json_array(),
	    .seqs = json_array(), .series = json_array(),
	    .archives = json_array() };
	int rc;

	if ((rc = evidence_verify_buf(log, len, NULL, &r)) != 0) {
		snprintf(err, errlen, "evidence.log: record %lld: %s",
		    (long long)r.bad, r.why);
		goto out;
	}
	memcpy(m.pk, r.pk, sizeof(m.pk));
	memcpy(m.head, r.head, sizeof(m.head));
	m.records = r.records;
	rc = LL_ENOMEM;
	if (m.transitions == NULL || m.seqs == NULL || m.series == NULL ||
	    m.archives == NULL || (rc = model_load(&m, log, len)) != 0) {
		snprintf(err, errlen, rc == LL_ENOTFOUND ? "the evidence log "
		    "holds no record of incident %lld" : "incident %lld: %s",
		    (long long)id, ll_strerror(rc));
		goto out;
	}
	if ((rc = fixed_files(&m, log, len, out)) != 0 ||
	    (rc = incident_file(&m, out)) != 0 ||
	    (rc = impact_file(&m, out)) != 0)
		goto out;
	for (size_t i = 0; i < json_array_size(m.series) && rc == 0; i++)
		rc = series_files(&m, i, out);
	if (rc == 0)
		rc = manifest_file(out);
	if (rc != 0)
		snprintf(err, errlen, "incident %lld: %s", (long long)id,
		    ll_strerror(rc));
out:
	json_decref(m.latest);
	json_decref(m.transitions);
	json_decref(m.seqs);
	json_decref(m.series);
	json_decref(m.archives);
	json_decref(m.impact);
	json_decref(m.impact_seq);
	return rc;
}
