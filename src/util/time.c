#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/time.h"

/* Days from civil date, Howard Hinnant's algorithm: no timegm() so that
 * the conversion does not depend on TZ or the libc. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

char *
ll_time_fmt(int64_t t, char *buf, size_t len)
{
	int64_t days = t / 86400, secs = t % 86400, y;
	unsigned m, d;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, len, "%04lld-%02u-%02uT%02d:%02d:%02dZ", (long long)y,
	    m, d, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
	return buf;
}

static int
num(const char **s, int digits, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < digits; i++) {
		if (!isdigit((unsigned char)**s))
			return -1;
		v = v * 10 + (unsigned)(**s - '0');
		(*s)++;
	}
	*out = v;
	return 0;
}

int
ll_time_parse(const char *s, int64_t *out)
{
	unsigned y, mo, d, h = 0, mi = 0, sec = 0;
	const char *p = s;
	char *end;

	if (s == NULL || *s == '\0')
		return LL_EFORMAT;
	if (*p == '@' || (strlen(p) > 4 && strspn(p, "0123456789") == strlen(p))) {
		if (*p == '@')
			p++;
		errno = 0;
		long long v = strtoll(p, &end, 10);
		if (end == p || *end != '\0' || errno == ERANGE)
			return LL_EFORMAT;
		*out = v;
		return 0;
	}
	if (num(&p, 4, &y) || *p++ != '-' || num(&p, 2, &mo) || *p++ != '-' ||
	    num(&p, 2, &d))
		return LL_EFORMAT;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (num(&p, 2, &h) || *p++ != ':' || num(&p, 2, &mi))
			return LL_EFORMAT;
		if (*p == ':') {
			p++;
			if (num(&p, 2, &sec))
				return LL_EFORMAT;
		}
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		return LL_EFORMAT;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	return 0;
}

int
ll_duration_parse(const char *s, int64_t *out)
{
	char *end;
	long long v, unit;

	if (s == NULL || !isdigit((unsigned char)*s))
		return LL_EFORMAT;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return LL_EFORMAT;
	switch (*end) {
	case '\0': case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	default: return LL_EFORMAT;
	}
	if (*end != '\0' && end[1] != '\0')
		return LL_EFORMAT;
	if (__builtin_mul_overflow(v, unit, &v) || v <= 0)
		return LL_EFORMAT;
	*out = v;
	return 0;
}
