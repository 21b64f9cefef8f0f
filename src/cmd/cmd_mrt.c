/*
 * lifeline mrt dump: decode MRT archives and print them, all of each or
 * the route elements bgpreader-style filters keep.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cmd/cmd.h"
#include "mrt/mrt.h"
#include "signal/signal.h"
#include "util/err.h"
#include "util/time.h"
#include "input/input.h"

static const char dump_usage[] =
    "usage: lifeline mrt dump [--format=bgpdump|bgpdump-multi|jsonl|none] "
    "[-m|-M|-H]\n"
    "                         [--strict] [-q]\n"
    "                         [--from T] [--to T] [--prefix P "
    "[--more-specific]\n"
    "                         [--less-specific]] [--peer-asn N]... "
    "[--origin-asn N]...\n"
    "                         [--type A|W|B|STATE]... [--collector NAME]... "
    "FILE...\n"
    "\n"
    "Decodes MRT archives (RFC 6396: TABLE_DUMP, TABLE_DUMP_V2 with ADD-PATH,\n"
    "BGP4MP and BGP4MP_ET, the deprecated BGP type) and prints one line per\n"
    "route element to standard output. Plain, gzip, bzip2, xz and zstd files\n"
    "are recognised by their first bytes; '-' reads standard input.\n"
    "\n"
    "  --format=bgpdump  exactly what `bgpdump -m` prints (the default);\n"
    "                    deviations where bgpdump is wrong: docs/mrt.md\n"
    "  --format=bgpdump-multi\n"
    "                    bgpdump's multi-line text (its default, -H): a "
    "block\n"
    "                    of NAME: value lines per record; with element "
    "filters,\n"
    "                    the records that hold an element that passes\n"
    "  --format=jsonl    one JSON object per route element, with its "
    "collector\n"
    "                    and file (docs/mrt.md)\n"
    "  --format=none     decode only, print nothing (for timing)\n"
    "  -m                bgpdump's spelling of --format=bgpdump\n"
    "  -M                bgpdump -M's lines: dates (MM/DD/YY HH:MM:SS, UTC)\n"
    "                    and the first 8 fields\n"
    "  -H                bgpdump's spelling of --format=bgpdump-multi\n"
    "  --strict          stop at the first bad record\n"
    "  -q, --quiet       do not report bad records one by one\n"
    "\n"
    "Filters, as bgpreader's (an element is printed when it passes all):\n"
    "  --from T, --to T  records with from <= time < to (ISO 8601 or "
    "@EPOCH)\n"
    "  --prefix P        elements for prefix P exactly; with "
    "--more-specific\n"
    "                    also those inside P, with --less-specific also "
    "those\n"
    "                    that hold P (both: either)\n"
    "  --peer-asn N      elements from peer AS N (repeat for several)\n"
    "  --origin-asn N    announcements and RIB entries whose path ends in "
    "N\n"
    "  --type T          A (announcement), W (withdrawal), B (RIB entry), "
    "STATE;\n"
    "                    repeat or separate with commas for several\n"
    "  --collector NAME  files of that collector only (rrc04, "
    "route-views2),\n"
    "                    as their path names it\n"
    "\n"
    "Bad records are reported on standard error as `FILE: offset N: what`\n"
    "and skipped; a summary follows. Exit status: 0 ok, 1 the input had\n"
    "bad records, 2 usage, 3 a file could not be read.\n";

#define FILT_MAX	64

enum { T_A = 1, T_W = 2, T_B = 4, T_S = 8 };

/* What --from ... --collector keep. */
struct dump_filter {
	bool		 any;		/* some element filter is set */
	int64_t		 from, to;
	bool		 has_prefix, more, less;
	struct net_prefix prefix;
	uint32_t	 peer[FILT_MAX], origin[FILT_MAX];
	size_t		 npeer, norigin;
	unsigned	 types;		/* T_*; 0: all */
	const char	*collector[FILT_MAX];
	size_t		 ncollector;
};

