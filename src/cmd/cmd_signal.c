/*
 * lifeline signal: reads a signal back from the store.
 *
 *   lifeline signal --entity asn:3320 [--entity E]... --signal bgp
 *                   [--from T] [--to T] [--format F] [--tz ZONE] [--chart]
 *   lifeline signal --list [--signal bgp] [--entity E]...
 *   lifeline signal --gaps [--signal bgp] [--from T] [--to T]
 *
 * CSV (`time,entity,value`) or JSON (an array of {"time", "entity",
 * "value"} objects), the same shapes `lifeline bgp visibility` prints, so
 * scripts read either; also JSON lines, a wide CSV (one column per
 * entity) and IODA's {from, step, values} shape.
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

enum sig_fmt { FMT_CSV, FMT_JSON, FMT_JSONL, FMT_WIDE, FMT_IODA };
static const char *const fmt_names[] = { "csv", "json", "jsonl", "wide",
	"ioda" };

#define SIG_ENT_MAX	256
#define CHART_WIDTH	40

struct sig_args {
	const char	*ents[SIG_ENT_MAX];	/* canonical, sorted */
	size_t		 nent;
	const char	*signal;
	bool		 signal_set;
	const char	*db;
	const char	*tz;
	int64_t		 from, to;
	bool		 list, gaps, chart;
	enum sig_fmt	 fmt;
	char		 entbuf[SIG_ENT_MAX][ENT_STRLEN];
};

/* A point held back: wide CSV, IODA and charts need more than one. */
struct sig_pt {
	int64_t	t;
	double	v;
	size_t	e;		/* index of the entity */
};

struct sig_out {
	const struct sig_args *a;
	struct store	*st;
	const char	*entity;	/* of the scan under way */
	size_t		 e;
	uint64_t	 n;		/* rows or objects written */
	struct sig_pt	*pts;		/* held back */
	size_t		 npts, cap;
	bool		 oom;
};

static void
sig_usage(FILE *f)
{
	fprintf(f,
	    "usage: lifeline signal [--entity E]... [--signal KIND] [--from T] "
	    "[--to T]\n"
	    "                       [--format csv|json|jsonl|wide|ioda] "
	    "[--tz ZONE] [--chart]\n"
	    "                       [--db URL]\n"
	    "       lifeline signal --list [--signal KIND] [--entity E]... "
	    "[--format csv|json]\n"
	    "       lifeline signal --gaps [--signal KIND] [--from T] [--to T] "
	    "[--format F]\n"
	    "\n"
	    "Prints the points of a signal kept in the store, in time order.\n"
	    "\n"
	    "  --entity E    country:EG, region:EG-C, asn:8452, prefix:P, "
	    "collector:NAME;\n"
	    "                give it more than once for several; without it, "
	    "every\n"
	    "                entity of the signal. Entities come by kind, "
	    "then number\n"
	    "                (asn:2 before asn:10), each in time order\n"
	    "  --signal K    signal kind: bgp (default), bgp6, bgp.peers, "
	    "series.NAME, ...\n"
	    "  --from T      first bin to print (inclusive); T is ISO 8601: "
	    "2021-01-01,\n"
	    "                2021-01-01T05:00:00Z, 2021-01-01T07:00+02:00, or "
	    "@EPOCH\n"
	    "  --to T        end (exclusive); both default to everything\n"
	    "  --format F    csv (default: time,entity,value), json (an array "
	    "of\n"
	    "                {\"time\",\"entity\",\"value\"}), jsonl (one such "
	    "object a line),\n"
	    "                wide (CSV: time and one column per entity), ioda "
	    "(per\n"
	    "                entity {\"entityType\",\"entityCode\","
	    "\"datasource\",\"from\",\n"
	    "                \"until\",\"step\",\"values\"}, epoch seconds, "
	    "null where no value)\n"
	    "  --tz ZONE     print times in ZONE (Africa/Cairo, "
	    "Europe/Berlin) with\n"
	    "                their offset instead of UTC\n"
	    "  --chart       a bar chart of each series on the terminal "
	    "instead\n"
	    "  --list        list the series instead: signal, entity, "
	    "points,\n"
	    "                first and last time (all kinds without "
	    "--signal)\n"
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
	    "An entity or kind the store has no series of is an error with a "
	    "hint;\n"
	    "a range with no points is not: the header (or []) alone is "
	    "printed.\n"
	    "exit status: 0 ok, 1 no such series, 2 usage, 3 the database "
	    "could not\n"
	    "be read.\n");
}

