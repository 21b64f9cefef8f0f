/*
 * The input layer against the system decompressors: every real archive in
 * ../shared/data/mrt must decode to exactly the bytes `gzip -dc`,
 * `bzip2 -dc`, `xz -dc` and `zstd -dc` produce (compared byte for byte
 * through a pipe, so no expected value comes from our own code), truncated
 * archives must deliver what the system tool delivers and then report
 * LL_ETRUNC, corrupt ones LL_EFORMAT, and hostile bytes must never crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "util/err.h"
#include "input/input.h"
#include "input/input_int.h"

static const char *tmpdir;	/* test_tmpdir_make() */

/* The result of running our reader next to a system command. */
struct cmp {
	int		rc;		/* last input_peek() code */
	uint64_t	ours;		/* bytes we delivered */
	uint64_t	theirs;		/* bytes the command wrote */
	uint64_t	first_diff;	/* UINT64_MAX when identical */
	char		msg[256];
};

/* Window sizes to ask for, to exercise growth, compaction and small reads. */
static const size_t wants[] = { 1, 7, 4096, 65536, 3, 300000, 19, 1 << 20 };

static FILE *
run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	assert_non_null(f);
	return f;
}

static void
sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

/*
 * Decodes in with a changing window size and compares every byte with the
 * stream ref (a command's stdout); consumes both to the end.
 */
static void
compare_stream(struct input *in, FILE *ref, struct cmp *c)
{
	static uint8_t rbuf[1 << 16];
	size_t rlen = 0, rpos = 0, i = 0, n, k;
	bool ref_end = false;
	const uint8_t *p;
	size_t avail;
	int rc;

	memset(c, 0, sizeof(*c));
	c->first_diff = UINT64_MAX;
	for (;;) {
		size_t want = wants[i++ % (sizeof(wants) / sizeof(wants[0]))];

		rc = input_peek(in, want, &p, &avail);
		n = avail < want ? avail : want;
		if (rc != 0 || avail < want)
			n = avail;
		for (k = 0; k < n; k++) {
			if (rpos == rlen && !ref_end) {
				rlen = fread(rbuf, 1, sizeof(rbuf), ref);
				rpos = 0;
				c->theirs += rlen;
				ref_end = rlen == 0;
			}
			if (ref_end)
				continue;	/* ours is longer */
			if (rbuf[rpos] != p[k] && c->first_diff == UINT64_MAX)
				c->first_diff = c->ours + k;
			rpos++;
		}
		c->ours += n;
		input_consume(in, n);
		if (rc != 0 || avail < want) {
			c->rc = rc;
			break;
		}
	}
	/* Whatever the command still has is bytes we did not deliver. */
	while ((n = fread(rbuf, 1, sizeof(rbuf), ref)) > 0)
		c->theirs += n;
	snprintf(c->msg, sizeof(c->msg), "%s", input_errmsg(in));
}

/* Decodes path with our reader and compares with `cmd < path`. */
static void
compare_file(const char *path, const char *cmd, enum input_codec codec,
    struct cmp *c)
{
	struct input *in = NULL;
	FILE *ref;

	assert_int_equal(input_open(path, NULL, &in), 0);
	assert_int_equal(input_codec(in), codec);
	ref = run("%s < '%s' 2>/dev/null", cmd, path);
	compare_stream(in, ref, c);
	(void)pclose(ref);
	if (c->rc == 0) {
		assert_int_equal(input_offset(in), c->ours);
		assert_int_equal(input_raw_offset(in), input_raw_size(in));
	}
	input_free(in);
}

static void
expect_same(const char *path, const char *cmd, enum input_codec codec)
{
	struct cmp c;

	compare_file(path, cmd, codec, &c);
	if (c.rc != 0 || c.ours != c.theirs || c.first_diff != UINT64_MAX)
		fail_msg("%s: rc %d (%s), ours %llu theirs %llu, diff at %lld",
		    path, c.rc, c.msg, (unsigned long long)c.ours,
		    (unsigned long long)c.theirs, (long long)c.first_diff);
}

/* test_shared() returns a static buffer: keep a copy per file. */
static const char *
shared(const char *rel)
{
	static char names[8][1024];
	static int next;
	const char *p = test_shared_or_skip(rel);
	char *d = names[next++ % 8];

	if (strlen(p) >= sizeof(names[0]))
		fail_msg("path too long: %s", p);
	memcpy(d, p, strlen(p) + 1);
	return d;
}

static const char *
mrt_dir(void)
{
	static char dir[1024];
	const char *p = shared("mrt/ripe-bgpdump/"
	    "updates.20160811.1600.gz");

	if (strlen(p) >= sizeof(dir))
		fail_msg("path too long: %s", p);
	memcpy(dir, p, strlen(p) + 1);
	*strstr(dir, "/ripe-bgpdump/") = '\0';
	return dir;
}

