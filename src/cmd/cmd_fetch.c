/*
 * lifeline fetch: downloads RIS / RouteViews archives for a time range.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "fetch/fetch.h"
#include "util/err.h"
#include "util/time.h"

static volatile sig_atomic_t interrupted;

struct fetch_cli {
	struct progress	 prog;
	const char	*dir;
	bool		 dry_run;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: lifeline fetch --project ris|routeviews --collector C\n"
	    "                      --from T --to T [options]\n"
	    "\n"
	    "Downloads the RIB and update archives a collector published\n"
	    "for [from, to), plus the last RIB at or before `from`, into a\n"
	    "mirror of the archive's layout under --dir. A partial FILE.part\n"
	    "is resumed; complete files are skipped; each new file is\n"
	    "checked (length, full decompression, MRT header) and a bad one\n"
	    "is kept as FILE.bad. Prints the path of every archive now on\n"
	    "disk, one a line, so the output can feed `lifeline ingest bgp`.\n"
	    "\n"
	    "  --project P       ris (RIPE RIS) or routeviews\n"
	    "  --collector C     rrc00..rrc26, route-views2, route-views.linx...\n"
	    "  --from T, --to T  ISO 8601: 2021-01-01, 2021-01-01T04:55Z,\n"
	    "                    2021-01-01T06:55+02:00, or @epoch\n"
	    "  --dir DIR         where to write (default .)\n"
	    "  --base-url URL    another server with the same layout\n"
	    "                    (default https://data.ris.ripe.net/ or\n"
	    "                    https://archive.routeviews.org/)\n"
	    "  --ribs-only       only RIB dumps\n"
	    "  --updates-only    only update files\n"
	    "  --retries N       tries per file on transient errors (default 4),\n"
	    "                    waiting 1 s, then 2 s, 4 s... between them\n"
	    "  --max-size N      give up a file larger than N bytes (suffix K, M,\n"
	    "                    G; default 8G), so an endless body cannot fill\n"
	    "                    the disk\n"
	    "  --max-time D      give up a file not done after D, tries and waits\n"
	    "                    included (90s, 30m, 2h; default 1h)\n"
	    "  --min-rate N      abandon a transfer slower than N bytes a second\n"
	    "                    for 60 s (default 1024)\n"
	    "  --dry-run         print status, URL and path of each file;\n"
	    "                    download nothing\n"
	    "\n"
	    "exit status: 0 all there, 1 some files missing (404) or bad,\n"
	    "2 usage, 3 a download failed or the directory is not writable.\n");
}

static void
on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int
on_progress(void *arg, const struct fetch_file *f, uint64_t done,
    uint64_t total)
{
	struct fetch_cli *c = arg;

	progress_update(&c->prog, f->rel, done, total);
	return interrupted ? 1 : 0;
}

static void
on_file(void *arg, const struct fetch_file *f, enum fetch_status st,
    const char *why)
{
	struct fetch_cli *c = arg;

	progress_done(&c->prog);
	if (c->dry_run) {
		printf("%s %s %s/%s\n", fetch_status_name(st),
		    cli_esc(f->url), cli_esc(c->dir), cli_esc(f->rel));
		return;
	}
	switch (st) {
	case FETCH_DONE:
	case FETCH_PRESENT:
	case FETCH_PLANNED:
		printf("%s/%s\n", cli_esc(c->dir), cli_esc(f->rel));
		fflush(stdout);
		break;
	case FETCH_BAD:
		cli_warn("%s: bad, kept as %s/%s.bad: %s", f->url, c->dir,
		    f->rel, why != NULL ? why : "");
		break;
	default:
		cli_warn("%s: %s: %s", f->url, fetch_status_name(st),
		    why != NULL ? why : "");
		break;
	}
}

struct args {
	struct fetch_req	 req;
	struct fetch_opts	 opts;
};

enum { O_PROJECT = 256, O_COLLECTOR, O_FROM, O_TO, O_DIR, O_BASE, O_RIBS,
    O_UPDATES, O_DRY, O_RETRIES, O_MAXSIZE, O_MAXTIME, O_MINRATE };

/* "4096", "10K", "2M", "8G" (powers of 1024). Returns 0 or -1. */
static int
parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long n;
	unsigned shift = 0;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case '\0': break;
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	default: return -1;
	}
	if (*end != '\0' || n == 0 || n > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)n << shift;
	return 0;
}

/* --retries, --max-size, --max-time, --min-rate into o. Returns 0 or -1
 * (said). */
static int
parse_limit(int ch, const char *arg, struct fetch_opts *o)
{
	char *end;
	int64_t d;
	long n;

	switch (ch) {
	case O_RETRIES:
		n = strtol(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || n < 1 || n > 100) {
			cli_err("fetch: --retries wants 1..100");
			return -1;
		}
		o->max_tries = (int)n;
		return 0;
	case O_MAXSIZE:
		if (parse_size(arg, &o->max_bytes) != 0) {
			cli_err("fetch: --max-size wants a size such as 500M or "
			    "8G, not '%s'", arg);
			return -1;
		}
		return 0;
	case O_MAXTIME:
		if (ll_duration_parse(arg, &d) != 0 || d < 1 || d > 7 * 86400) {
			cli_err("fetch: --max-time wants 1s..7d, not '%s'", arg);
			return -1;
		}
		o->max_time_s = (long)d;
		return 0;
	default:
		n = strtol(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || n < 1 || n > 1000000000L) {
			cli_err("fetch: --min-rate wants bytes a second "
			    "(1..1000000000), not '%s'", arg);
			return -1;
		}
		o->min_rate = n;
		return 0;
	}
}

