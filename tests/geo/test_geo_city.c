/*
 * Regions from a MaxMind-format city database: the fixtures made by
 * tests/data/geo/mkmmdb.py (an IPv6 tree with IPv4 at ::/96, and an
 * IPv4-only one), checked first through libmaxminddb itself, then through
 * geo (with the RIR/pfx2as fixtures for countries, so libloc is not
 * needed); damaged databases must fail cleanly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <maxminddb.h>

#include "geo/geo.h"
#include "net/net.h"
#include "testutil.h"
#include "util/err.h"

static char *
path(const char *rel)
{
	char *s = strdup(test_data(rel));

	assert_non_null(s);
	return s;
}

static void
sub_is(MMDB_s *db, const char *ip, const char *want)
{
	MMDB_lookup_result_s r;
	MMDB_entry_data_s d;
	int gai, err;

	r = MMDB_lookup_string(db, ip, &gai, &err);
	assert_int_equal(gai, 0);
	assert_int_equal(err, MMDB_SUCCESS);
	if (want == NULL) {
		assert_false(r.found_entry);
		return;
	}
	assert_true(r.found_entry);
	assert_int_equal(MMDB_get_value(&r.entry, &d, "subdivisions", "0",
	    "iso_code", NULL), MMDB_SUCCESS);
	assert_int_equal(d.type, MMDB_DATA_TYPE_UTF8_STRING);
	assert_int_equal(d.data_size, strlen(want));
	assert_memory_equal(d.utf8_string, want, strlen(want));
}

/* The fixture is a valid database for libmaxminddb itself. */
static void
fixture_valid_for_libmaxminddb(void **state)
{
	char *f6 = path("geo/city-test.mmdb"), *f4 = path("geo/city-test-v4.mmdb");
	MMDB_s db;

	(void)state;
	assert_int_equal(MMDB_open(f6, MMDB_MODE_MMAP, &db), MMDB_SUCCESS);
	assert_int_equal(db.metadata.ip_version, 6);
	sub_is(&db, "41.32.0.1", "C");
	sub_is(&db, "41.32.10.255", "GZ");
	sub_is(&db, "41.32.11.0", "C");
	sub_is(&db, "41.33.200.1", "ALX");
	sub_is(&db, "2c0f:fc88:ffff::1", "C");
	sub_is(&db, "41.34.0.1", NULL);
	sub_is(&db, "::ffff:41.32.10.1", "GZ");	/* the aliases */
	sub_is(&db, "2002:2920:0a01::", "GZ");
	MMDB_close(&db);
	assert_int_equal(MMDB_open(f4, MMDB_MODE_MMAP, &db), MMDB_SUCCESS);
	assert_int_equal(db.metadata.ip_version, 4);
	sub_is(&db, "8.8.8.8", "CA");
	MMDB_close(&db);
	free(f6);
	free(f4);
}

struct opened {
	char		*rir, *rir2, *pfx, *city;
	const char	*rirs[3];
	struct geo_opts	 o;
	struct geo	*g;
};

static int
open_with(struct opened *s, const char *city)
{
	s->rir = path("geo/rir-hostile.txt");
	s->pfx = path("geo/pfx2as-hostile.txt");
	s->city = path(city);
	/* EG for 2002::/16 too, where an alias walk would put EG-*. */
	s->rir2 = path("geo/rir-aliases.txt");
	s->rirs[0] = s->rir;
	s->rirs[1] = s->rir2;
	s->rirs[2] = NULL;
	memset(&s->o, 0, sizeof(s->o));
	s->o.rir = s->rirs;
	s->o.pfx2as = s->pfx;
	s->o.city_mmdb = s->city;
	return geo_open(&s->o, &s->g);
}

static void
close_opened(struct opened *s)
{
	geo_free(s->g);
	free(s->rir);
	free(s->rir2);
	free(s->pfx);
	free(s->city);
}

static void
region(struct geo *g, const char *ip, const char *cc, const char *reg)
{
	struct net_addr a;
	struct geo_info gi;

	assert_int_equal(net_addr_parse(ip, &a), 0);
	geo_lookup(g, &a, &gi);
	if (strcmp(gi.cc, cc) != 0 || strcmp(gi.region, reg) != 0)
		fail_msg("%s: got %s %s, want %s %s", ip, gi.cc, gi.region,
		    cc, reg);
}

struct pieces {
	char		what[16][16];
	uint64_t	units[16];
	int		n;
};

static int
piece(void *ctx, const char *cc, const char *reg, uint64_t units)
{
	struct pieces *p = ctx;

	assert_true(p->n < 16);
	snprintf(p->what[p->n], sizeof(p->what[0]), "%s/%s", cc, reg);
	p->units[p->n++] = units;
	return 0;
}

static uint64_t
units_of(const struct pieces *p, const char *what)
{
	for (int i = 0; i < p->n; i++)
		if (strcmp(p->what[i], what) == 0)
			return p->units[i];
	return 0;
}

