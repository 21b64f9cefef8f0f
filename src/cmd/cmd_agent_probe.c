/*
 * lifeline agent probe: the active prober (Trinocular, docs/probe.md).
 * Reads the target list and the address history, then probes round after
 * round, printing each round's points (time,kind,entity,value) and, with
 * --db, writing them into the store, one transaction a round.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "geo/geo.h"
#include "probe/probe.h"
#include "store/store.h"
#include "util/err.h"
#include "util/time.h"

#define FILE_MAX	(4ull << 30)	/* a history read whole: 4 GiB */

static volatile int stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: lifeline agent probe --targets FILE --hitlist FILE "
	    "[options]\n"
	    "\n"
	    "An active prober (Trinocular): ICMP echo requests to the /24\n"
	    "blocks of the address history that lie inside the target list,\n"
	    "in rounds; per block a belief that it is up, updated with each\n"
	    "reply or silence. Each round prints its points\n"
	    "(time,kind,entity,value): probe (per block 1 up, 0 down, 0.5\n"
	    "uncertain; per AS and country the blocks up), probe.rtt (ms),\n"
	    "probe.loss (unanswered / sent). Needs root or CAP_NET_RAW.\n"
	    "\n"
	    "Safety: nothing is probed without --targets; every address\n"
	    "outside it is refused; one global --pps cap; blocks in a new\n"
	    "random order every round.\n"
	    "\n"
	    "options:\n"
	    "  --targets FILE   the allowlist: IPv4 prefixes, one a line\n"
	    "  --hitlist FILE   USC/ISI address history (#fsdb ... hex_ip\n"
	    "                   history ...): the ever-responsive addresses\n"
	    "  --pps N          packets a second, all blocks (default 100,\n"
	    "                   at most 100000)\n"
	    "  --round SECONDS  round length (default 660, the paper's 11\n"
	    "                   minutes; shorter only for tests and labs)\n"
	    "  --timeout SECONDS  a probe unanswered this long is a loss\n"
	    "                   (default 3; decimals allowed)\n"
	    "  --rounds N       stop after N rounds (default: run until\n"
	    "                   SIGINT or SIGTERM)\n"
	    "  --by LIST        block,asn,country (default all three)\n"
	    "  --db URL         also write the points, one transaction a round\n"
	    "  --locdb FILE, --pfx2as FILE, --rir FILE: where blocks are (as\n"
	    "                   for `geo lookup`)\n"
	    "  --seed N         the random order's seed (default: the clock)\n"
	    "\n"
	    "exit status: 0 ok, 2 usage, 3 failure (a file, the socket, the\n"
	    "database).\n");
}

struct args {
	const char	*targets, *hitlist, *db;
	struct probe_opts o;
	unsigned	 by;
	bool		 seeded;
	struct geo_opts	 go;
	const char	*rir[CLI_RIR_MAX + 1];
	size_t		 nrir;
};

static bool
num(const char *s, double lo, double hi, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return errno == 0 && end != s && *end == '\0' && isfinite(*v) &&
	    *v >= lo && *v <= hi;
}

