/*
 * Not a test: decodes files with the input layer and prints throughput,
 * for comparing with `gzip -dc`, `lbzip2 -d -n2` (see docs/performance.md).
 * Usage: bench_input [-t threads] [-w want] [-r] FILE...
 * -r walks the stream as MRT records (12-byte header, then the body) the
 * way the MRT reader asks for windows.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "input/input.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
walk_records(struct input *in, uint64_t *sum)
{
	const uint8_t *p;
	size_t avail, len;
	int rc;

	for (;;) {
		if ((rc = input_peek(in, 12, &p, &avail)) != 0 || avail < 12)
			return rc;
		len = 12 + ((size_t)p[8] << 24 | (size_t)p[9] << 16 |
		    (size_t)p[10] << 8 | p[11]);
		if ((rc = input_peek(in, len, &p, &avail)) != 0 || avail < len)
			return rc;
		*sum += p[len - 1];
		input_consume(in, len);
	}
}

int
main(int argc, char **argv)
{
	struct input_opts o = { 0 };
	size_t want = 65536;
	int ch, records = 0;

	while ((ch = getopt(argc, argv, "t:w:r")) != -1) {
		switch (ch) {
		case 't':
			o.threads = (int)strtol(optarg, NULL, 10);
			break;
		case 'w':
			want = (size_t)strtoull(optarg, NULL, 10);
			break;
		case 'r':
			records = 1;
			break;
		default:
			fprintf(stderr, "usage: bench_input [-t n] [-w want] "
			    "[-r] FILE...\n");
			return 2;
		}
	}
	for (int i = optind; i < argc; i++) {
		struct input *in;
		const uint8_t *p;
		size_t avail;
		uint64_t sum = 0;
		double t0 = now(), dt;
		int rc;

		if ((rc = input_open(argv[i], &o, &in)) != 0) {
			fprintf(stderr, "%s: %s\n", argv[i], ll_strerror(rc));
			return 1;
		}
		if (records) {
			rc = walk_records(in, &sum);
		} else {
			while ((rc = input_peek(in, want, &p, &avail)) == 0 &&
			    avail > 0) {
				for (size_t k = 0; k < avail; k += 4096)
					sum += p[k];
				input_consume(in, avail);
			}
		}
		dt = now() - t0;
		printf("%s: %s %llu bytes in %.3f s (%.0f MB/s) rc=%d %s "
		    "[%llu]\n", argv[i], input_codec_name(input_codec(in)),
		    (unsigned long long)input_offset(in), dt,
		    (double)input_offset(in) / dt / 1e6, rc, input_errmsg(in),
		    (unsigned long long)sum);
		input_free(in);
	}
	return 0;
}
