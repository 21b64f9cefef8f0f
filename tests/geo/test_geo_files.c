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
#include <sys/resource.h>
#include <unistd.h>
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

/* A NUL byte makes its line bad, and only that line: the lines after it
 * (DE, NL, ES, PL) are read whole, a line starting with NUL is reported
 * like any other, and a version line after the records is not skipped
 * in silence. */
static void
nul_bytes_lose_no_line(void **state)
{
	char *rir = dup_path(test_data("geo/rir-nul.txt"));
	char *pfx = dup_path(test_data("geo/pfx2as-nul.txt"));
	const char *rirs[] = { rir, NULL };
	struct warns w = { .n = 0 };
	struct geo_opts o = { .rir = rirs, .pfx2as = pfx, .warn = warn_fn,
	    .warn_ctx = &w };
	const char *want[] = {
		"rir-nul.txt:3: NUL byte at column 51",
		"rir-nul.txt:5: NUL byte at column 52",
		"rir-nul.txt:6: NUL byte at column 1",
		"rir-nul.txt:8: NUL byte at column 26",
		"rir-nul.txt:9: NUL byte at column 1",
		"rir-nul.txt:11: unknown status '+0200'",
		"pfx2as-nul.txt:1: NUL byte at column 17",
		"pfx2as-nul.txt:3: NUL byte at column 1",
		"pfx2as-nul.txt:5: NUL byte at column 11",
	};
	struct geo *g;

	(void)state;
	assert_int_equal(geo_open(&o, &g), 0);
	for (int i = 0; i < w.n && i < 64; i++)
		print_message("%s\n", w.msg[i]);
	assert_int_equal(w.n, sizeof(want) / sizeof(*want));
	assert_int_equal(geo_bad_lines(g), sizeof(want) / sizeof(*want));
	for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++)
		if (strstr(w.msg[i], want[i]) == NULL)
			fail_msg("warning %zu: '%s' lacks '%s'", i, w.msg[i],
			    want[i]);
	look(g, "2.16.0.1", "DE", 0);
	look(g, "2.23.255.255", "DE", 0);
	look(g, "2.56.0.1", "NL", 0);
	look(g, "2.136.0.1", "ES", 0);
	look(g, "2.57.0.1", "PL", 0);
	look(g, "2.0.0.1", "", 0);		/* the bad lines: none */
	look(g, "2.32.0.1", "", 0);
	look(g, "2.96.0.1", "", 0);
	look(g, "2.64.0.1", "", 0);
	look(g, "1.0.4.1", "", 0);
	look(g, "1.0.5.1", "", 56203);
	look(g, "1.0.6.1", "", 56204);
	look(g, "1.0.7.1", "", 0);
	look(g, "1.0.8.1", "", 56206);
	geo_free(g);
	free(rir);
	free(pfx);
}

/* A gzip'ed file cut short: the lines whole before the cut load, the
 * partial line after them is not used (even where it parses), and the cut
 * is reported with the number of that line. */
static void
cut_gzip_is_reported(void **state)
{
	char path[] = "/tmp/ll-cut-XXXXXX", want[128], addr[32];
	char *pfx = dup_path(test_data("geo/pfx2as-hostile.txt"));
	const char *rirs[] = { path, NULL };
	struct warns w = { .n = 0 };
	struct geo_opts o = { .rir = rirs, .pfx2as = pfx, .warn = warn_fn,
	    .warn_ctx = &w };
	static char text[1u << 20];
	unsigned whole = 0, i;
	struct geo *g;
	gzFile z;
	FILE *f;
	long size;
	int fd, n;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(z = gzdopen(fd, "wb9"));
	for (i = 0; i < 20000; i++)
		gzprintf(z, "afrinic|EG|ipv4|41.%u.%u.0|256|20000101|"
		    "allocated\n", i >> 8, i & 255);
	assert_int_equal(gzclose(z), Z_OK);
	assert_non_null(f = fopen(path, "r+b"));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_int_equal(ftruncate(fileno(f), size * 3 / 5), 0);
	fclose(f);
	/* What zlib gives of the cut file: the lines whole in it. */
	assert_non_null(z = gzopen(path, "rb"));
	n = gzread(z, text, sizeof(text));
	gzclose(z);
	assert_true(n > 0);
	for (i = 0; i < (unsigned)n; i++)
		whole += text[i] == '\n';
	assert_true(whole > 1000 && whole < 20000);

	assert_int_equal(geo_open(&o, &g), 0);
	snprintf(want, sizeof(want), "%s:%u: compressed data cut short", path,
	    whole + 1);
	assert_int_equal(w.n, 13);	/* 12 in pfx2as-hostile.txt */
	if (strstr(w.msg[0], want) == NULL)
		fail_msg("'%s' lacks '%s'", w.msg[0], want);
	snprintf(addr, sizeof(addr), "41.%u.%u.1", (whole - 1) >> 8,
	    (whole - 1) & 255);
	look(g, addr, "EG", 0);
	snprintf(addr, sizeof(addr), "41.%u.%u.1", whole >> 8, whole & 255);
	look(g, addr, "", 0);
	geo_free(g);
	unlink(path);
	free(pfx);
}

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* The child of out_of_memory_stops_the_load: loads a pfx2as file with
 * too many prefixes for the memory it is allowed. */