static int
by_parse(const char *s, unsigned *by)
{
	char buf[64];

	if (strlen(s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, strlen(s) + 1);
	*by = 0;
	for (char *t = strtok(buf, ","); t != NULL; t = strtok(NULL, ",")) {
		if (strcmp(t, "block") == 0)
			*by |= PROBE_BY_BLOCK;
		else if (strcmp(t, "asn") == 0)
			*by |= PROBE_BY_ASN;
		else if (strcmp(t, "country") == 0)
			*by |= PROBE_BY_COUNTRY;
		else
			return -1;
	}
	return *by != 0 ? 0 : -1;
}

/* One option's value; 0, or -1 after a usage message. */
static int
one_opt(struct args *a, int c, const char *v)
{
	double d;

	switch (c) {
	case 't': a->targets = v; return 0;
	case 'H': a->hitlist = v; return 0;
	case 'd': a->db = v; return 0;
	case 'l': a->go.locdb = v; return 0;
	case 'p': a->go.pfx2as = v; return 0;
	case 'r':
		if (a->nrir == CLI_RIR_MAX)
			break;
		a->rir[a->nrir++] = v;
		a->go.rir = a->rir;
		return 0;
	case 'P':
		if (!num(v, 1, PROBE_PPS_MAX, &d) || d != floor(d))
			break;
		a->o.pps = (unsigned)d;
		return 0;
	case 'R':
		if (!num(v, 1, 86400, &d) || d != floor(d))
			break;
		a->o.round_ms = (unsigned)d * 1000;
		return 0;
	case 'T':
		if (!num(v, 0.001, 60, &d))
			break;
		a->o.timeout_ms = (unsigned)lround(d * 1000);
		return 0;
	case 'n':
		if (!num(v, 1, 1e9, &d) || d != floor(d))
			break;
		a->o.rounds = (unsigned)d;
		return 0;
	case 's':
		if (!num(v, 0, 1e18, &d) || d != floor(d))
			break;
		a->o.seed = (uint64_t)d;
		a->seeded = true;
		return 0;
	case 'b':
		if (by_parse(v, &a->by) != 0)
			break;
		return 0;
	}
	return -1;
}

/* 0 to go on, 1 after --help, -1 after a usage error. */
static int
parse_opts(int argc, char **argv, struct args *a)
{
	static const struct option lo[] = {
		{ "targets", required_argument, NULL, 't' },
		{ "hitlist", required_argument, NULL, 'H' },
		{ "pps", required_argument, NULL, 'P' },
		{ "round", required_argument, NULL, 'R' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "rounds", required_argument, NULL, 'n' },
		{ "by", required_argument, NULL, 'b' },
		{ "db", required_argument, NULL, 'd' },
		{ "locdb", required_argument, NULL, 'l' },
		{ "pfx2as", required_argument, NULL, 'p' },
		{ "rir", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 1;
		}
		if (c == '?' || c == ':') {
			cli_err("agent probe: bad option '%s' (--help for "
			    "usage)", argv[optind - 1]);
			return -1;
		}
		if (one_opt(a, c, optarg) != 0) {
			const char *name = "?";
			for (size_t i = 0; lo[i].name != NULL; i++)
				if (lo[i].val == c)
					name = lo[i].name;
			cli_err("agent probe: --%s: bad value: %s (--help for "
			    "usage)", name, optarg);
			return -1;
		}
	}
	if (a->targets == NULL || a->hitlist == NULL || optind != argc) {
		cli_err("agent probe: %s (--help for usage)", optind != argc ?
		    "stray arguments" : "--targets FILE and --hitlist FILE are "
		    "required: nothing is probed without a target list");
		return -1;
	}
	if (a->o.timeout_ms * 2 > a->o.round_ms) {
		cli_err("agent probe: --timeout must be at most half of --round");
		return -1;
	}
	return 0;
}

/* The whole of a file; NULL after a message. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (f == NULL) {
		cli_err("agent probe: %s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1 << 16;
			char *nb = cap <= FILE_MAX ? realloc(buf, cap) : NULL;
			if (nb == NULL) {
				cli_err("agent probe: %s: larger than 4 GiB or "
				    "out of memory", path);
				goto fail;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		cli_err("agent probe: %s: read error", path);
		goto fail;
	}
	fclose(f);
	*len = n;
	return buf;
fail:
	fclose(f);
	free(buf);
	return NULL;
}

struct out {
	struct args	*a;
	struct geo	*g;
	struct store	*db;
	bool		 dbfail;
};

static int
print_point(void *ctx, const char *kind, int64_t t, const char *entity,
    double v)
{
	char ts[LL_ISO8601_LEN];

	(void)ctx;
	ll_time_fmt(t, ts, sizeof(ts));
	printf("%s,%s,%s,%.10g\n", ts, kind, entity, v);
	return 0;
}

static int
on_round(void *ctx, int64_t start, const struct probe_result *r, size_t n)
{
	struct out *o = ctx;
	int rc = probe_points(r, n, start, o->g, o->a->by, print_point, o);

	fflush(stdout);
	if (rc != 0 || o->db == NULL || o->dbfail)
		return rc;
	if ((rc = probe_store_round(o->db, r, n, start, o->g,
	    o->a->by)) != 0) {
		cli_err("agent probe: database: %s", store_errmsg(o->db));
		o->dbfail = true;	/* keep probing; say so at the end */
	}
	return 0;
}

static void
warn_line(void *ctx, const char *msg)
{
	(void)ctx;
	cli_warn("%s", msg);
}

