/*
 * Reading VRP exports: rpki-client's JSON (through jansson, which bounds
 * nesting and checks UTF-8), and the CSV forms of rpki-client, Routinator
 * and the RIPE NCC archive, by their header row. Written by hand because
 * no Debian library reads these exports; each is a few columns a line.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "input/input.h"
#include "routing/routing_int.h"
#include "util/err.h"
#include "util/grow.h"
#include "util/time.h"

#define VRP_MAX		50000000u	/* far above the 2024 global set */
#define LINE_MAX_LEN	4096
#define FILE_MAX	(2ull << 30)
#define BAD_SHOWN	20		/* per file; the rest only counted */

int
routing_vrps_new(struct routing_vrps **out)
{
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return LL_ENOMEM;
	return 0;
}

void
routing_vrps_free(struct routing_vrps *v)
{
	if (v == NULL)
		return;
	free(v->v);
	free(v->slot);
	free(v);
}

size_t
routing_vrps_count(const struct routing_vrps *v)
{
	return v->n;
}

uint64_t
routing_vrps_bad(const struct routing_vrps *v)
{
	return v->bad;
}

/* What one file's parse carries. */
struct vparse {
	struct routing_vrps	*v;
	const char		*name;
	routing_warn_fn		*warn;
	void			*ctx;
	uint64_t		 bad;
};

static void
bad(struct vparse *ps, const char *what, uint64_t where, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

/* Reports a bad line ("line") or entry ("entry") number `where`. */
static void
bad(struct vparse *ps, const char *what, uint64_t where, const char *fmt,
    ...)
{
	char msg[512];
	va_list ap;
	int n;

	ps->v->bad++;
	if (ps->warn == NULL || ps->bad++ > BAD_SHOWN)
		return;
	n = snprintf(msg, sizeof(msg), "%s: %s %llu: ", ps->name, what,
	    (unsigned long long)where);
	if (ps->bad > BAD_SHOWN) {
		snprintf(msg + n, sizeof(msg) - (size_t)n, "more bad %ss are "
		    "counted, not reported", what);
	} else {
		va_start(ap, fmt);
		vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	ps->warn(ps->ctx, msg);
}

static int
vrp_add(struct routing_vrps *v, const struct routing_vrp *r)
{
	if (v->n >= VRP_MAX)
		return LL_ELIMIT;
	if (v->n == v->cap && ll_grow(&v->v, &v->cap, v->n + 1,
	    sizeof(*v->v)) != 0)
		return LL_ENOMEM;
	v->v[v->n++] = *r;
	v->indexed = false;
	return 0;
}

int
routing_asn_parse(const char *s, uint32_t *out)
{
	unsigned long long n = 0;

	if ((s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's'))
		s += 2;
	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || (n = n * 10 + (unsigned)(*s - '0')) >
		    UINT32_MAX)
			return -1;
	}
	*out = (uint32_t)n;
	return 0;
}

/* Checks and completes one VRP from its three texts (maxlen "" is the
 * prefix's length). Returns NULL, or what is wrong. */
static const char *
vrp_make(const char *asn, const char *pfx, const char *maxlen,
    struct routing_vrp *r)
{
	char addr[NET_ADDR_STRLEN + 1];
	const char *slash;
	struct net_addr a;
	unsigned long m;
	char *end;

	memset(r, 0, sizeof(*r));
	if (routing_asn_parse(asn, &r->asn) != 0)
		return "bad ASN";
	if (net_prefix_parse(pfx, &r->p) != 0)
		return "bad prefix";
	/* the parser clears host bits; a VRP with some is malformed */
	if ((slash = strchr(pfx, '/')) == NULL ||
	    (size_t)(slash - pfx) >= sizeof(addr))
		return "bad prefix";
	memcpy(addr, pfx, (size_t)(slash - pfx));
	addr[slash - pfx] = '\0';
	if (net_addr_parse(addr, &a) != 0 ||
	    memcmp(a.a, r->p.a, sizeof(a.a)) != 0)
		return "prefix has host bits set";
	if (*maxlen == '\0') {
		r->maxlen = r->p.len;
		return NULL;
	}
	m = strtoul(maxlen, &end, 10);
	if (*maxlen < '0' || *maxlen > '9' || *end != '\0' ||
	    m < r->p.len || m > net_af_bits(r->p.af))
		return "max length outside the prefix length..32/128 "
		    "(RFC 6482 section 3.3)";
	r->maxlen = (uint8_t)m;
	return NULL;
}

