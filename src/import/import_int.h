/*
 * Import's private parts: the observations every parser gathers, reduced
 * per (kind, entity, bin) by import_finish(); the line and CSV readers.
 */
#ifndef LL_IMPORT_IMPORT_INT_H
#define LL_IMPORT_IMPORT_INT_H

#include <stdarg.h>

#include "import/import.h"
#include "util/arena.h"

/* How the observations of one (kind, entity, bin) become its value. */
enum imp_op {
	IMP_LAST = 1,	/* the last one read (a series) */
	IMP_MEAN,	/* roll-ups, shares of 0/1 */
	IMP_MEDIAN,	/* throughput */
	IMP_MIN,	/* RTT */
	IMP_SUM,	/* counts */
};

struct imp_key {
	char		*kind;		/* arena */
	char		*entity;	/* arena */
	uint64_t	 h;
	uint8_t		 op;
};

struct imp_obs {
	uint32_t	 key;		/* index into keys */
	uint32_t	 seq;		/* low bits of the order read (LAST) */
	int64_t		 t;
	double		 v;
};

struct import {
	struct import_opts	 o;
	struct import_stats	 st;
	struct arena		 ar;
	struct imp_key		*keys;
	size_t			 nkeys, capkeys;
	uint32_t		*slots;		/* key index + 1; 0 free */
	size_t			 nslots;
	struct imp_obs		*obs;
	size_t			 nobs, capobs;
	const char		*name;		/* of the file being fed */
};

/* Adds an observation. Returns 0, LL_EINVAL (kind or entity too long),
 * LL_ELIMIT, LL_ENOMEM. */
int	imp_obs_add(struct import *im, const char *kind, const char *entity,
	    int64_t t, double v, enum imp_op op);

/* Reports a bad row of the current file and counts it. */
void	imp_bad(struct import *im, uint64_t line, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* Canonical entity (net/entity.h) of s into out (ENT_STRLEN). Returns 0
 * or LL_EFORMAT. */
int	imp_entity(const char *s, char *out);

/* Lines of a buffer; \n or \r\n; a NUL byte ends nothing (kept). */
struct imp_lines {
	const uint8_t	*p;
	size_t		 len, off;
	uint64_t	 no;		/* number of the line returned */
};
void	imp_lines_init(struct imp_lines *l, const uint8_t *p, size_t len);
bool	imp_lines_next(struct imp_lines *l, const char **s, size_t *n);

/* Splits one CSV line (RFC 4180 quotes) into at most max fields, copied
 * NUL-terminated into buf. Returns the number of fields, or -1 (too
 * long, a quote left open, more than max fields). */
int	imp_csv_split(const char *s, size_t n, char *buf, size_t buflen,
	    char **fields, int max);

/* Parses a finite decimal number filling the whole string. */
bool	imp_number(const char *s, double *out);

/* The parsers: one file's bytes each. */
int	imp_series_csv(struct import *im, const uint8_t *buf, size_t len);
int	imp_ioda_json(struct import *im, const uint8_t *buf, size_t len);
int	imp_monash(struct import *im, const uint8_t *buf, size_t len);
int	imp_ndt(struct import *im, const uint8_t *buf, size_t len);
int	imp_ooni(struct import *im, const uint8_t *buf, size_t len);

/* JSON documents of a buffer: one document (pretty-printed or not), or
 * JSON Lines. Calls fn for each with its first line; a document that
 * does not parse is a bad row. Returns 0 or fn's error. */
struct json_t;
typedef int imp_json_fn(struct import *im, struct json_t *doc,
    uint64_t line);
int	imp_json_docs(struct import *im, const uint8_t *buf, size_t len,
	    imp_json_fn *fn);

#endif
