/*
 * lifeline routing check: the routing monitors (hijack, sub-prefix,
 * squatting, AS_SET, new neighbours, path rules, visibility, RPKI) over
 * the route elements of MRT archives, against a BGPalerter watchlist;
 * one JSON line per alert. Also the archive loop `watch generate` shares.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/bgp.h"
#include "cmd/cmd.h"
#include "cmd/cmd_routing.h"
#include "input/input.h"
#include "mrt/mrt.h"
#include "net/net.h"
#include "routing/routing.h"
#include "store/store.h"
#include "util/err.h"
#include "util/grow.h"
#include "util/time.h"

#define VRPS_MAX	16

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: lifeline routing check --watchlist FILE [options] "
	    "ARCHIVE...\n"
	    "\n"
	    "Runs the routing monitors over the route elements of the MRT\n"
	    "archives (RIB dumps and updates, in the order given) against a\n"
	    "watchlist in BGPalerter's prefixes.yml format, and prints one\n"
	    "JSON line per alert, in the order the alerts began:\n"
	    "  hijack          a watched prefix announced by another origin\n"
	    "  sub-prefix      a more specific of one, by another origin\n"
	    "  squatting       space listed with no origin (asn: 0 or none)\n"
	    "                  announced\n"
	    "  as-set          a watched route whose origin is an AS_SET\n"
	    "  new-upstream, new-downstream\n"
	    "                  a neighbour of an options.monitorASns AS not\n"
	    "                  in its upstreams / downstreams list\n"
	    "  path            a prefix's path rule fired (match, notMatch,\n"
	    "                  minLength, maxLength)\n"
	    "  visibility-loss a watched prefix withdrawn by many peers,\n"
	    "                  then visible-again when they have it back\n"
	    "  rpki-invalid    (--vrps) an RFC 6811 invalid route of a\n"
	    "                  watched prefix or watched origin AS\n"
	    "  rpki-change     (--vrps-old) a ROA of a watched prefix or AS\n"
	    "                  gone, new, or with another max length\n"
	    "  route-leak      a watched route whose path is not valley-free\n"
	    "                  on the AS relationships (--relationships), or\n"
	    "                  without them has a network between two Tier-1s\n"
	    "An alert fires once enough peers see its event and is printed\n"
	    "once, with first_seen and last_seen (null while it lasts).\n"
	    "\n"
	    "  --watchlist FILE     BGPalerter prefixes.yml (required)\n"
	    "  --vrps FILE          VRPs for rpki-invalid (repeatable)\n"
	    "  --vrps-old FILE      an earlier VRP snapshot (repeatable): its\n"
	    "                       differences with --vrps that touch the\n"
	    "                       watchlist are rpki-change alerts, as rpki\n"
	    "                       diff finds them (change roa-gone, roa-new\n"
	    "                       or max-length; roa_origin, old and new\n"
	    "                       max length; first_seen the --vrps\n"
	    "                       snapshot's time, as rpki diff --help says)\n"
	    "  --relationships FILE CAIDA as-rel (serial-1 or serial-2) for\n"
	    "                       route leaks\n"
	    "  --min-peers N        peers before an alert fires (3)\n"
	    "  --min-peers-loss N   peers for a visibility loss (40)\n"
	    "  --db URL             also store the alerts as events in the\n"
	    "                       database (kind routing:TYPE; created when\n"
	    "                       missing; a second run replaces, not adds)\n"
	    "  --full-decode        decode every update record in full, on one\n"
	    "                       thread; by default they are read leanly,\n"
	    "                       and fed to the monitors on a second thread\n"
	    "                       while the archive is read (the same alerts)\n"
	    "  --one-thread         read and feed the monitors on one thread\n"
	    "                       (a machine with one core; the same alerts)\n"
	    "  --strict             stop at the first bad record\n"
	    "  -q, --quiet          do not report bad records one by one\n"
	    "\n"
	    "exit status: 0 ok, 1 bad records were skipped, 2 usage, 3 a file\n"
	    "cannot be read or the watchlist is wrong (its line is named).\n");
}

int
cli_archive_elems(const char *path, const struct cli_elems *ed,
    struct progress *pg)
{
	struct mrt_reader_opts o = { ed->strict, 0, ed->quiet ? NULL :
	    cli_mrt_error, NULL };
	const struct mrt_record *rec;
	struct mrt_reader *r = NULL;
	struct input *in = NULL;
	uint64_t n = 0;
	int rc, ex = 0, frc = 0;

	if ((rc = input_open(path, NULL, &in)) != 0 ||
	    (rc = mrt_reader_new(in, path, &o, &r)) != 0) {
		cli_err("%s: %s", path, *input_errmsg(in) ? input_errmsg(in) :
		    rc == LL_EIO ? strerror(errno) : ll_strerror(rc));
		input_free(in);
		return EXIT_FAIL;
	}
	while ((rc = mrt_reader_next(r, &rec)) == MRT_NEXT_RECORD) {
		if ((frc = mrt_record_elems(rec, ed->fn, ed->ctx)) != 0)
			break;
		if ((++n & 0xfff) == 0)
			progress_update(pg, path, input_raw_offset(in),
			    input_raw_size(in));
	}
	progress_done(pg);
	if (mrt_reader_stats(r)->bad > 0 || rc < 0)
		ex = EXIT_DATA;
	mrt_reader_free(r);
	input_free(in);
	if (frc != 0) {
		cli_err("%s: %s", path, ll_strerror(frc));
		return EXIT_FAIL;
	}
	return ex;
}

struct line {
	uint32_t	 first;
	size_t		 seq;
	char		*text;
	enum routing_alert_type type;
	char		 entity[STORE_KEY_MAX];
	uint32_t	 last;
	bool		 vrp;		/* an rpki-change, not a monitor's */
};

