/*
 * The BMP collector's speed on a generated full table: one router's
 * session (Initiation, Peer Up, Route Monitoring for N IPv4 prefixes, K to
 * an UPDATE, with 4-octet AS paths of 3 to 6 hops, Termination), written
 * to a file for `lifeline agent bmp` (bench/bmp.sh) and timed here, in
 * process, twice: the decoder alone (bmp_frame, bmp_decode: messages a
 * second), and the collector's path without the socket (decode, route
 * elements, the signal engine's per-peer table: the table taken).
 *
 * usage: bench_bmp_table OUT.bmp [PREFIXES [PER_UPDATE]]
 * (defaults 1000000 and 1). Prints key=value lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bmp/bmp.h"
#include "signal/signal.h"

struct buf {
	uint8_t	*p;
	size_t	 len, cap;
};

static void
put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->cap + n) * 2;
		if ((b->p = realloc(b->p, b->cap)) == NULL) {
			perror("realloc");
			exit(2);
		}
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void
u8(struct buf *b, unsigned v)
{
	uint8_t x = (uint8_t)v;

	put(b, &x, 1);
}

static void
be16(struct buf *b, unsigned v)
{
	u8(b, v >> 8);
	u8(b, v);
}

static void
be32(struct buf *b, uint32_t v)
{
	be16(b, v >> 16);
	be16(b, v & 0xffff);
}

/* Patches a big-endian length at off. */
static void
patch(struct buf *b, size_t off, size_t width, size_t v)
{
	for (size_t i = 0; i < width; i++)
		b->p[off + i] = (uint8_t)(v >> (8 * (width - 1 - i)));
}

static size_t
bmp_begin(struct buf *b, unsigned type)
{
	size_t at = b->len;

	u8(b, 3);
	be32(b, 0);
	u8(b, type);
	return at;
}

static void
bmp_end(struct buf *b, size_t at)
{
	patch(b, at + 1, 4, b->len - at);
}

/* RFC 7854 4.2: global peer 192.0.2.9, AS 64500, 4-octet paths. */
static void
peer_hdr(struct buf *b, uint32_t ts)
{
	u8(b, 0);
	u8(b, 0);
	be32(b, 0);
	be32(b, 0);
	for (int i = 0; i < 3; i++)
		be32(b, 0);
	be32(b, 0xc0000209);
	be32(b, 64500);
	be32(b, 0xc0000209);
	be32(b, ts);
	be32(b, 0);
}

static size_t
bgp_begin(struct buf *b, unsigned type)
{
	size_t at = b->len;

	for (int i = 0; i < 16; i++)
		u8(b, 0xff);
	be16(b, 0);
	u8(b, type);
	return at;
}

static void
bgp_open(struct buf *b, unsigned asn)
{
	size_t at = bgp_begin(b, 1);

	u8(b, 4);
	be16(b, 23456);
	be16(b, 90);
	be32(b, 0xc0000209);
	u8(b, 8);			/* capabilities: 4-octet AS */
	u8(b, 2);
	u8(b, 6);
	u8(b, 65);
	u8(b, 4);
	be32(b, asn);
	patch(b, at + 16, 2, b->len - at);
}

static void
update(struct buf *b, uint32_t first, unsigned n, uint32_t i)
{
	size_t at = bgp_begin(b, 2);
	unsigned hops = 3 + i % 4;

	be16(b, 0);				/* no withdrawals */
	be16(b, 4 + 3 + 2 + 4 * hops + 7);
	u8(b, 0x40); u8(b, 1); u8(b, 1); u8(b, 0);	/* ORIGIN IGP */
	u8(b, 0x40); u8(b, 2); u8(b, (unsigned)(2 + 4 * hops));
	u8(b, 2); u8(b, hops);
	for (unsigned h = 0; h + 1 < hops; h++)
		be32(b, 64500 + h);
	be32(b, 65000 + i % 30000);		/* the origin */
	u8(b, 0x40); u8(b, 3); u8(b, 4); be32(b, 0xc0000209);
	for (unsigned k = 0; k < n; k++) {
		uint32_t a = first + k * 256;
		u8(b, 24);
		u8(b, a >> 24); u8(b, (a >> 16) & 0xff); u8(b, (a >> 8) & 0xff);
	}
	patch(b, at + 16, 2, b->len - at);
}

