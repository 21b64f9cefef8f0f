/*
 * lifeline rpki validate: route origin validation (RFC 6811) of the routes
 * in MRT archives against VRP exports, counted in all, per origin AS or
 * listed per route.
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
#include "input/input.h"
#include "mrt/mrt.h"
#include "net/net.h"
#include "routing/routing.h"
#include "util/err.h"
#include "util/grow.h"
#include "util/hash.h"

#define VRPS_MAX	16

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: lifeline rpki validate --vrps FILE [options] ARCHIVE...\n"
	    "\n"
	    "Validates the origin of every route announced in the MRT\n"
	    "archives (RIB entries and update announcements) against the\n"
	    "validated ROA payloads of the VRP files, as RFC 6811 says: valid\n"
	    "when a covering VRP has the origin AS and a max length at least\n"
	    "the route's; invalid when covered but none matches (invalid-as:\n"
	    "no covering VRP has the origin; invalid-length: one has it, but\n"
	    "the route is more specific than its max length); not-found when\n"
	    "no VRP covers the prefix. AS0 VRPs cover and match nothing, and\n"
	    "an AS_SET origin matches nothing. A route is one (prefix, origin)\n"
	    "pair, however many peers and announcements carried it.\n"
	    "\n"
	    "VRP files: rpki-client JSON or CSV, Routinator CSV, or the RIPE\n"
	    "NCC archive's roas.csv (by content; may be compressed).\n"
	    "\n"
	    "  --vrps FILE        VRPs (repeatable; the union is used)\n"
	    "  --by total|origin|prefix\n"
	    "                     counts in all (default), per origin AS, or\n"
	    "                     one line per route with its state\n"
	    "  --format csv|jsonl output format (default csv)\n"
	    "  --strict           stop at the first bad record\n"
	    "  -q, --quiet        do not report bad records one by one\n"
	    "\n"
	    "exit status: 0 ok, 1 bad records or VRP lines were skipped,\n"
	    "2 usage, 3 a file cannot be read or is not a VRP export.\n");
}

/* One route: (prefix, origin), its state and how often it was seen. */
struct route {
	struct net_prefix	p;
	uint32_t		origin;
	uint32_t		seen;
	uint8_t			state;
	uint8_t			used;
};

struct rset {
	struct route	*r;
	size_t		 n, mask;
};

enum by { BY_TOTAL, BY_ORIGIN, BY_PREFIX };

struct rpki_cli {
	struct routing_vrps	*vrps;
	struct rset		 set;
	enum by			 by;
	bool			 jsonl;
	bool			 quiet;
	bool			 strict;
	int			 rc;		/* LL_ENOMEM from a callback */
	uint64_t		 elems;
};

static uint64_t
route_hash(const struct net_prefix *p, uint32_t origin)
{
	uint64_t a, b;

	memcpy(&a, p->a, 8);
	memcpy(&b, p->a + 8, 8);
	return ll_fold(a ^ ((uint64_t)origin << 16 | (uint64_t)p->af << 8 |
	    p->len), b);
}

static int
rset_grow(struct rset *s)
{
	size_t nslots = s->mask ? (s->mask + 1) * 2 : 1024;
	struct route *nr = calloc(nslots, sizeof(*nr));

	if (nr == NULL)
		return LL_ENOMEM;
	for (size_t i = 0; s->r != NULL && i <= s->mask; i++) {
		size_t k;

		if (!s->r[i].used)
			continue;
		k = route_hash(&s->r[i].p, s->r[i].origin) & (nslots - 1);
		while (nr[k].used)
			k = (k + 1) & (nslots - 1);
		nr[k] = s->r[i];
	}
	free(s->r);
	s->r = nr;
	s->mask = nslots - 1;
	return 0;
}

/* The route's slot, added when new; NULL when out of memory. */
static struct route *
rset_get(struct rset *s, const struct net_prefix *p, uint32_t origin,
    bool *added)
{
	size_t k;

	*added = false;
	if ((s->n + 1) * 2 > s->mask + 1 && rset_grow(s) != 0)
		return NULL;
	k = route_hash(p, origin) & s->mask;
	for (; s->r[k].used; k = (k + 1) & s->mask)
		if (s->r[k].origin == origin && s->r[k].p.len == p->len &&
		    s->r[k].p.af == p->af &&
		    memcmp(s->r[k].p.a, p->a, sizeof(p->a)) == 0)
			return &s->r[k];
	s->r[k].p = *p;
	s->r[k].origin = origin;
	s->r[k].used = 1;
	s->n++;
	*added = true;
	return &s->r[k];
}

