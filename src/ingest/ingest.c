/*
 * The ingest protocol (ingest.h): hashing beside a speculative replay,
 * settling which files are new, one transaction per run, archives recorded
 * with the settings they were made with.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ingest/ingest.h"
#include "ingest/ingest_int.h"
#include "util/err.h"
#include "util/grow.h"

#define BATCH		8192
#define SIGNAL_KIND	"bgp"
#define META_SETTINGS	"bgp.settings"
#define META_BIN	"bgp.bin"

struct arch {
	const char	*path;		/* as the caller named it */
	const char	*open;		/* where its bytes are */
	char		 sha[STORE_SHA256_HEX];
	uint64_t	 size;
	bool		 is_new;
	bool		 replace;	/* known, ingested again (force) */
	bool		 dup;		/* the same file or bytes as an earlier */
	struct sig_file	 f;
	bool		 seen;
	int64_t		 old_last;	/* ingested before: its last record */
};

/* A bin that got points, and how many. */
struct bin_pts {
	int64_t		 t;
	uint64_t	 n;
};

/* A coverage gap of the run, kept until the commit (see on_gap). */
struct gap {
	char		 collector[64];
	int64_t		 from, to;
	char		 reason[128];
};

struct ing {
	struct store		*st;
	const struct ingest_opts *o;
	struct ingest_result	*res;
	struct arch		*a;
	size_t			 na;
	int64_t			 from;		/* first bin written */
	bool			 have_from;
	bool			 from_final;
	int64_t			 bin;
	struct sig		*sig;
	struct store_point	 pts[BATCH];	/* entities: the engine's */
	const char		*kind;		/* of pts: the engine's constant */
	size_t			 npts;
	struct bin_pts		*bins;
	size_t			 nbins, capbins;
	int			 dbrc;
	struct ingest_hasher	 h;
	struct ingest_hjob	*job;
	bool			 guess;		/* replaying on "all new" */
	bool			 settled;	/* hashes known, looked up */
	bool			 restart;	/* the guess was wrong */
	size_t			 nnew;
	int			 settle_rc;	/* settle()'s code in on_point */
	char			 settings[STORE_SETTINGS_MAX];
	/* Forced: a first pass writes nothing and finds the bins the run
	 * covers, [del_from, del_to), which the second deletes first, so
	 * that no point of other settings is left among the new ones. */
	bool			 dry;
	bool			 quiet;		/* the second: already said */
	int64_t			 del_from, del_to;
	char			 why[512];	/* the replay's reason to stop */
	struct gap		*gaps;		/* bins without a table */
	size_t			 ngaps;
};

static int
fail(struct ing *g, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct ing *g, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(g->res->errmsg, sizeof(g->res->errmsg), fmt, ap);
	va_end(ap);
	return rc;
}

static struct arch *
find(struct ing *g, const char *path)
{
	for (size_t i = 0; i < g->na; i++)
		if (g->a[i].path == path)
			return &g->a[i];
	return NULL;
}

static int	settle(struct ing *g);
static void	dry_range(struct ing *g);

/*
 * The first bin to write: the first bin of the first new archive, or,
 * when archives ingested before end earlier, the bin after the last one
 * they wrote, so that the bins of a gap between them and the new ones
 * are written as a single run over all of them would write them.
 */
static void
final_from(struct ing *g)
{
	int64_t gap = 0;
	bool have_gap = false;

	g->from_final = true;
	if (!g->have_from || g->guess)
		return;
	for (size_t i = 0; i < g->na; i++) {
		const struct arch *a = &g->a[i];
		int64_t last = sig_bin_start(g->sig, a->old_last);

		if (a->is_new || a->dup || a->old_last == 0 || last >= g->from)
			continue;
		if (!have_gap || last + g->bin > gap)
			gap = last + g->bin;
		have_gap = true;
	}
	if (have_gap && gap < g->from)
		g->from = gap;
}

