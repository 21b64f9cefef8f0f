/*
 * Regions from a MaxMind-format city database (libmaxminddb). The search
 * tree is walked once, depth first, through MMDB_read_node(), and every
 * network's region ("EG" + "-" + subdivisions[0].iso_code = "EG-C") goes
 * into our own trees. Data records are shared by many networks, so the
 * region of each record offset is cached.
 *
 * In an IPv6 database IPv4 lives at ::/96; the aliases ::ffff:0:0/96 and
 * 2002::/16 point at the same subtree and are skipped. The file is
 * untrusted: a tree deeper than the address or with more visits than
 * nodes (a cycle) is LL_EFORMAT.
 */
#include <stdlib.h>
#include <string.h>

#include <maxminddb.h>

#include "geo/geo_int.h"
#include "util/err.h"

#define CACHE_MAX	(1u << 24)

struct cache {
	uint32_t	*key;		/* offset + 1; 0 = free */
	uint32_t	*val;
	size_t		 cap, n;
};

struct walk {
	struct geo	*g;
	const char	*path;
	MMDB_s		*db;
	struct geo_trees *reg;
	struct cache	 c;
};

struct frame {
	uint32_t	node;
	uint8_t		depth;
	uint8_t		a[16];
};

static bool
str_is(const MMDB_entry_data_s *d, size_t min, size_t max)
{
	if (!d->has_data || d->type != MMDB_DATA_TYPE_UTF8_STRING ||
	    d->data_size < min || d->data_size > max)
		return false;
	for (size_t i = 0; i < d->data_size; i++) {
		char c = d->utf8_string[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			return false;
	}
	return true;
}

static uint32_t
region_of(struct walk *w, MMDB_entry_s *e)
{
	MMDB_entry_data_s cc, sub;
	char r[8];

	if (MMDB_get_value(e, &cc, "country", "iso_code", NULL) !=
	    MMDB_SUCCESS || !str_is(&cc, 2, 2))
		return 0;
	if (MMDB_get_value(e, &sub, "subdivisions", "0", "iso_code", NULL) !=
	    MMDB_SUCCESS || !str_is(&sub, 1, 3))
		return 0;
	memcpy(r, cc.utf8_string, 2);
	r[2] = '-';
	memcpy(r + 3, sub.utf8_string, sub.data_size);
	r[3 + sub.data_size] = '\0';
	return geo_region_idx(w->g, r);
}

static int
cache_grow(struct cache *c)
{
	size_t nc = c->cap ? c->cap * 2 : 1024;
	uint32_t *k = calloc(nc, sizeof(*k)), *v = calloc(nc, sizeof(*v));

	if (k == NULL || v == NULL) {
		free(k);
		free(v);
		return LL_ENOMEM;
	}
	for (size_t i = 0; i < c->cap; i++) {
		if (c->key[i] == 0)
			continue;
		size_t j = (c->key[i] * 2654435761u) & (nc - 1);
		while (k[j] != 0)
			j = (j + 1) & (nc - 1);
		k[j] = c->key[i];
		v[j] = c->val[i];
	}
	free(c->key);
	free(c->val);
	c->key = k;
	c->val = v;
	c->cap = nc;
	return 0;
}

/* The region of a data record, cached by its offset. */
static int
region_cached(struct walk *w, MMDB_entry_s *e, uint32_t *out)
{
	struct cache *c = &w->c;
	uint32_t key = e->offset + 1;
	size_t j;

	if (key == 0 || (c->n * 2 >= c->cap && c->cap >= CACHE_MAX)) {
		*out = region_of(w, e);
		return 0;
	}
	if (c->n * 2 >= c->cap && cache_grow(c) != 0)
		return LL_ENOMEM;
	for (j = (key * 2654435761u) & (c->cap - 1); c->key[j] != 0;
	    j = (j + 1) & (c->cap - 1))
		if (c->key[j] == key) {
			*out = c->val[j];
			return 0;
		}
	c->key[j] = key;
	c->val[j] = *out = region_of(w, e);
	c->n++;
	return 0;
}

static bool
all_zero(const uint8_t *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != 0)
			return false;
	return true;
}