static int
sig_hold(struct sig_out *o, const struct store_point *p)
{
	if (o->npts == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 1024;
		struct sig_pt *v = realloc(o->pts, cap * sizeof(*v));

		if (v == NULL) {
			o->oom = true;
			return 1;
		}
		o->pts = v;
		o->cap = cap;
	}
	o->pts[o->npts++] = (struct sig_pt){ p->time, p->value, o->e };
	return 0;
}

static int
sig_print_point(void *ctx, const struct store_point *p)
{
	struct sig_out *o = ctx;
	char t[CLI_TIME_LEN], v[32];

	if (o->a->fmt == FMT_WIDE || o->a->fmt == FMT_IODA || o->a->chart)
		return sig_hold(o, p);
	cli_time_fmt(p->time, t, sizeof(t));
	cli_fmt_value(p->value, v, sizeof(v));
	if (o->a->fmt == FMT_CSV) {
		printf("%s,", t);
		cli_csv_str(stdout, p->entity);
		printf(",%s\n", v);
	} else {
		if (o->a->fmt == FMT_JSON)
			fputs(o->n > 0 ? ",\n" : "\n", stdout);
		printf("{\"time\":\"%s\",\"entity\":", t);
		cli_json_str(stdout, p->entity);
		printf(",\"value\":%s}", v);
		if (o->a->fmt == FMT_JSONL)
			putchar('\n');
	}
	o->n++;
	return 0;
}

static int
sig_print_series(void *ctx, const struct cli_series *s)
{
	struct sig_out *o = ctx;
	char a[CLI_TIME_LEN], b[CLI_TIME_LEN];

	cli_time_fmt(s->first, a, sizeof(a));
	cli_time_fmt(s->last, b, sizeof(b));
	if (o->a->fmt == FMT_CSV) {
		printf("%s,", s->signal);
		cli_csv_str(stdout, s->entity);
		printf(",%" PRIu64 ",%s,%s\n", s->points, a, b);
	} else {
		if (o->a->fmt == FMT_JSON)
			fputs(o->n > 0 ? ",\n" : "\n", stdout);
		printf("{\"signal\":");
		cli_json_str(stdout, s->signal);
		printf(",\"entity\":");
		cli_json_str(stdout, s->entity);
		printf(",\"points\":%" PRIu64 ",\"first\":\"%s\","
		    "\"last\":\"%s\"}", s->points, a, b);
		if (o->a->fmt == FMT_JSONL)
			putchar('\n');
	}
	o->n++;
	return 0;
}

/* One coverage gap, as a row of --gaps. */
static int
sig_print_gap(void *ctx, const struct store_gap *g)
{
	struct sig_out *o = ctx;
	char a[CLI_TIME_LEN], b[CLI_TIME_LEN];

	cli_time_fmt(g->from, a, sizeof(a));
	cli_time_fmt(g->to, b, sizeof(b));
	if (o->a->fmt == FMT_CSV) {
		printf("%s,", g->signal);
		cli_csv_str(stdout, g->collector);
		printf(",%s,%s,", a, b);
		cli_csv_str(stdout, g->reason);
		putchar('\n');
	} else {
		if (o->a->fmt == FMT_JSON)
			fputs(o->n > 0 ? ",\n" : "\n", stdout);
		printf("{\"signal\":");
		cli_json_str(stdout, g->signal);
		printf(",\"collector\":");
		cli_json_str(stdout, g->collector);
		printf(",\"from\":\"%s\",\"to\":\"%s\",\"reason\":", a, b);
		cli_json_str(stdout, g->reason);
		putchar('}');
		if (o->a->fmt == FMT_JSONL)
			putchar('\n');
	}
	o->n++;
	return 0;
}

