/*
 * Route origin validation on crafted VRPs (RFC 6811 section 2, RFC 7607
 * for AS0), and the VRP readers on good and hostile text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#include "bgp/bgp.h"
#include "net/net.h"
#include "routing/routing.h"
#include "util/err.h"

static char warned[8][256];
static int nwarned;

static void
warn(void *ctx, const char *msg)
{
	(void)ctx;
	if (nwarned < 8)
		snprintf(warned[nwarned], sizeof(warned[0]), "%s", msg);
	nwarned++;
}

static struct routing_vrps *
vrps_of(const char *text)
{
	struct routing_vrps *v;
	char err[256];

	nwarned = 0;
	assert_int_equal(routing_vrps_new(&v), 0);
	assert_int_equal(routing_vrps_parse(v, "t.csv", (const uint8_t *)text,
	    strlen(text), warn, NULL, err, sizeof(err)), 0);
	assert_int_equal(routing_vrps_index(v), 0);
	return v;
}

static enum routing_rov
rov(const struct routing_vrps *v, const char *pfx, uint32_t origin)
{
	struct net_prefix p;

	assert_int_equal(net_prefix_parse(pfx, &p), 0);
	return routing_rov(v, &p, origin);
}

static void
test_states(void **state)
{
	struct routing_vrps *v = vrps_of(
	    "ASN,IP Prefix,Max Length,Trust Anchor\n"
	    "AS64500,192.0.2.0/24,24,t\n"
	    "AS64501,198.51.0.0/16,20,t\n"
	    "AS64502,198.51.0.0/16,16,t\n"	/* same prefix, other AS */
	    "AS0,203.0.113.0/24,24,t\n"		/* AS0: covers, never matches */
	    "AS64503,2001:db8::/32,48,t\n"
	    "AS64500,192.0.2.0/24,24,t\n");	/* a duplicate */

	(void)state;
	assert_int_equal(nwarned, 0);
	assert_int_equal(routing_vrps_count(v), 5);
	assert_int_equal(rov(v, "192.0.2.0/24", 64500), ROUTING_ROV_VALID);
	assert_int_equal(rov(v, "192.0.2.0/24", 64501), ROUTING_ROV_INVALID_AS);
	assert_int_equal(rov(v, "192.0.2.128/25", 64500),
	    ROUTING_ROV_INVALID_LENGTH);
	assert_int_equal(rov(v, "192.0.0.0/16", 64500), ROUTING_ROV_NOT_FOUND);
	/* maxLength is inclusive; the second VRP of the prefix decides */
	assert_int_equal(rov(v, "198.51.16.0/20", 64501), ROUTING_ROV_VALID);
	assert_int_equal(rov(v, "198.51.16.0/21", 64501),
	    ROUTING_ROV_INVALID_LENGTH);
	assert_int_equal(rov(v, "198.51.0.0/16", 64502), ROUTING_ROV_VALID);
	assert_int_equal(rov(v, "198.51.16.0/20", 64502),
	    ROUTING_ROV_INVALID_LENGTH);
	/* AS0 and an AS_SET origin (0 = NONE) match nothing */
	assert_int_equal(rov(v, "203.0.113.0/24", 0), ROUTING_ROV_INVALID_AS);
	assert_int_equal(rov(v, "203.0.113.0/24", 64500),
	    ROUTING_ROV_INVALID_AS);
	assert_int_equal(rov(v, "192.0.2.0/24", 0), ROUTING_ROV_INVALID_AS);
	assert_int_equal(rov(v, "10.0.0.0/8", 0), ROUTING_ROV_NOT_FOUND);
	/* IPv6; an IPv4 VRP never covers an IPv6 route */
	assert_int_equal(rov(v, "2001:db8:1::/48", 64503), ROUTING_ROV_VALID);
	assert_int_equal(rov(v, "2001:db8:1::/49", 64503),
	    ROUTING_ROV_INVALID_LENGTH);
	assert_int_equal(rov(v, "2001:db9::/32", 64503),
	    ROUTING_ROV_NOT_FOUND);
	assert_int_equal(rov(v, "::/0", 64503), ROUTING_ROV_NOT_FOUND);
	assert_string_equal(routing_rov_name(ROUTING_ROV_INVALID_LENGTH),
	    "invalid-length");
	routing_vrps_free(v);
}

/* rpki-client JSON, with the ASN as a number or as "AS..." */
static void
test_json(void **state)
{
	static const char json[] = "{\"metadata\":{},\"roas\":["
	    "{\"asn\":13335,\"prefix\":\"1.0.0.0/24\",\"maxLength\":24,"
	    "\"ta\":\"apnic\"},"
	    "{\"asn\":\"AS38803\",\"prefix\":\"1.0.4.0/22\",\"maxLength\":24},"
	    "{\"asn\":1,\"prefix\":\"1.0.8.0/22\"},"
	    "{\"asn\":-5,\"prefix\":\"1.0.8.0/22\",\"maxLength\":22}]}";
	struct routing_vrps *v = vrps_of(json);

	(void)state;
	assert_int_equal(routing_vrps_count(v), 2);
	assert_int_equal(nwarned, 2);
	assert_string_equal(warned[0], "t.csv: entry 3: needs \"asn\", "
	    "\"prefix\" and \"maxLength\"");
	assert_int_equal(rov(v, "1.0.5.0/24", 38803), ROUTING_ROV_VALID);
	assert_int_equal(rov(v, "1.0.0.0/24", 13335), ROUTING_ROV_VALID);
	routing_vrps_free(v);
}

