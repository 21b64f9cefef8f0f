/*
 * lifeline ingest bgp: options, progress and messages around the ingest
 * library (src/ingest), which writes the BGP visibility signal of MRT
 * archives to the store, idempotently and atomically.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "geo/geo.h"
#include "ingest/ingest.h"
#include "signal/signal.h"
#include "store/store.h"
#include "util/err.h"
#include "util/time.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: lifeline ingest bgp [options] FILE...\n"
	    "       lifeline ingest bgp [--db URL] --forget FILE|SHA256...\n"
	    "       lifeline ingest --from nats://HOST:PORT [--db URL] "
	    "(then --help: its options)\n"
	    "\n"
	    "Replays MRT archives (RIB dumps and updates, any order, one or\n"
	    "several collectors) and writes the BGP visibility signals (IPv4\n"
	    "/24s and IPv6 /48s seen by at least half of the full-feed peer\n"
	    "ASes, per bin, per country, region and origin AS, and collector\n"
	    "health; docs/signals.md) to the store as signals 'bgp', 'bgp6',\n"
	    "'bgp.peers'... Archives already ingested (same SHA-256)\n"
	    "are not written again; all of a run is one transaction, so an\n"
	    "interrupted run leaves nothing and can simply be re-run. The\n"
	    "store keeps the settings below (and the location database's\n"
	    "date) with the data: a run with other settings is refused.\n"
	    "A FILE may be a pipe, a FIFO or /dev/stdin (read once).\n"
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
	    "  --warmup DURATION  count a collector's bins from DURATION after\n"
	    "                     its first record even without a RIB dump\n"
	    "                     (default: only after its first RIB dump;\n"
	    "                     bins before are recorded as a gap)\n"
	    "  --strict           stop at the first bad record, write nothing\n"
	    "  --locdb FILE       libloc database (default: the system's)\n"
	    "  --city FILE        MaxMind-format city database (regions)\n"
	    "  --rir FILE         RIR delegated stats for countries\n"
	    "  --force            ingest the files again even when the store\n"
	    "                     has them, replacing their points and rows,\n"
	    "                     and make this run's settings the store's\n"
	    "  --forget           forget the archives given (by file or\n"
	    "                     SHA-256), so that a later run ingests them\n"
	    "\n"
	    "exit status: 0 ok, 1 the input had data errors (sound records\n"
	    "were ingested) or gave no point (e.g. no full-feed peer), 2\n"
	    "usage (or settings other than the store's), 3 failure (file,\n"
	    "database).\n");
}

struct cli_ing {
	struct replay_status	 rs;
	struct progress		 prog;
	bool			 strict;
};

static void
on_file_cli(void *ctx, const struct sig_file *f)
{
	struct cli_ing *c = ctx;

	cli_replay_file(f, c->strict, &c->rs);
}

static void
on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct cli_ing *c = ctx;

	progress_update(&c->prog, "ingest", done, total);
}

/* Bins left without values: one line each (the library stores them). */
static void
on_gap(void *ctx, const struct sig_gap *g)
{
	(void)ctx;
	cli_gap_note("ingest", g);
}

static void
on_warn(void *ctx, const char *msg)
{
	(void)ctx;
	cli_warn("ingest: %s", msg);
}

static void
on_forget(void *ctx, const char *arg, const struct store_archive *a)
{
	int *missing = ctx;

	if (a == NULL) {
		cli_warn("ingest: not in the store: %s", arg);
		(*missing)++;
	} else {
		fprintf(stderr, "lifeline: forgot %s (%s)\n", a->name,
		    a->sha256);
	}
}

static int
forget(struct store *st, char **args, size_t n)
{
	char err[512] = "";
	int missing = 0;
	int rc;

	rc = ingest_forget(st, (const char *const *)args, n, on_forget,
	    &missing, err, sizeof(err));
	if (rc != 0) {
		cli_err("ingest: %s", err);
		return EXIT_FAIL;
	}
	return missing ? EXIT_DATA : 0;
}

/* Says what the run did; returns the exit code. */
static int
report(const struct ingest_result *r, const struct sig_opts *so,
    const char *db)
{
	char t1[LL_ISO8601_LEN], t2[LL_ISO8601_LEN];

	if (r->recorded == 0 && r->no_point == 0) {
		fprintf(stderr, "lifeline: nothing to ingest: %zu %s already "
		    "in %s\n", r->given, cli_plural(r->given, "archive",
		    "archives"), db);
		return 0;
	}
	if (r->recorded == 0) {
		cli_no_point(&r->stats, so, "ingest");
		fprintf(stderr, "lifeline: nothing ingested into %s (no "
		    "archive is recorded without a point)\n", db);
		return EXIT_DATA;
	}
	fprintf(stderr, "lifeline: ingested %zu %s (%zu given), %" PRIu64
	    " %s", r->recorded, cli_plural(r->recorded, "archive", "archives"),
	    r->given, r->points, cli_plural(r->points, "point", "points"));
	if (r->points)
		fprintf(stderr, " from %s to %s", ll_time_fmt(r->tmin, t1,
		    sizeof(t1)), ll_time_fmt(r->tmax, t2, sizeof(t2)));
	fprintf(stderr, " into %s\n", db);
	if (r->no_point)
		cli_warn("ingest: %zu %s no point and %s not recorded",
		    r->no_point, cli_plural(r->no_point, "archive gave",
		    "archives gave"), cli_plural(r->no_point, "was", "were"));
	if (r->bad)
		cli_warn("ingest: %" PRIu64 " bad %s skipped", r->bad,
		    cli_plural(r->bad, "record", "records"));
	return r->bad || r->damaged ? EXIT_DATA : 0;
}

