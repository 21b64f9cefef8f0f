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
	case 'c': a->ro->collector = arg; return 1;
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
	case 'B': name = "bin"; break;
	case 'F': name = "full-feed"; break;
	case 'm': name = "min-peers"; break;
	default:
		return 0;
	}
	if (sig_opt_parse(a->so, name, arg) != 0) {
		cli_err("%s: --%s: bad value: %s", cmd, name, arg);
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
