/*
 * lifeline registry diff: what changed between two RIR delegated(-extended)
 * snapshots (new and removed delegations, transfers, country and status
 * changes), filtered by a watchlist, country or registry.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/cmd_routing.h"
#include "routing/routing.h"
#include "store/store.h"
#include "util/err.h"
#include "util/grow.h"

#define LIST_MAX	64
#define WATCH_MAX	100000

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: lifeline registry diff [options] OLD NEW\n"
	    "\n"
	    "Compares two RIR statistics files (delegated or\n"
	    "delegated-extended, plain or gzip), delegation by delegation: a\n"
	    "delegation is its type, start and size. Changes:\n"
	    "  new, removed  a delegation in one file only\n"
	    "  transfer      its opaque-id (holder) changed\n"
	    "  country       its country code changed (both real codes)\n"
	    "  status        allocated, assigned, available or reserved\n"
	    "\n"
	    "  --watchlist FILE   keep changes touching these resources: one\n"
	    "                     prefix or AS (AS64500) a line, # comments\n"
	    "  --watch RES        one such resource (repeatable)\n"
	    "  --country CC       keep changes with this old or new country\n"
	    "                     (repeatable)\n"
	    "  --registry NAME    keep changes of this registry (repeatable)\n"
	    "  --change KIND      keep only these kinds (repeatable)\n"
	    "  --format text|json|csv\n"
	    "                     text (default): KIND REGISTRY TYPE RESOURCE\n"
	    "                     OLD -> NEW, a side as cc/status/id/date or\n"
	    "                     '-'; json: one object a line; csv: a header\n"
	    "  --db URL           also store the changes kept as events in\n"
	    "                     the database (kind registry:CHANGE, entity\n"
	    "                     asn:N or prefix:P, from OLD's end date to\n"
	    "                     NEW's, the JSON line as details; created\n"
	    "                     when missing; a second run replaces)\n"
	    "  -q, --quiet        do not report bad lines one by one\n"
	    "\n"
	    "exit status: 0 ok, 1 bad lines were skipped, 2 usage, 3 a file\n"
	    "cannot be read or holds no record (or, with --db, no version\n"
	    "line with an end date), or the database cannot be written.\n");
}

enum fmt { F_TEXT, F_JSON, F_CSV };

struct reg_cli {
	struct routing_rfilter	 f;
	const char		*db;
	struct cli_events	 ev;		/* kept for the store */
	int			 fail;		/* LL_ENOMEM while keeping */
	struct net_prefix	*prefix;
	uint32_t		*asn;
	size_t			 cap;
	const char		*cc[LIST_MAX];
	const char		*reg[LIST_MAX];
	enum fmt		 fmt;
	bool			 quiet;
	uint64_t		 warned;
};

/* Adds one watchlist item. Returns 0, or -1 when it is not one. */
static int
watch_add(struct reg_cli *c, const char *s)
{
	struct net_prefix p;
	uint32_t a;
	int k;

	if ((k = routing_rwatch_parse(s, &a, &p)) < 0)
		return -1;
	if (c->f.nprefix + c->f.nasn == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct net_prefix *np;
		uint32_t *na;

		if (cap > WATCH_MAX || (np = realloc(c->prefix,
		    cap * sizeof(*np))) == NULL)
			return -2;
		c->prefix = np;
		if ((na = realloc(c->asn, cap * sizeof(*na))) == NULL)
			return -2;
		c->asn = na;
		c->cap = cap;
	}
	if (k == 1)
		c->asn[c->f.nasn++] = a;
	else
		c->prefix[c->f.nprefix++] = p;
	c->f.asn = c->asn;
	c->f.prefix = c->prefix;
	return 0;
}

/* Reads a watchlist file. Returns 0 or an exit status. */
static int
watch_load(struct reg_cli *c, const char *path)
{
	char line[256];
	unsigned long no = 0;
	FILE *fp;
	int ex = 0;

	if ((fp = fopen(path, "r")) == NULL) {
		cli_err("registry diff: %s: cannot open", path);
		return EXIT_FAIL;
	}
	while (ex == 0 && fgets(line, sizeof(line), fp) != NULL) {
		char *s = line, *e;
		int rc;

		no++;
		s += strspn(s, " \t");
		if ((e = strpbrk(s, "#\r\n")) != NULL)
			*e = '\0';
		for (e = s + strlen(s); e > s && (e[-1] == ' ' ||
		    e[-1] == '\t'); e--)
			e[-1] = '\0';
		if (*s == '\0')
			continue;
		if ((rc = watch_add(c, s)) == -1) {
			cli_err("registry diff: %s: line %lu: not a prefix or "
			    "AS number: '%.64s'", path, no, s);
			ex = EXIT_USAGE;
		} else if (rc < 0) {
			cli_err("registry diff: %s: line %lu: more than %d "
			    "items", path, no, WATCH_MAX);
			ex = EXIT_FAIL;
		}
	}
	fclose(fp);
	return ex;
}