struct dump_ctx {
	bool			 dates;		/* -M */
	bool			 quiet;
	bool			 strict;
	bool			 data_err;
	struct dump_filter	 f;
	struct progress		 pg;
};

static void
on_error(void *ctx, const struct mrt_error *e)
{
	struct dump_ctx *c = ctx;

	if (!c->quiet)
		cli_mrt_error(NULL, e);
}

static bool
asn_in(const uint32_t *v, size_t n, uint32_t asn)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == asn)
			return true;
	return false;
}

static bool
prefix_ok(const struct dump_filter *f, const struct net_prefix *p)
{
	if (p->af == f->prefix.af && p->len == f->prefix.len &&
	    net_prefix_cmp(p, &f->prefix) == 0)
		return true;
	return (f->more && net_prefix_contains(&f->prefix, p)) ||
	    (f->less && net_prefix_contains(p, &f->prefix));
}

/* mrt_elem_filter_fn: the element filters (time is by record). */
static bool
dump_keep(void *ctx, const struct mrt_record *rec, const struct mrt_elem *e)
{
	const struct dump_filter *f = ctx;
	unsigned t = e->type == MRT_ELEM_ANNOUNCE ? T_A : e->type ==
	    MRT_ELEM_WITHDRAW ? T_W : e->type == MRT_ELEM_RIB ? T_B : T_S;

	(void)rec;
	if (f->types != 0 && (f->types & t) == 0)
		return false;
	if (f->npeer > 0 && !asn_in(f->peer, f->npeer, e->peer->asn))
		return false;
	if (f->norigin > 0 && (e->attrs == NULL || !asn_in(f->origin,
	    f->norigin, bgp_path_origin(&e->attrs->path))))
		return false;
	if (f->has_prefix && (e->nlri == NULL || !prefix_ok(f, &e->nlri->pfx)))
		return false;
	return true;
}

/* True when --collector lets path through; says so once when it cannot
 * tell. */
static bool
dump_collector_ok(const struct dump_filter *f, const char *path,
    char *name, size_t len)
{
	sig_collector_from_path(path, name, len);
	if (f->ncollector == 0)
		return true;
	for (size_t i = 0; i < f->ncollector; i++)
		if (strcmp(name, f->collector[i]) == 0)
			return true;
	if (name[0] == '\0')
		cli_warn("mrt dump: %s: its path names no collector; skipped "
		    "by --collector", path);
	return false;
}

static void
dump_summary(const char *path, const struct mrt_stats *st)
{
	if (st->bad == 0 && st->unsupported == 0)
		return;
	fprintf(stderr, "lifeline: %s: %llu %s decoded, %llu %s reported, "
	    "%llu %s read with a corrected length, %llu %s of types not "
	    "decoded skipped%s\n", cli_esc(path),
	    (unsigned long long)st->records, cli_plural(st->records,
	    "record", "records"), (unsigned long long)st->bad,
	    cli_plural(st->bad, "problem", "problems"),
	    (unsigned long long)st->repaired, cli_plural(st->repaired,
	    "record", "records"), (unsigned long long)st->unsupported,
	    cli_plural(st->unsupported, "record", "records"),
	    st->truncated ? ", stream truncated" : "");
}

static int
dump_records(struct mrt_reader *r, struct input *in, const char *path,
    struct mrt_printer *pr, struct dump_ctx *c)
{
	const struct mrt_record *rec;
	uint64_t n = 0;
	int rc;

	while ((rc = mrt_reader_next(r, &rec)) == 1) {
		if ((++n & 0xfff) == 0)
			progress_update(&c->pg, path, input_raw_offset(in),
			    input_raw_size(in));
		if (rec->ts < c->f.from || rec->ts >= c->f.to)
			continue;
		if (pr != NULL && mrt_printer_put(pr, rec) != 0)
			return LL_EIO;
	}
	return rc;
}

