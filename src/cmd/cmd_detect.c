/*
 * lifeline detect, lifeline incidents, lifeline baseline: the detectors
 * over the store, the incidents they keep, and the analyst's steps.
 *
 *   lifeline detect [--db URL] [--from T] [--to T]
 *   lifeline incidents list [--format text|json] [--db URL]
 *   lifeline incidents show ID | verify ID --note TEXT | close ID
 *   lifeline baseline pin --entity E --from T --to T [--signal K]
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/cmd_evinc.h"
#include "detect/detect.h"
#include "impact/impact.h"
#include "net/entity.h"
#include "store/store.h"
#include "util/err.h"
#include "util/time.h"

struct det_args {
	const char	*cmd;		/* "detect", "incidents show", ... */
	const char	*db;
	const char	*signal;
	const char	*note;
	const char	*by;
	const char	*entity;
	const char	*key;		/* --key: sign evidence records */
	const char	*norms;		/* --norms: the report's table */
	int64_t		 from, to;
	bool		 json;
	bool		 md;		/* --format md (incidents show) */
	bool		 rdonly;	/* show: the store is not writable */
	char		 ent[ENT_STRLEN];
	char		 who[STORE_KEY_MAX];
};

static const char det_help[] =
    "detect judges every bin not judged before (IODA parity: value /\n"
    "median of the history window; pinned baselines; the hour of the\n"
    "week; CUSUM for slow degradation; throughput, RTT and loss, a\n"
    "throttling verdict while reachability holds), behind the\n"
    "collector-health guard, writes alerts and follows incidents\n"
    "(docs/methodology.md). It prints each incident transition it\n"
    "makes and a summary line. --from/--to bound the bins judged.\n"
    "--key FILE (lifeline keygen) appends a signed evidence record for\n"
    "each transition: the incident, the points and baselines, the\n"
    "detector and its parameters, the software version and the SHA-256\n"
    "of every archive and file behind them (docs/evidence.md).\n";
static const char inc_help[] =
    "incidents: the incidents detect keeps (list --format json: id,\n"
    "class, state, scope, start, end (null while open), severity,\n"
    "confidence, score, restored_percent, signals, campaign: the first\n"
    "incident of a recurring series, or null); verify and close are\n"
    "an analyst's steps, recorded with --by (default $USER) and the time,\n"
    "and with --key FILE as a signed evidence record. show --format md\n"
    "writes an incident report citing the norms that apply, from\n"
    "--norms FILE or the norms table shipped with Lifeline (norms.tsv).\n"
    "lifeline evidence export ID --out DIR writes its evidence bundle.\n";
static const char base_help[] =
    "baseline pin: freezes the median of [from, to) of the entity's\n"
    "signal (default bgp) as the baseline detect measures it against,\n"
    "for as long as the pin stays.\n";

/* which: 'd' detect, 'i' incidents, 'b' baseline. */
static void
det_usage(FILE *f, int which)
{
	if (which == 'd')
		fprintf(f, "usage: lifeline detect [--from T] [--to T] "
		    "[--key FILE] [--db URL]\n\n%s", det_help);
	else if (which == 'i')
		fprintf(f, "usage: lifeline incidents list [--format "
		    "text|json] [--db URL]\n"
		    "       lifeline incidents show ID [--format text|json|md] "
		    "[--norms FILE]\n"
		    "       lifeline incidents verify ID --note TEXT "
		    "[--by NAME] [--key FILE]\n"
		    "       lifeline incidents close ID [--note TEXT] "
		    "[--by NAME] [--key FILE]\n\n%s", inc_help);
	else
		fprintf(f, "usage: lifeline baseline pin --entity E --from T "
		    "--to T [--signal KIND]\n"
		    "                              [--by NAME] [--db URL]\n"
		    "\n%s", base_help);
	fprintf(f, "exit status: 0 ok, 1 no such incident or no points, "
	    "2 usage, 3 the\ndatabase failed.\n");
}

static int
det_time_opt(const struct det_args *a, const char *name, const char *v,
    int64_t *out)
{
	char why[160];

	if (ll_time_parse(v, out) == 0)
		return 0;
	cli_err("%s: --%s %s: %s", a->cmd, name, v, ll_time_why(v, why,
	    sizeof(why)));
	return EXIT_USAGE;
}