struct check_cli {
	struct routing_rels	*rels;
	struct routing_watchlist *w;
	struct routing_vrps	*vrps;
	struct routing_monitor	*mon;
	struct line		*line;
	size_t			 nline, linecap;
	uint64_t		 elems;
	int64_t			 vrp_t;		/* the --vrps snapshot's time */
};

static json_t *
asn_array(const uint32_t *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

static json_t *
time_or_null(uint32_t t)
{
	char buf[32];

	return t == 0 ? json_null() : json_string(ll_time_fmt(t, buf,
	    sizeof(buf)));
}

/* The watch entry's or watched AS's part of an alert. */
static void
alert_watch(json_t *o, const struct routing_alert *a)
{
	char buf[NET_PREFIX_STRLEN];
	const struct routing_watch_as *wa = a->watch_as;

	if (a->watch != NULL) {
		net_prefix_fmt(&a->watch->p, buf);
		json_object_set_new(o, "watch_prefix", json_string(buf));
		json_object_set_new(o, "description",
		    json_string(a->watch->description));
		json_object_set_new(o, "group", json_string(a->watch->group));
		json_object_set_new(o, "expected_origin",
		    asn_array(a->watch->asn, a->watch->nasn));
	} else {
		json_object_set_new(o, "watch_prefix", json_null());
		json_object_set_new(o, "expected_origin", json_null());
	}
	if (wa != NULL) {
		bool up = a->type == ROUTING_A_NEW_UPSTREAM;

		json_object_set_new(o, "watched_as", json_integer(wa->asn));
		json_object_set_new(o, "group", json_string(wa->group));
		json_object_set_new(o, "neighbour", json_integer(a->neighbour));
		json_object_set_new(o, up ? "expected_upstreams" :
		    "expected_downstreams", asn_array(up ? wa->up : wa->down,
		    up ? wa->nup : wa->ndown));
	}
}

json_t *
cli_alert_json(const struct routing_alert *a)
{
	json_t *o = json_object(), *v;
	char buf[NET_ADDR_STRLEN];

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "type", json_string(routing_alert_name(
	    a->type)));
	net_prefix_fmt(&a->prefix, buf);
	json_object_set_new(o, "prefix", json_string(buf));
	alert_watch(o, a);
	json_object_set_new(o, "seen_origin", a->type == ROUTING_A_HIJACK ||
	    a->type == ROUTING_A_SUBPREFIX || a->type == ROUTING_A_SQUATTING ||
	    a->type == ROUTING_A_RPKI_INVALID ? json_integer(a->origin) :
	    a->type == ROUTING_A_AS_SET ? json_string("AS_SET") : json_null());
	if (a->rule != NULL)
		json_object_set_new(o, "rule", json_pack("{s:s?,s:s?,s:s?,"
		    "s:i,s:i}", "match", a->rule->match, "notMatch",
		    a->rule->not_match, "matchDescription",
		    a->rule->description, "minLength",
		    (json_int_t)a->rule->min_len, "maxLength",
		    (json_int_t)a->rule->max_len));
	if (a->type == ROUTING_A_LEAK)
		json_object_set_new(o, "leaker", json_integer(a->neighbour));
	if (a->type == ROUTING_A_RPKI_INVALID)
		json_object_set_new(o, "rpki", json_string(routing_rov_name(
		    a->rov)));
	v = json_array();
	for (uint32_t i = 0; i < a->npaths; i++)
		json_array_append_new(v, json_string(a->paths[i]));
	json_object_set_new(o, "as_paths", v);
	v = json_array();
	for (uint32_t i = 0; i < a->nlisted; i++) {
		net_addr_fmt(&a->peers[i].addr, buf);
		json_array_append_new(v, json_pack("{s:I,s:s}", "asn",
		    (json_int_t)a->peers[i].asn, "ip", buf));
	}
	json_object_set_new(o, "peers", v);
	json_object_set_new(o, "peer_count", json_integer(a->npeers));
	json_object_set_new(o, "first_seen", time_or_null(a->first_seen));
	json_object_set_new(o, "last_seen", time_or_null(a->last_seen));
	return o;
}

