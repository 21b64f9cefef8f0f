/*
 * Import: signal series from other observatories, as points (kind,
 * entity, time, value), layer 1. One parser per format:
 *
 *   IMPORT_SERIES_CSV  generic CSV "time,entity,kind,value"
 *   IMPORT_IODA_JSON   the JSON of IODA's /signals/raw API
 *   IMPORT_MONASH      Monash IP Observatory hourly connectivity CSVs
 *                      (region level id_1,name_1; county level with
 *                      id_2,name_2, rolled up into region and country)
 *   IMPORT_NDT         M-Lab NDT results (ndt5, ndt7; download, upload):
 *                      per entity and hour, median throughput, minimum
 *                      RTT and the number of tests behind each
 *   IMPORT_OONI        OONI measurements (JSON, JSONL): per entity, test
 *                      and day, the share of anomalous and of confirmed
 *                      measurements
 *
 * Several files make one import: aggregates (medians, shares, roll-ups)
 * are taken over every file fed to one handle, then emitted by
 * import_finish(). A bad row is reported as "FILE:LINE: what is wrong"
 * through on_bad, counted, and skipped; the good rows are kept. Input
 * bytes are untrusted: lines are read with bounds, fields are capped,
 * JSON goes through jansson with its size given. Nothing here prints.
 * The kinds and units are in docs/data.md.
 */
#ifndef LL_IMPORT_IMPORT_H
#define LL_IMPORT_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum import_fmt {
	IMPORT_SERIES_CSV = 1,
	IMPORT_IODA_JSON,
	IMPORT_MONASH,
	IMPORT_NDT,
	IMPORT_OONI,
};

/* The families the CLI names ("series", "monash", "ndt", "ooni"). */
enum import_family {
	IMPORT_FAM_SERIES = 1,
	IMPORT_FAM_MONASH,
	IMPORT_FAM_NDT,
	IMPORT_FAM_OONI,
};

/* Caps on what one import holds. */
#define IMPORT_FILE_MAX		((size_t)1 << 30)	/* bytes a file */
#define IMPORT_OBS_MAX		((size_t)1 << 27)	/* observations */
#define IMPORT_NAME_MAX		128	/* kind, entity (incl. NUL) */

/* A point as it is emitted: strings valid during the call only. */
struct import_point {
	const char	*kind;		/* "ndt.down" */
	const char	*entity;	/* "country:VE" (net/entity.h) */
	int64_t		 time;		/* start of the bin, UTC seconds */
	double		 value;
};

typedef int import_point_fn(void *ctx, const struct import_point *p);
/* msg is "FILE:LINE: what is wrong" (one line, no newline). */
typedef void import_bad_fn(void *ctx, const char *msg);

/* NDT: where a client address ("192.0.2.1", "2001:db8::1") is: its
 * country code ("" when unknown) and AS (0 when unknown). Returns 0 or a
 * negative LL_E* code (then the result is taken as not located). */
typedef int import_locate_fn(void *ctx, const char *addr, char cc[3],
    uint32_t *asn);

struct import_opts {
	enum import_fmt	 fmt;
	/* NDT: the entity of results that carry no client location
	 * ("country:US"); NULL: such results are located by their client
	 * address through locate, or else are bad rows. */
	const char	*entity;
	import_locate_fn *locate;	/* NULL: addresses not looked up */
	void		*locate_ctx;
	import_bad_fn	*on_bad;	/* NULL: not said, still counted */
	void		*ctx;
};

struct import_stats {
	uint64_t	 rows;		/* rows (records) read, good or bad */
	uint64_t	 bad;		/* of them, rejected */
	uint64_t	 points;	/* points emitted by import_finish() */
	int64_t		 tmin, tmax;	/* of the points (0 when none) */
};

struct import;

/* A new import of format o->fmt (o is copied; o->entity must outlive the
 * handle). Returns 0 and *out (free with import_free()), LL_EINVAL (a
 * bad format or entity), LL_ENOMEM. */
int	import_new(const struct import_opts *o, struct import **out);

/* Safe to call with NULL. */
void	import_free(struct import *im);