static int
det_opt(struct det_args *a, int c, const char *arg, char **argv)
{
	struct entity e;

	switch (c) {
	case 'd': a->db = arg; return 0;
	case 's': a->signal = arg; return 0;
	case 'n': a->note = arg; return 0;
	case 'b': a->by = arg; return 0;
	case 'k': a->key = arg; return 0;
	case 'N': a->norms = arg; return 0;
	case 'f': return det_time_opt(a, "from", arg, &a->from);
	case 't': return det_time_opt(a, "to", arg, &a->to);
	case 'F':
		if (strcmp(arg, "json") == 0 || strcmp(arg, "text") == 0 ||
		    strcmp(arg, "md") == 0) {
			a->json = arg[0] == 'j';
			a->md = arg[0] == 'm';
			return 0;
		}
		cli_err("%s: --format %s: use text, json or md", a->cmd, arg);
		return EXIT_USAGE;
	case 'e':
		if (entity_parse(arg, &e) != 0) {
			cli_err("%s: --entity %s: not an entity (country:EG, "
			    "region:EG-C, asn:8452)", a->cmd, arg);
			return EXIT_USAGE;
		}
		a->entity = entity_fmt(&e, a->ent);
		return 0;
	case ':':
		cli_err("%s: %s needs a value", a->cmd, argv[optind - 1]);
		return EXIT_USAGE;
	default:
		cli_err("%s: unknown option %s", a->cmd, argv[optind - 1]);
		return EXIT_USAGE;
	}
}

/* Parses the options every command here shares; the operands stay at
 * argv[optind..]. Returns 0 or an exit code. */
static int
det_parse(int argc, char **argv, struct det_args *a, const char *cmd)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'F' },
		{ "signal", required_argument, NULL, 's' },
		{ "entity", required_argument, NULL, 'e' },
		{ "note", required_argument, NULL, 'n' },
		{ "by", required_argument, NULL, 'b' },
		{ "key", required_argument, NULL, 'k' },
		{ "norms", required_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	const char *user;
	int c, rc;

	memset(a, 0, sizeof(*a));
	a->cmd = cmd;
	a->signal = "bgp";
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1)
		if ((rc = det_opt(a, c, optarg, argv)) != 0)
			return rc;
	if (a->from != 0 && a->to != 0 && a->from >= a->to) {
		cli_err("%s: --from must be before --to", cmd);
		return EXIT_USAGE;
	}
	user = a->by != NULL ? a->by : getenv("USER");
	snprintf(a->who, sizeof(a->who), "analyst:%s",
	    user != NULL && *user != '\0' ? user : "unknown");
	return 0;
}

static int
det_open(const struct det_args *a, unsigned flags, struct store **st)
{
	char err[512];

	if (store_open(cli_db_url(a->db), flags, st, err, sizeof(err)) == 0)
		return 0;
	cli_err("%s: %s", a->cmd, err);
	return EXIT_FAIL;
}

/* The scope in short: its countries and regions, and how many ASes. */
static void
det_scope_short(const char *scope, char *buf, size_t len)
{
	const char *p = scope;
	size_t n, used = 0;
	unsigned ases = 0;

	buf[0] = '\0';
	while (*p != '\0') {
		n = strcspn(p, ",");
		if (strncmp(p, "asn:", 4) == 0)
			ases++;
		else if (used + n + 2 < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%.*s",
			    used > 0 ? "," : "", (int)n, p);
		p += n + (p[n] == ',');
	}
	if (ases > 0 && used + 16 < len)
		snprintf(buf + used, len - used, "%s%u AS%s", used > 0 ?
		    " and " : "", ases, ases > 1 ? "es" : "");
}

static void
det_announce(void *ctx, const struct store_incident *inc,
    const struct store_transition *t)
{
	char ts[LL_ISO8601_LEN], scope[256];

	cli_evinc_add(ctx, inc, t);
	det_scope_short(inc->scope, scope, sizeof(scope));
	printf("incident %" PRId64 " %s at %s: %s, %s, %.0f%% of the "
	    "baseline; scope %s; signals %s\n", inc->id, t->state,
	    ll_time_fmt(t->time, ts, sizeof(ts)), inc->cls, inc->severity,
	    inc->restored, scope, inc->signals);
}

