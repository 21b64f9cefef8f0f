/*
 * Writing the evidence log: a record is built, signed and chained to the
 * last one, and the signed head moves to it, in one transaction; the log
 * can be exported as one file with its head.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "config.h"
#include "evidence/evidence.h"
#include "evidence/evidence_int.h"
#include "store/store.h"
#include "util/err.h"
#include "util/time.h"

#define SIG_HEX		(2 * crypto_sign_BYTES)
#define HEAD_KEY	"evidence.head"

/* The record's first line: compact JSON, sorted keys, ASCII only. */
static char *
record_line(const struct evidence_key *k, const char *kind, json_t *body,
    int64_t seq, int64_t now, const char *prev)
{
	char iso[LL_ISO8601_LEN], key[2 * EVIDENCE_PK_LEN + 1];
	json_t *o;
	char *line;

	ll_time_fmt(now, iso, sizeof(iso));
	ev_hex(k->pk, EVIDENCE_PK_LEN, key);
	o = json_pack("{s:i, s:I, s:s, s:s, s:s, s:s, s:s, s:O}", "v", 1,
	    "seq", (json_int_t)seq, "time", iso, "prev", prev, "software",
	    "lifeline " LIFELINE_VERSION, "key", key, "kind", kind, "body",
	    body);
	if (o == NULL)
		return NULL;
	line = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	json_decref(o);
	return line;
}

/* rec = line "\nsig " HEX "\n", signed with k; malloc'ed. */
static uint8_t *
sign_record(const struct evidence_key *k, const char *line, size_t *len)
{
	size_t n = strlen(line);
	uint8_t sig[crypto_sign_BYTES], *rec;
	char hex[SIG_HEX + 1];

	if ((rec = malloc(n + 6 + SIG_HEX)) == NULL)
		return NULL;
	crypto_sign_detached(sig, NULL, (const uint8_t *)line, n, k->sk);
	ev_hex(sig, sizeof(sig), hex);
	memcpy(rec, line, n);
	memcpy(rec + n, "\nsig ", 5);
	memcpy(rec + n + 5, hex, SIG_HEX);
	rec[n + 5 + SIG_HEX] = '\n';
	*len = n + 6 + SIG_HEX;
	return rec;
}

/* "head SEQ HASH sig HEX", the signature over "head SEQ HASH". */
static void
head_line(const struct evidence_key *k, int64_t seq, const uint8_t hash[32],
    char *out, size_t len)
{
	uint8_t sig[crypto_sign_BYTES];
	char h[65], s[SIG_HEX + 1];
	int n;

	ev_hex(hash, 32, h);
	n = snprintf(out, len, "head %lld %s", (long long)seq, h);
	crypto_sign_detached(sig, NULL, (const uint8_t *)out, (size_t)n,
	    k->sk);
	ev_hex(sig, sizeof(sig), s);
	snprintf(out + n, len - (size_t)n, " sig %s", s);
}

/* Writes the record and the head; the caller holds the transaction. */
static int
write_record(struct store *s, const struct evidence_key *k,
    const char *kind, json_t *body, int64_t now, const struct
    evidence_report *r, int64_t *seq, char *err, size_t errlen)
{
	uint8_t prev[32] = { 0 }, hash[32], *rec;
	char prevhex[65], head[512], *line;
	size_t len;
	int rc;

	if (r->records > 0 && ev_unhex(r->head, 64, prev, sizeof(prev)) != 0)
		return LL_EINVAL;
	ev_hex(prev, sizeof(prev), prevhex);
	line = record_line(k, kind, body, (int64_t)r->records + 1, now,
	    prevhex);
	if (line == NULL)
		return LL_ENOMEM;
	rec = sign_record(k, line, &len);
	free(line);
	if (rec == NULL)
		return LL_ENOMEM;
	crypto_hash_sha256(hash, rec, len);
	rc = store_evidence_append(s, rec, len, seq);
	free(rec);
	if (rc == 0 && *seq != (int64_t)r->records + 1)
		rc = LL_EDB;
	if (rc == 0) {
		head_line(k, *seq, hash, head, sizeof(head));
		rc = store_meta_set(s, HEAD_KEY, head);
	}
	if (rc != 0)
		snprintf(err, errlen, "%s", store_errmsg(s));
	return rc;
}

