/*
 * Records far apart in time: a record outside its file's time range is a
 * bad record (reported with file and offset, skipped), not a reason to
 * stop or to emit bins of another period; and an engine limit is named
 * for what it is. Archives are made at run time from real ones: one
 * record's timestamp shifted by 60 days, two years concatenated, 65,536
 * peers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "input/input.h"
#include "signal/signal.h"
#include "testutil.h"
#include "util/err.h"

#define F2002 "mrt/ripe-bgpdump/updates.20020722.2238.gz"
#define F2021 "mrt/ris-2021-gatech-cs6250/ris.rrc04.updates.1609476900.300.gz"
#define DAYS60 (60u * 86400u)

struct buf {
	uint8_t	*p;
	size_t	 n, cap;
};

static void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

/* The decompressed bytes of a shared archive. */
static void
slurp(const char *rel, struct buf *b)
{
	const char *path = test_shared_or_skip(rel);
	struct input *in;
	const uint8_t *p;
	size_t avail;

	assert_int_equal(input_open(path, NULL, &in), 0);
	for (;;) {
		assert_int_equal(input_peek(in, 1 << 16, &p, &avail), 0);
		if (avail == 0)
			break;
		buf_add(b, p, avail);
		input_consume(in, avail);
	}
	input_free(in);
}

/* Offsets of the MRT records of b (len at header byte 8, RFC 6396 2). */
static size_t
records(const struct buf *b, size_t *off, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i + 12 <= b->n; n++) {
		uint32_t len = (uint32_t)b->p[i + 8] << 24 |
		    (uint32_t)b->p[i + 9] << 16 | (uint32_t)b->p[i + 10] << 8 |
		    b->p[i + 11];

		if (off != NULL && n < max)
			off[n] = i;
		i += 12 + len;
	}
	return n;
}

static void
shift_ts(struct buf *b, size_t off, uint32_t by)
{
	uint32_t ts = (uint32_t)b->p[off] << 24 | (uint32_t)b->p[off + 1] << 16 |
	    (uint32_t)b->p[off + 2] << 8 | b->p[off + 3];

	ts += by;
	b->p[off] = (uint8_t)(ts >> 24);
	b->p[off + 1] = (uint8_t)(ts >> 16);
	b->p[off + 2] = (uint8_t)(ts >> 8);
	b->p[off + 3] = (uint8_t)ts;
}

