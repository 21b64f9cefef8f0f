/*
 * Decoding ahead: one MRT file is read and decoded on a second thread into
 * batches of compact items (struct sig_item) while the engine applies the
 * previous batches on the caller's thread. Decoding and the engine cost
 * about the same, so a replay takes the longer of the two instead of their
 * sum.
 *
 * The threads share nothing but a ring of batches under one mutex: the
 * decoder fills a free batch, the engine empties a full one. Items are
 * self-contained copies, so the decoder may reuse its record buffers at
 * once. Bad records reported while a batch fills are copied into it and
 * handed to the caller's error callback on the caller's thread, before the
 * batch's items. Without a thread (pthread_create failed, or asked for),
 * the same batches are filled on the caller's thread when it needs one:
 * the items, their order and the reports are the same either way.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signal/sig_int.h"
#include "util/err.h"
#include "util/grow.h"
#include "util/time.h"

#define NBATCH		4
#define BATCH_ITEMS	8192	/* a batch closes after a record past it */
#define BATCH_ERRS	32	/* ... or when it holds this many reports */
#define PREFETCH	8	/* items ahead to hint the caches about */
#define RANGE_REPORTS	10	/* out-of-range records reported one by one */

struct perr {
	uint64_t	offset;
	int		code;
	char		what[512];
};

struct batch {
	struct sig_item	*it;
	size_t		 n, cap;
	struct perr	 err[BATCH_ERRS];
	size_t		 nerr;
	uint64_t	 raw_off;	/* input_raw_offset() after it */
	bool		 end;		/* the last one */
	int		 rc;		/* with end: the reader's last return */
};

struct sig_pump {
	struct input		*in;		/* not owned */
	struct mrt_reader	*r;
	const char		*name;
	mrt_error_fn		*on_error;
	void			*ctx;

	struct batch		 b[NBATCH];
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	size_t			 head;		/* next to empty */
	size_t			 full;		/* filled, not yet emptied */
	bool			 threaded;
	bool			 joined;
	pthread_t		 th;
	atomic_bool		 stop;

	/* decoder side */
	bool			 lean;
	bool			 strict;
	uint64_t		 nlean;		/* records sig_lean took */
	int64_t			 span;		/* time range: 0 = none */
	int64_t			 ref;		/* the last record kept */
	uint64_t		 nrange;	/* records out of the range */
	struct batch		*w;		/* being filled */
	size_t			 tail;
	struct sig_item		 peer;		/* the last PEER item made */
	bool			 have_peer;
	int			 fill_rc;	/* LL_ENOMEM while filling */

	/* caller side */
	struct batch		*cur;		/* being emptied, or NULL */
	size_t			 pos;
	uint32_t		 peer_idx;	/* engine index of the peer */
	bool			 peer_ok;
	bool			 ended;
	int			 end_rc;
	uint64_t		 raw_off;
	struct mrt_stats	 st;		/* the reader's, with nrange */
};

/* Decoder side. */

/* Hands the batch being filled to the caller and takes the next free one;
 * false when told to stop. */
static bool
publish(struct sig_pump *p)
{
	bool go;

	if (!p->threaded) {
		p->full++;
		return true;
	}
	pthread_mutex_lock(&p->mu);
	p->full++;
	pthread_cond_broadcast(&p->cv);
	while (p->full == NBATCH && !atomic_load(&p->stop))
		pthread_cond_wait(&p->cv, &p->mu);
	go = !atomic_load(&p->stop);
	pthread_mutex_unlock(&p->mu);
	if (go) {
		p->tail = (p->tail + 1) % NBATCH;
		p->w = &p->b[p->tail];
		p->w->n = p->w->nerr = 0;
	}
	return go;
}

static void
on_error(void *ctx, const struct mrt_error *e)
{
	struct sig_pump *p = ctx;
	struct perr *x;

	if (!p->threaded) {
		/* On the caller's thread already, while it waits for a
		 * batch: report now, as a threaded pump would at the batch's
		 * start. */
		if (p->on_error != NULL)
			p->on_error(p->ctx, e);
		return;
	}
	if (p->w->nerr == BATCH_ERRS) {
		p->w->raw_off = input_raw_offset(p->in);
		if (!publish(p))
			return;		/* stopping: nobody reads it */
	}
	x = &p->w->err[p->w->nerr++];
	x->offset = e->offset;
	x->code = e->code;
	snprintf(x->what, sizeof(x->what), "%s", e->what);
}

