/*
 * A whole scenario: `lifeline simulate` for Egypt with 4 peers, read back
 * with Debian's bgpdump (not our decoder) and checked against what was
 * asked for, with the target prefixes found independently through geo.
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

#include "geo/geo.h"
#include "net/net.h"
#include "testutil.h"
#include "util/err.h"

#define PEERS	4
#define START	1296165600	/* 2011-01-27T22:00Z */
#define FROM	(START + 20 * 60)
#define TO	(START + 40 * 60)
#define NFILES	12
#define ARGS	" --country EG --peers 4 --table 3000 --background NL,DE" \
		" --start 2011-01-27T22:00Z --duration 60m" \
		" --outage-from 2011-01-27T22:20Z" \
		" --outage-to '2011-01-27 22:40'"

static const char *peer_ip[PEERS] = {
	"192.0.2.1", "2001:db8::2", "192.0.2.3", "2001:db8::4",
};
static const char *peer_as[PEERS] = { "65536", "65537", "65538", "65539" };

struct tgt {
	char	s[NET_PREFIX_STRLEN];
	uint8_t	wd, ann;	/* peers seen withdrawing / re-announcing */
};

static struct geo *geo;
static char dir[] = "/tmp/ll-sim-XXXXXX";
static struct tgt *tgts;
static size_t ntgt;

/* Runs `lifeline simulate ARGS` with each @ in args the test's directory;
 * stdout and stderr go to DIR/out.list and DIR/out.err. */
static int
run(const char *args, const char *out)
{
	char cmd[2048], a[1024];
	const char *exe = getenv("LIFELINE");
	size_t n = 0;
	int st;

	for (; *args && n + sizeof(dir) < sizeof(a); args++) {
		if (*args == '@') {
			memcpy(a + n, dir, strlen(dir));
			n += strlen(dir);
		} else {
			a[n++] = *args;
		}
	}
	a[n] = '\0';
	snprintf(cmd, sizeof(cmd), "'%s' simulate %s >'%s/%s.list' "
	    "2>'%s/%s.err'", exe, a, dir, out, dir, out);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* DIR/name's text (valid until the next call). */
static const char *
slurp_out(const char *name)
{
	static uint8_t *buf;
	char path[512];
	size_t n;

	free(buf);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	buf = test_slurp(path, &n);
	assert_non_null(buf);
	return (const char *)buf;
}

static FILE *
bgpdump(const char *path)
{
	char cmd[1024];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "bgpdump -m '%s' 2>/dev/null", path);
	f = popen(cmd, "r");
	assert_non_null(f);
	return f;
}

