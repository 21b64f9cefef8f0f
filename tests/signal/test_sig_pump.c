/*
 * Decoding ahead on a thread (sig_pump.c) and the lean decode of update
 * records (mrt_lean_decode(), bgp_lean_message(); items by sig_lean.c)
 * change nothing a replay gives: the same points, the
 * same bad-record reports in the same order, the same per-file statistics
 * as decoding every record fully on the calling thread, on every real
 * archive of ../shared/data/mrt (damaged ones included), on a crafted
 * stream with more reports than a batch holds, and in strict mode.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "signal/sig_int.h"
#include "signal/signal.h"
#include "testutil.h"
#include "util/err.h"
#include "input/input.h"

/* Everything a replay said, as text lines. */
struct log {
	char	*buf;
	size_t	 len, cap;
	size_t	 points, errors;
};

static void
logf_(struct log *l, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	assert_true(n > 0);
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (l->len + (size_t)n + 1 > l->cap) {
		l->cap = (l->cap + (size_t)n + 1) * 2;
		l->buf = realloc(l->buf, l->cap);
		assert_non_null(l->buf);
	}
	memcpy(l->buf + l->len, line, (size_t)n);
	l->len += (size_t)n;
	l->buf[l->len] = '\0';
}

static int
on_point(void *ctx, const char *kind, int64_t t, const char *ent,
    uint64_t v)
{
	struct log *l = ctx;

	l->points++;
	logf_(l, "P %s %lld %s %llu\n", kind, (long long)t, ent,
	    (unsigned long long)v);
	return 0;
}

/* Reports go to the same log (the replay's ctx is the log too). */
static void
on_error(void *ctx, const struct mrt_error *e)
{
	struct log *l = ctx;

	l->errors++;
	logf_(l, "E %s %llu %d %s\n", e->file, (unsigned long long)e->offset,
	    e->code, e->what);
}

static void
on_file(void *ctx, const struct sig_file *f)
{
	logf_(ctx, "F %s rc %d records %llu bad %llu %lld-%lld\n", f->path,
	    f->rc, (unsigned long long)f->records, (unsigned long long)f->bad,
	    (long long)f->first_ts, (long long)f->last_ts);
}

static int
replay(const char *const *files, size_t n, bool one_thread, bool strict,
    struct log *l)
{
	struct sig_opts o = { 0 };
	struct sig_replay_opts ro = { 0 };
	struct sig *s;
	int rc;

	memset(l, 0, sizeof(*l));
	o.ff_pct = 50;
	o.by = SIG_BY_ASN;
	ro.one_thread = one_thread;
	ro.strict = strict;
	ro.on_error = on_error;
	ro.on_file = on_file;
	ro.ctx = l;
	assert_int_equal(sig_new(&o, on_point, l, &s), 0);
	rc = sig_replay(s, files, n, &ro);
	logf_(l, "R %d elems %llu\n", rc,
	    (unsigned long long)sig_get_stats(s)->elems);
	sig_free(s);
	return rc;
}

static void
same(const char *const *files, size_t n, bool strict, size_t *points,
    size_t *errors)
{
	struct log a, b;

	replay(files, n, false, strict, &a);
	replay(files, n, true, strict, &b);
	if (strcmp(a.buf, b.buf) != 0) {
		fprintf(stderr, "threaded:\n%.2000s\ninline:\n%.2000s\n",
		    a.buf, b.buf);
		fail_msg("threaded and inline replays differ (%s)", files[0]);
	}
	if (points != NULL)
		*points += a.points;
	if (errors != NULL)
		*errors += a.errors;
	free(a.buf);
	free(b.buf);
}

/*
 * One file through a pump with the given flags, straight into an engine:
 * the points, the reports, the reader's statistics and the engine's.
 * Returns the records the lean decode took.
 */
static uint64_t
pump_file(const char *path, unsigned flags, struct log *l)
{
	struct sig_opts o = { 0 };
	struct sig_pump *p;
	struct input *in;
	const struct mrt_stats *ms;
	const struct sig_stats *ss;
	struct sig *s;
	uint16_t coll;
	uint32_t ts;
	uint64_t lean;

	memset(l, 0, sizeof(*l));
	o.ff_pct = 50;
	o.by = SIG_BY_ASN;
	assert_int_equal(sig_new(&o, on_point, l, &s), 0);
	assert_int_equal(sig_collector(s, "c", &coll), 0);
	assert_int_equal(sig_rib_begin(s, coll), 0);
	assert_int_equal(input_open(path, NULL, &in), 0);
	assert_int_equal(sig_pump_new(in, path, false, on_error, l, flags,
	    &p), 0);
	while (sig_pump_head(p, &ts) == 1)
		assert_int_equal(sig_pump_run(p, s, coll), 0);
	assert_int_equal(sig_rib_end(s, coll), 0);
	assert_int_equal(sig_finish(s), 0);
	ms = sig_pump_stats(p);
	ss = sig_get_stats(s);
	logf_(l, "end %d records %llu bad %llu unsupported %llu bytes %llu "
	    "elems %llu prefixes %llu peers %u exceptions %llu\n",
	    sig_pump_end(p), (unsigned long long)ms->records,
	    (unsigned long long)ms->bad, (unsigned long long)ms->unsupported,
	    (unsigned long long)ms->bytes, (unsigned long long)ss->elems,
	    (unsigned long long)ss->prefixes, ss->peers,
	    (unsigned long long)ss->exceptions);
	lean = sig_pump_lean_records(p);
	sig_pump_free(p);
	input_free(in);
	sig_free(s);
	return lean;
}