static bool
ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && strcmp(s + a - b, suf) == 0;
}

/* Every real MRT archive: plain, gzip and (complete) bzip2 files. */
static void
real_archives_match_system_tools(void **state)
{
	static const char *sub[] = { "bgpkit", "libbgpstream", "mrtparse",
	    "pyasn", "ripe-bgpdump", "ris-2021-gatech-cs6250" };
	const char *base = mrt_dir();
	char path[4096];
	int files = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		DIR *d;
		struct dirent *e;

		snprintf(path, sizeof(path), "%s/%s", base, sub[i]);
		if ((d = opendir(path)) == NULL)
			continue;
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.' || strstr(e->d_name,
			    "_firstMB") != NULL || strcmp(e->d_name,
			    "expect") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s/%s", base, sub[i],
			    e->d_name);
			if (ends_with(e->d_name, ".gz"))
				expect_same(path, "gzip -dc", INPUT_GZIP);
			else if (ends_with(e->d_name, ".bz2"))
				expect_same(path, "bzip2 -dc", INPUT_BZIP2);
			else
				expect_same(path, "cat", INPUT_PLAIN);
			files++;
		}
		closedir(d);
	}
	assert_true(files >= 30);
}

/* The same bytes recompressed by xz and zstd (the tools, not us). */
static void
xz_and_zstd_match_system_tools(void **state)
{
	const char *src = shared("mrt/ripe-bgpdump/"
	    "bview.20020722.2337.gz");
	char xz[128], zst[128];

	(void)state;
	snprintf(xz, sizeof(xz), "%s/bview.xz", tmpdir);
	snprintf(zst, sizeof(zst), "%s/bview.zst", tmpdir);
	sh("gzip -dc '%s' | xz -1 -c > '%s'", src, xz);
	sh("gzip -dc '%s' | zstd -q -3 -c > '%s'", src, zst);
	expect_same(xz, "xz -dc", INPUT_XZ);
	expect_same(zst, "zstd -dc", INPUT_ZSTD);
}

/* Concatenated .gz / .bz2 / .xz / .zst files are one stream. */
static void
multi_member_streams(void **state)
{
	const char *a = shared("mrt/ripe-bgpdump/"
	    "updates.20071015.1505.gz");
	const char *b = shared("mrt/libbgpstream/"
	    "ris.rrc06.updates.1427846400.gz");
	const char *x = shared("mrt/libbgpstream/"
	    "routeviews.route-views.jinx.updates.1427846400.bz2");
	const char *y = shared("mrt/bgpkit/"
	    "examples-local_only-updates.bz2");
	char p[128];

	(void)state;
	snprintf(p, sizeof(p), "%s/two.gz", tmpdir);
	sh("cat '%s' '%s' '%s' > '%s'", a, b, a, p);
	expect_same(p, "gzip -dc", INPUT_GZIP);
	snprintf(p, sizeof(p), "%s/two.bz2", tmpdir);
	sh("cat '%s' '%s' '%s' > '%s'", x, y, x, p);
	expect_same(p, "bzip2 -dc", INPUT_BZIP2);
	snprintf(p, sizeof(p), "%s/two.xz", tmpdir);
	sh("(gzip -dc '%s' | xz -c; gzip -dc '%s' | xz -c) > '%s'", a, b, p);
	expect_same(p, "xz -dc", INPUT_XZ);
	snprintf(p, sizeof(p), "%s/two.zst", tmpdir);
	sh("(gzip -dc '%s' | zstd -q -c; gzip -dc '%s' | zstd -q -c) > '%s'",
	    a, b, p);
	expect_same(p, "zstd -dc", INPUT_ZSTD);
}

/* A multi-block bzip2 file (900k blocks of real data) with gaps. */
static void
multi_block_bzip2(void **state)
{
	const char *a = shared("mrt/ripe-bgpdump/"
	    "updates.20160811.1600.gz");
	char p[128];

	(void)state;
	snprintf(p, sizeof(p), "%s/big.bz2", tmpdir);
	sh("gzip -dc '%s' | bzip2 -1 -c > '%s'", a, p);
	expect_same(p, "bzip2 -dc", INPUT_BZIP2);
	snprintf(p, sizeof(p), "%s/big9.bz2", tmpdir);
	sh("gzip -dc '%s' | bzip2 -9 -c > '%s'", a, p);
	expect_same(p, "bzip2 -dc", INPUT_BZIP2);
}

