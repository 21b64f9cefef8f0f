/*
 * One view of several agents' collectors (bus.h): archives shipped in
 * pieces are written to the spool and held unacknowledged; once every
 * agent named has a complete run, all complete runs of those agents are
 * ingested together by ingest_bgp(), and only after its commit are their
 * messages acknowledged. A consumer that dies before the commit gets the
 * pieces again; one that dies after it finds the archives known (by
 * SHA-256) and writes nothing twice.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bus/bus.h"
#include "bus/bus_int.h"
#include "util/err.h"
#include "util/grow.h"

#define MERGE_FETCH_MS	1000
#define MERGE_ACK_PENDING 65536	/* pieces held: 32 GiB of archives */

/* An archive of a run, as it arrives. */
struct mfile {
	struct bus_arc_file	 f;
	char			 run[BUS_ID_MAX];
	char			*spool;		/* its bytes so far */
	int			 fd;
	uint64_t		 got;		/* bytes of distinct pieces */
	uint8_t			*have;		/* a bit a piece */
};

/* A run: its agent, its archives once its end arrived. */
struct mrun {
	char			 agent[BUS_AGENT_MAX + 1];
	char			 run[BUS_ID_MAX];
	struct bus_arc_file	*files;
	size_t			 nfiles;
	bool			 take;		/* in the merge being made */
};

/* A message held until its run is stored. */
struct mheld {
	natsMsg			*msg;
	char			 run[BUS_ID_MAX];
};

struct merge {
	struct bus			*b;
	struct store			*st;
	const struct bus_merge_opts	*o;
	struct bus_stats		*stats;
	natsSubscription		*sub;
	struct mfile			*files;
	size_t				 nfiles, capfiles;
	struct mrun			*runs;
	size_t				 nruns, capruns;
	struct mheld			*held;
	size_t				 nheld, capheld;
	int64_t				 touched;	/* last in-progress */
	char				*err;
	size_t				 errlen;
};

static void
mevent(const struct merge *m, const struct bus_event *ev)
{
	if (m->o->on_event != NULL)
		m->o->on_event(m->o->ctx, ev);
}

static int64_t
mnow_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool
named(const struct merge *m, const char *agent)
{
	for (size_t i = 0; i < m->o->nagents; i++)
		if (strcmp(m->o->agents[i], agent) == 0)
			return true;
	return false;
}

static struct mfile *
file_find(struct merge *m, const char *run, const char *sha)
{
	for (size_t i = 0; i < m->nfiles; i++)
		if (strcmp(m->files[i].run, run) == 0 &&
		    strcmp(m->files[i].f.sha256, sha) == 0)
			return &m->files[i];
	return NULL;
}

