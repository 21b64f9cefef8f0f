/* Placeholder: filled below. */
#include "geo/geo_int.h"
#include "util/err.h"

int
geo_mmdb_load(struct geo *g, const char *path, struct geo_trees *reg)
{
	(void)reg;
	geo_seterr(g, "%s: city databases are not supported yet", path);
	return LL_EUNSUP;
}
