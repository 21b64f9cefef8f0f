/*
 * Imported series into the store (ingest.h, ingest_import()): files
 * known by SHA-256, all of a run in one transaction, like archives.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/ingest.h"
#include "util/err.h"
#include "util/grow.h"

struct imp_file {
	const char	*path;		/* as named */
	const char	*open;		/* where its bytes are */
	char		 sha[STORE_SHA256_HEX];
	uint64_t	 size;
	bool		 known;
	bool		 dup;		/* the bytes of an earlier file */
	uint64_t	 rows, bad;
};

struct imp_run {
	struct store			*st;
	const struct ingest_import_opts	*o;
	struct ingest_import_result	*res;
	char				 source[STORE_KEY_MAX];
	char				 last_kind[STORE_KEY_MAX];
	int				 dbrc;
};

static int
fail(struct ingest_import_result *res, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct ingest_import_result *res, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->errmsg, sizeof(res->errmsg), fmt, ap);
	va_end(ap);
	return rc;
}

/* Reads the whole file at path (at most IMPORT_FILE_MAX bytes) into a
 * malloc'ed *buf. Returns 0, LL_EIO (errno kept), LL_ELIMIT, LL_ENOMEM. */
static int
read_all(const char *path, uint8_t **buf, size_t *len)
{
	size_t cap = 0, n = 0;
	uint8_t *b = NULL;
	ssize_t r;
	int fd, rc = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return LL_EIO;
	for (;;) {
		if (n == cap && (rc = ll_grow(&b, &cap, n + 65536, 1)) != 0)
			break;
		if ((r = read(fd, b + n, cap - n)) < 0) {
			if (errno == EINTR)
				continue;
			rc = LL_EIO;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > IMPORT_FILE_MAX) {
			rc = LL_ELIMIT;
			break;
		}
	}
	close(fd);
	if (rc != 0) {
		free(b);
		return rc;
	}
	*buf = b;
	*len = n;
	return 0;
}

/* Hashes every file, finds the known ones and the copies. */
static int
settle(struct store *st, struct imp_file *f, size_t n, bool force,
    struct ingest_import_result *res, size_t *nnew)
{
	int rc;

	*nnew = 0;
	for (size_t i = 0; i < n; i++) {
		if (ingest_sha256_file(f[i].open, f[i].sha, &f[i].size) != 0)
			return fail(res, LL_EIO, "%s: %s", f[i].path,
			    strerror(errno));
		for (size_t j = 0; j < i; j++)
			if (strcmp(f[i].sha, f[j].sha) == 0)
				f[i].dup = true;
		rc = store_archive_get(st, f[i].sha, NULL);
		if (rc != 0 && rc != LL_ENOTFOUND)
			return fail(res, rc, "%s", store_errmsg(st));
		f[i].known = rc == 0;
		res->known += f[i].known && !f[i].dup;
		*nnew += (!f[i].known || force) && !f[i].dup;
	}
	return 0;
}

/* The run's format: the option's, or the first file's, which every
 * other file must share. */
static int
run_format(struct imp_file *f, size_t n, const struct ingest_import_opts *o,
    const uint8_t *buf, size_t len, size_t i, enum import_fmt *fmt,
    struct ingest_import_result *res)
{
	enum import_fmt d;
	char why[96];

	if (o->fmt != 0) {
		*fmt = o->fmt;
		return 0;
	}
	if (import_detect(o->fam, buf, len, &d, why, sizeof(why)) != 0)
		return fail(res, LL_EFORMAT, "%s: %s (--format names one)",
		    f[i].path, why);
	if (i > 0 && d != *fmt)
		return fail(res, LL_EFORMAT, "%s: %s, but %s is %s: one format "
		    "a run", f[i].path, import_fmt_name(d), f[0].path,
		    import_fmt_name(*fmt));
	*fmt = d;
	(void)n;
	return 0;
}

static int
put_point(void *ctx, const struct import_point *p)
{
	struct imp_run *r = ctx;
	struct store_point sp = { .entity = p->entity, .time = p->time,
	    .value = p->value };
	struct import_kind ki;
	struct store_kind k;
	int rc;

	if (strcmp(r->last_kind, p->kind) != 0) {
		import_kind_info(p->kind, &ki);
		k = (struct store_kind){ .name = p->kind, .unit = ki.unit,
		    .description = ki.description };
		if ((rc = store_kind_put(r->st, &k)) != 0)
			return r->dbrc = rc;
		snprintf(r->last_kind, sizeof(r->last_kind), "%s", p->kind);
		r->res->kinds++;
	}
	if ((rc = store_points_put(r->st, p->kind, r->source, &sp, 1)) != 0)
		return r->dbrc = rc;
	return 0;
}

