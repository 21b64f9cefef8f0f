/*
 * The damaged-file run for the text loaders: real RIR delegated files and
 * the real CAIDA pfx2as file, damaged line by line (seeded, so every run
 * damages the same bytes), then parsed under the sanitizers. 300 damaged
 * slices of the files, and whole files through the file reader (plain and
 * gzip, across its chunk boundaries). For each:
 *  - no line that was not damaged is reported, and none is lost: the
 *    records of the untouched lines are exactly those of the undamaged
 *    file, line for line;
 *  - every damaged line is reported with its line number, or gives
 *    records, or is a line the format skips (comment, summary, asn,
 *    unused space), decided here independently of the loader;
 *  - a line over 1024 bytes or holding a NUL byte is always reported.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <unistd.h>
#include <zlib.h>

#include "geo/geo_int.h"
#include "testutil.h"
#include "util/err.h"

#define RIR	"registry/rir-delegated/"
#define PFX2AS	"registry/caida-pfx2as/routeviews-rv2-20170329-0200.pfx2as.gz"
#define RUNS	300
#define SLICE	1000		/* lines of a damaged slice */
#define LONG	1024		/* the loaders' longest line */

static const char *const files[] = {
	RIR "delegated-afrinic-20140630",
	RIR "delegated-afrinic-extended-20160130",
	RIR "delegated-afrinic-extended-20230323",
	RIR "delegated-afrinic-extended-20260505",
	RIR "delegated-apnic-20140630",
	RIR "delegated-apnic-extended-20160130",
	RIR "delegated-lacnic-20140630",
	RIR "delegated-lacnic-extended-20230323",
	RIR "delegated-ripencc-20140630",
	PFX2AS,
};
#define NFILES	(sizeof(files) / sizeof(files[0]))

struct rec {
	uint64_t	 line;
	struct net_prefix p;
	uint32_t	 val;
};

struct out {
	struct rec	*rec;
	size_t		 n, cap;
	uint64_t	*bad;		/* lines reported */
	size_t		 nbad, capbad;
	const char	*name;
};

static void *
grow(void *v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 1024;
	v = realloc(v, *cap * size);
	assert_non_null(v);
	return v;
}

static int
on_rec(void *ctx, const struct net_prefix *p, uint32_t val, uint64_t line)
{
	struct out *o = ctx;

	o->rec = grow(o->rec, &o->cap, o->n, sizeof(*o->rec));
	o->rec[o->n++] = (struct rec){ line, *p, val };
	return 0;
}

static void
on_bad(void *ctx, const char *msg)
{
	struct out *o = ctx;
	size_t nl = strlen(o->name);
	char *end;

	if (strncmp(msg, o->name, nl) != 0 || msg[nl] != ':')
		fail_msg("report without the file name: %s", msg);
	o->bad = grow(o->bad, &o->capbad, o->nbad, sizeof(*o->bad));
	o->bad[o->nbad++] = strtoull(msg + nl + 1, &end, 10);
	if (end[0] != ':' || end[1] != ' ' || strlen(end + 2) < 4)
		fail_msg("report without a line number or reason: %s", msg);
}

static void
out_reset(struct out *o, const char *name)
{
	o->n = o->nbad = 0;
	o->name = name;
}

static void
out_free(struct out *o)
{
	free(o->rec);
	free(o->bad);
}

/* The whole file, decompressed. */
static char *
slurp_gz(const char *path, size_t *len)
{
	gzFile f = gzopen(path, "rb");
	size_t cap = 1u << 20, n = 0;
	char *b = malloc(cap);
	int r;

	assert_non_null(f);
	assert_non_null(b);
	while ((r = gzread(f, b + n, (unsigned)(cap - n))) > 0) {
		n += (size_t)r;
		if (n == cap)
			assert_non_null(b = realloc(b, cap *= 2));
	}
	assert_int_equal(r, 0);
	gzclose(f);
	*len = n;
	return b;
}