static int
flush_points(struct ing *g)
{
	int rc;

	if (g->npts == 0)
		return 0;
	rc = store_points_put(g->st, g->kind, "ingest", g->pts, g->npts);
	g->npts = 0;
	if (rc != 0)
		g->dbrc = rc;
	return rc;
}

/* Counts a written point in its bin (points come in bin order). */
static bool
is_health(const char *kind)
{
	static const char *const health[] = { SIG_KIND_PEERS,
	    SIG_KIND_FF_PEERS, SIG_KIND_FF_ASNS, SIG_KIND6_PEERS,
	    SIG_KIND6_FF_PEERS, SIG_KIND6_FF_ASNS };

	for (size_t i = 0; i < sizeof(health) / sizeof(health[0]); i++)
		if (strcmp(kind, health[i]) == 0)
			return true;
	return false;
}

static int
count_bin(struct ing *g, int64_t t)
{
	if (g->nbins > 0 && g->bins[g->nbins - 1].t == t) {
		g->bins[g->nbins - 1].n++;
		return 0;
	}
	if (ll_grow(&g->bins, &g->capbins, g->nbins + 1, sizeof(*g->bins)) != 0)
		return LL_ENOMEM;
	g->bins[g->nbins].t = t;
	g->bins[g->nbins++].n = 1;
	return 0;
}

static int
on_point(void *ctx, const char *kind, int64_t t, const char *entity,
    uint64_t v)
{
	struct ing *g = ctx;
	struct ingest_result *r = g->res;
	struct store_point *p;
	int rc;

	if (g->guess && !g->settled &&
	    atomic_load_explicit(&g->h.done, memory_order_acquire)) {
		if ((g->settle_rc = settle(g)) != 0)
			return LL_EINTR;
		if (g->restart)
			return LL_EINTR;
	}
	if (!g->from_final)
		final_from(g);
	if (!g->have_from || t < g->from)
		return 0;
	/* an archive counts as giving points by its visibility series, not
	 * by the health of its collector (peers are counted even when none
	 * is full-feed) */
	if (!is_health(kind) && count_bin(g, t) != 0)
		return LL_ENOMEM;
	if (g->dry)
		return 0;
	/* a batch is of one kind (the engine emits a kind's points
	 * together) */
	if (g->npts > 0 && strcmp(g->kind, kind) != 0 &&
	    (rc = flush_points(g)) != 0)
		return rc;
	g->kind = kind;
	p = &g->pts[g->npts];
	p->entity = entity;
	p->time = t;
	p->value = (double)v;
	g->npts++;
	r->points++;
	if (r->points == 1 || t < r->tmin)
		r->tmin = t;
	if (r->points == 1 || t > r->tmax)
		r->tmax = t;
	return g->npts == BATCH ? flush_points(g) : 0;
}

static void
on_plan(void *ctx, const struct sig_file *f)
{
	struct ing *g = ctx;
	struct arch *a = find(g, f->path);

	if (a == NULL || (!a->is_new && !g->guess) || f->empty)
		return;
	if (!g->have_from || sig_bin_start(g->sig, f->first_ts) < g->from)
		g->from = sig_bin_start(g->sig, f->first_ts);
	if (g->res->data_first == 0 || f->first_ts < g->res->data_first)
		g->res->data_first = f->first_ts;
	g->have_from = true;
}

static void
on_file(void *ctx, const struct sig_file *f)
{
	struct ing *g = ctx;
	struct ingest_result *r = g->res;
	struct arch *a = find(g, f->path);

	if (a != NULL) {
		a->f = *f;
		a->seen = true;
	}
	r->bad += f->bad;
	if (f->rc == LL_EIO && f->records == 0 && f->sys_errno != 0)
		r->unreadable = true;
	else if (f->rc != 0)
		r->damaged = true;
	if (g->o->replay.on_file != NULL && !g->quiet)
		g->o->replay.on_file(g->o->replay.ctx, f);
}