/* A network of the database, len bits of a, with region v. */
static int
add(struct walk *w, const uint8_t *a, unsigned len, uint32_t v)
{
	struct net_prefix p;
	int rc;

	memset(&p, 0, sizeof(p));
	if (w->db->metadata.ip_version == 4) {
		p.af = NET_AF4;
		p.len = (uint8_t)len;
		memcpy(p.a, a, 4);
		return net_tree_add(w->reg->t[0], &p, v);
	}
	if (len >= 96 && all_zero(a, 12)) {
		p.af = NET_AF4;
		p.len = (uint8_t)(len - 96);
		memcpy(p.a, a + 12, 4);
		return net_tree_add(w->reg->t[0], &p, v);
	}
	if (all_zero(a, 16)) {		/* holds all of ::/96 */
		p.af = NET_AF4;
		if ((rc = net_tree_add(w->reg->t[0], &p, v)) != 0)
			return rc;
	}
	p.af = NET_AF6;
	p.len = (uint8_t)len;
	memcpy(p.a, a, 16);
	return net_tree_add(w->reg->t[1], &p, v);
}

static bool
is_alias(const uint8_t *a, unsigned len)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	return (len == 96 && memcmp(a, mapped, 12) == 0) ||
	    (len == 16 && a[0] == 0x20 && a[1] == 0x02);
}

static int
bad_tree(struct walk *w, const char *what)
{
	geo_seterr(w->g, "%s: bad search tree: %s", w->path, what);
	return LL_EFORMAT;
}

/* One record (bit b) of the node in f. */
static int
record(struct walk *w, const struct frame *f, const MMDB_search_node_s *n,
    int b, struct frame *stk, size_t *depth)
{
	unsigned bits = w->db->metadata.ip_version == 4 ? 32 : 128;
	uint8_t type = b ? n->right_record_type : n->left_record_type;
	MMDB_entry_s e = b ? n->right_record_entry : n->left_record_entry;
	struct frame c = *f;
	uint32_t v;
	int rc;

	c.depth = (uint8_t)(f->depth + 1);
	if (b)
		c.a[f->depth / 8] |= (uint8_t)(0x80u >> (f->depth % 8));
	switch (type) {
	case MMDB_RECORD_TYPE_EMPTY:
		return 0;
	case MMDB_RECORD_TYPE_DATA:
		if ((rc = region_cached(w, &e, &v)) != 0)
			return rc;
		return add(w, c.a, c.depth, v);
	case MMDB_RECORD_TYPE_SEARCH_NODE:
		if (c.depth >= bits)
			return bad_tree(w, "deeper than the address");
		if (w->db->metadata.ip_version == 6 && is_alias(c.a, c.depth))
			return 0;
		c.node = (uint32_t)(b ? n->right_record : n->left_record);
		stk[(*depth)++] = c;
		return 0;
	default:
		return bad_tree(w, "invalid record");
	}
}

static int
walk_tree(struct walk *w)
{
	struct frame stk[260], f;
	MMDB_search_node_s n;
	uint64_t visits = 0, cap = 2 * (uint64_t)w->db->metadata.node_count +
	    16;
	size_t depth = 0;
	int rc;

	if (w->db->metadata.ip_version != 4 && w->db->metadata.ip_version != 6)
		return bad_tree(w, "ip_version is neither 4 nor 6");
	memset(&f, 0, sizeof(f));
	stk[depth++] = f;
	while (depth > 0) {
		f = stk[--depth];
		if (++visits > cap)
			return bad_tree(w, "a node is reached twice (cycle)");
		if (MMDB_read_node(w->db, f.node, &n) != MMDB_SUCCESS)
			return bad_tree(w, "node out of range");
		/* Right first on the stack so the left comes out first. */
		if ((rc = record(w, &f, &n, 1, stk, &depth)) != 0 ||
		    (rc = record(w, &f, &n, 0, stk, &depth)) != 0)
			return rc;
	}
	return 0;
}

int
geo_mmdb_load(struct geo *g, const char *path, struct geo_trees *reg)
{
	struct walk w = { .g = g, .path = path, .reg = reg };
	MMDB_s db;
	int st, rc;

	if ((st = MMDB_open(path, MMDB_MODE_MMAP, &db)) != MMDB_SUCCESS) {
		geo_seterr(g, "%s: %s", path, MMDB_strerror(st));
		if (st == MMDB_FILE_OPEN_ERROR)
			return LL_ENOTFOUND;
		return st == MMDB_OUT_OF_MEMORY_ERROR ? LL_ENOMEM : LL_EFORMAT;
	}
	w.db = &db;
	rc = walk_tree(&w);
	if (rc == LL_ELIMIT)
		geo_seterr(g, "%s: too many networks", path);
	MMDB_close(&db);
	free(w.c.key);
	free(w.c.val);
	return rc;
}
