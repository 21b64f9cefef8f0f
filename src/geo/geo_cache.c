/*
 * The loaded map, saved for the next run. Reading the IPFire database
 * through libloc and flattening its 1.3 million networks costs about
 * 0.65 s of CPU on every run; the result changes only when a source file
 * does, so it is written once to a cache file and mapped back (read-only,
 * used in place) by later runs, which then open in milliseconds.
 *
 * No library keeps such a map for us (libloc's own lookup answers one
 * address, not "the countries inside this prefix, in /24 units"), hence
 * this file.
 *
 * The file is machine-local: native byte order and integer sizes, checked
 * by a marker. It is named after the source paths and holds the key
 * (paths, sizes, modification times, inodes), so a source that changed
 * makes the cache miss and be rewritten. The file is still read as hostile
 * input: every length is bounded by the file, the intervals are checked by
 * net_tree_wrap() and the values here (country codes, region indexes), so
 * a damaged cache is rejected (and rebuilt), never followed. (A damaged AS
 * number cannot be told from a real one.)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "geo/geo_int.h"
#include "util/err.h"
#include "util/rd.h"

#define CACHE_MAGIC	"LLGEOC\0\1"	/* last byte: format version */
#define CACHE_BOM	0x01020304u
#define CACHE_TREES	8
#define CACHE_ALIGN	16

/* The trees in file order. */
static struct net_tree **
slot(struct geo *g, int i)
{
	struct geo_trees *ts[4] = { &g->cc, &g->asn, &g->reg, &g->split };

	return &ts[i / 2]->t[i % 2];
}

static int
put(FILE *f, const void *p, size_t n)
{
	return n == 0 || fwrite(p, 1, n, f) == n ? 0 : LL_EIO;
}

static int
pad(FILE *f)
{
	static const uint8_t zero[CACHE_ALIGN];
	long off = ftell(f);

	if (off < 0)
		return LL_EIO;
	return put(f, zero, (CACHE_ALIGN - (size_t)off % CACHE_ALIGN) %
	    CACHE_ALIGN);
}

static int
write_all(struct geo *g, FILE *f, const char *key)
{
	uint32_t bom = CACHE_BOM, klen = (uint32_t)strlen(key);
	uint32_t nreg = (uint32_t)g->nregions;
	int rc;

	if ((rc = put(f, CACHE_MAGIC, 8)) != 0 ||
	    (rc = put(f, &bom, 4)) != 0 || (rc = put(f, &klen, 4)) != 0 ||
	    (rc = put(f, key, klen)) != 0 || (rc = pad(f)) != 0 ||
	    (rc = put(f, &nreg, 4)) != 0 ||
	    (rc = put(f, g->regions, nreg * sizeof(*g->regions))) != 0 ||
	    (rc = pad(f)) != 0)
		return rc;
	for (int i = 0; i < CACHE_TREES; i++) {
		const struct net_tree *t = *slot(g, i);
		uint8_t hd[8] = { 0 };
		const void *start = NULL;
		const uint32_t *val = NULL;
		uint64_t n64 = 0;
		size_t n = 0;
		bool coarse = false;

		if (t != NULL) {
			net_tree_raw(t, &start, &val, &n, &coarse);
			hd[0] = 1;
			hd[1] = (uint8_t)(i % 2 ? NET_AF6 : NET_AF4);
			hd[2] = coarse;
			n64 = n;
		}
		if ((rc = put(f, hd, sizeof(hd))) != 0 ||
		    (rc = put(f, &n64, 8)) != 0 ||
		    (rc = put(f, start, n * CACHE_ALIGN)) != 0 ||
		    (rc = put(f, val, n * sizeof(*val))) != 0 ||
		    (rc = pad(f)) != 0)
			return rc;
	}
	return 0;
}

static void
mkdirs(const char *dir)
{
	char p[4096];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(p))
		return;
	memcpy(p, dir, n + 1);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		(void)mkdir(p, 0755);
		*s = '/';
	}
	(void)mkdir(p, 0755);
}

int
geo_cache_save(struct geo *g, const char *dir, const char *name,
    const char *key)
{
	char tmp[4096], path[4096];
	FILE *f;
	int fd, rc;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path) || (size_t)snprintf(tmp, sizeof(tmp),
	    "%s/.%s.XXXXXX", dir, name) >= sizeof(tmp))
		return LL_EINVAL;
	mkdirs(dir);
	if ((fd = mkstemp(tmp)) < 0)
		return LL_EIO;
	if ((f = fdopen(fd, "wb")) == NULL) {
		close(fd);
		unlink(tmp);
		return LL_EIO;
	}
	rc = write_all(g, f, key);
	if (fclose(f) != 0 && rc == 0)
		rc = LL_EIO;
	/* rename() is atomic: a concurrent run maps the old file or this
	 * whole one, never half of it. */
	if (rc == 0 && (chmod(tmp, 0644) != 0 || rename(tmp, path) != 0))
		rc = LL_EIO;
	if (rc != 0)
		unlink(tmp);
	return rc;
}

