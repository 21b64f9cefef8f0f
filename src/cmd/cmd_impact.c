/*
 * lifeline impact, lifeline index, lifeline import users|countries: an
 * incident's impact with its inputs, the access index per entity and
 * day, and the reference tables the impact uses (docs/methodology.md).
 *
 *   lifeline impact ID [--format text|json] [--db URL]
 *   lifeline index --entity E --from T --to T [--format csv|json]
 *   lifeline import users FILE... | import countries FILE...
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "impact/impact.h"
#include "import/import.h"
#include "net/entity.h"
#include "store/store.h"
#include "util/err.h"
#include "util/time.h"

#define REF_FILE_MAX	((size_t)256 << 20)

struct imp_args {
	const char	*cmd;
	const char	*db;
	const char	*entity;
	int64_t		 from, to;
	char		 fmt;		/* 't' text, 'j' json, 'c' csv */
	char		 ent[ENT_STRLEN];
};

static void
imp_usage(FILE *f, int which)
{
	if (which == 'i')
		fprintf(f, "usage: lifeline impact ID [--format text|json] "
		    "[--db URL]\n\n"
		    "Computes the impact of incident ID from the store: "
		    "address space lost\n(/24s, /48s), users affected, "
		    "duration, the share restored and the\neconomic cost "
		    "(GDP-share method), each with its formula and inputs,\n"
		    "and stores the figures (docs/methodology.md). Users "
		    "come from\n'lifeline import users' (APNIC per-AS "
		    "estimates) or the country table\n('lifeline import "
		    "countries').\n");
	else
		fprintf(f, "usage: lifeline index --entity E --from T --to T "
		    "[--format csv|json] [--db URL]\n\n"
		    "The access index of E per UTC day: a score 0-100 on "
		    "available,\nreliable, fast, safe and core, each with the "
		    "measurements behind it;\n\"no data\" where there are "
		    "none (docs/methodology.md).\n");
	fprintf(f, "exit status: 0 ok, 1 no such incident, 2 usage, 3 the "
	    "database failed.\n");
}

