/*
 * impact's helpers: strings built in memory, series and baselines read
 * from the store.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impact/impact_int.h"
#include "util/err.h"
#include "util/grow.h"
#include "util/time.h"

void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->p != NULL ? b->p + b->len : NULL, room, fmt,
		    ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		if (ll_grow(&b->p, &b->cap, b->len + (size_t)n + 1, 1) != 0) {
			b->oom = true;
			return;
		}
	}
}

void
sb_json_str(struct sbuf *b, const char *s)
{
	sb_printf(b, "\"");
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			sb_printf(b, "\\%c", c);
		else if (c < 0x20)
			sb_printf(b, "\\u%04x", c);
		else
			sb_printf(b, "%c", c);
	}
	sb_printf(b, "\"");
}

void
sb_json_num(struct sbuf *b, double v)
{
	char t[40];

	if (!isfinite(v)) {
		sb_printf(b, "null");
		return;
	}
	snprintf(t, sizeof(t), "%.15g", v);
	if (strtod(t, NULL) != v)
		snprintf(t, sizeof(t), "%.17g", v);
	sb_printf(b, "%s", t);
}

char *
sb_take(struct sbuf *b)
{
	char *p;

	if (b->oom || (b->p == NULL && (sb_printf(b, "%s", ""), b->oom))) {
		sb_fini(b);
		return NULL;
	}
	p = b->p;
	memset(b, 0, sizeof(*b));
	return p;
}

void
sb_fini(struct sbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static int
iser_add(void *ctx, const struct store_point *p)
{
	struct iser *z = ctx;

	if (ll_grow(&z->t, &z->tcap, z->n + 1, sizeof(*z->t)) != 0 ||
	    ll_grow(&z->v, &z->vcap, z->n + 1, sizeof(*z->v)) != 0)
		return LL_ENOMEM;
	z->t[z->n] = p->time;
	z->v[z->n++] = p->value;
	return 0;
}

int
iser_load(struct store *s, const char *signal, const char *entity,
    int64_t from, int64_t to, struct iser *z)
{
	z->n = 0;
	return store_points_scan(s, signal, entity, from, to, iser_add, z);
}

bool
iser_at(const struct iser *z, int64_t t, double *v)
{
	size_t lo = 0, hi = z->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (z->t[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < z->n && z->t[lo] == t) {
		*v = z->v[lo];
		return true;
	}
	return false;
}

void
iser_fini(struct iser *z)
{
	free(z->t);
	free(z->v);
	memset(z, 0, sizeof(*z));
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double
imp_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), dbl_cmp);
	return n % 2 != 0 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct pin_find {
	const char	*entity;
	struct ibase	*b;
};

static int
pin_one(void *ctx, const struct store_baseline *bl)
{
	struct pin_find *f = ctx;

	if (strcmp(bl->entity, f->entity) != 0)
		return 0;
	f->b->ok = bl->value > 0;
	f->b->value = bl->value;
	f->b->source = "pinned";
	f->b->from = bl->from;
	f->b->to = bl->to;
	snprintf(f->b->who, sizeof(f->b->who), "%s", bl->who);
	return 1;
}

int
ibase_get(struct store *s, const char *signal, const char *entity,
    int64_t before, int64_t window, struct ibase *b)
{
	struct pin_find f = { entity, b };
	struct iser z = { 0 };
	int rc;

	memset(b, 0, sizeof(*b));
	rc = store_baseline_list(s, signal, pin_one, &f);
	if (rc == 1)
		return 0;
	if (rc != 0)
		return rc;
	if ((rc = iser_load(s, signal, entity, before - window, before,
	    &z)) != 0)
		goto out;
	b->source = "median";
	b->from = before - window;
	b->to = before;
	b->points = z.n;
	if (z.n > 0) {
		b->value = imp_median(z.v, z.n);
		b->ok = b->value > 0;
	}
out:
	iser_fini(&z);
	return rc;
}

void
ibase_json(struct sbuf *b, const struct ibase *bl)
{
	char t1[LL_ISO8601_LEN], t2[LL_ISO8601_LEN];

	sb_printf(b, "\"baseline\":");
	sb_json_num(b, bl->ok ? bl->value : NAN);
	sb_printf(b, ",\"baseline_source\":\"%s\",\"baseline_from\":\"%s\","
	    "\"baseline_to\":\"%s\"", bl->source != NULL ? bl->source : "none",
	    ll_time_fmt(bl->from, t1, sizeof(t1)),
	    ll_time_fmt(bl->to, t2, sizeof(t2)));
	if (bl->source != NULL && strcmp(bl->source, "pinned") == 0) {
		sb_printf(b, ",\"pinned_by\":");
		sb_json_str(b, bl->who);
	} else
		sb_printf(b, ",\"baseline_points\":%zu", bl->points);
}

static int
iser_any(void *ctx, const struct store_point *p)
{
	(void)ctx;
	(void)p;
	return 1;
}

const char *
imp_kind(struct store *s, const char *family, const char *entity,
    int64_t from, int64_t to)
{
	static const char *const v4[] = { "bgp", "series.bgp", "ioda.bgp",
	    NULL };
	static const char *const v6[] = { "bgp6", "series.bgp6", NULL };
	const char *const *k = strcmp(family, "bgp6") == 0 ? v6 : v4;

	for (; *k != NULL; k++)
		if (store_points_scan(s, *k, entity, from, to, iser_any,
		    NULL) == 1)
			return *k;
	return NULL;
}
