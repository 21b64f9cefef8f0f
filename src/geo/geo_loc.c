/*
 * The IPFire location database through libloc: every network is read once
 * with the database enumerator (in tree order, so already sorted) into our
 * own trees. As in libloc's own lookup, the most specific network wins with
 * all its fields: a network with no country (or no AS) inside one that has
 * one makes its space unknown.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libloc/as.h>
#include <libloc/database.h>
#include <libloc/libloc.h>
#include <libloc/network.h>

#include "geo/geo_int.h"
#include "util/err.h"

/* The library never prints: libloc's log goes nowhere. */
static void
loc_quiet(struct loc_ctx *ctx, int prio, const char *file, int line,
    const char *fn, const char *fmt, va_list ap)
{
	(void)ctx;
	(void)prio;
	(void)file;
	(void)line;
	(void)fn;
	(void)fmt;
	(void)ap;
}

static int
add_network(struct geo *g, struct loc_network *n, struct geo_trees *cc,
    struct geo_trees *asn)
{
	const struct in6_addr *first = loc_network_get_first_address(n);
	struct net_prefix p;
	unsigned len = loc_network_prefix(n);
	int rc, i;

	memset(&p, 0, sizeof(p));
	if (loc_network_address_family(n) == AF_INET) {
		p.af = NET_AF4;
		memcpy(p.a, &first->s6_addr[12], 4);
	} else {
		p.af = NET_AF6;
		memcpy(p.a, first->s6_addr, 16);
	}
	if (len > net_af_bits(p.af)) {
		geo_seterr(g, "location database: bad network %s",
		    loc_network_str(n));
		return LL_EFORMAT;
	}
	p.len = (uint8_t)len;
	net_prefix_mask(&p);
	i = geo_af_idx(p.af);
	if (cc != NULL && (rc = net_tree_add(cc->t[i], &p,
	    geo_cc16(loc_network_get_country_code(n)))) != 0)
		return rc;
	if (asn != NULL && (rc = net_tree_add(asn->t[i], &p,
	    loc_network_get_asn(n))) != 0)
		return rc;
	return 0;
}

static int
enumerate(struct geo *g, struct loc_database *db, struct geo_trees *cc,
    struct geo_trees *asn)
{
	struct loc_database_enumerator *e = NULL;
	struct loc_network *n = NULL;
	int rc;

	if (loc_database_enumerator_new(&e, db, LOC_DB_ENUMERATE_NETWORKS,
	    0) != 0)
		return LL_ENOMEM;
	for (;;) {
		if (loc_database_enumerator_next_network(e, &n) != 0) {
			geo_seterr(g, "location database: cannot enumerate");
			rc = LL_EFORMAT;
			break;
		}
		if (n == NULL) {
			rc = 0;
			break;
		}
		rc = add_network(g, n, cc, asn);
		loc_network_unref(n);
		if (rc != 0)
			break;
	}
	loc_database_enumerator_unref(e);
	return rc;
}

int
geo_loc_load(struct geo *g, const char *path, struct geo_trees *cc,
    struct geo_trees *asn)
{
	struct loc_ctx *ctx = NULL;
	struct loc_database *db = NULL;
	FILE *f;
	int rc;

	if ((f = fopen(path, "rb")) == NULL) {
		geo_seterr(g, "%s: cannot open the location database", path);
		return LL_ENOTFOUND;
	}
	if (loc_new(&ctx) != 0) {
		fclose(f);
		return LL_ENOMEM;
	}
	loc_set_log_fn(ctx, loc_quiet);
	if (loc_database_new(ctx, &db, f) != 0) {
		geo_seterr(g, "%s: not a location database", path);
		rc = LL_EFORMAT;
		goto out;
	}
	rc = enumerate(g, db, cc, asn);
	if (rc == LL_EFORMAT || rc == LL_ENOMEM)
		if (strncmp(g->err, "location", 8) == 0 || g->err[0] == '\0')
			geo_seterr(g, "%s: bad location database", path);
out:
	if (db != NULL)
		loc_database_unref(db);
	loc_unref(ctx);
	fclose(f);
	return rc;
}

struct routes {
	geo_route_fn	*fn;
	void		*ctx;
};