static int
imp_parse(int argc, char **argv, struct imp_args *a, const char *cmd)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'F' },
		{ "entity", required_argument, NULL, 'e' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct entity e;
	char why[160];
	int c;

	memset(a, 0, sizeof(*a));
	a->cmd = cmd;
	a->fmt = strcmp(cmd, "index") == 0 ? 'c' : 't';
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'd': a->db = optarg; break;
		case 'F':
			if (strcmp(optarg, "json") != 0 && strcmp(optarg,
			    a->fmt == 'c' ? "csv" : "text") != 0) {
				cli_err("%s: --format %s: use %s or json", cmd,
				    optarg, a->fmt == 'c' ? "csv" : "text");
				return EXIT_USAGE;
			}
			a->fmt = optarg[0];
			break;
		case 'e':
			if (entity_parse(optarg, &e) != 0) {
				cli_err("%s: --entity %s: not an entity "
				    "(country:EG, region:EG-C, asn:8452)", cmd,
				    optarg);
				return EXIT_USAGE;
			}
			a->entity = entity_fmt(&e, a->ent);
			break;
		case 'f':
		case 't':
			if (ll_time_parse(optarg, c == 'f' ? &a->from :
			    &a->to) != 0) {
				cli_err("%s: --%s %s: %s", cmd, c == 'f' ?
				    "from" : "to", optarg, ll_time_why(optarg,
				    why, sizeof(why)));
				return EXIT_USAGE;
			}
			break;
		case ':':
			cli_err("%s: %s needs a value", cmd, argv[optind - 1]);
			return EXIT_USAGE;
		default:
			cli_err("%s: unknown option %s", cmd, argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	return 0;
}

static int
imp_open(const struct imp_args *a, unsigned flags, struct store **st)
{
	char err[512];

	if (store_open(cli_db_url(a->db), flags, st, err, sizeof(err)) == 0)
		return 0;
	cli_err("%s: %s", a->cmd, err);
	return EXIT_FAIL;
}

int
cli_impact_get(struct store *st, int64_t id, bool compute,
    struct impact *im, const char *cmd)
{
	int rc;

	rc = compute ? impact_compute(st, id, (int64_t)time(NULL), im) :
	    impact_load(st, id, im);
	if (rc == LL_ENOTFOUND && !compute)
		return CLI_IMPACT_NONE;
	if (rc == LL_ENOTFOUND) {
		cli_err("%s: no incident %" PRId64, cmd, id);
		return EXIT_DATA;
	}
	if (rc != 0) {
		cli_err("%s: incident %" PRId64 ": %s", cmd, id, rc ==
		    LL_ENOMEM ? "out of memory" : store_errmsg(st));
		return EXIT_FAIL;
	}
	return 0;
}

int
cli_impact_print(struct store *st, int64_t id, bool json, const char *cmd,
    bool compute)
{
	struct impact im;
	char *out;
	int rc;

	rc = cli_impact_get(st, id, compute, &im, cmd);
	if (rc == CLI_IMPACT_NONE) {
		printf("impact: not computed yet, and the store cannot be "
		    "written ('lifeline impact %" PRId64 "' computes it)\n",
		    id);
		return 0;
	}
	if (rc != 0)
		return rc;
	out = json ? impact_json(&im) : impact_text(&im);
	impact_fini(&im);
	if (out == NULL) {
		cli_err("%s: out of memory", cmd);
		return EXIT_FAIL;
	}
	fputs(out, stdout);
	free(out);
	return 0;
}

int
cmd_impact(int argc, char **argv)
{
	struct imp_args a;
	struct store *st = NULL;
	char *end;
	int64_t id;
	int rc;

	if (cli_wants_help(argc, argv)) {
		imp_usage(stdout, 'i');
		return 0;
	}
	if ((rc = imp_parse(argc, argv, &a, "impact")) != 0)
		return rc;
	if (optind + 1 != argc) {
		cli_err("impact: give one incident ID");
		return EXIT_USAGE;
	}
	id = strtoll(argv[optind], &end, 10);
	if (*end != '\0' || id <= 0) {
		cli_err("impact: %s: not an incident ID", argv[optind]);
		return EXIT_USAGE;
	}
	if ((rc = imp_open(&a, 0, &st)) != 0)
		return rc;
	rc = cli_impact_print(st, id, a.fmt == 'j', "impact", true);
	store_free(st);
	return rc;
}

struct idx_out {
	bool		 json;
	uint64_t	 days;
};

static void
idx_num(double v, bool json)
{
	char b[40];

	if (!isfinite(v))
		fputs(json ? "null" : "", stdout);
	else
		fputs(cli_fmt_value(v, b, sizeof(b)), stdout);
}

static void
idx_csv(const char *date, const char *entity, enum index_dim d,
    const struct index_score *sc)
{
	if (!sc->known) {
		printf("%s,%s,%s,no data,,,,,,,\n", date, entity,
		    index_dim_name(d));
		return;
	}
	for (size_t i = 0; i < sc->nmeas; i++) {
		const struct index_meas *m = &sc->meas[i];

		printf("%s,%s,%s,%.1f,", date, entity, index_dim_name(d),
		    sc->score);
		cli_csv_str(stdout, m->kind);
		putchar(',');
		cli_csv_str(stdout, m->what);
		putchar(',');
		idx_num(m->value, false);
		printf(",%s,", m->unit);
		idx_num(m->baseline, false);
		printf(",%s,%zu\n", m->baseline_source, m->points);
	}
}

static void
idx_json(struct idx_out *o, const char *date, const char *entity,
    enum index_dim d, const struct index_score *sc)
{
	if (d == 0) {
		printf("%s{\"date\":\"%s\",\"entity\":", o->days++ > 0 ?
		    ",\n" : "\n", date);
		cli_json_str(stdout, entity);
	}
	printf(",\"%s\":{\"score\":", index_dim_name(d));
	if (sc->known)
		printf("%.1f", sc->score);
	else
		fputs("null,\"status\":\"no data\"", stdout);
	fputs(",\"measurements\":[", stdout);
	for (size_t i = 0; i < sc->nmeas; i++) {
		const struct index_meas *m = &sc->meas[i];

		printf("%s{\"kind\":", i > 0 ? "," : "");
		cli_json_str(stdout, m->kind);
		fputs(",\"measure\":", stdout);
		cli_json_str(stdout, m->what);
		fputs(",\"value\":", stdout);
		idx_num(m->value, true);
		printf(",\"unit\":\"%s\",\"baseline\":", m->unit);
		idx_num(m->baseline, true);
		printf(",\"baseline_source\":\"%s\",\"points\":%zu}",
		    m->baseline_source, m->points);
	}
	fputs("]}", stdout);
	if (d == INDEX_NDIM - 1)
		putchar('}');
}

static int
idx_print(void *ctx, const char *entity, int64_t day, enum index_dim d,
    const struct index_score *sc)
{
	struct idx_out *o = ctx;
	char ts[LL_ISO8601_LEN];

	ll_time_fmt(day, ts, sizeof(ts));
	ts[10] = '\0';
	if (o->json)
		idx_json(o, ts, entity, d, sc);
	else
		idx_csv(ts, entity, d, sc);
	return 0;
}

int
cmd_index(int argc, char **argv)
{
	struct imp_args a;
	struct idx_out o = { 0 };
	struct store *st = NULL;
	int rc;

	if (cli_wants_help(argc, argv)) {
		imp_usage(stdout, 'x');
		return 0;
	}
	if ((rc = imp_parse(argc, argv, &a, "index")) != 0)
		return rc;
	if (optind != argc || a.entity == NULL || a.from == 0 || a.to == 0) {
		cli_err("index: --entity, --from and --to are needed, and "
		    "nothing else");
		return EXIT_USAGE;
	}
	if (a.from >= a.to || a.to - a.from > (int64_t)3650 * 86400) {
		cli_err("index: --from must be before --to, at most 3650 days");
		return EXIT_USAGE;
	}
	if ((rc = imp_open(&a, STORE_RDONLY, &st)) != 0)
		return rc;
	o.json = a.fmt == 'j';
	if (o.json)
		putchar('[');
	else
		puts("date,entity,dimension,score,kind,measure,value,unit,"
		    "baseline,baseline_source,points");
	rc = index_compute(st, a.entity, a.from, a.to, idx_print, &o);
	if (o.json)
		fputs(o.days > 0 ? "\n]\n" : "]\n", stdout);
	if (rc != 0) {
		cli_err("index: %s", rc == LL_ENOMEM ? "out of memory" :
		    store_errmsg(st));
		rc = EXIT_FAIL;
	}
	store_free(st);
	return rc;
}

/* ---- import users | countries ---- */

struct ref_ctx {
	struct store	*st;
	char		 source[STORE_NAME_MAX + 32];
	uint64_t	 put;
};

static void
ref_bad(void *ctx, const char *msg)
{
	(void)ctx;
	cli_warn("%s", msg);
}

static int
ref_user(void *ctx, const struct import_users_row *u)
{
	struct ref_ctx *r = ctx;
	struct store_users row = { u->cc, u->asn, u->users, u->share,
	    u->samples, r->source };

	r->put++;
	return store_users_put(r->st, &row);
}

static int
ref_country(void *ctx, const struct import_country_row *c)
{
	struct ref_ctx *r = ctx;
	struct store_country row = { c->cc, c->name, c->year, c->gdp,
	    c->population, c->users, c->digital, r->source };

	r->put++;
	return store_country_put(r->st, &row);
}

/* The whole file, NUL-terminated; NULL with errno set. */
static uint8_t *
ref_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *nb;
	size_t cap = 0, n;

	*len = 0;
	if (f == NULL)
		return NULL;
	do {
		if (cap - *len < 65536) {
			if (cap >= REF_FILE_MAX) {
				errno = EFBIG;
				goto fail;
			}
			cap = cap == 0 ? 65536 : cap * 2;
			if ((nb = realloc(buf, cap + 1)) == NULL)
				goto fail;
			buf = nb;
		}
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
	} while (n > 0);
	if (ferror(f))
		goto fail;
	fclose(f);
	buf[*len] = '\0';
	return buf;
fail:
	fclose(f);
	free(buf);
	return NULL;
}

