/*
 * lifeline watch generate: a watchlist (BGPalerter's prefixes.yml) from
 * what MRT archives show the given ASes announcing, as BGPalerter's
 * generate does from RIPEstat: one entry per prefix they originate, and
 * options.monitorASns for the ASes, with the upstreams and downstreams
 * seen on request.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/bgp.h"
#include "cmd/cmd.h"
#include "cmd/cmd_routing.h"
#include "mrt/mrt.h"
#include "net/net.h"
#include "routing/routing.h"
#include "util/err.h"
#include "util/grow.h"

#define GEN_ASNS	64

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: lifeline watch generate --asn N [--asn M ...] [options] "
	    "ARCHIVE...\n"
	    "\n"
	    "Writes a watchlist in BGPalerter's prefixes.yml format from the\n"
	    "MRT archives: every prefix announced with one of the ASes as its\n"
	    "origin becomes an entry expecting every origin seen for it (a\n"
	    "prefix of several origins lists them all), and\n"
	    "options.monitorASns lists the ASes. What the\n"
	    "archives show is taken as the expected state: read the list\n"
	    "before trusting it.\n"
	    "\n"
	    "  --asn N          an origin AS to watch (repeatable, up to 64)\n"
	    "  --neighbours     also write each AS's upstreams and downstreams\n"
	    "                   seen, so that new ones raise alerts\n"
	    "  -o, --output F   write to F (default: standard output)\n"
	    "  --strict         stop at the first bad record\n"
	    "  -q, --quiet      do not report bad records one by one\n"
	    "\n"
	    "exit status: 0 ok, 1 bad records were skipped, 2 usage, 3 a file\n"
	    "cannot be read or written.\n");
}

/* A (prefix, origin) pair seen; every origin is kept, so that a prefix
 * of a watched AS lists all its origins (MOAS is the state seen). */
struct seen {
	struct net_prefix	p;
	uint32_t		as;
};

struct nbr {
	uint32_t	as;		/* index into gen.asn */
	uint32_t	other;
	bool		up;
};

struct gen {
	uint32_t	 asn[GEN_ASNS];
	size_t		 nasn;
	bool		 neighbours;
	struct seen	*s;
	size_t		 n, cap;
	struct nbr	*nb;
	size_t		 nnb, nbcap;
	int		 rc;
};

static int
cmp_seen(const void *x, const void *y)
{
	const struct seen *a = x, *b = y;
	int k = net_prefix_cmp(&a->p, &b->p);

	return k != 0 ? k : (a->as > b->as) - (a->as < b->as);
}

static int
cmp_nbr(const void *x, const void *y)
{
	const struct nbr *a = x, *b = y;

	if (a->as != b->as)
		return a->as < b->as ? -1 : 1;
	if (a->up != b->up)
		return a->up ? -1 : 1;
	return (a->other > b->other) - (a->other < b->other);
}

/* Sorts v and drops repeats; returns the new count. */
static size_t
uniq(void *v, size_t n, size_t sz, int (*cmp)(const void *, const void *))
{
	char *b = v;
	size_t j = 0;

	qsort(v, n, sz, cmp);
	for (size_t i = 0; i < n; i++)
		if (j == 0 || cmp(b + (j - 1) * sz, b + i * sz) != 0)
			memmove(b + j++ * sz, b + i * sz, sz);
	return j;
}

/* Appends one item of sz bytes to *v, deduplicating when full. */
static int
push(void *vp, size_t *n, size_t *cap, const void *item, size_t sz,
    int (*cmp)(const void *, const void *))
{
	char **v = vp;

	if (*n == *cap && *cap > 0) {
		*n = uniq(*v, *n, sz, cmp);
		if (*n < *cap / 2) {
			memcpy(*v + *n * sz, item, sz);
			(*n)++;
			return 0;
		}
	}
	if (ll_grow(vp, cap, *n + 1, sz) != 0)
		return LL_ENOMEM;
	memcpy(*v + *n * sz, item, sz);
	(*n)++;
	return 0;
}

static int
as_index(const struct gen *g, uint32_t asn)
{
	for (size_t i = 0; i < g->nasn; i++)
		if (g->asn[i] == asn)
			return (int)i;
	return -1;
}

/* Records the neighbours of the watched ASes on path. */
static int
neighbours(struct gen *g, const struct bgp_aspath *path)
{
	uint32_t prev = 0;
	int k;

	for (uint16_t s = 0; s < path->nseg; s++) {
		const struct bgp_asseg *sg = &path->seg[s];

		if (sg->type != BGP_SEG_SEQUENCE) {
			prev = 0;
			continue;
		}
		for (uint16_t i = 0; i < sg->n; i++) {
			uint32_t as = sg->asn[i];
			struct nbr b;

			if (as == prev)
				continue;
			if (prev != 0 && (k = as_index(g, as)) >= 0) {
				b = (struct nbr){ (uint32_t)k, prev, true };
				if (push(&g->nb, &g->nnb, &g->nbcap, &b,
				    sizeof(b), cmp_nbr) != 0)
					return LL_ENOMEM;
			}
			if (prev != 0 && (k = as_index(g, prev)) >= 0) {
				b = (struct nbr){ (uint32_t)k, as, false };
				if (push(&g->nb, &g->nnb, &g->nbcap, &b,
				    sizeof(b), cmp_nbr) != 0)
					return LL_ENOMEM;
			}
			prev = as;
		}
	}
	return 0;
}

