/*
 * The geo cache: a map opened from the cache answers every lookup and
 * split as the one loaded from the sources; a damaged cache file is
 * refused and rebuilt, never followed; a changed source misses the cache.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <cmocka.h>

#include "geo/geo.h"
#include "net/net.h"
#include "testutil.h"
#include "util/err.h"

#define LOCDB	"/usr/share/libloc-location/location.db"

static const char *dir;	/* test_tmpdir_make() */
static char locdb[128], cache[128];

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
next(void)
{
	return test_xorshift(&rng);
}

static struct geo *
open_geo(const char *city)
{
	struct geo_opts o = { .locdb = locdb, .cache_dir = cache,
	    .city_mmdb = city };
	struct geo *g = NULL;

	assert_int_equal(geo_open(&o, &g), 0);
	return g;
}

/* The one cache file, or "" when there is none. */
static const char *
cache_file(void)
{
	static char path[256];
	char cmd[300];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ls %s/geo-*.map 2>/dev/null", cache);
	path[0] = '\0';
	if ((f = popen(cmd, "r")) != NULL) {
		if (fgets(path, sizeof(path), f) == NULL)
			path[0] = '\0';
		pclose(f);
	}
	path[strcspn(path, "\n")] = '\0';
	return path;
}

struct tally {
	char		cc[64][3];
	char		reg[64][8];
	uint64_t	units[64];
	size_t		n;
};

static int
tally_fn(void *ctx, const char *cc, const char *reg, uint64_t units)
{
	struct tally *t = ctx;

	if (t->n < 64) {
		memcpy(t->cc[t->n], cc, 3);
		snprintf(t->reg[t->n], sizeof(t->reg[0]), "%s", reg);
		t->units[t->n] = units;
	}
	t->n++;
	return 0;
}

/* a and b answer the same for random addresses and prefixes. */
static void
same_answers(struct geo *a, struct geo *b, int n)
{
	for (int i = 0; i < n; i++) {
		struct net_addr x = { .af = i % 4 ? NET_AF4 : NET_AF6 };
		struct net_prefix p = { .af = x.af };
		struct geo_info ga, gb;
		struct tally ta = { .n = 0 }, tb = { .n = 0 };
		uint64_t r = next(), r2 = next();

		memcpy(x.a, &r, 8);
		memcpy(x.a + 8, &r2, 8);
		if (x.af == NET_AF6)
			x.a[0] = 0x20 | (x.a[0] & 0x0f);	/* 2000::/4 */
		else
			memset(x.a + 4, 0, 12);
		assert_int_equal(geo_lookup(a, &x, &ga), geo_lookup(b, &x,
		    &gb));
		assert_memory_equal(&ga, &gb, sizeof(ga));
		memcpy(p.a, x.a, 16);
		p.len = (uint8_t)(x.af == NET_AF4 ? 8 + r % 17 : 20 + r % 29);
		net_prefix_mask(&p);
		assert_int_equal(geo_split(a, &p, tally_fn, &ta), 0);
		assert_int_equal(geo_split(b, &p, tally_fn, &tb), 0);
		assert_memory_equal(&ta, &tb, sizeof(ta));
	}
}

static void
cache_equals_sources(void **state)
{
	struct geo *fresh, *cached;
	struct net_prefix *na, *nb;
	size_t nna, nnb;

	(void)state;
	fresh = open_geo(NULL);
	assert_false(geo_from_cache(fresh));
	assert_string_not_equal(cache_file(), "");
	cached = open_geo(NULL);
	assert_true(geo_from_cache(cached));
	same_answers(fresh, cached, 200000);
	assert_int_equal(geo_country_networks(fresh, "EG", NET_AF4, &na,
	    &nna), 0);
	assert_int_equal(geo_country_networks(cached, "EG", NET_AF4, &nb,
	    &nnb), 0);
	assert_true(nna > 100);
	assert_int_equal(nna, nnb);
	assert_memory_equal(na, nb, nna * sizeof(*na));
	free(na);
	free(nb);
	geo_free(fresh);
	geo_free(cached);
}