static int
ref_file(struct ref_ctx *r, bool users, const char *path, uint64_t *rows,
    uint64_t *bad)
{
	const char *base = strrchr(path, '/');
	uint8_t *buf;
	size_t len;
	uint64_t fr = 0, fb = 0;
	int rc;

	if ((buf = ref_slurp(path, &len)) == NULL) {
		cli_err("import: %s: %s", path, strerror(errno));
		return EXIT_FAIL;
	}
	snprintf(r->source, sizeof(r->source), "%s:%s", users ?
	    "apnic-aspop" : "countries", base != NULL ? base + 1 : path);
	rc = users ? import_users_read(path, buf, len, ref_user, r, ref_bad,
	    NULL, &fr, &fb) : import_countries_read(path, buf, len,
	    ref_country, r, ref_bad, NULL, &fr, &fb);
	free(buf);
	*rows += fr;
	*bad += fb;
	if (rc == LL_EFORMAT) {
		cli_err("import %s: %s: no header line naming %s", users ?
		    "users" : "countries", path, users ? "AS, CC and Users "
		    "(est.) (APNIC's per-AS estimates CSV)" : "cc and year "
		    "(cc,name,year,gdp_usd,population,internet_users,"
		    "digital_share)");
		return EXIT_DATA;
	}
	if (rc != 0) {
		cli_err("import: %s: %s", path, store_errmsg(r->st));
		return EXIT_FAIL;
	}
	return 0;
}

int
cmd_import_ref(int argc, char **argv)
{
	struct imp_args a;
	struct ref_ctx r = { 0 };
	bool users = strcmp(argv[0], "users") == 0;
	uint64_t rows = 0, bad = 0;
	int rc;

	if ((rc = imp_parse(argc, argv, &a, users ? "import users" :
	    "import countries")) != 0)
		return rc;
	if (optind >= argc) {
		cli_err("%s: no FILE given", a.cmd);
		return EXIT_USAGE;
	}
	if ((rc = imp_open(&a, STORE_CREATE, &r.st)) != 0)
		return rc;
	if (store_tx_begin(r.st) != 0) {
		cli_err("%s: %s", a.cmd, store_errmsg(r.st));
		store_free(r.st);
		return EXIT_FAIL;
	}
	for (int i = optind; i < argc && rc == 0; i++)
		rc = ref_file(&r, users, argv[i], &rows, &bad);
	if (rc == 0 && store_tx_commit(r.st) != 0) {
		cli_err("%s: %s", a.cmd, store_errmsg(r.st));
		rc = EXIT_FAIL;
	}
	store_free(r.st);	/* rolls back on failure: nothing written */
	if (rc != 0)
		return rc;
	printf("%s: %d file(s), %" PRIu64 " rows, %" PRIu64 " bad; %" PRIu64
	    " %s into %s\n", a.cmd, argc - optind, rows, bad, r.put, users ?
	    "AS estimates" : "countries", cli_db_url(a.db));
	return bad > 0 ? EXIT_DATA : 0;
}