static int
dump_file(const char *path, struct mrt_printer *pr, struct dump_ctx *c)
{
	struct input *in = NULL;
	struct mrt_reader *r = NULL;
	struct mrt_reader_opts o = { c->strict, 0, on_error, c };
	char coll[64];
	int rc;

	if (!dump_collector_ok(&c->f, path, coll, sizeof(coll)))
		return 0;
	if (pr != NULL && mrt_printer_label(pr, coll, path) != 0) {
		cli_err("out of memory");
		return EXIT_FAIL;
	}
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
	rc = dump_records(r, in, path, pr, c);
	progress_done(&c->pg);
	dump_summary(path, mrt_reader_stats(r));
	if (mrt_reader_stats(r)->bad > 0)
		c->data_err = true;
	mrt_reader_free(r);
	input_free(in);
	if (rc == LL_EIO) {
		cli_err("write error");
		return EXIT_FAIL;
	}
	return rc < 0 ? EXIT_DATA : 0;	/* --strict stop, already reported */
}

/*
 * bgpdump -M: -m's lines with the time as "MM/DD/YY HH:MM:SS" (UTC, the
 * microseconds dropped) and at most 8 fields. A stdio stream whose writes
 * are rewritten line by line onto the real output.
 */
struct dump_m {
	FILE	*out;
	char	*line;
	size_t	 len, cap;
};

static void
dump_m_line(struct dump_m *m)
{
	char *p = m->line, *end = m->line + m->len, date[32];
	char *t = memchr(p, '|', m->len), *te;
	unsigned long long ts;
	size_t fields = 0, keep = m->len;
	time_t tt;
	struct tm tm;

	for (char *q = p; q < end && keep == m->len; q++)
		if (*q == '|' && ++fields == 8)
			keep = (size_t)(q - p);
	if (t == NULL || (te = memchr(t + 1, '|', (size_t)(end - t - 1))) ==
	    NULL) {
		fwrite(p, 1, m->len, m->out);
		return;
	}
	ts = strtoull(t + 1, NULL, 10);
	tt = (time_t)ts;
	gmtime_r(&tt, &tm);
	snprintf(date, sizeof(date), "%02d/%02d/%02d %02d:%02d:%02d",
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_year % 100, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
	fwrite(p, 1, (size_t)(t + 1 - p), m->out);
	fputs(date, m->out);
	if (keep < m->len) {
		fwrite(te, 1, (size_t)(p + keep - te), m->out);
		putc('\n', m->out);
	} else
		fwrite(te, 1, (size_t)(end - te), m->out);
}

static ssize_t
dump_m_write(void *cookie, const char *buf, size_t n)
{
	struct dump_m *m = cookie;

	for (size_t i = 0; i < n; i++) {
		if (m->len == m->cap) {
			size_t cap = m->cap ? m->cap * 2 : 4096;
			char *l = realloc(m->line, cap);

			if (l == NULL)
				return -1;
			m->line = l;
			m->cap = cap;
		}
		m->line[m->len++] = buf[i];
		if (buf[i] == '\n') {
			dump_m_line(m);
			m->len = 0;
		}
	}
	return ferror(m->out) ? -1 : (ssize_t)n;
}

static int
dump_m_close(void *cookie)
{
	struct dump_m *m = cookie;

	if (m->len > 0)
		fwrite(m->line, 1, m->len, m->out);
	free(m->line);
	m->line = NULL;
	return fflush(m->out) == 0 ? 0 : -1;
}

enum {
	O_FROM = 256, O_TO, O_PREFIX, O_MORE, O_LESS, O_PEER, O_ORIGIN,
	O_TYPE, O_COLLECTOR,
};

static int
dump_asn(const char *opt, const char *s, uint32_t *v, size_t *n)
{
	char *end;
	unsigned long long a;

	if (strncasecmp(s, "AS", 2) == 0)
		s += 2;
	errno = 0;
	a = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 ||
	    a > UINT32_MAX) {
		cli_err("mrt dump: %s %s: not an AS number", opt, s);
		return EXIT_USAGE;
	}
	if (*n == FILT_MAX) {
		cli_err("mrt dump: more than %d %s", FILT_MAX, opt);
		return EXIT_USAGE;
	}
	v[(*n)++] = (uint32_t)a;
	return 0;
}

