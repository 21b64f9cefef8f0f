/*
 * lifeline agent bgp, lifeline ingest --from nats://, lifeline bus
 * status: the bus's commands (src/bus), as long-lived services: SIGTERM
 * ends them cleanly, events are logged one line each (text or JSON).
 */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bus/bus.h"
#include "cmd/cmd.h"
#include "geo/geo.h"
#include "ingest/ingest.h"
#include "signal/signal.h"
#include "store/store.h"
#include "util/err.h"
#include "util/time.h"

static volatile sig_atomic_t stop_flag;

static void
on_term(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void
catch_term(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

static bool log_json;

/* One event, one line on stderr: "lifeline: EVENT k=v ..." or a JSON
 * object {"time":..., "event":..., ...}. */
static void
log_event(const char *cmd, const struct bus_event *ev)
{
	char t[LL_ISO8601_LEN];

	if (log_json) {
		json_t *o = json_object();
		char *s;

		json_object_set_new(o, "time", json_string(ll_time_fmt(
		    (int64_t)time(NULL), t, sizeof(t))));
		json_object_set_new(o, "cmd", json_string(cmd));
		json_object_set_new(o, "event", json_string(ev->event));
		if (ev->id != NULL)
			json_object_set_new(o, "id", json_string(ev->id));
		if (ev->subject != NULL)
			json_object_set_new(o, "subject",
			    json_string(ev->subject));
		if (ev->reason != NULL)
			json_object_set_new(o, "reason",
			    json_string(ev->reason));
		json_object_set_new(o, "msgs", json_integer((json_int_t)
		    ev->msgs));
		json_object_set_new(o, "points", json_integer((json_int_t)
		    ev->points));
		if (strcmp(ev->event, "health") == 0) {
			json_object_set_new(o, "pending", json_integer(
			    (json_int_t)ev->pending));
			json_object_set_new(o, "ack_pending", json_integer(
			    (json_int_t)ev->ack_pending));
		}
		s = json_dumps(o, JSON_COMPACT);
		if (s != NULL)
			fprintf(stderr, "%s\n", s);
		free(s);
		json_decref(o);
		return;
	}
	fprintf(stderr, "lifeline: %s: %s", cmd, ev->event);
	if (ev->id != NULL)
		fprintf(stderr, " id=%s", ev->id);
	if (ev->subject != NULL)
		fprintf(stderr, " subject=%s", ev->subject);
	fprintf(stderr, " msgs=%" PRIu64 " points=%" PRIu64, ev->msgs,
	    ev->points);
	if (strcmp(ev->event, "health") == 0)
		fprintf(stderr, " pending=%" PRIu64 " ack_pending=%" PRIu64,
		    ev->pending, ev->ack_pending);
	if (ev->reason != NULL)
		fprintf(stderr, " reason=\"%s\"", ev->reason);
	fputc('\n', stderr);
}

static void
on_ingest_event(void *ctx, const struct bus_event *ev)
{
	(void)ctx;
	log_event("ingest", ev);
}

static int
log_format(const char *v, const char *cmd)
{
	if (strcmp(v, "json") == 0)
		log_json = true;
	else if (strcmp(v, "text") == 0)
		log_json = false;
	else {
		cli_err("%s: --log-format is text or json, not '%s'", cmd, v);
		return -1;
	}
	return 0;
}

/* ---- ingest --from nats:// ------------------------------------------- */

static void
ingest_usage(FILE *f)
{
	fprintf(f,
	    "usage: lifeline ingest --from nats://HOST:PORT [options]\n"
	    "\n"
	    "Consumes the points agents publish (lifeline agent bgp) with a\n"
	    "durable JetStream consumer and writes them to the store, a batch\n"
	    "of messages a transaction; a message is acknowledged only after\n"
	    "its transaction has committed, and its id is recorded with its\n"
	    "points, so a redelivery never writes a point twice. A message\n"
	    "that cannot be read (malformed, unknown schema) is parked on\n"
	    "lifeline.parked.AGENT with its reason. Runs until SIGTERM.\n"
	    "\n"
	    "options:\n"
	    "  --db URL              store (default $LIFELINE_DB, else "
	    "lifeline.db)\n"
	    "  --creds FILE          NATS credentials file (JWT and nkey "
	    "seed)\n"
	    "  --durable NAME        durable consumer (default ingest)\n"
	    "  --batch N             messages a transaction (default 64)\n"
	    "  --ack-wait DURATION   redelivery of unacknowledged messages\n"
	    "                        (default 30s; set when the consumer is\n"
	    "                        created)\n"
	    "  --drain               exit once nothing is left to consume\n"
	    "  --health DURATION     a health line every DURATION (default "
	    "60s; 0: none)\n"
	    "  --log-format F        text (default) or json: one line an "
	    "event\n"
	    "  --fail-after-commits N  (testing) exit after the Nth "
	    "committed\n"
	    "                        batch (or merge), before "
	    "acknowledging it\n"
	    "  --merge A,B,...       consume the archives these agents ship\n"
	    "                        (agent bgp --ship) and replay each "
	    "complete\n"
	    "                        set of runs together, as one `ingest "
	    "bgp`\n"
	    "                        of all of them: one view across their\n"
	    "                        collectors; with the replay options of\n"
	    "                        `ingest bgp` (--full-feed, --warmup, "
	    "--bin,\n"
	    "                        --visibility, --locdb, --city, --rir, "
	    "...)\n"
	    "  --spool DIR           where --merge keeps archives being "
	    "received\n"
	    "                        (default $TMPDIR, else /tmp)\n"
	    "\n"
	    "exit status: 0 stopped or drained, 2 usage, 3 failure (NATS, "
	    "database).\n");
}

/* A duration in milliseconds: "30", "30s", "5m", "500ms". */
static int
duration_ms(const char *s, int64_t *ms)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (end == s || v < 0 || v > 86400LL * 1000)
		return -1;
	if (strcmp(end, "ms") == 0)
		*ms = v;
	else if (*end == '\0' || strcmp(end, "s") == 0)
		*ms = v * 1000;
	else if (strcmp(end, "m") == 0)
		*ms = v * 60000;
	else
		return -1;
	return 0;
}

#define MERGE_AGENTS	64

struct ing_args {
	struct bus_conf		 bc;
	struct bus_consume_opts	 co;
	const char		*db;
	/* --merge: archives of several agents, replayed as one view */
	struct bus_merge_opts	 mo;
	struct geo_opts		 go;
	struct replay_args	 ra;
	bool			 replay_opt;
	char			*names;		/* --merge's, split */
	const char		*agents[MERGE_AGENTS];
};

/* --merge A,B,...: the agents whose archives make one view. */
static int
merge_agents(struct ing_args *a, const char *list)
{
	char *save = NULL, *t;

	free(a->names);
	if ((a->names = strdup(list)) == NULL)
		return -1;
	a->mo.nagents = 0;
	for (t = strtok_r(a->names, ",", &save); t != NULL;
	    t = strtok_r(NULL, ",", &save)) {
		if (!bus_agent_name_ok(t) || a->mo.nagents >= MERGE_AGENTS)
			return -1;
		a->agents[a->mo.nagents++] = t;
	}
	a->mo.agents = a->agents;
	return a->mo.nagents > 0 ? 0 : -1;
}

static int
ingest_args(int argc, char **argv, struct ing_args *a)
{
	static const struct option lo[] = {
		{ "from", required_argument, NULL, 1000 },
		{ "db", required_argument, NULL, 1001 },
		{ "creds", required_argument, NULL, 1002 },
		{ "durable", required_argument, NULL, 1003 },
		{ "batch", required_argument, NULL, 1004 },
		{ "ack-wait", required_argument, NULL, 1005 },
		{ "drain", no_argument, NULL, 1006 },
		{ "health", required_argument, NULL, 1007 },
		{ "log-format", required_argument, NULL, 1008 },
		{ "fail-after-commits", required_argument, NULL, 1009 },
		{ "merge", required_argument, NULL, 1010 },
		{ "spool", required_argument, NULL, 1011 },
		CLI_REPLAY_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		int h = cli_replay_opt(&a->ra, ch, optarg, "ingest");

		if (h < 0)
			return EXIT_USAGE;
		if (h > 0) {
			a->replay_opt = true;
			continue;
		}
		switch (ch) {
		case 1000: a->bc.url = optarg; break;
		case 1001: a->db = optarg; break;
		case 1002: a->bc.creds = optarg; break;
		case 1003: a->bc.durable = optarg; break;
		case 1010: if (merge_agents(a, optarg) != 0)
				goto bad;
			break;
		case 1011: a->mo.spool = optarg; break;
		case 1004: {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end != '\0' || v < 1 || v > 4096)
				goto bad;
			a->co.batch = (int)v;
			break;
		}
		case 1005: if (duration_ms(optarg, &a->bc.ack_wait_ms) != 0)
				goto bad;
			break;
		case 1006: a->co.drain = true; break;
		case 1007: if (duration_ms(optarg, &a->co.health_ms) != 0)
				goto bad;
			break;
		case 1008: if (log_format(optarg, "ingest") != 0)
				return EXIT_USAGE;
			break;
		case 1009: {
			char *end;

			a->co.fail_after_commits = strtoull(optarg, &end, 10);
			if (*end != '\0')
				goto bad;
			break;
		}
		case 'h': ingest_usage(stdout); return 0;
		default: goto bad;
		}
	}
	if (optind != argc || a->bc.url == NULL ||
	    (a->bc.durable != NULL && !bus_agent_name_ok(a->bc.durable)))
		goto bad;
	if (a->replay_opt && a->mo.nagents == 0) {
		cli_err("ingest: the replay options go with --merge (points "
		    "were computed by their agents)");
		return EXIT_USAGE;
	}
	return -1;
bad:
	cli_err("ingest: bad option or value '%s' (--help for usage)",
	    argv[optind - 1 < argc && optind > 0 ? optind - 1 : 0]);
	return EXIT_USAGE;
}