static void
regions_v6_tree(void **state)
{
	struct opened s;
	struct pieces p = { .n = 0 };
	struct net_prefix pf;

	(void)state;
	assert_int_equal(open_with(&s, "geo/city-test.mmdb"), 0);
	region(s.g, "41.32.0.1", "EG", "EG-C");
	region(s.g, "41.33.1.1", "EG", "EG-ALX");
	region(s.g, "41.32.10.1", "EG", "EG-GZ");
	/* The city DB says SD-KH where the RIR says EG: no region. */
	region(s.g, "41.32.6.1", "EG", "");
	/* The RIR says SD inside the city DB's EG-C: no region. */
	region(s.g, "41.32.5.1", "SD", "");
	region(s.g, "41.34.0.1", "EG", "");
	region(s.g, "2c0f:fc88::1", "EG", "EG-C");
	/* The aliases of the IPv4 subtree are not IPv6 networks. */
	region(s.g, "2002:2920:0a01::", "EG", "");
	region(s.g, "::ffff:41.32.10.1", "", "");
	/* 1.0.0.0/24 has no subdivision (and no RIR country). */
	region(s.g, "1.0.0.1", "", "");
	assert_int_equal(net_prefix_parse("41.32.0.0/16", &pf), 0);
	assert_int_equal(geo_split(s.g, &pf, piece, &p), 0);
	assert_int_equal(p.n, 4);
	assert_int_equal(units_of(&p, "EG/EG-C"), 253);
	assert_int_equal(units_of(&p, "EG/EG-GZ"), 1);
	assert_int_equal(units_of(&p, "EG/"), 1);
	assert_int_equal(units_of(&p, "SD/"), 1);
	p.n = 0;
	assert_int_equal(net_prefix_parse("2c0f:fc88::/29", &pf), 0);
	assert_int_equal(geo_split(s.g, &pf, piece, &p), 0);
	assert_int_equal(units_of(&p, "EG/EG-C"), 65536);
	assert_int_equal(units_of(&p, "/"), 7 * 65536);
	close_opened(&s);
}

static void
regions_v4_tree(void **state)
{
	struct opened s;

	(void)state;
	assert_int_equal(open_with(&s, "geo/city-test-v4.mmdb"), 0);
	region(s.g, "41.32.0.1", "EG", "EG-C");
	region(s.g, "41.32.10.1", "EG", "EG-GZ");
	region(s.g, "2c0f:fc88::1", "EG", "");
	close_opened(&s);
}

/* Damaged copies: truncated at every length, and bytes flipped. */
static void
damaged_databases(void **state)
{
	char *f6 = path("geo/city-test.mmdb");
	char tmp[] = "/tmp/lifeline-mmdb-XXXXXX";
	uint8_t buf[4096], mut[4096];
	uint64_t seed = 7;
	size_t n;
	FILE *f;
	int fd, ok = 0, bad = 0;

	(void)state;
	assert_non_null(f = fopen(f6, "rb"));
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_true(n > 100 && n < sizeof(buf));
	assert_true((fd = mkstemp(tmp)) >= 0);
	close(fd);
	for (int k = 0; k < 400; k++) {
		size_t len = n;
		memcpy(mut, buf, n);
		if (k < 100) {
			len = (size_t)k * n / 100;
		} else {
			for (int j = 0; j < 1 + k % 4; j++) {
				seed = seed * 6364136223846793005ull + 1;
				mut[(seed >> 33) % n] ^= (uint8_t)(seed >> 56);
			}
		}
		assert_non_null(f = fopen(tmp, "wb"));
		assert_int_equal(fwrite(mut, 1, len, f), len);
		fclose(f);
		struct opened s;
		s.rir = path("geo/rir-hostile.txt");
		s.pfx = path("geo/pfx2as-hostile.txt");
		s.city = strdup(tmp);
		s.rir2 = NULL;
		s.rirs[0] = s.rir;
		s.rirs[1] = NULL;
		memset(&s.o, 0, sizeof(s.o));
		s.o.rir = s.rirs;
		s.o.pfx2as = s.pfx;
		s.o.city_mmdb = s.city;
		int rc = geo_open(&s.o, &s.g);
		if (rc == 0) {
			ok++;
		} else {
			bad++;
			assert_true(rc == LL_EFORMAT || rc == LL_ELIMIT);
			assert_non_null(strstr(geo_errmsg(s.g), tmp));
		}
		close_opened(&s);
	}
	unlink(tmp);
	print_message("damaged mmdb: %d opened, %d refused\n", ok, bad);
	assert_true(bad >= 100);
	free(f6);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fixture_valid_for_libmaxminddb),
		cmocka_unit_test(regions_v6_tree),
		cmocka_unit_test(regions_v4_tree),
		cmocka_unit_test(damaged_databases),
	};

	return test_main("geo_city", tests, NULL, NULL);
}
