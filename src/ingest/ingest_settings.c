/*
 * The settings an ingest is made with, as one canonical line of
 * space-separated name=value pairs: the signal's options (sig_opts_text())
 * and the location sources (below). The store keeps the line with each
 * archive; a run with another line is refused unless forced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "util/err.h"
#include "util/time.h"

#define YEAR	((int64_t)31557600)	/* 365.25 days */

struct line {
	char	*buf;
	size_t	 len, used;
	bool	 full;
};

/* Appends " name=value", value with ' ' and '%' escaped as %20 and %25. */
static void
put(struct line *l, const char *name, const char *value, const char *tail)
{
	char *p = l->buf + l->used;
	size_t room = l->len - l->used;
	int n = snprintf(p, room, "%s%s=", l->used ? " " : "", name);

	if (n < 0 || (size_t)n >= room) {
		l->full = true;
		return;
	}
	l->used += (size_t)n;
	for (const char *v = value; *v; v++) {
		if (l->used + 4 >= l->len) {
			l->full = true;
			return;
		}
		if (*v == ' ' || *v == '%')
			l->used += (size_t)snprintf(l->buf + l->used, 4, "%%%02X",
			    (unsigned char)*v);
		else
			l->buf[l->used++] = *v;
	}
	n = snprintf(l->buf + l->used, l->len - l->used, "%s", tail);
	if (n < 0 || (size_t)n >= l->len - l->used)
		l->full = true;
	else
		l->used += (size_t)n;
}

int
ingest_sources_text(const struct geo_opts *o, char *buf, size_t len,
    int64_t *locdb_time)
{
	struct line l = { .buf = buf, .len = len };
	const char *loc;
	char date[LL_ISO8601_LEN + 1] = "";
	int rc;

	*locdb_time = 0;
	if (len == 0)
		return LL_ELIMIT;
	buf[0] = '\0';
	if ((rc = geo_locdb_info(o, &loc, locdb_time)) != 0)
		return rc;
	if (loc != NULL) {
		if (*locdb_time > 0) {
			date[0] = '@';
			ll_time_fmt(*locdb_time, date + 1, sizeof(date) - 1);
			date[11] = '\0';	/* the day is enough */
		}
		put(&l, "locdb", loc, date);
	}
	if (o != NULL && o->city_mmdb != NULL)
		put(&l, "city", o->city_mmdb, "");
	if (o != NULL && o->rir != NULL && o->rir[0] != NULL) {
		char rir[4096];
		size_t used = 0;

		for (size_t i = 0; o->rir[i] != NULL; i++) {
			int k = snprintf(rir + used, sizeof(rir) - used, "%s%s",
			    i ? "," : "", o->rir[i]);

			if (k < 0 || (size_t)k >= sizeof(rir) - used) {
				l.full = true;
				break;
			}
			used += (size_t)k;
		}
		put(&l, "rir", rir, "");
	}
	if (o != NULL && o->pfx2as != NULL)
		put(&l, "pfx2as", o->pfx2as, "");
	if (l.full) {
		buf[0] = '\0';
		return LL_ELIMIT;
	}
	return 0;
}

/* The value of name in line ("" name absent: NULL); length in *n. */
static const char *
value_of(const char *line, const char *name, size_t nlen, size_t *n)
{
	const char *p = line;

	while (*p) {
		size_t tl = strcspn(p, " ");

		if (tl > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
			*n = tl - nlen - 1;
			return p + nlen + 1;
		}
		p += tl;
		while (*p == ' ')
			p++;
	}
	return NULL;
}

static void
add_diff(char *buf, size_t len, const char *name, size_t nlen,
    const char *v, size_t vlen)
{
	size_t used = strlen(buf);

	if (used >= len)
		return;
	snprintf(buf + used, len - used, "%s%.*s=%.*s", used ? " " : "",
	    (int)nlen, name, v != NULL ? (int)vlen : 6,
	    v != NULL ? v : "(none)");
}

/* Adds to the buffers each name of x that differs in y; counts them. */
static int
diff_names(const char *x, const char *y, char *xbuf, char *ybuf,
    size_t len, bool only_missing)
{
	const char *p = x;
	int n = 0;

	while (*p) {
		size_t tl = strcspn(p, " "), nl = strcspn(p, "=");
		size_t xl = 0, yl = 0;
		const char *xv, *yv;

		if (nl > tl)
			nl = tl;
		xv = value_of(x, p, nl, &xl);
		yv = value_of(y, p, nl, &yl);
		if ((only_missing && yv == NULL) || (!only_missing &&
		    (yv == NULL || xl != yl || memcmp(xv, yv, xl) != 0))) {
			add_diff(xbuf, len, p, nl, xv, xl);
			add_diff(ybuf, len, p, nl, yv, yl);
			n++;
		}
		p += tl;
		while (*p == ' ')
			p++;
	}
	return n;
}

int
ingest_settings_diff(const char *a, const char *b, char *abuf, char *bbuf,
    size_t len)
{
	int n;

	if (len == 0)
		return 0;
	abuf[0] = bbuf[0] = '\0';
	n = diff_names(a, b, abuf, bbuf, len, false);
	return n + diff_names(b, a, bbuf, abuf, len, true);
}

bool
ingest_locdb_far(int64_t locdb, int64_t data, char *msg, size_t len)
{
	char a[LL_ISO8601_LEN], b[LL_ISO8601_LEN];
	int64_t d = locdb > data ? locdb - data : data - locdb;

	if (locdb <= 0 || data <= 0 || d < 2 * YEAR)
		return false;
	ll_time_fmt(locdb, a, sizeof(a));
	ll_time_fmt(data, b, sizeof(b));
	a[10] = b[10] = '\0';
	snprintf(msg, len, "the location database (made %s) is %lld years "
	    "%s the data (%s): prefixes are placed where they were in %.4s, "
	    "not where they were then", a, (long long)(d / YEAR),
	    locdb > data ? "after" : "before", b, a);
	return true;
}