enum {
	O_WATCHLIST = 256, O_WATCH, O_COUNTRY, O_REGISTRY, O_CHANGE, O_FORMAT,
	O_DB,
};

/* One option. Returns 0 or an exit status. */
static int
one_opt(struct reg_cli *c, int ch, const char *arg)
{
	int k;

	switch (ch) {
	case O_WATCHLIST:
		return watch_load(c, arg);
	case O_WATCH:
		if (watch_add(c, arg) == 0)
			return 0;
		cli_err("registry diff: --watch wants a prefix or AS number, "
		    "not '%s'", arg);
		return EXIT_USAGE;
	case O_COUNTRY:
	case O_REGISTRY:
		if ((ch == O_COUNTRY ? c->f.ncc : c->f.nregistry) ==
		    LIST_MAX) {
			cli_err("registry diff: too many --country or "
			    "--registry");
			return EXIT_USAGE;
		}
		if (ch == O_COUNTRY)
			c->cc[c->f.ncc++] = arg;
		else
			c->reg[c->f.nregistry++] = arg;
		return 0;
	case O_CHANGE:
		for (k = 0; k < ROUTING_RCH_N; k++)
			if (strcmp(arg, routing_rchange_name(
			    (enum routing_rchange)k)) == 0) {
				c->f.kinds |= 1u << k;
				return 0;
			}
		cli_err("registry diff: --change wants new, removed, transfer, "
		    "country or status, not '%s'", arg);
		return EXIT_USAGE;
	case O_FORMAT:
		if (strcmp(arg, "text") == 0 || strcmp(arg, "json") == 0 ||
		    strcmp(arg, "csv") == 0) {
			c->fmt = arg[0] == 't' ? F_TEXT : arg[0] == 'j' ?
			    F_JSON : F_CSV;
			return 0;
		}
		cli_err("registry diff: --format wants text, json or csv, not "
		    "'%s'", arg);
		return EXIT_USAGE;
	case 'q':
		c->quiet = true;
		return 0;
	case O_DB:
		c->db = arg;
		return 0;
	}
	return -1;
}

static int
parse_args(int argc, char **argv, struct reg_cli *c)
{
	static const struct option lo[] = {
		{ "watchlist", required_argument, NULL, O_WATCHLIST },
		{ "watch", required_argument, NULL, O_WATCH },
		{ "country", required_argument, NULL, O_COUNTRY },
		{ "registry", required_argument, NULL, O_REGISTRY },
		{ "change", required_argument, NULL, O_CHANGE },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "db", required_argument, NULL, O_DB },
		{ NULL, 0, NULL, 0 },
	};
	int ch, rc;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "q", lo, NULL)) != -1) {
		if ((rc = one_opt(c, ch, optarg)) > 0)
			return rc;
		if (rc < 0) {
			cli_err("registry diff: unknown or incomplete option "
			    "'%s'; see 'lifeline registry diff --help'",
			    argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		cli_err("registry diff: OLD and NEW files are needed; see "
		    "'lifeline registry diff --help'");
		return EXIT_USAGE;
	}
	c->f.cc = c->cc;
	c->f.registry = c->reg;
	return 0;
}

static const char *
dash(const char *s)
{
	return s[0] != '\0' ? s : "-";
}

static void
print_side_text(const struct geo_rir_rec *r)
{
	if (r == NULL)
		fputs("-", stdout);
	else
		printf("%s/%s/%s/%s", dash(r->cc), r->status, dash(r->id),
		    dash(r->date));
}

static json_t *
side_json(const struct geo_rir_rec *r)
{
	if (r == NULL)
		return json_null();
	return json_pack("{s:s,s:s,s:s,s:s,s:I}", "cc", r->cc, "status",
	    r->status, "id", r->id, "date", r->date, "line",
	    (json_int_t)r->line);
}

/* The change as one JSON object (the json format's line, and an event's
 * details); NULL when out of memory. */
static char *
change_json(const struct routing_rchange_ev *e, const char *type,
    const char *res)
{
	const struct geo_rir_rec *r = e->old != NULL ? e->old : e->new_;
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:o,s:o}", "change",
	    routing_rchange_name(e->kind), "registry", r->registry, "type",
	    type, "resource", res, "old", side_json(e->old), "new",
	    side_json(e->new_));
	char *str = o != NULL ? json_dumps(o, JSON_COMPACT |
	    JSON_PRESERVE_ORDER) : NULL;

	json_decref(o);
	return str;
}

/* Keeps the change for the store. Returns 0 or LL_ENOMEM. */
static int
keep_event(struct reg_cli *c, const struct routing_rchange_ev *e,
    const char *type, const char *res)
{
	const struct geo_rir_rec *r = e->old != NULL ? e->old : e->new_;
	char kind[32], entity[ROUTING_RES_STRLEN];

	snprintf(kind, sizeof(kind), "registry:%s",
	    routing_rchange_name(e->kind));
	routing_rrec_entity(r, entity);
	return cli_events_add(&c->ev, kind, entity, change_json(e, type, res));
}

