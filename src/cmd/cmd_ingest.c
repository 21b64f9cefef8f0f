/*
 * lifeline ingest bgp: the BGP visibility signal computed from MRT
 * archives and written to the store, idempotently and atomically.
 *
 * Every archive is known by the SHA-256 of its bytes. A run replays all
 * the files it is given (archives already in the store only as context),
 * and writes, in ONE store transaction, the points of every bin from the
 * first bin of the first new archive to the last record, and one archive
 * row per new archive. A crash (kill -9) before the commit leaves nothing
 * of the run: a re-run finds the archives absent and recomputes from the
 * files, so the store ends as after a clean run.
 *
 * Hashing costs as much as decoding, so it runs on a second thread while
 * the replay starts on the assumption that every file is new (the common
 * case). When the hashes are known the assumption is checked; if some file
 * was ingested before or is a copy of another, the transaction is rolled
 * back and the run starts again knowing which files are new.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* OpenSSL's SHA-256 uses the CPU's SHA instructions (about 1.4 GB/s here);
 * libsodium's is portable C at a quarter of that. */
#include <openssl/evp.h>

#include "cmd/cmd.h"
#include "geo/geo.h"
#include "signal/signal.h"
#include "store/store.h"
#include "util/err.h"
#include "util/time.h"

#define BATCH		8192

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: lifeline ingest bgp [options] FILE...\n"
	    "\n"
	    "Replays MRT archives (RIB dumps and updates, any order, one or\n"
	    "several collectors) and writes the BGP visibility signals (IPv4\n"
	    "/24s and IPv6 /48s seen by at least half of the full-feed peer\n"
	    "ASes, per bin, per country, region and origin AS, and collector\n"
	    "health; docs/signals.md) to the store as signals 'bgp', 'bgp6',\n"
	    "'bgp.peers'... Archives already ingested (same SHA-256)\n"
	    "are not written again; all of a run is one transaction, so an\n"
	    "interrupted run leaves nothing and can simply be re-run.\n"
	    "\n"
	    "options:\n"
	    "  --db URL           store (default $LIFELINE_DB, else lifeline.db)\n"
	    "  --collector NAME   collector of every file (default: from the\n"
	    "                     path, else the RIB's collector id)\n"
	    "  --bin DURATION     bin size (default 300; fixed per store)\n"
	    "  --full-feed N|P%%   full-feed peers: at least N IPv4 prefixes\n"
	    "                     (default 400000, and 10000 IPv6), or at\n"
	    "                     least P%% of the largest peer's table\n"
	    "  --visibility V     share of full-feed peer ASes that must see\n"
	    "                     a prefix: any, 25, 50 (default), 75, 100;\n"
	    "                     other than 50 the signals are 'bgp.vV'...\n"
	    "  --strict           stop at the first bad record, write nothing\n"
	    "  --locdb FILE       libloc database (default: the system's)\n"
	    "  --city FILE        MaxMind-format city database (regions)\n"
	    "  --rir FILE         RIR delegated stats for countries\n"
	    "\n"
	    "exit status: 0 ok, 1 the input had data errors (sound records\n"
	    "were ingested), 2 usage, 3 failure (file, database).\n");
}

struct arch {
	const char	*path;
	char		 sha[STORE_SHA256_HEX];
	uint64_t	 size;
	bool		 is_new;
	bool		 dup;		/* the same file or bytes as an earlier */
	struct sig_file	 f;
	bool		 seen;
	int64_t		 old_last;	/* ingested before: its last record */
};

/* The hashing thread. */
struct hasher {
	pthread_t	 th;
	bool		 running;	/* th is to be joined */
	struct arch	*a;
	size_t		 na;
	atomic_bool	 done;
	atomic_bool	 quit;		/* stop early */
	size_t		 failed;	/* index + 1 of a file it could not read */
	int		 err_no;
};