static void
on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct ing *g = ctx;

	if (g->o->replay.on_progress != NULL)
		g->o->replay.on_progress(g->o->replay.ctx, done, total);
}

static const char *
base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s != NULL ? s + 1 : p;
}

/* Waits for the hashes and looks the files up: sets is_new, replace, dup
 * and g->nnew, and g->restart when the replay's guess (every file new and
 * distinct) was wrong. Returns 0 or an LL_E* code (errmsg set). */
static int
settle(struct ing *g)
{
	struct store_archive *old;
	int rc = 0;

	ingest_hash_wait(&g->h, false);
	g->settled = true;
	if (g->h.failed) {
		errno = g->h.err_no;
		return fail(g, LL_EIO, "%s: %s", g->a[g->h.failed - 1].path,
		    strerror(g->h.err_no));
	}
	if ((old = malloc(sizeof(*old))) == NULL)
		return LL_ENOMEM;
	g->nnew = 0;
	g->res->known = 0;
	for (size_t i = 0; i < g->na; i++) {
		struct arch *a = &g->a[i];

		if (!a->dup) {
			memcpy(a->sha, g->job[i].sha, sizeof(a->sha));
			a->size = g->job[i].size;
		}
		for (size_t j = 0; j < i && !a->dup; j++)
			if (!g->a[j].dup && strcmp(g->a[j].sha, a->sha) == 0) {
				a->dup = true;
				g->restart = true;
			}
		if (a->dup)
			continue;
		rc = store_archive_get(g->st, a->sha, old);
		if (rc == LL_ENOTFOUND || (rc == 0 && g->o->force)) {
			a->is_new = true;
			a->replace = rc == 0;
			g->nnew++;
			rc = 0;
		} else if (rc == 0) {
			a->old_last = old->last_time;
			g->res->known++;
			g->restart = true;
		} else {
			rc = fail(g, rc, "%s", store_errmsg(g->st));
			break;
		}
	}
	free(old);
	if (!g->guess)
		g->restart = false;
	return rc;
}

/* The same file given twice (by another name too) is read once. */
static int
same_files(struct ing *g)
{
	struct stat *sb = calloc(g->na + 1, sizeof(*sb));

	if (sb == NULL)
		return LL_ENOMEM;
	for (size_t i = 0; i < g->na; i++) {
		if (stat(g->a[i].open, &sb[i]) != 0) {
			int e = errno;

			free(sb);
			errno = e;
			return fail(g, LL_EIO, "%s: %s", g->a[i].path,
			    strerror(e));
		}
		for (size_t j = 0; j < i && !g->a[i].dup; j++)
			if (!g->a[j].dup && sb[j].st_dev == sb[i].st_dev &&
			    sb[j].st_ino == sb[i].st_ino)
				g->a[i].dup = true;
		g->job[i].path = g->a[i].open;
		g->job[i].skip = g->a[i].dup;
	}
	free(sb);
	return 0;
}

/* The value of name in a settings line, into buf; "" when absent. */
static void
setting(const char *line, const char *name, char *buf, size_t len)
{
	size_t nl = strlen(name);

	buf[0] = '\0';
	for (const char *p = line; *p;) {
		size_t tl = strcspn(p, " ");

		if (tl > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
			snprintf(buf, len, "%.*s", (int)(tl - nl - 1),
			    p + nl + 1);
			return;
		}
		p += tl;
		while (*p == ' ')
			p++;
	}
}

/*
 * Checks the run's settings against the store's (and records them). The
 * bin size is fixed per store, even when forced: series of two bin sizes
 * cannot be one. Returns 0, LL_EEXIST (a conflict: res's settings set),
 * or an LL_E* code.
 */