static void
print_side_csv(const struct geo_rir_rec *r)
{
	if (r == NULL)
		fputs(",,,", stdout);
	else
		printf("%s,%s,%s,%s", r->cc, r->status, r->id, r->date);
}

static int
on_change(void *ctx, const struct routing_rchange_ev *e)
{
	static const char *const types[] = { "asn", "ipv4", "ipv6" };
	struct reg_cli *c = ctx;
	const struct geo_rir_rec *r = e->old != NULL ? e->old : e->new_;
	const char *kind = routing_rchange_name(e->kind);
	char res[ROUTING_RES_STRLEN];

	routing_rrec_resource(r, res);
	if (c->db != NULL && (c->fail = keep_event(c, e, types[r->type],
	    res)) != 0)
		return c->fail;
	if (c->fmt == F_TEXT) {
		printf("%s %s %s %s ", kind, r->registry, types[r->type], res);
		print_side_text(e->old);
		fputs(" -> ", stdout);
		print_side_text(e->new_);
	} else if (c->fmt == F_JSON) {
		char *line = change_json(e, types[r->type], res);

		if (line == NULL)
			return c->fail = LL_ENOMEM;
		fputs(line, stdout);
		free(line);
	} else {
		printf("%s,%s,%s,%s,", kind, r->registry, types[r->type], res);
		print_side_csv(e->old);
		putchar(',');
		print_side_csv(e->new_);
	}
	putchar('\n');
	return 0;
}

static void
on_warn(void *ctx, const char *msg)
{
	struct reg_cli *c = ctx;

	if (!c->quiet)
		cli_warn("registry diff: %s", msg);
	c->warned++;
}

/* The end dates of both files, for the events. Returns 0 or EXIT_FAIL. */
static int
dates(const char *old_path, const char *new_path, int64_t *from,
    int64_t *to)
{
	char err[512];

	if (routing_rir_date(old_path, from, err, sizeof(err)) != 0 ||
	    routing_rir_date(new_path, to, err, sizeof(err)) != 0) {
		cli_err("registry diff: %s", err);
		return EXIT_FAIL;
	}
	return 0;
}

static int
diff(int argc, char **argv)
{
	struct routing_rdiff_stats st;
	struct reg_cli c;
	char err[512] = "";
	int64_t from = 0, to = 0;
	int rc, ex;

	memset(&c, 0, sizeof(c));
	if ((ex = parse_args(argc, argv, &c)) != 0)
		goto out;
	if (c.db != NULL && (ex = dates(argv[optind], argv[optind + 1], &from,
	    &to)) != 0)
		goto out;
	if (c.fmt == F_CSV)
		printf("change,registry,type,resource,old_cc,old_status,old_id,"
		    "old_date,new_cc,new_status,new_id,new_date\n");
	rc = routing_registry_diff(argv[optind], argv[optind + 1], &c.f,
	    on_change, &c, on_warn, &c, &st, err, sizeof(err));
	if (fflush(stdout) != 0) {
		cli_err("registry diff: cannot write the result");
		ex = EXIT_FAIL;
		goto out;
	}
	if (rc != 0) {
		cli_err("registry diff: %s", err[0] && c.fail == 0 ? err :
		    ll_strerror(rc));
		ex = EXIT_FAIL;
		goto out;
	}
	if (c.db != NULL && (ex = cli_events_store(&c.ev, c.db, from, to,
	    "registry diff")) != 0)
		goto out;
	fprintf(stderr, "registry diff: %llu and %llu records; %llu new, "
	    "%llu removed, %llu transfers, %llu country and %llu status "
	    "changes\n", (unsigned long long)st.records[0],
	    (unsigned long long)st.records[1],
	    (unsigned long long)st.changes[ROUTING_RCH_NEW],
	    (unsigned long long)st.changes[ROUTING_RCH_REMOVED],
	    (unsigned long long)st.changes[ROUTING_RCH_TRANSFER],
	    (unsigned long long)st.changes[ROUTING_RCH_COUNTRY],
	    (unsigned long long)st.changes[ROUTING_RCH_STATUS]);
	ex = c.warned > 0 ? EXIT_DATA : 0;
out:
	cli_events_free(&c.ev);
	free(c.prefix);
	free(c.asn);
	return ex;
}

int
cmd_registry(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "diff") != 0) {
		cli_err("registry: unknown subcommand '%s' (diff); see "
		    "'lifeline registry --help'", argv[1]);
		return EXIT_USAGE;
	}
	if (cli_wants_help(argc - 1, argv + 1)) {
		usage(stdout);
		return 0;
	}
	return diff(argc - 1, argv + 1);
}
