/*
 * libFuzzer target: the watchlist reader (src/routing/watch_yaml.c,
 * BGPalerter's prefixes.yml through libyaml). Whatever is accepted is
 * indexed, and a monitor is fed announcements and withdrawals of a few
 * prefixes with a few paths, so that ASan checks the lookups, the path
 * rules and the monitors over every list the reader lets through.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/bgp.h"
#include "routing/routing.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
on_alert(void *ctx, const struct routing_alert *a)
{
	*(unsigned *)ctx += a->npeers + a->npaths;
	return 0;
}

static void
feed(struct routing_monitor *m)
{
	static const char *const pfx[] = { "0.0.0.0/0", "10.0.0.0/8",
	    "192.0.2.128/25", "192.0.2.0/24", "::/0", "2001:db8::/32" };
	static uint32_t seq[] = { 65001, 64500, 64500, 64496, 64511 };
	struct bgp_asseg seg[2] = { { BGP_SEG_SEQUENCE, 5, seq },
	    { BGP_SEG_SET, 2, seq + 3 } };
	struct bgp_aspath path[2] = { { 1, seg }, { 2, seg } };
	struct net_addr peer = { NET_AF4, { 10, 0, 0, 1 } };

	for (uint32_t i = 0; i < 4 * 6 * 3; i++) {
		struct net_prefix p;
		struct routing_update u = { i, &peer, 65001 + i % 4, &p,
		    i % 3 == 2 ? NULL : &path[i % 3] };

		peer.a[3] = (uint8_t)(1 + i % 4);
		if (net_prefix_parse(pfx[i / 4 % 6], &p) != 0 ||
		    routing_monitor_update(m, &u) != 0)
			return;
	}
	routing_monitor_peer_down(m, 100, &peer, 65004);
	routing_monitor_finish(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct routing_monitor_opts o = { 1, 1, NULL, NULL };
	struct routing_watchlist *w;
	struct routing_monitor *m;
	volatile unsigned sink = 0;
	unsigned n = 0;
	char err[256];

	if (size > 1 << 16 || routing_watch_parse("fuzz", data, size, &w, err,
	    sizeof(err)) != 0)
		return 0;
	if (routing_monitor_new(w, &o, on_alert, &n, &m) == 0)
		feed(m);
	routing_monitor_free(m);
	routing_watch_free(w);
	sink = n;
	(void)sink;
	return 0;
}
