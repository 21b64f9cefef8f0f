/*
 * libFuzzer target: the impact's reference tables (src/import/
 * import_ref.c), APNIC's per-AS user estimates and the country table;
 * every input goes through both readers.
 *
 * Checked on every input: each bad row is reported as "fuzz:LINE: ..."
 * with LINE inside the input; every row handed on has a country code of
 * two capitals, an AS above 0, finite counts >= 0 (or -1: not given), a
 * share of at most 100% (1 for the digital share) and a year of four
 * digits; the counts agree (bad <= rows).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_rows.h"
#include "import/import.h"

#define SIZE_CAP	(64u << 10)

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_cc(const char *cc)
{
	if (cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z' ||
	    cc[2] != '\0')
		abort();
}

/* -1 (not given) or finite and >= 0, at most max. */
static void
check_num(double v, double max)
{
	if (v != -1 && (!isfinite(v) || v < 0 || v > max))
		abort();
}

static int
on_user(void *ctx, const struct import_users_row *u)
{
	(void)ctx;
	check_cc(u->cc);
	if (u->asn == 0 || !isfinite(u->users) || u->users < 0)
		abort();
	check_num(u->share, 100);
	check_num(u->samples, INFINITY);
	return 0;
}

static int
on_country(void *ctx, const struct import_country_row *c)
{
	(void)ctx;
	check_cc(c->cc);
	if (c->name == NULL || c->year < 1900 || c->year > 9999)
		abort();
	check_num(c->gdp, INFINITY);
	check_num(c->population, INFINITY);
	check_num(c->users, INFINITY);
	check_num(c->digital, 1);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run r;
	uint64_t rows, bad;

	if (size > SIZE_CAP)
		return 0;
	run_init(&r, data, size);
	(void)import_users_read("fuzz", data, size, on_user, NULL, on_bad, &r,
	    &rows, &bad);
	if (bad > rows || bad != r.bad)
		abort();
	r.bad = 0;
	(void)import_countries_read("fuzz", data, size, on_country, NULL,
	    on_bad, &r, &rows, &bad);
	if (bad > rows || bad != r.bad)
		abort();
	return 0;
}
