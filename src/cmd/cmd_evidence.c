/*
 * lifeline keygen, lifeline evidence record|list|verify|export: the
 * signed, chained evidence log (src/evidence) from the command line.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "evidence/evidence.h"
#include "store/store.h"
#include "util/err.h"
#include "util/time.h"

static void
usage(FILE *f, bool keygen)
{
	fprintf(f, keygen ?
	    "usage: lifeline keygen --out FILE\n"
	    "       lifeline evidence record|list|verify|export ...\n" :
	    "usage: lifeline evidence record --key FILE --signal K --entity E\n"
	    "                                --from T --to T [--note TEXT] [--db URL]\n"
	    "       lifeline evidence list [--db URL]\n"
	    "       lifeline evidence verify [--db URL | --log FILE] [--pub FILE]\n"
	    "       lifeline evidence export --out FILE [--db URL]\n"
	    "       lifeline evidence export INCIDENT --out DIR [--db URL]\n"
	    "       lifeline evidence check DIR [--pub FILE]\n"
	    "       lifeline keygen --out FILE\n");
	fprintf(f,
	    "\n"
	    "An append-only evidence log in the store: each record is chained\n"
	    "to the one before by SHA-256 and signed with Ed25519, so that a\n"
	    "changed, removed, inserted or reordered record is found, and the\n"
	    "first bad one named. `keygen` writes FILE (the secret key, mode\n"
	    "0600, never overwritten), FILE.pub and FILE.pub.pem. `record`\n"
	    "appends a snapshot of a series: its points, the store's ingest\n"
	    "settings, the SHA-256 of every archive that fed the range, its\n"
	    "coverage gaps, the software version and a note. `verify` checks\n"
	    "the log in the store or an exported file (--log), against a\n"
	    "public key when given. `export --out FILE` writes the whole log\n"
	    "and its signed head to FILE, which sha256sum and openssl can\n"
	    "check without Lifeline. `export INCIDENT --out DIR` writes the\n"
	    "incident's bundle into a new directory: the log, the public key,\n"
	    "the incident as JSON, a CSV and an SVG chart per series, a README\n"
	    "and verify.py for third parties, and MANIFEST.sha256. `check DIR`\n"
	    "verifies a bundle offline: manifest, signatures, chain, head, and\n"
	    "every file made again from the signed records (docs/evidence.md).\n"
	    "\n"
	    "exit status: 0 ok (verified), 1 the log does not verify, 2 usage,\n"
	    "3 failure (key, file, database).\n");
}

struct ev_args {
	const char	*db, *key, *pub, *log, *out, *signal, *entity, *note;
	const char	*from_s, *to_s;
	const char	*operand;	/* export INCIDENT, check DIR */
	bool		 want_operand;
	int64_t		 from, to;
};

enum { O_DB = 256, O_KEY, O_PUB, O_LOG, O_OUT, O_SIGNAL, O_ENTITY, O_NOTE,
    O_FROM, O_TO };

static int
parse_args(int argc, char **argv, struct ev_args *a, const char *cmd)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, O_DB },
		{ "key", required_argument, NULL, O_KEY },
		{ "pub", required_argument, NULL, O_PUB },
		{ "log", required_argument, NULL, O_LOG },
		{ "out", required_argument, NULL, O_OUT },
		{ "signal", required_argument, NULL, O_SIGNAL },
		{ "entity", required_argument, NULL, O_ENTITY },
		{ "note", required_argument, NULL, O_NOTE },
		{ "from", required_argument, NULL, O_FROM },
		{ "to", required_argument, NULL, O_TO },
		{ NULL, 0, NULL, 0 },
	};
	const char **slot[] = { &a->db, &a->key, &a->pub, &a->log, &a->out,
	    &a->signal, &a->entity, &a->note, &a->from_s, &a->to_s };
	int ch;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (ch < O_DB || ch > O_TO) {
			cli_err("%s: unknown or incomplete option '%s'; see "
			    "'lifeline evidence --help'", cmd,
			    argv[optind - 1]);
			return EXIT_USAGE;
		}
		*slot[ch - O_DB] = optarg;
	}
	if (optind < argc && (a->operand != NULL || !a->want_operand ||
	    optind + 1 < argc)) {
		cli_err("%s: unexpected argument '%s'", cmd,
		    argv[optind + (a->want_operand && optind + 1 < argc)]);
		return EXIT_USAGE;
	}
	if (optind < argc)
		a->operand = argv[optind];
	return 0;
}

