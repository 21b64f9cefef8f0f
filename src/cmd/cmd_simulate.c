/*
 * lifeline simulate: writes real-format MRT archives (a RIB dump and
 * 5-minute update files, RIS's naming) in which a country or an AS is
 * withdrawn by every peer and comes back: the demo without a network.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "geo/geo.h"
#include "sim/sim.h"
#include "util/err.h"
#include "util/time.h"

#define DEF_START	"2011-01-27T22:00Z"
#define DEF_BACKGROUND	"US,DE,GB,FR,NL,BR,JP,IN,RU,AU,ZA,CN"
#define MAX_BG		64

static void
usage_scenario(FILE *f)
{
	fprintf(f,
	    "With --scenario, it writes ground truth for detection instead:\n"
	    "the series BGP cannot carry, as CSV for `lifeline import series`\n"
	    "(time,entity,kind,value: active probing, kind probe, every 5\n"
	    "minutes; speed tests, ndt.down, ndt.rtt, ndt.down.tests, hourly)\n"
	    "in DIR/NAME.csv, and DIR/truth.jsonl, one JSON object a line for\n"
	    "each scenario and each event in it (class, entity, start, end,\n"
	    "the bins a detector has to find it in; docs/detection.md). A\n"
	    "country, its 4 regions and 4 ASes, with a daily rhythm, noise,\n"
	    "missing points and gaps of 1-3 hours with no data. Scenarios:\n"
	    "nationwide, regional and single-as shutdowns; throttling\n"
	    "(download speed halves, RTT rises, reachability stays);\n"
	    "continuous (a 60-day shutdown with slow partial restoration);\n"
	    "exam (2-hour shutdowns on successive days); quiet (30 days of\n"
	    "three countries, no incident); all. Each has 8 days of history\n"
	    "before its events. Prints the path of each file written.\n"
	    "\n");
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: lifeline simulate --out DIR [--country CC | --asn N]\n"
	    "                         [options]\n"
	    "       lifeline simulate --scenario NAME|all --out DIR [--short]\n"
	    "                         [--seed S] [--start T]\n"
	    "\n"
	    "Writes MRT archives (RFC 6396) as a RIPE RIS collector would,\n"
	    "gzip-compressed, into DIR: bview.YYYYMMDD.HHMM.gz, a\n"
	    "TABLE_DUMP_V2 RIB dump at --start (peer index table, then one\n"
	    "RIB record per prefix with an entry from every peer), and one\n"
	    "updates.YYYYMMDD.HHMM.gz per 5 minutes of --duration\n"
	    "(BGP4MP_MESSAGE_AS4 records with BGP UPDATEs, IPv6 through\n"
	    "MP_REACH/MP_UNREACH; BGP4MP_STATE_CHANGE_AS4). Prints the path of\n"
	    "each file, one a line, for `lifeline ingest bgp`.\n"
	    "\n"
	    "The scenario: --peers synthetic full-feed peers (ASNs 65536..,\n"
	    "addresses 192.0.2.x and 2001:db8::x, every other session IPv6,\n"
	    "all carrying both families) see one table of real prefixes from\n"
	    "the IPFire location database: every announced network of the\n"
	    "country (those with an origin AS, /8../24 and /8../48), plus a\n"
	    "sample of the --background countries' networks, with their\n"
	    "origin ASes, a third of them also split into more-specifics;\n"
	    "by default about 100,000 IPv4 and 12,000 IPv6 prefixes (Egypt:\n"
	    "349 IPv4 and 37 IPv6 of 93 ASes). Smaller than a real full feed\n"
	    "(400,000+ IPv4), so give `bgp visibility` / `ingest bgp`\n"
	    "--full-feed 50%%, and --collector NAME unless DIR names one.\n"
	    "AS paths run peer, one or two of a dozen transit ASes, origin\n"
	    "(sometimes prepended).\n"
	    "Every 5 minutes, background churn (20 events a peer: path\n"
	    "changes, withdrawals re-announced within a minute; never the\n"
	    "target's prefixes). At --outage-from every peer withdraws every\n"
	    "prefix of the country (or AS), origin AS by origin AS over 90 s,\n"
	    "each peer up to 30 s later (as in Egypt on 2011-01-27), and\n"
	    "re-announces them the same way from --outage-to. One peer's\n"
	    "session resets once (Established -> Idle, back through Connect,\n"
	    "OpenSent, OpenConfirm half a minute later, then its whole table\n"
	    "again), in a file a quarter into the run away from the outage.\n"
	    "The same options and --seed give the same bytes. DIR/truth.jsonl\n"
	    "says what was withdrawn when (docs/detection.md), for measuring\n"
	    "detection; it is not listed with the archives.\n"
	    "\n");
	usage_scenario(f);
	fprintf(f,
	    "  --out DIR          where to write (created if missing)\n"
	    "  --country CC       the country that goes dark (default EG)\n"
	    "  --asn N            the AS that goes dark instead; with\n"
	    "                     --country, its networks in that country,\n"
	    "                     else those in the background countries\n"
	    "  --start T          RIB time, rounded down to 5 minutes\n"
	    "                     (default " DEF_START ")\n"
	    "  --duration D       of the update files: 90m, 2h (default 2h)\n"
	    "  --outage-from T    default start + 35 minutes\n"
	    "  --outage-to T      default start + 85 minutes; at least 5\n"
	    "                     minutes after --outage-from\n"
	    "  --peers N          1..64 (default 10)\n"
	    "  --peer-ases N      the peers share N ASes (peer i is in the\n"
	    "                     (i mod N)th; default: one AS each)\n"
	    "  --churn N          background events per peer per 5-minute\n"
	    "                     file (default 20)\n"
	    "  --seed S           (default 1)\n"
	    "  --table N          about N IPv4 and N*12%% IPv6 prefixes in all\n"
	    "                     (default 100000; the country's are all in)\n"
	    "  --table6 N         about N IPv6 prefixes instead\n"
	    "  --full-table       the table is every network of the location\n"
	    "                     database that has an origin AS, nested ones\n"
	    "                     included: the routed table as its makers saw\n"
	    "                     it (968,428 IPv4 and 177,846 IPv6 prefixes in\n"
	    "                     the 2022 database), or --table / --table6 of\n"
	    "                     them; the target is every one in --country\n"
	    "                     (or of --asn); no --background sampling\n"
	    "  --full             a modern collector's day: --full-table,\n"
	    "                     --peers 60 --peer-ases 40, --duration 1d,\n"
	    "                     --churn 460 (about 10 million update\n"
	    "                     elements, RIS's rate); options given also\n"
	    "                     win. Writes about 4 GB of MRT (0.7 GB\n"
	    "                     gzipped) in a few minutes\n"
	    "  --background LIST  countries sampled for the rest of the table\n"
	    "                     (default " DEF_BACKGROUND ")\n"
	    "  --locdb FILE       libloc database (default: the system's)\n"
	    "  --level N          gzip level 1..9 (default 1, fastest)\n"
	    "  --scenario NAME    write ground-truth series (above): NAME or\n"
	    "                     all; --start defaults to 2024-01-01T00:00Z\n"
	    "  --short            with --scenario: 2 days of history, a\n"
	    "                     12-day continuous shutdown, 3 exam days, 5\n"
	    "                     quiet days of one country (for tests)\n"
	    "\n"
	    "Times are ISO 8601: 2011-01-27T22:34Z, 2011-01-27 22:34 (UTC),\n"
	    "2011-01-28T00:34+02:00, or @epoch.\n"
	    "Takes about 2-3 s with the defaults (mostly loading the location\n"
	    "database); the files hold about 60 MB of MRT before gzip.\n"
	    "\n"
	    "exit status: 0 written, 2 usage (or the target has no announced\n"
	    "network), 3 the location database or DIR cannot be used.\n");
}

struct args {
	struct sim_opts	 o;
	const char	*locdb;
	char		 bgbuf[256];
	const char	*bg[MAX_BG + 1];
	const char	*from_s, *to_s, *start_s;
	const char	*scenario;	/* --scenario, or NULL */
	bool		 shrt;		/* --short */
	bool		 mrt_opt;	/* an option of the MRT scenario */
	bool		 full;		/* --full: defaults of a modern day */
	bool		 set_peers, set_ases, set_churn, set_duration;
};

