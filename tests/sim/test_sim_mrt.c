/*
 * The MRT writer against the RFC's byte layout and against Debian's
 * bgpdump, which reads what we write independently of our decoder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "net/net.h"
#include "sim/sim_int.h"
#include "testutil.h"
#include "util/err.h"

#define T0	1296165600u	/* 2011-01-27T22:00:00Z */

static const char *tmpdir;	/* test_tmpdir_make() */

static struct sim_peer peers[2];
static struct sim_local local;

static void
pfx(const char *s, struct net_prefix *p)
{
	assert_int_equal(net_prefix_parse(s, p), 0);
}

static void
addr(const char *s, struct net_addr *a)
{
	assert_int_equal(net_addr_parse(s, a), 0);
}

static void
setup_peers(void)
{
	peers[0].asn = 65536;
	peers[0].bgp_id = 0xc0000201u;
	addr("192.0.2.1", &peers[0].addr);
	addr("192.0.2.1", &peers[0].nh4);
	addr("2001:db8::1", &peers[0].nh6);
	peers[1].asn = 4200000001u;
	peers[1].bgp_id = 0xc0000202u;
	addr("2001:db8::2", &peers[1].addr);
	addr("192.0.2.2", &peers[1].nh4);
	addr("2001:db8::2", &peers[1].nh6);
	local.asn = 64496;
	addr("192.0.2.254", &local.addr4);
	addr("2001:db8::fe", &local.addr6);
}

/* Reads the whole decompressed file. */
static size_t
slurp_gz(const char *path, uint8_t *buf, size_t cap)
{
	gzFile gz = gzopen(path, "rb");
	int n;

	assert_non_null(gz);
	n = gzread(gz, buf, (unsigned)cap);
	gzclose(gz);
	assert_true(n >= 0);
	return (size_t)n;
}

/* bgpdump -m output of path, lines joined; NULL-terminated copy. */
static char *
bgpdump(const char *path)
{
	char cmd[512], *out = NULL;
	size_t len = 0, cap = 0, n;
	char buf[4096];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "bgpdump -m '%s' 2>/dev/null", path);
	f = popen(cmd, "r");
	assert_non_null(f);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		memcpy(out + len, buf, n);
		len += n;
	}
	assert_int_equal(pclose(f), 0);
	if (out == NULL)
		out = calloc(1, 1);
	out[len] = '\0';
	return out;
}

static size_t
count_lines(const char *s, const char *needle)
{
	size_t n = 0;
	const char *line = s, *nl;

	while (*line) {
		nl = strchr(line, '\n');
		if (nl == NULL)
			nl = line + strlen(line);
		if (needle == NULL || memmem(line, (size_t)(nl - line), needle,
		    strlen(needle)) != NULL)
			n++;
		line = *nl ? nl + 1 : nl;
	}
	return n;
}

/* RFC 6396 4.3.1, encoded by hand. */
static void
test_peer_index_bytes(void **state)
{
	static const uint8_t want[] = {
		0x4d, 0x41, 0xea, 0xe0, 0x00, 0x0d, 0x00, 0x01,	/* hdr */
		0x00, 0x00, 0x00, 0x30,				/* 10 + 13 + 25 */
		0xc0, 0x00, 0x02, 0xfe, 0x00, 0x02, 'v', '1',	/* id, view */
		0x00, 0x02,					/* count */
		0x02, 0xc0, 0x00, 0x02, 0x01,			/* AS4, v4 */
		0xc0, 0x00, 0x02, 0x01, 0x00, 0x01, 0x00, 0x00,
		0x03, 0xc0, 0x00, 0x02, 0x02,			/* AS4, v6 */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
		0xfa, 0x56, 0xea, 0x01,
	};
	char path[256];
	uint8_t got[256];
	struct sim_mrt *w;

	(void)state;
	snprintf(path, sizeof(path), "%s/pit.gz", tmpdir);
	assert_int_equal(sim_mrt_open(path, 6, &w), 0);
	assert_int_equal(sim_mrt_peer_index(w, T0, 0xc00002feu, "v1", peers,
	    2), 0);
	assert_int_equal(sim_mrt_records(w), 1);
	assert_int_equal(sim_mrt_close(w), 0);
	assert_int_equal(slurp_gz(path, got, sizeof(got)), sizeof(want));
	assert_memory_equal(got, want, sizeof(want));
}

