/*
 * lifeline rpki diff: what changed between two VRP snapshots (a ROA gone,
 * a new one, a longer or shorter max length), for watched resources.
 */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/cmd_routing.h"
#include "net/net.h"
#include "routing/routing.h"
#include "store/store.h"
#include "util/err.h"
#include "util/grow.h"
#include "util/time.h"

void
cli_rpki_diff_usage(FILE *f)
{
	fprintf(f,
	    "usage: lifeline rpki diff [--watchlist FILE] [--format jsonl|csv]\n"
	    "                          [--db URL] [-q] OLD NEW\n"
	    "\n"
	    "Compares two VRP snapshots (each one file, in any of the forms\n"
	    "rpki validate reads) ROA by ROA: a ROA is a prefix and an AS, and\n"
	    "reaches as far as the longest max length of its VRPs. Changes:\n"
	    "  roa-gone     in OLD only: routes it made valid become invalid\n"
	    "               or not-found\n"
	    "  roa-new      in NEW only\n"
	    "  max-length   in both, with another longest max length\n"
	    "\n"
	    "  --watchlist FILE   keep changes of watched resources: a prefix\n"
	    "                     that overlaps an entry of the BGPalerter\n"
	    "                     prefixes.yml (holds it or lies inside it),\n"
	    "                     or an AS of its options.monitorASns\n"
	    "  --format jsonl|csv jsonl (default): one object a line, change,\n"
	    "                     prefix, asn, old_max_length, new_max_length\n"
	    "                     (null when absent), watch_prefix (the entry\n"
	    "                     holding the prefix, or null), watched_as;\n"
	    "                     csv: the same columns with a header\n"
	    "  --db URL           also store the changes kept as events in\n"
	    "                     the database (kind rpki:CHANGE, entity\n"
	    "                     prefix:P,asn:N, from OLD's time to NEW's,\n"
	    "                     the JSON line as details; created when\n"
	    "                     missing; a second run replaces, not adds).\n"
	    "                     A snapshot's time is its rpki-client\n"
	    "                     metadata.buildtime; for a CSV, a date\n"
	    "                     YYYYMMDD in its file name (midnight UTC),\n"
	    "                     else its modification time\n"
	    "  -q, --quiet        do not report bad VRP lines one by one\n"
	    "\n"
	    "exit status: 0 ok, 1 bad VRP lines were skipped, 2 usage, 3 a\n"
	    "file cannot be read, is not a VRP export, or the watchlist is\n"
	    "wrong (its line is named), or the database cannot be written.\n");
}

struct vdiff_cli {
	struct routing_watchlist *w;
	const char		*db;
	struct cli_events	 ev;		/* kept for the store */
	bool			 csv;
	bool			 quiet;
	uint64_t		 warned;
	uint64_t		 n[ROUTING_VCH_N];
	int64_t			 from, to;	/* the snapshots' times */
};

static void
warn_vrp(void *ctx, const char *msg)
{
	struct vdiff_cli *c = ctx;

	if (!c->quiet)
		cli_warn("%s", msg);
	c->warned++;
}

static json_t *
maxlen_json(const struct routing_vchange_ev *e, bool old)
{
	if (e->kind == (old ? ROUTING_VCH_NEW : ROUTING_VCH_GONE))
		return json_null();
	return json_integer(old ? e->old_maxlen : e->new_maxlen);
}

bool
cli_vchange_kept(const struct routing_watchlist *w,
    const struct routing_vchange_ev *e)
{
	return w == NULL || routing_watch_as(w, e->asn) != NULL ||
	    routing_watch_overlaps(w, &e->p);
}

void
cli_vchange_entity(const struct routing_vchange_ev *e, char *buf)
{
	char p[NET_PREFIX_STRLEN];

	net_prefix_fmt(&e->p, p);
	snprintf(buf, STORE_KEY_MAX, "prefix:%s,asn:%" PRIu32, p, e->asn);
}

