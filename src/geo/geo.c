/*
 * Where addresses are: the sources are loaded at open into prefix trees
 * (src/net/net_tree.h), one per family and attribute, so that lookups and
 * splits never touch the files again.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "geo/geo_int.h"
#include "util/err.h"

static const char *const locdb_default[] = {
	"/var/lib/location/database.db",
	"/usr/share/libloc-location/location.db",
};

static bool
cc_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

uint32_t
geo_cc16(const char *cc)
{
	if (cc == NULL || !cc_char(cc[0]) || !cc_char(cc[1]) || cc[2] != '\0')
		return 0;
	return (uint32_t)(uint8_t)cc[0] << 8 | (uint8_t)cc[1];
}

void
geo_cc_str(uint32_t v, char out[3])
{
	v &= 0xffff;
	out[0] = v ? (char)(v >> 8) : '\0';
	out[1] = v ? (char)(v & 0xff) : '\0';
	out[2] = '\0';
}

int
geo_trees_new(struct geo_trees *ts)
{
	int rc;

	if ((rc = net_tree_new(NET_AF4, &ts->t[0])) != 0)
		return rc;
	return net_tree_new(NET_AF6, &ts->t[1]);
}

void
geo_trees_free(struct geo_trees *ts)
{
	for (int i = 0; i < 2; i++) {
		net_tree_free(ts->t[i]);
		ts->t[i] = NULL;
	}
}

int
geo_trees_build(struct geo_trees *ts)
{
	int rc;

	for (int i = 0; i < 2; i++)
		if ((rc = net_tree_build(ts->t[i])) != 0)
			return rc;
	return 0;
}

void
geo_seterr(struct geo *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(g->err, sizeof(g->err), fmt, ap);
	va_end(ap);
}

void
geo_bad(struct geo *g, const char *file, uint64_t line, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(g->err, sizeof(g->err), "%s:%llu: %s", file,
	    (unsigned long long)line, what);
	g->bad_lines++;
	if (g->warn != NULL)
		g->warn(g->warn_ctx, g->err);
}

uint32_t
geo_region_idx(struct geo *g, const char *r)
{
	size_t i;

	for (i = 1; i < g->nregions; i++)	/* a few thousand at most */
		if (strcmp(g->regions[i], r) == 0)
			return (uint32_t)i;
	if (g->nregions >= GEO_REGIONS_MAX || strlen(r) >= 8)
		return 0;
	if (g->nregions == g->capregions) {
		size_t nc = g->capregions ? g->capregions * 2 : 64;
		char (*nr)[8] = realloc(g->regions, nc * sizeof(*nr));
		if (nr == NULL)
			return 0;
		g->regions = nr;
		g->capregions = nc;
	}
	if (g->nregions == 0)
		memset(g->regions[g->nregions++], 0, 8);
	memset(g->regions[g->nregions], 0, 8);
	memcpy(g->regions[g->nregions], r, strlen(r));
	return (uint32_t)g->nregions++;
}

static const char *
locdb_path(const struct geo_opts *o)
{
	if (o != NULL && o->locdb != NULL)
		return o->locdb;
	for (size_t i = 0; i < sizeof(locdb_default) / sizeof(*locdb_default);
	    i++)
		if (access(locdb_default[i], R_OK) == 0)
			return locdb_default[i];
	return NULL;
}

const char *
geo_locdb_path(const char *given)
{
	struct geo_opts o = { .locdb = given };

	return locdb_path(&o);
}

/* A region counts for a piece only when its country is the piece's. */
static uint32_t
split_merge(void *ctx, uint32_t cc, uint32_t reg)
{
	struct geo *g = ctx;
	char c[3];

	if (reg == 0 || cc == 0 || reg >= g->nregions)
		return cc;
	geo_cc_str(cc, c);
	if (memcmp(g->regions[reg], c, 2) != 0 || g->regions[reg][2] != '-')
		return cc;
	return cc | reg << 16;
}

