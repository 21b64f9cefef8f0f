/*
 * The evidence log: records chained by SHA-256 and signed with Ed25519,
 * appended in the store, verified there or from an exported file. The
 * format is in evidence.h and docs/methodology.md; the JSON line is
 * written by jansson with sorted keys, and a verifier checks bytes, never
 * a re-serialisation, so any JSON library can read the fields.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
#define FILE_MAX	((size_t)1 << 30)

/* A verification in progress. */
struct ver {
	const uint8_t		*want_pk;	/* or NULL: the first record's */
	bool			 chain_only;	/* no record signature checked */
	struct evidence_report	*r;
	uint8_t			 prev[32];	/* hash of the last record */
	int64_t			 n;		/* records verified */
};

/* Records what is wrong with record `at`: why, then detail in brackets
 * when not NULL. */
static int
bad(struct ver *v, int64_t at, const char *why, const char *detail)
{
	v->r->bad = at;
	if (detail != NULL)
		snprintf(v->r->why, sizeof(v->r->why), "%s (%s)", why, detail);
	else
		snprintf(v->r->why, sizeof(v->r->why), "%s", why);
	return LL_EVERIFY;
}

/* The header fields of a parsed first line, checked against v. */
static int
check_fields(struct ver *v, int64_t at, json_t *o)
{
	json_t *seq = json_object_get(o, "seq"), *prev, *key;
	char want[65], pkhex[65];
	uint8_t pk[EVIDENCE_PK_LEN];

	prev = json_object_get(o, "prev");
	key = json_object_get(o, "key");
	if (json_integer_value(json_object_get(o, "v")) != 1 ||
	    !json_is_integer(seq) || !json_is_string(prev) ||
	    !json_is_string(key) ||
	    !json_is_string(json_object_get(o, "kind")) ||
	    !json_is_string(json_object_get(o, "time")) ||
	    !json_is_object(json_object_get(o, "body")))
		return bad(v, at, "not a version 1 record (fields "
		    "missing or of the wrong type)", NULL);
	if (json_integer_value(seq) != v->n + 1)
		return bad(v, at, "out of sequence: a record before it "
		    "is missing, or it was inserted or moved", NULL);
	ev_hex(v->prev, sizeof(v->prev), want);
	if (strcmp(json_string_value(prev), want) != 0)
		return bad(v, at, "its prev is not the hash of the record "
		    "before it: the chain is broken", NULL);
	if (ev_unhex(json_string_value(key), strlen(json_string_value(key)),
	    pk, sizeof(pk)) != 0)
		return bad(v, at, "bad key field", NULL);
	if (v->n == 0 && v->want_pk == NULL)
		memcpy(v->r->pk, pk, sizeof(pk));
	else if (v->n == 0)
		memcpy(v->r->pk, v->want_pk, sizeof(pk));
	if (memcmp(pk, v->r->pk, sizeof(pk)) != 0) {
		ev_hex(pk, sizeof(pk), pkhex);
		return bad(v, at, "signed by another key", pkhex);
	}
	return 0;
}

/* One record's bytes: format, fields, chain, signature. */
static int
ver_record(struct ver *v, int64_t at, const uint8_t *rec, size_t len)
{
	const uint8_t *nl = memchr(rec, '\n', len);
	uint8_t sig[crypto_sign_BYTES];
	size_t n1;
	json_error_t je;
	json_t *o;
	int rc;

	if (nl == NULL || (n1 = (size_t)(nl - rec)) + 2 + 4 + SIG_HEX != len ||
	    memcmp(nl + 1, "sig ", 4) != 0 || rec[len - 1] != '\n' ||
	    ev_unhex((const char *)nl + 5, SIG_HEX, sig, sizeof(sig)) != 0)
		return bad(v, at, "not two lines, JSON then \"sig HEX\"", NULL);
	if ((o = json_loadb((const char *)rec, n1, JSON_REJECT_DUPLICATES,
	    &je)) == NULL)
		return bad(v, at, "its first line is not JSON", je.text);
	rc = check_fields(v, at, o);
	json_decref(o);
	if (rc != 0)
		return rc;
	if (!v->chain_only &&
	    crypto_sign_verify_detached(sig, rec, n1, v->r->pk) != 0)
		return bad(v, at, "the signature does not match: the "
		    "record was changed", NULL);
	crypto_hash_sha256(v->prev, rec, len);
	v->n++;
	v->r->records = (uint64_t)v->n;
	return 0;
}