/* A gap overlapping the points printed: a note on stderr. */
static int
sig_note_gap(void *ctx, const struct store_gap *g)
{
	char a[CLI_TIME_LEN], b[CLI_TIME_LEN];

	(void)ctx;
	fprintf(stderr, "lifeline: note: no %s values from %s to %s: "
	    "collector %s: %s (lifeline signal --gaps)\n", g->signal,
	    cli_time_fmt(g->from, a, sizeof(a)), cli_time_fmt(g->to, b,
	    sizeof(b)), cli_esc(g->collector), cli_esc(g->reason));
	return 0;
}

static int
ent_ptr_cmp(const void *a, const void *b)
{
	return cli_entity_cmp(*(const char *const *)a,
	    *(const char *const *)b);
}

/* Adds --entity s (canonical) to a, once. Returns 0 or an exit code. */
static int
sig_add_entity(struct sig_args *a, const char *s)
{
	struct entity e;

	if (entity_parse(s, &e) != 0) {
		cli_err("signal: --entity %s: not an entity (country:EG, "
		    "region:EG-C, asn:8452, prefix:P, collector:NAME)", s);
		return EXIT_USAGE;
	}
	if (a->nent == SIG_ENT_MAX) {
		cli_err("signal: more than %d --entity; leave it out for "
		    "every entity", SIG_ENT_MAX);
		return EXIT_USAGE;
	}
	entity_fmt(&e, a->entbuf[a->nent]);
	for (size_t i = 0; i < a->nent; i++)
		if (strcmp(a->ents[i], a->entbuf[a->nent]) == 0)
			return 0;
	a->ents[a->nent] = a->entbuf[a->nent];
	a->nent++;
	return 0;
}

static int
sig_opt_format(struct sig_args *a, const char *s)
{
	for (size_t i = 0; i < sizeof(fmt_names) / sizeof(fmt_names[0]); i++)
		if (strcmp(s, fmt_names[i]) == 0) {
			a->fmt = (enum sig_fmt)i;
			return 0;
		}
	cli_err("signal: --format %s: use csv, json, jsonl, wide or ioda", s);
	return EXIT_USAGE;
}

static int
sig_opt_time(const char *name, const char *s, int64_t *out)
{
	char why[160];

	if (ll_time_parse(s, out) == 0)
		return 0;
	cli_err("signal: --%s %s: %s", name, s, ll_time_why(s, why,
	    sizeof(why)));
	return EXIT_USAGE;
}

