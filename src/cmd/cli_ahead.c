/*
 * Reading ahead for routing check: the archive is read, framed and
 * lean-decoded, and the facts of each record's AS path worked out, on the
 * caller's thread while a second thread feeds the records already read to
 * the monitors. Each side is about half of the work, so a run takes about
 * the longer of the two instead of their sum.
 *
 * The threads share a ring of batches under one mutex. A batch holds the
 * records' lean decodes, pointing into copies of their bytes, so that the
 * reader may reuse its buffers at once; a plain file is mapped whole
 * (input_mapped()), and its records are read in place. A BGP4MP record
 * the lean reading declines (a state change, an update it does not read)
 * goes into the batch whole, to be decoded in full on the feeding thread:
 * its decode needs nothing from the records before it. Any other record
 * (a RIB entry, which needs the file's peer table) is decoded by the
 * reader and fed on the caller's thread once the feeding thread has
 * emptied the ring. Either way the monitors see every record in the
 * archive's order, and only one thread touches them at a time. Without
 * a thread (pthread_create failed, or asked for) each batch is fed on the
 * caller's thread when it is full: the same records in the same order.
 * After a feeding error nothing more is fed, and the reader stops.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/cmd_routing.h"
#include "input/input.h"
#include "mrt/mrt.h"
#include "routing/routing.h"
#include "util/err.h"

#define NBATCH		16	/* deep enough to absorb the two threads'
				   swings in speed: 0.37 s on the bench
				   corpus, 0.39 s with 4 of 1024 records */
#define BATCH_BYTES	(64u << 10)	/* records' bytes a batch holds */
#define BATCH_RECS	512

/* A record read ahead: lean-decoded, or (full) to decode in full. */
struct aitem {
	struct mrt_lean			l;
	struct routing_lean_facts	f;
	const uint8_t	*raw;
	size_t		 len;
	bool		 full;
};

struct abatch {
	uint8_t		*buf;		/* BATCH_BYTES */
	size_t		 used;
	struct aitem	*it;		/* BATCH_RECS */
	size_t		 n;
};

struct ahead {
	const struct cli_elems	*ed;
	const struct cli_lean_ops *ops;

	struct mrt_decoder	*rdec;		/* the reading thread's */
	struct mrt_decoder	*fdec;		/* the feeding thread's */
	struct abatch		 b[NBATCH];
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	size_t			 head;		/* next to feed */
	size_t			 full;		/* filled, not yet fed */
	bool			 end;		/* no batch will come */
	bool			 threaded;
	pthread_t		 th;
	int			 frc;		/* the first error feeding */
	atomic_bool		 failed;	/* frc is set */
	size_t			 tail;		/* being filled */
	bool			 mapped;	/* records are read in place
						   (input_mapped()) */
};

/* Feeds one batch's records to the monitors. Returns 0 or the first
 * error of ops->feed or ed->fn. */
static int
feed(struct ahead *a, struct abatch *b)
{
	const struct mrt_record *rec;
	const char *what;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < b->n; i++) {
		const struct aitem *it = &b->it[i];

		if (!it->full)
			rc = a->ops->feed(a->ed->ctx, &it->l, &it->f);
		else if (mrt_decode(a->fdec, it->raw, it->len, &rec, &what) ==
		    MRT_DEC_RECORD)
			rc = mrt_record_elems(rec, a->ed->fn, a->ed->ctx);
		else
			rc = LL_EFORMAT;	/* it decoded when read */
	}
	b->n = 0;
	b->used = 0;
	return rc;
}