static void
test_bgpdump_reads_all(void **state)
{
	uint32_t path0[] = { 65536, 3356, 8452 };
	uint32_t path1[] = { 4200000001u, 1299, 8452, 8452 };
	uint32_t path6[] = { 65536, 6939, 36992 };
	uint32_t comm = 3356u << 16 | 2001;
	struct sim_route r0 = { 0, path0, 3, &peers[0].nh4, &comm, 1 };
	struct sim_route r1 = { 2, path1, 4, &peers[1].nh4, NULL, 0 };
	struct sim_route r6 = { 0, path6, 3, &peers[0].nh6, NULL, 0 };
	struct net_prefix p4[2], p6;
	struct sim_mrt *w;
	char path[256], *out;
	const char *want =
	    "TABLE_DUMP2|1296165600|B|192.0.2.1|65536|41.32.0.0/12|"
	    "65536 3356 8452|IGP|192.0.2.1|0|0|3356:2001|NAG||\n"
	    "TABLE_DUMP2|1296165600|B|2001:db8::2|4200000001|41.32.0.0/12|"
	    "4200000001 1299 8452 8452|INCOMPLETE|192.0.2.2|0|0||NAG||\n"
	    "TABLE_DUMP2|1296165600|B|192.0.2.1|65536|2c0f:fc88::/32|"
	    "65536 6939 36992|IGP|2001:db8::1|0|0||NAG||\n"
	    "BGP4MP|1296167640|A|2001:db8::2|4200000001|41.32.0.0/12|"
	    "4200000001 1299 8452 8452|INCOMPLETE|192.0.2.2|0|0||NAG||\n"
	    "BGP4MP|1296167640|A|2001:db8::2|4200000001|196.218.0.0/15|"
	    "4200000001 1299 8452 8452|INCOMPLETE|192.0.2.2|0|0||NAG||\n"
	    "BGP4MP|1296167641|W|192.0.2.1|65536|2c0f:fc88::/32\n"
	    "BGP4MP|1296167642|W|2001:db8::2|4200000001|41.32.0.0/12\n"
	    "BGP4MP|1296167643|STATE|192.0.2.1|65536|6|1\n"
	    "BGP4MP|1296167644|A|192.0.2.1|65536|2c0f:fc88::/32|"
	    "65536 6939 36992|IGP|2001:db8::1|0|0||NAG||\n";

	(void)state;
	pfx("41.32.0.0/12", &p4[0]);
	pfx("196.218.0.0/15", &p4[1]);
	pfx("2c0f:fc88::/32", &p6);
	snprintf(path, sizeof(path), "%s/all.gz", tmpdir);
	assert_int_equal(sim_mrt_open(path, 1, &w), 0);
	assert_int_equal(sim_mrt_peer_index(w, T0, 0xc00002feu, "", peers,
	    2), 0);
	assert_int_equal(sim_mrt_rib_begin(w, T0, 0, &p4[0]), 0);
	assert_int_equal(sim_mrt_rib_entry(w, 0, T0 - 100, &r0), 0);
	assert_int_equal(sim_mrt_rib_entry(w, 1, T0 - 200, &r1), 0);
	assert_int_equal(sim_mrt_rib_end(w), 0);
	assert_int_equal(sim_mrt_rib_begin(w, T0, 1, &p6), 0);
	assert_int_equal(sim_mrt_rib_entry(w, 0, T0 - 100, &r6), 0);
	assert_int_equal(sim_mrt_rib_end(w), 0);
	assert_int_equal(sim_mrt_announce(w, T0 + 2040, &peers[1], &local,
	    &r1, p4, 2), 0);
	assert_int_equal(sim_mrt_withdraw(w, T0 + 2041, &peers[0], &local,
	    &p6, 1), 0);
	assert_int_equal(sim_mrt_withdraw(w, T0 + 2042, &peers[1], &local,
	    p4, 1), 0);
	assert_int_equal(sim_mrt_state(w, T0 + 2043, &peers[0], &local, 6,
	    1), 0);
	assert_int_equal(sim_mrt_announce(w, T0 + 2044, &peers[0], &local,
	    &r6, &p6, 1), 0);
	assert_int_equal(sim_mrt_records(w), 8);
	assert_int_equal(sim_mrt_close(w), 0);
	out = bgpdump(path);
	assert_string_equal(out, want);
	free(out);
}

