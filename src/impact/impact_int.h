/*
 * Inside impact: a growing string (JSON and text are built in memory, the
 * CLI prints them), a series read from the store, and baselines.
 */
#ifndef LL_IMPACT_IMPACT_INT_H
#define LL_IMPACT_IMPACT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define IMP_BIN		300		/* the detector's bin, seconds */
#define IMP_WINDOW	86400		/* the history a baseline comes from */

/* A growing NUL-terminated string; oom set on the first failure (then
 * nothing more is added). */
struct sbuf {
	char		*p;
	size_t		 len, cap;
	bool		 oom;
};
void	sb_printf(struct sbuf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* s as a JSON string, quotes included. */
void	sb_json_str(struct sbuf *b, const char *s);
/* v as a JSON number (shortest of %.15g/%.17g that reads back), or null
 * when not finite. */
void	sb_json_num(struct sbuf *b, double v);
/* The string (owned by the caller), or NULL when out of memory. */
char	*sb_take(struct sbuf *b);
void	sb_fini(struct sbuf *b);

/* The points of one series in a range, in time order. */
struct iser {
	int64_t		*t;
	double		*v;
	size_t		 n, tcap, vcap;
};
/* Reads signal/entity in [from, to) into *z (emptied first). Returns 0,
 * LL_ENOMEM, or the store's error. */
int	iser_load(struct store *s, const char *signal, const char *entity,
	    int64_t from, int64_t to, struct iser *z);
/* The value at time t, or false when the series has no point there. */
bool	iser_at(const struct iser *z, int64_t t, double *v);
void	iser_fini(struct iser *z);

/* The kind that carries family ("bgp": bgp, series.bgp, ioda.bgp;
 * "bgp6": bgp6, series.bgp6) for entity: the first with a point in
 * [from, to); NULL when none has. */
const char *imp_kind(struct store *s, const char *family,
	    const char *entity, int64_t from, int64_t to);

/* Median of v[0..n) (v is reordered). n > 0. */
double	imp_median(double *v, size_t n);

/* A baseline: the value a series is measured against, and where it came
 * from. */
struct ibase {
	bool		 ok;
	double		 value;
	const char	*source;	/* "pinned", "median" */
	int64_t		 from, to;	/* the range it is the median of */
	size_t		 points;	/* behind the median (0: pinned) */
	char		 who[STORE_KEY_MAX];	/* the pin's author */
};
/* The pinned baseline of (signal, entity), else the median of its points
 * in [before - window, before). ok false when neither exists or the
 * value is not > 0. Returns 0 or the store's error. */
int	ibase_get(struct store *s, const char *signal, const char *entity,
	    int64_t before, int64_t window, struct ibase *b);
/* The baseline as JSON members ("baseline":..,"baseline_source":..). */
void	ibase_json(struct sbuf *b, const struct ibase *bl);

#endif