/* What the options say together. Returns 0 or an exit code. */
static int
sig_check(struct sig_args *a)
{
	if (*a->signal == '\0' || strlen(a->signal) >= STORE_KEY_MAX) {
		cli_err("signal: --signal: bad signal kind");
		return EXIT_USAGE;
	}
	if (a->list + a->gaps + a->chart > 1) {
		cli_err("signal: one of --list, --gaps and --chart");
		return EXIT_USAGE;
	}
	if ((a->list || a->gaps) && a->fmt > FMT_JSONL) {
		cli_err("signal: --format %s is for points; --%s takes csv, "
		    "json or jsonl", fmt_names[a->fmt], a->list ? "list" :
		    "gaps");
		return EXIT_USAGE;
	}
	if (a->from >= a->to) {
		cli_err("signal: --from must be before --to");
		return EXIT_USAGE;
	}
	if (a->tz != NULL && cli_tz_set(a->tz) != 0) {
		cli_err("signal: --tz %s: no such time zone (use a name such "
		    "as Africa/Cairo, or UTC)", a->tz);
		return EXIT_USAGE;
	}
	if (a->nent > 1)
		qsort(a->ents, a->nent, sizeof(a->ents[0]), ent_ptr_cmp);
	return 0;
}

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
		{ "tz", required_argument, NULL, 'z' },
		{ "list", no_argument, NULL, 'l' },
		{ "gaps", no_argument, NULL, 'g' },
		{ "chart", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc = 0;

	memset(a, 0, sizeof(*a));
	a->signal = "bgp";
	a->from = INT64_MIN;
	a->to = INT64_MAX;
	opterr = 0;
	optind = 1;
	while (rc == 0 && (c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'e': rc = sig_add_entity(a, optarg); break;
		case 's': a->signal = optarg; a->signal_set = true; break;
		case 'f': rc = sig_opt_time("from", optarg, &a->from); break;
		case 't': rc = sig_opt_time("to", optarg, &a->to); break;
		case 'F': rc = sig_opt_format(a, optarg); break;
		case 'd': a->db = optarg; break;
		case 'z': a->tz = optarg; break;
		case 'l': a->list = true; break;
		case 'g': a->gaps = true; break;
		case 'c': a->chart = true; break;
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
	if (rc != 0)
		return rc;
	if (optind < argc) {
		cli_err("signal: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	return sig_check(a);
}

/* No series of the kind at all: which kinds there are. */
static void
sig_hint_kind(struct store *st, const char *signal, const char *url)
{
	struct cli_series *v;
	char kinds[512] = "";
	size_t n, k = 0;

	if (cli_series_load(st, NULL, &v, &n) != 0)
		n = 0, v = NULL;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(v[i].signal, v[i - 1].signal) == 0)
			continue;
		if (k + strlen(v[i].signal) + 3 >= sizeof(kinds))
			break;
		k += (size_t)snprintf(kinds + k, sizeof(kinds) - k, "%s%s",
		    k > 0 ? ", " : "", v[i].signal);
	}
	cli_series_free(v, n);
	if (k == 0)
		cli_err("signal: %s holds no series at all (lifeline ingest "
		    "bgp fills it)", url);
	else
		cli_err("signal: no '%s' series in %s; kinds there: %s", signal,
		    url, kinds);
}

/*
 * Checks that the store has what was asked: the kind, and each --entity
 * of it. Returns 0, or EXIT_DATA after one line with a hint.
 */
static int
sig_known(const struct sig_args *a, struct store *st, const char *url,
    const struct cli_series *v, size_t n)
{
	if (n == 0 && (a->signal_set || !a->list)) {
		sig_hint_kind(st, a->signal, url);
		return EXIT_DATA;
	}
	for (size_t i = 0; i < a->nent; i++) {
		bool any = false;

		for (size_t j = 0; j < n && !any; j++)
			any = strcmp(v[j].entity, a->ents[i]) == 0;
		if (any)
			continue;
		if (a->list && !a->signal_set)
			cli_err("signal: no series of %s in %s ('lifeline "
			    "signal --list' shows the %zu there %s)",
			    a->ents[i], url, n, cli_plural(n, "is", "are"));
		else
			cli_err("signal: no %s series of %s in %s ('lifeline "
			    "signal --list --signal %s' shows the %zu there "
			    "%s)", a->signal, a->ents[i], url, a->signal, n,
			    cli_plural(n, "is", "are"));
		return EXIT_DATA;
	}
	return 0;
}

static void
sig_open(const struct sig_args *a, uint64_t nent)
{
	if (a->chart)
		return;
	if (a->fmt == FMT_CSV)
		fputs(a->gaps ? "signal,collector,from,to,reason\n" :
		    a->list ? "signal,entity,points,first,last\n" :
		    "time,entity,value\n", stdout);
	else if (a->fmt == FMT_JSON || a->fmt == FMT_IODA)
		fputs("[", stdout);
	(void)nent;
}

static void
sig_close(const struct sig_args *a, uint64_t n)
{
	if (!a->chart && (a->fmt == FMT_JSON || a->fmt == FMT_IODA))
		fputs(n > 0 ? "\n]\n" : "]\n", stdout);
}

/* --list: the series, filtered by --entity. */
static void
sig_list(struct sig_out *o, const struct cli_series *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool want = o->a->nent == 0;

		for (size_t j = 0; j < o->a->nent && !want; j++)
			want = strcmp(v[i].entity, o->a->ents[j]) == 0;
		if (want)
			sig_print_series(o, &v[i]);
	}
}

static int
pt_time_cmp(const void *pa, const void *pb)
{
	const struct sig_pt *a = pa, *b = pb;

	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return a->e < b->e ? -1 : a->e > b->e;
}

/* --format wide: a row a time, a column an entity, empty where the
 * entity has no value. */
static void
sig_wide(struct sig_out *o, const char *const *ents, size_t nent)
{
	char t[CLI_TIME_LEN], v[32];
	size_t i = 0;

	fputs("time", stdout);
	for (size_t e = 0; e < nent; e++) {
		putchar(',');
		cli_csv_str(stdout, ents[e]);
	}
	putchar('\n');
	qsort(o->pts, o->npts, sizeof(*o->pts), pt_time_cmp);
	while (i < o->npts) {
		int64_t now = o->pts[i].t;

		fputs(cli_time_fmt(now, t, sizeof(t)), stdout);
		for (size_t e = 0; e < nent; e++) {
			putchar(',');
			if (i < o->npts && o->pts[i].t == now &&
			    o->pts[i].e == e)
				fputs(cli_fmt_value(o->pts[i++].v, v,
				    sizeof(v)), stdout);
		}
		putchar('\n');
		o->n++;
	}
}

/* The bin of a series: the smallest step between its points, else the
 * ingest's bin (store meta bgp.bin), else 300 s. */
static int64_t
sig_step(const struct sig_out *o)
{
	int64_t step = 0;
	char buf[32];

	for (size_t i = 1; i < o->npts; i++) {
		int64_t d = o->pts[i].t - o->pts[i - 1].t;

		if (d > 0 && (step == 0 || d < step))
			step = d;
	}
	if (step == 0 && store_meta_get(o->st, "bgp.bin", buf,
	    sizeof(buf)) == 0)
		step = strtoll(buf, NULL, 10);
	return step > 0 ? step : 300;
}

/* --format ioda: one entity's held points as IODA's API gives a series. */
static void
sig_ioda(struct sig_out *o)
{
	const char *colon = strchr(o->entity, ':');
	int64_t step, from, until;
	char v[32];
	size_t i = 0;

	if (o->npts == 0)
		return;
	step = sig_step(o);
	from = o->pts[0].t;
	until = o->pts[o->npts - 1].t + step;
	fputs(o->n > 0 ? ",\n" : "\n", stdout);
	printf("{\"entityType\":\"%.*s\",\"entityCode\":", colon != NULL ?
	    (int)(colon - o->entity) : 0, o->entity);
	cli_json_str(stdout, colon != NULL ? colon + 1 : o->entity);
	printf(",\"datasource\":");
	cli_json_str(stdout, o->a->signal);
	printf(",\"from\":%" PRId64 ",\"until\":%" PRId64 ",\"step\":%" PRId64
	    ",\"values\":[", from, until, step);
	for (int64_t t = from; t < until; t += step) {
		while (i < o->npts && o->pts[i].t < t)
			i++;
		if (t > from)
			putchar(',');
		if (i < o->npts && o->pts[i].t == t)
			fputs(cli_fmt_value(o->pts[i].v, v, sizeof(v)), stdout);
		else
			fputs("null", stdout);
	}
	fputs("]}", stdout);
	o->n++;
}

/* --chart: one entity's held points as bars scaled to its largest. */
static void
sig_chart(struct sig_out *o)
{
	double max = 0;
	char t[CLI_TIME_LEN], v[32], bar[CHART_WIDTH + 1];

	if (o->npts == 0)
		return;
	for (size_t i = 0; i < o->npts; i++)
		if (o->pts[i].v > max)
			max = o->pts[i].v;
	printf("%s%s %s (largest %s)\n", o->n > 0 ? "\n" : "", o->entity,
	    o->a->signal, cli_fmt_value(max, v, sizeof(v)));
	for (size_t i = 0; i < o->npts; i++) {
		int w = max > 0 && o->pts[i].v > 0 ? (int)(CHART_WIDTH *
		    o->pts[i].v / max) : 0;

		memset(bar, '#', (size_t)w);
		bar[w] = '\0';
		printf("  %s %12s%s%s\n", cli_time_fmt(o->pts[i].t, t,
		    sizeof(t)), cli_fmt_value(o->pts[i].v, v, sizeof(v)),
		    w > 0 ? " " : "", bar);
	}
	o->n++;
}

/* The points of ents[0..nent) in the chosen shape. */
static int
sig_points(struct sig_out *o, const char *const *ents, size_t nent)
{
	const struct sig_args *a = o->a;
	int rc = 0;

	for (size_t e = 0; e < nent && rc == 0; e++) {
		o->entity = ents[e];
		o->e = e;
		if (a->fmt != FMT_WIDE)
			o->npts = 0;
		rc = store_points_scan(o->st, a->signal, ents[e], a->from,
		    a->to, sig_print_point, o);
		if (rc == 0 && a->chart)
			sig_chart(o);
		else if (rc == 0 && a->fmt == FMT_IODA)
			sig_ioda(o);
	}
	if (rc == 0 && !o->oom && a->fmt == FMT_WIDE && !a->chart)
		sig_wide(o, ents, nent);
	if (o->oom)
		return LL_ENOMEM;
	if (rc == 0) {
		fflush(stdout);
		rc = store_gap_list(o->st, a->signal, a->from, a->to,
		    sig_note_gap, NULL);
	}
	return rc;
}

/* The entities to print: --entity, else every series of the kind. */
static const char **
sig_targets(const struct sig_args *a, const struct cli_series *v, size_t n,
    size_t *nent)
{
	const char **ents;

	if (a->nent > 0) {
		*nent = a->nent;
		return (const char **)a->ents;
	}
	if ((ents = calloc(n + 1, sizeof(*ents))) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		ents[i] = v[i].entity;
	*nent = n;
	return ents;
}

static int
sig_run(struct store *st, const struct sig_args *a, const char *url)
{
	struct sig_out o = { .a = a, .st = st };
	struct cli_series *v = NULL;
	const char **ents = NULL;
	size_t n = 0, nent = 0;
	int rc;

	if (!a->gaps) {
		if ((rc = cli_series_load(st, a->list && !a->signal_set ? NULL :
		    a->signal, &v, &n)) != 0)
			goto fail;
		if ((rc = sig_known(a, st, url, v, n)) != 0)
			goto out;
	}
	if (!a->gaps && !a->list &&
	    (ents = sig_targets(a, v, n, &nent)) == NULL) {
		rc = LL_ENOMEM;
		goto fail;
	}
	sig_open(a, nent);
	if (a->gaps)
		rc = store_gap_list(st, a->signal, a->from, a->to,
		    sig_print_gap, &o);
	else if (a->list)
		sig_list(&o, v, n);
	else
		rc = sig_points(&o, ents, nent);
	if (rc != 0)
		goto fail;
	sig_close(a, o.n);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_err("signal: writing the output failed");
		rc = EXIT_FAIL;
	}
	goto out;
fail:
	fflush(stdout);
	cli_err("signal: %s", rc == LL_ENOMEM || rc == -1 ? "out of memory" :
	    store_errmsg(st));
	rc = EXIT_FAIL;
out:
	if (ents != (const char **)a->ents)
		free(ents);
	free(o.pts);
	cli_series_free(v, n);
	return rc;
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
	rc = sig_run(st, &a, url);
	store_free(st);
	return rc;
}
