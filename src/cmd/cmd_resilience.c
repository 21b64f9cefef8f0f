/*
 * lifeline resilience: how a country's networks reach the rest of the
 * Internet, from the AS paths in MRT archives: AS hegemony, chokepoints,
 * upstreams, international gateways and transit networks.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/cmd_routing.h"
#include "geo/geo.h"
#include "input/input.h"
#include "mrt/mrt.h"
#include "net/entity.h"
#include "routing/routing.h"
#include "util/err.h"

#define RIR_MAX	16

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: lifeline resilience --entity country:CC [options] "
	    "ARCHIVE...\n"
	    "\n"
	    "From the AS paths of the routes in the MRT archives (RIBs and\n"
	    "updates; the last element of each peer and prefix counts), how\n"
	    "the country's IPv4 (or IPv6) space is reached, per AS:\n"
	    "  hegemony    AS hegemony (Fontugne et al., PAM 2018, as the\n"
	    "              Internet Health Report computes it): per peer, the\n"
	    "              share of the space whose path crosses the AS; the\n"
	    "              mean per peer AS; a 10%% trimmed mean over them\n"
	    "  chokepoint  share of the space every observed path to which\n"
	    "              crosses the AS\n"
	    "  upstream    share of the space it is seen next to the origin\n"
	    "              of, and of how many origin ASes (upstream_of)\n"
	    "  gateway     share carried out of the country by it: the last\n"
	    "              domestic AS of a path (domestic: most of the space\n"
	    "              it originates is in the country)\n"
	    "  transit     share it takes from a gateway: the first foreign AS\n"
	    "\n"
	    "  --entity country:CC   the country (required)\n"
	    "  --family ipv4|ipv6    which space (default ipv4): IPv4\n"
	    "                        prefixes weighted by addresses, IPv6 by\n"
	    "                        /48s (a /52 weighs a sixteenth; routes\n"
	    "                        longer than /56 or shorter than /16 are\n"
	    "                        left out)\n"
	    "  --format table|json|csv\n"
	    "                        output (default table)\n"
	    "  --locdb FILE, --rir FILE\n"
	    "                        where addresses are (see 'lifeline geo\n"
	    "                        --help'); --rir is repeatable\n"
	    "  --strict              stop at the first bad record\n"
	    "  -q, --quiet           do not report bad records one by one\n"
	    "\n"
	    "exit status: 0 ok, 1 bad records were skipped, 2 usage, 3 a file\n"
	    "or the location database cannot be used.\n");
}

enum fmt { F_TABLE, F_JSON, F_CSV };

struct res_cli {
	struct geo_opts		 go;
	const char		*rir[RIR_MAX + 1];
	size_t			 nrir;
	struct entity		 ent;
	bool			 have_ent;
	enum fmt		 fmt;
	bool			 strict, quiet;
	bool			 v6;
	struct routing_res	*res;
	int			 rc;
};

enum { O_ENTITY = 256, O_FORMAT, O_LOCDB, O_RIR, O_STRICT, O_FAMILY };

/* One option. Returns 0, an exit status, or -1 when it is not one. */
static int
one_opt(struct res_cli *c, int ch, const char *arg)
{
	switch (ch) {
	case O_ENTITY:
		if (entity_parse(arg, &c->ent) != 0 ||
		    c->ent.type != ENT_COUNTRY) {
			cli_err("resilience: --entity wants country:CC, not "
			    "'%s'", arg);
			return EXIT_USAGE;
		}
		c->have_ent = true;
		return 0;
	case O_FORMAT:
		if (strcmp(arg, "table") != 0 && strcmp(arg, "json") != 0 &&
		    strcmp(arg, "csv") != 0) {
			cli_err("resilience: --format wants table, json or "
			    "csv, not '%s'", arg);
			return EXIT_USAGE;
		}
		c->fmt = arg[0] == 't' ? F_TABLE : arg[0] == 'j' ? F_JSON :
		    F_CSV;
		return 0;
	case O_LOCDB:
		c->go.locdb = arg;
		return 0;
	case O_RIR:
		if (c->nrir == RIR_MAX) {
			cli_err("resilience: at most %d --rir files", RIR_MAX);
			return EXIT_USAGE;
		}
		c->rir[c->nrir++] = arg;
		c->go.rir = c->rir;
		return 0;
	case O_STRICT:
		c->strict = true;
		return 0;
	case O_FAMILY:
		if (strcmp(arg, "ipv4") != 0 && strcmp(arg, "ipv6") != 0) {
			cli_err("resilience: --family wants ipv4 or ipv6, not "
			    "'%s'", arg);
			return EXIT_USAGE;
		}
		c->v6 = arg[3] == '6';
		return 0;
	case 'q':
		c->quiet = true;
		return 0;
	}
	return -1;
}