/* The change as rpki diff's JSON line (NULL when out of memory). */
static json_t *
change_json(const struct routing_watchlist *w,
    const struct routing_vchange_ev *e)
{
	const struct routing_watch_prefix *wp = NULL;
	char p[NET_PREFIX_STRLEN], wps[NET_PREFIX_STRLEN] = "";

	if (w != NULL && (wp = routing_watch_match(w, &e->p)) != NULL)
		net_prefix_fmt(&wp->p, wps);
	net_prefix_fmt(&e->p, p);
	return json_pack("{s:s,s:s,s:I,s:o,s:o,s:o,s:b}", "change",
	    routing_vchange_name(e->kind), "prefix", p, "asn",
	    (json_int_t)e->asn, "old_max_length", maxlen_json(e, true),
	    "new_max_length", maxlen_json(e, false), "watch_prefix",
	    wp != NULL ? json_string(wps) : json_null(), "watched_as",
	    w != NULL && routing_watch_as(w, e->asn) != NULL);
}

json_t *
cli_vchange_alert(const struct routing_watchlist *w,
    const struct routing_vchange_ev *e, int64_t t)
{
	const struct routing_watch_prefix *wp = routing_watch_match(w, &e->p);
	json_t *o = json_object(), *c = change_json(w, e), *origins;
	char buf[32];

	if (o == NULL || c == NULL || (origins = json_array()) == NULL) {
		json_decref(o);
		json_decref(c);
		return NULL;
	}
	for (size_t i = 0; wp != NULL && i < wp->nasn; i++)
		json_array_append_new(origins, json_integer(wp->asn[i]));
	json_object_set_new(o, "type", json_string("rpki-change"));
	json_object_set(o, "prefix", json_object_get(c, "prefix"));
	json_object_set(o, "watch_prefix", json_object_get(c, "watch_prefix"));
	json_object_set_new(o, "description", wp != NULL ?
	    json_string(wp->description) : json_null());
	if (wp == NULL) {
		json_decref(origins);
		origins = json_null();
	}
	json_object_set_new(o, "expected_origin", origins);
	json_object_set(o, "change", json_object_get(c, "change"));
	json_object_set(o, "roa_origin", json_object_get(c, "asn"));
	json_object_set(o, "old_max_length", json_object_get(c,
	    "old_max_length"));
	json_object_set(o, "new_max_length", json_object_get(c,
	    "new_max_length"));
	json_object_set(o, "watched_as", json_object_get(c, "watched_as"));
	json_object_set_new(o, "first_seen", json_string(ll_time_fmt(t, buf,
	    sizeof(buf))));
	json_object_set_new(o, "last_seen", json_null());
	json_decref(c);
	return o;
}

/* Keeps the change for the store, taking detail. Returns 0 or
 * LL_ENOMEM. */
static int
keep_event(struct vdiff_cli *c, const struct routing_vchange_ev *e,
    char *detail)
{
	char kind[32], entity[STORE_KEY_MAX];

	snprintf(kind, sizeof(kind), "rpki:%s", routing_vchange_name(e->kind));
	cli_vchange_entity(e, entity);
	return cli_events_add(&c->ev, kind, entity, detail);
}

