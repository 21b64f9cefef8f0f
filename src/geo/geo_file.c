/*
 * The user's own files, read line by line through zlib (plain or gzip):
 *
 * RIR statistics exchange format ("delegated-extended", NRO):
 *   registry|cc|type|start|value|date|status[|opaque-id[|...]]
 * The version line, summary lines and comments are skipped, and so are
 * asn records and address space not in use (status available/reserved).
 * For ipv4, value is an address COUNT (not always a power of two): the
 * range is split into the fewest CIDR prefixes. For ipv6 it is a prefix
 * length.
 *
 * CAIDA pfx2as: prefix<TAB>length<TAB>asn. asn may list several origins:
 * "a_b" (the prefix was seen from several origin ASes, MOAS) or "a,b" (an
 * AS_SET origin), possibly mixed. We take the FIRST AS listed in both
 * cases: a prefix gets one origin AS, and the first listed is as good a
 * choice as any without the peers' view (the BGP signal picks its own
 * origin from the RIB; pfx2as is only the fallback for lookups).
 *
 * Every line is untrusted: a bad one is reported (FILE:LINE: what) and
 * skipped. A file with no usable line at all is LL_EFORMAT.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "geo/geo_int.h"
#include "util/err.h"

#define LINE_MAX_LEN	1024	/* longer lines are bad lines */
#define FIELDS_MAX	16

struct lines {
	gzFile		 f;
	const char	*path;
	uint64_t	 no;
	char		 buf[LINE_MAX_LEN + 2];
	size_t		 len;
};

static int
lines_open(struct geo *g, struct lines *l, const char *path)
{
	memset(l, 0, sizeof(*l));
	l->path = path;
	errno = 0;
	if ((l->f = gzopen(path, "rb")) == NULL) {
		geo_seterr(g, "%s: cannot open: %s", path,
		    errno ? strerror(errno) : "out of memory");
		return errno == ENOENT ? LL_ENOTFOUND : LL_EIO;
	}
	return 0;
}

/* Next line without its end in l->buf (NUL-terminated, l->len). Returns 1,
 * 0 at the end, LL_EIO on a read error, LL_EFORMAT on corrupt gzip. An over-long line is reported as
 * bad and skipped; a NUL byte inside a line makes it bad too. */
static int
lines_next(struct geo *g, struct lines *l)
{
	for (;;) {
		bool too_long = false;

		if (gzgets(l->f, l->buf, sizeof(l->buf)) == NULL) {
			int zerr;
			gzerror(l->f, &zerr);
			if (zerr != Z_OK && zerr != Z_BUF_ERROR) {
				geo_seterr(g, "%s:%llu: %s (%s)", l->path,
				    (unsigned long long)l->no + 1,
				    zerr == Z_ERRNO ? "read error" :
				    "corrupt compressed data",
				    gzerror(l->f, &zerr));
				return zerr == Z_ERRNO ? LL_EIO : LL_EFORMAT;
			}
			return 0;
		}
		l->no++;
		l->len = strlen(l->buf);
		if (l->len > 0 && l->buf[l->len - 1] == '\n') {
			l->buf[--l->len] = '\0';
		} else if (!gzeof(l->f)) {
			too_long = true;
			while (gzgets(l->f, l->buf, sizeof(l->buf)) != NULL &&
			    l->buf[strlen(l->buf) - 1] != '\n')
				;
		}
		if (too_long) {
			geo_bad(g, l->path, l->no, "line longer than %d bytes",
			    LINE_MAX_LEN);
			continue;
		}
		if (l->len > 0 && l->buf[l->len - 1] == '\r')
			l->buf[--l->len] = '\0';
		return 1;
	}
}

/* Splits s in place at sep; returns the number of fields (at most max,
 * the last holding the rest). */
static size_t
split(char *s, char sep, char **f, size_t max)
{
	size_t n = 0;

	f[n++] = s;
	while (n < max && (s = strchr(s, sep)) != NULL) {
		*s++ = '\0';
		f[n++] = s;
	}
	return n;
}

/* Decimal without sign, spaces or leading '+'; true when it fits max. */
static bool
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