static void
merge_file(void *ctx, const struct sig_file *f)
{
	struct replay_status rs = { 0 };

	(void)ctx;
	cli_replay_file(f, false, &rs);
}

static void
merge_gap(void *ctx, const struct sig_gap *g)
{
	(void)ctx;
	cli_gap_note("ingest", g);
}

static void
merge_warn(void *ctx, const char *msg)
{
	(void)ctx;
	cli_warn("ingest: %s", msg);
}

/* --merge: the agents' archives replayed together, as `ingest bgp`. */
static int
merge_run(struct ing_args *a, struct bus *b, struct store *st,
    struct bus_stats *stats, char *err, size_t errlen)
{
	struct ingest_opts *io = &a->mo.ingest;
	struct geo *geo = NULL;
	char sources[STORE_SETTINGS_MAX];
	int rc;

	if ((rc = ingest_sources_text(&a->go, sources, sizeof(sources),
	    &io->locdb_time)) != 0 && rc != LL_ENOTFOUND) {
		snprintf(err, errlen, "location database: %s",
		    ll_strerror(rc));
		return rc;
	}
	if ((rc = geo_open(&a->go, &geo)) != 0) {
		snprintf(err, errlen, "location database: %s", geo != NULL ?
		    geo_errmsg(geo) : ll_strerror(rc));
		geo_free(geo);
		return rc;
	}
	io->sig.geo = geo;
	io->sources = sources;
	io->warn = merge_warn;
	io->replay.on_error = cli_mrt_error;
	io->replay.on_file = merge_file;
	io->replay.on_gap = merge_gap;
	io->replay.need_table = true;
	if (a->mo.spool == NULL)
		a->mo.spool = getenv("TMPDIR") != NULL ? getenv("TMPDIR") :
		    "/tmp";
	a->mo.drain = a->co.drain;
	a->mo.stop = &stop_flag;
	a->mo.health_ms = a->co.health_ms;
	a->mo.fail_after_commits = a->co.fail_after_commits;
	a->mo.on_event = on_ingest_event;
	rc = bus_merge(b, st, &a->mo, stats, err, errlen);
	geo_free(geo);
	return rc;
}

