/*
 * Which collector a file belongs to, on a simulated outage of Egypt
 * (`lifeline simulate`): a RIB dump and the update files beside it are one
 * collector with and without --collector, however their paths are written
 * (relative, ./, absolute), so the outage shows in every case. Also the
 * names the path rules give.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "geo/geo.h"
#include "signal/signal.h"
#include "testutil.h"
#include "util/err.h"

#define START	1296165600	/* 2011-01-27T22:00Z */
#define NFILES	13		/* the RIB and 12 update files */
#define ARGS	" --country EG --peers 4 --table 3000 --background NL,DE" \
		" --start 2011-01-27T22:00Z --duration 60m" \
		" --outage-from 2011-01-27T22:20Z" \
		" --outage-to 2011-01-27T22:40Z"

static char dir[PATH_MAX];
static char *files[NFILES];
static struct geo *geo;

struct run {
	uint64_t	eg[12];		/* country:EG per bin, from START */
	bool		seen[12];
	char		coll[NFILES][64];
	size_t		nplan;
	size_t		reports;
};

static int
on_point(void *ctx, const char *kind, int64_t t, const char *ent,
    uint64_t v)
{
	if (strcmp(kind, "bgp") != 0)
		return 0;	/* the IPv4 series only */
	struct run *r = ctx;
	int64_t i = (t - START) / 300;

	if (strcmp(ent, "country:EG") == 0 && i >= 0 && i < 12) {
		r->eg[i] = v;
		r->seen[i] = true;
	}
	return 0;
}

static void
on_plan(void *ctx, const struct sig_file *f)
{
	struct run *r = ctx;

	if (r->nplan < NFILES)
		snprintf(r->coll[r->nplan], sizeof(r->coll[0]), "%s",
		    f->collector);
	r->nplan++;
}

static void
on_error(void *ctx, const struct mrt_error *e)
{
	struct run *r = ctx;

	(void)e;
	r->reports++;
}

static void
replay(const char *const *paths, const char *collector, struct run *r)
{
	struct sig_opts o = { 0 };
	struct sig_replay_opts ro = { 0 };
	struct sig *s;

	memset(r, 0, sizeof(*r));
	o.ff_pct = 90;
	o.by = SIG_BY_COUNTRY;
	o.geo = geo;
	ro.collector = collector;
	ro.on_plan = on_plan;
	ro.on_error = on_error;
	ro.ctx = r;
	assert_int_equal(sig_new(&o, on_point, r, &s), 0);
	assert_int_equal(sig_replay(s, paths, NFILES, &ro), 0);
	sig_free(s);
	assert_int_equal(r->nplan, NFILES);
	assert_int_equal(r->reports, 0);
	for (size_t i = 1; i < NFILES; i++)
		assert_string_equal(r->coll[i], r->coll[0]);
}

/* Visible before 22:20, dark from 22:20 to 22:40, back after. */
static void
outage_shows(const struct run *r)
{
	for (int i = 0; i < 12; i++)
		assert_true(r->seen[i]);
	assert_true(r->eg[3] > 0);		/* 22:15 */
	assert_int_equal(r->eg[4], 0);		/* 22:20 */
	assert_int_equal(r->eg[7], 0);		/* 22:35 */
	assert_true(r->eg[8] == r->eg[3]);	/* 22:40 */
}

static void
test_outage_any_path(void **state)
{
	const char *abs[NFILES], *mixed[NFILES];
	char rel[NFILES][PATH_MAX];
	struct run a, b, c;

	(void)state;
	for (size_t i = 0; i < NFILES; i++) {
		const char *base = strrchr(files[i], '/') + 1;

		abs[i] = files[i];
		/* the RIB relative to the working directory, the updates
		 * absolute or with ./ in turn */
		if (i == 0)
			snprintf(rel[i], sizeof(rel[i]), "%s", base);
		else if (i % 2)
			snprintf(rel[i], sizeof(rel[i]), "./%s", base);
		else
			snprintf(rel[i], sizeof(rel[i]), "%s", files[i]);
		mixed[i] = rel[i];
	}
	assert_int_equal(chdir(dir), 0);
	replay(abs, "sim", &a);
	outage_shows(&a);
	replay(abs, NULL, &b);
	outage_shows(&b);
	assert_memory_equal(a.eg, b.eg, sizeof(a.eg));
	replay(mixed, NULL, &c);
	assert_string_equal(c.coll[0], b.coll[0]);
	assert_true(strncmp(c.coll[0], "dir:/", 5) == 0);
	outage_shows(&c);
	assert_memory_equal(a.eg, c.eg, sizeof(a.eg));
}

static void
test_path_rules(void **state)
{
	static const char *const cases[][2] = {
		{ "ris.rrc04.updates.1609476900.300.gz", "rrc04" },
		{ "/data/rrc12/2021.01/updates.20210101.0000.gz", "rrc12" },
		{ "/x/route-views.linx/bgpdata/2021.01/UPDATES/u.bz2",
		    "route-views.linx" },
		{ "/x/route-views2/bgpdata/RIBS/rib.bz2", "route-views2" },
		{ "/x/route-views/sydney/bgpdata/u.bz2", "route-views.sydney" },
		{ "/x/route-views/bgpdata/u.bz2", "route-views" },
		{ "sim/bview.20110127.2200.gz", "" },
		{ "bview.20110127.2200.gz", "" },
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sig_collector_from_path(cases[i][0], buf, sizeof(buf));
		assert_string_equal(buf, cases[i][1]);
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Simulates into a fresh directory; the paths it prints, sorted (the RIB,
 * "bview...", first). */
static int
setup(void **state)
{
	const char *exe = getenv("LIFELINE");
	char cmd[PATH_MAX + 512], line[PATH_MAX];
	size_t n = 0;
	FILE *p;

	(void)state;
	if (exe == NULL || geo_open(NULL, &geo) != 0) {
		fprintf(stderr, "SKIP: $LIFELINE or the location database "
		    "is absent\n");
		exit(TEST_SKIP);
	}
	snprintf(dir, sizeof(dir), "/tmp/ll-coll-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "'%s' simulate --out '%s'" ARGS
	    " 2>/dev/null", exe, dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p) != NULL && n < NFILES) {
		line[strcspn(line, "\n")] = '\0';
		files[n++] = strdup(line);
	}
	assert_int_equal(pclose(p), 0);
	assert_int_equal(n, NFILES);
	qsort(files, n, sizeof(*files), cmp_str);
	assert_non_null(strstr(files[0], "/bview."));
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < NFILES; i++) {
		if (files[i] != NULL)
			unlink(files[i]);
		free(files[i]);
	}
	rmdir(dir);
	geo_free(geo);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_path_rules),
		cmocka_unit_test(test_outage_any_path),
	};

	return test_main("sig_collector", t, setup, teardown);
}