static int
on_elem(void *ctx, const struct mrt_elem *e)
{
	struct gen *g = ctx;
	struct seen s;

	if ((e->type != MRT_ELEM_ANNOUNCE && e->type != MRT_ELEM_RIB) ||
	    e->nlri == NULL || e->attrs == NULL)
		return 0;
	if (g->neighbours && neighbours(g, &e->attrs->path) != 0)
		return g->rc = LL_ENOMEM;
	if ((s.as = routing_origin(&e->attrs->path)) == 0)
		return 0;
	s.p = e->nlri->pfx;
	if (push(&g->s, &g->n, &g->cap, &s, sizeof(s), cmp_seen) != 0)
		return g->rc = LL_ENOMEM;
	return 0;
}

static void
write_list(FILE *f, const char *key, const struct gen *g, uint32_t as,
    bool up)
{
	bool any = false;

	fprintf(f, "      %s:", key);
	for (size_t i = 0; i < g->nnb; i++)
		if (g->nb[i].as == as && g->nb[i].up == up) {
			fprintf(f, "\n        - %" PRIu32, g->nb[i].other);
			any = true;
		}
	fprintf(f, "%s\n", any ? "" : " []");
}

/* Writes the entry of the prefix whose pairs are s[0, n) when one of
 * its origins is a watched AS. */
static void
write_entry(FILE *f, const struct gen *g, const struct seen *s, size_t n)
{
	char buf[NET_PREFIX_STRLEN];
	size_t w = n;

	for (size_t j = 0; j < n && w == n; j++)
		if (as_index(g, s[j].as) >= 0)
			w = j;
	if (w == n)
		return;
	net_prefix_fmt(&s[0].p, buf);
	fprintf(f, "%s:\n  description: \"AS%" PRIu32 "\"\n  asn:\n", buf,
	    s[w].as);
	for (size_t j = 0; j < n; j++)
		fprintf(f, "    - %" PRIu32 "\n", s[j].as);
	fprintf(f, "  ignoreMorespecifics: false\n  ignore: false\n"
	    "  group: default\n\n");
}

static void
write_yaml(FILE *f, const struct gen *g)
{
	fprintf(f, "# BGPalerter prefixes.yml, written by lifeline watch "
	    "generate\n\n");
	for (size_t i = 0, j; i < g->n; i = j) {
		for (j = i + 1; j < g->n && net_prefix_cmp(&g->s[j].p,
		    &g->s[i].p) == 0; j++)
			;
		write_entry(f, g, g->s + i, j - i);
	}
	fprintf(f, "options:\n  monitorASns:\n");
	for (size_t a = 0; a < g->nasn; a++) {
		fprintf(f, "    %" PRIu32 ":\n      group: default\n",
		    g->asn[a]);
		if (!g->neighbours)
			continue;
		write_list(f, "upstreams", g, (uint32_t)a, true);
		write_list(f, "downstreams", g, (uint32_t)a, false);
	}
}

static int
parse_args(int argc, char **argv, struct gen *g, struct cli_elems *ed,
    const char **out)
{
	static const struct option lo[] = {
		{ "asn", required_argument, NULL, 'a' },
		{ "neighbours", no_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "strict", no_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "qo:", lo, NULL)) != -1) {
		if (ch == 'a' && g->nasn < GEN_ASNS && routing_asn_parse(optarg,
		    &g->asn[g->nasn]) == 0 && g->asn[g->nasn] != 0)
			g->nasn++;
		else if (ch == 'n')
			g->neighbours = true;
		else if (ch == 'o')
			*out = optarg;
		else if (ch == 's')
			ed->strict = true;
		else if (ch == 'q')
			ed->quiet = true;
		else {
			cli_err("watch generate: bad or incomplete option '%s' "
			    "(--asn wants an AS number from 1, at most %d); "
			    "see 'lifeline watch generate --help'",
			    argv[optind - 1], GEN_ASNS);
			return EXIT_USAGE;
		}
	}
	if (g->nasn == 0 || optind >= argc) {
		cli_err("watch generate: --asn N and at least one ARCHIVE are "
		    "needed; see 'lifeline watch generate --help'");
		return EXIT_USAGE;
	}
	return 0;
}

static int
generate(int argc, char **argv)
{
	struct gen g;
	struct cli_elems ed = { on_elem, &g, false, false };
	struct progress pg;
	const char *out = NULL;
	FILE *f = stdout;
	int rc, ex = 0;

	memset(&g, 0, sizeof(g));
	if ((ex = parse_args(argc, argv, &g, &ed, &out)) != 0)
		return ex;
	progress_init(&pg);
	for (int i = optind; i < argc; i++) {
		rc = cli_archive_elems(argv[i], &ed, &pg);
		if (rc == EXIT_FAIL || (rc != 0 && ed.strict)) {
			ex = rc;
			goto out;
		}
		ex |= rc;
	}
	g.n = uniq(g.s, g.n, sizeof(*g.s), cmp_seen);
	g.nnb = uniq(g.nb, g.nnb, sizeof(*g.nb), cmp_nbr);
	if (out != NULL && (f = fopen(out, "w")) == NULL) {
		cli_err("watch generate: %s: %s", out, strerror(errno));
		ex = EXIT_FAIL;
		goto out;
	}
	write_yaml(f, &g);
	if ((f != stdout ? fclose(f) : fflush(f)) != 0) {
		cli_err("watch generate: %s: cannot write", out ? out :
		    "standard output");
		ex = EXIT_FAIL;
	}
out:
	free(g.s);
	free(g.nb);
	return ex;
}

int
cmd_watch(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "generate") != 0) {
		cli_err("watch: unknown subcommand '%s' (generate); see "
		    "'lifeline watch --help'", argv[1]);
		return EXIT_USAGE;
	}
	if (cli_wants_help(argc - 1, argv + 1)) {
		usage(stdout);
		return 0;
	}
	return generate(argc - 1, argv + 1);
}
