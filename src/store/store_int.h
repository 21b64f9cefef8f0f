/*
 * Inside the store: the backend vtable. store.c checks arguments and
 * transaction state, then calls the backend; a backend only does the
 * database work and sets the message with store_seterr().
 */
#ifndef LL_STORE_STORE_INT_H
#define LL_STORE_STORE_INT_H

#include "store/store.h"

struct store_ops {
	const char *name;
	void	(*close)(struct store *s);
	int	(*tx_begin)(struct store *s);
	int	(*tx_commit)(struct store *s);
	int	(*tx_rollback)(struct store *s);
	int	(*points_put)(struct store *s, const char *signal,
		    const char *source, const struct store_point *pts,
		    size_t n);
	int	(*points_scan)(struct store *s, const char *signal,
		    const char *entity, int64_t from, int64_t to,
		    store_point_fn *fn, void *ctx);
	int	(*points_delete)(struct store *s, const char *signal,
		    const char *entity, int64_t from, int64_t to);
	int	(*series_list)(struct store *s, const char *signal,
		    store_series_fn *fn, void *ctx);
	/* optional (NULL: series_list does) */
	int	(*series_extent)(struct store *s, const char *signal,
		    store_series_fn *fn, void *ctx);
	int	(*archive_get)(struct store *s, const char *sha256,
		    struct store_archive *out);
	int	(*archive_record)(struct store *s,
		    const struct store_archive *a);
	int	(*archive_list)(struct store *s, store_archive_fn *fn,
		    void *ctx);
	int	(*archive_delete)(struct store *s, const char *sha256);
	int	(*meta_get)(struct store *s, const char *key, char *buf,
		    size_t len);
	int	(*meta_set)(struct store *s, const char *key,
		    const char *value);
	int	(*meta_list)(struct store *s, store_meta_fn *fn, void *ctx);
	int	(*gap_put)(struct store *s, const struct store_gap *g);
	int	(*gap_delete)(struct store *s, const char *signal,
		    int64_t from, int64_t to);
	int	(*gap_list)(struct store *s, const char *signal, int64_t from,
		    int64_t to, store_gap_fn *fn, void *ctx);
	int	(*dstate_put)(struct store *s, const struct store_dstate *d);
	int	(*dstate_list)(struct store *s, store_dstate_fn *fn, void *ctx);
	int	(*alert_put)(struct store *s, const struct store_alert *a);
	int	(*alert_list)(struct store *s, const char *entity, int64_t from,
		    int64_t to, store_alert_fn *fn, void *ctx);
	int	(*baseline_put)(struct store *s,
		    const struct store_baseline *b);
	int	(*baseline_list)(struct store *s, const char *signal,
		    store_baseline_fn *fn, void *ctx);
	int	(*incident_put)(struct store *s, struct store_incident *inc);
	int	(*incident_list)(struct store *s, int64_t id,
		    store_incident_fn *fn, void *ctx);
	int	(*transition_put)(struct store *s,
		    const struct store_transition *t);
	int	(*transition_list)(struct store *s, int64_t incident,
		    store_transition_fn *fn, void *ctx);
	int	(*kind_put)(struct store *s, const struct store_kind *k);
	int	(*kind_list)(struct store *s, const char *name,
		    store_kind_fn *fn, void *ctx);
	/* events (schema version 8) */
	int	(*event_put)(struct store *s, const struct store_event *e);
	int	(*event_list)(struct store *s, const char *kind_prefix,
		    int64_t from, int64_t to, store_event_fn *fn, void *ctx);
	int	(*evidence_append)(struct store *s, const uint8_t *rec,
		    size_t len, int64_t *seq);
	int	(*evidence_scan)(struct store *s, store_evidence_fn *fn,
		    void *ctx);
	/* impact (schema version 10) */
	int	(*users_put)(struct store *s, const struct store_users *u);
	int	(*users_list)(struct store *s, const char *cc, uint32_t asn,
		    store_users_fn *fn, void *ctx);
	int	(*country_put)(struct store *s,
		    const struct store_country *c);
	int	(*country_list)(struct store *s, const char *cc,
		    store_country_fn *fn, void *ctx);
	int	(*impact_put)(struct store *s, const struct store_impact *f);
	int	(*impact_delete)(struct store *s, int64_t incident);
	int	(*impact_list)(struct store *s, int64_t incident,
		    store_impact_fn *fn, void *ctx);
};

struct store {
	const struct store_ops	*ops;
	void			*be;		/* the backend's state */
	bool			 in_tx;
	int			 version;	/* schema version */
	char			 errmsg[512];
};

/* Sets s->errmsg (printf-style) and returns rc. */
int	store_seterr(struct store *s, int rc, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* The SQLite backend: opens path into s (s->ops, s->be, s->version).
 * Returns 0 or LL_E* with s->errmsg set. */
int	store_sqlite_open(struct store *s, const char *path, unsigned flags);

/* The PostgreSQL backend: connects to url (a postgresql:// URL) into s,
 * likewise. */
int	store_pg_open(struct store *s, const char *url, unsigned flags);

/* Newest schema version of the PostgreSQL backend (the SQLite one's). */
int	store_pg_latest(void);

/* Newest schema version of the SQLite backend. */
int	store_sqlite_latest(void);

#endif
