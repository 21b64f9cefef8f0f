#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/entity.h"
#include "util/err.h"

static const char *const names[] = {
	[ENT_COUNTRY] = "country",
	[ENT_REGION] = "region",
	[ENT_ASN] = "asn",
	[ENT_PREFIX] = "prefix",
	[ENT_COLLECTOR] = "collector",
};

const char *
entity_type_name(enum ent_type t)
{
	if (t < ENT_COUNTRY || t > ENT_COLLECTOR)
		return NULL;
	return names[t];
}

int
entity_type_parse(const char *s, enum ent_type *out)
{
	for (int t = ENT_COUNTRY; t <= ENT_COLLECTOR; t++)
		if (strcmp(s, names[t]) == 0) {
			*out = (enum ent_type)t;
			return 0;
		}
	if (strcmp(s, "as") == 0) {
		*out = ENT_ASN;
		return 0;
	}
	return LL_EFORMAT;
}

static int
parse_cc(const char *v, char cc[3])
{
	if (!isalpha((unsigned char)v[0]) || !isalpha((unsigned char)v[1]))
		return LL_EFORMAT;
	cc[0] = (char)toupper((unsigned char)v[0]);
	cc[1] = (char)toupper((unsigned char)v[1]);
	cc[2] = '\0';
	return 0;
}

int
entity_parse(const char *s, struct entity *out)
{
	const char *colon = strchr(s, ':'), *v;
	char type[16], *end;
	size_t tl;

	memset(out, 0, sizeof(*out));
	if (colon == NULL || (tl = (size_t)(colon - s)) >= sizeof(type))
		return LL_EFORMAT;
	memcpy(type, s, tl);
	type[tl] = '\0';
	v = colon + 1;
	if (entity_type_parse(type, &out->type) != 0)
		return LL_EFORMAT;
	switch (out->type) {
	case ENT_COUNTRY:
		if (strlen(v) != 2)
			return LL_EFORMAT;
		return parse_cc(v, out->u.cc);
	case ENT_REGION: {
		size_t n = strlen(v), sub = n - 3;
		if (n < 4 || n > 6 || v[2] != '-' || parse_cc(v, out->u.region))
			return LL_EFORMAT;
		out->u.region[2] = '-';
		for (size_t i = 0; i < sub; i++) {
			if (!isalnum((unsigned char)v[3 + i]))
				return LL_EFORMAT;
			out->u.region[3 + i] =
			    (char)toupper((unsigned char)v[3 + i]);
		}
		out->u.region[3 + sub] = '\0';
		return 0;
	}
	case ENT_ASN: {
		if (strncasecmp(v, "AS", 2) == 0)
			v += 2;
		if (!isdigit((unsigned char)*v))
			return LL_EFORMAT;
		unsigned long long a = strtoull(v, &end, 10);
		if (*end != '\0' || a > UINT32_MAX)
			return LL_EFORMAT;
		out->u.asn = (uint32_t)a;
		return 0;
	}
	case ENT_PREFIX:
		return net_prefix_parse(v, &out->u.prefix);
	case ENT_COLLECTOR: {
		size_t n = strlen(v);
		if (n == 0 || n > ENT_COLLECTOR_MAX)
			return LL_EFORMAT;
		for (size_t i = 0; i < n; i++)
			if (!isalnum((unsigned char)v[i]) && v[i] != '.' &&
			    v[i] != '-' && v[i] != '_' && v[i] != ':')
				return LL_EFORMAT;
		memcpy(out->u.collector, v, n + 1);
		return 0;
	}
	}
	return LL_EFORMAT;
}

char *
entity_fmt(const struct entity *e, char *buf)
{
	char p[NET_PREFIX_STRLEN];

	switch (e->type) {
	case ENT_COUNTRY:
		snprintf(buf, ENT_STRLEN, "country:%s", e->u.cc);
		break;
	case ENT_REGION:
		snprintf(buf, ENT_STRLEN, "region:%s", e->u.region);
		break;
	case ENT_ASN:
		snprintf(buf, ENT_STRLEN, "asn:%u", e->u.asn);
		break;
	case ENT_PREFIX:
		net_prefix_fmt(&e->u.prefix, p);
		snprintf(buf, ENT_STRLEN, "prefix:%s", p);
		break;
	case ENT_COLLECTOR:
		snprintf(buf, ENT_STRLEN, "collector:%s", e->u.collector);
		break;
	default:
		snprintf(buf, ENT_STRLEN, "?");
	}
	return buf;
}
