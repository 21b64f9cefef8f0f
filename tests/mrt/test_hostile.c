/*
 * Hostile input: the crafted files of tests/data/hostile (written by its
 * make.sh) through the reader and through `lifeline mrt dump`, and every
 * file under tests/data/crashers through all the decoders.
 *
 * The expected figures come from how make.sh lays the files out, not from
 * the decoder's output: a good BGP4MP_MESSAGE_AS4 record is 12 + 20 + 47 =
 * 79 octets and prints one line, a PEER_INDEX_TABLE 33, a one-entry RIB 50
 * (one line), a BGP4MP_ET record 83. For the two compressed files the
 * number of whole records before the damage was measured with other tools:
 * python3's zlib inflates 790 octets (10 records) of gzip_cut.mrt.gz, and
 * bzip2recover + bzip2 -dc give 116153 octets (1470 records and 23 octets)
 * for the first, sound block of bzip2_bad_block.mrt.bz2.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "signal/sig_int.h"
#include "bgp/bgp.h"
#include "mrt/mrt.h"
#include "testutil.h"
#include "util/arena.h"
#include "input/input.h"

#define MAXBAD	16

struct hostile {
	const char	*file;
	unsigned	 lines;		/* route elements (bgpdump lines) */
	unsigned	 nbad;
	uint64_t	 bad[MAXBAD];	/* offset of each bad record */
	const char	*what;		/* in the first report */
	unsigned	 strict_lines;	/* printed before --strict stops */
	int		 status;	/* exit status without --strict */
};

static const struct hostile cases[] = {
	{ "empty.mrt", 0, 0, { 0 }, NULL, 0, 0 },
	{ "rib_plen255.mrt", 1, 1, { 33 }, "255", 0, 1 },
	{ "nlri_plen255.mrt", 2, 1, { 79 }, "255", 1, 1 },
	{ "peer_index_oob.mrt", 1, 1, { 33 }, "peer index 5", 0, 1 },
	{ "attr_len_past_rib.mrt", 1, 1, { 33 }, "256", 0, 1 },
	{ "attr_len_past_update.mrt", 2, 1, { 79 }, "255", 1, 1 },
	{ "aspath_seg_past.mrt", 2, 1, { 79 }, "AS_PATH", 1, 1 },
	{ "mpreach_nh_past.mrt", 2, 1, { 79 }, "200", 1, 1 },
	{ "len_4g.mrt", 2, 1, { 79 }, "4294967295", 1, 1 },
	{ "zero_len.mrt", 1, 14, { 0, 12, 24, 36, 48, 60, 72, 84, 96, 108,
	    120, 132, 144, 156 }, NULL, 0, 1 },
	{ "rib_before_pit.mrt", 1, 1, { 0 }, "PEER_INDEX_TABLE", 0, 1 },
	{ "truncated_final.mrt", 1, 1, { 83 }, "truncated", 1, 1 },
	{ "garbage_between.mrt", 2, 1, { 79 }, "37 bytes", 1, 1 },
	{ "et_usec.mrt", 2, 1, { 83 }, "1000000", 1, 1 },
	{ "gzip_cut.mrt.gz", 10, 1, { 790 }, "gzip", 10, 1 },
	{ "bzip2_bad_block.mrt.bz2", 1470, 1, { 116130 }, "bzip2", 1470, 1 },
};

/* ---- library level ---- */

struct seen {
	unsigned	 n;
	uint64_t	 off[MAXBAD + 1];
	char		 first[512];
};

static void
on_error(void *ctx, const struct mrt_error *e)
{
	struct seen *s = ctx;

	assert_non_null(e->what);
	assert_non_null(strstr(e->file, "hostile/"));
	if (s->n == 0)
		snprintf(s->first, sizeof(s->first), "%s", e->what);
	if (s->n <= MAXBAD)
		s->off[s->n] = e->offset;
	s->n++;
}

static int
count_elem(void *ctx, const struct mrt_elem *e)
{
	(void)e;
	(*(unsigned *)ctx)++;
	return 0;
}

/* Reads path to the end (or to the strict stop); returns the elements. */
static unsigned
read_all(const char *path, bool strict, struct seen *s, int *last)
{
	struct input *in = NULL;
	struct mrt_reader *r = NULL;
	struct mrt_reader_opts o = { strict, 0, on_error, s };
	const struct mrt_record *rec;
	unsigned elems = 0;
	int rc;

	assert_int_equal(input_open(path, NULL, &in), 0);
	assert_int_equal(mrt_reader_new(in, path, &o, &r), 0);
	while ((rc = mrt_reader_next(r, &rec)) == 1)
		assert_int_equal(mrt_record_elems(rec, count_elem, &elems), 0);
	*last = rc;
	assert_int_equal(mrt_reader_stats(r)->bad, s->n);
	mrt_reader_free(r);
	input_free(in);
	return elems;
}

