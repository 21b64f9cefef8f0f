/*
 * Which files a collector published for a time range, and where they are.
 * The layouts are described (with sources) in fetch.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fetch/fetch.h"
#include "util/err.h"

#define PLAN_MAX_FILES	1000000

/* The publication schedule of one kind of file of one project. */
struct sched {
	int64_t		 period;
	const char	*dir;		/* RouteViews sub-directory, or "" */
	const char	*prefix;	/* file name prefix */
	const char	*ext;
};

static const struct sched ris_rib = { 8 * 3600, "", "bview", "gz" };
static const struct sched ris_upd = { 5 * 60, "", "updates", "gz" };
static const struct sched rv_rib = { 2 * 3600, "RIBS/", "rib", "bz2" };
static const struct sched rv_upd = { 15 * 60, "UPDATES/", "updates", "bz2" };

int
fetch_project_parse(const char *s, enum fetch_project *out)
{
	if (s == NULL)
		return LL_EINVAL;
	if (strcmp(s, "ris") == 0)
		*out = FETCH_RIS;
	else if (strcmp(s, "routeviews") == 0)
		*out = FETCH_ROUTEVIEWS;
	else
		return LL_EINVAL;
	return 0;
}

const char *
fetch_default_base(enum fetch_project p)
{
	return p == FETCH_RIS ? "https://data.ris.ripe.net/" :
	    "https://archive.routeviews.org/";
}

const char *
fetch_status_name(enum fetch_status s)
{
	switch (s) {
	case FETCH_DONE:
		return "fetched";
	case FETCH_PRESENT:
		return "present";
	case FETCH_MISSING:
		return "missing";
	case FETCH_BAD:
		return "bad";
	case FETCH_FAILED:
		return "failed";
	case FETCH_PLANNED:
		return "planned";
	}
	return "?";
}

static bool
collector_ok(enum fetch_project p, const char *c)
{
	size_t n;

	if (c == NULL || (n = strlen(c)) == 0 || n > 64 || c[0] == '.')
		return false;
	if (p == FETCH_RIS)
		return n == 5 && strncmp(c, "rrc", 3) == 0 &&
		    c[3] >= '0' && c[3] <= '9' && c[4] >= '0' && c[4] <= '9';
	for (size_t i = 0; i < n; i++) {
		char ch = c[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' ||
		    ch == '_'))
			return false;
	}
	return true;
}

static bool
base_ok(const char *b)
{
	return strncmp(b, "http://", 7) == 0 || strncmp(b, "https://", 8) == 0;
}

/* Relative path of the file of schedule s starting at t. */
static int
make_rel(const struct fetch_req *req, const struct sched *s, int64_t t,
    char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;
	char month[16], stamp[32];
	int n;

	if (gmtime_r(&tt, &tm) == NULL)
		return LL_EINVAL;
	if (strftime(month, sizeof(month), "%Y.%m", &tm) == 0 ||
	    strftime(stamp, sizeof(stamp), "%Y%m%d.%H%M", &tm) == 0)
		return LL_EINVAL;
	if (req->project == FETCH_RIS)
		n = snprintf(buf, len, "%s/%s/%s.%s.%s", req->collector, month,
		    s->prefix, stamp, s->ext);
	else if (strcmp(req->collector, "route-views2") == 0)
		n = snprintf(buf, len, "bgpdata/%s/%s%s.%s.%s", month, s->dir,
		    s->prefix, stamp, s->ext);
	else
		n = snprintf(buf, len, "%s/bgpdata/%s/%s%s.%s.%s",
		    req->collector, month, s->dir, s->prefix, stamp, s->ext);
	return n < 0 || (size_t)n >= len ? LL_ELIMIT : 0;
}

/*
 * Where a file goes under the destination directory: its path on the
 * server, under a directory named for the collector when the server's
 * path has none (route-views2's bgpdata/).
 */
static char *
local_path(const struct fetch_req *req, const char *rel)
{
	size_t clen = strlen(req->collector), rlen = strlen(rel);
	char *p;

	if (req->project == FETCH_RIS ||
	    strcmp(req->collector, "route-views2") != 0)
		return strdup(rel);
	if ((p = malloc(clen + rlen + 2)) == NULL)
		return NULL;
	memcpy(p, req->collector, clen);
	p[clen] = '/';
	memcpy(p + clen + 1, rel, rlen + 1);
	return p;
}

