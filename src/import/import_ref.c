/*
 * Reference tables for the impact of an incident (docs/methodology.md,
 * "Impact"): APNIC's per-AS user estimates and a country table of GDP,
 * population, Internet users and the Internet economy's share of GDP.
 * Both are CSV; columns are found by their header's names, so that a
 * column added or moved does not shift the others.
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import/import_int.h"
#include "util/err.h"

#define REF_FIELDS	32
#define REF_LINE	4096

struct ref_rd {
	const char	*name;
	import_bad_fn	*on_bad;
	void		*bctx;
	uint64_t	 rows, bad;
	struct imp_lines l;
	char		 buf[REF_LINE];
	char		*f[REF_FIELDS];
	int		 nf;
	bool		 head;		/* the header was read */
};

static void	ref_bad(struct ref_rd *r, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

static void
ref_bad(struct ref_rd *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;

	r->bad++;
	if (r->on_bad == NULL)
		return;
	n = snprintf(msg, sizeof(msg), "%s:%" PRIu64 ": ", r->name, r->l.no);
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(msg))
		vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	r->on_bad(r->bctx, msg);
}

/* The next non-blank line, split. False at the end. A line that cannot
 * be split is reported and skipped. */
static bool
ref_next(struct ref_rd *r)
{
	const char *s;
	size_t n;

	while (imp_lines_next(&r->l, &s, &n)) {
		size_t i = 0;

		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == n)
			continue;
		r->nf = imp_csv_split(s, n, r->buf, sizeof(r->buf), r->f,
		    REF_FIELDS);
		if (r->nf > 0)
			return true;
		if (!r->head)
			continue;	/* a title line, not data */
		r->rows++;
		ref_bad(r, "not a CSV line of at most %d fields and %d bytes "
		    "(or a quote left open)", REF_FIELDS, REF_LINE - 1);
	}
	return false;
}