static void
check_library(const struct hostile *h, const char *path)
{
	struct seen s = { 0 };
	int last;

	unsigned elems = read_all(path, false, &s, &last);
	assert_int_equal(last, 0);	/* damage is reported, not returned */
	assert_int_equal(elems, h->lines);
	assert_int_equal(s.n, h->nbad);
	for (unsigned i = 0; i < h->nbad; i++)
		assert_int_equal(s.off[i], h->bad[i]);
	if (h->what != NULL && strstr(s.first, h->what) == NULL)
		fail_msg("%s: report '%s' does not mention '%s'", h->file,
		    s.first, h->what);

	memset(&s, 0, sizeof(s));
	elems = read_all(path, true, &s, &last);
	assert_int_equal(elems, h->strict_lines);
	if (h->nbad == 0) {
		assert_int_equal(last, 0);
		assert_int_equal(s.n, 0);
	} else {
		assert_true(last < 0);	/* stopped at the first */
		assert_int_equal(s.n, 1);
		assert_int_equal(s.off[0], h->bad[0]);
	}
}

/* ---- the CLI ---- */

#define run	test_run

static void
run_cli(const char *args, const char *path, struct run *r)
{
	test_lifeline(r, "mrt dump %s '%s'", args, path);
	assert_true(r->status < 128);	/* no signal, no sanitizer abort */
}

/*
 * Counts the lines of out after checking none is cut: every line ends
 * with a newline and has the shape of a whole record's line.
 */
static unsigned
whole_lines(const struct run *r, bool json)
{
	unsigned n = 0;

	if (r->outlen > 0)
		assert_int_equal(r->out[r->outlen - 1], '\n');
	for (char *l = r->out, *nl; *l != '\0'; l = nl + 1) {
		nl = strchr(l, '\n');
		assert_non_null(nl);
		if (json) {
			assert_int_equal(l[0], '{');
			assert_int_equal(nl[-1], '}');
		} else {
			assert_true(strncmp(l, "BGP4MP|", 7) == 0 ||
			    strncmp(l, "BGP4MP_ET|", 10) == 0 ||
			    strncmp(l, "TABLE_DUMP2|", 12) == 0);
			assert_int_equal(nl[-1], '|');
		}
		n++;
	}
	return n;
}

/* Checks the `FILE: offset N: what` lines of stderr against h. */
static void
check_reports(const struct hostile *h, const char *path, const char *err,
    unsigned want, const char *what)
{
	char pre[4200];
	unsigned n = 0;
	size_t plen;

	plen = (size_t)snprintf(pre, sizeof(pre), "%s: offset ", path);
	for (const char *l = err; *l != '\0';) {
		const char *nl = strchr(l, '\n');
		assert_non_null(nl);
		if (strncmp(l, pre, plen) == 0) {
			char *end;
			unsigned long long off = strtoull(l + plen, &end, 10);
			assert_true(end[0] == ':' && end[1] == ' ');
			assert_true(n < want);
			assert_int_equal(off, h->bad[n]);
			if (n == 0 && what != NULL) {
				char *line = strndup(l, (size_t)(nl - l));
				if (strstr(line, what) == NULL)
					fail_msg("%s", line);
				free(line);
			}
			n++;
		}
		l = nl + 1;
	}
	assert_int_equal(n, want);
}

static void
check_cli(const struct hostile *h, const char *path)
{
	struct run r;

	run_cli("", path, &r);
	assert_int_equal(r.status, h->status);
	assert_int_equal(whole_lines(&r, false), h->lines);
	check_reports(h, path, r.err, h->nbad, h->what);
	free(r.out);
	free(r.err);

	run_cli("--format=jsonl", path, &r);
	assert_int_equal(r.status, h->status);
	assert_int_equal(whole_lines(&r, true), h->lines);
	check_reports(h, path, r.err, h->nbad, h->what);
	free(r.out);
	free(r.err);

	run_cli("--strict", path, &r);
	assert_int_equal(r.status, h->status);
	assert_int_equal(whole_lines(&r, false), h->strict_lines);
	/* strict stops where the record is, without resynchronising, so the
	 * report may word it otherwise */
	check_reports(h, path, r.err, h->nbad > 0 ? 1 : 0, NULL);
	free(r.out);
	free(r.err);
}

static void
test_hostile(void **state)
{
	const struct hostile *h = *state;
	char path[4096];

	snprintf(path, sizeof(path), "%s%s", test_data("hostile/"), h->file);
	assert_int_equal(access(path, R_OK), 0);
	check_library(h, path);
	check_cli(h, path);
}

/* ---- crashers: every file must go through every decoder ---- */

static unsigned n_crashers;