static bool
host_bits_clear(const struct net_prefix *p)
{
	struct net_prefix m = *p;

	net_prefix_mask(&m);
	return memcmp(m.a, p->a, sizeof(m.a)) == 0;
}

/* Adds [start, start + count) of IPv4 space as the fewest prefixes. */
static int
add_v4_range(struct net_tree *t, uint32_t start, uint64_t count, uint32_t val)
{
	uint64_t lo = start, end = (uint64_t)start + count;
	struct net_prefix p;
	int rc;

	memset(&p, 0, sizeof(p));
	p.af = NET_AF4;
	while (lo < end) {
		unsigned k = lo ? (unsigned)__builtin_ctzll(lo) : 32;

		if (k > 32)
			k = 32;
		while ((1ull << k) > end - lo)
			k--;
		p.len = (uint8_t)(32 - k);
		p.a[0] = (uint8_t)(lo >> 24);
		p.a[1] = (uint8_t)(lo >> 16);
		p.a[2] = (uint8_t)(lo >> 8);
		p.a[3] = (uint8_t)lo;
		if ((rc = net_tree_add(t, &p, val)) != 0)
			return rc;
		lo += 1ull << k;
	}
	return 0;
}

static bool
cc_ok(const char *cc)
{
	return cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' && cc[1] <= 'Z' &&
	    cc[2] == '\0';
}

/* One record line of a delegated file. Returns 1 used, 0 skipped (not an
 * error), -1 bad (reported), or an LL_E* from the tree. */
static int
rir_line(struct geo *g, struct lines *l, struct geo_trees *cc)
{
	char *f[FIELDS_MAX];
	struct net_addr a;
	struct net_prefix p;
	uint64_t v;
	size_t nf;
	int rc;

	if (l->len == 0 || l->buf[0] == '#')
		return 0;
	nf = split(l->buf, '|', f, FIELDS_MAX);
	if (f[0][0] >= '0' && f[0][0] <= '9')
		return 0;			/* version line */
	if (nf >= 6 && strcmp(f[5], "summary") == 0)
		return 0;
	if (nf < 7) {
		geo_bad(g, l->path, l->no, "%zu fields, want at least 7", nf);
		return -1;
	}
	if (strcmp(f[2], "asn") == 0)
		return 0;
	if (strcmp(f[6], "available") == 0 || strcmp(f[6], "reserved") == 0)
		return 0;
	if (strcmp(f[6], "allocated") != 0 && strcmp(f[6], "assigned") != 0) {
		geo_bad(g, l->path, l->no, "unknown status '%.32s'", f[6]);
		return -1;
	}
	if (!cc_ok(f[1])) {
		geo_bad(g, l->path, l->no, "bad country code '%.32s'", f[1]);
		return -1;
	}
	if (strcmp(f[1], "ZZ") == 0)
		return 0;
	if (strcmp(f[2], "ipv4") == 0) {
		if (net_addr_parse(f[3], &a) != 0 || a.af != NET_AF4) {
			geo_bad(g, l->path, l->no, "bad IPv4 start '%.64s'",
			    f[3]);
			return -1;
		}
		uint32_t s = (uint32_t)a.a[0] << 24 | (uint32_t)a.a[1] << 16 |
		    (uint32_t)a.a[2] << 8 | a.a[3];
		if (!parse_u64(f[4], 1ull << 32, &v) || v == 0 ||
		    (uint64_t)s + v > 1ull << 32) {
			geo_bad(g, l->path, l->no,
			    "bad IPv4 address count '%.32s'", f[4]);
			return -1;
		}
		rc = add_v4_range(cc->t[0], s, v, geo_cc16(f[1]));
		return rc ? rc : 1;
	}
	if (strcmp(f[2], "ipv6") == 0) {
		if (net_addr_parse(f[3], &a) != 0 || a.af != NET_AF6) {
			geo_bad(g, l->path, l->no, "bad IPv6 start '%.64s'",
			    f[3]);
			return -1;
		}
		if (!parse_u64(f[4], 128, &v)) {
			geo_bad(g, l->path, l->no,
			    "bad IPv6 prefix length '%.32s'", f[4]);
			return -1;
		}
		p.af = NET_AF6;
		p.len = (uint8_t)v;
		memcpy(p.a, a.a, sizeof(p.a));
		if (!host_bits_clear(&p)) {
			geo_bad(g, l->path, l->no, "host bits set in %s/%u",
			    f[3], p.len);
			return -1;
		}
		rc = net_tree_add(cc->t[1], &p, geo_cc16(f[1]));
		return rc ? rc : 1;
	}
	geo_bad(g, l->path, l->no, "unknown type '%.32s'", f[2]);
	return -1;
}

