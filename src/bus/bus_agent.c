/*
 * The agent (bus.h): replay archives near the data, publish the points.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bus/bus.h"
#include "util/err.h"

struct agent {
	struct bus			*b;
	const struct bus_agent_opts	*o;
	struct bus_agent_result		*res;
	struct bus_enc			*enc;
	char				 subject[128];
	char				*err;
	size_t				 errlen;
	int				 netrc;
};

static int
flush(struct agent *a)
{
	const char *data, *id;
	size_t len;
	bool dup = false;
	int rc;

	if (bus_enc_points(a->enc) == 0)
		return 0;
	a->res->points += bus_enc_points(a->enc);
	if ((rc = bus_enc_finish(a->enc, &data, &len, &id)) != 0)
		return rc;
	if ((rc = bus_publish(a->b, a->subject, id, data, len, &dup, a->err,
	    a->errlen)) != 0)
		return a->netrc = rc;
	a->res->msgs++;
	a->res->dups += dup;
	a->res->bytes += len;
	return 0;
}

static int
on_point(void *ctx, const char *kind, int64_t t, const char *entity,
    uint64_t v)
{
	struct agent *a = ctx;
	char k[STORE_KEY_MAX];
	int rc;

	if (a->o->stop != NULL && *a->o->stop)
		return LL_EINTR;
	if (a->o->view != NULL) {
		if ((size_t)snprintf(k, sizeof(k), "%s@%s", kind, a->o->view) >=
		    sizeof(k))
			return LL_EINVAL;
		kind = k;
	}
	if ((rc = bus_enc_point(a->enc, kind, t, entity, v)) != 0)
		return rc;
	return bus_enc_points(a->enc) >= BUS_MSG_POINTS ? flush(a) : 0;
}

/* The run's key: what makes its message ids stable across re-runs. */
static int
run_key(const struct bus_agent_opts *o, const char *settings,
    const char *const *files, size_t n, char *hex)
{
	size_t cap = 256 + strlen(settings), len = 0;
	char *buf = malloc(cap);
	int rc;

	if (buf == NULL)
		return LL_ENOMEM;
	len = (size_t)snprintf(buf, cap, "%s\n%s\n%s\n", o->name, settings,
	    o->view != NULL ? o->view : "");
	for (size_t i = 0; i < n; i++) {
		const char *base = strrchr(files[i], '/');
		struct stat sb;
		size_t need = strlen(files[i]) + 32;

		if (stat(files[i], &sb) != 0)
			sb.st_size = 0;
		if (len + need >= cap) {
			char *nb = realloc(buf, (cap = 2 * (len + need)));

			if (nb == NULL) {
				free(buf);
				return LL_ENOMEM;
			}
			buf = nb;
		}
		len += (size_t)snprintf(buf + len, cap - len, "%s %jd\n",
		    base != NULL ? base + 1 : files[i], (intmax_t)sb.st_size);
	}
	rc = ingest_sha256_bytes(buf, len, hex);
	hex[24] = '\0';		/* 96 bits name a run well enough */
	free(buf);
	return rc;
}

static int
settings_line(struct sig *s, const struct bus_agent_opts *o, char *buf,
    size_t len)
{
	size_t used;

	if (sig_opts_text(s, buf, len) != 0)
		return LL_ELIMIT;
	used = strlen(buf);
	if (o->sources != NULL && *o->sources != '\0' &&
	    (size_t)snprintf(buf + used, len - used, " %s", o->sources) >=
	    len - used)
		return LL_ELIMIT;
	used = strlen(buf);
	if (o->replay.warmup > 0 && (size_t)snprintf(buf + used, len - used,
	    " warmup=%lld", (long long)o->replay.warmup) >= len - used)
		return LL_ELIMIT;
	return 0;
}

int
bus_agent_bgp(struct bus *b, const char *const *files, size_t n,
    const struct bus_agent_opts *o, struct bus_agent_result *res,
    char *err, size_t errlen)
{
	struct agent a = { .b = b, .o = o, .res = res, .err = err,
	    .errlen = errlen };
	struct sig *s = NULL;
	char settings[STORE_SETTINGS_MAX], key[STORE_SHA256_HEX];
	int rc;

	memset(res, 0, sizeof(*res));
	if (!bus_agent_name_ok(o->name) || (o->view != NULL &&
	    !bus_agent_name_ok(o->view))) {
		snprintf(err, errlen, "agent and view names are [A-Za-z0-9_-], "
		    "at most %d bytes", BUS_AGENT_MAX);
		return LL_EINVAL;
	}
	snprintf(a.subject, sizeof(a.subject), BUS_SUBJECT_V1 "%s", o->name);
	if ((rc = sig_new(&o->sig, on_point, &a, &s)) != 0 ||
	    (rc = settings_line(s, o, settings, sizeof(settings))) != 0 ||
	    (rc = run_key(o, settings, files, n, key)) != 0 ||
	    (rc = bus_enc_new(o->name, key, settings, &a.enc)) != 0) {
		snprintf(err, errlen, "%s", ll_strerror(rc));
		goto out;
	}
	rc = sig_replay(s, files, n, &o->replay);
	if (a.netrc != 0)
		rc = a.netrc;
	else if (rc == 0 || rc == LL_EIO || rc == LL_ETRUNC ||
	    rc == LL_EFORMAT) {
		int frc = flush(&a);	/* damaged files: their sound part */

		if (frc != 0)
			rc = frc;
	}
	if (rc != 0 && err[0] == '\0')
		snprintf(err, errlen, "%s", rc == LL_EINTR ? "stopped" :
		    ll_strerror(rc));
	res->stats = *sig_get_stats(s);
out:
	bus_enc_free(a.enc);
	sig_free(s);
	return rc;
}