/* Everything libbz2 can decode from stdin, as Python's bz2 module gives
 * it, even when the stream is cut off. */
#define PYBZ2	"python3 -c 'import bz2,sys\n" \
		"data = sys.stdin.buffer.read()\n" \
		"while data:\n" \
		" d = bz2.BZ2Decompressor()\n" \
		" sys.stdout.buffer.write(d.decompress(data))\n" \
		" data = d.unused_data if d.eof else b\"\"\n'"

/* The first MiB of RouteViews RIBs: what bzip2 recovers, then ETRUNC. */
static void
truncated_bzip2_delivers_then_etrunc(void **state)
{
	static const char *files[] = {
		"mrt/pyasn/rib.20080501.0644_firstMB.bz2",
		"mrt/pyasn/rib.20140523.0600_firstMB.bz2",
		"mrt/pyasn/rib6.20151101.0600_firstMB.bz2",
	};
	struct cmp c;

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const char *p = shared(files[i]);

		/* bzip2(1) drops its last partial 5000-byte buffer on
		 * error, so it is a prefix of ours... */
		if (i == 0) {
			compare_file(p, "bzip2 -dc", INPUT_BZIP2, &c);
			assert_int_equal(c.rc, LL_ETRUNC);
			assert_true(c.ours > 0);
			assert_true(c.ours >= c.theirs &&
			    c.ours < c.theirs + 5000);
			assert_true(c.first_diff == UINT64_MAX);
		}
		/* ...and Python's incremental decompressor gives all that
		 * can be decoded: exactly ours. */
		compare_file(p, PYBZ2, INPUT_BZIP2, &c);
		assert_int_equal(c.rc, LL_ETRUNC);
		assert_int_equal(c.ours, c.theirs);
		assert_true(c.first_diff == UINT64_MAX);
		assert_non_null(strstr(c.msg, "bzip2"));
		assert_non_null(strstr(c.msg, "compressed offset"));
	}
}

/* Cut real gzip/xz/zstd files short: the tool's bytes, then ETRUNC. */
static void
truncated_other_codecs(void **state)
{
	const char *src = shared("mrt/ripe-bgpdump/"
	    "updates.20070211.0141.gz");
	static const struct {
		const char *ext, *comp, *dec;
		enum input_codec codec;
	} t[] = {
		{ "gz", "gzip -c", "gzip -dc", INPUT_GZIP },
		{ "xz", "xz -c", "xz -dc", INPUT_XZ },
		{ "zst", "zstd -q -c", "zstd -dc", INPUT_ZSTD },
	};
	char full[128], cut[128];
	struct cmp c;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(full, sizeof(full), "%s/full.%s", tmpdir, t[i].ext);
		snprintf(cut, sizeof(cut), "%s/cut.%s", tmpdir, t[i].ext);
		sh("gzip -dc '%s' | %s > '%s'", src, t[i].comp, full);
		sh("head -c $(($(stat -c %%s '%s') / 2)) '%s' > '%s'", full,
		    full, cut);
		compare_file(cut, t[i].dec, t[i].codec, &c);
		assert_int_equal(c.rc, LL_ETRUNC);
		assert_true(c.ours > 0);
		/* The tools flush at their own pace: never more than them,
		 * and every byte we gave is theirs. */
		assert_true(c.first_diff == UINT64_MAX);
		assert_true(c.ours <= c.theirs + 65536);
		assert_non_null(strstr(c.msg, "compressed offset"));
	}
}

static int
decode_all(const char *path, uint64_t *n, char *msg, size_t msglen)
{
	struct input *in = NULL;
	const uint8_t *p;
	size_t avail;
	int rc;

	assert_int_equal(input_open(path, NULL, &in), 0);
	*n = 0;
	while ((rc = input_peek(in, 4096, &p, &avail)) == 0 && avail > 0) {
		*n += avail;
		input_consume(in, avail);
	}
	snprintf(msg, msglen, "%s", input_errmsg(in));
	input_free(in);
	return rc;
}