static int
dump_types(struct dump_filter *f, const char *s)
{
	char buf[64], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", s);
	for (char *t = strtok_r(buf, ",", &save); t != NULL;
	    t = strtok_r(NULL, ",", &save)) {
		if (strcasecmp(t, "A") == 0)
			f->types |= T_A;
		else if (strcasecmp(t, "W") == 0)
			f->types |= T_W;
		else if (strcasecmp(t, "B") == 0 || strcasecmp(t, "R") == 0)
			f->types |= T_B;
		else if (strcasecmp(t, "STATE") == 0 || strcasecmp(t, "S") == 0)
			f->types |= T_S;
		else {
			cli_err("mrt dump: --type %s: use A, W, B or STATE", s);
			return EXIT_USAGE;
		}
	}
	return 0;
}

/* One of the filter options. Returns 0 or an exit code. */
static int
dump_filter_opt(struct dump_filter *f, int ch, const char *arg)
{
	char why[160];

	switch (ch) {
	case O_FROM:
	case O_TO:
		if (ll_time_parse(arg, ch == O_FROM ? &f->from : &f->to) == 0)
			return 0;
		cli_err("mrt dump: --%s %s: %s", ch == O_FROM ? "from" : "to",
		    arg, ll_time_why(arg, why, sizeof(why)));
		return EXIT_USAGE;
	case O_PREFIX:
		if (net_prefix_parse(arg, &f->prefix) != 0) {
			cli_err("mrt dump: --prefix %s: not a prefix", arg);
			return EXIT_USAGE;
		}
		f->has_prefix = true;
		return 0;
	case O_MORE: f->more = true; return 0;
	case O_LESS: f->less = true; return 0;
	case O_PEER: return dump_asn("--peer-asn", arg, f->peer, &f->npeer);
	case O_ORIGIN:
		return dump_asn("--origin-asn", arg, f->origin, &f->norigin);
	case O_TYPE: return dump_types(f, arg);
	default:
		if (f->ncollector == FILT_MAX) {
			cli_err("mrt dump: more than %d --collector", FILT_MAX);
			return EXIT_USAGE;
		}
		f->collector[f->ncollector++] = arg;
		return 0;
	}
}

static int
dump_format(const char *s, enum mrt_format *fmt, bool *none)
{
	*none = strcmp(s, "none") == 0;
	if (strcmp(s, "bgpdump") == 0)
		*fmt = MRT_FMT_BGPDUMP;
	else if (strcmp(s, "bgpdump-multi") == 0)
		*fmt = MRT_FMT_BGPDUMP_MULTI;
	else if (strcmp(s, "jsonl") == 0)
		*fmt = MRT_FMT_JSONL;
	else if (!*none) {
		cli_err("mrt dump: unknown format '%s' (bgpdump, "
		    "bgpdump-multi, jsonl or none)", s);
		return EXIT_USAGE;
	}
	return 0;
}

