/*
 * The differences between two VRP snapshots: a ROA (a prefix and an AS)
 * gone, new, or with another max length. The VRPs of one prefix and AS
 * are one authorisation whose reach is their longest max length, so a
 * change is of that maximum (two VRPs of /32-48 and /32-32 authorise what
 * one /32-48 does).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "routing/routing.h"
#include "routing/routing_int.h"
#include "util/err.h"
#include "util/time.h"

/* (prefix, AS) and the longest max length of its VRPs. */
struct roa {
	struct net_prefix	p;
	uint32_t		asn;
	uint8_t			maxlen;
};

const char *
routing_vchange_name(enum routing_vchange k)
{
	static const char *const names[] = { "roa-gone", "roa-new",
	    "max-length" };

	return (unsigned)k < ROUTING_VCH_N ? names[k] : NULL;
}

/* A date YYYYMMDD in the file's name (eight digits, no more, of a real
 * day), as midnight UTC. Returns 0 or LL_ENOTFOUND. */
static int
name_date(const char *path, int64_t *out)
{
	const char *b = strrchr(path, '/');

	for (const char *s = b != NULL ? b + 1 : path; *s != '\0'; s++) {
		size_t n = 0;
		char iso[11];

		while (isdigit((unsigned char)s[n]))
			n++;
		if (n == 8) {
			snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2s", s, s + 4,
			    s + 6);
			if (ll_time_parse(iso, out) == 0)
				return 0;
		}
		s += n > 0 ? n - 1 : 0;
	}
	return LL_ENOTFOUND;
}

int
routing_vrps_time(const struct routing_vrps *v, const char *const *paths,
    size_t npaths, int64_t *out, char *err, size_t errlen)
{
	int64_t best = v->built;

	for (size_t i = 0; v->built == 0 && i < npaths; i++) {
		struct stat st;
		int64_t t;

		if (name_date(paths[i], &t) != 0) {
			if (stat(paths[i], &st) != 0) {
				snprintf(err, errlen, "%s: cannot stat: %s",
				    paths[i], strerror(errno));
				return LL_EIO;
			}
			t = (int64_t)st.st_mtime;
		}
		best = t > best ? t : best;
	}
	*out = best;
	return 0;
}

static int
cmp_roa(const struct roa *a, const struct roa *b)
{
	int c;

	if (a->p.af != b->p.af)
		return a->p.af < b->p.af ? -1 : 1;
	if ((c = memcmp(a->p.a, b->p.a, sizeof(a->p.a))) != 0)
		return c;
	if (a->p.len != b->p.len)
		return a->p.len < b->p.len ? -1 : 1;
	return a->asn < b->asn ? -1 : a->asn > b->asn;
}

static int
cmp_roa_q(const void *x, const void *y)
{
	return cmp_roa(x, y);
}

/* The ROAs of v, sorted, one per (prefix, AS). Returns 0 or LL_ENOMEM. */
static int
roas_of(const struct routing_vrps *v, struct roa **out, size_t *n)
{
	struct roa *r = malloc((v->n > 0 ? v->n : 1) * sizeof(*r));
	size_t k = 0;

	if ((*out = r) == NULL)
		return LL_ENOMEM;
	for (size_t i = 0; i < v->n; i++)
		r[i] = (struct roa){ v->v[i].p, v->v[i].asn, v->v[i].maxlen };
	if (v->n > 0)
		qsort(r, v->n, sizeof(*r), cmp_roa_q);
	for (size_t i = 0; i < v->n; i++) {
		if (k > 0 && cmp_roa(&r[k - 1], &r[i]) == 0) {
			if (r[i].maxlen > r[k - 1].maxlen)
				r[k - 1].maxlen = r[i].maxlen;
			continue;
		}
		r[k++] = r[i];
	}
	*n = k;
	return 0;
}

/* Reports one change. */
static int
change(routing_vchange_fn *fn, void *ctx, enum routing_vchange kind,
    const struct roa *o, const struct roa *n)
{
	const struct roa *r = o != NULL ? o : n;
	struct routing_vchange_ev e = { kind, r->p, r->asn,
	    o != NULL ? o->maxlen : 0, n != NULL ? n->maxlen : 0 };

	/* the side absent says 0, which a /0 VRP may also say: kind tells */

	return fn(ctx, &e);
}

int
routing_vrps_diff(const struct routing_vrps *old,
    const struct routing_vrps *new_, routing_vchange_fn *fn, void *ctx)
{
	struct roa *a = NULL, *b = NULL;
	size_t na = 0, nb = 0, i = 0, j = 0;
	int rc;

	if ((rc = roas_of(old, &a, &na)) != 0 ||
	    (rc = roas_of(new_, &b, &nb)) != 0)
		goto out;
	while (rc == 0 && (i < na || j < nb)) {
		int c = i == na ? 1 : j == nb ? -1 : cmp_roa(&a[i], &b[j]);

		if (c < 0)
			rc = change(fn, ctx, ROUTING_VCH_GONE, &a[i++], NULL);
		else if (c > 0)
			rc = change(fn, ctx, ROUTING_VCH_NEW, NULL, &b[j++]);
		else {
			if (a[i].maxlen != b[j].maxlen)
				rc = change(fn, ctx, ROUTING_VCH_MAXLEN, &a[i],
				    &b[j]);
			i++;
			j++;
		}
	}
out:
	free(a);
	free(b);
	return rc;
}
