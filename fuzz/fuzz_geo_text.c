/*
 * libFuzzer target: the text files users give to geo (src/geo/geo_file.c),
 * built twice: fuzz_rir (RIR delegated statistics) and fuzz_pfx2as (CAIDA
 * prefix2as), chosen by GEO_TEXT_FMT. The input is the file's bytes.
 *
 * Checked on every input: each bad line is reported once, in order, as
 * "fuzz:LINE: what" with LINE inside the input; each record comes from a
 * line inside the input that was not reported, with its host bits clear
 * and a value of its kind (a country code, an AS number).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "geo/geo_int.h"
#include "util/err.h"

#ifndef GEO_TEXT_FMT
#error "build with -DGEO_TEXT_FMT=GEO_TEXT_RIR or GEO_TEXT_PFX2AS"
#endif

#define SIZE_CAP	(64u << 10)	/* more lines find nothing new */

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct run {
	uint64_t	lines;		/* '\n's + 1: the last possible line */
	uint64_t	last_bad;	/* line of the last report */
	uint64_t	last_rec;
	uint64_t	bad, recs;
};

static struct run run;

static void
on_bad(void *ctx, const char *msg)
{
	char *end;
	unsigned long long no;

	(void)ctx;
	if (strncmp(msg, "fuzz:", 5) != 0)
		__builtin_trap();
	no = strtoull(msg + 5, &end, 10);
	if (end[0] != ':' || end[1] != ' ' || end[2] == '\0')
		__builtin_trap();	/* no line number, or no reason */
	if (no == 0 || no > run.lines || no <= run.last_bad)
		__builtin_trap();	/* outside, or reported twice */
	run.last_bad = no;
	run.bad++;
}

static int
on_rec(void *ctx, const struct net_prefix *p, uint32_t val, uint64_t line)
{
	struct net_prefix m = *p;

	(void)ctx;
	if (p->len > net_af_bits(p->af) || (p->af != NET_AF4 &&
	    p->af != NET_AF6))
		__builtin_trap();
	net_prefix_mask(&m);
	if (memcmp(m.a, p->a, sizeof(m.a)) != 0)
		__builtin_trap();
	if (line == 0 || line > run.lines || line < run.last_rec ||
	    line == run.last_bad)
		__builtin_trap();
	if (GEO_TEXT_FMT == GEO_TEXT_RIR) {
		char cc[3];
		geo_cc_str(val, cc);
		if (cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' ||
		    cc[1] > 'Z' || geo_cc16(cc) != val)
			__builtin_trap();
	} else if (val == 0)
		__builtin_trap();
	run.last_rec = line;
	run.recs++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct geo *g;
	int rc;

	if (size > SIZE_CAP)
		return 0;
	if (g == NULL) {
		if ((g = calloc(1, sizeof(*g))) == NULL)
			__builtin_trap();
		g->warn = on_bad;
	}
	memset(&run, 0, sizeof(run));
	run.lines = 1;
	for (const uint8_t *p = data, *end = data + size;
	    (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
		run.lines++;
	g->bad_lines = 0;
	rc = geo_text_parse(g, GEO_TEXT_FMT, "fuzz", data, size, on_rec, NULL);
	if (run.bad != g->bad_lines)
		__builtin_trap();	/* every bad line counted and reported */
	if (rc != 0 && (rc != LL_EFORMAT || run.recs != 0))
		__builtin_trap();	/* the only failure: nothing usable */
	if (rc == 0 && run.recs == 0)
		__builtin_trap();
	return 0;
}
