/*
 * Builds the fuzzing seed corpus from real MRT archives: each archive is
 * decompressed (any codec input_open() knows) and framed into records by
 * the 12-octet header (RFC 6396 section 2); a sample of single records goes
 * to MRT_DIR, the first records of each archive together (so RIB records
 * follow their PEER_INDEX_TABLE) also go there, the BGP messages carried by
 * BGP4MP records go to BGP_DIR, and the start of each compressed file, as
 * it is on disk, goes to INPUT_DIR.
 *
 * usage: seed_split MRT_DIR BGP_DIR INPUT_DIR FILE...
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/input.h"

#define HDR		12
#define MAX_SEED	(64u << 10)
#define HEAD_RECORDS	8
#define FIRST_KEEP	40
#define SAMPLE_STRIDE	499
#define MAX_PER_FILE	120
#define INPUT_PREFIX	(24u << 10)

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static int
put(const char *dir, const char *base, const char *tag, unsigned long n,
    const void *pre, size_t prelen, const uint8_t *p, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s-%s-%lu", dir, base, tag, n);
	if ((f = fopen(path, "wb")) == NULL) {
		fprintf(stderr, "seed_split: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (prelen > 0)
		fwrite(pre, 1, prelen, f);
	fwrite(p, 1, len, f);
	return fclose(f) == 0 ? 0 : -1;
}

/* The BGP message inside a BGP4MP(_ET) MESSAGE record, RFC 6396 4.4.2. */
static int
bgp_of(const uint8_t *rec, size_t len, const uint8_t **msg, size_t *mlen)
{
	uint16_t type = be16(rec + 4), st = be16(rec + 6);
	size_t off = HDR + (type == 17 ? 4 : 0);
	bool as4;

	if ((type != 16 && type != 17) || st == 0 || st == 2 || st == 3 ||
	    st == 5 || st > 11)
		return -1;
	as4 = st == 4 || st == 7 || st == 9 || st == 11;
	off += (as4 ? 8 : 4) + 2;
	if (off + 2 > len)
		return -1;
	off += 2 + (be16(rec + off) == 2 ? 32 : 8);
	if (off > len)
		return -1;
	*msg = rec + off;
	*mlen = len - off;
	return 0;
}

static int
split(const char *path, const char *mdir, const char *bdir)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct input *in = NULL;
	uint8_t *head = malloc(MAX_SEED);
	size_t headlen = 0;
	unsigned long n = 0, kept = 0;
	int rc;

	if (head == NULL || input_open(path, NULL, &in) != 0) {
		fprintf(stderr, "seed_split: cannot read %s\n", path);
		free(head);
		input_free(in);
		return -1;
	}
	for (;; n++) {
		const uint8_t *p, *msg;
		size_t avail, mlen;
		rc = input_peek(in, HDR, &p, &avail);
		if (avail < HDR)
			break;
		size_t len = HDR + (size_t)be32(p + 8);
		if (len > MAX_SEED)
			break;		/* damaged framing or huge: stop */
		rc = input_peek(in, len, &p, &avail);
		if (avail < len)
			break;
		if (n < HEAD_RECORDS && headlen + len <= MAX_SEED) {
			memcpy(head + headlen, p, len);
			headlen += len;
		}
		if (kept < MAX_PER_FILE &&
		    (n < FIRST_KEEP || n % SAMPLE_STRIDE == 0)) {
			kept++;
			put(mdir, base, "rec", n, NULL, 0, p, len);
			if (bgp_of(p, len, &msg, &mlen) == 0)
				put(bdir, base, "msg", n, NULL, 0, msg, mlen);
		}
		input_consume(in, len);
	}
	if (headlen > 0)
		put(mdir, base, "head", 0, NULL, 0, head, headlen);
	input_free(in);
	free(head);
	(void)rc;
	return 0;
}

/* The start of the file as stored, behind fuzz_input's two seed octets. */
static int
prefix(const char *path, const char *idir)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	static uint8_t buf[INPUT_PREFIX];
	static const uint8_t pre[2] = { 0, 0 };
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return put(idir, base, "raw", 0, pre, sizeof(pre), buf, n);
}

int
main(int argc, char **argv)
{
	int ret = 0;

	if (argc < 5) {
		fputs("usage: seed_split MRT_DIR BGP_DIR INPUT_DIR FILE...\n",
		    stderr);
		return 2;
	}
	for (int i = 4; i < argc; i++) {
		if (split(argv[i], argv[1], argv[2]) != 0)
			ret = 1;
		prefix(argv[i], argv[3]);
	}
	return ret;
}