static int
check_settings(struct ing *g)
{
	struct ingest_result *r = g->res;
	char *have, bin[32], hbin[32];
	bool legacy = false;
	int rc;

	if ((have = malloc(STORE_SETTINGS_MAX)) == NULL)
		return LL_ENOMEM;
	setting(g->settings, "bin", bin, sizeof(bin));
	rc = store_meta_get(g->st, META_SETTINGS, have, STORE_SETTINGS_MAX);
	if (rc == LL_ENOTFOUND) {
		/* A store from before settings were kept: its bin only. */
		legacy = true;
		rc = store_meta_get(g->st, META_BIN, hbin, sizeof(hbin));
		if (rc == 0)
			snprintf(have, STORE_SETTINGS_MAX, "bin=%s", hbin);
		else
			have[0] = '\0';
	}
	if (rc != 0 && rc != LL_ENOTFOUND) {
		rc = fail(g, rc, "%s", store_errmsg(g->st));
		goto out;
	}
	rc = 0;
	setting(have, "bin", hbin, sizeof(hbin));
	if (hbin[0] != '\0' && strcmp(hbin, bin) != 0) {
		snprintf(r->store_settings, sizeof(r->store_settings), "bin=%s",
		    hbin);
		snprintf(r->run_settings, sizeof(r->run_settings), "bin=%s",
		    bin);
		rc = LL_EEXIST;
		goto out;
	}
	if (!legacy && !g->o->force && strcmp(have, g->settings) != 0 &&
	    ingest_settings_diff(have, g->settings, r->store_settings,
	    r->run_settings, sizeof(r->store_settings)) > 0) {
		rc = LL_EEXIST;
		goto out;
	}
	if ((rc = store_meta_set(g->st, META_SETTINGS, g->settings)) != 0 ||
	    (rc = store_meta_set(g->st, META_BIN, bin)) != 0)
		rc = fail(g, rc, "%s", store_errmsg(g->st));
out:
	free(have);
	return rc;
}

/* The last record's time of a file, or its first when later (a file whose
 * records go back in time, such as a RIB dump followed by the updates
 * before it: its older records count in the bin the replay was in). */
static int64_t
arch_end(const struct arch *a)
{
	return a->f.last_ts > a->f.first_ts ? a->f.last_ts : a->f.first_ts;
}

/* Points of the bins an archive covers. */
static uint64_t
arch_points(const struct ing *g, const struct arch *a)
{
	int64_t lo, hi;
	uint64_t n = 0;

	if (a->f.empty)
		return 0;
	lo = sig_bin_start(g->sig, a->f.first_ts < a->f.last_ts ?
	    a->f.first_ts : a->f.last_ts);
	hi = sig_bin_start(g->sig, arch_end(a));
	for (size_t i = 0; i < g->nbins; i++)
		if (g->bins[i].t >= lo && g->bins[i].t <= hi)
			n += g->bins[i].n;
	return n;
}

/*
 * True when the bins of an archive that gave no point are a recorded gap
 * (its collector had no table yet) in a run that did give visibility
 * points (not only its collectors' health): its
 * bins are accounted for once and for all, as when its updates precede
 * the RIB dump given with them. A run with no point at all records
 * nothing, so that the same files with their RIB dump can come later.
 */
static bool
arch_in_gaps(const struct ing *g, const struct arch *a)
{
	int64_t lo, hi;

	if (a->f.empty)
		return false;
	lo = sig_bin_start(g->sig, a->f.first_ts < a->f.last_ts ?
	    a->f.first_ts : a->f.last_ts);
	hi = sig_bin_start(g->sig, arch_end(a));
	for (size_t i = 0; i < g->ngaps; i++)
		if (g->gaps[i].from <= lo && g->gaps[i].to > hi)
			return true;
	return false;
}

/* Records the new archives that produced a point (or lie in a gap, see
 * arch_in_gaps()). Returns 0 or LL_E*. */