/* Flipped bytes in the middle of real archives: LL_EFORMAT. */
static void
corrupt_archives_eformat(void **state)
{
	const char *gz = shared("mrt/ripe-bgpdump/"
	    "updates.20070211.0141.gz");
	const char *bz = shared("mrt/libbgpstream/"
	    "routeviews.route-views.jinx.updates.1427846400.bz2");
	char p[128], msg[256];
	uint64_t n;

	(void)state;
	snprintf(p, sizeof(p), "%s/corrupt.gz", tmpdir);
	sh("cp '%s' '%s' && chmod u+w '%s' && printf '\\377\\377\\377\\377' "
	    "| dd of='%s' bs=1 seek=200000 conv=notrunc 2>/dev/null", gz, p, p,
	    p);
	assert_int_equal(decode_all(p, &n, msg, sizeof(msg)), LL_EFORMAT);
	assert_non_null(strstr(msg, "gzip"));
	snprintf(p, sizeof(p), "%s/corrupt.bz2", tmpdir);
	sh("cp '%s' '%s' && chmod u+w '%s' && printf '\\377\\377\\377\\377' "
	    "| dd of='%s' bs=1 seek=20000 conv=notrunc 2>/dev/null", bz, p, p,
	    p);
	assert_int_equal(decode_all(p, &n, msg, sizeof(msg)), LL_EFORMAT);
	assert_non_null(strstr(msg, "bzip2"));
	/* Trailing garbage after a complete stream. */
	snprintf(p, sizeof(p), "%s/trail.gz", tmpdir);
	sh("(cat '%s'; echo garbage) > '%s'", gz, p);
	assert_int_equal(decode_all(p, &n, msg, sizeof(msg)), LL_EFORMAT);
	assert_non_null(strstr(msg, "trailing garbage"));
}

/* Length, FNV-1a hash, final code and message of a whole decode. */
struct digest {
	uint64_t	len, hash;
	int		rc;
	char		msg[256];
};

static void
digest_file(const char *path, int threads, struct digest *d)
{
	struct input_opts o = { .threads = threads };
	struct input *in = NULL;
	const uint8_t *p;
	size_t avail, i = 0;

	memset(d, 0, sizeof(*d));
	d->hash = 14695981039346656037ull;
	assert_int_equal(input_open(path, &o, &in), 0);
	for (;;) {
		size_t want = wants[i++ % (sizeof(wants) / sizeof(wants[0]))];

		d->rc = input_peek(in, want, &p, &avail);
		for (size_t k = 0; k < avail; k++)
			d->hash = (d->hash ^ p[k]) * 1099511628211ull;
		d->len += avail;
		input_consume(in, avail);
		if (d->rc != 0 || avail < want)
			break;
	}
	snprintf(d->msg, sizeof(d->msg), "%s", input_errmsg(in));
	input_free(in);
}

/*
 * The parallel bzip2 path (threads 2 and 3) gives exactly what the
 * sequential one (threads 1) gives: bytes, code and message, on clean,
 * multi-stream, truncated, corrupt and garbage-tailed files.
 */
static void
bzip2_parallel_equals_sequential(void **state)
{
	const char *jinx = shared("mrt/libbgpstream/"
	    "routeviews.route-views.jinx.updates.1427846400.bz2");
	const char *et = shared("mrt/ripe-bgpdump/updates.20160811.1600.gz");
	const char *cut = shared("mrt/pyasn/rib.20080501.0644_firstMB.bz2");
	char p[8][128];
	struct digest seq, par;
	struct cmp c;

	(void)state;
	for (int i = 0; i < 8; i++)
		snprintf(p[i], sizeof(p[i]), "%s/par%d.bz2", tmpdir, i);
	/* Several multi-block streams and an empty one, concatenated. */
	sh("gzip -dc '%s' | bzip2 -1 -c > '%s'", et, p[0]);
	sh("(cat '%s' '%s'; bzip2 -c < /dev/null; cat '%s' '%s') > '%s'",
	    p[0], jinx, jinx, p[0], p[1]);
	/* A clean stream followed by a truncated one. */
	sh("(cat '%s'; head -c 150000 '%s') > '%s'", jinx, p[0], p[2]);
	/* Corruption in the third block of a multi-block stream. */
	sh("cp '%s' '%s' && printf '\\377\\377\\377' | dd of='%s' bs=1 "
	    "seek=$(($(stat -c %%s '%s') / 2)) conv=notrunc 2>/dev/null",
	    p[0], p[3], p[3], p[3]);
	/* Trailing garbage, a stray header, a bad header after a stream. */
	sh("(cat '%s'; printf 'garbage') > '%s'", p[0], p[4]);
	sh("(cat '%s'; printf 'BZh9') > '%s'", jinx, p[5]);
	sh("(cat '%s'; printf 'BZh91AY&SYjunkjunkjunk') > '%s'", jinx, p[6]);
	sh("(cat '%s'; head -c 20000 '%s') > '%s'", jinx, cut, p[7]);
	for (int i = 0; i < 8; i++) {
		digest_file(p[i], 1, &seq);
		for (int t = 2; t <= 3; t++) {
			digest_file(p[i], t, &par);
			if (seq.len != par.len || seq.hash != par.hash ||
			    seq.rc != par.rc || strcmp(seq.msg, par.msg) != 0)
				fail_msg("%s threads %d: %llu/%d '%s' vs "
				    "sequential %llu/%d '%s'", p[i], t,
				    (unsigned long long)par.len, par.rc,
				    par.msg, (unsigned long long)seq.len,
				    seq.rc, seq.msg);
		}
	}
	/* And they are bzip2's bytes. */
	expect_same(p[1], "bzip2 -dc", INPUT_BZIP2);
	compare_file(p[2], PYBZ2, INPUT_BZIP2, &c);
	assert_int_equal(c.rc, LL_ETRUNC);
	assert_int_equal(c.ours, c.theirs);
	assert_true(c.first_diff == UINT64_MAX);
	digest_file(p[3], 2, &par);
	assert_int_equal(par.rc, LL_EFORMAT);
	digest_file(p[4], 2, &par);
	assert_int_equal(par.rc, LL_EFORMAT);
	assert_non_null(strstr(par.msg, "trailing garbage"));
	digest_file(p[5], 2, &par);
	assert_int_equal(par.rc, LL_ETRUNC);
}