/* The lean decode against the full one on the file at path; returns the
 * records it took. */
static uint64_t
same_lean(const char *path)
{
	struct log a, b;
	uint64_t lean;

	assert_int_equal(pump_file(path, 0, &a), 0);
	lean = pump_file(path, SIG_PUMP_LEAN | SIG_PUMP_THREAD, &b);
	if (strcmp(a.buf, b.buf) != 0) {
		fprintf(stderr, "full:\n%.2000s\nlean:\n%.2000s\n", a.buf,
		    b.buf);
		fail_msg("the lean and the full decode differ (%s)", path);
	}
	free(a.buf);
	free(b.buf);
	return lean;
}

/* Every archive of ../shared/data/mrt, one by one. */
static void
test_every_archive(void **state)
{
	const char *root = test_shared_or_skip("mrt");
	char base[4096], path[8192];
	size_t nfiles = 0, points = 0, errors = 0;
	uint64_t lean = 0;
	struct dirent *d, *e;
	DIR *top, *sub;

	(void)state;
	snprintf(base, sizeof(base), "%s", root);
	assert_non_null(top = opendir(base));
	while ((d = readdir(top)) != NULL) {
		char dir[4096 + 256];

		if (d->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", base, d->d_name);
		if ((sub = opendir(dir)) == NULL)
			continue;
		while ((e = readdir(sub)) != NULL) {
			const char *one[1];

			if (e->d_name[0] == '.' || strcmp(e->d_name,
			    "expect") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			one[0] = path;
			same(one, 1, false, &points, &errors);
			lean += same_lean(path);
			nfiles++;
		}
		closedir(sub);
	}
	closedir(top);
	/* The archives give points and the damaged ones reports. */
	assert_true(nfiles >= 30);
	assert_true(points > 1000);
	assert_true(errors > 0);
	/* ... and the lean decode took most update records. */
	assert_true(lean > 100000);
}

/* A RIB and updates replayed together (two pumps at once), in strict
 * mode too. */
static void
test_rib_and_updates(void **state)
{
	char b[4096], u[4096];
	const char *f[2] = { b, u };
	size_t points = 0;

	(void)state;
	snprintf(b, sizeof(b), "%s", test_shared_or_skip(
	    "mrt/ripe-bgpdump/bview.20020722.2337.gz"));
	snprintf(u, sizeof(u), "%s", test_shared_or_skip(
	    "mrt/ripe-bgpdump/updates.20020722.2238.gz"));
	same(f, 2, false, &points, NULL);
	same(f, 2, true, NULL, NULL);
	assert_true(points > 1000);
}

/* The next whole record of in: 1 with *p, *len (valid until consumed),
 * 0 at the end. */
static int
next_rec(struct input *in, const uint8_t **p, size_t *len)
{
	size_t avail;

	if (input_peek(in, 12, p, &avail) != 0 || avail < 12)
		return 0;
	*len = 12 + (size_t)test_be32(*p + 8);
	assert_int_equal(input_peek(in, *len, p, &avail), 0);
	assert_true(avail >= *len);
	return 1;
}

/*
 * The first records of a real update archive, each followed by a damaged
 * copy (its BGP marker zeroed): a report a record, hundreds of them in a
 * batch, more than it holds. Strict mode stops at the first in both.
 */
static void
test_many_reports(void **state)
{
	const char *src = test_shared_or_skip(
	    "mrt/ripe-bgpdump/updates.20070211.0141.gz");
	char tmpl[] = "/tmp/ll-pump-XXXXXX";
	struct input *in;
	const uint8_t *p;
	size_t len, nrec = 0;
	const char *f[1];
	struct log l;
	FILE *out;
	int fd;

	(void)state;
	assert_true((fd = mkstemp(tmpl)) >= 0);
	assert_non_null(out = fdopen(fd, "wb"));
	assert_int_equal(input_open(src, NULL, &in), 0);
	while (nrec < 3000 && next_rec(in, &p, &len)) {
		uint8_t bad[4096];

		assert_int_equal(fwrite(p, 1, len, out), len);
		/* BGP4MP MESSAGE(_AS4): zero the BGP marker after the peer
		 * header (RFC 6396 4.4.2-3). */
		if (p[5] == 16 && (p[7] == 1 || p[7] == 4) &&
		    len <= sizeof(bad)) {
			size_t at = p[7] == 4 ? 10 : 6, hdr;

			hdr = at + 2 + (p[12 + at + 1] == 1 ? 8 : 32);
			if (len >= 12 + hdr + 19) {
				memcpy(bad, p, len);
				memset(bad + 12 + hdr, 0, 16);
				assert_int_equal(fwrite(bad, 1, len, out), len);
			}
		}
		input_consume(in, len);
		nrec++;
	}
	input_free(in);
	assert_int_equal(fclose(out), 0);
	f[0] = tmpl;
	same(f, 1, false, NULL, NULL);
	assert_true(same_lean(tmpl) > 1000);
	replay(f, 1, false, false, &l);
	assert_true(l.errors > 500);
	free(l.buf);
	same(f, 1, true, NULL, NULL);
	assert_int_equal(replay(f, 1, false, true, &l), LL_EFORMAT);
	assert_int_equal(l.errors, 1);
	free(l.buf);
	unlink(tmpl);
}

struct mut {
	uint64_t	seed, took, declined;
};

/*
 * 200 copies of the record p (len bytes, header included) with 1 to 3 bytes
 * of its body changed at random: the lean decode must decline or agree.
 * A header-only record has no body to change: it is checked as it is.
 */
static void
mutate_and_verify(const char *what, size_t nrec, const uint8_t *p,
    size_t len, struct mut *m)
{
	uint8_t buf[8192];
	int rc;

	assert_true(len >= 12 && len <= sizeof(buf));
	for (int k = 0; k < 200; k++) {
		int nb = 1 + (int)(test_xorshift(&m->seed) % 3);

		memcpy(buf, p, len);
		for (int b = 0; b < nb && len > 12; b++) {
			uint64_t r = test_xorshift(&m->seed);

			buf[12 + r % (len - 12)] = (uint8_t)(r >> 32);
		}
		rc = sig_lean_verify(buf, len);
		if (rc == -1)
			fail_msg("%s record %zu: the lean decode disagrees on "
			    "a mutation", what, nrec);
		m->took += rc == 1;
		m->declined += rc == 0;
	}
}

/*
 * The lean decode against the full one record by record: real BGP4MP
 * records (2- and 4-octet, extended timestamps, IPv4 and IPv6) and, for
 * each, copies with 1 to 3 bytes changed at random (a fixed seed): the
 * lean decode must decline or agree, never take a record the full decoder
 * refuses or read it otherwise.
 */
static void
test_lean_mutations(void **state)
{
	static const char *const files[] = {
		"mrt/ripe-bgpdump/updates.20070211.0141.gz",
		"mrt/ripe-bgpdump/updates.et-header.2015.gz",
		"mrt/ris-2021-gatech-cs6250/ris.rrc04.updates.1609476900.300.gz",
		"mrt/libbgpstream/routeviews.route-views.jinx.updates.1427846400.bz2",
	};
	struct mut m = { 0x9e3779b97f4a7c15ULL, 0, 0 };
	uint64_t real = 0;

	(void)state;
	for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		const char *path = test_shared_or_skip(files[k]);
		struct input *in;
		const uint8_t *p;
		size_t len, nrec = 0;

		assert_int_equal(input_open(path, NULL, &in), 0);
		while (nrec < 400 && next_rec(in, &p, &len)) {
			if (len <= 8192) {
				int rc = sig_lean_verify(p, len);

				assert_int_not_equal(rc, -1);
				real += rc == 1;
				mutate_and_verify(files[k], nrec, p, len, &m);
			}
			input_consume(in, len);
			nrec++;
		}
		input_free(in);
	}
	/* Both ways taken often: the comparison had work to do. */
	assert_true(real > 1000);
	assert_true(m.took > 10000);
	assert_true(m.declined > 10000);
}

/* A header-only record (BGP4MP MESSAGE_AS4, length 0): nothing to mutate,
 * and no division by its empty body. */
static void
test_lean_mutations_header_only(void **state)
{
	static const uint8_t rec[12] = { 0x60, 0, 0, 0, 0, 16, 0, 4 };
	struct mut m = { 42, 0, 0 };

	(void)state;
	assert_int_not_equal(sig_lean_verify(rec, sizeof(rec)), -1);
	mutate_and_verify("header-only", 0, rec, sizeof(rec), &m);
	assert_int_equal(m.took + m.declined, 200);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_archive),
		cmocka_unit_test(test_rib_and_updates),
		cmocka_unit_test(test_many_reports),
		cmocka_unit_test(test_lean_mutations),
		cmocka_unit_test(test_lean_mutations_header_only),
	};

	return test_main("sig_pump", tests, NULL, NULL);
}
