/*
 * libFuzzer target: the importers (src/import), built once per format:
 * fuzz_import_series, _ioda, _monash, _ndt, _ooni, chosen by IMPORT_FMT.
 * The input is one file's bytes.
 *
 * Checked on every input: each bad row is reported as "fuzz:LINE: ..."
 * with LINE inside the input; every point emitted is finite, of a
 * canonical entity and a kind of at most IMPORT_NAME_MAX - 1 bytes; the
 * counts agree (bad <= rows).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_rows.h"
#include "import/import.h"
#include "net/entity.h"

#ifndef IMPORT_FMT
#error "build with -DIMPORT_FMT=IMPORT_SERIES_CSV (or another format)"
#endif

#define SIZE_CAP	(64u << 10)

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
on_point(void *ctx, const struct import_point *p)
{
	struct entity e;
	char buf[ENT_STRLEN];

	(void)ctx;
	if (!isfinite(p->value) || strlen(p->kind) >= IMPORT_NAME_MAX ||
	    entity_parse(p->entity, &e) != 0 ||
	    strcmp(entity_fmt(&e, buf), p->entity) != 0)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_opts o = { .fmt = IMPORT_FMT, .entity = "country:US",
	    .on_bad = on_bad };
	struct run r;
	struct import *im;
	uint64_t rows = 0, bad = 0;

	if (size > SIZE_CAP)
		return 0;
	run_init(&r, data, size);
	o.ctx = &r;
	if (import_new(&o, &im) != 0)
		return 0;
	if (import_feed(im, "fuzz", data, size, &rows, &bad) == 0) {
		if (bad > rows || bad != r.bad)
			abort();
		(void)import_finish(im, on_point, NULL);
	}
	import_free(im);
	return 0;
}