static int
on_alert(void *ctx, const struct routing_alert *a)
{
	struct check_cli *c = ctx;
	json_t *o;
	char *s;

	if (!a->final)
		return 0;
	if ((o = cli_alert_json(a)) == NULL)
		return LL_ENOMEM;
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (s == NULL || ll_grow(&c->line, &c->linecap, c->nline + 1,
	    sizeof(*c->line)) != 0) {
		free(s);
		return LL_ENOMEM;
	}
	c->line[c->nline] = (struct line){ a->first_seen, c->nline, s,
	    a->type, "", a->last_seen, false };
	if (a->watch_as != NULL)
		snprintf(c->line[c->nline].entity, STORE_KEY_MAX, "asn:%" PRIu32,
		    a->watch_as->asn);
	else {
		char buf[NET_PREFIX_STRLEN];

		net_prefix_fmt(&a->prefix, buf);
		snprintf(c->line[c->nline].entity, STORE_KEY_MAX, "prefix:%s",
		    buf);
	}
	c->nline++;
	return 0;
}

static int
on_elem(void *ctx, const struct mrt_elem *e)
{
	struct check_cli *c = ctx;

	c->elems += e->peer != NULL && e->type != MRT_ELEM_STATE &&
	    e->nlri != NULL;
	return routing_monitor_elem(c->mon, e);
}

/* A record the reading thread took (cli_archive_lean()). */
static int
on_lean(void *ctx, const struct mrt_lean *l,
    const struct routing_lean_facts *f)
{
	struct check_cli *c = ctx;
	int rc = routing_monitor_lean(c->mon, l, f);

	for (int k = 0; rc == 0 && k < BGP_LEAN_RUNS; k++)
		c->elems += l->bgp.run[k].n;
	return rc;
}