/* parse_args(), then --out FILE is required. */
static int
parse_out(int argc, char **argv, struct ev_args *a, const char *cmd)
{
	int rc = parse_args(argc, argv, a, cmd);

	if (rc == 0 && a->out == NULL) {
		cli_err("%s: --out FILE is required", cmd);
		rc = EXIT_USAGE;
	}
	return rc;
}

static struct store *
open_db(const char *db, unsigned flags, const char *cmd)
{
	struct store *st = NULL;
	char err[512];

	if (store_open(cli_db_url(db), flags, &st, err, sizeof(err)) != 0) {
		cli_err("%s: %s", cmd, err);
		store_free(st);
		return NULL;
	}
	return st;
}

static int
cmd_keygen(int argc, char **argv)
{
	struct ev_args a = { 0 };
	char err[512];
	int rc;

	if ((rc = parse_out(argc, argv, &a, "keygen")) != 0)
		return rc;
	if ((rc = evidence_keygen(a.out, err, sizeof(err))) != 0) {
		cli_err("keygen: %s", err[0] ? err : ll_strerror(rc));
		return EXIT_FAIL;
	}
	fprintf(stderr, "lifeline: keygen: secret key %s (mode 0600), public "
	    "key %s.pub and %s.pub.pem\n", a.out, a.out, a.out);
	return 0;
}

/* Builds a snapshot's body: points, settings, archives, gaps, note. */
struct snap {
	json_t	*points, *archives, *gaps;
	int64_t	 from, to;
};

static int
snap_point(void *ctx, const struct store_point *p)
{
	struct snap *s = ctx;
	char iso[LL_ISO8601_LEN];

	ll_time_fmt(p->time, iso, sizeof(iso));
	return json_array_append_new(s->points, json_pack("[s, f]", iso,
	    p->value)) == 0 ? 0 : LL_ENOMEM;
}

static int
snap_archive(void *ctx, const struct store_archive *ar)
{
	struct snap *s = ctx;

	if (ar->last_time < s->from || ar->first_time >= s->to)
		return 0;
	return json_array_append_new(s->archives, json_pack("{s:s, s:s, "
	    "s:I, s:I, s:s}", "name", ar->name, "sha256", ar->sha256,
	    "first", (json_int_t)ar->first_time, "last",
	    (json_int_t)ar->last_time, "settings", ar->settings)) == 0 ? 0 :
	    LL_ENOMEM;
}

static int
snap_gap(void *ctx, const struct store_gap *g)
{
	struct snap *s = ctx;

	return json_array_append_new(s->gaps, json_pack("{s:s, s:I, s:I, "
	    "s:s}", "collector", g->collector, "from", (json_int_t)g->from,
	    "to", (json_int_t)g->to, "reason", g->reason)) == 0 ? 0 :
	    LL_ENOMEM;
}

static char *
snapshot_body(struct store *st, const struct ev_args *a)
{
	struct snap s = { json_array(), json_array(), json_array(), a->from,
	    a->to };
	char settings[STORE_SETTINGS_MAX] = "";
	json_t *o = NULL;
	char *body = NULL;

	(void)store_meta_get(st, "bgp.settings", settings, sizeof(settings));
	if (s.points != NULL && s.archives != NULL && s.gaps != NULL &&
	    store_points_scan(st, a->signal, a->entity, a->from, a->to,
	    snap_point, &s) == 0 &&
	    store_archive_list(st, snap_archive, &s) == 0 &&
	    store_gap_list(st, a->signal, a->from, a->to, snap_gap, &s) == 0)
		o = json_pack("{s:s, s:s, s:I, s:I, s:O, s:O, s:O, s:s, s:s}",
		    "signal", a->signal, "entity", a->entity, "from",
		    (json_int_t)a->from, "to", (json_int_t)a->to, "points",
		    s.points, "archives", s.archives, "gaps", s.gaps,
		    "settings", settings, "note", a->note ? a->note : "");
	if (o != NULL && json_array_size(s.points) > 0)
		body = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	json_decref(s.points);
	json_decref(s.archives);
	json_decref(s.gaps);
	return body;
}

static int
check_range(struct ev_args *a)
{
	char why[128];

	if (a->signal == NULL || a->entity == NULL || a->from_s == NULL ||
	    a->to_s == NULL) {
		cli_err("evidence record: --signal, --entity, --from and --to "
		    "are required");
		return EXIT_USAGE;
	}
	if (ll_time_parse(a->from_s, &a->from) != 0 ||
	    ll_time_parse(a->to_s, &a->to) != 0 || a->to <= a->from) {
		cli_err("evidence record: bad time range: %s", ll_time_why(
		    ll_time_parse(a->from_s, &a->from) != 0 ? a->from_s :
		    a->to_s, why, sizeof(why)));
		return EXIT_USAGE;
	}
	return 0;
}

