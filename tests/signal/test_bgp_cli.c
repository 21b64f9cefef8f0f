/*
 * `lifeline bgp visibility` on a real RIB dump (RIS rrc00, 2002): the
 * collector health columns and their order (ASes <= full-feed peers <=
 * peers), IODA's thresholds nesting per AS (any >= 50% >= 100%), and the
 * old --min-peers refused with a hint.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "testutil.h"

#define RIB "mrt/ripe-bgpdump/bview.20020722.2337.gz"

static char out[1 << 22], err[8192];

/* Runs "$LIFELINE bgp visibility ARGS FILE"; returns the exit status. */
static int
run(const char *args)
{
	const char *exe = getenv("LIFELINE");
	char cmd[8800];
	FILE *f;
	size_t n;
	int st;

	assert_non_null(exe);
	snprintf(cmd, sizeof(cmd), "'%s' bgp visibility --collector rrc00 %s "
	    "'%s' 2>/dev/null", exe, args, test_shared_or_skip(RIB));
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	assert_true(n < sizeof(out) - 1);
	st = pclose(f);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* The value of "KIND,ENTITY," (or "ENTITY," without kind) in the last
 * bin of out; -1 when absent. */
static long long
last_value(const char *key)
{
	long long v = -1;
	const char *p = out;

	while ((p = strstr(p, key)) != NULL) {
		if (p[-1] == ',')
			v = strtoll(p + strlen(key), NULL, 10);
		p += strlen(key);
	}
	return v;
}

static void
test_health(void **state)
{
	long long peers, ff, asns;

	(void)state;
	assert_int_equal(run("--kind health --full-feed 50%"), 0);
	assert_int_equal(strncmp(out, "time,kind,entity,value\n", 23), 0);
	peers = last_value("bgp.peers,collector:rrc00,");
	ff = last_value("bgp.ff_peers,collector:rrc00,");
	asns = last_value("bgp.ff_asns,collector:rrc00,");
	/* The RIB has 36 peers. */
	assert_true(peers > 20 && peers <= 36);
	assert_true(ff > 0 && ff <= peers);
	assert_true(asns > 0 && asns <= ff);
	assert_int_equal(last_value("bgp.ff_asns,collector:all,"), asns);
	assert_int_equal(last_value("bgp.peers,collector:all,"), peers);
}

/* Per AS, a lower threshold never shows less. */
static void
test_thresholds_nest(void **state)
{
	static const char *const vis[] = { "any", "50", "100" };
	static char prev[sizeof(out)], cur[sizeof(out)];
	size_t checked = 0;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		char args[128];

		snprintf(args, sizeof(args), "--by asn --full-feed 50%% "
		    "--visibility %s", vis[i]);
		assert_int_equal(run(args), 0);
		assert_int_equal(strncmp(out, "time,entity,value\n", 18), 0);
		if (i > 0) {
			/* Every AS shown now was shown before with at least
			 * as much, at the same time. */
			char *save = NULL, *line;

			memcpy(cur, out, sizeof(out));
			for (line = strtok_r(cur + 18, "\n", &save); line;
			    line = strtok_r(NULL, "\n", &save)) {
				char key[96], *c = strrchr(line, ',');
				long long now = strtoll(c + 1, NULL, 10);
				const char *p;

				snprintf(key, sizeof(key), "\n%.*s,",
				    (int)(c - line), line);
				p = strstr(prev, key);
				assert_non_null(p);
				assert_true(strtoll(p + strlen(key), NULL, 10) >=
				    now);
				checked++;
			}
		}
		memcpy(prev, out, sizeof(out));
	}
	assert_true(checked > 10000);
}

static void
test_min_peers_refused(void **state)
{
	const char *exe = getenv("LIFELINE");
	char cmd[1024];
	FILE *f;
	size_t n;
	int st;

	(void)state;
	snprintf(cmd, sizeof(cmd), "'%s' bgp visibility --min-peers 0.5 x "
	    "2>&1", exe);
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(err, 1, sizeof(err) - 1, f);
	err[n] = '\0';
	st = pclose(f);
	assert_int_equal(WEXITSTATUS(st), 2);
	assert_non_null(strstr(err, "--visibility"));
	assert_int_equal(run("--visibility 60"), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_health),
		cmocka_unit_test(test_thresholds_nest),
		cmocka_unit_test(test_min_peers_refused),
	};

	test_shared_or_skip(RIB);
	return test_main("bgp_cli", tests, NULL, NULL);
}