static void
damage(long off, const void *bytes, size_t n, bool cut)
{
	const char *f = cache_file();
	struct stat sb;
	FILE *fp;

	assert_string_not_equal(f, "");
	assert_int_equal(stat(f, &sb), 0);
	if (cut) {
		assert_int_equal(truncate(f, sb.st_size - off), 0);
		return;
	}
	assert_non_null(fp = fopen(f, "r+b"));
	assert_int_equal(fseek(fp, off < 0 ? sb.st_size + off : off,
	    SEEK_SET), 0);
	assert_int_equal(fwrite(bytes, 1, n, fp), n);
	fclose(fp);
}

static void
damaged_cache_is_rebuilt(void **state)
{
	static const uint8_t ff[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct geo *ref, *g;
	struct {
		long		 off;
		bool		 trunc;
		const char	*what;
	} cases[] = {
		{ 1000, true, "truncated" },
		{ 0, false, "bad magic" },
		{ 12, false, "a key length past the end" },
		{ 4096, false, "an interval start out of the space" },
		{ -64, false, "a country code that is no code" },
	};

	(void)state;
	ref = open_geo(NULL);		/* the sources or the cache */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		g = open_geo(NULL);	/* makes sure a good cache is there */
		geo_free(g);
		damage(cases[i].off, ff, sizeof(ff), cases[i].trunc);
		g = open_geo(NULL);
		if (geo_from_cache(g))
			fail_msg("a cache with %s was used", cases[i].what);
		same_answers(ref, g, 20000);
		geo_free(g);
		g = open_geo(NULL);	/* rebuilt by the run before */
		assert_true(geo_from_cache(g));
		geo_free(g);
	}
	geo_free(ref);
}

static void
changed_source_misses(void **state)
{
	struct geo *g;
	struct timeval tv[2] = { { 1000000000, 0 }, { 1000000000, 0 } };

	(void)state;
	g = open_geo(NULL);
	geo_free(g);
	g = open_geo(NULL);
	assert_true(geo_from_cache(g));
	geo_free(g);
	assert_int_equal(utimes(locdb, tv), 0);	/* a new version */
	g = open_geo(NULL);
	assert_false(geo_from_cache(g));
	geo_free(g);
	g = open_geo(NULL);
	assert_true(geo_from_cache(g));
	geo_free(g);
}

static void
regions_are_cached(void **state)
{
	char city[4096];
	struct geo *fresh, *cached;

	(void)state;
	snprintf(city, sizeof(city), "%s", test_data("geo/city-test.mmdb"));
	fresh = open_geo(city);
	assert_false(geo_from_cache(fresh));
	cached = open_geo(city);
	assert_true(geo_from_cache(cached));
	same_answers(fresh, cached, 50000);
	/* the city fixture's regions are there */
	struct net_addr a;
	struct geo_info ga, gb;
	assert_int_equal(net_addr_parse("41.32.0.1", &a), 0);
	geo_lookup(fresh, &a, &ga);
	geo_lookup(cached, &a, &gb);
	assert_memory_equal(&ga, &gb, sizeof(ga));
	geo_free(fresh);
	geo_free(cached);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cache_equals_sources),
		cmocka_unit_test(damaged_cache_is_rebuilt),
		cmocka_unit_test(changed_source_misses),
		cmocka_unit_test(regions_are_cached),
	};
	char cmd[300];
	int rc;

	if (access(LOCDB, R_OK) != 0)
		test_skip("%s is absent (libloc-database)", LOCDB);
	if ((dir = test_tmpdir_make("geocache")) == NULL)
		return 1;
	snprintf(locdb, sizeof(locdb), "%s/location.db", dir);
	snprintf(cache, sizeof(cache), "%s/cache/lifeline", dir);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", LOCDB, locdb);
	if (system(cmd) != 0)
		return 1;
	rc = test_main("geo_cache", tests, NULL, NULL);
	if (test_tmpdir_remove() != 0)
		rc = 1;
	return rc;
}
