/* Private to src/evidence. */
#ifndef LL_EVIDENCE_EVIDENCE_INT_H
#define LL_EVIDENCE_EVIDENCE_INT_H

#include <stddef.h>
#include <stdint.h>

/* sodium_init() once; 0 or LL_ENOMEM. */
int	ev_sodium_init(void);

/* n bytes as 2n lower-case hex digits and a NUL. */
void	ev_hex(const uint8_t *b, size_t n, char *out);

/* Exactly 2n lower-case hex digits of s (slen) into n bytes; 0 or -1. */
int	ev_unhex(const char *s, size_t slen, uint8_t *out, size_t n);

/* Writes the PEM (SubjectPublicKeyInfo, RFC 8410) of pk into out, NUL
 * terminated; returns its length. out holds at least EV_PEM_MAX. */
#define EV_PEM_MAX	160
size_t	ev_pem(const uint8_t *pk, char *out);

/* One file of a bundle: its path inside the bundle and its bytes. */
struct ev_file {
	char		 path[128];
	uint8_t		*data;		/* owned */
	size_t		 len;
};

struct ev_files {
	struct ev_file	*f;
	size_t		 n, cap;
};

/* Adds a file, taking data (malloc'ed; freed on failure too). */
int	ev_files_add(struct ev_files *fs, const char *path, uint8_t *data,
	    size_t len);
void	ev_files_free(struct ev_files *fs);

/*
 * Every file of the bundle of incident id, made from log (len bytes, the
 * exported form, which must verify): the log itself, the public key,
 * incident.json, the CSVs and charts, README.txt, verify.py, and last
 * MANIFEST.sha256. Returns 0, LL_EVERIFY (the log does not verify),
 * LL_ENOTFOUND (no record of the incident), LL_ENOMEM; err says why.
 */
int	ev_bundle_build(const uint8_t *log, size_t len, int64_t id,
	    struct ev_files *out, char *err, size_t errlen);

/* The chart of one series as SVG (evidence_svg.c); malloc'ed, *len set.
 * times are epoch seconds, sorted; baseline < 0 when there is none;
 * end 0 while the incident is open. */
char	*ev_chart_svg(const char *signal, const char *entity, int64_t id,
	    const int64_t *times, const double *values, size_t n,
	    int64_t start, int64_t end, double baseline, size_t *len);

/*
 * evidence_verify_store() without checking each record's signature: the
 * format, sequence, key field and chain of every record, and the signed
 * head. As strong a test that the log is what the key last signed (a
 * change to any record's bytes breaks the chain up to the head, whose
 * signature needs the key) at an eighth of the cost: what an append checks,
 * as often as it appends. A full verification checks each signature too.
 */
struct store;
struct evidence_report;
int	ev_verify_chain(struct store *s, const uint8_t *pk,
	    struct evidence_report *r);

/* The bundle's README.txt and verify.py (evidence_texts.c). */
char	*ev_readme(int64_t id, size_t *len);
char	*ev_verify_py(size_t *len);

#endif