/* One network for geo_loc_routes(): skipped without an AS. */
static int
route_of(struct loc_network *n, const struct routes *r)
{
	const struct in6_addr *first = loc_network_get_first_address(n);
	const char *cc = loc_network_get_country_code(n);
	unsigned len = loc_network_prefix(n);
	uint32_t asn = loc_network_get_asn(n);
	struct net_prefix p;

	if (asn == 0)
		return 0;
	memset(&p, 0, sizeof(p));
	if (loc_network_address_family(n) == AF_INET) {
		p.af = NET_AF4;
		memcpy(p.a, &first->s6_addr[12], 4);
	} else {
		p.af = NET_AF6;
		memcpy(p.a, first->s6_addr, 16);
	}
	if (len > net_af_bits(p.af))
		return LL_EFORMAT;
	p.len = (uint8_t)len;
	net_prefix_mask(&p);
	return r->fn(r->ctx, &p, asn, cc != NULL ? cc : "");
}

int
geo_loc_routes(const char *locdb, geo_route_fn *fn, void *ctx, char *err,
    size_t errlen)
{
	const char *path = geo_locdb_path(locdb);
	struct loc_ctx *lc = NULL;
	struct loc_database *db = NULL;
	struct loc_database_enumerator *e = NULL;
	struct loc_network *n = NULL;
	struct routes r = { fn, ctx };
	FILE *f = NULL;
	int rc = LL_EFORMAT;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (path == NULL || (f = fopen(path, "rb")) == NULL) {
		if (err != NULL)
			snprintf(err, errlen, "%s: cannot open the location "
			    "database", path != NULL ? path : "(none found)");
		return LL_ENOTFOUND;
	}
	if (loc_new(&lc) != 0) {
		fclose(f);
		return LL_ENOMEM;
	}
	loc_set_log_fn(lc, loc_quiet);
	if (loc_database_new(lc, &db, f) != 0 ||
	    loc_database_enumerator_new(&e, db, LOC_DB_ENUMERATE_NETWORKS,
	    0) != 0)
		goto out;
	for (;;) {
		if (loc_database_enumerator_next_network(e, &n) != 0)
			goto out;
		if (n == NULL)
			break;
		rc = route_of(n, &r);
		loc_network_unref(n);
		if (rc != 0)
			goto out;
	}
	rc = 0;
out:
	if (rc == LL_EFORMAT && err != NULL)
		snprintf(err, errlen, "%s: not a sound location database",
		    path);
	if (e != NULL)
		loc_database_enumerator_unref(e);
	if (db != NULL)
		loc_database_unref(db);
	loc_unref(lc);
	fclose(f);
	return rc;
}

int
geo_loc_created(const char *path, int64_t *t)
{
	struct loc_ctx *ctx = NULL;
	struct loc_database *db = NULL;
	FILE *f;
	int rc = 0;

	*t = 0;
	if ((f = fopen(path, "rb")) == NULL)
		return LL_ENOTFOUND;
	if (loc_new(&ctx) != 0) {
		fclose(f);
		return LL_ENOMEM;
	}
	loc_set_log_fn(ctx, loc_quiet);
	if (loc_database_new(ctx, &db, f) != 0)
		rc = LL_EFORMAT;
	else
		*t = (int64_t)loc_database_created_at(db);
	if (db != NULL)
		loc_database_unref(db);
	loc_unref(ctx);
	fclose(f);
	return rc;
}

/* AS names, looked up one at a time in the open database. */
struct geo_names {
	struct loc_ctx		*ctx;
	struct loc_database	*db;
	FILE			*f;
};

int
geo_names_open(const char *locdb, struct geo_names **out)
{
	const char *path = geo_locdb_path(locdb);
	struct geo_names *n;

	*out = NULL;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return LL_ENOMEM;
	if (path == NULL || (n->f = fopen(path, "rb")) == NULL) {
		free(n);
		return LL_ENOTFOUND;
	}
	if (loc_new(&n->ctx) != 0) {
		geo_names_free(n);
		return LL_ENOMEM;
	}
	loc_set_log_fn(n->ctx, loc_quiet);
	if (loc_database_new(n->ctx, &n->db, n->f) != 0) {
		geo_names_free(n);
		return LL_EFORMAT;
	}
	*out = n;
	return 0;
}

const char *
geo_names_get(struct geo_names *n, uint32_t asn, char *buf, size_t len)
{
	struct loc_as *as = NULL;
	const char *name;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (n == NULL || asn == 0 || loc_database_get_as(n->db, &as, asn) != 0 ||
	    as == NULL)
		return buf;
	if ((name = loc_as_get_name(as)) != NULL)
		snprintf(buf, len, "%s", name);
	loc_as_unref(as);
	return buf;
}

void
geo_names_free(struct geo_names *n)
{
	if (n == NULL)
		return;
	if (n->db != NULL)
		loc_database_unref(n->db);
	if (n->ctx != NULL)
		loc_unref(n->ctx);
	if (n->f != NULL)
		fclose(n->f);
	free(n);
}
