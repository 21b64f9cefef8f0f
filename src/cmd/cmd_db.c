/*
 * lifeline db: what a database holds. Archives (names, time ranges, bad
 * records), collectors, series by kind with their extent, the ingest
 * settings and location database used, coverage gaps, events by kind,
 * incidents by state, schema and size.
 *
 *   lifeline db [--format text|json] [--db URL]
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "net/entity.h"
#include "store/store.h"
#include "util/err.h"
#include "util/grow.h"
#include "util/time.h"

#define DB_KINDS_MAX	64

/* The series of one kind, summed. */
struct db_kind {
	const char	*signal;
	uint64_t	 series, points;
	int64_t		 first, last;
	uint64_t	 by_type[ENT_COLLECTOR + 1];
};

/* A name and how many have it (events by kind, incidents by state). */
struct db_count {
	char		*name;
	uint64_t	 n;
};

struct db_info {
	struct store	*st;
	const char	*url;
	bool		 json;
	uint64_t	 size;		/* bytes of the file and its log */
	struct cli_series *ser;
	size_t		 nser;
	struct db_kind	 kinds[DB_KINDS_MAX];
	size_t		 nkind;
	uint64_t	 narch, records, bad, n;
	int64_t		 afirst, alast;
	char		 settings[STORE_SETTINGS_MAX];
	uint64_t	 other_settings;	/* archives with another line */
	struct db_count	*evk;		/* events by kind */
	size_t		 nevk, evkcap;
	uint64_t	 nev;
	int64_t		 evfirst, evlast;
	struct db_count	*ist;		/* incidents by state */
	size_t		 nist, istcap;
	uint64_t	 ninc, nopen;
	bool		 oom;
};

static void
db_usage(FILE *f)
{
	fprintf(f,
	    "usage: lifeline db [--format text|json] [--db URL]\n"
	    "\n"
	    "Says what a database holds: its archives (names, time ranges, "
	    "records,\n"
	    "bad records), the collectors, the series of each kind with "
	    "their extent\n"
	    "and counts by entity kind, the ingest settings and location "
	    "database\n"
	    "used, the events by kind, the incidents by state, the coverage "
	    "gaps,\n"
	    "the schema version and the size. Reads only.\n"
	    "\n"
	    "  --format F    text (default, for people) or json (one "
	    "object)\n"
	    "  --db URL      the store (default $LIFELINE_DB, else "
	    "lifeline.db)\n"
	    "\n"
	    "The points themselves: lifeline export, lifeline signal.\n"
	    "exit status: 0 ok, 2 usage, 3 the database could not be read.\n");
}

/* Bytes of a SQLite database: the file and its write-ahead log. */
static uint64_t
db_size(const char *url)
{
	const char *path = strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
	char wal[4096];
	struct stat sb;
	uint64_t n = 0;

	if (stat(path, &sb) == 0)
		n += (uint64_t)sb.st_size;
	snprintf(wal, sizeof(wal), "%s-wal", path);
	if (stat(wal, &sb) == 0)
		n += (uint64_t)sb.st_size;
	return n;
}

static void
db_kinds(struct db_info *d)
{
	for (size_t i = 0; i < d->nser; i++) {
		const struct cli_series *s = &d->ser[i];
		struct db_kind *k = d->nkind > 0 ? &d->kinds[d->nkind - 1] :
		    NULL;
		struct entity e;

		if (k == NULL || strcmp(k->signal, s->signal) != 0) {
			if (d->nkind == DB_KINDS_MAX)
				break;
			k = &d->kinds[d->nkind++];
			*k = (struct db_kind){ .signal = s->signal,
			    .first = s->first, .last = s->last };
		}
		k->series++;
		k->points += s->points;
		if (s->first < k->first)
			k->first = s->first;
		if (s->last > k->last)
			k->last = s->last;
		if (entity_parse(s->entity, &e) == 0 &&
		    e.type <= ENT_COLLECTOR)
			k->by_type[e.type]++;
	}
}

/* Sums the archives and finds how many were made with other settings. */
static int
db_arch_sum(void *ctx, const struct store_archive *a)
{
	struct db_info *d = ctx;

	if (d->narch == 0 || a->first_time < d->afirst)
		d->afirst = a->first_time;
	if (d->narch == 0 || a->last_time > d->alast)
		d->alast = a->last_time;
	d->narch++;
	d->records += a->records;
	d->bad += a->bad_records;
	if (strcmp(a->settings, d->settings) != 0)
		d->other_settings++;
	return 0;
}