/* Splits line at '|' in place; returns the field count. */
static int
fields(char *line, char **fv, int max)
{
	int n = 0;
	char *p = line;

	line[strcspn(line, "\n")] = '\0';
	while (n < max) {
		fv[n++] = p;
		p = strchr(p, '|');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	return n;
}

static int
peer_of(const char *ip, const char *as)
{
	for (int i = 0; i < PEERS; i++)
		if (strcmp(ip, peer_ip[i]) == 0 && strcmp(as, peer_as[i]) == 0)
			return i;
	return -1;
}

/* The peer index of a simulated peer's address (192.0.2.N, 2001:db8::N
 * is peer N-1), or -1. */
static int
atoi_peer(const char *ip)
{
	const char *dot = strrchr(ip, strchr(ip, ':') ? ':' : '.');
	long n = dot != NULL ? strtol(dot + 1, NULL, strchr(ip, ':') ? 16 :
	    10) : 0;

	return n >= 1 && n <= 64 ? (int)n - 1 : -1;
}

static bool
in_egypt(const char *s)
{
	struct net_prefix p;
	struct net_addr a;
	struct geo_info gi;

	assert_int_equal(net_prefix_parse(s, &p), 0);
	a.af = p.af;
	memcpy(a.a, p.a, sizeof(a.a));
	return geo_lookup(geo, &a, &gi) == 0 && strcmp(gi.cc, "EG") == 0;
}

static int
cmp_tgt(const void *a, const void *b)
{
	return strcmp(((const struct tgt *)a)->s, ((const struct tgt *)b)->s);
}

static struct tgt *
find_tgt(const char *s)
{
	struct tgt key;

	snprintf(key.s, sizeof(key.s), "%s", s);
	return bsearch(&key, tgts, ntgt, sizeof(*tgts), cmp_tgt);
}

/* The RIB: the peer table asked for, every prefix from every peer, and
 * the Egyptian prefixes by the location database. */
static void
check_rib(const char *path, size_t *nprefixes)
{
	char line[4096], *fv[16] = {0}, last[NET_PREFIX_STRLEN] = "";
	size_t lines = 0, per_peer[PEERS] = { 0 }, cap = 0, same = 0;
	FILE *f = bgpdump(path);

	while (fgets(line, sizeof(line), f) != NULL) {
		int p;

		assert_int_equal(fields(line, fv, 16), 15);
		assert_string_equal(fv[0], "TABLE_DUMP2");
		assert_int_equal(strtol(fv[1], NULL, 10), START);
		assert_string_equal(fv[2], "B");
		p = peer_of(fv[3], fv[4]);
		assert_true(p >= 0);
		per_peer[p]++;
		/* The path starts at the peer. */
		assert_int_equal(strncmp(fv[6], fv[4], strlen(fv[4])), 0);
		lines++;
		if (strcmp(fv[5], last) == 0) {
			same++;
			continue;
		}
		assert_true(*last == '\0' || same == PEERS);
		same = 1;
		snprintf(last, sizeof(last), "%s", fv[5]);
		(*nprefixes)++;
		if (!in_egypt(fv[5]))
			continue;
		if (ntgt == cap) {
			cap = cap ? cap * 2 : 256;
			tgts = realloc(tgts, cap * sizeof(*tgts));
			assert_non_null(tgts);
		}
		memset(&tgts[ntgt], 0, sizeof(*tgts));
		snprintf(tgts[ntgt++].s, sizeof(tgts->s), "%s", fv[5]);
	}
	assert_int_equal(pclose(f), 0);
	assert_int_equal(same, PEERS);
	assert_int_equal(lines, *nprefixes * PEERS);
	for (int p = 0; p < PEERS; p++)
		assert_int_equal(per_peer[p], *nprefixes);
	qsort(tgts, ntgt, sizeof(*tgts), cmp_tgt);
}

struct upd {
	size_t	state;
	int	state_peer;
	long	state_t[5];
	char	states[5][8];
	size_t	after_reset;	/* announcements by it after it is up */
};

static void
check_line(char **fv, int nf, long t0, struct upd *u)
{
	long t = strtol(fv[1], NULL, 10);
	int p;
	struct tgt *x;

	assert_string_equal(fv[0], "BGP4MP");
	assert_true(t >= t0 && t < t0 + 300);
	p = peer_of(fv[3], fv[4]);
	assert_true(p >= 0);
	if (strcmp(fv[2], "STATE") == 0) {
		assert_int_equal(nf, 7);
		assert_true(u->state < 5);
		if (u->state == 0)
			u->state_peer = p;
		assert_int_equal(p, u->state_peer);
		u->state_t[u->state] = t;
		snprintf(u->states[u->state++], 8, "%s>%s", fv[5], fv[6]);
		return;
	}
	assert_true(strcmp(fv[2], "A") == 0 || strcmp(fv[2], "W") == 0);
	if (u->state == 5 && p == u->state_peer && *fv[2] == 'A')
		u->after_reset++;
	x = find_tgt(fv[5]);
	if (x == NULL)
		return;
	if (*fv[2] == 'W') {
		/* Every peer once, within two minutes of the outage. */
		assert_true(t >= FROM && t < FROM + 120);
		assert_false(x->wd & 1u << p);
		x->wd |= (uint8_t)(1u << p);
	} else {
		assert_true(t >= TO && t < TO + 120);
		assert_false(x->ann & 1u << p);
		x->ann |= (uint8_t)(1u << p);
	}
}

static void
check_updates(const char *path, long t0, struct upd *u)
{
	char line[4096], *fv[16];
	FILE *f = bgpdump(path);

	while (fgets(line, sizeof(line), f) != NULL)
		check_line(fv, fields(line, fv, 16), t0, u);
	assert_int_equal(pclose(f), 0);
}

static void
test_scenario(void **state)
{
	char line[512], want[512], *nl;
	size_t nfiles = 0, nprefixes = 0;
	struct upd u;
	FILE *f;

	(void)state;
	memset(&u, 0, sizeof(u));
	assert_int_equal(run("--out @/a" ARGS, "a"), 0);
	snprintf(line, sizeof(line), "%s/a.list", dir);
	f = fopen(line, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		nl = strchr(line, '\n');
		assert_non_null(nl);
		*nl = '\0';
		if (nfiles == 0) {
			snprintf(want, sizeof(want), "%s/a/bview.20110127.2200"
			    ".gz", dir);
			assert_string_equal(line, want);
			check_rib(line, &nprefixes);
		} else {
			long t0 = START + (long)(nfiles - 1) * 300;

			snprintf(want, sizeof(want), "%s/a/updates.20110127."
			    "%02ld%02ld.gz", dir, t0 / 3600 % 24, t0 / 60 % 60);
			assert_string_equal(line, want);
			check_updates(line, t0, &u);
		}
		nfiles++;
	}
	fclose(f);
	assert_int_equal(nfiles, 1 + NFILES);
	/* Egypt had a few hundred prefixes in the table; about 3000 IPv4
	 * and 360 IPv6 in all. */
	assert_true(ntgt > 100);
	assert_true(nprefixes > 2500 && nprefixes < 4500);
	for (size_t i = 0; i < ntgt; i++) {
		assert_int_equal(tgts[i].wd, (1u << PEERS) - 1);
		assert_int_equal(tgts[i].ann, (1u << PEERS) - 1);
	}
	/* One session reset while Egypt is out, RFC 4271 8 states, then the
	 * peer's table again, without Egypt. */
	assert_int_equal(u.state, 5);
	assert_string_equal(u.states[0], "6>1");
	assert_string_equal(u.states[1], "1>2");
	assert_string_equal(u.states[2], "2>4");
	assert_string_equal(u.states[3], "4>5");
	assert_string_equal(u.states[4], "5>6");
	assert_true(u.state_t[0] >= FROM + 120 && u.state_t[4] < TO);
	assert_true(u.after_reset >= nprefixes - ntgt);
}

static int
cmp_files(const char *a, const char *b)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "cmp -s '%s/%s' '%s/%s'", dir, a, dir, b);
	return system(cmd);
}