/* ---- JSON ----------------------------------------------------------- */

/* A JSON value as text for vrp_make(): strings as they are, integers in
 * decimal; NULL for anything else. */
static const char *
json_text(json_t *j, char *buf, size_t len)
{
	if (json_is_string(j))
		return json_string_value(j);
	if (json_is_integer(j) && json_integer_value(j) >= 0) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(j));
		return buf;
	}
	return NULL;
}

/* Keeps the export's metadata.buildtime when it is the latest seen. */
static void
json_built(struct routing_vrps *v, json_t *root)
{
	const char *s = json_string_value(json_object_get(json_object_get(
	    root, "metadata"), "buildtime"));
	int64_t t;

	if (s != NULL && ll_time_parse(s, &t) == 0 && t > v->built)
		v->built = t;
}

static int
parse_json(struct vparse *ps, const uint8_t *buf, size_t len, char *err,
    size_t errlen)
{
	json_error_t je;
	json_t *root, *roas, *e;
	size_t i;
	int rc = 0;

	root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		if (err != NULL)
			snprintf(err, errlen, "%s: line %d: not JSON: %s",
			    ps->name, je.line, je.text);
		return LL_EFORMAT;
	}
	roas = json_object_get(root, "roas");
	json_built(ps->v, root);
	if (!json_is_array(roas)) {
		if (err != NULL)
			snprintf(err, errlen, "%s: no \"roas\" array (not an "
			    "rpki-client JSON export)", ps->name);
		json_decref(root);
		return LL_EFORMAT;
	}
	json_array_foreach(roas, i, e) {
		char b1[24], b2[24];
		const char *a = json_text(json_object_get(e, "asn"), b1,
		    sizeof(b1));
		const char *p = json_text(json_object_get(e, "prefix"), NULL,
		    0);
		const char *m = json_text(json_object_get(e, "maxLength"), b2,
		    sizeof(b2));
		struct routing_vrp r;
		const char *why;

		if (a == NULL || p == NULL || m == NULL) {
			bad(ps, "entry", i + 1, "needs \"asn\", \"prefix\" and "
			    "\"maxLength\"");
			continue;
		}
		if ((why = vrp_make(a, p, m, &r)) != NULL) {
			bad(ps, "entry", i + 1, "%s", why);
			continue;
		}
		if ((rc = vrp_add(ps->v, &r)) != 0)
			break;
	}
	json_decref(root);
	return rc;
}

/* ---- CSV ------------------------------------------------------------ */

#define COLS_MAX	16

/* Splits line at ',' in place, trimming blanks and surrounding quotes.
 * Returns the field count (at most COLS_MAX; -1 when there are more). */
static int
split_csv(char *line, char **f)
{
	int n = 0;
	char *p = line;

	for (;;) {
		char *c = strchr(p, ',');

		if (n == COLS_MAX)
			return -1;
		if (c != NULL)
			*c = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		size_t k = strlen(p);
		while (k > 0 && (p[k - 1] == ' ' || p[k - 1] == '\t' ||
		    p[k - 1] == '\r'))
			p[--k] = '\0';
		if (k >= 2 && p[0] == '"' && p[k - 1] == '"') {
			p[k - 1] = '\0';
			p++;
		}
		f[n++] = p;
		if (c == NULL)
			return n;
		p = c + 1;
	}
}

/* The columns of a VRP CSV header, case-insensitively. */
struct cols {
	int	asn, pfx, maxlen;
};

static bool
find_cols(char **f, int n, struct cols *c)
{
	c->asn = c->pfx = c->maxlen = -1;
	for (int i = 0; i < n; i++) {
		if (strcasecmp(f[i], "ASN") == 0)
			c->asn = i;
		else if (strcasecmp(f[i], "IP Prefix") == 0 ||
		    strcasecmp(f[i], "Prefix") == 0)
			c->pfx = i;
		else if (strcasecmp(f[i], "Max Length") == 0 ||
		    strcasecmp(f[i], "maxLength") == 0)
			c->maxlen = i;
	}
	return c->asn >= 0 && c->pfx >= 0 && c->maxlen >= 0;
}

