/*
 * The evidence log: records chained and signed, then every kind of
 * tampering the issue names, on the store and on the exported file:
 * every byte flipped in turn, records deleted, inserted, reordered, and
 * the log cut at every record. Each must fail verification and name a
 * record; the untouched log must pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "testutil.h"
#include "evidence/evidence.h"
#include "store/store.h"
#include "util/err.h"

#define NREC	4

static struct evidence_key key;
static char keypath[512];

static struct store *
new_store(const char *name)
{
	struct store *st = NULL;
	char err[256];

	assert_int_equal(store_open(test_store_url(name), STORE_CREATE, &st,
	    err, sizeof(err)), 0);
	return st;
}

/* A log of NREC records; returns the store. */
static struct store *
make_log(const char *name)
{
	struct store *st = new_store(name);
	char body[128], err[256];
	int64_t seq;

	for (int i = 0; i < NREC; i++) {
		snprintf(body, sizeof(body), "{\"entity\":\"country:EG\","
		    "\"n\":%d,\"note\":\"a \\\"quoted\\\" word\\n\"}", i);
		assert_int_equal(evidence_append(st, &key, "snapshot", body,
		    1296165600 + i, &seq, err, sizeof(err)), 0);
		assert_int_equal(seq, i + 1);
	}
	return st;
}

