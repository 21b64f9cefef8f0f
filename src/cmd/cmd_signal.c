/*
 * lifeline signal: reads a signal back from the store.
 *
 *   lifeline signal --entity asn:3320 --signal bgp --from T --to T
 *   lifeline signal --list [--signal bgp]
 *   lifeline signal --gaps [--signal bgp] [--from T] [--to T]
 *
 * CSV (`time,entity,value`, time in ISO 8601 UTC) or JSON (an array of
 * {"time", "entity", "value"} objects), the same shapes `lifeline bgp
 * visibility` prints, so scripts read either.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "store/store.h"
#include "net/entity.h"
#include "util/err.h"
#include "util/time.h"

enum sig_fmt { FMT_CSV, FMT_JSON };

struct sig_out {
	enum sig_fmt	 fmt;
	uint64_t	 n;		/* rows written */
};

static void
sig_usage(FILE *f)
{
	fprintf(f,
	    "usage: lifeline signal [--entity ENTITY] [--signal KIND] "
	    "[--from T] [--to T]\n"
	    "                       [--format csv|json] [--db URL]\n"
	    "       lifeline signal --list [--signal KIND] [--format csv|json] "
	    "[--db URL]\n"
	    "       lifeline signal --gaps [--signal KIND] [--from T] [--to T] "
	    "[--format F]\n"
	    "\n"
	    "Prints the points of a signal kept in the store, in time order.\n"
	    "\n"
	    "  --entity E    country:EG, region:EG-C, asn:8452, prefix:P; "
	    "without it,\n"
	    "                every entity of the signal (by entity, then "
	    "time)\n"
	    "  --signal K    signal kind: bgp (default), probe, series.NAME, "
	    "...\n"
	    "  --from T      first bin to print (inclusive); T is "
	    "2021-01-01,\n"
	    "                2021-01-01T05:00:00Z, @EPOCH or EPOCH (UTC)\n"
	    "  --to T        end (exclusive); both default to everything\n"
	    "  --format F    csv (default: time,entity,value) or json (an "
	    "array of\n"
	    "                {\"time\",\"entity\",\"value\"} objects)\n"
	    "  --list        list the series instead: signal, entity, "
	    "points,\n"
	    "                first and last time\n"
	    "  --gaps        list the coverage gaps instead: signal, "
	    "collector, from,\n"
	    "                to, reason (bins without values, e.g. before a "
	    "collector's\n"
	    "                first RIB dump); points of a range that overlaps "
	    "a gap\n"
	    "                come with a note on stderr\n"
	    "  --db URL      the store: PATH or sqlite:PATH (default "
	    "$LIFELINE_DB,\n"
	    "                else lifeline.db)\n"
	    "\n"
	    "No matching points is not an error: the header (or []) alone "
	    "is printed.\n"
	    "exit status: 0 ok, 2 usage, 3 the database could not be "
	    "read.\n");
}

