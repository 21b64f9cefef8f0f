/*
 * No invented data, on real archives: the 2002 RIS update file that
 * precedes its RIB dump, and the 2021 update files without a RIB. A
 * collector's bins count only once it has a table (after its first RIB
 * dump, or --warmup); the bins before are not emitted but reported as a
 * gap, stored by `ingest bgp` and shown by `lifeline signal`.
 */
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

#include "signal/signal.h"
#include "testutil.h"
#include "util/err.h"

#define RIB2002	"mrt/ripe-bgpdump/bview.20020722.2337.gz"
#define UPD2002	"mrt/ripe-bgpdump/updates.20020722.2238.gz"
#define U2021A	"mrt/ris-2021-gatech-cs6250/ris.rrc04.updates.1609476900.300.gz"
#define U2021B	"mrt/ris-2021-gatech-cs6250/ris.rrc04.updates.1609477200.300.gz"
#define T2235	1027377300	/* 2002-07-22T22:35:00Z */
#define T2335	1027380900	/* 2002-07-22T23:35:00Z */
#define T0455	1609476900	/* 2021-01-01T04:55:00Z */
#define T0500	1609477200
#define T0505	1609477500

struct run {
	int64_t		 tmin, tmax;
	size_t		 npts;
	size_t		 at[64];	/* points per bin from base */
	int64_t		 base;
	struct sig_gap	 gap[4];
	char		 gcoll[4][64];
	size_t		 ngap;
	char		*text;		/* the points of bin `text_t` */
	size_t		 tlen;
	int64_t		 text_t;
};

static int
on_point(void *ctx, const char *kind, int64_t t, const char *ent,
    uint64_t v)
{
	if (strcmp(kind, "bgp") != 0)
		return 0;	/* the IPv4 series only */
	struct run *r = ctx;
	int64_t i = (t - r->base) / 300;
	char line[96];
	int n;

	if (r->npts == 0 || t < r->tmin)
		r->tmin = t;
	if (r->npts == 0 || t > r->tmax)
		r->tmax = t;
	r->npts++;
	if (i >= 0 && i < 64)
		r->at[i]++;
	if (t == r->text_t) {
		n = snprintf(line, sizeof(line), "%s %llu\n", ent,
		    (unsigned long long)v);
		r->text = realloc(r->text, r->tlen + (size_t)n + 1);
		assert_non_null(r->text);
		memcpy(r->text + r->tlen, line, (size_t)n + 1);
		r->tlen += (size_t)n;
	}
	return 0;
}

static void
on_gap(void *ctx, const struct sig_gap *g)
{
	struct run *r = ctx;

	assert_true(r->ngap < 4);
	r->gap[r->ngap] = *g;
	snprintf(r->gcoll[r->ngap], sizeof(r->gcoll[0]), "%s", g->collector);
	r->ngap++;
}

/* Synthetic countries: one per first octet. */
static int
octet_split(void *ctx, const struct net_prefix *p, geo_split_fn *fn,
    void *fnctx)
{
	char cc[3];

	(void)ctx;
	cc[0] = (char)('A' + p->a[0] / 26);
	cc[1] = (char)('A' + p->a[0] % 26);
	cc[2] = '\0';
	return fn(fnctx, cc, "", net_prefix_units(p));
}

static void
replay(char *const *files, size_t n, bool need, int64_t warmup,
    int64_t base, int64_t text_t, struct run *r)
{
	struct sig_opts o = { 0 };
	struct sig_replay_opts ro = { 0 };
	struct sig *s;

	memset(r, 0, sizeof(*r));
	r->base = base;
	r->text_t = text_t;
	o.ff_pct = 50;
	o.by = SIG_BY_COUNTRY | SIG_BY_ASN;
	o.split = octet_split;
	ro.need_table = need;
	ro.warmup = warmup;
	ro.on_gap = on_gap;
	ro.ctx = r;
	assert_int_equal(sig_new(&o, on_point, r, &s), 0);
	assert_int_equal(sig_replay(s, (const char *const *)files, n, &ro),
	    0);
	sig_free(s);
}

/* 2002: the update file of 22:38 precedes the RIB dump of 23:37. */
static void
test_2002_rib_after_updates(void **state)
{
	char *files[2] = { strdup(test_shared(RIB2002)), NULL };
	struct run old, r;

	(void)state;
	files[1] = strdup(test_shared(UPD2002));
	/* every bin from tables that do not exist yet: 22:35 .. 23:35 */
	replay(files, 2, false, 0, T2235, T2335, &old);
	assert_int_equal(old.tmin, T2235);
	assert_int_equal(old.tmax, T2335);
	assert_true(old.at[0] > 0);
	assert_int_equal(old.ngap, 0);

	replay(files, 2, true, 0, T2235, T2335, &r);
	/* no point before the table exists; the RIB's bin as before */
	assert_int_equal(r.tmin, T2335);
	assert_int_equal(r.tmax, T2335);
	assert_int_equal(r.npts, old.at[12]);
	assert_string_equal(r.text, old.text);
	assert_int_equal(r.ngap, 1);
	assert_true(strncmp(r.gcoll[0], "dir:/", 5) == 0);
	assert_int_equal(r.gap[0].from, T2235);
	assert_int_equal(r.gap[0].to, T2335);
	assert_int_equal(r.gap[0].why, SIG_GAP_BEFORE_RIB);
	free(old.text);
	free(r.text);
	free(files[0]);
	free(files[1]);
}

