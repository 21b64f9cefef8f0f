/*
 * The user's own files, read line by line through zlib (plain or gzip):
 *
 * RIR statistics exchange format ("delegated-extended", NRO):
 *   registry|cc|type|start|value|date|status[|opaque-id[|...]]
 * The version line (the first line that is not a comment), summary lines
 * and comments are skipped, and so are asn records and address space not
 * in use (status available/reserved). The registry field is not checked.
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
 * Every line is untrusted: a bad one (too long, a NUL byte, a bad field)
 * is reported (FILE:LINE: what) and skipped, and only that line. A file
 * with no usable line at all is LL_EFORMAT; running out of memory ends the
 * load with LL_ENOMEM, never a skipped line.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "geo/geo_int.h"
#include "util/err.h"

#define LINE_MAX_LEN	1024	/* longer lines are bad lines */
#define FIELDS_MAX	16
#define CHUNK_LEN	(64u << 10)

/*
 * Lines of a file (through zlib) or of a buffer. Bytes arrive in chunks;
 * a line is everything up to the next '\n', however long and whatever it
 * holds, so that a bad line never takes the next one with it.
 */
struct lines {
	gzFile		 f;		/* NULL: the buffer is all there is */
	const char	*path;
	const uint8_t	*p;		/* the bytes at hand: chunk or buffer */
	size_t		 n, pos;
	uint64_t	 no;		/* number of the current line */
	bool		 seen;		/* a non-comment line went by */
	bool		 cut;		/* the gzip stream ended early */
	bool		 ended;		/* read no more */
	char		 buf[LINE_MAX_LEN + 1];
	size_t		 len;
	uint8_t		*chunk;
};

/* What one line gave; how it went is the function's return (0 or LL_E*). */
enum line_res {
	LINE_SKIPPED,		/* not a record (comment, summary, unused) */
	LINE_USED,
	LINE_BAD,		/* reported and skipped */
};

static int
lines_open(struct geo *g, struct lines *l, const char *path)
{
	memset(l, 0, sizeof(*l));
	l->path = path;
	if ((l->chunk = malloc(CHUNK_LEN)) == NULL) {
		geo_seterr(g, "%s: out of memory", path);
		return LL_ENOMEM;
	}
	errno = 0;
	if ((l->f = gzopen(path, "rb")) == NULL) {
		geo_seterr(g, "%s: cannot open: %s", path,
		    errno ? strerror(errno) : "out of memory");
		free(l->chunk);
		return errno == ENOENT ? LL_ENOTFOUND : LL_EIO;
	}
	return 0;
}

static void
lines_close(struct lines *l)
{
	if (l->f != NULL)
		gzclose(l->f);
	free(l->chunk);
}

/* Refills l->p from the file. Returns 1, 0 at the end (l->cut set when
 * the gzip stream ended early), LL_EIO on a read error, LL_EFORMAT on
 * corrupt gzip. */
static int
lines_fill(struct geo *g, struct lines *l)
{
	int n, zerr;

	if (l->f == NULL || l->ended)
		return 0;
	if ((n = gzread(l->f, l->chunk, CHUNK_LEN)) > 0) {
		l->p = l->chunk;
		l->n = (size_t)n;
		l->pos = 0;
		return 1;
	}
	gzerror(l->f, &zerr);
	if (zerr == Z_BUF_ERROR) {
		l->cut = true;		/* the gzip stream ends early */
		return 0;
	}
	if (n == 0 || zerr == Z_OK)
		return 0;
	geo_seterr(g, "%s:%llu: %s (%s)", l->path,
	    (unsigned long long)l->no + 1,
	    zerr == Z_ERRNO ? "read error" : "corrupt compressed data",
	    gzerror(l->f, &zerr));
	return zerr == Z_ERRNO ? LL_EIO : LL_EFORMAT;
}

/* Next line without its end in l->buf (NUL-terminated, l->len). Returns 1,
 * 0 at the end, or an error of lines_fill(). A line longer than
 * LINE_MAX_LEN or holding a NUL byte is reported as bad and skipped; the
 * line after it is read whole. */