/* The shortest of %.15g / %.17g that reads back as v. */
static void
sig_fmt_value(double v, char *buf, size_t len)
{
	snprintf(buf, len, "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, len, "%.17g", v);
}

/* Writes s as a CSV field (quoted when it holds a comma or a quote). */
static void
sig_csv_str(const char *s)
{
	if (strpbrk(s, ",\"\n") == NULL) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

/* Writes s as a JSON string. */
static void
sig_json_str(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static int
sig_print_point(void *ctx, const struct store_point *p)
{
	struct sig_out *o = ctx;
	char t[LL_ISO8601_LEN], v[32];

	ll_time_fmt(p->time, t, sizeof(t));
	sig_fmt_value(p->value, v, sizeof(v));
	if (o->fmt == FMT_CSV) {
		printf("%s,%s,%s\n", t, p->entity, v);
	} else {
		printf("%s{\"time\":\"%s\",\"entity\":", o->n > 0 ? ",\n" : "\n",
		    t);
		sig_json_str(p->entity);
		printf(",\"value\":%s}", v);
	}
	o->n++;
	return 0;
}

static int
sig_print_series(void *ctx, const struct store_series *s)
{
	struct sig_out *o = ctx;
	char a[LL_ISO8601_LEN], b[LL_ISO8601_LEN];

	ll_time_fmt(s->first, a, sizeof(a));
	ll_time_fmt(s->last, b, sizeof(b));
	if (o->fmt == FMT_CSV) {
		printf("%s,%s,%" PRIu64 ",%s,%s\n", s->signal, s->entity,
		    s->points, a, b);
	} else {
		printf("%s{\"signal\":", o->n > 0 ? ",\n" : "\n");
		sig_json_str(s->signal);
		printf(",\"entity\":");
		sig_json_str(s->entity);
		printf(",\"points\":%" PRIu64 ",\"first\":\"%s\","
		    "\"last\":\"%s\"}", s->points, a, b);
	}
	o->n++;
	return 0;
}

/* One coverage gap, as a row of --gaps. */
static int
sig_print_gap(void *ctx, const struct store_gap *g)
{
	struct sig_out *o = ctx;
	char a[LL_ISO8601_LEN], b[LL_ISO8601_LEN];

	ll_time_fmt(g->from, a, sizeof(a));
	ll_time_fmt(g->to, b, sizeof(b));
	if (o->fmt == FMT_CSV) {
		printf("%s,", g->signal);
		sig_csv_str(g->collector);
		printf(",%s,%s,", a, b);
		sig_csv_str(g->reason);
		putchar('\n');
	} else {
		printf("%s{\"signal\":", o->n > 0 ? ",\n" : "\n");
		sig_json_str(g->signal);
		printf(",\"collector\":");
		sig_json_str(g->collector);
		printf(",\"from\":\"%s\",\"to\":\"%s\",\"reason\":", a, b);
		sig_json_str(g->reason);
		putchar('}');
	}
	o->n++;
	return 0;
}

/* A gap overlapping the points printed: a note on stderr. */
static int
sig_note_gap(void *ctx, const struct store_gap *g)
{
	char a[LL_ISO8601_LEN], b[LL_ISO8601_LEN];

	(void)ctx;
	fprintf(stderr, "lifeline: note: no %s values from %s to %s: "
	    "collector %s: %s (lifeline signal --gaps)\n", g->signal,
	    ll_time_fmt(g->from, a, sizeof(a)), ll_time_fmt(g->to, b,
	    sizeof(b)), g->collector, g->reason);
	return 0;
}

struct sig_args {
	const char	*entity;	/* canonical, or NULL */
	const char	*signal;
	const char	*db;
	int64_t		 from, to;
	bool		 list;
	bool		 gaps;
	enum sig_fmt	 fmt;
	char		 ent[ENT_STRLEN];
};

/* Returns 0, or an exit code after saying what is wrong. */
static int
sig_parse(int argc, char **argv, struct sig_args *a)
{
	static const struct option opts[] = {
		{ "entity", required_argument, NULL, 'e' },
		{ "signal", required_argument, NULL, 's' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'F' },
		{ "db", required_argument, NULL, 'd' },
		{ "list", no_argument, NULL, 'l' },
		{ "gaps", no_argument, NULL, 'g' },
		{ NULL, 0, NULL, 0 },
	};
	struct entity e;
	int c;

	memset(a, 0, sizeof(*a));
	a->signal = "bgp";
	a->from = INT64_MIN;
	a->to = INT64_MAX;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (entity_parse(optarg, &e) != 0) {
				cli_err("signal: --entity %s: not an entity "
				    "(country:EG, region:EG-C, asn:8452, "
				    "prefix:P)", optarg);
				return EXIT_USAGE;
			}
			a->entity = entity_fmt(&e, a->ent);
			break;
		case 's':
			a->signal = optarg;
			break;
		case 'f':
		case 't':
			if (ll_time_parse(optarg, c == 'f' ? &a->from :
			    &a->to) != 0) {
				char why[160];

				cli_err("signal: --%s %s: %s", c == 'f' ?
				    "from" : "to", optarg, ll_time_why(optarg,
				    why, sizeof(why)));
				return EXIT_USAGE;
			}
			break;
		case 'F':
			if (strcmp(optarg, "csv") == 0)
				a->fmt = FMT_CSV;
			else if (strcmp(optarg, "json") == 0)
				a->fmt = FMT_JSON;
			else {
				cli_err("signal: --format %s: use csv or json",
				    optarg);
				return EXIT_USAGE;
			}
			break;
		case 'd':
			a->db = optarg;
			break;
		case 'l':
			a->list = true;
			break;
		case 'g':
			a->gaps = true;
			break;
		case ':':
			cli_err("signal: %s needs a value; see 'lifeline "
			    "signal --help'", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			cli_err("signal: unknown option %s; see 'lifeline "
			    "signal --help'", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_err("signal: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (*a->signal == '\0' || strlen(a->signal) >= STORE_KEY_MAX) {
		cli_err("signal: --signal: bad signal kind");
		return EXIT_USAGE;
	}
	if (a->list && a->gaps) {
		cli_err("signal: --list or --gaps, not both");
		return EXIT_USAGE;
	}
	if (a->from >= a->to) {
		cli_err("signal: --from must be before --to");
		return EXIT_USAGE;
	}
	return 0;
}

static int
sig_run(struct store *st, const struct sig_args *a)
{
	struct sig_out o = { .fmt = a->fmt, .n = 0 };
	int rc;

	if (a->fmt == FMT_CSV)
		fputs(a->gaps ? "signal,collector,from,to,reason\n" :
		    a->list ? "signal,entity,points,first,last\n" :
		    "time,entity,value\n", stdout);
	else
		fputs("[", stdout);
	if (a->gaps)
		rc = store_gap_list(st, a->signal, a->from, a->to,
		    sig_print_gap, &o);
	else if (a->list)
		rc = store_series_list(st, a->signal, sig_print_series, &o);
	else if ((rc = store_points_scan(st, a->signal, a->entity, a->from,
	    a->to, sig_print_point, &o)) == 0) {
		fflush(stdout);
		rc = store_gap_list(st, a->signal, a->from, a->to,
		    sig_note_gap, NULL);
	}
	if (rc != 0) {
		fflush(stdout);
		cli_err("signal: %s", store_errmsg(st));
		return EXIT_FAIL;
	}
	if (a->fmt == FMT_JSON)
		fputs(o.n > 0 ? "\n]\n" : "]\n", stdout);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_err("signal: writing the output failed");
		return EXIT_FAIL;
	}
	return 0;
}

int
cmd_signal(int argc, char **argv)
{
	struct sig_args a;
	struct store *st = NULL;
	const char *url;
	char err[512];
	int rc;

	if (cli_wants_help(argc, argv)) {
		sig_usage(stdout);
		return 0;
	}
	if ((rc = sig_parse(argc, argv, &a)) != 0)
		return rc;
	url = cli_db_url(a.db);
	/* A reader: never creates, migrates or writes the database. */
	if (store_open(url, STORE_RDONLY, &st, err, sizeof(err)) != 0) {
		cli_err("signal: %s", err);
		return EXIT_FAIL;
	}
	rc = sig_run(st, &a);
	store_free(st);
	return rc;
}
