/*
 * The user's own files: RIR delegated stats and CAIDA pfx2as, real ones
 * (totals computed independently with awk) and hostile ones (every bad
 * line reported with its number, skipped, the good ones used).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "geo/geo.h"
#include "net/net.h"
#include "testutil.h"
#include "util/err.h"

#define RIR	"registry/rir-delegated/"
#define PFX2AS	"registry/caida-pfx2as/routeviews-rv2-20170329-0200.pfx2as.gz"

struct warns {
	char	msg[64][160];
	int	n;
};

static void
warn_fn(void *ctx, const char *msg)
{
	struct warns *w = ctx;

	if (w->n < 64)
		snprintf(w->msg[w->n], sizeof(w->msg[0]), "%s", msg);
	w->n++;
}

static char *
dup_path(const char *p)
{
	char *s = strdup(p);

	assert_non_null(s);
	return s;
}

static void
look(struct geo *g, const char *addr, const char *cc, uint32_t asn)
{
	struct net_addr a;
	struct geo_info gi;

	assert_int_equal(net_addr_parse(addr, &a), 0);
	geo_lookup(g, &a, &gi);
	if (strcmp(gi.cc, cc) != 0 || gi.asn != asn)
		fail_msg("%s: got %s/%u, want %s/%u", addr, gi.cc, gi.asn, cc,
		    asn);
}

/* Both hostile files at once (no libloc needed: both sources given). */
static void
hostile_lines(void **state)
{
	char *rir = dup_path(test_data("geo/rir-hostile.txt"));
	char *pfx = dup_path(test_data("geo/pfx2as-hostile.txt"));
	const char *rirs[] = { rir, NULL };
	struct warns w = { .n = 0 };
	struct geo_opts o = { .rir = rirs, .pfx2as = pfx, .warn = warn_fn,
	    .warn_ctx = &w };
	struct geo *g;
	/* The line numbers of the bad lines, by construction. */
	const int rir_bad[] = { 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 21 };
	const int pfx_bad[] = { 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17 };
	char want[64];
	int k = 0;

	(void)state;
	assert_int_equal(geo_open(&o, &g), 0);
	assert_int_equal(w.n, 24);
	assert_int_equal(geo_bad_lines(g), 24);
	for (size_t i = 0; i < sizeof(rir_bad) / sizeof(*rir_bad); i++, k++) {
		snprintf(want, sizeof(want), "rir-hostile.txt:%d: ", rir_bad[i]);
		if (strstr(w.msg[k], want) == NULL)
			fail_msg("warning %d: '%s' lacks '%s'", k, w.msg[k],
			    want);
	}
	for (size_t i = 0; i < sizeof(pfx_bad) / sizeof(*pfx_bad); i++, k++) {
		snprintf(want, sizeof(want), "pfx2as-hostile.txt:%d: ",
		    pfx_bad[i]);
		if (strstr(w.msg[k], want) == NULL)
			fail_msg("warning %d: '%s' lacks '%s'", k, w.msg[k],
			    want);
	}
	assert_non_null(strstr(w.msg[4], "address count"));
	assert_non_null(strstr(w.msg[11], "longer than"));
	assert_non_null(strstr(w.msg[12 + 2], "bad origin AS"));
	assert_non_null(strstr(w.msg[12 + 9], "bad address"));
	assert_non_null(strstr(geo_errmsg(g), "pfx2as-hostile.txt:17:"));
	/* The good lines are in; nested later ones win. */
	look(g, "41.32.0.1", "EG", 0);
	look(g, "41.47.255.255", "EG", 0);
	look(g, "41.32.5.9", "SD", 0);
	look(g, "196.4.0.1", "ZA", 0);
	look(g, "196.4.2.255", "ZA", 0);	/* 768 = /23 + /24 */
	look(g, "196.4.3.0", "", 0);
	look(g, "41.0.0.1", "EG", 0);		/* CRLF line */
	look(g, "41.0.1.1", "EG", 0);		/* no final newline */
	look(g, "41.57.113.1", "", 0);		/* reserved */
	look(g, "2c0f:fc88:1::1", "EG", 0);
	look(g, "1.0.5.1", "", 56203);
	look(g, "1.2.4.1", "", 24151);		/* MOAS: the first */
	look(g, "8.41.202.1", "", 40179);	/* AS set: the first */
	look(g, "10.9.9.9", "", 1);
	look(g, "2001:db8::1", "", 65536);
	geo_free(g);
	free(rir);
	free(pfx);
}