static int
record_archives(struct ing *g)
{
	struct store_archive *r = malloc(sizeof(*r));
	int rc = 0;

	if (r == NULL)
		return LL_ENOMEM;
	g->res->recorded = g->res->no_point = 0;
	for (size_t i = 0; i < g->na && rc == 0; i++) {
		struct arch *a = &g->a[i];

		if (!a->is_new || a->dup)
			continue;
		memset(r, 0, sizeof(*r));
		if ((r->points = arch_points(g, a)) == 0 &&
		    !(g->nbins > 0 && arch_in_gaps(g, a))) {
			g->res->no_point++;
			continue;
		}
		memcpy(r->sha256, a->sha, sizeof(r->sha256));
		snprintf(r->name, sizeof(r->name), "%s", base_name(a->path));
		snprintf(r->settings, sizeof(r->settings), "%s", g->settings);
		r->size = a->size;
		r->first_time = a->f.first_ts;
		r->last_time = a->f.last_ts;
		r->records = a->f.records;
		r->bad_records = a->f.bad;
		r->status = a->f.bad || a->f.rc ? STORE_ARCHIVE_ERRORS :
		    STORE_ARCHIVE_OK;
		if (a->replace && (rc = store_archive_delete(g->st,
		    a->sha)) != 0 && rc != LL_ENOTFOUND) {
			rc = fail(g, rc, "%s", store_errmsg(g->st));
			break;
		}
		rc = store_archive_record(g->st, r);
		if (rc == LL_EEXIST)
			rc = fail(g, rc, "%s was ingested meanwhile by another "
			    "run; nothing written", a->path);
		else if (rc != 0)
			rc = fail(g, rc, "%s", store_errmsg(g->st));
		else
			g->res->recorded++;
	}
	free(r);
	return rc;
}

/* Forgets what a replay did, for a second one. */
static void
reset(struct ing *g)
{
	struct ingest_result *r = g->res;

	sig_free(g->sig);
	g->sig = NULL;
	g->npts = 0;
	g->nbins = 0;
	g->have_from = false;
	g->from_final = false;
	g->dbrc = 0;
	g->restart = false;
	g->ngaps = 0;
	g->why[0] = '\0';
	r->points = 0;
	r->tmin = r->tmax = 0;
	r->data_first = 0;
	r->bad = 0;
	r->damaged = r->unreadable = false;
	for (size_t i = 0; i < g->na; i++) {
		memset(&g->a[i].f, 0, sizeof(g->a[i].f));
		g->a[i].seen = false;
	}
}

/* The engine and the run's settings line. */
static int
new_engine(struct ing *g)
{
	size_t used;
	int rc;

	if ((rc = sig_new(&g->o->sig, on_point, g, &g->sig)) != 0)
		return fail(g, rc, "%s", ll_strerror(rc));
	if ((rc = sig_opts_text(g->sig, g->settings, sizeof(g->settings))) != 0)
		return fail(g, rc, "settings too long");
	used = strlen(g->settings);
	if (g->o->sources != NULL && *g->o->sources != '\0' &&
	    (size_t)snprintf(g->settings + used, sizeof(g->settings) - used,
	    " %s", g->o->sources) >= sizeof(g->settings) - used)
		return fail(g, LL_ELIMIT, "settings too long");
	/* the warm-up decides which bins are values and which a gap */
	used = strlen(g->settings);
	if (g->o->replay.warmup > 0 && (size_t)snprintf(g->settings + used,
	    sizeof(g->settings) - used, " warmup=%lld",
	    (long long)g->o->replay.warmup) >= sizeof(g->settings) - used)
		return fail(g, LL_ELIMIT, "settings too long");
	return 0;
}

/* The BGP signals the store holds (every kind the engine writes, of any
 * threshold), collected for delete_bgp(). */
struct kinds {
	char	(*v)[64];
	size_t	 n, cap;
};