/* Random damage anywhere in a 22-block bzip2 file: the parallel path never
 * crashes and agrees with the sequential one (that no wrong byte comes out
 * of either is bzip2_damage_never_delivered's). */
static void
bzip2_parallel_hostile(void **state)
{
	const char *src = shared("mrt/ripe-bgpdump/updates.20160811.1600.gz");
	char good[128], bad[128];
	struct digest seq, par;
	uint32_t seed = 777;

	(void)state;
	snprintf(good, sizeof(good), "%s/h.bz2", tmpdir);
	snprintf(bad, sizeof(bad), "%s/hbad.bz2", tmpdir);
	sh("gzip -dc '%s' | bzip2 -1 -c > '%s'", src, good);
	for (int round = 0; round < 10; round++) {
		seed = seed * 1103515245u + 12345u;
		/* 1-8 random bytes at a random offset, or a cut. */
		if (round % 3 == 2)
			sh("head -c %u '%s' > '%s'", 100 + (seed >> 8) %
			    320000, good, bad);
		else {
			/* Bytes from the seed, not /dev/urandom: a round
			 * that fails fails again. */
			uint8_t junk[8];
			unsigned n = 1 + (seed >> 4) % 8;
			FILE *f;

			for (unsigned k = 0; k < n; k++)
				junk[k] = (uint8_t)((seed >> (k * 3)) ^
				    (k * 0x9d));
			sh("cp '%s' '%s'", good, bad);
			assert_non_null(f = fopen(bad, "r+b"));
			assert_int_equal(fseek(f, (long)((seed >> 8) % 320000),
			    SEEK_SET), 0);
			assert_int_equal(fwrite(junk, 1, n, f), n);
			fclose(f);
		}
		digest_file(bad, 1, &seq);
		digest_file(bad, 2, &par);
		/* On damage, the sequential reader may hold back the sound
		 * block just before the damaged one (it cannot always tell
		 * where that one ended); it never gives more. */
		if ((seq.rc == 0 && (seq.len != par.len ||
		    seq.hash != par.hash)) || seq.len > par.len ||
		    seq.rc != par.rc || strcmp(seq.msg, par.msg) != 0)
			fail_msg("round %d: %llu/%d '%s' vs sequential "
			    "%llu/%d '%s'", round, (unsigned long long)par.len,
			    par.rc, par.msg, (unsigned long long)seq.len,
			    seq.rc, seq.msg);
	}
}

/* Every byte an input delivers, into *buf (malloc'd); returns the code. */
static int
slurp_input(const char *path, int threads, uint8_t **buf, size_t *len)
{
	struct input_opts o = { .threads = threads };
	struct input *in = NULL;
	const uint8_t *p;
	size_t avail, cap = 1 << 20, i = 0;
	int rc;

	*len = 0;
	assert_non_null(*buf = malloc(cap));
	assert_int_equal(input_open(path, &o, &in), 0);
	for (;;) {
		size_t want = wants[i++ % (sizeof(wants) / sizeof(wants[0]))];

		rc = input_peek(in, want, &p, &avail);
		if (*len + avail > cap) {
			while (*len + avail > cap)
				cap *= 2;
			assert_non_null(*buf = realloc(*buf, cap));
		}
		memcpy(*buf + *len, p, avail);
		*len += avail;
		input_consume(in, avail);
		if (rc != 0 || avail < want)
			break;
	}
	input_free(in);
	return rc;
}

