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
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cmd/cmd.h"
#include "geo/geo.h"
#include "signal/signal.h"
#include "store/store.h"
#include "util/err.h"
#include "util/time.h"

#define BATCH		8192
#define SIGNAL_KIND	"bgp"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: lifeline ingest bgp [options] FILE...\n"
	    "\n"
	    "Replays MRT archives (RIB dumps and updates, any order, one or\n"
	    "several collectors) and writes the BGP visibility signal (IPv4\n"
	    "/24s visible to more than half of the full-feed peers, per bin,\n"
	    "per country, region and origin AS; docs/signals.md) to the\n"
	    "store as signal 'bgp'. Archives already ingested (same SHA-256)\n"
	    "are not written again; all of a run is one transaction, so an\n"
	    "interrupted run leaves nothing and can simply be re-run.\n"
	    "\n"
	    "options:\n"
	    "  --db URL           store (default $LIFELINE_DB, else lifeline.db)\n"
	    "  --collector NAME   collector of every file (default: from the\n"
	    "                     path, else the RIB's collector id)\n"
	    "  --bin DURATION     bin size (default 300; fixed per store)\n"
	    "  --full-feed N|P%%   full-feed peers: more than N IPv4 prefixes\n"
	    "                     (default 400000), or at least P%% of the\n"
	    "                     largest peer's table\n"
	    "  --min-peers F      fraction of full-feed peers (default 0.5)\n"
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
	bool		 dup;
	struct sig_file	 f;
	bool		 seen;
};

struct ing {
	struct store	*st;
	struct arch	*a;
	size_t		 na;
	int64_t		 from;		/* first bin written */
	bool		 have_from;
	int64_t		 bin;
	struct sig	*sig;
	struct store_point pts[BATCH];
	char		 ents[BATCH][64];
	size_t		 npts;
	uint64_t	 points;
	int64_t		 tmin, tmax;
	int		 dbrc;
	struct replay_status rs;
	bool		 strict;
	struct progress	 prog;
};

static int
sha256_file(const char *path, char *hex, uint64_t *size)
{
	crypto_hash_sha256_state st;
	unsigned char buf[65536], out[crypto_hash_sha256_BYTES];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return -1;
	*size = 0;
	crypto_hash_sha256_init(&st);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		crypto_hash_sha256_update(&st, buf, n);
		*size += n;
	}
	if (ferror(f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	crypto_hash_sha256_final(&st, out);
	sodium_bin2hex(hex, STORE_SHA256_HEX, out, sizeof(out));
	return 0;
}

static struct arch *
find(struct ing *g, const char *path)
{
	for (size_t i = 0; i < g->na; i++)
		if (g->a[i].path == path)
			return &g->a[i];
	return NULL;
}

static int
flush_points(struct ing *g)
{
	int rc;

	if (g->npts == 0)
		return 0;
	rc = store_points_put(g->st, SIGNAL_KIND, "ingest", g->pts, g->npts);
	g->npts = 0;
	if (rc != 0)
		g->dbrc = rc;
	return rc;
}

static int
on_point(void *ctx, int64_t t, const char *entity, uint64_t v)
{
	struct ing *g = ctx;
	struct store_point *p;

	if (!g->have_from || t < g->from)
		return 0;
	p = &g->pts[g->npts];
	snprintf(g->ents[g->npts], sizeof(g->ents[0]), "%s", entity);
	p->entity = g->ents[g->npts];
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

	if (a == NULL || !a->is_new || f->empty)
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

/* Hashes the files and looks them up. Returns the number of new ones, or
 * -1 after printing an error. */
static int
classify(struct ing *g)
{
	int nnew = 0, rc;

	for (size_t i = 0; i < g->na; i++) {
		struct arch *a = &g->a[i];

		if (sha256_file(a->path, a->sha, &a->size) != 0) {
			cli_err("%s: %s", a->path, strerror(errno));
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(g->a[j].sha, a->sha) == 0)
				a->dup = true;
		if (a->dup)
			continue;
		rc = store_archive_get(g->st, a->sha, NULL);
		if (rc == LL_ENOTFOUND) {
			a->is_new = true;
			nnew++;
		} else if (rc != 0) {
			cli_err("ingest: %s", store_errmsg(g->st));
			return -1;
		}
	}
	return nnew;
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

static int
run(struct ing *g, struct sig_opts *so, struct sig_replay_opts *ro,
    char **files, int nfiles)
{
	const char **todo;
	size_t n = 0;
	int rc, ret;

	if ((rc = sig_new(so, on_point, g, &g->sig)) != 0) {
		cli_err("ingest: %s", ll_strerror(rc));
		return EXIT_FAIL;
	}
	todo = calloc((size_t)nfiles + 1, sizeof(*todo));
	if (todo == NULL)
		return EXIT_FAIL;
	for (size_t i = 0; i < g->na; i++)
		if (!g->a[i].dup)
			todo[n++] = g->a[i].path;
	(void)files;
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

static int
ingest_bgp(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },
		CLI_REPLAY_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sig_opts so = { .min_peers = -1, .by = SIG_BY_ALL };
	struct sig_replay_opts ro = { 0 };
	struct geo_opts go = { .warn = cli_geo_warn };
	struct replay_args ra = { .so = &so, .ro = &ro, .go = &go };
	const char *db = NULL;
	char errbuf[256], t1[LL_ISO8601_LEN], t2[LL_ISO8601_LEN];
	struct ing *g;
	struct geo *geo = NULL;
	int c, rc, nnew, ret = EXIT_FAIL;

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
	if (sodium_init() < 0) {
		cli_err("ingest: libsodium could not be initialised");
		return EXIT_FAIL;
	}
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
	rc = store_open(cli_db_url(db), STORE_CREATE, &g->st, errbuf,
	    sizeof(errbuf));
	if (rc != 0) {
		cli_err("ingest: %s", errbuf);
		goto out;
	}
	if ((nnew = classify(g)) < 0)
		goto out;
	if (nnew == 0) {
		fprintf(stderr, "lifeline: nothing to ingest: %zu archive(s) "
		    "already in %s\n", g->na, cli_db_url(db));
		ret = 0;
		goto out;
	}
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
	if ((ret = run(g, &so, &ro, argv + optind, argc - optind)) != 0)
		goto out;
	fprintf(stderr, "lifeline: ingested %d archive(s) (%zu given), "
	    "%" PRIu64 " points", nnew, g->na, g->points);
	if (g->points)
		fprintf(stderr, " from %s to %s", ll_time_fmt(g->tmin, t1,
		    sizeof(t1)), ll_time_fmt(g->tmax, t2, sizeof(t2)));
	fprintf(stderr, " into %s\n", cli_db_url(db));
	if (g->rs.bad)
		cli_warn("ingest: %" PRIu64 " bad records skipped", g->rs.bad);
	ret = g->rs.bad || g->rs.damaged ? EXIT_DATA : 0;
out:
	if (g != NULL) {
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
