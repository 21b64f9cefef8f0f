/*
 * libFuzzer target: a BMP session's stream (RFC 7854), as a router sends
 * it to `lifeline agent bmp`.
 *
 * The input is framed and decoded message after message by one decoder,
 * as the collector does, until the end or the first error (after which
 * the collector closes the session). Every decoded message's route
 * elements are walked so ASan checks each pointer; the peers the decoder
 * keeps are walked after each message. Seeds: sessions that FRR's bgpd and
 * GoBGP streamed in the router tests (tests/data/bmp/).
 */
#include <stdint.h>
#include <string.h>

#include "bmp/bmp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
touch(void *ctx, const struct mrt_elem *e)
{
	volatile unsigned *sink = ctx;

	*sink += e->peer->asn + e->type;
	if (e->nlri != NULL) {
		if (e->nlri->pfx.len > (e->nlri->pfx.af == NET_AF6 ? 128 : 32))
			__builtin_trap();	/* must have been rejected */
		*sink += e->nlri->pfx.a[0] + e->nlri->path_id;
	}
	if (e->attrs != NULL)
		*sink += bgp_path_origin(&e->attrs->path);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static volatile unsigned sink;
	struct bmp_decoder *d;
	const struct bmp_msg *m;
	struct bmp_error e;
	size_t at = 0, np;
	uint32_t n;

	if (bmp_decoder_new(&d) != 0)
		return 0;
	while (at < size) {
		if (bmp_frame(d, data + at, size - at, &n, &e) != 0 || n == 0 ||
		    n > size - at)
			break;
		if (bmp_decode(d, data + at, n, &m, &e) != 0) {
			if (e.what[0] == '\0')
				__builtin_trap();	/* errors say what */
			break;
		}
		if (m->len != n || m->offset != at)
			__builtin_trap();
		mrt_record_elems(&m->rec, touch, (void *)&sink);
		const struct mrt_peer *p = bmp_decoder_peers(d, &np);
		for (size_t i = 0; i < np; i++)
			sink += p[i].asn;
		at += n;
	}
	bmp_decoder_free(d);
	return 0;
}
