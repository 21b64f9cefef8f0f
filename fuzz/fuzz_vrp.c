/*
 * libFuzzer target: the VRP readers (src/routing/rpki_vrp.c), CSV and
 * rpki-client JSON. Whatever is accepted is indexed and validated
 * against, so that ASan checks every VRP the readers let through.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "routing/routing.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const pfx[] = { "0.0.0.0/0", "10.0.0.0/8",
	    "192.0.2.128/25", "1.0.0.0/24", "::/0", "2001:db8::/32",
	    "2c0f:e9a8::/48" };
	volatile unsigned sink = 0;
	struct routing_vrps *v;
	char err[256];

	if (size > 1 << 16 || routing_vrps_new(&v) != 0)
		return 0;
	if (routing_vrps_parse(v, "fuzz", data, size, NULL, NULL, err,
	    sizeof(err)) == 0 && routing_vrps_index(v) == 0) {
		for (size_t i = 0; i < sizeof(pfx) / sizeof(pfx[0]); i++) {
			struct net_prefix p;

			if (net_prefix_parse(pfx[i], &p) != 0)
				continue;
			for (uint32_t as = 0; as < 3; as++)
				sink += routing_rov(v, &p, as * 13335);
		}
	}
	routing_vrps_free(v);
	(void)sink;
	return 0;
}
