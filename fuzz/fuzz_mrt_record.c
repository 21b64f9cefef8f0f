/*
 * libFuzzer target: MRT records (RFC 6396).
 *
 * The input is fed three ways: as one whole record to mrt_decode(); split
 * by the header lengths into a run of records decoded by one decoder (so a
 * PEER_INDEX_TABLE sets the peers the RIB records after it use); and as a
 * stream through input_open_mem() and the reader, each record printed by
 * the three printers to /dev/null and walked element by element.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mrt/mrt.h"
#include "input/input.h"

/* Speed is depth: every run must stay small. Inputs longer than fuzz/run.sh's
 * -max_len are not looked at; a stream decodes at most DECODED_CAP bytes
 * (a decompression bomb stops early), and no record may be longer than an
 * input can be, so that the reader never grows its window (a fresh
 * mapping, copied into, on every run) for a length a header only claims. */
#define INPUT_CAP	(64u << 10)
#define DECODED_CAP	(1u << 20)

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;
static struct mrt_printer *pr_dump, *pr_json, *pr_multi;

/* Reads every field an element points to, so ASan sees each access. */
static int
touch_elem(void *ctx, const struct mrt_elem *e)
{
	volatile unsigned sink = 0;

	(void)ctx;
	if (e->peer != NULL)
		sink += e->peer->addr.a[0] + (unsigned)e->peer->asn;
	if (e->nlri != NULL)
		sink += e->nlri->pfx.len + e->nlri->pfx.a[0];
	if (e->nexthop != NULL)
		sink += e->nexthop->a[15];
	if (e->attrs != NULL) {
		const struct bgp_attrs *a = e->attrs;
		for (uint16_t i = 0; i < a->path.nseg; i++)
			for (uint16_t j = 0; j < a->path.seg[i].n; j++)
				sink += a->path.seg[i].asn[j];
		if (a->n_communities > 0)
			sink += a->communities[a->n_communities * 4 - 1];
		if (a->n_ext_communities > 0)
			sink += a->ext_communities[a->n_ext_communities * 8 - 1];
		if (a->n_large_communities > 0)
			sink += a->large_communities[
			    a->n_large_communities * 12 - 1];
	}
	(void)sink;
	return 0;
}

static void
use_record(const struct mrt_record *rec)
{
	mrt_record_elems(rec, touch_elem, NULL);
	mrt_printer_put(pr_dump, rec);
	mrt_printer_put(pr_json, rec);
	mrt_printer_put(pr_multi, rec);
}

static void
on_error(void *ctx, const struct mrt_error *e)
{
	size_t *n = ctx;

	/* a report must carry a message; strlen faults on a bad pointer */
	if (e->what == NULL || strlen(e->what) == 0 || e->file == NULL)
		__builtin_trap();
	(*n)++;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
decode_whole_and_split(const uint8_t *data, size_t size)
{
	struct mrt_decoder *d;
	const struct mrt_record *rec;
	const char *what;

	if (mrt_decoder_new(&d) != 0)
		return;
	if (mrt_decode(d, data, size, &rec, &what) == 1)
		use_record(rec);
	for (size_t off = 0; size - off >= 12;) {
		size_t left = size - off;
		size_t n = 12 + (size_t)be32(data + off + 8);
		if (n > left)
			n = left;
		if (mrt_decode(d, data + off, n, &rec, &what) == 1)
			use_record(rec);
		else if (what == NULL)
			__builtin_trap();
		off += n;
	}
	mrt_decoder_free(d);
}

static void
stream(const uint8_t *data, size_t size)
{
	struct input *in = NULL;
	struct mrt_reader *r = NULL;
	const struct mrt_record *rec;
	size_t errors = 0;
	struct mrt_reader_opts o = { false, INPUT_CAP, on_error, &errors };

	if (input_open_mem(data, size, &in) != 0)
		goto out;
	if (mrt_reader_new(in, "fuzz", &o, &r) != 0)
		goto out;
	while (mrt_reader_next(r, &rec) == 1) {
		use_record(rec);
		if (input_offset(in) > DECODED_CAP)
			break;
	}
	if (mrt_reader_stats(r)->bad != errors)
		__builtin_trap();	/* every bad record reported once */
out:
	mrt_reader_free(r);
	input_free(in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > INPUT_CAP)
		return 0;
	if (devnull == NULL) {
		devnull = fopen("/dev/null", "w");
		if (devnull == NULL ||
		    mrt_printer_new(devnull, MRT_FMT_BGPDUMP, &pr_dump) != 0 ||
		    mrt_printer_new(devnull, MRT_FMT_JSONL, &pr_json) != 0 ||
		    mrt_printer_new(devnull, MRT_FMT_BGPDUMP_MULTI, &pr_multi) != 0)
			__builtin_trap();
	}
	decode_whole_and_split(data, size);
	stream(data, size);
	mrt_printer_flush(pr_dump);
	mrt_printer_flush(pr_json);
	mrt_printer_flush(pr_multi);
	return 0;
}
