/*
 * Replay of MRT archives into the engine: every file is peeked (first
 * record: time, RIB or updates, collector), then all are merged by record
 * time, a file being opened only when the replay reaches its first record,
 * so only files overlapping in time are open together. Each open file is
 * decoded ahead on its own thread (sig_pump.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "signal/sig_int.h"
#include "util/err.h"
#include "input/input.h"
#include "util/time.h"

/*
 * A file's time range (docs/signals.md): its reference time is the median
 * timestamp of its first PEEK_RECORDS sound records (so that a few damaged
 * timestamps among them do not move it); a record further than RANGE_SPAN
 * from the last record kept (at first, from the reference) is out of the
 * range: reported and skipped.
 */
#define PEEK_RECORDS	15
#define RANGE_SPAN	86400

struct rfile {
	struct sig_file		 f;
	const char		*open_path;	/* where its bytes are */
	size_t			 order;
	uint16_t		 coll;
	struct input		*in;
	struct mrt_reader	*r;		/* peeking */
	struct sig_pump		*pump;		/* replaying */
	uint32_t		 head;		/* time of the pending items */
	int64_t			 ref;		/* reference time (peeked) */
	size_t			 ci;		/* index in replay.coll */
	bool			 rib_open;
};

/* A collector's warm-up (need_table): from which bin its bins count. */
struct rcoll {
	const char	*name;		/* a file's collector */
	int64_t		 first;		/* bin of its first record */
	int64_t		 ready;		/* first bin that counts */
	bool		 have_ready;
	bool		 by_rib;	/* ready from a RIB dump's end */
};

struct replay {
	struct sig			*s;
	const struct sig_replay_opts	*o;
	struct rfile			*files;
	size_t				 n;
	uint64_t			 total, done_closed;
	uint64_t			 tick;
	/* need_table: the engine's emit, wrapped by gate() */
	struct rcoll			*coll;
	size_t				 ncoll;
	sig_emit_fn			*emit;
	void				*ectx;
	int64_t				 memo_t;
	bool				 memo_cold, have_memo;
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
	struct sig_pump_cfg pc = { o->strict, o->on_error, o->ctx,
	    SIG_PUMP_LEAN | (o->one_thread ? 0 : SIG_PUMP_THREAD), f->ref,
	    RANGE_SPAN };
	int rc;

	if ((rc = input_open(f->open_path, NULL, &f->in)) != 0)
		return rc;
	ro.on_error = quiet_error;
	if (peek)
		rc = mrt_reader_new(f->in, f->f.path, &ro, &f->r);
	else
		rc = sig_pump_open(f->in, f->f.path, &pc, &f->pump);
	if (rc != 0) {
		close_file(f);
		return rc;
	}
	return 0;
}

/*
 * No name in the path: the files of one directory are one collector
 * (archives keep a collector per directory), so that a RIB dump and the
 * update files beside it replay together. Only a RIB carries a collector
 * id, so it cannot be the key. The directory is the real one (realpath):
 * "sim/bview...", "./sim/updates..." and "/abs/sim/updates..." are one
 * directory. A name too long for buf keeps its end and a hash of the
 * whole.
 */
