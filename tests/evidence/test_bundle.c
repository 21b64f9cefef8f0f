/*
 * The export bundle of an incident: a store holding a shutdown (two
 * series that drop to zero and come back), detected, each transition
 * recorded as signed evidence, exported, copied to a fresh directory and
 * checked there; then every tampering of the bundle must fail the check
 * and name what is wrong: bytes flipped in every file (every byte of
 * files up to 512 bytes, an even sample of about 97 positions of larger
 * ones: 1,081 flips in 11 files, counted and printed; every byte of a
 * whole log is flipped by test_evidence.c), the same with the manifest line made to
 * match, records of the log deleted, duplicated, swapped and cut, a file
 * removed or added, the public key replaced, and a whole bundle re-signed
 * by another key.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "testutil.h"
#include "detect/detect.h"
#include "evidence/evidence.h"
#include "store/store.h"
#include "util/err.h"

#define T0	1296165600	/* 2011-01-27T22:00Z */
#define BIN	300
#define SMALL	512	/* files up to this size: every byte flipped */
#define SAMPLE	97	/* positions flipped in a larger file */

static char bundle[1024], fresh[1024];

/* Points of a series: 40 bins at v, 10 at 0, 10 at v again. */
static void
put_series(struct store *s, const char *signal, const char *entity,
    double v)
{
	struct store_point p = { .entity = entity };

	for (int i = 0; i < 60; i++) {
		p.time = T0 + (int64_t)i * BIN;
		p.value = i >= 40 && i < 50 ? 0 : v;
		assert_int_equal(store_points_put(s, signal, "test", &p, 1), 0);
	}
}

struct trs {
	struct store_transition	t[8];
	char			state[8][32];
	size_t			n;
};

static int
on_tr(void *ctx, const struct store_transition *t)
{
	struct trs *r = ctx;

	assert_true(r->n < 8);
	r->t[r->n] = *t;
	snprintf(r->state[r->n], sizeof(r->state[0]), "%s", t->state);
	r->t[r->n].state = r->state[r->n];
	r->t[r->n].who = "system";
	r->t[r->n].note = "";
	r->n++;
	return 0;
}

/* The incident, its strings copied. */
struct inc {
	struct store_incident	i;
	char			s[5][STORE_TEXT_MAX];
};

static int
on_inc(void *ctx, const struct store_incident *i)
{
	struct inc *c = ctx;
	const char *src[5] = { i->cls, i->scope, i->signals, i->state,
	    i->severity };

	c->i = *i;
	for (int k = 0; k < 5; k++)
		snprintf(c->s[k], sizeof(c->s[k]), "%s", src[k]);
	c->i.cls = c->s[0];
	c->i.scope = c->s[1];
	c->i.signals = c->s[2];
	c->i.state = c->s[3];
	c->i.severity = c->s[4];
	return 0;
}

/* A store holding one incident and a record of each of its transitions,
 * signed with a new key at keypath; returns the number of records. */
static size_t
make_store(const char *db, const char *keypath)
{
	static struct inc c;
	struct store *st = NULL;
	struct evidence_key k;
	struct detect_opts o;
	struct trs r = { .n = 0 };
	struct store_archive ar = { .first_time = T0, .last_time = T0 +
	    60 * BIN, .size = 1234, .records = 10, .points = 120,
	    .status = STORE_ARCHIVE_OK };
	struct evidence_inc_params p = { .detector = "{\"name\":\"test\"}",
	    .history = 86400, .bin = BIN };
	char err[256];
	int64_t seq;

	assert_int_equal(evidence_keygen(keypath, err, sizeof(err)), 0);
	assert_int_equal(evidence_key_load(keypath, &k, err, sizeof(err)), 0);
	assert_int_equal(store_open(db, STORE_CREATE, &st, err, sizeof(err)),
	    0);
	put_series(st, "bgp", "country:EG", 93482);
	put_series(st, "bgp", "asn:8452", 4096);
	memset(ar.sha256, 'a', 64);
	snprintf(ar.name, sizeof(ar.name), "updates.20110127.2200.gz");
	assert_int_equal(store_archive_record(st, &ar), 0);
	detect_opts_default(&o);
	assert_int_equal(detect_run(st, &o, NULL, NULL, NULL), 0);
	assert_int_equal(store_transition_list(st, 1, on_tr, &r), 0);
	assert_true(r.n >= 2);
	assert_int_equal(store_incident_list(st, 1, on_inc, &c), 0);
	for (size_t i = 0; i < r.n; i++) {
		assert_int_equal(evidence_incident_record(st, &k, &p, &c.i,
		    &r.t[i], T0 + 86400, &seq, err, sizeof(err)), 0);
		assert_int_equal(seq, (int64_t)i + 1);
	}
	store_free(st);
	return r.n;
}

