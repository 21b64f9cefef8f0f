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

/* "Z", "+HH:MM", "-HH:MM", "+HHMM", "+HH" or nothing (UTC) at *p: the
 * offset east of UTC in seconds. 0 or LL_EFORMAT (an offset beyond 18 h,
 * minutes over 59). */
static int
time_offset(const char **p, int64_t *off)
{
	unsigned h, m = 0;
	int sign;

	*off = 0;
	if (**p == 'Z' || **p == 'z') {
		(*p)++;
		return 0;
	}
	if (**p != '+' && **p != '-')
		return 0;
	sign = **p == '-' ? -1 : 1;
	(*p)++;
	if (num(p, 2, &h))
		return LL_EFORMAT;
	if (**p == ':')
		(*p)++;
	if (**p != '\0' && num(p, 2, &m))
		return LL_EFORMAT;
	if (h > 18 || m > 59)
		return LL_EFORMAT;
	*off = sign * (int64_t)(h * 3600 + m * 60);
	return 0;
}

/* The fields of "YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|+HH:MM|-HH:MM]":
 * year, month, day, hour, minute, second (0 when absent), and the offset
 * east of UTC. Fractions of a second are dropped (bins are whole
 * seconds). Syntax only: 0 or LL_EFORMAT. */
static int
time_fields(const char *p, unsigned f[6], int64_t *off)
{
	f[3] = f[4] = f[5] = 0;
	*off = 0;
	if (num(&p, 4, &f[0]) || *p++ != '-' || num(&p, 2, &f[1]) ||
	    *p++ != '-' || num(&p, 2, &f[2]))
		return LL_EFORMAT;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (num(&p, 2, &f[3]) || *p++ != ':' || num(&p, 2, &f[4]))
			return LL_EFORMAT;
		if (*p == ':') {
			p++;
			if (num(&p, 2, &f[5]))
				return LL_EFORMAT;
			if (*p == '.' || *p == ',') {
				p++;
				if (!isdigit((unsigned char)*p))
					return LL_EFORMAT;
				while (isdigit((unsigned char)*p))
					p++;
			}
		}
		if (time_offset(&p, off) != 0)
			return LL_EFORMAT;
	} else if (*p == 'Z' || *p == 'z')
		p++;
	return *p == '\0' ? 0 : LL_EFORMAT;
}

/*
 * 0 when the fields name a real instant: a day the month has (2011-02-29
 * and 2011-04-31 are not days, rather than days of March and May), hours
 * 00-23, minutes and seconds 00-59 (epoch time counts no leap second).
 * Otherwise LL_EFORMAT, with the reason in why (may be NULL).
 */
static int
time_range(const unsigned f[6], char *why, size_t len)
{
	static const char *const month[] = { "January", "February", "March",
	    "April", "May", "June", "July", "August", "September", "October",
	    "November", "December" };
	static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	unsigned leap = f[0] % 4 == 0 && (f[0] % 100 != 0 ||
	    f[0] % 400 == 0);
	unsigned dim;

	if (f[1] < 1 || f[1] > 12) {
		if (why != NULL)
			snprintf(why, len, "no month %02u (01-12)", f[1]);
		return LL_EFORMAT;
	}
	dim = mdays[f[1] - 1] + (f[1] == 2 && leap);
	if (f[2] < 1 || f[2] > dim) {
		if (why != NULL)
			snprintf(why, len, "no such date: %s %04u has %u days",
			    month[f[1] - 1], f[0], dim);
		return LL_EFORMAT;
	}
	if (f[3] > 23 || f[4] > 59 || f[5] > 59) {
		if (why != NULL)
			snprintf(why, len, "no such time of day: %02u:%02u:%02u "
			    "(hours 00-23, minutes and seconds 00-59)", f[3],
			    f[4], f[5]);
		return LL_EFORMAT;
	}
	return 0;
}

int
ll_time_parse(const char *s, int64_t *out)
{
	const char *p = s;
	unsigned f[6];
	int64_t off;
	char *end;

	if (s == NULL || *s == '\0')
		return LL_EFORMAT;
	if (*p == '@') {
		p++;
		if (!isdigit((unsigned char)*p) && *p != '-')
			return LL_EFORMAT;
		errno = 0;
		long long v = strtoll(p, &end, 10);
		if (end == p || *end != '\0' || errno == ERANGE)
			return LL_EFORMAT;
		*out = v;
		return 0;
	}
	if (time_fields(p, f, &off) != 0 || time_range(f, NULL, 0) != 0)
		return LL_EFORMAT;
	*out = days_from_civil(f[0], f[1], f[2]) * 86400 + f[3] * 3600 +
	    f[4] * 60 + f[5] - off;
	return 0;
}

char *
ll_time_why(const char *s, char *buf, size_t len)
{
	unsigned f[6];
	int64_t t, off;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (s != NULL && ll_time_parse(s, &t) == 0)
		return buf;
	if (s != NULL && time_fields(s, f, &off) == 0 &&
	    time_range(f, buf, len) != 0)
		return buf;
	if (s != NULL && *s != '\0' && strspn(s, "0123456789") == strlen(s)) {
		snprintf(buf, len, "a bare number is not a time (a date is "
		    "YYYY-MM-DD; epoch seconds are written @%s)", s);
		return buf;
	}
	snprintf(buf, len, "not a time (use YYYY-MM-DD, "
	    "YYYY-MM-DDTHH:MM[:SS[.fff]](Z|+HH:MM) or @EPOCH)");
	return buf;
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