static void *
feeder(void *arg)
{
	struct ahead *a = arg;

	pthread_mutex_lock(&a->mu);
	for (;;) {
		struct abatch *b;
		int rc;

		while (a->full == 0 && !a->end)
			pthread_cond_wait(&a->cv, &a->mu);
		if (a->full == 0)
			break;
		b = &a->b[a->head];
		pthread_mutex_unlock(&a->mu);
		rc = a->frc == 0 ? feed(a, b) : 0;
		pthread_mutex_lock(&a->mu);
		if (rc != 0 && a->frc == 0) {
			a->frc = rc;
			atomic_store(&a->failed, true);
		}
		b->n = 0;
		b->used = 0;
		a->head = (a->head + 1) % NBATCH;
		a->full--;
		pthread_cond_broadcast(&a->cv);
	}
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

/* Hands the batch being filled to the feeder (fed here when there is no
 * thread), and waits for a free one. Returns 0 or the feeding error. */
static int
publish(struct ahead *a)
{
	struct abatch *b = &a->b[a->tail];
	int rc;

	if (!a->threaded) {
		if (b->n > 0 && a->frc == 0 && (rc = feed(a, b)) != 0) {
			a->frc = rc;
			atomic_store(&a->failed, true);
		}
		b->n = 0;
		b->used = 0;
		return a->frc;
	}
	pthread_mutex_lock(&a->mu);
	if (b->n > 0) {
		a->full++;
		a->tail = (a->tail + 1) % NBATCH;
		pthread_cond_broadcast(&a->cv);
		while (a->full == NBATCH)
			pthread_cond_wait(&a->cv, &a->mu);
	}
	rc = a->frc;	/* the feeder's, under the lock */
	pthread_mutex_unlock(&a->mu);
	return rc;
}

/* Waits until every record read so far has been fed. Returns 0 or the
 * feeding error. */
static int
drain(struct ahead *a)
{
	int rc;

	if ((rc = publish(a)) != 0 || !a->threaded)
		return rc;
	pthread_mutex_lock(&a->mu);
	while (a->full > 0)
		pthread_cond_wait(&a->cv, &a->mu);
	rc = a->frc;
	pthread_mutex_unlock(&a->mu);
	return rc;
}

/* Whether the record in buf is a BGP4MP record that decodes in full, as
 * the reader would decode it (no state from earlier records). */
static bool
whole(struct ahead *a, const uint8_t *buf, size_t len)
{
	const struct mrt_record *rec;
	const char *what;
	unsigned type = len >= 6 ? (unsigned)buf[4] << 8 | buf[5] : 0;

	return (type == MRT_T_BGP4MP || type == MRT_T_BGP4MP_ET) &&
	    mrt_decode(a->rdec, buf, len, &rec, &what) == MRT_DEC_RECORD;
}

/* The reader's offer of a framed record: copied into the batch being
 * filled and lean-decoded there, or declined (decoded in full). */
static int
take(void *ctx, const uint8_t *rec, size_t len)
{
	struct ahead *a = ctx;
	struct abatch *b = &a->b[a->tail];
	struct aitem *it;
	const uint8_t *at = rec;

	if (atomic_load_explicit(&a->failed, memory_order_relaxed))
		return MRT_FAST_DECLINED;
	if (len > BATCH_BYTES && !a->mapped)
		return MRT_FAST_DECLINED;
	if ((b->n == BATCH_RECS || b->used + len > BATCH_BYTES) &&
	    publish(a) != 0)
		return MRT_FAST_DECLINED;
	b = &a->b[a->tail];
	it = &b->it[b->n];
	if (!a->mapped) {
		memcpy(b->buf + b->used, rec, len);
		at = b->buf + b->used;
	}
	it->raw = at;
	it->len = len;
	it->full = !mrt_lean_decode(at, len, &it->l) ||
	    !a->ops->prep(a->ops->pctx, &it->l, &it->f);
	if (it->full && !whole(a, at, len))
		return MRT_FAST_DECLINED;
	b->used += a->mapped ? 0 : len;
	b->n++;
	return MRT_FAST_TAKEN;
}

static void
ahead_free(struct ahead *a)
{
	for (int i = 0; i < NBATCH; i++) {
		free(a->b[i].buf);
		free(a->b[i].it);
	}
	mrt_decoder_free(a->rdec);
	mrt_decoder_free(a->fdec);
}

/* Stops the feeder after the batches handed to it. Returns the feeding
 * error, or 0. */
static int
ahead_end(struct ahead *a)
{
	int rc = publish(a);

	if (!a->threaded)
		return rc;
	pthread_mutex_lock(&a->mu);
	a->end = true;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->th, NULL);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	return a->frc;
}

int
cli_archive_lean(const char *path, const struct cli_elems *ed,
    const struct cli_lean_ops *ops, struct progress *pg)
{
	struct mrt_reader_opts o = { ed->strict, 0, ed->quiet ? NULL :
	    cli_mrt_error, NULL };
	const struct mrt_record *rec;
	struct mrt_reader *r = NULL;
	struct input *in = NULL;
	struct ahead a;
	uint64_t n = 0;
	int rc = 0, ex = 0, frc = 0;

	memset(&a, 0, sizeof(a));
	a.ed = ed;
	a.ops = ops;
	for (int i = 0; i < NBATCH && rc == 0; i++)
		if ((a.b[i].buf = malloc(BATCH_BYTES)) == NULL ||
		    (a.b[i].it = calloc(BATCH_RECS, sizeof(*a.b[i].it))) ==
		    NULL)
			rc = LL_ENOMEM;
	if (rc != 0 || mrt_decoder_new(&a.rdec) != 0 ||
	    mrt_decoder_new(&a.fdec) != 0) {
		ahead_free(&a);
		cli_err("%s: out of memory", path);
		return EXIT_FAIL;
	}
	if ((rc = input_open(path, NULL, &in)) != 0 ||
	    (rc = mrt_reader_new(in, path, &o, &r)) != 0) {
		cli_err("%s: %s", path, *input_errmsg(in) ? input_errmsg(in) :
		    rc == LL_EIO ? strerror(errno) : ll_strerror(rc));
		input_free(in);
		ahead_free(&a);
		return EXIT_FAIL;
	}
	a.mapped = input_mapped(in);
	if (!ops->one_thread && pthread_mutex_init(&a.mu, NULL) == 0) {
		if (pthread_cond_init(&a.cv, NULL) != 0)
			pthread_mutex_destroy(&a.mu);
		else if (pthread_create(&a.th, NULL, feeder, &a) == 0)
			a.threaded = true;
		else {
			pthread_cond_destroy(&a.cv);
			pthread_mutex_destroy(&a.mu);
		}
	}
	while ((rc = mrt_reader_next_fast(r, take, &a, &rec)) ==
	    MRT_NEXT_RECORD || rc == MRT_NEXT_TAKEN) {
		if (atomic_load_explicit(&a.failed, memory_order_relaxed))
			break;
		/* a record read in full: fed here, after those before it */
		if (rc == MRT_NEXT_RECORD && ((frc = drain(&a)) != 0 ||
		    (frc = mrt_record_elems(rec, ed->fn, ed->ctx)) != 0))
			break;
		if ((++n & 0xfff) == 0)
			progress_update(pg, path, input_raw_offset(in),
			    input_raw_size(in));
	}
	if (frc == 0)
		frc = ahead_end(&a);
	else
		(void)ahead_end(&a);
	progress_done(pg);
	if (mrt_reader_stats(r)->bad > 0 || rc < 0)
		ex = EXIT_DATA;
	mrt_reader_free(r);
	input_free(in);
	ahead_free(&a);
	if (frc != 0) {
		cli_err("%s: %s", path, ll_strerror(frc));
		return EXIT_FAIL;
	}
	return ex;
}
