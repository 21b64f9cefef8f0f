/*
 * Points that arrive from a bus (ingest.h): one transaction a batch of
 * messages, each message's id recorded as an archive row beside its
 * points, so that a message delivered twice is written once.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "ingest/ingest.h"
#include "util/err.h"

int
ingest_sha256_bytes(const void *p, size_t len, char hex[STORE_SHA256_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(p, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32)
		return LL_ENOMEM;
	for (unsigned i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* The archive row that stands for message m. */
static void
msg_row(const struct ingest_msg *m, const char *sha, struct store_archive *r)
{
	bool first = true;

	memset(r, 0, sizeof(*r));
	memcpy(r->sha256, sha, STORE_SHA256_HEX);
	snprintf(r->name, sizeof(r->name), "bus:%.*s", STORE_NAME_MAX - 5,
	    m->id);
	snprintf(r->settings, sizeof(r->settings), "%s",
	    m->settings != NULL ? m->settings : "");
	r->size = m->bytes;
	r->status = STORE_ARCHIVE_OK;
	for (size_t k = 0; k < m->nkinds; k++) {
		const struct ingest_kind_pts *kp = &m->kinds[k];

		for (size_t i = 0; i < kp->n; i++) {
			int64_t t = kp->pts[i].time;

			if (first || t < r->first_time)
				r->first_time = t;
			if (first || t > r->last_time)
				r->last_time = t;
			first = false;
		}
		r->records += kp->n;
		r->points += kp->n;
	}
}

/* Writes message m unless the store knows its id. Inside the
 * transaction. */
static int
put_msg(struct store *st, struct ingest_msg *m, uint64_t *points,
    char *err, size_t errlen)
{
	char sha[STORE_SHA256_HEX];
	struct store_archive r;
	int rc;

	m->dup = false;
	if (m->id == NULL || *m->id == '\0') {
		snprintf(err, errlen, "a message without an id");
		return LL_EINVAL;
	}
	if ((rc = ingest_sha256_bytes(m->id, strlen(m->id), sha)) != 0)
		return rc;
	rc = store_archive_get(st, sha, NULL);
	if (rc == 0) {
		m->dup = true;
		return 0;
	}
	if (rc != LL_ENOTFOUND)
		goto db;
	for (size_t k = 0; k < m->nkinds; k++) {
		const struct ingest_kind_pts *kp = &m->kinds[k];

		if (kp->n > 0 && (rc = store_points_put(st, kp->kind,
		    m->source, kp->pts, kp->n)) != 0)
			goto db;
		*points += kp->n;
	}
	msg_row(m, sha, &r);
	if ((rc = store_archive_record(st, &r)) != 0)
		goto db;
	return 0;
db:
	snprintf(err, errlen, "message %s: %s", m->id, store_errmsg(st));
	return rc;
}

int
ingest_bus_points(struct store *st, struct ingest_msg *msgs, size_t n,
    size_t *stored, uint64_t *points, char *err, size_t errlen)
{
	size_t done = 0;
	uint64_t np = 0;
	int rc;

	*stored = 0;
	*points = 0;
	if ((rc = store_tx_begin(st)) != 0) {
		snprintf(err, errlen, "%s", store_errmsg(st));
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		if ((rc = put_msg(st, &msgs[i], &np, err, errlen)) != 0) {
			store_tx_rollback(st);
			return rc;
		}
		done += !msgs[i].dup;
	}
	if ((rc = store_tx_commit(st)) != 0) {
		snprintf(err, errlen, "commit: %s", store_errmsg(st));
		return rc;
	}
	*stored = done;
	*points = np;
	return 0;
}