static char *
write_tmp(const struct buf *b)
{
	char *path = malloc(64);
	int fd;

	assert_non_null(path);
	snprintf(path, 64, "/tmp/ll-range-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_true(write(fd, b->p, b->n) == (ssize_t)b->n);
	close(fd);
	return path;
}

/* What a replay gave: the points as text, the reports, the file's counts. */
struct run {
	char		*pts;
	size_t		 n, cap;
	int64_t		 tmin, tmax;
	size_t		 npts;
	size_t		 reports;
	uint64_t	 first_off;	/* of the first report */
	char		 first_what[512];
	uint64_t	 bad, recs;
	char		 why[512];
};

static int
on_point(void *ctx, const char *kind, int64_t t, const char *ent,
    uint64_t v)
{
	if (strcmp(kind, "bgp") != 0)
		return 0;	/* the IPv4 series only */
	struct run *r = ctx;
	char line[128];
	int len = snprintf(line, sizeof(line), "%lld %s %llu\n", (long long)t,
	    ent, (unsigned long long)v);

	if (r->n + (size_t)len + 1 > r->cap) {
		r->cap = (r->n + (size_t)len + 1) * 2;
		r->pts = realloc(r->pts, r->cap);
		assert_non_null(r->pts);
	}
	memcpy(r->pts + r->n, line, (size_t)len + 1);
	r->n += (size_t)len;
	if (r->npts == 0 || t < r->tmin)
		r->tmin = t;
	if (r->npts == 0 || t > r->tmax)
		r->tmax = t;
	r->npts++;
	return 0;
}

static void
on_error(void *ctx, const struct mrt_error *e)
{
	struct run *r = ctx;

	if (r->reports++ == 0) {
		r->first_off = e->offset;
		snprintf(r->first_what, sizeof(r->first_what), "%s", e->what);
	}
}

static void
on_file(void *ctx, const struct sig_file *f)
{
	struct run *r = ctx;

	r->bad += f->bad;
	r->recs += f->records;
}

/* Synthetic countries: one per first octet. */
static int
octet_split(void *ctx, const struct net_prefix *p, geo_split_fn *fn,
    void *fnctx)
{
	char cc[3];

	(void)ctx;
	cc[0] = (char)('A' + p->a[0] / 26);
	cc[1] = (char)('A' + p->a[0] % 26);
	cc[2] = '\0';
	return fn(fnctx, cc, "", net_prefix_units(p));
}

static int
replay(const char *path, bool one_thread, struct run *r)
{
	struct sig_opts o = { 0 };
	struct sig_replay_opts ro = { 0 };
	struct sig *s;
	int rc;

	memset(r, 0, sizeof(*r));
	o.ff_pct = 50;
	o.by = SIG_BY_COUNTRY | SIG_BY_ASN;
	o.split = octet_split;
	ro.collector = "c";
	ro.one_thread = one_thread;
	ro.on_error = on_error;
	ro.on_file = on_file;
	ro.ctx = r;
	ro.errbuf = r->why;
	ro.errlen = sizeof(r->why);
	assert_int_equal(sig_new(&o, on_point, r, &s), 0);
	rc = sig_replay(s, &path, 1, &ro);
	sig_free(s);
	return rc;
}

static void
run_free(struct run *r)
{
	free(r->pts);
}

/* Record k of F2021 shifted by +60 days: one report at its offset, the
 * rest used, the points those of the file without that record. */
static void
shift_one(size_t k)
{
	struct buf b = { 0 }, cut = { 0 };
	size_t off[16384], n;
	struct run d, c, t;
	char *dpath, *cpath;

	slurp(F2021, &b);
	n = records(&b, off, 16384);
	assert_true(n > 9000 && n < 16384);
	/* the undamaged file without record k */
	buf_add(&cut, b.p, off[k]);
	buf_add(&cut, b.p + off[k + 1], b.n - off[k + 1]);
	shift_ts(&b, off[k], DAYS60);
	dpath = write_tmp(&b);
	cpath = write_tmp(&cut);

	assert_int_equal(replay(cpath, false, &c), 0);
	assert_int_equal(c.reports, 0);
	assert_int_equal(replay(dpath, false, &d), 0);
	assert_int_equal(d.reports, 1);
	assert_int_equal(d.first_off, off[k]);
	assert_non_null(strstr(d.first_what, "out of the file's time range"));
	assert_int_equal(d.bad, 1);
	assert_int_equal(d.recs, n - 1);
	fprintf(stderr, "record %zu shifted: %zu points, as without it\n",
	    k, d.npts);
	assert_true(d.npts > 100);
	assert_string_equal(d.pts, c.pts);
	/* the same on the caller's thread */
	assert_int_equal(replay(dpath, true, &t), 0);
	assert_string_equal(t.pts, d.pts);
	assert_int_equal(t.reports, 1);

	unlink(dpath);
	unlink(cpath);
	free(dpath);
	free(cpath);
	run_free(&c);
	run_free(&d);
	run_free(&t);
	free(b.p);
	free(cut.p);
}

static void
test_shift_middle(void **state)
{
	(void)state;
	shift_one(4000);
}

/* The first record: the file's range is not taken from it. */
static void
test_shift_first(void **state)
{
	(void)state;
	shift_one(0);
}

/* Runs the CLI on path; returns its exit status, stderr in err. */
static int
cli(const char *path, char *err, size_t len)
{
	const char *exe = getenv("LIFELINE");
	char cmd[1024];
	FILE *p;
	size_t n;
	int st;

	if (exe == NULL) {
		fprintf(stderr, "SKIP: $LIFELINE not set\n");
		exit(TEST_SKIP);
	}
	snprintf(cmd, sizeof(cmd), "'%s' bgp visibility --by asn "
	    "--full-feed 50%% '%s' 2>&1 >/dev/null", exe, path);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(err, 1, len - 1, p);
	err[n] = '\0';
	st = pclose(p);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* 2002 and 2021 in one file: the years apart, in either order. */
static void
concat(const char *first, const char *second)
{
	struct buf a = { 0 }, b = { 0 }, ab = { 0 };
	struct run ra, rab;
	char *apath, *abpath, err[8192];
	size_t nb;

	slurp(first, &a);
	slurp(second, &b);
	nb = records(&b, NULL, 0);
	buf_add(&ab, a.p, a.n);
	buf_add(&ab, b.p, b.n);
	apath = write_tmp(&a);
	abpath = write_tmp(&ab);

	assert_int_equal(replay(apath, false, &ra), 0);
	assert_int_equal(replay(abpath, false, &rab), 0);
	/* no bin of the second year; the same points as the first alone */
	assert_true(rab.tmax - rab.tmin < 86400);
	assert_true(rab.tmin == ra.tmin && rab.tmax == ra.tmax);
	assert_string_equal(rab.pts, ra.pts);
	/* every record of the second is bad, the first ones reported */
	assert_int_equal(rab.bad, nb);
	assert_int_equal(rab.reports, 11);
	assert_int_equal(rab.first_off, a.n);
	assert_non_null(strstr(rab.first_what, "out of the file's time "
	    "range"));
	/* the CLI says bad records were met */
	assert_int_equal(cli(abpath, err, sizeof(err)), 1);
	assert_non_null(strstr(err, "out of the file's time range"));
	assert_null(strstr(err, "31 days"));

	unlink(apath);
	unlink(abpath);
	free(apath);
	free(abpath);
	run_free(&ra);
	run_free(&rab);
	free(a.p);
	free(b.p);
	free(ab.p);
}

static void
test_concat_2002_2021(void **state)
{
	(void)state;
	concat(F2002, F2021);
}

static void
test_concat_2021_2002(void **state)
{
	(void)state;
	concat(F2021, F2002);
}

/* The same two years as two files: refused, naming the later file. */
static void
test_files_years_apart(void **state)
{
	char *a = strdup(test_shared_or_skip(F2002));
	char *b = strdup(test_shared_or_skip(F2021));
	const char *files[2] = { b, a };
	struct sig_opts o = { 0 };
	struct sig_replay_opts ro = { 0 };
	struct run r;
	struct sig *s;

	(void)state;
	memset(&r, 0, sizeof(r));
	o.ff_pct = 50;
	o.split = octet_split;
	ro.errbuf = r.why;
	ro.errlen = sizeof(r.why);
	assert_int_equal(sig_new(&o, on_point, &r, &s), 0);
	assert_int_equal(sig_replay(s, files, 2, &ro), LL_ELIMIT);
	sig_free(s);
	assert_true(strncmp(r.why, b, strlen(b)) == 0);
	assert_non_null(strstr(r.why, "more than 31 days after"));
	free(r.pts);
	free(a);
	free(b);
}

static void
be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * 65,536 peers (one more than the engine tells apart), each a
 * BGP4MP_STATE_CHANGE_AS4 to Established (RFC 6396 4.4.1): the replay
 * stops and says so, not that records are far apart in time.
 */
static void
test_too_many_peers(void **state)
{
	struct buf b = { 0 };
	struct run r;
	char *path, err[8192];
	int rc;

	(void)state;
	for (uint32_t i = 0; i < 65536; i++) {
		uint8_t rec[12 + 24];

		be32(rec, 1609477200);
		be16(rec + 4, 16);		/* BGP4MP */
		be16(rec + 6, 5);		/* STATE_CHANGE_AS4 */
		be32(rec + 8, 24);
		be32(rec + 12, 64512 + i % 1000);	/* peer AS */
		be32(rec + 16, 65000);		/* local AS */
		be16(rec + 20, 0);		/* interface */
		be16(rec + 22, 1);		/* AFI IPv4 */
		be32(rec + 24, 0x0a000000u + i);	/* peer 10.x.y.z */
		be32(rec + 28, 0x0b000001u);	/* local */
		be16(rec + 32, 5);		/* OpenConfirm */
		be16(rec + 34, 6);		/* Established */
		buf_add(&b, rec, sizeof(rec));
	}
	path = write_tmp(&b);
	rc = replay(path, false, &r);
	assert_int_equal(rc, LL_ELIMIT);
	assert_non_null(strstr(r.why, "more than 65535 peers"));
	assert_non_null(strstr(r.why, path));
	assert_int_equal(cli(path, err, sizeof(err)), 3);
	assert_non_null(strstr(err, "more than 65535 peers"));
	assert_null(strstr(err, "days"));
	unlink(path);
	free(path);
	run_free(&r);
	free(b.p);
}

int
main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_shift_middle),
		cmocka_unit_test(test_shift_first),
		cmocka_unit_test(test_concat_2002_2021),
		cmocka_unit_test(test_concat_2021_2002),
		cmocka_unit_test(test_files_years_apart),
		cmocka_unit_test(test_too_many_peers),
	};

	test_shared_or_skip(F2002);
	test_shared_or_skip(F2021);
	return test_main("sig_range", t, NULL, NULL);
}