static int
add_kind(void *ctx, const struct store_series *se)
{
	struct kinds *k = ctx;

	if (strncmp(se->signal, "bgp", 3) != 0 ||
	    strlen(se->signal) >= sizeof(k->v[0]))
		return 0;
	for (size_t i = 0; i < k->n; i++)
		if (strcmp(k->v[i], se->signal) == 0)
			return 0;
	if (ll_grow(&k->v, &k->cap, k->n + 1, sizeof(k->v[0])) != 0)
		return LL_ENOMEM;
	snprintf(k->v[k->n++], sizeof(k->v[0]), "%s", se->signal);
	return 0;
}

/* Deletes the points of every BGP signal in [from, to): a forced run
 * replaces what runs of other settings wrote there. */
static int
delete_bgp(struct ing *g, int64_t from, int64_t to)
{
	struct kinds k = { NULL, 0, 0 };
	int rc = store_series_list(g->st, NULL, add_kind, &k);

	for (size_t i = 0; rc == 0 && i < k.n; i++)
		rc = store_points_delete(g->st, k.v[i], NULL, from, to);
	free(k.v);
	return rc;
}

/* Coverage gaps: the replay's bins without a table, said through the
 * caller's on_gap and written with the points as store gaps. */
static void
on_gap(void *ctx, const struct sig_gap *sg)
{
	struct ing *g = ctx;
	struct gap *x;

	if (g->o->replay.on_gap != NULL && !g->quiet)
		g->o->replay.on_gap(g->o->replay.ctx, sg);
	x = realloc(g->gaps, (g->ngaps + 1) * sizeof(*g->gaps));
	if (x == NULL) {
		g->dbrc = LL_ENOMEM;
		return;
	}
	g->gaps = x;
	x = &g->gaps[g->ngaps++];
	snprintf(x->collector, sizeof(x->collector), "%s", sg->collector);
	snprintf(x->reason, sizeof(x->reason), "%s", sg->reason);
	x->from = sg->from;
	x->to = sg->to;
}

/* Replaces the gaps of the bins this run wrote (from its first bin on)
 * with the run's own. Returns 0 or LL_E* (message set). */
static int
record_gaps(struct ing *g)
{
	int64_t end = g->from;
	int rc;

	if (!g->have_from)
		return 0;
	for (size_t i = 0; i < g->ngaps; i++)
		if (g->gaps[i].to > end)
			end = g->gaps[i].to;
	if (g->res->points > 0 && g->res->tmax + g->bin > end)
		end = g->res->tmax + g->bin;
	if ((rc = store_gap_delete(g->st, SIGNAL_KIND, g->from, end)) != 0)
		return fail(g, rc, "%s", store_errmsg(g->st));
	for (size_t i = 0; i < g->ngaps; i++) {
		const struct gap *x = &g->gaps[i];
		struct store_gap sg = { SIGNAL_KIND, x->collector, x->from,
		    x->to, x->reason };

		if (x->to <= g->from)
			continue;
		if ((rc = store_gap_put(g->st, &sg)) != 0)
			return fail(g, rc, "%s", store_errmsg(g->st));
	}
	return 0;
}

/* The outcome of a replay that ended in rc. */
static enum ingest_status
judge(struct ing *g, int rc, int *out)
{
	*out = LL_EIO;
	if (g->dbrc == 0)
		(void)flush_points(g);
	if (g->dbrc != 0) {
		*out = fail(g, g->dbrc, "%s", store_errmsg(g->st));
		return INGEST_FAILED;
	}
	if (rc == LL_ELIMIT) {
		*out = fail(g, rc, "%s", g->why[0] ? g->why : "the records "
		    "are more than 31 days apart; give files of one period");
		return INGEST_FAILED;
	}
	if (rc == LL_ENOMEM) {
		*out = fail(g, rc, "out of memory");
		return INGEST_FAILED;
	}
	if (g->res->unreadable)
		return INGEST_FAILED;	/* on_file said which */
	if (g->o->replay.strict && (g->res->bad || g->res->damaged)) {
		*out = rc != 0 ? rc : LL_EFORMAT;
		return INGEST_STRICT;
	}
	*out = 0;
	return INGEST_DONE;
}