static bool
align(struct rd *r)
{
	return rd_skip(r, (CACHE_ALIGN - rd_off(r) % CACHE_ALIGN) %
	    CACHE_ALIGN);
}

static uint32_t
rd_u32n(struct rd *r)
{
	uint32_t v = 0;

	(void)rd_copy(r, &v, sizeof(v));
	return v;
}

static bool
cc_ok(uint32_t cc)
{
	char c[3];

	geo_cc_str(cc, c);
	return cc == 0 || geo_cc16(c) == cc;
}

/* The values a tree of slot i may hold: countries, regions, both. */
static bool
vals_ok(const struct geo *g, int i, const uint32_t *v, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		switch (i / 2) {
		case 0:
			if (v[k] > 0xffff || !cc_ok(v[k]))
				return false;
			break;
		case 2:
			if (v[k] >= g->nregions && v[k] != 0)
				return false;
			break;
		case 3:
			if (!cc_ok(v[k] & 0xffff) || (v[k] >> 16 != 0 &&
			    v[k] >> 16 >= g->nregions))
				return false;
			break;
		}
	}
	return true;
}

static int
parse(struct geo *g, struct rd *r, const char *key)
{
	const uint8_t *p;
	uint32_t klen, nreg;
	int rc;

	p = rd_ptr(r, 8);
	if (p == NULL || memcmp(p, CACHE_MAGIC, 8) != 0 ||
	    rd_u32n(r) != CACHE_BOM)
		return LL_EFORMAT;
	klen = rd_u32n(r);
	p = rd_ptr(r, klen);
	if (p == NULL || klen != strlen(key) || memcmp(p, key, klen) != 0)
		return LL_ENOTFOUND;		/* another version of the sources */
	if (!align(r))
		return LL_EFORMAT;
	nreg = rd_u32n(r);
	if (!rd_ok(r) || nreg > GEO_REGIONS_MAX ||
	    (p = rd_ptr(r, (size_t)nreg * 8)) == NULL || !align(r))
		return LL_EFORMAT;
	if (nreg > 0) {
		if ((g->regions = malloc((size_t)nreg * 8)) == NULL)
			return LL_ENOMEM;
		memcpy(g->regions, p, (size_t)nreg * 8);
		for (uint32_t i = 0; i < nreg; i++)
			g->regions[i][7] = '\0';
		g->nregions = g->capregions = nreg;
	}
	for (int i = 0; i < CACHE_TREES; i++) {
		const uint8_t *hd = rd_ptr(r, 8), *start, *val;
		uint64_t n = 0;

		if (hd == NULL || !rd_copy(r, &n, 8))
			return LL_EFORMAT;
		if (hd[0] == 0 && n == 0)
			continue;
		if (hd[0] != 1 || hd[1] != (i % 2 ? NET_AF6 : NET_AF4) ||
		    hd[2] > 1 || n == 0 || n > rd_left(r) / CACHE_ALIGN)
			return LL_EFORMAT;
		start = rd_ptr(r, (size_t)n * CACHE_ALIGN);
		val = rd_ptr(r, (size_t)n * sizeof(uint32_t));
		if (start == NULL || val == NULL || !align(r) ||
		    !vals_ok(g, i, (const uint32_t *)val, (size_t)n))
			return LL_EFORMAT;
		rc = net_tree_wrap(hd[1], hd[2], start, (const uint32_t *)val,
		    (size_t)n, slot(g, i));
		if (rc != 0)
			return rc == LL_ENOMEM ? rc : LL_EFORMAT;
	}
	/* Every consumer needs the split trees, lookups cc and asn. */
	for (int i = 0; i < 2; i++)
		if (g->split.t[i] == NULL || g->cc.t[i] == NULL ||
		    g->asn.t[i] == NULL)
			return LL_EFORMAT;
	return rd_left(r) == 0 ? 0 : LL_EFORMAT;
}

/* Undoes what a failed parse left in g. */
static void
unload(struct geo *g)
{
	for (int i = 0; i < CACHE_TREES; i++) {
		net_tree_free(*slot(g, i));
		*slot(g, i) = NULL;
	}
	free(g->regions);
	g->regions = NULL;
	g->nregions = g->capregions = 0;
}

int
geo_cache_parse(struct geo *g, const void *buf, size_t len, const char *key)
{
	struct rd r = rd_make(buf, len);
	int rc;

	if ((uintptr_t)buf % CACHE_ALIGN != 0)
		return LL_EINVAL;
	if ((rc = parse(g, &r, key)) != 0)
		unload(g);
	return rc;
}

int
geo_cache_load(struct geo *g, const char *dir, const char *name,
    const char *key)
{
	char path[4096];
	struct stat sb;
	void *map;
	int fd, rc;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return LL_EINVAL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return LL_ENOTFOUND;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size < 16) {
		close(fd);
		return LL_EFORMAT;
	}
	map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return LL_EIO;
	if ((rc = geo_cache_parse(g, map, (size_t)sb.st_size, key)) != 0) {
		munmap(map, (size_t)sb.st_size);
		return rc;
	}
	g->map = map;
	g->maplen = (size_t)sb.st_size;
	return 0;
}
