/*
 * libFuzzer target: what the prober's raw ICMP socket reads (an IPv4
 * header, then ICMP), through probe_icmp_parse(), the prober's only
 * reader of bytes from the network. A packet it accepts must be an echo
 * reply whose payload, put back into a request, gives the same fields;
 * one it rejects must say why. Seeds: tests/data/probe/ (a real reply as
 * Linux hands it over, with options, damaged ones).
 */
#include <stdint.h>
#include <string.h>

#include "probe/probe.h"
#include "util/err.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct probe_echo e, back;
	uint8_t pkt[20 + PROBE_ICMP_LEN] = { 0x45, 0, 0, 20 + PROBE_ICMP_LEN,
	    0, 0, 0, 0, 64, 1 };
	const char *why;
	int rc = probe_icmp_parse(data, size, &e, &why);

	if (rc == LL_ENOTFOUND)
		return 0;
	if (rc != 0) {
		if (why == NULL || why[0] == '\0')
			__builtin_trap();	/* errors say what */
		return 0;
	}
	/* Accepted: the same echo, as a reply built from our request. */
	probe_icmp_request(&e, pkt + 20);
	pkt[20] = 0;				/* echo reply */
	pkt[22] = pkt[23] = 0;
	uint16_t c = probe_cksum(pkt + 20, PROBE_ICMP_LEN);
	pkt[22] = (uint8_t)(c >> 8);
	pkt[23] = (uint8_t)c;
	memcpy(pkt + 12, (uint8_t[]){ (uint8_t)(e.src >> 24),
	    (uint8_t)(e.src >> 16), (uint8_t)(e.src >> 8), (uint8_t)e.src }, 4);
	if (probe_icmp_parse(pkt, sizeof(pkt), &back, &why) != 0 ||
	    memcmp(&e, &back, sizeof(e)) != 0)
		__builtin_trap();
	return 0;
}