static void
unusable_files(void **state)
{
	char *empty = dup_path(test_data("geo/empty.txt"));
	char *garbage = dup_path(test_data("geo/garbage.gz"));
	char *pfx = dup_path(test_data("geo/pfx2as-hostile.txt"));
	const char *rirs[] = { empty, NULL };
	struct geo_opts o = { .rir = rirs, .pfx2as = pfx };
	struct geo *g;

	(void)state;
	assert_int_equal(geo_open(&o, &g), LL_EFORMAT);
	assert_non_null(strstr(geo_errmsg(g), "empty.txt: no usable line"));
	geo_free(g);
	rirs[0] = garbage;
	assert_int_equal(geo_open(&o, &g), LL_EFORMAT);
	assert_non_null(strstr(geo_errmsg(g), "garbage.gz:1: corrupt"));
	geo_free(g);
	rirs[0] = "/nonexistent/delegated";
	assert_int_equal(geo_open(&o, &g), LL_ENOTFOUND);
	assert_non_null(strstr(geo_errmsg(g), "/nonexistent/delegated"));
	geo_free(g);
	/* A pfx2as file given as RIR stats: every line bad, none usable. */
	rirs[0] = pfx;
	assert_int_equal(geo_open(&o, &g), LL_EFORMAT);
	geo_free(g);
	/* No such location database. */
	struct geo_opts o2 = { .locdb = "/nonexistent/location.db" };
	assert_int_equal(geo_open(&o2, &g), LL_ENOTFOUND);
	assert_non_null(strstr(geo_errmsg(g), "/nonexistent/location.db"));
	geo_free(g);
	geo_free(NULL);
	assert_string_equal(geo_errmsg(NULL), "");
	free(empty);
	free(garbage);
	free(pfx);
}

/* Runs an awk program over file, returns its output's first number. */
static uint64_t
awk1(const char *prog, const char *file)
{
	char cmd[1024], out[64] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "awk -F'|' '%s' '%s'", prog, file);
	assert_non_null(p = popen(cmd, "r"));
	assert_non_null(fgets(out, sizeof(out), p));
	assert_int_equal(pclose(p), 0);
	return strtoull(out, NULL, 10);
}

struct units {
	const char	*cc;
	uint64_t	 n;
};

static int
units_fn(void *ctx, const char *cc, const char *reg, uint64_t units)
{
	struct units *u = ctx;

	(void)reg;
	if (strcmp(cc, u->cc) == 0)
		u->n += units;
	return 0;
}

static uint64_t
cc_units(struct geo *g, const char *cc, const char *all)
{
	struct net_prefix p;
	struct units u = { cc, 0 };

	assert_int_equal(net_prefix_parse(all, &p), 0);
	assert_int_equal(geo_split(g, &p, units_fn, &u), 0);
	return u.n;
}

static uint64_t
cc_addresses(struct geo *g, const char *cc)
{
	struct net_prefix *v;
	uint64_t s = 0;
	size_t n;

	assert_int_equal(geo_country_networks(g, cc, NET_AF4, &v, &n), 0);
	for (size_t i = 0; i < n; i++)
		s += 1ull << (32 - v[i].len);
	free(v);
	return s;
}

static void
rir_real_afrinic(void **state)
{
	char *f = dup_path(test_shared_or_skip(RIR
	    "delegated-afrinic-extended-20230323"));
	char *pfx = dup_path(test_shared_or_skip(PFX2AS));
	const char *rirs[] = { f, NULL };
	struct geo_opts o = { .rir = rirs, .pfx2as = pfx };
	struct geo *g;
	const char *used = "($7==\"allocated\"||$7==\"assigned\")";
	char prog[512];

	(void)state;
	assert_int_equal(geo_open(&o, &g), 0);
	assert_int_equal(geo_bad_lines(g), 0);
	/* Every IPv4 record starts and ends on a /24 (checked by awk), so the
	 * units are the address counts / 256. */
	snprintf(prog, sizeof(prog), "$3==\"ipv4\" && %s {split($4,o,\".\"); "
	    "if ($5%%256 || o[4]!=0) n++} END {print n+0}", used);
	assert_int_equal(awk1(prog, f), 0);
	snprintf(prog, sizeof(prog), "$2==\"EG\" && $3==\"ipv4\" && %s "
	    "{s+=$5} END {printf \"%%d\\n\", s/256}", used);
	uint64_t want = awk1(prog, f);
	assert_true(want > 90000);
	assert_int_equal(cc_units(g, "EG", "0.0.0.0/0"), want);
	snprintf(prog, sizeof(prog), "$2==\"EG\" && $3==\"ipv6\" && %s "
	    "{s+=2^(48-$5)} END {printf \"%%d\\n\", s}", used);
	assert_int_equal(cc_units(g, "EG", "::/0"), awk1(prog, f));
	/* All countries: every used /24 once (no overlaps in the file). */
	snprintf(prog, sizeof(prog), "$3==\"ipv4\" && $2!=\"ZZ\" && %s "
	    "{s+=$5} END {printf \"%%d\\n\", s/256}", used);
	want = awk1(prog, f);
	struct units none = { "", 0 };
	struct net_prefix all;
	assert_int_equal(net_prefix_parse("0.0.0.0/0", &all), 0);
	assert_int_equal(geo_split(g, &all, units_fn, &none), 0);
	assert_int_equal((1ull << 24) - none.n, want);
	print_message("afrinic 2023: EG %llu /24s, all %llu /24s\n",
	    (unsigned long long)cc_units(g, "EG", "0.0.0.0/0"),
	    (unsigned long long)want);
	look(g, "41.32.0.1", "EG", 8452);
	geo_free(g);
	free(f);
	free(pfx);
}