typedef int line_fn(struct geo *, struct lines *, struct geo_trees *);

static int
load_lines(struct geo *g, const char *path, struct geo_trees *ts,
    line_fn *fn, const char *what)
{
	struct lines l;
	uint64_t used = 0;
	int rc;

	if ((rc = lines_open(g, &l, path)) != 0)
		return rc;
	while ((rc = lines_next(g, &l)) == 1) {
		rc = fn(g, &l, ts);
		if (rc == 1)
			used++;
		else if (rc < -1) {
			if (rc == LL_ELIMIT)
				geo_seterr(g, "%s:%llu: too many prefixes "
				    "(limit %u)", path,
				    (unsigned long long)l.no, NET_TREE_MAX);
			break;
		}
	}
	gzclose(l.f);
	if (rc < 0 && rc != -1)
		return rc;
	if (used == 0) {
		geo_seterr(g, "%s: no usable line: not %s?", path, what);
		return LL_EFORMAT;
	}
	return 0;
}

int
geo_rir_load(struct geo *g, const char *path, struct geo_trees *cc)
{
	return load_lines(g, path, cc, rir_line,
	    "an RIR delegated-extended file");
}

/* "a", "a_b", "a,b", "a_b,c": validates all, returns the first. */
static bool
parse_origin(char *s, uint32_t *asn)
{
	bool first = true;
	char *tok;

	*asn = 0;
	do {
		uint64_t v;
		size_t n = strcspn(s, "_,");
		char c = s[n];

		tok = s;
		s[n] = '\0';
		if (!parse_u64(tok, UINT32_MAX, &v) || v == 0)
			return false;
		if (first)
			*asn = (uint32_t)v;
		first = false;
		s += n + (c != '\0');
		if (c != '\0' && *s == '\0')
			return false;	/* trailing separator */
		if (c == '\0')
			break;
	} while (*s != '\0');
	return true;
}

static int
pfx2as_line(struct geo *g, struct lines *l, struct geo_trees *asn)
{
	char *f[4], orig[64];
	struct net_addr a;
	struct net_prefix p;
	uint64_t len;
	uint32_t as;
	size_t nf;
	int rc;

	if (l->len == 0 || l->buf[0] == '#')
		return 0;
	nf = split(l->buf, '\t', f, 4);
	if (nf != 3) {
		geo_bad(g, l->path, l->no, "%zu tab-separated fields, want 3",
		    nf);
		return -1;
	}
	if (net_addr_parse(f[0], &a) != 0) {
		geo_bad(g, l->path, l->no, "bad address '%.64s'", f[0]);
		return -1;
	}
	if (!parse_u64(f[1], net_af_bits(a.af), &len)) {
		geo_bad(g, l->path, l->no, "bad prefix length '%.32s'", f[1]);
		return -1;
	}
	p.af = a.af;
	p.len = (uint8_t)len;
	memcpy(p.a, a.a, sizeof(p.a));
	if (!host_bits_clear(&p)) {
		geo_bad(g, l->path, l->no, "host bits set in %s/%u", f[0],
		    p.len);
		return -1;
	}
	snprintf(orig, sizeof(orig), "%s", f[2]);
	if (!parse_origin(f[2], &as)) {
		geo_bad(g, l->path, l->no, "bad origin AS '%.40s'", orig);
		return -1;
	}
	rc = net_tree_add(asn->t[geo_af_idx(p.af)], &p, as);
	return rc ? rc : 1;
}

int
geo_pfx2as_load(struct geo *g, const char *path, struct geo_trees *asn)
{
	return load_lines(g, path, asn, pfx2as_line, "a CAIDA pfx2as file");
}