/* Thousands of prefixes: split into UPDATEs of at most 4096 octets
 * (RFC 4271 4.1), none lost. */
static void
test_split(void **state)
{
	enum { N4 = 3000, N6 = 1000 };
	uint32_t path[] = { 65536, 174, 64500 };
	struct sim_route r6 = { 0, path, 3, &peers[0].nh6, NULL, 0 };
	struct net_prefix *p4, *p6;
	struct sim_mrt *w;
	char path_s[256], *out;

	(void)state;
	p4 = calloc(N4, sizeof(*p4));
	p6 = calloc(N6, sizeof(*p6));
	assert_non_null(p4);
	assert_non_null(p6);
	for (unsigned i = 0; i < N4; i++) {
		p4[i].af = NET_AF4;
		p4[i].len = 24;
		p4[i].a[0] = 10;
		p4[i].a[1] = (uint8_t)(i >> 8);
		p4[i].a[2] = (uint8_t)i;
	}
	for (unsigned i = 0; i < N6; i++) {
		pfx("2001:db8::/48", &p6[i]);
		p6[i].a[4] = (uint8_t)(i >> 8);
		p6[i].a[5] = (uint8_t)i;
	}
	snprintf(path_s, sizeof(path_s), "%s/split.gz", tmpdir);
	assert_int_equal(sim_mrt_open(path_s, 1, &w), 0);
	assert_int_equal(sim_mrt_withdraw(w, T0, &peers[0], &local, p4, N4),
	    0);
	/* 4 octets a /24; 4096 - 23 octets of room in each UPDATE. */
	assert_int_equal(sim_mrt_records(w), (N4 * 4 + 4072) / 4073);
	assert_int_equal(sim_mrt_announce(w, T0, &peers[1], &local, &r6, p6,
	    N6), 0);
	assert_int_equal(sim_mrt_withdraw(w, T0, &peers[1], &local, p6, N6),
	    0);
	assert_int_equal(sim_mrt_close(w), 0);
	out = bgpdump(path_s);
	assert_int_equal(count_lines(out, NULL), N4 + 2 * N6);
	assert_int_equal(count_lines(out, "|W|192.0.2.1|65536|10."), N4);
	assert_int_equal(count_lines(out, "|A|2001:db8::2|4200000001|2001:db8:"
	    ), N6);
	assert_int_equal(count_lines(out, "|W|2001:db8::2|4200000001|2001:db8:"
	    ), N6);
	assert_non_null(strstr(out, "|W|192.0.2.1|65536|10.11.183.0/24\n"));
	assert_non_null(strstr(out, "|2001:db8:3e7::/48|65536 174 64500|"));
	free(out);
	free(p4);
	free(p6);
}

static int
have_bgpdump(void)
{
	return system("bgpdump -T >/dev/null 2>&1; command -v bgpdump "
	    ">/dev/null") == 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peer_index_bytes),
		cmocka_unit_test(test_bgpdump_reads_all),
		cmocka_unit_test(test_split),
	};
	int rc;

	if (!have_bgpdump())
		test_skip("bgpdump is not installed");
	if ((tmpdir = test_tmpdir_make("sim-mrt")) == NULL)
		return 1;
	setup_peers();
	rc = test_main("sim_mrt", tests, NULL, NULL);
	if (test_tmpdir_remove() != 0)
		rc = 1;
	return rc;
}
