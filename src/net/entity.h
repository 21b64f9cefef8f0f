/*
 * Entities: what a signal or an incident is about. One parser and one
 * printer used by the CLI, the API and the store:
 *   country:IR   region:IR-07   asn:58224   prefix:208.65.152.0/22
 *   collector:rrc00 (a BGP collector; collector:all is all of them)
 */
#ifndef LL_UTIL_ENTITY_H
#define LL_UTIL_ENTITY_H

#include <stdint.h>

#include "net/net.h"

enum ent_type {
	ENT_COUNTRY = 1,
	ENT_REGION,
	ENT_ASN,
	ENT_PREFIX,
	ENT_COLLECTOR,
};

/* A collector's name: 1 to ENT_COLLECTOR_MAX characters of A-Z a-z 0-9
 * . - _ : (route-views.linx, rrc00, or a collector's BGP identifier). */
#define ENT_COLLECTOR_MAX	53

#define ENT_STRLEN	64

struct entity {
	enum ent_type	type;
	union {
		char		cc[3];		/* "IR" */
		char		region[8];	/* "IR-07", ISO 3166-2 */
		uint32_t	asn;
		struct net_prefix prefix;
		char		collector[ENT_COLLECTOR_MAX + 1];
	} u;
};

/* Parses "country:IR" etc. Returns 0 or LL_EFORMAT. */
int	 entity_parse(const char *s, struct entity *out);
/* Writes the canonical form into buf (>= ENT_STRLEN). Returns buf. */
char	*entity_fmt(const struct entity *e, char *buf);
/* "country", "region", "asn", "prefix", "collector"; NULL on a bad
 * type. */
const char *entity_type_name(enum ent_type t);
/* Parses a type name as given to --by. Returns 0 or LL_EFORMAT. */
int	 entity_type_parse(const char *s, enum ent_type *out);

#endif