static int
dump_parse(int argc, char **argv, struct dump_ctx *c, enum mrt_format *fmt,
    bool *none)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "strict", no_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "from", required_argument, NULL, O_FROM },
		{ "to", required_argument, NULL, O_TO },
		{ "prefix", required_argument, NULL, O_PREFIX },
		{ "more-specific", no_argument, NULL, O_MORE },
		{ "less-specific", no_argument, NULL, O_LESS },
		{ "peer-asn", required_argument, NULL, O_PEER },
		{ "origin-asn", required_argument, NULL, O_ORIGIN },
		{ "type", required_argument, NULL, O_TYPE },
		{ "collector", required_argument, NULL, O_COLLECTOR },
		{ NULL, 0, NULL, 0 },
	};
	int ch, rc = 0;

	opterr = 0;
	while (rc == 0 &&
	    (ch = getopt_long(argc, argv, ":f:qmMH", opts, NULL)) != -1) {
		switch (ch) {
		case 'f': rc = dump_format(optarg, fmt, none); break;
		case 'm': *fmt = MRT_FMT_BGPDUMP; *none = false;
			c->dates = false;
			break;
		case 'M': *fmt = MRT_FMT_BGPDUMP; *none = false; c->dates = true;
			break;
		case 'H': *fmt = MRT_FMT_BGPDUMP_MULTI; *none = false;
			c->dates = false;
			break;
		case 's': c->strict = true; break;
		case 'q': c->quiet = true; break;
		case ':':
			cli_err("mrt dump: option '%s' needs a value; see "
			    "'lifeline mrt dump --help'", argv[optind - 1]);
			return EXIT_USAGE;
		case '?':
			cli_err("mrt dump: unknown option '%s'; see 'lifeline "
			    "mrt dump --help'", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			rc = dump_filter_opt(&c->f, ch, optarg);
			c->f.any |= ch != O_FROM && ch != O_TO &&
			    ch != O_COLLECTOR;
		}
	}
	if (rc != 0)
		return rc;
	if ((c->f.more || c->f.less) && !c->f.has_prefix) {
		cli_err("mrt dump: --more-specific and --less-specific need "
		    "--prefix");
		return EXIT_USAGE;
	}
	if (optind >= argc) {
		cli_err("mrt dump: no FILE given; see 'lifeline mrt dump --help'");
		return EXIT_USAGE;
	}
	return 0;
}

static int
cmd_mrt_dump(int argc, char **argv)
{
	enum mrt_format fmt = MRT_FMT_BGPDUMP;
	bool none = false;
	struct dump_ctx *c;
	struct mrt_printer *pr = NULL;
	struct dump_m m = { stdout, NULL, 0, 0 };
	FILE *out = stdout;
	int ret = 0;

	if (cli_wants_help(argc, argv)) {
		fputs(dump_usage, stdout);
		return 0;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return EXIT_FAIL;
	c->f.from = INT64_MIN;
	c->f.to = INT64_MAX;
	if ((ret = dump_parse(argc, argv, c, &fmt, &none)) != 0)
		goto out;
	if (c->dates && !none && fmt == MRT_FMT_BGPDUMP &&
	    (out = fopencookie(&m, "w", (cookie_io_functions_t){ NULL,
	    dump_m_write, NULL, dump_m_close })) == NULL) {
		cli_err("out of memory");
		ret = EXIT_FAIL;
		goto out;
	}
	if (!none && mrt_printer_new(out, fmt, &pr) != 0) {
		cli_err("out of memory");
		ret = EXIT_FAIL;
		goto out;
	}
	if (pr != NULL && c->f.any)
		mrt_printer_filter(pr, dump_keep, &c->f);
	progress_init(&c->pg);
	for (int i = optind; i < argc; i++) {
		int rc = dump_file(argv[i], pr, c);
		if (pr != NULL && mrt_printer_flush(pr) != 0) {
			cli_err("write error on standard output");
			rc = EXIT_FAIL;
		}
		if (rc > ret)
			ret = rc;
		if (rc == EXIT_FAIL || (c->strict && rc != 0))
			break;
	}
	if (ret == 0 && c->data_err)
		ret = EXIT_DATA;
out:
	mrt_printer_free(pr);
	if (out != stdout && fclose(out) != 0 && ret == 0) {
		cli_err("write error on standard output");
		ret = EXIT_FAIL;
	}
	free(c);
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
