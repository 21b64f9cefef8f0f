/*
 * The prober's inputs: the target list (the allowlist of prefixes no
 * probe may leave) and the address response history in the USC/ISI
 * format, from which the blocks to track are built. Both are read as
 * untrusted text: lines are bounded, every field is checked, and nothing
 * sized from the input is allocated without a cap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "probe/probe.h"
#include "probe/probe_int.h"
#include "util/err.h"
#include "util/grow.h"

#define LINE_MAX_LEN	PROBE_LINE_MAX
#define TARGETS_MAX	(1u << 20)
#define HIST_LINES_MAX	(64ull << 20)
#define HIST_COLS_MAX	16
#define HIST_BITS_MAX	256		/* censuses in a history */

struct range {
	uint32_t	lo, hi;			/* inclusive */
};

struct probe_targets {
	struct range	*r;
	size_t		 n;
};

int
probe_next_line(const char *text, size_t len, size_t *at, struct probe_line *l)
{
	if (*at >= len)
		return 0;
	const char *p = text + *at;
	const char *nl = memchr(p, '\n', len - *at);
	size_t n = nl != NULL ? (size_t)(nl - p) : len - *at;

	*at += n + (nl != NULL);
	if (n > 0 && p[n - 1] == '\r')
		n--;
	l->p = p;
	l->len = n;
	l->no++;
	return 1;
}

/* The line without comment and surrounding blanks, NUL-terminated in buf
 * (LINE_MAX_LEN + 1). Returns its length, or -1 (too long, a NUL). */
int
probe_line_text(const struct probe_line *l, bool comments, char *buf)
{
	size_t n = l->len;

	if (n > LINE_MAX_LEN || memchr(l->p, '\0', n) != NULL)
		return -1;
	memcpy(buf, l->p, n);
	buf[n] = '\0';
	char *hash = comments ? strchr(buf, '#') : NULL;
	if (hash != NULL)
		*hash = '\0';
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = '\0';
	size_t s = strspn(buf, " \t");
	memmove(buf, buf + s, n - s + 1);
	return (int)(n - s);
}

static int
range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static uint32_t
be32(const uint8_t *a)
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
	    (uint32_t)a[2] << 8 | a[3];
}

/* Sorts and merges overlapping or adjacent ranges. */
static void
targets_merge(struct probe_targets *t)
{
	size_t k = 0;

	qsort(t->r, t->n, sizeof(*t->r), range_cmp);
	for (size_t i = 0; i < t->n; i++) {
		if (k > 0 && (t->r[k - 1].hi == UINT32_MAX ||
		    t->r[i].lo <= t->r[k - 1].hi + 1)) {
			if (t->r[i].hi > t->r[k - 1].hi)
				t->r[k - 1].hi = t->r[i].hi;
			continue;
		}
		t->r[k++] = t->r[i];
	}
	t->n = k;
}

static int
target_line(struct probe_targets *t, size_t *cap, const char *s,
    const char **why)
{
	struct net_prefix p;

	if (net_prefix_parse(s, &p) != 0) {
		*why = "not an IPv4 prefix or address";
		return LL_EFORMAT;
	}
	if (p.af != NET_AF4) {
		*why = "IPv6 is not probed";
		return LL_EFORMAT;
	}
	if (t->n >= TARGETS_MAX) {
		*why = "more than 1M prefixes";
		return LL_ELIMIT;
	}
	if (ll_grow(&t->r, cap, t->n + 1, sizeof(*t->r)) != 0)
		return LL_ENOMEM;
	uint32_t lo = be32(p.a);
	uint32_t span = p.len == 0 ? UINT32_MAX : (1u << (32 - p.len)) - 1;
	t->r[t->n++] = (struct range){ lo, lo + span };
	return 0;
}

int
probe_targets_parse(const char *text, size_t len, const char *name,
    struct probe_targets **out, char *err, size_t errlen)
{
	struct probe_targets *t = calloc(1, sizeof(*t));
	struct probe_line l = { 0 };
	char buf[LINE_MAX_LEN + 1];
	const char *why = "";
	size_t at = 0, cap = 0;
	int rc = 0;

	*out = NULL;
	if (t == NULL)
		return LL_ENOMEM;
	while (rc == 0 && probe_next_line(text, len, &at, &l)) {
		int n = probe_line_text(&l, true, buf);
		if (n < 0) {
			why = "line too long or holds a NUL byte";
			rc = LL_EFORMAT;
		} else if (n > 0) {
			rc = target_line(t, &cap, buf, &why);
		}
	}
	if (rc == 0 && t->n == 0) {
		snprintf(err, errlen, "%s: no prefix: nothing may be probed",
		    name);
		rc = LL_EFORMAT;
	} else if (rc != 0) {
		snprintf(err, errlen, "%s:%llu: %s", name,
		    (unsigned long long)l.no, rc == LL_ENOMEM ?
		    "out of memory" : why);
	}
	if (rc != 0) {
		probe_targets_free(t);
		return rc;
	}
	targets_merge(t);
	*out = t;
	return 0;
}

void
probe_targets_free(struct probe_targets *t)
{
	if (t == NULL)
		return;
	free(t->r);
	free(t);
}

bool
probe_targets_has(const struct probe_targets *t, uint32_t addr)
{
	size_t lo = 0, hi;

	if (t == NULL)
		return false;
	hi = t->n;
	while (lo < hi) {			/* first range with lo > addr */
		size_t mid = lo + (hi - lo) / 2;
		if (t->r[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && addr <= t->r[lo - 1].hi;
}

size_t
probe_targets_count(const struct probe_targets *t)
{
	return t == NULL ? 0 : t->n;
}