static int
oom_child(const char *pfx)
{
	char *rir = dup_path(test_data("geo/rir-hostile.txt"));
	const char *rirs[] = { rir, NULL };
	struct geo_opts o = { .rir = rirs, .pfx2as = pfx };
	struct geo *g = NULL;
	int rc;

#ifndef UNDER_ASAN
	struct rlimit rl;
	unsigned long vsz = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f == NULL || fscanf(f, "%lu", &vsz) != 1)
		return 99;
	fclose(f);
	rl.rlim_cur = rl.rlim_max = vsz * (unsigned long)getpagesize() +
	    (16ul << 20);
	if (setrlimit(RLIMIT_AS, &rl) != 0)
		return 99;
#endif
	rc = geo_open(&o, &g);
	printf("%d %s\n", rc, geo_errmsg(g));
	geo_free(g);
	free(rir);
	return 0;
}

/* An allocation that fails is not a bad line: the load stops with
 * LL_ENOMEM and says where, instead of going on and dropping the rest. */
static void
out_of_memory_stops_the_load(void **state)
{
	char tmpl[] = "/tmp/ll-oom-XXXXXX", cmd[4096], out[512] = "";
#ifdef UNDER_ASAN
	const unsigned lines = 1u << 17;	/* 4 MB of prefixes */
#else
	const unsigned lines = 1u << 20;	/* 32 MB, over the limit */
#endif
	FILE *f, *p;
	int fd, rc;

	(void)state;
	assert_true((fd = mkstemp(tmpl)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	for (unsigned i = 0; i < lines; i++)
		fprintf(f, "10.%u.%u.%u\t32\t%u\n", i >> 16 & 255, i >> 8 & 255,
		    i & 255, 64512 + (i & 1023));
	assert_int_equal(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "ASAN_OPTIONS=allocator_may_return_null=1:"
	    "max_allocation_size_mb=1:detect_leaks=0 /proc/%d/exe --oom '%s'",
	    (int)getpid(), tmpl);
	assert_non_null(p = popen(cmd, "r"));
	assert_non_null(fgets(out, sizeof(out), p));
	rc = pclose(p);
	unlink(tmpl);
	print_message("%s", out);
	assert_int_equal(rc, 0);
	assert_int_equal(strtol(out, NULL, 10), LL_ENOMEM);
	assert_non_null(strstr(out, ": out of memory"));
	assert_non_null(strstr(out, tmpl));
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
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hostile_lines),
		cmocka_unit_test(nul_bytes_lose_no_line),
		cmocka_unit_test(out_of_memory_stops_the_load),
		cmocka_unit_test(cut_gzip_is_reported),
		cmocka_unit_test(unusable_files),
		cmocka_unit_test(rir_real_afrinic),
		cmocka_unit_test(rir_real_ripe_exact_addresses),
		cmocka_unit_test(pfx2as_real),
	};

	if (argc == 3 && strcmp(argv[1], "--oom") == 0)
		return oom_child(argv[2]);
	return test_main("geo_files", tests, NULL, NULL);
}
