/*
 * lifeline bgp visibility: the BGP visibility signal computed from MRT
 * archives and printed (CSV or JSON), with no store.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "geo/geo.h"
#include "ingest/ingest.h"
#include "signal/signal.h"
#include "net/entity.h"
#include "util/err.h"
#include "util/time.h"


static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: lifeline bgp visibility [options] FILE...\n"
	    "\n"
	    "Replays MRT archives (RIB dumps and updates, any order, one or\n"
	    "several collectors) and prints, per bin and entity, IODA's BGP\n"
	    "visibility: the IPv4 /24s seen by at least --visibility of the\n"
	    "full-feed peer ASes (docs/signals.md):\n"
	    "  time,entity,value\n"
	    "  2021-01-01T05:00:00Z,country:EG,12345\n"
	    "\n"
	    "options:\n"
	    "  --by TYPE          country (default), region, asn, all, or a\n"
	    "                     comma list\n"
	    "  --entity E         only this entity (country:EG, region:EG-C,\n"
	    "                     asn:8452, collector:rrc00)\n"
	    "  --kind K           bgp: IPv4 /24s (default); bgp6: IPv6 /48s;\n"
	    "                     health: peers, full-feed peers and their\n"
	    "                     ASes per collector; all. With health or\n"
	    "                     all, a kind column comes after time\n"
	    "  --bin DURATION     bin size, aligned in UTC (default 300)\n"
	    "  --full-feed N|P%%   full-feed peers: at least N IPv4 prefixes\n"
	    "                     (default 400000, and 10000 IPv6), or at\n"
	    "                     least P%% of the largest peer's table\n"
	    "  --visibility V     share of the full-feed peer ASes that must\n"
	    "                     see a prefix: any (one), 25, 50 (default),\n"
	    "                     75 or 100 (percent)\n"
	    "  --format csv|json  output (default csv)\n"
	    "  --collector NAME   collector of every file (default: from the\n"
	    "                     path, e.g. rrc04, route-views.linx; else the\n"
	    "                     file's directory)\n"
	    "  --warmup DURATION  count a collector's bins from DURATION after\n"
	    "                     its first record even without a RIB dump\n"
	    "                     (default: only after its first RIB dump)\n"
	    "  --strict           stop at the first bad record\n"
	    "  --locdb FILE       libloc database (default: the system's)\n"
	    "  --city FILE        MaxMind-format city database (regions)\n"
	    "  --rir FILE         RIR delegated stats for countries\n"
	    "                     (repeatable)\n"
	    "\n"
	    "Bad records are reported as 'FILE: offset N: what' and skipped.\n"
	    "exit status: 0 ok, 1 the input had data errors, 2 usage,\n"
	    "3 failure (a file or the location database could not be used).\n");
}

struct out {
	FILE		*f;
	bool		 json;
	bool		 first;
	bool		 kinds;		/* print the kind */
	const char	*entity;	/* filter, canonical, or NULL */
};

static int
print_point(void *ctx, const char *kind, int64_t t, const char *entity,
    uint64_t v)
{
	struct out *o = ctx;
	char ts[LL_ISO8601_LEN];

	if (o->entity != NULL && strcmp(o->entity, entity) != 0)
		return 0;
	ll_time_fmt(t, ts, sizeof(ts));
	if (o->json && o->kinds) {
		fprintf(o->f, "%s{\"time\":\"%s\",\"kind\":\"%s\","
		    "\"entity\":\"%s\",\"value\":%" PRIu64 "}",
		    o->first ? "[\n" : ",\n", ts, kind, entity, v);
	} else if (o->json) {
		fprintf(o->f, "%s{\"time\":\"%s\",\"entity\":\"%s\","
		    "\"value\":%" PRIu64 "}", o->first ? "[\n" : ",\n", ts,
		    entity, v);
	} else if (o->kinds) {
		fprintf(o->f, "%s,%s,%s,%" PRIu64 "\n", ts, kind, entity, v);
	} else {
		fprintf(o->f, "%s,%s,%" PRIu64 "\n", ts, entity, v);
	}
	o->first = false;
	return 0;
}