/*
 * A damaged bzip2 block is never delivered, by the sequential or the
 * parallel reader: 300 rounds of 1-8 bytes damaged at random in a 5-block
 * file (or the file cut); whatever comes out is a prefix of the original
 * bytes, and a damaged file ends in an error.
 * (libbz2 alone hands out a block's bytes before checking its CRC: in an
 * earlier measurement 125 of 300 such rounds delivered 80-250 KB of wrong
 * bytes.)
 */
static void
bzip2_damage_never_delivered(void **state)
{
	const char *src = shared("mrt/ripe-bgpdump/updates.20160811.1600.gz");
	char good[128], bad[128];
	uint8_t *orig, *got;
	size_t olen, glen, csize;
	uint32_t seed = 4242;
	int wrong = 0, errors = 0, partial = 0;
	struct stat sb;

	(void)state;
	snprintf(good, sizeof(good), "%s/dmg.bz2", tmpdir);
	snprintf(bad, sizeof(bad), "%s/dmgbad.bz2", tmpdir);
	sh("gzip -dc '%s' | head -c 480000 | bzip2 -1 -c > '%s'", src, good);
	assert_int_equal(stat(good, &sb), 0);
	csize = (size_t)sb.st_size;
	assert_int_equal(slurp_input(good, 1, &orig, &olen), 0);
	assert_int_equal(olen, 480000);
	for (int round = 0; round < 300; round++) {
		int rc;

		seed = seed * 1103515245u + 12345u;
		if (round % 10 == 9) {
			sh("head -c %zu '%s' > '%s'", 10 + (seed >> 8) %
			    (csize - 10), good, bad);
		} else {
			uint8_t junk[8];
			unsigned n = 1 + (seed >> 4) % 8;
			FILE *f;

			for (unsigned k = 0; k < n; k++)
				junk[k] = (uint8_t)((seed >> (k * 3)) ^
				    (k * 0x9d) ^ 0x5a);
			sh("cp '%s' '%s'", good, bad);
			assert_non_null(f = fopen(bad, "r+b"));
			assert_int_equal(fseek(f, (long)(4 + (seed >> 8) %
			    (csize - 4)), SEEK_SET), 0);
			assert_int_equal(fwrite(junk, 1, n, f), n);
			fclose(f);
		}
		for (int t = 1; t <= 2; t++) {
			rc = slurp_input(bad, t, &got, &glen);
			if (glen > olen || memcmp(got, orig, glen) != 0) {
				wrong++;
				fprintf(stderr, "round %d threads %d: %zu "
				    "bytes delivered, not the original's\n",
				    round, t, glen);
			}
			if (rc != 0)
				errors++;
			if (rc != 0 && glen > 0)
				partial++;
			free(got);
		}
	}
	free(orig);
	fprintf(stderr, "bzip2 damage: 300 rounds x 2 readers: %d errors "
	    "(%d after some sound blocks), %d with wrong bytes\n", errors,
	    partial, wrong);
	assert_int_equal(wrong, 0);
	assert_true(errors > 300);	/* most damage is detected */
}

/* The decode-ahead thread changes nothing: gzip, xz and zstd, clean, cut
 * and corrupt, give the same bytes, code and message with 1 thread. */
static void
threads_do_not_change_results(void **state)
{
	const char *src = shared("mrt/ripe-bgpdump/updates.20070211.0141.gz");
	static const char *comp[] = { "gzip -c", "xz -c", "zstd -q -c" };
	char full[128], cut[128], bad[128];
	const char *files[3] = { full, cut, bad };
	struct digest one, many;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		snprintf(full, sizeof(full), "%s/thr%zu", tmpdir, i);
		snprintf(cut, sizeof(cut), "%s/thr%zu.cut", tmpdir, i);
		snprintf(bad, sizeof(bad), "%s/thr%zu.bad", tmpdir, i);
		sh("gzip -dc '%s' | %s > '%s'", src, comp[i], full);
		sh("head -c $(($(stat -c %%s '%s') * 2 / 3)) '%s' > '%s'",
		    full, full, cut);
		sh("cp '%s' '%s' && printf '\\377\\377\\377' | dd of='%s' "
		    "bs=1 seek=$(($(stat -c %%s '%s') / 3)) conv=notrunc "
		    "2>/dev/null", full, bad, bad, bad);
		for (size_t f = 0; f < 3; f++) {
			digest_file(files[f], 1, &one);
			digest_file(files[f], 0, &many);
			if (one.len != many.len || one.hash != many.hash ||
			    one.rc != many.rc || strcmp(one.msg, many.msg) != 0)
				fail_msg("%s: %llu/%d '%s' vs %llu/%d '%s'",
				    files[f], (unsigned long long)one.len,
				    one.rc, one.msg,
				    (unsigned long long)many.len, many.rc,
				    many.msg);
			assert_int_equal(one.rc, f == 0 ? 0 : f == 1 ?
			    LL_ETRUNC : LL_EFORMAT);
		}
	}
}