static void
replay_mrt(const uint8_t *buf, size_t len)
{
	struct mrt_decoder *d;
	const struct mrt_record *rec;
	const char *what;
	unsigned elems = 0;

	assert_int_equal(mrt_decoder_new(&d), 0);
	if (mrt_decode(d, buf, len, &rec, &what) == 1)
		mrt_record_elems(rec, count_elem, &elems);
	for (size_t off = 0; len - off >= 12;) {
		size_t n = 12 + (size_t)test_be32(buf + off + 8);
		if (n > len - off)
			n = len - off;
		if (mrt_decode(d, buf + off, n, &rec, &what) == 1)
			mrt_record_elems(rec, count_elem, &elems);
		off += n;
	}
	mrt_decoder_free(d);
}

static void
replay_stream(const uint8_t *buf, size_t len)
{
	struct input *in = NULL;
	struct mrt_reader *r = NULL;
	struct mrt_printer *p1 = NULL, *p2 = NULL;
	const struct mrt_record *rec;
	FILE *null = fopen("/dev/null", "w");

	assert_non_null(null);
	assert_int_equal(mrt_printer_new(null, MRT_FMT_BGPDUMP, &p1), 0);
	assert_int_equal(mrt_printer_new(null, MRT_FMT_JSONL, &p2), 0);
	assert_int_equal(input_open_mem(buf, len, &in), 0);
	assert_int_equal(mrt_reader_new(in, "crasher", NULL, &r), 0);
	while (mrt_reader_next(r, &rec) == 1 && input_offset(in) < (64u << 20)) {
		mrt_printer_put(p1, rec);
		mrt_printer_put(p2, rec);
	}
	mrt_printer_flush(p1);
	mrt_printer_flush(p2);
	mrt_reader_free(r);
	input_free(in);
	mrt_printer_free(p1);
	mrt_printer_free(p2);
	fclose(null);
}

static void
replay_bgp(const uint8_t *buf, size_t len)
{
	struct arena a;
	struct bgp_update u;
	struct bgp_attrs attrs;
	struct bgp_diag d;
	uint8_t type;

	arena_init(&a, 64u << 20);
	for (int i = 0; i < 4; i++) {
		struct bgp_ctx c = { i & 1, i >> 1, false, &a };
		int rc = bgp_decode_message(buf, len, &c, &type, &u, &d);
		struct bgp_lean l;
		/* fuzz_bgp_update's: the lean decode takes only what the
		 * full one decodes */
		if (i < 2 && bgp_lean_message(buf, len, i & 1, &l))
			assert_int_equal(rc, 0);
		arena_reset(&a);
		bgp_decode_update(buf, len, &c, &u, &d);
		arena_reset(&a);
	}
	struct bgp_ctx rib = { true, false, true, &a };
	bgp_decode_attrs(buf, len, &rib, &attrs, &d);
	arena_fini(&a);
}

static void
replay_input(const uint8_t *buf, size_t len)
{
	struct input *in = NULL;
	const uint8_t *p;
	size_t avail, want = 1;
	uint64_t total = 0;

	assert_int_equal(input_open_mem(buf, len, &in), 0);
	for (;;) {
		int rc = input_peek(in, want, &p, &avail);
		if (avail == 0 || total > (64u << 20))
			break;
		input_consume(in, avail);
		total += avail;
		if (rc != 0)
			break;
		want = want * 3 % 65521 + 1;
	}
	input_free(in);
}

static int
replay_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	uint8_t *buf;
	size_t len;

	(void)ftw;
	if (flag != FTW_F || strcmp(path + strlen(path) - 5, ".keep") == 0)
		return 0;
	assert_non_null(buf = test_slurp(path, &len));
	assert_int_equal(len, (size_t)sb->st_size);
	replay_mrt(buf, len);
	replay_stream(buf, len);
	replay_bgp(buf, len);
	replay_input(buf, len);
	/* fuzz_sig_lean's: the lean decode declines or agrees */
	assert_int_not_equal(sig_lean_verify(buf, len), -1);
	/* fuzz_input's files start with two octets of window seed */
	if (len >= 2)
		replay_input(buf + 2, len - 2);
	free(buf);
	n_crashers++;
	return 0;
}

static void
test_crashers(void **state)
{
	(void)state;
	assert_int_equal(nftw(test_data("crashers"), replay_one, 16,
	    FTW_PHYS), 0);
	print_message("replayed %u crasher files\n", n_crashers);
}

int
main(void)
{
	struct CMUnitTest t[sizeof(cases) / sizeof(cases[0]) + 1];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct CMUnitTest u = cmocka_unit_test_prestate(test_hostile,
		    (void *)(uintptr_t)&cases[i]);
		u.name = cases[i].file;
		t[n++] = u;
	}
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_crashers);
	return test_run_group("mrt-hostile", t, n, NULL, NULL);
}