static int
db_arch_print(void *ctx, const struct store_archive *a)
{
	struct db_info *d = ctx;
	char f[LL_ISO8601_LEN], l[LL_ISO8601_LEN];

	ll_time_fmt(a->first_time, f, sizeof(f));
	ll_time_fmt(a->last_time, l, sizeof(l));
	if (!d->json) {
		printf("  %-32s %s  %s %10" PRIu64 " records %6" PRIu64
		    " bad\n", cli_esc(a->name), f, l, a->records,
		    a->bad_records);
		return 0;
	}
	printf("%s\n    {\"name\":", d->n++ > 0 ? "," : "");
	cli_json_str(stdout, a->name);
	printf(",\"sha256\":\"%s\",\"size\":%" PRIu64 ",\"first\":\"%s\","
	    "\"last\":\"%s\",\"records\":%" PRIu64 ",\"bad_records\":%" PRIu64
	    ",\"points\":%" PRIu64 ",\"settings\":", a->sha256, a->size, f, l,
	    a->records, a->bad_records, a->points);
	cli_json_str(stdout, a->settings);
	putchar('}');
	return 0;
}

static int
db_gap_print(void *ctx, const struct store_gap *g)
{
	struct db_info *d = ctx;
	char f[LL_ISO8601_LEN], t[LL_ISO8601_LEN];

	ll_time_fmt(g->from, f, sizeof(f));
	ll_time_fmt(g->to, t, sizeof(t));
	if (!d->json) {
		printf("  %-8s %-16s %s to %s  %s\n", g->signal,
		    cli_esc(g->collector), f, t, cli_esc(g->reason));
		return 0;
	}
	printf("%s\n    {\"signal\":", d->n++ > 0 ? "," : "");
	cli_json_str(stdout, g->signal);
	printf(",\"collector\":");
	cli_json_str(stdout, g->collector);
	printf(",\"from\":\"%s\",\"to\":\"%s\",\"reason\":", f, t);
	cli_json_str(stdout, g->reason);
	putchar('}');
	return 0;
}

static int
db_gap_count(void *ctx, const struct store_gap *g)
{
	struct db_info *d = ctx;

	(void)g;
	d->n++;
	return 0;
}

/* The location database of a settings line ("locdb=PATH@DATE"), into
 * buf; "" when none. */
static const char *
db_locdb(const char *settings, char *buf, size_t len)
{
	const char *p = strstr(settings, "locdb=");

	buf[0] = '\0';
	if (p != NULL && (p == settings || p[-1] == ' '))
		snprintf(buf, len, "%.*s", (int)strcspn(p + 6, " "), p + 6);
	return buf;
}

/* Collectors: the entities collector:NAME of any kind, each once. */
static void
db_collectors(const struct db_info *d)
{
	size_t k = 0;

	for (size_t i = 0; i < d->nser; i++) {
		const char *e = d->ser[i].entity;
		bool seen = false;

		if (strncmp(e, "collector:", 10) != 0)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(d->ser[j].entity, e) == 0;
		if (seen)
			continue;
		if (d->json) {
			fputs(k++ > 0 ? "," : "", stdout);
			cli_json_str(stdout, e + 10);
		} else
			printf("%s%s", k++ > 0 ? ", " : " ", cli_esc(e + 10));
	}
	if (!d->json && k == 0)
		fputs(" (none named in the series)", stdout);
}

static void
db_text_kinds(const struct db_info *d)
{
	char f[LL_ISO8601_LEN], l[LL_ISO8601_LEN];

	printf("series: %" PRIu64 " of %zu %s\n", (uint64_t)d->nser, d->nkind,
	    cli_plural(d->nkind, "kind", "kinds"));
	for (size_t i = 0; i < d->nkind; i++) {
		const struct db_kind *k = &d->kinds[i];
		bool first = true;

		printf("  %-14s %7" PRIu64 " %-6s %10" PRIu64 " points  %s to "
		    "%s  (", k->signal, k->series, cli_plural(k->series,
		    "series", "series"), k->points, ll_time_fmt(k->first, f,
		    sizeof(f)), ll_time_fmt(k->last, l, sizeof(l)));
		for (int t = ENT_COUNTRY; t <= ENT_COLLECTOR; t++) {
			if (k->by_type[t] == 0)
				continue;
			printf("%s%s %" PRIu64, first ? "" : ", ",
			    entity_type_name((enum ent_type)t), k->by_type[t]);
			first = false;
		}
		puts(")");
	}
}

/* Counts one more of name in v (kept in first-seen order). */
static void
db_count(struct db_info *d, struct db_count **v, size_t *n, size_t *cap,
    const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i].name, name) == 0) {
			(*v)[i].n++;
			return;
		}
	if (ll_grow(v, cap, *n + 1, sizeof(**v)) != 0 ||
	    ((*v)[*n].name = strdup(name)) == NULL) {
		d->oom = true;
		return;
	}
	(*v)[(*n)++].n = 1;
}