/* One data line (NUL-free, without its newline). Returns 0 or LL_E*. */
static int
csv_line(struct vparse *ps, const struct cols *c, char *line, uint64_t no)
{
	char *f[COLS_MAX];
	int n = split_csv(line, f);
	int need = c->asn > c->pfx ? c->asn : c->pfx;
	struct routing_vrp r;
	const char *why;

	if (c->maxlen > need)
		need = c->maxlen;
	if (n <= need) {
		bad(ps, "line", no, "%d fields, the header names %d", n < 0 ?
		    COLS_MAX + 1 : n, need + 1);
		return 0;
	}
	if ((why = vrp_make(f[c->asn], f[c->pfx], f[c->maxlen], &r)) !=
	    NULL) {
		bad(ps, "line", no, "%s", why);
		return 0;
	}
	return vrp_add(ps->v, &r);
}

static int
parse_csv(struct vparse *ps, const uint8_t *buf, size_t len, char *err,
    size_t errlen)
{
	char line[LINE_MAX_LEN + 1], *f[COLS_MAX];
	struct cols c = { -1, -1, -1 };
	bool header = false;
	uint64_t no = 0;
	size_t pos = 0;
	int rc = 0;

	while (pos < len && rc == 0) {
		const uint8_t *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = (nl != NULL ? (size_t)(nl - buf) : len) - pos;
		const uint8_t *l = buf + pos;

		pos += n + (nl != NULL);
		no++;
		if (n > LINE_MAX_LEN || memchr(l, '\0', n) != NULL) {
			bad(ps, "line", no, n > LINE_MAX_LEN ? "longer than "
			    "4096 bytes" : "holds a NUL byte");
			continue;
		}
		memcpy(line, l, n);
		line[n] = '\0';
		if (n == 0 || line[0] == '#' || strspn(line, " \t\r") == n)
			continue;
		if (header) {
			rc = csv_line(ps, &c, line, no);
			continue;
		}
		int nf = split_csv(line, f);
		if (nf < 0 || !find_cols(f, nf, &c)) {
			if (err != NULL)
				snprintf(err, errlen, "%s: line %llu: no header "
				    "naming the ASN, IP Prefix and Max Length "
				    "columns (not a VRP CSV export)", ps->name,
				    (unsigned long long)no);
			return LL_EFORMAT;
		}
		header = true;
	}
	if (rc == 0 && !header) {
		if (err != NULL)
			snprintf(err, errlen, "%s: empty: no VRP header",
			    ps->name);
		return LL_EFORMAT;
	}
	return rc;
}

int
routing_vrps_parse(struct routing_vrps *v, const char *name,
    const uint8_t *buf, size_t len, routing_warn_fn *warn, void *ctx,
    char *err, size_t errlen)
{
	struct vparse ps = { v, name, warn, ctx, 0 };
	size_t i = 0;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	while (i < len && isspace(buf[i]))
		i++;
	if (i < len && buf[i] == '{')
		return parse_json(&ps, buf, len, err, errlen);
	return parse_csv(&ps, buf, len, err, errlen);
}

int
routing_slurp(const char *path, uint8_t **out, size_t *outlen, char *err,
    size_t errlen)
{
	struct input *in = NULL;
	const uint8_t *p;
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, avail;
	int rc;

	if ((rc = input_open(path, NULL, &in)) != 0) {
		if (err != NULL)
			snprintf(err, errlen, "%s: cannot open: %s", path,
			    ll_strerror(rc));
		input_free(in);
		return rc == LL_EIO ? LL_ENOTFOUND : rc;
	}
	for (;;) {
		rc = input_peek(in, 1 << 20, &p, &avail);
		if (avail > 0 && (len + avail > FILE_MAX ||
		    ll_grow(&buf, &cap, len + avail, 1) != 0)) {
			rc = len + avail > FILE_MAX ? LL_ELIMIT : LL_ENOMEM;
			if (err != NULL)
				snprintf(err, errlen, "%s: %s", path, rc ==
				    LL_ELIMIT ? "larger than 2 GiB" :
				    "out of memory");
			break;
		}
		if (avail > 0)
			memcpy(buf + len, p, avail);
		len += avail;
		input_consume(in, avail);
		if (rc != 0) {
			if (err != NULL)
				snprintf(err, errlen, "%s: %s", path,
				    input_errmsg(in));
			break;
		}
		if (avail < (1 << 20))
			break;
	}
	input_free(in);
	if (rc != 0) {
		free(buf);
		return rc;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

int
routing_vrps_load(struct routing_vrps *v, const char *path,
    routing_warn_fn *warn, void *ctx, char *err, size_t errlen)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if ((rc = routing_slurp(path, &buf, &len, err, errlen)) != 0)
		return rc;
	rc = routing_vrps_parse(v, path, buf, len, warn, ctx, err, errlen);
	free(buf);
	return rc;
}