static int
cmp_line(const void *x, const void *y)
{
	const struct line *a = x, *b = y;

	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void
cli_vrp_warn(void *ctx, const char *msg)
{
	(void)ctx;
	cli_warn("%s", msg);
}

/* The VRPs, loaded on a thread of their own while the watchlist loads:
 * the two take about as long (a 50,000-line list, 80,000 VRPs). Their
 * warnings are kept and printed after, in order. */
struct vrp_load {
	const char *const	*path;
	size_t			 n;
	struct routing_vrps	*v;
	int			 rc;
	char			 err[512];
	char			**warn;
	size_t			 nwarn, warncap;
	bool			 warn_oom;
};

static void
vrp_keep_warn(void *ctx, const char *msg)
{
	struct vrp_load *vl = ctx;
	char *m;

	if ((m = strdup(msg)) == NULL || ll_grow(&vl->warn, &vl->warncap,
	    vl->nwarn + 1, sizeof(*vl->warn)) != 0) {
		free(m);
		vl->warn_oom = true;
		return;
	}
	vl->warn[vl->nwarn++] = m;
}

static void *
vrp_load_run(void *arg)
{
	struct vrp_load *vl = arg;

	if ((vl->rc = routing_vrps_new(&vl->v)) != 0)
		return NULL;
	for (size_t i = 0; vl->rc == 0 && i < vl->n; i++)
		vl->rc = routing_vrps_load(vl->v, vl->path[i], vrp_keep_warn,
		    vl, vl->err, sizeof(vl->err));
	if (vl->rc == 0)
		vl->rc = routing_vrps_index(vl->v);
	return NULL;
}

/* Loads the watchlist and VRPs. Returns 0 or EXIT_FAIL; *data is set
 * when VRP lines were skipped. */
static int
load(struct check_cli *c, const char *wl, const char *const *vrps,
    size_t nvrps, bool *data)
{
	struct vrp_load vl = { .path = vrps, .n = nvrps };
	char err[512] = "";
	pthread_t th;
	bool threaded;
	int rc, ex = 0;

	threaded = nvrps > 0 && pthread_create(&th, NULL, vrp_load_run,
	    &vl) == 0;
	if ((rc = routing_watch_load(wl, &c->w, err, sizeof(err))) != 0) {
		cli_err("routing check: %s", err[0] ? err : ll_strerror(rc));
		ex = EXIT_FAIL;
	}
	if (threaded)
		pthread_join(th, NULL);
	else if (nvrps > 0 && ex == 0)
		(void)vrp_load_run(&vl);
	for (size_t i = 0; ex == 0 && i < vl.nwarn; i++)
		cli_vrp_warn(NULL, vl.warn[i]);
	if (ex == 0 && vl.warn_oom)
		cli_warn("routing check: some VRP warnings were lost (out of "
		    "memory)");
	if (ex == 0 && vl.rc != 0) {
		cli_err("routing check: %s", vl.err[0] ? vl.err :
		    ll_strerror(vl.rc));
		ex = EXIT_FAIL;
	}
	for (size_t i = 0; i < vl.nwarn; i++)
		free(vl.warn[i]);
	free(vl.warn);
	c->vrps = vl.v;		/* freed by the caller, loaded or not */
	if (ex == 0 && vl.v != NULL)
		*data = routing_vrps_bad(vl.v) > 0;
	return ex;
}

struct check_args {
	const char			*watchlist;
	const char			*rels;
	const char			*db;
	bool				 full;
	bool				 one;		/* --one-thread */
	const char			*vrps[VRPS_MAX];
	size_t				 nvrps;
	const char			*vold[VRPS_MAX];
	size_t				 nvold;
	struct routing_monitor_opts	 mo;
	struct cli_elems		 ed;
	const struct routing_watchlist	*w;
};

/* The facts of a record's path, on the reading thread: from the
 * watchlist only, which nothing changes during the run. */
static bool
lean_prep(void *pctx, const struct mrt_lean *l,
    struct routing_lean_facts *f)
{
	const struct check_args *a = pctx;

	return routing_lean_facts(a->w, l, f) == 0;
}

/* A VRP change between --vrps-old and --vrps: an rpki-change alert when
 * it touches the watchlist. */
static int
on_vchange(void *ctx, const struct routing_vchange_ev *e)
{
	struct check_cli *c = ctx;
	json_t *o;
	char *s;

	if (!cli_vchange_kept(c->w, e))
		return 0;
	if ((o = cli_vchange_alert(c->w, e, c->vrp_t)) == NULL)
		return LL_ENOMEM;
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (s == NULL || ll_grow(&c->line, &c->linecap, c->nline + 1,
	    sizeof(*c->line)) != 0) {
		free(s);
		return LL_ENOMEM;
	}
	c->line[c->nline] = (struct line){ (uint32_t)c->vrp_t, c->nline, s,
	    ROUTING_A_RPKI_INVALID, "", 0, true };
	cli_vchange_entity(e, c->line[c->nline].entity);
	c->nline++;
	return 0;
}

/* The old snapshot's changes against the new (--vrps-old): alerts.
 * Returns 0 or EXIT_FAIL; *data is set when VRP lines were skipped. */
static int
vrp_changes(struct check_cli *c, const struct check_args *a, bool *data)
{
	struct routing_vrps *old = NULL;
	char err[512] = "";
	int rc = 0;

	if (a->nvold == 0)
		return 0;
	if ((rc = routing_vrps_new(&old)) != 0)
		goto out;
	for (size_t i = 0; rc == 0 && i < a->nvold; i++)
		rc = routing_vrps_load(old, a->vold[i], cli_vrp_warn, NULL, err,
		    sizeof(err));
	if (rc == 0 && (rc = routing_vrps_index(old)) == 0 &&
	    (rc = routing_vrps_time(c->vrps, a->vrps, a->nvrps, &c->vrp_t,
	    err, sizeof(err))) == 0)
		rc = routing_vrps_diff(old, c->vrps, on_vchange, c);
	*data |= rc == 0 && routing_vrps_bad(old) > 0;
out:
	if (rc != 0)
		cli_err("routing check: %s", err[0] ? err : ll_strerror(rc));
	routing_vrps_free(old);
	return rc != 0 ? EXIT_FAIL : 0;
}

static int
parse_count(const char *opt, const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v == 0 || v > 1000000) {
		cli_err("routing check: %s wants a number from 1 to 1000000, "
		    "not '%s'", opt, s);
		return EXIT_USAGE;
	}
	*out = (uint32_t)v;
	return 0;
}