/* The target list and the blocks; 0, or an exit status. */
static int
load(struct args *a, struct probe_targets **t, struct probe_set *set)
{
	char err[512] = "";
	size_t len;
	char *text = slurp(a->targets, &len);
	int rc;

	if (text == NULL)
		return EXIT_FAIL;
	rc = probe_targets_parse(text, len, a->targets, t, err, sizeof(err));
	free(text);
	if (rc != 0) {
		cli_err("agent probe: %s", err);
		return EXIT_FAIL;
	}
	if ((text = slurp(a->hitlist, &len)) == NULL)
		return EXIT_FAIL;
	rc = probe_set_load(text, len, a->hitlist, *t, a->o.seed, warn_line,
	    NULL, set, err, sizeof(err));
	free(text);
	if (rc != 0) {
		cli_err("agent probe: %s", err);
		return EXIT_FAIL;
	}
	cli_warn("agent probe: %zu blocks to track from %s (%" PRIu64
	    " addresses read: %" PRIu64 " refused outside --targets, %" PRIu64
	    " never responsive, %" PRIu64 " bad lines; %" PRIu64 " blocks with "
	    "fewer than %d ever-responsive addresses, %" PRIu64 " answering "
	    "too seldom)", set->n, a->hitlist, set->lines, set->refused,
	    set->never, set->bad, set->sparse, PROBE_MIN_EVER, set->unavail);
	if (set->n == 0) {
		cli_err("agent probe: no block to track: nothing to probe");
		return EXIT_FAIL;
	}
	if ((double)set->n > (double)a->o.pps * a->o.round_ms / 1000.0)
		cli_warn("agent probe: %zu blocks need more than --pps %u "
		    "allows in a round of %u s: some will not be probed every "
		    "round", set->n, a->o.pps, a->o.round_ms / 1000);
	return 0;
}

static int
run(struct args *a, struct probe_targets *t, struct probe_set *set)
{
	struct out o = { .a = a };
	struct probe_io io;
	struct probe_stats st;
	char err[512] = "";
	int rc, ret = EXIT_FAIL;

	if ((a->by & (PROBE_BY_ASN | PROBE_BY_COUNTRY)) &&
	    (rc = geo_open(&a->go, &o.g)) != 0) {
		cli_err("agent probe: location database: %s", o.g != NULL ?
		    geo_errmsg(o.g) : ll_strerror(rc));
		goto out;
	}
	if (a->db != NULL && store_open(a->db, STORE_CREATE, &o.db, err,
	    sizeof(err)) != 0) {
		cli_err("agent probe: %s", err);
		goto out;
	}
	if (probe_io_raw_open(&io, err, sizeof(err)) != 0) {
		cli_err("agent probe: %s", err);
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	a->o.stop = &stop;
	a->o.on_round = on_round;
	a->o.ctx = &o;
	printf("time,kind,entity,value\n");
	fflush(stdout);
	rc = probe_run(set, t, &io, &a->o, &st);
	probe_io_raw_close(&io);
	cli_warn("agent probe: %" PRIu64 " rounds, %" PRIu64 " probes sent, "
	    "%" PRIu64 " replies, %" PRIu64 " send errors, %" PRIu64 " refused, "
	    "%" PRIu64 " stray and %" PRIu64 " damaged packets", st.rounds,
	    st.sent, st.replies, st.send_errors, st.refused, st.stray, st.bad);
	if (rc != 0)
		cli_err("agent probe: %s", ll_strerror(rc));
	ret = rc != 0 || o.dbfail ? EXIT_FAIL : 0;
out:
	store_free(o.db);
	geo_free(o.g);
	return ret;
}

int
cmd_agent_probe(int argc, char **argv)
{
	struct args a = { .o = { .pps = PROBE_PPS_DEFAULT,
	    .round_ms = PROBE_ROUND_MS, .timeout_ms = PROBE_TIMEOUT_MS },
	    .by = PROBE_BY_BLOCK | PROBE_BY_ASN | PROBE_BY_COUNTRY,
	    .go = { .warn = cli_geo_warn, .cache_dir = cli_cache_dir() } };
	struct probe_targets *t = NULL;
	struct probe_set set = { 0 };
	int rc;

	if ((rc = parse_opts(argc, argv, &a)) != 0)
		return rc > 0 ? 0 : EXIT_USAGE;
	if (!a.seeded) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		a.o.seed = (uint64_t)ts.tv_sec * 1000000007u ^
		    (uint64_t)ts.tv_nsec ^ (uint64_t)getpid() << 32;
	}
	if ((rc = load(&a, &t, &set)) == 0)
		rc = run(&a, t, &set);
	probe_set_fini(&set);
	probe_targets_free(t);
	return rc;
}