/* Same seed, same bytes. */
static void
test_deterministic(void **state)
{
	(void)state;
	assert_int_equal(run("--out @/b" ARGS, "b"), 0);
	assert_int_equal(cmp_files("a/bview.20110127.2200.gz",
	    "b/bview.20110127.2200.gz"), 0);
	assert_int_equal(cmp_files("a/updates.20110127.2230.gz",
	    "b/updates.20110127.2230.gz"), 0);
}

/*
 * The whole routed table of the location database, sampled down: every
 * Egyptian network with an AS is in (targets are never sampled out), the
 * rest is about --table / --table6; 6 peers in 4 ASes (peers 4 and 5 share
 * the ASes of 0 and 1); --churn sets the update volume.
 */
static void
test_full_table_shared_ases(void **state)
{
	char path[512], line[4096], *fv[16] = { 0 };
	char last[NET_PREFIX_STRLEN] = "";
	size_t v4 = 0, v6 = 0, eg = 0, elems = 0;
	long as_of[6] = { 0 };
	FILE *f;

	(void)state;
	assert_int_equal(run("--out @/full --full-table --table 20000 "
	    "--table6 3000 --peers 6 --peer-ases 4 --churn 50 --duration 10m "
	    "--country EG", "full"), 0);
	snprintf(path, sizeof(path), "%s/full/bview.20110127.2200.gz", dir);
	f = bgpdump(path);
	while (fgets(line, sizeof(line), f) != NULL) {
		int nf = fields(line, fv, 16);
		int peer;

		assert_int_equal(nf, 15);
		/* 192.0.2.N or 2001:db8::N is peer N-1 */
		peer = atoi_peer(fv[3]);
		assert_true(peer >= 0 && peer < 6);
		if (as_of[peer] == 0)
			as_of[peer] = strtol(fv[4], NULL, 10);
		assert_int_equal(as_of[peer], strtol(fv[4], NULL, 10));
		if (strcmp(fv[5], last) == 0)
			continue;
		snprintf(last, sizeof(last), "%s", fv[5]);
		if (strchr(fv[5], ':') != NULL)
			v6++;
		else
			v4++;
		eg += in_egypt(fv[5]);
	}
	assert_int_equal(pclose(f), 0);
	for (int p = 0; p < 4; p++)
		assert_int_equal(as_of[p], 65536 + p);
	assert_int_equal(as_of[4], 65536);
	assert_int_equal(as_of[5], 65537);
	/* Egypt's 7,536 IPv4 and 576 IPv6 routed networks of the 2022
	 * database, or what the system's database has: thousands */
	assert_true(eg > 3000);
	assert_true(v4 > 18000 + eg / 2 && v4 < 22000 + eg);
	assert_true(v6 > 2500 && v6 < 3500 + eg);
	/* 6 peers x 50 events, a quarter of them a withdrawal and its
	 * return; no outage, and the session reset is in the first file */
	snprintf(path, sizeof(path), "%s/full/updates.20110127.2205.gz", dir);
	f = bgpdump(path);
	while (fgets(line, sizeof(line), f) != NULL)
		elems += strstr(line, "|A|") != NULL ||
		    strstr(line, "|W|") != NULL;
	assert_int_equal(pclose(f), 0);
	if (elems < 300 || elems > 400)
		fail_msg("%zu update elements in a file, want 300-400", elems);
}