static int
add_file(struct fetch_plan *plan, const struct fetch_req *req,
    const char *base, const struct sched *s, enum fetch_kind kind, int64_t t)
{
	struct fetch_file *f = &plan->files[plan->n];
	char rel[512];
	size_t blen, rlen;
	int rc;

	if ((rc = make_rel(req, s, t, rel, sizeof(rel))) != 0)
		return rc;
	blen = strlen(base);
	rlen = strlen(rel);
	f->rel = local_path(req, rel);
	f->url = malloc(blen + rlen + 2);
	if (f->rel == NULL || f->url == NULL) {
		free(f->rel);
		free(f->url);
		return LL_ENOMEM;
	}
	memcpy(f->url, base, blen);
	if (blen > 0 && base[blen - 1] != '/')
		f->url[blen++] = '/';
	memcpy(f->url + blen, rel, rlen + 1);
	f->time = t;
	f->period = s->period;
	f->kind = kind;
	plan->n++;
	return 0;
}

static int64_t
floor_to(int64_t t, int64_t p)
{
	int64_t q = t / p;

	if (t % p < 0)
		q--;
	return q * p;
}

static size_t
count_of(const struct sched *s, int64_t from, int64_t to)
{
	int64_t first = floor_to(from, s->period);

	return (size_t)((to - first + s->period - 1) / s->period);
}

static int
by_time(const void *a, const void *b)
{
	const struct fetch_file *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return (int)x->kind - (int)y->kind;	/* RIB (1) first */
}

int
fetch_plan_build(const struct fetch_req *req, struct fetch_plan *out)
{
	const struct sched *s[2] = { NULL, NULL };
	enum fetch_kind kinds[2] = { FETCH_RIB, FETCH_UPDATES };
	int64_t start[2] = { req->from, req->from };
	struct fetch_plan plan = { NULL, 0 };
	const char *base;
	size_t total = 0;
	int rc = 0;

	out->files = NULL;
	out->n = 0;
	if (req->from < 0 || req->to <= req->from ||
	    req->to > (int64_t)253402300799 ||	/* 9999-12-31 */
	    !collector_ok(req->project, req->collector) ||
	    (req->kinds & (FETCH_RIB | FETCH_UPDATES)) == 0)
		return LL_EINVAL;
	base = req->base_url != NULL ? req->base_url :
	    fetch_default_base(req->project);
	if (!base_ok(base))
		return LL_EINVAL;
	if (req->kinds & FETCH_RIB)
		s[0] = req->project == FETCH_RIS ? &ris_rib : &rv_rib;
	if (req->kinds & FETCH_UPDATES)
		s[1] = req->project == FETCH_RIS ? &ris_upd : &rv_upd;
	/* with a RIB, the updates run from the RIB's time: the replay needs
	 * every change after the snapshot to know the tables at `from` */
	if (s[0] != NULL && s[1] != NULL)
		start[1] = floor_to(req->from, s[0]->period);
	for (int k = 0; k < 2; k++)
		if (s[k] != NULL)
			total += count_of(s[k], start[k], req->to);
	if (total > PLAN_MAX_FILES)
		return LL_ELIMIT;
	if ((plan.files = calloc(total, sizeof(*plan.files))) == NULL)
		return LL_ENOMEM;
	for (int k = 0; k < 2 && rc == 0; k++) {
		if (s[k] == NULL)
			continue;
		for (int64_t t = floor_to(start[k], s[k]->period);
		    t < req->to && rc == 0; t += s[k]->period)
			rc = add_file(&plan, req, base, s[k], kinds[k], t);
	}
	if (rc != 0) {
		fetch_plan_free(&plan);
		return rc;
	}
	qsort(plan.files, plan.n, sizeof(*plan.files), by_time);
	*out = plan;
	return 0;
}

void
fetch_plan_free(struct fetch_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		free(plan->files[i].url);
		free(plan->files[i].rel);
	}
	free(plan->files);
	plan->files = NULL;
	plan->n = 0;
}