static int
lines_next(struct geo *g, struct lines *l)
{
	for (;;) {
		uint64_t total = 0;
		bool any = false;
		const char *nul;
		int rc;

		for (;;) {
			const uint8_t *s, *nl;
			size_t take, room;

			if (l->pos == l->n) {
				if ((rc = lines_fill(g, l)) < 0)
					return rc;
				if (rc == 0)
					break;
			}
			s = l->p + l->pos;
			nl = memchr(s, '\n', l->n - l->pos);
			take = nl != NULL ? (size_t)(nl - s) : l->n - l->pos;
			room = total < LINE_MAX_LEN ?
			    LINE_MAX_LEN - (size_t)total : 0;
			memcpy(l->buf + (size_t)(total < LINE_MAX_LEN ?
			    total : LINE_MAX_LEN), s, take < room ? take : room);
			total += take;
			l->pos += take + (nl != NULL);
			any = true;
			if (nl != NULL)
				break;
		}
		if (l->cut) {
			/* What the cut stream gave last is not a whole line,
			 * even when it parses; nothing after it arrives. */
			geo_bad(g, l->path, l->no + 1, "compressed data cut "
			    "short: this line and any after it are missing");
			l->cut = false;
			l->ended = true;
			return 0;
		}
		if (!any)
			return 0;
		l->no++;
		if (total > LINE_MAX_LEN) {
			geo_bad(g, l->path, l->no, "line longer than %d bytes",
			    LINE_MAX_LEN);
			continue;
		}
		l->len = (size_t)total;
		l->buf[l->len] = '\0';
		if (l->len > 0 && l->buf[l->len - 1] == '\r')
			l->buf[--l->len] = '\0';
		if ((nul = memchr(l->buf, '\0', l->len)) != NULL) {
			geo_bad(g, l->path, l->no, "NUL byte at column %zu",
			    (size_t)(nul - l->buf) + 1);
			continue;
		}
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

/* Where the records of a file go. */
struct sink {
	geo_rec_fn	*fn;
	void		*ctx;
	geo_rir_fn	*rfn;		/* geo_rir_scan(): whole records */
};

/* Adds [start, start + count) of IPv4 space as the fewest prefixes. */
static int
add_v4_range(const struct sink *k, uint64_t line, uint32_t start,
    uint64_t count, uint32_t val)
{
	uint64_t lo = start, end = (uint64_t)start + count;
	struct net_prefix p;
	int rc;

	memset(&p, 0, sizeof(p));
	p.af = NET_AF4;
	while (lo < end) {
		unsigned b = lo ? (unsigned)__builtin_ctzll(lo) : 32;

		if (b > 32)
			b = 32;
		while ((1ull << b) > end - lo)
			b--;
		p.len = (uint8_t)(32 - b);
		p.a[0] = (uint8_t)(lo >> 24);
		p.a[1] = (uint8_t)(lo >> 16);
		p.a[2] = (uint8_t)(lo >> 8);
		p.a[3] = (uint8_t)lo;
		if ((rc = k->fn(k->ctx, &p, val, line)) != 0)
			return rc;
		lo += 1ull << b;
	}
	return 0;
}

static bool
cc_ok(const char *cc)
{
	return cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' && cc[1] <= 'Z' &&
	    cc[2] == '\0';
}

/* The version line: "2" or "2.3" and so on. */
static bool
version_ok(const char *v)
{
	if (*v < '0' || *v > '9')
		return false;
	for (; *v != '\0'; v++)
		if ((*v < '0' || *v > '9') && *v != '.')
			return false;
	return true;
}

static int
bad(enum line_res *res)
{
	*res = LINE_BAD;
	return 0;
}

/* One line of a delegated file: *res says what it gave. Returns 0 or the
 * sink's LL_E*, which ends the load. */
static int
rir_line(struct geo *g, struct lines *l, const struct sink *k,
    enum line_res *res)
{
	char *f[FIELDS_MAX];
	struct net_addr a;
	struct net_prefix p;
	uint64_t v;
	size_t nf;
	bool first;

	*res = LINE_SKIPPED;
	if (l->len == 0 || l->buf[0] == '#')
		return 0;
	first = !l->seen;
	l->seen = true;
	nf = split(l->buf, '|', f, FIELDS_MAX);
	if (first && version_ok(f[0]))
		return 0;			/* version line */
	if (nf >= 6 && strcmp(f[5], "summary") == 0)
		return 0;
	if (nf < 7) {
		geo_bad(g, l->path, l->no, "%zu fields, want at least 7", nf);
		return bad(res);
	}
	if (strcmp(f[2], "asn") == 0)
		return 0;
	if (strcmp(f[6], "available") == 0 || strcmp(f[6], "reserved") == 0)
		return 0;
	if (strcmp(f[6], "allocated") != 0 && strcmp(f[6], "assigned") != 0) {
		geo_bad(g, l->path, l->no, "unknown status '%.32s'", f[6]);
		return bad(res);
	}
	if (!cc_ok(f[1])) {
		geo_bad(g, l->path, l->no, "bad country code '%.32s'", f[1]);
		return bad(res);
	}
	if (strcmp(f[1], "ZZ") == 0)
		return 0;
	if (strcmp(f[2], "ipv4") == 0) {
		if (net_addr_parse(f[3], &a) != 0 || a.af != NET_AF4) {
			geo_bad(g, l->path, l->no, "bad IPv4 start '%.64s'",
			    f[3]);
			return bad(res);
		}
		uint32_t s = (uint32_t)a.a[0] << 24 | (uint32_t)a.a[1] << 16 |
		    (uint32_t)a.a[2] << 8 | a.a[3];
		if (!parse_u64(f[4], 1ull << 32, &v) || v == 0 ||
		    (uint64_t)s + v > 1ull << 32) {
			geo_bad(g, l->path, l->no,
			    "bad IPv4 address count '%.32s'", f[4]);
			return bad(res);
		}
		*res = LINE_USED;
		return add_v4_range(k, l->no, s, v, geo_cc16(f[1]));
	}
	if (strcmp(f[2], "ipv6") == 0) {
		if (net_addr_parse(f[3], &a) != 0 || a.af != NET_AF6) {
			geo_bad(g, l->path, l->no, "bad IPv6 start '%.64s'",
			    f[3]);
			return bad(res);
		}
		if (!parse_u64(f[4], 128, &v)) {
			geo_bad(g, l->path, l->no,
			    "bad IPv6 prefix length '%.32s'", f[4]);
			return bad(res);
		}
		p.af = NET_AF6;
		p.len = (uint8_t)v;
		memcpy(p.a, a.a, sizeof(p.a));
		if (!host_bits_clear(&p)) {
			geo_bad(g, l->path, l->no, "host bits set in %s/%u",
			    f[3], p.len);
			return bad(res);
		}
		*res = LINE_USED;
		return k->fn(k->ctx, &p, geo_cc16(f[1]), l->no);
	}
	geo_bad(g, l->path, l->no, "unknown type '%.32s'", f[2]);
	return bad(res);
}

typedef int line_fn(struct geo *, struct lines *, const struct sink *,
    enum line_res *);

/* Runs fn over every line of l (closed here). */
static int
load_lines(struct geo *g, struct lines *l, const struct sink *k,
    line_fn *fn, const char *what)
{
	enum line_res res;
	uint64_t used = 0;
	int rc;

	while ((rc = lines_next(g, l)) == 1) {
		if ((rc = fn(g, l, k, &res)) != 0)
			break;
		used += res == LINE_USED;
	}
	if (rc == LL_ELIMIT)
		geo_seterr(g, "%s:%llu: too many prefixes (limit %u)", l->path,
		    (unsigned long long)l->no, NET_TREE_MAX);
	else if (rc == LL_ENOMEM)
		geo_seterr(g, "%s:%llu: out of memory", l->path,
		    (unsigned long long)l->no);
	else if (rc < 0 && rc != LL_EIO && rc != LL_EFORMAT)
		geo_seterr(g, "%s:%llu: %s", l->path,
		    (unsigned long long)l->no, ll_strerror(rc));
	lines_close(l);
	if (rc < 0)
		return rc;
	if (used == 0) {
		geo_seterr(g, "%s: no usable line: not %s?", l->path, what);
		return LL_EFORMAT;
	}
	return 0;
}

static int
tree_add(void *ctx, const struct net_prefix *p, uint32_t val, uint64_t line)
{
	struct geo_trees *ts = ctx;

	(void)line;
	return net_tree_add(ts->t[geo_af_idx(p->af)], p, val);
}

/* "a", "a_b", "a,b", "a_b,c": validates all, returns the first. s is
 * left as it is, for the report when it is bad. */
static bool
parse_origin(const char *s, uint32_t *asn)
{
	*asn = 0;
	for (;;) {
		const char *t = s;
		uint64_t v = 0;

		for (; *s >= '0' && *s <= '9'; s++) {
			if (v > (UINT32_MAX - (uint64_t)(*s - '0')) / 10)
				return false;
			v = v * 10 + (uint64_t)(*s - '0');
		}
		if (s == t || v == 0)
			return false;	/* empty (or a trailing separator) */
		if (*asn == 0)
			*asn = (uint32_t)v;
		if (*s == '\0')
			return true;
		if (*s != '_' && *s != ',')
			return false;
		s++;
	}
}

static int
pfx2as_line(struct geo *g, struct lines *l, const struct sink *k,
    enum line_res *res)
{
	char *f[4];
	struct net_addr a;
	struct net_prefix p;
	uint64_t len;
	uint32_t as;
	size_t nf;

	*res = LINE_SKIPPED;
	if (l->len == 0 || l->buf[0] == '#')
		return 0;
	nf = split(l->buf, '\t', f, 4);
	if (nf != 3) {
		geo_bad(g, l->path, l->no, "%zu tab-separated fields, want 3",
		    nf);
		return bad(res);
	}
	if (net_addr_parse(f[0], &a) != 0) {
		geo_bad(g, l->path, l->no, "bad address '%.64s'", f[0]);
		return bad(res);
	}
	if (!parse_u64(f[1], net_af_bits(a.af), &len)) {
		geo_bad(g, l->path, l->no, "bad prefix length '%.32s'", f[1]);
		return bad(res);
	}
	p.af = a.af;
	p.len = (uint8_t)len;
	memcpy(p.a, a.a, sizeof(p.a));
	if (!host_bits_clear(&p)) {
		geo_bad(g, l->path, l->no, "host bits set in %s/%u", f[0],
		    p.len);
		return bad(res);
	}
	if (!parse_origin(f[2], &as)) {
		geo_bad(g, l->path, l->no, "bad origin AS '%.40s'", f[2]);
		return bad(res);
	}
	*res = LINE_USED;
	return k->fn(k->ctx, &p, as, l->no);
}

static const struct {
	line_fn		*fn;
	const char	*what;
} formats[] = {
	[GEO_TEXT_RIR] = { rir_line, "an RIR delegated-extended file" },
	[GEO_TEXT_PFX2AS] = { pfx2as_line, "a CAIDA pfx2as file" },
};

int
geo_text_parse(struct geo *g, enum geo_text fmt, const char *name,
    const void *buf, size_t len, geo_rec_fn *fn, void *ctx)
{
	struct sink k = { fn, ctx, NULL };
	struct lines l;

	if ((unsigned)fmt >= sizeof(formats) / sizeof(formats[0]))
		return LL_EINVAL;
	memset(&l, 0, sizeof(l));
	l.path = name;
	l.p = buf;
	l.n = len;
	return load_lines(g, &l, &k, formats[fmt].fn, formats[fmt].what);
}

int
geo_text_load(struct geo *g, enum geo_text fmt, const char *path,
    geo_rec_fn *fn, void *ctx)
{
	struct sink k = { fn, ctx, NULL };
	struct lines l;
	int rc;

	if ((unsigned)fmt >= sizeof(formats) / sizeof(formats[0]))
		return LL_EINVAL;
	if ((rc = lines_open(g, &l, path)) != 0)
		return rc;
	return load_lines(g, &l, &k, formats[fmt].fn, formats[fmt].what);
}

int
geo_rir_load(struct geo *g, const char *path, struct geo_trees *cc)
{
	return geo_text_load(g, GEO_TEXT_RIR, path, tree_add, cc);
}

int
geo_pfx2as_load(struct geo *g, const char *path, struct geo_trees *asn)
{
	return geo_text_load(g, GEO_TEXT_PFX2AS, path, tree_add, asn);
}

/* Registry names and opaque-ids: letters, digits, '.', '-', '_'. */
static bool
token_ok(const char *s, size_t max)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

	return s[n] == '\0' && n < max;
}

/* geo_rir_scan(): the fields of a record into r, type and status as
 * strings already checked. Returns false after reporting a bad one. */
static bool
rir_rec_fields(struct geo *g, struct lines *l, char **f, size_t nf,
    struct geo_rir_rec *r)
{
	uint64_t v;

	if (!token_ok(f[0], sizeof(r->registry)) || (f[1][0] != '\0' &&
	    !cc_ok(f[1])) || (f[5][0] != '\0' && (strlen(f[5]) != 8 ||
	    !parse_u64(f[5], 99999999, &v))) || (nf >= 8 &&
	    !token_ok(f[7], sizeof(r->id)))) {
		geo_bad(g, l->path, l->no, "bad registry, country code, date "
		    "or opaque-id");
		return false;
	}
	/* (lengths checked above; the precisions say so to the compiler) */
	snprintf(r->registry, sizeof(r->registry), "%.15s", f[0]);
	snprintf(r->cc, sizeof(r->cc), "%.2s", f[1]);
	snprintf(r->date, sizeof(r->date), "%.8s", f[5]);
	snprintf(r->status, sizeof(r->status), "%.11s", f[6]);
	snprintf(r->id, sizeof(r->id), "%.63s", nf >= 8 ? f[7] : "");
	r->line = l->no;
	if (r->type == GEO_RIR_ASN) {
		if (!parse_u64(f[3], UINT32_MAX, &v) ||
		    !parse_u64(f[4], 1ull << 32, &r->value) || r->value == 0 ||
		    v + r->value > 1ull << 32) {
			geo_bad(g, l->path, l->no, "bad AS number or count "
			    "'%.32s|%.32s'", f[3], f[4]);
			return false;
		}
		r->asn = (uint32_t)v;
		return true;
	}
	if (net_addr_parse(f[3], &r->start) != 0 || r->start.af !=
	    (r->type == GEO_RIR_IPV4 ? NET_AF4 : NET_AF6)) {
		geo_bad(g, l->path, l->no, "bad start address '%.64s'", f[3]);
		return false;
	}
	if (r->type == GEO_RIR_IPV4) {
		uint32_t s = (uint32_t)r->start.a[0] << 24 |
		    (uint32_t)r->start.a[1] << 16 |
		    (uint32_t)r->start.a[2] << 8 | r->start.a[3];

		if (parse_u64(f[4], 1ull << 32, &r->value) && r->value > 0 &&
		    s + r->value <= 1ull << 32)
			return true;
	} else if (parse_u64(f[4], 128, &r->value)) {
		struct net_prefix p;

		p.af = NET_AF6;
		p.len = (uint8_t)r->value;
		memcpy(p.a, r->start.a, sizeof(p.a));
		if (host_bits_clear(&p))
			return true;
		geo_bad(g, l->path, l->no, "host bits set in %s/%u", f[3],
		    p.len);
		return false;
	}
	geo_bad(g, l->path, l->no, "bad size '%.32s' for %s", f[4], f[3]);
	return false;
}

/* One line for geo_rir_scan(): every record, whatever its type and
 * status. */
static int
rir_rec_line(struct geo *g, struct lines *l, const struct sink *k,
    enum line_res *res)
{
	static const char *const types[] = { "asn", "ipv4", "ipv6" };
	static const char *const statuses[] = { "allocated", "assigned",
	    "available", "reserved" };
	struct geo_rir_rec r;
	char *f[FIELDS_MAX];
	size_t nf, i;
	bool first;

	*res = LINE_SKIPPED;
	if (l->len == 0 || l->buf[0] == '#')
		return 0;
	first = !l->seen;
	l->seen = true;
	nf = split(l->buf, '|', f, FIELDS_MAX);
	if ((first && version_ok(f[0])) ||
	    (nf >= 6 && strcmp(f[5], "summary") == 0))
		return 0;
	if (nf < 7) {
		geo_bad(g, l->path, l->no, "%zu fields, want at least 7", nf);
		return bad(res);
	}
	memset(&r, 0, sizeof(r));
	for (i = 0; i < 3 && strcmp(f[2], types[i]) != 0; i++)
		;
	if (i == 3) {
		geo_bad(g, l->path, l->no, "unknown type '%.32s'", f[2]);
		return bad(res);
	}
	r.type = (enum geo_rir_type)i;
	for (i = 0; i < 4 && strcmp(f[6], statuses[i]) != 0; i++)
		;
	if (i == 4) {
		geo_bad(g, l->path, l->no, "unknown status '%.32s'", f[6]);
		return bad(res);
	}
	if (!rir_rec_fields(g, l, f, nf, &r))
		return bad(res);
	*res = LINE_USED;
	return k->rfn(k->ctx, &r);
}

int
geo_rir_scan(const char *path, geo_rir_fn *fn, void *ctx,
    void (*warn)(void *ctx, const char *msg), void *warn_ctx,
    uint64_t *bad_lines, char *err, size_t errlen)
{
	struct sink k = { NULL, ctx, fn };
	struct lines l;
	struct geo *g;
	int rc;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return LL_ENOMEM;
	g->warn = warn;
	g->warn_ctx = warn_ctx;
	if ((rc = lines_open(g, &l, path)) == 0)
		rc = load_lines(g, &l, &k, rir_rec_line,
		    "an RIR delegated file");
	if (bad_lines != NULL)
		*bad_lines = g->bad_lines;
	if (rc != 0 && err != NULL)
		snprintf(err, errlen, "%s", g->err);
	free(g);
	return rc;
}
