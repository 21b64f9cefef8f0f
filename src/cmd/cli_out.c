/*
 * What the readers of the store (signal, export, db) print alike: CSV and
 * JSON strings, values, times (UTC or --tz), and the series of a store in
 * the order people count them (asn:2 before asn:10).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cmd/cmd.h"
#include "net/entity.h"
#include "store/store.h"
#include "util/time.h"

void
cli_csv_str(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	putc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			putc('"', f);
		putc(*s, f);
	}
	putc('"', f);
}

void
cli_json_str(FILE *f, const char *s)
{
	putc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			putc(c, f);
	}
	putc('"', f);
}

char *
cli_fmt_value(double v, char *buf, size_t len)
{
	snprintf(buf, len, "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, len, "%.17g", v);
	return buf;
}

static bool cli_tz_local;

int
cli_tz_set(const char *tz)
{
	char path[512];
	const char *dir = getenv("TZDIR");
	struct stat sb;

	if (tz == NULL || strcmp(tz, "UTC") == 0 || strcmp(tz, "Z") == 0) {
		cli_tz_local = false;
		return 0;
	}
	if (*tz == '\0' || strstr(tz, "..") != NULL || *tz == '/')
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir != NULL && *dir != '\0' ?
	    dir : "/usr/share/zoneinfo", tz);
	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
		return -1;
	if (setenv("TZ", tz, 1) != 0)
		return -1;
	tzset();
	cli_tz_local = true;
	return 0;
}

char *
cli_time_fmt(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char off[40];
	long g;

	if (!cli_tz_local || localtime_r(&tt, &tm) == NULL)
		return ll_time_fmt(t, buf, len);
	g = tm.tm_gmtoff;
	snprintf(off, sizeof(off), "%c%02ld:%02ld", g < 0 ? '-' : '+',
	    labs(g) / 3600, labs(g) / 60 % 60);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%s",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, off);
	return buf;
}

/* Byte-wise order of two prefixes: family, address, length. */
static int
prefix_cmp(const struct net_prefix *a, const struct net_prefix *b)
{
	int c;

	if (a->af != b->af)
		return a->af < b->af ? -1 : 1;
	if ((c = memcmp(a->a, b->a, sizeof(a->a))) != 0)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

int
cli_entity_cmp(const char *a, const char *b)
{
	struct entity x, y;

	if (entity_parse(a, &x) != 0 || entity_parse(b, &y) != 0)
		return strcmp(a, b);
	if (x.type != y.type)
		return x.type < y.type ? -1 : 1;
	if (x.type == ENT_ASN)
		return x.u.asn < y.u.asn ? -1 : x.u.asn > y.u.asn;
	if (x.type == ENT_PREFIX)
		return prefix_cmp(&x.u.prefix, &y.u.prefix);
	return strcmp(a, b);
}

struct series_load {
	struct cli_series	*v;
	size_t			 n, cap;
	bool			 oom;
};

static int
series_add(void *ctx, const struct store_series *s)
{
	struct series_load *l = ctx;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct cli_series *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			goto oom;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n] = (struct cli_series){ strdup(s->signal),
	    strdup(s->entity), s->points, s->first, s->last };
	if (l->v[l->n].signal == NULL || l->v[l->n].entity == NULL) {
		free(l->v[l->n].signal);
		free(l->v[l->n].entity);
		goto oom;
	}
	l->n++;
	return 0;
oom:
	l->oom = true;
	return 1;
}

static int
series_cmp(const void *pa, const void *pb)
{
	const struct cli_series *a = pa, *b = pb;
	int c = strcmp(a->signal, b->signal);

	return c != 0 ? c : cli_entity_cmp(a->entity, b->entity);
}

int
cli_series_load(struct store *st, const char *signal,
    struct cli_series **out, size_t *n)
{
	struct series_load l = { 0 };
	int rc;

	rc = store_series_list(st, signal, series_add, &l);
	if (rc != 0 || l.oom) {
		cli_series_free(l.v, l.n);
		return rc != 0 && !l.oom ? rc : -1;
	}
	if (l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), series_cmp);
	*out = l.v;
	*n = l.n;
	return 0;
}

void
cli_series_free(struct cli_series *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].signal);
		free(v[i].entity);
	}
	free(v);
}

const char *
cli_plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}
