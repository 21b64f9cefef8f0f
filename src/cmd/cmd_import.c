/*
 * lifeline import series|monash|ndt|ooni: options and messages around
 * ingest_import() (src/ingest), which reads the files through the
 * importers (src/import) and writes their points to the store in one
 * transaction, idempotently. lifeline import kinds lists the kinds the
 * store knows, with unit and description.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "geo/geo.h"
#include "ingest/ingest.h"
#include "store/store.h"
#include "util/err.h"
#include "util/time.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: lifeline import series|monash|ndt|ooni [--format F] "
	    "[--entity E] [--locdb FILE]\n"
	    "                       [--force] [--db URL] FILE...\n"
	    "       lifeline import kinds [--db URL]\n"
	    "\n"
	    "Imports signal series from other observatories into the store,\n"
	    "atomically; files already imported (same SHA-256) are skipped.\n"
	    "Bad rows are reported as FILE:LINE: ... and skipped.\n"
	    "\n"
	    "  series      CSV time,entity,kind,value, or IODA /signals/raw "
	    "JSON\n"
	    "  monash      Monash IP Observatory hourly connectivity CSV\n"
	    "  ndt         M-Lab NDT results (ndt5, ndt7), JSON or JSONL\n"
	    "  ooni        OONI measurements, JSON or JSONL\n"
	    "  kinds       list the kinds in the store: kind,unit,"
	    "description\n"
	    "  users       APNIC's per-AS user estimates (CSV), for impact\n"
	    "  countries   country table: cc,name,year,gdp_usd,population,\n"
	    "              internet_users,digital_share, for impact\n"
	    "\n"
	    "  --format F  series-csv, ioda-json, monash, ndt, ooni (default: "
	    "detected)\n"
	    "  --entity E  ndt: entity of results with no client location "
	    "(country:US);\n"
	    "              without it, their client address is located "
	    "(country, AS)\n"
	    "  --locdb F   ndt: libloc database (default: the system's)\n"
	    "  --force     import files already in the store again\n"
	    "  --db URL    store (default $LIFELINE_DB, else lifeline.db)\n");
}

static void
on_bad(void *ctx, const char *msg)
{
	(void)ctx;
	cli_warn("%s", msg);
}

static int
print_kind(void *ctx, const struct store_kind *k)
{
	(void)ctx;
	printf("%s,%s,\"%s\"\n", k->name, k->unit, k->description);
	return 0;
}

static int
kinds_main(const char *db)
{
	struct store *st = NULL;
	char errbuf[512];
	int rc;

	if ((rc = store_open(db, STORE_RDONLY, &st, errbuf,
	    sizeof(errbuf))) != 0) {
		cli_err("import kinds: %s", errbuf);
		return EXIT_FAIL;
	}
	printf("kind,unit,description\n");
	rc = store_kind_list(st, NULL, print_kind, NULL);
	if (rc != 0)
		cli_err("import kinds: %s", store_errmsg(st));
	store_free(st);
	return rc != 0 ? EXIT_FAIL : 0;
}

static void
summary(const struct ingest_import_result *r, const char *db)
{
	char a[LL_ISO8601_LEN], b[LL_ISO8601_LEN];

	if (r->recorded == 0 && r->points == 0) {
		printf("import: %zu file(s), all already in %s: nothing "
		    "written\n", r->given, db);
		return;
	}
	printf("import: %s: %zu file(s) (%zu new, %zu known), %" PRIu64
	    " rows, %" PRIu64 " bad; %" PRIu64 " points of %zu kinds, %s "
	    "to %s, into %s\n", import_fmt_name(r->fmt), r->given,
	    r->recorded, r->known, r->rows, r->bad, r->points, r->kinds,
	    ll_time_fmt(r->tmin, a, sizeof(a)),
	    ll_time_fmt(r->tmax, b, sizeof(b)), db);
}

static int
run(enum import_family fam, struct ingest_import_opts *o,
    const struct geo_opts *go, char **files, size_t n, const char *db)
{
	struct geo *geo = NULL;
	struct ingest_import_result res;
	struct ingest_spool *sp = NULL;
	struct store *st = NULL;
	char errbuf[512];
	int rc, ret = EXIT_FAIL;

	o->fam = fam;
	if ((rc = ingest_spool_new((const char *const *)files, n,
	    getenv("TMPDIR"), 0, &sp, errbuf, sizeof(errbuf))) != 0) {
		cli_err("%s", rc == LL_ENOMEM ? "out of memory" : errbuf);
		return rc == LL_EINVAL || rc == LL_ELIMIT ? EXIT_USAGE :
		    EXIT_FAIL;
	}
	if ((rc = store_open(db, STORE_CREATE, &st, errbuf,
	    sizeof(errbuf))) != 0) {
		cli_err("import: %s", errbuf);
		goto out;
	}
	if (fam == IMPORT_FAM_NDT && o->entity == NULL && (rc =
	    geo_open(go, &geo)) != 0) {
		cli_err("import ndt: location database: %s (--entity names "
		    "the results' entity instead)", geo != NULL ?
		    geo_errmsg(geo) : ll_strerror(rc));
		goto out;
	}
	o->geo = geo;
	o->open_paths = ingest_spool_paths(sp);
	o->on_bad = on_bad;
	if ((rc = ingest_import(st, (const char *const *)files, n, o,
	    &res)) != 0) {
		cli_err("import: %s", res.errmsg);
		ret = rc == LL_EFORMAT ? EXIT_DATA : EXIT_FAIL;
		goto out;
	}
	summary(&res, db);
	ret = res.bad > 0 ? EXIT_DATA : 0;
out:
	store_free(st);
	geo_free(geo);
	ingest_spool_free(sp);
	return ret;
}

int
cmd_import(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'F' },
		{ "entity", required_argument, NULL, 'e' },
		{ "force", no_argument, NULL, 'f' },
		{ "locdb", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ingest_import_opts o = { 0 };
	struct geo_opts go = { .warn = cli_geo_warn,
	    .cache_dir = cli_cache_dir() };
	enum import_family fam;
	const char *db = NULL;
	bool kinds;
	int ch;

	if (argc < 2 || cli_wants_help(argc, argv)) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "users") == 0 || strcmp(argv[1], "countries") ==
	    0)
		return cmd_import_ref(argc - 1, argv + 1);
	kinds = strcmp(argv[1], "kinds") == 0;
	if (!kinds && import_family_parse(argv[1], &fam) != 0) {
		cli_err("import: unknown source '%s' (try: series, monash, "
		    "ndt, ooni, kinds)", argv[1]);
		return EXIT_USAGE;
	}
	argc--;
	argv++;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'e': o.entity = optarg; break;
		case 'f': o.force = true; break;
		case 'l': go.locdb = optarg; break;
		case 'F':
			if (import_fmt_parse(optarg, &o.fmt) != 0) {
				cli_err("import: --format %s: not one of "
				    "series-csv, ioda-json, monash, ndt, ooni",
				    optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return 0;
		default:
			cli_err("import: bad option '%s' (--help for usage)",
			    argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	db = cli_db_url(db);
	if (kinds)
		return kinds_main(db);
	if (o.fmt != 0 && !import_fmt_in(o.fmt, fam)) {
		cli_err("import %s: --format %s is not of this source",
		    argv[0], import_fmt_name(o.fmt));
		return EXIT_USAGE;
	}
	if (optind >= argc) {
		cli_err("import %s: no FILE given (--help for usage)", argv[0]);
		return EXIT_USAGE;
	}
	return run(fam, &o, &go, argv + optind, (size_t)(argc - optind), db);
}