/* One replay in one transaction. Returns a status, or -1 when the guess
 * was wrong (rolled back: run again). */
static int
run(struct ing *g, int *out)
{
	struct sig_replay_opts ro = g->o->replay;
	const char **todo, **open;
	size_t n = 0;
	int rc, ret = INGEST_FAILED;

	*out = 0;
	if ((rc = new_engine(g)) != 0) {
		*out = rc;
		return INGEST_FAILED;
	}
	todo = calloc(2 * (g->na + 1), sizeof(*todo));
	if (todo == NULL) {
		*out = LL_ENOMEM;
		return INGEST_FAILED;
	}
	open = todo + g->na + 1;
	for (size_t i = 0; i < g->na; i++)
		if (!g->a[i].dup) {
			open[n] = g->a[i].open;
			todo[n++] = g->a[i].path;
		}
	if ((rc = store_tx_begin(g->st)) != 0) {
		*out = fail(g, rc, "%s", store_errmsg(g->st));
		free(todo);
		return INGEST_FAILED;
	}
	if ((rc = check_settings(g)) != 0) {
		*out = rc;
		ret = rc == LL_EEXIST ? INGEST_CONFLICT : INGEST_FAILED;
		goto fail;
	}
	if (!g->dry && g->del_to > g->del_from &&
	    (rc = delete_bgp(g, g->del_from, g->del_to)) != 0) {
		*out = fail(g, rc, "%s", store_errmsg(g->st));
		goto fail;
	}
	if (g->quiet)
		ro.on_error = NULL;
	ro.on_plan = on_plan;
	ro.on_file = on_file;
	ro.on_progress = on_progress;
	ro.ctx = g;
	ro.open_paths = open;
	ro.errbuf = g->why;
	ro.errlen = sizeof(g->why);
	ro.on_gap = on_gap;
	rc = sig_replay(g->sig, todo, n, &ro);
	if (g->settle_rc != 0) {
		*out = g->settle_rc;
		goto fail;
	}
	if (g->guess && !g->settled && (*out = settle(g)) != 0)
		goto fail;
	if (g->restart) {
		ret = -1;
		goto fail;
	}
	if ((ret = (int)judge(g, rc, out)) != INGEST_DONE)
		goto fail;
	g->res->stats = *sig_get_stats(g->sig);
	if (g->dry) {
		dry_range(g);
		store_tx_rollback(g->st);
		free(todo);
		return INGEST_DONE;
	}
	if ((*out = record_gaps(g)) != 0 ||
	    (*out = record_archives(g)) != 0) {
		ret = INGEST_FAILED;
		goto fail;
	}
	if (g->res->recorded == 0) {
		/* Nothing to keep: leave the store as it was. */
		store_tx_rollback(g->st);
		free(todo);
		return INGEST_DONE;
	}
	if ((rc = store_tx_commit(g->st)) != 0) {
		*out = fail(g, rc, "commit: %s", store_errmsg(g->st));
		free(todo);
		return INGEST_FAILED;
	}
	free(todo);
	return INGEST_DONE;
fail:
	free(todo);
	if (g->sig != NULL)
		g->res->stats = *sig_get_stats(g->sig);
	store_tx_rollback(g->st);
	return ret;
}

/* The bins a forced run covers: from its first bin written to the bin of
 * the last record of the files it ingests. */
static void
dry_range(struct ing *g)
{
	int64_t last = 0;

	g->del_from = g->del_to = 0;
	if (!g->have_from)
		return;
	for (size_t i = 0; i < g->na; i++)
		if (g->a[i].is_new && !g->a[i].dup && !g->a[i].f.empty &&
		    arch_end(&g->a[i]) > last)
			last = arch_end(&g->a[i]);
	g->del_from = g->from;
	g->del_to = sig_bin_start(g->sig, last) + g->bin;
}