static int
run(struct store *st, char **files, size_t n, struct ingest_opts *io,
    struct cli_ing *c, const char *db)
{
	struct ingest_result *r = malloc(sizeof(*r));
	enum ingest_status s;
	int rc, ret = EXIT_FAIL;

	if (r == NULL)
		return EXIT_FAIL;
	progress_init(&c->prog);
	s = ingest_bgp(st, (const char *const *)files, n, io, r, &rc);
	progress_done(&c->prog);
	switch (s) {
	case INGEST_DONE:
		ret = report(r, &io->sig, db);
		break;
	case INGEST_CONFLICT:
		cli_err("ingest: the store %s holds the bgp signal made with "
		    "%s; this run asks for %s (%s)", db, r->store_settings,
		    r->run_settings, strncmp(r->run_settings, "bin=", 4) == 0 ?
		    "the bin size is fixed per store: use another --db" :
		    "--force ingests the files again with the new settings; "
		    "or use another --db");
		ret = EXIT_USAGE;
		break;
	case INGEST_STRICT:
		ret = EXIT_DATA;
		break;
	case INGEST_FAILED:
		if (r->errmsg[0] != '\0')
			cli_err("ingest: %s", r->errmsg);
		else if (!r->unreadable)
			cli_err("ingest: %s", ll_strerror(rc));
		ret = EXIT_FAIL;
		break;
	}
	free(r);
	return ret;
}

static int
ingest_main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'f' },
		{ "forget", no_argument, NULL, 'g' },
		CLI_REPLAY_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ingest_opts io = { .sig = { .by = SIG_BY_ALL } };
	struct geo_opts go = { .warn = cli_geo_warn,
	    .cache_dir = cli_cache_dir() };
	struct replay_args ra = { .so = &io.sig, .ro = &io.replay, .go = &go };
	struct cli_ing c = { 0 };
	struct ingest_spool *sp = NULL;
	struct store *st = NULL;
	struct geo *geo = NULL;
	const char *db = NULL;
	char errbuf[512], sources[STORE_SETTINGS_MAX];
	bool forget_mode = false;
	size_t n;
	int ch, rc, ret = EXIT_FAIL;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		int h = cli_replay_opt(&ra, ch, optarg, "ingest");

		if (h < 0)
			return EXIT_USAGE;
		if (h > 0)
			continue;
		switch (ch) {
		case 'd': db = optarg; break;
		case 'f': io.force = true; break;
		case 'g': forget_mode = true; break;
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
	n = (size_t)(argc - optind);
	db = cli_db_url(db);
	if (!forget_mode && (rc = ingest_spool_new((const char *const *)argv +
	    optind, n, getenv("TMPDIR"), 0, &sp, errbuf,
	    sizeof(errbuf))) != 0) {
		cli_err("%s", rc == LL_ENOMEM ? "out of memory" : errbuf);
		return rc == LL_EINVAL || rc == LL_ELIMIT ? EXIT_USAGE :
		    EXIT_FAIL;
	}
	rc = store_open(db, STORE_CREATE, &st, errbuf, sizeof(errbuf));
	if (rc != 0) {
		cli_err("ingest: %s", errbuf);
		goto out;
	}
	if (forget_mode) {
		ret = forget(st, argv + optind, n);
		goto out;
	}
	if ((rc = ingest_sources_text(&go, sources, sizeof(sources),
	    &io.locdb_time)) != 0 && rc != LL_ENOTFOUND) {
		cli_err("ingest: location database: %s", ll_strerror(rc));
		goto out;
	}
	if ((rc = geo_open(&go, &geo)) != 0) {
		cli_err("ingest: location database: %s",
		    geo != NULL ? geo_errmsg(geo) : ll_strerror(rc));
		goto out;
	}
	io.sig.geo = geo;
	io.sources = sources;
	io.open_paths = ingest_spool_paths(sp);
	io.warn = on_warn;
	c.strict = io.replay.strict;
	io.replay.on_error = cli_mrt_error;
	io.replay.on_file = on_file_cli;
	io.replay.on_progress = on_progress;
	io.replay.on_gap = on_gap;
	io.replay.need_table = true;
	io.replay.ctx = &c;
	ret = run(st, argv + optind, n, &io, &c, db);
out:
	store_free(st);
	geo_free(geo);
	ingest_spool_free(sp);
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
		return ingest_main(argc - 1, argv + 1);
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--from") == 0 ||
		    strncmp(argv[i], "--from=", 7) == 0)
			return cmd_ingest_bus(argc, argv);
	cli_err("ingest: unknown source '%s' (try: bgp)", argv[1]);
	return EXIT_USAGE;
}