/* RIPE NCC 2014: ranges not on /24s, counts not powers of two. Address
 * totals per country from geo_country_networks() against awk. */
static void
rir_real_ripe_exact_addresses(void **state)
{
	char *f = dup_path(test_shared_or_skip(RIR
	    "delegated-ripencc-20140630"));
	char *pfx = dup_path(test_shared_or_skip(PFX2AS));
	const char *rirs[] = { f, NULL };
	struct geo_opts o = { .rir = rirs, .pfx2as = pfx };
	const char *ccs[] = { "DE", "RU", "IR", "SY", "GB", "EU" };
	struct geo *g;
	char prog[512];

	(void)state;
	assert_int_equal(geo_open(&o, &g), 0);
	assert_int_equal(geo_bad_lines(g), 0);
	for (size_t i = 0; i < sizeof(ccs) / sizeof(*ccs); i++) {
		snprintf(prog, sizeof(prog), "$2==\"%s\" && $3==\"ipv4\" && "
		    "($7==\"allocated\"||$7==\"assigned\") {s+=$5} "
		    "END {printf \"%%d\\n\", s}", ccs[i]);
		uint64_t want = awk1(prog, f);
		assert_true(want > 0);
		assert_int_equal(cc_addresses(g, ccs[i]), want);
	}
	geo_free(g);
	free(f);
	free(pfx);
}

/* The real pfx2as file: no bad line, and each /24 row's address gives its
 * first origin AS, unless a longer row lies inside. */
static void
pfx2as_real(void **state)
{
	char *pfx = dup_path(test_shared_or_skip(PFX2AS));
	char *rir = dup_path(test_shared_or_skip(RIR
	    "delegated-afrinic-extended-20230323"));
	const char *rirs[] = { rir, NULL };
	struct geo_opts o = { .rir = rirs, .pfx2as = pfx };
	char line[256], ip[64], as[128];
	uint8_t *longer = calloc(1u << 21, 1);
	unsigned len, n = 0, moas = 0;
	struct geo *g;
	gzFile f;

	(void)state;
	assert_non_null(longer);
	assert_int_equal(geo_open(&o, &g), 0);
	assert_int_equal(geo_bad_lines(g), 0);
	assert_non_null(f = gzopen(pfx, "rb"));
	while (gzgets(f, line, sizeof(line)) != NULL) {
		unsigned a, b, c, d;
		assert_int_equal(sscanf(line, "%63s %u %127s", ip, &len, as), 3);
		assert_int_equal(sscanf(ip, "%u.%u.%u.%u", &a, &b, &c, &d), 4);
		if (len > 24) {
			uint32_t u = a << 16 | b << 8 | c;
			longer[u >> 3] |= (uint8_t)(1u << (u & 7));
		}
	}
	gzrewind(f);
	while (gzgets(f, line, sizeof(line)) != NULL) {
		unsigned a, b, c, d;
		struct net_addr ad;
		struct geo_info gi;
		sscanf(line, "%63s %u %127s", ip, &len, as);
		sscanf(ip, "%u.%u.%u.%u", &a, &b, &c, &d);
		uint32_t u = a << 16 | b << 8 | c;
		if (len != 24 || (longer[u >> 3] & (1u << (u & 7))))
			continue;
		moas += strpbrk(as, "_,") != NULL;
		assert_int_equal(net_addr_parse(ip, &ad), 0);
		geo_lookup(g, &ad, &gi);
		if (gi.asn != strtoul(as, NULL, 10))
			fail_msg("%s: AS %u, want the first of %s", ip,
			    gi.asn, as);
		n++;
	}
	gzclose(f);
	assert_true(n > 300000);
	print_message("pfx2as: %u /24 rows checked (%u multi-origin)\n", n,
	    moas);
	geo_free(g);
	free(longer);
	free(pfx);
	free(rir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hostile_lines),
		cmocka_unit_test(unusable_files),
		cmocka_unit_test(rir_real_afrinic),
		cmocka_unit_test(rir_real_ripe_exact_addresses),
		cmocka_unit_test(pfx2as_real),
	};

	return test_main("geo_files", tests, NULL, NULL);
}