/* ---- damage ---- */

struct buf {
	char	*p;
	size_t	 n, cap;
};

static void
put(struct buf *b, const void *p, size_t n)
{
	while (b->n + n > b->cap) {
		b->cap = b->cap ? b->cap * 2 : 1u << 16;
		assert_non_null(b->p = realloc(b->p, b->cap));
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void
putc1(struct buf *b, int c)
{
	char ch = (char)c;

	put(b, &ch, 1);
}

/* Writes line l (n bytes, no end) damaged by one of 13 ways; returns true
 * when the line's end was dropped (the next line joins it). */
static bool
damage(struct buf *b, const char *l, size_t n, uint64_t *s)
{
	size_t at = n ? test_xorshift(s) % (n + 1) : 0, k;
	char sep = l[0] >= '0' && l[0] <= '9' ? '\t' : '|';
	const char *q;

	switch (test_xorshift(s) % 13) {
	case 0:		/* one byte changed to any value */
		put(b, l, n);
		if (n > 0)
			b->p[b->n - n + (at < n ? at : n - 1)] =
			    (char)(test_xorshift(s) & 255);
		break;
	case 1:		/* a NUL byte inserted */
		put(b, l, at);
		putc1(b, 0);
		put(b, l + at, n - at);
		break;
	case 2:		/* cut short */
		put(b, l, at);
		break;
	case 3:		/* a span deleted */
		k = at + test_xorshift(s) % (n - at + 1);
		put(b, l, at);
		put(b, l + k, n - k);
		break;
	case 4:		/* a separator inserted */
		put(b, l, at);
		putc1(b, sep);
		put(b, l + at, n - at);
		break;
	case 5:		/* a separator deleted */
		q = memchr(l + at, sep, n - at);
		if (q == NULL)
			q = memchr(l, sep, n);
		k = q != NULL ? (size_t)(q - l) : n;
		put(b, l, k);
		if (k < n)
			put(b, l + k + 1, n - k - 1);
		break;
	case 6:		/* too long */
		put(b, l, n);
		for (k = 0; k < LONG + 7; k++)
			putc1(b, 'a' + (int)(test_xorshift(s) % 26));
		break;
	case 7:		/* garbage, newlines and all */
		for (k = test_xorshift(s) % 80; k > 0; k--)
			putc1(b, (int)(test_xorshift(s) & 255));
		break;
	case 8:		/* a CR end */
		put(b, l, n);
		putc1(b, '\r');
		break;
	case 9:		/* split in two */
		put(b, l, at);
		putc1(b, '\n');
		put(b, l + at, n - at);
		break;
	case 10:	/* joined with the next line */
		put(b, l, n);
		return true;
	case 11:	/* a digit changed to another */
		put(b, l, n);
		for (k = 0; k < n; k++) {
			char *c = &b->p[b->n - n + (at + k) % n];
			if (*c >= '0' && *c <= '9') {
				*c = (char)('0' + (*c - '0' + 1 +
				    (int)(test_xorshift(s) % 9)) % 10);
				break;
			}
		}
		break;
	default:	/* emptied */
		break;
	}
	putc1(b, '\n');
	return false;
}

/* The lines of s: start offsets (and one past the end). */
static size_t
line_starts(const char *s, size_t len, size_t **out)
{
	size_t n = 0, cap = 0, *v = NULL;

	for (size_t i = 0; i < len;) {
		const char *nl = memchr(s + i, '\n', len - i);
		v = grow(v, &cap, n + 1, sizeof(*v));
		v[n++] = i;
		i = nl != NULL ? (size_t)(nl - s) + 1 : len;
	}
	v = grow(v, &cap, n + 1, sizeof(*v));
	v[n] = len;
	*out = v;
	return n;
}

/* ---- the format's own skips, decided without the loader ---- */

static bool
version_ok(const char *v)
{
	if (*v < '0' || *v > '9')
		return false;
	return strspn(v, "0123456789.") == strlen(v);
}

/* True when line (NUL-free, CR gone) is one the format passes over. */
static bool
skipped(bool rir, char *line, bool *seen)
{
	char *f[16], *s = line;
	size_t nf = 0;
	bool first = !*seen;

	if (line[0] == '\0' || line[0] == '#')
		return true;
	*seen = true;
	if (!rir)
		return false;
	f[nf++] = s;
	while (nf < 16 && (s = strchr(s, '|')) != NULL) {
		*s++ = '\0';
		f[nf++] = s;
	}
	if (first && version_ok(f[0]))
		return true;
	if (nf >= 6 && strcmp(f[5], "summary") == 0)
		return true;
	if (nf < 7)
		return false;
	if (strcmp(f[2], "asn") == 0 || strcmp(f[6], "available") == 0 ||
	    strcmp(f[6], "reserved") == 0)
		return true;
	return (strcmp(f[6], "allocated") == 0 ||
	    strcmp(f[6], "assigned") == 0) && strcmp(f[1], "ZZ") == 0;
}

/* ---- one damaged text against the undamaged one ---- */

struct stats {
	uint64_t	 lines, damaged, bad, used, skipped;
};

static bool
rec_eq(const struct rec *a, const struct rec *b, uint64_t line)
{
	return a->line == line && a->val == b->val &&
	    net_prefix_cmp(&a->p, &b->p) == 0;
}

/* orig[i]: the undamaged line output line i + 1 is, 0 for a damaged one.
 * ref: the undamaged text's records; got: the damaged text's. */
static void
check(bool rir, const char *text, size_t len, const uint64_t *orig,
    const struct out *ref, const struct out *got, const bool *dmg_orig,
    struct stats *st, const char *what)
{
	size_t *ls, nl = line_starts(text, len, &ls);
	size_t r = 0, g = 0, bi = 0;
	bool seen = false;
	char line[LONG + 2];

	for (size_t i = 1; i < got->nbad; i++)
		if (got->bad[i] <= got->bad[i - 1])
			fail_msg("%s: line %llu reported out of order", what,
			    (unsigned long long)got->bad[i]);
	for (size_t i = 0; i < nl; i++) {
		uint64_t no = i + 1;
		size_t n = ls[i + 1] - ls[i];
		bool reported, recs = false;

		if (n > 0 && text[ls[i] + n - 1] == '\n')
			n--;
		while (bi < got->nbad && got->bad[bi] < no)
			bi++;
		reported = bi < got->nbad && got->bad[bi] == no;
		while (g < got->n && got->rec[g].line < no)
			g++;
		if (orig[i] != 0) {
			/* untouched: exactly its records, no report */
			if (reported)
				fail_msg("%s: undamaged line %llu (was %llu) "
				    "reported", what, (unsigned long long)no,
				    (unsigned long long)orig[i]);
			while (r < ref->n && ref->rec[r].line < orig[i])
				r++;
			for (; r < ref->n && ref->rec[r].line == orig[i];
			    r++, g++)
				if (g >= got->n || !rec_eq(&got->rec[g],
				    &ref->rec[r], no))
					fail_msg("%s: line %llu (was %llu) "
					    "lost or changed", what,
					    (unsigned long long)no,
					    (unsigned long long)orig[i]);
			if (g < got->n && got->rec[g].line == no)
				fail_msg("%s: line %llu (was %llu) gave more",
				    what, (unsigned long long)no,
				    (unsigned long long)orig[i]);
			seen = seen || (n > 0 && text[ls[i]] != '#');
			continue;
		}
		st->damaged++;
		recs = g < got->n && got->rec[g].line == no;
		if (reported && recs)
			fail_msg("%s: line %llu reported and used", what,
			    (unsigned long long)no);
		st->bad += reported;
		st->used += recs;
		/* the loader's order: length, then the CR end, then NULs */
		if (n > LONG) {
			if (!reported)
				fail_msg("%s: long line %llu not reported",
				    what, (unsigned long long)no);
			continue;
		}
		if (n > 0 && text[ls[i] + n - 1] == '\r')
			n--;
		if (memchr(text + ls[i], '\0', n) != NULL) {
			if (!reported)
				fail_msg("%s: NUL in line %llu not reported",
				    what, (unsigned long long)no);
			continue;
		}
		memcpy(line, text + ls[i], n);
		line[n] = '\0';
		if (skipped(rir, line, &seen)) {
			st->skipped++;
			continue;
		}
		if (!reported && !recs)
			fail_msg("%s: damaged line %llu neither reported nor "
			    "used: '%.80s'", what, (unsigned long long)no,
			    text + ls[i]);
	}
	/* Every undamaged line's records were matched above; none left. */
	for (; r < ref->n; r++)
		if (!dmg_orig[ref->rec[r].line])
			fail_msg("%s: records of line %llu lost", what,
			    (unsigned long long)ref->rec[r].line);
	st->lines += nl;
	free(ls);
}

/* Damages the lines [from, to) of text (each with probability 1/p),
 * parses both and checks. path: write the damaged text there and load it
 * as a file (gzip when gz) instead of from memory. */
static void
one(const char *text, const size_t *ls, size_t from, size_t to,
    uint64_t seed, unsigned p, const char *path, bool gz, struct stats *st)
{
	bool rir = strstr(files[seed % NFILES], "pfx2as") == NULL;
	enum geo_text fmt = rir ? GEO_TEXT_RIR : GEO_TEXT_PFX2AS;
	struct buf b = { NULL, 0, 0 };
	uint64_t s = seed * 0x9e3779b97f4a7c15ull + 1, *orig;
	size_t nout = 1, ncap = 0, nd = 0;
	bool *dmg = calloc(to - from + 2, 1), join = false;
	struct out ref = { 0 }, got = { 0 };
	struct geo *g = calloc(1, sizeof(*g));
	char what[128];
	int rc;

	assert_non_null(dmg);
	assert_non_null(g);
	orig = grow(NULL, &ncap, 0, sizeof(*orig));
	for (size_t i = from; i < to; i++) {
		size_t n = ls[i + 1] - ls[i] - 1;	/* without its end */
		bool hit = join || test_xorshift(&s) % p == 0;
		size_t before = b.n;

		dmg[i - from + 1] = hit;
		if (!hit) {
			put(&b, text + ls[i], n + 1);
		} else {
			nd++;
			join = damage(&b, text + ls[i], n, &s);
		}
		/* the output lines this one became */
		for (size_t k = before; k < b.n; k++)
			if (b.p[k] == '\n') {
				orig = grow(orig, &ncap, nout, sizeof(*orig));
				orig[nout - 1] = hit ? 0 : i - from + 1;
				nout++;
			}
	}
	orig = grow(orig, &ncap, nout, sizeof(*orig));
	orig[nout - 1] = 0;	/* a last line without an end is damaged */
	snprintf(what, sizeof(what), "%s lines %zu-%zu seed %llu",
	    files[seed % NFILES], from + 1, to, (unsigned long long)seed);

	g->warn = on_bad;
	g->warn_ctx = &ref;
	out_reset(&ref, "ref");
	rc = geo_text_parse(g, fmt, "ref", text + ls[from], ls[to] - ls[from],
	    on_rec, &ref);
	if (rc != 0) {				/* asn records only */
		assert_int_equal(rc, LL_EFORMAT);
		assert_int_equal(ref.n, 0);
	}
	assert_int_equal(ref.nbad, 0);		/* real files are sound */
	g->warn_ctx = &got;
	if (path == NULL) {
		out_reset(&got, "dmg");
		(void)geo_text_parse(g, fmt, "dmg", b.p, b.n, on_rec, &got);
	} else {
		FILE *f = fopen(path, "wb");
		gzFile z;
		assert_non_null(f);
		if (gz) {
			assert_non_null(z = gzdopen(fileno(f), "wb1"));
			assert_int_equal(gzwrite(z, b.p, (unsigned)b.n),
			    (int)b.n);
			assert_int_equal(gzclose(z), Z_OK);
		} else {
			assert_int_equal(fwrite(b.p, 1, b.n, f), b.n);
			assert_int_equal(fclose(f), 0);
		}
		out_reset(&got, path);
		(void)geo_text_load(g, fmt, path, on_rec, &got);
		unlink(path);
	}
	assert_int_equal(g->bad_lines, ref.nbad + got.nbad);
	check(rir, b.p, b.n, orig, &ref, &got, dmg, st, what);
	out_free(&ref);
	out_free(&got);
	free(b.p);
	free(orig);
	free(dmg);
	free(g);
}

struct text {
	char	*p;
	size_t	 len, *ls, n;
};

static struct text texts[NFILES];

static int
setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < NFILES; i++) {
		const char *p = test_shared(files[i]);
		if (p == NULL) {
			fprintf(stderr, "SKIP: ../shared/data/%s is absent\n",
			    files[i]);
			exit(TEST_SKIP);
		}
		texts[i].p = slurp_gz(p, &texts[i].len);
		/* every line of the real files ends with a newline */
		assert_int_equal(texts[i].p[texts[i].len - 1], '\n');
		texts[i].n = line_starts(texts[i].p, texts[i].len,
		    &texts[i].ls);
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < NFILES; i++) {
		free(texts[i].p);
		free(texts[i].ls);
	}
	return 0;
}