int
evidence_append(struct store *s, const struct evidence_key *k,
    const char *kind, const char *body, int64_t now, int64_t *seq,
    char *err, size_t errlen)
{
	struct evidence_report r;
	bool mine = !store_tx_active(s);
	json_error_t je;
	json_t *b;
	int rc;

	err[0] = '\0';
	if (kind == NULL || *kind == '\0' || body == NULL)
		return LL_EINVAL;
	if ((b = json_loads(body, JSON_REJECT_DUPLICATES, &je)) == NULL ||
	    !json_is_object(b)) {
		snprintf(err, errlen, "the body is not a JSON object");
		json_decref(b);
		return LL_EINVAL;
	}
	if (mine && (rc = store_tx_begin(s)) != 0)
		goto out;
	/* the chain and the signed head: a change anywhere shows, at a
	 * eighth of the cost of every signature (a log grows for years) */
	if ((rc = ev_verify_chain(s, k->pk, &r)) != 0) {
		/* the full check names the record itself: a changed record
		 * breaks the chain only at the next one */
		if (rc == LL_EVERIFY)
			(void)evidence_verify_store(s, k->pk, &r);
		snprintf(err, errlen, "the log does not verify, nothing "
		    "appended: record %lld: %s", (long long)r.bad, r.why);
		goto out;
	}
	rc = write_record(s, k, kind, b, now, &r, seq, err, errlen);
	if (rc == 0 && mine)
		rc = store_tx_commit(s);
out:
	if (rc != 0 && mine && store_tx_active(s))
		store_tx_rollback(s);
	json_decref(b);
	return rc;
}

/* Appends one record's bytes to the export file. */
static int
put_record(void *ctx, int64_t seq, const uint8_t *rec, size_t len)
{
	(void)seq;
	return fwrite(rec, 1, len, ctx) == len ? 0 : LL_EIO;
}

int
evidence_export_log(struct store *s, const char *path, char *err,
    size_t errlen)
{
	struct evidence_report r;
	uint8_t pk[EVIDENCE_PK_LEN];
	char head[512];
	FILE *f;
	int rc;

	err[0] = '\0';
	if ((rc = evidence_verify_store(s, NULL, &r)) != 0) {
		snprintf(err, errlen, "the log does not verify: record %lld: "
		    "%s", (long long)r.bad, r.why);
		return rc;
	}
	if (r.records == 0) {
		snprintf(err, errlen, "the evidence log is empty: nothing to "
		    "export");
		return LL_ENOTFOUND;
	}
	if ((f = fopen(path, "wbx")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return errno == EEXIST ? LL_EEXIST : LL_EIO;
	}
	rc = store_evidence_scan(s, put_record, f);
	if (rc == 0) {
		rc = store_meta_get(s, HEAD_KEY, head, sizeof(head));
		if (rc == 0 && fprintf(f, "%s\n", head) < 0)
			rc = LL_EIO;
	}
	if (fclose(f) != 0 && rc == 0)
		rc = LL_EIO;
	memcpy(pk, r.pk, sizeof(pk));
	if (rc == 0 && (rc = evidence_verify_file(path, pk, &r)) != 0)
		snprintf(err, errlen, "%s: the file written does not verify: "
		    "record %lld: %s", path, (long long)r.bad, r.why);
	else if (rc != 0)
		snprintf(err, errlen, "%s: %s", path, rc == LL_EIO ?
		    strerror(errno) : ll_strerror(rc));
	return rc;
}