int
cmd_ingest_bus(int argc, char **argv)
{
	struct ing_args a = { .bc = { .name = "lifeline-ingest" },
	    .co = { .health_ms = 60000 },
	    .mo = { .ingest = { .sig = { .by = SIG_BY_ALL } } } };
	struct bus_stats stats;
	struct store *st = NULL;
	struct bus *b = NULL;
	char err[512] = "";
	int rc, ret;

	a.go = (struct geo_opts){ .warn = cli_geo_warn,
	    .cache_dir = cli_cache_dir() };
	a.ra = (struct replay_args){ .so = &a.mo.ingest.sig,
	    .ro = &a.mo.ingest.replay, .go = &a.go };
	if ((ret = ingest_args(argc, argv, &a)) >= 0) {
		free(a.names);
		return ret;
	}
	ret = EXIT_FAIL;
	a.db = cli_db_url(a.db);
	if (store_open(a.db, STORE_CREATE, &st, err, sizeof(err)) != 0) {
		cli_err("ingest: %s", err);
		return EXIT_FAIL;
	}
	if ((rc = bus_open(&a.bc, &b, err, sizeof(err))) != 0) {
		cli_err("ingest: %s", err);
		goto out;
	}
	catch_term();
	a.co.stop = &stop_flag;
	a.co.on_event = on_ingest_event;
	if (a.mo.nagents > 0)
		rc = merge_run(&a, b, st, &stats, err, sizeof(err));
	else
		rc = bus_consume(b, st, &a.co, &stats, err, sizeof(err));
	log_event("ingest", &(struct bus_event){ .event = "stop", .reason =
	    rc == 0 ? (stop_flag ? "signal" : "drained") : err, .msgs =
	    stats.stored, .points = stats.points });
	if (rc == 0)
		ret = 0;
out:
	bus_free(b);
	store_free(st);
	free(a.names);
	return ret;
}

