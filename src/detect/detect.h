/*
 * Detection: judges every bin of the stored series against history,
 * writes alerts, merges them into incidents and follows each incident
 * through its lifecycle (docs/methodology.md has the methods and every
 * parameter).
 *
 * Detectors, per series and bin:
 *   ioda     value / median(history window), IODA's windows and levels
 *            per kind (a country, region or AS series);
 *   pinned   value / a frozen baseline (store_baseline), for as long as
 *            an incident lasts or an analyst keeps the pin;
 *   seasonal for kinds with a daily rhythm: a robust z-score of the value
 *            against the same hour of the week in the last weeks
 *            (median and MAD);
 *   perf     for performance kinds (throughput down, RTT or loss up):
 *            the value against its reference (pinned, else seasonal,
 *            else the history's median);
 *   throttle the perf verdict, while every reachability series of the
 *            entity judged in the bin holds (none critical);
 *   cusum    a one-sided CUSUM of the robust score against the same
 *            reference: slow degradation (warnings only).
 * Data-quality guard: a bin in which a collector health series dropped
 * (bgp.peers, bgp.ff_peers, bgp.ff_asns of any collector:*) or that lies
 * in a stored coverage gap gives an alert of level "gap", never an
 * outage.
 *
 * Incremental: the last bin judged per series is kept in the store
 * (store_dstate); a run judges only later bins, so two runs over the data
 * in two parts leave the same alerts and incidents as one run over all.
 *
 * Library code: returns 0 or LL_E*, never prints; detect_errmsg()-like
 * details come from store_errmsg() for store failures.
 */
#ifndef LL_DETECT_DETECT_H
#define LL_DETECT_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/*
 * One kind's parameters. A reachability kind (perf false: BGP, probing,
 * telescope) is judged by the ioda, pinned and seasonal detectors; a
 * performance kind (perf: throughput, RTT, loss) by the perf detector,
 * whose verdict is a throttling verdict while the entity's reachability
 * holds. Both get CUSUM. For a kind where a rise is bad (up: RTT, loss)
 * the ratio is reference / value, values below floor counting as floor.
 */
struct detect_kind {
	const char	*signal;	/* "bgp", "bgp6", "probe", ... */
	int64_t		 window;	/* history window, seconds */
	double		 warn;		/* ratio below: warning */
	double		 crit;		/* below: critical */
	bool		 seasonal;	/* daily rhythm: also hour-of-week */
	bool		 perf;		/* performance, not reachability */
	bool		 up;		/* a rise is bad */
	double		 floor;		/* up: the least value counted */
};

struct detect_opts {
	int64_t		 from;		/* judge bins in [from, to); 0: */
	int64_t		 to;		/*   everything after the state */
	int64_t		 bin;		/* bin length, seconds (300) */
	int		 min_history;	/* points before a verdict (6) */
	int		 restore_bins;	/* bins back at the baseline (3) */
	double		 restore_level;	/* of the baseline: restored (0.95) */
	double		 health_drop;	/* health below this x median (0.8) */
	int		 merge_bins;	/* onsets this close merge (2) */
	int		 reopen_bins;	/* restored this recently: reopen (6) */
	int		 weeks;		/* seasonal history, weeks (4) */
	double		 mad_warn;	/* seasonal: robust z below -this (3) */
	double		 mad_crit;	/*   and below -this (5) */
	double		 cusum_k;	/* CUSUM slack, robust sigmas (1) */
	double		 cusum_h;	/* CUSUM threshold (10) */
	const struct detect_kind *kinds;	/* NULL: detect_kinds_default */
	size_t		 nkinds;
};

/* IODA's windows and levels (docs/methodology.md). */
extern const struct detect_kind detect_kinds_default[];
extern const size_t detect_nkinds_default;

/* Fills *o with the defaults above. */
void	detect_opts_default(struct detect_opts *o);

/* The parameters for signal among kinds (NULL: not detected). A kind
 * matches its own name or "series.NAME" (IODA's names too:
 * ping-slash24 = probing, merit-nt and ucsd-nt = telescope). */
const struct detect_kind *detect_kind_find(const struct detect_kind *kinds,
	    size_t n, const char *signal);

/* What a run did. */
struct detect_stats {
	uint64_t	 series;	/* series judged */
	uint64_t	 bins;		/* (series, bin) verdicts */
	uint64_t	 alerts;	/* warning or critical */
	uint64_t	 gaps;		/* guarded bins */
	uint64_t	 opened;	/* incidents opened */
	uint64_t	 restored;	/* incidents restored */
};

/* Called for every incident transition a run makes (announcements: an
 * incident detected, ongoing, partially restored, restored). inc's
 * strings are valid only during the call. */
typedef void detect_event_fn(void *ctx, const struct store_incident *inc,
	    const struct store_transition *t);

/*
 * Runs the detectors and the incident engine over the store, in one
 * transaction. fn may be NULL. Returns 0, LL_EINVAL (bad options),
 * LL_ENOMEM, LL_EDB (store_errmsg(s) says more).
 */
int	detect_run(struct store *s, const struct detect_opts *o,
	    detect_event_fn *fn, void *ctx, struct detect_stats *st);

/*
 * Pins the baseline of (signal, entity) to the median of its points in
 * [from, to), for who ("analyst:NAME"). *value gets the baseline (may be
 * NULL). Returns 0, LL_ENOTFOUND (no points there), LL_EINVAL, LL_EDB.
 */
int	detect_baseline_pin(struct store *s, const char *signal,
	    const char *entity, int64_t from, int64_t to, const char *who,
	    double *value);

/*
 * An analyst's step: "verified" (with a note) or "closed" of incident id
 * at time now. A closed incident is never reopened or changed by a run.
 * Returns 0, LL_ENOTFOUND, LL_EINVAL (closing twice, verifying a closed
 * one), LL_EDB.
 */
int	detect_incident_mark(struct store *s, int64_t id, const char *state,
	    const char *who, const char *note, int64_t now);

#endif
