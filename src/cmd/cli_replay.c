/*
 * What `bgp visibility` and `ingest bgp` both say about a replayed file.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "geo/geo.h"
#include "mrt/mrt.h"
#include "signal/signal.h"
#include "util/err.h"
#include "util/time.h"

void
cli_replay_file(const struct sig_file *f, bool strict, struct replay_status *s)
{
	s->bad += f->bad;
	if (f->rc == LL_EIO && f->records == 0 && f->sys_errno != 0) {
		cli_err("%s: %s", f->path, strerror(f->sys_errno));
		s->fail = true;
	} else if (f->rc != 0 && strict && *f->errmsg == '\0') {
		cli_err("%s: stopped at the first bad record (--strict)",
		    f->path);
		s->damaged = true;
	} else if (f->rc != 0) {
		cli_err("%s: %s%s%s", f->path, ll_strerror(f->rc),
		    *f->errmsg ? ": " : "", f->errmsg);
		s->damaged = true;
	}
}

void
cli_geo_warn(void *ctx, const char *msg)
{
	(void)ctx;
	cli_warn("%s", msg);
}

int
cli_replay_opt(struct replay_args *a, int ch, const char *arg,
    const char *cmd)
{
	const char *name = NULL;

	switch (ch) {
	case 'c':
		if (strcmp(arg, "all") == 0) {
			cli_err("%s: --collector: 'all' is reserved (the "
			    "entity collector:all is all collectors)", cmd);
			return -1;
		}
		a->ro->collector = arg;
		return 1;
	case 's': a->ro->strict = true; return 1;
	case 'l': a->go->locdb = arg; return 1;
	case 'C': a->go->city_mmdb = arg; return 1;
	case 'r':
		if (a->nrir >= CLI_RIR_MAX) {
			cli_err("%s: too many --rir files", cmd);
			return -1;
		}
		a->rir[a->nrir++] = arg;
		a->go->rir = a->rir;
		return 1;
	case 'W':
		if (ll_duration_parse(arg, &a->ro->warmup) != 0 ||
		    a->ro->warmup < 1) {
			cli_err("%s: --warmup: bad duration: %s", cmd, arg);
			return -1;
		}
		return 1;
	case 'B': name = "bin"; break;
	case 'F': name = "full-feed"; break;
	case 'V': name = "visibility"; break;
	case 'm':
		cli_err("%s: --min-peers is gone: visibility is IODA's, by "
		    "full-feed peer ASes; use --visibility any|25|50|75|100 "
		    "(percent, default 50)", cmd);
		return -1;
	default:
		return 0;
	}
	if (sig_opt_parse(a->so, name, arg) != 0) {
		cli_err("%s: --%s: bad value: %s%s", cmd, name, arg,
		    ch == 'V' ? " (any, 25, 50, 75 or 100)" : "");
		return -1;
	}
	return 1;
}

void
cli_mrt_error(void *ctx, const struct mrt_error *e)
{
	(void)ctx;
	fprintf(stderr, "%s: offset %" PRIu64 ": %s\n", cli_esc(e->file),
	    e->offset, cli_esc(e->what));
}

void
cli_no_point(const struct sig_stats *st, const struct sig_opts *so,
    const char *cmd)
{
	uint32_t ff = so->ff_v4 ? so->ff_v4 : 400000;
	uint32_t max = st->max_v4, sug;

	if (max == 0) {
		cli_err("%s: no point: no peer held an IPv4 route (give a "
		    "RIB dump with its updates)", cmd);
		return;
	}
	if (so->ff_pct > 0 || max >= ff) {
		cli_err("%s: no point: the largest IPv4 table seen has %" PRIu32
		    " prefixes", cmd, max);
		return;
	}
	/* "At least N": a round value under 90% of the largest table. */
	sug = max / 10 * 9;
	if (sug >= 10000)
		sug -= sug % 1000;
	if (sug == 0)
		cli_err("%s: no peer has a full feed (at least %" PRIu32
		    " IPv4 prefixes): the largest IPv4 table seen has %" PRIu32
		    " prefixes; try --full-feed=90%%", cmd, ff, max);
	else
		cli_err("%s: no peer has a full feed (at least %" PRIu32
		    " IPv4 prefixes): the largest IPv4 table seen has %" PRIu32
		    " prefixes; try --full-feed=%" PRIu32 " (or a share of the "
		    "largest table, such as --full-feed=90%%)", cmd, ff, max,
		    sug);
}

void
cli_gap_note(const char *cmd, const struct sig_gap *g)
{
	char a[LL_ISO8601_LEN], b[LL_ISO8601_LEN];

	fprintf(stderr, "lifeline: %s: no values from %s to %s: collector "
	    "%s: %s%s\n", cmd, ll_time_fmt(g->from, a, sizeof(a)),
	    ll_time_fmt(g->to, b, sizeof(b)), g->collector, g->reason,
	    g->why == SIG_GAP_NO_TABLE ? " (give a RIB dump of it, or "
	    "--warmup)" : "");
}