static void
must_pass(const char *dir, const uint8_t *pk)
{
	struct evidence_check r;
	int rc = evidence_bundle_check(dir, pk, &r);

	if (rc != 0)
		fail_msg("%s: %s", dir, r.why);
}

/* The check fails, and its reason holds want (NULL: any reason). */
static void
must_fail(const char *dir, const char *want, const char *what)
{
	struct evidence_check r;
	int rc = evidence_bundle_check(dir, NULL, &r);

	if (rc != LL_EVERIFY)
		fail_msg("%s: the check passed (rc %d)", what, rc);
	if (want != NULL && strstr(r.why, want) == NULL)
		fail_msg("%s: the check says \"%s\", not \"%s\"", what, r.why,
		    want);
}

static uint8_t *
slurp(const char *dir, const char *rel, size_t *len)
{
	char p[9400];
	uint8_t *b;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	assert_non_null(b = test_slurp(p, len));
	return b;
}

static void
spill(const char *dir, const char *rel, const uint8_t *b, size_t len)
{
	char p[9400];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	assert_non_null(f = fopen(p, "wb"));
	assert_int_equal(fwrite(b, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Rewrites rel's line of the manifest with the file's hash as it is now,
 * as a forger would. */
static void
fix_manifest(const char *dir, const char *rel)
{
	size_t len, flen;
	uint8_t *m = slurp(dir, "MANIFEST.sha256", &len);
	uint8_t *f = slurp(dir, rel, &flen), h[32];
	char pat[256], *at, hex[65];

	crypto_hash_sha256(h, f, flen);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
	snprintf(pat, sizeof(pat), "  %s\n", rel);
	assert_non_null(at = strstr((char *)m, pat));
	memcpy(at - 64, hex, 64);
	spill(dir, "MANIFEST.sha256", m, len);
	free(m);
	free(f);
}

/* The bundle's files, as the manifest lists them. */
static size_t
bundle_files(const char *dir, char names[][128], size_t max)
{
	size_t len, n = 0;
	uint8_t *m = slurp(dir, "MANIFEST.sha256", &len);

	for (char *line = strtok((char *)m, "\n"); line != NULL && n < max;
	    line = strtok(NULL, "\n"))
		snprintf(names[n++], 128, "%s", line + 66);
	free(m);
	return n;
}

/* Makes to a copy of the bundle from (files written over, the file a
 * test adds removed), in the process: a shell a copy is too slow. */
static void
copy_bundle(const char *from, const char *to)
{
	static const char *const sub[] = { "", "/series", "/charts" };
	char p[9400], names[64][128];
	size_t n, len;
	uint8_t *b;

	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", to, sub[i]);
		(void)mkdir(p, 0755);
	}
	snprintf(p, sizeof(p), "%s/series/extra.csv", to);
	(void)remove(p);
	n = bundle_files(from, names, 63);
	snprintf(names[n++], 128, "MANIFEST.sha256");
	for (size_t i = 0; i < n; i++) {
		b = slurp(from, names[i], &len);
		spill(to, names[i], b, len);
		free(b);
	}
}


static char keyA[1024], keyB[1024], other[1024], work[1024];
static size_t nrec;

/* The bundle of incident 1 of a new store signed by a new key. */
static void
export_one(const char *db, const char *key, const char *dir)
{
	struct store *st = NULL;
	char err[512];

	nrec = make_store(db, key);
	assert_int_equal(store_open(db, STORE_RDONLY, &st, err, sizeof(err)),
	    0);
	if (evidence_bundle_write(st, 1, dir, err, sizeof(err)) != 0)
		fail_msg("export: %s", err);
	/* a second export into the same directory is refused, and so is
	 * one of an incident the log does not hold */
	assert_int_equal(evidence_bundle_write(st, 1, dir, err, sizeof(err)),
	    LL_EEXIST);
	assert_int_equal(evidence_bundle_write(st, 99, work, err, sizeof(err)),
	    LL_ENOTFOUND);
	assert_non_null(strstr(err, "no record of incident 99"));
	store_free(st);
}

static void
load_pub(const char *key, uint8_t pk[EVIDENCE_PK_LEN])
{
	char p[1100], err[256];

	snprintf(p, sizeof(p), "%s.pub", key);
	assert_int_equal(evidence_pub_load(p, pk, err, sizeof(err)), 0);
}

/* Exported, copied to a fresh directory (another machine's copy) and
 * checked there: it verifies, against the signer's key too. */
static void
test_fresh_copy(void **state)
{
	uint8_t pk[EVIDENCE_PK_LEN];
	struct evidence_check r;

	(void)state;
	copy_bundle(bundle, fresh);
	load_pub(keyA, pk);
	must_pass(fresh, NULL);
	must_pass(fresh, pk);
	assert_int_equal(evidence_bundle_check(fresh, pk, &r), 0);
	assert_int_equal(r.incident, 1);
	assert_int_equal(r.incident_records, nrec);
	assert_int_equal(r.records, nrec);
	/* README, verify.py, the log, two keys, incident.json, manifest: 7,
	 * and a CSV and a chart for each of the two series */
	assert_int_equal(r.files, 6 + 2 * 2);
}

/* Every byte of each small file flipped in turn, an even sample of the
 * larger ones: each flip fails the check, which names the file (for the
 * manifest itself: one of its lines or the file it no longer matches). */
static void
test_flip_bytes(void **state)
{
	char names[64][128];
	size_t n, len, flips = 0, whole = 0, sampled = 0, step;
	uint8_t *b;

	(void)state;
	copy_bundle(bundle, work);
	n = bundle_files(work, names, 63);
	snprintf(names[n++], 128, "MANIFEST.sha256");
	for (size_t i = 0; i < n; i++) {
		bool man = strcmp(names[i], "MANIFEST.sha256") == 0;

		b = slurp(work, names[i], &len);
		step = len <= SMALL ? 1 : len / SAMPLE;
		len <= SMALL ? whole++ : sampled++;
		for (size_t at = 0; at < len; at += step) {
			b[at] ^= 0x20;
			spill(work, names[i], b, len);
			must_fail(work, man ? NULL : names[i], names[i]);
			b[at] ^= 0x20;
			flips++;
		}
		spill(work, names[i], b, len);
		free(b);
	}
	must_pass(work, NULL);
	printf("bundle: %zu byte flips in %zu files (%zu flipped whole, %zu "
	    "sampled), all refused\n", flips, n, whole, sampled);
}

/* A forger who changes a file and its manifest line alike: the signed
 * records give the file otherwise, and the check says which. */
static void
test_forged_manifest(void **state)
{
	char names[64][128];
	size_t n, len;
	uint8_t *b;

	(void)state;
	copy_bundle(bundle, work);
	n = bundle_files(work, names, 64);
	for (size_t i = 0; i < n; i++)
		for (int q = 1; q <= 3; q++) {
			bool key = strcmp(names[i], "key.pub") == 0;

			copy_bundle(bundle, work);
			b = slurp(work, names[i], &len);
			b[len * (size_t)q / 4] ^= 0x01;
			spill(work, names[i], b, len);
			fix_manifest(work, names[i]);
			must_fail(work, key ? NULL : names[i], names[i]);
			free(b);
		}
}

/* The log's lines: 2 per record, then the head. */
static size_t
log_lines(const uint8_t *log, size_t len, const char *line[], size_t ln[])
{
	size_t n = 0;

	for (size_t pos = 0; pos < len && n < 64; n++) {
		const uint8_t *nl = memchr(log + pos, '\n', len - pos);

		line[n] = (const char *)log + pos;
		ln[n] = (size_t)(nl - (log + pos)) + 1;
		pos += ln[n];
	}
	return n;
}

/* Writes the log from lines order[] (indices; -1 ends), optionally cut
 * by cut bytes, then checks it both with the manifest as it was and with
 * the manifest made to match. */
static void
try_log(const char *line[], const size_t ln[], const int order[],
    size_t cut, const char *what)
{
	char p[9400];
	FILE *f;
	size_t total = 0;

	copy_bundle(bundle, work);
	snprintf(p, sizeof(p), "%s/evidence.log", work);
	assert_non_null(f = fopen(p, "wb"));
	for (int i = 0; order[i] >= 0; i++) {
		fwrite(line[order[i]], 1, ln[order[i]], f);
		total += ln[order[i]];
	}
	assert_int_equal(fclose(f), 0);
	if (cut > 0)
		assert_int_equal(truncate(p, (off_t)(total - cut)), 0);
	must_fail(work, "evidence.log: its SHA-256", what);
	fix_manifest(work, "evidence.log");
	must_fail(work, "evidence.log: record", what);
}

static void
test_records(void **state)
{
	const char *line[64];
	size_t ln[64], len, n, cases = 0;
	uint8_t *log;
	int order[70], k;

	(void)state;
	log = slurp(bundle, "evidence.log", &len);
	n = log_lines(log, len, line, ln);
	assert_int_equal(n, 2 * nrec + 1);
	for (size_t r = 0; r < nrec; r++) {
		/* deleted */
		k = 0;
		for (size_t i = 0; i < n; i++)
			if (i / 2 != r || i == n - 1)
				order[k++] = (int)i;
		order[k] = -1;
		try_log(line, ln, order, 0, "deleted");
		/* inserted: a copy of the record after itself */
		k = 0;
		for (size_t i = 0; i < n; i++) {
			order[k++] = (int)i;
			if (i == 2 * r + 1) {
				order[k++] = (int)(2 * r);
				order[k++] = (int)(2 * r + 1);
			}
		}
		order[k] = -1;
		try_log(line, ln, order, 0, "inserted");
		/* reordered: swapped with the next one */
		if (r + 1 < nrec) {
			k = 0;
			for (size_t i = 0; i < n; i++)
				order[k++] = (int)(i / 2 == r ? i + 2 :
				    i / 2 == r + 1 && i != n - 1 ? i - 2 : i);
			order[k] = -1;
			try_log(line, ln, order, 0, "reordered");
		}
		/* truncated after the record (the head gone) and inside it */
		for (k = 0; k < (int)(2 * r + 2); k++)
			order[k] = k;
		order[k] = -1;
		try_log(line, ln, order, 0, "truncated after a record");
		try_log(line, ln, order, ln[2 * r + 1] + 10,
		    "truncated inside a record");
		cases += r + 1 < nrec ? 5 : 4;
	}
	free(log);
	printf("bundle: %zu record tamperings of a %zu-record log, each "
	    "refused with and without a matching manifest\n", cases, nrec);
}

/* A file removed (each in turn) or one added. */
static void
test_files(void **state)
{
	char names[64][128], p[9400];
	size_t n;
	FILE *f;

	(void)state;
	n = bundle_files(bundle, names, 64);
	for (size_t i = 0; i < n; i++) {
		copy_bundle(bundle, work);
		snprintf(p, sizeof(p), "%s/%s", work, names[i]);
		assert_int_equal(remove(p), 0);
		must_fail(work, names[i], "removed");
	}
	copy_bundle(bundle, work);
	snprintf(p, sizeof(p), "%s/MANIFEST.sha256", work);
	assert_int_equal(remove(p), 0);
	must_fail(work, "MANIFEST.sha256", "no manifest");
	copy_bundle(bundle, work);
	snprintf(p, sizeof(p), "%s/series/extra.csv", work);
	assert_non_null(f = fopen(p, "w"));
	fputs("signal,entity,time,value\n", f);
	fclose(f);
	must_fail(work, "series/extra.csv: not in the manifest", "added");
	snprintf(p, sizeof(p), "%s/MANIFEST.sha256", work);
	assert_non_null(f = fopen(p, "a"));
	fprintf(f, "%064d  series/extra.csv\n", 0);
	fclose(f);
	fix_manifest(work, "series/extra.csv");
	must_fail(work, "series/extra.csv: not a file of the bundle",
	    "added and listed");
}

/* The public key replaced by another; a bundle re-signed whole by
 * another key verifies on its own, and fails against the right key. */
static void
test_key(void **state)
{
	const char *f[] = { "key.pub", "key.pub.pem" };
	uint8_t pk[EVIDENCE_PK_LEN], *b;
	size_t len;

	(void)state;
	copy_bundle(bundle, work);
	for (int i = 0; i < 2; i++) {
		b = slurp(other, f[i], &len);
		spill(work, f[i], b, len);
		free(b);
		fix_manifest(work, f[i]);
	}
	must_fail(work, "record 1: signed by another key", "key replaced");
	load_pub(keyA, pk);
	must_pass(other, NULL);
	{
		struct evidence_check r;

		assert_int_equal(evidence_bundle_check(other, pk, &r),
		    LL_EVERIFY);
		assert_non_null(strstr(r.why, "not the key given"));
	}
}

static int
setup(void **state)
{
	char store[1024];

	(void)state;
	if (test_tmpdir_make("bundle") == NULL)
		return -1;
	snprintf(store, sizeof(store), "%s", test_tmpdir_path("s.db"));
	snprintf(bundle, sizeof(bundle), "%s", test_tmpdir_path("bundle"));
	snprintf(fresh, sizeof(fresh), "%s", test_tmpdir_path("fresh"));
	snprintf(work, sizeof(work), "%s", test_tmpdir_path("work"));
	snprintf(other, sizeof(other), "%s", test_tmpdir_path("other"));
	snprintf(keyA, sizeof(keyA), "%s", test_tmpdir_path("a"));
	snprintf(keyB, sizeof(keyB), "%s", test_tmpdir_path("b"));
	export_one(test_tmpdir_path("b.db"), keyB, other);
	export_one(store, keyA, bundle);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	test_tmpdir_remove();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh_copy),
		cmocka_unit_test(test_flip_bytes),
		cmocka_unit_test(test_forged_manifest),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_key),
	};

	return test_main("bundle", tests, setup, teardown);
}
