/*
 * Evidence that a third party can verify: an append-only log of records,
 * each chained to the one before by SHA-256 and signed with Ed25519
 * (libsodium), kept in the store; exported as a file that standard tools
 * (sha256sum, openssl) check without Lifeline. docs/methodology.md,
 * "Evidence format", gives the byte format.
 *
 * A record is two lines:
 *   {"body":...,"key":"HEX","kind":"...","prev":"HEX","seq":N,
 *    "software":"lifeline X","time":"ISO","v":1}
 *   sig HEX
 * The first is compact JSON with sorted keys; the signature (hex) is over
 * its bytes, newline excluded; prev is the SHA-256 of the previous
 * record's bytes (both lines, newlines included), 64 zeros for the first.
 * The log's head, "head SEQ HASH sig HEX", signed over "head SEQ HASH",
 * names the last record, so that a log cut short is told from a whole one.
 */
#ifndef LL_EVIDENCE_EVIDENCE_H
#define LL_EVIDENCE_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct store_incident;
struct store_transition;

#define EVIDENCE_PK_LEN	32
#define EVIDENCE_SK_LEN	64

struct evidence_key {
	uint8_t	pk[EVIDENCE_PK_LEN];
	uint8_t	sk[EVIDENCE_SK_LEN];
};

/*
 * Creates a key pair: path (the secret key, hex, mode 0600; an existing
 * file is never overwritten), path.pub (hex) and path.pub.pem (for
 * openssl). Returns 0, LL_EEXIST, LL_EIO (err says why), LL_ENOMEM.
 */
int	evidence_keygen(const char *path, char *err, size_t errlen);

/* Loads a secret key file written by evidence_keygen(); refuses one that
 * others may read. Returns 0, LL_ENOTFOUND, LL_EFORMAT, LL_EIO. */
int	evidence_key_load(const char *path, struct evidence_key *k, char *err,
	    size_t errlen);

/* Loads a public key (hex, as in path.pub). Returns 0 or LL_E*. */
int	evidence_pub_load(const char *path, uint8_t pk[EVIDENCE_PK_LEN],
	    char *err, size_t errlen);

/*
 * Appends a record of kind ("snapshot", "incident"...) whose body is the
 * compact JSON object body, at time now, signed with k and chained to the
 * log's last record, and updates the signed head, in one transaction
 * (the caller's, when one is open). Refuses to append to a log that does
 * not verify. Sets *seq. Returns 0 or LL_E* (err says why).
 */
int	evidence_append(struct store *s, const struct evidence_key *k,
	    const char *kind, const char *body, int64_t now, int64_t *seq,
	    char *err, size_t errlen);

/* What a verification found. */
struct evidence_report {
	uint64_t	records;	/* records that verified */
	int64_t		bad;		/* first bad record (seq or position),
					   0 when all verified */
	char		why[256];	/* what is wrong with it */
	uint8_t		pk[EVIDENCE_PK_LEN];	/* the signer */
	char		head[65];	/* SHA-256 hex of the last record */
};

/*
 * Verifies the log in s: every record's format, sequence, chain and
 * signature, all by one key (pk, or when NULL the first record's), and
 * the signed head. Returns 0 (all verified), LL_EVERIFY (r->bad and
 * r->why say where and what), or LL_EDB / LL_ENOMEM.
 */
int	evidence_verify_store(struct store *s, const uint8_t *pk,
	    struct evidence_report *r);

/* Writes the log and its head to path, then verifies what was written.
 * Returns 0 or LL_E* (err says why). */
int	evidence_export_log(struct store *s, const char *path, char *err,
	    size_t errlen);

/* Verifies an exported log file, as evidence_verify_store(). Returns 0,
 * LL_EVERIFY, LL_ENOTFOUND, LL_EIO, LL_ENOMEM. */
int	evidence_verify_file(const char *path, const uint8_t *pk,
	    struct evidence_report *r);

/* Verifies a log held in memory (len bytes): the file form. */
int	evidence_verify_buf(const uint8_t *buf, size_t len, const uint8_t *pk,
	    struct evidence_report *r);

/* What an incident record says about detection (see
 * evidence_incident_record()). */
struct evidence_inc_params {
	const char	*detector;	/* JSON object: the detectors and
					   every parameter they ran with */
	int64_t		 history;	/* seconds of points kept before the
					   incident's start */
	int64_t		 bin;		/* bin length, seconds */
	const char	*impact;	/* JSON object: the incident's impact
					   computed when the record is written
					   (impact_json()), or NULL: none */
};

/*
 * Appends a record of kind "incident" for transition t of incident inc
 * (both as they stand at the transition): the incident, the transition,
 * the detector (p->detector), the points of every series of the scope
 * and the incident's signal kinds over [start - history, end or last
 * bin + bin) with the baseline each is measured against, the alerts
 * among them, and the archives and imported files (name, SHA-256, size,
 * range, settings) whose data overlap that range, and the impact
 * (p->impact; null when NULL). docs/evidence.md gives
 * the body's fields. Returns 0 or LL_E* (err says why).
 */
int	evidence_incident_record(struct store *s, const struct evidence_key *k,
	    const struct evidence_inc_params *p,
	    const struct store_incident *inc, const struct store_transition *t,
	    int64_t now, int64_t *seq, char *err, size_t errlen);

/*
 * The export bundle of one incident: a directory a third party checks
 * offline. evidence_bundle_write() verifies the log in s, then creates
 * dir (which must not exist) holding the log, the public key, the
 * incident as JSON, a CSV and an SVG chart per series, a README, a
 * stand-alone verifier (verify.py) and MANIFEST.sha256 (sha256sum -c
 * reads it). Every file but README.txt, verify.py and the log is made
 * from the incident's signed records alone, so that a check can make
 * them again and compare. Returns 0, LL_ENOTFOUND (no record of that
 * incident), LL_EEXIST (dir exists), LL_EVERIFY (the log does not
 * verify), LL_EIO, LL_ENOMEM; err says why.
 */
int	evidence_bundle_write(struct store *s, int64_t id, const char *dir,
	    char *err, size_t errlen);

/* What a bundle check found. */
struct evidence_check {
	int64_t		incident;
	uint64_t	records;	/* records in the log */
	uint64_t	incident_records;	/* of the incident */
	uint64_t	files;		/* files checked */
	uint8_t		pk[EVIDENCE_PK_LEN];	/* the signer */
	char		why[512];	/* the first thing wrong, naming the
					   file (and record) */
};

/*
 * Checks a bundle offline: the manifest against every file (none
 * missing, none added), the log (records, chain, signatures, head) with
 * the bundle's public key, that key against pk when pk is not NULL, and
 * every file made from the records against the one in the bundle.
 * Returns 0, LL_EVERIFY (r->why names the file and what is wrong),
 * LL_ENOMEM.
 */
int	evidence_bundle_check(const char *dir, const uint8_t *pk,
	    struct evidence_check *r);

#endif