/* ---- agent bgp -------------------------------------------------------- */

static void
agent_usage(FILE *f)
{
	fprintf(f,
	    "usage: lifeline agent bgp --to nats://HOST:PORT [options] "
	    "FILE...\n"
	    "\n"
	    "Replays MRT archives where they are, as `ingest bgp` would, and\n"
	    "publishes the points (per bin, kind and entity) to NATS\n"
	    "JetStream on lifeline.points.v1.NAME, 8192 points a message\n"
	    "(schema in docs/scaling.md); `lifeline ingest --from` writes\n"
	    "them to a store. Message ids are stable: a re-run of the same\n"
	    "files publishes nothing new to the store.\n"
	    "\n"
	    "options:\n"
	    "  --to URL           NATS server(s), nats://HOST:PORT[,...]\n"
	    "  --creds FILE       NATS credentials file (JWT and nkey seed)\n"
	    "  --name NAME        agent name, [A-Za-z0-9_-] (default: the\n"
	    "                     collector of the first file, else 'agent')\n"
	    "  --view NAME        write kinds as KIND@NAME (one agent's own\n"
	    "                     view beside others' of the same bins)\n"
	    "  --log-format F     text (default) or json\n"
	    "  --ship             publish the archives themselves (MRT as\n"
	    "                     recorded) on lifeline.archives.v1.NAME, for\n"
	    "                     `ingest --from URL --merge NAME,...`: one\n"
	    "                     view across several agents' collectors\n"
	    "  and the replay options of `ingest bgp`: --collector, --bin,\n"
	    "  --full-feed, --visibility, --warmup, --strict, --locdb, "
	    "--city,\n"
	    "  --rir\n"
	    "\n"
	    "exit status: 0 ok, 1 the input had data errors, 2 usage, 3\n"
	    "failure (file, NATS).\n");
}

struct agent_cli {
	struct replay_status	rs;
	bool			strict;
};

static void
agent_file(void *ctx, const struct sig_file *f)
{
	struct agent_cli *c = ctx;

	cli_replay_file(f, c->strict, &c->rs);
}

static void
agent_gap(void *ctx, const struct sig_gap *g)
{
	(void)ctx;
	cli_gap_note("agent", g);
}

struct agent_args {
	struct bus_conf		 bc;
	struct bus_agent_opts	 ao;
	struct geo_opts		 go;
	struct replay_args	 ra;
	char			 name[BUS_AGENT_MAX + 1];
	bool			 ship;		/* the archives themselves */
};

