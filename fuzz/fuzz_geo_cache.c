/*
 * libFuzzer target: the geo cache file (src/geo/geo_cache.c), which a run
 * maps back and uses in place. Whatever parses is then looked up and split
 * across, so that ASan checks every interval and value it accepted.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "geo/geo_int.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define KEY	"lifeline geo\n"

static int
piece(void *ctx, const char *cc, const char *region, uint64_t units)
{
	*(volatile uint64_t *)ctx += units + (uint8_t)cc[0] +
	    (uint8_t)region[0];
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const pfx[] = { "0.0.0.0/0", "10.0.0.0/8",
	    "41.32.0.0/12", "255.255.255.0/24", "::/0", "2001:db8::/32",
	    "ffff::/16" };
	volatile uint64_t sink = 0;
	struct geo *g = calloc(1, sizeof(*g));
	void *buf = aligned_alloc(16, (size + 15) & ~(size_t)15);

	if (g == NULL || buf == NULL) {
		free(g);
		free(buf);
		return 0;
	}
	memcpy(buf, data, size);
	if (geo_cache_parse(g, buf, size, KEY) == 0) {
		for (size_t i = 0; i < sizeof(pfx) / sizeof(pfx[0]); i++) {
			struct net_prefix p;
			struct net_addr a;
			struct geo_info gi;

			if (net_prefix_parse(pfx[i], &p) != 0)
				continue;
			(void)geo_split(g, &p, piece, (void *)&sink);
			a.af = p.af;
			memcpy(a.a, p.a, sizeof(a.a));
			(void)geo_lookup(g, &a, &gi);
			sink += gi.asn + (uint8_t)gi.cc[0] +
			    (uint8_t)gi.region[0];
		}
	}
	geo_free(g);
	free(buf);
	return 0;
}
