/*
 * lifeline mrt dump: decode MRT archives and print them.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "mrt/mrt.h"
#include "util/err.h"
#include "input/input.h"

static const char dump_usage[] =
    "usage: lifeline mrt dump [--format=bgpdump|jsonl|none] [--strict]\n"
    "                         FILE...\n"
    "\n"
    "Decodes MRT archives (RFC 6396: TABLE_DUMP, TABLE_DUMP_V2 with ADD-PATH,\n"
    "BGP4MP and BGP4MP_ET, the deprecated BGP type) and prints one line per\n"
    "route element to standard output. Plain, gzip, bzip2, xz and zstd files\n"
    "are recognised by their first bytes; '-' reads standard input.\n"
    "\n"
    "  --format=bgpdump  exactly what `bgpdump -m` prints (the default);\n"
    "                    deviations where bgpdump is wrong: docs/mrt.md\n"
    "  --format=jsonl    one JSON object per route element (docs/mrt.md)\n"
    "  --format=none     decode only, print nothing (for timing)\n"
    "  --strict          stop at the first bad record\n"
    "  -q, --quiet       do not report bad records one by one\n"
    "\n"
    "Bad records are reported on standard error as `FILE: offset N: what`\n"
    "and skipped; a summary follows. Exit status: 0 ok, 1 the input had\n"
    "bad records, 2 usage, 3 a file could not be read.\n";

struct dump_ctx {
	bool	quiet;
};

static void
on_error(void *ctx, const struct mrt_error *e)
{
	struct dump_ctx *c = ctx;

	if (!c->quiet)
		cli_mrt_error(NULL, e);
}

static int
dump_file(const char *path, struct mrt_printer *pr, struct dump_ctx *c,
    bool strict, struct progress *pg, bool *data_err)
{
	struct input *in = NULL;
	struct mrt_reader *r = NULL;
	struct mrt_reader_opts o = { strict, 0, on_error, c };
	const struct mrt_record *rec;
	int rc;

	if ((rc = input_open(path, NULL, &in)) != 0) {
		cli_err("%s: %s", path, *input_errmsg(in) ? input_errmsg(in) :
		    rc == LL_EIO ? strerror(errno) : ll_strerror(rc));
		input_free(in);
		return EXIT_FAIL;
	}
	if ((rc = mrt_reader_new(in, path, &o, &r)) != 0) {
		cli_err("%s: %s", path, ll_strerror(rc));
		input_free(in);
		return EXIT_FAIL;
	}
	uint64_t n = 0;
	while ((rc = mrt_reader_next(r, &rec)) == 1) {
		if (pr != NULL && mrt_printer_put(pr, rec) != 0) {
			rc = LL_EIO;
			break;
		}
		if ((++n & 0xfff) == 0)
			progress_update(pg, path, input_raw_offset(in),
			    input_raw_size(in));
	}
	progress_done(pg);
	const struct mrt_stats *st = mrt_reader_stats(r);
	if (st->bad > 0 || st->unsupported > 0)
		fprintf(stderr, "%s: %llu records decoded, %llu problems "
		    "reported, %llu records read with a corrected length, "
		    "%llu records of types not decoded skipped%s\n",
		    cli_esc(path),
		    (unsigned long long)st->records,
		    (unsigned long long)st->bad,
		    (unsigned long long)st->repaired,
		    (unsigned long long)st->unsupported,
		    st->truncated ? ", stream truncated" : "");
	if (st->bad > 0)
		*data_err = true;
	mrt_reader_free(r);
	input_free(in);
	if (rc == LL_EIO) {
		cli_err("write error");
		return EXIT_FAIL;
	}
	if (rc < 0)
		return EXIT_DATA;	/* --strict stop, already reported */
	return 0;
}

static int
cmd_mrt_dump(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "strict", no_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum mrt_format fmt = MRT_FMT_BGPDUMP;
	bool none = false, strict = false, data_err = false;
	struct dump_ctx c = { false };
	struct mrt_printer *pr = NULL;
	struct progress pg;
	int ch, ret = 0;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":f:qh", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (strcmp(optarg, "bgpdump") == 0)
				fmt = MRT_FMT_BGPDUMP;
			else if (strcmp(optarg, "jsonl") == 0)
				fmt = MRT_FMT_JSONL;
			else if (strcmp(optarg, "none") == 0)
				none = true;
			else {
				cli_err("mrt dump: unknown format '%s' "
				    "(bgpdump, jsonl or none)", optarg);
				return EXIT_USAGE;
			}
			break;
		case 's':
			strict = true;
			break;
		case 'q':
			c.quiet = true;
			break;
		case 'h':
			fputs(dump_usage, stdout);
			return 0;
		case ':':
			cli_err("mrt dump: option '%s' needs a value; see "
			    "'lifeline mrt dump --help'", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			cli_err("mrt dump: unknown option '%s'; see 'lifeline "
			    "mrt dump --help'", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_err("mrt dump: no FILE given; see 'lifeline mrt dump --help'");
		return EXIT_USAGE;
	}
	if (!none && mrt_printer_new(stdout, fmt, &pr) != 0) {
		cli_err("out of memory");
		return EXIT_FAIL;
	}
	progress_init(&pg);
	for (int i = optind; i < argc; i++) {
		int rc = dump_file(argv[i], pr, &c, strict, &pg, &data_err);
		if (pr != NULL && mrt_printer_flush(pr) != 0) {
			cli_err("write error on standard output");
			rc = EXIT_FAIL;
		}
		if (rc > ret)
			ret = rc;
		if (rc == EXIT_FAIL || (strict && rc != 0))
			break;
	}
	mrt_printer_free(pr);
	if (ret == 0 && data_err)
		ret = EXIT_DATA;
	return ret;
}

int
cmd_mrt(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs("usage: lifeline mrt dump [options] FILE...\n"
		    "\n"
		    "  dump   decode MRT archives and print them "
		    "(see 'lifeline mrt dump --help')\n", argc < 2 ? stderr :
		    stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "dump") == 0)
		return cmd_mrt_dump(argc - 1, argv + 1);
	cli_err("mrt: unknown subcommand '%s'; see 'lifeline mrt --help'",
	    argv[1]);
	return EXIT_USAGE;
}
