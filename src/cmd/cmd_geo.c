/*
 * lifeline geo lookup ADDR|PREFIX...: where addresses are, from the
 * location database or the user's own RIR / pfx2as / city files.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "geo/geo.h"
#include "net/net.h"
#include "util/err.h"

#define RIR_MAX	64

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: lifeline geo lookup [options] ADDR|PREFIX...\n"
	    "\n"
	    "Prints the country, region and origin AS of each address, e.g.\n"
	    "  41.32.0.1 country:EG asn:8452\n"
	    "and for a prefix also its size in /24s (IPv4) or /48s (IPv6)\n"
	    "and how they split by country (region):\n"
	    "  41.32.0.0/12 country:EG asn:8452 units:4096 split:EG=4096\n"
	    "Unknown fields print as '-'.\n"
	    "\n"
	    "options:\n"
	    "  --locdb FILE    libloc database (default: the system's)\n"
	    "  --city FILE     MaxMind-format city database, for regions\n"
	    "  --rir FILE      RIR delegated(-extended) stats for countries,\n"
	    "                  instead of libloc (repeatable; may be .gz)\n"
	    "  --pfx2as FILE   CAIDA pfx2as file for origin AS, instead of\n"
	    "                  libloc (may be .gz)\n"
	    "\n"
	    "exit status: 0 ok, 1 bad lines were skipped in the files,\n"
	    "2 usage (an argument is not an address or prefix), 3 failure.\n");
}

static void
warn_line(void *ctx, const char *msg)
{
	(void)ctx;
	cli_warn("%s", msg);
}

struct split_out {
	char	buf[4096];
	size_t	len;
	int	n;
};

static int
split_piece(void *ctx, const char *cc, const char *region, uint64_t units)
{
	struct split_out *s = ctx;
	int w;

	if (s->len >= 400) {	/* a /8 has hundreds of pieces */
		if (s->n++ >= 0 && s->buf[s->len - 1] != '.')
			s->len += (size_t)snprintf(s->buf + s->len,
			    sizeof(s->buf) - s->len, ",...");
		return 0;
	}
	w = snprintf(s->buf + s->len, sizeof(s->buf) - s->len,
	    "%s%s%s%s=%" PRIu64, s->n++ ? "," : "", *cc ? cc : "-",
	    *region ? "/" : "", region, units);
	if (w > 0)
		s->len += (size_t)w;
	return 0;
}

static void
print_one(struct geo *g, const char *arg, const struct net_prefix *p,
    bool is_prefix)
{
	struct net_addr a = { .af = p->af };
	struct geo_info gi;
	struct split_out s;

	memcpy(a.a, p->a, sizeof(a.a));
	geo_lookup(g, &a, &gi);
	printf("%s country:%s", arg, gi.cc[0] ? gi.cc : "-");
	if (gi.region[0])
		printf(" region:%s", gi.region);
	if (gi.asn)
		printf(" asn:%" PRIu32, gi.asn);
	else
		printf(" asn:-");
	if (is_prefix) {
		s.len = 0;
		s.n = 0;
		s.buf[0] = '\0';
		geo_split(g, p, split_piece, &s);
		printf(" units:%" PRIu64, net_prefix_units(p));
		if (s.n)
			printf(" split:%s", s.buf);
	}
	putchar('\n');
}

static int
lookup(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "locdb", required_argument, NULL, 'l' },
		{ "city", required_argument, NULL, 'c' },
		{ "rir", required_argument, NULL, 'r' },
		{ "pfx2as", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *rir[RIR_MAX + 1] = { NULL };
	struct geo_opts o = { .warn = warn_line,
	    .cache_dir = cli_cache_dir() };
	struct net_prefix p;
	struct geo *g = NULL;
	size_t nrir = 0;
	int c, rc, ex = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (c) {
		case 'l': o.locdb = optarg; break;
		case 'c': o.city_mmdb = optarg; break;
		case 'p': o.pfx2as = optarg; break;
		case 'r':
			if (nrir == RIR_MAX) {
				cli_err("geo: at most %d --rir files", RIR_MAX);
				return EXIT_USAGE;
			}
			rir[nrir++] = optarg;
			break;
		case 'h': usage(stdout); return 0;
		case ':':
			cli_err("geo lookup: option '%s' needs a value; see "
			    "'lifeline geo lookup --help'", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			cli_err("geo lookup: unknown option '%s'; see "
			    "'lifeline geo lookup --help'", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_err("geo lookup: give at least one address or prefix");
		return EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++)
		if (net_prefix_parse(argv[i], &p) != 0) {
			cli_err("geo lookup: '%s' is not an address or prefix",
			    argv[i]);
			return EXIT_USAGE;
		}
	if (nrir)
		o.rir = rir;
	if ((rc = geo_open(&o, &g)) != 0) {
		cli_err("geo: %s", geo_errmsg(g));
		geo_free(g);
		return EXIT_FAIL;
	}
	if (geo_bad_lines(g) > 0) {
		cli_warn("geo: %" PRIu64 " bad lines skipped",
		    geo_bad_lines(g));
		ex = EXIT_DATA;
	}
	for (int i = optind; i < argc; i++) {
		net_prefix_parse(argv[i], &p);
		print_one(g, argv[i], &p, strchr(argv[i], '/') != NULL);
	}
	geo_free(g);
	if (fflush(stdout) != 0) {
		cli_err("geo: cannot write the output");
		return EXIT_FAIL;
	}
	return ex;
}

int
cmd_geo(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "lookup") == 0)
		return lookup(argc - 1, argv + 1);
	cli_err("geo: '%s' is not a subcommand; see 'lifeline geo --help'",
	    argv[1]);
	return EXIT_USAGE;
}
