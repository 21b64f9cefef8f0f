/*
 * What `bgp visibility` and `ingest bgp` both say about a replayed file.
 */
#include <string.h>

#include "cmd/cmd.h"
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