static int
build_split(struct geo *g)
{
	struct net_tree *m;
	int rc;

	for (int i = 0; i < 2; i++) {
		if (g->reg.t[i] == NULL) {
			rc = net_tree_coarsen(g->cc.t[i], &g->split.t[i]);
		} else {
			rc = net_tree_merge(g->cc.t[i], g->reg.t[i],
			    split_merge, g, &m);
			if (rc == 0)
				rc = net_tree_coarsen(m, &g->split.t[i]);
			net_tree_free(m);
		}
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
load_sources(struct geo *g, const struct geo_opts *o)
{
	bool have_rir = o->rir != NULL && o->rir[0] != NULL;
	const char *loc;
	int rc;

	if ((rc = geo_trees_new(&g->cc)) != 0 ||
	    (rc = geo_trees_new(&g->asn)) != 0)
		return rc;
	if (!have_rir || o->pfx2as == NULL) {
		if ((loc = locdb_path(o)) == NULL) {
			geo_seterr(g, "no location database (install "
			    "libloc-database or give one)");
			return LL_ENOTFOUND;
		}
		rc = geo_loc_load(g, loc, have_rir ? NULL : &g->cc,
		    o->pfx2as != NULL ? NULL : &g->asn);
		if (rc != 0)
			return rc;
	}
	for (size_t i = 0; have_rir && o->rir[i] != NULL; i++)
		if ((rc = geo_rir_load(g, o->rir[i], &g->cc)) != 0)
			return rc;
	if (o->pfx2as != NULL &&
	    (rc = geo_pfx2as_load(g, o->pfx2as, &g->asn)) != 0)
		return rc;
	if ((rc = geo_trees_build(&g->cc)) != 0 ||
	    (rc = geo_trees_build(&g->asn)) != 0)
		return rc;
	if (o->city_mmdb != NULL) {
		if ((rc = geo_trees_new(&g->reg)) != 0 ||
		    (rc = geo_mmdb_load(g, o->city_mmdb, &g->reg)) != 0 ||
		    (rc = geo_trees_build(&g->reg)) != 0)
			return rc;
	}
	return build_split(g);
}

/* The cache key: each source file with what tells a new version of it. */
struct ckey {
	char		 text[8192];
	size_t		 len;
	uint64_t	 name_hash;	/* of the paths only */
	bool		 bad;
};

static void
ckey_add(struct ckey *k, const char *what, const char *path)
{
	struct stat sb;
	int n;

	if (path == NULL || k->bad)
		return;
	if (stat(path, &sb) != 0) {
		k->bad = true;
		return;
	}
	n = snprintf(k->text + k->len, sizeof(k->text) - k->len,
	    "%s %s %lld %lld.%09ld %llu %llu\n", what, path,
	    (long long)sb.st_size, (long long)sb.st_mtim.tv_sec,
	    sb.st_mtim.tv_nsec, (unsigned long long)sb.st_ino,
	    (unsigned long long)sb.st_dev);
	if (n < 0 || (size_t)n >= sizeof(k->text) - k->len) {
		k->bad = true;
		return;
	}
	k->len += (size_t)n;
	for (const char *p = what; *p; p++)
		k->name_hash = (k->name_hash ^ (uint8_t)*p) * 1099511628211ULL;
	for (const char *p = path; *p; p++)
		k->name_hash = (k->name_hash ^ (uint8_t)*p) * 1099511628211ULL;
}

static void
ckey_make(struct ckey *k, const struct geo_opts *o)
{
	bool have_rir = o->rir != NULL && o->rir[0] != NULL;

	memset(k, 0, sizeof(*k));
	k->name_hash = 1469598103934665603ULL;
	k->len = (size_t)snprintf(k->text, sizeof(k->text), "lifeline geo\n");
	if (!have_rir || o->pfx2as == NULL)
		ckey_add(k, "locdb", locdb_path(o));
	for (size_t i = 0; have_rir && o->rir[i] != NULL; i++)
		ckey_add(k, "rir", o->rir[i]);
	ckey_add(k, "pfx2as", o->pfx2as);
	ckey_add(k, "city", o->city_mmdb);
}

int
geo_open(const struct geo_opts *opts, struct geo **out)
{
	static const struct geo_opts none;
	struct ckey key;
	char name[32];
	struct geo *g;
	int rc;

	*out = NULL;
	if (opts == NULL)
		opts = &none;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return LL_ENOMEM;
	g->warn = opts->warn;
	g->warn_ctx = opts->warn_ctx;
	*out = g;
	if (opts->cache_dir != NULL) {
		ckey_make(&key, opts);
		snprintf(name, sizeof(name), "geo-%016llx.map",
		    (unsigned long long)key.name_hash);
		if (!key.bad && geo_cache_load(g, opts->cache_dir, name,
		    key.text) == 0)
			return 0;
	}
	if ((rc = load_sources(g, opts)) != 0) {
		if (g->err[0] == '\0')
			geo_seterr(g, "%s", ll_strerror(rc));
		return rc;
	}
	/* A run that skipped bad lines of the user's files is not cached:
	 * the next one must report them again. A cache that cannot be
	 * written only costs the next run time. */
	if (opts->cache_dir != NULL && !key.bad && g->bad_lines == 0)
		(void)geo_cache_save(g, opts->cache_dir, name, key.text);
	return 0;
}

const char *
geo_errmsg(const struct geo *g)
{
	return g != NULL ? g->err : "";
}

bool
geo_from_cache(const struct geo *g)
{
	return g != NULL && g->map != NULL;
}

uint64_t
geo_bad_lines(const struct geo *g)
{
	return g != NULL ? g->bad_lines : 0;
}

void
geo_free(struct geo *g)
{
	if (g == NULL)
		return;
	geo_trees_free(&g->cc);
	geo_trees_free(&g->asn);
	geo_trees_free(&g->reg);
	geo_trees_free(&g->split);
	free(g->regions);
	if (g->map != NULL)
		munmap(g->map, g->maplen);
	free(g);
}

int
geo_lookup(struct geo *g, const struct net_addr *a, struct geo_info *out)
{
	int i = geo_af_idx(a->af);
	uint32_t r;

	memset(out, 0, sizeof(*out));
	if (a->af != NET_AF4 && a->af != NET_AF6)
		return LL_ENOTFOUND;
	if (g->cc.t[i] != NULL)
		geo_cc_str(net_tree_lookup(g->cc.t[i], a), out->cc);
	if (g->asn.t[i] != NULL)
		out->asn = net_tree_lookup(g->asn.t[i], a);
	if (g->reg.t[i] != NULL) {
		/* As in geo_split(): the region must be of the country. */
		r = split_merge(g, geo_cc16(out->cc),
		    net_tree_lookup(g->reg.t[i], a)) >> 16;
		if (r != 0)
			memcpy(out->region, g->regions[r], sizeof(out->region));
	}
	if (out->cc[0] == '\0' && out->asn == 0 && out->region[0] == '\0')
		return LL_ENOTFOUND;
	return 0;
}

#define SPLIT_AGG	32

struct split_ctx {
	struct geo	*g;
	geo_split_fn	*fn;
	void		*ctx;
	size_t		 n;
	uint32_t	 val[SPLIT_AGG];
	uint64_t	 units[SPLIT_AGG];
};

static int
split_flush(struct split_ctx *s)
{
	char cc[3];
	const char *reg;
	uint32_t r;
	int rc = 0;

	for (size_t i = 0; i < s->n && rc == 0; i++) {
		geo_cc_str(s->val[i], cc);
		r = s->val[i] >> 16;
		reg = r != 0 && r < s->g->nregions ? s->g->regions[r] : "";
		rc = s->fn(s->ctx, cc, reg, s->units[i]);
	}
	s->n = 0;
	return rc;
}

static int
split_piece(void *ctx, uint32_t val, uint64_t units)
{
	struct split_ctx *s = ctx;
	size_t i;
	int rc;

	for (i = 0; i < s->n; i++)
		if (s->val[i] == val) {
			s->units[i] += units;
			return 0;
		}
	if (s->n == SPLIT_AGG && (rc = split_flush(s)) != 0)
		return rc;
	s->val[s->n] = val;
	s->units[s->n++] = units;
	return 0;
}

int
geo_split(struct geo *g, const struct net_prefix *p, geo_split_fn *fn,
    void *ctx)
{
	struct split_ctx s;
	int rc;

	if ((p->af != NET_AF4 && p->af != NET_AF6) ||
	    g->split.t[geo_af_idx(p->af)] == NULL)
		return LL_EINVAL;
	s.g = g;
	s.fn = fn;
	s.ctx = ctx;
	s.n = 0;
	rc = net_tree_units(g->split.t[geo_af_idx(p->af)], p, split_piece, &s);
	if (rc != 0)
		return rc;
	return split_flush(&s);
}

struct nets {
	struct net_prefix	*v;
	size_t			 n, cap;
};

static int
nets_add(void *ctx, const struct net_prefix *p)
{
	struct nets *ns = ctx;

	if (ns->n == ns->cap) {
		size_t nc = ns->cap ? ns->cap * 2 : 256;
		struct net_prefix *v = realloc(ns->v, nc * sizeof(*v));
		if (v == NULL)
			return LL_ENOMEM;
		ns->v = v;
		ns->cap = nc;
	}
	ns->v[ns->n++] = *p;
	return 0;
}

int
geo_country_networks(struct geo *g, const char *cc, uint8_t af,
    struct net_prefix **out, size_t *n)
{
	struct nets ns = { NULL, 0, 0 };
	uint32_t v = geo_cc16(cc);
	int rc;

	*out = NULL;
	*n = 0;
	if (v == 0 || (af != NET_AF4 && af != NET_AF6))
		return LL_EINVAL;
	rc = net_tree_prefixes(g->cc.t[geo_af_idx(af)], v, nets_add, &ns);
	if (rc != 0) {
		free(ns.v);
		return rc;
	}
	*out = ns.v;
	*n = ns.n;
	return 0;
}

int
geo_locdb_info(const struct geo_opts *opts, const char **path,
    int64_t *created)
{
	static const struct geo_opts none;
	const struct geo_opts *o = opts != NULL ? opts : &none;

	*path = NULL;
	*created = 0;
	if (o->rir != NULL && o->rir[0] != NULL && o->pfx2as != NULL)
		return 0;
	if ((*path = locdb_path(o)) == NULL)
		return LL_ENOTFOUND;
	return geo_loc_created(*path, created);
}