/* The archive rows of the new files that had a good row. */
static int
record_files(struct imp_run *r, struct imp_file *f, size_t n,
    const char *settings)
{
	const struct ingest_import_result *res = r->res;
	struct store_archive a;
	const char *base;
	int rc;

	for (size_t i = 0; i < n; i++) {
		if (f[i].dup || (f[i].known && !r->o->force) ||
		    f[i].rows == f[i].bad)
			continue;
		if (f[i].known && (rc = store_archive_delete(r->st,
		    f[i].sha)) != 0)
			return rc;
		memset(&a, 0, sizeof(a));
		base = strrchr(f[i].path, '/');
		snprintf(a.sha256, sizeof(a.sha256), "%s", f[i].sha);
		snprintf(a.name, sizeof(a.name), "%s", base != NULL ?
		    base + 1 : f[i].path);
		snprintf(a.settings, sizeof(a.settings), "%s", settings);
		a.size = f[i].size;
		a.first_time = res->tmin;
		a.last_time = res->tmax;
		a.records = f[i].rows;
		a.bad_records = f[i].bad;
		a.points = res->points;
		a.status = f[i].bad ? STORE_ARCHIVE_ERRORS : STORE_ARCHIVE_OK;
		if ((rc = store_archive_record(r->st, &a)) != 0)
			return rc;
		r->res->recorded++;
	}
	return 0;
}

/* import_locate_fn over geo: the most specific network's country and
 * AS (geo_lookup()). */
static int
locate(void *ctx, const char *addr, char cc[3], uint32_t *asn)
{
	struct geo_info gi;
	struct net_addr a;
	int rc;

	if ((rc = net_addr_parse(addr, &a)) != 0 ||
	    (rc = geo_lookup(ctx, &a, &gi)) != 0)
		return rc;
	memcpy(cc, gi.cc, 3);
	*asn = gi.asn;
	return 0;
}

/* Reads every file into im. */
static int
feed_all(struct import **imp, struct imp_file *f, size_t n,
    const struct ingest_import_opts *o, struct ingest_import_result *res)
{
	struct import_opts io = { .entity = o->entity, .on_bad = o->on_bad,
	    .ctx = o->ctx, .locate = o->geo != NULL ? locate : NULL,
	    .locate_ctx = o->geo };
	uint8_t *buf;
	size_t len;
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		if (f[i].dup)
			continue;
		if ((rc = read_all(f[i].open, &buf, &len)) != 0)
			return fail(res, rc, "%s: %s", f[i].path, rc == LL_EIO ?
			    strerror(errno) : ll_strerror(rc));
		if ((rc = run_format(f, n, o, buf, len, i, &res->fmt,
		    res)) == 0 && *imp == NULL) {
			io.fmt = res->fmt;
			if ((rc = import_new(&io, imp)) != 0)
				rc = fail(res, rc, "--entity %s is not an "
				    "entity", o->entity ? o->entity : "");
		}
		if (rc == 0 && (rc = import_feed(*imp, f[i].path, buf, len,
		    &f[i].rows, &f[i].bad)) != 0)
			rc = fail(res, rc, "%s: %s", f[i].path,
			    ll_strerror(rc));
		free(buf);
	}
	return rc;
}

static int
write_all(struct imp_run *r, struct import *im, struct imp_file *f,
    size_t n)
{
	const struct import_stats *s;
	char settings[STORE_SETTINGS_MAX];
	int rc;

	snprintf(r->source, sizeof(r->source), "import:%s",
	    import_fmt_name(r->res->fmt));
	snprintf(settings, sizeof(settings), "import=%s%s%s",
	    import_fmt_name(r->res->fmt), r->o->entity ? " entity=" : "",
	    r->o->entity ? r->o->entity : "");
	if ((rc = store_tx_begin(r->st)) != 0)
		return fail(r->res, rc, "%s", store_errmsg(r->st));
	rc = import_finish(im, put_point, r);
	s = import_stats(im);
	r->res->points = s->points;
	r->res->tmin = s->tmin;
	r->res->tmax = s->tmax;
	if (rc == 0)
		rc = record_files(r, f, n, settings);
	if (rc == 0)
		rc = store_tx_commit(r->st);
	if (rc != 0) {
		fail(r->res, rc, "%s", rc == LL_ENOMEM ? "out of memory" :
		    store_errmsg(r->st));
		if (store_tx_active(r->st))
			(void)store_tx_rollback(r->st);
		r->res->recorded = 0;
		r->res->points = 0;
	}
	return rc;
}

int
ingest_import(struct store *st, const char *const *files, size_t n,
    const struct ingest_import_opts *o, struct ingest_import_result *res)
{
	struct imp_run r = { .st = st, .o = o, .res = res };
	struct import *im = NULL;
	struct imp_file *f;
	size_t nnew;
	int rc;

	memset(res, 0, sizeof(*res));
	res->given = n;
	if ((f = calloc(n ? n : 1, sizeof(*f))) == NULL)
		return fail(res, LL_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		f[i].path = files[i];
		f[i].open = o->open_paths != NULL ? o->open_paths[i] : files[i];
	}
	if ((rc = settle(st, f, n, o->force, res, &nnew)) != 0 || nnew == 0)
		goto out;
	if ((rc = feed_all(&im, f, n, o, res)) != 0)
		goto out;
	res->rows = import_stats(im)->rows;
	res->bad = import_stats(im)->bad;
	rc = write_all(&r, im, f, n);
out:
	import_free(im);
	free(f);
	return rc;
}