/*
 * Reads one file's bytes (buf, len; name for messages). Bad rows are
 * reported and counted; the good ones kept. *rows and *bad (may be NULL)
 * get this file's counts. Returns 0, LL_ELIMIT (a cap), LL_ENOMEM. A
 * file with no good row is not an error (its rows are all counted bad).
 */
int	import_feed(struct import *im, const char *name, const uint8_t *buf,
	    size_t len, uint64_t *rows, uint64_t *bad);

/*
 * Emits every point (reduced over all files fed) through fn, ordered by
 * kind, entity, time. Stops with fn's value when non-zero. Returns 0,
 * fn's value, LL_ENOMEM.
 */
int	import_finish(struct import *im, import_point_fn *fn, void *ctx);

/* The running totals. */
const struct import_stats *import_stats(const struct import *im);

/* Parses "series-csv", "ioda-json", "monash", "ndt", "ooni". Returns 0
 * or LL_EINVAL. */
int	import_fmt_parse(const char *s, enum import_fmt *out);
const char *import_fmt_name(enum import_fmt f);

/* Parses "series", "monash", "ndt", "ooni". Returns 0 or LL_EINVAL. */
int	import_family_parse(const char *s, enum import_family *out);

/* True when format f belongs to family fam. */
bool	import_fmt_in(enum import_fmt f, enum import_family fam);

/*
 * The format of a file of family fam from its first bytes: series gives
 * IODA JSON when it starts with '{' (after blanks), else the CSV; the
 * others have one format each, checked (a Monash file needs its header,
 * NDT and OONI JSON). Returns 0 and *out, or LL_EFORMAT with a phrase in
 * why (why may be NULL).
 */
int	import_detect(enum import_family fam, const uint8_t *buf, size_t len,
	    enum import_fmt *out, char *why, size_t whylen);

/* A kind's unit and description (static strings; "" when not known). */
struct import_kind {
	const char	*unit;
	const char	*description;
};
void	import_kind_info(const char *kind, struct import_kind *out);

/*
 * Reference tables for an incident's impact (docs/methodology.md).
 *
 * import_users_read(): APNIC Labs' per-AS user estimates ("Customer
 * Populations (Est.)", stats.labs.apnic.net/aspop, CSV download): a
 * title line, then the header "#Rank,AS,AS Name,CC,Users (est.),% of
 * Country,% of Internet,Samples" and a row per (AS, country). Columns are
 * found by name (AS, CC and Users (est.) are needed; % of Country and
 * Samples are kept when present). import_countries_read(): the country
 * table, header "cc,name,year,gdp_usd,population,internet_users,
 * digital_share" (cc and year needed; empty fields are unknown, -1).
 * Each good row goes to fn (strings valid during the call); bad rows are
 * reported as "FILE:LINE: what" through on_bad (may be NULL), counted and
 * skipped. Returns 0, fn's value, or LL_EFORMAT when no header is found.
 */
struct import_users_row {
	const char	*cc;		/* "EG" */
	uint32_t	 asn;
	double		 users;
	double		 share;		/* % of the country, -1: not given */
	double		 samples;	/* -1: not given */
};
typedef int import_users_fn(void *ctx, const struct import_users_row *u);
int	import_users_read(const char *name, const uint8_t *buf, size_t len,
	    import_users_fn *fn, void *ctx, import_bad_fn *on_bad, void *bctx,
	    uint64_t *rows, uint64_t *bad);

struct import_country_row {
	const char	*cc;
	const char	*name;		/* "" when not given */
	int		 year;
	double		 gdp;		/* US$ a year; -1 unknown (likewise) */
	double		 population;
	double		 users;		/* Internet users */
	double		 digital;	/* Internet economy share of GDP, 0-1 */
};
typedef int import_country_fn(void *ctx,
    const struct import_country_row *c);
int	import_countries_read(const char *name, const uint8_t *buf,
	    size_t len, import_country_fn *fn, void *ctx,
	    import_bad_fn *on_bad, void *bctx, uint64_t *rows, uint64_t *bad);

#endif
