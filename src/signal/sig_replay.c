/*
 * Replay of MRT archives into the engine: every file is peeked (first
 * record: time, RIB or updates, collector), then all are merged by record
 * time, a file being opened only when the replay reaches its first record,
 * so only files overlapping in time are open together. Each open file is
 * decoded ahead on its own thread (sig_pump.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "signal/sig_int.h"
#include "util/err.h"
#include "input/input.h"

struct rfile {
	struct sig_file		 f;
	size_t			 order;
	uint16_t		 coll;
	struct input		*in;
	struct mrt_reader	*r;		/* peeking */
	struct sig_pump		*pump;		/* replaying */
	uint32_t		 head;		/* time of the pending items */
	bool			 rib_open;
};

struct replay {
	struct sig			*s;
	const struct sig_replay_opts	*o;
	struct rfile			*files;
	size_t				 n;
	uint64_t			 total, done_closed;
	uint64_t			 tick;
};

static bool
is_stop_word(const char *t, size_t n)
{
	static const char *const stop[] = { "updates", "update", "rib", "ribs",
	    "bview", "bgpdata", "gz", "bz2", "xz", "zst", "mrt", "cache",
	    "UPDATES", "RIBS", NULL };

	for (int i = 0; stop[i] != NULL; i++)
		if (strlen(stop[i]) == n && strncmp(stop[i], t, n) == 0)
			return true;
	return false;
}

static bool
is_alpha_token(const char *t, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' &&
		    t[i] <= 'Z') || (i > 0 && t[i] >= '0' && t[i] <= '9')))
			return false;
	return true;
}

void
sig_collector_from_path(const char *path, char *buf, size_t len)
{
	const char *tok[64];
	size_t tlen[64], nt = 0;
	const char *p = path;

	buf[0] = '\0';
	while (*p && nt < 64) {
		size_t n = strcspn(p, "/.");

		tok[nt] = p;
		tlen[nt++] = n;
		p += n;
		if (*p)
			p++;
	}
	for (size_t i = 0; i < nt; i++) {
		const char *t = tok[i];
		size_t n = tlen[i];

		if (n >= 4 && n <= 6 && strncmp(t, "rrc", 3) == 0 &&
		    strspn(t + 3, "0123456789") == n - 3) {
			snprintf(buf, len, "%.*s", (int)n, t);
		} else if (n >= 11 && strncmp(t, "route-views", 11) == 0 &&
		    n < 40) {
			if (n == 11 && i + 1 < nt &&
			    is_alpha_token(tok[i + 1], tlen[i + 1]) &&
			    !is_stop_word(tok[i + 1], tlen[i + 1]) &&
			    tlen[i + 1] < 24)
				snprintf(buf, len, "route-views.%.*s",
				    (int)tlen[i + 1], tok[i + 1]);
			else
				snprintf(buf, len, "%.*s", (int)n, t);
		}
	}
}

static void
quiet_error(void *ctx, const struct mrt_error *e)
{
	(void)ctx;
	(void)e;
}

static void
close_file(struct rfile *f)
{
	sig_pump_free(f->pump);		/* first: it stops the thread */
	mrt_reader_free(f->r);
	input_free(f->in);
	f->pump = NULL;
	f->r = NULL;
	f->in = NULL;
}

/* Opens f to peek (a reader that reports nothing) or to replay (a pump). */
static int
open_file(struct rfile *f, const struct sig_replay_opts *o, bool peek)
{
	struct mrt_reader_opts ro = { 0 };
	int rc;

	if ((rc = input_open(f->f.path, NULL, &f->in)) != 0)
		return rc;
	ro.on_error = quiet_error;
	if (peek)
		rc = mrt_reader_new(f->in, f->f.path, &ro, &f->r);
	else
		rc = sig_pump_new(f->in, f->f.path, o->strict, o->on_error,
		    o->ctx, SIG_PUMP_LEAN | (o->one_thread ? 0 :
		    SIG_PUMP_THREAD), &f->pump);
	if (rc != 0) {
		close_file(f);
		return rc;
	}
	return 0;
}