static void
digest_mem(const uint8_t *buf, size_t len, const struct input_codec_ops *ops,
    struct digest *d)
{
	struct input *in = NULL;
	const uint8_t *p;
	size_t avail;

	memset(d, 0, sizeof(*d));
	d->hash = 14695981039346656037ull;
	assert_int_equal(input_open_mem_ops(buf, len, ops, &in), 0);
	assert_int_equal(input_codec(in), INPUT_GZIP);
	while ((d->rc = input_peek(in, 5000, &p, &avail)) == 0 && avail > 0) {
		for (size_t k = 0; k < avail; k++)
			d->hash = (d->hash ^ p[k]) * 1099511628211ull;
		d->len += avail;
		input_consume(in, avail);
	}
	snprintf(d->msg, sizeof(d->msg), "%s", input_errmsg(in));
	input_free(in);
}

/* The zlib gzip decoder (used without ISA-L) agrees with the default one
 * (ISA-L when built with it, checked against gzip -dc above). */
static void
gzip_zlib_equals_default(void **state)
{
	const char *a = shared("mrt/ripe-bgpdump/updates.20160811.1600.gz");
	const char *b = shared("mrt/libbgpstream/ris.rrc06.updates."
	    "1427846400.gz");
	char p[4][128];
	struct digest def, zl;

	(void)state;
	for (int i = 0; i < 4; i++)
		snprintf(p[i], sizeof(p[i]), "%s/zl%d.gz", tmpdir, i);
	sh("cat '%s' '%s' '%s' > '%s'", b, a, b, p[0]);
	sh("head -c 300000 '%s' > '%s'", p[0], p[1]);
	sh("cp '%s' '%s' && printf '\\377\\377\\377' | dd of='%s' bs=1 "
	    "seek=200000 conv=notrunc 2>/dev/null", p[0], p[2], p[2]);
	sh("(cat '%s'; echo junk) > '%s'", b, p[3]);
	for (int i = 0; i < 4; i++) {
		size_t len;
		uint8_t *buf = test_slurp(p[i], &len);

		assert_non_null(buf);

		digest_mem(buf, len, NULL, &def);
		digest_mem(buf, len, &input_gzip_zlib_ops, &zl);
		free(buf);
		if (def.rc != zl.rc || (i < 2 && (def.len != zl.len ||
		    def.hash != zl.hash)))
			fail_msg("%s: default %llu/%d '%s', zlib %llu/%d "
			    "'%s'", p[i], (unsigned long long)def.len, def.rc,
			    def.msg, (unsigned long long)zl.len, zl.rc,
			    zl.msg);
		assert_int_equal(zl.rc, i == 0 ? 0 : i == 1 ? LL_ETRUNC :
		    LL_EFORMAT);
	}
}

/* Crafted files in tests/data/input. */
static void
crafted_files(void **state)
{
	static const struct {
		const char *name;
		int rc;
		enum input_codec codec;
	} t[] = {
		{ "input/empty.bin", 0, INPUT_PLAIN },
		{ "input/garbage.bin", 0, INPUT_PLAIN },
		{ "input/bad_bzip2_block.bz2", LL_EFORMAT, INPUT_BZIP2 },
		{ "input/bad_deflate.gz", LL_EFORMAT, INPUT_GZIP },
		{ "input/bad_header.xz", LL_EFORMAT, INPUT_XZ },
		{ "input/bad_frame.zst", LL_EFORMAT, INPUT_ZSTD },
	};
	char msg[256];
	struct input *in;
	uint64_t n;
	struct stat st;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char p[4096];
		int rc;

		memcpy(p, test_data(t[i].name), sizeof(p));
		rc = decode_all(p, &n, msg, sizeof(msg));

		if (rc != t[i].rc)
			fail_msg("%s: rc %d, want %d (%s)", t[i].name, rc,
			    t[i].rc, msg);
		assert_int_equal(input_open(p, NULL, &in), 0);
		assert_int_equal(input_codec(in), t[i].codec);
		input_free(in);
		if (t[i].codec == INPUT_PLAIN) {
			assert_int_equal(stat(p, &st), 0);
			assert_int_equal(n, (uint64_t)st.st_size);
			assert_string_equal(msg, "");
		} else {
			assert_true(strlen(msg) > 0);
		}
	}
	expect_same(test_data("input/garbage.bin"), "cat", INPUT_PLAIN);
	assert_int_equal(input_open(test_data("no-such-file"), NULL, &in),
	    LL_EIO);
	assert_null(in);
}