enum { O_OUT = 256, O_COUNTRY, O_ASN, O_START, O_DURATION, O_FROM, O_TO,
    O_PEERS, O_SEED, O_TABLE, O_BG, O_LOCDB, O_LEVEL, O_PEER_ASES, O_CHURN,
    O_TABLE6, O_FULL_TABLE, O_FULL, O_SCENARIO, O_SHORT };

static int
parse_u64(const char *s, const char *name, uint64_t lo, uint64_t hi,
    uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v < lo ||
	    v > hi) {
		cli_err("simulate: %s wants a number in %llu..%llu, not '%s'",
		    name, (unsigned long long)lo, (unsigned long long)hi, s);
		return EXIT_USAGE;
	}
	*out = v;
	return 0;
}

static int
parse_cc(const char *s, char *out)
{
	if (strlen(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' ||
	    s[1] > 'Z') {
		cli_err("simulate: '%s' is not a country code (two capital "
		    "letters, ISO 3166-1)", s);
		return EXIT_USAGE;
	}
	out[0] = s[0];
	out[1] = s[1];
	out[2] = '\0';
	return 0;
}

/* Splits "US,DE,..." into a->bg, each checked. */
static int
parse_bg(struct args *a, const char *s)
{
	size_t n = 0;
	char *tok, *save = NULL;

	if (strlen(s) >= sizeof(a->bgbuf)) {
		cli_err("simulate: --background is too long");
		return EXIT_USAGE;
	}
	memcpy(a->bgbuf, s, strlen(s) + 1);
	for (tok = strtok_r(a->bgbuf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		char cc[3];

		if (parse_cc(tok, cc) != 0)
			return EXIT_USAGE;
		if (n == MAX_BG) {
			cli_err("simulate: at most %d --background countries",
			    MAX_BG);
			return EXIT_USAGE;
		}
		a->bg[n++] = tok;
	}
	a->bg[n] = NULL;
	return 0;
}

static int
parse_time(const char *s, const char *name, int64_t *out)
{
	char why[160];

	if (ll_time_parse(s, out) != 0) {
		cli_err("simulate: bad %s '%s': %s", name, s,
		    ll_time_why(s, why, sizeof(why)));
		return EXIT_USAGE;
	}
	return 0;
}

static int
parse_opt(struct args *a, int ch, const char *arg, char *cc)
{
	uint64_t v;
	int rc = 0;

	if (ch != O_OUT && ch != O_SEED && ch != O_START && ch != O_SCENARIO &&
	    ch != O_SHORT)
		a->mrt_opt = true;
	switch (ch) {
	case O_OUT:
		a->o.outdir = arg;
		break;
	case O_COUNTRY:
		rc = parse_cc(arg, cc);
		a->o.cc = cc;
		break;
	case O_ASN:
		if (strncmp(arg, "AS", 2) == 0 || strncmp(arg, "as", 2) == 0)
			arg += 2;
		rc = parse_u64(arg, "--asn", 1, UINT32_MAX, &v);
		a->o.asn = (uint32_t)v;
		break;
	case O_START:
		a->start_s = arg;
		break;
	case O_DURATION:
		a->set_duration = true;
		if (ll_duration_parse(arg, &a->o.duration) != 0 ||
		    a->o.duration < 300 || a->o.duration > 7 * 86400) {
			cli_err("simulate: --duration wants 5m..7d, not '%s'",
			    arg);
			rc = EXIT_USAGE;
		}
		break;
	case O_FROM:
		a->from_s = arg;
		break;
	case O_TO:
		a->to_s = arg;
		break;
	case O_PEERS:
		rc = parse_u64(arg, "--peers", 1, SIM_MAX_PEERS, &v);
		a->o.peers = (unsigned)v;
		a->set_peers = true;
		break;
	case O_PEER_ASES:
		rc = parse_u64(arg, "--peer-ases", 1, SIM_MAX_PEERS, &v);
		a->o.peer_ases = (unsigned)v;
		a->set_ases = true;
		break;
	case O_CHURN:
		rc = parse_u64(arg, "--churn", 1, 100000, &v);
		a->o.churn = (unsigned)v;
		a->set_churn = true;
		break;
	case O_TABLE6:
		rc = parse_u64(arg, "--table6", 1, 4000000, &v);
		a->o.table6 = (size_t)v;
		break;
	case O_FULL_TABLE:
		a->o.full_table = true;
		break;
	case O_FULL:
		a->full = true;
		a->o.full_table = true;
		break;
	case O_SCENARIO:
		a->scenario = arg;
		break;
	case O_SHORT:
		a->shrt = true;
		break;
	case O_SEED:
		rc = parse_u64(arg, "--seed", 0, UINT64_MAX, &a->o.seed);
		break;
	case O_TABLE:
		rc = parse_u64(arg, "--table", 1, 4000000, &v);
		a->o.table = (size_t)v;
		break;
	case O_BG:
		rc = parse_bg(a, arg);
		break;
	case O_LOCDB:
		a->locdb = arg;
		break;
	case O_LEVEL:
		rc = parse_u64(arg, "--level", 1, 9, &v);
		a->o.gzip_level = (int)v;
		break;
	default:
		return -1;
	}
	return rc;
}

static int
parse_times(struct args *a)
{
	int rc;

	rc = parse_time(a->start_s ? a->start_s : DEF_START, "--start",
	    &a->o.start);
	if (rc != 0)
		return rc;
	if (a->o.start < 0 || a->o.start > 4000000000LL) {
		cli_err("simulate: --start must lie in 1970..2096");
		return EXIT_USAGE;
	}
	a->o.start -= a->o.start % 300;
	a->o.outage_from = a->o.start + 35 * 60;
	a->o.outage_to = a->o.start + 85 * 60;
	if (a->from_s && (rc = parse_time(a->from_s, "--outage-from",
	    &a->o.outage_from)) != 0)
		return rc;
	if (a->to_s && (rc = parse_time(a->to_s, "--outage-to",
	    &a->o.outage_to)) != 0)
		return rc;
	if (a->o.outage_from < a->o.start ||
	    a->o.outage_to < a->o.outage_from + 300) {
		cli_err("simulate: need start <= --outage-from and "
		    "--outage-to >= --outage-from + 5 minutes");
		return EXIT_USAGE;
	}
	if (a->o.outage_from >= a->o.start + a->o.duration)
		cli_warn("simulate: the outage starts after the last update "
		    "file");
	return 0;
}

static int
parse_args(int argc, char **argv, struct args *a, char *cc)
{
	static const struct option lo[] = {
		{ "out", required_argument, NULL, O_OUT },
		{ "country", required_argument, NULL, O_COUNTRY },
		{ "asn", required_argument, NULL, O_ASN },
		{ "start", required_argument, NULL, O_START },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "outage-from", required_argument, NULL, O_FROM },
		{ "outage-to", required_argument, NULL, O_TO },
		{ "peers", required_argument, NULL, O_PEERS },
		{ "seed", required_argument, NULL, O_SEED },
		{ "table", required_argument, NULL, O_TABLE },
		{ "background", required_argument, NULL, O_BG },
		{ "locdb", required_argument, NULL, O_LOCDB },
		{ "level", required_argument, NULL, O_LEVEL },
		{ "peer-ases", required_argument, NULL, O_PEER_ASES },
		{ "churn", required_argument, NULL, O_CHURN },
		{ "table6", required_argument, NULL, O_TABLE6 },
		{ "full-table", no_argument, NULL, O_FULL_TABLE },
		{ "full", no_argument, NULL, O_FULL },
		{ "scenario", required_argument, NULL, O_SCENARIO },
		{ "short", no_argument, NULL, O_SHORT },
		{ NULL, 0, NULL, 0 },
	};
	int ch, rc;

	a->o.duration = 2 * 3600;
	a->o.peers = 10;
	a->o.seed = 1;
	a->o.table = 0;
	a->o.gzip_level = 1;
	if ((rc = parse_bg(a, DEF_BACKGROUND)) != 0)
		return rc;
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		rc = parse_opt(a, ch, optarg, cc);
		if (rc < 0) {
			cli_err("simulate: unknown or incomplete option '%s'; "
			    "see 'lifeline simulate --help'", argv[optind - 1]);
			return EXIT_USAGE;
		}
		if (rc != 0)
			return rc;
	}
	if (optind < argc) {
		cli_err("simulate: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (a->o.outdir == NULL) {
		cli_err("simulate: --out DIR is required; see 'lifeline "
		    "simulate --help'");
		return EXIT_USAGE;
	}
	if (a->scenario != NULL || a->shrt)
		return 0;	/* run_scenarios() checks the rest */
	if (a->o.cc == NULL && a->o.asn == 0)
		a->o.cc = "EG";
	if (a->o.table == 0 && !a->o.full_table)
		a->o.table = 100000;
	if (a->full) {
		if (!a->set_peers)
			a->o.peers = 60;
		if (!a->set_ases)
			a->o.peer_ases = a->o.peers * 2 / 3;
		if (!a->set_churn)
			a->o.churn = 460;
		if (!a->set_duration)
			a->o.duration = 86400;
	}
	if (a->o.peer_ases > a->o.peers) {
		cli_err("simulate: --peer-ases (%u) cannot exceed --peers (%u)",
		    a->o.peer_ases, a->o.peers);
		return EXIT_USAGE;
	}
	a->o.background = a->bg;
	return parse_times(a);
}

/* What the simulator's source callbacks get. */
struct src_ctx {
	struct geo	*g;
	const char	*locdb;		/* --locdb, or NULL */
	char		 err[512];	/* geo_loc_routes()'s reason */
};

static int
src_networks(void *ctx, const char *cc, uint8_t af, struct net_prefix **out,
    size_t *n)
{
	return geo_country_networks(((struct src_ctx *)ctx)->g, cc, af, out,
	    n);
}

static int
src_origin(void *ctx, const struct net_prefix *p, uint32_t *asn)
{
	struct net_addr a;
	struct geo_info gi;
	int rc;

	a.af = p->af;
	memcpy(a.a, p->a, sizeof(a.a));
	rc = geo_lookup(((struct src_ctx *)ctx)->g, &a, &gi);
	*asn = rc == 0 ? gi.asn : 0;
	return rc == LL_ENOTFOUND ? 0 : rc;
}

static int
src_routes(void *ctx, sim_route_fn *fn, void *fnctx)
{
	struct src_ctx *c = ctx;

	return geo_loc_routes(c->locdb, fn, fnctx, c->err, sizeof(c->err));
}

static void
on_progress(void *ctx, const char *label, uint64_t done, uint64_t total)
{
	progress_update(ctx, label, done, total);
}

static void
target_name(const struct args *a, char *buf, size_t len)
{
	if (a->o.asn != 0)
		snprintf(buf, len, "AS%u", (unsigned)a->o.asn);
	else
		snprintf(buf, len, "%s", a->o.cc);
}

static void
summary(const struct args *a, const struct sim_stats *st)
{
	char from[LL_ISO8601_LEN], to[LL_ISO8601_LEN], rs[LL_ISO8601_LEN];
	char what[32];

	target_name(a, what, sizeof(what));
	ll_time_fmt(a->o.outage_from, from, sizeof(from));
	ll_time_fmt(a->o.outage_to, to, sizeof(to));
	fprintf(stderr, "lifeline: simulate: %zu IPv4 + %zu IPv6 prefixes, %u "
	    "peers; "
	    "%s: %zu IPv4 + %zu IPv6 prefixes of %zu origin %s withdrawn "
	    "from %s, back from %s; %zu files, %llu MRT records",
	    st->v4, st->v6, a->o.peers, what, st->target_v4, st->target_v6,
	    st->target_origins, cli_plural(st->target_origins, "AS", "ASes"),
	    from, to, st->files,
	    (unsigned long long)st->records);
	if (st->reset_at != 0)
		fprintf(stderr, "; peer %u session reset at %s", st->reset_peer,
		    ll_time_fmt(st->reset_at, rs, sizeof(rs)));
	fputc('\n', stderr);
}

static void
list_files(const struct args *a, const struct sim_stats *st)
{
	char iso[LL_ISO8601_LEN];
	int64_t t;

	ll_time_fmt(a->o.start, iso, sizeof(iso));
	printf("%s/bview.%.4s%.2s%.2s.%.2s%.2s.gz\n", cli_esc(a->o.outdir),
	    iso, iso + 5, iso + 8, iso + 11, iso + 14);
	for (size_t i = 1; i < st->files; i++) {
		t = a->o.start + (int64_t)(i - 1) * 300;
		ll_time_fmt(t, iso, sizeof(iso));
		printf("%s/updates.%.4s%.2s%.2s.%.2s%.2s.gz\n",
		    cli_esc(a->o.outdir), iso, iso + 5, iso + 8, iso + 11,
		    iso + 14);
	}
}

/* True when the location database has a network of country cc. */
static bool
country_known(struct geo *g, const char *cc)
{
	static const uint8_t afs[] = { NET_AF4, NET_AF6 };

	for (size_t i = 0; i < 2; i++) {
		struct net_prefix *v = NULL;
		size_t n = 0;
		int rc = geo_country_networks(g, cc, afs[i], &v, &n);

		free(v);
		if (rc == 0 && n > 0)
			return true;
	}
	return false;
}

/* --country and each --background name a country the location database
 * has networks of; an unknown code is refused, not dropped. */
static int
check_countries(struct geo *g, const struct args *a)
{
	if (a->o.cc != NULL && !country_known(g, a->o.cc)) {
		cli_err("simulate: --country %s: the location database has no "
		    "network of that country (an ISO 3166-1 code it knows?)",
		    a->o.cc);
		return EXIT_USAGE;
	}
	for (size_t i = 0; a->bg[i] != NULL; i++)
		if (!country_known(g, a->bg[i])) {
			cli_err("simulate: --background %s: the location "
			    "database has no network of that country (an ISO "
			    "3166-1 code it knows?)", a->bg[i]);
			return EXIT_USAGE;
		}
	return 0;
}

struct asn_cc {
	uint32_t	asn;
	uint64_t	n[26 * 26];	/* networks by country */
};

static int
asn_cc_route(void *ctx, const struct net_prefix *p, uint32_t asn,
    const char *cc)
{
	struct asn_cc *c = ctx;

	(void)p;
	if (asn == c->asn && cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' &&
	    cc[1] <= 'Z' && cc[2] == '\0')
		c->n[(cc[0] - 'A') * 26 + (cc[1] - 'A')]++;
	return 0;
}

/* --asn alone: the country the AS announces most networks from, into cc
 * (3 bytes). Returns 0 or an exit code after saying why. */
static int
asn_country(struct args *a, char *cc)
{
	struct asn_cc *c = calloc(1, sizeof(*c));
	char err[256];
	size_t best = 0;
	int rc;

	if (c == NULL)
		return EXIT_FAIL;
	c->asn = a->o.asn;
	rc = geo_loc_routes(a->locdb, asn_cc_route, c, err, sizeof(err));
	for (size_t i = 1; rc == 0 && i < 26 * 26; i++)
		if (c->n[i] > c->n[best])
			best = i;
	if (rc == 0 && c->n[best] > 0) {
		cc[0] = (char)('A' + best / 26);
		cc[1] = (char)('A' + best % 26);
		cc[2] = '\0';
		a->o.cc = cc;
	} else if (rc == 0)
		cli_err("simulate: AS%u has no network in the location "
		    "database", (unsigned)a->o.asn);
	else
		cli_err("simulate: %s", err);
	free(c);
	return a->o.cc != NULL ? 0 : rc == 0 ? EXIT_USAGE : EXIT_FAIL;
}

static int
run(struct args *a)
{
	struct geo_opts go = { .locdb = a->locdb,
	    .cache_dir = cli_cache_dir() };
	struct geo *g = NULL;
	struct src_ctx sc = { NULL, a->locdb, "" };
	struct sim_source src = { &sc, src_networks, src_origin, src_routes };
	struct sim_stats st;
	struct progress prog;
	char what[32], asn_cc[3];
	int rc, ex = 0;

	if (mkdir(a->o.outdir, 0777) != 0 && errno != EEXIST) {
		cli_err("simulate: %s: %s", a->o.outdir, strerror(errno));
		return EXIT_FAIL;
	}
	rc = geo_open(&go, &g);
	if (rc != 0) {
		cli_err("simulate: location database: %s",
		    *geo_errmsg(g) ? geo_errmsg(g) : ll_strerror(rc));
		geo_free(g);
		return EXIT_FAIL;
	}
	sc.g = g;
	if ((rc = check_countries(g, a)) != 0 || (a->o.asn != 0 &&
	    a->o.cc == NULL && (rc = asn_country(a, asn_cc)) != 0)) {
		geo_free(g);
		return rc;
	}
	progress_init(&prog);
	a->o.progress = on_progress;
	a->o.progress_ctx = &prog;
	rc = sim_run(&a->o, &src, &st);
	progress_done(&prog);
	if (rc == LL_ENOTFOUND) {
		target_name(a, what, sizeof(what));
		cli_err("simulate: %s has no announced network in the "
		    "location database%s", what, a->o.asn ? " among the "
		    "countries read (add --country CC)" : "");
		ex = EXIT_USAGE;
	} else if (rc == LL_EIO) {
		cli_err("simulate: %s: %s", st.errpath, strerror(errno));
		ex = EXIT_FAIL;
	} else if (rc != 0) {
		cli_err("simulate: %s", sc.err[0] ? sc.err : ll_strerror(rc));
		ex = EXIT_FAIL;
	} else if ((rc = sim_mrt_truth(&a->o, &st)) != 0) {
		cli_err("simulate: %s: %s", st.errpath, rc == LL_EIO ?
		    strerror(errno) : ll_strerror(rc));
		ex = EXIT_FAIL;
	} else {
		list_files(a, &st);
		summary(a, &st);
	}
	geo_free(g);
	return ex;
}

/* --scenario: the ground-truth series, no location database needed. */
static int
run_scenarios(const struct args *a)
{
	struct sim_series_opts so = { .outdir = a->o.outdir,
	    .scenario = a->scenario, .seed = a->o.seed, .shrt = a->shrt };
	struct sim_series_stats st;
	size_t i;
	int rc;

	if (a->scenario == NULL) {
		cli_err("simulate: --short goes with --scenario NAME|all");
		return EXIT_USAGE;
	}
	if (a->mrt_opt) {
		cli_err("simulate: --scenario takes only --out, --short, --seed "
		    "and --start; the other options shape the MRT scenario");
		return EXIT_USAGE;
	}
	for (i = 0; sim_scenarios[i] != NULL &&
	    strcmp(sim_scenarios[i], a->scenario) != 0; i++)
		;
	if (sim_scenarios[i] == NULL && strcmp(a->scenario, "all") != 0) {
		cli_err("simulate: --scenario %s: not one of nationwide, "
		    "regional, single-as, throttling, continuous, exam, quiet, "
		    "all", a->scenario);
		return EXIT_USAGE;
	}
	if ((rc = parse_time(a->start_s ? a->start_s : "2024-01-01T00:00Z",
	    "--start", &so.start)) != 0)
		return rc;
	if (so.start < 0 || so.start > 4000000000LL) {
		cli_err("simulate: --start must lie in 1970..2096");
		return EXIT_USAGE;
	}
	so.start -= so.start % 300;
	if (mkdir(a->o.outdir, 0777) != 0 && errno != EEXIST) {
		cli_err("simulate: %s: %s", a->o.outdir, strerror(errno));
		return EXIT_FAIL;
	}
	if ((rc = sim_series_run(&so, &st)) != 0) {
		cli_err("simulate: %s: %s", st.errpath, rc == LL_EIO ?
		    strerror(errno) : ll_strerror(rc));
		return EXIT_FAIL;
	}
	for (i = 0; sim_scenarios[i] != NULL; i++)
		if (strcmp(a->scenario, "all") == 0 ||
		    strcmp(a->scenario, sim_scenarios[i]) == 0)
			printf("%s/%s.csv\n", cli_esc(a->o.outdir),
			    sim_scenarios[i]);
	printf("%s/truth.jsonl\n", cli_esc(a->o.outdir));
	fprintf(stderr, "lifeline: simulate: %zu %s, %zu %s, %llu points "
	    "(%llu left out: loss and gaps)\n", st.scenarios,
	    cli_plural(st.scenarios, "scenario", "scenarios"), st.events,
	    cli_plural(st.events, "event", "events"),
	    (unsigned long long)st.points, (unsigned long long)st.missing);
	return 0;
}

int
cmd_simulate(int argc, char **argv)
{
	struct args a;
	char cc[3];
	int rc;

	if (cli_wants_help(argc, argv)) {
		usage(stdout);
		return 0;
	}
	memset(&a, 0, sizeof(a));
	rc = parse_args(argc, argv, &a, cc);
	if (rc != 0)
		return rc;
	if (a.scenario != NULL || a.shrt)
		return run_scenarios(&a);
	return run(&a);
}