/* Peeks the first record: time, kind, collector. */
static void
peek_file(struct rfile *f, const struct sig_replay_opts *o)
{
	const struct mrt_record *rec;
	struct stat sb;
	int rc;

	f->f.errmsg = "";
	if (stat(f->f.path, &sb) == 0)
		f->f.size = (uint64_t)sb.st_size;
	if (o->collector != NULL)
		snprintf(f->f.collector, sizeof(f->f.collector), "%s",
		    o->collector);
	else
		sig_collector_from_path(f->f.path, f->f.collector,
		    sizeof(f->f.collector));
	if ((rc = open_file(f, o, true)) != 0) {
		f->f.sys_errno = errno;
		f->f.rc = rc;
		return;
	}
	rc = mrt_reader_next(f->r, &rec);
	if (rc == 1) {
		f->f.first_ts = f->f.last_ts = rec->ts;
		f->f.rib = rec->kind == MRT_K_PEER_INDEX ||
		    rec->kind == MRT_K_RIB;
	} else {
		f->f.empty = true;
	}
	close_file(f);
	/*
	 * No name in the path: the files of one directory are one collector
	 * (archives keep a collector per directory), so that a RIB dump and
	 * the update files beside it replay together. Only a RIB carries a
	 * collector id, so it cannot be the key.
	 */
	if (f->f.collector[0] == '\0') {
		const char *slash = strrchr(f->f.path, '/');
		int n = slash == NULL ? 1 : (int)(slash - f->f.path);
		snprintf(f->f.collector, sizeof(f->f.collector), "dir:%.*s", n,
		    slash == NULL ? "." : f->f.path);
	}
}

