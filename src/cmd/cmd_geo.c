/*
 * lifeline geo lookup ADDR|PREFIX...: where addresses are, from the
 * location database or the user's own RIR / pfx2as / city files.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdbool.h>
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
	    "usage: lifeline geo lookup [options] ADDR|PREFIX|-...\n"
	    "       lifeline geo lookup [options] --file FILE\n"
	    "\n"
	    "Prints the country, region and origin AS of each address, and "
	    "the AS's\n"
	    "name where the location database has it, e.g.\n"
	    "  41.32.0.1 country:EG asn:8452 as-name:TE-AS\n"
	    "and for a prefix also its size in /24s (IPv4) or /48s (IPv6) "
	    "and how\n"
	    "they split by country (region), largest first, all of it; the "
	    "country\n"
	    "shown is the one holding most of the prefix:\n"
	    "  41.32.0.0/12 country:EG asn:8452 units:4096 split:EG=4096\n"
	    "Unknown fields print as '-'. '-' reads addresses from standard "
	    "input,\n"
	    "--file from FILE (one or more a line, '#' comments).\n"
	    "\n"
	    "options:\n"
	    "  --locdb FILE    libloc database (default: the system's)\n"
	    "  --city FILE     MaxMind-format city database, for regions\n"
	    "  --rir FILE      RIR delegated(-extended) stats for countries,\n"
	    "                  instead of libloc (repeatable; may be .gz)\n"
	    "  --pfx2as FILE   CAIDA pfx2as file for origin AS, instead of\n"
	    "                  libloc (may be .gz)\n"
	    "  -f, --file FILE read the addresses and prefixes from FILE\n"
	    "  --format F      text (default) or json (one object a line: "
	    "query,\n"
	    "                  country, region, asn, as_name, units, split)\n"
	    "\n"
	    "exit status: 0 ok, 1 bad lines were skipped in the files or the "
	    "input,\n"
	    "2 usage (an argument is not an address or prefix), 3 failure.\n");
}

static void
warn_line(void *ctx, const char *msg)
{
	(void)ctx;
	cli_warn("%s", msg);
}

/* One piece of a split, merged per country and region. */
struct piece {
	char		cc[3];
	char		region[8];
	uint64_t	units;
};

struct split_out {
	struct piece	*v;
	size_t		 n, cap;
	bool		 oom;
};

static int
split_piece(void *ctx, const char *cc, const char *region, uint64_t units)
{
	struct split_out *s = ctx;

	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].cc, cc) == 0 &&
		    strcmp(s->v[i].region, region) == 0) {
			s->v[i].units += units;
			return 0;
		}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		struct piece *v = realloc(s->v, cap * sizeof(*v));

		if (v == NULL) {
			s->oom = true;
			return 1;
		}
		s->v = v;
		s->cap = cap;
	}
	snprintf(s->v[s->n].cc, sizeof(s->v[s->n].cc), "%s", cc);
	snprintf(s->v[s->n].region, sizeof(s->v[s->n].region), "%s", region);
	s->v[s->n++].units = units;
	return 0;
}

/* Largest first; then by country (unknown last), then region. */
static int
piece_cmp(const void *pa, const void *pb)
{
	const struct piece *a = pa, *b = pb;
	int c;

	if (a->units != b->units)
		return a->units > b->units ? -1 : 1;
	if ((a->cc[0] == '\0') != (b->cc[0] == '\0'))
		return a->cc[0] == '\0' ? 1 : -1;
	if ((c = strcmp(a->cc, b->cc)) != 0)
		return c;
	return strcmp(a->region, b->region);
}

/* The country holding most of the split (unknown space counts as one),
 * and its largest region, into gi. */
static void
split_headline(const struct split_out *s, struct geo_info *gi)
{
	uint64_t best = 0;
	size_t at = 0;

	for (size_t i = 0; i < s->n; i++) {
		uint64_t sum = 0;

		for (size_t j = 0; j < s->n; j++)
			if (strcmp(s->v[j].cc, s->v[i].cc) == 0)
				sum += s->v[j].units;
		if (sum > best) {
			best = sum;
			at = i;
		}
	}
	if (s->n == 0)
		return;
	memcpy(gi->cc, s->v[at].cc, sizeof(gi->cc));
	memcpy(gi->region, s->v[at].region, sizeof(gi->region));
}

