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
#include "util/err.h"

void
cli_rpki_diff_usage(FILE *f)
{
	fprintf(f,
	    "usage: lifeline rpki diff [--watchlist FILE] [--format jsonl|csv]\n"
	    "                          [-q] OLD NEW\n"
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
	    "  -q, --quiet        do not report bad VRP lines one by one\n"
	    "\n"
	    "exit status: 0 ok, 1 bad VRP lines were skipped, 2 usage, 3 a\n"
	    "file cannot be read, is not a VRP export, or the watchlist is\n"
	    "wrong (its line is named).\n");
}

struct vdiff_cli {
	struct routing_watchlist *w;
	bool			 csv;
	bool			 quiet;
	uint64_t		 warned;
	uint64_t		 n[ROUTING_VCH_N];
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

static int
on_change(void *ctx, const struct routing_vchange_ev *e)
{
	struct vdiff_cli *c = ctx;
	const struct routing_watch_prefix *wp = NULL;
	bool was = false;
	char p[NET_PREFIX_STRLEN], wps[NET_PREFIX_STRLEN] = "";
	json_t *o;
	char *s;

	if (c->w != NULL) {
		was = routing_watch_as(c->w, e->asn) != NULL;
		if (!was && !routing_watch_overlaps(c->w, &e->p))
			return 0;
		if ((wp = routing_watch_match(c->w, &e->p)) != NULL)
			net_prefix_fmt(&wp->p, wps);
	}
	c->n[e->kind]++;
	net_prefix_fmt(&e->p, p);
	if (c->csv) {
		printf("%s,%s,%" PRIu32 ",", routing_vchange_name(e->kind), p,
		    e->asn);
		if (e->kind != ROUTING_VCH_NEW)
			printf("%u", e->old_maxlen);
		putchar(',');
		if (e->kind != ROUTING_VCH_GONE)
			printf("%u", e->new_maxlen);
		printf(",%s,%s\n", wps, was ? "true" : "false");
		return 0;
	}
	o = json_pack("{s:s,s:s,s:I,s:o,s:o,s:o,s:b}", "change",
	    routing_vchange_name(e->kind), "prefix", p, "asn",
	    (json_int_t)e->asn, "old_max_length", maxlen_json(e, true),
	    "new_max_length", maxlen_json(e, false), "watch_prefix",
	    wp != NULL ? json_string(wps) : json_null(), "watched_as", was);
	if (o == NULL || (s = json_dumps(o, JSON_COMPACT |
	    JSON_PRESERVE_ORDER)) == NULL) {
		json_decref(o);
		return LL_ENOMEM;
	}
	puts(s);
	free(s);
	json_decref(o);
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

enum { O_WATCH = 256, O_FORMAT };

static int
parse_args(int argc, char **argv, struct vdiff_cli *c, const char **wl)
{
	static const struct option lo[] = {
		{ "watchlist", required_argument, NULL, O_WATCH },
		{ "format", required_argument, NULL, O_FORMAT },
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
	    (ex = load(&c, argv[optind + 1], &new_)) != 0)
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
	return ex;
}