static int
cmp_files(const void *a, const void *b)
{
	const struct rfile *x = a, *y = b;

	if (x->f.empty != y->f.empty)
		return x->f.empty ? -1 : 1;
	if (x->f.first_ts != y->f.first_ts)
		return x->f.first_ts < y->f.first_ts ? -1 : 1;
	if (x->f.rib != y->f.rib)
		return x->f.rib ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

/* Is a's pending record due before b's? */
static bool
due_before(const struct rfile *a, const struct rfile *b)
{
	if (a->head != b->head)
		return a->head < b->head;
	if (a->f.rib != b->f.rib)
		return a->f.rib;
	return a->order < b->order;
}

/* Ends a file: RIB end, statistics, callback. */
static int
finish_file(struct replay *rp, struct rfile *f, int rc)
{
	const struct mrt_stats *st;
	int rc2 = 0;

	if (f->pump != NULL) {
		st = sig_pump_stats(f->pump);
		f->f.records = st->records;
		f->f.bad = st->bad;
	}
	if (rc < 0 && f->in != NULL)
		f->f.errmsg = input_errmsg(f->in);
	f->f.rc = rc < 0 ? rc : 0;
	if (f->rib_open) {
		rc2 = sig_rib_end(rp->s, f->coll);
		f->rib_open = false;
	}
	if (rp->o->on_file != NULL)
		rp->o->on_file(rp->o->ctx, &f->f);
	if (f->in != NULL)
		rp->done_closed += input_raw_offset(f->in);
	close_file(f);
	return rc2;
}

/* Finds the time of f's next items; ends the file when none (live false).
 * Returns 0, or the error that must stop the replay. */
static int
next_record(struct replay *rp, struct rfile *f, int *soft, bool *live)
{
	int rc;

	if (sig_pump_head(f->pump, &f->head) == 1) {
		f->f.last_ts = f->head;
		*live = true;
		return 0;
	}
	*live = false;
	rc = sig_pump_end(f->pump);
	if (rc < 0 && *soft == 0)
		*soft = rc;
	if ((rc = finish_file(rp, f, rc)) != 0)
		return rc;
	if (*soft != 0 && rp->o->strict)
		return *soft;
	return 0;
}

static void
progress(struct replay *rp, struct rfile **act, size_t nact)
{
	uint64_t done = rp->done_closed;

	if (rp->o->on_progress == NULL || (++rp->tick & 4095) != 0)
		return;
	for (size_t i = 0; i < nact; i++)
		done += sig_pump_raw_offset(act[i]->pump);
	rp->o->on_progress(rp->o->ctx, done, rp->total);
}

static int
start_file(struct replay *rp, struct rfile *f, int *soft, bool *live)
{
	int rc;

	*live = false;
	if ((rc = sig_collector(rp->s, f->f.collector, &f->coll)) != 0)
		return rc;
	if ((rc = open_file(f, rp->o, false)) != 0) {
		if (*soft == 0)
			*soft = rc;
		f->f.rc = rc;
		if (rp->o->on_file != NULL)
			rp->o->on_file(rp->o->ctx, &f->f);
		return rp->o->strict ? rc : 0;
	}
	if (f->f.rib) {
		if ((rc = sig_rib_begin(rp->s, f->coll)) != 0)
			return rc;
		f->rib_open = true;
	}
	return next_record(rp, f, soft, live);
}

static int
merge(struct replay *rp, struct rfile **act, int *soft)
{
	size_t next = 0, nact = 0;
	int rc;

	for (;;) {
		struct rfile *best = NULL;
		size_t bi = 0;
		bool live;

		for (size_t i = 0; i < nact; i++) {
			if (best == NULL || due_before(act[i], best)) {
				best = act[i];
				bi = i;
			}
		}
		if (next < rp->n && (best == NULL || rp->files[next].f.empty ||
		    rp->files[next].f.first_ts <= (int64_t)best->head)) {
			struct rfile *f = &rp->files[next++];

			if ((rc = start_file(rp, f, soft, &live)) != 0)
				return rc;
			if (live)
				act[nact++] = f;
			continue;
		}
		if (best == NULL)
			return 0;
		/* Every record of best at this second: no other file's
		 * record of the same second is due before them. */
		if ((rc = sig_pump_run(best->pump, rp->s, best->coll)) != 0)
			return rc;
		if ((rc = next_record(rp, best, soft, &live)) != 0)
			return rc;
		if (!live)
			act[bi] = act[--nact];
		progress(rp, act, nact);
	}
}

int
sig_replay(struct sig *s, const char *const *files, size_t n,
    const struct sig_replay_opts *opts)
{
	struct sig_replay_opts none = { 0 };
	struct replay rp = { 0 };
	struct rfile **act = NULL;
	size_t live = 0;
	int rc = 0, soft = 0;

	rp.s = s;
	rp.o = opts != NULL ? opts : &none;
	rp.files = calloc(n + 1, sizeof(*rp.files));
	act = calloc(n + 1, sizeof(*act));
	if (rp.files == NULL || act == NULL) {
		rc = LL_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct rfile *f = &rp.files[live];

		f->f.path = files[i];
		f->order = i;
		peek_file(f, rp.o);
		rp.total += f->f.size;
		if (f->f.rc != 0) {
			/* Unreadable: reported now. */
			if (soft == 0)
				soft = f->f.rc;
			if (rp.o->on_file != NULL)
				rp.o->on_file(rp.o->ctx, &f->f);
			if (rp.o->strict) {
				rc = f->f.rc;
				goto out;
			}
			/* The next file takes this slot: none of this
			 * file's failure may stay in it. */
			memset(f, 0, sizeof(*f));
			continue;
		}
		/* A file with no sound record is still read, first, so that
		 * its bad records are reported. */
		live++;
	}
	rp.n = live;
	qsort(rp.files, rp.n, sizeof(*rp.files), cmp_files);
	for (size_t i = 0; rp.o->on_plan != NULL && i < rp.n; i++)
		rp.o->on_plan(rp.o->ctx, &rp.files[i].f);
	if ((rc = merge(&rp, act, &soft)) != 0)
		goto out;
	rc = sig_finish(s);
out:
	for (size_t i = 0; rp.files != NULL && i < rp.n; i++)
		close_file(&rp.files[i]);
	free(rp.files);
	free(act);
	return rc != 0 ? rc : soft;
}
