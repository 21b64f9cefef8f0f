/* Placeholder: filled below. */
#include "geo/geo_int.h"
#include "util/err.h"

int
geo_rir_load(struct geo *g, const char *path, struct geo_trees *cc)
{
	(void)cc;
	geo_seterr(g, "%s: not supported yet", path);
	return LL_EUNSUP;
}

int
geo_pfx2as_load(struct geo *g, const char *path, struct geo_trees *asn)
{
	(void)asn;
	geo_seterr(g, "%s: not supported yet", path);
	return LL_EUNSUP;
}