struct ing {
	struct store	*st;
	struct arch	*a;
	size_t		 na;
	int64_t		 from;		/* first bin written */
	bool		 have_from;
	bool		 from_final;
	int64_t		 bin;
	struct sig	*sig;
	struct store_point pts[BATCH];	/* entities: the engine's names */
	const char	*kind;		/* of pts: the engine's constant */
	size_t		 npts;
	uint64_t	 points;
	int64_t		 tmin, tmax;
	int		 dbrc;
	struct replay_status rs;
	bool		 strict;
	struct progress	 prog;
	struct hasher	 h;
	bool		 guess;		/* replaying on "every file is new" */
	bool		 settled;	/* hashes known and looked up */
	bool		 restart;	/* the guess was wrong */
	int		 nnew;
	int		 settle_rc;	/* settle()'s exit code in on_point */
};

/* Feeds the digest from a read-only mapping (a regular file) in 8 MiB
 * windows, each dropped from the address space once hashed, so that the
 * bytes are not copied out of the page cache and the RSS stays small.
 * Returns 0, 1 when the file cannot be mapped (then read() it), -1. */
static int
sha256_map(int fd, EVP_MD_CTX *c, uint64_t *size, const atomic_bool *quit)
{
	const size_t win = (size_t)8 << 20;
	struct stat sb;
	uint64_t off = 0;

	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size == 0)
		return 1;
	while (off < (uint64_t)sb.st_size) {
		size_t len = (uint64_t)sb.st_size - off < win ?
		    (size_t)((uint64_t)sb.st_size - off) : win;
		void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd,
		    (off_t)off);

		if (m == MAP_FAILED)
			return off == 0 ? 1 : -1;
		EVP_DigestUpdate(c, m, len);
		(void)munmap(m, len);
		off += len;
		if (atomic_load_explicit(quit, memory_order_relaxed)) {
			errno = EINTR;
			return -1;
		}
	}
	*size = off;
	return 0;
}