static struct sig_item *
add(struct sig_pump *p)
{
	struct batch *b = p->w;

	if (b->n == b->cap && ll_grow(&b->it, &b->cap, b->n + 1,
	    sizeof(*b->it)) != 0)
		return NULL;
	return &b->it[b->n++];
}

/* A PEER item when the element's peer is not the last one's. */
static int
peer_item(struct sig_pump *p, uint32_t ts, uint32_t asn,
    const struct net_addr *a)
{
	struct sig_item *it;

	if (p->have_peer && p->peer.val == asn && p->peer.af == a->af &&
	    memcmp(p->peer.a, a->a, 16) == 0)
		return 0;
	memset(&p->peer, 0, sizeof(p->peer));
	p->peer.kind = SIG_IT_PEER;
	p->peer.ts = ts;
	p->peer.val = asn;
	p->peer.af = a->af;
	memcpy(p->peer.a, a->a, 16);
	p->have_peer = true;
	if ((it = add(p)) == NULL)
		return LL_ENOMEM;
	*it = p->peer;
	return 0;
}

static int
on_elem(void *ctx, const struct mrt_elem *e)
{
	struct sig_pump *p = ctx;
	struct sig_item *it;
	int rc;

	if ((rc = peer_item(p, e->ts, e->peer->asn, &e->peer->addr)) != 0)
		return rc;
	if ((it = add(p)) == NULL)
		return LL_ENOMEM;
	sig_item_from(it, e);
	return 0;
}

static void
tick(struct sig_pump *p, uint32_t ts)
{
	struct sig_item *it = add(p);

	if (it == NULL) {
		p->fill_rc = LL_ENOMEM;
		return;
	}
	memset(it, 0, sizeof(*it));
	it->kind = SIG_IT_TICK;
	it->ts = ts;
}

/*
 * Is a record of time ts within the file's time range: no further than
 * span from the last record kept (at first, the reference sig_replay()
 * found)? When it is, it becomes the last record kept.
 */
static bool
in_range(struct sig_pump *p, uint32_t ts)
{
	int64_t d = (int64_t)ts - p->ref;

	if (p->span > 0 && (d > p->span || d < -p->span))
		return false;
	p->ref = ts;
	return true;
}

/* Reports a record out of the file's time range (the first RANGE_REPORTS
 * one by one, then that there are more) and counts it as bad. */
static void
out_of_range(struct sig_pump *p, const struct mrt_record *rec)
{
	char what[256], t[LL_ISO8601_LEN], r[LL_ISO8601_LEN];
	struct mrt_error e = { p->name, rec->offset, LL_EFORMAT, what };
	int64_t d = (int64_t)rec->ts - p->ref;

	if (++p->nrange > RANGE_REPORTS + 1)
		return;
	snprintf(what, sizeof(what), "timestamp %s is %s%.1f days from the "
	    "file's records around %s: out of the file's time range, "
	    "record skipped%s", ll_time_fmt(rec->ts, t, sizeof(t)),
	    d < 0 ? "-" : "+", (double)(d < 0 ? -d : d) / 86400.0,
	    ll_time_fmt(p->ref, r, sizeof(r)), p->nrange > RANGE_REPORTS ?
	    " (further ones are counted, not reported)" : "");
	on_error(p, &e);
}

/* The reader's fast path: the lean decode, its items written at once
 * (they point into the record). */