/* s without surrounding blanks and a leading '#', compared to want. */
static bool
ref_is(const char *s, const char *want)
{
	size_t n;

	while (*s == '#' || *s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n == strlen(want) && strncasecmp(s, want, n) == 0;
}

/* The index of the header field named want, else -1. */
static int
ref_col(const struct ref_rd *r, const char *want)
{
	for (int i = 0; i < r->nf; i++)
		if (ref_is(r->f[i], want))
			return i;
	return -1;
}

/* A count or share: digits with optional thousands separators and a
 * trailing '%'. */
static bool
ref_num(const char *s, double *out)
{
	char t[64];
	size_t o = 0;

	while (*s == ' ')
		s++;
	for (; *s != '\0' && o + 1 < sizeof(t); s++)
		if (*s != ',' && !(*s == '%' && s[1] == '\0') && *s != ' ')
			t[o++] = *s;
	if (*s != '\0')
		return false;
	t[o] = '\0';
	return imp_number(t, out) && *out >= 0;
}

/* A country code: two letters, returned in capitals. */
static bool
ref_cc(const char *s, char cc[3])
{
	while (*s == ' ')
		s++;
	if (!isalpha((unsigned char)s[0]) || !isalpha((unsigned char)s[1]))
		return false;
	for (size_t i = 2; s[i] != '\0'; i++)
		if (s[i] != ' ')
			return false;
	cc[0] = (char)toupper((unsigned char)s[0]);
	cc[1] = (char)toupper((unsigned char)s[1]);
	cc[2] = '\0';
	return true;
}

/* "AS64500" or "64500": 1 .. 2^32-1. */
static bool
ref_asn(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	while (*s == ' ')
		s++;
	if (strncasecmp(s, "AS", 2) == 0)
		s += 2;
	if (!isdigit((unsigned char)*s))
		return false;
	v = strtoull(s, &end, 10);
	while (*end == ' ')
		end++;
	if (*end != '\0' || v == 0 || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static void
ref_init(struct ref_rd *r, const char *name, const uint8_t *buf, size_t len,
    import_bad_fn *on_bad, void *bctx)
{
	memset(r, 0, sizeof(*r));
	r->name = name;
	r->on_bad = on_bad;
	r->bctx = bctx;
	imp_lines_init(&r->l, buf, len);
}

/* Reads one APNIC data row into *u. Returns true when good. */
static bool
users_row(struct ref_rd *r, const int col[5], struct import_users_row *u,
    char cc[3])
{
	int need = col[0] > col[1] ? col[0] : col[1];

	need = need > col[2] ? need : col[2];
	if (r->nf <= need) {
		ref_bad(r, "%d fields, the header has %d", r->nf, need + 1);
		return false;
	}
	if (!ref_asn(r->f[col[0]], &u->asn)) {
		ref_bad(r, "AS: '%.40s' is not an AS number (AS64500)",
		    r->f[col[0]]);
		return false;
	}
	if (!ref_cc(r->f[col[1]], cc)) {
		ref_bad(r, "CC: '%.40s' is not a country code", r->f[col[1]]);
		return false;
	}
	if (!ref_num(r->f[col[2]], &u->users)) {
		ref_bad(r, "Users (est.): '%.40s' is not a count",
		    r->f[col[2]]);
		return false;
	}
	u->cc = cc;
	u->share = u->samples = -1;
	if (col[3] >= 0 && col[3] < r->nf && r->f[col[3]][0] != '\0' &&
	    (!ref_num(r->f[col[3]], &u->share) || u->share > 100)) {
		ref_bad(r, "%% of Country: '%.40s' is not a percentage",
		    r->f[col[3]]);
		return false;
	}
	if (col[4] >= 0 && col[4] < r->nf && r->f[col[4]][0] != '\0' &&
	    !ref_num(r->f[col[4]], &u->samples)) {
		ref_bad(r, "Samples: '%.40s' is not a count", r->f[col[4]]);
		return false;
	}
	return true;
}

int
import_users_read(const char *name, const uint8_t *buf, size_t len,
    import_users_fn *fn, void *ctx, import_bad_fn *on_bad, void *bctx,
    uint64_t *rows, uint64_t *bad)
{
	struct ref_rd r;
	struct import_users_row u;
	int col[5] = { -1, -1, -1, -1, -1 }, rc = 0;
	char cc[3];
	bool head = false;

	ref_init(&r, name, buf, len, on_bad, bctx);
	while (rc == 0 && ref_next(&r)) {
		if (!head) {
			/* APNIC's file opens with a title line; the header
			 * is the first line naming AS, CC and Users. */
			col[0] = ref_col(&r, "AS");
			col[1] = ref_col(&r, "CC");
			col[2] = ref_col(&r, "Users (est.)");
			col[3] = ref_col(&r, "% of Country");
			col[4] = ref_col(&r, "Samples");
			head = r.head = col[0] >= 0 && col[1] >= 0 &&
			    col[2] >= 0;
			continue;
		}
		r.rows++;
		if (users_row(&r, col, &u, cc))
			rc = fn(ctx, &u);
	}
	if (rows != NULL)
		*rows = r.rows;
	if (bad != NULL)
		*bad = r.bad;
	return rc != 0 ? rc : head ? 0 : LL_EFORMAT;
}

/* The country table's columns, in struct order after cc and name. */
static const char *const ctry_cols[] = { "cc", "name", "year", "gdp_usd",
    "population", "internet_users", "digital_share" };
#define CTRY_NCOL	(sizeof(ctry_cols) / sizeof(ctry_cols[0]))

/* Column i of the row as a number, -1 when the column is absent or the
 * field empty. False (reported) when it is not a number >= 0. */
static bool
ctry_num(struct ref_rd *r, const int *col, size_t i, double *out)
{
	*out = -1;
	if (col[i] < 0 || col[i] >= r->nf || r->f[col[i]][0] == '\0')
		return true;
	if (ref_num(r->f[col[i]], out))
		return true;
	ref_bad(r, "%s: '%.40s' is not a number >= 0", ctry_cols[i],
	    r->f[col[i]]);
	return false;
}

static bool
ctry_row(struct ref_rd *r, const int *col, struct import_country_row *c,
    char cc[3])
{
	double year;

	if (col[0] >= r->nf || !ref_cc(r->f[col[0]], cc)) {
		ref_bad(r, "cc: '%.40s' is not a country code", col[0] <
		    r->nf ? r->f[col[0]] : "");
		return false;
	}
	c->cc = cc;
	c->name = col[1] >= 0 && col[1] < r->nf ? r->f[col[1]] : "";
	if (!ctry_num(r, col, 2, &year) || !ctry_num(r, col, 3, &c->gdp) ||
	    !ctry_num(r, col, 4, &c->population) ||
	    !ctry_num(r, col, 5, &c->users) ||
	    !ctry_num(r, col, 6, &c->digital))
		return false;
	if (year < 1900 || year > 9999 || year != floor(year)) {
		ref_bad(r, "year: a year of four digits is needed");
		return false;
	}
	if (c->digital > 1) {
		ref_bad(r, "digital_share: %g is not a share from 0 to 1",
		    c->digital);
		return false;
	}
	if (c->users >= 0 && c->population >= 0 && c->users > c->population) {
		ref_bad(r, "internet_users (%.0f) above population (%.0f)",
		    c->users, c->population);
		return false;
	}
	c->year = (int)year;
	return true;
}

int
import_countries_read(const char *name, const uint8_t *buf, size_t len,
    import_country_fn *fn, void *ctx, import_bad_fn *on_bad, void *bctx,
    uint64_t *rows, uint64_t *bad)
{
	struct ref_rd r;
	struct import_country_row c;
	int col[CTRY_NCOL], rc = 0;
	char cc[3];
	bool head = false;

	ref_init(&r, name, buf, len, on_bad, bctx);
	if (ref_next(&r)) {
		for (size_t i = 0; i < CTRY_NCOL; i++)
			col[i] = ref_col(&r, ctry_cols[i]);
		head = r.head = col[0] >= 0 && col[2] >= 0;
	}
	while (head && rc == 0 && ref_next(&r)) {
		r.rows++;
		if (ctry_row(&r, col, &c, cc))
			rc = fn(ctx, &c);
	}
	if (rows != NULL)
		*rows = r.rows;
	if (bad != NULL)
		*bad = r.bad;
	return rc != 0 ? rc : head ? 0 : LL_EFORMAT;
}