/* "-" reads standard input, where the size is unknown. */
static void
stdin_dash(void **state)
{
	const char *src = shared("mrt/libbgpstream/"
	    "routeviews.route-views.jinx.updates.1427846400.bz2");
	struct input *in = NULL;
	int fd, saved;
	FILE *ref;
	struct cmp c;

	(void)state;
	saved = dup(STDIN_FILENO);
	ref = run("bzip2 -dc < '%s'", src);
	/* A pipe, so the size is unknown and reads come in pieces. */
	fd = fileno(run("cat '%s'", src));
	assert_int_equal(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	assert_int_equal(input_open("-", NULL, &in), 0);
	assert_int_equal(input_codec(in), INPUT_BZIP2);
	assert_int_equal(input_raw_size(in), 0);
	compare_stream(in, ref, &c);
	assert_int_equal(c.rc, 0);
	assert_int_equal(c.ours, c.theirs);
	assert_true(c.first_diff == UINT64_MAX);
	input_free(in);
	(void)pclose(ref);
	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
}

/* Memory input and random hostile bytes behind each magic never crash. */
static void
hostile_bytes_never_crash(void **state)
{
	static const uint8_t magics[][6] = {
		{ 0x1f, 0x8b, 0x08, 0, 0, 0 }, { 'B', 'Z', 'h', '9', 0x31,
		0x41 }, { 0xfd, '7', 'z', 'X', 'Z', 0 }, { 0x28, 0xb5, 0x2f,
		0xfd, 0, 0 },
	};
	uint8_t buf[4096];
	uint32_t seed = 12345;

	(void)state;
	for (int round = 0; round < 400; round++) {
		struct input *in = NULL;
		const uint8_t *p;
		size_t avail, len;
		int rc;

		for (size_t i = 0; i < sizeof(buf); i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (uint8_t)(seed >> 16);
		}
		memcpy(buf, magics[round % 4], 6);
		len = 6 + (size_t)(seed % (sizeof(buf) - 6));
		assert_int_equal(input_open_mem(buf, len, &in), 0);
		while ((rc = input_peek(in, 1000, &p, &avail)) == 0 &&
		    avail > 0)
			input_consume(in, avail);
		assert_true(rc == 0 || rc == LL_EFORMAT || rc == LL_ETRUNC ||
		    rc == LL_ELIMIT);
		input_free(in);
	}
}

/* Window semantics: peek does not advance; avail >= want until the end. */
static void
window_semantics(void **state)
{
	static const char text[] = "0123456789abcdefghij";
	struct input *in = NULL;
	const uint8_t *p;
	size_t avail;

	(void)state;
	assert_int_equal(input_open_mem(text, 20, &in), 0);
	assert_int_equal(input_peek(in, 5, &p, &avail), 0);
	assert_true(avail >= 5);
	assert_memory_equal(p, "01234", 5);
	assert_int_equal(input_peek(in, 5, &p, &avail), 0);
	assert_memory_equal(p, "01234", 5);
	input_consume(in, 3);
	assert_int_equal(input_offset(in), 3);
	assert_int_equal(input_peek(in, 100, &p, &avail), 0);
	assert_int_equal(avail, 17);
	assert_memory_equal(p, "3456789abcdefghij", 17);
	input_consume(in, 17);
	assert_int_equal(input_peek(in, 1, &p, &avail), 0);
	assert_int_equal(avail, 0);
	assert_int_equal(input_offset(in), 20);
	assert_string_equal(input_codec_name(input_codec(in)), "plain");
	input_free(in);
	input_free(NULL);
}

static int
setup(void **state)
{
	(void)state;
	return (tmpdir = test_tmpdir_make("input")) == NULL ? -1 : 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(window_semantics),
		cmocka_unit_test(crafted_files),
		cmocka_unit_test(hostile_bytes_never_crash),
		cmocka_unit_test(real_archives_match_system_tools),
		cmocka_unit_test(xz_and_zstd_match_system_tools),
		cmocka_unit_test(multi_member_streams),
		cmocka_unit_test(multi_block_bzip2),
		cmocka_unit_test(truncated_bzip2_delivers_then_etrunc),
		cmocka_unit_test(truncated_other_codecs),
		cmocka_unit_test(corrupt_archives_eformat),
		cmocka_unit_test(bzip2_parallel_equals_sequential),
		cmocka_unit_test(threads_do_not_change_results),
		cmocka_unit_test(bzip2_parallel_hostile),
		cmocka_unit_test(bzip2_damage_never_delivered),
		cmocka_unit_test(gzip_zlib_equals_default),
		cmocka_unit_test(stdin_dash),
	};

	return test_main("input", tests, setup, test_tmpdir_teardown);
}