static int
db_event_sum(void *ctx, const struct store_event *e)
{
	struct db_info *d = ctx;

	if (d->nev == 0 || e->from < d->evfirst)
		d->evfirst = e->from;
	if (d->nev == 0 || (e->to > 0 ? e->to : e->from) > d->evlast)
		d->evlast = e->to > 0 ? e->to : e->from;
	d->nev++;
	db_count(d, &d->evk, &d->nevk, &d->evkcap, e->kind);
	return 0;
}

static int
db_incident_sum(void *ctx, const struct store_incident *i)
{
	struct db_info *d = ctx;

	d->ninc++;
	d->nopen += i->end == 0;
	db_count(d, &d->ist, &d->nist, &d->istcap, i->state);
	return 0;
}

/* The events and incidents, summed. Returns 0, LL_EDB or LL_ENOMEM. */
static int
db_sum_events(struct db_info *d)
{
	int rc;

	if ((rc = store_event_list(d->st, NULL, INT64_MIN, INT64_MAX,
	    db_event_sum, d)) != 0 || (rc = store_incident_list(d->st, 0,
	    db_incident_sum, d)) != 0)
		return rc;
	return d->oom ? LL_ENOMEM : 0;
}

static void
db_counts_text(const struct db_count *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%s%s %" PRIu64, i > 0 ? ", " : "", cli_esc(v[i].name),
		    v[i].n);
}

/* "events: ..." and "incidents: ..." lines. */
static void
db_text_events(const struct db_info *d)
{
	char f[LL_ISO8601_LEN], l[LL_ISO8601_LEN];

	if (d->nev == 0)
		puts("events: none");
	else {
		printf("events: %" PRIu64 ", %s to %s (", d->nev,
		    ll_time_fmt(d->evfirst, f, sizeof(f)),
		    ll_time_fmt(d->evlast, l, sizeof(l)));
		db_counts_text(d->evk, d->nevk);
		puts(")");
	}
	if (d->ninc == 0)
		puts("incidents: none");
	else {
		printf("incidents: %" PRIu64 ", %" PRIu64 " open (", d->ninc,
		    d->nopen);
		db_counts_text(d->ist, d->nist);
		puts(")");
	}
}

static void
db_counts_json(const struct db_count *v, size_t n)
{
	putchar('{');
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			putchar(',');
		cli_json_str(stdout, v[i].name);
		printf(":%" PRIu64, v[i].n);
	}
	putchar('}');
}

static int
db_text(struct db_info *d)
{
	char f[LL_ISO8601_LEN], l[LL_ISO8601_LEN], loc[512];
	int rc;

	printf("database: %s (%s, schema %d, %.1f MiB)\n", cli_esc(d->url),
	    store_backend(d->st), store_schema_version(d->st),
	    (double)d->size / 1048576.0);
	printf("archives: %" PRIu64, d->narch);
	if (d->narch > 0)
		printf(", %s to %s, %" PRIu64 " %s, %" PRIu64 " bad",
		    ll_time_fmt(d->afirst, f, sizeof(f)), ll_time_fmt(d->alast,
		    l, sizeof(l)), d->records, cli_plural(d->records, "record",
		    "records"), d->bad);
	putchar('\n');
	if ((rc = store_archive_list(d->st, db_arch_print, d)) != 0)
		return rc;
	fputs("collectors:", stdout);
	db_collectors(d);
	putchar('\n');
	db_text_kinds(d);
	printf("ingest settings: %s\n", d->settings[0] != '\0' ?
	    cli_esc(d->settings) : "(none recorded)");
	if (d->other_settings > 0)
		printf("  %" PRIu64 " %s ingested with other settings (lifeline "
		    "db --format json shows each)\n", d->other_settings,
		    cli_plural(d->other_settings, "archive was",
		    "archives were"));
	db_locdb(d->settings, loc, sizeof(loc));
	printf("location database: %s\n", loc[0] != '\0' ? cli_esc(loc) :
	    "(none recorded)");
	db_text_events(d);
	puts("coverage gaps:");
	d->n = 0;
	if ((rc = store_gap_list(d->st, NULL, INT64_MIN, INT64_MAX,
	    db_gap_count, d)) != 0)
		return rc;
	if (d->n == 0)
		puts("  none");
	return store_gap_list(d->st, NULL, INT64_MIN, INT64_MAX, db_gap_print,
	    d);
}

static void
db_json_kinds(const struct db_info *d)
{
	char f[LL_ISO8601_LEN], l[LL_ISO8601_LEN];

	for (size_t i = 0; i < d->nkind; i++) {
		const struct db_kind *k = &d->kinds[i];
		bool first = true;

		printf("%s\n    {\"signal\":", i > 0 ? "," : "");
		cli_json_str(stdout, k->signal);
		printf(",\"series\":%" PRIu64 ",\"points\":%" PRIu64 ",\"first\":"
		    "\"%s\",\"last\":\"%s\",\"entities\":{", k->series,
		    k->points, ll_time_fmt(k->first, f, sizeof(f)),
		    ll_time_fmt(k->last, l, sizeof(l)));
		for (int t = ENT_COUNTRY; t <= ENT_COLLECTOR; t++) {
			if (k->by_type[t] == 0)
				continue;
			printf("%s\"%s\":%" PRIu64, first ? "" : ",",
			    entity_type_name((enum ent_type)t), k->by_type[t]);
			first = false;
		}
		fputs("}}", stdout);
	}
}