static void
session(struct buf *b, uint32_t prefixes, unsigned per)
{
	size_t at = bmp_begin(b, 4);		/* Initiation, sysName */
	be16(b, 2);
	be16(b, 5);
	put(b, "bench", 5);
	bmp_end(b, at);
	at = bmp_begin(b, 3);			/* Peer Up */
	peer_hdr(b, 1700000000);
	for (int i = 0; i < 3; i++)
		be32(b, 0);
	be32(b, 0xc0000201);
	be16(b, 179);
	be16(b, 4000);
	bgp_open(b, 64501);
	bgp_open(b, 64500);
	bmp_end(b, at);
	for (uint32_t i = 0; i < prefixes; i += per) {
		unsigned n = prefixes - i < per ? prefixes - i : per;
		at = bmp_begin(b, 0);
		peer_hdr(b, 1700000000 + i / 10000);
		update(b, 0x01000000 + i * 256, n, i / per);
		bmp_end(b, at);
	}
	at = bmp_begin(b, 5);			/* Termination */
	be16(b, 1);
	be16(b, 2);
	be16(b, 0);
	bmp_end(b, at);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
emit(void *ctx, const char *kind, int64_t t, const char *entity, uint64_t v)
{
	(void)kind; (void)t; (void)entity; (void)v;
	(*(uint64_t *)ctx)++;
	return 0;
}

static uint16_t coll;

static int
feed(void *ctx, const struct mrt_elem *e)
{
	return sig_elem(ctx, coll, e);
}

/* Decodes the session; with s, feeds its elements to the engine too.
 * Returns the messages decoded. */
static uint64_t
run(const struct buf *b, struct sig *s)
{
	struct bmp_decoder *d;
	const struct bmp_msg *m;
	struct bmp_error e;
	size_t at = 0;
	uint64_t msgs = 0;
	uint32_t n;

	if (bmp_decoder_new(&d) != 0)
		exit(2);
	while (at < b->len) {
		if (bmp_frame(d, b->p + at, b->len - at, &n, &e) != 0 ||
		    n == 0 || bmp_decode(d, b->p + at, n, &m, &e) != 0) {
			fprintf(stderr, "offset %llu: %s\n",
			    (unsigned long long)e.offset, e.what);
			exit(1);
		}
		int rc = s != NULL && m->type == BMP_T_ROUTE_MONITORING ?
		    mrt_record_elems(&m->rec, feed, s) : 0;
		if (rc != 0) {
			fprintf(stderr, "signal engine: error %d\n", rc);
			exit(1);
		}
		msgs++;
		at += n;
	}
	bmp_decoder_free(d);
	return msgs;
}

int
main(int argc, char **argv)
{
	struct buf b = { 0 };
	uint32_t prefixes = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) :
	    1000000;
	unsigned per = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 1;
	struct sig_opts so = { .bin = 300, .by = SIG_BY_ASN,
	    .series = SIG_SERIES_V4, .ff_pct = 1 };
	struct sig *s;
	const struct sig_stats *st;
	uint64_t points = 0;
	FILE *f;

	if (argc < 2 || per == 0 || per > 500 || prefixes == 0 ||
	    prefixes > 16000000) {
		fprintf(stderr, "usage: bench_bmp_table OUT.bmp [PREFIXES "
		    "[PER_UPDATE]]\n");
		return 2;
	}
	session(&b, prefixes, per);
	if ((f = fopen(argv[1], "wb")) == NULL ||
	    fwrite(b.p, 1, b.len, f) != b.len || fclose(f) != 0) {
		perror(argv[1]);
		return 2;
	}
	double t0 = now();
	uint64_t msgs = run(&b, NULL);
	double t1 = now();
	if (sig_new(&so, emit, &points, &s) != 0 ||
	    sig_collector(s, "192.0.2.9", &coll) != 0)
		return 2;
	run(&b, s);
	double t2 = now();
	sig_finish(s);
	st = sig_get_stats(s);
	printf("bytes=%zu messages=%llu prefixes=%u per_update=%u\n", b.len,
	    (unsigned long long)msgs, prefixes, per);
	printf("decode_s=%.3f decode_msgs_per_s=%.0f\n", t1 - t0,
	    (double)msgs / (t1 - t0));
	printf("table_s=%.3f table_prefixes_per_s=%.0f held=%llu points=%llu\n",
	    t2 - t1, prefixes / (t2 - t1), (unsigned long long)st->prefixes,
	    (unsigned long long)points);
	int rc = st->prefixes == prefixes ? 0 : 1;
	sig_free(s);
	free(b.p);
	return rc;
}