/* The speculative replay, and a second when its guess was wrong. */
static int
pass(struct ing *g, int *rc)
{
	int ret;

	g->guess = !g->settled;
	if ((ret = run(g, rc)) == -1) {
		g->guess = false;
		ret = INGEST_DONE;
		*rc = 0;
		if (g->nnew > 0) {
			reset(g);
			ret = run(g, rc);
		} else if (g->sig != NULL) {
			g->res->stats = *sig_get_stats(g->sig);
		}
	}
	return ret;
}

static void
locdb_warn(struct ing *g)
{
	char msg[256];

	if (g->o->warn != NULL && ingest_locdb_far(g->o->locdb_time,
	    g->res->data_first, msg, sizeof(msg)))
		g->o->warn(g->o->warn_ctx, msg);
}

enum ingest_status
ingest_bgp(struct store *st, const char *const *files, size_t n,
    const struct ingest_opts *o, struct ingest_result *res, int *rc)
{
	struct ing *g;
	int ret = INGEST_FAILED;

	memset(res, 0, sizeof(*res));
	res->given = n;
	*rc = LL_ENOMEM;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return INGEST_FAILED;
	g->st = st;
	g->o = o;
	g->res = res;
	g->bin = o->sig.bin ? o->sig.bin : 300;
	g->na = n;
	g->a = calloc(n + 1, sizeof(*g->a));
	g->job = calloc(n + 1, sizeof(*g->job));
	if (g->a == NULL || g->job == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		g->a[i].path = files[i];
		g->a[i].open = o->open_paths != NULL && o->open_paths[i] !=
		    NULL ? o->open_paths[i] : files[i];
	}
	if ((*rc = same_files(g)) != 0)
		goto out;
	g->h.job = g->job;
	g->h.n = n;
	ingest_hash_start(&g->h);
	g->dry = o->force;
	ret = pass(g, rc);
	if (ret == INGEST_DONE && g->dry) {
		/* The forced run proper, deleting what it covers first. */
		g->dry = false;
		g->quiet = true;
		reset(g);
		ret = pass(g, rc);
	}
	if (ret == INGEST_DONE)
		locdb_warn(g);
out:
	ingest_hash_wait(&g->h, true);
	sig_free(g->sig);
	free(g->bins);
	free(g->job);
	free(g->gaps);
	free(g->a);
	free(g);
	return (enum ingest_status)ret;
}

int
ingest_forget(struct store *st, const char *const *args, size_t n,
    ingest_forget_fn *fn, void *ctx, char *errmsg, size_t errlen)
{
	struct store_archive *a = malloc(sizeof(*a));
	char sha[STORE_SHA256_HEX];
	int rc = 0;

	if (a == NULL)
		return LL_ENOMEM;
	if ((rc = store_tx_begin(st)) != 0)
		goto db;
	for (size_t i = 0; i < n; i++) {
		uint64_t size;
		bool hex = strlen(args[i]) == 64 &&
		    strspn(args[i], "0123456789abcdefABCDEF") == 64;

		if (hex)
			snprintf(sha, sizeof(sha), "%s", args[i]);
		else if ((rc = ingest_sha256_file(args[i], sha, &size)) != 0) {
			snprintf(errmsg, errlen, "%s: %s", args[i],
			    strerror(errno));
			store_tx_rollback(st);
			goto out;
		}
		rc = store_archive_get(st, sha, a);
		if (rc == 0)
			rc = store_archive_delete(st, sha);
		if (rc != 0 && rc != LL_ENOTFOUND)
			goto db;
		fn(ctx, args[i], rc == 0 ? a : NULL);
	}
	if ((rc = store_tx_commit(st)) == 0)
		goto out;
db:
	snprintf(errmsg, errlen, "%s", store_errmsg(st));
	if (store_tx_active(st))
		store_tx_rollback(st);
out:
	free(a);
	return rc;
}