/* Bad lines are reported with their number and skipped; the good line
 * after a NUL byte or an over-long line is kept. */
static void
test_hostile_text(void **state)
{
	char text[8192], err[256];
	struct routing_vrps *v;
	size_t n;

	(void)state;
	n = (size_t)snprintf(text, sizeof(text), "URI,ASN,IP Prefix,Max "
	    "Length,Not Before,Not After\n"
	    "rsync://x,AS1,10.0.0.0/8,8,a,b\n"
	    "rsync://x,AS2,10.0.0.0/33,33,a,b\n"
	    "rsync://x,AS3,10.0.0.0/8,7,a,b\n"
	    "rsync://x,AS4294967296,10.0.0.0/8,8,a,b\n"
	    "rsync://x,AS5\n");
	text[n++] = 'x';
	text[n++] = '\0';
	text[n++] = '\n';
	memset(text + n, 'y', 5000);
	n += 5000;
	text[n++] = '\n';
	n += (size_t)snprintf(text + n, sizeof(text) - n,
	    "rsync://x,AS6,11.0.0.0/8,8,a,b");	/* no final newline */
	nwarned = 0;
	assert_int_equal(routing_vrps_new(&v), 0);
	assert_int_equal(routing_vrps_parse(v, "roas.csv", (uint8_t *)text, n,
	    warn, NULL, err, sizeof(err)), 0);
	assert_int_equal(routing_vrps_count(v), 2);
	assert_int_equal(routing_vrps_bad(v), 6);
	assert_int_equal(nwarned, 6);
	assert_string_equal(warned[0], "roas.csv: line 3: bad prefix");
	assert_non_null(strstr(warned[1], "line 4: max length"));
	assert_string_equal(warned[2], "roas.csv: line 5: bad ASN");
	assert_string_equal(warned[3], "roas.csv: line 6: 2 fields, the "
	    "header names 4");
	assert_string_equal(warned[4], "roas.csv: line 7: holds a NUL byte");
	assert_string_equal(warned[5], "roas.csv: line 8: longer than 4096 "
	    "bytes");
	routing_vrps_free(v);

	/* not VRP files at all */
	assert_int_equal(routing_vrps_new(&v), 0);
	assert_int_equal(routing_vrps_parse(v, "x", (const uint8_t *)"a,b\n",
	    4, NULL, NULL, err, sizeof(err)), LL_EFORMAT);
	assert_non_null(strstr(err, "x: line 1: no header"));
	assert_int_equal(routing_vrps_parse(v, "x", (const uint8_t *)"", 0,
	    NULL, NULL, err, sizeof(err)), LL_EFORMAT);
	assert_int_equal(routing_vrps_parse(v, "x.json",
	    (const uint8_t *)"{\"roas\":3}", 10, NULL, NULL, err,
	    sizeof(err)), LL_EFORMAT);
	assert_int_equal(routing_vrps_parse(v, "x.json",
	    (const uint8_t *)"{\"roas\":[", 9, NULL, NULL, err, sizeof(err)),
	    LL_EFORMAT);
	assert_non_null(strstr(err, "x.json: line 1: not JSON"));
	/* an unindexed or empty set validates nothing */
	assert_int_equal(rov(v, "10.0.0.0/8", 1), ROUTING_ROV_NOT_FOUND);
	assert_int_equal(routing_vrps_index(v), 0);
	assert_int_equal(rov(v, "10.0.0.0/8", 1), ROUTING_ROV_NOT_FOUND);
	routing_vrps_free(v);
	routing_vrps_free(NULL);
}

/* RFC 6811's origin: the last AS of a final AS_SEQUENCE, else NONE. */
static void
test_origin(void **state)
{
	uint32_t a[] = { 3356, 8452 }, s[] = { 1, 2 };
	struct bgp_asseg seq = { BGP_SEG_SEQUENCE, 2, a };
	struct bgp_asseg set = { BGP_SEG_SET, 2, s };
	struct bgp_asseg one_set = { BGP_SEG_SET, 1, s };
	struct bgp_asseg segs[2] = { seq, set };
	struct bgp_aspath p = { 1, segs };

	(void)state;
	assert_int_equal(routing_origin(&p), 8452);
	p.nseg = 2;
	assert_int_equal(routing_origin(&p), 0);
	segs[1] = one_set;	/* even a one-AS set is NONE (RFC 6811) */
	assert_int_equal(routing_origin(&p), 0);
	p.nseg = 0;
	assert_int_equal(routing_origin(&p), 0);
	assert_int_equal(routing_origin(NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_hostile_text),
		cmocka_unit_test(test_origin),
	};

	return test_main("routing", tests, NULL, NULL);
}
