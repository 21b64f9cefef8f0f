/*
 * Impact and access: what an incident cost, and how a country's access
 * stands day by day (docs/methodology.md, "Impact" and "Access index").
 * Layer 3: reads the store (series, baselines, incidents, events, the
 * reference tables the user imported), writes an incident's figures to
 * it. Library code: returns 0 or LL_E*, never prints; text and JSON are
 * built in memory for the caller to print or bundle.
 */
#ifndef LL_IMPACT_IMPACT_H
#define LL_IMPACT_IMPACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* One figure of an incident's impact: a value (or none: known false,
 * "no data") with its unit, method, formula and inputs (a JSON object
 * holding every number the value was computed from, or the reason there
 * is none). */
struct impact_fig {
	char		*name;		/* "space.v4", "space.v6", "users",
					   "duration", "restored", "cost" */
	bool		 known;
	double		 value;
	char		*unit;		/* "/24s", "/48s", "users", "s", "%",
					   "US$" */
	char		*method;
	char		*formula;
	char		*inputs;
};

/* An incident's figures, in a fixed order. Owns its strings. */
struct impact {
	int64_t		 incident;
	int64_t		 computed_at;
	struct impact_fig *fig;
	size_t		 n, cap;
};

/*
 * Computes the impact of incident id from the store and writes its
 * figures there (replacing those of an earlier run, in one transaction
 * unless one is open), stamped now; *out gets them (impact_fini()).
 * Returns 0, LL_ENOTFOUND (no incident id), LL_ENOMEM, or the store's
 * error (store_errmsg()).
 */
int	impact_compute(struct store *s, int64_t id, int64_t now,
	    struct impact *out);

/* The figures stored for incident id into *out. Returns 0, LL_ENOTFOUND
 * (none stored), LL_ENOMEM, or the store's error. */
int	impact_load(struct store *s, int64_t id, struct impact *out);

/* Frees what *im holds; safe on a zeroed or finished one. */
void	impact_fini(struct impact *im);

/* The figures as one JSON object {"incident":ID,"computed_at":"...",
 * "figures":[{"name","value" (null: no data),"unit","method","formula",
 * "inputs":{...}}]}, NUL-terminated, newline-ended; the caller frees.
 * NULL when out of memory. */
char	*impact_json(const struct impact *im);

/* The figures as text for people, a line or two each, inputs included;
 * the caller frees. NULL when out of memory. */
char	*impact_text(const struct impact *im);

/* ---- the access index ---- */

enum index_dim {
	INDEX_AVAILABLE = 0,
	INDEX_RELIABLE,
	INDEX_FAST,
	INDEX_SAFE,
	INDEX_CORE,
	INDEX_NDIM
};

/* The dimension's name: "available", "reliable", "fast", "safe",
 * "core". */
const char *index_dim_name(enum index_dim d);

/* One measurement behind a score. */
struct index_meas {
	const char	*kind;		/* "bgp", "ndt.down", "events" ... */
	const char	*what;		/* "mean / baseline", "outage minutes" */
	double		 value;
	double		 baseline;	/* NAN when none */
	const char	*baseline_source;	/* "pinned", "median", "" */
	const char	*unit;
	size_t		 points;	/* points of the day behind value */
};

/* One day's score on one dimension: known false reads "no data". */
struct index_score {
	bool		 known;
	double		 score;		/* 0 .. 100 */
	const struct index_meas *meas;	/* valid during the call */
	size_t		 nmeas;
};

/* Called once per day and dimension, in day order. */
typedef int index_fn(void *ctx, const char *entity, int64_t day,
    enum index_dim d, const struct index_score *sc);

/*
 * The access index of entity for each UTC day in [from, to) (from is
 * rounded down to its day). Calls fn per day and dimension; stops with
 * its value when non-zero. Returns 0, LL_EINVAL (from >= to, more than
 * 3660 days), LL_ENOMEM, or the store's error.
 */
int	index_compute(struct store *s, const char *entity, int64_t from,
	    int64_t to, index_fn *fn, void *ctx);

#endif