static int
lean(void *ctx, const uint8_t *rec, size_t len)
{
	struct sig_pump *p = ctx;
	struct mrt_lean l;
	struct batch *b = p->w;
	size_t n;

	if (p->fill_rc != 0 || !mrt_lean_decode(rec, len, &l) ||
	    !in_range(p, l.ts))
		return MRT_FAST_DECLINED;	/* the full decode takes it */
	p->nlean++;
	if ((n = sig_lean_count(&l)) == 0) {
		tick(p, l.ts);
		return MRT_FAST_TAKEN;
	}
	if (peer_item(p, l.ts, l.peer_asn, &l.peer) != 0 ||
	    ll_grow(&b->it, &b->cap, b->n + n, sizeof(*b->it)) != 0) {
		p->fill_rc = LL_ENOMEM;
		return MRT_FAST_TAKEN;
	}
	sig_lean_items(&l, b->it + b->n);
	b->n += n;
	return MRT_FAST_TAKEN;
}

/*
 * Fills batches until one is full enough (unthreaded: returns then) or the
 * file ends. Returns false when told to stop.
 */
static bool
fill(struct sig_pump *p)
{
	const struct mrt_record *rec;
	int rc;

	for (;;) {
		if (atomic_load_explicit(&p->stop, memory_order_relaxed))
			return false;
		rc = mrt_reader_next_fast(p->r, p->lean ? lean : NULL, p,
		    &rec);
		if (rc == MRT_NEXT_RECORD && !in_range(p, rec->ts)) {
			out_of_range(p, rec);
			if (p->strict)
				p->fill_rc = LL_EFORMAT;
		} else if (rc == MRT_NEXT_RECORD) {
			size_t n0 = p->w->n;
			int erc = mrt_record_elems(rec, on_elem, p);

			if (erc != 0)
				p->fill_rc = erc < 0 ? erc : LL_ENOMEM;
			else if (p->w->n == n0)
				tick(p, rec->ts);
		} else if (rc == MRT_NEXT_TAKEN) {
			rc = MRT_NEXT_RECORD;
		}
		if (p->fill_rc != 0)
			rc = p->fill_rc;
		if (rc == MRT_NEXT_RECORD && p->w->n < BATCH_ITEMS)
			continue;
		p->w->raw_off = input_raw_offset(p->in);
		if (rc != MRT_NEXT_RECORD) {
			p->w->end = true;
			p->w->rc = rc;
			(void)publish(p);
			return false;
		}
		if (!publish(p))
			return false;
		if (!p->threaded)
			return true;	/* the caller empties it first */
	}
}

static void *
decoder(void *arg)
{
	struct sig_pump *p = arg;

	while (fill(p))
		;
	return NULL;
}

/* Caller side. */

int
sig_pump_new(struct input *in, const char *name, bool strict,
    mrt_error_fn *err_fn, void *ctx, unsigned flags, struct sig_pump **out)
{
	struct sig_pump_cfg c = { strict, err_fn, ctx, flags, 0, 0 };

	return sig_pump_open(in, name, &c, out);
}

int
sig_pump_open(struct input *in, const char *name,
    const struct sig_pump_cfg *c, struct sig_pump **out)
{
	struct sig_pump *p = calloc(1, sizeof(*p));
	struct mrt_reader_opts ro = { 0 };
	int rc;

	if (p == NULL)
		return LL_ENOMEM;
	p->in = in;
	p->name = name;
	p->on_error = c->err_fn;
	p->ctx = c->ctx;
	p->w = &p->b[0];
	p->threaded = (c->flags & SIG_PUMP_THREAD) != 0;
	p->lean = (c->flags & SIG_PUMP_LEAN) != 0;
	p->strict = c->strict;
	p->span = c->span;
	p->ref = c->ref;
	ro.strict = c->strict;
	ro.on_error = on_error;
	ro.ctx = p;
	if ((rc = mrt_reader_new(in, name, &ro, &p->r)) != 0) {
		free(p);
		return rc;
	}
	if (pthread_mutex_init(&p->mu, NULL) != 0) {
		mrt_reader_free(p->r);
		free(p);
		return LL_ENOMEM;
	}
	if (pthread_cond_init(&p->cv, NULL) != 0) {
		pthread_mutex_destroy(&p->mu);
		mrt_reader_free(p->r);
		free(p);
		return LL_ENOMEM;
	}
	if (p->threaded && pthread_create(&p->th, NULL, decoder, p) != 0)
		p->threaded = false;
	p->joined = !p->threaded;
	*out = p;
	return 0;
}

