/*
 * Signal options given as text (the CLI's --bin, --full-feed,
 * --visibility, --by), parsed once for every command that computes the
 * signal.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "signal/signal.h"
#include "util/err.h"
#include "util/time.h"

static int
parse_full_feed(struct sig_opts *o, const char *val)
{
	size_t n = strlen(val);
	char *end;

	if (n == 0)
		return LL_EINVAL;
	errno = 0;
	if (val[n - 1] == '%') {
		double pct = strtod(val, &end);

		if (errno || end != val + n - 1 || !(pct > 0 && pct <= 100))
			return LL_EINVAL;
		o->ff_pct = pct;
		return 0;
	} else {
		unsigned long long v = strtoull(val, &end, 10);

		if (errno || *end != '\0' || val[0] == '-' || v == 0 ||
		    v > UINT32_MAX)
			return LL_EINVAL;
		o->ff_v4 = (uint32_t)v;
		o->ff_pct = 0;
		return 0;
	}
}

/* IODA's thresholds: any, 25, 50, 75, 100 (percent, "%" allowed). */
static int
parse_visibility(struct sig_opts *o, const char *val)
{
	static const char *const pct[] = { "25", "50", "75", "100" };
	size_t n = strlen(val);

	if (strcmp(val, "any") == 0) {
		o->visibility = SIG_VIS_ANY;
		return 0;
	}
	if (n > 0 && val[n - 1] == '%')
		n--;
	for (size_t i = 0; i < sizeof(pct) / sizeof(pct[0]); i++) {
		if (strlen(pct[i]) == n && strncmp(val, pct[i], n) == 0) {
			o->visibility = 25 * ((int)i + 1);
			return 0;
		}
	}
	return LL_EINVAL;
}

static int
parse_by(struct sig_opts *o, const char *val)
{
	unsigned by = 0;

	while (*val) {
		size_t n = strcspn(val, ",");

		if (n == 7 && strncmp(val, "country", n) == 0)
			by |= SIG_BY_COUNTRY;
		else if (n == 6 && strncmp(val, "region", n) == 0)
			by |= SIG_BY_REGION;
		else if (n == 3 && strncmp(val, "asn", n) == 0)
			by |= SIG_BY_ASN;
		else if (n == 3 && strncmp(val, "all", n) == 0)
			by |= SIG_BY_ALL;
		else
			return LL_EINVAL;
		val += n;
		if (*val == ',')
			val++;
	}
	if (by == 0)
		return LL_EINVAL;
	o->by = by;
	return 0;
}

int
sig_opt_parse(struct sig_opts *o, const char *name, const char *val)
{
	if (strcmp(name, "bin") == 0) {
		int64_t d;

		if (ll_duration_parse(val, &d) != 0 || d < 1 ||
		    d > 86400 * 366)
			return LL_EINVAL;
		o->bin = d;
		return 0;
	}
	if (strcmp(name, "full-feed") == 0)
		return parse_full_feed(o, val);
	if (strcmp(name, "visibility") == 0)
		return parse_visibility(o, val);
	if (strcmp(name, "by") == 0)
		return parse_by(o, val);
	return LL_EINVAL;
}