/* 2021: update files alone. */
static void
test_2021_updates_only(void **state)
{
	char *files[2] = { strdup(test_shared(U2021A)), NULL };
	struct run old, r;

	(void)state;
	files[1] = strdup(test_shared(U2021B));
	replay(files, 2, false, 0, T0455, T0500, &old);
	assert_true(old.at[0] > 0 && old.at[1] > 0);

	/* no table ever: nothing, one gap over the whole run */
	replay(files, 2, true, 0, T0455, 0, &r);
	assert_int_equal(r.npts, 0);
	assert_int_equal(r.ngap, 1);
	assert_string_equal(r.gcoll[0], "rrc04");
	assert_int_equal(r.gap[0].from, T0455);
	assert_int_equal(r.gap[0].to, T0505);
	assert_int_equal(r.gap[0].why, SIG_GAP_NO_TABLE);
	free(r.text);

	/* 10 minutes of warm-up: the 05:00 bin (ending 05:05) counts */
	replay(files, 2, true, 600, T0455, T0500, &r);
	assert_int_equal(r.tmin, T0500);
	assert_int_equal(r.tmax, T0500);
	assert_string_equal(r.text, old.text);
	assert_int_equal(r.ngap, 1);
	assert_int_equal(r.gap[0].from, T0455);
	assert_int_equal(r.gap[0].to, T0500);
	assert_int_equal(r.gap[0].why, SIG_GAP_WARMUP);
	free(old.text);
	free(r.text);
	free(files[0]);
	free(files[1]);
}

/* Runs a shell command; its exit status, stdout in out, stderr in err. */
static int
sh(const char *cmd, char *out, size_t olen, const char *errfile)
{
	FILE *p = popen(cmd, "r");
	size_t n;
	int st;

	assert_non_null(p);
	n = fread(out, 1, olen - 1, p);
	out[n] = '\0';
	st = pclose(p);
	(void)errfile;
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void
slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* ingest bgp stores the gap; signal lists it and notes it. */
static void
test_2002_cli(void **state)
{
	const char *exe = getenv("LIFELINE");
	char dir[] = "/tmp/ll-gaps-XXXXXX", cmd[16384], out[65536],
	    err[8192], db[64], ef[64];
	char *rib = strdup(test_shared(RIB2002)), *upd;

	(void)state;
	if (exe == NULL) {
		fprintf(stderr, "SKIP: $LIFELINE not set\n");
		exit(TEST_SKIP);
	}
	upd = strdup(test_shared(UPD2002));
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/g.db", dir);
	snprintf(ef, sizeof(ef), "%s/err", dir);
	snprintf(cmd, sizeof(cmd), "'%s' ingest bgp --db '%s' --full-feed 50%% "
	    "'%s' '%s' 2>'%s'", exe, db, upd, rib, ef);
	assert_int_equal(sh(cmd, out, sizeof(out), ef), 0);
	slurp(ef, err, sizeof(err));
	assert_non_null(strstr(err, "no values from 2002-07-22T22:35:00Z to "
	    "2002-07-22T23:35:00Z"));
	assert_non_null(strstr(err, "points from 2002-07-22T23:35:00Z to "
	    "2002-07-22T23:35:00Z"));

	snprintf(cmd, sizeof(cmd), "'%s' signal --db '%s' --gaps 2>'%s'", exe,
	    db, ef);
	assert_int_equal(sh(cmd, out, sizeof(out), ef), 0);
	assert_true(strncmp(out, "signal,collector,from,to,reason\nbgp,dir:/",
	    41) == 0);
	assert_non_null(strstr(out, ",2002-07-22T22:35:00Z,"
	    "2002-07-22T23:35:00Z,no table before its first RIB dump ended\n"));

	/* the points of 22:00 .. 24:00: only 23:35, and a note */
	snprintf(cmd, sizeof(cmd), "'%s' signal --db '%s' --from "
	    "2002-07-22T22:00Z --to 2002-07-23 2>'%s' | cut -d, -f1 | sort -u",
	    exe, db, ef);
	assert_int_equal(sh(cmd, out, sizeof(out), ef), 0);
	assert_string_equal(out, "2002-07-22T23:35:00Z\ntime\n");
	slurp(ef, err, sizeof(err));
	assert_non_null(strstr(err, "note: no bgp values from "
	    "2002-07-22T22:35:00Z to 2002-07-22T23:35:00Z"));
	/* a range after the gap: no note */
	snprintf(cmd, sizeof(cmd), "'%s' signal --db '%s' --from "
	    "2002-07-22T23:35Z 2>'%s' >/dev/null", exe, db, ef);
	assert_int_equal(sh(cmd, out, sizeof(out), ef), 0);
	slurp(ef, err, sizeof(err));
	assert_string_equal(err, "");

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(upd);
	free(rib);
}

int
main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_2002_rib_after_updates),
		cmocka_unit_test(test_2021_updates_only),
		cmocka_unit_test(test_2002_cli),
	};

	test_shared_or_skip(RIB2002);
	test_shared_or_skip(UPD2002);
	test_shared_or_skip(U2021A);
	test_shared_or_skip(U2021B);
	return test_main("sig_gaps", t, NULL, NULL);
}
