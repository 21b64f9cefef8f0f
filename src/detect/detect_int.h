/* Inside detection: the series in memory, the incidents being followed. */
#ifndef LL_DETECT_DETECT_INT_H
#define LL_DETECT_DETECT_INT_H

#include <stdbool.h>

#include "detect/detect.h"

#define DET_NONE	(-2)	/* no verdict (no point, too little history) */
#define DET_GAP		(-1)	/* guarded: the data cannot be trusted */
#define DET_NORMAL	0
#define DET_WARN	1
#define DET_CRIT	2

/* One series in memory: its points from its history window (the
 * kind's window, the seasonal weeks) before the bin being judged, up to
 * the end of the block loaded (det_feed), and the verdicts of the bin
 * being judged. Points before the history are dropped as the run moves
 * on, so indices into t and v hold only within one block. */
struct dseries {
	/* What judging a bin reads, in the first three cache lines (a run
	 * goes through every series in every bin). */
	const struct detect_kind *kind;	/* NULL: a health series */
	/* this bin */
	int		 lv, plv, slv;	/* ioda, pinned, seasonal (DET_*) */
	int		 tlv, clv;	/* perf, cusum */
	bool		 held;		/* perf: reachability held */
	int		 level, run;	/* the ioda detector's state */
	int		 plevel, prun;	/* the pinned detector's */
	uint32_t	 ogen;		/* oinc holds while ogen == dctx.ogen */
	uint32_t	 oinc;		/* the first open incident holding it */
	size_t		 lo, cur;	/* window start, first point >= bin */
	int64_t		*t;
	double		*v;
	size_t		 n;
	double		 value, median;
	int64_t		 last;		/* last bin judged (state) */
	int64_t		 bt, bwin;	/* det_window's last bin and window */
	int64_t		 step;		/* its points' spacing (0: not yet) */
	double		 pinlvl;	/* level before the pin (pin_shape) */
	int64_t		 pinlvl_t, pinlvl_pin; /* of this day and pin (0: none) */
	/* the ioda medians of a block's bins, worked out ahead (det_premed):
	 * pmed[k] for bin pt0 + k * pbin over window pwin (NaN: none) */
	double		*pmed;
	size_t		 pn, pk;	/* pk: the slot of bin pkt */
	int64_t		 pt0, pbin, pwin, pkt;
	size_t		 base;		/* its entry in dctx.base, or SIZE_MAX */
	double		 baseline, smedian;
	double		 smad;		/* seasonal scale (1.4826 x MAD) */
	double		 ref;		/* perf and cusum reference */
	double		 csum;		/* the CUSUM sum (state) */
	double		 csaved;	/* the sum as the store has it */
	/* the rest */
	char		*signal;
	char		*entity;
	size_t		 cap, cappmed;
	/* the rolling median (det_rmedian): v[mlo..mcur) sorted */
	double		*sw;
	size_t		 nsw, capsw, mlo, mcur;
	int64_t		 first, end;	/* extent: first point, last + 1 */
	bool		 fed;		/* a point was loaded */
};

struct dbase {
	char		*signal, *entity, *who;
	int64_t		 from, to;
	double		 value;
};

struct dgap {
	char		*signal;
	int64_t		 from, to;
};

/* An incident being followed, with room for its strings. */
struct dinc {
	struct store_incident row;
	char		 cls[64], state[32], severity[16];
	char		 scope[STORE_TEXT_MAX], signals[STORE_TEXT_MAX];
	bool		 dirty, seen;	/* changed; evidence in this bin */
	bool		 down;		/* an alert in scope this bin */
	double		 ratio;		/* lowest value/reference this bin */
	bool		 pinned;	/* ratio from a pinned baseline */
	int		 crit;		/* critical in scope this bin */
	bool		 fresh;		/* opened in this bin */
	bool		 reach;		/* reachability critical this bin */
	bool		 throttle;	/* throttle evidence this bin */
	int64_t		 step;		/* finest step of this bin's evidence */
	bool		 wide;		/* a country or region loss beyond
					 * its one AS's (class) */
};

/* The guard's verdict for one family and bin. */
struct dguard {
	char		 fam[8];
	int64_t		 t;
	bool		 val;
};

struct dctx {
	struct store	*s;
	struct detect_opts o;
	struct dseries	*ser;
	size_t		 nser, capser;
	size_t		*health;	/* the health series among ser */
	size_t		 nhealth;
	size_t		*sigfirst;	/* where each signal's series start */
	size_t		 nsig;
	struct dguard	 guard[4];	/* det_guarded's last verdicts */
	int64_t		 loaded;	/* points are loaded up to this time */
	uint32_t	 ogen;		/* generation of dseries.oinc */
	struct dbase	*base;
	size_t		 nbase, capbase;
	struct dgap	*gap;
	size_t		 ngap, capgap;
	struct dinc	*inc;
	size_t		 ninc, capinc;
	double		*scratch;
	size_t		 capscratch;
	double		*sv;		/* a seasonal slot's values */
	size_t		 capsv;
	int64_t		 start, end;	/* bins judged: [start, end) */
	int64_t		 engine;	/* last bin of the last run */
	struct detect_stats st;
	detect_event_fn	*fn;
	void		*fnctx;
};

/* detect_load.c */
int	det_load(struct dctx *c);
int	det_feed(struct dctx *c, int64_t t);
void	det_free(struct dctx *c);
bool	det_guarded(struct dctx *c, const char *signal, int64_t t);
void	det_window(struct dseries *se, int64_t t, int64_t window);
void	det_prefetch(const struct dctx *c, size_t i);
struct dbase *det_base_find(struct dctx *c, const char *signal,
	    const char *entity);
int	det_base_add(struct dctx *c, const struct store_baseline *b);
struct dseries *det_series_find(struct dctx *c, const char *signal,
	    const char *entity);

/* detect_index.c: which open incident holds a series. Code that adds an
 * entity to an open incident's scope (or opens one) during a bin calls
 * det_open_mark(); the marks are made anew after each bin. */
void	det_open_index(struct dctx *c);
void	det_open_mark(struct dctx *c, const char *entity, size_t inc);
struct dinc *det_open_find(struct dctx *c, const struct dseries *se);

/* detect_median.c */
int	det_median(struct dctx *c, const double *v, size_t n, double *out);
int	det_rmedian(struct dseries *se, double *out);
void	det_shift(struct dseries *se, size_t k);
int	det_premed(struct dctx *c, int64_t t, int64_t to);

/* detect.c */
double	det_ratio(const struct detect_kind *k, double value, double ref);
int	det_level(const struct detect_kind *k, double ratio);
int	det_alert(struct dctx *c, const struct dseries *se, const char *det,
	    int lv, double expected, int64_t t);
int	det_seasonal_prev(struct dctx *c, const struct dseries *se,
	    bool *crit);

/* detect_cusum.c */
int	det_cusum_load(struct dctx *c);
int	det_cusum_judge(struct dctx *c, struct dseries *se, int64_t t);
int	det_cusum_save(struct dctx *c, struct dseries *se);

/* detect_throttle.c */
void	det_perf_judge(struct dseries *se);
int	det_throttle_bin(struct dctx *c, int64_t t);

/* detect_incident.c */
int	det_incidents_load(struct dctx *c);
int	det_incidents_bin(struct dctx *c, int64_t t);
int	det_incidents_save(struct dctx *c);
bool	det_inc_has(const char *list, const char *item);

#endif