struct run {
	struct replay_status rs;
	bool		 strict;
	struct progress	 prog;
	int64_t		 first;		/* first record of all files */
};

static void
on_file(void *ctx, const struct sig_file *f)
{
	struct run *r = ctx;

	if (!f->empty && f->rc == 0 && (r->first == 0 || f->first_ts < r->first))
		r->first = f->first_ts;
	cli_replay_file(f, r->strict, &r->rs);
}

/* Warns when the location database is years away from the data. */
static void
locdb_check(const struct geo_opts *go, int64_t first)
{
	char src[STORE_SETTINGS_MAX], msg[256];
	int64_t t;

	if (ingest_sources_text(go, src, sizeof(src), &t) == 0 &&
	    ingest_locdb_far(t, first, msg, sizeof(msg)))
		cli_warn("bgp: %s", msg);
}

static void
on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct run *r = ctx;

	progress_update(&r->prog, "bgp", done, total);
}

static void
on_gap(void *ctx, const struct sig_gap *g)
{
	(void)ctx;
	cli_gap_note("bgp", g);
}


static int
visibility(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "entity", required_argument, NULL, 'e' },
		{ "format", required_argument, NULL, 'f' },
		{ "kind", required_argument, NULL, 'k' },
		CLI_REPLAY_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sig_opts so = { .by = SIG_BY_COUNTRY,
	    .series = SIG_SERIES_V4 };
	struct sig_replay_opts ro = { 0 };
	struct geo_opts go = { .warn = cli_geo_warn,
	    .cache_dir = cli_cache_dir() };
	struct replay_args ra = { .so = &so, .ro = &ro, .go = &go };
	struct out out = { .f = stdout, .first = true };
	char ent[ENT_STRLEN], why[512] = "";
	struct entity e;
	struct run run = { 0 };
	struct geo *g = NULL;
	struct sig *s = NULL;
	struct ingest_spool *sp = NULL;
	char errbuf[512];
	bool by_set = false, kind_set = false;
	int c, rc, ret = EXIT_FAIL;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		const char *name = NULL;
		int h = cli_replay_opt(&ra, c, optarg, "bgp");

		if (h < 0)
			return EXIT_USAGE;
		if (h > 0)
			continue;
		switch (c) {
		case 'b': name = "by"; by_set = true; break;
		case 'e':
			if (entity_parse(optarg, &e) != 0 ||
			    e.type == ENT_PREFIX) {
				cli_err("bgp: --entity: not a country, region, "
				    "AS or collector: %s", optarg);
				return EXIT_USAGE;
			}
			out.entity = entity_fmt(&e, ent);
			break;
		case 'f':
			if (strcmp(optarg, "json") == 0)
				out.json = true;
			else if (strcmp(optarg, "csv") != 0) {
				cli_err("bgp: --format: csv or json, not %s",
				    optarg);
				return EXIT_USAGE;
			}
			break;
		case 'k':
			kind_set = true;
			if (strcmp(optarg, "bgp") == 0)
				so.series = SIG_SERIES_V4;
			else if (strcmp(optarg, "bgp6") == 0)
				so.series = SIG_SERIES_V6;
			else if (strcmp(optarg, "health") == 0)
				so.series = SIG_SERIES_HEALTH;
			else if (strcmp(optarg, "all") == 0)
				so.series = SIG_SERIES_ALL;
			else {
				cli_err("bgp: --kind: bgp, bgp6, health or "
				    "all, not %s", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return 0;
		default:
			cli_err("bgp visibility: bad option '%s' (--help for "
			    "usage)", argv[optind - 1]);
			return EXIT_USAGE;
		}
		if (name != NULL && sig_opt_parse(&so, name, optarg) != 0) {
			cli_err("bgp: --%s: bad value: %s", name, optarg);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_err("bgp visibility: no FILE given (--help for usage)");
		return EXIT_USAGE;
	}
	if ((rc = ingest_spool_new((const char *const *)argv + optind,
	    (size_t)(argc - optind), getenv("TMPDIR"), 0, &sp, errbuf,
	    sizeof(errbuf))) != 0) {
		cli_err("%s", rc == LL_ENOMEM ? "out of memory" : errbuf);
		return rc == LL_EINVAL || rc == LL_ELIMIT ? EXIT_USAGE :
		    EXIT_FAIL;
	}
	if (out.entity != NULL && !by_set && e.type != ENT_COLLECTOR)
		so.by = e.type == ENT_COUNTRY ? SIG_BY_COUNTRY :
		    e.type == ENT_REGION ? SIG_BY_REGION : SIG_BY_ASN;
	if (out.entity != NULL && !kind_set && e.type == ENT_COLLECTOR)
		so.series = SIG_SERIES_HEALTH;
	out.kinds = (so.series & SIG_SERIES_HEALTH) != 0;
	if ((so.series & (SIG_SERIES_V4 | SIG_SERIES_V6)) &&
	    (so.by & (SIG_BY_COUNTRY | SIG_BY_REGION))) {
		if ((rc = geo_open(&go, &g)) != 0) {
			cli_err("bgp: location database: %s",
			    g != NULL ? geo_errmsg(g) : ll_strerror(rc));
			goto out;
		}
		if ((so.by & SIG_BY_REGION) && go.city_mmdb == NULL)
			cli_warn("bgp: no --city database: no regions");
	}
	so.geo = g;
	if ((rc = sig_new(&so, print_point, &out, &s)) != 0) {
		cli_err("bgp: %s", ll_strerror(rc));
		goto out;
	}
	if (!out.json)
		fputs(out.kinds ? "time,kind,entity,value\n" :
		    "time,entity,value\n", stdout);
	progress_init(&run.prog);
	run.strict = ro.strict;
	ro.on_error = cli_mrt_error;
	ro.on_file = on_file;
	ro.on_progress = on_progress;
	ro.ctx = &run;
	ro.open_paths = ingest_spool_paths(sp);
	ro.errbuf = why;
	ro.errlen = sizeof(why);
	ro.need_table = true;
	ro.on_gap = on_gap;
	rc = sig_replay(s, (const char *const *)argv + optind,
	    (size_t)(argc - optind), &ro);
	progress_done(&run.prog);
	if (out.json)
		fputs(out.first ? "[]\n" : "\n]\n", stdout);
	if (fflush(stdout) != 0) {
		cli_err("bgp: write failed");
		goto out;
	}
	if (rc == LL_ELIMIT) {
		cli_err("bgp: %s", why[0] ? why : ll_strerror(rc));
		goto out;
	}
	if (rc == LL_ENOMEM) {
		cli_err("bgp: out of memory");
		goto out;
	}
	if (run.rs.bad)
		cli_warn("bgp: %" PRIu64 " bad %s skipped", run.rs.bad,
		    cli_plural(run.rs.bad, "record", "records"));
	ret = run.rs.fail ? EXIT_FAIL :
	    (run.rs.bad || run.rs.damaged || rc != 0) ?
	    EXIT_DATA : 0;
	if (!run.rs.fail && sig_get_stats(s)->points == 0) {
		cli_no_point(sig_get_stats(s), &so, "bgp");
		ret = EXIT_DATA;
	}
	if (g != NULL)
		locdb_check(&go, run.first);
out:
	sig_free(s);
	geo_free(g);
	ingest_spool_free(sp);
	return ret;
}

int
cmd_bgp(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "visibility") == 0)
		return visibility(argc - 1, argv + 1);
	cli_err("bgp: unknown subcommand '%s' (try: visibility)", argv[1]);
	return EXIT_USAGE;
}