static int
setup(void **state)
{
	char err[256];

	(void)state;
	test_tmpdir_make("evidence");
	snprintf(keypath, sizeof(keypath), "%s", test_tmpdir_path("k"));
	if (evidence_keygen(keypath, err, sizeof(err)) != 0 ||
	    evidence_key_load(keypath, &key, err, sizeof(err)) != 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	test_tmpdir_remove();
	return 0;
}

static void
test_keys(void **state)
{
	struct evidence_key k2;
	uint8_t pk[EVIDENCE_PK_LEN];
	char err[256], pub[600];
	struct stat sb;

	(void)state;
	assert_int_equal(stat(keypath, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	/* never overwritten */
	assert_int_equal(evidence_keygen(keypath, err, sizeof(err)),
	    LL_EEXIST);
	assert_int_equal(evidence_key_load(keypath, &k2, err, sizeof(err)), 0);
	assert_memory_equal(k2.pk, key.pk, sizeof(key.pk));
	snprintf(pub, sizeof(pub), "%s.pub", keypath);
	assert_int_equal(evidence_pub_load(pub, pk, err, sizeof(err)), 0);
	assert_memory_equal(pk, key.pk, sizeof(pk));
	/* a secret key others can read is refused */
	assert_int_equal(chmod(keypath, 0644), 0);
	assert_int_equal(evidence_key_load(keypath, &k2, err, sizeof(err)),
	    LL_EINVAL);
	assert_non_null(strstr(err, "chmod 600"));
	assert_int_equal(chmod(keypath, 0600), 0);
}

static uint8_t *
exported(struct store *st, const char *name, size_t *len)
{
	char err[256];
	uint8_t *buf;

	assert_int_equal(evidence_export_log(st, test_tmpdir_path(name), err,
	    sizeof(err)), 0);
	assert_non_null(buf = test_slurp(test_tmpdir_path(name), len));
	return buf;
}

/* Offsets of the NREC records and the head line in an exported log. */
static void
boundaries(const uint8_t *b, size_t len, size_t *at)
{
	size_t line = 0, k = 0;

	at[k++] = 0;
	for (size_t i = 0; i < len; i++)
		if (b[i] == '\n' && ++line % 2 == 0 && k <= NREC)
			at[k++] = i + 1;
	assert_int_equal(k, NREC + 1);
}

static void
expect_bad(const uint8_t *b, size_t len, const char *what)
{
	struct evidence_report r;
	int rc = evidence_verify_buf(b, len, key.pk, &r);

	if (rc != LL_EVERIFY)
		fail_msg("%s: verified (rc %d)", what, rc);
	if (r.why[0] == '\0')
		fail_msg("%s: no reason given", what);
}

static void
test_file_tampering(void **state)
{
	struct store *st = make_log("f.db");
	struct evidence_report r;
	size_t len, at[NREC + 1];
	uint8_t *b = exported(st, "log", &len), *c = malloc(2 * len + 1);
	size_t flips = 0;

	(void)state;
	assert_non_null(c);
	assert_int_equal(evidence_verify_buf(b, len, key.pk, &r), 0);
	assert_int_equal(r.records, NREC);
	/* every byte flipped in turn */
	for (size_t i = 0; i < len; i++, flips++) {
		memcpy(c, b, len);
		c[i] ^= 0x20;
		expect_bad(c, len, "a flipped byte");
	}
	print_message("%zu flips of a %zu-byte log, all found\n", flips, len);
	boundaries(b, len, at);
	for (int k = 0; k < NREC; k++) {
		size_t rl = at[k + 1] - at[k];

		/* deleted */
		memcpy(c, b, at[k]);
		memcpy(c + at[k], b + at[k + 1], len - at[k + 1]);
		expect_bad(c, len - rl, "a deleted record");
		/* inserted again (a duplicate) */
		memcpy(c, b, at[k + 1]);
		memcpy(c + at[k + 1], b + at[k], rl);
		memcpy(c + at[k + 1] + rl, b + at[k + 1], len - at[k + 1]);
		expect_bad(c, len + rl, "an inserted record");
		/* cut after it, and in its middle */
		expect_bad(b, at[k + 1], "a log cut after a record");
		expect_bad(b, at[k] + rl / 2, "a log cut inside a record");
		if (k + 1 < NREC) {	/* swapped with the next */
			size_t r2 = at[k + 2] - at[k + 1];

			memcpy(c, b, len);
			memcpy(c + at[k], b + at[k + 1], r2);
			memcpy(c + at[k] + r2, b + at[k], rl);
			expect_bad(c, len, "two records swapped");
		}
	}
	/* another signer's key is refused */
	{
		uint8_t other[EVIDENCE_PK_LEN];

		memcpy(other, key.pk, sizeof(other));
		other[0] ^= 1;
		assert_int_equal(evidence_verify_buf(b, len, other, &r),
		    LL_EVERIFY);
		assert_int_equal(r.bad, 1);
	}
	free(b);
	free(c);
	store_free(st);
}

/* Runs q on the store db behind Lifeline's back; pq instead on
 * PostgreSQL when not NULL (records are bytea there). */
static void
sql(const char *db, const char *q, const char *pq)
{
	sqlite3 *h;

	if (store_is_pg(db)) {
		test_pg_sql(db, pq != NULL ? pq : q);
		return;
	}
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, q, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

/* In the store: a changed record, a deleted one, a moved head; appending
 * to a broken log is refused. */
static void
test_store_tampering(void **state)
{
	const char *db = test_store_url("s.db");
	struct evidence_report r;
	struct store *st = make_log("s.db");
	char err[256];
	int64_t seq;

	(void)state;
	assert_int_equal(evidence_verify_store(st, NULL, &r), 0);
	assert_int_equal(r.records, NREC);
	store_free(st);
	sql(db, "UPDATE evidence SET record = replace(record, '\"n\":2', "
	    "'\"n\":7') WHERE seq = 3", "UPDATE evidence SET record = "
	    "convert_to(replace(convert_from(record, 'UTF8'), '\"n\":2', "
	    "'\"n\":7'), 'UTF8') WHERE seq = 3");
	st = new_store("s.db");
	assert_int_equal(evidence_verify_store(st, NULL, &r), LL_EVERIFY);
	assert_int_equal(r.bad, 3);
	assert_non_null(strstr(r.why, "signature"));
	assert_int_equal(evidence_append(st, &key, "snapshot", "{}", 1, &seq,
	    err, sizeof(err)), LL_EVERIFY);
	assert_non_null(strstr(err, "record 3"));
	store_free(st);

	st = make_log("d.db");
	store_free(st);
	sql(test_store_url("d.db"), "DELETE FROM evidence WHERE seq = 4", NULL);
	st = new_store("d.db");
	assert_int_equal(evidence_verify_store(st, NULL, &r), LL_EVERIFY);
	assert_non_null(strstr(r.why, "head"));
	store_free(st);
	sql(test_store_url("d.db"), "DELETE FROM evidence WHERE seq = 2", NULL);
	st = new_store("d.db");
	assert_int_equal(evidence_verify_store(st, NULL, &r), LL_EVERIFY);
	assert_int_equal(r.bad, 2);
	store_free(st);

	/* a signature changed and nothing else, in the middle of the log:
	 * appending checks the chain and the head, not each signature, and
	 * still refuses, naming the record (the record is a blob: its first
	 * signature digit is compared as bytes, '0' is 30 in hex) */
	st = make_log("g.db");
	store_free(st);
	sql(test_store_url("g.db"), "UPDATE evidence SET record = "
	    "substr(record, 1, instr(record, 'sig ') + 3) || "
	    "(CASE hex(substr(record, instr(record, 'sig ') + 4, 1)) WHEN "
	    "'30' THEN '1' ELSE '0' END) || substr(record, instr(record, "
	    "'sig ') "
	    "+ 5) WHERE seq = 2", "UPDATE evidence SET record = "
	    "overlay(record PLACING (CASE WHEN get_byte(record, "
	    "position('\\x73696720'::bytea IN record) + 3) = 48 THEN "
	    "'\\x31'::bytea ELSE '\\x30'::bytea END) FROM "
	    "position('\\x73696720'::bytea IN record) + 4 FOR 1) "
	    "WHERE seq = 2");
	st = new_store("g.db");
	assert_int_equal(evidence_verify_store(st, NULL, &r), LL_EVERIFY);
	assert_int_equal(r.bad, 2);
	assert_int_equal(evidence_append(st, &key, "snapshot", "{}", 1, &seq,
	    err, sizeof(err)), LL_EVERIFY);
	assert_non_null(strstr(err, "record 2"));
	store_free(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_file_tampering),
		cmocka_unit_test(test_store_tampering),
	};

	return test_main(test_pg_backend() ? "evidence-pg" : "evidence",
	    tests, setup, teardown);
}