static int
agent_args(int argc, char **argv, struct agent_args *a)
{
	static const struct option lo[] = {
		{ "to", required_argument, NULL, 't' },
		{ "creds", required_argument, NULL, 'k' },
		{ "name", required_argument, NULL, 'n' },
		{ "view", required_argument, NULL, 'v' },
		{ "log-format", required_argument, NULL, 'L' },
		{ "ship", no_argument, NULL, 'S' },
		CLI_REPLAY_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		int h = cli_replay_opt(&a->ra, ch, optarg, "agent");

		if (h < 0)
			return EXIT_USAGE;
		if (h > 0)
			continue;
		switch (ch) {
		case 't': a->bc.url = optarg; break;
		case 'k': a->bc.creds = optarg; break;
		case 'n': a->ao.name = optarg; break;
		case 'v': a->ao.view = optarg; break;
		case 'S': a->ship = true; break;
		case 'L': if (log_format(optarg, "agent") != 0)
				return EXIT_USAGE;
			break;
		case 'h': agent_usage(stdout); return 0;
		default:
			cli_err("agent bgp: bad option '%s' (--help for "
			    "usage)", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (a->bc.url == NULL || optind >= argc) {
		cli_err("agent bgp: --to nats://HOST:PORT and FILE... are "
		    "needed (--help for usage)");
		return EXIT_USAGE;
	}
	if (a->ao.name == NULL) {
		sig_collector_from_path(argv[optind], a->name, sizeof(a->name));
		for (char *p = a->name; *p; p++)
			if (*p == '.')
				*p = '-';
		a->ao.name = bus_agent_name_ok(a->name) ? a->name : "agent";
	}
	if (!bus_agent_name_ok(a->ao.name) || (a->ao.view != NULL &&
	    !bus_agent_name_ok(a->ao.view))) {
		cli_err("agent bgp: --name and --view are [A-Za-z0-9_-], at "
		    "most %d bytes", BUS_AGENT_MAX);
		return EXIT_USAGE;
	}
	return -1;
}

/* --ship: the archives as recorded, for a consumer's --merge. */
static int
agent_ship(struct agent_args *a, char **files, size_t n)
{
	struct bus_ship_result res;
	struct bus *b = NULL;
	char err[512] = "";
	int rc;

	if ((rc = bus_open(&a->bc, &b, err, sizeof(err))) != 0) {
		cli_err("agent: %s", err);
		return EXIT_FAIL;
	}
	catch_term();
	rc = bus_agent_ship(b, a->ao.name, (const char *const *)files, n,
	    &stop_flag, &res, err, sizeof(err));
	log_event("agent", &(struct bus_event){ .event = rc == 0 ? "shipped" :
	    "stop", .reason = rc == 0 ? NULL : err, .msgs = res.msgs });
	bus_free(b);
	return rc == 0 ? 0 : EXIT_FAIL;
}

static int
agent_run(struct agent_args *a, char **files, size_t n)
{
	struct agent_cli c = { .strict = a->ao.replay.strict };
	struct bus_agent_result res;
	struct bus *b = NULL;
	struct geo *geo = NULL;
	char err[512] = "", sources[STORE_SETTINGS_MAX];
	int64_t locdb_time;
	int rc, ret = EXIT_FAIL;

	if ((rc = ingest_sources_text(&a->go, sources, sizeof(sources),
	    &locdb_time)) != 0 && rc != LL_ENOTFOUND) {
		cli_err("agent: location database: %s", ll_strerror(rc));
		return EXIT_FAIL;
	}
	if ((rc = geo_open(&a->go, &geo)) != 0) {
		cli_err("agent: location database: %s",
		    geo != NULL ? geo_errmsg(geo) : ll_strerror(rc));
		goto out;
	}
	if ((rc = bus_open(&a->bc, &b, err, sizeof(err))) != 0) {
		cli_err("agent: %s", err);
		goto out;
	}
	catch_term();
	a->ao.sig.geo = geo;
	a->ao.sources = sources;
	a->ao.stop = &stop_flag;
	a->ao.replay.on_error = cli_mrt_error;
	a->ao.replay.on_file = agent_file;
	a->ao.replay.on_gap = agent_gap;
	a->ao.replay.need_table = true;
	a->ao.replay.ctx = &c;
	rc = bus_agent_bgp(b, (const char *const *)files, n, &a->ao, &res,
	    err, sizeof(err));
	log_event("agent", &(struct bus_event){ .event = rc == 0 ?
	    "published" : "stop", .subject = NULL, .reason = rc == 0 ? NULL :
	    err, .msgs = res.msgs, .points = res.points });
	if (rc == 0 || rc == LL_EIO || rc == LL_ETRUNC || rc == LL_EFORMAT)
		ret = c.rs.fail ? EXIT_FAIL : c.rs.bad || c.rs.damaged ?
		    EXIT_DATA : 0;
out:
	bus_free(b);
	geo_free(geo);
	return ret;
}

int
cmd_agent_bgp(int argc, char **argv)
{
	struct agent_args a = { .bc = { .name = "lifeline-agent" },
	    .ao = { .sig = { .by = SIG_BY_ALL } } };
	int ret;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		agent_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "bgp") != 0) {
		cli_err("agent: unknown source '%s' (try: bgp)", argv[1]);
		return EXIT_USAGE;
	}
	a.go = (struct geo_opts){ .warn = cli_geo_warn,
	    .cache_dir = cli_cache_dir() };
	a.ra = (struct replay_args){ .so = &a.ao.sig, .ro = &a.ao.replay,
	    .go = &a.go };
	if ((ret = agent_args(argc - 1, argv + 1, &a)) >= 0)
		return ret;
	if (a.ship)
		return agent_ship(&a, argv + 1 + optind,
		    (size_t)(argc - 1 - optind));
	return agent_run(&a, argv + 1 + optind, (size_t)(argc - 1 - optind));
}

/* ---- bus status, bus publish ----------------------------------------- */

static void
bus_usage(FILE *f)
{
	fprintf(f,
	    "usage: lifeline bus status --from nats://HOST:PORT [--creds FILE]"
	    " [--durable NAME]\n"
	    "       lifeline bus publish --to nats://HOST:PORT [--creds FILE]"
	    " SUBJECT FILE\n"
	    "\n"
	    "status: the messages the points and parked streams hold, and what\n"
	    "the durable consumer has not yet been delivered or acknowledged.\n"
	    "publish: publishes FILE as one message on SUBJECT (e.g. a parked\n"
	    "message, repaired, back on lifeline.points.v1.AGENT).\n");
}

static int
bus_publish_file(struct bus *b, const char *subject, const char *path)
{
	char err[512] = "";
	size_t len = 0;
	char *data = NULL;
	FILE *f = fopen(path, "rb");
	int rc = LL_EIO;

	if (f == NULL) {
		cli_err("bus publish: %s: cannot open", path);
		return EXIT_FAIL;
	}
	data = malloc(BUS_MSG_MAX + 1);
	if (data != NULL)
		len = fread(data, 1, BUS_MSG_MAX + 1, f);
	if (data != NULL && !ferror(f) && len <= BUS_MSG_MAX)
		rc = bus_publish(b, subject, NULL, data, len, NULL, err,
		    sizeof(err));
	fclose(f);
	free(data);
	if (rc != 0)
		cli_err("bus publish: %s: %s", path, err[0] ? err :
		    "unreadable or larger than 4 MiB");
	return rc == 0 ? 0 : EXIT_FAIL;
}

int
cmd_bus(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 'f' },
		{ "creds", required_argument, NULL, 'c' },
		{ "durable", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bus_conf bc = { .name = "lifeline-bus" };
	struct bus_status s;
	struct bus *b = NULL;
	char err[512] = "";
	bool status;
	int ch, ret = EXIT_FAIL;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		bus_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "status") != 0 && strcmp(argv[1], "publish") != 0) {
		cli_err("bus: unknown subcommand '%s' (try: status, publish)",
		    argv[1]);
		return EXIT_USAGE;
	}
	status = strcmp(argv[1], "status") == 0;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc - 1, argv + 1, "h", lo, NULL)) != -1) {
		switch (ch) {
		case 'f': bc.url = optarg; break;
		case 'c': bc.creds = optarg; break;
		case 'D': bc.durable = optarg; break;
		case 'h': bus_usage(stdout); return 0;
		default:
			cli_err("bus %s: bad option '%s' (--help for usage)",
			    argv[1], argv[optind]);
			return EXIT_USAGE;
		}
	}
	if (bc.url == NULL || (status && optind != argc - 1) ||
	    (!status && optind != argc - 3)) {
		cli_err("bus %s: %s (--help for usage)", argv[1], status ?
		    "--from nats://HOST:PORT is needed" :
		    "--to nats://HOST:PORT, SUBJECT and FILE are needed");
		return EXIT_USAGE;
	}
	if (bus_open(&bc, &b, err, sizeof(err)) != 0) {
		cli_err("bus: %s", err);
		goto out;
	}
	if (!status) {
		ret = bus_publish_file(b, argv[1 + optind], argv[2 + optind]);
		goto out;
	}
	if (bus_status(b, &s, err, sizeof(err)) != 0) {
		cli_err("bus: %s", err);
		goto out;
	}
	printf("points_msgs=%" PRIu64 " points_bytes=%" PRIu64
	    " parked_msgs=%" PRIu64 " consumer=%s pending=%" PRIu64
	    " ack_pending=%" PRIu64 " delivered=%" PRIu64 "\n", s.points_msgs,
	    s.points_bytes, s.parked_msgs, s.consumer ? "yes" : "no",
	    s.pending, s.ack_pending, s.delivered);
	ret = 0;
out:
	bus_free(b);
	return ret;
}