enum { O_WATCH = 256, O_VRPS, O_MINP, O_MINL, O_STRICT, O_DB, O_RELS,
    O_FULL, O_VOLD, O_ONE };

static int
parse_args(int argc, char **argv, struct check_args *a)
{
	static const struct option lo[] = {
		{ "watchlist", required_argument, NULL, O_WATCH },
		{ "vrps", required_argument, NULL, O_VRPS },
		{ "min-peers", required_argument, NULL, O_MINP },
		{ "min-peers-loss", required_argument, NULL, O_MINL },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "db", required_argument, NULL, O_DB },
		{ "relationships", required_argument, NULL, O_RELS },
		{ "full-decode", no_argument, NULL, O_FULL },
		{ "vrps-old", required_argument, NULL, O_VOLD },
		{ "one-thread", no_argument, NULL, O_ONE },
		{ NULL, 0, NULL, 0 },
	};
	int ch, rc = 0;

	opterr = 0;
	optind = 1;
	while (rc == 0 && (ch = getopt_long(argc, argv, "q", lo, NULL)) !=
	    -1) {
		if (ch == O_WATCH)
			a->watchlist = optarg;
		else if (ch == O_VRPS && a->nvrps < VRPS_MAX)
			a->vrps[a->nvrps++] = optarg;
		else if (ch == O_VOLD && a->nvold < VRPS_MAX)
			a->vold[a->nvold++] = optarg;
		else if (ch == O_MINP)
			rc = parse_count("--min-peers", optarg,
			    &a->mo.min_peers);
		else if (ch == O_MINL)
			rc = parse_count("--min-peers-loss", optarg,
			    &a->mo.min_peers_loss);
		else if (ch == O_STRICT)
			a->ed.strict = true;
		else if (ch == O_DB)
			a->db = optarg;
		else if (ch == O_RELS)
			a->rels = optarg;
		else if (ch == O_FULL)
			a->full = true;
		else if (ch == O_ONE)
			a->one = true;
		else if (ch == 'q')
			a->ed.quiet = true;
		else {
			cli_err("routing check: unknown or incomplete option "
			    "'%s' (at most %d --vrps); see 'lifeline routing "
			    "check --help'", argv[optind - 1], VRPS_MAX);
			return EXIT_USAGE;
		}
	}
	if (rc == 0 && a->nvold > 0 && a->nvrps == 0) {
		cli_err("routing check: --vrps-old needs --vrps (the new "
		    "snapshot); see 'lifeline routing check --help'");
		return EXIT_USAGE;
	}
	if (rc == 0 && (a->watchlist == NULL || optind >= argc)) {
		cli_err("routing check: --watchlist FILE and at least one "
		    "ARCHIVE are needed; see 'lifeline routing check --help'");
		return EXIT_USAGE;
	}
	return rc;
}

static int
print_lines(struct check_cli *c)
{
	if (c->nline > 0)
		qsort(c->line, c->nline, sizeof(*c->line), cmp_line);
	for (size_t i = 0; i < c->nline; i++)
		printf("%s\n", c->line[i].text);
	if (fflush(stdout) != 0) {
		cli_err("routing check: cannot write the alerts");
		return EXIT_FAIL;
	}
	return 0;
}