static int
db_json(struct db_info *d)
{
	char loc[512];
	int rc;

	printf("{\n  \"database\": ");
	cli_json_str(stdout, d->url);
	printf(",\n  \"backend\": \"%s\",\n  \"schema\": %d,\n  \"size\": %"
	    PRIu64 ",\n  \"archives\": [", store_backend(d->st),
	    store_schema_version(d->st), d->size);
	d->n = 0;
	if ((rc = store_archive_list(d->st, db_arch_print, d)) != 0)
		return rc;
	printf("%s],\n  \"bad_records\": %" PRIu64 ",\n  \"collectors\": [",
	    d->n > 0 ? "\n  " : "", d->bad);
	db_collectors(d);
	printf("],\n  \"series\": [");
	db_json_kinds(d);
	printf("%s],\n  \"settings\": ", d->nkind > 0 ? "\n  " : "");
	cli_json_str(stdout, d->settings);
	printf(",\n  \"locdb\": ");
	cli_json_str(stdout, db_locdb(d->settings, loc, sizeof(loc)));
	printf(",\n  \"events\": {\"count\":%" PRIu64 ",\"kinds\":",
	    d->nev);
	db_counts_json(d->evk, d->nevk);
	printf("},\n  \"incidents\": {\"count\":%" PRIu64 ",\"open\":%"
	    PRIu64 ",\"states\":", d->ninc, d->nopen);
	db_counts_json(d->ist, d->nist);
	printf("},\n  \"gaps\": [");
	d->n = 0;
	if ((rc = store_gap_list(d->st, NULL, INT64_MIN, INT64_MAX,
	    db_gap_print, d)) != 0)
		return rc;
	printf("%s]\n}\n", d->n > 0 ? "\n  " : "");
	return 0;
}

static int
db_parse(int argc, char **argv, const char **db, bool *json)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "db", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (c == 'd')
			*db = optarg;
		else if (c == 'F' && (strcmp(optarg, "json") == 0 ||
		    strcmp(optarg, "text") == 0))
			*json = strcmp(optarg, "json") == 0;
		else if (c == 'F') {
			cli_err("db: --format %s: use text or json", optarg);
			return EXIT_USAGE;
		} else {
			cli_err("db: %s %s; see 'lifeline db --help'", c == ':' ?
			    "needs a value:" : "unknown option",
			    argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_err("db: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	return 0;
}

int
cmd_db(int argc, char **argv)
{
	struct db_info *d;
	const char *db = NULL;
	bool json = false;
	char err[512];
	int rc;

	if (argc >= 2 && strcmp(argv[1], "copy") == 0)
		return cmd_db_copy(argc, argv);	/* cmd_db_copy.c */
	if (cli_wants_help(argc, argv)) {
		db_usage(stdout);
		return 0;
	}
	if ((rc = db_parse(argc, argv, &db, &json)) != 0)
		return rc;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return EXIT_FAIL;
	d->url = cli_db_url(db);
	d->json = json;
	if (store_open(d->url, STORE_RDONLY, &d->st, err, sizeof(err)) != 0) {
		cli_err("db: %s", err);
		free(d);
		return EXIT_FAIL;
	}
	d->size = db_size(d->url);
	if (store_meta_get(d->st, "bgp.settings", d->settings,
	    sizeof(d->settings)) == LL_EDB ||
	    (rc = cli_series_load(d->st, NULL, &d->ser, &d->nser)) != 0 ||
	    (rc = store_archive_list(d->st, db_arch_sum, d)) != 0)
		rc = LL_EDB;
	else if ((rc = db_sum_events(d)) == 0) {
		db_kinds(d);
		rc = json ? db_json(d) : db_text(d);
	}
	if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout)))
		rc = LL_EIO;
	if (rc != 0)
		cli_err("db: %s", rc == LL_EIO ? "writing the output failed" :
		    rc == LL_ENOMEM ? "out of memory" : store_errmsg(d->st));
	cli_series_free(d->ser, d->nser);
	for (size_t i = 0; i < d->nevk; i++)
		free(d->evk[i].name);
	for (size_t i = 0; i < d->nist; i++)
		free(d->ist[i].name);
	free(d->evk);
	free(d->ist);
	store_free(d->st);
	free(d);
	return rc != 0 ? EXIT_FAIL : 0;
}