static int
cmd_record(int argc, char **argv)
{
	struct ev_args a = { 0 };
	struct evidence_key k;
	struct store *st;
	char err[512], *body;
	int64_t seq;
	int rc;

	if ((rc = parse_args(argc, argv, &a, "evidence record")) != 0 ||
	    (rc = check_range(&a)) != 0)
		return rc;
	if (a.key == NULL) {
		cli_err("evidence record: --key FILE is required (lifeline "
		    "keygen makes one)");
		return EXIT_USAGE;
	}
	if (evidence_key_load(a.key, &k, err, sizeof(err)) != 0) {
		cli_err("evidence record: %s", err);
		return EXIT_FAIL;
	}
	if ((st = open_db(a.db, 0, "evidence record")) == NULL)
		return EXIT_FAIL;
	if ((body = snapshot_body(st, &a)) == NULL) {
		cli_err("evidence record: no point of %s for %s in that range "
		    "(nothing recorded)", a.signal, a.entity);
		store_free(st);
		return EXIT_DATA;
	}
	rc = evidence_append(st, &k, "snapshot", body, (int64_t)time(NULL),
	    &seq, err, sizeof(err));
	free(body);
	store_free(st);
	if (rc != 0) {
		cli_err("evidence record: %s", err[0] ? err : ll_strerror(rc));
		return rc == LL_EVERIFY ? EXIT_DATA : EXIT_FAIL;
	}
	fprintf(stderr, "lifeline: evidence: record %" PRId64 " appended\n",
	    seq);
	return 0;
}

static const char *
str_of(json_t *j, const char *dflt)
{
	return json_is_string(j) ? json_string_value(j) : dflt;
}

static int
list_one(void *ctx, int64_t seq, const uint8_t *rec, size_t len)
{
	const uint8_t *nl = memchr(rec, '\n', len);
	json_t *o = nl != NULL ? json_loadb((const char *)rec,
	    (size_t)(nl - rec), 0, NULL) : NULL;
	json_t *b = json_object_get(o, "body");

	(void)ctx;
	printf("%" PRId64 ",%s,%s,%s,%s\n", seq,
	    str_of(json_object_get(o, "time"), "?"),
	    str_of(json_object_get(o, "kind"), "?"),
	    str_of(json_object_get(b, "signal"), ""),
	    str_of(json_object_get(b, "entity"), ""));
	json_decref(o);
	return 0;
}

static int
cmd_list(int argc, char **argv)
{
	struct ev_args a = { 0 };
	struct store *st;
	int rc;

	if ((rc = parse_args(argc, argv, &a, "evidence list")) != 0)
		return rc;
	if ((st = open_db(a.db, STORE_RDONLY, "evidence list")) == NULL)
		return EXIT_FAIL;
	printf("seq,time,kind,signal,entity\n");
	rc = store_evidence_scan(st, list_one, NULL);
	store_free(st);
	return rc == 0 ? 0 : EXIT_FAIL;
}