static int
on_change(void *ctx, const struct routing_vchange_ev *e)
{
	struct vdiff_cli *c = ctx;
	json_t *o;
	char *s;

	if (!cli_vchange_kept(c->w, e))
		return 0;
	c->n[e->kind]++;
	if (c->csv) {
		const struct routing_watch_prefix *wp = c->w != NULL ?
		    routing_watch_match(c->w, &e->p) : NULL;
		char p[NET_PREFIX_STRLEN], wps[NET_PREFIX_STRLEN] = "";

		if (wp != NULL)
			net_prefix_fmt(&wp->p, wps);
		net_prefix_fmt(&e->p, p);
		printf("%s,%s,%" PRIu32 ",", routing_vchange_name(e->kind), p,
		    e->asn);
		if (e->kind != ROUTING_VCH_NEW)
			printf("%u", e->old_maxlen);
		putchar(',');
		if (e->kind != ROUTING_VCH_GONE)
			printf("%u", e->new_maxlen);
		printf(",%s,%s\n", wps, c->w != NULL &&
		    routing_watch_as(c->w, e->asn) != NULL ? "true" : "false");
		if (c->db == NULL)
			return 0;
	}
	if ((o = change_json(c->w, e)) == NULL || (s = json_dumps(o,
	    JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL) {
		json_decref(o);
		return LL_ENOMEM;
	}
	json_decref(o);
	if (!c->csv)
		puts(s);
	if (c->db != NULL)
		return keep_event(c, e, s);
	free(s);
	return 0;
}

/* Loads one snapshot. Returns 0 or EXIT_FAIL (reported). */
static int
load(struct vdiff_cli *c, const char *path, struct routing_vrps **v)
{
	char err[512] = "";
	int rc;

	if ((rc = routing_vrps_new(v)) != 0 ||
	    (rc = routing_vrps_load(*v, path, warn_vrp, c, err,
	    sizeof(err))) != 0 || (rc = routing_vrps_index(*v)) != 0) {
		cli_err("rpki diff: %s", err[0] ? err : ll_strerror(rc));
		return EXIT_FAIL;
	}
	return 0;
}

/* When the snapshots were made, for the events. Returns 0 or EXIT_FAIL. */
static int
dates(struct vdiff_cli *c, const struct routing_vrps *old,
    const struct routing_vrps *new_, char **paths)
{
	char err[512];

	if (routing_vrps_time(old, (const char *const *)paths, 1, &c->from,
	    err, sizeof(err)) != 0 || routing_vrps_time(new_,
	    (const char *const *)paths + 1, 1, &c->to, err,
	    sizeof(err)) != 0) {
		cli_err("rpki diff: %s", err);
		return EXIT_FAIL;
	}
	return 0;
}

enum { O_WATCH = 256, O_FORMAT, O_DB };

static int
parse_args(int argc, char **argv, struct vdiff_cli *c, const char **wl)
{
	static const struct option lo[] = {
		{ "watchlist", required_argument, NULL, O_WATCH },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "db", required_argument, NULL, O_DB },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "q", lo, NULL)) != -1) {
		if (ch == O_WATCH)
			*wl = optarg;
		else if (ch == O_FORMAT && (strcmp(optarg, "jsonl") == 0 ||
		    strcmp(optarg, "csv") == 0))
			c->csv = optarg[0] == 'c';
		else if (ch == O_DB)
			c->db = optarg;
		else if (ch == 'q')
			c->quiet = true;
		else {
			cli_err("rpki diff: unknown or incomplete option '%s' "
			    "(--format jsonl|csv); see 'lifeline rpki diff "
			    "--help'", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		cli_err("rpki diff: OLD and NEW VRP files are needed; see "
		    "'lifeline rpki diff --help'");
		return EXIT_USAGE;
	}
	return 0;
}

int
cmd_rpki_diff(int argc, char **argv)
{
	struct routing_vrps *old = NULL, *new_ = NULL;
	struct vdiff_cli c;
	const char *wl = NULL;
	char err[512] = "";
	int rc, ex;

	memset(&c, 0, sizeof(c));
	if ((ex = parse_args(argc, argv, &c, &wl)) != 0)
		return ex;
	if (wl != NULL && (rc = routing_watch_load(wl, &c.w, err,
	    sizeof(err))) != 0) {
		cli_err("rpki diff: %s", err[0] ? err : ll_strerror(rc));
		ex = EXIT_FAIL;
		goto out;
	}
	if ((ex = load(&c, argv[optind], &old)) != 0 ||
	    (ex = load(&c, argv[optind + 1], &new_)) != 0 ||
	    (c.db != NULL && (ex = dates(&c, old, new_, argv + optind)) != 0))
		goto out;
	if (c.csv)
		printf("change,prefix,asn,old_max_length,new_max_length,"
		    "watch_prefix,watched_as\n");
	if ((rc = routing_vrps_diff(old, new_, on_change, &c)) != 0 ||
	    fflush(stdout) != 0) {
		cli_err("rpki diff: %s", rc != 0 ? ll_strerror(rc) :
		    "cannot write the result");
		ex = EXIT_FAIL;
		goto out;
	}
	if (c.db != NULL && (ex = cli_events_store(&c.ev, c.db, c.from, c.to,
	    "rpki diff")) != 0)
		goto out;
	fprintf(stderr, "rpki diff: %zu and %zu VRPs; %" PRIu64 " ROAs gone, "
	    "%" PRIu64 " new, %" PRIu64 " max-length changes\n",
	    routing_vrps_count(old), routing_vrps_count(new_),
	    c.n[ROUTING_VCH_GONE], c.n[ROUTING_VCH_NEW],
	    c.n[ROUTING_VCH_MAXLEN]);
	ex = c.warned > 0 ? EXIT_DATA : 0;
out:
	routing_vrps_free(old);
	routing_vrps_free(new_);
	routing_watch_free(c.w);
	cli_events_free(&c.ev);
	return ex;
}