static int
on_elem(void *ctx, const struct mrt_elem *e)
{
	struct rpki_cli *c = ctx;
	struct route *r;
	uint32_t origin;
	bool added;

	if ((e->type != MRT_ELEM_ANNOUNCE && e->type != MRT_ELEM_RIB) ||
	    e->nlri == NULL || e->attrs == NULL)
		return 0;
	c->elems++;
	origin = routing_origin(&e->attrs->path);
	if ((r = rset_get(&c->set, &e->nlri->pfx, origin, &added)) == NULL)
		return c->rc = LL_ENOMEM;
	if (added)
		r->state = (uint8_t)routing_rov(c->vrps, &e->nlri->pfx, origin);
	r->seen++;
	return 0;
}

/* Reads one archive through the shared element loop (cmd_routing.h);
 * returns 0, EXIT_DATA or EXIT_FAIL. */
static int
read_archive(struct rpki_cli *c, const char *path, struct progress *pg)
{
	struct cli_elems ed = { on_elem, c, c->strict, c->quiet };

	return cli_archive_elems(path, &ed, pg);
}

static int
cmp_route(const void *x, const void *y)
{
	const struct route *a = x, *b = y;
	int k = net_prefix_cmp(&a->p, &b->p);

	if (k != 0)
		return k;
	return a->origin < b->origin ? -1 : a->origin > b->origin;
}

static int
cmp_origin(const void *x, const void *y)
{
	const struct route *a = x, *b = y;

	if (a->origin != b->origin)
		return a->origin < b->origin ? -1 : 1;
	return cmp_route(x, y);
}

/* The routes, packed and sorted; NULL when out of memory. */
static struct route *
sorted(struct rset *s, int (*cmp)(const void *, const void *))
{
	struct route *v = malloc((s->n ? s->n : 1) * sizeof(*v));
	size_t j = 0;

	if (v == NULL)
		return NULL;
	for (size_t i = 0; s->r != NULL && i <= s->mask; i++)
		if (s->r[i].used)
			v[j++] = s->r[i];
	qsort(v, j, sizeof(*v), cmp);
	return v;
}

/* Counts by state: [0] not-found, [1] valid, [2] invalid-as, [3] length. */
struct counts {
	uint64_t	k[4];
};

static void
print_counts(const struct rpki_cli *c, const char *key, const char *keyval,
    const struct counts *n)
{
	uint64_t inv = n->k[2] + n->k[3];
	uint64_t all = n->k[0] + n->k[1] + inv;

	if (c->jsonl)
		printf("{%s%s%s%s%s\"routes\":%" PRIu64 ",\"valid\":%" PRIu64
		    ",\"invalid\":%" PRIu64 ",\"invalid_as\":%" PRIu64
		    ",\"invalid_length\":%" PRIu64 ",\"not_found\":%" PRIu64
		    "}\n", key ? "\"" : "", key ? key : "", key ? "\":" : "",
		    key ? keyval : "", key ? "," : "", all, n->k[1], inv,
		    n->k[2], n->k[3], n->k[0]);
	else
		printf("%s%s%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%"
		    PRIu64 ",%" PRIu64 "\n", key ? keyval : "", key ? "," : "",
		    all, n->k[1], inv, n->k[2], n->k[3], n->k[0]);
}

static const char *
origin_str(uint32_t asn, char *buf, size_t len, bool quote)
{
	if (asn == 0)
		snprintf(buf, len, quote ? "\"none\"" : "none");
	else
		snprintf(buf, len, "%" PRIu32, asn);
	return buf;
}

static int
print_result(struct rpki_cli *c)
{
	static const char head[] = "routes,valid,invalid,invalid_as,"
	    "invalid_length,not_found\n";
	struct route *v;
	struct counts n = { { 0 } };
	char buf[NET_PREFIX_STRLEN + 16], ob[16];

	if (c->by == BY_TOTAL) {
		for (size_t i = 0; c->set.r != NULL && i <= c->set.mask; i++)
			if (c->set.r[i].used)
				n.k[c->set.r[i].state]++;
		if (!c->jsonl)
			fputs(head, stdout);
		print_counts(c, NULL, NULL, &n);
		return 0;
	}
	if ((v = sorted(&c->set, c->by == BY_ORIGIN ? cmp_origin :
	    cmp_route)) == NULL)
		return LL_ENOMEM;
	if (!c->jsonl)
		printf(c->by == BY_ORIGIN ? "origin,%s" : "prefix,origin,state,"
		    "announcements\n%s", c->by == BY_ORIGIN ? head : "");
	for (size_t i = 0; i < c->set.n; i++) {
		if (c->by == BY_PREFIX) {
			net_prefix_fmt(&v[i].p, buf);
			origin_str(v[i].origin, ob, sizeof(ob), c->jsonl);
			printf(c->jsonl ? "{\"prefix\":\"%s\",\"origin\":%s,"
			    "\"state\":\"%s\",\"announcements\":%" PRIu32
			    "}\n" : "%s,%s,%s,%" PRIu32 "\n", buf, ob,
			    routing_rov_name(v[i].state), v[i].seen);
			continue;
		}
		n.k[v[i].state]++;
		if (i + 1 < c->set.n && v[i + 1].origin == v[i].origin)
			continue;
		print_counts(c, "origin", origin_str(v[i].origin, ob,
		    sizeof(ob), c->jsonl), &n);
		memset(&n, 0, sizeof(n));
	}
	free(v);
	return 0;
}