static void
join(struct sig_pump *p)
{
	if (p->joined)
		return;
	pthread_mutex_lock(&p->mu);
	atomic_store(&p->stop, true);
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->th, NULL);
	p->joined = true;
}

/* Gives the emptied batch back and takes the next full one; reports its
 * bad records. Returns false at the end of the file. */
static bool
next_batch(struct sig_pump *p)
{
	struct batch *b;

	if (p->ended)
		return false;
	if (p->threaded) {
		pthread_mutex_lock(&p->mu);
		if (p->cur != NULL) {
			p->cur = NULL;
			p->full--;
			p->head = (p->head + 1) % NBATCH;
			pthread_cond_broadcast(&p->cv);
		}
		while (p->full == 0)
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
	} else {
		/* One batch, refilled in place. */
		if (p->cur != NULL) {
			p->cur = NULL;
			p->full--;
			p->w->n = p->w->nerr = 0;
		}
		if (p->full == 0)
			(void)fill(p);
	}
	b = &p->b[p->threaded ? p->head : 0];
	p->cur = b;
	p->pos = 0;
	p->raw_off = b->raw_off;
	for (size_t i = 0; i < b->nerr; i++) {
		struct mrt_error e = { p->name, b->err[i].offset,
		    b->err[i].code, b->err[i].what };

		if (p->on_error != NULL)
			p->on_error(p->ctx, &e);
	}
	if (b->end) {
		p->ended = true;
		p->end_rc = p->fill_rc != 0 ? p->fill_rc : b->rc;
		if (p->threaded)
			join(p);
	}
	return true;
}

int
sig_pump_head(struct sig_pump *p, uint32_t *ts)
{
	while (p->cur == NULL || p->pos == p->cur->n)
		if (!next_batch(p))
			return 0;
	*ts = p->cur->it[p->pos].ts;
	return 1;
}

int
sig_pump_run(struct sig_pump *p, struct sig *s, uint16_t collector)
{
	uint32_t ts, next;
	int rc;

	if (sig_pump_head(p, &ts) != 1)
		return 0;
	do {
		const struct sig_item *it = p->cur->it, *end = it + p->cur->n;

		for (it += p->pos; it < end && it->ts == ts; it++) {
			if (it + PREFETCH < end)
				sig_prefetch(s, it + PREFETCH);
			if (it->kind == SIG_IT_PEER) {
				struct mrt_peer mp;

				memset(&mp, 0, sizeof(mp));
				mp.asn = it->val;
				mp.addr.af = it->af;
				memcpy(mp.addr.a, it->a, 16);
				if ((rc = sig_peer_get(s, collector, &mp,
				    &p->peer_idx)) != 0)
					return rc;
				p->peer_ok = true;
				continue;
			}
			if (!p->peer_ok && it->kind != SIG_IT_TICK)
				return LL_EINVAL;
			if ((rc = sig_apply(s, collector, p->peer_idx,
			    it)) != 0) {
				p->pos = (size_t)(it - p->cur->it) + 1;
				return rc;
			}
		}
		p->pos = (size_t)(it - p->cur->it);
		if (it < end)
			return 0;	/* the next record is later */
	} while (sig_pump_head(p, &next) == 1 && next == ts);
	return 0;
}

int
sig_pump_end(const struct sig_pump *p)
{
	return p->end_rc;
}

const struct mrt_stats *
sig_pump_stats(struct sig_pump *p)
{
	p->st = *mrt_reader_stats(p->r);
	p->st.records -= p->nrange;
	p->st.bad += p->nrange;
	return &p->st;
}

uint64_t
sig_pump_lean_records(const struct sig_pump *p)
{
	return p->nlean;
}

uint64_t
sig_pump_raw_offset(const struct sig_pump *p)
{
	return p->raw_off;
}

void
sig_pump_free(struct sig_pump *p)
{
	if (p == NULL)
		return;
	if (p->threaded)
		join(p);
	mrt_reader_free(p->r);
	for (size_t i = 0; i < NBATCH; i++)
		free(p->b[i].it);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