static void
dir_collector(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');
	char *dir, *real;
	size_t n = slash == NULL ? 0 : (size_t)(slash - path);
	uint64_t h = 0xcbf29ce484222325u;	/* FNV-1a */
	size_t rl;

	if ((dir = malloc(n + 2)) == NULL) {
		snprintf(buf, len, "dir:");
		return;
	}
	if (slash == NULL)
		memcpy(dir, ".", 2);
	else if (n == 0)
		memcpy(dir, "/", 2);
	else {
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	real = realpath(dir, NULL);
	if (real == NULL) {
		real = dir;
		dir = NULL;
	}
	rl = strlen(real);
	if (rl + 5 <= len) {
		snprintf(buf, len, "dir:%s", real);
	} else {
		for (size_t i = 0; i < rl; i++)
			h = (h ^ (uint8_t)real[i]) * 0x100000001b3u;
		snprintf(buf, len, "dir:%016" PRIx64 ":%s", h,
		    real + rl - (len - 22));
	}
	free(real);
	free(dir);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/*
 * Reads the first sound records: the kind of the first, the reference
 * time (their median), and the first one's time within the range.
 */
static void
peek_records(struct rfile *f)
{
	const struct mrt_record *rec;
	int64_t ts[PEEK_RECORDS], sorted[PEEK_RECORDS];
	size_t n = 0;

	while (n < PEEK_RECORDS && mrt_reader_next(f->r, &rec) == 1) {
		if (n == 0)
			f->f.rib = rec->kind == MRT_K_PEER_INDEX ||
			    rec->kind == MRT_K_RIB;
		ts[n++] = rec->ts;
	}
	if (n == 0) {
		f->f.empty = true;
		return;
	}
	memcpy(sorted, ts, n * sizeof(*ts));
	qsort(sorted, n, sizeof(*sorted), cmp_i64);
	f->ref = sorted[(n - 1) / 2];
	for (size_t i = 0; i < n; i++) {
		if (ts[i] - f->ref <= RANGE_SPAN &&
		    f->ref - ts[i] <= RANGE_SPAN) {
			f->f.first_ts = f->f.last_ts = ts[i];
			break;
		}
	}
}

/* Peeks the first records: time, kind, collector. */
static void
peek_file(struct rfile *f, const struct sig_replay_opts *o)
{
	struct stat sb;
	int rc;

	f->f.errmsg = "";
	if (stat(f->open_path, &sb) == 0)
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
	peek_records(f);
	close_file(f);
	if (f->f.collector[0] == '\0')
		dir_collector(f->f.path, f->f.collector, sizeof(f->f.collector));
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

/* Collectors and when their bins start to count (need_table). */
static int
plan_collectors(struct replay *rp)
{
	const int64_t bin = rp->s->o.bin;

	rp->coll = calloc(rp->n + 1, sizeof(*rp->coll));
	if (rp->coll == NULL)
		return LL_ENOMEM;
	for (size_t i = 0; i < rp->n; i++) {	/* in first_ts order */
		struct rfile *f = &rp->files[i];
		size_t c;

		for (c = 0; c < rp->ncoll; c++)
			if (strcmp(rp->coll[c].name, f->f.collector) == 0)
				break;
		if (f->f.empty) {
			f->ci = SIZE_MAX;	/* no record: no collector */
			continue;
		}
		f->ci = c;
		if (c < rp->ncoll)
			continue;
		rp->coll[c].name = f->f.collector;
		rp->coll[c].first = sig_bin_start(rp->s, f->f.first_ts);
		if (rp->o->warmup > 0) {
			/* the first bin whose end is warmup after it */
			int64_t t = f->f.first_ts + rp->o->warmup - bin;
			int64_t b = sig_bin_start(rp->s, t);

			rp->coll[c].ready = b == t ? b : b + bin;
			rp->coll[c].have_ready = true;
		}
		rp->ncoll++;
	}
	return 0;
}

/* The end of f, a RIB dump: its collector has a table from the bin
 * holding its last record (that bin is emitted after the dump ended). */
static void
rib_ready(struct replay *rp, const struct rfile *f)
{
	struct rcoll *c;
	int64_t r;

	if (rp->coll == NULL || f->ci >= rp->ncoll || !f->f.rib ||
	    f->f.records == 0)
		return;
	c = &rp->coll[f->ci];
	r = sig_bin_start(rp->s, f->f.last_ts);
	if (!c->have_ready || r < c->ready) {
		c->ready = r;
		c->by_rib = true;
	}
	c->have_ready = true;
}

/* Is bin t before the table of a collector that has begun? */
static bool
cold(const struct replay *rp, int64_t t)
{
	for (size_t i = 0; i < rp->ncoll; i++) {
		const struct rcoll *c = &rp->coll[i];

		if (c->first <= t && !(c->have_ready && c->ready <= t))
			return true;
	}
	return false;
}

/* The engine's emit while need_table: bins without tables are dropped. */
static int
gate(void *ctx, const char *kind, int64_t t, const char *entity,
    uint64_t v)
{
	struct replay *rp = ctx;

	if (!rp->have_memo || rp->memo_t != t) {
		rp->memo_t = t;
		rp->memo_cold = cold(rp, t);
		rp->have_memo = true;
	}
	return rp->memo_cold ? 0 : rp->emit(rp->ectx, kind, t, entity, v);
}

/* Hands each collector's stretch without a table to on_gap. */
static void
report_gaps(struct replay *rp)
{
	const struct sig *s = rp->s;
	int64_t end = s->bin_start + s->o.bin;	/* after the last bin */

	if (rp->o->on_gap == NULL)
		return;
	for (size_t i = 0; i < rp->ncoll; i++) {
		const struct rcoll *c = &rp->coll[i];
		struct sig_gap g = { c->name, c->first, end,
		    !c->have_ready ? SIG_GAP_NO_TABLE : c->by_rib ?
		    SIG_GAP_BEFORE_RIB : SIG_GAP_WARMUP, NULL };

		if (c->have_ready && c->ready < end)
			g.to = c->ready;
		if (g.to <= g.from)
			continue;
		g.reason = !c->have_ready ? "no RIB dump and no warm-up: no "
		    "table" : c->by_rib ? "no table before its first RIB "
		    "dump ended" : "warm-up: tables still filling from "
		    "updates";
		rp->o->on_gap(rp->o->ctx, &g);
	}
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
		rib_ready(rp, f);
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

/* Says why the engine refused a record of f, in the caller's buffer. */
static void
engine_error(struct replay *rp, const struct rfile *f, int rc)
{
	char a[LL_ISO8601_LEN], b[LL_ISO8601_LEN];
	const struct sig *s = rp->s;

	if (rp->o->errbuf == NULL || rp->o->errlen == 0)
		return;
	if (rc == LL_ELIMIT && s->npeer >= SIG_MAX_PEERS)
		snprintf(rp->o->errbuf, rp->o->errlen, "%s: more than %d "
		    "peers (the most one replay can tell apart)", f->f.path,
		    SIG_MAX_PEERS);
	else if (rc == LL_ELIMIT && s->started &&
	    (int64_t)f->head - s->bin_start > s->o.max_gap)
		snprintf(rp->o->errbuf, rp->o->errlen, "%s: its records at "
		    "%s are more than %" PRId64 " days after the replay's "
		    "time (%s): give files of one period", f->f.path,
		    ll_time_fmt(f->head, a, sizeof(a)), s->o.max_gap / 86400,
		    ll_time_fmt(s->bin_start, b, sizeof(b)));
	else
		snprintf(rp->o->errbuf, rp->o->errlen, "%s: %s", f->f.path,
		    ll_strerror(rc));
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
		if ((rc = sig_pump_run(best->pump, rp->s, best->coll)) != 0) {
			engine_error(rp, best, rc);
			return rc;
		}
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
	bool started;

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
		f->open_path = rp.o->open_paths != NULL &&
		    rp.o->open_paths[i] != NULL ? rp.o->open_paths[i] : files[i];
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
	if (rp.o->need_table) {
		if ((rc = plan_collectors(&rp)) != 0)
			goto out;
		rp.emit = s->emit;
		rp.ectx = s->ctx;
		s->emit = gate;
		s->ctx = &rp;
	}
	if ((rc = merge(&rp, act, &soft)) != 0)
		goto out;
	started = s->started;
	if ((rc = sig_finish(s)) == 0 && started && rp.o->need_table)
		report_gaps(&rp);
out:
	if (rp.emit != NULL) {
		s->emit = rp.emit;
		s->ctx = rp.ectx;
	}
	free(rp.coll);
	for (size_t i = 0; rp.files != NULL && i < rp.n; i++)
		close_file(&rp.files[i]);
	free(rp.files);
	free(act);
	return rc != 0 ? rc : soft;
}