/* "head SEQ HASH" and its signature line "head SEQ HASH sig HEX". */
static int
ver_head(struct ver *v, const char *line, size_t len)
{
	char want[128], hash[65];
	uint8_t sig[crypto_sign_BYTES];
	int n;

	ev_hex(v->prev, sizeof(v->prev), hash);
	n = snprintf(want, sizeof(want), "head %lld %s", (long long)v->n,
	    hash);
	if (len != (size_t)n + 5 + SIG_HEX || memcmp(line, want,
	    (size_t)n) != 0 || memcmp(line + n, " sig ", 5) != 0)
		return bad(v, v->n, "the signed head does not name this "
		    "record as the last: records after it were removed, or "
		    "the head changed", NULL);
	if (ev_unhex(line + n + 5, SIG_HEX, sig, sizeof(sig)) != 0 ||
	    crypto_sign_verify_detached(sig, (const uint8_t *)want,
	    (size_t)n, v->r->pk) != 0)
		return bad(v, v->n, "the head's signature does not "
		    "match", NULL);
	ev_hex(v->prev, sizeof(v->prev), v->r->head);
	return 0;
}

static void
ver_init(struct ver *v, const uint8_t *pk, struct evidence_report *r)
{
	memset(r, 0, sizeof(*r));
	memset(v, 0, sizeof(*v));
	v->want_pk = pk;
	v->r = r;
	if (pk != NULL)
		memcpy(r->pk, pk, EVIDENCE_PK_LEN);
}

static int
scan_one(void *ctx, int64_t seq, const uint8_t *rec, size_t len)
{
	struct ver *v = ctx;

	(void)seq;
	return ver_record(v, v->n + 1, rec, len);
}

/* evidence_verify_store(), or with chain_only ev_verify_chain(). */
static int
verify_store(struct store *s, const uint8_t *pk, bool chain_only,
    struct evidence_report *r)
{
	char head[512];
	struct ver v;
	int rc;

	if (ev_sodium_init() != 0)
		return LL_ENOMEM;
	ver_init(&v, pk, r);
	v.chain_only = chain_only;
	if ((rc = store_evidence_scan(s, scan_one, &v)) != 0)
		return rc;
	rc = store_meta_get(s, HEAD_KEY, head, sizeof(head));
	if (rc == LL_ENOTFOUND && v.n == 0)
		return 0;
	if (rc == LL_ENOTFOUND)
		return bad(&v, v.n, "no signed head: the log's end "
		    "cannot be told", NULL);
	if (rc != 0)
		return rc;
	return ver_head(&v, head, strlen(head));
}

int
evidence_verify_store(struct store *s, const uint8_t *pk,
    struct evidence_report *r)
{
	return verify_store(s, pk, false, r);
}

int
ev_verify_chain(struct store *s, const uint8_t *pk,
    struct evidence_report *r)
{
	return verify_store(s, pk, true, r);
}

/* The next line of buf from *pos (without its newline); NULL at the end.
 * A last line without a newline counts as a line. */
static const char *
next_line(const uint8_t *buf, size_t len, size_t *pos, size_t *n)
{
	const uint8_t *p, *nl;

	if (*pos >= len)
		return NULL;
	p = buf + *pos;
	nl = memchr(p, '\n', len - *pos);
	*n = nl != NULL ? (size_t)(nl - p) : len - *pos;
	*pos += *n + (nl != NULL);
	return (const char *)p;
}

int
evidence_verify_buf(const uint8_t *buf, size_t len, const uint8_t *pk,
    struct evidence_report *r)
{
	struct ver v;
	size_t pos = 0, n1, n2, start;
	const char *l1, *l2;
	int rc;

	if (ev_sodium_init() != 0)
		return LL_ENOMEM;
	ver_init(&v, pk, r);
	for (;;) {
		start = pos;
		if ((l1 = next_line(buf, len, &pos, &n1)) == NULL)
			return bad(&v, v.n, "no signed head at the end: "
			    "the log was cut short", NULL);
		if (n1 >= 5 && memcmp(l1, "head ", 5) == 0)
			break;
		if ((l2 = next_line(buf, len, &pos, &n2)) == NULL)
			return bad(&v, v.n + 1, "a record cut short", NULL);
		if ((rc = ver_record(&v, v.n + 1, buf + start,
		    pos - start)) != 0)
			return rc;
	}
	if ((rc = ver_head(&v, l1, n1)) != 0)
		return rc;
	if (pos != len)
		return bad(&v, v.n, "bytes after the signed head", NULL);
	return 0;
}

int
evidence_verify_file(const char *path, const uint8_t *pk,
    struct evidence_report *r)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, k;
	int rc;

	memset(r, 0, sizeof(*r));
	if (f == NULL) {
		snprintf(r->why, sizeof(r->why), "%s", strerror(errno));
		return errno == ENOENT ? LL_ENOTFOUND : LL_EIO;
	}
	do {
		if (len == cap) {
			uint8_t *nb = cap < FILE_MAX ? realloc(buf, cap ?
			    cap * 2 : 65536) : NULL;

			if (nb == NULL) {
				free(buf);
				fclose(f);
				return LL_ENOMEM;
			}
			buf = nb;
			cap = cap ? cap * 2 : 65536;
		}
		k = fread(buf + len, 1, cap - len, f);
		len += k;
	} while (k > 0);
	rc = ferror(f) ? LL_EIO : 0;
	fclose(f);
	if (rc == 0)
		rc = evidence_verify_buf(buf, len, pk, r);
	free(buf);
	return rc;
}