struct geo_run {
	struct geo		*g;
	struct geo_names	*names;
	bool			 json;
	bool			 oom;
};

static void
print_text(const char *arg, const struct geo_info *gi, const char *name,
    const struct split_out *s, uint64_t units)
{
	printf("%s country:%s", cli_esc(arg), gi->cc[0] ? gi->cc : "-");
	if (gi->region[0])
		printf(" region:%s", gi->region);
	if (gi->asn)
		printf(" asn:%" PRIu32, gi->asn);
	else
		printf(" asn:-");
	if (s != NULL) {
		printf(" units:%" PRIu64 " split:", units);
		for (size_t i = 0; i < s->n; i++)
			printf("%s%s%s%s=%" PRIu64, i ? "," : "",
			    s->v[i].cc[0] ? s->v[i].cc : "-",
			    s->v[i].region[0] ? "/" : "", s->v[i].region,
			    s->v[i].units);
	}
	if (name[0] != '\0')
		printf(" as-name:%s", cli_esc(name));
	putchar('\n');
}

static void
print_json(const char *arg, const struct geo_info *gi, const char *name,
    const struct split_out *s, uint64_t units)
{
	printf("{\"query\":");
	cli_json_str(stdout, arg);
	printf(",\"country\":");
	cli_json_str(stdout, gi->cc);
	printf(",\"region\":");
	cli_json_str(stdout, gi->region);
	printf(",\"asn\":%" PRIu32 ",\"as_name\":", gi->asn);
	cli_json_str(stdout, name);
	if (s != NULL) {
		printf(",\"units\":%" PRIu64 ",\"split\":[", units);
		for (size_t i = 0; i < s->n; i++)
			printf("%s{\"country\":\"%s\",\"region\":\"%s\","
			    "\"units\":%" PRIu64 "}", i ? "," : "", s->v[i].cc,
			    s->v[i].region, s->v[i].units);
		putchar(']');
	}
	puts("}");
}

static void
print_one(struct geo_run *r, const char *arg, const struct net_prefix *p,
    bool is_prefix)
{
	struct net_addr a = { .af = p->af };
	struct geo_info gi;
	struct split_out s = { 0 };
	char name[256];

	memcpy(a.a, p->a, sizeof(a.a));
	geo_lookup(r->g, &a, &gi);
	if (is_prefix) {
		geo_split(r->g, p, split_piece, &s);
		if (s.oom)
			r->oom = true;
		qsort(s.v, s.n, sizeof(*s.v), piece_cmp);
		split_headline(&s, &gi);
	}
	geo_names_get(r->names, gi.asn, name, sizeof(name));
	if (r->json)
		print_json(arg, &gi, name, is_prefix ? &s : NULL,
		    net_prefix_units(p));
	else
		print_text(arg, &gi, name, is_prefix ? &s : NULL,
		    net_prefix_units(p));
	free(s.v);
}

/* Looks up each address or prefix of f, one or more a line, '#'
 * comments. A bad one is a warning naming the line. Returns the exit
 * status so far. */
static int
lookup_stream(struct geo_run *r, FILE *f, const char *name)
{
	char line[4096], *save, *tok;
	struct net_prefix p;
	uint64_t no = 0;
	int ex = 0;

	while (fgets(line, sizeof(line), f) != NULL) {
		no++;
		line[strcspn(line, "#")] = '\0';
		for (tok = strtok_r(line, " \t\r\n,", &save); tok != NULL;
		    tok = strtok_r(NULL, " \t\r\n,", &save)) {
			if (net_prefix_parse(tok, &p) != 0) {
				cli_warn("geo lookup: %s:%" PRIu64 ": '%s' is "
				    "not an address or prefix; skipped", name,
				    no, tok);
				ex = EXIT_DATA;
				continue;
			}
			print_one(r, tok, &p, strchr(tok, '/') != NULL);
		}
	}
	if (ferror(f)) {
		cli_err("geo lookup: %s: read error", name);
		return EXIT_FAIL;
	}
	return ex;
}