/* 300 slices of SLICE lines, one in 25 lines damaged. */
static void
damaged_slices(void **state)
{
	struct stats st = { 0 };

	(void)state;
	for (uint64_t seed = 0; seed < RUNS; seed++) {
		const struct text *t = &texts[seed % NFILES];
		uint64_t s = seed + 1;
		size_t from = 0;

		if (t->n > SLICE && seed >= NFILES)	/* first: the head */
			from = test_xorshift(&s) % (t->n - SLICE);
		one(t->p, t->ls, from, from + SLICE < t->n ? from + SLICE :
		    t->n, seed, 25, NULL, false, &st);
	}
	print_message("%d damaged slices: %llu lines, %llu damaged: %llu "
	    "reported, %llu used, %llu skipped by the format\n", RUNS,
	    (unsigned long long)st.lines, (unsigned long long)st.damaged,
	    (unsigned long long)st.bad, (unsigned long long)st.used,
	    (unsigned long long)st.skipped);
	assert_true(st.bad > 1000 && st.used > 100 && st.skipped > 10);
}

/* Whole files through the file reader, over many of its chunks: the
 * largest RIR file plain, the first 100,000 lines of the pfx2as file
 * gzipped; one line in 500 damaged. */
static void
damaged_files(void **state)
{
	struct stats st = { 0 };
	char path[] = "/tmp/ll-mutate-XXXXXX";
	int fd;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	for (size_t i = 0; i < NFILES; i++) {
		bool pfx = strstr(files[i], "pfx2as") != NULL;
		if (!pfx && strstr(files[i], "ripencc") == NULL)
			continue;
		one(texts[i].p, texts[i].ls, 0, pfx && texts[i].n > 100000 ?
		    100000 : texts[i].n, i, 500, path, pfx, &st);
	}
	print_message("whole files: %llu lines, %llu damaged: %llu reported, "
	    "%llu used, %llu skipped by the format\n",
	    (unsigned long long)st.lines, (unsigned long long)st.damaged,
	    (unsigned long long)st.bad, (unsigned long long)st.used,
	    (unsigned long long)st.skipped);
	assert_true(st.bad > 200);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(damaged_slices),
		cmocka_unit_test(damaged_files),
	};

	return test_main("geo_mutate", tests, setup, teardown);
}