int
cmd_detect(int argc, char **argv)
{
	struct detect_opts o;
	struct detect_stats s;
	struct det_args a;
	struct evidence_key k;
	struct cli_evinc *ev;
	struct store *st = NULL;
	int rc;

	if (cli_wants_help(argc, argv)) {
		det_usage(stdout, 'd');
		return 0;
	}
	if ((rc = det_parse(argc, argv, &a, "detect")) != 0)
		return rc;
	if (optind < argc) {
		cli_err("detect: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (a.key != NULL && (rc = cli_evinc_key(a.key, &k, "detect")) != 0)
		return rc;
	if ((ev = cli_evinc_new(a.key != NULL ? &k : NULL)) == NULL)
		return EXIT_FAIL;
	if ((rc = det_open(&a, 0, &st)) != 0) {
		cli_evinc_free(ev);
		return rc;
	}
	detect_opts_default(&o);
	o.from = a.from;
	o.to = a.to;
	if ((rc = detect_run(st, &o, det_announce, ev, &s)) != 0) {
		cli_err("detect: %s", rc == LL_EINVAL ? "bad options" :
		    store_errmsg(st));
		rc = EXIT_FAIL;
	} else {
		printf("detect: %" PRIu64 " series, %" PRIu64 " bins judged: %"
		    PRIu64 " alerts, %" PRIu64 " guarded bins (gaps), %" PRIu64
		    " incidents opened, %" PRIu64 " restored\n", s.series,
		    s.bins, s.alerts, s.gaps, s.opened, s.restored);
		fflush(stdout);
		rc = cli_evinc_record(ev, st, &o, "detect");
	}
	cli_evinc_free(ev);
	store_free(st);
	return rc;
}

static void
det_json_list(const char *list)
{
	const char *p = list;
	size_t n;

	putchar('[');
	while (*p != '\0') {
		n = strcspn(p, ",");
		printf("%s\"%.*s\"", p == list ? "" : ",", (int)n, p);
		p += n + (p[n] == ',');
	}
	putchar(']');
}

struct det_out {
	bool		 json;
	bool		 show;		/* one incident, as text */
	uint64_t	 n;
	bool		 show_json;	/* one incident, as JSON */
	char		*impact;	/* show --format json: its impact
					   (impact_json()), NULL: none */
};

static int
det_print_inc(void *ctx, const struct store_incident *i)
{
	struct det_out *o = ctx;
	char a[LL_ISO8601_LEN], b[LL_ISO8601_LEN];

	ll_time_fmt(i->start, a, sizeof(a));
	if (i->end != 0)
		ll_time_fmt(i->end, b, sizeof(b));
	if (o->show) {
		printf("incident %" PRId64 ": %s, %s\n  start %s, end %s\n"
		    "  severity %s, confidence %.2f, score %.0f (drop %% x "
		    "minutes), now %.0f%% of the baseline\n  signals %s\n"
		    "  scope %s\n", i->id, i->cls, i->state, a, i->end != 0 ?
		    b : "(open)", i->severity, i->confidence, i->score,
		    i->restored, i->signals, i->scope);
		if (i->campaign != 0)
			printf("  recurring: campaign of incident %" PRId64 "\n",
			    i->campaign);
		return 0;
	}
	if (!o->json) {
		printf("%" PRId64 "\t%s\t%s\t%s\t%.2f\t%s\t%s\t%.0f%%\t%s\n",
		    i->id, i->cls, i->state, i->severity, i->confidence, a,
		    i->end != 0 ? b : "open", i->restored, i->scope);
		o->n++;
		return 0;
	}
	printf("%s{\"id\":%" PRId64 ",\"class\":\"%s\",\"state\":\"%s\","
	    "\"scope\":", o->n++ > 0 ? ",\n" : "\n", i->id, i->cls, i->state);
	det_json_list(i->scope);
	printf(",\"start\":\"%s\",\"end\":", a);
	if (i->end != 0)
		printf("\"%s\"", b);
	else
		fputs("null", stdout);
	printf(",\"severity\":\"%s\",\"confidence\":%.3f,\"score\":%.1f,"
	    "\"restored_percent\":%.1f,\"signals\":", i->severity,
	    i->confidence, i->score, i->restored);
	det_json_list(i->signals);
	if (i->campaign != 0)
		printf(",\"campaign\":%" PRId64, i->campaign);
	else
		fputs(",\"campaign\":null", stdout);
	if (o->impact != NULL)
		/* impact_json() ends in a newline: left out */
		printf(",\"impact\":%.*s", (int)strlen(o->impact) - 1,
		    o->impact);
	else if (o->show_json)
		fputs(",\"impact\":null", stdout);
	putchar('}');
	return 0;
}

static int
det_print_tr(void *ctx, const struct store_transition *t)
{
	char ts[LL_ISO8601_LEN];

	(void)ctx;
	printf("  %s  %-18s %s%s%s\n", ll_time_fmt(t->time, ts, sizeof(ts)),
	    t->state, t->who, t->note[0] != '\0' ? ": " : "", t->note);
	return 0;
}

static int
det_id(const struct det_args *a, int argc, char **argv, int64_t *id)
{
	char *end;

	if (optind + 2 != argc) {
		cli_err("%s: give one incident ID", a->cmd);
		return EXIT_USAGE;
	}
	*id = strtoll(argv[optind + 1], &end, 10);
	if (*end != '\0' || *id <= 0) {
		cli_err("%s: %s: not an incident ID", a->cmd,
		    argv[optind + 1]);
		return EXIT_USAGE;
	}
	return 0;
}

/* show --format json: the impact as JSON into o->impact (NULL when
 * never computed and the store cannot be written). */
static int
inc_impact_json(struct store *st, const struct det_args *a, int64_t id,
    struct det_out *o)
{
	struct impact im;
	int rc = cli_impact_get(st, id, !a->rdonly, &im, a->cmd);

	if (rc == CLI_IMPACT_NONE)
		return 0;
	if (rc != 0)
		return rc;
	o->impact = impact_json(&im);
	impact_fini(&im);
	if (o->impact == NULL) {
		cli_err("%s: out of memory", a->cmd);
		return EXIT_FAIL;
	}
	return 0;
}

static int
inc_list(struct store *st, const struct det_args *a, int64_t id)
{
	struct det_out o = { .json = a->json, .show = id != 0 && !a->json,
	    .show_json = id != 0 && a->json };
	int rc;

	if (o.show_json && (rc = inc_impact_json(st, a, id, &o)) != 0)
		return rc;
	if (a->json)
		putchar('[');
	else if (id == 0)
		puts("id\tclass\tstate\tseverity\tconfidence\tstart\tend\t"
		    "restored\tscope");
	rc = store_incident_list(st, id, det_print_inc, &o);
	free(o.impact);
	if (a->json)
		fputs(o.n > 0 ? "\n]\n" : "]\n", stdout);
	if (rc == 0 && id != 0 && !a->json) {
		puts("transitions:");
		rc = store_transition_list(st, id, det_print_tr, NULL);
		if (rc == 0)
			return cli_impact_print(st, id, false, a->cmd,
			    !a->rdonly);
	}
	if (rc == LL_ENOTFOUND) {
		cli_err("%s: no incident %" PRId64, a->cmd, id);
		return EXIT_DATA;
	}
	if (rc != 0) {
		cli_err("%s: %s", a->cmd, store_errmsg(st));
		return EXIT_FAIL;
	}
	return 0;
}

static int
inc_mark(struct store *st, const struct det_args *a, int64_t id,
    const char *state, const struct evidence_key *k)
{
	int rc;

	if (strcmp(state, "verified") == 0 && a->note == NULL) {
		cli_err("%s: --note TEXT says what verified it", a->cmd);
		return EXIT_USAGE;
	}
	rc = detect_incident_mark(st, id, state, a->who, a->note,
	    (int64_t)time(NULL));
	if (rc == LL_ENOTFOUND || rc == LL_EINVAL) {
		cli_err("%s: incident %" PRId64 " %s", a->cmd, id,
		    rc == LL_ENOTFOUND ? "does not exist" : "is closed");
		return EXIT_DATA;
	}
	if (rc != 0) {
		cli_err("%s: %s", a->cmd, store_errmsg(st));
		return EXIT_FAIL;
	}
	printf("incident %" PRId64 " %s by %s\n", id, state, a->who);
	return k != NULL ? cli_evinc_mark(st, k, id, a->cmd) : 0;
}

int
cmd_incidents(int argc, char **argv)
{
	static const char *const subs[] = { "list", "show", "verify",
	    "close" };
	struct det_args a;
	struct evidence_key k;
	struct store *st = NULL;
	const char *sub;
	int64_t id = 0;
	int rc;
	size_t i;

	if (cli_wants_help(argc, argv) || argc < 2) {
		det_usage(argc < 2 ? stderr : stdout, 'i');
		return argc < 2 ? EXIT_USAGE : 0;
	}
	sub = argv[1];
	for (i = 0; i < 4 && strcmp(sub, subs[i]) != 0; i++)
		;
	if (i == 4) {
		cli_err("incidents: unknown subcommand '%s' (list, show, "
		    "verify, close)", sub);
		return EXIT_USAGE;
	}
	if ((rc = det_parse(argc - 1, argv + 1, &a, "incidents")) != 0)
		return rc;
	if (i > 0 && (rc = det_id(&a, argc, argv, &id)) != 0)
		return rc;
	if (i == 0 && optind + 1 != argc) {
		cli_err("incidents list: unexpected argument");
		return EXIT_USAGE;
	}
	if (a.md && (i != 1 || a.key != NULL)) {
		cli_err("incidents: --format md is for show");
		return EXIT_USAGE;
	}
	if (a.key != NULL && (i < 2 || (rc = cli_evinc_key(a.key, &k,
	    "incidents")) != 0))
		return i < 2 ? (cli_err("incidents: --key is for verify and "
		    "close"), EXIT_USAGE) : rc;
	/* show computes the impact and stores it; in a store it cannot
	 * write, it shows the stored one */
	if (i == 1 && store_open(cli_db_url(a.db), 0, &st, NULL,
	    0) != 0)
		a.rdonly = true;
	if (st == NULL && (rc = det_open(&a, i < 2 ? STORE_RDONLY : 0,
	    &st)) != 0)
		return rc;
	if (i == 1 && a.md)
		rc = cli_report_md(st, id, a.norms, "incidents show",
		    !a.rdonly);
	else
		rc = i < 2 ? inc_list(st, &a, id) : inc_mark(st, &a, id,
		    i == 2 ? "verified" : "closed", a.key != NULL ? &k : NULL);
	store_free(st);
	return rc;
}

int
cmd_baseline(int argc, char **argv)
{
	struct det_args a;
	struct store *st = NULL;
	double v = 0;
	int rc;

	if (cli_wants_help(argc, argv)) {
		det_usage(stdout, 'b');
		return 0;
	}
	if (argc >= 2 && argv[1][0] == '-') {
		cli_err("baseline: unknown option %s", argv[1]);
		return EXIT_USAGE;
	}
	if (argc < 2 || strcmp(argv[1], "pin") != 0) {
		cli_err("baseline: use 'lifeline baseline pin --entity E "
		    "--from T --to T'");
		return EXIT_USAGE;
	}
	if ((rc = det_parse(argc - 1, argv + 1, &a, "baseline pin")) != 0)
		return rc;
	if (a.entity == NULL || a.from == 0 || a.to == 0 || optind !=
	    argc - 1) {
		cli_err("baseline pin: --entity, --from and --to are needed");
		return EXIT_USAGE;
	}
	if ((rc = det_open(&a, 0, &st)) != 0)
		return rc;
	rc = detect_baseline_pin(st, a.signal, a.entity, a.from, a.to, a.who,
	    &v);
	if (rc == 0)
		printf("baseline of %s %s pinned at %.15g by %s\n", a.entity,
		    a.signal, v, a.who);
	else
		cli_err("baseline pin: %s", rc == LL_ENOTFOUND ? "no points "
		    "of the entity in that range" : store_errmsg(st));
	store_free(st);
	return rc == 0 ? 0 : rc == LL_ENOTFOUND ? EXIT_DATA : EXIT_FAIL;
}