static int
cmd_verify(int argc, char **argv)
{
	struct ev_args a = { 0 };
	struct evidence_report r;
	uint8_t pk[EVIDENCE_PK_LEN];
	struct store *st = NULL;
	char err[512], hex[2 * EVIDENCE_PK_LEN + 1];
	int rc;

	if ((rc = parse_args(argc, argv, &a, "evidence verify")) != 0)
		return rc;
	if (a.pub != NULL && evidence_pub_load(a.pub, pk, err, sizeof(err))) {
		cli_err("evidence verify: %s", err);
		return EXIT_FAIL;
	}
	if (a.log != NULL)
		rc = evidence_verify_file(a.log, a.pub ? pk : NULL, &r);
	else if ((st = open_db(a.db, STORE_RDONLY, "evidence verify")) != NULL)
		rc = evidence_verify_store(st, a.pub ? pk : NULL, &r);
	else
		return EXIT_FAIL;
	store_free(st);
	if (rc == LL_EVERIFY) {
		cli_err("evidence verify: record %lld: %s", (long long)r.bad,
		    r.why);
		return EXIT_DATA;
	}
	if (rc != 0) {
		cli_err("evidence verify: %s: %s", a.log ? a.log : "store",
		    r.why[0] ? r.why : ll_strerror(rc));
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < EVIDENCE_PK_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", r.pk[i]);
	fprintf(stderr, "lifeline: evidence: %" PRIu64 " record%s verified, "
	    "signed by %s, head %s\n", r.records, r.records == 1 ? "" : "s",
	    hex, r.records ? r.head : "(empty log)");
	return 0;
}

/* export INCIDENT --out DIR: the incident's bundle. */
static int
ev_bundle(struct ev_args *a)
{
	struct store *st;
	char err[512], *end;
	long long id = strtoll(a->operand, &end, 10);
	int rc;

	if (*end != '\0' || id <= 0) {
		cli_err("evidence export: %s: not an incident ID", a->operand);
		return EXIT_USAGE;
	}
	if ((st = open_db(a->db, STORE_RDONLY, "evidence export")) == NULL)
		return EXIT_FAIL;
	rc = evidence_bundle_write(st, (int64_t)id, a->out, err, sizeof(err));
	store_free(st);
	if (rc != 0) {
		cli_err("evidence export: %s", err[0] ? err : ll_strerror(rc));
		return rc == LL_EVERIFY || rc == LL_ENOTFOUND ? EXIT_DATA :
		    EXIT_FAIL;
	}
	fprintf(stderr, "lifeline: evidence: bundle of incident %lld written "
	    "to %s (check it: lifeline evidence check %s)\n", id, a->out,
	    a->out);
	return 0;
}

static int
ev_export(int argc, char **argv)
{
	struct ev_args a = { .want_operand = true };
	struct store *st;
	char err[512];
	int rc;

	if ((rc = parse_out(argc, argv, &a, "evidence export")) != 0)
		return rc;
	if (a.operand != NULL)
		return ev_bundle(&a);
	if ((st = open_db(a.db, STORE_RDONLY, "evidence export")) == NULL)
		return EXIT_FAIL;
	rc = evidence_export_log(st, a.out, err, sizeof(err));
	store_free(st);
	if (rc != 0) {
		cli_err("evidence export: %s", err[0] ? err : ll_strerror(rc));
		return rc == LL_EVERIFY ? EXIT_DATA : EXIT_FAIL;
	}
	fprintf(stderr, "lifeline: evidence: log written to %s\n", a.out);
	return 0;
}

/* check DIR [--pub FILE]: a bundle, offline. */
static int
ev_check(int argc, char **argv)
{
	struct ev_args a = { .want_operand = true };
	struct evidence_check r;
	uint8_t pk[EVIDENCE_PK_LEN];
	char err[512], hex[2 * EVIDENCE_PK_LEN + 1];
	int rc;

	if ((rc = parse_args(argc, argv, &a, "evidence check")) != 0)
		return rc;
	if (a.operand == NULL) {
		cli_err("evidence check: give the bundle's directory");
		return EXIT_USAGE;
	}
	if (a.pub != NULL && evidence_pub_load(a.pub, pk, err, sizeof(err))) {
		cli_err("evidence check: %s", err);
		return EXIT_FAIL;
	}
	rc = evidence_bundle_check(a.operand, a.pub != NULL ? pk : NULL, &r);
	if (rc != 0) {
		cli_err("evidence check: %s: %s", a.operand, rc == LL_EVERIFY ?
		    r.why : ll_strerror(rc));
		return rc == LL_EVERIFY ? EXIT_DATA : EXIT_FAIL;
	}
	for (size_t i = 0; i < EVIDENCE_PK_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", r.pk[i]);
	printf("%s: verified: incident %" PRId64 ", %" PRIu64 " of its records "
	    "in a log of %" PRIu64 ", signed by %s%s; %" PRIu64 " files match "
	    "the manifest and the signed records\n", a.operand, r.incident,
	    r.incident_records, r.records, hex, a.pub != NULL ?
	    " (the key given)" : " (compare it with the publisher's key)",
	    r.files);
	return 0;
}

int
cmd_evidence(int argc, char **argv)
{
	static const struct {
		const char	*name;
		int		(*fn)(int, char **);
	} sub[] = {
		{ "keygen", cmd_keygen }, { "record", cmd_record },
		{ "list", cmd_list }, { "verify", cmd_verify },
		{ "export", ev_export }, { "check", ev_check },
	};
	bool top = strcmp(argv[0], "keygen") == 0;

	if (top)
		return cli_wants_help(argc, argv) ? (usage(stdout, true), 0) :
		    cmd_keygen(argc, argv);
	if (argc < 2 || cli_wants_help(2, argv)) {
		usage(argc < 2 ? stderr : stdout, false);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	for (size_t i = 1; i < sizeof(sub) / sizeof(sub[0]); i++)
		if (strcmp(argv[1], sub[i].name) == 0)
			return cli_wants_help(argc - 1, argv + 1) ?
			    (usage(stdout, false), 0) :
			    sub[i].fn(argc - 1, argv + 1);
	cli_err("evidence: unknown subcommand '%s' (record, list, verify, "
	    "export, check); see 'lifeline evidence --help'", argv[1]);
	return EXIT_USAGE;
}