/* The archive of a piece: found, or its spool file made. */
static int
file_get(struct merge *m, const struct bus_arc *a, struct mfile **out)
{
	struct mfile *f = file_find(m, a->runid, a->file.sha256);
	size_t pieces;

	if (f != NULL) {
		*out = f;
		return f->f.size == a->file.size ? 0 : LL_EFORMAT;
	}
	if (ll_grow(&m->files, &m->capfiles, m->nfiles + 1,
	    sizeof(*m->files)) != 0)
		return LL_ENOMEM;
	f = &m->files[m->nfiles];
	memset(f, 0, sizeof(*f));
	f->f = a->file;
	snprintf(f->run, sizeof(f->run), "%s", a->runid);
	pieces = (size_t)((a->file.size + BUS_ARC_CHUNK - 1) / BUS_ARC_CHUNK);
	if ((f->have = calloc(pieces / 8 + 1, 1)) == NULL ||
	    asprintf(&f->spool, "%s/%s-%s", m->o->spool, a->runid,
	    a->file.sha256) < 0) {
		free(f->have);
		return LL_ENOMEM;
	}
	if ((f->fd = open(f->spool, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) < 0) {
		snprintf(m->err, m->errlen, "%s: %s", f->spool,
		    strerror(errno));
		free(f->have);
		free(f->spool);
		return LL_EIO;
	}
	m->nfiles++;
	*out = f;
	return 0;
}

/* Writes a piece where it goes (once). */
static int
piece(struct merge *m, const struct bus_arc *a)
{
	struct mfile *f;
	uint64_t k = a->off / BUS_ARC_CHUNK;
	int rc;

	if (a->off % BUS_ARC_CHUNK != 0)
		return LL_EFORMAT;
	if ((rc = file_get(m, a, &f)) != 0)
		return rc;
	if (f->have[k / 8] & (1u << (k % 8)))
		return 0;	/* a redelivery */
	if (pwrite(f->fd, a->data, a->len, (off_t)a->off) != (ssize_t)a->len) {
		snprintf(m->err, m->errlen, "%s: %s", f->spool,
		    strerror(errno));
		return LL_EIO;
	}
	f->have[k / 8] |= (uint8_t)(1u << (k % 8));
	f->got += a->len;
	return 0;
}

/* A run's end: its archives (a second copy is a redelivery). */
static int
run_end(struct merge *m, struct bus_arc *a)
{
	struct mrun *r;

	for (size_t i = 0; i < m->nruns; i++)
		if (strcmp(m->runs[i].run, a->runid) == 0)
			return 0;
	if (ll_grow(&m->runs, &m->capruns, m->nruns + 1,
	    sizeof(*m->runs)) != 0)
		return LL_ENOMEM;
	r = &m->runs[m->nruns++];
	memset(r, 0, sizeof(*r));
	snprintf(r->agent, sizeof(r->agent), "%s", a->agent);
	snprintf(r->run, sizeof(r->run), "%s", a->runid);
	r->files = a->files;	/* moved */
	r->nfiles = a->nfiles;
	a->files = NULL;
	a->nfiles = 0;
	return 0;
}

static int
hold(struct merge *m, natsMsg *msg, const char *run)
{
	if (ll_grow(&m->held, &m->capheld, m->nheld + 1,
	    sizeof(*m->held)) != 0)
		return LL_ENOMEM;
	m->held[m->nheld].msg = msg;
	snprintf(m->held[m->nheld].run, sizeof(m->held[0].run), "%s", run);
	m->nheld++;
	return 0;
}

/* One message: parked, ignored (another agent's), or held. Returns 0
 * with *keep set when the message is now m's. */
static int
one_msg(struct merge *m, natsMsg *msg, bool *keep)
{
	struct bus_arc a;
	char why[300];
	int rc;

	*keep = false;
	rc = bus_arc_parse(natsMsg_GetData(msg),
	    (size_t)natsMsg_GetDataLength(msg), &a, why, sizeof(why));
	if (rc == LL_ENOMEM)
		return rc;
	if (rc == 0 && !named(m, a.agent)) {
		natsMsg_Term(msg, NULL);
		mevent(m, &(struct bus_event){ .event = "ignored", .subject =
		    natsMsg_GetSubject(msg), .reason = "an agent not merged",
		    .msgs = 1 });
		bus_arc_fini(&a);
		return 0;
	}
	if (rc == 0) {
		rc = a.run ? run_end(m, &a) : piece(m, &a);
		if (rc == LL_EFORMAT)
			snprintf(why, sizeof(why), "a piece that does not fit "
			    "its archive (size or offset)");
	}
	if (rc == 0 && (rc = hold(m, msg, a.runid)) == 0)
		*keep = true;
	bus_arc_fini(&a);
	if (rc == LL_EFORMAT || rc == LL_EUNSUP || rc == LL_ELIMIT) {
		if ((rc = bus_park(m->b, msg, why, m->err, m->errlen)) == 0) {
			m->stats->parked++;
			mevent(m, &(struct bus_event){ .event = "parked",
			    .subject = natsMsg_GetSubject(msg), .reason = why,
			    .msgs = 1 });
		}
	}
	return rc;
}

/* Is every archive of r here, whole? */
static bool
run_complete(struct merge *m, const struct mrun *r)
{
	for (size_t i = 0; i < r->nfiles; i++) {
		const struct bus_arc_file *f = &r->files[i];
		struct mfile *mf = file_find(m, r->run, f->sha256);

		if (f->size == 0)
			continue;
		if (mf == NULL || mf->got != f->size)
			return false;
	}
	return true;
}

/* Marks the complete runs of the agents named; true when each has one. */
static bool
pick_runs(struct merge *m)
{
	size_t have = 0;

	for (size_t i = 0; i < m->nruns; i++)
		m->runs[i].take = named(m, m->runs[i].agent) &&
		    run_complete(m, &m->runs[i]);
	for (size_t k = 0; k < m->o->nagents; k++)
		for (size_t i = 0; i < m->nruns; i++)
			if (m->runs[i].take && strcmp(m->runs[i].agent,
			    m->o->agents[k]) == 0) {
				have++;
				break;
			}
	return m->o->nagents > 0 && have == m->o->nagents;
}

/* The archives of the runs taken, each once: names as their agents gave
 * them (they give the collector), bytes from the spool. */
static int
merge_list(struct merge *m, const char ***files, const char ***open,
    size_t *n)
{
	size_t cap = 1;

	for (size_t i = 0; i < m->nruns; i++)
		cap += m->runs[i].take ? m->runs[i].nfiles : 0;
	*n = 0;
	*files = calloc(cap, sizeof(**files));
	*open = calloc(cap, sizeof(**open));
	if (*files == NULL || *open == NULL)
		return LL_ENOMEM;
	for (size_t i = 0; i < m->nruns; i++) {
		const struct mrun *r = &m->runs[i];

		for (size_t j = 0; r->take && j < r->nfiles; j++) {
			struct mfile *mf = file_find(m, r->run,
			    r->files[j].sha256);
			bool seen = false;

			for (size_t k = 0; k < *n && !seen; k++)
				seen = strstr((*open)[k], r->files[j].sha256) !=
				    NULL;
			if (mf == NULL || seen)
				continue;	/* empty, or given already */
			(*files)[*n] = mf->f.path;
			(*open)[(*n)++] = mf->spool;
		}
	}
	return 0;
}

static void
file_drop(struct mfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (f->spool != NULL)
		unlink(f->spool);
	free(f->spool);
	free(f->have);
}

/* Acknowledges (ack true) or lets go of the messages of the runs taken
 * (all when every is true), and forgets those runs and their archives. */
static size_t
release(struct merge *m, bool ack, bool every)
{
	size_t k = 0, acked = 0;

	for (size_t i = 0; i < m->nheld; i++) {
		struct mrun *r = NULL;

		for (size_t j = 0; j < m->nruns && r == NULL; j++)
			if (strcmp(m->runs[j].run, m->held[i].run) == 0)
				r = &m->runs[j];
		if (!every && (r == NULL || !r->take)) {
			m->held[k++] = m->held[i];
			continue;
		}
		if (ack && natsMsg_AckSync(m->held[i].msg, NULL, NULL) ==
		    NATS_OK)
			acked++;
		natsMsg_Destroy(m->held[i].msg);
	}
	m->nheld = k;
	k = 0;
	for (size_t i = 0; i < m->nfiles; i++) {
		struct mrun *r = NULL;

		for (size_t j = 0; j < m->nruns && r == NULL; j++)
			if (strcmp(m->runs[j].run, m->files[i].run) == 0)
				r = &m->runs[j];
		if (every || (r != NULL && r->take))
			file_drop(&m->files[i]);
		else
			m->files[k++] = m->files[i];
	}
	m->nfiles = k;
	k = 0;
	for (size_t i = 0; i < m->nruns; i++) {
		if (every || m->runs[i].take)
			free(m->runs[i].files);
		else
			m->runs[k++] = m->runs[i];
	}
	m->nruns = k;
	return acked;
}

/* Ingests the runs taken together; acknowledges them after the commit. */
static int
merge_runs(struct merge *m)
{
	struct ingest_opts io = m->o->ingest;
	struct ingest_result res;
	const char **files = NULL, **open = NULL;
	size_t n = 0, runs = 0, acked;
	enum ingest_status s;
	int rc;

	for (size_t i = 0; i < m->nruns; i++)
		runs += m->runs[i].take;
	if ((rc = merge_list(m, &files, &open, &n)) != 0)
		goto out;
	io.open_paths = open;
	memset(&res, 0, sizeof(res));
	s = ingest_bgp(m->st, files, n, &io, &res, &rc);
	if (s != INGEST_DONE) {
		snprintf(m->err, m->errlen, "ingest of %zu archives: %s", n,
		    res.errmsg[0] != '\0' ? res.errmsg : ll_strerror(rc));
		rc = rc != 0 ? rc : LL_EDB;
		goto out;
	}
	rc = 0;
	if (m->o->fail_after_commits > 0 &&
	    m->stats->batches + 1 >= m->o->fail_after_commits) {
		snprintf(m->err, m->errlen, "stopped after a commit, before "
		    "acknowledging (testing)");
		rc = LL_EINTR;
		goto out;
	}
	acked = release(m, true, false);
	m->stats->stored += runs;
	m->stats->points += res.points;
	m->stats->batches++;
	mevent(m, &(struct bus_event){ .event = "stored", .reason =
	    res.recorded == 0 ? "archives known: nothing new" : NULL,
	    .msgs = acked, .points = res.points });
out:
	free(files);
	free(open);
	return rc;
}

/* Keeps the held messages from being delivered again while the other
 * agents' runs are awaited. */
static void
keep_alive(struct merge *m)
{
	int64_t now = mnow_ms();

	if (m->nheld == 0 || now - m->touched < m->b->ack_wait_ms / 3)
		return;
	for (size_t i = 0; i < m->nheld; i++)
		natsMsg_InProgress(m->held[i].msg, NULL);
	m->touched = now;
}

/* One fetch: every message handled; those held leave the list. */
static int
fetch(struct merge *m, natsStatus *st)
{
	natsMsgList l = { 0 };
	jsErrCode jerr = 0;
	bool keep;
	int rc = 0;

	*st = natsSubscription_Fetch(&l, m->sub, 256, MERGE_FETCH_MS, &jerr);
	for (int i = 0; *st == NATS_OK && i < l.Count && rc == 0; i++) {
		if ((rc = one_msg(m, l.Msgs[i], &keep)) == 0 && keep)
			l.Msgs[i] = NULL;	/* m's now */
	}
	natsMsgList_Destroy(&l);
	if (rc == 0 && pick_runs(m))
		rc = merge_runs(m);
	return rc;
}

static void
merge_health(struct merge *m)
{
	uint64_t p = 0, ap = 0;

	(void)bus_pending(m->b, BUS_ARC_STREAM, &p, &ap);
	mevent(m, &(struct bus_event){ .event = "health", .msgs =
	    m->stats->stored, .points = m->stats->points, .pending = p,
	    .ack_pending = ap });
}

int
bus_merge(struct bus *b, struct store *st, const struct bus_merge_opts *o,
    struct bus_stats *stats, char *err, size_t errlen)
{
	struct merge m = { .b = b, .st = st, .o = o, .stats = stats,
	    .err = err, .errlen = errlen };
	struct bus_merge_opts so = *o;
	int64_t next_health = o->health_ms > 0 ? mnow_ms() + o->health_ms : 0;
	char *dir = NULL;
	uint64_t pend, ap;
	natsStatus s;
	int rc;

	memset(stats, 0, sizeof(*stats));
	if (asprintf(&dir, "%s/lifeline-merge-XXXXXX", o->spool) < 0)
		return LL_ENOMEM;
	if (mkdtemp(dir) == NULL) {
		snprintf(err, errlen, "%s: %s", o->spool, strerror(errno));
		free(dir);
		return LL_EIO;
	}
	so.spool = dir;
	m.o = &so;
	if ((rc = bus_subscribe(b, BUS_ARC_STREAM, BUS_ARC_SUBJECTS,
	    MERGE_ACK_PENDING, &m.sub, err, errlen)) != 0)
		goto out;
	while (o->stop == NULL || !*o->stop) {
		if ((rc = fetch(&m, &s)) != 0)
			break;
		keep_alive(&m);
		if (next_health != 0 && mnow_ms() >= next_health) {
			merge_health(&m);
			next_health = mnow_ms() + o->health_ms;
		}
		if (s == NATS_CONNECTION_CLOSED) {
			snprintf(err, errlen, "the connection was closed");
			rc = LL_ENET;
			break;
		}
		if (s != NATS_OK && s != NATS_TIMEOUT)
			mevent(&m, &(struct bus_event){ .event = "retry",
			    .reason = natsStatus_GetText(s) });
		/* drained: nothing left to deliver, nothing out but what is
		 * held here (awaiting another agent's run) */
		if (s != NATS_OK && o->drain && bus_pending(b, BUS_ARC_STREAM,
		    &pend, &ap) == 0 && pend == 0 && ap <= m.nheld)
			break;
	}
out:
	release(&m, false, true);	/* unacknowledged: delivered again */
	natsSubscription_Destroy(m.sub);
	free(m.files);
	free(m.runs);
	free(m.held);
	rmdir(dir);
	free(dir);
	return rc;
}
