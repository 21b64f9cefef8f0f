/*
 * lifeline export: the points of the store as plain CSV, streamed, for
 * bulk reading (pandas, R, sqlite3's .import, a spreadsheet) without
 * decoding the store's chunks.
 *
 *   lifeline export [--signal K]... [--entity E] [--from T] [--to T]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "net/entity.h"
#include "store/store.h"
#include "util/err.h"
#include "util/time.h"

#define EXP_SIG_MAX	64

struct exp_args {
	const char	*signals[EXP_SIG_MAX];
	size_t		 nsig;
	const char	*entity;
	const char	*db;
	int64_t		 from, to;
	char		 ent[ENT_STRLEN];
};

struct exp_out {
	const char	*signal;
	uint64_t	 n;
};

static void
exp_usage(FILE *f)
{
	fprintf(f,
	    "usage: lifeline export [--signal KIND]... [--entity E] [--from T] "
	    "[--to T]\n"
	    "                       [--db URL]\n"
	    "\n"
	    "Writes the points of the store as CSV on standard output, "
	    "streamed:\n"
	    "time,signal,entity,value (time ISO 8601 UTC), by signal, then "
	    "entity as\n"
	    "text, then time. For pandas, R, sqlite3 or a spreadsheet.\n"
	    "\n"
	    "  --signal K    the kind (bgp, bgp6, bgp.peers, series.NAME, "
	    "...); more\n"
	    "                than once for several; default every kind in the "
	    "store\n"
	    "  --entity E    one entity only (country:EG, asn:8452, ...)\n"
	    "  --from T      first bin (inclusive), ISO 8601 or @EPOCH\n"
	    "  --to T        end (exclusive)\n"
	    "  --db URL      the store (default $LIFELINE_DB, else "
	    "lifeline.db)\n"
	    "\n"
	    "exit status: 0 ok, 2 usage, 3 the database could not be read.\n");
}

static int
exp_point(void *ctx, const struct store_point *p)
{
	struct exp_out *o = ctx;
	char t[LL_ISO8601_LEN], v[32];

	printf("%s,%s,", ll_time_fmt(p->time, t, sizeof(t)), o->signal);
	cli_csv_str(stdout, p->entity);
	printf(",%s\n", cli_fmt_value(p->value, v, sizeof(v)));
	o->n++;
	return ferror(stdout) ? LL_EIO : 0;
}

static int
exp_opt(struct exp_args *a, int c, const char *arg)
{
	struct entity e;
	char why[160];

	switch (c) {
	case 's':
		if (a->nsig == EXP_SIG_MAX || *arg == '\0' ||
		    strlen(arg) >= STORE_KEY_MAX) {
			cli_err("export: --signal %s: bad kind or too many",
			    arg);
			return EXIT_USAGE;
		}
		a->signals[a->nsig++] = arg;
		return 0;
	case 'e':
		if (entity_parse(arg, &e) != 0) {
			cli_err("export: --entity %s: not an entity "
			    "(country:EG, region:EG-C, asn:8452, prefix:P, "
			    "collector:NAME)", arg);
			return EXIT_USAGE;
		}
		a->entity = entity_fmt(&e, a->ent);
		return 0;
	case 'f':
	case 't':
		if (ll_time_parse(arg, c == 'f' ? &a->from : &a->to) == 0)
			return 0;
		cli_err("export: --%s %s: %s", c == 'f' ? "from" : "to", arg,
		    ll_time_why(arg, why, sizeof(why)));
		return EXIT_USAGE;
	default:
		a->db = arg;
		return 0;
	}
}

static int
exp_parse(int argc, char **argv, struct exp_args *a)
{
	static const struct option opts[] = {
		{ "signal", required_argument, NULL, 's' },
		{ "entity", required_argument, NULL, 'e' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "db", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;

	memset(a, 0, sizeof(*a));
	a->from = INT64_MIN;
	a->to = INT64_MAX;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (c == ':' || c == '?') {
			cli_err("export: %s %s; see 'lifeline export --help'",
			    c == ':' ? "needs a value:" : "unknown option",
			    argv[optind - 1]);
			return EXIT_USAGE;
		}
		if ((rc = exp_opt(a, c, optarg)) != 0)
			return rc;
	}
	if (optind < argc) {
		cli_err("export: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (a->from >= a->to) {
		cli_err("export: --from must be before --to");
		return EXIT_USAGE;
	}
	return 0;
}

/* Every kind in the store, into a->signals (strings kept in *v). */
static int
exp_all_kinds(struct store *st, struct exp_args *a, struct cli_series **v,
    size_t *n)
{
	int rc = cli_series_load(st, NULL, v, n);

	for (size_t i = 0; rc == 0 && i < *n; i++) {
		if (i > 0 && strcmp((*v)[i].signal, (*v)[i - 1].signal) == 0)
			continue;
		if (a->nsig == EXP_SIG_MAX)
			break;
		a->signals[a->nsig++] = (*v)[i].signal;
	}
	return rc;
}

int
cmd_export(int argc, char **argv)
{
	struct exp_args a;
	struct exp_out o = { 0 };
	struct store *st = NULL;
	struct cli_series *v = NULL;
	size_t n = 0;
	char err[512];
	int rc;

	if (cli_wants_help(argc, argv)) {
		exp_usage(stdout);
		return 0;
	}
	if ((rc = exp_parse(argc, argv, &a)) != 0)
		return rc;
	if (store_open(cli_db_url(a.db), STORE_RDONLY, &st, err,
	    sizeof(err)) != 0) {
		cli_err("export: %s", err);
		return EXIT_FAIL;
	}
	if (a.nsig == 0)
		rc = exp_all_kinds(st, &a, &v, &n);
	fputs("time,signal,entity,value\n", stdout);
	for (size_t i = 0; rc == 0 && i < a.nsig; i++) {
		o.signal = a.signals[i];
		rc = store_points_scan(st, o.signal, a.entity, a.from, a.to,
		    exp_point, &o);
	}
	if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout)))
		rc = LL_EIO;
	if (rc != 0) {
		cli_err("export: %s", rc == LL_EIO ? "writing the output "
		    "failed" : rc == -1 ? "out of memory" : store_errmsg(st));
		rc = EXIT_FAIL;
	}
	cli_series_free(v, n);
	store_free(st);
	return rc;
}