static void
test_errors(void **state)
{
	(void)state;
	assert_int_equal(run("--country EG", "e1"), 2);
	assert_int_equal(run("--out @/e --country Egypt", "e2"), 2);
	assert_int_equal(run("--out @/e --peers 0", "e3"), 2);
	assert_int_equal(run("--out @/e --outage-from 2011-01-27T23:00Z "
	    "--outage-to 2011-01-27T23:02Z", "e4"), 2);
	assert_int_equal(run("--out @/e --asn 64511 --background NL",
	    "e5"), 2);
	assert_int_equal(run("--out /proc/nonexistent/x", "e6"), 3);
	assert_int_equal(run("--help", "e7"), 0);
	assert_int_equal(run("--out @/e --peers 4 --peer-ases 5", "e8"), 2);
	assert_int_equal(run("--out @/e --churn 0", "e9"), 2);
	/* An unknown country code is refused, not dropped. */
	assert_int_equal(run("--out @/e --country QQ", "e10"), 2);
	assert_non_null(strstr(slurp_out("e10.err"), "lifeline: simulate: "
	    "--country QQ: the location database has no network"));
	assert_int_equal(run("--out @/e --background US,QQ", "e11"), 2);
	assert_non_null(strstr(slurp_out("e11.err"), "--background QQ"));
}

/* --asn alone: the AS's networks in the country it announces most from
 * (Telecom Egypt's, in Egypt). */
static void
test_asn_alone(void **state)
{
	const char *err;

	(void)state;
	assert_int_equal(run("--out @/asn --asn 8452 --duration 10m "
	    "--outage-from 2011-01-27T22:05Z --outage-to 2011-01-27T22:10Z",
	    "asn"), 0);
	err = slurp_out("asn.err");
	assert_non_null(strstr(err, "lifeline: simulate: "));
	assert_non_null(strstr(err, "; AS8452: "));
	assert_null(strstr(err, " 0 IPv4 + 0 IPv6 prefixes of"));
	assert_non_null(strstr(err, "of 1 origin AS withdrawn"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenario),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_full_table_shared_ases),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_asn_alone),
	};
	char cmd[128];
	int rc;

	if (system("command -v bgpdump >/dev/null") != 0)
		test_skip("bgpdump is not installed");
	if (getenv("LIFELINE") == NULL || geo_open(NULL, &geo) != 0) {
		fprintf(stderr, "SKIP: no lifeline binary or location "
		    "database\n");
		geo_free(geo);
		return TEST_SKIP;
	}
	if (mkdtemp(dir) == NULL)
		return 1;
	rc = test_main("sim_scenario", tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = 1;
	free(tgts);
	geo_free(geo);
	return rc;
}