static int
load_vrps(struct rpki_cli *c, const char *const *files, size_t n)
{
	char err[512];
	int rc;

	if ((rc = routing_vrps_new(&c->vrps)) != 0)
		return EXIT_FAIL;
	for (size_t i = 0; i < n; i++) {
		if ((rc = routing_vrps_load(c->vrps, files[i], cli_vrp_warn, NULL,
		    err, sizeof(err))) != 0) {
			cli_err("rpki validate: %s", err[0] ? err :
			    ll_strerror(rc));
			return EXIT_FAIL;
		}
	}
	if (routing_vrps_index(c->vrps) != 0) {
		cli_err("rpki validate: out of memory");
		return EXIT_FAIL;
	}
	return 0;
}

enum { O_VRPS = 256, O_BY, O_FORMAT, O_STRICT };

static int
parse_args(int argc, char **argv, struct rpki_cli *c, const char **vrps,
    size_t *nvrps)
{
	static const struct option lo[] = {
		{ "vrps", required_argument, NULL, O_VRPS },
		{ "by", required_argument, NULL, O_BY },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "q", lo, NULL)) != -1) {
		switch (ch) {
		case O_VRPS:
			if (*nvrps == VRPS_MAX) {
				cli_err("rpki validate: at most %d --vrps",
				    VRPS_MAX);
				return EXIT_USAGE;
			}
			vrps[(*nvrps)++] = optarg;
			break;
		case O_BY:
			if (strcmp(optarg, "total") == 0)
				c->by = BY_TOTAL;
			else if (strcmp(optarg, "origin") == 0)
				c->by = BY_ORIGIN;
			else if (strcmp(optarg, "prefix") == 0)
				c->by = BY_PREFIX;
			else {
				cli_err("rpki validate: --by wants total, "
				    "origin or prefix, not '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case O_FORMAT:
			if (strcmp(optarg, "csv") != 0 &&
			    strcmp(optarg, "jsonl") != 0) {
				cli_err("rpki validate: --format wants csv or "
				    "jsonl, not '%s'", optarg);
				return EXIT_USAGE;
			}
			c->jsonl = optarg[0] == 'j';
			break;
		case O_STRICT:
			c->strict = true;
			break;
		case 'q':
			c->quiet = true;
			break;
		default:
			cli_err("rpki validate: unknown or incomplete option "
			    "'%s'; see 'lifeline rpki validate --help'",
			    argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (*nvrps == 0 || optind >= argc) {
		cli_err("rpki validate: --vrps FILE and at least one ARCHIVE "
		    "are needed; see 'lifeline rpki validate --help'");
		return EXIT_USAGE;
	}
	return 0;
}

static int
validate(int argc, char **argv)
{
	struct rpki_cli c;
	const char *vrps[VRPS_MAX];
	size_t nvrps = 0;
	struct progress pg;
	int rc, ex = 0;

	memset(&c, 0, sizeof(c));
	if ((rc = parse_args(argc, argv, &c, vrps, &nvrps)) != 0)
		return rc;
	if ((ex = load_vrps(&c, vrps, nvrps)) != 0)
		goto out;
	if (routing_vrps_bad(c.vrps) > 0)
		ex = EXIT_DATA;
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
	if (print_result(&c) != 0 || fflush(stdout) != 0) {
		cli_err("rpki validate: cannot write the result");
		ex = EXIT_FAIL;
		goto out;
	}
	fprintf(stderr, "rpki validate: %zu VRPs, %llu announcements, %zu "
	    "routes\n", routing_vrps_count(c.vrps),
	    (unsigned long long)c.elems, c.set.n);
out:
	routing_vrps_free(c.vrps);
	free(c.set.r);
	return ex;
}

int
cmd_rpki(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		fputc('\n', argc < 2 ? stderr : stdout);
		cli_rpki_diff_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "diff") == 0) {
		if (cli_wants_help(argc - 1, argv + 1)) {
			cli_rpki_diff_usage(stdout);
			return 0;
		}
		return cmd_rpki_diff(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "validate") != 0) {
		cli_err("rpki: unknown subcommand '%s' (validate, diff); see "
		    "'lifeline rpki --help'", argv[1]);
		return EXIT_USAGE;
	}
	if (cli_wants_help(argc - 1, argv + 1)) {
		usage(stdout);
		return 0;
	}
	return validate(argc - 1, argv + 1);
}