/* The queries: arguments, '-' (standard input) and --file. */
static int
lookup_all(struct geo_run *r, int argc, char **argv, const char *file)
{
	struct net_prefix p;
	int ex = 0, rc;

	for (int i = optind; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0)
			rc = lookup_stream(r, stdin, "(stdin)");
		else {
			net_prefix_parse(argv[i], &p);
			print_one(r, argv[i], &p, strchr(argv[i], '/') != NULL);
			rc = 0;
		}
		if (rc > ex)
			ex = rc;
	}
	if (file != NULL) {
		FILE *f = fopen(file, "r");

		if (f == NULL) {
			cli_err("geo lookup: %s: cannot open", file);
			return EXIT_FAIL;
		}
		rc = lookup_stream(r, f, file);
		fclose(f);
		if (rc > ex)
			ex = rc;
	}
	return ex;
}

struct lookup_args {
	struct geo_opts	 o;
	const char	*rir[RIR_MAX + 1];
	size_t		 nrir;
	const char	*file;
	bool		 json;
};

static int
lookup_parse(int argc, char **argv, struct lookup_args *a)
{
	static const struct option lo[] = {
		{ "locdb", required_argument, NULL, 'l' },
		{ "city", required_argument, NULL, 'c' },
		{ "rir", required_argument, NULL, 'r' },
		{ "pfx2as", required_argument, NULL, 'p' },
		{ "format", required_argument, NULL, 'F' },
		{ "file", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct net_prefix p;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:", lo, NULL)) != -1) {
		switch (c) {
		case 'l': a->o.locdb = optarg; break;
		case 'c': a->o.city_mmdb = optarg; break;
		case 'p': a->o.pfx2as = optarg; break;
		case 'f': a->file = optarg; break;
		case 'F':
			if (strcmp(optarg, "json") != 0 &&
			    strcmp(optarg, "text") != 0) {
				cli_err("geo lookup: --format %s: use text or "
				    "json", optarg);
				return EXIT_USAGE;
			}
			a->json = strcmp(optarg, "json") == 0;
			break;
		case 'r':
			if (a->nrir == RIR_MAX) {
				cli_err("geo: at most %d --rir files", RIR_MAX);
				return EXIT_USAGE;
			}
			a->rir[a->nrir++] = optarg;
			break;
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
	if (optind >= argc && a->file == NULL) {
		cli_err("geo lookup: give at least one address or prefix, "
		    "'-' or --file");
		return EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++)
		if (strcmp(argv[i], "-") != 0 &&
		    net_prefix_parse(argv[i], &p) != 0) {
			cli_err("geo lookup: '%s' is not an address or prefix",
			    argv[i]);
			return EXIT_USAGE;
		}
	return 0;
}

static int
lookup(int argc, char **argv)
{
	struct lookup_args a = { .o = { .warn = warn_line,
	    .cache_dir = cli_cache_dir() } };
	struct geo_run r = { 0 };
	int rc, ex = 0;

	if (cli_wants_help(argc, argv)) {
		usage(stdout);
		return 0;
	}
	if ((rc = lookup_parse(argc, argv, &a)) != 0)
		return rc;
	if (a.nrir)
		a.o.rir = a.rir;
	if ((rc = geo_open(&a.o, &r.g)) != 0) {
		cli_err("geo: %s", geo_errmsg(r.g));
		geo_free(r.g);
		return EXIT_FAIL;
	}
	if (geo_bad_lines(r.g) > 0) {
		cli_warn("geo: %" PRIu64 " bad %s skipped", geo_bad_lines(r.g),
		    cli_plural(geo_bad_lines(r.g), "line", "lines"));
		ex = EXIT_DATA;
	}
	/* Names where the location database has them; none without one. */
	if (geo_names_open(a.o.locdb, &r.names) != 0)
		r.names = NULL;
	r.json = a.json;
	rc = lookup_all(&r, argc, argv, a.file);
	geo_names_free(r.names);
	geo_free(r.g);
	if (rc > ex)
		ex = rc;
	if (r.oom) {
		cli_err("geo lookup: out of memory");
		return EXIT_FAIL;
	}
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