/* Stores the alerts as events, in one transaction. Returns 0 or
 * EXIT_FAIL. */
static int
store_lines(struct check_cli *c, const char *url)
{
	struct store *st = NULL;
	char err[512], kind[64];
	int rc;

	if (store_open(url, STORE_CREATE, &st, err, sizeof(err)) != 0) {
		cli_err("routing check: %s", err);
		return EXIT_FAIL;
	}
	rc = store_tx_begin(st);
	for (size_t i = 0; rc == 0 && i < c->nline; i++) {
		struct store_event e = { kind, c->line[i].entity,
		    c->line[i].first, c->line[i].last, c->line[i].text };

		snprintf(kind, sizeof(kind), "routing:%s", c->line[i].vrp ?
		    "rpki-change" : routing_alert_name(c->line[i].type));
		rc = store_event_put(st, &e);
	}
	if (rc == 0)
		rc = store_tx_commit(st);
	if (rc != 0)
		cli_err("routing check: %s: %s", url, store_errmsg(st));
	store_free(st);
	return rc != 0 ? EXIT_FAIL : 0;
}

static int
check(int argc, char **argv)
{
	struct cli_lean_ops ops = { on_lean, lean_prep, NULL, false };
	struct check_cli c;
	struct check_args a;
	struct progress pg;
	char err[512] = "";
	bool data = false;
	int rc, ex;

	memset(&c, 0, sizeof(c));
	memset(&a, 0, sizeof(a));
	if ((ex = parse_args(argc, argv, &a)) != 0)
		return ex;
	if ((ex = load(&c, a.watchlist, a.vrps, a.nvrps, &data)) != 0)
		goto out;
	if (a.rels != NULL && (rc = routing_rels_load(a.rels, &c.rels, err,
	    sizeof(err))) != 0) {
		cli_err("routing check: %s", err[0] ? err : ll_strerror(rc));
		ex = EXIT_FAIL;
		goto out;
	}
	if ((ex = vrp_changes(&c, &a, &data)) != 0)
		goto out;
	a.mo.vrps = c.vrps;
	a.mo.rels = c.rels;
	a.w = c.w;
	ops.pctx = &a;
	ops.one_thread = a.one;
	a.ed.fn = on_elem;
	a.ed.ctx = &c;
	if (routing_monitor_new(c.w, &a.mo, on_alert, &c, &c.mon) != 0) {
		ex = EXIT_FAIL;
		goto out;
	}
	progress_init(&pg);
	for (int i = optind; i < argc; i++) {
		rc = a.full ? cli_archive_elems(argv[i], &a.ed, &pg) :
		    cli_archive_lean(argv[i], &a.ed, &ops, &pg);
		if (rc == EXIT_FAIL || (rc != 0 && a.ed.strict)) {
			ex = rc;
			goto out;
		}
		data |= rc != 0;
	}
	if (routing_monitor_finish(c.mon) != 0) {
		cli_err("routing check: out of memory");
		ex = EXIT_FAIL;
		goto out;
	}
	if ((ex = print_lines(&c)) == 0 && a.db != NULL)
		ex = store_lines(&c, a.db);
	if (ex == 0 && data)
		ex = EXIT_DATA;
	fprintf(stderr, "routing check: %zu watched prefixes, %zu watched "
	    "ASes, %" PRIu64 " route elements, %zu alerts\n", c.w->np,
	    c.w->nas, c.elems, c.nline);
out:
	for (size_t i = 0; i < c.nline; i++)
		free(c.line[i].text);
	free(c.line);
	routing_monitor_free(c.mon);
	routing_vrps_free(c.vrps);
	routing_watch_free(c.w);
	routing_rels_free(c.rels);
	return ex;
}

int
cmd_routing(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "check") != 0) {
		cli_err("routing: unknown subcommand '%s' (check); see "
		    "'lifeline routing --help'", argv[1]);
		return EXIT_USAGE;
	}
	if (cli_wants_help(argc - 1, argv + 1)) {
		usage(stdout);
		return 0;
	}
	return check(argc - 1, argv + 1);
}