static int
parse_args(int argc, char **argv, struct args *a, struct fetch_cli *c)
{
	static const struct option lo[] = {
		{ "project", required_argument, NULL, O_PROJECT },
		{ "collector", required_argument, NULL, O_COLLECTOR },
		{ "from", required_argument, NULL, O_FROM },
		{ "to", required_argument, NULL, O_TO },
		{ "dir", required_argument, NULL, O_DIR },
		{ "base-url", required_argument, NULL, O_BASE },
		{ "ribs-only", no_argument, NULL, O_RIBS },
		{ "updates-only", no_argument, NULL, O_UPDATES },
		{ "dry-run", no_argument, NULL, O_DRY },
		{ "retries", required_argument, NULL, O_RETRIES },
		{ "max-size", required_argument, NULL, O_MAXSIZE },
		{ "max-time", required_argument, NULL, O_MAXTIME },
		{ "min-rate", required_argument, NULL, O_MINRATE },
		{ NULL, 0, NULL, 0 },
	};
	bool have_p = false, have_f = false, have_t = false;
	int ch;

	a->req.kinds = FETCH_RIB | FETCH_UPDATES;
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case O_PROJECT:
			if (fetch_project_parse(optarg, &a->req.project) != 0) {
				cli_err("fetch: --project must be ris or "
				    "routeviews, not '%s'", optarg);
				return EXIT_USAGE;
			}
			have_p = true;
			break;
		case O_COLLECTOR:
			a->req.collector = optarg;
			break;
		case O_FROM:
		case O_TO:
			if (ll_time_parse(optarg, ch == O_FROM ? &a->req.from :
			    &a->req.to) != 0) {
				char why[160];

				cli_err("fetch: bad time '%s': %s", optarg,
				    ll_time_why(optarg, why, sizeof(why)));
				return EXIT_USAGE;
			}
			if (ch == O_FROM)
				have_f = true;
			else
				have_t = true;
			break;
		case O_DIR:
			c->dir = optarg;
			break;
		case O_BASE:
			a->req.base_url = optarg;
			break;
		case O_RIBS:
		case O_UPDATES:
			if (a->req.kinds != (FETCH_RIB | FETCH_UPDATES)) {
				cli_err("fetch: --ribs-only and --updates-only "
				    "exclude each other");
				return EXIT_USAGE;
			}
			a->req.kinds = ch == O_RIBS ? FETCH_RIB : FETCH_UPDATES;
			break;
		case O_DRY:
			c->dry_run = true;
			break;
		case O_RETRIES:
		case O_MAXSIZE:
		case O_MAXTIME:
		case O_MINRATE:
			if (parse_limit(ch, optarg, &a->opts) != 0)
				return EXIT_USAGE;
			break;
		default:
			cli_err("fetch: unknown or incomplete option '%s'; see "
			    "'lifeline fetch --help'", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_err("fetch: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (!have_p || a->req.collector == NULL || !have_f || !have_t) {
		cli_err("fetch: --project, --collector, --from and --to are "
		    "required; see 'lifeline fetch --help'");
		return EXIT_USAGE;
	}
	if (a->req.to <= a->req.from) {
		cli_err("fetch: --to must be after --from");
		return EXIT_USAGE;
	}
	return 0;
}

static int
exit_code(int rc, const struct fetch_stats *st)
{
	if (rc != 0 || st->failed > 0)
		return EXIT_FAIL;
	if (st->missing > 0 || st->bad > 0)
		return EXIT_DATA;
	return 0;
}

int
cmd_fetch(int argc, char **argv)
{
	struct fetch_cli c = { .dir = "." };
	struct args a;
	struct fetch_plan plan = { NULL, 0 };
	struct fetch_stats st;
	int rc;

	if (cli_wants_help(argc, argv)) {
		usage(stdout);
		return 0;
	}
	memset(&a, 0, sizeof(a));
	memset(&st, 0, sizeof(st));
	if ((rc = parse_args(argc, argv, &a, &c)) != 0)
		return rc;
	rc = fetch_plan_build(&a.req, &plan);
	if (rc == LL_EINVAL) {
		cli_err("fetch: bad collector '%s' for %s, or bad --base-url "
		    "(http:// or https://)", a.req.collector,
		    a.req.project == FETCH_RIS ? "ris (rrcNN)" : "routeviews");
		return EXIT_USAGE;
	}
	if (rc != 0) {
		cli_err("fetch: cannot plan the range: %s", ll_strerror(rc));
		return rc == LL_ELIMIT ? EXIT_USAGE : EXIT_FAIL;
	}
	a.opts.dir = c.dir;
	a.opts.dry_run = c.dry_run;
	a.opts.on_progress = on_progress;
	a.opts.on_file = on_file;
	a.opts.arg = &c;
	progress_init(&c.prog);
	signal(SIGINT, on_sigint);
	rc = fetch_run(&plan, &a.opts, &st);
	progress_done(&c.prog);
	signal(SIGINT, SIG_DFL);
	if (rc == LL_EIO)
		cli_err("fetch: stopped: cannot write to '%s' (see above)",
		    c.dir);
	else if (rc != 0)
		cli_err("fetch: %s", rc == LL_EINTR ? "interrupted" :
		    ll_strerror(rc));
	if (c.dry_run)
		fprintf(stderr, "lifeline: fetch: %zu %s, %zu to download, %zu "
		    "present\n", plan.n, cli_plural(plan.n, "file", "files"),
		    st.planned, st.present);
	else
		fprintf(stderr, "lifeline: fetch: %zu fetched, %zu present, %zu "
		    "missing, "
		    "%zu bad, %zu failed; %.1f MB received\n", st.done,
		    st.present, st.missing, st.bad, st.failed,
		    (double)st.bytes / 1e6);
	fetch_plan_free(&plan);
	return exit_code(rc, &st);
}
