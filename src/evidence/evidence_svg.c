/*
 * A chart of one series as SVG, for the export bundle: the points as a
 * line, the incident shaded, the baseline dashed. Written by hand rather
 * than through a plotting library for two reasons: the bundle's check
 * makes every chart again from the signed records and compares bytes, so
 * the output must depend on nothing but the numbers (no library version,
 * font metrics or locale); and a reviewer can read the file and see that
 * it draws exactly the CSV beside it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/evidence_int.h"
#include "util/time.h"

#define W	800.0	/* the plot's frame */
#define H	300.0
#define LEFT	70.0
#define RIGHT	20.0
#define TOP	40.0
#define BOTTOM	40.0

struct svg {
	char	*buf;
	size_t	 len, cap;
	int	 bad;
};

static void
put(struct svg *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
put(struct svg *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->bad)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(s->buf + s->len, s->cap - s->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			s->bad = 1;
			return;
		}
		if ((size_t)n < s->cap - s->len)
			break;
		char *nb = realloc(s->buf, s->cap * 2 + (size_t)n);

		if (nb == NULL) {
			s->bad = 1;
			return;
		}
		s->buf = nb;
		s->cap = s->cap * 2 + (size_t)n;
	}
	s->len += (size_t)n;
}

/* Text for an SVG element: & < > " escaped. */
static void
put_text(struct svg *s, const char *t)
{
	for (; *t != '\0'; t++) {
		if (*t == '&')
			put(s, "&amp;");
		else if (*t == '<')
			put(s, "&lt;");
		else if (*t == '>')
			put(s, "&gt;");
		else if (*t == '"')
			put(s, "&quot;");
		else
			put(s, "%c", *t);
	}
}

/* The scales: time to x, value to y. */
struct scale {
	int64_t	 t0, t1;
	double	 vmax;
};

static double
sx(const struct scale *k, int64_t t)
{
	if (t < k->t0)
		t = k->t0;
	if (t > k->t1)
		t = k->t1;
	return LEFT + (W - LEFT - RIGHT) * (double)(t - k->t0) /
	    (double)(k->t1 - k->t0);
}

static double
sy(const struct scale *k, double v)
{
	return TOP + (H - TOP - BOTTOM) * (1 - v / k->vmax);
}

static void
axes(struct svg *s, const struct scale *k)
{
	char a[LL_ISO8601_LEN], b[LL_ISO8601_LEN];

	put(s, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
	    "stroke=\"#000\"/>\n", LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM);
	put(s, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
	    "stroke=\"#000\"/>\n", LEFT, TOP, LEFT, H - BOTTOM);
	put(s, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.6g</text>\n",
	    LEFT - 4, TOP + 4, k->vmax);
	put(s, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">0</text>\n",
	    LEFT - 4, H - BOTTOM + 4);
	put(s, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", LEFT, H - 12,
	    ll_time_fmt(k->t0, a, sizeof(a)));
	put(s, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
	    W - RIGHT, H - 12, ll_time_fmt(k->t1, b, sizeof(b)));
}

static void
series_line(struct svg *s, const struct scale *k, const int64_t *t,
    const double *v, size_t n)
{
	put(s, "<polyline fill=\"none\" stroke=\"#1f4e9c\" "
	    "stroke-width=\"1.5\" points=\"");
	for (size_t i = 0; i < n; i++)
		put(s, "%s%.1f,%.1f", i > 0 ? " " : "", sx(k, t[i]),
		    sy(k, v[i]));
	put(s, "\"/>\n");
}

char *
ev_chart_svg(const char *signal, const char *entity, int64_t id,
    const int64_t *t, const double *v, size_t n, int64_t start,
    int64_t end, double baseline, size_t *len)
{
	struct svg s = { .cap = 4096 };
	struct scale k = { .vmax = baseline > 0 ? baseline : 0 };
	double x0, x1;

	if ((s.buf = malloc(s.cap)) == NULL)
		return NULL;
	k.t0 = n > 0 ? t[0] : start;
	k.t1 = n > 0 ? t[n - 1] : start + 1;
	if (k.t1 <= k.t0)
		k.t1 = k.t0 + 1;
	for (size_t i = 0; i < n; i++)
		if (v[i] > k.vmax)
			k.vmax = v[i];
	k.vmax = k.vmax > 0 ? k.vmax * 1.05 : 1;
	put(&s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "
	    "xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
	    "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
	    "font-family=\"sans-serif\" font-size=\"11\">\n<title>", W, H, W,
	    H);
	put_text(&s, signal);
	put(&s, " ");
	put_text(&s, entity);
	put(&s, ", incident %lld</title>\n", (long long)id);
	x0 = sx(&k, start);
	x1 = end != 0 ? sx(&k, end) : W - RIGHT;
	put(&s, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
	    "fill=\"#f4a6a6\" fill-opacity=\"0.5\"><title>incident %lld"
	    "</title></rect>\n", x0, TOP, x1 > x0 ? x1 - x0 : 1, H - TOP -
	    BOTTOM, (long long)id);
	axes(&s, &k);
	if (baseline > 0)
		put(&s, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		    "stroke=\"#555\" stroke-dasharray=\"6,4\"><title>baseline "
		    "%.6g</title></line>\n", LEFT, sy(&k, baseline), W - RIGHT,
		    sy(&k, baseline), baseline);
	series_line(&s, &k, t, v, n);
	put(&s, "<text x=\"%.1f\" y=\"20\" font-size=\"13\">", LEFT);
	put_text(&s, signal);
	put(&s, " of ");
	put_text(&s, entity);
	put(&s, ": incident %lld shaded%s</text>\n</svg>\n", (long long)id,
	    baseline > 0 ? ", baseline dashed" : "");
	if (s.bad) {
		free(s.buf);
		return NULL;
	}
	*len = s.len;
	return s.buf;
}
