/*
 * libFuzzer target: the short texts users type and the store keeps: times
 * (src/util/time.c), durations, entities (src/net/entity.c), addresses
 * and prefixes (src/net/net_addr.c). The input, cut at its first NUL and
 * at 255 bytes, goes to every parser; whatever parses must print back to
 * a text that parses to the same value.
 */
#include <stdint.h>
#include <string.h>

#include "net/entity.h"
#include "net/net.h"
#include "util/time.h"

#define TEXT_CAP	255

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
entity_round_trip(const char *s)
{
	struct entity e, e2;
	char b1[ENT_STRLEN], b2[ENT_STRLEN];
	enum ent_type t;

	if (entity_type_parse(s, &t) == 0 && entity_type_name(t) == NULL)
		__builtin_trap();
	if (entity_parse(s, &e) != 0)
		return;
	entity_fmt(&e, b1);
	if (memchr(b1, '\0', sizeof(b1)) == NULL || entity_parse(b1, &e2) != 0)
		__builtin_trap();
	entity_fmt(&e2, b2);
	if (strcmp(b1, b2) != 0)
		__builtin_trap();
}

static void
net_round_trip(const char *s)
{
	struct net_addr a, a2;
	struct net_prefix p, p2;
	char buf[NET_PREFIX_STRLEN];

	if (net_addr_parse(s, &a) == 0) {
		if (net_addr_fmt(&a, buf) >= NET_ADDR_STRLEN ||
		    net_addr_parse(buf, &a2) != 0 || a2.af != a.af ||
		    memcmp(a.a, a2.a, sizeof(a.a)) != 0)
			__builtin_trap();
	}
	if (net_prefix_parse(s, &p) == 0) {
		if (net_prefix_fmt(&p, buf) >= NET_PREFIX_STRLEN ||
		    net_prefix_parse(buf, &p2) != 0 ||
		    net_prefix_cmp(&p, &p2) != 0)
			__builtin_trap();
	}
}

static void
time_round_trip(const char *s)
{
	char buf[LL_ISO8601_LEN];
	int64_t t, t2;

	if (ll_duration_parse(s, &t) == 0 && t <= 0)
		__builtin_trap();
	if (ll_time_parse(s, &t) != 0)
		return;
	/* Years 0000 to 9999 print in the ISO form and parse back. */
	if (t < -62167219200 || t > 253402300799)
		return;
	ll_time_fmt(t, buf, sizeof(buf));
	if (ll_time_parse(buf, &t2) != 0 || t2 != t)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[TEXT_CAP + 1];

	if (size > TEXT_CAP)
		size = TEXT_CAP;
	memcpy(s, data, size);
	s[size] = '\0';
	entity_round_trip(s);
	net_round_trip(s);
	time_round_trip(s);
	return 0;
}