static int
sha256_file(const char *path, char *hex, uint64_t *size, uint8_t *buf,
    size_t len, const atomic_bool *quit)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	EVP_MD_CTX *c;
	ssize_t n = 0;
	int fd, ok, mrc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if ((c = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(c);
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	*size = 0;
	if ((mrc = sha256_map(fd, c, size, quit)) < 0)
		n = -1;
	while (mrc == 1 && (n = read(fd, buf, len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || atomic_load_explicit(quit, memory_order_relaxed))
			break;
		EVP_DigestUpdate(c, buf, (size_t)n);
		*size += (uint64_t)n;
	}
	ok = n == 0 && EVP_DigestFinal_ex(c, md, &mdlen) == 1 && mdlen == 32;
	EVP_MD_CTX_free(c);
	close(fd);
	if (!ok) {
		if (n == 0)
			errno = EINTR;
		return -1;
	}
	for (unsigned i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
	return 0;
}

static void *
hash_all(void *arg)
{
	struct hasher *h = arg;
	size_t len = 1 << 20;
	uint8_t *buf = malloc(len);

	for (size_t i = 0; i < h->na; i++) {
		if (h->a[i].dup)
			continue;
		if (buf == NULL || sha256_file(h->a[i].path, h->a[i].sha,
		    &h->a[i].size, buf, len, &h->quit) != 0) {
			h->err_no = buf == NULL ? ENOMEM : errno;
			h->failed = i + 1;
			break;
		}
	}
	free(buf);
	atomic_store_explicit(&h->done, true, memory_order_release);
	return NULL;
}

static void
hash_start(struct hasher *h)
{
	if (pthread_create(&h->th, NULL, hash_all, h) == 0)
		h->running = true;
	else
		(void)hash_all(h);	/* no thread: hash here */
}

static void
hash_wait(struct hasher *h, bool quit)
{
	if (quit)
		atomic_store(&h->quit, true);
	if (h->running)
		pthread_join(h->th, NULL);
	h->running = false;
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

static int
on_point(void *ctx, const char *kind, int64_t t, const char *entity,
    uint64_t v)
{
	struct ing *g = ctx;
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
	/* A batch is of one kind (the engine emits a kind's points
	 * together). */
	if (g->npts > 0 && strcmp(g->kind, kind) != 0 &&
	    (rc = flush_points(g)) != 0)
		return rc;
	g->kind = kind;
	p = &g->pts[g->npts];
	p->entity = entity;
	p->time = t;
	p->value = (double)v;
	g->npts++;
	g->points++;
	if (g->points == 1 || t < g->tmin)
		g->tmin = t;
	if (g->points == 1 || t > g->tmax)
		g->tmax = t;
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
	g->have_from = true;
}

static void
on_file(void *ctx, const struct sig_file *f)
{
	struct ing *g = ctx;
	struct arch *a = find(g, f->path);

	if (a != NULL) {
		a->f = *f;
		a->seen = true;
	}
	cli_replay_file(f, g->strict, &g->rs);
}

static void
on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct ing *g = ctx;

	progress_update(&g->prog, "ingest", done, total);
}


static const char *
base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s != NULL ? s + 1 : p;
}

/* Waits for the hashes and looks the files up: sets is_new, dup and
 * g->nnew, and g->restart when the replay's guess (every file new and
 * distinct) was wrong. Returns 0, or an exit code after printing why. */
static int
settle(struct ing *g)
{
	struct store_archive old;
	int rc;

	hash_wait(&g->h, false);
	g->settled = true;
	if (g->h.failed) {
		cli_err("%s: %s", g->a[g->h.failed - 1].path,
		    strerror(g->h.err_no));
		return EXIT_FAIL;
	}
	g->nnew = 0;
	for (size_t i = 0; i < g->na; i++) {
		struct arch *a = &g->a[i];

		for (size_t j = 0; j < i && !a->dup; j++)
			if (!g->a[j].dup && strcmp(g->a[j].sha, a->sha) == 0) {
				a->dup = true;
				g->restart = true;
			}
		if (a->dup)
			continue;
		rc = store_archive_get(g->st, a->sha, &old);
		if (rc == LL_ENOTFOUND) {
			a->is_new = true;
			g->nnew++;
		} else if (rc == 0) {
			a->old_last = old.last_time;
			g->restart = true;
		} else {
			cli_err("ingest: %s", store_errmsg(g->st));
			return EXIT_FAIL;
		}
	}
	if (!g->guess)
		g->restart = false;
	return 0;
}

/* The same file given twice (by another name too) is read once. */
static int
same_files(struct ing *g)
{
	struct stat *sb = calloc(g->na + 1, sizeof(*sb));

	if (sb == NULL)
		return EXIT_FAIL;
	for (size_t i = 0; i < g->na; i++) {
		if (stat(g->a[i].path, &sb[i]) != 0 ||
		    access(g->a[i].path, R_OK) != 0) {
			cli_err("%s: %s", g->a[i].path, strerror(errno));
			free(sb);
			return EXIT_FAIL;
		}
		for (size_t j = 0; j < i && !g->a[i].dup; j++)
			if (!g->a[j].dup && sb[j].st_dev == sb[i].st_dev &&
			    sb[j].st_ino == sb[i].st_ino)
				g->a[i].dup = true;
	}
	free(sb);
	return 0;
}

/* Checks (and records) the bin size the store's bgp signal uses. */
static int
check_bin(struct ing *g)
{
	char buf[32], want[32];
	int rc;

	snprintf(want, sizeof(want), "%" PRId64, g->bin);
	rc = store_meta_get(g->st, "bgp.bin", buf, sizeof(buf));
	if (rc == 0 && strcmp(buf, want) != 0) {
		cli_err("ingest: the store holds bgp in bins of %s s, not %s "
		    "(use another --db)", buf, want);
		return EXIT_USAGE;
	}
	if (rc != 0 && rc != LL_ENOTFOUND) {
		cli_err("ingest: %s", store_errmsg(g->st));
		return EXIT_FAIL;
	}
	if (rc == LL_ENOTFOUND && store_meta_set(g->st, "bgp.bin", want)) {
		cli_err("ingest: %s", store_errmsg(g->st));
		return EXIT_FAIL;
	}
	return 0;
}

/* Records the new archives. Returns 0 or an exit code. */
static int
record_archives(struct ing *g)
{
	for (size_t i = 0; i < g->na; i++) {
		struct arch *a = &g->a[i];
		struct store_archive r = { 0 };
		int rc;

		if (!a->is_new || a->dup)
			continue;
		memcpy(r.sha256, a->sha, sizeof(r.sha256));
		snprintf(r.name, sizeof(r.name), "%s", base_name(a->path));
		r.size = a->size;
		r.first_time = a->f.empty ? 0 : a->f.first_ts;
		r.last_time = a->f.empty ? 0 : a->f.last_ts;
		r.records = a->f.records;
		r.bad_records = a->f.bad;
		r.points = g->points;
		r.status = a->f.bad || a->f.rc ? STORE_ARCHIVE_ERRORS :
		    STORE_ARCHIVE_OK;
		rc = store_archive_record(g->st, &r);
		if (rc == LL_EEXIST) {
			cli_err("ingest: %s was ingested meanwhile by another "
			    "run; nothing written", a->path);
			return EXIT_FAIL;
		}
		if (rc != 0) {
			cli_err("ingest: %s", store_errmsg(g->st));
			return EXIT_FAIL;
		}
	}
	return 0;
}

/* Forgets what a replay did, for a second one. */
static void
reset(struct ing *g)
{
	sig_free(g->sig);
	g->sig = NULL;
	g->npts = 0;
	g->points = 0;
	g->have_from = false;
	g->from_final = false;
	g->dbrc = 0;
	g->restart = false;
	memset(&g->rs, 0, sizeof(g->rs));
	for (size_t i = 0; i < g->na; i++) {
		memset(&g->a[i].f, 0, sizeof(g->a[i].f));
		g->a[i].seen = false;
	}
}

/* One replay in one transaction. Returns 0 (committed), an exit code, or
 * -1 when the guess was wrong (rolled back: run again). */
static int
run(struct ing *g, struct sig_opts *so, struct sig_replay_opts *ro)
{
	const char **todo;
	size_t n = 0;
	int rc, ret;

	if ((rc = sig_new(so, on_point, g, &g->sig)) != 0) {
		cli_err("ingest: %s", ll_strerror(rc));
		return EXIT_FAIL;
	}
	todo = calloc(g->na + 1, sizeof(*todo));
	if (todo == NULL)
		return EXIT_FAIL;
	for (size_t i = 0; i < g->na; i++)
		if (!g->a[i].dup)
			todo[n++] = g->a[i].path;
	if (store_tx_begin(g->st) != 0) {
		cli_err("ingest: %s", store_errmsg(g->st));
		free(todo);
		return EXIT_FAIL;
	}
	if ((ret = check_bin(g)) != 0)
		goto fail;
	progress_init(&g->prog);
	rc = sig_replay(g->sig, todo, n, ro);
	progress_done(&g->prog);
	free(todo);
	todo = NULL;
	ret = EXIT_FAIL;
	if (g->settle_rc != 0) {
		ret = g->settle_rc;
		goto fail;
	}
	if (g->guess && !g->settled && (ret = settle(g)) != 0)
		goto fail;
	if (g->restart) {
		ret = -1;
		goto fail;
	}
	if (g->dbrc == 0)
		(void)flush_points(g);
	ret = EXIT_FAIL;
	if (g->dbrc != 0) {
		cli_err("ingest: %s", store_errmsg(g->st));
		goto fail;
	}
	if (rc == LL_ELIMIT) {
		cli_err("ingest: the records are more than 31 days apart; "
		    "give files of one period");
		goto fail;
	}
	if (g->rs.fail || rc == LL_ENOMEM)
		goto fail;
	if (g->strict && (g->rs.bad || g->rs.damaged)) {
		ret = EXIT_DATA;
		goto fail;
	}
	if ((ret = record_archives(g)) != 0)
		goto fail;
	if (store_tx_commit(g->st) != 0) {
		cli_err("ingest: commit: %s", store_errmsg(g->st));
		return EXIT_FAIL;
	}
	return 0;
fail:
	free(todo);
	store_tx_rollback(g->st);
	return ret;
}

/* Replays on the guess that every file is new while they are hashed; when
 * that was wrong, again with the truth. Returns an exit code. */
static int
run_all(struct ing *g, struct sig_opts *so, struct sig_replay_opts *ro,
    const char *db)
{
	char t1[LL_ISO8601_LEN], t2[LL_ISO8601_LEN];
	int ret;

	g->guess = true;
	if ((ret = run(g, so, ro)) == -1) {
		g->guess = false;
		ret = 0;
		if (g->nnew > 0) {
			reset(g);
			ret = run(g, so, ro);
		}
	}
	if (ret != 0)
		return ret;
	if (g->nnew == 0) {
		fprintf(stderr, "lifeline: nothing to ingest: %zu archive(s) "
		    "already in %s\n", g->na, db);
		return 0;
	}
	fprintf(stderr, "lifeline: ingested %d archive(s) (%zu given), "
	    "%" PRIu64 " points", g->nnew, g->na, g->points);
	if (g->points)
		fprintf(stderr, " from %s to %s", ll_time_fmt(g->tmin, t1,
		    sizeof(t1)), ll_time_fmt(g->tmax, t2, sizeof(t2)));
	fprintf(stderr, " into %s\n", db);
	if (g->rs.bad)
		cli_warn("ingest: %" PRIu64 " bad records skipped", g->rs.bad);
	return g->rs.bad || g->rs.damaged ? EXIT_DATA : 0;
}

static int
ingest_bgp(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },
		CLI_REPLAY_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sig_opts so = { .by = SIG_BY_ALL };
	struct sig_replay_opts ro = { 0 };
	struct geo_opts go = { .warn = cli_geo_warn,
	    .cache_dir = cli_cache_dir() };
	struct replay_args ra = { .so = &so, .ro = &ro, .go = &go };
	const char *db = NULL;
	char errbuf[256];
	struct ing *g;
	struct geo *geo = NULL;
	int c, rc, ret = EXIT_FAIL;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		int h = cli_replay_opt(&ra, c, optarg, "ingest");

		if (h < 0)
			return EXIT_USAGE;
		if (h > 0)
			continue;
		switch (c) {
		case 'd': db = optarg; break;
		case 'h': usage(stdout); return 0;
		default:
			cli_err("ingest bgp: bad option '%s' (--help for "
			    "usage)", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_err("ingest bgp: no FILE given (--help for usage)");
		return EXIT_USAGE;
	}
	db = cli_db_url(db);
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return EXIT_FAIL;
	g->strict = ro.strict;
	g->bin = so.bin ? so.bin : 300;
	g->na = (size_t)(argc - optind);
	g->a = calloc(g->na, sizeof(*g->a));
	if (g->a == NULL)
		goto out;
	for (size_t i = 0; i < g->na; i++)
		g->a[i].path = argv[optind + (int)i];
	if ((ret = same_files(g)) != 0)
		goto out;
	ret = EXIT_FAIL;
	rc = store_open(db, STORE_CREATE, &g->st, errbuf, sizeof(errbuf));
	if (rc != 0) {
		cli_err("ingest: %s", errbuf);
		goto out;
	}
	g->h.a = g->a;
	g->h.na = g->na;
	hash_start(&g->h);
	if ((rc = geo_open(&go, &geo)) != 0) {
		cli_err("ingest: location database: %s",
		    geo != NULL ? geo_errmsg(geo) : ll_strerror(rc));
		goto out;
	}
	so.geo = geo;
	ro.on_error = cli_mrt_error;
	ro.on_file = on_file;
	ro.on_plan = on_plan;
	ro.on_progress = on_progress;
	ro.ctx = g;
	ret = run_all(g, &so, &ro, db);
out:
	if (g != NULL) {
		hash_wait(&g->h, true);
		sig_free(g->sig);
		store_free(g->st);
		free(g->a);
		free(g);
	}
	geo_free(geo);
	return ret;
}

int
cmd_ingest(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "bgp") == 0)
		return ingest_bgp(argc - 1, argv + 1);
	cli_err("ingest: unknown source '%s' (try: bgp)", argv[1]);
	return EXIT_USAGE;
}