static int
parse_args(int argc, char **argv, struct res_cli *c)
{
	static const struct option lo[] = {
		{ "entity", required_argument, NULL, O_ENTITY },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "locdb", required_argument, NULL, O_LOCDB },
		{ "rir", required_argument, NULL, O_RIR },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "family", required_argument, NULL, O_FAMILY },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, rc;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "q", lo, NULL)) != -1) {
		if ((rc = one_opt(c, ch, optarg)) > 0)
			return rc;
		if (rc < 0) {
			cli_err("resilience: unknown or incomplete option '%s'; "
			    "see 'lifeline resilience --help'",
			    argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (!c->have_ent || optind >= argc) {
		cli_err("resilience: --entity country:CC and at least one "
		    "ARCHIVE are needed; see 'lifeline resilience --help'");
		return EXIT_USAGE;
	}
	return 0;
}

static int
on_elem(void *ctx, const struct mrt_elem *e)
{
	struct res_cli *c = ctx;

	return c->rc = routing_res_add(c->res, e);
}

/* Reads one archive through the shared element loop (cmd_routing.h);
 * returns 0, EXIT_DATA or EXIT_FAIL. */
static int
read_archive(struct res_cli *c, const char *path, struct progress *pg)
{
	struct cli_elems ed = { on_elem, c, c->strict, c->quiet };

	return cli_archive_elems(path, &ed, pg);
}

static void
print_table(const struct res_cli *c, const struct routing_res_sum *s,
    const struct routing_res_as *v, size_t n)
{
	char space[64];

	if (c->v6)
		snprintf(space, sizeof(space), "%.2f IPv6 /48s",
		    (double)s->addresses / 256);
	else
		snprintf(space, sizeof(space), "%" PRIu64 " addresses",
		    s->addresses);
	printf("country:%s: %" PRIu64 " prefixes, %s, %" PRIu64 " origin "
	    "ASes; %" PRIu64 " peers in %" PRIu64 " ASes; %" PRIu64
	    " international gateways, %" PRIu64 " transit networks\n",
	    c->ent.u.cc, s->prefixes, space, s->origins, s->peers,
	    s->peer_ases, s->gateways, s->transits);
	printf("%-10s %-8s %8s %10s %8s %11s %8s %8s\n", "asn", "where",
	    "hegemony", "chokepoint", "upstream", "upstream_of", "gateway",
	    "transit");
	for (size_t i = 0; i < n; i++)
		printf("%-10" PRIu32 " %-8s %8.4f %10.4f %8.4f %11" PRIu32
		    " %8.4f %8.4f\n", v[i].asn, v[i].domestic ? "domestic" :
		    "foreign", v[i].hegemony, v[i].chokepoint, v[i].upstream,
		    v[i].upstream_of, v[i].gateway, v[i].transit);
}

static void
print_json(const struct res_cli *c, const struct routing_res_sum *s,
    const struct routing_res_as *v, size_t n)
{
	printf("{\"entity\":\"country:%s\",\"family\":\"%s\",\"prefixes\":%"
	    PRIu64 ",", c->ent.u.cc, c->v6 ? "ipv6" : "ipv4", s->prefixes);
	if (c->v6)
		printf("\"slash48s\":%.2f,", (double)s->addresses / 256);
	else
		printf("\"addresses\":%" PRIu64 ",", s->addresses);
	printf("\"origins\":%" PRIu64 ",\"peers\":%" PRIu64 ",\"peer_ases\":%"
	    PRIu64 ",\"gateways\":%" PRIu64 ",\"transits\":%" PRIu64
	    ",\"ases\":[", s->origins, s->peers, s->peer_ases, s->gateways,
	    s->transits);
	for (size_t i = 0; i < n; i++)
		printf("%s{\"asn\":%" PRIu32 ",\"domestic\":%s,\"hegemony\":"
		    "%.6f,\"chokepoint\":%.6f,\"upstream\":%.6f,"
		    "\"upstream_of\":%" PRIu32 ",\"gateway\":%.6f,"
		    "\"transit\":%.6f}", i ? "," : "", v[i].asn,
		    v[i].domestic ? "true" : "false", v[i].hegemony,
		    v[i].chokepoint, v[i].upstream, v[i].upstream_of,
		    v[i].gateway, v[i].transit);
	printf("]}\n");
}

static void
print_csv(const struct routing_res_as *v, size_t n)
{
	printf("asn,domestic,hegemony,chokepoint,upstream,upstream_of,"
	    "gateway,transit\n");
	for (size_t i = 0; i < n; i++)
		printf("%" PRIu32 ",%d,%.6f,%.6f,%.6f,%" PRIu32 ",%.6f,%.6f\n",
		    v[i].asn, v[i].domestic, v[i].hegemony, v[i].chokepoint,
		    v[i].upstream, v[i].upstream_of, v[i].gateway,
		    v[i].transit);
}

/* Computes and prints. Returns 0 or EXIT_FAIL. */
static int
report(struct res_cli *c)
{
	struct routing_res_sum s;
	struct routing_res_as *v = NULL;
	size_t n = 0;
	int rc;

	if ((rc = routing_res_compute(c->res, &s, &v, &n)) != 0) {
		cli_err("resilience: %s", ll_strerror(rc));
		return EXIT_FAIL;
	}
	if (c->fmt == F_TABLE)
		print_table(c, &s, v, n);
	else if (c->fmt == F_JSON)
		print_json(c, &s, v, n);
	else
		print_csv(v, n);
	free(v);
	if (fflush(stdout) != 0) {
		cli_err("resilience: cannot write the result");
		return EXIT_FAIL;
	}
	if (s.peers == 0)
		cli_warn("resilience: no route to country:%s in the archives",
		    c->ent.u.cc);
	if (s.sets > 0)
		fprintf(stderr, "resilience: %" PRIu64 " routes with an "
		    "AS_SET or confederation path skipped\n", s.sets);
	return 0;
}

static int
run(int argc, char **argv)
{
	struct res_cli c;
	struct progress pg;
	struct geo *g = NULL;
	int rc, ex;

	memset(&c, 0, sizeof(c));
	if ((ex = parse_args(argc, argv, &c)) != 0)
		return ex;
	c.go.cache_dir = cli_cache_dir();
	c.go.warn = cli_geo_warn;
	if ((rc = geo_open(&c.go, &g)) != 0) {
		cli_err("resilience: %s", geo_errmsg(g));
		geo_free(g);
		return EXIT_FAIL;
	}
	if (geo_bad_lines(g) > 0)
		ex = EXIT_DATA;
	if ((rc = routing_res_new(g, c.ent.u.cc, c.v6 ? NET_AF6 : NET_AF4,
	    &c.res)) != 0) {
		cli_err("resilience: %s", ll_strerror(rc));
		ex = EXIT_FAIL;
		goto out;
	}
	progress_init(&pg);
	for (int i = optind; i < argc; i++) {
		rc = read_archive(&c, argv[i], &pg);
		if (rc == EXIT_FAIL || (rc != 0 && c.strict)) {
			ex = rc;
			goto out;
		}
		if (rc != 0)
			ex = rc;
	}
	if ((rc = report(&c)) != 0)
		ex = rc;
out:
	routing_res_free(c.res);
	geo_free(g);
	return ex;
}

int
cmd_resilience(int argc, char **argv)
{
	if (argc < 2 || cli_wants_help(argc, argv)) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	return run(argc, argv);
}
